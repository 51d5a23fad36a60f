"""Bring every discovered log's contribution up to date, reading as few bytes as possible.

The stages, one module each: discover.py lists the logs; filerecord.py parses (or resumes) one
plain log with parse.py and reduce.py; lineage.py counts forks, subagents and the copies of one
session; aggregate.py prices rows (pricing.py) into day totals; incremental.py keeps what earlier
scans learnt, per folder; parallel.py splits big cold scans over two processes. This module runs
them in order (docs/design/cost-engine.md).
"""

from __future__ import annotations

import os
from itertools import groupby
from operator import itemgetter

from codexbar_core.cost.aggregate import merge_agg, shifted
from codexbar_core.cost.filerecord import can_resume, copy_agg, gc_paused, scan_batch
from codexbar_core.cost.lineage import Lineage
from codexbar_core.cost.log_digests import folder_runs
from codexbar_core.cost.parallel import PARALLEL_MIN_BYTES, scan_parallel, stop_helper
from codexbar_core.cost.parse import load_hot_lines
from codexbar_core.cost.records import FileEntry
from codexbar_core.cost.store import file_state_key, loads, shard_key

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.cost.aggregate import Agg
    from codexbar_core.cost.filerecord import Scanned
    from codexbar_core.cost.folder_listing import LogFile
    from codexbar_core.cost.incremental import Shard

HOT_LINES_MIN_BYTES = 4 * 1024 * 1024  # below this the general decoder is cheaper than importing msgspec
_FOLDER_OF = itemgetter(5)  # LogFile.folder


# -- the whole home ------------------------------------------------------------------------------------

# Plain classes rather than dataclasses: defining a dataclass costs ~0.3 ms at import, on every run.

class ScanResult:
    __slots__ = ("aggs", "unresolved_forks", "unresolved_subagents", "bad_lines")

    def __init__(self, aggs: list[Agg]) -> None:
        self.aggs = aggs  # summed (negative cells correct for active/archived duplicates)
        self.unresolved_forks = 0
        self.unresolved_subagents = 0
        self.bad_lines = 0


class NeedsWalk(Exception):
    """A refresh given only the changed folders (`kept` in `Scanner.run`) that needs the others' logs
    after all: a kept folder's saved head does not match its digest or holds a fork or subagent, a
    session id is shared with a kept folder (a copy, a fork's parent), or Fast-tier turns learnt now
    may reprice logs written before the memo. The caller walks every folder instead."""


class Scanner(Lineage):
    """One scan of a home's window: refresh the changed plain logs, resolve the dependent ones, merge
    the copies, sum per folder, save."""

    def close(self) -> None:
        """Stop a helper started for this scan and not used."""
        stop_helper(self.helper)
        self.helper = None

    def refresh_plain(self, logs: list[LogFile]) -> None:
        # The listing's own records, not a (path, signature, saved record) tuple per log: 50,000 of
        # those were ~6 MB for the whole of a first scan (docs/design/cost-memory.md).
        todo: list[LogFile] = []
        prevs: dict[str, dict[str, Any]] = {}  # the saved record of a log read again or resumed
        todo_bytes = 0
        for log in logs:
            ph = log.path
            entry = self.entries.get(ph)
            if entry is not None and entry.size == log.size and entry.mtime_ns == log.mtime_ns and entry.ino == log.ino:
                continue  # unchanged
            prev = self.record(ph) if self.look_up_files else None
            if (prev is not None and tuple(prev["sig"]) == log.signature and prev.get("kind") == "plain"
                    and isinstance(prev.get("agg"), dict)):
                # the folder's entries were lost but the file's record is current (its totals too)
                self.set_entry(ph, FileEntry(*log.signature, prev.get("sid"), "plain", prev.get("bad", 0), True, None),
                               prev["agg"])
                continue
            if (entry is not None and entry.counted and entry.kind == "plain" and prev is not None
                    and prev.get("sig") == [entry.ino, entry.mtime_ns, entry.size] and isinstance(prev.get("agg"), dict)):
                # what the folder's saved sum counted for it (copied: a resumed scan may add to it)
                self.old_aggs[ph] = copy_agg(prev["agg"])
            todo.append(log)
            if prev is not None:
                prevs[ph] = prev
            todo_bytes += log.size - (prev.get("off", 0) if can_resume(prev, log.signature) else 0)
        if not todo:
            return
        if todo_bytes >= HOT_LINES_MIN_BYTES:
            load_hot_lines()
        with gc_paused():
            if todo_bytes >= PARALLEL_MIN_BYTES and (os.cpu_count() or 1) > 1 and len(todo) > 1:
                scan_parallel(self, todo, prevs, todo_bytes)
            else:
                self.close()
                big = todo_bytes >= PARALLEL_MIN_BYTES  # one process only: save bucket by bucket (memory)
                self.scan_items(sorted(todo, key=self._bucket_of) if big else todo, prevs, by_bucket=big, fold=big)

    def scan_items(self, logs: list[LogFile], prevs: dict[str, dict[str, Any]], by_bucket: bool,
                   fold: bool = False) -> None:
        """Scan and store each log in order. `by_bucket` (items grouped by state bucket): each bucket is
        written as soon as its last log is stored, so a big scan never holds every record at once.
        `fold`: a plain log's totals go straight into its folder's sum (HomeState.fold_entries)."""
        current = None
        for log in logs:
            self.check_deadline()
            if by_bucket:
                key = self._bucket_of(log)
                if current is not None and key != current:
                    self.state.flush_buckets([current])
                current = key
            self.store_result(log.path, scan_batch([(log.path, log.signature, prevs.get(log.path))], self.prices)[0],
                              fold)
        if current is not None:
            self.state.flush_buckets([current])

    def _bucket_of(self, log: LogFile) -> str:
        return file_state_key(self.state.home, log.path)[0]

    def store_result(self, path: str, result: Scanned, fold: bool = False) -> None:
        text, entry, agg = result
        if not text:
            return
        self.state.put_file(path, text)
        self.records.pop(path, None)
        self.row_memo.pop(path, None)
        if entry is None:
            rec = loads(text)
            self.records[path] = rec
            entry = FileEntry.from_record(rec)
        elif fold and agg is not None:
            self.fold_entries(os.path.dirname(path), [(path, entry)], agg)
            return
        self.set_entry(path, entry, agg)

    # -- Fast-tier turns learnt after a log was counted --

    def _fast_turn_logs(self, logs: list[LogFile]) -> list[LogFile]:
        """Logs that may hold a turn the log database newly named Fast (or gave a served model): those
        written at or after the earliest such row (a turn's usage is logged after its request)."""
        since_s = self.fast_since_s
        if since_s is None or not self.valid:
            return []  # nothing new, or everything is recounted anyway
        since_ns = (since_s - 1) * 1_000_000_000  # `ts` is whole seconds
        return [log for log in logs if log.mtime_ns >= since_ns]

    def _reprice(self, logs: list[LogFile]) -> None:
        """Price these logs' rows again with the current Fast-tier turns (read again: records keep no
        rows) and save the new totals in their records."""
        for log in logs:
            entry = self.entries.get(log.path)
            if entry is None or not entry.counted or self.record(log.path) is None:
                continue
            self.check_deadline()
            agg = self.recount(log.path)
            self.set_entry(log.path, entry, agg)
            self.save_agg(log.path, agg)

    # -- entry point --

    def run(self, logs: list[LogFile], digests: dict[str, str], kept: dict[str, str] | None = None,
            kept_since_ns: int = 0, kept_single: bool = False) -> ScanResult:
        """Bring the sums up to date. `logs`: the listed logs; `digests`: their folders' digests
        (log_digests.folder_digests). `kept`: folders not listed this time, with the digest they had
        when last listed (at `kept_since_ns`), which nothing has changed since (index_memo.changes):
        each stands by its saved head alone, or NeedsWalk is raised. `kept_single`: the scan that
        left them saw no session id twice (`single`), so only ids new to the listed folders are
        looked for in the kept ones."""
        self.logs, self._present, self.digests = logs, {}, digests
        by_folder = self.logs_by_folder = folder_runs(logs)
        # A folder none of whose logs changed since its head was saved keeps its sum; its entries are
        # not even read (an appended event then costs one folder's records, not all of them).
        reprice = self._fast_turn_logs(logs)
        if (kept and self.valid and self.fast_since_s is not None
                and (self.fast_since_s - 1) * 1_000_000_000 < kept_since_ns):
            raise NeedsWalk("Fast-tier turns learnt now may reprice a log in a kept folder")
        reprice_folders = {log.folder for log in reprice}
        if self.valid:  # every folder's head, in one read
            self.state.prefetch([shard_key(self.state.home, folder) for folder in [*by_folder, *(kept or ())]
                                 if folder not in self.shards])
        unchanged: dict[str, Shard] = {}
        for folder in by_folder:
            shard = self.shard(folder, files=False)
            if (folder not in reprice_folders and self._unchanged(shard, digests.get(folder))
                    and self.head_sids(shard) is not None):
                unchanged[folder] = shard
            elif not shard.files_loaded:
                self._load_files(shard)
        kept_shards = []
        for folder, digest in (kept or {}).items():
            shard = self.shard(folder, files=False)
            if not self._unchanged(shard, digest):
                raise NeedsWalk(f"no saved sum stands for {folder}")
            kept_shards.append(shard)
        self.gone = set()
        for folder, folder_logs in by_folder.items():
            shard = self.shards[folder]
            if shard.stored and folder not in unchanged:
                missing = set(shard.stored).difference([log.name for log in folder_logs])
                self.gone.update(folder + os.sep + name for name in missing)
        for path in self.gone:
            self._touch(path)
        prior_sids = {entry.sid for entry in self.entries.values()} if kept_shards else set()
        self.refresh_plain([log for folder, folder_logs in by_folder.items() if folder not in unchanged
                            for log in folder_logs] if unchanged else logs)
        self.check_deadline()
        by_sid: dict[str, list[LogFile]] = {}
        dependent: list[LogFile] = []
        bad_lines = 0
        entries_get = self.entries.get
        # the saved session ids of an unchanged folder, in the order of its logs (which its digest fixes)
        saved_sids = {folder: iter(shard.sids.split("\n")) for folder, shard in unchanged.items()
                      if shard.sids is not None}
        for shard in [*unchanged.values(), *kept_shards]:
            bad_lines += shard.head["bad"] or 0 if shard.head is not None else 0
        by_sid_get = by_sid.get
        for folder, run in groupby(logs, _FOLDER_OF):  # in discovery order: a parent is the first log of its id
            sids = saved_sids.get(folder)
            if sids is not None:
                for log, sid in zip(run, sids):
                    if sid:
                        found = by_sid_get(sid)
                        if found is None:
                            by_sid[sid] = [log]
                        else:
                            found.append(log)
                continue
            for log in run:
                entry = entries_get(log.path)
                if entry is None:
                    continue  # vanished during the scan
                if entry.sid:
                    found = by_sid_get(entry.sid)
                    if found is None:
                        by_sid[entry.sid] = [log]
                    else:
                        found.append(log)
                if entry.kind != "plain":
                    dependent.append(log)
                else:
                    bad_lines += entry.bad or 0
        self.single = all(len(same) == 1 for same in by_sid.values())
        if kept_shards:
            if kept_single:  # ids the listed folders already had were checked when they first came
                sought = {sid for sid in by_sid if sid not in prior_sids}
            else:
                sought = None
            self._check_kept_sids(kept_shards, by_sid, dependent, sought)
        result = ScanResult([])
        for log in dependent:
            self.check_deadline()
            self.resolve_dependent(log, by_sid)
            entry = self.entries[log.path]
            if not entry.counted:
                if entry.kind == "fork":
                    result.unresolved_forks += 1
                else:
                    result.unresolved_subagents += 1
        # Active and archived copies of one session (same session id, both counted) are merged below.
        groups = self.copy_groups(by_sid)
        for log in dependent:  # plain files were counted above; these were (re)read just now
            bad_lines += self.entries[log.path].bad or 0
        self._reprice(reprice)
        result.bad_lines = bad_lines
        # Each folder's sum over the files discovered now; recomputed only when something in it changed.
        for folder, folder_logs in by_folder.items():
            shard = self.shards[folder]
            names = [] if not shard.files_loaded else sorted(log.name for log in folder_logs)
            if shard.files_loaded and (shard.dirty or shard.total is None or shard.counted != names):
                total = self._summed_by_change(shard, names)
                if total is None:
                    self._load_aggs(shard)
                    total = {}
                    folded = self.folded.get(folder)
                    if folded is not None:  # the logs taken in as they arrived (HomeState.fold_entries)
                        merge_agg(total, folded)
                    prefix = folder + os.sep
                    entries_get, aggs_get, folded_paths = self.entries.get, self.aggs.get, self.folded_paths
                    for name in names:
                        path = prefix + name
                        entry = entries_get(path)
                        if entry is not None and entry.counted and path not in folded_paths:
                            agg = aggs_get(path)
                            merge_agg(total, agg if agg is not None else self.file_agg(path))
                shard.total, shard.counted = total, names
                shard.dirty = True
            result.aggs.append(shard.total)
        result.aggs.extend(shard.total for shard in kept_shards)
        for folder, shard in self.shards.items():
            if folder not in by_folder and shard.dirty:
                shard.total, shard.counted = None, []  # a parent's folder outside the window: sum later
        # Active and archived copies of one session: the union of their rows replaces their sum.
        for paths in groups.values():
            result.aggs.extend(self.copies_correction(paths))
        self.save()
        return result

    def _summed_by_change(self, shard: Shard, names: list[str]) -> Agg | None:
        """The folder's saved sum moved by its changed logs' old and new totals (an append: one log),
        without reading the other logs' totals; None unless the same logs are there as when it was
        saved, all plain, and every changed one is a plain log whose counted totals are known."""
        if shard.aggs_loaded or shard.total is None or shard.counted != names or shard.folder in self.folded:
            return None
        folder, entries_get = shard.folder, self.entries.get
        changed = [path for path in self.recounted if os.path.dirname(path) == folder]
        old, new = [], []
        for path in changed:
            before, entry = self.old_aggs.get(path), entries_get(path)
            if before is None or entry is None or entry.kind != "plain" or not entry.counted:
                return None
            old.append(before)
            new.append(self.aggs.get(path) or {})
        prefix = folder + os.sep
        for name in names:
            entry = entries_get(prefix + name)
            if entry is None or entry.kind != "plain":
                return None
        return shifted(shard.total, old, new) if changed else None

    def _check_kept_sids(self, kept: list[Shard], by_sid: dict[str, list[LogFile]], dependent: list[LogFile],
                         sought: set[str] | None) -> None:
        """NeedsWalk when a kept folder's session ids matter to this scan: one seen twice (an active and
        an archived copy, counted once together) or the parent a listed fork or subagent may need.
        The folders' saved ids are compared (read only when some id is looked for), no log of a kept
        folder is looked at. `sought`: the only listed ids that can be new to the kept folders (None:
        all ids, and kept ones against each other)."""
        parents = set()
        for log in dependent:
            rec = self.record(log.path)
            parent = rec.get("parent") if rec is not None else None
            if parent:
                parents.add(parent)
        if sought is not None:  # a few needles in each head's newline-joined ids
            needles = ["\n" + sid + "\n" for sid in sought | parents if sid and "\n" not in sid]
            if needles:
                for shard in kept:
                    hay = "\n" + self._kept_sids(shard) + "\n"
                    if any(needle in hay for needle in needles):
                        raise NeedsWalk("a session id shared with a kept folder")
            return
        seen: set[str] = set()
        for shard in kept:
            for sid in self._kept_sids(shard).split("\n"):
                if sid and (sid in seen or sid in by_sid or sid in parents):
                    raise NeedsWalk("a session id shared with a kept folder")
                seen.add(sid)

    def _kept_sids(self, shard: Shard) -> str:
        sids = self.head_sids(shard)
        if sids is None:
            raise NeedsWalk(f"no saved session ids stand for {shard.folder}")
        return sids
