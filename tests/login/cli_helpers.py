"""Running the real codex CLI and codexbar against a keyring login."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from codexbar_core.sources.rpc import AppServer
from tests.rig.runner import run_codexbar


def codex(codex_bin: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(codex_bin), *args], env=env, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def login_status(codex_bin: Path, env: dict[str, str]) -> str:
    proc = codex(codex_bin, env, "login", "status")
    return (proc.stdout + proc.stderr).strip()


def account_read(codex_bin: Path, env: dict[str, str], home: Path) -> dict[str, Any]:
    """The app-server's own `account/read` answer (what Codex believes is signed in)."""
    server = AppServer([str(codex_bin), "-s", "read-only", "-a", "never", "app-server"], env, str(home))
    try:
        init = server.send("initialize", {"clientInfo": {"name": "codexbar-test", "title": "test", "version": "0"},
                                          "capabilities": None})
        server.wait([init], time.monotonic() + 30, "initialize")
        server.send("initialized", {}, notify=True)
        read = server.send("account/read", {})
        server.wait([read], time.monotonic() + 30, "account/read")
        return server.replies[read]
    finally:
        server.close(grace=2.0)


def usage(env: dict[str, str], *extra: str) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    proc = run_codexbar(["usage", "--json", "--refresh", *extra], env)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    return doc[0], proc


def steps(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(a["source"], a["outcome"]) for a in doc["trace"]["attempts"]]


def step_reason(doc: dict[str, Any], source: str) -> str:
    (step,) = [a for a in doc["trace"]["attempts"] if a["source"] == source]
    return step["reason"]
