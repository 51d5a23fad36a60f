"""Whatever a page or a pasted header holds: a result or a plain error, never a crash."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from codexbar_core.sources import cookies as cm
from codexbar_core.sources import web_parse as wp

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone.utc)
pieces = st.sampled_from(["<div>", "</div>", "<script id=\"client-bootstrap\">", "</script>", "5h limit",
                          "Weekly", "72%", "% used", "Resets Fri at 9:00 AM", "Credits remaining", "1,234.5",
                          "<table><tr><td>", "Dec 18, 2025", "</td><td>", "<a href=\"/settings\">", "</a>",
                          "{\"session\":{\"user\":{\"email\":\"a@b.co\"}}}", "Select a workspace", "Log in",
                          "<input type=email>", "Just a moment", "\n", " "])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(pieces, st.text(max_size=12)), max_size=40))
def test_any_page_parses_to_a_state(parts):
    page = wp.parse_dashboard("".join(parts), now=NOW)
    assert page.state in ("ok", "login", "cloudflare", "workspace_picker")
    for window in (page.session, page.weekly):
        assert window is None or 0 <= window.used_percent <= 100


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_header_is_cookies_or_a_plain_refusal(text):
    try:
        pairs = cm.parse_cookie_header(text)
    except cm.CookieHeaderError as exc:
        assert "Cookie" in str(exc) or "cookie" in str(exc)
    else:
        assert pairs and all(name and "=" not in name for name, _ in pairs)
