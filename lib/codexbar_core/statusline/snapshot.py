"""The numbers a status line shows, read from the menu's cache without touching the network.

The menu and its background refresh keep the last usage snapshot and cost report in the SQLite
cache. Opening it costs more than a status line may spend (tmux asks every 15 s), so the first
reader after a change copies the few numbers it needs into `statusline.bin` beside it (`marshal`:
no import, where `json` costs ~6 ms of a ~10 ms budget for imports), keyed by
the cache databases' sizes and mtimes; later readers use that copy while the key holds. The key is
taken after the read has closed the database: opening it writes (diskcache saves its settings) and
closing it may checkpoint the log, so a key taken before would never match. A write landing between
the read and that stat goes unseen until the cache next changes (the next menu run at the latest).
Only cheap standard-library modules are imported on that warm path (like warm_menu.py and
cost/warm_report.py).
"""

from __future__ import annotations

import marshal
import os
import sys
import time

from codexbar_core import warm_paths
from codexbar_core.statusline import folders

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of a warm run
if TYPE_CHECKING:
    from typing import Any

FILE_NAME = "statusline.bin"
FORMAT = 1  # bump when the stored fields change
KEY_VARS = ("CODEX_HOME", "CODEXBAR_CACHE_DIR", "CODEXBAR_CONFIG_DIR", "SWIFTBAR_PLUGIN_CACHE_PATH",
            "SWIFTBAR_PLUGIN_DATA_PATH", "TZ")
# the usage snapshots (diskcache) and the cost state with its last report (cost/state_db.py)
DB_FILES = ("diskcache/cache.db", "diskcache/cache.db-wal", "cost-state.sqlite", "cost-state.sqlite-wal")


class Lane:
    """One limit window: percent used, its length, and when it resets (epoch seconds)."""

    __slots__ = ("used", "window_minutes", "resets_at")

    def __init__(self, used: float, window_minutes: int | None, resets_at: float | None) -> None:
        self.used, self.window_minutes, self.resets_at = used, window_minutes, resets_at

    def to_dict(self) -> dict[str, Any]:
        return {"used": self.used, "windowMinutes": self.window_minutes, "resetsAt": self.resets_at}

    @classmethod
    def from_dict(cls, d: Any) -> Lane | None:
        if not isinstance(d, dict) or not _is_num(d.get("used")):
            return None
        minutes = d.get("windowMinutes")
        resets = d.get("resetsAt")
        return cls(float(d["used"]), int(minutes) if _is_num(minutes) else None,
                   float(resets) if _is_num(resets) else None)


class StatusData:
    """What one status line needs. `stored_at` is when the usage snapshot was fetched (None: never)."""

    __slots__ = ("session", "weekly", "credits", "credits_unlimited", "cost_today", "stored_at")

    def __init__(self, session: Lane | None = None, weekly: Lane | None = None, credits: float | None = None,
                 credits_unlimited: bool = False, cost_today: float | None = None,
                 stored_at: float | None = None) -> None:
        self.session, self.weekly = session, weekly
        self.credits, self.credits_unlimited = credits, credits_unlimited
        self.cost_today, self.stored_at = cost_today, stored_at

    def to_dict(self) -> dict[str, Any]:
        return {"session": self.session.to_dict() if self.session else None,
                "weekly": self.weekly.to_dict() if self.weekly else None,
                "credits": self.credits, "creditsUnlimited": self.credits_unlimited,
                "costToday": self.cost_today, "storedAt": self.stored_at}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StatusData:
        def num(key: str) -> float | None:
            return float(d[key]) if _is_num(d.get(key)) else None

        return cls(Lane.from_dict(d.get("session")), Lane.from_dict(d.get("weekly")), num("credits"),
                   d.get("creditsUnlimited") is True, num("costToday"), num("storedAt"))


def _is_num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def cache_key(env: dict[str, str], cache_dir: str, config_dir: str, today: str) -> str:
    """Everything the stored copy depends on: the database files, settings (which homes), the day
    (today's cost) and the environment that picks folders and homes."""
    parts = [f"format={FORMAT}", f"python={sys.version_info[:2]}", f"today={today}"]  # marshal: per version
    parts += [f"{k}={env.get(k, '')}" for k in KEY_VARS]
    parts += [f"{name}={warm_paths.file_stamp(os.path.join(cache_dir, name))}" for name in DB_FILES]
    parts.append("settings=" + warm_paths.file_stamp(os.path.join(config_dir, "settings.json")))
    return "\n".join(parts)


def load(env: dict[str, str]) -> StatusData:
    """The cached numbers for the first configured Codex home; never fetches anything."""
    cache_dir = folders.cache_dir(env)
    config_dir = folders.config_dir(env)
    today = time.strftime("%Y-%m-%d")
    copy_path = os.path.join(cache_dir, FILE_NAME)
    try:
        with open(copy_path, "rb") as fh:
            stored = marshal.load(fh)
        if (isinstance(stored, dict) and stored.get("key") == cache_key(env, cache_dir, config_dir, today)
                and isinstance(stored.get("data"), dict)):
            return StatusData.from_dict(stored["data"])
    except (OSError, ValueError, EOFError, TypeError):
        pass
    data = _read_cache(env, today)
    key = cache_key(env, cache_dir, config_dir, today)  # after the read closed the database (see above)
    if os.path.isdir(cache_dir):
        warm_paths.write_owner_only(copy_path, marshal.dumps({"key": key, "data": data.to_dict()}))
    return data


def _read_cache(env: dict[str, str], today: str) -> StatusData:
    """The slow way: open the menu's cache (SQLite) and read the last snapshot and cost report."""
    from codexbar_core import paths
    from codexbar_core import settings as settings_mod
    from codexbar_core.cache import Store
    from codexbar_core.homes import homes_from
    from codexbar_core.pipeline import last_good

    home = homes_from(settings_mod.load(env), env)[0]
    store = Store(paths.cache_dir(env))
    try:
        snap, stored_at = last_good(store, home.path)
        data = StatusData(stored_at=(stored_at or 0.0) if snap is not None else None)  # 0: a refresh was asked for
        if snap is not None:
            data.session = _lane(snap.primary)
            data.weekly = _lane(snap.secondary)
            if snap.credits is not None:
                data.credits = snap.credits.remaining
                data.credits_unlimited = snap.credits.unlimited
        data.cost_today = _cost_today(home.path, store, today)
    finally:
        store.close()
    return data


def _lane(window: Any) -> Lane | None:
    if window is None:
        return None
    resets = window.resets_at.timestamp() if window.resets_at is not None else None
    return Lane(window.used_percent, window.window_minutes, resets)


def _cost_today(home: Any, store: Any, today: str) -> float | None:
    """Today's cost from the last complete report; None when that report does not reach today."""
    from codexbar_core.cost.report import last_cost_report

    report = last_cost_report(home, store)
    if report is None or report.until < today:
        return None
    for day in report.daily:
        if day.date == today:
            cost = day.tokens.total_cost
            return float(cost) if _is_num(cost) else None
    return 0.0
