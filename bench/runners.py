"""Run ccusage and codexbar on a Codex home the way a user does, and read their per-day numbers.

Both tools only ever see the command line: `ccusage codex daily --json --offline --timezone UTC
--speed standard` and `codexbar cost --json --since --until --refresh` (docs/reference/command-line.md),
each with `CODEX_HOME` pointing at the home and `TZ=UTC`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CCUSAGE_DIR = Path(os.environ.get("CODEXBAR_CCUSAGE_DIR") or "/var/tmp/codexbar-ccusage")
CCUSAGE_NATIVE = "@ccusage/ccusage-linux-x64"


def ccusage_binary() -> Path | None:
    """The native ccusage binary bench/install_ccusage.sh installed (the npm wrapper only execs it)."""
    native = CCUSAGE_DIR / "node_modules" / CCUSAGE_NATIVE / "bin" / "ccusage"
    if not native.exists():
        return None
    if not os.access(native, os.X_OK):  # npm leaves it 0644; the JS wrapper chmods it on first run
        try:
            native.chmod(0o755)
        except OSError:
            return None
    return native


def codexbar_command() -> list[str]:
    venv = ROOT / ".venv" / "bin" / "codexbar"
    return [str(venv)] if venv.exists() else [sys.executable, "-m", "codexbar_core"]


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment minus anything that could point either tool at a real home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX", "SWIFTBAR", "XBAR"))}
    # an installed plugin has its bytecode cached; without this every run would recompile codexbar
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["TZ"] = "UTC"
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


@dataclass
class Day:
    """One day's numbers in codexbar's terms: input includes cached reads, total = input + output."""

    total: int
    input: int
    cached: int
    output: int
    cost: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "input": self.input, "cached": self.cached, "output": self.output,
                "cost": self.cost}


def ccusage_args(since: dt.date | None, until: dt.date | None) -> list[str]:
    args = ["codex", "daily", "--json", "--offline", "--timezone", "UTC", "--speed", "standard"]
    if since:
        args += ["--since", since.isoformat()]
    if until:
        args += ["--until", until.isoformat()]
    return args


def codexbar_args(since: dt.date | None, until: dt.date | None, refresh: bool = True) -> list[str]:
    args = ["cost", "--json"]
    if since:
        args += ["--since", since.isoformat()]
    if until:
        args += ["--until", until.isoformat()]
    if refresh:
        args.append("--refresh")
    return args


def codexbar_env(home: Path, cache_dir: Path, config_dir: Path) -> dict[str, str]:
    return clean_env(CODEX_HOME=str(home), CODEXBAR_CACHE_DIR=str(cache_dir),
                     CODEXBAR_CONFIG_DIR=str(config_dir), HOME=str(cache_dir.parent),
                     CODEX_CLI_PATH=str(cache_dir.parent / "no-codex-here"))


def run_ccusage(home: Path, since: dt.date | None = None, until: dt.date | None = None,
                binary: Path | None = None, timeout: float = 600) -> dict[str, Any]:
    binary = binary or ccusage_binary()
    if binary is None:
        raise RuntimeError(f"ccusage not installed in {CCUSAGE_DIR} (run bench/install_ccusage.sh)")
    proc = subprocess.run([str(binary), *ccusage_args(since, until)], env=clean_env(CODEX_HOME=str(home)),
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"ccusage exit {proc.returncode}: {proc.stderr.strip()[:500]}")
    return json.loads(proc.stdout)


def run_codexbar(home: Path, work: Path, since: dt.date | None = None, until: dt.date | None = None,
                 fresh: bool = True, timeout: float = 600) -> dict[str, Any]:
    """`codexbar cost --json` on one home; `fresh` starts from an empty cache and settings folder."""
    cache, config = work / "cache", work / "config"
    if fresh:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(config, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    config.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([*codexbar_command(), *codexbar_args(since, until)],
                          env=codexbar_env(home, cache, config), capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"codexbar exit {proc.returncode}: {proc.stderr.strip()[:500]}")
    reports = json.loads(proc.stdout)
    if not isinstance(reports, list) or len(reports) != 1:
        raise RuntimeError(f"codexbar cost --json: expected one report, got {proc.stdout[:300]}")
    report = reports[0]
    if report.get("error") and not report.get("daily"):
        raise RuntimeError(f"codexbar cost failed: {report['error']}")
    return report


def ccusage_days(doc: dict[str, Any]) -> dict[str, Day]:
    """ccusage's `inputTokens` excludes cached reads (its `totalTokens` = input + cached + output)."""
    days: dict[str, Day] = {}
    for row in doc.get("daily") or []:
        cached = int(row.get("cacheReadTokens") or 0)
        inp = int(row.get("inputTokens") or 0) + cached
        out = int(row.get("outputTokens") or 0)
        days[row["date"]] = Day(total=int(row.get("totalTokens") or 0), input=inp, cached=cached, output=out,
                                cost=row.get("costUSD"))
    return days


def codexbar_days(report: dict[str, Any]) -> dict[str, Day]:
    days: dict[str, Day] = {}
    for row in report.get("daily") or []:
        days[row["date"]] = Day(total=int(row.get("totalTokens") or 0), input=int(row.get("inputTokens") or 0),
                                cached=int(row.get("cacheReadTokens") or 0),
                                output=int(row.get("outputTokens") or 0), cost=row.get("totalCost"))
    return days


def proc_tree(root: int) -> list[int]:
    """`root` and its descendants, read from /proc (kernels without .../children too)."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
            parents[int(name)] = int(stat[stat.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = [root], [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.append(child)
                frontier.append(child)
    return tree


def wait_sampling(proc: subprocess.Popen, sample: Any, start: float, every: float = 0.02) -> tuple[float, int, Any]:
    """Wait for `proc`, calling `sample()` every `every` seconds meanwhile (memory of its process tree);
    (seconds since `start`, its wait status, its resource usage)."""
    done = threading.Event()

    def loop() -> None:
        while not done.wait(every):
            sample()

    sampler = threading.Thread(target=loop, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return seconds, status, usage
