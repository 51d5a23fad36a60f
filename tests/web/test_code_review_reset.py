"""The dashboard's code-review lane keeps its reset ("Resets tomorrow at 2:15 PM"), also under the page's
"Core review" spelling, and the menu and `codexbar usage` show it (docs/decisions/reference-and-hosts.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from codexbar_core.model import WebExtras
from codexbar_core.render.menu import build_menu
from codexbar_core.render.menu_input import HomeView
from codexbar_core.render.text import usage_report
from codexbar_core.sources import web_limits_text as wl
from codexbar_core.sources.web import WebSource
from tests.menu.samples import NOW, menu_input, result, snapshot
from tests.web.conftest import cookie_header
from tests.web.fake_chatgpt import SESSION_VALUE

# A Wednesday morning; the page speaks the local zone of the machine reading it.
PAGE_NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("heading", ["Code review", "Core review"])
def test_code_review_reset_line_is_kept(heading):
    text = f"Balance\n{heading}\n42% remaining\nResets tomorrow at 2:15 PM"
    assert wl.parse_code_review_left(text) == 42
    assert wl.parse_code_review_reset(text) == "Resets tomorrow at 2:15 PM"


def test_another_lanes_reset_is_not_taken_for_code_review():
    assert wl.parse_code_review_reset("Code review 42% remaining\nGitHub code review 3% remaining\n"
                                      "Resets Friday at 8:00 AM") is None
    assert wl.parse_code_review_reset("Code review\n42% remaining\nWeekly limit\n75% remaining\n"
                                      "Resets Friday at 8:00 AM") is None
    assert wl.parse_code_review_reset("Code review\n42% remaining\nCredits remaining 12\nResets monthly") is None


def test_web_source_carries_the_reset_as_a_time(chatgpt, make_ctx):
    chatgpt.usage = None
    chatgpt.page_name = "review_reset"
    ctx = make_ctx(mode="off", CODEXBAR_OPENAI_COOKIE=cookie_header(SESSION_VALUE))
    ctx.clock = lambda: PAGE_NOW
    snap = WebSource().fetch(ctx)
    assert snap.web.code_review_left_percent == 42
    assert snap.web.code_review_reset == "Resets tomorrow at 2:15 PM"
    local = PAGE_NOW.astimezone()
    tomorrow = local.date() + dt.timedelta(days=1)
    assert snap.web.code_review_resets_at == dt.datetime(tomorrow.year, tomorrow.month, tomorrow.day, 14, 15,
                                                         tzinfo=local.tzinfo)
    # and it survives the cache round trip
    again = WebExtras.from_dict(snap.web.to_dict())
    assert (again.code_review_reset, again.code_review_resets_at) == (snap.web.code_review_reset,
                                                                      snap.web.code_review_resets_at)


def _menu_titles(web: WebExtras, *, stale: bool = False) -> list[str]:
    snap = snapshot(extras=False)
    snap.web = web
    text = build_menu(menu_input([HomeView(result(snap, stale=stale), None)]), "swiftbar")
    return [line.split(" | ", 1)[0] for line in text.splitlines()]


def test_menu_shows_the_code_review_reset_under_its_lane():
    lines = _menu_titles(WebExtras(code_review_left_percent=42, code_review_reset="Resets tomorrow at 2:15 PM",
                                   code_review_resets_at=NOW + dt.timedelta(hours=23, minutes=45)))
    lane = lines.index("Code review: 42% left  ▰▰▰▰▱▱▱▱▱▱")
    assert lines[lane + 1] == "Resets in 23h 45m"


def test_menu_falls_back_to_the_pages_words_and_flags_a_passed_reset():
    words = _menu_titles(WebExtras(code_review_left_percent=42, code_review_reset="resets in about a day"))
    assert words[words.index("Code review: 42% left  ▰▰▰▰▱▱▱▱▱▱") + 1] == "Resets in about a day"
    passed = _menu_titles(WebExtras(code_review_left_percent=42, code_review_reset="Resets today at 1:00 PM",
                                    code_review_resets_at=NOW - dt.timedelta(hours=1, minutes=30)), stale=True)
    assert passed[passed.index("Code review: 42% left  ▰▰▰▰▱▱▱▱▱▱") + 1] == (
        "Reset since this was read; Refresh for new numbers")


def test_usage_report_shows_the_code_review_reset():
    snap = snapshot(extras=False)
    snap.web = WebExtras(code_review_left_percent=42, code_review_resets_at=NOW + dt.timedelta(hours=5))
    report = usage_report([result(snap)], color=False, now=NOW)
    assert "  Code review: 42% left\n    Resets in 5h\n" in report
