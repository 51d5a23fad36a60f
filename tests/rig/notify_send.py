"""A recording `notify-send`: put its folder first on PATH and read back every notification delivered."""

from __future__ import annotations

import stat
from pathlib import Path


def fake_notify_send(folder: Path) -> tuple[Path, Path]:
    """`folder/bin/notify-send` appends each call's arguments, tab-separated, as one line of `folder/sent.txt`.
    Returns (the folder to put on PATH, the log)."""
    bindir = folder / "bin"
    bindir.mkdir(parents=True, exist_ok=True)
    log = folder / "sent.txt"
    fake = bindir / "notify-send"
    fake.write_text(f'#!/bin/sh\n{{ for a in "$@"; do printf "%s\\t" "$a"; done; echo; }} >> "{log}"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return bindir, log


def sent(log: Path) -> list[list[str]]:
    """Every call so far, as its argument list (empty before the first)."""
    if not log.exists():
        return []
    return [line.rstrip("\t").split("\t") for line in log.read_text().splitlines()]
