"""Active and archived copies of one session are counted once, row by row (docs/reference/cost-rules.md, "Forks, subagents and copies")."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.cost.logs import active, archived, meta, scan, tok, totals, turn, usd, write

GPT55 = (5.0, 0.5, 30.0)


def test_archived_session_and_identical_active_copy_count_once(tmp_path: Path) -> None:
    lines = [meta("s1"), turn("openai/gpt-5.5"), tok("12:00:01", total=(100, 0, 10), last=(100, 0, 10))]
    write(archived(tmp_path, "rollout-2026-07-11T12-00-00-s1"), lines)
    assert scan(tmp_path)["totals"]["totalTokens"] == 110
    write(active(tmp_path, "s1"), lines)
    assert scan(tmp_path)["totals"]["totalTokens"] == 110


def test_active_stub_and_archived_session(tmp_path: Path) -> None:
    write(active(tmp_path, "s1"), [meta("s1"), turn("openai/gpt-5.5")])
    write(archived(tmp_path, "s1"), [meta("s1"), turn("openai/gpt-5.5"), tok("12:00:01", last=(20, 500, 5))])
    report = scan(tmp_path)
    t = report["totals"]
    assert (t["inputTokens"], t["outputTokens"], t["totalTokens"]) == (20, 5, 25)
    assert t["totalCost"] == pytest.approx(usd(20, 500, 5, GPT55), abs=1e-12)


def test_partial_active_copy_and_longer_archive(tmp_path: Path) -> None:
    head = [meta("s1"), turn("openai/gpt-5.5"), tok("12:00:01", last=(20, 0, 5))]
    write(active(tmp_path, "s1"), head)
    write(archived(tmp_path, "s1"), [*head, tok("12:00:02", last=(30, 500, 7))])
    report = scan(tmp_path)
    assert totals(report) == (50, 500, 12)
    assert report["totals"]["totalTokens"] == 62


def test_repeated_identical_event_in_the_archive_still_counts(tmp_path: Path) -> None:
    head = [meta("s1"), turn("openai/gpt-5.5"), tok("12:00:01", last=(20, 0, 5))]
    write(active(tmp_path, "s1"), head)
    write(archived(tmp_path, "s1"), [*head, tok("12:00:01", last=(20, 0, 5))])
    t = scan(tmp_path)["totals"]
    assert (t["inputTokens"], t["outputTokens"], t["totalTokens"]) == (40, 10, 50)


def test_files_without_session_meta_never_dedupe(tmp_path: Path) -> None:
    lines = [turn("openai/gpt-5.5"), tok("12:00:01", last=(10, 100, 1))]
    write(active(tmp_path, "a"), lines)
    write(archived(tmp_path, "b"), lines)
    report = scan(tmp_path)
    assert totals(report) == (20, 200, 2)
    assert report["totals"]["totalTokens"] == 22


def test_one_physical_file_reached_twice_counts_once(tmp_path: Path) -> None:
    path = write(active(tmp_path, "s1"), [turn("openai/gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    (tmp_path / "archived_sessions").mkdir()
    os.link(path, tmp_path / "archived_sessions" / "hardlink.jsonl")
    assert scan(tmp_path)["totals"]["totalTokens"] == 11


def test_session_moved_to_the_archive(tmp_path: Path) -> None:
    from codexbar_core.cache import Store

    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    src = write(active(home, "s1"), [meta("s1"), turn("openai/gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    assert scan(home, store=store)["totals"]["totalTokens"] == 11
    (home / "archived_sessions").mkdir()
    shutil.move(str(src), home / "archived_sessions" / src.name)
    assert scan(home, store=store)["totals"]["totalTokens"] == 11
