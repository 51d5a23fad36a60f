"""Large cold scans hand half the files to a helper process; the result must not depend on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from codexbar_core.cache import Store
from codexbar_core.cost import incremental, parallel
from codexbar_core.cost import scan as scan_mod
from tests.cost.logs import active, archived, meta, scan, tok, turn, write


def home_with_sessions(home: Path) -> None:
    for i in range(12):
        write(active(home, f"s{i}"), [meta(f"s{i}"), turn("gpt-5.5" if i % 2 else "gpt-5-codex"),
                                      *[tok(f"12:{m:02d}:00", total=(100 * (m + 1), 10 * m, 5 * (m + 1)))
                                        for m in range(i + 1)]])
    write(archived(home, "fork"), [meta("fork", "13:00:00", parent="s3"), turn("gpt-5.5"),
                                   tok("13:00:01", total=(900, 0, 90))])
    write(archived(home, "broken"), [meta("b"), b'{"type":"event_msg","payload":{"type":"token_count", oops', turn("gpt-5.5"), tok("12:00:00", last=(1, 0, 1))])


def strip_time(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "updatedAt"}


def test_helper_process_gives_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home_with_sessions(home)
    serial = scan(home)
    monkeypatch.setattr(scan_mod, "PARALLEL_MIN_BYTES", 0)
    spawned: list[int] = []
    import subprocess

    real_popen = subprocess.Popen

    def counting_popen(*args, **kwargs):
        spawned.append(1)
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", counting_popen)
    parallel = scan(home, store=Store(tmp_path / "cache"))
    assert spawned == [1]
    assert strip_time(parallel) == strip_time(serial)
    assert "1 malformed line skipped" in parallel["notes"]


def test_without_a_helper_the_scan_still_completes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home_with_sessions(home)
    serial = scan(home)
    monkeypatch.setattr(scan_mod, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel.sys, "executable", str(tmp_path / "no-python-here"))
    assert strip_time(scan(home, store=Store(tmp_path / "cache"))) == strip_time(serial)


def test_deadline_during_a_parallel_scan_keeps_work_and_recovers(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import itertools

    from codexbar_core import errors

    home = tmp_path / "home"
    home_with_sessions(home)
    serial = scan(home)
    store = Store(tmp_path / "cache")
    monkeypatch.setattr(scan_mod, "PARALLEL_MIN_BYTES", 0)
    ticks = itertools.count()
    monkeypatch.setattr(incremental.time, "monotonic", lambda: float(next(ticks)))
    with pytest.raises(errors.SourceTimeout):
        scan(home, store=store, deadline=3.5)
    monkeypatch.setattr(incremental.time, "monotonic", lambda: 0.0)
    assert strip_time(scan(home, store=store)) == strip_time(serial)
