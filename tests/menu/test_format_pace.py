"""Formatting and pace goldens (docs/reference/menu-rules.md, "Formatting" and "Pace") with a fixed clock."""

from __future__ import annotations

import datetime as dt

import pytest

from codexbar_core.model import RateWindow
from codexbar_core.render import fmt
from codexbar_core.render.pace import compute_pace

T = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("seconds,text", [(0.5, "Resets now"), (9000, "Resets in 2h 30m"),
                                          (3 * 86400 + 4 * 3600, "Resets in 3d 4h"),
                                          (3 * 86400 + 5 * 60, "Resets in 3d 5m"), (45 * 60, "Resets in 45m"),
                                          (4 * 3600, "Resets in 4h"), (5 * 86400, "Resets in 5d"),
                                          (44 * 60 + 1, "Resets in 45m")])
def test_reset_countdown_rounds_minutes_up(seconds, text):
    assert fmt.reset_countdown(T + dt.timedelta(seconds=seconds), T) == text


@pytest.mark.parametrize("value,text", [(0.4, "<1%"), (0, "0%"), (72.4, "72%"), (101, "100%"), (-3, "0%")])
def test_percent(value, text):
    assert fmt.percent_text(value) == text


@pytest.mark.parametrize("value,text", [(1234.56, "$1,234.56"), (0, "$0.00"), (None, "—"), (1.005, "$1.00")])
def test_money(value, text):
    assert fmt.money(value) == text


@pytest.mark.parametrize("value,text", [(999, "999"), (1500, "1.5K"), (12_000, "12K"), (2_000_000, "2M"),
                                        (4_100_000, "4.1M"), (3_200_000_000, "3.2B")])
def test_tokens(value, text):
    assert fmt.tokens(value) == text


def test_absolute_reset_style(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    assert fmt.reset_absolute(T + dt.timedelta(hours=3), T) == "Resets 3:00 PM"
    assert fmt.reset_absolute(T + dt.timedelta(days=1, hours=3), T) == "Resets tomorrow, 3:00 PM"
    assert fmt.reset_absolute(T + dt.timedelta(days=11, hours=3), T) == "Resets Dec 5, 3:00 PM"


def test_session_golden():
    window = RateWindow(used_percent=5, window_minutes=300, resets_at=T + dt.timedelta(hours=4))
    pace = compute_pace(window, T)
    assert pace.cli_text(session=True) == "Pace: 15% in reserve | Expected 20% used | Lasts until reset"
    assert fmt.reset_countdown(window.resets_at, T) == "Resets in 4h"


def test_weekly_golden():
    window = RateWindow(used_percent=25, window_minutes=10080, resets_at=T + dt.timedelta(days=5))
    pace = compute_pace(window, T)
    assert pace.cli_text(session=False) == "Pace: 4% in reserve | Expected 29% used | Lasts until reset"


def test_burning_fast_projects_when_it_runs_out():
    # 60% used 1 h into a 5 h window: empty 40 min from now at this rate, long before the reset.
    window = RateWindow(used_percent=60, window_minutes=300, resets_at=T + dt.timedelta(hours=4))
    pace = compute_pace(window, T)
    assert pace.menu_text(session=True) == "Pace: 40% in deficit · Projected empty in 40m"
    weekly = RateWindow(used_percent=90, window_minutes=10080, resets_at=T + dt.timedelta(days=3))
    assert compute_pace(weekly, T).right_label(session=False).startswith("Runs out in")


def test_no_pace_when_it_would_mislead():
    assert compute_pace(RateWindow(50, 300, None), T) is None  # no reset time
    assert compute_pace(RateWindow(50, 300, T - dt.timedelta(minutes=1)), T) is None  # reset passed
    assert compute_pace(RateWindow(100, 300, T + dt.timedelta(hours=1)), T) is None  # depleted
    assert compute_pace(RateWindow(1, 300, T + dt.timedelta(minutes=295)), T) is None  # expected < 3 %
