"""Bring every discovered log's contribution up to date, reading as few bytes as possible.

A file whose signature (inode, mtime_ns, size) is unchanged costs one dict lookup in its folder's
record, and an unchanged folder is not summed again. A grown file (same inode, the bytes before the saved offset unchanged) is parsed from its
offset with the saved reducer state. Anything else is parsed from the start. Forks and subagents
depend on their parent's log and are re-resolved when either changes. Large cold scans are split
over two processes.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from codexbar_core import errors
from codexbar_core.cost import reduce as rd
from codexbar_core.cost.days import DayKeys, shared_day_keys, tz_fingerprint
from codexbar_core.cost.discover import LogFile, all_logs, folder_digests, folder_runs
from codexbar_core.cost.helper_proc import start_helper, stop_helper
from codexbar_core.cost.parse import (
    TAIL_BYTES,
    first_session_id,
    head_meta,
    load_hot_lines,
    parse_file,
    parse_stream,
)
from codexbar_core.cost.pricing import PriceTable
from codexbar_core.cost.priority import update_priority_turns
from codexbar_core.cost.store import (
    SCANNER_VERSION,
    StateStore,
    dumps,
    file_state_key,
    home_record_key,
    loads,
    shard_aggs_key,
    shard_files_key,
    shard_key,
    sid_index_key,
)
from codexbar_core.digests import sha1_hex

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

    Agg = dict[str, dict[str, list[Any]]]  # day -> model -> [input, cached, output, reasoning, cost or None]

TAIL_CHECK = TAIL_BYTES  # bytes before the saved offset that must still be there for a resume
PARALLEL_MIN_BYTES = 48 * 1024 * 1024
HOT_LINES_MIN_BYTES = 4 * 1024 * 1024  # below this the general decoder is cheaper than importing msgspec
# Both sides write their own records as they go; the helper starts during discovery. This share of
# the bytes makes both processes finish together on the 1 GB bench home (measured, 2 cores).
HELPER_SHARE = 0.51
_FOLDER_OF = itemgetter(5)  # LogFile.folder


# -- aggregation -------------------------------------------------------------------------------------

def aggregate(rows: list[list[Any]], prices: PriceTable, day_of: DayKeys, agg: Agg | None = None) -> Agg:
    """Add rows (each priced on its own) into day -> model totals. Other providers' models are dropped."""
    out: Agg = {} if agg is None else agg
    resolve = prices.resolve
    fast_turns = prices.fast_turns
    minute_days = day_of.cache
    # Per raw model name: (shown name, price, its standard rates, long-context threshold, dated-rate
    # cutoff) or None when excluded. A row at standard rates is priced inline; any other row
    # (long context, dated rates, Fast tier, odd cached count) goes through ModelPrice.cost.
    plans: dict[Any, Any] = {}
    for model, turn, _idx, ts, inp, cached, outp, reasoning in rows:
        fast = turn in fast_turns if fast_turns else False
        key = (model, fast_turns[turn]) if fast else model  # a Fast row: shown and priced as its served model
        plan = plans.get(key, False)
        if plan is False:
            res = prices.fast_price(model, fast_turns[turn]) if fast else resolve(model)
            price = res.price
            plan = plans[key] = None if res.excluded else (
                res.name, price, price.standard if price else None, price.threshold if price else 0,
                price.before_ms if price else None)
        if plan is None:
            continue
        name, price, rates, threshold, before_ms = plan
        day = minute_days.get(ts // 60000)
        if day is None:
            day = day_of(ts)
        models = out.get(day)
        if models is None:
            models = out[day] = {}
        if price is None:
            cost = None
        elif inp <= threshold and 0 <= cached <= inp and (before_ms is None or ts >= before_ms) and not fast:
            cost = (inp - cached) * rates.input + cached * rates.cached + outp * rates.output
        else:
            cost = price.cost(ts, inp, cached, outp, fast=fast)
        cell = models.get(name)
        if cell is None:
            models[name] = [inp, cached, outp, reasoning, cost]
        else:
            cell[0] += inp
            cell[1] += cached
            cell[2] += outp
            cell[3] += reasoning
            if cost is not None and cell[4] is not None:
                cell[4] += cost
    return out


def merge_agg(into: Agg, other: Agg, lo: str = "", hi: str = "\uffff") -> None:
    for day, models in other.items():
        if not lo <= day <= hi:
            continue
        target = into.setdefault(day, {})
        for name, cell in models.items():
            have = target.get(name)
            if have is None:
                target[name] = list(cell)
            else:
                for k in range(4):
                    have[k] += cell[k]
                if have[4] is not None and cell[4] is not None:
                    have[4] += cell[4]


# -- one plain file (runs in a worker process for big cold scans) -------------------------------------

def _tail_hash(handle: Any, offset: int) -> str:
    start = max(0, offset - TAIL_CHECK)
    handle.seek(start)
    return sha1_hex(handle.read(offset - start))[:16]


def _can_resume(prev: dict[str, Any] | None, sig: tuple[int, int, int]) -> bool:
    return (prev is not None and prev.get("kind") == "plain" and prev.get("state") is not None
            and prev["sig"][0] == sig[0] and sig[2] > prev["sig"][2] and prev.get("off", 0) <= sig[2])


def scan_plain(path: str, sig: tuple[int, int, int], prev: dict[str, Any] | None,
               prices: PriceTable) -> tuple[str, list[Any] | None]:
    """(record JSON, home entry) for one file; the entry is None when the file needs its parent."""
    record = read_plain(path, sig, prev)
    entry = None
    if record["kind"] == "plain":
        agg = aggregate(record["rows"], prices, shared_day_keys())
        entry = [sig[0], sig[1], sig[2], record["sid"], "plain", agg, record["bad"], True, None]
    return dumps(record), entry


def read_plain(path: str, sig: tuple[int, int, int], prev: dict[str, Any] | None) -> dict[str, Any]:
    """Parse (or resume) an ordinary session file; a fork or subagent is only classified here."""
    with open(path, "rb") as handle:
        resume = False
        if _can_resume(prev, sig):
            assert prev is not None
            resume = _tail_hash(handle, prev["off"]) == prev.get("tail")
        if resume:
            assert prev is not None
            sid, meta_seen = prev.get("sid"), prev.get("meta")
            if not meta_seen:
                meta = head_meta(handle)
                if meta is not None:
                    if rd.file_kind(meta) != "plain":
                        return read_plain(path, sig, None)  # it turned out to be a fork: start over
                    sid, meta_seen = meta.session_id, True
            parsed = parse_stream(handle, prev["off"], full=False, size=sig[2])
            reducer = rd.Reducer(prev["state"])
            rows = prev["rows"]
            bad = prev.get("bad", 0) + parsed.bad_lines
        else:
            parsed = parse_stream(handle, 0, full=False, want_meta=True, size=sig[2])
            meta = parsed.meta
            kind = rd.file_kind(meta)
            sid, meta_seen = (meta.session_id if meta else None), meta is not None
            if kind != "plain":
                assert meta is not None
                return {"v": SCANNER_VERSION, "sig": list(sig), "kind": kind, "sid": sid, "bad": 0,
                        "off": 0, "tail": "", "state": None, "rows": [], "parent": meta.parent_id,
                        "fts": meta.fork_ts_ms}
            reducer = rd.Reducer()
            rows = []
            bad = parsed.bad_lines
        if parsed.tail is not None:
            tail = sha1_hex(parsed.tail)[:16]
        else:
            tail = _tail_hash(handle, parsed.offset)
    rd.feed(reducer, parsed.events, leaf=sid)
    rows.extend(reducer.rows)
    return {"v": SCANNER_VERSION, "sig": list(sig), "kind": "plain", "sid": sid, "meta": meta_seen, "bad": bad,
            "off": parsed.offset, "tail": tail, "state": reducer.state(), "rows": rows}


@contextlib.contextmanager
def gc_paused() -> Any:
    """No cyclic garbage collection while parsing: a cold scan makes hundreds of thousands of
    small tuples and lists that all live until the file is done, and the collector kept walking
    them (about 8 % of a cold scan's time); parsing makes no reference cycles worth collecting."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _scan_batch(batch: list[tuple[str, tuple[int, int, int], dict[str, Any] | None]],
                prices: PriceTable) -> list[tuple[str, list[Any] | None]]:
    out = []
    for path, sig, prev in batch:
        try:
            out.append(scan_plain(path, sig, prev, prices))
        except OSError:
            out.append(("", None))  # vanished or unreadable between discovery and read
    return out


# -- the whole home ------------------------------------------------------------------------------------

# Plain classes rather than dataclasses: defining a dataclass costs ~0.3 ms at import, on every run.

class ScanResult:
    __slots__ = ("aggs", "unresolved_forks", "unresolved_subagents", "bad_lines")

    def __init__(self, aggs: list[Agg]) -> None:
        self.aggs = aggs  # summed (negative cells correct for active/archived duplicates)
        self.unresolved_forks = 0
        self.unresolved_subagents = 0
        self.bad_lines = 0


class Shard:
    """The state of one folder of logs: entries, per-file totals, and their sum for the last file set.

    Its saved record comes in two parts: a small head (the digest of the folder's logs, their
    session ids, the sum) and the per-file entries, read only when the digest no longer holds."""

    __slots__ = ("folder", "counted", "total", "aggs_loaded", "dirty", "stored", "head", "files_loaded")

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.counted: list[str] | None = []  # names whose totals make up `total` (None: all)
        self.total: Agg | None = None
        self.aggs_loaded = False
        self.dirty = False
        self.stored: list[str] = []  # file names in the saved record
        self.head: dict[str, Any] | None = None  # the saved head, while the entries are not read
        self.files_loaded = True


def negate(agg: Agg) -> Agg:
    return {day: {name: [-c[0], -c[1], -c[2], -c[3], None if c[4] is None else -c[4]] for name, c in models.items()}
            for day, models in agg.items()}


class Scanner:
    """Entries live in one record per folder (signatures, kinds) plus one with per-file day totals and
    their sum, so an unchanged folder of 300 logs costs two small reads and one dict merge."""

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
        self.look_up_files = home is not None
        self.home_dirty = not self.valid
        self._sid_index: dict[str, list[Any]] | None = None  # loaded only when a parent is looked for
        self.sid_index_dirty = False
        fast = update_priority_turns(codex_home, (home or {}).get("fast"))
        self.fast = fast.state
        self.fast_since_s = fast.since_s  # logs written since then are repriced (run)
        self.fast_before = (home or {}).get("fast")  # kept by a partial save: the repricing is still to do
        prices.fast_turns = fast.served()
        self.home_dirty = self.home_dirty or fast.changed
        self.entries: dict[str, list[Any]] = {}  # path -> [ino, mtime_ns, size, sid, kind, -, bad, ok, dep]
        self.aggs: dict[str, Agg] = {}
        self.shards: dict[str, Shard] = {}
        self.records: dict[str, dict[str, Any]] = {}  # per-file records read or written in this run
        self._present: dict[str, set[str]] = {}  # folder -> names discovered in this run (_is_present)
        self.gone: set[str] = set()  # known in a folder of this window, missing now (deleted)
        self.outside_parents: set[str] = set()  # fork parents read from outside the window
        self.logs: list[LogFile] | None = None  # this run's listing (run)
        self.logs_by_folder: dict[str, list[LogFile]] = {}

    def _is_present(self, path: str) -> bool:
        """Whether this run discovered `path` (asked about a few folders' files, never all 10,000)."""
        folder, _, name = path.rpartition(os.sep)
        names = self._present.get(folder)
        if names is None:
            names = self._present[folder] = {log.name for log in self.logs_by_folder.get(folder, ())}
        return name in names

    # -- records --

    def _record(self, path: str) -> dict[str, Any] | None:
        rec = self.records.get(path)
        if rec is None:
            rec = self.state.pending_file(path)
            if rec is None:
                rec = self.state.get_file(path)
            if rec is not None:
                self.records[path] = rec
        return rec

    def _shard(self, folder: str, files: bool = True) -> Shard:
        """A folder's state; `files`: with its per-file entries read (else only its head, if saved)."""
        shard = self.shards.get(folder)
        if shard is None:
            shard = self.shards[folder] = Shard(folder)
            rec = self.state.get(shard_key(self.state.home, folder)) if self.valid else None
            if rec is not None:
                shard.head, shard.counted, shard.total = rec, rec["counted"], rec["total"]
                shard.files_loaded = False
            else:
                shard.aggs_loaded = True  # nothing stored to load
        if files and not shard.files_loaded:
            self._load_files(shard)
        return shard

    def _load_files(self, shard: Shard) -> None:
        shard.files_loaded = True
        shard.head = None
        rec = self.state.get(shard_files_key(self.state.home, shard.folder))
        if rec is None:  # a head without its entries (a damaged cache): count the folder afresh
            shard.counted, shard.total = [], None
            return
        files = rec["files"]
        prefix = shard.folder + os.sep
        entries = self.entries
        for name, entry in files.items():
            entries.setdefault(prefix + name, entry)
        shard.stored = list(files)
        if shard.counted is None:
            shard.counted = sorted(files)

    def _unchanged(self, shard: Shard, digest: str | None) -> bool:
        """True when none of the folder's logs changed since its head was saved and nothing in it needs
        its entries: no fork or subagent, every log counted. Its saved sum then stands as it is."""
        head = shard.head
        return (not shard.files_loaded and head is not None and digest is not None and head.get("sig") == digest
                and shard.total is not None and shard.counted is None and not head.get("deps")
                and isinstance(head.get("sids"), str))

    def _load_aggs(self, shard: Shard) -> None:
        if shard.aggs_loaded:
            return
        shard.aggs_loaded = True
        rec = self.state.get(shard_aggs_key(self.state.home, shard.folder))
        if rec is not None:
            for name, agg in rec["aggs"].items():
                self.aggs.setdefault(os.path.join(shard.folder, name), agg)

    def _touch(self, path: str) -> None:
        """A file's entry is about to change: its folder's record will be rewritten."""
        shard = self._shard(os.path.dirname(path))
        self._load_aggs(shard)
        shard.dirty = True

    def _agg(self, path: str) -> Agg:
        self._load_aggs(self._shard(os.path.dirname(path)))
        agg = self.aggs.get(path)
        if agg is None:
            entry = self.entries.get(path)
            rec = self._record(path) if entry is not None and entry[7] else None
            agg = aggregate(rec["rows"], self.prices, self.day_of) if rec is not None else {}
            self.aggs[path] = agg
        return agg

    def _set_entry(self, path: str, entry: list[Any], agg: Agg | None) -> None:
        self._touch(path)
        entry[5] = None
        self.entries[path] = entry
        self.aggs[path] = agg or {}

    def close(self) -> None:
        """Stop a helper started for this scan and not used."""
        stop_helper(self.helper)
        self.helper = None

    def _check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.save(partial=True)
            raise errors.SourceTimeout("Cost scan did not finish in time; it continues on the next refresh.")

    def save(self, partial: bool = False) -> None:
        home = self.state.home
        if self.home_dirty:
            self.state.put(home_record_key(home), {"tz": self.tz, "pfp": self.prices.fingerprint,
                                                   "fast": self.fast_before if partial else self.fast})
            self.home_dirty = False
        if self.sid_index_dirty and self._sid_index is not None:
            self.state.put(sid_index_key(home), {"files": self._sid_index})
            self.sid_index_dirty = False
        by_folder: dict[str, dict[str, list[Any]]] = {}
        dirty = {folder for folder, shard in self.shards.items() if shard.dirty}
        for path, entry in self.entries.items():
            folder, _, name = path.rpartition(os.sep)
            if folder in dirty and (path not in self.gone or self._is_present(path)):
                by_folder.setdefault(folder, {})[name] = entry
        digests = folder_digests(self.logs) if self.logs is not None else {}
        for folder in dirty:
            shard = self.shards[folder]
            files = by_folder.get(folder, {})
            prefix = folder + os.sep
            aggs_get = self.aggs.get
            self._load_aggs(shard)
            aggs = {name: aggs_get(prefix + name) or self._agg(prefix + name) for name in files}
            total = None if partial else shard.total
            head = {"tz": self.tz, "pfp": self.prices.fingerprint, "total": total,
                    "counted": None if shard.counted == sorted(files) else shard.counted,
                    "deps": any(entry[4] != "plain" for entry in files.values()),
                    "bad": sum(entry[6] or 0 for entry in files.values() if entry[4] == "plain"),
                    "sig": None, "sids": None}
            logs = self.logs_by_folder.get(folder)
            if not partial and logs is not None and len(logs) == len(files) and all(log.name in files
                                                                                    for log in logs):
                # The digest stands for exactly these entries; the session ids in the logs' order.
                sids = [files[log.name][3] or "" for log in logs]
                if not any("\n" in sid for sid in sids):
                    head["sig"], head["sids"] = digests.get(folder), "\n".join(sids)
            self.state.put(shard_key(home, folder), head)
            self.state.put(shard_files_key(home, folder), {"files": files})
            self.state.put(shard_aggs_key(home, folder), {"aggs": aggs})
            shard.dirty = False
        self.state.flush()

    # -- plain files --

    def refresh_plain(self, logs: list[LogFile]) -> None:
        todo: list[tuple[str, tuple[int, int, int], dict[str, Any] | None]] = []
        todo_bytes = 0
        for log in logs:
            ph = log.path
            entry = self.entries.get(ph)
            if entry is not None and entry[2] == log.size and entry[1] == log.mtime_ns and entry[0] == log.ino:
                continue  # unchanged
            prev = self._record(ph) if self.look_up_files else None
            if prev is not None and tuple(prev["sig"]) == log.signature and prev.get("kind") == "plain":
                # the folder record was lost or invalidated (prices, TZ) but the rows are still good
                agg = aggregate(prev["rows"], self.prices, self.day_of)
                self._set_entry(ph, [*log.signature, prev.get("sid"), "plain", None, prev.get("bad", 0), True, None],
                                agg)
                continue
            todo.append((log.path, log.signature, prev))
            todo_bytes += log.size - (prev.get("off", 0) if _can_resume(prev, log.signature) else 0)
        if not todo:
            return
        if todo_bytes >= HOT_LINES_MIN_BYTES:
            load_hot_lines()
        with gc_paused():
            if todo_bytes >= PARALLEL_MIN_BYTES and (os.cpu_count() or 1) > 1 and len(todo) > 1:
                self._scan_parallel(todo, todo_bytes)
            else:
                self.close()
                for item in todo:
                    self._check_deadline()
                    self._store_result(item[0], _scan_batch([item], self.prices)[0])

    def _store_result(self, path: str, result: tuple[str, list[Any] | None]) -> None:
        text, entry = result
        if not text:
            return
        self.state.put_file(path, text)
        self.records.pop(path, None)
        if entry is None:
            rec = loads(text)
            self.records[path] = rec
            entry = [*rec["sig"], rec.get("sid"), rec["kind"], None, rec.get("bad", 0), False, None]
        agg = entry[5]
        self._set_entry(path, entry, agg)

    def _scan_parallel(self, todo: list[Any], total: int) -> None:
        """Hand about half the bytes to a helper process and parse the other half here.

        The split is by state bucket (a folder's files are kept in a few buckets, see store.py): the
        helper writes the records of its buckets to the cache itself and sends back only each file's
        small home entry, so neither the records nor their storing pass through this process."""
        import subprocess
        import threading

        store = self.state.store
        units: dict[str, list[Any]] = {}
        for item in todo:
            units.setdefault(file_state_key(self.state.home, item[0])[0], []).append(item)
        mine: list[Any] = []
        theirs: list[list[Any]] = []
        their_keys: set[str] = set()
        load = [0, 0]
        # Greedy by size, biggest first, until the helper has its share of the bytes.
        helper_bytes = total * HELPER_SHARE
        for key, items in sorted(units.items(), key=lambda kv: -sum(item[1][2] for item in kv[1])):
            size = sum(item[1][2] for item in items)
            if load[1] + size / 2 > helper_bytes or store is None:
                mine.extend(items)
                load[0] += size
            else:
                theirs.append([[path, list(sig)] for path, sig, _prev in items])
                their_keys.add(key)
                load[1] += size
        proc, self.helper = self.helper, None
        if theirs and proc is None:
            proc = start_helper()
        elif not theirs:
            stop_helper(proc)
            proc = None
        by_path = {item[0]: item for item in todo}
        if proc is None:
            mine, theirs = todo, []
        lines: list[bytes] = []
        if proc is not None:
            assert store is not None
            job = dumps({"cache": str(store.directory), "home": self.state.home, "lookup": self.look_up_files,
                         "ignore_saved": self.state.ignore_saved, "overrides": self.overrides,
                         "fast": self.prices.fast_turns, "units": theirs})
            reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
            reader.start()

            def send_job(pipe: Any, data: bytes) -> None:
                try:
                    pipe.write(data)
                    pipe.close()
                except OSError:
                    pass

            # From a thread: the job is larger than a pipe holds, and the helper reads it only once its
            # interpreter is up (~40 ms we would otherwise spend waiting instead of parsing).
            threading.Thread(target=send_job, args=(proc.stdin, job.encode()), daemon=True).start()

        def take_helper_results(wait: bool) -> None:
            """Take the entries of the buckets the helper has written; stop it if it is still running."""
            if proc is None:
                return
            if wait:
                timeout = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    pass
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            reader.join(timeout=5)
            for key in their_keys:
                self.state.forget_bucket(key)  # the helper rewrote it: read it again if needed
            for raw in lines:
                if not raw.endswith(b"\n"):
                    break  # cut off mid-record
                try:
                    unit = loads(raw)
                except ValueError:
                    break
                for path, entry in unit:  # a whole bucket, sent only after it was written
                    self.records.pop(path, None)
                    if entry is None:  # a fork or subagent, classified only: its record says more
                        rec = self._record(path)
                        if rec is None:
                            continue
                        entry = [*rec["sig"], rec.get("sid"), rec["kind"], None, rec.get("bad", 0), False, None]
                    self._set_entry(path, entry, entry[5])
                    finished.add(path)

        finished: set[str] = set()
        try:
            try:
                # Our buckets are written as each is finished, like the helper's: the writing then
                # overlaps the helper's parsing instead of following it.
                current = None
                for item in mine:
                    self._check_deadline()
                    if proc is not None:
                        key = file_state_key(self.state.home, item[0])[0]
                        if current is not None and key != current:
                            self.state.flush_buckets([current])
                        current = key
                    self._store_result(item[0], _scan_batch([item], self.prices)[0])
                if current is not None:
                    self.state.flush_buckets([current])
            except errors.SourceTimeout:
                take_helper_results(wait=False)  # keep the helper's finished files for the next run
                self.save(partial=True)
                raise
            take_helper_results(wait=True)
            for unit in theirs:  # the helper died or ran out of time: do its rest here
                for path, _sig in unit:
                    if path not in finished:
                        self._check_deadline()
                        self._store_result(path, _scan_batch([by_path[path]], self.prices)[0])
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()

    # -- forks and subagents --

    def _rows(self, ph: str) -> list[list[Any]]:
        rec = self._record(ph)
        return rec["rows"] if rec is not None else []

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
        self._shard(os.path.dirname(ph))
        entry = self.entries.get(ph)
        if entry is None or (entry[0], entry[1], entry[2]) != parent.signature:
            self.refresh_plain([parent])
            entry = self.entries.get(ph)
        if entry is None:
            return None
        if entry[4] != "plain" and not self.resolve_dependent(parent, by_sid, depth + 1):
            return None
        rec = self._record(ph)
        if rec is None:
            return None
        inherited = rd.inherited_at(rec["rows"], fork_ts)
        if rec.get("inh"):
            inherited = rd.add(inherited, tuple(rec["inh"]))  # type: ignore[arg-type]
        return inherited

    def resolve_dependent(self, log: LogFile, by_sid: dict[str, list[LogFile]], depth: int = 0) -> bool:
        """Count a fork or subagent against its parent; False when it cannot be (parent missing)."""
        ph = log.path
        entry = self.entries.get(ph)
        rec = self._record(ph)
        if entry is None or rec is None or depth > 8:
            return False
        if entry[4] == "plain":
            return True
        if (rec.get("dep") == "missing" and entry[8] == "missing" and "resolved" in rec
                and not by_sid.get(rec.get("parent") or "")):
            return False  # still orphaned; only a change to this file sends us looking through old logs again
        parent_log = self._find_parent(rec["parent"], by_sid) if rec.get("parent") else None
        if parent_log is not None and parent_log.path == log.path:
            parent_log = None
        if parent_log is not None:
            self._shard(os.path.dirname(parent_log.path))  # its entry, even in a folder read by head only
            parent_entry = self.entries.get(parent_log.path)
            upstream = parent_entry[8] if parent_entry is not None and parent_entry[4] != "plain" else ""
            dep = f"{parent_log.path}:{list(parent_log.signature)}:{upstream}"
        else:
            dep = "missing"
        if entry[8] == dep and rec.get("dep") == dep and "resolved" in rec:
            return bool(entry[7])
        parsed = parse_file(log.path)
        events = parsed.events
        meta = rd.leaf_meta(events)
        rows: list[list[Any]] = []
        resolved = False
        inherited: rd.Vec | None = None
        if meta is not None:
            if parent_log is not None and meta.fork_ts_ms is not None:
                inherited = self._parent_totals(parent_log, meta.fork_ts_ms, by_sid, depth)
            if entry[4] == "subagent":
                rows, resolved = rd.reduce_subagent(events, meta, inherited)
            elif inherited is not None:
                rows, resolved = rd.reduce_fork(events, inherited), True
        rec = dict(rec, rows=rows, dep=dep, resolved=resolved, inh=list(inherited) if inherited else None)
        self.records[ph] = rec
        self.state.put_file(ph, dumps(rec))
        agg = aggregate(rows, self.prices, self.day_of) if resolved else {}
        self._set_entry(ph, [*log.signature, entry[3], entry[4], None, parsed.bad_lines, resolved, dep], agg)
        return resolved

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
        """Price these logs' saved rows again with the current Fast-tier turns."""
        for log in logs:
            entry = self.entries.get(log.path)
            if entry is None or not entry[7]:
                continue
            rec = self._record(log.path)
            if rec is not None:
                self._set_entry(log.path, entry, aggregate(rec["rows"], self.prices, self.day_of))

    # -- entry point --

    def run(self, logs: list[LogFile]) -> ScanResult:
        self.logs, self._present = logs, {}
        by_folder = self.logs_by_folder = folder_runs(logs)
        # A folder none of whose logs changed since its head was saved keeps its sum; its entries are
        # not even read (an appended event then costs one folder's records, not all of them).
        digests = folder_digests(logs)
        reprice = self._fast_turn_logs(logs)
        reprice_folders = {log.folder for log in reprice}
        unchanged: dict[str, Shard] = {}
        for folder in by_folder:
            shard = self._shard(folder, files=False)
            if folder not in reprice_folders and self._unchanged(shard, digests.get(folder)):
                unchanged[folder] = shard
            elif not shard.files_loaded:
                self._load_files(shard)
        self.gone = set()
        for folder, folder_logs in by_folder.items():
            shard = self.shards[folder]
            if shard.stored and folder not in unchanged:
                missing = set(shard.stored).difference([log.name for log in folder_logs])
                self.gone.update(folder + os.sep + name for name in missing)
        for path in self.gone:
            self._touch(path)
        self.refresh_plain([log for folder, folder_logs in by_folder.items() if folder not in unchanged
                            for log in folder_logs] if unchanged else logs)
        self._check_deadline()
        by_sid: dict[str, list[LogFile]] = {}
        dependent: list[LogFile] = []
        bad_lines = 0
        entries_get = self.entries.get
        # the saved session ids of an unchanged folder, in the order of its logs (which its digest fixes)
        saved_sids = {folder: iter(shard.head["sids"].split("\n")) for folder, shard in unchanged.items()
                      if shard.head is not None}
        for shard in unchanged.values():
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
                if entry[3]:
                    found = by_sid_get(entry[3])
                    if found is None:
                        by_sid[entry[3]] = [log]
                    else:
                        found.append(log)
                if entry[4] != "plain":
                    dependent.append(log)
                else:
                    bad_lines += entry[6] or 0
        result = ScanResult([])
        for log in dependent:
            self._check_deadline()
            self.resolve_dependent(log, by_sid)
            entry = self.entries[log.path]
            if not entry[7]:
                if entry[4] == "fork":
                    result.unresolved_forks += 1
                else:
                    result.unresolved_subagents += 1
        # Active and archived copies of one session (same session id, both counted) are merged below.
        groups: dict[str, list[str]] = {}
        for sid, same in by_sid.items():
            if len(same) > 1:
                for log in same:
                    self._shard(os.path.dirname(log.path))  # their entries, also in unchanged folders
                counted = [log.path for log in same if entries_get(log.path)[7]]
                if len(counted) > 1:
                    groups[sid] = counted
        for log in dependent:  # plain files were counted above; these were (re)read just now
            bad_lines += self.entries[log.path][6] or 0
        self._reprice(reprice)
        result.bad_lines = bad_lines
        # Each folder's sum over the files discovered now; recomputed only when something in it changed.
        for folder, folder_logs in by_folder.items():
            shard = self.shards[folder]
            names = [] if not shard.files_loaded else sorted(log.name for log in folder_logs)
            if shard.files_loaded and (shard.dirty or shard.total is None or shard.counted != names):
                self._load_aggs(shard)
                total: Agg = {}
                prefix = folder + os.sep
                entries_get, aggs_get = self.entries.get, self.aggs.get
                for name in names:
                    path = prefix + name
                    entry = entries_get(path)
                    if entry is not None and entry[7]:
                        agg = aggs_get(path)
                        merge_agg(total, agg if agg is not None else self._agg(path))
                shard.total, shard.counted = total, names
                shard.dirty = True
            result.aggs.append(shard.total)
        for folder, shard in self.shards.items():
            if folder not in by_folder and shard.dirty:
                shard.total, shard.counted = None, []  # a parent's folder outside the window: sum later
        # Active and archived copies of one session: the union of their rows replaces their sum.
        for paths in groups.values():
            seen: set[tuple[Any, ...]] = set()
            merged: list[list[Any]] = []
            for path in paths:
                result.aggs.append(negate(self._agg(path)))
                for row in self._rows(path):
                    res = self.prices.resolve(row[0])
                    key = (row[1], row[2], self.day_of(row[3]), res.name, row[4], row[5], row[6])
                    if key not in seen:
                        seen.add(key)
                        merged.append(row)
            result.aggs.append(aggregate(merged, self.prices, self.day_of))
        self.save()
        return result
