"""A date folder whose only change is rollouts Codex wrote to (its index rows) is not stat'ed whole:
those rollouts are, and the other logs keep the signatures saved with the folder's entries
(folder_listing.grown_folder, docs/design/thread-index.md, "Grown folders"). What it gives must be
exactly what listing the folder gives; anything it cannot vouch for sends the folder to a listing."""

from __future__ import annotations

import os
from pathlib import Path

from codexbar_core.cache import Store, home_key
from codexbar_core.cost.folder_listing import Walk, grown_folder, list_day_folders
from codexbar_core.cost.log_digests import folder_digests
from codexbar_core.cost.store import StateStore
from tests.cost.logs import active, append, meta, scan, tok, totals, turn, write


def _folder_with_logs(tmp_path: Path, count: int = 6) -> tuple[Path, Store, list[Path]]:
    home = tmp_path / "home"
    logs = [write(active(home, f"s{n}"), [meta(f"s{n}"), turn("gpt-5.5"), tok("12:00:01", last=(10 + n, 0, 1))])
            for n in range(count)]
    store = Store(tmp_path / "cache")
    assert totals(scan(home, store=store)) == (sum(10 + n for n in range(count)), 0, count)
    return home, store, logs


def _saved_entries(home: Path, store: Store, folder: str) -> dict:
    return StateStore(store, home_key(home)).folder_entries(folder)


def test_a_grown_folder_reads_as_its_listing_would(tmp_path: Path) -> None:
    home, store, logs = _folder_with_logs(tmp_path)
    folder = str(logs[0].parent)
    saved = _saved_entries(home, store, folder)
    append(logs[2], [tok("12:00:02", last=(5, 0, 0))])
    append(logs[4], [tok("12:00:03", last=(7, 0, 0))])
    mtime_ns, grown = grown_folder(folder, {str(logs[2]), str(logs[4])}, saved)
    listed = list_day_folders([folder], Walk(0, None))
    assert [(log.path, log.ino, log.mtime_ns, log.size, log.folder, log.name) for log in grown] == \
        [(log.path, log.ino, log.mtime_ns, log.size, log.folder, log.name) for log in listed]
    assert folder_digests(grown) == folder_digests(listed)
    assert mtime_ns == os.stat(folder).st_mtime_ns


def test_a_folder_that_is_not_only_grown_is_listed_whole(tmp_path: Path) -> None:
    home, store, logs = _folder_with_logs(tmp_path)
    folder = str(logs[0].parent)
    saved = _saved_entries(home, store, folder)
    assert grown_folder(folder, {str(logs[0].with_name("rollout-gone.jsonl"))}, saved) is None  # row, no file
    write(active(home, "new"), [meta("new"), turn("gpt-5.5"), tok("12:00:01", last=(1, 0, 1))])
    assert grown_folder(folder, {str(logs[0])}, saved) is None  # a name the saved entries do not have
    os.unlink(active(home, "new"))
    os.unlink(logs[5])
    assert grown_folder(folder, {str(logs[0])}, saved) is None  # a saved log gone


def test_the_saved_entries_follow_every_change_of_their_logs(tmp_path: Path) -> None:
    """Entries are saved per bucket, only the buckets a refresh changed: after appends, a new log and
    a deleted one, they are exactly what a scan from nothing saves."""
    home, store, logs = _folder_with_logs(tmp_path, count=12)
    folder = str(logs[0].parent)
    for n, log in enumerate(logs[:3]):
        append(log, [tok(f"12:00:1{n}", last=(100, 0, 2))])
        scan(home, store=store)
    write(active(home, "late"), [meta("late"), turn("gpt-5.5"), tok("12:00:05", last=(3, 0, 1))])
    os.unlink(logs[7])
    report = scan(home, store=store)
    fresh_store = Store(tmp_path / "fresh")
    assert totals(report) == totals(scan(home, store=fresh_store))
    assert _saved_entries(home, store, folder) == _saved_entries(home, fresh_store, folder)


def test_entries_saved_by_a_big_rescan_are_exact(tmp_path: Path, monkeypatch) -> None:
    """A big scan over saved entries (every log grew: its logs are folded into the folder's sum as they
    arrive) rewrites the buckets of every log it folded."""
    from codexbar_core.cost import scan as scan_mod

    home, store, logs = _folder_with_logs(tmp_path, count=12)
    folder = str(logs[0].parent)
    for n, log in enumerate(logs):
        append(log, [tok(f"12:00:2{n % 10}", last=(50 + n, 0, 1))])
    monkeypatch.setattr(scan_mod, "PARALLEL_MIN_BYTES", 0)  # every scan counts as big
    monkeypatch.setattr(scan_mod.os, "cpu_count", lambda: 1)  # in this process: the folding path
    report = scan(home, store=store)
    monkeypatch.undo()
    fresh_store = Store(tmp_path / "fresh")
    assert totals(report) == totals(scan(home, store=fresh_store))
    assert _saved_entries(home, store, folder) == _saved_entries(home, fresh_store, folder)
