"""Pace and state as the status line computes them from cached numbers (no subprocess needed)."""

from __future__ import annotations

from codexbar_core.statusline.fields import pace_delta, state_of, values
from codexbar_core.statusline.snapshot import Lane, StatusData

NOW = 1_800_000_000.0
WEEK = 7 * 24 * 60


def half_way(used: float) -> Lane:
    return Lane(used, WEEK, NOW + WEEK * 30)  # half of the week left


def test_pace_is_reserve_positive_and_deficit_negative():
    assert pace_delta(half_way(30), NOW) == 20.0
    assert pace_delta(half_way(70), NOW) == -20.0
    assert values(StatusData(weekly=half_way(30), stored_at=NOW), NOW)["weekly_pace"] == "+20%"
    assert values(StatusData(weekly=half_way(50), stored_at=NOW), NOW)["weekly_pace"] == "±0%"


def test_no_pace_where_the_menu_shows_none():
    assert pace_delta(Lane(10, WEEK, NOW + WEEK * 60 - 60), NOW) is None  # under 3% of the window gone
    assert pace_delta(Lane(10, WEEK, NOW - 1), NOW) is None  # reset already passed
    assert pace_delta(Lane(10, WEEK, NOW + WEEK * 61), NOW) is None  # reset beyond one window
    assert pace_delta(Lane(100, WEEK, NOW + 3600), NOW) is None  # empty
    assert pace_delta(Lane(10, None, NOW + 3600), NOW) is None


def test_a_session_lane_without_a_length_is_paced_as_the_five_hour_window() -> None:
    # 150 of 300 minutes gone, 30 % used: 20 % in reserve, as the menu says for the same lane
    assert pace_delta(Lane(30, None, NOW + 150 * 60), NOW, 300) == 20.0


def test_state_uses_the_menus_thresholds_on_the_tighter_lane():
    def state(session: float, weekly: float, age: float = 0) -> str:
        return state_of(StatusData(Lane(session, 300, None), Lane(weekly, WEEK, None), stored_at=NOW - age), NOW)

    assert state(69, 10) == "ok"
    assert state(70, 10) == "warning"
    assert state(10, 90) == "critical"
    assert state(10, 10, age=15 * 60 + 1) == "stale"
    assert state_of(StatusData(), NOW) == "stale"
