#!/usr/bin/env python3
"""`codexbar statusline` and the plugin's start-up on the warm path, vs a bare `python3 -c pass`.

    .venv/bin/python bench/statusline.py [--runs 21]

Sets up a throw-away home whose usage snapshot and cost result are cached (as after a menu run),
then times, interleaved so load changes hit all alike, the medians of:
  - bare:        .venv/bin/python -c pass
  - statusline:  .venv/bin/codexbar statusline --host H, for each host (target: ≤ 30 ms)
  - plugin:      plugins/codexbar.5m.py (the checkout; target ≤ 3× bare)
  - copied:      a copy of the plugin found through the install record (minimal PATH)
  - local-bin:   a copy found through ~/.local/bin/codexbar (as after pipx)
and which modules a warm statusline imported beyond the interpreter's own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PLUGIN = ROOT / "plugins" / "codexbar.5m.py"


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def setup(tmp: Path) -> dict[str, str]:
    """A home with cached usage and cost of its own (plugin runs rewrite the cache: not shared)."""
    tmp.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX", "SWIFTBAR", "XDG_"))}
    env.update(HOME=str(tmp / "home"), CODEX_HOME=str(tmp / "codex"), CODEXBAR_CACHE_DIR=str(tmp / "cache"),
               CODEXBAR_CONFIG_DIR=str(tmp / "config"), CODEX_CLI_PATH=str(tmp / "none"), SWIFTBAR="1",
               CODEXBAR_NO_NOTIFY="1", PATH="/usr/bin:/bin")
    (tmp / "codex").mkdir()
    (tmp / "home").mkdir()
    sys.path.insert(0, str(ROOT / "lib"))
    from codexbar_core.cache import Store
    from codexbar_core.model import Identity, RateWindow, UsageSnapshot
    from codexbar_core.pipeline import save_good

    store = Store(tmp / "cache")
    snap = UsageSnapshot(source="oauth", primary=RateWindow(30, 300), secondary=RateWindow(60, 10080),
                         identity=Identity(email="bench@example.com", plan="pro"))
    save_good(store, tmp / "codex", snap, "auto")
    store.close()
    subprocess.run([str(PLUGIN)], env=env, stdout=subprocess.DEVNULL, check=True)  # cost cached, menu.json
    subprocess.run([str(VENV_BIN / "codexbar"), "install-plugin", "--record-only"], env=env,
                   stdout=subprocess.DEVNULL, check=True)
    return env


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="codexbar-bench-statusline-"))
    try:
        env = setup(tmp / "statusline")
        copied = tmp / "plugins" / PLUGIN.name
        copied.parent.mkdir()
        shutil.copy2(PLUGIN, copied)
        env_local = setup(tmp / "local-bin")
        (Path(env_local["HOME"]) / ".config/codexbar/install-location").unlink()
        (Path(env_local["HOME"]) / ".local/bin").mkdir(parents=True)
        (Path(env_local["HOME"]) / ".local/bin/codexbar").symlink_to(VENV_BIN / "codexbar")
        cases: dict[str, tuple[list[str], dict[str, str]]] = {
            "bare": ([str(VENV_BIN / "python"), "-c", "pass"], env)}
        for host in ("plain", "tmux", "waybar", "i3blocks"):
            cases[f"statusline {host}"] = ([str(VENV_BIN / "codexbar"), "statusline", "--host", host], env)
        cases["plugin (checkout)"] = ([str(PLUGIN)], setup(tmp / "checkout"))
        cases["plugin copied (record)"] = ([str(copied)], setup(tmp / "record"))
        cases["plugin copied (~/.local/bin)"] = ([str(copied)], env_local)
        for cmd, case_env in cases.values():  # warm every path once (menu.json, statusline.json, bytecode)
            subprocess.run(cmd, env=case_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (cmd, case_env) in cases.items():
                times[name].append(timed(cmd, case_env))
        probe = subprocess.run([str(VENV_BIN / "python"), "-X", "importtime", str(VENV_BIN / "codexbar"),
                                "statusline"], env=env, capture_output=True, text=True)
        bare_probe = subprocess.run([str(VENV_BIN / "python"), "-X", "importtime", "-c", "pass"], env=env,
                                    capture_output=True, text=True)

        def modules(stderr: str) -> set[str]:
            return {line.split("|")[-1].strip() for line in stderr.splitlines() if "|" in line} - {"package"}

        bare = statistics.median(times["bare"])
        result = {"runs": args.runs, "load_average": os.getloadavg()[0]}
        for name, values in times.items():
            median = statistics.median(values)
            result[name] = {"median_ms": round(median * 1000, 1), "x_bare": round(median / bare, 2)}
        result["statusline_imports_beyond_bare"] = sorted(modules(probe.stderr) - modules(bare_probe.stderr))
        print(json.dumps(result, indent=2, ensure_ascii=False))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
