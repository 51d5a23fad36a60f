"""The /status parser over every screen the real codex 0.169.0 printed (harness captures, copied into
screens/) and sample screens (docs/reference/usage-sources.md, "The /status screen")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from codexbar_core import errors
from codexbar_core.normalize import normalize_snapshot
from codexbar_core.sources.status_parse import parse_number, parse_reset, parse_status, screen_state

SCREENS = Path(__file__).parent / "screens"
UTC = dt.timezone.utc
# All captures were made between 22:43 and 22:51 UTC on 23 Nov 2026 with TZ=UTC (LA one: TZ=America/Los_Angeles).
CAPTURED = dt.datetime(2026, 11, 23, 22, 45, tzinfo=UTC)


def at(day: int, hh: int, mm: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hh, mm, tzinfo=UTC)


DEFAULT = {"windows": [(42, 300, at(24, 0, 6)), (17, 10080, at(27, 3, 43))], "balance": 13.0, "unlimited": False}
LATER = {"windows": [(42, 300, at(24, 0, 7)), (17, 10080, at(27, 3, 44))], "balance": 13.0, "unlimited": False}

# screen name -> what a user must see
CARDS: dict[str, dict] = {
    "status-default-120x40": dict(DEFAULT, email="tester@example.com", plan="pro"),
    "status-default-80x24": dict(DEFAULT, email="tester@example.com", plan="pro"),
    "status-narrow-60x20": dict(DEFAULT, email="tester@example.com", plan="pro"),
    # 50 columns: no bar, resets wrapped to the next line, the Account line scrolled away
    "status-narrow-50x16": dict(DEFAULT, email=None, plan=None),
    "status-unlimited-credits": dict(DEFAULT, balance=None, unlimited=True),
    "status-big-balance": dict(LATER, balance=1235.0),
    "status-daemon-mode": LATER,
    "status-no-credits": dict(LATER, balance=None, no_credits=True),
    "status-high-usage": {"windows": [(97, 300, at(23, 22, 53)), (88, 10080, at(27, 3, 43))], "balance": 13.0},
    "status-limit-reached": {"windows": [(100, 300, at(24, 0, 9)), (100, 10080, at(27, 3, 46))], "no_credits": True},
    "status-plus-no-secondary": {"windows": [(42, 300, at(24, 0, 7))], "balance": 13.0, "plan": "plus"},
    "status-free-weekly-primary": {"windows": [(42, 10080, at(29, 17, 37))], "balance": 13.0, "plan": "free"},
    "status-team-workspace": dict(LATER, plan="business", workspace="Acme Corp",
                                  account_id="11111111-2222-4333-8444-555555555555"),
    "status-window-3600-and-monthly": {"windows": [(42, None, at(23, 23, 20)), (17, 43200, at(17, 2, 23, 12))],
                                       "balance": 13.0},
    "status-window-86400-and-monthly": {"windows": [(42, 1440, at(23, 23, 20)), (17, 43200, at(17, 2, 23, 12))],
                                        "balance": 13.0},
}

NOT_CARDS = {
    "status-no-login": errors.NotSignedIn,
    "screen-trust-prompt-git-repo": errors.Unavailable,
    "status-accounts-check-500": errors.Unavailable,
    "status-usage-error-500": errors.Unavailable,
    "status-float-used-percent": errors.Unavailable,
    "status-usage-slow-25s": errors.SourceTimeout,
}


def test_every_captured_screen_is_covered():
    names = {p.name.split(".")[0] for p in SCREENS.iterdir()}
    assert names == set(CARDS) | set(NOT_CARDS) | {"status-tz-los-angeles"}


@pytest.mark.parametrize("suffix", ["txt", "ansi"])
@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_numbers(name: str, suffix: str):
    path = SCREENS / f"{name}.{suffix}"
    if not path.exists():
        pytest.skip("no colour capture of this screen")
    want = CARDS[name]
    snap = parse_status(path.read_text(encoding="utf-8"), CAPTURED)
    got = [(w.used_percent, w.window_minutes, w.resets_at) for w in (snap.primary, snap.secondary) if w]
    assert got == [(float(u), m, r) for u, m, r in want["windows"]]
    if want.get("no_credits"):
        assert snap.credits is None
    else:
        assert snap.credits is not None
        assert snap.credits.balance == want.get("balance")
        assert snap.credits.unlimited == want.get("unlimited", False)
    if "email" in want or name != "status-narrow-50x16":
        assert snap.identity.email == want.get("email", "tester@example.com")
    assert snap.identity.plan == want.get("plan", "pro")
    assert snap.identity.workspace == want.get("workspace")
    if "account_id" in want:
        assert snap.identity.account_id == want["account_id"]
    assert snap.source == "codex-pty"


def test_reset_description_keeps_the_screen_text():
    snap = parse_status((SCREENS / "status-default-120x40.txt").read_text(), CAPTURED)
    assert snap.primary.reset_description == "resets 00:06 on 24 Nov"
    assert snap.cli_version == "0.169.0"


def test_free_plan_weekly_window_goes_to_the_weekly_lane():
    snap = normalize_snapshot(parse_status((SCREENS / "status-free-weekly-primary.txt").read_text(), CAPTURED))
    assert snap.primary is None
    assert snap.secondary.window_minutes == 10080 and snap.secondary.used_percent == 42


def test_los_angeles_screen_resets_in_its_local_zone():
    la = CAPTURED.astimezone(ZoneInfo("America/Los_Angeles"))  # 14:45 PST on 23 Nov
    snap = parse_status((SCREENS / "status-tz-los-angeles.txt").read_text(), la)
    # "resets 16:08" is today in LA = 00:08 UTC next day; "19:45 on 26 Nov" PST = 03:45 UTC on 27 Nov
    assert snap.primary.resets_at == at(24, 0, 8)
    assert snap.secondary.resets_at == at(27, 3, 45)


@pytest.mark.parametrize("name", sorted(NOT_CARDS))
def test_screens_that_are_not_a_card(name: str):
    with pytest.raises(NOT_CARDS[name]) as info:
        parse_status((SCREENS / f"{name}.txt").read_text(), CAPTURED)
    assert info.value.message


def test_state_names_for_the_driver():
    read = lambda n: (SCREENS / f"{n}.txt").read_text()  # noqa: E731
    assert screen_state(read("status-no-login")) == "login"
    assert screen_state(read("screen-trust-prompt-git-repo")) == "trust"
    assert screen_state(read("status-accounts-check-500")) == "exited"
    assert screen_state(read("status-usage-error-500")) == "not_available"
    assert screen_state(read("status-usage-slow-25s")) == "refresh"
    assert screen_state(read("status-default-120x40")) == "status"


def test_sign_in_message_says_how_to_log_in():
    with pytest.raises(errors.NotSignedIn) as info:
        parse_status((SCREENS / "status-no-login.txt").read_text(), CAPTURED)
    assert "codex login" in info.value.message


def test_api_key_account_card():
    text = ("/status\n\n  Account:             API key configured (run codex login to use ChatGPT)\n"
            "  Limits:              data not available yet\n")
    with pytest.raises(errors.NotConfigured) as info:
        parse_status(text, CAPTURED)
    assert "API key" in info.value.message


def test_update_prompt_is_reported_not_answered():
    text = "  ✨ Update available! 0.169.0 -> 0.170.0\n  Run bun install -g @openai/codex to update.\n"
    with pytest.raises(errors.NotConfigured) as info:
        parse_status(text, CAPTURED)
    assert "update" in info.value.message.lower()


def test_empty_screen_is_a_parse_error():
    with pytest.raises(errors.ParseError):
        parse_status("\n\n   \n", CAPTURED)


# -- sample /status screens -----------------------------------------------------------------------

def test_spec_sample_plain():
    text = "Model: gpt\nCredits: 980 credits\n5h limit: [#####] 75% left\nWeekly limit: [##] 25% left\n"
    snap = parse_status(text, CAPTURED)
    assert snap.credits.balance == 980
    assert (snap.primary.used_percent, snap.primary.window_minutes) == (25, 300)
    assert (snap.secondary.used_percent, snap.secondary.window_minutes) == (75, 10080)


def test_spec_sample_with_colour_and_resets():
    text = ("\x1b[38;5;245mCredits:\x1b[0m 557 credits\n"
            "5h limit: [█████     ] 50% left (resets 09:01)\n"
            "Weekly limit: [███████   ] 85% left (resets 04:01 on 27 Nov)\n")
    now = dt.datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    snap = parse_status(text, now)
    assert snap.credits.balance == 557
    assert snap.primary.used_percent == 50 and snap.primary.resets_at == dt.datetime(2026, 11, 26, 9, 1, tzinfo=UTC)
    assert snap.secondary.used_percent == 15 and snap.secondary.resets_at == dt.datetime(2026, 11, 27, 4, 1, tzinfo=UTC)


def test_spec_sample_monthly_credit_limit():
    text = ("Model: codex-status-fixture\n"
            "Monthly credit limit: [██████████████████░░] 92% left (resets 08:00 on 1 Jul)\n"
            "                    7,761 of 100,000 credits used\n")
    snap = parse_status(text, dt.datetime(2026, 6, 23, 12, 0, tzinfo=UTC))
    limit = snap.credits.limit
    assert (limit.limit, limit.used, limit.remaining, limit.remaining_percent) == (100000, 7761, 92239, 92)
    assert limit.resets_at == dt.datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert snap.credits.remaining == 92239


def test_spec_sample_weekly_only():
    snap = normalize_snapshot(parse_status("Weekly limit: [##] 25% left\n", CAPTURED))
    assert snap.primary is None and snap.secondary.used_percent == 75


# -- pieces ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [("1,234.56", 1234.56), ("1.234,56", 1234.56), ("7,761", 7761),
                                        ("12,5", 12.5), ("1.234", 1234), ("0.5", 0.5), ("100\u202f000", 100000),
                                        ("", None), ("abc", None)])
def test_numbers(text: str, value: float | None):
    assert parse_number(text) == value


def test_reset_forms_and_rollover():
    now = dt.datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert parse_reset("(resets 00:30)", now) is None  # the word "resets" is not part of the time
    assert parse_reset("00:30", now) == dt.datetime(2027, 1, 1, 0, 30, tzinfo=UTC)  # past today -> tomorrow
    assert parse_reset("23:30", now) == dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert parse_reset("04:01 on 2 Jan", now) == dt.datetime(2027, 1, 2, 4, 1, tzinfo=UTC)  # -> next year
    assert parse_reset("04:01 on Jan 2", now) == dt.datetime(2027, 1, 2, 4, 1, tzinfo=UTC)
    assert parse_reset("25:00", now) is None
    assert parse_reset("04:01 on 2 Foo", now) is None


def test_a_third_window_becomes_a_named_extra_lane():
    text = ("/status\n  5h limit:            [██] 90% left (resets 09:01)\n"
            "  Weekly limit:        [██] 80% left (resets 04:01 on 27 Nov)\n"
            "  Monthly limit:       [██] 70% left (resets 04:01 on 1 Dec)\n")
    snap = parse_status(text, dt.datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    assert [w.used_percent for w in (snap.primary, snap.secondary)] == [10, 20]
    [extra] = snap.extra_windows
    assert (extra.used_percent, extra.window_minutes, extra.title) == (30, 43200, "Monthly limit")
    assert extra.id and extra.resets_at == dt.datetime(2026, 12, 1, 4, 1, tzinfo=UTC)
