"""Day keys in the local time zone (TZ honoured) and which files a window reads (docs/reference/cost-rules.md, "Finding the files" and "Day assignment")."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codexbar_core.cost.discover import discover
from tests.cost.logs import active, archived, meta, scan, tok, turn, write


@pytest.fixture
def tz(monkeypatch: pytest.MonkeyPatch):
    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


def test_each_event_lands_on_its_own_local_day(tmp_path: Path, tz) -> None:
    write(active(tmp_path, "s1"), [
        meta("s1", "22:00:00"), turn("gpt-5.5"),
        tok("23:30:00", last=(10, 0, 1)),                      # 2026-07-11 23:30 UTC
        tok("00:30:00", day="2026-07-12", last=(20, 0, 2))])   # 2026-07-12 00:30 UTC
    tz("UTC")
    assert [(d["date"], d["inputTokens"]) for d in scan(tmp_path, "2026-07-10", "2026-07-13")["daily"]] == [
        ("2026-07-11", 10), ("2026-07-12", 20)]
    tz("Asia/Tokyo")  # +09:00: both events are on the 12th there
    assert [(d["date"], d["inputTokens"]) for d in scan(tmp_path, "2026-07-10", "2026-07-13")["daily"]] == [
        ("2026-07-12", 30)]
    tz("America/Los_Angeles")  # -07:00 in July: both on the 11th
    assert [(d["date"], d["inputTokens"]) for d in scan(tmp_path, "2026-07-10", "2026-07-13")["daily"]] == [
        ("2026-07-11", 30)]


def test_changing_tz_does_not_reuse_old_day_keys(tmp_path: Path, tz) -> None:
    from codexbar_core.cache import Store

    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    write(active(home, "s1"), [meta("s1"), turn("gpt-5.5"), tok("23:30:00", last=(10, 0, 1))])
    tz("UTC")
    assert scan(home, "2026-07-10", "2026-07-13", store=store, refresh=False)["daily"][0]["date"] == "2026-07-11"
    tz("Asia/Tokyo")
    assert scan(home, "2026-07-10", "2026-07-13", store=store, refresh=False)["daily"][0]["date"] == "2026-07-12"


def test_window_filters_days_but_reads_neighbouring_folders(tmp_path: Path, tz) -> None:
    tz("UTC")
    # the folder is the Codex process's local date; the event inside is already the next UTC day
    write(active(tmp_path, "s1", "2026-07-10"), [meta("s1"), turn("gpt-5.5"),
                                                 tok("01:00:00", day="2026-07-11", last=(10, 0, 1)),
                                                 tok("01:00:00", day="2026-07-12", last=(20, 0, 2))])
    report = scan(tmp_path, "2026-07-11", "2026-07-11")
    assert [(d["date"], d["inputTokens"]) for d in report["daily"]] == [("2026-07-11", 10)]


def _names(home: Path, since: str, until: str) -> set[str]:
    return {Path(f.path).name for f in discover(home, dt.date.fromisoformat(since), dt.date.fromisoformat(until)).logs}


def test_discovery_rules(tmp_path: Path) -> None:
    long_ago = time.time() - 400 * 86400
    write(active(tmp_path, "in", "2026-07-11"), [meta("in")], mtime=long_ago)
    write(active(tmp_path, "edge", "2026-07-09"), [meta("edge")], mtime=long_ago)   # window - 1 day
    write(active(tmp_path, "old", "2026-06-01"), [meta("old")], mtime=long_ago)
    write(active(tmp_path, "resumed", "2026-06-02"), [meta("resumed")])             # old folder, fresh mtime
    write(archived(tmp_path, "rollout-2026-07-11T10-00-00-a"), [meta("a")], mtime=long_ago)
    write(archived(tmp_path, "rollout-2026-05-01T10-00-00-b"), [meta("b")], mtime=long_ago)
    write(archived(tmp_path, "no-date-here"), [meta("c")], mtime=long_ago)
    write(tmp_path / "sessions" / ".hidden.jsonl", [meta("h")])
    write(tmp_path / "sessions" / "2026" / "07" / "11" / "notes.txt", [meta("t")])
    write(tmp_path / "sessions" / "legacy" / "deep" / "x.jsonl", [meta("x")])          # nested, recent
    write(tmp_path / "sessions" / "legacy" / "deep" / "y.jsonl", [meta("y")], mtime=long_ago)  # nested, old
    names = _names(tmp_path, "2026-07-10", "2026-07-12")
    assert names == {"rollout-2026-07-11T12-00-00-in.jsonl", "rollout-2026-07-09T12-00-00-edge.jsonl",
                     "rollout-2026-06-02T12-00-00-resumed.jsonl", "rollout-2026-07-11T10-00-00-a.jsonl",
                     "no-date-here.jsonl", "x.jsonl", "y.jsonl"}


@pytest.mark.parametrize("refresh", [True, False])
def test_an_old_log_in_a_nested_legacy_folder_is_counted(tmp_path: Path, refresh: bool) -> None:
    """sessions/<project>/<subdir>/ (not a date folder): a log last written days before the window
    starts that still holds usage of the window counts, forced refresh or not (the answer must not
    depend on --refresh)."""
    before_the_window = dt.datetime(2026, 7, 5, 12, 0).timestamp()
    write(tmp_path / "sessions" / "myproject" / "notes" / "old.jsonl",
          [meta("old"), turn("gpt-5.5"), tok("12:00:01", last=(40, 10, 4))], mtime=before_the_window)
    report = scan(tmp_path, refresh=refresh)
    assert [(d["date"], d["totalTokens"]) for d in report["daily"]] == [("2026-07-11", 44)]


def test_symlinked_copy_is_read_once(tmp_path: Path) -> None:
    path = write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    (tmp_path / "archived_sessions").mkdir()
    os.symlink(path, tmp_path / "archived_sessions" / "link.jsonl")
    assert len(discover(tmp_path, dt.date(2026, 7, 11), dt.date(2026, 7, 11)).logs) == 1
    assert scan(tmp_path)["totals"]["totalTokens"] == 11


def test_archived_file_with_an_old_name_but_fresh_writes_is_read(tmp_path: Path) -> None:
    write(archived(tmp_path, "rollout-2026-01-01T10-00-00-resumed"), [meta("r")])
    write(archived(tmp_path, "rollout-2026-01-02T10-00-00-untouched"), [meta("u")], mtime=time.time() - 400 * 86400)
    assert _names(tmp_path, "2026-07-10", "2026-07-12") == {"rollout-2026-01-01T10-00-00-resumed.jsonl"}


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe",
                                  "Europe/Berlin", "ODD-0:07"])
def test_day_keys_agree_with_localtime_around_midnights_and_dst_switches(tz, zone: str) -> None:
    """Half- and quarter-hour zones put midnight inside a UTC hour; Lord Howe's DST moves by 30 min;
    a POSIX zone 7 minutes off UTC puts midnight inside a quarter hour. The quarter-hour cache of
    DayKeys must still give every minute its own local day."""
    from codexbar_core.cost.days import DayKeys

    tz(zone)
    keys = DayKeys()
    # every minute of two days around each 2026 DST switch of these zones, and a plain week
    starts = [dt.datetime(2026, m, d, tzinfo=dt.timezone.utc) for m, d in ((3, 28), (4, 4), (10, 3), (10, 24),
                                                                          (11, 1), (7, 1))]
    for start in starts:
        first = int(start.timestamp()) // 60
        for minute in range(first, first + 2 * 1440, 7):
            t = time.localtime(minute * 60)
            assert keys(minute * 60000 + 59_999) == f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789-xT\u0663\u00b2", max_size=20))
def test_archived_name_dates_are_read_like_the_spec_pattern(name: str) -> None:
    """An archived log's date is the first `\\d{4}-\\d{2}-\\d{2}` in its name (read without `re`)."""
    import re

    from codexbar_core.cost.discover import _date_in_name

    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", name)
    try:
        found = dt.date(*(int(g) for g in match.groups())) if match else None
    except ValueError:
        found = None
    expected = (found.year, found.month, found.day) if found else None
    assert _date_in_name(name) == expected


def test_the_listing_digest_tells_any_changed_number_apart_even_beyond_64_bits() -> None:
    """The digest an unchanged-home rescan is judged by: any path, inode, mtime or size change moves
    it, including an inode too big for the binary form (some network file systems)."""
    from codexbar_core.cost.log_digests import _hash_signatures

    paths, numbers = ["/h/a.jsonl", "/h/b.jsonl"], [(11, 1_700_000_000_000_000_000, 500), (12, 5, 7)]
    base = _hash_signatures(paths, numbers, [])
    assert base == _hash_signatures(list(paths), list(numbers), [])
    changed = [
        (["/h/a.jsonl", "/h/c.jsonl"], numbers),
        (paths, [(11, 1_700_000_000_000_000_001, 500), (12, 5, 7)]),
        (paths, [(11, 1_700_000_000_000_000_000, 501), (12, 5, 7)]),
        (paths, [(13, 1_700_000_000_000_000_000, 500), (12, 5, 7)]),
        (paths, [(2**64 - 1, 1_700_000_000_000_000_000, 500), (12, 5, 7)]),
    ]
    digests = {_hash_signatures(p, n, []) for p, n in changed}
    assert len(digests) == len(changed) and base not in digests


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1, 1, 2), max_value=dt.date(9999, 12, 30)))
def test_the_window_margin_days_are_calendar_days(day: dt.date) -> None:
    """Discovery reads the date folders of the window ± 1 day, computed without `datetime`."""
    from codexbar_core.cost.discover import _as_day, _day, _day_after, _day_before

    as_tuple = (day.year, day.month, day.day)
    assert _as_day(day) == _as_day(day.isoformat()) == _day(*as_tuple) == as_tuple
    before, after = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    assert _day_before(as_tuple) == (before.year, before.month, before.day)
    assert _day_after(as_tuple) == (after.year, after.month, after.day)


@pytest.mark.parametrize("parts", [("2026", "02", "29"), ("2024", "02", "30"), ("2026", "13", "01"),
                                   ("0000", "01", "01"), ("2026", "1", "01"), ("2026", "0²", "01")])
def test_date_folders_that_are_not_dates_are_walked_for_recent_files_only(parts: tuple[str, str, str]) -> None:
    from codexbar_core.cost.discover import _partition_date

    assert _partition_date(parts) is None
    assert _partition_date(("2024", "02", "29")) == (2024, 2, 29)
