"""The menu-bar title: which lane it follows, percent and/or pace, its colour and (SwiftBar) its gauge symbol."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from codexbar_core.model import RateWindow, UsageSnapshot
from codexbar_core.render import fmt
from codexbar_core.render.markup import Line, detect_macos_major
from codexbar_core.render.menu_input import HomeView, MenuInput
from codexbar_core.render.pace import SESSION_MINUTES, compute_pace
from codexbar_core.render.palette import GREY, ORANGE, state_color


def assumed_minutes(window: RateWindow, snap: UsageSnapshot) -> int | None:
    """Only the session lane has a length to assume when the source gave none (the 5-hour window)."""
    return SESSION_MINUTES if window is snap.primary else None


def weekly_exhausted(snap: UsageSnapshot, now: dt.datetime) -> bool:
    """docs/reference/menu-rules.md, "Binding weekly lane": an empty weekly lane with a future reset binds the session lane too."""
    w = snap.secondary
    return bool(w is not None and w.left_percent <= 0 and w.resets_at is not None and w.resets_at > now)


def effective_left(window: RateWindow, snap: UsageSnapshot, now: dt.datetime) -> float:
    if window is snap.primary and weekly_exhausted(snap, now):
        return 0.0
    return window.left_percent


def title_window(snap: UsageSnapshot, inp: MenuInput) -> RateWindow | None:
    if inp.title_metric == "weekly":
        return snap.secondary or snap.primary
    if inp.title_metric == "session":
        return snap.primary or snap.secondary
    # Automatic: the tighter lane. An empty lane whose reset has passed says nothing (docs/reference/menu-rules.md, "Binding weekly lane").
    candidates = [w for w in (snap.primary, snap.secondary) if w is not None
                  and not (w.left_percent <= 0 and w.resets_at is not None and w.resets_at <= inp.now)]
    if not candidates:
        return snap.primary or snap.secondary
    return min(candidates, key=lambda w: effective_left(w, snap, inp.now))


def pace_title(delta: float) -> str:
    """Signed pace for the title: "+12%" = 12 % in reserve, "−8%" = 8 % in deficit."""
    rounded = int(round(abs(delta)))
    if rounded == 0:
        return "±0%"
    return f"+{rounded}%" if delta < 0 else f"−{rounded}%"


@dataclass
class Title:
    text: str
    left: float | None  # percent left it is based on (None when unknown)
    deficit: float = 0.0  # pace delta when the title shows pace and it is a deficit


def title_value(snap: UsageSnapshot | None, inp: MenuInput) -> Title:
    if snap is None or not snap.has_windows:
        return Title("—", None)
    from codexbar_core.limits.wall import title_text, wall_of

    wall = wall_of(snap, inp.now)
    if wall is not None:  # an exhausted lane: say which, and when work is possible again
        return Title(title_text(wall, inp.now), 0.0)
    window = title_window(snap, inp)
    assert window is not None
    left = effective_left(window, snap, inp.now)
    percent = fmt.percent_text(100 - left if inp.show_used else left)
    pace = None if left <= 0 else compute_pace(window, inp.now, unknown_length_minutes=assumed_minutes(window, snap))
    if pace is None or inp.title_mode == "percent":
        return Title(percent, left)
    deficit = max(0.0, pace.delta_percent)
    if inp.title_mode == "pace":
        return Title(pace_title(pace.delta_percent), left, deficit)
    return Title(f"{percent} · {pace_title(pace.delta_percent)}", left, deficit)


def _title_color(title: Title) -> tuple[str, str] | None:
    """Neutral when all is well; orange/red as a lane runs low or the pace runs far into deficit."""
    if title.left is None:
        return None
    if title.left <= 30:
        return state_color(title.left)
    if title.deficit > 12:
        return ORANGE
    return None


# The needle gauges exist from macOS 14 (SF Symbols 5); "gauge" from macOS 11 and on every later one.
NEEDLE_GAUGES_FROM_MACOS = 14
PLAIN_GAUGE = "gauge"


def _gauge_symbol(left: float | None, macos_major: int | None) -> str:
    """A gauge whose needle follows what is left, where this macOS has those symbols; else the plain gauge
    (an unknown symbol would leave the menu bar with no icon at all)."""
    if macos_major is None or macos_major < NEEDLE_GAUGES_FROM_MACOS:
        return PLAIN_GAUGE
    if left is None:
        return "gauge.with.dots.needle.bottom.50percent"
    for limit, name in ((10, "0"), (40, "33"), (60, "50"), (85, "67")):
        if left <= limit:
            return f"gauge.with.dots.needle.{name}percent"
    return "gauge.with.dots.needle.100percent"


def build_title(inp: MenuInput, host: str) -> Line:
    """The tightest home's lane; a stale or missing value is shown dimmed."""
    best: Title | None = None
    best_view: HomeView | None = None
    for view in inp.homes:
        title = title_value(view.usage.snapshot, inp)
        if title.left is not None and (best is None or best.left is None or title.left < best.left):
            best, best_view = title, view
    if best is None:
        best = Title("—", None)
    color = _title_color(best)
    if best_view is not None and best_view.usage.stale and color is None:
        color = GREY
    params: dict[str, str] = {}
    if host == "swiftbar":
        macos = detect_macos_major() if inp.macos_major is None else inp.macos_major
        params = {"sfimage": _gauge_symbol(best.left, macos), "symbolize": "false"}
        text = best.text
    else:
        text = f"Codex {best.text}"
    return Line(text, params=params, color=color)
