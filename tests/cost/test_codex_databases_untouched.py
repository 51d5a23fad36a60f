"""Reading Codex's own databases leaves Codex's home exactly as it was (lib/codexbar_core/codex_sqlite.py).

Codex keeps `state_5.sqlite` and `logs_2.sqlite` in WAL mode and deletes the WAL when it exits
cleanly. A plain read-only SQLite open of such a file creates `-wal` and `-shm` files beside it:
codexbar would be writing into Codex's home, and the next refresh would see a changed home.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.cost.homes import git_meta
from tests.cost.logs import DAY, active, logs_db, tok, turn, write
from tests.cost.test_priority import GPT55_IN, request
from tests.rig.runner import base_env, cost_json


def as_codex_leaves_it(db: Path) -> None:
    """WAL mode, then closed cleanly: the WAL is gone, the header still says WAL."""
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    con.close()
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()


def state_index(home: Path, rows: list[tuple[str, str, str]]) -> None:
    with sqlite3.connect(home / "state_5.sqlite") as con:
        con.execute("CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT, cwd TEXT,"
                    " git_origin_url TEXT, title TEXT, archived INTEGER)")
        con.executemany("INSERT INTO threads (id, cwd, git_origin_url, title) VALUES (?, ?, ?, '')", rows)
    as_codex_leaves_it(home / "state_5.sqlite")


def listing(home: Path) -> dict[str, tuple[int, int]]:
    """Every name in the home with its (mtime, size), and the home folder's own mtime."""
    found = {str(p.relative_to(home)): (p.stat().st_mtime_ns, p.stat().st_size) for p in home.rglob("*")}
    found["."] = (home.stat().st_mtime_ns, 0)
    return found


# A folder name a URI would misread ("#" starts a fragment, "?" the query, "%" an escape). "cut short":
# Codex stopped while closing, after its checkpoint removed the -shm and before it removed the -wal.
@pytest.mark.parametrize(("folder", "close"), [("codex", "clean"), ("my #1 codex? 100%", "clean"),
                                               ("codex", "cut short")])
def test_fast_turns_and_projects_are_read_without_writing_into_codex_home(tmp_path: Path, folder: str,
                                                                          close: str) -> None:
    home = tmp_path / folder
    write(active(home, "s1"), [git_meta("s1", None, None), turn("gpt-5.5", turn_id="t-fast"),
                               tok("12:00:01", last=(1000, 0, 0))])
    state_index(home, [("s1", "/src/gadget", "git@example.com:team/gadget.git")])
    logs_db(home, [request("t-fast")])
    as_codex_leaves_it(home / "logs_2.sqlite")
    if close == "cut short":
        for db in ("state_5.sqlite", "logs_2.sqlite"):
            (home / f"{db}-wal").write_bytes(b"")
    before = listing(home)

    report = cost_json(base_env(tmp_path, home), "--by", "project", "--since", DAY, "--until", DAY)

    assert report["totals"]["totalCost"] == pytest.approx(1000 * GPT55_IN * 2.5)  # the Fast turn was read
    assert [p["project"] for p in report["projects"]] == ["gadget"]  # the thread index was read
    assert listing(home) == before
    left = ["logs_2.sqlite-wal", "state_5.sqlite-wal"] if close == "cut short" else []
    assert sorted(os.listdir(home)) == sorted(["logs_2.sqlite", "sessions", "state_5.sqlite", *left])
