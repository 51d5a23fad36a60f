"""Pace: is the user burning a window faster than it refills? (docs/reference/menu-rules.md, "Pace").

Headroom is shown capped and a session lane without a length is taken as the 5-hour window:
docs/decisions/reference-and-hosts.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from codexbar_core.model import RateWindow
from codexbar_core.render.fmt import clamp_percent, duration_text

SESSION_MINUTES = 300
# The most headroom the menu promises: a straight line through past use cannot vouch for more.
HEADROOM_SHOWN_CAP = 1.5


@dataclass
class Pace:
    stage: str  # "on_track" | "slightly_ahead" | "ahead" | "far_ahead" | "slightly_behind" | ...
    delta_percent: float  # actual - expected; > 0 means using faster than the window refills
    expected_used_percent: float
    will_last_to_reset: bool
    eta_seconds: float | None  # until 100% used at the current rate (None when it lasts)
    headroom: float | None = None  # raw: remaining / use projected to the reset (None unless >= the cap)

    @property
    def left_label(self) -> str:
        rounded = int(round(abs(self.delta_percent)))
        if rounded == 0 or self.stage == "on_track":
            return "On pace"
        if self.delta_percent > 0:
            return f"{rounded}% in deficit"
        return f"{rounded}% in reserve"

    def right_label(self, session: bool) -> str:
        if self.will_last_to_reset:
            text = "Lasts until reset"
            if self.headroom is not None:
                text += f" · {min(self.headroom, HEADROOM_SHOWN_CAP):.1f}× headroom"
            return text
        eta = duration_text(self.eta_seconds or 0) if (self.eta_seconds or 0) > 0 else "now"
        return f"Projected empty in {eta}" if session else f"Runs out in {eta}"

    def menu_text(self, session: bool) -> str:
        return f"Pace: {self.left_label} · {self.right_label(session)}"

    def cli_text(self, session: bool) -> str:
        return (f"Pace: {self.left_label} | Expected {int(round(self.expected_used_percent))}% used | "
                f"{self.right_label(session)}")


def _stage(delta: float) -> str:
    magnitude = abs(delta)
    if magnitude <= 2:
        return "on_track"
    side = "ahead" if delta > 0 else "behind"
    if magnitude <= 6:
        return f"slightly_{side}"
    if magnitude <= 12:
        return side
    return f"far_{side}"


def compute_pace(window: RateWindow, now: dt.datetime, *,
                 unknown_length_minutes: int | None = SESSION_MINUTES) -> Pace | None:
    """None when pace would mislead: no reset, reset past or beyond one window, too early, or depleted.

    A window without a length is taken to be `unknown_length_minutes` long: the session window for the
    session lane (the default); other lanes pass None and get no pace.
    """
    minutes = window.window_minutes or unknown_length_minutes
    if window.resets_at is None or not minutes:
        return None
    duration = minutes * 60.0
    to_reset = (window.resets_at - now).total_seconds()
    if to_reset <= 0 or to_reset > duration:
        return None
    elapsed = duration - to_reset
    expected = elapsed / duration * 100.0
    actual = clamp_percent(window.used_percent)
    if (elapsed == 0 and actual > 0) or expected < 3 or actual >= 100:
        return None
    delta = actual - expected
    if actual <= 0:
        return Pace(_stage(delta), delta, expected, True, None)
    rate = actual / elapsed  # percent per second
    seconds_to_empty = (100.0 - actual) / rate
    if seconds_to_empty >= to_reset:
        headroom = None
        projected_use_by_reset = rate * to_reset
        if (delta < -15 and projected_use_by_reset > 0
                and (100.0 - actual) / projected_use_by_reset >= HEADROOM_SHOWN_CAP):
            headroom = (100.0 - actual) / projected_use_by_reset
        return Pace(_stage(delta), delta, expected, True, None, headroom)
    return Pace(_stage(delta), delta, expected, False, seconds_to_empty)
