"""Hostile session logs through `codexbar cost --json`, as a user runs it.

Bad lines (truncated, non-UTF-8, binary, multi-megabyte) are skipped and counted, never fatal; a log
that grows, shrinks or is replaced between runs gives, with the incremental cache, exactly what a
scan with an empty cache gives; a sessions folder full of symlink loops still finishes.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.rig.menu_checks import menu
from tests.rig.runner import cost_json
from tests.rig.todays_logs import events, head, jl, log_path, now_ts, tokens

pytestmark = pytest.mark.faults

def comparable(report: dict[str, Any]) -> dict[str, Any]:
    return {k: report[k] for k in ("daily", "totals", "sessionTokens", "last30DaysTokens", "last30DaysCostUSD",
                                   "unpricedModels", "notes")}


@pytest.fixture
def cost_env(scratch, env_for):
    home = scratch / "codex-home"
    home.mkdir()
    env = env_for(home, TZ="UTC")

    def fresh() -> dict[str, str]:
        """The same home with an empty cache: the oracle for the incremental scan."""
        other = dict(env, CODEXBAR_CACHE_DIR=str(scratch / f"cache-fresh-{os.urandom(3).hex()}"))
        return other

    return home, env, fresh


def test_bad_lines_are_skipped_and_counted_never_fatal(cost_env):
    home, env, _fresh = cost_env
    big = 6 * 1024 * 1024
    data = (head()
            + events(0, 3)
            + tokens(3, 4000, 1000)[:-25] + b"\n"  # truncated mid-write
            + b'{"type":"event_msg","payload":{"type":"token_count","x":"\xff\xfe\xc3\x28"}}\n'  # not UTF-8
            + os.urandom(3000).replace(b"\n", b"") + b"\n"  # binary junk
            # a multi-megabyte tool output that mentions the marker words
            + jl({"timestamp": now_ts(40), "type": "response_item",
                  "payload": {"output": '"token_count" "turn_context" ' + "x" * big}})
            + events(3, 2)
            + b'{"timestamp":"' + b"y" * big)  # a huge last line still being written
    log_path(home).write_bytes(data)
    report = cost_json(env, "--refresh")
    assert report["totals"]["inputTokens"] == 5000, report["totals"]
    assert report["totals"]["outputTokens"] == 500
    assert any("malformed line" in note for note in report["notes"]), report["notes"]
    out = menu(env)
    assert "Cost (local sessions)" in out


def test_a_log_that_grows_shrinks_or_is_replaced_matches_a_full_rescan(cost_env):
    home, env, fresh = cost_env
    path = log_path(home)
    first = head() + events(0, 5)
    states: list[tuple[str, bytes]] = [
        ("new", first),
        ("grown", first + events(5, 4)),
        ("grown mid-line", first + events(5, 4) + events(9, 1)[:40]),
        ("line finished", first + events(5, 5)),
        ("shrunk", first[: len(first) - 30]),  # truncated, then written again by a restarted session
        ("regrown", first + events(5, 2, step=700)),
    ]
    for label, data in states:
        path.write_bytes(data)  # same inode, new size
        assert comparable(cost_json(env, "--refresh")) == comparable(cost_json(fresh(), "--refresh")), label
    # replaced by another file of exactly the same size (new inode), numbers differ
    same_size = head() + events(0, 5, step=2000)
    same_size = same_size[: len(states[-1][1])].ljust(len(states[-1][1]), b"\n")
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(same_size)
    os.replace(tmp, path)
    replaced = cost_json(env, "--refresh")
    assert comparable(replaced) == comparable(cost_json(fresh(), "--refresh"))
    # removed: its tokens leave the report
    path.unlink()
    gone = cost_json(env, "--refresh")
    assert gone["totals"]["inputTokens"] == 0 and comparable(gone) == comparable(cost_json(fresh(), "--refresh"))


def test_a_sessions_folder_full_of_symlink_loops_still_finishes(cost_env):
    home, env, fresh = cost_env
    log_path(home).write_bytes(head() + events(0, 3))
    sessions = home / "sessions"
    legacy = sessions / "legacy"
    legacy.mkdir()
    for name in ("a", "b", "c"):  # three ways back up at every level: exponential if followed blindly
        os.symlink(".", legacy / name)
    os.symlink("../..", sessions / "up")
    os.symlink("archived_sessions", home / "archived_sessions")  # the archive folder is a loop itself
    report = cost_json(env, "--refresh", timeout=30)
    assert report["totals"]["inputTokens"] == 3000
    assert comparable(report) == comparable(cost_json(fresh(), "--refresh", timeout=30))
    assert "Cost (local sessions)" in menu(env)


@pytest.mark.parametrize("kind", ["fifo", "link-to-dev-zero", "folder"])
def test_a_log_that_is_not_a_regular_file_is_ignored(kind, cost_env):
    # A named pipe would block the read forever; /dev/zero never ends (and has no newline to stop at).
    home, env, _fresh = cost_env
    log_path(home).write_bytes(head() + events(0, 3))
    odd = log_path(home, "odd")
    if kind == "fifo":
        os.mkfifo(odd)
    elif kind == "link-to-dev-zero":
        os.symlink("/dev/zero", odd)
    else:
        odd.mkdir()
    report = cost_json(env, "--refresh", timeout=30)
    assert report["totals"]["inputTokens"] == 3000
