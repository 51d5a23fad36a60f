"""Token refresh (docs/reference/usage-sources.md, "OAuth: token refresh") with the real Codex CLI 0.169.0: stale tokens are renewed by the CLI, not by codexbar."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from codexbar_core.model import UTC
from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import usage_body
from tests.rig.leaks import assert_no_secrets, secrets_of
from tests.rig.runner import run_codexbar

pytestmark = pytest.mark.realcli


def test_expired_tokens_are_renewed_by_the_cli_then_oauth_works_directly(scratch, env_for, backend, codex_bin):
    backend.set_usage(usage_body(primary_used=26, secondary_used=48))
    home = make_codex_home(scratch / "home", backend.url, exp_in=-100,
                           last_refresh=dt.datetime.now(UTC) - dt.timedelta(days=9))
    old = json.loads((home / "auth.json").read_text())
    old_secrets = secrets_of(home)
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin),
                  CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")

    proc = run_codexbar(["usage", "--json", "--source", "oauth"], env)
    first = json.loads(proc.stdout)[0]
    steps = [(a["source"], a["outcome"], a["errorKind"]) for a in first["trace"]["attempts"]]
    assert steps == [("oauth", "failed", "needs_refresh"), ("cli", "ok", None)]
    assert first["source"] == "codex-cli" and first["usage"]["primary"]["usedPercent"] == 26
    # the one POST came from the CLI (its originator), never from codexbar
    assert [r["headers"].get("originator") for r in backend.requests_to("/oauth/token")] == ["codex_cli_rs"]
    renewed = json.loads((home / "auth.json").read_text())
    assert renewed["tokens"]["refresh_token"] != old["tokens"]["refresh_token"]

    proc2 = run_codexbar(["usage", "--json", "--source", "oauth"], env)
    second = json.loads(proc2.stdout)[0]
    assert [(a["source"], a["outcome"]) for a in second["trace"]["attempts"]] == [("oauth", "ok")]
    assert second["usage"]["secondary"]["usedPercent"] == 48
    assert len(backend.requests_to("/oauth/token")) == 1
    assert_no_secrets([proc.stdout, proc.stderr, proc2.stdout, proc2.stderr], old_secrets + secrets_of(home))
