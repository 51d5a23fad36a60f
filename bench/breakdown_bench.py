#!/usr/bin/env python3
"""What `codexbar cost --by session` costs over `--by day`, cold and warm, on one generated home.

    .venv/bin/python bench/breakdown_bench.py HOME [--runs 3]

HOME is made by bench/gen_home.py (its gen_manifest.json gives the window). Runs, interleaved so
load on a shared machine hits both alike, each the median of --runs (wall time, and CPU time of the
command and its scan helper, which a loaded machine disturbs far less):

  cold day      `codexbar cost --json --by day --refresh` with an empty cache folder
  cold session  the same with `--by session`
  warm session  `--by session --refresh` again on the unchanged home (per-file state and facts kept)
  warm day      the same with `--by day`
  append        `--by session --refresh` after one token_count line was appended to one log

The append run works in a scratch home of hard links whose newest date folder is copied for real,
so HOME itself is never changed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import runners  # noqa: E402

CPU: dict[str, list[float]] = {}  # CPU seconds (user + sys, the process and its helper) per kind of run


def run(home: Path, work: Path, by: str, fresh: bool, since: str, until: str) -> tuple[float, dict]:
    cache, config = work / "cache", work / "config"
    if fresh:
        shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    config.mkdir(parents=True, exist_ok=True)
    args = [*runners.codexbar_command(), "cost", "--json", "--by", by, "--since", since, "--until", until,
            "--refresh"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(args, env=runners.codexbar_env(home, cache, config), capture_output=True, text=True,
                          check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(by + (" cold" if fresh else " warm"), []).append(cpu)
    return wall, json.loads(proc.stdout)[0]


def scratch_home(home: Path, dest: Path) -> Path:
    """A home of hard links (no bytes copied) with the newest date folder copied for real."""
    shutil.copytree(home, dest, copy_function=os.link)
    newest = max((dest / "sessions").glob("*/*/*"))
    for log in newest.glob("*.jsonl"):
        data = log.read_bytes()
        log.unlink()
        log.write_bytes(data)
    return newest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("home", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    manifest = json.loads((args.home / "gen_manifest.json").read_text())
    since, until = manifest["since"], manifest["until"]
    tmp = Path(tempfile.mkdtemp(prefix="codexbar-bd-bench-", dir="/var/tmp"))
    times: dict[str, list[float]] = {"cold day": [], "cold session": [], "warm session": [], "warm day": []}
    try:
        for _ in range(args.runs):
            t, day = run(args.home, tmp / "d", "day", True, since, until)
            times["cold day"].append(t)
            t, ses = run(args.home, tmp / "s", "session", True, since, until)
            times["cold session"].append(t)
            times["warm day"].append(run(args.home, tmp / "d", "day", False, since, until)[0])
            times["warm session"].append(run(args.home, tmp / "s", "session", False, since, until)[0])
        sessions = ses["sessions"]
        assert sum(s["totalTokens"] for s in sessions) == day["totals"]["totalTokens"]
        # incremental: one appended event in a scratch home, after a warm run
        home2 = tmp / "home2"
        newest = scratch_home(args.home, home2)
        run(home2, tmp / "a", "session", True, since, until)
        log = sorted(newest.glob("*.jsonl"))[0]
        with open(log, "rb") as handle:
            last = [line for line in handle.read().splitlines() if b'"token_count"' in line][-1]
        with open(log, "ab") as handle:
            handle.write(last + b"\n")
        t_append, after = run(home2, tmp / "a", "session", False, since, until)
        times["append session"] = [t_append]
        print(f"{args.home.name}: {len(sessions)} sessions, {len(after['sessions'])} after the append")
        for name, values in times.items():
            print(f"  {name:<15} {statistics.median(values) * 1000:8.0f} ms   ({', '.join(f'{v:.2f}' for v in values)})")
        ratio = statistics.median(times["cold session"]) / statistics.median(times["cold day"])
        print(f"  cold session / cold day = {ratio:.2f} (wall)")
        for name, values in sorted(CPU.items()):
            print(f"  cpu {name:<13} {statistics.median(values) * 1000:8.0f} ms")
        cpu_ratio = statistics.median(CPU["session cold"]) / statistics.median(CPU["day cold"])
        print(f"  cold session / cold day = {cpu_ratio:.2f} (CPU time, steadier on a loaded machine)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
