"""Hostile answers that parse: JSON of the right shape with the wrong things in it.

A server (or a future CLI) can send any JSON: strings for numbers, NaN, 1e308, negative or huge
percentages, lists where objects were, missing or extra keys. Every decoder (OAuth/web `wham/usage`,
the app-server's rate limits, the /status screen text) must either give a snapshot or raise a
CodexbarError with a message, and whatever snapshot it gives must render to a whole menu whose
percentages stay within 0-100 (through the same normaliser and renderer the plugin uses).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codexbar_core import errors
from codexbar_core.model import UTC, SourceTrace, UsageResult
from codexbar_core.normalize import normalize_snapshot
from codexbar_core.render.menu import build_menu
from codexbar_core.render.menu_input import HomeView, MenuInput
from codexbar_core.sources import rate_limits, status_parse, wham
from tests.rig.fake_backend import usage_body
from tests.rig.menu_checks import assert_valid_menu

pytestmark = pytest.mark.faults

PROFILE = settings(max_examples=100, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HOSTILE_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "42", "-5", "1e308", "NaN", "abc", "2026-13-45T99:99:99Z", "100%", "∞"]),
    st.text(max_size=12))
JSON = st.recursive(HOSTILE_LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=12)


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, prefix + (i,))
    return out


def _set(obj: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """`base` with a few of its values (anywhere in the tree) swapped for hostile ones."""
    body = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_paths(body)[1:]))  # the root itself is covered by plain JSON
        try:
            body = _set(body, path, draw(JSON))
        except (KeyError, IndexError, TypeError):
            pass  # the path went away with an earlier swap
    return body


SPARK = {"limit_name": "GPT-5.3-Codex-Spark", "metered_feature": "gpt_5_3_codex_spark",
         "rate_limit": {"primary_window": {"used_percent": 61, "limit_window_seconds": 18000,
                                           "reset_at": 1893456000}, "secondary_window": None}}
WHAM = usage_body(additional=[SPARK], individual_limit={"limit": 1000, "used": "10", "remaining_percent": 99,
                                                         "resets_at": 1893456000})
GROUP = {"limitId": "codex", "primary": {"usedPercent": 42, "windowDurationMins": 300, "resetsAt": 1893456000},
         "secondary": {"usedPercent": 17, "windowDurationMins": 10080, "resetsAt": 1893888000},
         "credits": {"hasCredits": True, "unlimited": False, "balance": "12.5"}, "planType": "pro"}
RPC = [{"rateLimits": GROUP, "rateLimitsByLimitId": {"codex": GROUP, "codex-spark": GROUP}},
       {"account": {"type": "chatgpt", "email": "tester@example.com", "planType": "pro"}}]
STATUS = """/status

╭────────────────────────────────────────────────────────╮
│  >_ OpenAI Codex (v0.169.0)                            │
│  Account:          tester@example.com (Pro)            │
│  5h limit:         [████████░░░░░░░░░░░░] 42% used (resets 14:05)
│  Weekly limit:     [███░░░░░░░░░░░░░░░░░] 17% used (resets 09:00 on 30 Nov)
│  Credits:          12.5 credits                        │
╰────────────────────────────────────────────────────────╯
"""


def render(snapshot: Any) -> str:
    snap = normalize_snapshot(snapshot)
    result = UsageResult("default", "/home/u/.codex", snap, SourceTrace("auto", "default"))
    now = dt.datetime.now(UTC)
    text = build_menu(MenuInput(homes=[HomeView(result)], now=now, action_path="/x/codexbar.5m.py"), "swiftbar")
    assert_valid_menu(text)
    for number in re.findall(r"(-?\d+(?:\.\d+)?)% (?:left|used)", text):
        assert 0 <= float(number) <= 100, text
    json.dumps(snap.to_dict())  # the cache must be able to keep it
    return text


def check(decode: Any) -> None:
    try:
        snapshot = decode()
    except errors.CodexbarError as exc:
        assert exc.message and isinstance(exc.message, str)
        return
    render(snapshot)


@PROFILE
@given(st.one_of(mutated(WHAM), JSON))
def test_hostile_wham_usage_bodies(body):
    check(lambda: wham.require_something(wham.decode_body(body, source="oauth", now=dt.datetime.now(UTC))))


@PROFILE
@given(st.one_of(mutated(RPC), st.tuples(JSON, JSON).map(list)))
def test_hostile_app_server_answers(answers):
    check(lambda: rate_limits.snapshot_from_rpc(answers[0], answers[1], cli_version="0.169.0"))


@PROFILE
@given(st.lists(st.sampled_from(STATUS.splitlines()) | st.text(max_size=60), max_size=14), st.integers(0, 2))
def test_hostile_status_screens(lines, shuffle):
    text = "\n".join(lines if shuffle else sorted(lines))
    check(lambda: status_parse.parse_status(text, dt.datetime.now(UTC)))


DASHBOARD = (Path(__file__).resolve().parents[1] / "web" / "fixtures" / "openai-dashboard-pro-normal.html").read_text()
EXTRAS_PAGE = """<html><body><script type="application/json" id="client-bootstrap">
{"authStatus":"logged_in","session":{"user":{"email":"tester@example.com"}},"account":{"planType":"plus"}}</script>
<main><section><h2>Usage limits</h2><p>5h limit</p><p>10% used</p><p>Resets tomorrow at 9:00 AM</p>
<p>Weekly limit</p><p>75% remaining</p></section>
<section><p>Code review 42% remaining</p></section>
<section><p>Credits remaining <span>1,234.56</span></p></section>
<table><tr><td>Dec 17, 2025</td><td>CLI</td><td>506.235 credits</td></tr></table></main></body></html>"""
PAGE_BITS = st.sampled_from(["<", ">", "</script>", '<script id="client-bootstrap">', "{", "}", '"email":',
                             "% used", "% remaining", "999999999999% used", "-5% used", "NaN% used",
                             "Resets in 99999 days", "Credits remaining", "1e308", "5h limit", "Weekly limit",
                             "&#0;", "&#xFFFFFF;", "\x00", "Just a moment..."])


@st.composite
def hostile_page(draw: st.DrawFn) -> str:
    page = draw(st.sampled_from([DASHBOARD, EXTRAS_PAGE]))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(page)))
        cut = draw(st.integers(0, 40))
        page = page[:at] + draw(PAGE_BITS | st.text(max_size=20)) + page[at + cut:]
    return page


@PROFILE
@given(hostile_page())
def test_hostile_dashboard_pages(page):
    from codexbar_core.sources.web import WebSource
    from codexbar_core.sources.web_parse import parse_dashboard

    def decode() -> Any:
        parsed = parse_dashboard(page, now=dt.datetime.now(UTC))
        if parsed.state != "ok" or not parsed.has_usage:
            raise errors.InvalidResponse("no usage on the page")
        return WebSource._snapshot(None, parsed, parsed.email, None, "https://chatgpt.com")

    check(decode)


EVIL = ("evil@example.com | bash=/bin/sh param1=-c param2=touch terminal=false\nInjected | href=http://evil.example"
        "\n---\r\x1b[31m\x07")


def test_server_text_cannot_add_menu_items_actions_or_escapes():
    body = copy.deepcopy(WHAM)
    body["email"] = body["plan_type"] = EVIL
    body["additional_rate_limits"][0]["limit_name"] = EVIL
    snapshot = wham.decode_body(body, source="oauth", now=dt.datetime.now(UTC))
    snapshot.identity.email = snapshot.identity.workspace = EVIL
    text = render(snapshot)
    assert "evil" in text.lower(), "the hostile text was not shown at all: the test proves nothing"
    for line in text.splitlines():
        _title, _, params = line.partition(" | ")
        assert "bash=/bin/sh" not in params and "evil.example" not in params, line
        assert not any(ord(c) < 32 or ord(c) == 127 for c in line), repr(line)
    assert not any(line.startswith("Injected") for line in text.splitlines())
