"""Which Codex homes to report on: the settings' `homes`, else `$CODEX_HOME` / `~/.codex`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from codexbar_core import paths
from codexbar_core.settings import Settings


@dataclass
class Home:
    name: str
    path: Path


def homes_from(settings: Settings, env: dict[str, str]) -> list[Home]:
    """Configured homes (settings `homes`), else `$CODEX_HOME` / `~/.codex`."""
    homes: list[Home] = []
    for entry in settings.get("homes") or []:
        if isinstance(entry, dict) and entry.get("path"):
            path = Path(os.path.expanduser(str(entry["path"])))
            homes.append(Home(str(entry.get("name") or path.name), path))
        elif isinstance(entry, str) and entry.strip():
            path = Path(os.path.expanduser(entry.strip()))
            homes.append(Home(path.name, path))
    if not homes:
        homes.append(Home("default", paths.default_codex_home(env)))
    return homes
