"""Where a cold cost scan's memory is: per process (main, helper), over time, and by allocation site.

    .venv/bin/python bench/cost_memory.py HOME [--work DIR] [--trace] [--top 15]

Runs `codexbar cost --json --refresh` once with an empty cache folder (under --work) and samples
every process of its tree every 10 ms: VmRSS and VmHWM from /proc/<pid>/status. Prints each
process's peak (VmHWM), the peak of the tree's sum and, at that moment, each process's share.

--trace also runs both processes under tracemalloc (slower, and its bookkeeping adds to RSS: read
its numbers as "where", not "how much"): each process writes a snapshot of the Python heap whenever it
grew by 4 MB and at exit, and the top allocation sites (by line) of each are printed. The snapshots
are taken by a `sitecustomize` the probe puts first on PYTHONPATH; codexbar itself is unchanged.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import runners  # noqa: E402

# Loaded into each traced process: a snapshot whenever the traced heap grew by 4 MB past the last
# one, and one at exit (os._exit too), written to $PROBE_DIR/<pid>-{grow,exit}.snap.
SITECUSTOMIZE = '''
import atexit, os, sys, threading, tracemalloc
_dir = os.environ.get("PROBE_DIR")
if _dir:
    tracemalloc.start(1)
    _last = [0]
    _stop = threading.Event()
    def _dump(tag):
        path = os.path.join(_dir, "%d-%s.snap" % (os.getpid(), tag))
        tracemalloc.take_snapshot().dump(path + ".tmp")
        os.replace(path + ".tmp", path)
    def _watch():
        while not _stop.wait(0.05):
            cur, peak = tracemalloc.get_traced_memory()
            if cur > _last[0] + (4 << 20):
                _last[0] = cur
                _dump("grow")
    threading.Thread(target=_watch, daemon=True).start()
    def _exit():
        if _stop.is_set():
            return
        _stop.set()
        _dump("exit")
        with open(os.path.join(_dir, "%d.argv" % os.getpid()), "w") as f:
            f.write(" ".join(sys.argv) + "\\n%d\\n" % tracemalloc.get_traced_memory()[1])
    atexit.register(_exit)
    _os_exit = os._exit
    def _exit_now(code):
        _exit()
        _os_exit(code)
    os._exit = _exit_now
'''


def status_kb(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) in kB."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        return None
    return rss, hwm


def run(home: Path, work: Path, trace: bool) -> dict[str, Any]:
    cache, config = work / "cache", work / "config"
    for d in (cache, config):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    manifest = __import__("json").loads((home / "gen_manifest.json").read_text())
    import datetime as dt
    cmd = [*runners.codexbar_command(), *runners.codexbar_args(dt.date.fromisoformat(manifest["since"]),
                                                              dt.date.fromisoformat(manifest["until"]))]
    env = runners.codexbar_env(home, cache, config)
    probe_dir = Path(tempfile.mkdtemp(prefix="cost-memory-"))
    if trace:
        (probe_dir / "sitecustomize.py").write_text(SITECUSTOMIZE)
        env["PROBE_DIR"] = str(probe_dir)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(probe_dir), env.get("PYTHONPATH", "")]))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    hwm: dict[int, int] = {}
    names: dict[int, str] = {}
    timeline: list[tuple[float, dict[int, int]]] = []

    def sample() -> None:
        now: dict[int, int] = {}
        for pid in runners.proc_tree(proc.pid):
            st = status_kb(pid)
            if st is None:
                continue
            now[pid] = st[0]
            hwm[pid] = max(hwm.get(pid, 0), st[1])
            if pid not in names:
                try:
                    names[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[-60:]
                except OSError:
                    names[pid] = "?"
        timeline.append((time.perf_counter() - start, now))

    seconds, status, usage = runners.wait_sampling(proc, sample, start, every=0.01)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"codexbar failed: {proc.stderr.read().decode()[-800:] if proc.stderr else ''}")
    hwm[proc.pid] = max(hwm.get(proc.pid, 0), usage.ru_maxrss)
    peak_t, peak_tree = max(timeline, key=lambda tn: sum(tn[1].values()), default=(0.0, {}))
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "root": proc.pid, "hwm": hwm,
            "names": names, "peak_t": peak_t, "peak_tree": peak_tree, "probe_dir": probe_dir,
            "timeline": timeline}


def report_trace(probe_dir: Path, top: int) -> str:
    import tracemalloc

    out = []
    for snap in sorted(probe_dir.glob("*.snap")):
        pid = snap.name.split("-")[0]
        argv = (probe_dir / f"{pid}.argv").read_text().split("\n") if (probe_dir / f"{pid}.argv").exists() else ["?", "0"]
        stats = tracemalloc.Snapshot.load(str(snap)).statistics("lineno")
        total = sum(s.size for s in stats)
        out.append(f"\n{snap.name} ({argv[0][-50:]}; traced peak {int(argv[1] or 0) / 1e6:.1f} MB): "
                   f"{total / 1e6:.1f} MB traced")
        for s in stats[:top]:
            frame = s.traceback[0]
            out.append(f"  {s.size / 1e6:7.2f} MB {s.count:>8} blocks  {frame.filename.split('site-packages/')[-1][-55:]}:{frame.lineno}")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("home", type=Path)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cost-memory-work")
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--timeline", action="store_true", help="print the tree's RSS every 0.5 s")
    args = ap.parse_args()
    r = run(args.home, args.work, args.trace)
    print(f"cold scan of {args.home}: {r['seconds']:.2f} s wall, {r['cpu']:.2f} s CPU (main process)")
    for pid, kb in r["hwm"].items():
        role = "main" if pid == r["root"] else "helper"
        print(f"  {role:6} pid {pid}: peak (VmHWM) {kb / 1024:6.1f} MB   {r['names'].get(pid, '')}")
    tree = r["peak_tree"]
    print(f"  tree sum peak {sum(tree.values()) / 1024:.1f} MB at {r['peak_t']:.2f} s: "
          + ", ".join(f"{'main' if pid == r['root'] else 'helper'} {kb / 1024:.1f}" for pid, kb in tree.items()))
    if args.timeline:
        step = 0.0
        for t, now in r["timeline"]:
            if t >= step:
                print(f"    {t:6.2f} s  " + "  ".join(f"{'main' if pid == r['root'] else 'helper'} {kb / 1024:6.1f}"
                                                  for pid, kb in now.items()))
                step = t + 0.5
    if args.trace:
        print(report_trace(r["probe_dir"], args.top))
    shutil.rmtree(r["probe_dir"], ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
