"""Whether processes a test started (or its children started) are still running."""

from __future__ import annotations

import time
from collections.abc import Iterable


def alive(pids: Iterable[int]) -> list[int]:
    """The pids that still run (zombies count as gone)."""
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            out.append(pid)
    return out


def wait_gone(pids: Iterable[int], seconds: float = 15.0) -> list[int]:
    """Children may take a moment to be reaped; polls until they are gone and returns any still running
    after `seconds` (a leak). The limit only bounds the wait: a passing run never waits it out."""
    pids = list(pids)
    end = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < end:
        time.sleep(0.02)
    return alive(pids)


def using_env(name: str, value: str) -> list[int]:
    """Live processes (not this one) whose environment sets `name` to `value`: e.g. the detached
    background refresh a plugin run started with this cache folder."""
    import os

    marker = f"{name}={value}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if marker not in fh.read().split(b"\0"):
                    continue
        except OSError:
            continue
        found.append(int(entry))
    return alive(found)
