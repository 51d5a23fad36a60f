"""Run codexbar as a user would: a subprocess with its own environment.

`run_plugin` runs the plugin file the way SwiftBar, xbar and Argos do; `run_codexbar` runs the
`codexbar` command; tests start codexbar through these (the concurrency tests start several at once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugins" / "codexbar.5m.py"

# The plugin's promise: a complete menu, exit 0, within 10 s whatever a source does (its own budget
# is 8 s, cli.MENU_BUDGET_SECONDS). A run past this limit raises TimeoutExpired: a hang is a failure.
HARD_LIMIT = 10.0


def base_env(tmp: Path, codex_home: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no user's real caches, settings, or Codex login can leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX", "SWIFTBAR", "XBAR", "ARGOS"))}
    env.update({
        "CODEX_HOME": str(codex_home),
        "CODEXBAR_CACHE_DIR": str(tmp / "cache"),
        "CODEXBAR_CONFIG_DIR": str(tmp / "config"),
        "HOME": str(tmp / "home"),
        "TZ": env.get("TZ", "UTC"),
        "NO_COLOR": "1",
        # tests never open a browser or post a notification
        "CODEXBAR_NO_OPEN": "1",
        "CODEXBAR_NO_NOTIFY": "1",
    })
    (tmp / "home").mkdir(parents=True, exist_ok=True)
    env.setdefault("CODEX_CLI_PATH", str(tmp / "no-codex-here"))
    env.update(extra)
    return env


def run_plugin(env: dict[str, str], *args: str, plugin: Path = PLUGIN, timeout: float = HARD_LIMIT,
               preexec_fn: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    """The plugin file (the checkout's, or a copy), as the menu-bar host runs it (`args` are a menu
    click's param1..N)."""
    return subprocess.run([str(plugin), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=preexec_fn)


def run_codexbar(args: list[str], env: dict[str, str], timeout: float = 60,
                 stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "codexbar_core", *args], env=env, capture_output=True,
                          text=True, timeout=timeout, input=stdin, cwd=str(ROOT))


def run_json(args: list[str], env: dict[str, str], timeout: float = 60) -> Any:
    proc = run_codexbar(args, env, timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}"
    return json.loads(proc.stdout)


def cost_json(env: dict[str, str], *args: str, timeout: float = 60) -> dict[str, Any]:
    """`codexbar cost --json ARGS` for one Codex home: its single report, which must not be an error."""
    proc = run_codexbar(["cost", "--json", *args], env, timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    (report,) = json.loads(proc.stdout)
    assert not report.get("error"), report
    return report
