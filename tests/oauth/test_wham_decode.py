"""The wham/usage decoder on documented samples: decode/map, Spark and credit limits (docs/reference/usage-sources.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codexbar_core.errors import InvalidResponse, NoRateLimits
from codexbar_core.model import UTC
from codexbar_core.normalize import normalize_snapshot
from codexbar_core.sources import wham
from codexbar_core.sources.oauth import available_reset_credits, workspace_credit_limit

RESET_1 = 1776216359
RESET_2 = 1776395384


def win(used, seconds, reset_at=RESET_1):
    return {"used_percent": used, "limit_window_seconds": seconds, "reset_after_seconds": 10, "reset_at": reset_at}


def body(primary=None, secondary=None, **extra):
    return {"plan_type": "pro", "email": "x@y.z",
            "rate_limit": {"allowed": True, "limit_reached": False, "primary_window": primary,
                           "secondary_window": secondary}, **extra}


def spark(name, primary=None, secondary=None, feature="gpt_5_3_codex_spark"):
    return {"limit_name": name, "metered_feature": feature,
            "rate_limit": {"allowed": True, "limit_reached": False, "primary_window": primary,
                           "secondary_window": secondary}}


# -- OAuth decode/map ---------------------------------------------------------------------------

def test_session_and_weekly_windows_map_to_minutes_and_reset_times():
    snap = wham.decode_usage(body(win(22, 18000, RESET_1), win(43, 604800, RESET_2)), source="oauth")
    assert snap.source == "oauth"
    assert (snap.primary.used_percent, snap.primary.window_minutes) == (22, 300)
    assert (snap.secondary.used_percent, snap.secondary.window_minutes) == (43, 10080)
    assert snap.primary.resets_at == dt.datetime.fromtimestamp(RESET_1, UTC)
    assert snap.secondary.resets_at == dt.datetime.fromtimestamp(RESET_2, UTC)
    assert snap.partial is False  # confidence "exact"
    assert snap.identity.email == "x@y.z" and snap.identity.plan == "pro"


@pytest.mark.parametrize("raw, expected", [("0", 0.0), ("0E-10", 0.0), ("14.5", 14.5), (7, 7.0), (2.25, 2.25)])
def test_balance_is_a_number_or_a_numeric_string(raw, expected):
    snap = wham.decode_usage(body(win(1, 18000), credits={"balance": raw, "has_credits": True}), source="oauth")
    assert snap.credits.balance == expected and snap.credits.has_credits is True


@pytest.mark.parametrize("raw", [[], {}, "lots", True, "nan"])
def test_unreadable_balance_is_dropped_but_usage_kept(raw):
    snap = wham.decode_usage(body(win(5, 18000), credits={"balance": raw}), source="oauth")
    assert snap.credits is None
    assert snap.primary.used_percent == 5


def test_credits_without_windows_still_give_a_snapshot():
    snap = wham.decode_usage(body(None, None, credits={"balance": "14.5"}), source="oauth")
    assert snap.credits.balance == 14.5
    assert snap.primary is None and snap.secondary is None


@pytest.mark.parametrize("payload", [body(None, None), body(None, None, credits={"balance": None}), {},
                                     body(None, None, additional_rate_limits=[spark("Spark", win(5, 18000))])])
def test_nothing_to_show_is_no_rate_limits(payload):
    with pytest.raises(NoRateLimits) as info:
        wham.decode_usage(payload, source="oauth")
    assert info.value.kind == "no_rate_limits" and info.value.message


@pytest.mark.parametrize("payload", [None, [], "x", 3, [{"rate_limit": {}}]])
def test_a_body_that_is_not_an_object_is_invalid(payload):
    with pytest.raises(InvalidResponse) as info:
        wham.decode_usage(payload, source="oauth")
    assert "Invalid response from Codex usage API" in info.value.message


def test_a_garbage_window_drops_only_itself():
    snap = wham.decode_usage(body(win(18, 18000), dict(win(0, 604800), used_percent="bad")), source="oauth")
    assert snap.primary.used_percent == 18 and snap.secondary is None
    assert snap.partial is True  # confidence "unknown"


@pytest.mark.parametrize("bad", [
    {"used_percent": 5, "limit_window_seconds": "18000", "reset_at": RESET_1},
    {"used_percent": True, "limit_window_seconds": 18000, "reset_at": RESET_1},
    {"limit_window_seconds": 18000, "reset_at": RESET_1},
    {"used_percent": 5, "limit_window_seconds": 18000, "reset_at": "soon"},
    "window",
])
def test_every_kind_of_broken_window_is_dropped(bad):
    snap = wham.decode_usage(body(win(9, 18000), bad), source="oauth")
    assert snap.secondary is None and snap.partial is True and snap.primary.used_percent == 9


def test_floats_are_accepted():
    snap = wham.decode_usage(body(win(12.5, 18000.0, float(RESET_1))), source="oauth")
    assert snap.primary.used_percent == 12.5 and snap.primary.window_minutes == 300


def test_free_plan_weekly_only_window_lands_in_the_weekly_lane():
    snap = normalize_snapshot(wham.decode_usage(body(win(0, 604800), None), source="oauth"))
    assert snap.primary is None
    assert (snap.secondary.used_percent, snap.secondary.window_minutes) == (0, 10080)


def test_unknown_length_windows_keep_their_minutes():
    snap = normalize_snapshot(wham.decode_usage(body(win(43, 604800), win(17, 32400)), source="oauth"))
    assert (snap.primary.window_minutes, snap.primary.used_percent) == (540, 17)
    assert (snap.secondary.window_minutes, snap.secondary.used_percent) == (10080, 43)


def test_unknown_plan_types_are_kept_verbatim():
    payload = body(win(4, 18000))
    payload["plan_type"] = "prolite"
    assert wham.decode_usage(payload, source="oauth").identity.plan == "prolite"


# -- Spark / extra limits ------------------------------------------------------------------------

def test_spark_windows_become_named_extra_windows():
    payload = body(win(1, 18000), additional_rate_limits=[
        "garbage", 7, None, spark("GPT-5.3-Codex-Spark", win(30, 18000), win(100, 604800))])
    snap = wham.decode_usage(payload, source="oauth")
    got = [(w.id, w.title, w.used_percent, w.window_minutes) for w in snap.extra_windows]
    assert got == [("codex-spark", "Codex Spark 5-hour", 30, 300),
                   ("codex-spark-weekly", "Codex Spark Weekly", 100, 10080)]
    assert snap.partial is False


def test_duplicate_named_limits_keep_the_first():
    mini = {"limit_name": "GPT-5.3-Codex-Mini",
            "rate_limit": {"primary_window": win(12, 18000), "secondary_window": None}}
    mini2 = {"limit_name": "GPT-5.3-Codex-Mini",
             "rate_limit": {"primary_window": win(90, 18000), "secondary_window": None}}
    snap = wham.decode_usage(body(win(1, 18000), additional_rate_limits=[mini, mini2]), source="oauth")
    assert [(w.id, w.used_percent, w.title) for w in snap.extra_windows] == [
        ("codex-gpt-5-3-codex-mini", 12, "GPT-5.3-Codex-Mini")]


def test_three_spark_entries_give_session_and_weekly_first_wins():
    entries = [spark("Spark", win(20, 18000)), spark("Spark", win(80, 604800)), spark("Spark", win(99, 18000))]
    snap = wham.decode_usage(body(win(1, 18000), additional_rate_limits=entries), source="oauth")
    assert [(w.id, w.used_percent) for w in snap.extra_windows] == [("codex-spark", 20),
                                                                    ("codex-spark-weekly", 80)]


def test_a_malformed_spark_window_gives_no_extras_and_unknown_confidence():
    bad = dict(win(30, 18000), used_percent="x")
    snap = wham.decode_usage(body(win(1, 18000), additional_rate_limits=[spark("Spark", bad)]), source="oauth")
    assert snap.extra_windows == [] and snap.partial is True and snap.primary.used_percent == 1


def test_a_non_list_of_extra_limits_is_ignored():
    snap = wham.decode_usage(body(win(1, 18000), additional_rate_limits={"a": 1}), source="oauth")
    assert snap.extra_windows == [] and snap.partial is False


def test_extra_window_without_a_positive_reset_has_no_reset_date():
    entry = spark("Spark", dict(win(5, 18000), reset_at=0))
    snap = wham.decode_usage(body(win(1, 18000), additional_rate_limits=[entry]), source="oauth")
    assert snap.extra_windows[0].resets_at is None


# -- credit limit ------------------------------------------------------------------------------------

def test_individual_limit_gives_the_monthly_credit_limit():
    limit = {"limit": 100000, "used": "7761", "remaining_percent": 92.239, "resets_at": 1782864000}
    snap = wham.decode_usage(body(win(1, 18000), credits={"balance": "0"}, individual_limit=limit), source="oauth")
    c = snap.credits
    assert c.balance == 0
    assert c.limit.remaining == 92239 and c.limit.remaining_percent == 92.239
    assert c.limit.used == 7761 and c.limit.limit == 100000
    assert c.limit.resets_at == dt.datetime.fromtimestamp(1782864000, UTC)
    assert c.remaining == 92239  # the displayed value is the limit's remaining (docs/reference/usage-sources.md, "Credit limits and reset credits")
    assert c.limit.title == "Monthly credit limit"


@pytest.mark.parametrize("where", ["root", "camel_root", "rate_limit", "spend_control"])
def test_credit_limit_is_found_in_each_documented_place(where):
    limit = {"limit": "1000", "remainingPercent": "75"}
    payload = body(win(1, 18000))
    if where == "root":
        payload["individual_limit"] = limit
    elif where == "camel_root":
        payload["individualLimit"] = limit
    elif where == "rate_limit":
        payload["rate_limit"]["individual_limit"] = limit
    else:
        payload["spend_control"] = {"individualLimit": limit}
    c = wham.decode_usage(payload, source="oauth").credits
    assert (c.limit.used, c.limit.remaining, c.limit.remaining_percent) == (250, 750, 75)
    assert c.balance == 0  # credits exist because the limit resolved: balance ?? 0


def test_root_limit_wins_over_nested_ones():
    payload = body(win(1, 18000), individual_limit={"limit": 10, "used": 1})
    payload["rate_limit"]["individual_limit"] = {"limit": 99, "used": 1}
    assert wham.decode_usage(payload, source="oauth").credits.limit.limit == 10


def test_used_only_limit_derives_the_percent_and_clamps():
    c = wham.decode_usage(body(win(1, 18000), individual_limit={"limit": 200, "used": 250}), source="oauth").credits
    assert (c.limit.remaining, c.limit.remaining_percent) == (0, 0)


@pytest.mark.parametrize("limit", [{"limit": 0, "used": 1}, {"limit": "x"}, {"used": 5}, "nope"])
def test_limits_that_are_not_positive_numbers_are_ignored(limit):
    snap = wham.decode_usage(body(win(1, 18000), individual_limit=limit), source="oauth")
    assert snap.credits is None


# -- §1.7 enrichment helpers ---------------------------------------------------------------------------

def test_reset_credits_count_only_available_unexpired_and_report_the_soonest_expiry():
    now = dt.datetime(2026, 6, 1, tzinfo=UTC)
    items = [{"id": "a", "status": "available", "expires_at": "2026-07-01T00:00:00Z"},
             {"id": "b", "status": "available", "expires_at": "2026-06-15T00:00:00Z"},
             {"id": "c", "status": "available"},
             {"id": "d", "status": "redeemed", "expires_at": "2026-06-02T00:00:00Z"},
             {"id": "e", "status": "available", "expires_at": "2026-05-01T00:00:00Z"}, "junk"]
    count, soonest = available_reset_credits({"credits": items, "available_count": 9}, now)
    assert count == 3 and soonest == dt.datetime(2026, 6, 15, tzinfo=UTC)
    assert available_reset_credits({"credits": "x"}, now) == (0, None)


def test_workspace_monthly_limit():
    lim = workspace_credit_limit({"current_month_usage": 3046.45, "effective_monthly_limit": {
        "limit": 7000, "enforcement_mode": "HARD_CAP", "limit_mode": "amount_credits"}})
    assert lim.used == 3046.45 and round(lim.remaining, 2) == 3953.55
    assert round(lim.remaining_percent, 3) == round(100 - 3046.45 / 7000 * 100, 3)
    for mode in ("none", "OFF", "disabled", "no_limit"):
        assert workspace_credit_limit({"current_month_usage": 1, "effective_monthly_limit": {
            "limit": 7000, "enforcement_mode": mode}}) is None
    assert workspace_credit_limit({"current_month_usage": 1, "effective_monthly_limit": {"limit": 0}}) is None


# -- robustness --------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)
window_like = st.fixed_dictionaries({}, optional={"used_percent": json_values, "limit_window_seconds": json_values,
                                                  "reset_at": json_values})
body_like = st.fixed_dictionaries({}, optional={
    "plan_type": json_values, "email": json_values,
    "rate_limit": st.fixed_dictionaries({}, optional={"primary_window": window_like | json_values,
                                                      "secondary_window": window_like | json_values,
                                                      "individual_limit": json_values}) | json_values,
    "credits": st.fixed_dictionaries({}, optional={"balance": json_values, "unlimited": json_values}) | json_values,
    "additional_rate_limits": st.lists(st.fixed_dictionaries({}, optional={
        "limit_name": json_values, "metered_feature": json_values,
        "rate_limit": st.fixed_dictionaries({}, optional={"primary_window": window_like})}) | json_values,
        max_size=3) | json_values,
    "individual_limit": json_values, "spend_control": json_values})


@settings(max_examples=300, deadline=None)
@given(body_like | json_values)
def test_any_json_decodes_or_fails_with_a_clear_error(payload):
    try:
        snap = wham.decode_usage(payload, source="oauth")
    except (InvalidResponse, NoRateLimits) as exc:
        assert exc.message
        return
    assert snap.has_windows or snap.credits is not None
    for w in [snap.primary, snap.secondary, *snap.extra_windows]:
        if w is not None:
            assert isinstance(w.used_percent, (int, float)) and isinstance(w.window_minutes, int)
    snap.to_dict()  # always serialisable for the cache and --json
