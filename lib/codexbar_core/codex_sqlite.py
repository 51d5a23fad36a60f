"""Opening Codex's own SQLite databases (`state_5.sqlite`, `logs_2.sqlite`) read-only, without ever
changing Codex's home (docs/decisions/codex-databases.md).

Codex keeps these databases in WAL mode and deletes the WAL when it closes them cleanly. A plain
`mode=ro` connection to such a database *creates* empty `-wal` and `-shm` files beside it and leaves
them there: codexbar would be writing into Codex's home, and the home's folder would look changed to
the next refresh. Without a WAL the main file only changes by a checkpoint, so it is read
`immutable` (no locks, nothing created); so is a WAL left without its `-shm` (a close cut short after
its checkpoint); with a WAL and its `-shm` it is read `mode=ro`, which never blocks Codex.
Only `os` is imported here: the warm paths that import this module must stay cheap.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3


def is_wal(db: str) -> bool:
    """Whether the database file's header says WAL (read/write versions 2 at offsets 18-19)."""
    try:
        with open(db, "rb") as fh:
            header = fh.read(20)
    except OSError:
        return False
    return header[:16] == b"SQLite format 3\x00" and header[18:20] == b"\x02\x02"


def connect_readonly(db: str, timeout_s: float) -> sqlite3.Connection:
    """A query-only connection to `db` that creates no file; raises `sqlite3.Error` like `connect`."""
    import sqlite3
    from urllib.parse import quote

    # No -wal: the main file holds everything. A -wal without its -shm: Codex was stopped in the middle
    # of closing the database, after its checkpoint (SQLite removes the -shm only once every frame is
    # in the main file) and before it removed the -wal; `mode=ro` would create a -shm in Codex's home.
    wal = is_wal(db)
    settled = wal and (not os.path.exists(db + "-wal") or not os.path.exists(db + "-shm"))
    flags = "mode=ro&immutable=1" if settled else "mode=ro"
    con = sqlite3.connect(f"file:{quote(db)}?{flags}", uri=True, timeout=timeout_s,
                          isolation_level=None, check_same_thread=False)
    try:
        con.execute("PRAGMA query_only = 1")
    except sqlite3.Error:
        con.close()
        raise
    return con
