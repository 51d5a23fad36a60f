"""Running the plugin the way a menu-bar host does: by its path, with a minimal PATH and a HOME."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.rig.runner import PLUGIN

MINIMAL_PATH = "/usr/bin:/bin"  # what SwiftBar's login shell often gives a plugin


def copy_plugin(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / PLUGIN.name
    shutil.copy2(PLUGIN, target)  # a copy, not a link: the plugin cannot find its checkout
    return target


def run_plugin(plugin: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(env, PATH=MINIMAL_PATH)
    return subprocess.run([str(plugin), *args], env=env, capture_output=True, text=True, timeout=60)


def clean_env(env: dict[str, str]) -> dict[str, str]:
    """No XDG overrides: the install record must be found by HOME alone, as on a user's machine."""
    return {k: v for k, v in env.items() if not k.startswith("XDG_")}
