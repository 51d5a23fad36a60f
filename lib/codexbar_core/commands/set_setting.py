"""`codexbar set KEY VALUE`: change one menu setting (the menu's submenus click these)."""

from __future__ import annotations

import sys

from codexbar_core import settings as settings_mod
from codexbar_core.commands.common import env
from codexbar_core.settings import SOURCES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.commands.common import Args

SETTABLE = {
    "title_mode": settings_mod.TITLE_MODES,
    "title_metric": settings_mod.TITLE_METRICS,
    "reset_style": settings_mod.RESET_STYLES,
    "show_used": ("true", "false"),
    "show_extras": ("true", "false"),
    "notifications": ("true", "false"),
    "notify_resets": ("true", "false"),
    "keyring_direct": ("true", "false"),
    "cookie_mode": settings_mod.COOKIE_MODES,
    "source": SOURCES,
}


def run(args: Args) -> int:
    key, value = args.key, args.value
    if key == "notify_thresholds":
        return _set_thresholds(value)
    allowed = SETTABLE.get(key)
    if allowed is None:
        print(f"codexbar: unknown setting {key!r}; one of: {', '.join(sorted(SETTABLE))}", file=sys.stderr)
        return 2
    if value not in allowed:
        print(f"codexbar: {key} must be one of: {', '.join(allowed)}", file=sys.stderr)
        return 2
    parsed: Any = value == "true" if allowed == ("true", "false") else value
    settings_mod.update(env(), **{key: parsed})
    print(f"{key} set to {value}.")
    return 0


def _set_thresholds(value: str) -> int:
    """`codexbar set notify_thresholds 80,95`: percent-used levels that trigger a notification."""
    try:
        levels = sorted({int(part) for part in value.replace(" ", "").split(",") if part})
    except ValueError:
        levels = []
    if not levels or not all(1 <= n <= 100 for n in levels):
        print("codexbar: notify_thresholds must be percentages used from 1 to 100, e.g. 80,95", file=sys.stderr)
        return 2
    settings_mod.update(env(), notify_thresholds=levels)
    print(f"notify_thresholds set to {', '.join(map(str, levels))}.")
    return 0
