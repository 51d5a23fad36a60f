"""Where the real codex CLI lives for tests, and whether it may run here.

`tests/install_codex.sh` (called by the README's test command) installs npm `@openai/codex@0.169.0`
into `$CODEXBAR_CODEX_DIR` (default /var/tmp/codexbar-codex/0.169.0). The real CLI only ever runs
inside a private network namespace with loopback only, so it can reach the fake backend and nothing
else; `test.sh` puts the whole test run in one.
"""

from __future__ import annotations

import os
from pathlib import Path

CODEX_VERSION = "0.169.0"


def codex_dir() -> Path:
    return Path(os.environ.get("CODEXBAR_CODEX_DIR") or f"/var/tmp/codexbar-codex/{CODEX_VERSION}")


def codex_binary() -> Path | None:
    candidate = codex_dir() / "node_modules" / ".bin" / "codex"
    return candidate if candidate.exists() and os.access(candidate, os.X_OK) else None


def in_private_netns() -> bool:
    """True when the only network interface is loopback (we are inside `unshare -n`)."""
    # Ask the kernel about *this* process's namespace: /sys/class/net keeps showing the host's
    # interfaces after a bare `unshare -n` (sysfs is not remounted).
    import socket

    try:
        names = {name for _, name in socket.if_nameindex()}
    except OSError:
        return False
    return names == {"lo"}


def why_real_cli_cannot_run() -> str | None:
    if codex_binary() is None:
        return f"codex {CODEX_VERSION} not installed in {codex_dir()} (run tests/install_codex.sh)"
    if not in_private_netns():
        return "not inside a private network namespace (run the tests through ./test.sh)"
    return None
