"""The menu as the host reads it: one run that must give a whole menu, the checks of a whole menu,
and the menu's own actions (Refresh, a source chosen, any click)."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

from tests.rig.runner import run_plugin

STALE_MARK = "(refresh failed)"
PARAM = re.compile(r"^[A-Za-z][A-Za-z0-9]*=(\"[^\"]*\"|\S+)$")


def menu(env: dict[str, str]) -> str:
    """One plugin run that must succeed and print a whole menu; returns stdout."""
    proc = run_plugin(env)
    assert_whole_menu(proc, env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def assert_whole_menu(proc: subprocess.CompletedProcess[str], env: dict[str, str]) -> list[str]:
    """A run that exited 0 with a whole menu; an "internal error" menu fails with codexbar.log's traceback."""
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr}"
    assert "internal error" not in proc.stdout, f"{proc.stdout}\n{internal_error_log(env)}"
    return assert_valid_menu(proc.stdout)


def internal_error_log(env: dict[str, str]) -> str:
    """What the menu's "internal error" line points to (codexbar.log), for the failure message."""
    logs = sorted(Path(env["CODEXBAR_CACHE_DIR"]).glob("codexbar.log*"))
    return "\n".join(f"--- {p.name}:\n{p.read_text(errors='replace')[-6000:]}" for p in logs) or "(no codexbar.log)"


def assert_valid_menu(out: str) -> list[str]:
    """A complete SwiftBar/xbar menu: a title, the separator, the actions at the end, sane parameters."""
    lines = out.splitlines()
    assert "---" in lines, out
    assert lines.index("---") >= 1 and lines[0].strip(), out
    assert any(line.startswith("Refresh |") for line in lines), f"no Refresh action:\n{out}"
    assert any(line.startswith("Open usage page |") for line in lines), f"menu cut short:\n{out}"
    for line in lines:
        title, sep, params = line.partition(" | ")
        assert "|" not in title, line
        if sep:
            for token in re.findall(r'\S+="[^"]*"|\S+', params):
                assert PARAM.match(token), f"bad parameter {token!r} in {line!r}"
    return lines


def drop_cache(env: dict[str, str]) -> None:
    """The menu's Refresh click: the next run asks the sources again (the snapshot stays as fallback)."""
    proc = run_plugin(env, "refresh")
    assert proc.returncode == 0, proc.stderr


def set_source(env: dict[str, str], source: str) -> None:
    proc = run_plugin(env, "source", source)
    assert proc.returncode == 0, proc.stderr


def click(menu: str, label: str, env: dict[str, str]) -> None:
    """Do what the host does for a click on the item `label`: run its bash= with param1..N."""
    line = next(line for line in menu.splitlines() if line.lstrip("-").startswith(label + " |")
                or line.lstrip("-").startswith("✓ " + label + " |"))
    params = dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line.split(" | ", 1)[1]))
    args = [params[f"param{i}"] for i in range(1, 10) if f"param{i}" in params]
    cmd = shlex.split(params["bash"])
    assert params["terminal"] == "false"
    done = subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
