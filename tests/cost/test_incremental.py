"""Incremental scanning: a grown file resumes from its offset and equals a full rescan; shrunk,
replaced and deleted files are handled; results are reused; a deadline keeps finished work."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from codexbar_core import errors
from codexbar_core.cache import Store
from codexbar_core.cost import filerecord, incremental
from codexbar_core.cost import scan as scan_mod
from codexbar_core.cost import store as store_mod
from codexbar_core.cost.report import cost_report, last_cost_report
from tests.cost.logs import DAY, active, append, archived, encode, meta, scan, tok, totals, turn, write

# A session that exercises every reducer path: last-only, repeats, divergence, interleaving, models.
EVENTS = [
    meta("s1"), turn("openai/gpt-5.5"),
    tok("12:00:01", total=(100, 20, 10, 3), last=(100, 20, 10, 3)),
    tok("12:00:02", total=(100, 20, 10, 3), last=(100, 20, 10, 3)),
    tok("12:00:03", total=(160, 40, 16, 5), last=(60, 20, 6, 2)),
    turn("gpt-5.4"),
    tok("12:00:04", total=(1000, 900, 100), last=(40, 30, 5)),
    tok("12:00:05", last=(7, 0, 1)),
    tok("12:00:06", total=(1050, 930, 110), last=(50, 30, 10)),
    tok("12:00:07", total=(400, 10, 20)),
    turn("gpt-5.6-terra"),
    tok("12:00:08", total=(1200, 950, 130)),
    tok("23:59:59", total=(1300, 960, 140), last=(100, 10, 10)),
]


def strip_time(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "updatedAt"}


@pytest.mark.parametrize("cut", range(1, len(EVENTS)))
def test_grown_file_resumes_to_the_same_result_as_a_full_scan(tmp_path: Path, cut: int) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = write(active(home, "s1"), EVENTS[:cut])
    scan(home, store=store)
    append(path, EVENTS[cut:])
    resumed = scan(home, store=store)
    assert strip_time(resumed) == strip_time(scan(home))  # no store: a full scan


def read_offsets(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The byte offsets the scan starts reading logs at from now on, in order."""
    offsets: list[int] = []
    real = filerecord.parse_stream
    monkeypatch.setattr(filerecord, "parse_stream", lambda h, off, **kw: offsets.append(off) or real(h, off, **kw))
    return offsets


def test_resume_reads_only_the_new_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = write(active(home, "s1"), EVENTS[:5])
    scan(home, store=store)
    offsets = read_offsets(monkeypatch)
    size = path.stat().st_size
    append(path, EVENTS[5:9])  # growing totals: the saved resume state answers for them
    scan(home, store=store)
    assert offsets == [size]


def test_a_resumed_total_below_the_saved_ones_reads_the_log_again(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The saved state keeps only the newest total of a log whose counters never went back: a total
    below it (counters starting to interleave) is read again from the start, to the full scan's
    result; from then on all totals are kept and resuming reads only the new bytes again."""
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = write(active(home, "s1"), EVENTS[:9])
    scan(home, store=store)
    offsets = read_offsets(monkeypatch)
    size = path.stat().st_size
    append(path, EVENTS[9:10])  # (400, 10, 20): below the counted totals
    resumed = scan(home, store=store)
    assert offsets == [size, 0]
    assert strip_time(resumed) == strip_time(scan(home))
    offsets.clear()
    size = path.stat().st_size
    append(path, EVENTS[10:])
    resumed = scan(home, store=store)
    assert offsets == [size]
    assert strip_time(resumed) == strip_time(scan(home))


def test_shrunk_and_replaced_files_are_rescanned(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = write(active(home, "s1"), EVENTS)
    scan(home, store=store)
    write(path, EVENTS[:4])  # truncated and rewritten shorter
    assert strip_time(scan(home, store=store)) == strip_time(scan(home))
    # replaced by a different, longer file whose bytes before the old offset differ
    other = [meta("s2"), turn("gpt-5-codex"), *[tok(f"12:0{i}:00", last=(1000 + i, 0, 10)) for i in range(9)]]
    tmp = path.with_suffix(".new")
    write(tmp, other)
    os.replace(tmp, path)
    assert strip_time(scan(home, store=store)) == strip_time(scan(home))
    # same inode, grown, but rewritten from the start (the saved tail no longer matches)
    data = encode([meta("s3"), turn("gpt-5-mini"), *[tok(f"13:0{i}:00", last=(7, 0, 1)) for i in range(9)]])
    with open(path, "r+b") as handle:
        handle.write(data)
    assert strip_time(scan(home, store=store)) == strip_time(scan(home))
    assert scan(home, store=store)["daily"][0]["modelsUsed"] == ["gpt-5-mini"]


def test_a_folders_sum_moved_by_its_changed_logs_equals_a_full_scan(tmp_path: Path) -> None:
    """A folder whose logs are all counted keeps its sum, moved by a changed log's old and new totals
    (docs/design/thread-index.md, "Changed homes"): after an append, a log replaced by one of another
    model (its old model's cell gone), and an append to a log of an unpriced model (summed afresh),
    every report equals a scan from an empty cache."""
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    a = write(active(home, "a"), [meta("a"), turn("gpt-5.5"), tok("12:00:01", last=(1000, 100, 10))])
    b = write(active(home, "b"), [meta("b"), turn("gpt-5-mini"), tok("12:00:02", last=(2000, 0, 20))])
    c = write(active(home, "c"), [meta("c"), turn("my-local-llm"), tok("12:00:03", last=(300, 0, 3))])
    scan(home, store=store)
    append(a, [tok("12:05:00", last=(500, 0, 5))])
    assert strip_time(scan(home, store=store)) == strip_time(scan(home))
    replaced = b.with_suffix(".new")
    write(replaced, [meta("b"), turn("gpt-5.5"), tok("12:06:00", last=(70, 0, 7))])
    os.replace(replaced, b)
    report = scan(home, store=store)
    assert strip_time(report) == strip_time(scan(home))
    assert report["daily"][0]["modelsUsed"] == ["gpt-5.5", "my-local-llm"]
    append(c, [tok("12:07:00", last=(40, 0, 4))])
    report = scan(home, store=store)
    assert strip_time(report) == strip_time(scan(home))
    assert report["unpricedModels"] == ["my-local-llm"]
    assert report["totals"]["inputTokens"] == 1000 + 500 + 70 + 300 + 40


def test_deleted_files_drop_out(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    write(active(home, "a"), [meta("a"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    gone = write(archived(home, "b"), [meta("b"), turn("gpt-5.5"), tok("12:00:01", last=(20, 0, 2))])
    assert totals(scan(home, store=store)) == (30, 0, 3)
    gone.unlink()
    assert totals(scan(home, store=store)) == (10, 0, 1)


def test_a_result_is_reused_for_a_minute_unless_refreshed(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = write(active(home, "a"), [meta("a"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    first = scan(home, store=store, refresh=False)
    append(path, [tok("12:00:02", last=(5, 0, 0))])
    assert scan(home, store=store, refresh=False) == first  # young result reused
    assert totals(scan(home, store=store, refresh=True)) == (15, 0, 1)


def _local(day: str, clock: str) -> float:
    """Epoch seconds of a local wall-clock time: tests pin the report's clock instead of patching `time`."""
    return dt.datetime.fromisoformat(f"{day}T{clock}").timestamp()


def test_an_old_result_is_reused_only_when_no_file_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At noon, an hour and two hours later: the same day whatever time the suite runs at. (It used to
    patch `time.time` by +1 h, which also moves `date.today()`: run after 23:00 it crossed midnight and
    the result of another day was rightly not reused.)"""
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = write(active(home, "a"), [meta("a"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    noon = _local("2026-12-06", "12:00:00")
    scan(home, store=store, refresh=False, now=noon)
    monkeypatch.setattr(scan_mod.Scanner, "run", lambda self, *args: pytest.fail("rescanned"))
    assert totals(scan(home, store=store, refresh=False, now=noon + 3600)) == (10, 0, 1)
    monkeypatch.undo()
    append(path, [tok("12:00:02", last=(5, 0, 0))])
    assert totals(scan(home, store=store, refresh=False, now=noon + 7200)) == (15, 0, 1)


@pytest.mark.parametrize("clock", ["23:30:00", "23:59:59"])
def test_a_result_is_not_reused_into_the_next_day(tmp_path: Path, clock: str) -> None:
    """Late in the evening and just after midnight, nothing changed on disk, but "today" did: the
    report's today-total must start over (the young result of yesterday is not reused)."""
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    write(active(home, "a"), [meta("a"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    window = {"since": "2026-07-10", "until": "2026-07-12"}
    evening = _local(DAY, clock)
    assert scan(home, **window, store=store, refresh=False, now=evening)["sessionTokens"] == 11
    after_midnight = _local("2026-07-12", "00:00:30")
    assert scan(home, **window, store=store, refresh=False, now=after_midnight)["sessionTokens"] == 0
    assert scan(home, **window, store=store, refresh=False, now=evening + 0.5)["sessionTokens"] == 11


def test_a_young_result_is_not_reused_once_another_window_was_scanned(tmp_path: Path) -> None:
    """A young result of the month is reused only while it is the home's latest scan: a scan of one
    day in between may have seen a log change that the month's result does not hold."""
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = write(active(home, "a"), [meta("a"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    month = {"since": "2026-07-01", "until": "2026-07-31"}
    assert totals(scan(home, **month, store=store, refresh=False)) == (10, 0, 1)
    append(path, [tok("12:00:02", last=(5, 0, 0))])
    assert totals(scan(home, store=store)) == (15, 0, 1)  # the day alone, refreshed
    assert totals(scan(home, **month, store=store, refresh=False)) == (15, 0, 1)
    assert totals(scan(home, **month, store=store, refresh=False)) == (15, 0, 1)


def test_fork_metadata_that_appears_late_keeps_what_was_counted(tmp_path: Path) -> None:
    """A session already counted later repeats its own session_meta, now naming a parent, and goes on
    with totals that carry the parent's copied history: the usage counted before stays, the copy is
    not billed, the session's own growth after it is."""
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = write(active(home, "s1"), [meta("s1"), turn("gpt-5.4"), tok("12:00:01", total=(40, 0, 2), last=(40, 0, 2))])
    assert totals(scan(home, store=store)) == (40, 0, 2)
    append(path, [meta("s1", "12:00:05", parent="elsewhere"),
                  tok("12:00:06", total=(9000, 8000, 300), last=(9000, 8000, 300))])
    assert totals(scan(home, store=store)) == (40, 0, 2)
    append(path, [tok("12:00:07", total=(9100, 8050, 310), last=(100, 50, 10))])
    resumed = scan(home, store=store)
    assert totals(resumed) == (140, 50, 12)
    assert strip_time(resumed) == strip_time(scan(home))  # a full read of the file agrees


def test_deadline_keeps_the_finished_files_for_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    for i in range(6):
        write(active(home, f"s{i}"), [meta(f"s{i}"), turn("gpt-5.5"), tok("12:00:01", last=(10 + i, 0, 1))])
    ticks = itertools.count()
    monkeypatch.setattr(incremental.time, "monotonic", lambda: float(next(ticks)))
    with pytest.raises(errors.SourceTimeout):
        scan(home, store=store, deadline=3.5)  # the fake clock runs out after a few files
    assert last_cost_report(home, store) is None  # nothing complete yet
    monkeypatch.undo()
    parsed: list[str] = []
    real = filerecord.read_plain
    monkeypatch.setattr(filerecord, "read_plain", lambda p, s, prev: parsed.append(p) or real(p, s, prev))
    report = scan(home, store=store)
    assert totals(report) == (sum(10 + i for i in range(6)), 0, 6)
    assert 0 < len(parsed) < 6  # the files finished before the deadline were not read again
    last = last_cost_report(home, store)
    assert last is not None and last.to_contract() == report


def test_scanner_version_change_invalidates_saved_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    for i in range(3):
        write(active(home, f"s{i}"), [meta(f"s{i}"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    scan(home, store=store)
    parsed: list[str] = []
    real = filerecord.read_plain
    monkeypatch.setattr(filerecord, "read_plain", lambda p, s, prev: parsed.append(p) or real(p, s, prev))
    scan(home, store=store)
    assert parsed == []
    monkeypatch.setattr(store_mod, "SCANNER_VERSION", store_mod.SCANNER_VERSION + 1)
    monkeypatch.setattr(filerecord, "SCANNER_VERSION", store_mod.SCANNER_VERSION)
    assert totals(scan(home, store=store)) == (30, 0, 3)
    assert len(parsed) == 3


def test_price_change_reprices_every_log(tmp_path: Path) -> None:
    """Records keep day totals, not rows: new prices (or a new time zone) count the logs again."""
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    write(active(home, "s1"), [meta("s1"), turn("gpt-5.5"), tok("12:00:01", last=(1_000, 0, 0))])
    scan(home, store=store)
    overrides = tmp_path / "prices.json"
    overrides.write_text('{"gpt-5.5": {"input": 1000, "output": 1}}')
    assert scan(home, store=store, overrides=overrides)["totals"]["totalCost"] == pytest.approx(1.0)
    assert strip_time(scan(home, store=store, overrides=overrides)) == strip_time(scan(home, overrides=overrides))


def test_cache_keys_hold_no_paths(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "secret-project-name"
    write(active(home, "s1"), [meta("s1"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    scan(home, store=store, refresh=False)
    keys = [k for k in store.state_db.iterkeys() if isinstance(k, str) and k.startswith("cost:")]
    assert keys and not any("secret" in k or "/" in k for k in keys)


def test_same_home_through_two_windows(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    write(active(home, "a"), [meta("a"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    write(active(home, "b", "2026-07-20"), [meta("b"), turn("gpt-5.5"), tok("12:00:01", day="2026-07-20",
                                                                          last=(20, 0, 2))])
    assert totals(scan(home, DAY, "2026-07-31", store=store)) == (30, 0, 3)
    assert totals(scan(home, "2026-07-19", "2026-07-31", store=store)) == (20, 0, 2)
    assert totals(scan(home, DAY, "2026-07-31", store=store)) == (30, 0, 3)
    shutil.rmtree(home / "sessions" / "2026" / "07" / "20")
    assert totals(scan(home, DAY, "2026-07-31", store=store)) == (10, 0, 1)


def test_cost_report_signature_matches_the_callers(tmp_path: Path) -> None:
    import datetime as dt

    report = cost_report(tmp_path, None, since=dt.date(2026, 7, 1), until=dt.date(2026, 7, 30), refresh=False,
                         price_overrides=None, deadline=None)
    assert report.since == "2026-07-01" and report.until == "2026-07-30"


def test_damaged_scan_state_is_rebuilt_from_the_logs(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = write(active(home, "a"), [meta("a"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    scan(home, store=store)
    scan_cache = store.state_db
    damaged = json.dumps({"v": store_mod.SCANNER_VERSION, "files": [1, 2], "counted": 7, "total": "x",
                          "aggs": None, "tz": "?", "pfp": "?"})
    touched = 0
    for key in list(scan_cache.iterkeys()):
        if key.startswith(("cost:folder", "cost:files:")):  # the home record stays valid
            scan_cache.set(key, damaged)
            touched += 1
    assert touched
    append(path, [tok("12:00:02", last=(5, 0, 0))])
    assert totals(scan(home, store=store)) == (15, 0, 1)
    append(path, [tok("12:00:03", last=(5, 0, 0))])
    assert totals(scan(home, store=store)) == (20, 0, 1)  # and the rebuilt state works incrementally


LATER_DAY = "2026-07-12"  # a second date folder: the first one stays unchanged after the first scan
SUBAGENT = {"subagent": {"thread_spawn": {"parent_thread_id": "p"}}}
LATER = {
    "a new session elsewhere": lambda home: write(active(home, "n", LATER_DAY), [
        meta("n", day=LATER_DAY), turn(day=LATER_DAY), tok("09:00:00", day=LATER_DAY, total=(500, 0, 5))]),
    "a fork of a session in the unchanged folder": lambda home: write(active(home, "f", LATER_DAY), [
        meta("f", "12:00:02", parent="p"), turn(), tok("09:00:00", day=LATER_DAY, total=(2500, 150, 80))]),
    "a subagent of it": lambda home: write(active(home, "s", LATER_DAY), [
        meta("s", "12:00:05", parent="p", source=SUBAGENT), turn(),
        tok("09:00:00", day=LATER_DAY, total=(700, 0, 7))]),
    "its archived copy": lambda home: (archived(home, "p").parent.mkdir(exist_ok=True),
                                       shutil.copy(active(home, "p"), archived(home, "p"))),
    "a copy of it in the same unchanged folder": lambda home: shutil.copy(
        active(home, "p"), active(home, "p").with_name("rollout-copy.jsonl")),
}


@pytest.mark.parametrize("change", LATER)
def test_a_folder_left_unchanged_keeps_its_sum_whatever_arrives_elsewhere(tmp_path: Path, change: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Only folders whose logs changed are read again; what arrives elsewhere may still refer to an
    unchanged folder's logs (a fork's parent, a copy of a session) and must be counted as in a full scan
    (and by the incremental scan itself, not by its fallback that rebuilds the state from scratch)."""
    runs: list[int] = []
    real_run = scan_mod.Scanner.run

    def run(self: scan_mod.Scanner, logs: list[Any], *args: Any) -> Any:
        runs.append(1)
        return real_run(self, logs, *args)

    monkeypatch.setattr(scan_mod.Scanner, "run", run)
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    write(active(home, "p"), [meta("p"), turn("gpt-5.5"), tok("12:00:01", total=(1000, 100, 50)),
                              tok("12:00:03", total=(2000, 150, 70))])
    write(active(home, "q"), [meta("q"), turn("gpt-5.4"), tok("13:00:00", total=(300, 0, 3))])
    write(active(home, "l", LATER_DAY), [meta("l", day=LATER_DAY), turn(day=LATER_DAY),
                                        tok("08:00:00", day=LATER_DAY, total=(10, 0, 1))])
    scan(home, DAY, LATER_DAY, store=store)
    LATER[change](home)
    for _ in range(2):  # the run that sees the change, and the next one (the new file's folder unchanged)
        runs.clear()
        incremental = scan(home, DAY, LATER_DAY, store=store)
        assert len(runs) <= 1  # 2: the saved state was refused and rebuilt
        assert strip_time(incremental) == strip_time(scan(home, DAY, LATER_DAY))


def test_an_appended_event_reads_the_entries_of_its_own_folder_only(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    write(active(home, "p"), [meta("p"), turn("gpt-5.5"), tok("12:00:01", total=(1000, 100, 50))])
    later = write(active(home, "l", LATER_DAY), [meta("l", day=LATER_DAY), turn(day=LATER_DAY),
                                                tok("08:00:00", day=LATER_DAY, total=(10, 0, 1))])
    scan(home, DAY, LATER_DAY, store=store)
    read: list[str] = []
    real_get = store_mod.StateStore.get

    def get(self: store_mod.StateStore, key: str) -> Any:
        read.append(key)
        return real_get(self, key)

    monkeypatch.setattr(store_mod.StateStore, "get", get)
    append(later, [tok("08:30:00", day=LATER_DAY, total=(40, 0, 2))])
    report = scan(home, DAY, LATER_DAY, store=store)
    assert totals(report) == (1040, 100, 52)
    folders_read = {key.rsplit(":", 1)[0] for key in read if key.startswith("cost:folderfiles:")}  # per bucket
    assert len(folders_read) == 1


def test_the_scan_state_folder_of_older_versions_is_removed_by_a_first_scan(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    old = store.directory / "cost-scan" / "diskcache"
    old.mkdir(parents=True)
    (old / "cache.db").write_bytes(b"x" * 1000)
    home = tmp_path / "home"
    write(active(home, "a"), [meta("a"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    assert totals(scan(home, store=store)) == (10, 0, 1)
    assert not (store.directory / "cost-scan").exists()
