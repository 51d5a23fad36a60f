"""Where the scanner keeps its incremental state in the diskcache Store (JSON values, hashed keys).

Keys (no paths, no secrets; `<home>` is `cache.home_key`, `<file>` a hash of the file's path):
- `cost:file:<home>:<file>`  one per log: signature (inode, mtime_ns, size), byte offset, a hash of
  the bytes just before the offset (detects a replaced file), reducer state, rows, session id, kind;
- `cost:folder:<home>:<dir>` one per folder of logs: each file's signature, kind, session id, and the
  sum of the folder's per-day/per-model totals for the files it last counted;
- `cost:folderdays:<home>:<dir>` the per-file totals of that folder (read only when one changed);
- `cost:home:<home>`         time-zone and price fingerprints, the session-id index of old logs;
- `cost:result:<home>:…`     the last report for a window (reused for 60 s; then reused again if no
  file changed, which a digest of all signatures tells);
- `cost:last:<home>`         the last complete report, whatever its window (for a stale menu).

Everything is versioned: a parser, reducer or record-format change bumps `SCANNER_VERSION` and old
records are ignored.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from codexbar_core.cache import Store

SCANNER_VERSION = 3
FILE_TTL = 120 * 86400  # a record nobody asked for in four months is a deleted file's


def path_hash(path: str) -> str:
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:24]


def file_key(home: str, ph: str) -> str:
    return f"cost:file:{home}:{ph}"


def home_record_key(home: str) -> str:
    return f"cost:home:{home}"


def shard_key(home: str, folder: str) -> str:
    return f"cost:folder:{home}:{path_hash(folder)}"


def shard_aggs_key(home: str, folder: str) -> str:
    return f"cost:folderdays:{home}:{path_hash(folder)}"


def result_key(home: str, *parts: str) -> str:
    return "cost:result:" + home + ":" + ":".join(parts)


def last_key(home: str) -> str:
    return f"cost:last:{home}"


class StateStore:
    """Batched reads and writes of scanner records; a missing Store makes every call a no-op."""

    def __init__(self, store: Store | None, home: str) -> None:
        self.store = store
        self.home = home
        self.pending: dict[str, str] = {}

    def get(self, key: str) -> Any:
        if self.store is None:
            return None
        value = self.store.get_json(key)
        if isinstance(value, dict) and value.get("v") == SCANNER_VERSION:
            return value
        return None

    def get_file(self, path: str) -> dict[str, Any] | None:
        return self.get(file_key(self.home, path_hash(path)))

    def pending_file(self, path: str) -> dict[str, Any] | None:
        """A record written in this run but not flushed yet."""
        import json

        text = self.pending.get(file_key(self.home, path_hash(path)))
        return json.loads(text) if text else None

    def put_file(self, path: str, record_json: str) -> None:
        """`record_json` is already encoded (workers encode in parallel)."""
        self.pending[file_key(self.home, path_hash(path))] = record_json

    def put(self, key: str, value: Any) -> None:
        import json

        value = dict(value)
        value["v"] = SCANNER_VERSION
        self.pending[key] = json.dumps(value, separators=(",", ":"))

    def flush(self) -> None:
        if self.store is None or not self.pending:
            self.pending.clear()
            return
        try:
            cache = self.store.cache
            with cache.transact():
                for key, text in self.pending.items():
                    expire = FILE_TTL if key.startswith("cost:file:") else None
                    cache.set(key, text, expire=expire)
        except Exception:
            pass  # a broken cache costs a rescan next time, never the report
        self.pending.clear()


def now_s() -> float:
    return time.time()
