"""When a main lane is exhausted: which one binds, when work is possible again, and whether a banked
reset credit could lift it (docs/decisions/limits.md "Usable again at")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from codexbar_core.model import RateWindow, UsageSnapshot
from codexbar_core.normalize import lane_title


@dataclass
class Wall:
    lane: str  # "Weekly", "Session", ...
    until: dt.datetime | None  # when every exhausted lane has reset; None when a reset time is unknown
    reset_credits: int


def _exhausted(window: RateWindow | None, now: dt.datetime) -> bool:
    if window is None or window.left_percent > 0:
        return False
    return window.resets_at is None or window.resets_at > now


def wall_of(snap: UsageSnapshot | None, now: dt.datetime) -> Wall | None:
    """The binding wall, or None when work is possible. Extra lanes (Spark, …) bind only their own
    models, so only the main lanes count."""
    if snap is None:
        return None
    hit = [(slot, w) for slot, w in (("primary", snap.primary), ("secondary", snap.secondary))
           if _exhausted(w, now)]
    if not hit:
        return None
    # Every exhausted lane must reset before work is possible: the latest reset binds.
    unknown = [(slot, w) for slot, w in hit if w.resets_at is None]
    slot, window = unknown[0] if unknown else max(hit, key=lambda sw: sw[1].resets_at)  # type: ignore[arg-type,return-value]
    credits = snap.credits.reset_credits_available if snap.credits is not None else 0
    return Wall(lane_title(window, slot), None if unknown else window.resets_at, credits)


def when_text(wall: Wall, now: dt.datetime) -> str:
    from codexbar_core.limits.menu_lines import day_clock

    return f"usable {day_clock(wall.until, now)}" if wall.until is not None else "usable after its reset"


def line_text(wall: Wall, now: dt.datetime) -> str:
    """"Weekly limit reached · usable Thu 14:00"."""
    return f"{wall.lane} limit reached · {when_text(wall, now)}"


def title_text(wall: Wall, now: dt.datetime) -> str:
    """The menu bar's short form: "Weekly · usable Thu 14:00"."""
    return f"{wall.lane} · {when_text(wall, now)}"


def credit_text(wall: Wall) -> str | None:
    if wall.reset_credits <= 0:
        return None
    count = "a reset credit" if wall.reset_credits == 1 else f"one of your {wall.reset_credits} reset credits"
    return f"Spending {count} in Codex could lift it now (codexbar never spends one)"
