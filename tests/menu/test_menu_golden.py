"""The menu card with a fixed clock: docs/reference/menu-rules.md card order, formatting and pace as a user reads them."""

from __future__ import annotations

import datetime as dt

import pytest

from codexbar_core.model import CreditLimit, Credits
from codexbar_core.render.menu import build_menu
from codexbar_core.render.menu_input import HomeView
from codexbar_core.slots import replace
from tests.menu.samples import NOW, cost_report, menu_input, result, snapshot


def titles(text: str) -> list[str]:
    return [line.split(" | ", 1)[0] for line in text.splitlines()]


def menu(*, snap=None, cost=None, host="xbar", views=None, **kw) -> list[str]:
    views = views or [HomeView(result(snap if snap is not None else snapshot(extras=False)), cost)]
    return titles(build_menu(menu_input(views, **kw), host))


def test_spec_golden_lanes_resets_and_pace():
    # pace goldens (docs/reference/menu-rules.md, "Pace"): session used 5 resetting in 4h, weekly used 25 resetting in 5d.
    snap = snapshot(5, 25, session_reset_h=4, weekly_reset_d=5, extras=False)
    lines = menu(snap=snap)
    i = lines.index("Session: 95% left  ▰▰▰▰▰▰▰▰▰▰")
    assert lines[i + 1:i + 3] == ["Resets in 4h", "Pace: 15% in reserve · Lasts until reset"]
    j = lines.index("Weekly: 75% left  ▰▰▰▰▰▰▰▰▱▱")
    assert lines[j + 1:j + 3] == ["Resets in 5d", "Pace: 4% in reserve · Lasts until reset"]


def test_burning_session_says_when_it_runs_out():
    snap = snapshot(60, 30, session_reset_h=4, weekly_reset_d=6, extras=False)
    lines = menu(snap=snap)
    assert "Pace: 40% in deficit · Projected empty in 40m" in lines
    fast_weekly = snapshot(10, 90, session_reset_h=4.9, weekly_reset_d=3, extras=False)
    assert any(t.startswith("Pace: ") and "Runs out in" in t for t in menu(snap=fast_weekly))


def test_absolute_reset_style(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    import time
    time.tzset()
    snap = snapshot(28, 59, session_reset_h=2.5, weekly_reset_d=2.2, extras=False)
    lines = menu(snap=snap, reset_style="absolute")
    assert "Resets 5:00 PM" in lines  # 14:30 + 2h30m, same day
    assert "Resets Nov 27, 7:18 PM" in lines  # two days and a bit


def test_show_used_and_percent_formatting():
    lines = menu(snap=snapshot(99.6, 0.4, extras=False), show_used=True)
    assert lines[0] == "Codex 100%"
    assert "Session: 100% used  ▱▱▱▱▱▱▱▱▱▱" in lines and "Weekly: <1% used  ▰▰▰▰▰▰▰▰▰▰" in lines


def test_exhausted_weekly_caps_the_session_and_hides_its_pace():
    snap = snapshot(20, 100, session_reset_h=3, weekly_reset_d=1, extras=False)
    lines = menu(snap=snap)
    assert "Session: 0% left  ▱▱▱▱▱▱▱▱▱▱" in lines
    assert "Weekly limit reached: no session use until the weekly reset" in lines
    weekly = lines.index("Weekly: 0% left  ▱▱▱▱▱▱▱▱▱▱")
    assert lines[weekly + 1] == "Resets in 1d"  # the countdown stays
    assert not any(t.startswith("Pace:") for t in lines)
    # the title and the first line say which lane binds and when work is possible again
    assert lines[0] == "Codex Weekly · usable tomorrow 14:30"
    assert lines[2] == "Weekly limit reached · usable tomorrow 14:30"


def test_weekly_with_a_past_reset_does_not_cap():
    snap = snapshot(20, 100, extras=False)
    snap.secondary.resets_at = NOW - dt.timedelta(minutes=5)
    lines = menu(snap=snap)
    assert "Session: 80% left  ▰▰▰▰▰▰▰▰▱▱" in lines
    assert lines[0] == "Codex 80%"  # an empty lane whose reset passed is not the title


def test_stale_data_says_how_old_it_is():
    snap = snapshot(fetched_ago_s=25 * 60, extras=False)
    lines = menu(views=[HomeView(result(snap, stale=True, error={
        "kind": "unavailable", "message": "Codex usage is temporarily unavailable. Try refreshing."}))])
    assert "⚠ Showing data from 25m ago (refresh failed)" in lines
    assert "⚠ Codex usage is temporarily unavailable. Try refreshing." in lines


def test_stale_lane_whose_reset_passed_says_so():
    snap = snapshot(90, 40, fetched_ago_s=3 * 3600, extras=False)
    snap.primary.resets_at = NOW - dt.timedelta(minutes=10)
    lines = menu(views=[HomeView(result(snap, stale=True))])
    assert "Reset since this was read; Refresh for new numbers" in lines


def test_extra_windows_and_code_review():
    lines = menu(snap=snapshot())
    assert "Codex Spark 5-hour: 88% left  ▰▰▰▰▰▰▰▰▰▱" in lines
    assert "Resets in 3h 10m · 25% in reserve" in lines
    assert "Codex Spark Weekly: 69% left  ▰▰▰▰▰▰▰▱▱▱" in lines
    assert "Code review: 86% left  ▰▰▰▰▰▰▰▰▰▱" in lines


def test_heading_account_plan_and_credits():
    snap = snapshot(extras=False)
    snap.credits = Credits(balance=0, limit=CreditLimit(limit=1000, used=250, remaining=750, remaining_percent=75,
                                                         resets_at=dt.datetime(2026, 12, 1, 12, tzinfo=dt.timezone.utc)))
    lines = menu(snap=snap)
    assert lines[2:4] == ["Codex 0.169.0 · Pro 20x", "dana@example.com"]
    assert "Credits: 750 left  ▰▰▰▰▰▰▰▰▱▱" in lines
    assert "Monthly credit limit: 250 of 1,000 used · resets Dec 1" in lines


def test_no_windows_but_identity_and_nothing_at_all():
    snap = snapshot(extras=False)
    snap.primary = snap.secondary = None
    assert "Limits not available" in menu(snap=snap)
    snap.identity.email = snap.identity.plan = None
    assert "No usage yet" in menu(snap=snap)


def test_cost_block():
    report = cost_report()
    report.today_cost, report.today_tokens, report.window_cost, report.window_tokens = 1.04, 12_000, 18.22, 4_100_000
    lines = menu(cost=report)
    assert "Today: $1.04 · 12K tokens" in lines
    assert "Last 30 days: $18.22 · 4.1M tokens" in lines
    assert "Estimated from token usage · not a subscription bill" in lines
    day = lines.index("Cost per day")
    assert lines[day + 1] == "--Wed Nov 25      $5.40    6.2M tokens"
    model = lines.index("Cost by model")
    assert lines[model + 1].startswith("--gpt-5.5: $53.15 · 61M tokens")
    assert lines[model + 1].endswith("62%")


def test_unpriced_cost_shows_a_dash_not_zero():
    report = cost_report()
    report.today_cost = report.window_cost = None
    lines = menu(cost=report)
    assert any(t.startswith("Today: — · ") for t in lines)


def test_empty_history_is_a_known_zero():
    report = cost_report()
    report.daily = []
    assert "No Codex sessions in the last 30 days" in menu(cost=report)


T_MODES = [("percent", "auto", "Codex 41%"), ("pace", "auto", "Codex +10%"), ("both", "auto", "Codex 41% · +10%"),
           ("percent", "session", "Codex 72%"), ("both", "session", "Codex 72% · +22%"),
           ("percent", "weekly", "Codex 41%")]


@pytest.mark.parametrize("mode,metric,title", T_MODES)
def test_title_modes_and_metrics(mode, metric, title):
    assert menu(snap=snapshot(28, 59, extras=False), title_mode=mode, title_metric=metric)[0] == title


def test_title_pace_deficit_is_negative_and_coloured():
    snap = snapshot(60, 30, session_reset_h=4, weekly_reset_d=6, extras=False)
    inp = menu_input([HomeView(result(snap))], title_mode="both", title_metric="session")
    first = build_menu(inp, "swiftbar").splitlines()[0]
    assert first.startswith("40% · −40% | ")
    assert "color=#C26A00,#FF9F0A" in first


@pytest.mark.parametrize("left,color", [(72, None), (25, "#C26A00"), (8, "#C5221F")])
def test_title_colour_by_state(left, color):
    snap = snapshot(100 - left, 5, extras=False)
    first = build_menu(menu_input([HomeView(result(snap))]), "xbar").splitlines()[0]
    assert (f"color={color}" in first) if color else "color=" not in first


def test_dark_appearance_picks_the_dark_colour_on_single_colour_hosts():
    snap = snapshot(95, 5, extras=False)
    first = build_menu(menu_input([HomeView(result(snap))], dark=True), "xbar").splitlines()[0]
    assert first.endswith("color=#FF453A")


def test_several_homes_one_section_each_title_shows_the_tightest(tmp_path):
    work = HomeView(result(snapshot(70, 40, extras=False), name="work", home=str(tmp_path / "w")), cost_report(1))
    personal = HomeView(result(snapshot(10, 20, extras=False), name="personal", home=str(tmp_path / "p")),
                        cost_report(2, scale=0.2))
    lines = menu(views=[work, personal])
    assert lines[0] == "Codex 30%"  # work's session
    assert "Codex 0.169.0 · work · Pro 20x" in lines and "Codex 0.169.0 · personal · Pro 20x" in lines
    assert lines.index("Codex 0.169.0 · work · Pro 20x") < lines.index("Session: 30% left  ▰▰▰▱▱▱▱▱▱▱")
    assert lines.index("Session: 30% left  ▰▰▰▱▱▱▱▱▱▱") < lines.index("Codex 0.169.0 · personal · Pro 20x")
    assert any(t.startswith("All homes · last 30 days: $") for t in lines)


def test_settings_submenus_mark_the_current_choice():
    lines = menu(title_mode="pace", title_metric="weekly", reset_style="absolute")
    assert "--✓ Pace (+5% = in reserve)" in lines and "--Percent left (45%)" in lines
    assert "--✓ Weekly" in lines and "--✓ Clock time (3:00 PM)" in lines
    assert "--✓ On" in lines and "--✓ At 80% and 95% used" in lines


def test_monthly_lane_has_its_own_title_and_pace():
    snap = snapshot(10, 70, extras=False)
    snap.secondary.window_minutes = 43200
    snap.secondary.resets_at = NOW + dt.timedelta(days=20)
    lines = menu(snap=snap)
    i = lines.index("Monthly: 30% left  ▰▰▰▱▱▱▱▱▱▱")
    assert lines[i + 1] == "Resets in 20d"
    assert lines[i + 2].startswith("Pace: 37% in deficit · Runs out in ")


def test_a_stale_title_is_dimmed():
    snap = snapshot(20, 30, fetched_ago_s=3600, extras=False)
    first = build_menu(menu_input([HomeView(result(snap, stale=True))]), "swiftbar").splitlines()[0]
    assert first.startswith("70% | ") and "color=#6E6E73,#98989D" in first


def test_extra_limits_can_be_hidden():
    from codexbar_core.settings import Settings

    lines = menu(snap=snapshot(), settings=Settings({"show_extras": False}))
    assert not any(t.startswith("Codex Spark") for t in lines)
    assert "Session: 72% left  ▰▰▰▰▰▰▰▱▱▱" in lines and "--Show Spark and other extra limits" in lines


def test_stale_cost_says_how_old_it_is():
    report = replace(cost_report(), updated_at="2026-11-25T14:10:00Z")
    lines = menu(views=[HomeView(result(snapshot(extras=False)), report, None, True)])
    assert "Cost from an earlier scan (20m ago); a new scan is running" in lines


def test_dashboard_extras_renewal_history_and_buy_link():
    from codexbar_core.model import CreditEvent, WebExtras

    snap = snapshot(extras=False)
    snap.web = WebExtras(email="dana@example.com", renewal="renews at 2026-12-01",
                         credit_history=[CreditEvent("2025-12-18", "CLI", 397.205),
                                         CreditEvent("2025-12-17", "GitHub Code Review", 506.235)],
                         purchase_url="https://chatgpt.com/codex/settings/usage")
    text = build_menu(menu_input([HomeView(result(snap), None)]), "swiftbar")
    lines = titles(text)
    assert "Plan renews at 2026-12-01" in lines
    i = lines.index("Credits history")
    assert lines[i + 1:i + 3] == ["--2025-12-18  CLI: 397.2 credits",
                                "--2025-12-17  GitHub Code Review: 506.24 credits"]
    assert "Buy credits… | href=https://chatgpt.com/codex/settings/usage" in text.splitlines()
