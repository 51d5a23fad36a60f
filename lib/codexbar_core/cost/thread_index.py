"""Read Codex's own thread index, `$CODEX_HOME/state_5.sqlite` (table `threads`), without disturbing Codex.

Codex 0.169.0 keeps one row per session with the rollout's path, `updated_at_ms` (set on every
append, within a few ms of the file's mtime) and `archived`. Discovery uses it to know which logs can
have changed without a stat of every file (docs/design/thread-index.md says how far it can be trusted).

Only ever read: a `mode=ro` URI connection (never writes, never checkpoints the WAL; `immutable`
when there is no WAL, so nothing is created either), `query_only`, and a short busy timeout so a Codex in the middle of a write is never waited for
long (a reader does not block a WAL writer; the timeout only matters while Codex holds an exclusive
lock, e.g. during a migration). Anything unexpected is a typed `IndexRead` with a `reason`, never an
exception: the caller then walks the folders as before.

`stamp()` is the cheap part (two stats, no sqlite3 import): it changes whenever Codex writes the
database or its WAL, so an unchanged stamp means no row changed.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # `typing` costs ~4 ms; the quick path imports this module for `stamp()`
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Callable

FILE_NAME = "state_5.sqlite"
TABLE = "threads"
# the columns read; any other shape of the table is an "unknown schema"
COLUMNS = ("rollout_path", "updated_at_ms", "archived")
BUSY_TIMEOUT_S = 0.05

# IndexRead.status values (plain strings: no `enum` import on the quick path)
OK = "ok"
ABSENT = "absent"  # no database: a home written by a Codex without the index, or none yet
LOCKED = "locked"  # Codex holds a lock longer than BUSY_TIMEOUT_S
UNKNOWN_SCHEMA = "unknown-schema"  # no `threads` table, or without the columns above
UNREADABLE = "unreadable"  # not a database, damaged, no permission
INCONSISTENT = "inconsistent"  # rows that cannot describe this home (see `check_rows`)


class ThreadRow:
    """One session as the index records it: where its rollout is, when it was last written, archived."""

    __slots__ = ("rollout_path", "updated_at_ms", "archived")

    def __init__(self, rollout_path: str, updated_at_ms: int, archived: bool) -> None:
        self.rollout_path = rollout_path
        self.updated_at_ms = updated_at_ms
        self.archived = archived

    def __repr__(self) -> str:
        return f"ThreadRow({self.rollout_path!r}, {self.updated_at_ms}, archived={self.archived})"


class IndexRead:
    """The outcome of reading the index: `status` OK with `rows`, or why it cannot be used."""

    __slots__ = ("status", "reason", "rows")

    def __init__(self, status: str, reason: str = "", rows: list[ThreadRow] | None = None) -> None:
        self.status = status
        self.reason = reason
        self.rows = rows if rows is not None else []

    @property
    def usable(self) -> bool:
        return self.status == OK

    def __repr__(self) -> str:
        return f"IndexRead({self.status!r}, {self.reason!r}, {len(self.rows)} rows)"


def index_path(codex_home: Path | str) -> str:
    return os.path.join(os.fspath(codex_home), FILE_NAME)


Stamp = tuple  # (db ino, mtime_ns, size, wal mtime_ns, wal size); -1 where a file is missing


def stamp(codex_home: Path | str) -> Stamp | None:
    """The database's and its WAL's identity and (mtime, size); None without a database."""
    db = index_path(codex_home)
    try:
        st = os.stat(db)
    except OSError:
        return None
    try:
        wal = os.stat(db + "-wal")
        wal_part = (wal.st_mtime_ns, wal.st_size)
    except OSError:
        wal_part = (-1, -1)
    return (st.st_ino, st.st_mtime_ns, st.st_size) + wal_part


def newest_ns(found: Stamp) -> int:
    """The later of the database's and the WAL's mtime."""
    return max(found[1], found[3])


def read_rows(codex_home: Path | str, timeout_s: float = BUSY_TIMEOUT_S, since_ms: int | None = None) -> IndexRead:
    """Every row's (rollout path, updated_at_ms, archived), read-only; never raises. `since_ms`: only
    the rows with `updated_at_ms` at or after it (Codex's own `idx_threads_updated_at_ms` finds them
    without reading the table)."""
    rows: list[ThreadRow] = []

    def keep(path: str, updated: int, archived: Any) -> str | None:
        rows.append(ThreadRow(path, updated, bool(archived)))
        return None

    read = _each_row(codex_home, timeout_s, since_ms, keep)
    return IndexRead(OK, "", rows) if read.usable else read


def fill_updated(codex_home: Path | str, roots: list[str], updated: dict[str, int | None],
                 timeout_s: float = BUSY_TIMEOUT_S) -> IndexRead:
    """`updated_at_ms` of the rollout paths asked about (`updated`: path -> None, filled in place),
    with the checks of `read_rows` and `check_rows`, each row let go once looked at: 50,000 rows kept
    as a list are ~10 MB at the end of a first scan (docs/design/cost-memory.md). Rows for other
    paths are checked for duplicates by their hash only: a collision can only make the index look
    inconsistent (the next refresh walks), never vouch for a log. The result holds no rows."""
    prefixes = tuple(os.path.join(root, "") for root in roots)
    others: set[int] = set()
    missing = object()
    get = updated.get

    def fill(path: str, updated_ms: int, _archived: Any) -> str | None:
        if not path.startswith(prefixes):
            return "a rollout path outside this home's session folders"
        have = get(path, missing)
        if have is missing:
            key = hash(path)
            if key in others:
                return "two rows for one rollout path"
            others.add(key)
        elif have is not None:
            return "two rows for one rollout path"
        else:
            updated[path] = updated_ms  # the key stays the caller's string
        return None

    return _each_row(codex_home, timeout_s, None, fill)


def _each_row(codex_home: Path | str, timeout_s: float, since_ms: int | None,
              visit: Callable[[str, int, Any], str | None]) -> IndexRead:
    """Hand each row to `visit` as it is read (it returns why the rows are inconsistent, or None);
    OK with no rows, or why the index cannot be used. Never raises."""
    db = index_path(codex_home)
    if not os.path.isfile(db):
        return IndexRead(ABSENT, f"no {FILE_NAME} in the Codex home")
    import sqlite3

    from codexbar_core.codex_sqlite import connect_readonly

    try:  # never creates a file in Codex's home, never blocks Codex (codex_sqlite.py)
        con = connect_readonly(db, timeout_s)
    except sqlite3.Error as exc:
        return IndexRead(UNREADABLE, f"cannot open {FILE_NAME}: {exc}")
    bad = None
    try:
        present = {row[1] for row in con.execute(f"PRAGMA table_info({TABLE})")}
        if not present:
            return IndexRead(UNKNOWN_SCHEMA, f"{FILE_NAME} has no {TABLE} table")
        missing = [name for name in COLUMNS if name not in present]
        if missing:
            return IndexRead(UNKNOWN_SCHEMA, f"{TABLE} lacks {', '.join(missing)}")
        query = f"SELECT {', '.join(COLUMNS)} FROM {TABLE}"
        cursor = (con.execute(query) if since_ms is None
                  else con.execute(query + " WHERE updated_at_ms >= ?", (since_ms,)))
        for path, updated, archived in cursor:
            if not isinstance(path, str) or not isinstance(updated, int) or isinstance(updated, bool):
                bad = f"a {TABLE} row without a path or an integer updated_at_ms"
            else:
                bad = visit(path, updated, archived)
            if bad is not None:
                break
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return IndexRead(LOCKED, f"{FILE_NAME} is locked by Codex")
        return IndexRead(UNREADABLE, f"cannot read {FILE_NAME}: {text}")
    except sqlite3.Error as exc:
        return IndexRead(UNREADABLE, f"cannot read {FILE_NAME}: {exc}")
    finally:
        con.close()
    return IndexRead(INCONSISTENT, bad) if bad is not None else IndexRead(OK)


def check_rows(read: IndexRead, roots: list[str]) -> IndexRead:
    """`read`, or INCONSISTENT when its rows cannot describe the logs under `roots`: a rollout path
    outside them (an index copied from another machine or home) or two rows for one path."""
    if not read.usable:
        return read
    prefixes = tuple(os.path.join(root, "") for root in roots)
    seen: set[str] = set()
    for row in read.rows:
        if not row.rollout_path.startswith(prefixes):
            return IndexRead(INCONSISTENT, "a rollout path outside this home's session folders")
        if row.rollout_path in seen:
            return IndexRead(INCONSISTENT, "two rows for one rollout path")
        seen.add(row.rollout_path)
    return read


def rows_by_id(codex_home: Path | str, ids: list[str], timeout_s: float = BUSY_TIMEOUT_S) -> dict[str, tuple[str, int]] | None:
    """id -> (rollout path, updated_at_ms) of these threads (the primary key finds each), or None
    when the index cannot be read as `read_rows` reads it. Never raises."""
    db = index_path(codex_home)
    if not os.path.isfile(db):
        return None
    import sqlite3

    from codexbar_core.codex_sqlite import connect_readonly

    found: dict[str, tuple[str, int]] = {}
    try:
        con = connect_readonly(db, timeout_s)
    except sqlite3.Error:
        return None
    try:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            query = f"SELECT id, rollout_path, updated_at_ms FROM {TABLE} WHERE id IN ({','.join('?' * len(chunk))})"
            for thread, path, updated in con.execute(query, chunk):
                if isinstance(path, str) and isinstance(updated, int) and not isinstance(updated, bool):
                    found[thread] = (path, updated)
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return found
