"""Lineage: forks and subagents counted against their parent's log, and the active and archived
copies of one session counted once.

A fork or subagent starts with its parent's history; only what it adds after the fork time is its
own (reduce.py does the arithmetic). Its entry remembers which parent signature it was resolved
against (`dep`), so it is re-resolved when either log changes. A plain log's record keeps no rows:
the rows a fork inherits from or the copies' union needs are read again from the log, and the union
of a session's copies is kept (`cost:copies`) until one of them changes (docs/design/cost-engine.md).
"""

from __future__ import annotations

import os

from codexbar_core.cost import reduce as rd
from codexbar_core.cost.aggregate import aggregate, negate, union_agg
from codexbar_core.cost.filerecord import plain_rows
from codexbar_core.cost.folder_listing import LogFile
from codexbar_core.cost.incremental import HomeState
from codexbar_core.cost.parse import first_session_id, parse_file
from codexbar_core.cost.records import FileEntry
from codexbar_core.cost.store import copies_key, dumps, sid_index_key
from codexbar_core.digests import sha256_hex

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.cost.aggregate import Agg


class Lineage(HomeState):
    """HomeState plus the resolution of logs that depend on another log."""

    def file_rows(self, ph: str) -> list[list[Any]]:
        """A counted log's rows: a fork's or subagent's from its record, a plain log's read again."""
        rows = self.row_memo.get(ph)
        if rows is None:
            rec = self.record(ph)
            if rec is None:
                rows = []
            elif rec.get("kind") != "plain":
                rows = rec.get("rows") or []
            else:
                try:
                    rows = plain_rows(ph, rec)
                except OSError:
                    rows = []  # gone since it was counted: the next scan drops it
            self.row_memo[ph] = rows
        return rows

    @property
    def sid_index(self) -> dict[str, list[Any]]:
        """path -> [ino, mtime_ns, size, leaf session id] of logs outside the window."""
        if self._sid_index is None:
            found = self.state.get(sid_index_key(self.state.home))
            self._sid_index = found["files"] if found else {}
        return self._sid_index

    def _find_parent(self, sid: str, by_sid: dict[str, list[LogFile]]) -> LogFile | None:
        found = by_sid.get(sid)
        if found:
            return found[0]
        for path, cached in self.sid_index.items():  # seen before, and unchanged: no walk needed
            if cached[3] == sid:
                try:
                    st = os.stat(path)
                except OSError:
                    break
                if (st.st_ino, st.st_mtime_ns, st.st_size) == tuple(cached[:3]):
                    folder, _, name = path.rpartition(os.sep)
                    return LogFile(path, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size, folder, name)
                break
        # Outside the window: look at the first line of every other log (cached by signature).
        index_changed = False
        match = None
        from codexbar_core.cost.discover import all_logs

        for log in all_logs(self.codex_home):
            ph = log.path
            cached = self.sid_index.get(ph)
            if cached is None or tuple(cached[:3]) != log.signature:
                cached = [*log.signature, first_session_id(log.path)]
                self.sid_index[ph] = cached
                index_changed = True
            if cached[3] == sid and match is None:
                match = log
        if index_changed:
            self.sid_index_dirty = True
        return match

    def _parent_totals(self, parent: LogFile, fork_ts: int, by_sid: dict[str, list[LogFile]],
                       depth: int) -> rd.Vec | None:
        """The parent's counted cumulative (in the child's counter space) at the fork time."""
        ph = parent.path
        if not self._is_present(ph):
            self.outside_parents.add(ph)
        self.shard(os.path.dirname(ph))
        entry = self.entries.get(ph)
        if entry is None or entry.signature != parent.signature:
            self.refresh_plain([parent])
            entry = self.entries.get(ph)
        if entry is None:
            return None
        if entry.kind != "plain" and not self.resolve_dependent(parent, by_sid, depth + 1):
            return None
        rec = self.record(ph)
        if rec is None:
            return None
        inherited = rd.inherited_at(self.file_rows(ph), fork_ts)
        if rec.get("inh"):
            inherited = rd.add(inherited, tuple(rec["inh"]))  # type: ignore[arg-type]
        return inherited

    def resolve_dependent(self, log: LogFile, by_sid: dict[str, list[LogFile]], depth: int = 0) -> bool:
        """Count a fork or subagent against its parent; False when it cannot be (parent missing)."""
        ph = log.path
        entry = self.entries.get(ph)
        rec = self.record(ph)
        if entry is None or rec is None or depth > 8:
            return False
        if entry.kind == "plain":
            return True
        if (rec.get("dep") == "missing" and entry.dep == "missing" and "resolved" in rec
                and not by_sid.get(rec.get("parent") or "")):
            return False  # still orphaned; only a change to this file sends us looking through old logs again
        parent_log = self._find_parent(rec["parent"], by_sid) if rec.get("parent") else None
        if parent_log is not None and parent_log.path == log.path:
            parent_log = None
        if parent_log is not None:
            self.shard(os.path.dirname(parent_log.path))  # its entry, even in a folder read by head only
            parent_entry = self.entries.get(parent_log.path)
            upstream = parent_entry.dep if parent_entry is not None and parent_entry.kind != "plain" else ""
            dep = f"{parent_log.path}:{list(parent_log.signature)}:{upstream}"
        else:
            dep = "missing"
        if entry.dep == dep and rec.get("dep") == dep and "resolved" in rec:
            return bool(entry.counted)
        parsed = parse_file(log.path)
        events = parsed.events
        meta = rd.leaf_meta(events)
        rows: list[list[Any]] = []
        resolved = False
        inherited: rd.Vec | None = None
        if meta is not None:
            if parent_log is not None and meta.fork_ts_ms is not None:
                inherited = self._parent_totals(parent_log, meta.fork_ts_ms, by_sid, depth)
            if entry.kind == "subagent":
                rows, resolved = rd.reduce_subagent(events, meta, inherited)
            elif inherited is not None:
                rows, resolved = rd.reduce_fork(events, inherited), True
        agg = aggregate(rows, self.prices, self.day_of) if resolved else {}
        rec = dict(rec, rows=rows, dep=dep, resolved=resolved, inh=list(inherited) if inherited else None, agg=agg)
        self.state.put_file(ph, dumps(rec))
        self.set_entry(ph, FileEntry(*log.signature, entry.sid, entry.kind, parsed.bad_lines, resolved, dep), agg)
        self.records[ph] = rec
        return resolved


    # -- active and archived copies --

    def copy_groups(self, by_sid: dict[str, list[LogFile]]) -> dict[str, list[str]]:
        """Session id -> the counted paths of a session found more than once (active and archived)."""
        groups: dict[str, list[str]] = {}
        entries_get = self.entries.get
        for sid, same in by_sid.items():
            if len(same) > 1:
                for log in same:
                    self.shard(os.path.dirname(log.path))  # their entries, also in unchanged folders
                counted = [log.path for log in same if entries_get(log.path).counted]
                if len(counted) > 1:
                    groups[sid] = counted
        return groups

    def copies_correction(self, paths: list[str]) -> list[Agg]:
        """Totals that, added to the per-file sums, replace these copies' sum by their union."""
        out = [negate(self.file_agg(path)) for path in paths]
        out.append(self.union_agg(paths))
        return out

    def union_agg(self, paths: list[str]) -> Agg:
        """The union of these copies' rows, priced and summed; kept until one of the copies changes or
        is priced again (reading them costs a whole read of each)."""
        copies = self.copies
        key = sha256_hex("\n".join(sorted(f"{path}:{self.entries[path].signature}" for path in paths)).encode(
            "utf-8", "surrogateescape"))[:24]
        agg = copies.get(key)
        if agg is None or any(self.was_recounted(path) for path in paths):
            agg = union_agg([self.file_rows(path) for path in paths], self.prices, self.day_of)
            copies[key] = agg
            self.copies_dirty = True
        self.copies_used.add(key)
        return agg

    @property
    def copies(self) -> dict[str, Agg]:
        """Key of a set of copies (paths and signatures) -> the totals of their union (`cost:copies`)."""
        if self._copies is None:
            found = self.state.get(copies_key(self.state.home)) if self.valid else None
            self._copies = found["groups"] if found else {}
        return self._copies
