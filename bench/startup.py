#!/usr/bin/env python3
"""Plugin start-up with warm caches vs a bare `python3 -c pass`, measured in the same run.

    .venv/bin/python bench/startup.py [--runs 15]

Sets up a throw-away home whose usage snapshot and cost result are fresh in the cache (so a run
needs no network and no scan), then times `plugins/codexbar.5m.py` end to end, and reports the
medians, their ratio, and which heavy modules a warm run imported (it must import none).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "plugins" / "codexbar.5m.py"
HEAVY = ("httpx", "pexpect", "pyte", "browser_cookie3", "keyring")


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="codexbar-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX", "SWIFTBAR"))}
    env.update(CODEX_HOME=str(tmp / "home"), CODEXBAR_CACHE_DIR=str(tmp / "cache"),
               CODEXBAR_CONFIG_DIR=str(tmp / "config"), CODEX_CLI_PATH=str(tmp / "none"), SWIFTBAR="1")
    (tmp / "home").mkdir()
    sys.path.insert(0, str(ROOT / "lib"))
    from codexbar_core.cache import Store
    from codexbar_core.model import Identity, RateWindow, UsageSnapshot
    from codexbar_core.pipeline import save_good

    store = Store(tmp / "cache")
    snap = UsageSnapshot(source="oauth", primary=RateWindow(30, 300), secondary=RateWindow(60, 10080),
                         identity=Identity(email="bench@example.com", plan="pro"))
    save_good(store, tmp / "home", snap, "auto")
    store.close()
    subprocess.run([str(PLUGIN)], env=env, stdout=subprocess.DEVNULL, check=True)  # warm the cost cache

    python = str(ROOT / ".venv" / "bin" / "python")
    bare, plugin = [], []
    for _ in range(args.runs):
        bare.append(timed([python, "-c", "pass"], env))
        plugin.append(timed([str(PLUGIN)], env))
    probe = subprocess.run([python, "-X", "importtime", str(PLUGIN)], env=env, capture_output=True, text=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in probe.stderr.splitlines() if "|" in line}
    heavy = sorted(m for m in HEAVY if m in imported)
    result = {"runs": args.runs, "bare_python_median_s": round(statistics.median(bare), 4),
              "plugin_warm_median_s": round(statistics.median(plugin), 4),
              "ratio": round(statistics.median(plugin) / statistics.median(bare), 2),
              "heavy_modules_imported": heavy}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
