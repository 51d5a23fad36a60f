"""Codex's thread index (`state_5.sqlite`) lets an unchanged refresh skip the stat of every log
(cost/thread_index.py, cost/index_memo.py, docs/design/thread-index.md). It may only ever make a
refresh cheaper: every refresh must report what a scan from an empty cache reports, whatever the
index says, and an index that cannot be used (absent, locked, another schema, another home's) must
only mean the old walk.
"""

from __future__ import annotations

import datetime as dt
import json
import marshal
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codexbar_core.cache import Store
from codexbar_core.code_stamp import code_stamp
from codexbar_core.cost import index_memo, thread_index
from codexbar_core.cost.store import dumps, loads
from tests.cost.logs import active, append, archived, logs_db, meta, task, tok, turn, write
from tests.rig.runner import ROOT, base_env

sys.path.insert(0, str(ROOT / "bench"))
import thread_db  # noqa: E402

WINDOW = ["--since", "2026-07-01", "--until", "2026-07-31", "--refresh"]
HOUR_NS = 3600 * 1_000_000_000


def run_cost(env: dict[str, str], *args: str) -> tuple[list[dict], str]:
    """(reports, how it was answered: "memo" without listing a folder, "walk" by the quick path's
    walk, "delta" by the full path listing only the folders the index says changed, "full" by the
    full path walking every folder), told apart by what the run imported."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "codexbar_core", "cost", "--json", *args],
                          env=env, capture_output=True, text=True, timeout=60, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr[-2000:]
    walked = "codexbar_core.cost.discover" in proc.stderr
    how = (("full" if walked else "delta") if "codexbar_core.cost.report" in proc.stderr else
           "walk" if walked else "memo")
    return json.loads(proc.stdout), how


def numbers(reports: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "updatedAt"} for r in reports]


def fresh(env: dict[str, str], tmp: Path) -> list[dict]:
    """The same command from an empty cache: what every refresh must equal."""
    cold = tmp / f"cold-{time.monotonic_ns()}"
    reports, how = run_cost(dict(env, CODEXBAR_CACHE_DIR=str(cold)), *WINDOW)
    assert how == "full"
    shutil.rmtree(cold)
    return numbers(reports)


def settle(home: Path) -> None:
    """Everything in the home as if last written an hour ago (what the memo needs to be trusted:
    discover.SETTLED_NS), keeping the order of the mtimes."""
    for path in [home, *home.rglob("*")]:
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - HOUR_NS))


def home_stats(home: Path) -> dict[str, tuple[int, int, int]]:
    """(inode, mtime, size) of the home folder and of everything in it."""
    found = {}
    for path in [home, *home.rglob("*")]:
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        found[str(path.relative_to(home))] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


def changed(before: dict[str, tuple[int, int, int]], after: dict[str, tuple[int, int, int]]) -> dict[str, tuple]:
    return {name: (before.get(name), after.get(name)) for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name)}


def session(home: Path, name: str, tokens: int) -> Path:
    return write(active(home, name), [meta(name), turn("gpt-5.5"), tok("12:00:01", last=(tokens, 0, 10))])


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    home = tmp_path / "codex"
    for number, name in enumerate(("s1", "s2", "s3")):
        session(home, name, 1000 * (number + 1))
    thread_db.write_index(home)
    settle(home)
    return home, base_env(tmp_path, home)


def snapshot_memos(env: dict[str, str]) -> list:
    data = marshal.loads((Path(env["CODEXBAR_CACHE_DIR"]) / "cost-quick.bin").read_bytes())
    return [home.get("index") for home in data["homes"]]


def age_memos(env: dict[str, str], seconds: float) -> None:
    """Make the thread-index memos `seconds` older, both the quick path's copy and the one the full
    path keeps with its saved result (the clock moving on, without waiting)."""
    snapshot = Path(env["CODEXBAR_CACHE_DIR"]) / "cost-quick.bin"
    data = marshal.loads(snapshot.read_bytes())
    for home in data["homes"]:
        home["index"]["made"] -= seconds
    snapshot.write_bytes(marshal.dumps(data))
    store = Store(Path(env["CODEXBAR_CACHE_DIR"]))
    for key in list(store.state_db.iterkeys()):
        if str(key).startswith("cost:result:"):
            record = loads(store.state_db.get(key))
            if record.get("memo"):
                record["memo"]["made"] -= seconds
                store.state_db.set(key, dumps(record))
    store.close()


def uncovered_logs(memo: dict) -> list[str]:
    """The session logs a memo watches by themselves. Codex's log database (logs_2.sqlite and its
    WAL, Fast-tier turns) is always watched beside them, present or not."""
    return [entry[0] for entry in memo["uncovered"] if not Path(entry[0]).name.startswith("logs_2.sqlite")]


# --- reading the index -------------------------------------------------------------------------


def test_rows_are_read_without_creating_or_changing_anything(indexed: tuple[Path, dict[str, str]]) -> None:
    home, _ = indexed
    before = sorted(os.listdir(home))
    db = thread_db.db_path(home)
    content, stamp = db.read_bytes(), thread_index.stamp(home)
    read = thread_index.read_rows(home)
    assert read.usable and sorted(os.path.basename(r.rollout_path) for r in read.rows) == sorted(
        p.name for p in (home / "sessions").rglob("*.jsonl"))
    assert not any(r.archived for r in read.rows)
    assert sorted(os.listdir(home)) == before  # no -wal/-shm left behind by a reader
    assert db.read_bytes() == content and thread_index.stamp(home) == stamp


def test_an_index_that_cannot_be_used_says_why(tmp_path: Path) -> None:
    home = tmp_path / "codex"
    session(home, "s1", 1000)
    assert thread_index.read_rows(home).status == thread_index.ABSENT  # a home from an older Codex
    assert thread_index.stamp(home) is None

    thread_db.db_path(home).write_bytes(b"not a database at all" * 100)
    read = thread_index.read_rows(home)
    assert read.status == thread_index.UNREADABLE and "state_5.sqlite" in read.reason

    thread_db.db_path(home).unlink()
    con = sqlite3.connect(thread_db.db_path(home))
    con.execute("CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT, updated_at INTEGER)")
    con.commit()
    con.close()
    read = thread_index.read_rows(home)
    assert read.status == thread_index.UNKNOWN_SCHEMA and "updated_at_ms" in read.reason

    thread_db.write_index(home)
    assert thread_index.check_rows(thread_index.read_rows(home), [str(home / "sessions")]).usable
    other = thread_index.check_rows(thread_index.read_rows(home), [str(tmp_path / "elsewhere" / "sessions")])
    assert other.status == thread_index.INCONSISTENT and "outside" in other.reason


def copy_row(home: Path, path: str, new_path: str | None = None) -> None:
    """A second row for `path` (another thread id), or with its rollout path set to `new_path`."""
    con = sqlite3.connect(thread_db.db_path(home))
    con.row_factory = sqlite3.Row
    row = dict(con.execute("SELECT * FROM threads WHERE rollout_path = ?", (path,)).fetchone())
    row["id"] = "copy-" + row["id"]
    row["rollout_path"] = new_path or path
    con.execute(f"INSERT INTO threads ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    con.commit()
    con.close()


def test_the_rows_asked_about_are_read_one_at_a_time_with_the_same_checks(indexed: tuple[Path, dict[str, str]]) -> None:
    """`fill_updated` (a first scan's memo) keeps no rows but must answer as `read_rows` + `check_rows`."""
    home, _ = indexed
    roots = [str(home / "sessions"), str(home / "archived_sessions")]
    rows = {row.rollout_path: row.updated_at_ms for row in thread_index.read_rows(home).rows}
    asked, unknown = sorted(rows)[:-1], str(home / "sessions" / "not-in-the-index.jsonl")
    updated: dict[str, int | None] = dict.fromkeys([*asked, unknown])
    assert thread_index.fill_updated(home, roots, updated).usable
    assert updated == {**{path: rows[path] for path in asked}, unknown: None}
    assert thread_index.fill_updated(home, [str(home / "elsewhere")], dict.fromkeys(asked)).status == \
        thread_index.INCONSISTENT
    copy_row(home, sorted(rows)[-1])  # two rows for a path not asked about
    assert thread_index.fill_updated(home, roots, dict.fromkeys(asked)).status == thread_index.INCONSISTENT
    assert not thread_index.check_rows(thread_index.read_rows(home), roots).usable


def test_two_rows_for_one_asked_path_are_inconsistent(indexed: tuple[Path, dict[str, str]]) -> None:
    home, _ = indexed
    roots = [str(home / "sessions"), str(home / "archived_sessions")]
    paths = sorted(row.rollout_path for row in thread_index.read_rows(home).rows)
    copy_row(home, paths[0])
    read = thread_index.fill_updated(home, roots, dict.fromkeys(paths))
    assert read.status == thread_index.INCONSISTENT and "two rows" in read.reason
    thread_db.db_path(home).unlink()
    assert thread_index.fill_updated(home, roots, dict.fromkeys(paths)).status == thread_index.ABSENT


def test_a_locked_index_is_given_up_at_once(tmp_path: Path) -> None:
    """Codex holding an exclusive lock (rollback-journal mode, e.g. after `codex migrate-nfs-db`):
    the reader gives up after its short timeout instead of waiting for Codex."""
    home = tmp_path / "codex"
    session(home, "s1", 1000)
    thread_db.write_index(home)
    con = sqlite3.connect(thread_db.db_path(home), isolation_level=None)
    con.execute("PRAGMA journal_mode = DELETE")
    con.execute("BEGIN EXCLUSIVE")
    try:
        read = thread_index.read_rows(home)
    finally:
        con.execute("ROLLBACK")
        con.close()
    assert read.status == thread_index.LOCKED and not read.rows


# --- refreshes with the index ------------------------------------------------------------------


def test_an_unchanged_home_is_answered_from_the_index_alone(indexed: tuple[Path, dict[str, str]],
                                                            tmp_path: Path) -> None:
    home, env = indexed
    first, how = run_cost(env, *WINDOW)
    assert how == "full" and first[0]["totals"]["inputTokens"] == 6000
    memo = snapshot_memos(env)[0]
    assert memo is not None and uncovered_logs(memo) == []  # every log has its row
    again, how = run_cost(env, *WINDOW)
    assert how == "memo"  # no folder listed, no log stat'ed
    assert numbers(again) == numbers(first) == fresh(env, tmp_path)


def test_a_fast_turn_logged_later_is_seen_although_the_index_holds(tmp_path: Path) -> None:
    """Codex's log database (absent at first) names a turn as Fast-tier later: the session log and the
    index are unchanged, yet the turn now costs more, so the memo must not answer."""
    home = tmp_path / "codex"
    write(active(home, "s1"), [meta("s1"), turn("gpt-5.5"), task("t-1"), tok("12:00:01", last=(1000, 0, 10))])
    thread_db.write_index(home)
    settle(home)
    env = base_env(tmp_path, home)
    standard, _ = run_cost(env, *WINDOW)
    _, how = run_cost(env, *WINDOW)
    assert how == "memo"
    logs_db(home, ['turn{turn.id=t-1}: websocket request: {"type":"response.create","service_tier":"priority"}'],
            at=1)
    fast, how = run_cost(env, *WINDOW)
    assert how in ("delta", "full")  # the folders the index points at, or all of them
    assert fast[0]["totals"]["totalCost"] == pytest.approx(standard[0]["totals"]["totalCost"] * 2.5)
    assert numbers(fast) == fresh(env, tmp_path)


def test_an_append_codex_records_is_seen(indexed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    home, env = indexed
    run_cost(env, *WINDOW)
    log = active(home, "s2")
    append(log, [tok("12:05:00", last=(500, 0, 5))])
    thread_db.touch_row(home, log)  # as Codex does after each append
    after, how = run_cost(env, *WINDOW)
    assert how == "delta" and after[0]["totals"]["inputTokens"] == 6500
    assert numbers(after) == fresh(env, tmp_path)


def test_new_removed_and_archived_logs_are_seen(indexed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    home, env = indexed
    run_cost(env, *WINDOW)
    session(home, "s4", 400)  # a new name changes its folder's mtime, even before Codex adds its row
    grown, how = run_cost(env, *WINDOW)
    assert how == "delta" and grown[0]["totals"]["inputTokens"] == 6400

    thread_db.write_index(home)
    settle(home)
    run_cost(env, *WINDOW)
    moved = archived(home, "rollout-2026-07-11T12-00-00-s1")
    moved.parent.mkdir()
    os.rename(active(home, "s1"), moved)  # `codex archive`: a rename, the row follows
    thread_db.write_index(home)
    after, how = run_cost(env, *WINDOW)
    assert how == "full" and numbers(after) == numbers(grown) == fresh(env, tmp_path)

    settle(home)
    run_cost(env, *WINDOW)
    moved.unlink()
    gone, how = run_cost(env, *WINDOW)
    assert how == "full" and gone[0]["totals"]["inputTokens"] == 5400 and numbers(gone) == fresh(env, tmp_path)


def test_a_log_the_index_does_not_know_is_watched_by_itself(indexed: tuple[Path, dict[str, str]],
                                                           tmp_path: Path) -> None:
    """A log without a row (a legacy nested folder, written by a Codex without the index) is stat'ed
    on every refresh: a write to it is seen at once, though the index does not move."""
    home, env = indexed
    legacy = write(home / "sessions" / "old-layout" / "rollout-legacy.jsonl",
                   [meta("legacy"), turn("gpt-5.5"), tok("12:00:01", last=(700, 0, 7))])
    settle(home)
    first, how = run_cost(env, *WINDOW)
    assert how == "full" and first[0]["totals"]["inputTokens"] == 6700
    assert uncovered_logs(snapshot_memos(env)[0]) == [str(legacy)]
    assert run_cost(env, *WINDOW)[1] == "memo"
    append(legacy, [tok("12:09:00", last=(300, 0, 3))])
    after, how = run_cost(env, *WINDOW)
    assert how == "full" and after[0]["totals"]["inputTokens"] == 7000 and numbers(after) == fresh(env, tmp_path)


def test_a_fork_parent_outside_the_listed_folders_is_watched(tmp_path: Path) -> None:
    """A fork's parent that discovery does not list (a folder inside a date folder) but the report
    read: rewriting it changes the fork's numbers, so it is watched like a log without a row."""
    home = tmp_path / "codex"
    parent = write(home / "sessions" / "2026" / "07" / "11" / "nested" / "rollout-parent.jsonl",
                   [meta("parent", "10:00:00"), turn("gpt-5.5"), tok("10:00:01", total=(500, 0, 50))])
    write(active(home, "child"), [meta("child", "11:00:00", parent="parent"), turn("gpt-5.5"),
                                  tok("11:00:01", total=(600, 0, 60))])
    thread_db.write_index(home)  # both have their rows
    settle(home)
    env = base_env(tmp_path, home)
    first, _ = run_cost(env, *WINDOW)
    assert first[0]["totals"]["inputTokens"] == 100  # the child's own part
    assert run_cost(env, *WINDOW)[1] == "memo"
    write(parent, [meta("parent", "10:00:00"), turn("gpt-5.5"), tok("10:00:01", total=(550, 0, 50))])
    after, how = run_cost(env, *WINDOW)
    assert how == "full" and after[0]["totals"]["inputTokens"] == 50 and numbers(after) == fresh(env, tmp_path)


def test_a_change_the_index_misses_is_found_by_the_periodic_walk(indexed: tuple[Path, dict[str, str]],
                                                                 tmp_path: Path) -> None:
    home, env = indexed
    run_cost(env, *WINDOW)
    append(active(home, "s1"), [tok("12:07:00", last=(250, 0, 2))])  # by hand: no row changes
    assert run_cost(env, *WINDOW)[1] == "memo"  # unseen while the memo is young
    age_memos(env, index_memo.VERIFY_EVERY_S)  # the memo has had its time
    after, how = run_cost(env, *WINDOW)
    assert how == "full" and after[0]["totals"]["inputTokens"] == 6250 and numbers(after) == fresh(env, tmp_path)


def test_a_confirming_walk_renews_the_memo(indexed: tuple[Path, dict[str, str]]) -> None:
    home, env = indexed
    run_cost(env, *WINDOW)
    age_memos(env, index_memo.VERIFY_EVERY_S)
    assert run_cost(env, *WINDOW)[1] == "walk"  # nothing changed: the walk confirms the snapshot
    assert run_cost(env, *WINDOW)[1] == "memo"  # and the memo it left holds again


@pytest.mark.parametrize("damage", ["absent", "unknown-schema", "recent"])
def test_without_a_usable_index_every_refresh_walks(indexed: tuple[Path, dict[str, str]], tmp_path: Path,
                                                    damage: str) -> None:
    home, env = indexed
    db = thread_db.db_path(home)
    if damage == "absent":
        db.unlink()
    elif damage == "unknown-schema":
        con = sqlite3.connect(db)
        con.execute("ALTER TABLE threads RENAME COLUMN updated_at_ms TO updated_ms")
        con.commit()
        con.close()
        settle(home)
    else:  # written moments ago (here: stamped ahead of the clock): a later write could share its mtime
        ahead = time.time_ns() + HOUR_NS
        os.utime(db, ns=(ahead, ahead))
    run_cost(env, *WINDOW)
    assert snapshot_memos(env) == [None]
    assert run_cost(env, *WINDOW)[1] == "walk"
    append(active(home, "s3"), [tok("12:08:00", last=(100, 0, 1))])
    after, how = run_cost(env, *WINDOW)
    assert how == "full" and after[0]["totals"]["inputTokens"] == 6100 and numbers(after) == fresh(env, tmp_path)


# --- a changed home: only the folders the index points at are listed ---------------------------

DAY_B = "2026-07-12"
SUBAGENT = {"subagent": {"thread_spawn": {"parent_thread_id": "s1"}}}


def set_row(home: Path, path: Path, *, old: Path | None = None, seconds_only: bool = False) -> None:
    """What Codex writes for a rollout after an append, a new session or a move (`old`: the path the
    row had). `seconds_only`: a writer that sets only `updated_at`, leaving `updated_at_ms` to the
    trigger (up to 999 ms behind the file)."""
    ms = path.stat().st_mtime_ns // 1_000_000
    con = thread_db.connect(home)
    try:
        if seconds_only:
            con.execute("UPDATE threads SET updated_at = ? WHERE rollout_path = ?", (ms // 1000 + 1, os.fspath(path)))
            return
        con.execute("DELETE FROM threads WHERE rollout_path = ?", (os.fspath(old or path),))
        con.execute("INSERT INTO threads (id, rollout_path, created_at, updated_at, source, model_provider, cwd, "
                    "title, sandbox_policy, approval_mode, archived, created_at_ms, updated_at_ms) VALUES "
                    "(?, ?, ?, ?, 'cli', 'openai', '/work', '', 'read-only', 'on-request', ?, ?, ?)",
                    (path.stem, os.fspath(path), ms // 1000, ms // 1000,
                     int(path.parent.name == "archived_sessions"), ms, ms))
    finally:
        con.close()


def drop_row(home: Path, path: Path) -> None:
    con = thread_db.connect(home)
    try:
        con.execute("DELETE FROM threads WHERE rollout_path = ?", (os.fspath(path),))
    finally:
        con.close()


def two_days(tmp_path: Path, without_rows: tuple[str, ...] = ()) -> tuple[Path, dict[str, str]]:
    """Two date folders of two sessions each and an archived one, indexed (but for `without_rows`:
    an index an older Codex left incomplete), settled; one full run made the memo."""
    home = tmp_path / "codex"
    session(home, "s1", 1000)
    session(home, "s2", 2000)
    for name, tokens in (("s3", 3000), ("s4", 4000)):
        write(active(home, name, DAY_B), [meta(name, day=DAY_B), turn("gpt-5.5", day=DAY_B),
                                          tok("12:00:01", day=DAY_B, last=(tokens, 0, 10))])
    write(archived(home, "rollout-2026-07-10T12-00-00-a1"),
          [meta("a1", day="2026-07-10"), turn("gpt-5.5", day="2026-07-10"),
           tok("12:00:01", day="2026-07-10", last=(500, 0, 5))])
    logs = sorted(p for p in home.rglob("*.jsonl") if not any(name in p.name for name in without_rows))
    settle(home)
    old = archived(home, "rollout-2026-07-10T12-00-00-a1")
    os.utime(old, ns=(old.stat().st_atime_ns, old.stat().st_mtime_ns - HOUR_NS))  # archived long ago
    for log in (active(home, "s3", DAY_B), active(home, "s4", DAY_B)):  # written before the other day's
        os.utime(log, ns=(log.stat().st_atime_ns, log.stat().st_mtime_ns - HOUR_NS // 2))
    thread_db.write_index(home, logs)  # rows no newer than their rollouts, as Codex leaves them
    thread_db.settle(home)
    db = thread_db.db_path(home)  # its last write a minute after the newest row (a row of another home)
    os.utime(db, ns=(db.stat().st_atime_ns, db.stat().st_mtime_ns + 60 * 1_000_000_000))
    env = base_env(tmp_path, home)
    assert run_cost(env, *WINDOW)[1] == "full"
    assert run_cost(env, *WINDOW)[1] == "memo"
    return home, env


def _append(home: Path) -> None:
    append(active(home, "s2"), [tok("12:05:00", last=(500, 0, 5))])
    set_row(home, active(home, "s2"))


def _new_session(home: Path) -> None:
    set_row(home, session(home, "s5", 700))


def _new_fork(home: Path) -> None:
    set_row(home, write(active(home, "f1", DAY_B), [meta("f1", "12:00:02", parent="s1", day=DAY_B),
                                                    turn("gpt-5.5", day=DAY_B),
                                                    tok("12:30:00", day=DAY_B, total=(1600, 0, 20))]))


def _new_subagent(home: Path) -> None:
    set_row(home, write(active(home, "k1", DAY_B), [meta("k1", "12:00:05", parent="s1", source=SUBAGENT, day=DAY_B),
                                                    turn("gpt-5.5", day=DAY_B),
                                                    tok("12:30:00", day=DAY_B, total=(900, 0, 9))]))


def _archive(home: Path) -> None:
    moved = archived(home, "rollout-2026-07-11T12-00-00-s1")
    os.rename(active(home, "s1"), moved)  # `codex archive`: a rename, the row follows
    set_row(home, moved, old=active(home, "s1"))


def _unarchive(home: Path) -> None:
    back = active(home, "a1", "2026-07-10")
    back.parent.mkdir(parents=True, exist_ok=True)
    os.rename(archived(home, "rollout-2026-07-10T12-00-00-a1"), back)
    set_row(home, back, old=archived(home, "rollout-2026-07-10T12-00-00-a1"))


def _delete(home: Path) -> None:
    active(home, "s2").unlink()
    drop_row(home, active(home, "s2"))


def _no_row(home: Path) -> None:
    session(home, "s6", 600)  # a Codex without the index wrote it: no row, only its folder's mtime moves


def _copy(home: Path) -> None:
    copy = active(home, "s3", DAY_B).with_name("rollout-2026-07-11T13-00-00-copy.jsonl")
    shutil.copy(active(home, "s3", DAY_B), active(home, "s1").parent / copy.name)


def _seconds_row(home: Path) -> None:
    append(active(home, "s4", DAY_B), [tok("12:06:00", day=DAY_B, last=(40, 0, 1))])
    set_row(home, active(home, "s4", DAY_B), seconds_only=True)


def _older_codex(home: Path) -> None:
    append(active(home, "s3", DAY_B), [tok("12:07:00", day=DAY_B, last=(30, 0, 1))])  # no row to update


CHANGES = {  # name: (the change, how the refresh after it is answered)
    "append": (_append, "delta"),
    "new session": (_new_session, "delta"),
    "new fork": (_new_fork, "full"),  # its parent is in a folder that did not change: all folders
    "new subagent": (_new_subagent, "full"),
    "archive move": (_archive, "full"),  # archived_sessions/ is not a date folder
    "unarchive": (_unarchive, "full"),
    "delete": (_delete, "delta"),
    "a log with no row": (_no_row, "delta"),
    "a same-session copy": (_copy, "full"),  # its session id is also in a folder that did not change
    "a row with only updated_at": (_seconds_row, "delta"),
    "an index missing rows": (_older_codex, "delta"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_refresh_from_the_changed_folders_equals_a_full_rescan(tmp_path: Path, change: str) -> None:
    """Whatever Codex (or a Codex without the index) did, the refresh that lists only the folders the
    index points at reports exactly what a scan from an empty cache reports, and falls back to
    walking every folder where it cannot tell; the refresh after it agrees too."""
    home, env = two_days(tmp_path, without_rows=("s3",) if change == "an index missing rows" else ())
    before, _ = run_cost(env, *WINDOW)
    apply, expected = CHANGES[change]
    apply(home)
    after, how = run_cost(env, *WINDOW)
    assert how == expected
    assert numbers(after) == fresh(env, tmp_path)
    # a move keeps the numbers, and a copy of a session counts once
    assert (numbers(after) == numbers(before)) == (change in ("archive move", "unarchive", "a same-session copy"))
    again, how = run_cost(env, *WINDOW)
    assert how in ("delta", "memo", "walk", "full") and numbers(again) == numbers(after)


def drop_saved_ids(env: dict[str, str]) -> int:
    """Lose every folder's saved session ids (`cost:folderids:…`, kept apart from the folder heads:
    a damaged or partly written cache); how many records were dropped."""
    store = Store(Path(env["CODEXBAR_CACHE_DIR"]))
    keys = [key for key in store.state_db.iterkeys() if str(key).startswith("cost:folderids:")]
    for key in keys:
        store.state_db.delete(key)
    store.close()
    return len(keys)


@pytest.mark.parametrize("change", ["append", "a same-session copy"])
def test_lost_session_ids_of_kept_folders_are_looked_for_only_when_needed(tmp_path: Path, change: str) -> None:
    """A kept folder's session ids are read only when a new id has to be looked for in it: an append
    needs none and is still answered from the changed folder; a copy of a kept session needs them,
    and without them every folder is walked. Both report what a scan from an empty cache reports."""
    home, env = two_days(tmp_path)
    assert drop_saved_ids(env) >= 2
    apply, expected = CHANGES[change]
    apply(home)
    after, how = run_cost(env, *WINDOW)
    assert how == expected
    assert numbers(after) == fresh(env, tmp_path)


def test_a_change_only_the_periodic_walk_can_see_is_caught_by_it(tmp_path: Path) -> None:
    """A log edited by hand in a folder the index says nothing about, while Codex writes elsewhere:
    the refresh from the changed folders cannot see it; the full walk after VERIFY_EVERY_S does."""
    home, env = two_days(tmp_path)
    append(active(home, "s3", DAY_B), [tok("12:08:00", day=DAY_B, last=(77, 0, 1))])  # no row moves
    _append(home)  # Codex appends in the other folder
    seen, how = run_cost(env, *WINDOW)
    assert how == "delta" and seen[0]["totals"]["inputTokens"] == 10500 + 500  # the append only
    age_memos(env, index_memo.VERIFY_EVERY_S)
    after, how = run_cost(env, *WINDOW)
    assert how == "full" and after[0]["totals"]["inputTokens"] == 10500 + 500 + 77
    assert numbers(after) == fresh(env, tmp_path)


def leave_alone(home: Path, folder: Path) -> None:
    """Codex's database and `folder` as if last written a minute ago (the logs keep their mtimes):
    what a memo made after a refresh needs (folder_listing.SETTLED_NS)."""
    for path in [thread_db.db_path(home), Path(f"{thread_db.db_path(home)}-wal"), folder]:
        if path.exists():
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 60 * 1_000_000_000))


def test_a_refresh_from_the_changed_folders_renews_the_memo(tmp_path: Path) -> None:
    """After Codex wrote and then left the home alone, the refresh that relisted the changed folders
    leaves a memo that answers the next unchanged refresh without listing anything, and still sees
    the next change."""
    home, env = two_days(tmp_path)
    _append(home)
    _new_session(home)
    leave_alone(home, active(home, "s1").parent)
    after, how = run_cost(env, *WINDOW)
    assert how == "delta" and after[0]["totals"]["inputTokens"] == 10500 + 500 + 700
    again, how = run_cost(env, *WINDOW)
    assert how == "memo" and numbers(again) == numbers(after) == fresh(env, tmp_path)
    append(active(home, "s1"), [tok("12:09:00", last=(60, 0, 1))])
    set_row(home, active(home, "s1"))
    later, how = run_cost(env, *WINDOW)
    assert how == "delta" and later[0]["totals"]["inputTokens"] == 10500 + 500 + 700 + 60
    assert numbers(later) == fresh(env, tmp_path)


def test_an_index_changed_to_point_elsewhere_means_a_walk(tmp_path: Path) -> None:
    """A changed row naming a rollout outside this home's folders: the index is not trusted for this
    refresh, every folder is walked."""
    home, env = two_days(tmp_path)
    _append(home)
    con = thread_db.connect(home)
    try:
        con.execute("UPDATE threads SET rollout_path = '/elsewhere/rollout.jsonl', updated_at_ms = ? "
                    "WHERE rollout_path = ?", (time.time_ns() // 1_000_000, os.fspath(active(home, "s1"))))
    finally:
        con.close()
    after, how = run_cost(env, *WINDOW)
    assert how == "full" and numbers(after) == fresh(env, tmp_path)


# --- the real Codex CLI ------------------------------------------------------------------------


@pytest.mark.realcli
def test_real_codex_sessions_resumes_forks_and_archives(codex_bin: Path, backend, scratch: Path, env_for) -> None:
    """What the real Codex 0.169.0 writes: its index covers every rollout it made (new, resumed,
    forked, archived, unarchived: docs/design/thread-index.md), and after each step the refresh reports what a scan from an
    empty cache does; once the home has been left alone, an unchanged refresh needs only the memo."""
    from tests.rig.codex_exec import codex_on_fake_provider
    from tests.rig.responses_api import ResponsesAPI
    from tests.rig.served import assert_matches

    api = ResponsesAPI()
    codex = codex_on_fake_provider(codex_bin, backend, api.handle, scratch, env_for)
    home, project, env = codex.home, codex.project, env_for(codex.home)
    today = dt.datetime.now(dt.timezone.utc).date()
    window = ["--since", str(today - dt.timedelta(days=1)), "--until", str(today + dt.timedelta(days=1)), "--refresh"]

    def check(step: str) -> None:
        reports, how = run_cost(env, *window)
        assert how in ("full", "delta"), step  # every folder, or those the index points at
        cold_cache = scratch / f"cold-{step}"
        fresh_reports, _ = run_cost(dict(env, CODEXBAR_CACHE_DIR=str(cold_cache)), *window)
        shutil.rmtree(cold_cache)
        assert numbers(reports) == numbers(fresh_reports), step
        settle(home)  # as if an hour had passed: the index can vouch for the home now
        before_memo = home_stats(home)
        run_cost(env, *window)
        memo = snapshot_memos(env)[0]
        assert memo is not None and uncovered_logs(memo) == [], step  # every rollout has its row
        settled, code = home_stats(home), code_stamp()
        again, how = run_cost(env, *window)
        # The snapshot is also keyed by the code (code_stamp.py): editing the package during the run is a change too.
        assert how == "memo", (step, "what changed in the home while the memo was made:",
                               changed(before_memo, settled), "and since:", changed(settled, home_stats(home)),
                               "code changed:", code != code_stamp())
        assert numbers(again) == numbers(fresh_reports), step
        assert_matches(again[0], api.served, dt.timezone.utc)  # and exactly what the backend served

    codex.exec("--skip-git-repo-check", "-m", "gpt-5-codex", "run one command please [tool]")
    codex.exec("--skip-git-repo-check", "-m", "gpt-5", "say hi")
    check("new")
    first = thread_index.read_rows(home).rows
    assert len(first) == 2 and not any(row.archived for row in first)
    codex.exec("resume", "--last", "--skip-git-repo-check", "-m", "gpt-5.2-codex", "follow-up [tool]")
    check("resume")
    thread_id = Path(min(first, key=lambda r: r.updated_at_ms).rollout_path).stem[-36:]
    codex.exec("--skip-git-repo-check", "-m", "gpt-5", "fork", thread_id, "forked prompt")
    check("fork")
    run = subprocess.run([str(codex_bin), "archive", thread_id], cwd=project, env=codex.env,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = thread_index.read_rows(home).rows
    assert [row.archived for row in rows if thread_id in row.rollout_path] == [True]
    check("archive")
    run = subprocess.run([str(codex_bin), "unarchive", thread_id], cwd=project, env=codex.env,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    check("unarchive")


def test_lost_session_ids_are_saved_again_by_the_next_change_of_their_folder(tmp_path: Path) -> None:
    """The ids record is not rewritten when an append leaves names and ids as they were, but one that
    went missing is: the folder's later refreshes stand by its head again."""
    home, env = two_days(tmp_path)
    dropped = drop_saved_ids(env)
    _append(home)
    after, how = run_cost(env, *WINDOW)
    assert how in ("delta", "full") and numbers(after) == fresh(env, tmp_path)
    store = Store(Path(env["CODEXBAR_CACHE_DIR"]))
    kept = [key for key in store.state_db.iterkeys() if str(key).startswith("cost:folderids:")]
    store.close()
    assert 1 <= len(kept) <= dropped  # the appended folder's ids are back
