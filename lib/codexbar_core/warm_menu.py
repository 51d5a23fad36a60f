"""The warm path: reprint the last complete menu when it is under a minute old.

SwiftBar re-runs the plugin every five minutes, on clicks and on wake, often in bursts; when the
previous run finished with fresh data less than `MENU_TTL` seconds ago, nothing new can be learnt,
so the stored text is printed without importing the rest of codexbar (no sqlite, no dataclasses,
no HTTP). Anything that could change the menu — settings, the environment that picks the host or
the Codex home, an explicit refresh — changes the key or deletes the file.

Only the standard library's cheapest modules may be imported here.
"""

from __future__ import annotations

import json
import os
import sys
import time

from codexbar_core import warm_paths

MENU_TTL = 60.0
FILE_NAME = "menu.json"
# Environment that changes what the menu looks like or which data it shows.
KEY_VARS = ("SWIFTBAR", "ARGOS_VERSION", "XBARDarkMode", "OS_APPEARANCE", "CODEX_HOME", "CODEXBAR_ACTION_PATH",
            "SWIFTBAR_PLUGIN_PATH", "TZ", "CODEXBAR_SOURCE", "CODEXBAR_CONFIG_DIR", "SWIFTBAR_PLUGIN_DATA_PATH",
            "NO_COLOR", "OS_VERSION_MAJOR")


def menu_key(env: dict[str, str], settings_mtime: float | None) -> str:
    parts = [f"{k}={env.get(k, '')}" for k in KEY_VARS]
    parts.append("cookie=" + ("1" if env.get("CODEXBAR_OPENAI_COOKIE") else "0"))
    parts.append(f"settings={settings_mtime}")
    return "\n".join(parts)


def _settings_mtime(env: dict[str, str], config_dir: str | None) -> float | None:
    if config_dir is None:
        return None
    try:
        return os.stat(os.path.join(config_dir, "settings.json")).st_mtime_ns / 1e9
    except OSError:
        return None


def try_print_cached_menu(env: dict[str, str] | None = None, cache_dir: str | None = None,
                          config_dir: str | None = None) -> bool:
    env = dict(os.environ) if env is None else env
    cache_dir = cache_dir or warm_paths.cache_dir(env)
    if config_dir is None:
        config_dir = warm_paths.config_dir(env)
    try:
        with open(os.path.join(cache_dir, FILE_NAME), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return False
    age = time.time() - float(data.get("written") or 0)
    if not (0 <= age < MENU_TTL):
        return False
    if data.get("key") != menu_key(env, _settings_mtime(env, config_dir)):
        return False
    sys.stdout.write(data["text"])
    sys.stdout.flush()
    return True


def store_menu(text: str, env: dict[str, str], cache_dir: str, config_dir: str) -> None:
    """Remember a complete menu for the warm path (atomic, owner-only)."""
    data = {"key": menu_key(env, _settings_mtime(env, config_dir)), "written": time.time(), "text": text}
    warm_paths.write_owner_only(os.path.join(cache_dir, FILE_NAME), json.dumps(data).encode("utf-8"))


def forget_menu(cache_dir: str) -> None:
    try:
        os.unlink(os.path.join(cache_dir, FILE_NAME))
    except OSError:
        pass
