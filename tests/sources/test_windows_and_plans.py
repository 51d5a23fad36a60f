"""Window roles and plan names (docs/reference/usage-sources.md "Window roles", docs/decisions/reference-and-hosts.md "Plan names")."""

from __future__ import annotations

import pytest

from codexbar_core.model import RateWindow
from codexbar_core.normalize import normalize_windows, plan_display_name


def w(used: float, minutes: int) -> RateWindow:
    return RateWindow(used_percent=used, window_minutes=minutes)


def test_free_plan_weekly_only_goes_to_the_weekly_slot():
    primary, secondary = normalize_windows(w(0, 10080), None)
    assert primary is None
    assert secondary is not None and secondary.window_minutes == 10080 and secondary.used_percent == 0


@pytest.mark.parametrize("slot", ["primary", "secondary"])
def test_a_single_unknown_window_is_the_primary_lane(slot):
    window = w(5, 540)
    primary, secondary = normalize_windows(window if slot == "primary" else None,
                                           window if slot == "secondary" else None)
    assert primary is window and secondary is None


def test_weekly_then_unknown_swaps():
    primary, secondary = normalize_windows(w(43, 10080), w(17, 540))
    assert (primary.window_minutes, primary.used_percent) == (540, 17)
    assert (secondary.window_minutes, secondary.used_percent) == (10080, 43)


@pytest.mark.parametrize("a,b", [(300, 10080), (300, 540), (540, 10080), (540, 600)])
def test_other_pairs_keep_their_order(a, b):
    first, second = w(1, a), w(2, b)
    assert normalize_windows(first, second) == (first, second)


def test_weekly_then_session_swaps():
    primary, secondary = normalize_windows(w(9, 10080), w(3, 300))
    assert primary.window_minutes == 300 and secondary.window_minutes == 10080


def test_no_windows():
    assert normalize_windows(None, None) == (None, None)


@pytest.mark.parametrize("raw,shown", [("pro", "Pro 20x"), ("prolite", "Pro 5x"), ("pro_lite", "Pro 5x"),
                                       ("pro-lite", "Pro 5x"), ("pro lite", "Pro 5x"),
                                       ("free_workspace", "Free Workspace"), ("plus", "Plus"), ("k12", "K12"),
                                       ("codex_team_plan", "Team"), ("enterprise", "Enterprise"),
                                       # the product word in front of an exact name (a dashboard's "Codex Pro")
                                       ("Codex Pro", "Pro 20x"), ("Codex Pro Lite", "Pro 5x"),
                                       ("codex_pro_lite", "Pro 5x"), ("Codex Plus", "Plus")])
def test_plan_display_names(raw, shown):
    assert plan_display_name(raw) == shown


def test_a_damaged_cached_snapshot_reads_back_with_unknowns_not_crashes():
    from codexbar_core.model import UsageSnapshot

    snap = UsageSnapshot.from_dict({
        "source": 7, "primary": {"usedPercent": "5", "windowMinutes": "300"},
        "secondary": {"usedPercent": 40, "windowMinutes": 10080.0, "resetsAt": 123},
        "extraWindows": "nope", "identity": {"email": True, "plan": ["pro"]},
        "credits": {"balance": "x", "limit": {"limit": 10}, "resetCreditsAvailable": "2"},
        "web": {"creditHistory": [{"date": "2025-12-18", "service": "CLI", "amount": "lots"}]}})
    assert snap.source == "unknown" and snap.primary is None
    assert snap.secondary is not None and snap.secondary.window_minutes == 10080 and snap.secondary.resets_at is None
    assert snap.identity.email is None and snap.identity.plan is None
    assert snap.credits is not None and snap.credits.balance is None and snap.credits.limit is None
    assert snap.web is not None and snap.web.credit_history == []
