"""diskcache wrapper: one owner-only SQLite-backed store for snapshots and cookies; beside it, the cost
scanner's own database (`state_db`, cost/state_db.py).

Values are stored as JSON text (never pickles), so a cache written by one version cannot execute
code in another and stays readable by hand. Keys never contain secrets: homes are identified by a
hash of their path.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from codexbar_core import paths
from codexbar_core.digests import sha256_hex

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.cost.state_db import StateDB


# Values up to this size stay inside SQLite instead of a file each: the cost scan's state is a few
# hundred values of up to a few MB, and thousands of small files made a cold scan slow to save.
INLINE_LIMIT = 8 * 1024 * 1024


def home_key(codex_home: Path | str) -> str:
    """Short stable id for a Codex home (used in cache keys)."""
    resolved = os.path.realpath(os.path.expanduser(str(codex_home)))
    return sha256_hex(resolved.encode("utf-8", "surrogateescape"))[:16]


class Store:
    """Thin JSON layer over `diskcache.Cache`; opened lazily so a run that needs nothing pays nothing."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or paths.cache_dir()
        self._cache: Any = None
        self._state_db: StateDB | None = None

    @property
    def state_db(self) -> StateDB:
        """The cost scanner's own database in this folder (cost/state_db.py), opened on first use."""
        if self._state_db is None:
            from codexbar_core.cost.state_db import StateDB

            self._state_db = StateDB(self.directory)
        return self._state_db

    @property
    def cache(self) -> Any:
        if self._cache is None:
            import diskcache

            old = os.umask(0o077)  # SQLite creates cache.db, -wal, -shm with the umask
            try:
                self._cache = diskcache.Cache(str(self.directory / "diskcache"), timeout=10,
                                              size_limit=2**30, disk_min_file_size=INLINE_LIMIT)
            finally:
                os.umask(old)
        return self._cache

    def get_json(self, key: str, default: Any = None) -> Any:
        try:
            raw = self.cache.get(key)
        except Exception:  # a damaged cache must never break the menu
            return default
        if raw is None:
            return default
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            return default

    def set_json(self, key: str, value: Any, expire: float | None = None) -> None:
        try:
            self.cache.set(key, json.dumps(value, separators=(",", ":")), expire=expire)
        except Exception:
            pass

    def delete(self, key: str) -> None:
        try:
            self.cache.delete(key)
        except Exception:
            pass

    def delete_prefix(self, prefix: str) -> int:
        n = 0
        try:
            for key in list(self.cache.iterkeys()):
                if isinstance(key, str) and key.startswith(prefix):
                    n += bool(self.cache.delete(key))
        except Exception:
            pass
        return n

    def close(self) -> None:
        if self._state_db is not None:
            self._state_db.close()
        if self._cache is not None:
            try:
                self._cache.close()
            except Exception:
                pass
            self._cache = None
