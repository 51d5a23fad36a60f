"""A big scan adds each log's totals to its folder's sum as they arrive instead of keeping every log's
totals (docs/design/cost-memory.md): the report, the per-session breakdown and the next refreshes
must be exactly what a small scan of the same logs gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from codexbar_core.cache import Store
from codexbar_core.cost import scan as scan_mod
from codexbar_core.cost.report import cost_report
from tests.cost.logs import DAY, active, append, archived, meta, scan, tok, turn, write


def strip_time(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "updatedAt"}


def busy_home(home: Path) -> None:
    """Many logs in one day's folder, an active log with its archived copy, a fork of a log in the
    same folder, a subagent of another, and an unpriced model."""
    for i in range(20):
        model = ("gpt-5.5", "gpt-5-codex", "mystery-model")[i % 3]
        write(active(home, f"s{i}"), [meta(f"s{i}"), turn(model),
                                      *[tok(f"12:{m:02d}:00", total=(1000 * (m + 1), 100 * m, 50 * (m + 1)))
                                        for m in range(i + 2)]])
    copy = [meta("s4"), turn("gpt-5-codex"), *[tok(f"12:{m:02d}:00", total=(1000 * (m + 1), 100 * m, 50 * (m + 1)))
                                             for m in range(7)]]
    write(archived(home, "s4-copy"), copy)  # the active s4 plus one more turn: counted once together
    write(active(home, "fork"), [meta("fork", "15:00:00", parent="s3"), turn("gpt-5.5"),
                                 tok("15:00:01", total=(90_000, 0, 900))])
    write(active(home, "sub"), [meta("sub", "16:00:00", parent="s5", source={"subagent": "review"}),
                                turn("gpt-5.5"), tok("16:00:01", total=(7000, 10, 70))])


def by_session(home: Path, store: Store | None) -> dict[str, Any]:
    return cost_report(home, store, since=dt.date.fromisoformat(DAY), until=dt.date.fromisoformat(DAY),
                       refresh=True, price_overrides=None, deadline=None, by="session").to_contract()


@pytest.mark.parametrize("helper", [True, False], ids=["with-helper", "one-process"])
def test_a_big_scan_summing_as_logs_arrive_reports_what_a_small_scan_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper: bool) -> None:
    home = tmp_path / "home"
    busy_home(home)
    small_day, small_sessions = scan(home), by_session(home, None)
    monkeypatch.setattr(scan_mod, "PARALLEL_MIN_BYTES", 0)  # every scan counts as big
    if not helper:
        monkeypatch.setattr(scan_mod.os, "cpu_count", lambda: 1)
    big_day = scan(home, store=Store(tmp_path / "cache-day"))
    assert strip_time(big_day) == strip_time(small_day)
    assert big_day["totals"]["inputTokens"] > 0
    # the per-session breakdown needs every log's own totals: read back from their records
    assert strip_time(by_session(home, Store(tmp_path / "cache-sessions"))) == strip_time(small_sessions)


def test_refreshes_after_a_big_scan_stay_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    busy_home(home)
    store = Store(tmp_path / "cache")
    monkeypatch.setattr(scan_mod, "PARALLEL_MIN_BYTES", 0)
    scan(home, store=store)
    monkeypatch.undo()
    # one log grows, one is deleted: the saved per-folder sums are moved or summed afresh
    append(active(home, "s7"), [tok("19:30:00", total=(99_000, 9_000, 9_900))])
    active(home, "s9").unlink()
    assert strip_time(scan(home, store=store)) == strip_time(scan(home))
    assert strip_time(by_session(home, store)) == strip_time(by_session(home, None))
