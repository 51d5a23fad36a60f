"""Persisted user choices, a small JSON file in the settings folder (owner-only, atomic writes).

The file is meant to be hand-editable; unknown keys are kept when we save, and a broken file falls
back to the defaults instead of breaking the menu.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from codexbar_core import paths

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

SOURCES = ("auto", "oauth", "cli", "pty", "web")
COOKIE_MODES = ("off", "auto", "manual")
TITLE_MODES = ("percent", "pace", "both")
TITLE_METRICS = ("auto", "session", "weekly")
RESET_STYLES = ("countdown", "absolute")

DEFAULTS: dict[str, Any] = {
    "source": "auto",
    "cookie_mode": "off",
    "title_mode": "percent",
    "title_metric": "auto",
    "reset_style": "countdown",
    "show_used": False,
    "show_extras": True,  # Spark and other extra windows in the menu
    "notifications": True,
    "notify_thresholds": [80, 95],
    "notify_resets": True,  # also say when a lane that crossed a threshold is back (its window reset)
    # Extra Codex homes: [{"name": "work", "path": "~/.codex-work"}]. Empty = CODEX_HOME / ~/.codex only.
    "homes": [],
    # Let OAuth read Codex's keyring login itself on refreshes you ask for (docs/decisions/codex-logins.md).
    "keyring_direct": False,
}


class SettingsError(Exception):
    """The settings file exists but cannot be read as settings; it is not overwritten."""


class Settings:
    """The user's settings (not a dataclass: defining one costs ~0.3 ms of every run's imports)."""

    __slots__ = ("values", "path", "load_error")

    def __init__(self, values: dict[str, Any] | None = None, path: Path | None = None,
                 load_error: str | None = None) -> None:
        self.values: dict[str, Any] = {} if values is None else values
        self.path = path
        self.load_error = load_error

    def get(self, key: str) -> Any:
        return self.values.get(key, DEFAULTS.get(key))

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value

    @property
    def source(self) -> str:
        value = self.get("source")
        return value if value in SOURCES else "auto"

    @property
    def cookie_mode(self) -> str:
        value = self.get("cookie_mode")
        return value if value in COOKIE_MODES else "off"


def settings_path(env: dict[str, str] | None = None) -> Path:
    return paths.config_dir(env) / "settings.json"


def load(env: dict[str, str] | None = None) -> Settings:
    path = settings_path(env)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings({}, path)
    except OSError as exc:
        return Settings({}, path, f"Settings file unreadable ({exc.strerror}); using defaults.")
    try:
        data = json.loads(raw)
    except ValueError:
        return Settings({}, path, f"Settings file {path} is not valid JSON; using defaults.")
    if not isinstance(data, dict):
        return Settings({}, path, f"Settings file {path} is not a JSON object; using defaults.")
    return Settings(data, path)


def write_private_json(path: Path, data: Any) -> None:
    """Write JSON atomically: temp file in the same folder (0600), fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    import tempfile  # only when writing: reading settings (every run) does not need it

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def save(settings: Settings, env: dict[str, str] | None = None) -> None:
    write_private_json(settings.path or settings_path(env), settings.values)


def update(env: dict[str, str] | None = None, **changes: Any) -> Settings:
    """Load, change some keys, save (keeps keys we do not know); one writer at a time."""
    import fcntl

    fd = os.open(paths.config_dir(env) / ".settings.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # two clicks at once would otherwise lose one of the changes
        settings = load(env)
        if settings.load_error:
            # Saving now would replace the user's hand edits with defaults: leave the file alone.
            raise SettingsError(f"{settings.load_error.replace('; using defaults.', '')}. "
                                "Fix or delete it, then try again.")
        settings.values.update(changes)
        save(settings, env)
    finally:
        os.close(fd)  # drops the lock
    return settings
