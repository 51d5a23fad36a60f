"""A stand-in `codex` binary whose behaviour (well-behaved or hostile) is switched between runs."""

from __future__ import annotations

import sys
from pathlib import Path

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


def read_pids(folder: Path, kind: str | None = None) -> list[int]:
    """Pids of every start of the fake codex in `folder` (only "tui" or "app-server" ones if asked)."""
    try:
        rows = [line.split() for line in (folder / "pids").read_text().splitlines() if line.strip()]
    except OSError:
        return []
    return [int(pid) for pid, what in rows if kind is None or what == kind]
