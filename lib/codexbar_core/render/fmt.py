"""Formatting rules shared by the menu and the terminal report (docs/reference/menu-rules.md, "Formatting")."""

from __future__ import annotations

import datetime as dt
import math


def clamp_percent(value: float) -> float:
    return min(100.0, max(0.0, value))


def percent_text(value: float) -> str:
    """"<1%" for (0, 1), else a rounded integer with %."""
    v = clamp_percent(value)
    if 0 < v < 1:
        return "<1%"
    return f"{int(round(v))}%"


def duration_text(seconds: float) -> str:
    """Minutes rounded up: "2h 30m", "3d 4h", "3d 5m", "45m", "4h", "5d"."""
    minutes = max(1, math.ceil(seconds / 60))
    days, rem = divmod(minutes, 1440)
    hours, mins = divmod(rem, 60)
    if days:
        if hours:
            return f"{days}d {hours}h"
        if mins:
            return f"{days}d {mins}m"
        return f"{days}d"
    if hours:
        return f"{hours}h {mins}m" if mins else f"{hours}h"
    return f"{mins}m"


def reset_countdown(resets_at: dt.datetime, now: dt.datetime) -> str:
    seconds = (resets_at - now).total_seconds()
    if seconds < 1:
        return "Resets now"
    return f"Resets in {duration_text(seconds)}"


def _clock(t: dt.datetime) -> str:
    hour = t.hour % 12 or 12
    return f"{hour}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def reset_absolute(resets_at: dt.datetime, now: dt.datetime) -> str:
    """Local time: "3:00 PM" today, "tomorrow, 3:00 PM", else "Dec 5, 3:00 PM"."""
    local = resets_at.astimezone()
    today = now.astimezone().date()
    if local.date() == today:
        return f"Resets {_clock(local)}"
    if local.date() == today + dt.timedelta(days=1):
        return f"Resets tomorrow, {_clock(local)}"
    return f"Resets {local.strftime('%b')} {local.day}, {_clock(local)}"


def reset_text(resets_at: dt.datetime, now: dt.datetime, style: str = "countdown") -> str:
    if style == "absolute":
        if (resets_at - now).total_seconds() < 1:
            return "Resets now"
        return reset_absolute(resets_at, now)
    return reset_countdown(resets_at, now)


def money(value: float | None) -> str:
    """en_US currency: "$1,234.56"; "—" when unknown."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def tokens(value: float | int | None) -> str:
    """1e9 "B", 1e6 "M", 1e3 "K"; one decimal below 10 ("1.5K", "2M"), none from 10 ("12K")."""
    if value is None:
        return "—"
    n = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= limit:
            scaled = n / limit
            if abs(scaled) < 10:
                text = f"{scaled:.1f}".rstrip("0").rstrip(".")
            else:
                text = f"{scaled:.0f}"
            return text + suffix
    return str(int(n))


def credits_text(value: float) -> str:
    """≤ 2 decimals, no trailing zeros: "112.4", "1,000"."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def age_text(seconds: float) -> str:
    if seconds < 60:
        return "just now"
    return f"{duration_text(seconds)} ago"


def short_date(t: dt.datetime) -> str:
    """Local "Dec 5"."""
    local = t.astimezone()
    return f"{local.strftime('%b')} {local.day}"
