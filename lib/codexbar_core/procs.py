"""Child processes we started, so none outlives the plugin run.

Every `codex` child is started in its own session (so its pid is also its process-group id) and
registered here. `stop(pid)` ends one child's whole process tree (the npm wrapper `codex.js` plus
the native binary it spawns): SIGTERM to the group, a short grace, SIGKILL, then reap.
`kill_all()` does that for everything still registered (and removes their scratch folders);
budgeted_menu.py calls it before leaving early.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Any

_lock = threading.Lock()
# pid -> the Popen (reaped through it) or None (a raw pid, e.g. a pexpect child, reaped by waitpid)
_children: dict[int, subprocess.Popen[Any] | None] = {}
# scratch folders of running children, removed by kill_all when the plugin leaves early
_folders: set[str] = set()
# set by kill_all: the process is leaving, a worker thread must not start anything new
_closed = False


class Closed(OSError):
    """A child was about to start after kill_all(): refused."""


def reopen() -> None:
    """Allow children again after kill_all() (tests; a long-lived caller)."""
    global _closed
    with _lock:
        _closed = False


def track_folder(path: str) -> None:
    with _lock:
        _folders.add(path)


def untrack_folder(path: str) -> None:
    with _lock:
        _folders.discard(path)


def spawn(argv: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """`subprocess.Popen` in a new session, registered for `kill_all`."""
    kwargs["start_new_session"] = True
    with _lock:
        if _closed:
            raise Closed("codexbar is exiting")
        proc = subprocess.Popen(argv, **kwargs)
        _children[proc.pid] = proc
    return proc


def register(pid: int) -> None:
    """Track a child started elsewhere (pexpect); it must lead its own process group.

    Raises Closed after kill_all(); the caller must then end the child itself.
    """
    with _lock:
        if _closed:
            raise Closed("codexbar is exiting")
        _children.setdefault(pid, None)


def live_pids() -> list[int]:
    with _lock:
        return list(_children)


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
    except OSError:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def _group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if sys.platform.startswith("linux"):
        # Zombies still count for killpg: the CLI's native child, orphaned when the npm wrapper dies,
        # waits for PID 1 to reap it, which can take a while in containers. Dead is dead.
        return _live_member_on_linux(pid)
    return True


def _live_member_on_linux(pgid: int) -> bool:
    try:
        entries = os.listdir("/proc")
    except OSError:
        return True
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != b"Z":
            return True
    return False


def _reap(pid: int, handle: subprocess.Popen[Any] | None) -> bool:
    """Collect the exit status if the child is gone; True when it is."""
    if handle is not None:
        return handle.poll() is not None
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # not our child any more (reaped elsewhere)
    return done == pid


def _wait_gone(pid: int, handle: subprocess.Popen[Any] | None, seconds: float) -> bool:
    """Reap the leader and wait for every member of its group to be gone; False on time-out."""
    end = time.monotonic() + seconds
    while True:
        if _reap(pid, handle) and not _group_alive(pid):
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.01)


def stop(pid: int, grace: float = 1.0) -> None:
    """End `pid`'s process group: SIGTERM, wait up to `grace`, SIGKILL, reap. Idempotent."""
    with _lock:
        handle = _children.get(pid)
    if handle is not None and handle.stdin is not None:
        try:
            handle.stdin.close()  # a well-behaved app-server exits on EOF
        except OSError:
            pass
    _signal_group(pid, signal.SIGTERM)
    if not _wait_gone(pid, handle, grace):
        _signal_group(pid, signal.SIGKILL)
        if not _wait_gone(pid, handle, 2.0):
            _signal_group(pid, signal.SIGKILL)  # a member that was forking meanwhile
    with _lock:
        _children.pop(pid, None)


def kill_all(grace: float = 0.3) -> None:
    """Stop every registered child and refuse new ones (called before the plugin exits without
    waiting for its worker threads)."""
    global _closed
    with _lock:
        _closed = True
    for pid in live_pids():
        try:
            stop(pid, grace)
        except Exception:
            pass
    with _lock:
        folders = list(_folders)
        _folders.clear()
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
