"""Which Codex homes to report on: the settings' `homes`, else `$CODEX_HOME` / `~/.codex`."""

from __future__ import annotations

import os
from pathlib import Path

from codexbar_core import paths
from codexbar_core.settings import Settings


class Home:
    """One Codex home: the name shown and its folder. (Not a dataclass: defining one costs ~0.3 ms
    of every run's imports.)"""

    __slots__ = ("name", "path")

    def __init__(self, name: str, path: Path) -> None:
        self.name, self.path = name, path

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Home) and (self.name, self.path) == (other.name, other.path)

    def __repr__(self) -> str:
        return f"Home({self.name!r}, {self.path!r})"


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
