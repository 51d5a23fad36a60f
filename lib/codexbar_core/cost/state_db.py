"""The cost scanner's state on disk: one SQLite table of key -> value, `cost-state.sqlite` in the cache
folder (docs/design/cost-engine.md, "State database").

Why not the shared diskcache store it lived in before: a refresh after one appended event is mostly
start-up, and importing diskcache (with pickle, tempfile, threading, shutil and more) cost ~7 ms of
it, opening it ~1 ms more, and its per-value bookkeeping (sizes, eviction, tags) buys the scanner
nothing. The scanner needs get, a batch of writes in one transaction, an expiry for per-file state
nobody asks for, and to survive a damaged file; that is this module. Values are JSON text or the
zlib bytes store.py packs, stored as they come (TEXT or BLOB).

Owner-only (created under umask 077, then chmod 600), WAL so a menu run and the helper process can
write while another reads, `synchronous=NORMAL` (a crash loses at most the last scan's state, never
the database). A file SQLite calls damaged (not a database, malformed) is removed and started afresh:
a damaged state costs one rescan, never the report. Busy or full-disk errors are left to the caller,
which treats every failure as "nothing saved".
"""

from __future__ import annotations

import os
import sqlite3
import time

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import Any

FILE_NAME = "cost-state.sqlite"
SCHEMA = 1  # PRAGMA user_version
_LIVE = "(expires IS NULL OR expires > ?)"


def _damaged(exc: sqlite3.Error) -> bool:
    """SQLite says the file is not a sound database (as opposed to busy, read-only or full)."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


class StateDB:
    """A small diskcache-like face (get, set, delete, iterkeys, transact, close) over one table."""

    def __init__(self, directory: Path | str) -> None:
        self.path = os.path.join(str(directory), FILE_NAME)
        self._con: sqlite3.Connection | None = None
        self._depth = 0  # open transact() blocks

    # -- connection --

    def _connect(self) -> sqlite3.Connection:
        if self._con is None:
            try:
                self._con = self._open()
            except sqlite3.DatabaseError as exc:
                if not _damaged(exc):
                    raise
                self._start_afresh()
                self._con = self._open()
        return self._con

    def _open(self) -> sqlite3.Connection:
        old = os.umask(0o077)  # SQLite creates the database, -wal and -shm with the umask
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        finally:
            os.umask(old)
        try:
            con.execute("PRAGMA synchronous=NORMAL")
            # after a checkpoint the WAL is cut back to this instead of staying at its largest (~4 MB)
            con.execute("PRAGMA journal_size_limit=1048576")
            if con.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("BEGIN IMMEDIATE")
                con.execute("DROP TABLE IF EXISTS state")
                # `expires` before `value`: the expiry sweep never reads a long value's overflow pages
                con.execute("CREATE TABLE state (key TEXT PRIMARY KEY, expires REAL, value)")
                con.execute(f"PRAGMA user_version={SCHEMA}")
                con.execute("COMMIT")
                os.chmod(self.path, 0o600)
        except BaseException:
            con.close()
            raise
        return con

    def _start_afresh(self) -> None:
        """Remove a damaged database (and its WAL) so the next open creates an empty one."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(self.path + suffix)
            except FileNotFoundError:
                pass

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._connect().execute(sql, params)
        except sqlite3.DatabaseError as exc:
            if not _damaged(exc) or self._depth:
                raise
            self._start_afresh()
            return self._connect().execute(sql, params)

    def close(self) -> None:
        """Close the connection (the last one to close folds the WAL into the database)."""
        con, self._con = self._con, None
        if con is not None:
            try:
                con.close()
            except sqlite3.Error:
                pass

    # -- values --

    def get(self, key: str) -> str | bytes | None:
        row = self._run(f"SELECT value FROM state WHERE key = ? AND {_LIVE}", (key, time.time())).fetchone()
        return None if row is None else row[0]

    def get_many(self, keys: list[str]) -> dict[str, str | bytes]:
        """The live values of these keys, in one query per few hundred keys."""
        found: dict[str, str | bytes] = {}
        now = time.time()
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            marks = ",".join("?" * len(part))
            found.update(self._run(f"SELECT key, value FROM state WHERE key IN ({marks}) AND {_LIVE}",
                                   (*part, now)).fetchall())
        return found

    def set(self, key: str, value: str | bytes, expire: float | None = None) -> None:
        expires = None if expire is None else time.time() + expire
        self._run("INSERT OR REPLACE INTO state (key, expires, value) VALUES (?, ?, ?)", (key, expires, value))

    def delete(self, key: str) -> bool:
        return self._run("DELETE FROM state WHERE key = ?", (key,)).rowcount > 0

    def delete_prefix(self, prefix: str) -> int:
        """Remove every key starting with `prefix` (a range, not LIKE: no escaping of `_` or `%`)."""
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\U0010ffff"
        return self._run("DELETE FROM state WHERE key >= ? AND key < ?", (prefix, end)).rowcount

    def sweep(self) -> None:
        """Drop values past their expiry."""
        self._run("DELETE FROM state WHERE expires IS NOT NULL AND expires <= ?", (time.time(),))

    def iterkeys(self) -> Iterator[str]:
        for (key,) in self._run("SELECT key FROM state ORDER BY key").fetchall():
            yield key

    def transact(self) -> _Transaction:
        """`with db.transact():` the writes inside commit together, or not at all."""
        return _Transaction(self)


class _Transaction:
    __slots__ = ("db",)

    def __init__(self, db: StateDB) -> None:
        self.db = db

    def __enter__(self) -> StateDB:
        if self.db._depth == 0:
            self.db._run("BEGIN IMMEDIATE")
        self.db._depth += 1
        return self.db

    def __exit__(self, kind: Any, value: Any, trace: Any) -> None:
        self.db._depth -= 1
        con = self.db._con
        if self.db._depth or con is None:
            return
        try:
            con.execute("COMMIT" if kind is None else "ROLLBACK")
        except sqlite3.Error:
            if con.in_transaction:  # a failed COMMIT (a full disk) can leave it open
                try:
                    con.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            if kind is None:
                raise
