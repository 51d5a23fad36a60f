"""The scan helper process (cost/worker.py): started and stopped.

A first scan of a big home splits its files with this second process. Its interpreter takes
~50 ms to start, so cost_report starts it before discovery when a first scan is coming and the
scanner takes it over (or stops it when the scan turns out small).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any


def start_helper() -> Any:
    """A scan helper process (cost/worker.py) waiting for its job on stdin, or None if it cannot start.
    Started before discovery on a first scan, its interpreter start-up overlaps our own work."""
    import subprocess

    # The helper sees exactly the import path we have (the plugin adds lib/ itself at run time).
    lib = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([lib, *(p for p in sys.path if p)]))
    try:
        return subprocess.Popen([sys.executable, "-m", "codexbar_core.cost.worker"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    except OSError:
        return None


def stop_helper(proc: Any) -> None:
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()
