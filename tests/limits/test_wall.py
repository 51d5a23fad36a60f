""""Usable again at": the title and the first line say which lane binds, when work is possible again,
and whether a reset credit could lift it."""

from __future__ import annotations

import datetime as dt

from codexbar_core.model import Credits, RateWindow
from codexbar_core.render.menu import build_menu
from codexbar_core.render.menu_input import HomeView
from tests.menu.samples import NOW, menu_input, result, snapshot


def lines_of(snap, host: str = "xbar") -> list[str]:
    text = build_menu(menu_input([HomeView(result(snap))]), host)
    return [line.split(" | ")[0] for line in text.splitlines()]


def test_an_exhausted_session_says_when_it_is_usable_again():
    lines = lines_of(snapshot(100, 40, session_reset_h=2.5, extras=False))  # NOW is 14:30 (TZ=UTC)
    assert lines[0] == "Codex Session · usable 17:00"
    assert lines[2] == "Session limit reached · usable 17:00"
    assert not any("reset credit" in line for line in lines)


def test_when_both_lanes_are_empty_the_later_reset_binds():
    snap = snapshot(100, 100, session_reset_h=2, weekly_reset_d=3.0, extras=False)
    lines = lines_of(snap)
    assert lines[2] == "Weekly limit reached · usable Sat 14:30"  # Wed + 3 days


def test_a_banked_reset_credit_is_offered_but_never_spent():
    snap = snapshot(20, 100, weekly_reset_d=9, extras=False)
    snap.credits = Credits(balance=0.0, reset_credits_available=2,
                           reset_credits_next_expiry=NOW + dt.timedelta(days=5))
    lines = lines_of(snap)
    assert lines[2] == "Weekly limit reached · usable Dec 4, 14:30"
    assert lines[3] == "Spending one of your 2 reset credits in Codex could lift it now (codexbar never spends one)"
    assert "Limit reset credits: 2 available · next expires Nov 30" in lines


def test_a_weekly_only_plan_and_an_unknown_reset():
    snap = snapshot(extras=False)
    snap.primary = None
    snap.secondary = RateWindow(100, 10080, None, reset_description="resets Monday")
    lines = lines_of(snap)
    assert lines[0] == "Codex Weekly · usable after its reset"


def test_no_wall_while_work_is_possible_or_after_the_reset_passed():
    assert lines_of(snapshot(99, 99.5, extras=False))[0] == "Codex <1%"  # nearly, but not yet
    past = snapshot(100, 20, extras=False)
    past.primary.resets_at = NOW - dt.timedelta(minutes=1)
    assert "limit reached ·" not in "\n".join(lines_of(past))
    assert "Spark" not in lines_of(snapshot(10, 20))[0]  # an empty extra lane binds only its own models


def test_with_several_homes_the_first_line_names_the_home():
    work, personal = snapshot(20, 100, extras=False), snapshot(10, 10, extras=False)
    views = [HomeView(result(work, name="work")), HomeView(result(personal, name="personal", home="/p"))]
    lines = [line.split(" | ")[0] for line in build_menu(menu_input(views), "xbar").splitlines()]
    assert lines[0] == "Codex Weekly · usable Fri 19:18"  # the home that cannot work binds the title
    assert lines[2] == "work: Weekly limit reached · usable Fri 19:18"
    assert not any(line.startswith("personal: ") for line in lines)
