"""Whole Codex homes for cost tests (shared with the ccusage oracle in tests/cost_oracle/): a family of
forked, spawned and duplicated sessions; session heads with a folder and git remote; a thread index."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.cost.logs import active, archived, encode, iac, meta, tok, turn, write


def family_home(home: Path) -> None:
    """A parent, its fork, a subagent it spawned, and a session kept both active and archived."""
    write(active(home, "parent"), [
        meta("parent", "10:00:00"), turn("openai/gpt-5.2-codex"),
        tok("10:00:01", total=(1000, 200, 50)), tok("10:00:02", total=(3000, 1200, 150))])
    write(active(home, "fork"), [
        meta("fork", "10:00:01.500", parent="parent"), turn("openai/gpt-5.2-codex"),
        tok("11:00:01", total=(1000, 200, 50)), tok("11:00:02", total=(1700, 500, 90))])
    source = {"subagent": {"thread_spawn": {"parent_thread_id": "parent"}}}
    write(active(home, "sub"), [
        meta("sub", "12:00:00", source=source),
        meta("parent", "10:00:00"), turn(), tok("10:00:01", total=(1000, 200, 50), last=(1000, 200, 50)),
        turn("gpt-5.5", "12:00:01"), iac(True, "12:00:01"),
        tok("12:00:02", total=(1400, 300, 80), last=(400, 100, 30))])
    copy = [meta("twice", "13:00:00"), turn("gpt-5.5"), tok("13:00:01", total=(500, 0, 5)),
            tok("13:00:02", total=(900, 100, 15))]
    write(active(home, "twice"), copy)
    write(archived(home, "rollout-2026-07-11T13-00-00-twice"), copy + [tok("13:00:03", total=(1000, 100, 20))])
    # the next day, the parent goes on
    with open(active(home, "parent"), "ab") as handle:
        handle.write(encode([tok("09:00:00", total=(4000, 1500, 200), day="2026-07-12")]))


def git_meta(sid: str, cwd: str | None, url: str | None, at: str = "10:00:00") -> dict[str, Any]:
    line = meta(sid, at)
    if cwd is None:
        line["payload"].pop("cwd")
    else:
        line["payload"]["cwd"] = cwd
    if url is not None:
        line["payload"]["git"] = {"commit_hash": "abc", "branch": "main", "repository_url": url}
    return line


def write_index(home: Path, rows: list[tuple[str, str | None, str | None, str | None]]) -> None:
    with sqlite3.connect(home / "state_5.sqlite") as conn:
        conn.execute("CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT, cwd TEXT, git_origin_url TEXT,"
                     " git_branch TEXT, title TEXT, archived INTEGER)")
        conn.executemany("INSERT INTO threads (id, cwd, git_origin_url, title) VALUES (?, ?, ?, ?)", rows)
