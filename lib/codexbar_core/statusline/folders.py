"""codexbar's cache and settings folders without importing platformdirs (~5-25 ms, more than a
status line's whole budget). The same rules as warm_paths / paths (a folder named in the
environment wins), with platformdirs' defaults for macOS and Linux written out; a test checks
they agree with platformdirs.
"""

from __future__ import annotations

import os
import sys

from codexbar_core.warm_paths import CACHE_VARS, CONFIG_VARS, named_folder

APP = "codexbar"


def platform_dir(kind: str, env: dict[str, str], platform: str = sys.platform) -> str:
    """platformdirs' user_cache_dir / user_config_dir for codexbar ("cache" or "config")."""
    home = (env.get("HOME") or "").strip() or os.path.expanduser("~")
    if platform == "darwin":
        sub = "Library/Caches" if kind == "cache" else "Library/Application Support"
        return os.path.join(home, sub, APP)
    var, fallback = ("XDG_CACHE_HOME", ".cache") if kind == "cache" else ("XDG_CONFIG_HOME", ".config")
    base = (env.get(var) or "").strip() or os.path.join(home, fallback)
    return os.path.join(base, APP)


def cache_dir(env: dict[str, str]) -> str:
    return named_folder(env, CACHE_VARS) or platform_dir("cache", env)


def config_dir(env: dict[str, str]) -> str:
    return named_folder(env, CONFIG_VARS) or platform_dir("config", env)
