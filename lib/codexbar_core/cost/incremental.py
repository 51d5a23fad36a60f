"""Incremental state: what the last scans learnt about each log, kept per folder so that an unchanged
folder costs two small reads and one dict merge.

Entries live in one record per folder (signatures, kinds) plus its head (digest, session ids, the
folder's day totals); each file's own record (store.py buckets) holds its resume state and its day
totals. A file whose signature (inode, mtime_ns, size) is unchanged costs one dict lookup in its
folder's record, and an unchanged folder is not summed again (docs/design/cost-engine.md).
"""

from __future__ import annotations

import os
import time

from codexbar_core import errors
from codexbar_core.cost.aggregate import aggregate, merge_agg
from codexbar_core.cost.days import DayKeys, tz_fingerprint
from codexbar_core.cost.log_digests import text_digest
from codexbar_core.cost.priority import update_priority_turns
from codexbar_core.cost.records import FileEntry
from codexbar_core.cost.store import (
    BUCKETS,
    copies_key,
    dumps,
    file_state_key,
    home_record_key,
    loads,
    settle,
    shard_ids_key,
    shard_key,
    sid_index_key,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from codexbar_core.cost.aggregate import Agg
    from codexbar_core.cost.folder_listing import LogFile
    from codexbar_core.cost.pricing import PriceTable
    from codexbar_core.cost.store import StateStore

# Plain classes rather than dataclasses: defining a dataclass costs ~0.3 ms at import, on every run.


class Shard:
    """The state of one folder of logs: entries, per-file totals, and their sum for the last file set.

    Its saved record comes in three parts: a small head (the digest of the folder's logs, the sum),
    the logs' session ids (read only when an id must be looked up: a kept folder of a refresh from
    the thread index mostly needs none) and the per-file entries, read only when the digest no
    longer holds."""

    __slots__ = ("folder", "counted", "total", "aggs_loaded", "dirty", "stored", "head", "files_loaded", "sids",
                 "loaded_whole", "idsig")

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.counted: list[str] | None = []  # names whose totals make up `total` (None: all)
        self.total: Agg | None = None
        self.aggs_loaded = False
        self.dirty = False
        self.stored: list[str] = []  # file names in the saved record
        self.loaded_whole = False  # entries read from a complete save: only changed buckets are rewritten
        self.idsig: str | None = None  # what the saved ids record stands for (the head's `idsig`)
        self.head: dict[str, Any] | None = None  # the saved head, while the entries are not read
        self.files_loaded = True
        self.sids: str | None = None  # the head's session ids, newline-joined, once read (head_sids)


class HomeState:
    """The scan's view of the saved state: per-folder shards, per-file entries, totals and records.
    Read lazily (a folder's entries only when its digest no longer holds) and saved per dirty folder."""

    def __init__(self, codex_home: Path, state: StateStore, prices: PriceTable, overrides: Path | None,
                 deadline: float | None, helper: Any = None) -> None:
        self.helper = helper  # a started scan helper (start_helper), used or stopped by the first scan
        self.codex_home = codex_home
        self.state = state
        self.prices = prices
        self.overrides = str(overrides) if overrides else None
        self.deadline = deadline
        self.day_of = DayKeys()
        self.tz = tz_fingerprint()
        home = state.get(home_record_key(state.home))
        self.valid = home is not None and home.get("tz") == self.tz and home.get("pfp") == prices.fingerprint
        # With no home record at all this is a first scan: no per-file record can exist worth a read.
        # Only a valid state is resumed: a saved record's totals were priced with the saved prices and TZ.
        self.look_up_files = self.valid
        self.home_dirty = not self.valid
        self._sid_index: dict[str, list[Any]] | None = None  # loaded only when a parent is looked for
        self.sid_index_dirty = False
        fast = update_priority_turns(codex_home, (home or {}).get("fast"))
        self.fast = fast.state
        self.fast_since_s = fast.since_s  # logs written since then are repriced (run)
        self.fast_before = (home or {}).get("fast")  # kept by a partial save: the repricing is still to do
        prices.fast_turns = fast.served()
        self.home_dirty = self.home_dirty or fast.changed
        self.entries: dict[str, FileEntry] = {}  # path -> what the scan knows of that log
        self.aggs: dict[str, Agg] = {}
        # A big scan adds each plain log's totals to its folder's sum as they arrive and keeps them
        # only in the log's record (docs/design/cost-memory.md): folder -> that sum, and those logs.
        self.folded: dict[str, Agg] = {}
        self.folded_paths: set[str] = set()
        self.folded_read: set[str] = set()  # folders whose folded logs' totals were read back (_load_folded)
        self.shards: dict[str, Shard] = {}
        self.records: dict[str, dict[str, Any]] = {}  # per-file records read or written in this run
        self._present: dict[str, set[str]] = {}  # folder -> names discovered in this run (_is_present)
        self.gone: set[str] = set()  # known in a folder of this window, missing now (deleted)
        self.outside_parents: set[str] = set()  # fork parents read from outside the window
        self.logs: list[LogFile] | None = None  # this run's listing (run)
        self.logs_by_folder: dict[str, list[LogFile]] = {}
        self.digests: dict[str, str] = {}  # this run's folder digests (run), saved in the folder heads
        self.single = False  # no session id seen twice in this run (run)
        # logs whose totals were set in this run (set_entry); folded logs are too (`was_recounted`)
        self.recounted: set[str] = set()
        self.old_aggs: dict[str, Agg] = {}  # a changed plain log's totals as its folder's saved sum had them
        self.row_memo: dict[str, list[list[Any]]] = {}  # rows read again in this run (lineage.file_rows)
        self._copies: dict[str, Agg] | None = None  # the copies' union totals (lineage.union_agg)
        self.copies_used: set[str] = set()
        self.copies_dirty = False


    def _is_present(self, path: str) -> bool:
        """Whether this run discovered `path` (asked about a few folders' files, never all 10,000)."""
        folder, _, name = path.rpartition(os.sep)
        names = self._present.get(folder)
        if names is None:
            names = self._present[folder] = {log.name for log in self.logs_by_folder.get(folder, ())}
        return name in names


    # -- records --

    def record(self, path: str) -> dict[str, Any] | None:
        rec = self.records.get(path)
        if rec is None:
            rec = self.state.pending_file(path)
            if rec is None:
                rec = self.state.get_file(path)
            if rec is not None:
                self.records[path] = rec
        return rec

    def shard(self, folder: str, files: bool = True) -> Shard:
        """A folder's state; `files`: with its per-file entries read (else only its head, if saved)."""
        shard = self.shards.get(folder)
        if shard is None:
            shard = self.shards[folder] = Shard(folder)
            rec = self.state.get(shard_key(self.state.home, folder)) if self.valid else None
            if rec is not None:
                shard.head, shard.counted, shard.total = rec, rec["counted"], rec["total"]
                shard.idsig = rec.get("idsig")
                shard.files_loaded = False
            else:
                shard.aggs_loaded = True  # nothing stored to load
        if files and not shard.files_loaded:
            self._load_files(shard)
        return shard

    def _load_files(self, shard: Shard) -> None:
        shard.files_loaded = True
        shard.head = None
        files = self.state.folder_entries(shard.folder)
        if files is None:  # a head without its entries (a damaged cache): count the folder afresh
            shard.counted, shard.total = [], None
            return
        prefix = shard.folder + os.sep
        entries = self.entries
        from_list = FileEntry.from_list
        for name, raw in files.items():
            path = prefix + name
            if path not in entries:
                entries[path] = from_list(raw)
        shard.stored = list(files)
        shard.loaded_whole = True
        if shard.counted is None:
            shard.counted = sorted(files)

    def _unchanged(self, shard: Shard, digest: str | None) -> bool:
        """True when none of the folder's logs changed since its head was saved and nothing in it needs
        its entries: no fork or subagent, every log counted. Its saved sum then stands as it is."""
        head = shard.head
        return (not shard.files_loaded and head is not None and digest is not None and head.get("sig") == digest
                and shard.total is not None and shard.counted is None and not head.get("deps")
                and head.get("ids") is True)

    def head_sids(self, shard: Shard) -> str | None:
        """The session ids of a folder standing by its head, newline-joined in its logs' order; None
        when their record is missing or was saved for another digest than the head's."""
        if shard.sids is None and shard.head is not None:
            rec = self.state.get(shard_ids_key(self.state.home, shard.folder))
            if rec is not None and rec.get("sig") == shard.head.get("idsig") and isinstance(rec.get("sids"), str):
                shard.sids = rec["sids"]
        return shard.sids

    def _load_aggs(self, shard: Shard) -> None:
        """The day totals saved in the folder's file records, for the entries they were counted for."""
        if shard.aggs_loaded:
            return
        shard.aggs_loaded = True
        prefix = shard.folder + os.sep
        entries_get, aggs = self.entries.get, self.aggs
        for name, rec in self.state.folder_files(shard.folder):
            path = prefix + name
            entry = entries_get(path)
            agg = rec.get("agg")
            if entry is not None and isinstance(agg, dict) and rec["sig"] == [entry.ino, entry.mtime_ns, entry.size]:
                aggs.setdefault(path, agg)

    def _touch(self, path: str) -> None:
        """A file's entry is about to change: its folder's record will be rewritten. The other logs'
        totals are read only if the folder is summed afresh (scan.Scanner._summed_by_change)."""
        self.shard(os.path.dirname(path)).dirty = True

    def file_agg(self, path: str) -> Agg:
        if path in self.folded_paths and path not in self.aggs and os.path.dirname(path) not in self.folded_read:
            self._load_folded(os.path.dirname(path))
        self._load_aggs(self.shard(os.path.dirname(path)))
        agg = self.aggs.get(path)
        if agg is None:
            entry = self.entries.get(path)
            if entry is None or not entry.counted:
                agg = self.aggs[path] = {}
            else:
                agg = self.aggs[path] = self.recount(path)
                self.save_agg(path, agg)
        return agg

    def recount(self, path: str) -> Agg:
        """A counted log's totals priced afresh from its rows (read again: records keep no rows)."""
        return aggregate(self.file_rows(path), self.prices, self.day_of)

    def file_rows(self, path: str) -> list[list[Any]]:
        raise NotImplementedError  # lineage.Lineage: a log's rows, read again

    def save_agg(self, path: str, agg: Agg) -> None:
        """Keep totals priced afresh in the log's record (where the next run reads them)."""
        rec, entry = self.record(path), self.entries.get(path)
        if rec is not None and entry is not None and rec["sig"] == [entry.ino, entry.mtime_ns, entry.size]:
            rec = self.records[path] = dict(rec, agg=agg)
            self.state.put_file(path, dumps(rec))

    def set_entry(self, path: str, entry: FileEntry, agg: Agg | None) -> None:
        if path in self.folded_paths:
            self._unfold(os.path.dirname(path))  # its old totals are in the folder's running sum
        self._touch(path)
        self.entries[path] = entry
        self.aggs[path] = agg or {}
        self.recounted.add(path)
        self.row_memo.pop(path, None)

    def was_recounted(self, path: str) -> bool:
        """Whether the log's totals were set in this run."""
        return path in self.recounted or path in self.folded_paths

    def fold_entries(self, folder: str, entries: list[tuple[str, FileEntry]], total: Agg) -> None:
        """`set_entry` for counted plain logs of one folder in a big scan, `total` their summed totals:
        the totals go into the folder's running sum now and are not kept per log (their records,
        already written, hold them)."""
        self._touch(entries[0][0])
        for path, entry in entries:
            if path in self.folded_paths:
                self._unfold(folder)  # its old totals are in the running sum
            self.entries[path] = entry
            self.aggs.pop(path, None)
            self.recounted.discard(path)  # folded_paths says it (one set of 50,000 paths, not two)
            self.row_memo.pop(path, None)
        merge_agg(self.folded.setdefault(folder, {}), total)
        self.folded_paths.update(path for path, _entry in entries)

    def _unfold(self, folder: str) -> None:
        """Forget a folder's running sum (one of its logs is counted again): its logs' totals are read
        back from their records when the folder is summed."""
        self.folded.pop(folder, None)
        self._load_folded(folder)
        paths = [path for path in self.folded_paths if os.path.dirname(path) == folder]
        self.folded_paths.difference_update(paths)
        self.recounted.update(paths)

    def _load_folded(self, folder: str) -> None:
        """The per-log totals of a folder's folded logs, read back from their saved records one bucket
        at a time (a bucket read here is not kept: every record of a big scan would add up)."""
        self.folded_read.add(folder)
        prefix, folded, aggs, entries_get = folder + os.sep, self.folded_paths, self.aggs, self.entries.get
        key_prefix = file_state_key(self.state.home, prefix + "x")[0].rpartition(":")[0] + ":"
        for n in range(BUCKETS):
            key = key_prefix + str(n)
            bucket = self.state.buckets.get(key)
            if bucket is None:
                found = self.state.get(key)
                bucket = found["files"] if found else {}
            for name, rec in bucket.items():
                path = prefix + name
                if path not in folded or path in aggs:
                    continue
                if isinstance(rec, (str, bytes)):
                    rec = loads(rec)
                entry = entries_get(path)
                agg = rec.get("agg") if isinstance(rec, dict) else None
                if entry is not None and isinstance(agg, dict) and rec.get("sig") == [entry.ino, entry.mtime_ns,
                                                                                       entry.size]:
                    aggs[path] = agg

    def check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.save(partial=True)
            raise errors.SourceTimeout("Cost scan did not finish in time; it continues on the next refresh.")

    def save(self, partial: bool = False) -> None:
        home = self.state.home
        if self.home_dirty:
            self.state.put(home_record_key(home), {"tz": self.tz, "pfp": self.prices.fingerprint,
                                                   "fast": self.fast_before if partial else self.fast})
            self.home_dirty = False
        if self.copies_dirty and self._copies is not None and not partial:
            self.state.put(copies_key(home), {"groups": {key: agg for key, agg in self._copies.items()
                                                          if key in self.copies_used}})
            self.copies_dirty = False
        if self.sid_index_dirty and self._sid_index is not None:
            self.state.put(sid_index_key(home), {"files": self._sid_index})
            self.sid_index_dirty = False
        # Paths grouped first, names made one folder at a time: 50,000 names at once were ~8 MB at
        # the very end of a first scan (docs/design/cost-memory.md).
        by_folder: dict[str, list[str]] = {}
        dirty = {folder for folder, shard in self.shards.items() if shard.dirty}
        for path in self.entries:
            folder = path.rpartition(os.sep)[0]
            if folder in dirty and (path not in self.gone or self._is_present(path)):
                by_folder.setdefault(folder, []).append(path)
        entries = self.entries
        digests = self.digests
        for path in self.gone:
            if not self._is_present(path):
                self.state.forget_file(path)  # a deleted log's record goes with it
        touched: dict[str, set[str]] | None = None
        for folder in dirty:
            shard = self.shards[folder]
            files = {path.rpartition(os.sep)[2]: entries[path] for path in by_folder.get(folder, ())}
            total = None if partial else shard.total
            head = {"tz": self.tz, "pfp": self.prices.fingerprint, "total": total,
                    "counted": None if shard.counted == sorted(files) else shard.counted,
                    "deps": any(entry.kind != "plain" for entry in files.values()),
                    "bad": sum(entry.bad or 0 for entry in files.values() if entry.kind == "plain"),
                    "sig": None, "ids": False, "idsig": None}
            logs = self.logs_by_folder.get(folder)
            if not partial and logs is not None and len(logs) == len(files) and all(log.name in files
                                                                                    for log in logs):
                # The digest stands for exactly these entries; the session ids in the logs' order.
                sids = [files[log.name].sid or "" for log in logs]
                if not any("\n" in sid or "\0" in sid for sid in sids):
                    joined = "\n".join(sids)
                    # what the ids record stands for: these names in this order, these ids. An append
                    # changes neither, so the record (one id per log) is not written again.
                    idsig = text_digest([log.name for log in logs] + [joined])
                    head["sig"], head["ids"], head["idsig"] = digests.get(folder), True, idsig
                    if idsig != shard.idsig or not self.state.exists(shard_ids_key(home, folder)):
                        self.state.put(shard_ids_key(home, folder), {"sig": idsig, "sids": joined})
                        shard.idsig = idsig
            self.state.put(shard_key(home, folder), head)
            if shard.loaded_whole and touched is None:
                touched = self._touched_names()
            self.state.put_folder_entries(folder, {name: entry.to_list() for name, entry in files.items()},
                                          self._changed_names(shard, files, touched or {}))
            shard.dirty = False
        self.state.flush()
        if not partial:
            settle(self.state)


    def _changed_names(self, shard: Shard, files: dict[str, FileEntry],
                       touched: dict[str, set[str]]) -> set[str] | None:
        """The names whose saved entry this run added, removed or changed (`set_entry` and
        `fold_entries` are the only ways an entry changes: `touched`, from `_touched_names`); None
        (save every bucket) when the folder's entries were not read from a complete save."""
        if not shard.loaded_whole:
            return None
        changed = set(files).symmetric_difference(shard.stored)
        changed.update(touched.get(shard.folder, ()))
        return changed

    def _touched_names(self) -> dict[str, set[str]]:
        """folder -> names of the logs whose entries this run set (counted again, or folded)."""
        touched: dict[str, set[str]] = {}
        for paths in (self.recounted, self.folded_paths):
            for path in paths:
                folder, _, name = path.rpartition(os.sep)
                touched.setdefault(folder, set()).add(name)
        return touched

    def refresh_plain(self, logs: list[LogFile]) -> None:
        raise NotImplementedError  # scan.Scanner: (re)reads these plain logs
