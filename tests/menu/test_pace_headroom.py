"""Pace as the menu states it: headroom never promised beyond 1.5×, and a session lane without a length
still gets its pace (docs/decisions/reference-and-hosts.md)."""

from __future__ import annotations

import datetime as dt

from codexbar_core.model import RateWindow
from codexbar_core.render.menu import build_menu
from codexbar_core.render.menu_input import HomeView
from codexbar_core.render.pace import compute_pace
from codexbar_core.render.text import usage_report
from tests.menu.samples import NOW, menu_input, result, snapshot


def _titles(snap) -> list[str]:
    text = build_menu(menu_input([HomeView(result(snap), None)]), "swiftbar")
    return [line.split(" | ", 1)[0] for line in text.splitlines()]


def test_a_quiet_session_promises_at_most_one_and_a_half_times_headroom():
    # 10% used three hours into the 5-hour window: at this rate only ~7% more would go by the reset,
    # 13.5× less than what is left. The menu promises no more than 1.5× of it.
    window = RateWindow(10, 300, NOW + dt.timedelta(hours=2))
    pace = compute_pace(window, NOW)
    assert pace.headroom is not None and pace.headroom > 13
    assert pace.menu_text(session=True) == "Pace: 50% in reserve · Lasts until reset · 1.5× headroom"
    assert "13.5×" not in pace.menu_text(session=True)


def test_weekly_headroom_is_capped_early_and_late_in_the_week():
    # four days in with 20% used; then a late Sunday with 70% used and 17 hours to go
    early = compute_pace(RateWindow(20, 10080, NOW + dt.timedelta(days=3)), NOW)
    late = compute_pace(RateWindow(70, 10080, NOW + dt.timedelta(hours=16.8)), NOW)
    assert early.menu_text(session=False) == "Pace: 37% in reserve · Lasts until reset · 1.5× headroom"
    assert late.menu_text(session=False) == "Pace: 20% in reserve · Lasts until reset · 1.5× headroom"


def test_no_headroom_claim_when_only_a_little_in_reserve():
    # 50% used three hours into the session: it lasts, but only 10% in reserve, so no headroom is claimed
    pace = compute_pace(RateWindow(50, 300, NOW + dt.timedelta(hours=2)), NOW)
    assert pace.menu_text(session=True) == "Pace: 10% in reserve · Lasts until reset"


def test_menu_shows_the_capped_headroom_on_the_session_lane():
    lines = _titles(snapshot(10, 20, session_reset_h=2, weekly_reset_d=3, extras=False))
    assert "Pace: 50% in reserve · Lasts until reset · 1.5× headroom" in lines
    assert not any("13.5×" in line for line in lines)


def test_session_lane_without_a_length_is_paced_as_the_five_hour_window():
    snap = snapshot(50, 20, session_reset_h=2, weekly_reset_d=3, extras=False)
    snap.primary.window_minutes = None  # a source that names the lane but not its length
    lines = _titles(snap)
    session = lines.index("Session: 50% left  ▰▰▰▰▰▱▱▱▱▱")
    assert lines[session + 1:session + 3] == ["Resets in 2h", "Pace: 10% in reserve · Lasts until reset"]
    report = usage_report([result(snap)], color=False, now=NOW)
    assert "Pace: 10% in reserve | Expected 60% used | Lasts until reset" in report


def test_weekly_lane_without_a_length_gets_no_guessed_pace():
    snap = snapshot(50, 20, session_reset_h=2, weekly_reset_d=0.1, extras=False)
    snap.secondary.window_minutes = None
    lines = _titles(snap)
    weekly = next(i for i, line in enumerate(lines) if line.startswith("Weekly: 80% left"))
    assert lines[weekly + 1] == "Resets in 2h 24m"
    assert [line for line in lines if line.startswith("Pace:")] == ["Pace: 10% in reserve · Lasts until reset"]
    assert compute_pace(snap.secondary, NOW, unknown_length_minutes=None) is None
