"""Where the scanner keeps its incremental state: its own SQLite table in the cache folder
(cost/state_db.py; JSON values, hashed keys).

Keys (no paths, no secrets; `<home>` is `cache.home_key`, `<file>` a hash of the file's path):
- `cost:files:<home>:<dir>:<n>` the per-file records of one folder, in a few buckets: signature
  (inode, mtime_ns, size), byte offset, a hash of the bytes just before the offset (detects a
  replaced file), the reducer's compact resume state, session id, kind, and the file's day/model
  totals (no per-request rows: what needs them reads the log again);
- `cost:folder:<home>:<dir>` one per folder of logs, small: the digest of its logs' signatures (see
  discover.folder_digests), whether any is a fork or subagent, malformed lines, and the sum of the
  folder's per-day/per-model totals for the files it last counted;
- `cost:folderids:<home>:<dir>` that folder's session ids in its logs' order, with the digest they
  stand for (read only when an id must be looked up: docs/design/thread-index.md, "Changed homes");
- `cost:folderfiles:<home>:<dir>:<n>` that folder's per-file entries, in the same buckets as the
  per-file records: signature, kind, session id (read only when the digest no longer holds; a grown
  log rewrites only its bucket);
- `cost:home:<home>`         time-zone and price fingerprints, the Fast-tier turns read so far;
- `cost:sessions:<home>`     leaf session ids of logs outside the window (to find a fork's parent);
- `cost:copies:<home>`       per session found as active and archived copies: the copies' signatures
  and the totals of the union of their rows (lineage.py; read again only when a copy changes);
- `cost:result:<home>:…`     what the last report for a window stands for (reused for 60 s; then reused
  again if no file changed, which a digest of all signatures tells), without the report itself;
- `cost:last:<home>`         the last complete report, whatever its window (for a stale menu), and the
  result key it belongs to: a result's report is read from here while it is the home's latest.

Everything is versioned: a parser, reducer or record-format change bumps `SCANNER_VERSION` and old
records are ignored. Values of COMPRESS_MIN bytes or more are stored zlib-compressed (level 1: the
buckets shrink about threefold for ~20 ms per 1,000 files; docs/design/cost-engine.md, "Records").
"""

from __future__ import annotations

import json
import os
import time
import zlib

from codexbar_core.cache import Store
from codexbar_core.cost import json_codec
from codexbar_core.cost.json_codec import dumps
from codexbar_core.digests import sha256_hex

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

COMPRESS_MIN = 1024
SETTLE_BYTES = 1 << 20  # a run that wrote this much closes its connection (settle) so the WAL is folded in
SCANNER_VERSION = 9  # 9: a result's report kept once, in `cost:last`; 8: a folder's session ids in their own record
FILE_TTL = 120 * 86400  # a record nobody asked for in four months is a deleted file's


def pack(text: str) -> str | bytes:
    """What is stored for a value's JSON text: the text, or zlib bytes when it is long."""
    if len(text) < COMPRESS_MIN:
        return text
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def loads(text: str | bytes) -> Any:
    """Parse what `dumps` wrote, or `pack` stored (raises ValueError on damaged text)."""
    if isinstance(text, bytes) and text[:1] == b"x":  # zlib's header; JSON text starts otherwise
        try:
            text = zlib.decompress(text)
        except zlib.error as exc:
            raise ValueError("damaged compressed value") from exc
    return json_codec.loads(text)


def path_hash(path: str) -> str:
    return sha256_hex(path.encode("utf-8", "surrogateescape"))[:24]


def home_record_key(home: str) -> str:
    return f"cost:home:{home}"


def shard_key(home: str, folder: str) -> str:
    return f"cost:folder:{home}:{path_hash(folder)}"


def shard_files_keys(home: str, folder: str) -> list[str]:
    """The keys of a folder's entries, one per bucket (as `file_state_key` spreads its logs)."""
    prefix = f"cost:folderfiles:{home}:{path_hash(folder)}:"
    return [prefix + str(n) for n in range(BUCKETS)]


def bucket_of(name: str) -> int:
    # crc32, not a cryptographic hash: it only spreads names over buckets, 10,000 times per cold scan
    return zlib.crc32(name.encode("utf-8", "surrogateescape")) % BUCKETS


def shard_ids_key(home: str, folder: str) -> str:
    return f"cost:folderids:{home}:{path_hash(folder)}"


def sid_index_key(home: str) -> str:
    return f"cost:sessions:{home}"


def copies_key(home: str) -> str:
    return f"cost:copies:{home}"


def result_key(home: str, *parts: str) -> str:
    return "cost:result:" + home + ":" + ":".join(parts)


def last_key(home: str) -> str:
    return f"cost:last:{home}"


BUCKETS = 8  # per folder: a changed file rewrites about 1/8 of its folder's file states


def file_state_key(home: str, path: str) -> tuple[str, str]:
    """(cache key of the bucket holding this file's state, the file's name inside it)."""
    folder, _, name = path.rpartition(os.sep)
    prefix = _bucket_prefixes.get((home, folder))
    if prefix is None:
        prefix = _bucket_prefixes[(home, folder)] = f"cost:files:{home}:{path_hash(folder)}:"
    return prefix + str(bucket_of(name)), name


_bucket_prefixes: dict[tuple[str, str], str] = {}


class StateStore:
    """Batched reads and writes of scanner records; a missing Store makes every call a no-op.

    Per-file states (offset, reducer state, rows) are kept in a few buckets per folder rather
    than one cache entry per file: a cold scan of 10,000 logs writes a few hundred entries."""

    def __init__(self, store: Store | None, home: str, ignore_saved: bool = False) -> None:
        self.store = store
        self.home = home
        self.ignore_saved = ignore_saved  # damaged state: read nothing back, overwrite it
        self.pending: dict[str, str | bytes] = {}  # key -> what `pack` made of its JSON
        self.buckets: dict[str, dict[str, Any]] = {}  # key -> name -> record (dict) or its JSON text
        self.dirty_buckets: set[str] = set()
        self.written = 0  # bytes stored by this process so far
        self.fetched: dict[str, str | bytes | None] = {}  # prefetched raw values, until `get` takes them
        self.kept: dict[Any, Any] = {}  # decoded values read ahead of the scan (keep), until `get` takes them

    def get(self, key: str) -> Any:
        store = self.store
        if store is None or (self.ignore_saved and not key.startswith(("cost:result:", "cost:last:"))):
            return None
        if key in self.kept:
            return self.kept.pop(key)
        try:
            raw = self.fetched.pop(key) if key in self.fetched else store.state_db.get(key)
            value = None if raw is None else loads(raw)
        except Exception:  # a damaged cache costs a rescan, never the report
            return None
        if isinstance(value, dict) and value.get("v") == SCANNER_VERSION:
            return value
        return None

    def folder_entries(self, folder: str, keep: bool = False) -> dict[str, list[Any]] | None:
        """name -> saved entry of every log of the folder (all its buckets, in one read); None when a
        bucket is missing (never saved, or damaged). `keep`: the scan will ask again (`keep`)."""
        kept = self.kept.pop(("entries", folder), None)
        if kept is not None:
            return kept
        keys = shard_files_keys(self.home, folder)
        self.prefetch(keys)
        files: dict[str, list[Any]] = {}
        for key in keys:
            rec = self.get(key)
            part = rec.get("files") if rec is not None else None
            if not isinstance(part, dict):
                return None
            files.update(part)
        if keep:
            self.kept[("entries", folder)] = files
        return files

    def put_folder_entries(self, folder: str, files: dict[str, list[Any]], changed: set[str] | None) -> None:
        """Save a folder's entries: only the buckets holding a name in `changed` (added, removed or
        altered since they were read), or every bucket when `changed` is None."""
        keys = shard_files_keys(self.home, folder)
        parts: list[dict[str, list[Any]]] = [{} for _ in keys]
        for name, entry in files.items():
            parts[bucket_of(name)][name] = entry
        touched = range(len(keys)) if changed is None else sorted({bucket_of(name) for name in changed})
        for n in touched:
            self.put(keys[n], {"files": parts[n]})

    def exists(self, key: str) -> bool:
        """Whether a value is saved under `key` (not decoded: its shape is checked where it is read)."""
        if self.store is None:
            return False
        try:
            return self.store.state_db.get(key) is not None
        except Exception:  # a damaged cache: as if it were not there (it is written again)
            return False

    def keep(self, key: str, value: dict[str, Any]) -> None:
        """A value a caller read (with `get`) that this scan will ask for again: the next `get` of
        `key` returns it instead of reading and decoding it a second time."""
        self.kept[key] = value

    def prefetch(self, keys: list[str]) -> None:
        """Read these keys in one query (a refresh's folder heads: one per date folder); each is then
        decoded when `get` first asks for it."""
        keys = [key for key in keys if key not in self.kept and key not in self.fetched]  # read already
        if self.store is None or self.ignore_saved or not keys:
            return
        try:
            found = self.store.state_db.get_many(keys)
        except Exception:  # each `get` then reads (and fails) on its own
            return
        for key in keys:
            self.fetched[key] = found.get(key)

    def _bucket(self, key: str) -> dict[str, Any]:
        bucket = self.buckets.get(key)
        if bucket is None:
            found = self.get(key)
            bucket = self.buckets[key] = found["files"] if found else {}
        return bucket

    def get_file(self, path: str) -> dict[str, Any] | None:
        key, name = file_state_key(self.home, path)
        bucket = self._bucket(key)
        record = bucket.get(name)
        if isinstance(record, str):
            record = bucket[name] = loads(record)
        if isinstance(record, dict) and record.get("v") == SCANNER_VERSION:
            return record
        return None

    def pending_file(self, path: str) -> dict[str, Any] | None:
        """A record written in this run (kept in memory until flushed)."""
        key, name = file_state_key(self.home, path)
        if key not in self.dirty_buckets:
            return None
        return self.get_file(path)

    def folder_files(self, folder: str) -> list[tuple[str, dict[str, Any]]]:
        """(name, record) of every current record saved for the logs of one folder."""
        out = []
        prefix = f"cost:files:{self.home}:{path_hash(folder)}:"  # as file_state_key
        for n in range(BUCKETS):
            bucket = self._bucket(prefix + str(n))
            for name, record in list(bucket.items()):
                if isinstance(record, str):
                    record = bucket[name] = loads(record)
                if isinstance(record, dict) and record.get("v") == SCANNER_VERSION:
                    out.append((name, record))
        return out

    def forget_file(self, path: str) -> None:
        """Drop a deleted log's record from its bucket."""
        key, name = file_state_key(self.home, path)
        bucket = self._bucket(key)
        if name in bucket:
            del bucket[name]
            self.dirty_buckets.add(key)

    def put_file(self, path: str, record_json: str) -> None:
        """`record_json` is already encoded (workers encode in parallel)."""
        key, name = file_state_key(self.home, path)
        self._bucket(key)[name] = record_json
        self.dirty_buckets.add(key)

    def forget_bucket(self, key: str) -> None:
        """Drop a bucket read earlier (another process has rewritten it); unsaved changes too."""
        self.buckets.pop(key, None)
        self.dirty_buckets.discard(key)

    def flush_buckets(self, keys: list[str]) -> None:
        """Write just these buckets now (a big scan saves each bucket as it finishes it) and let go of
        them: a cold scan then holds one bucket's records at a time, not every record (read back from
        the cache if asked for again)."""
        pending, dirty = self.pending, self.dirty_buckets
        self.pending, self.dirty_buckets = {}, {key for key in keys if key in dirty}
        try:
            self.flush()
        finally:
            self.pending, self.dirty_buckets = pending, dirty - set(keys)
            for key in keys:
                self.buckets.pop(key, None)

    def put(self, key: str, value: Any) -> None:
        value = dict(value)
        value["v"] = SCANNER_VERSION
        self.pending[key] = pack(dumps(value))  # compressed now: a first scan's save holds less until flushed

    def _encode_bucket(self, key: str) -> str:
        parts = [json.dumps(name) + ":" + (rec if isinstance(rec, str) else dumps(rec))
                 for name, rec in self.buckets[key].items()]
        return '{"v":' + str(SCANNER_VERSION) + ',"files":{' + ",".join(parts) + "}}"

    def flush(self) -> None:
        if self.store is None:
            self.pending.clear()
            self.dirty_buckets.clear()
            return
        try:
            db = self.store.state_db
            with db.transact():
                for key in self.pending:
                    value = self.pending[key]
                    db.set(key, value)
                    self.written += len(value)
                for key in self.dirty_buckets:  # encoded one at a time: no second copy of them all
                    value = pack(self._encode_bucket(key))
                    db.set(key, value, expire=FILE_TTL)
                    self.written += len(value)
                if self.dirty_buckets:
                    db.sweep()  # deleted logs' buckets nobody asked for in FILE_TTL
        except Exception:
            pass  # a broken cache costs a rescan next time, never the report
        self.pending.clear()
        self.dirty_buckets.clear()


def settle(state: StateStore) -> None:
    """After a big write (a first scan), close the cache's connection: SQLite folds its write-ahead log
    into the database and removes it, instead of leaving a log file about as big as the state beside
    it until some later run checkpoints (the connection reopens by itself if used again)."""
    if state.store is None or state.written < SETTLE_BYTES:
        return
    state.written = 0
    state.store.state_db.close()  # nothing lost if it cannot: SQLite checkpoints later


def drop_old_scan_cache(store: Store) -> None:
    """What earlier versions left, removed by a first scan: until scanner version 5 the state had its
    own diskcache folder (`cost-scan`), then until version 8 it lived in the shared diskcache store
    under `cost:` keys; it is in cost/state_db.py's database now."""
    old = store.directory / "cost-scan"
    if old.is_dir():
        import shutil

        shutil.rmtree(old, ignore_errors=True)
    if (store.directory / "diskcache").is_dir():
        store.delete_prefix("cost:")


def now_s() -> float:
    return time.time()
