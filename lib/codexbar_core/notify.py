"""Desktop notifications when a usage lane crosses a threshold (default 80 % and 95 % used) or resets.

Once per crossing: the highest threshold each lane has reached is kept in the cache Store, so the
plugin re-running every few minutes on the same numbers says nothing new. When the lane falls back
below every threshold (its window reset), that is announced once and the lane is re-armed.

Delivery: macOS through SwiftBar's `swiftbar://notify` URL when SwiftBar runs us (the notification is
attributed to the plugin), else `osascript`; Linux through `notify-send` when it is installed.
`CODEXBAR_NO_NOTIFY=1` or the `notifications` setting switches delivery off; state is still tracked
so switching it back on does not replay old crossings.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codexbar_core.cache import Store, home_key
from codexbar_core.model import UTC, RateWindow, UsageSnapshot
from codexbar_core.normalize import lane_title
from codexbar_core.render import fmt

DEFAULT_THRESHOLDS = (80, 95)
USAGE_URL = "https://chatgpt.com/codex/settings/usage"


@dataclass
class Notice:
    title: str
    body: str
    kind: str  # "threshold" | "reset"
    lane: str


def thresholds_from(value: Any) -> list[int]:
    """Valid thresholds (1-100, sorted, unique) from the setting; the defaults when it is unusable."""
    if isinstance(value, (int, float)):
        value = [value]
    picked: set[int] = set()
    if isinstance(value, (list, tuple)):
        for item in value:
            try:
                number = int(float(item))
            except (TypeError, ValueError):
                continue
            if 1 <= number <= 100:
                picked.add(number)
    return sorted(picked) or list(DEFAULT_THRESHOLDS)


def lanes_of(snap: UsageSnapshot) -> list[tuple[str, str, RateWindow]]:
    """(stable id, display title, window) for every lane worth watching."""
    lanes: list[tuple[str, str, RateWindow]] = []
    for slot, window in (("primary", snap.primary), ("secondary", snap.secondary)):
        if window is not None:
            title = lane_title(window, slot)
            lanes.append((title.lower(), title, window))
    for extra in snap.extra_windows:
        title = extra.title or lane_title(extra, "extra")
        lanes.append((extra.id or title.lower(), title, extra))
    return lanes


def level_of(used: float, thresholds: list[int]) -> int:
    reached = [t for t in thresholds if used >= t]
    return max(reached) if reached else 0


# A reset time this much later than the stored one means a new window (sources differ by seconds).
NEW_WINDOW_SHIFT = dt.timedelta(minutes=30)


def _window_moved_on(previous: dict[str, Any], window: RateWindow) -> bool:
    from codexbar_core.model import parse_iso

    before = parse_iso(previous.get("resetsAt"))
    return bool(before is not None and window.resets_at is not None and window.resets_at - before > NEW_WINDOW_SHIFT)


def _state_key(codex_home: str, lane_id: str) -> str:
    return f"notify:{home_key(codex_home)}:{lane_id}"


def evaluate(snap: UsageSnapshot, codex_home: str, home_label: str | None, store: Store, thresholds: list[int],
             announce_resets: bool, now: dt.datetime) -> list[Notice]:
    """Compare each lane with its stored level, store the new one, and return what deserves a notification."""
    notices: list[Notice] = []
    prefix = f"Codex ({home_label})" if home_label else "Codex"
    for lane_id, title, window in lanes_of(snap):
        used = fmt.clamp_percent(window.used_percent)
        level = level_of(used, thresholds)
        key = _state_key(codex_home, lane_id)
        previous = store.get_json(key)
        prev_level = int(previous.get("level") or 0) if isinstance(previous, dict) else 0
        resets_iso = window.resets_at.isoformat() if window.resets_at is not None else None
        if prev_level and _window_moved_on(previous, window):
            # A reset we did not see below the thresholds: the new window starts unarmed.
            if level == 0 and announce_resets:
                notices.append(Notice(f"{prefix}: {title} limit reset",
                                      f"{fmt.percent_text(100 - used)} left", "reset", lane_id))
            prev_level = 0
        reset = ""
        if window.resets_at is not None:
            reset = fmt.reset_text(window.resets_at, now)
        if level > prev_level:
            if used >= 100:
                notices.append(Notice(f"{prefix}: {title} limit reached", reset or "Wait for the reset.",
                                      "threshold", lane_id))
            else:
                body = f"{fmt.percent_text(100 - used)} left" + (f" · {reset}" if reset else "")
                notices.append(Notice(f"{prefix}: {title} {fmt.percent_text(used)} used", body, "threshold",
                                      lane_id))
        elif level == 0 and prev_level > 0 and announce_resets:
            notices.append(Notice(f"{prefix}: {title} limit reset",
                                  f"{fmt.percent_text(100 - used)} left", "reset", lane_id))
        state = {"level": level, "resetsAt": resets_iso}
        if not isinstance(previous, dict) or any(previous.get(k) != v for k, v in state.items()):
            store.set_json(key, dict(state, usedPercent=used, at=now.isoformat()))
    return notices


def process_notifications(views: list[Any], settings: Any, store: Store, env: dict[str, str],
                          now: dt.datetime | None = None,
                          send: Callable[[str, str, dict[str, str]], bool] | None = None) -> list[Notice]:
    """Evaluate every home's fresh snapshot; deliver what crossed. Returns the notices (delivered or not)."""
    now = now or dt.datetime.now(UTC)
    thresholds = thresholds_from(settings.get("notify_thresholds"))
    announce_resets = settings.get("notify_resets") is not False
    enabled = settings.get("notifications") is not False and env.get("CODEXBAR_NO_NOTIFY") != "1"
    multi = len(views) > 1
    notices: list[Notice] = []
    for view in views:
        result = view.usage
        # Stale data says nothing new about crossings; an error has no numbers at all; the last turn's
        # numbers from the logs may be older than what was already seen (docs/decisions/limits.md).
        if result.snapshot is None or result.stale or result.snapshot.source == "logs":
            continue
        notices += evaluate(result.snapshot, result.codex_home, result.home_name if multi else None, store,
                            thresholds, announce_resets, now)
        notices += limit_notices(result.snapshot, result.codex_home, result.home_name if multi else None, store, now)
    if enabled:
        deliver = send or send_notification
        for notice in notices:
            deliver(notice.title, notice.body, env)
    return notices


def limit_notices(snap: UsageSnapshot, codex_home: str, home_label: str | None, store: Store,
                  now: dt.datetime) -> list[Notice]:
    """Limit changes and reset-credit expiry (docs/decisions/limits.md), as notices."""
    from codexbar_core.limits.watch import watch_all

    prefix = f"Codex ({home_label})" if home_label else "Codex"
    return [Notice(f"{prefix}: {c.title}", c.body, c.kind, c.lane) for c in watch_all(snap, codex_home, store, now)]


def notify_command(title: str, body: str, env: dict[str, str], platform: str | None = None) -> list[str] | None:
    """The command that shows a notification here, or None when there is no way to."""
    platform = platform or sys.platform
    if platform == "darwin":
        plugin = env.get("SWIFTBAR_PLUGIN_PATH")
        if env.get("SWIFTBAR") == "1" and plugin:
            # href: clicking the notification opens the usage page.
            query = urllib.parse.urlencode({"plugin": os.path.basename(plugin), "title": title, "body": body,
                                            "href": USAGE_URL}, quote_via=urllib.parse.quote)
            return ["open", "-g", f"swiftbar://notify?{query}"]
        return ["osascript", "-e", f"display notification {_applescript(body)} with title {_applescript(title)}"]
    exe = shutil.which("notify-send", path=env.get("PATH"))
    if exe:
        return [exe, "--app-name=codexbar", title, body]
    return None


def _applescript(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def send_notification(title: str, body: str, env: dict[str, str]) -> bool:
    cmd = notify_command(title, body, env)
    if cmd is None:
        return False
    try:
        done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
