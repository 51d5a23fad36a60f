"""(module) A Codex thread index, `state_5.sqlite`, for generated homes: the `threads` table exactly as
the real Codex CLI 0.169.0 creates it (`.schema` of a home it wrote; docs/design/thread-index.md),
its `updated_at_ms` index and triggers, in WAL mode, one row per rollout.

Used by gen_home.py (`--thread-index`), cost_bench.py (appending an event updates the row, as Codex
does) and the tests of cost/thread_index.py.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path

THREADS_SQL = """CREATE TABLE threads (
    id TEXT PRIMARY KEY,
    rollout_path TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    model_provider TEXT NOT NULL,
    cwd TEXT NOT NULL,
    title TEXT NOT NULL,
    sandbox_policy TEXT NOT NULL,
    approval_mode TEXT NOT NULL,
    tokens_used INTEGER NOT NULL DEFAULT 0,
    has_user_event INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    archived_at INTEGER,
    git_sha TEXT,
    git_branch TEXT,
    git_origin_url TEXT
, cli_version TEXT NOT NULL DEFAULT '', first_user_message TEXT NOT NULL DEFAULT '', agent_nickname TEXT, agent_role TEXT, memory_mode TEXT NOT NULL DEFAULT 'enabled', model TEXT, reasoning_effort TEXT, agent_path TEXT, created_at_ms INTEGER, updated_at_ms INTEGER, thread_source TEXT, preview TEXT NOT NULL DEFAULT '', recency_at INTEGER NOT NULL DEFAULT 0, recency_at_ms INTEGER NOT NULL DEFAULT 0, history_mode TEXT NOT NULL DEFAULT 'legacy', name TEXT, is_pinned INTEGER NOT NULL DEFAULT 0, thread_section_id TEXT
    REFERENCES thread_sections(id) ON DELETE SET NULL, section_position INTEGER, section_entered_at_ms INTEGER, project_id TEXT
    REFERENCES projects(id) ON DELETE SET NULL, originator TEXT, daybreak_enabled BOOLEAN, creator_user_id TEXT, creator_account_id TEXT, attached_thread_parent_id TEXT)"""  # noqa: E501
EXTRA_SQL = [
    "CREATE INDEX idx_threads_updated_at_ms ON threads(updated_at_ms DESC, id DESC)",
    "CREATE INDEX idx_threads_archived ON threads(archived)",
    """CREATE TRIGGER threads_updated_at_ms_after_update
AFTER UPDATE OF updated_at ON threads
WHEN NEW.updated_at != OLD.updated_at
 AND NEW.updated_at_ms IS OLD.updated_at_ms
BEGIN
    UPDATE threads
    SET updated_at_ms = NEW.updated_at * 1000
    WHERE id = NEW.id;
END""",
]
_SID = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$")


def db_path(home: Path) -> Path:
    return home / "state_5.sqlite"


def connect(home: Path) -> sqlite3.Connection:
    con = sqlite3.connect(db_path(home), isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    return con


def thread_id(path: Path) -> str:
    found = _SID.search(path.name)
    return found.group(1) if found else path.stem


def write_index(home: Path, paths: list[Path] | None = None) -> int:
    """(Re)create the index with one row per rollout (all of them by default), updated_at_ms = the
    file's mtime in ms as Codex leaves it; returns the number of rows."""
    db = db_path(home)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if paths is None:
        paths = sorted(p for root in ("sessions", "archived_sessions") for p in (home / root).rglob("*.jsonl"))
    con = connect(home)
    try:
        con.execute(THREADS_SQL)
        for sql in EXTRA_SQL:
            con.execute(sql)
        con.execute("BEGIN")
        for path in paths:
            st = path.stat()
            ms = st.st_mtime_ns // 1_000_000
            archived = int(path.parent.name == "archived_sessions")
            con.execute("INSERT OR REPLACE INTO threads (id, rollout_path, created_at, updated_at, source, "
                        "model_provider, cwd, title, sandbox_policy, approval_mode, archived, cli_version, "
                        "created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, 'cli', 'openai', '/work', '', "
                        "'read-only', 'on-request', ?, '0.169.0', ?, ?)",
                        (thread_id(path) + ("-a" if archived else ""), os.fspath(path), ms // 1000, ms // 1000,
                         archived, ms, ms))
        con.execute("COMMIT")
    finally:
        con.close()
    return len(paths)


def touch_row(home: Path, path: Path) -> None:
    """What Codex does after appending to a rollout: its row's updated_at(_ms) become the file's mtime."""
    ms = path.stat().st_mtime_ns // 1_000_000
    con = connect(home)
    try:
        con.execute("UPDATE threads SET updated_at = ?, updated_at_ms = ? WHERE rollout_path = ?",
                    (ms // 1000, ms, os.fspath(path)))
    finally:
        con.close()


def settle(home: Path) -> None:
    """The index's mtime set to its newest rollout's, as Codex leaves it after its last write (a
    database written moments ago is not trusted for a while: docs/design/thread-index.md)."""
    newest = max((p.stat().st_mtime_ns for root in ("sessions", "archived_sessions")
                  for p in (home / root).rglob("*.jsonl")), default=0)
    newest = min(newest, time.time_ns() - 60 * 1_000_000_000)  # gen_home dates today's sessions ahead
    for suffix in ("", "-wal"):
        path = Path(f"{db_path(home)}{suffix}")
        if path.exists():
            os.utime(path, ns=(newest, newest))
