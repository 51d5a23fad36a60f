"""Shared bits of the hardening suite: run the plugin as SwiftBar would, check the menu is whole,
make hostile `codex` binaries, find leaked secrets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

from tests.rig.runner import PLUGIN

# The promise: a complete menu, exit 0, within 10 s, whatever a source does.
HARD_LIMIT = 10.0
STALE_MARK = "(refresh failed)"
PARAM = re.compile(r"^[A-Za-z][A-Za-z0-9]*=(\"[^\"]*\"|\S+)$")


def run_plugin(env: dict[str, str], *args: str, timeout: float = HARD_LIMIT) -> subprocess.CompletedProcess[str]:
    """The plugin file, as SwiftBar runs it; raises TimeoutExpired past the hard limit."""
    return subprocess.run([str(PLUGIN), *args], env=env, capture_output=True, text=True, timeout=timeout)


def menu(env: dict[str, str]) -> str:
    """One plugin run that must succeed and print a whole menu; returns stdout."""
    proc = run_plugin(env)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr}"
    assert "internal error" not in proc.stdout, f"{proc.stdout}\n{internal_error_log(env)}"
    assert_valid_menu(proc.stdout)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


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


# -- hostile codex binaries -------------------------------------------------------------------------

FAKE_CODEX = r'''#!{python}
"""A fake `codex`: its behaviour is read from the file `mode` beside it on every start."""
import json, os, sys, time

here = os.path.dirname(os.path.abspath(__file__))
mode = open(os.path.join(here, "mode")).read().strip()
used = int(open(os.path.join(here, "used")).read().strip() or 0) if os.path.exists(os.path.join(here, "used")) else 42
app_server = "app-server" in sys.argv[1:]
with open(os.path.join(here, "pids"), "a") as fh:
    fh.write(f"{{os.getpid()}} {{'app-server' if app_server else 'tui'}}\n")

def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

def group(used):
    return {{"limitId": "codex", "primary": {{"usedPercent": used, "windowDurationMins": 300, "resetsAt": 1893456000}},
            "secondary": {{"usedPercent": 10, "windowDurationMins": 10080, "resetsAt": 1893888000}},
            "credits": {{"hasCredits": True, "unlimited": False, "balance": "5"}}, "planType": "pro"}}

if not app_server:
    if mode == "tui_prompt":
        # the TUI stuck on a question nobody answers
        sys.stdout.write("\x1b[2J\x1b[HA new version of the terms applies.\r\nDo you accept? [y/N] ")
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    mode = "garbage"
elif mode == "tui_prompt":
    mode = "garbage"  # the app-server answers nonsense, so the pipeline turns to the TUI
if mode == "exit":
    sys.exit(1)
if mode == "garbage":
    sys.stdout.buffer.write(os.urandom(4096) + b"\n{{not json\n[1,2,3]\n\x00\xff\xfe\n")
    sys.stdout.flush()
    sys.exit(0)
if mode == "orphan":
    # leaves a grandchild behind that keeps our stdout open, and exits at once
    if os.fork() == 0:
        with open(os.path.join(here, "pids"), "a") as fh:
            fh.write(f"{{os.getpid()}} orphan\n")
        time.sleep(3600)
        os._exit(0)
    sys.exit(0)
if mode == "flood":
    chunk = b"x" * (1 << 20)  # an endless line: no newline, ever
    while True:
        sys.stdout.buffer.write(chunk)
if mode == "hang_before_init":
    while True:
        time.sleep(3600)
for line in sys.stdin:
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    method, mid = msg.get("method"), msg.get("id")
    if method == "initialize":
        reply({{"id": mid, "result": {{"userAgent": "codex_cli_rs/0.169.0 (fake)"}}}})
        if mode == "hang_after_init":
            while True:
                time.sleep(3600)
    elif method == "account/rateLimits/read":
        g = group(used)
        reply({{"id": mid, "result": {{"rateLimits": g, "rateLimitsByLimitId": {{"codex": g}}}}}})
    elif method == "account/read":
        reply({{"id": mid, "result": {{"account": {{"type": "chatgpt", "email": "tester@example.com",
                                                "planType": "pro"}}}}}})
'''


def make_fake_codex(folder: Path, mode: str = "good") -> Path:
    """`folder/codex`, a hostile or well-behaved stand-in for the CLI; change `folder/mode` to switch."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "codex"
    path.write_text(FAKE_CODEX.format(python=sys.executable))
    path.chmod(0o755)
    (folder / "mode").write_text(mode)
    return path


def alive(pids: Iterable[int]) -> list[int]:
    """The pids that still run (zombies count as gone)."""
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            out.append(pid)
    return out


def read_pids(folder: Path, kind: str | None = None) -> list[int]:
    """Pids of every start of the fake codex in `folder` (only "tui" or "app-server" ones if asked)."""
    try:
        rows = [line.split() for line in (folder / "pids").read_text().splitlines() if line.strip()]
    except OSError:
        return []
    return [int(pid) for pid, what in rows if kind is None or what == kind]


def tree_bytes(*folders: Path) -> dict[str, bytes]:
    """Every file under the folders (path -> bytes): cache, settings, logs, SQLite files and WAL."""
    out: dict[str, bytes] = {}
    for folder in folders:
        if not folder.exists():
            continue
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = os.path.join(root, name)
                try:
                    out[path] = Path(path).read_bytes()
                except OSError:
                    pass
    return out


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip()
