#!/usr/bin/env python3
"""Instructions (not seconds) that a cold scan's per-file work costs, and where they go.

    .venv/bin/python bench/parse_instructions.py HOME [--files 300] [--top 25]

Runs `filerecord.scan_batch` (parse, reduce, price, build each file's record) over --files logs of
HOME, spread over its days, under valgrind's cachegrind, once with and once without the scan, and
prints the difference: user-space instructions in all and per C function (the regex engine, the
interpreter, msgspec, the allocator). On a shared machine seconds move by 2x with other people's
load; instruction counts do not, so a change to parse.py / line_rules.py / typed_lines.py can be
judged while others work. Reading the files is kernel time and not counted. Needs valgrind.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(home: Path, count: int, scan: bool) -> None:
    """What runs under valgrind: the same set-up either way; the scan only when `scan`."""
    sys.path.insert(0, str(ROOT / "lib"))
    from codexbar_core.cost.filerecord import gc_paused, scan_batch
    from codexbar_core.cost.parse import load_hot_lines
    from codexbar_core.cost.pricing import load_price_table

    load_hot_lines()  # as in a cold scan's helper process (worker.py)
    prices = load_price_table(None)
    logs = sorted(str(p) for p in home.rglob("*.jsonl"))
    logs = logs[::max(1, len(logs) // count)][:count]
    batch = []
    for path in logs:
        st = os.stat(path)
        batch.append((path, (st.st_ino, st.st_mtime_ns, st.st_size), None))
    if scan:
        with gc_paused():
            scan_batch(batch, prices)


def cachegrind(args: list[str], out: Path) -> None:
    subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}",
                    sys.executable, __file__, *args], check=True, capture_output=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("home", type=Path)
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--top", type=int, default=25, help="how many functions to list")
    ap.add_argument("--child", choices=("setup", "scan"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.home, args.files, args.child == "scan")
        return 0
    if not all(shutil.which(tool) for tool in ("valgrind", "cg_diff", "cg_annotate")):
        print("needs valgrind (cachegrind, cg_diff, cg_annotate)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        base, scan, diff = Path(tmp, "setup.out"), Path(tmp, "scan.out"), Path(tmp, "diff.out")
        common = [str(args.home), "--files", str(args.files), "--child"]
        cachegrind([*common, "setup"], base)
        cachegrind([*common, "scan"], scan)
        diff.write_text(subprocess.run(["cg_diff", str(base), str(scan)], check=True, capture_output=True,
                                       text=True).stdout)
        report = subprocess.run(["cg_annotate", str(diff)], check=True, capture_output=True, text=True).stdout
    rows = [line for line in report.splitlines() if "(" in line and line.strip()[:1].isdigit()]
    print(f"scan_batch over {args.files} logs of {args.home} (set-up subtracted), user-space instructions:")
    for line in rows[:args.top + 1]:  # the first row is the program total
        count, _, where = line.strip().partition("  ")
        print(f"  {count}  {where.rsplit('/', 1)[-1]}")  # file:function without the build's directories
    return 0


if __name__ == "__main__":
    sys.exit(main())
