"""procs: a child's whole process tree is ended and reaped, even a grandchild that ignores SIGTERM."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from codexbar_core import procs
from tests.rig.procs import wait_gone

# A parent that starts a SIGTERM-ignoring grandchild in the same process group, prints its pid, then waits.
TREE = """
import os, signal, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"],
    stdout=subprocess.PIPE)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(60)
"""


def start_tree() -> tuple[subprocess.Popen, int]:
    proc = procs.spawn([sys.executable, "-c", TREE], stdout=subprocess.PIPE, stdin=subprocess.PIPE)
    grandchild = int(proc.stdout.readline())
    return proc, grandchild


def test_stop_ends_the_whole_group_and_reaps():
    proc, grandchild = start_tree()
    assert os.getpgid(proc.pid) == proc.pid  # its own group, so the plugin's own group is never hit
    procs.stop(proc.pid, grace=0.3)
    assert proc.returncode is not None  # reaped: no zombie left
    assert not wait_gone([grandchild])
    assert proc.pid not in procs.live_pids()
    proc.stdout.close()


def test_kill_all_stops_every_registered_child_and_refuses_new_ones(tmp_path):
    trees = [start_tree() for _ in range(2)]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    procs.track_folder(str(scratch))
    try:
        procs.kill_all(grace=0.2)
        assert procs.live_pids() == []
        assert not scratch.exists()
        with pytest.raises(procs.Closed):
            procs.spawn([sys.executable, "-c", "pass"])
    finally:
        procs.reopen()
    for proc, grandchild in trees:
        assert proc.returncode is not None
        assert not wait_gone([grandchild])
        proc.stdout.close()


def test_stop_is_idempotent_for_a_child_that_already_exited():
    proc = procs.spawn([sys.executable, "-c", "pass"])
    proc.wait()
    procs.stop(proc.pid)
    procs.stop(proc.pid)
    assert proc.pid not in procs.live_pids()
