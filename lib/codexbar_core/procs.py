"""Child processes we started, so none outlives the plugin run.

Every `codex` child is started in its own session (so its pid is also its process-group id) and
registered here. `stop(pid)` ends one child's whole process tree (the npm wrapper `codex.js` plus
the native binary it spawns): SIGTERM to the group, a short grace, SIGKILL, then reap.
`kill_all()` does that for everything still registered; menu_run.py calls it before leaving early.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from typing import Any

_lock = threading.Lock()
# pid -> the Popen (reaped through it) or None (a raw pid, e.g. a pexpect child, reaped by waitpid)
_children: dict[int, subprocess.Popen[Any] | None] = {}


def spawn(argv: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """`subprocess.Popen` in a new session, registered for `kill_all`."""
    kwargs["start_new_session"] = True
    proc = subprocess.Popen(argv, **kwargs)
    with _lock:
        _children[proc.pid] = proc
    return proc


def register(pid: int) -> None:
    """Track a child started elsewhere (pexpect); it must lead its own process group."""
    with _lock:
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
    return True


def _reap(pid: int, handle: subprocess.Popen[Any] | None) -> bool:
    """Collect the exit status if the child is gone; True when it is."""
    if handle is not None:
        return handle.poll() is not None
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # not our child any more (reaped elsewhere)
    return done == pid


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
    end = time.monotonic() + grace
    while time.monotonic() < end:
        leader_gone = _reap(pid, handle)
        if leader_gone and not _group_alive(pid):
            break
        time.sleep(0.02)
    else:
        _signal_group(pid, signal.SIGKILL)
        end = time.monotonic() + 2.0
        while not _reap(pid, handle) and time.monotonic() < end:
            time.sleep(0.01)
    if _group_alive(pid):
        # the leader is gone but a grandchild kept the group: finish it off
        _signal_group(pid, signal.SIGKILL)
    with _lock:
        _children.pop(pid, None)


def kill_all(grace: float = 0.3) -> None:
    """Stop every registered child (called before the plugin exits without waiting for workers)."""
    for pid in live_pids():
        try:
            stop(pid, grace)
        except Exception:
            pass
