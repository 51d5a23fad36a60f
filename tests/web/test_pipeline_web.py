"""`codexbar usage --source auto` tries web first; any web failure leaves the CLI to answer."""

from __future__ import annotations

import time

import pytest

from codexbar_core import errors
from codexbar_core.model import Identity, RateWindow, UsageSnapshot
from codexbar_core.pipeline import Home, fetch_usage
from codexbar_core.settings import Settings
from tests.rig.stand_in import StandIn


@pytest.mark.parametrize("failure", [
    errors.LoginRequired("OpenAI web access requires login."),
    errors.AccountMismatch("OpenAI web session does not match Codex account (a@x). Found: Chrome=b@y."),
    errors.Unavailable("chatgpt.com answered 503."),
    errors.MissingCredentials("No browser cookies found for chatgpt.com."),
], ids=lambda e: e.kind)
def test_cli_answers_when_web_fails(tmp_path, failure):
    cli_snapshot = UsageSnapshot(source="codex-cli", primary=RateWindow(5, 300), identity=Identity(email="a@x"))
    sources = {"web": StandIn("web", failure), "cli": StandIn("cli", cli_snapshot),
               "pty": StandIn("pty", errors.MissingBinary("no"))}
    result = fetch_usage(Home("default", tmp_path), requested="auto", chosen_by="default", menu=False,
                         deadline=time.monotonic() + 5, store=None, settings=Settings({"cookie_mode": "auto"}),
                         env={}, loader=lambda sid: sources[sid])
    assert result.snapshot is not None and result.snapshot.source == "codex-cli"
    assert [(a.source, a.outcome) for a in result.trace.attempts] == [("web", "failed"), ("cli", "ok")]
    assert result.trace.attempts[0].reason == failure.message
