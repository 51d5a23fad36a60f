"""Running the plugin the way a menu-bar host does: by its path, with a minimal PATH and a HOME."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.rig.runner import PLUGIN, run_plugin

MINIMAL_PATH = "/usr/bin:/bin"  # what SwiftBar's login shell often gives a plugin


def copy_plugin(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / PLUGIN.name
    shutil.copy2(PLUGIN, target)  # a copy, not a link: the plugin cannot find its checkout
    return target


def run_copied(plugin: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A plugin file outside the checkout, with the host's minimal PATH (a generous limit: the first run of
    a pipx-installed command is slower)."""
    return run_plugin(dict(env, PATH=MINIMAL_PATH), *args, plugin=plugin, timeout=60)


def clean_env(env: dict[str, str]) -> dict[str, str]:
    """No XDG overrides: the install record must be found by HOME alone, as on a user's machine."""
    return {k: v for k, v in env.items() if not k.startswith("XDG_")}
