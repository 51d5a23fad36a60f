"""`codexbar usage --json --source oauth` and the menu against the fake ChatGPT backend over real HTTPS."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from codexbar_core.errors import CodexbarError
from codexbar_core.model import UTC
from codexbar_core.sources.oauth import OAuthSource
from tests.oauth.helpers import ctx_for, oauth_error
from tests.rig.codex_home import auth_json, make_codex_home, write_auth
from tests.rig.fake_backend import ACCOUNT_ID, Reply, usage_body
from tests.rig.leaks import assert_no_secrets, cache_bytes, secrets_of
from tests.rig.runner import run_codexbar, run_json, run_plugin

PRIMARY_RESET = 1893456000  # 2030-01-01T00:00:00Z
SECONDARY_RESET = 1893888000  # 2030-01-06T00:00:00Z


def iso(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def usage(env):
    return run_json(["usage", "--json", "--source", "oauth"], env)[0]


def test_chosen_numbers_reach_usage_json_exactly_and_the_request_is_well_formed(scratch, env_for, backend):
    spark = {"limit_name": "GPT-5.3-Codex-Spark", "metered_feature": "gpt_5_3_codex_spark",
             "rate_limit": {"primary_window": {"used_percent": 61, "limit_window_seconds": 18000,
                                               "reset_at": PRIMARY_RESET},
                            "secondary_window": None}}
    backend.set_usage(usage_body(primary_used=37, secondary_used=81.5, primary_reset_at=PRIMARY_RESET,
                                 secondary_reset_at=SECONDARY_RESET, plan="prolite", email="body@example.com",
                                 credits_balance="112.4", additional=[spark]))
    home = make_codex_home(scratch / "home", backend.url, email="Chosen.One@example.com", plan="pro")
    env = env_for(home)
    proc = run_codexbar(["usage", "--json", "--source", "oauth"], env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)[0]
    assert doc["source"] == "oauth" and doc["stale"] is False and doc["error"] is None
    u = doc["usage"]
    assert u["primary"] == {"usedPercent": 37, "windowMinutes": 300, "resetsAt": iso(PRIMARY_RESET)}
    assert u["secondary"] == {"usedPercent": 81.5, "windowMinutes": 10080, "resetsAt": iso(SECONDARY_RESET)}
    assert u["extraWindows"] == [{"usedPercent": 61, "windowMinutes": 300, "resetsAt": iso(PRIMARY_RESET),
                                  "id": "codex-spark", "title": "Codex Spark 5-hour"}]
    assert u["identity"]["accountEmail"] == "Chosen.One@example.com"  # the id_token wins over the body
    assert u["identity"]["plan"] == "prolite"  # the live plan_type wins over the JWT's
    assert u["identity"]["accountId"] == ACCOUNT_ID
    assert doc["credits"]["remaining"] == 112.4 and doc["credits"]["balance"] == 112.4

    (req,) = backend.requests_to("/backend-api/wham/usage")
    token = json.loads((home / "auth.json").read_text())["tokens"]["access_token"]
    assert req["method"] == "GET"
    assert req["headers"]["authorization"] == f"Bearer {token}"
    assert req["headers"]["chatgpt-account-id"] == ACCOUNT_ID
    assert req["headers"]["accept"] == "application/json"
    assert "codexbar" in req["headers"]["user-agent"]
    assert "cookie" not in req["headers"]
    assert_no_secrets([proc.stdout, proc.stderr, cache_bytes(scratch)], secrets_of(home))


def test_credit_limit_and_reset_credits_reach_json_and_menu(scratch, env_for, backend):
    backend.set_usage(usage_body(credits_balance="0", individual_limit={
        "limit": 100000, "used": "7761", "remaining_percent": 92.239, "resets_at": 1782864000}))
    backend.route("GET", "/backend-api/wham/rate-limit-reset-credits", lambda req: Reply(body={
        "credits": [{"id": "r1", "reset_type": "weekly", "status": "available",
                     "granted_at": "2026-01-01T00:00:00Z", "expires_at": "2099-01-01T00:00:00Z"},
                    {"id": "r2", "reset_type": "weekly", "status": "redeemed",
                     "granted_at": "2026-01-01T00:00:00Z"}], "available_count": 1}))
    env = env_for(make_codex_home(scratch / "home", backend.url))
    doc = usage(env)
    assert doc["credits"]["remaining"] == 92239 and doc["credits"]["balance"] == 0
    assert doc["credits"]["limit"]["remainingPercent"] == 92.239 and doc["credits"]["limit"]["used"] == 7761
    (reset_req,) = backend.requests_to("/wham/rate-limit-reset-credits")
    assert reset_req["headers"]["openai-beta"] == "codex-1"
    assert reset_req["headers"]["chatgpt-account-id"] == ACCOUNT_ID
    menu = run_plugin(env).stdout
    assert "Credits: 92,239 left" in menu or "Credits: 92239 left" in menu
    assert "Monthly credit limit: " in menu
    assert "Limit reset credits: 1 available" in menu


def test_workspace_monthly_limit_is_fetched_for_business_plans(scratch, env_for, backend):
    body = usage_body(plan="business", credits_balance=None)
    body["spend_control"] = {"reached": False}
    backend.set_usage(body)
    path = f"/backend-api/accounts/{ACCOUNT_ID}/spend-controls/current-user/monthly-usage"
    backend.route("GET", path, lambda req: Reply(body={"current_month_usage": 3046.45, "effective_monthly_limit": {
        "limit": 7000, "enforcement_mode": "HARD_CAP", "limit_mode": "amount_credits"}}))
    doc = usage(env_for(make_codex_home(scratch / "home", backend.url, plan="business")))
    assert doc["credits"]["limit"]["limit"] == 7000 and doc["credits"]["limit"]["used"] == 3046.45
    assert round(doc["credits"]["remaining"], 2) == 3953.55
    assert backend.requests_to(path)[0]["headers"]["authorization"].startswith("Bearer ")


def test_pro_plans_do_not_ask_for_a_workspace_limit_and_failing_extras_are_ignored(scratch, env_for, backend):
    body = usage_body(primary_used=12)
    body["spend_control"] = {}
    backend.set_usage(body)
    backend.route("GET", "/backend-api/wham/rate-limit-reset-credits", lambda req: Reply(status=500, body="x"))
    doc = usage(env_for(make_codex_home(scratch / "home", backend.url)))
    assert doc["usage"]["primary"]["usedPercent"] == 12 and doc["error"] is None
    assert not backend.requests_to("/monthly-usage")


def test_credits_only_accounts_show_credits_without_limits(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=None, secondary_used=None, credits_balance="14.5"))
    env = env_for(make_codex_home(scratch / "home", backend.url))
    doc = usage(env)
    assert doc["usage"]["primary"] is None and doc["usage"]["secondary"] is None
    assert doc["credits"]["remaining"] == 14.5
    menu = run_plugin(env).stdout
    assert "Limits not available" in menu and "Credits: 14.5 left" in menu


def test_an_account_without_limits_or_credits_says_so(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=None, secondary_used=None, credits_balance=None))
    doc = usage(env_for(make_codex_home(scratch / "home", backend.url)))
    assert doc["usage"] is None and doc["error"]["kind"] == "no_rate_limits"


# Each failure of wham/usage: what kind it is, and words the user must see.
FAILURES = {
    "401": (Reply(status=401, body={"detail": "Unauthorized"}), "auth", "codex login"),
    "403": (Reply(status=403, body="<html>Forbidden</html>"), "auth", "codex login"),
    "429": (Reply(status=429, body={"detail": "Too many requests"}), "rate_limited", "try again in a few minutes"),
    "500": (Reply(status=500, body="upstream exploded"), "unavailable", "temporarily unavailable"),
    "html": (Reply(body="<!DOCTYPE html><html><body>Just a moment...</body></html>",
                   headers={"Content-Type": "text/html"}), "invalid_response", "web page"),
    "empty": (Reply(body=b"", headers={"Content-Type": "application/json"}), "invalid_response", "empty"),
    "truncated": (Reply(body=b'{"rate_limit": {"primary_window": {"used_pe',
                        headers={"Content-Type": "application/json"}), "invalid_response", "incomplete"),
    "dropped": (Reply(body=json.dumps(usage_body()), close_after=30, headers={"Content-Type": "application/json"}),
                "unavailable", "dropped"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_each_failure_has_its_message_and_keeps_the_last_good_values(scratch, env_for, backend, case):
    reply, kind, words = FAILURES[case]
    backend.set_usage(usage_body(primary_used=33, secondary_used=44))
    home = make_codex_home(scratch / "home", backend.url)
    env = env_for(home)
    assert usage(env)["usage"]["primary"]["usedPercent"] == 33
    backend.set_usage(reply)
    proc = run_codexbar(["usage", "--json", "--source", "oauth"], env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)[0]
    error = oauth_error(doc)
    assert error["kind"] == kind
    assert words in error["message"].lower()
    assert doc["stale"] is True and doc["usage"]["primary"]["usedPercent"] == 33  # nothing lost
    # Only sign-in problems may fall through to the CLI; the rest must not spawn it.
    (cli,) = [a for a in doc["trace"]["attempts"] if a["source"] == "cli"]
    assert cli["reason"].startswith("not tried") is (kind != "auth")
    assert_no_secrets([proc.stdout, proc.stderr, cache_bytes(scratch)], secrets_of(home))


@pytest.mark.parametrize("case", ["401", "429", "html"])
def test_the_menu_shows_the_failure_under_the_last_good_values(scratch, env_for, backend, case):
    reply, _kind, words = FAILURES[case]
    backend.set_usage(usage_body(primary_used=10, secondary_used=20))
    home = make_codex_home(scratch / "home", backend.url)
    env = env_for(home)
    assert "Session: 90% left" in run_plugin(env).stdout
    backend.set_usage(reply)
    run_plugin(env, "refresh")
    proc = run_plugin(env)
    assert proc.returncode == 0
    assert "Session: 90% left" in proc.stdout and "refresh failed" in proc.stdout
    assert words in proc.stdout.lower()
    assert_no_secrets([proc.stdout, proc.stderr], secrets_of(home))


def test_missing_login_through_the_cli_says_codex_login(scratch, env_for):
    proc = run_codexbar(["usage", "--json", "--source", "oauth"], env_for(scratch / "nobody"))
    error = oauth_error(json.loads(proc.stdout)[0])
    assert error["kind"] == "missing_credentials" and "codex login" in error["message"]


def test_a_backend_slower_than_the_budget_times_out_in_time(scratch, local_tls, backend):
    backend.set_usage(Reply(body=usage_body(), delay=30))
    home = make_codex_home(scratch / "home", backend.url)
    ctx = ctx_for(home, scratch, local_tls.ca_pem, seconds=1.0)
    started = time.monotonic()
    with pytest.raises(CodexbarError) as info:
        OAuthSource().fetch(ctx)
    assert info.value.kind == "timeout" and "did not answer" in info.value.message
    assert time.monotonic() - started < 10  # generous bound: the 30 s reply was not waited for
    assert_no_secrets([info.value.message], secrets_of(home))


def test_a_body_dribbled_byte_by_byte_cannot_outlast_the_budget(scratch, local_tls, backend):
    backend.set_usage(Reply(body=usage_body(), dribble=0.05))  # each read is quick, the whole takes minutes
    home = make_codex_home(scratch / "home", backend.url)
    with pytest.raises(CodexbarError) as info:
        OAuthSource().fetch(ctx_for(home, scratch, local_tls.ca_pem, seconds=1.0))
    assert info.value.kind == "timeout"


def test_an_untrusted_certificate_is_a_clear_network_error(scratch, backend, env_for):
    home = make_codex_home(scratch / "home", backend.url)
    env = env_for(home)
    del env["CODEX_CA_CERTIFICATE"]
    doc = usage(env)
    assert doc["error"]["kind"] == "unavailable" and "cannot connect to 127.0.0.1" in doc["error"]["message"]


def test_no_account_id_means_no_account_header(scratch, env_for, backend):
    home = make_codex_home(scratch / "home", backend.url)
    data = auth_json(account_id="")
    del data["tokens"]["account_id"]
    write_auth(home, data)
    assert usage(env_for(home))["usage"]["primary"]["usedPercent"] == 42
    assert "chatgpt-account-id" not in backend.requests_to("/wham/usage")[0]["headers"]


def test_a_slow_optional_extra_does_not_cost_the_numbers(scratch, local_tls, backend):
    backend.set_usage(usage_body(primary_used=8))
    backend.route("GET", "/backend-api/wham/rate-limit-reset-credits", lambda req: Reply(body={}, delay=30))
    home = make_codex_home(scratch / "home", backend.url)
    snap = OAuthSource().fetch(ctx_for(home, scratch, local_tls.ca_pem, seconds=2.5))
    assert snap.primary.used_percent == 8 and snap.credits.reset_credits_available == 0
