"""A read the Codex CLI could not decode: its credits still show, and the app-server's own error is the one
the user reads when nothing is usable (docs/decisions/reference-and-hosts.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codexbar_core import errors
from codexbar_core.model import SourceTrace
from codexbar_core.pipeline import run_chain
from codexbar_core.sources import rate_limits as rl
from codexbar_core.sources.base import Availability, FetchContext
from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import usage_body
from tests.rig.runner import run_json

# A Pro Lite account whose 5-hour lane came back unreadable, with 14.5 credits left.
BROKEN_SESSION_BODY = {"email": "lite@example.com", "plan_type": "prolite",
                       "rate_limit": {"primary_window": {"used_percent": "oops", "limit_window_seconds": 18000,
                                                         "reset_at": 1776216359},
                                      "secondary_window": {"used_percent": 19, "limit_window_seconds": 604800,
                                                           "reset_at": 1776395384}},
                       "credits": {"has_credits": True, "unlimited": False, "balance": "14.5"}}


def decode_error(body: dict) -> str:
    return ("failed to fetch codex rate limits: Decode error for https://chatgpt.com/backend-api/wham/usage: "
            "unknown variant `prolite`; content-type=application/json; body=" + json.dumps(body, indent=2))


def test_credits_survive_a_body_whose_session_lane_is_unreadable():
    message = decode_error(BROKEN_SESSION_BODY)
    assert rl.recover_from_error(message) is None  # no half-read lanes
    snap = rl.recover_credits_from_error(message)
    assert snap is not None and snap.credits.balance == 14.5
    assert snap.primary is None and snap.secondary is None and snap.extra_windows == []
    assert (snap.identity.email, snap.identity.plan) == ("lite@example.com", "prolite")


def test_menu_shows_the_credits_and_says_why_the_lanes_are_missing():
    from codexbar_core.render.menu import build_menu
    from codexbar_core.render.menu_input import HomeView
    from tests.menu.samples import menu_input, result

    snap = rl.recover_credits_from_error(decode_error(BROKEN_SESSION_BODY))
    text = build_menu(menu_input([HomeView(result(snap), None)]), "xbar")
    titles = [line.split(" | ", 1)[0] for line in text.splitlines()]
    assert "Limits unreadable by this Codex CLI; updating it may help" in titles
    assert "Credits: 14.5 left  ▱▱▱▱▱▱▱▱▱▱" in titles and "Codex · Pro 5x" in titles


def test_no_credits_recovery_without_a_balance():
    body = dict(BROKEN_SESSION_BODY, credits=None)
    assert rl.recover_credits_from_error(decode_error(body)) is None
    assert rl.recover_credits_from_error("failed to fetch codex rate limits: 502 Bad Gateway") is None


class _Failing:
    def __init__(self, source_id: str, err: errors.CodexbarError) -> None:
        self.id, self.err = source_id, err

    def availability(self, ctx: FetchContext) -> Availability:
        return Availability(True, "test double")

    def fetch(self, ctx: FetchContext):
        raise self.err


def test_status_screen_failure_does_not_hide_the_app_server_error(tmp_path: Path):
    app_server = errors.InvalidResponse("Codex CLI could not read the usage data it got. Try updating the Codex CLI.")
    screen = errors.NotSignedIn("Codex CLI is not signed in. Run `codex login`, then refresh.")
    sources = {"cli": _Failing("cli", app_server), "pty": _Failing("pty", screen)}
    ctx = FetchContext(codex_home=tmp_path, deadline=10**12, env={})
    trace = SourceTrace(requested="cli", chosen_by="flag")
    snapshot, err = run_chain(["cli", "pty"], ctx, trace, sources.__getitem__)
    assert snapshot is None and err is app_server
    assert [a.outcome for a in trace.attempts] == ["failed", "failed"]  # both stay in the trace


@pytest.mark.realcli
def test_real_cli_shows_credits_when_the_windows_cannot_be_read(scratch, env_for, codex_bin, backend):
    body = usage_body(plan="prolite", credits_balance="14.5")
    body["rate_limit"]["primary_window"]["used_percent"] = "oops"
    backend.set_usage(body)
    home = make_codex_home(scratch / "home", backend.url)
    out = run_json(["usage", "--json", "--source", "cli"], env_for(home, CODEX_CLI_PATH=str(codex_bin)))[0]
    assert out["credits"]["balance"] == 14.5
    assert out["usage"]["primary"] is None and out["usage"]["secondary"] is None


@pytest.mark.realcli
def test_real_cli_unreadable_windows_without_credits_report_the_app_server_error(scratch, env_for, codex_bin,
                                                                                 backend):
    body = usage_body(plan="prolite", credits_balance=None)
    body["rate_limit"]["primary_window"]["used_percent"] = "oops"
    backend.set_usage(body)
    home = make_codex_home(scratch / "home", backend.url)
    out = run_json(["usage", "--json", "--source", "cli", "--refresh"],
                   env_for(home, CODEX_CLI_PATH=str(codex_bin)))[0]
    assert out["error"]["kind"] == "invalid_response", out["error"]
    assert out["usage"] is None or out["usage"]["primary"] is None
