"""Window roles and plan display names, done once for every source (docs/reference/usage-sources.md, "Window roles"; docs/reference/menu-rules.md, "Formatting")."""

from __future__ import annotations

import re
from dataclasses import replace

from codexbar_core.model import RateWindow, UsageSnapshot

SESSION_MINUTES = 300
WEEKLY_MINUTES = 10080
MONTHLY_MINUTES = 43200


def role(window: RateWindow | None) -> str | None:
    if window is None:
        return None
    if window.window_minutes == SESSION_MINUTES:
        return "session"
    if window.window_minutes == WEEKLY_MINUTES:
        return "weekly"
    return "unknown"


def normalize_windows(
    primary: RateWindow | None, secondary: RateWindow | None
) -> tuple[RateWindow | None, RateWindow | None]:
    """Put the session-like window in the primary slot and the weekly one in the secondary slot.

    Both present: (weekly, session) and (weekly, unknown) swap, everything else keeps its order.
    One present: a weekly window goes to the secondary slot (free plans have no session lane),
    a session or unknown window to the primary slot.
    """
    if primary is not None and secondary is not None:
        if role(primary) == "weekly" and role(secondary) in ("session", "unknown"):
            return secondary, primary
        return primary, secondary
    only = primary or secondary
    if only is None:
        return None, None
    if role(only) == "weekly":
        return None, only
    return only, None


def normalize_snapshot(snapshot: UsageSnapshot) -> UsageSnapshot:
    primary, secondary = normalize_windows(snapshot.primary, snapshot.secondary)
    return replace(snapshot, primary=primary, secondary=secondary)


def lane_title(window: RateWindow, slot: str) -> str:
    """"Session" / "Weekly" / "Monthly" by length, else a name that says how long the window is."""
    if window.title:
        return window.title
    minutes = window.window_minutes
    if minutes == SESSION_MINUTES:
        return "Session"
    if minutes == WEEKLY_MINUTES:
        return "Weekly"
    if minutes == MONTHLY_MINUTES:
        return "Monthly"
    if minutes == 1440:
        return "Daily"
    if minutes:
        if minutes % 1440 == 0:
            return f"{minutes // 1440}-day"
        if minutes % 60 == 0:
            return f"{minutes // 60}-hour"
        return f"{minutes}-minute"
    return "Session" if slot == "primary" else "Weekly"


_PLAN_WORDS_DROPPED = {"claude", "codex", "account", "plan"}
_PRO_LITE = {"prolite", "pro_lite", "pro-lite", "pro lite"}


def _exact_plan_name(raw: str) -> str | None:
    lowered = raw.lower()
    if lowered == "pro":
        return "Pro 20x"
    if lowered in _PRO_LITE:
        return "Pro 5x"
    return None


def plan_display_name(plan: str | None) -> str | None:
    """`pro` -> "Pro 20x", `prolite` -> "Pro 5x", `free_workspace` -> "Free Workspace"."""
    if plan is None:
        return None
    raw = plan.strip()
    if not raw:
        return None
    exact = _exact_plan_name(raw)
    if exact:
        return exact
    # "Codex Pro" / "Codex Pro Lite": the product word hides an exact name (docs/decisions/reference-and-hosts.md)
    without_codex = " ".join(w for w in re.split(r"[_\-\s]+", raw) if w and w.lower() != "codex")
    exact = _exact_plan_name(without_codex)
    if exact:
        return exact
    words = [w for w in re.split(r"[_\-\s]+", raw) if w and w.lower() not in _PLAN_WORDS_DROPPED]
    if not words:
        return raw
    out = []
    for w in words:
        if w.lower() in ("k12", "cbp"):
            out.append(w.upper())
        else:
            out.append(w[:1].upper() + w[1:])
    return " ".join(out)
