"""Dashboard HTML/text rules (docs/reference/usage-sources.md, "Dashboard page") on sample texts and a sample page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from codexbar_core.sources import web_html as wh
from codexbar_core.sources import web_limits_text as wl
from codexbar_core.sources import web_parse as wp

FIXTURE = Path(__file__).parent / "fixtures" / "openai-dashboard-pro-normal.html"
# A Wednesday morning, UTC.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone.utc)


def test_sample_page_pro_5x_28_and_59_used():
    page = wp.parse_dashboard(FIXTURE.read_text(), now=NOW)
    assert page.state == "ok"
    assert page.email == "user@example.com"
    assert page.plan_name == "Pro 5x"
    assert (page.session.used_percent, page.session.window_minutes) == (28, 300)
    assert "resets" in page.session.reset_description.lower()
    assert page.session.resets_at == dt.datetime(2026, 11, 25, 14, 15, tzinfo=dt.timezone.utc)
    assert (page.weekly.used_percent, page.weekly.window_minutes) == (59, 10080)
    assert page.weekly.resets_at == dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone.utc)  # Friday


def test_code_review_42_remaining_and_typo():
    assert wl.parse_code_review_left("Code review 42% remaining") == 42
    assert wl.parse_code_review_left("Core review: 7 % remaining") == 7
    assert wl.parse_code_review_left("GitHub code review 3% remaining") is None


def test_credits_remaining_with_thousands_separator():
    assert wp.parse_credits_remaining("Credits remaining 1,234.56") == pytest.approx(1234.56)
    assert wp.parse_credits_remaining("Remaining credits: 80") == 80
    assert wp.parse_credits_remaining("Credit balance\n12.5") == 12.5
    assert wp.parse_credits_remaining("No credits here") is None


def test_french_5h_line_remaining_means_28_used():
    session, weekly = wl.parse_rate_limits(wh.lines_of("Limite 5 h\n72 % restant"), NOW)
    assert (session.used_percent, session.window_minutes) == (28, 300)
    assert weekly is None


def test_used_wording_is_taken_as_used():
    session, weekly = wl.parse_rate_limits(wh.lines_of("5-hour limit\n30% used\nWeekly\n10% used"), NOW)
    assert session.used_percent == 30 and weekly.used_percent == 10


def test_a_window_does_not_borrow_the_next_windows_reset_line():
    session, weekly = wl.parse_rate_limits(wh.lines_of("5h limit\n72% remaining\nWeekly limit\n41% remaining\n"
                                                       "Resets Fri at 9:00 AM"), NOW)
    assert session.reset_description is None and weekly.reset_description == "Resets Fri at 9:00 AM"


def test_plan_plus_display_name():
    doc = wh.read_html('<script id="client-bootstrap" type="application/json">{"planType":"plus"}</script>')
    assert wp.page_plan(doc) == "plus"
    assert wp.DashboardPage(state="ok", plan="plus").plan_name == "Plus"


def test_credit_history_rows_newest_first():
    events = wp.credit_events([["Dec 18, 2025", "CLI", "397.205 credits"],
                               ["Dec 17, 2025", "GitHub Code Review", "506.235 credits"]])
    assert [(e.date, e.service, e.amount) for e in events] == [("2025-12-18", "CLI", 397.205),
                                                              ("2025-12-17", "GitHub Code Review", 506.235)]
    older_first = wp.credit_events([["Dec 17, 2025", "B", "1"], ["Dec 18, 2025", "A", "2"]])
    assert [e.service for e in older_first] == ["A", "B"]


def test_history_amounts_english_and_decimal_comma():
    assert wp.parse_history_amount("1,234 credits") == 1234
    assert wp.parse_history_amount("397,205 crédits") == pytest.approx(397.205)


@pytest.mark.parametrize("href, expected", [
    ("https://chatgpt.com/codex/settings/usage?x=1#buy", "https://chatgpt.com/codex/settings/usage"),
    ("/billing/credits", "https://chatgpt.com/billing/credits"),
    ("https://evil.example/settings/credits", None),
    ("http://chatgpt.com/settings", None),
    ("https://chatgpt.com/codex", None),
])
def test_purchase_url_rules(href, expected):
    doc = wh.read_html(f'<p>Credits remaining 5</p><a href="{href}">Buy credits</a>')
    assert wp.purchase_url(doc) == expected


def test_login_wall_cloudflare_and_workspace_picker_are_told_apart():
    login = '<a href="/auth/login">Log in</a><input type="email"><p>Sign in to continue</p>'
    assert wp.parse_dashboard(login).state == "login"
    logged_out = '<script id="client-bootstrap" type="application/json">{"authStatus":"logged_out"}</script>'
    assert wp.parse_dashboard(logged_out).state == "login"
    cloudflare = "<title>Just a moment...</title><p>Checking your browser</p>"
    assert wp.parse_dashboard(cloudflare).state == "cloudflare"
    picker = '<script id="client-bootstrap" type="application/json">{"authStatus":"logged_in"}</script>' \
             "<h1>Select a workspace</h1>"
    assert wp.parse_dashboard(picker).state == "workspace_picker"


def test_email_order_next_data_then_bootstrap_then_text():
    nd = '<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"user":{"email":"a@x.io"}}}}</script>'
    cb = '<script id="client-bootstrap" type="application/json">{"user":{"email":"b@x.io"}}</script>'
    assert wp.page_email(wh.read_html(nd + cb)) == "a@x.io"
    assert wp.page_email(wh.read_html(cb + "<p>c@x.io</p>")) == "b@x.io"
    assert wp.page_email(wh.read_html("<p>signed in as c@x.io</p>")) == "c@x.io"


def test_bfs_email_finds_nested_email_key_first():
    body = {"user": {"profile": {"email": "deep@x.io"}}, "note": "contact other@x.io"}
    assert wp.bfs_email(body) == "deep@x.io"
    assert wp.bfs_email({"accounts": ["only@x.io"]}) == "only@x.io"
    assert wp.bfs_email({"email": None}) is None


def test_renewal_text():
    assert wp.renewal_text({"active_until": "2026-12-24T10:00:00Z", "will_renew": False}) == "expires at 2026-12-24"
    assert wp.renewal_text({"nothing": 1}) is None


def test_broken_html_never_raises():
    page = wp.parse_dashboard("<html><script id='client-bootstrap'>{not json</script><div>5h limit<div>")
    assert page.state == "ok" and page.session is None


@pytest.mark.parametrize("line, expected", [
    ("Resets today at 2:15 PM", dt.datetime(2026, 11, 25, 14, 15)),
    ("Resets tomorrow at 12:30 AM", dt.datetime(2026, 11, 26, 0, 30)),
    ("Resets Fri at 9:00 AM", dt.datetime(2026, 11, 27, 9, 0)),
    ("Resets Wednesday at 8:00 AM", dt.datetime(2026, 12, 2, 8, 0)),  # today's hour has passed: next week
    ("Resets: Dec 3 4:00 PM", dt.datetime(2026, 12, 3, 16, 0)),
    ("Resets on 2027-01-05", dt.datetime(2027, 1, 5, 0, 0)),
    ("Resets 1/2", dt.datetime(2027, 1, 2, 0, 0)),
    ("Resets next month", None),
    ("Resets soon", None),
])
def test_reset_lines(line, expected):
    got = wl.parse_reset(line, NOW)
    assert got == (expected.replace(tzinfo=dt.timezone.utc) if expected else None)
