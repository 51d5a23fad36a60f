"""Placeholders of a status-line template and the state hosts colour by.

State: `stale` when there is no snapshot or it is older than STALE_AFTER (the menu would say it is
old too), else by the tighter of the session and weekly lanes' percent left, with the menu's own
colour thresholds: `critical` at 10% or less, `warning` at 30% or less, `ok` above.
"""

from __future__ import annotations

from codexbar_core.render.fmt import credits_text, duration_text, money, percent_text
from codexbar_core.statusline.snapshot import Lane, StatusData

STALE_AFTER = 15 * 60.0  # three missed 5-minute refreshes
CRITICAL_LEFT = 10.0
WARNING_LEFT = 30.0
MISSING = "—"  # a value the cache does not have (no snapshot yet, no credits, no cost report)

# name -> what it shows; the README and `codexbar statusline --help` list these.
PLACEHOLDERS = {
    "session_left": "5-hour session: percent left",
    "session_used": "5-hour session: percent used",
    "session_reset": "5-hour session: time until it resets (2h 30m)",
    "session_pace": "5-hour session: pace, + in reserve / - in deficit (+22%)",
    "weekly_left": "weekly: percent left",
    "weekly_used": "weekly: percent used",
    "weekly_reset": "weekly: time until it resets (2d 4h)",
    "weekly_pace": "weekly: pace (+10%)",
    "left": "the tighter lane's percent left",
    "cost_today": "what today's local sessions cost ($5.40)",
    "credits": "credits left (112.4, unlimited)",
    "state": "ok, warning, critical or stale",
    "mark": "nothing when ok, ' !' warning, ' !!' critical, ' (stale)' stale",
    "age": "how old the numbers are (4m)",
}
MARKS = {"ok": "", "warning": " !", "critical": " !!", "stale": " (stale)"}


def left_of(lane: Lane | None) -> float | None:
    return None if lane is None else max(0.0, 100.0 - min(100.0, max(0.0, lane.used)))


def tightest_left(data: StatusData) -> float | None:
    lefts = [v for v in (left_of(data.session), left_of(data.weekly)) if v is not None]
    return min(lefts) if lefts else None


def state_of(data: StatusData, now: float) -> str:
    if data.stored_at is None or now - data.stored_at > STALE_AFTER:
        return "stale"
    left = tightest_left(data)
    if left is None:
        return "ok"
    if left <= CRITICAL_LEFT:
        return "critical"
    if left <= WARNING_LEFT:
        return "warning"
    return "ok"

# The session lane's length when an answer leaves it out (the menu assumes the same).
SESSION_MINUTES = 300


def pace_delta(lane: Lane, now: float, unknown_length_minutes: int | None = None) -> float | None:
    """Percent in reserve (+) or deficit (-) against an even burn; None where the menu shows no pace.

    A lane without a length is paced only when the caller knows what it must be: the session lane
    is the 300-minute window, as in the menu (docs/decisions/reference-and-hosts.md)."""
    minutes = lane.window_minutes or unknown_length_minutes
    if lane.resets_at is None or not minutes:
        return None
    duration = minutes * 60.0
    to_reset = lane.resets_at - now
    if to_reset <= 0 or to_reset > duration:
        return None
    expected = (duration - to_reset) / duration * 100.0
    used = min(100.0, max(0.0, lane.used))
    if expected < 3 or used >= 100:
        return None
    return expected - used


def _pace_text(lane: Lane | None, now: float, unknown_length_minutes: int | None) -> str:
    delta = None if lane is None else pace_delta(lane, now, unknown_length_minutes)
    if delta is None:
        return MISSING
    rounded = int(round(delta))
    return f"{rounded:+d}%" if rounded else "±0%"


def _reset_text(lane: Lane | None, now: float) -> str:
    if lane is None or lane.resets_at is None:
        return MISSING
    seconds = lane.resets_at - now
    return "now" if seconds < 1 else duration_text(seconds)


def _lane_values(prefix: str, lane: Lane | None, now: float) -> dict[str, str]:
    left = left_of(lane)
    return {
        f"{prefix}_left": MISSING if left is None else percent_text(left),
        f"{prefix}_used": MISSING if lane is None else percent_text(lane.used),
        f"{prefix}_reset": _reset_text(lane, now),
        f"{prefix}_pace": _pace_text(lane, now, SESSION_MINUTES if prefix == "session" else None),
    }


def values(data: StatusData, now: float) -> dict[str, str]:
    state = state_of(data, now)
    out = _lane_values("session", data.session, now)
    out.update(_lane_values("weekly", data.weekly, now))
    left = tightest_left(data)
    out["left"] = MISSING if left is None else percent_text(left)
    out["cost_today"] = MISSING if data.cost_today is None else money(data.cost_today)
    if data.credits_unlimited:
        out["credits"] = "unlimited"
    else:
        out["credits"] = MISSING if data.credits is None else credits_text(data.credits)
    out["state"] = state
    out["mark"] = MARKS[state]
    stored = data.stored_at  # 0: the snapshot is kept, but `codexbar refresh` asked for a new one
    out["age"] = duration_text(max(0.0, now - stored)) if stored else MISSING
    return out
