"""Reset credits: decoded from the real endpoint's shape, in `usage --json` and the menu, never spent."""

from __future__ import annotations

import datetime as dt
import time

from codexbar_core.sources import wham
from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import Reply, reset_credits_body, usage_body
from tests.rig.runner import run_json, run_plugin

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_decoding_follows_the_endpoint_shape():
    soon, later = NOW + dt.timedelta(hours=20), NOW + dt.timedelta(days=9)
    body = {"available_count": 5, "credits": [
        {"id": "a", "reset_type": "weekly", "expires_at": int(later.timestamp())},  # no status: available
        {"id": "b", "status": "available", "expires_at": soon.strftime("%Y-%m-%dT%H:%M:%SZ")},
        {"id": "c", "status": "available", "expires_at": str(int(later.timestamp()))},  # numeric string
        {"id": "d", "status": "redeemed", "expires_at": int(later.timestamp())},
        {"id": "e", "status": "available", "expires_at": int((NOW - dt.timedelta(hours=1)).timestamp())},
        {"id": "f", "status": "available"}, "junk"]}
    assert wham.decode_reset_credits(body, NOW) == (4, soon)
    assert wham.decode_reset_credits({"available_count": 2}, NOW) == (2, None)  # count without a list
    assert wham.decode_reset_credits({"credits": []}, NOW) == (0, None)
    assert wham.decode_reset_credits("x", NOW) == (0, None)
    assert wham.usage_reset_credit_count({"rate_limit_reset_credits": {"available_count": 3}}) == 3
    assert wham.reset_credits_url("https://chatgpt.com/backend-api") == \
        "https://chatgpt.com/backend-api/wham/rate-limit-reset-credits"
    assert wham.reset_credits_url("http://proxy:8080") == "http://proxy:8080/api/codex/rate-limit-reset-credits"


def _usage(env):
    return run_json(["usage", "--json", "--source", "oauth"], env)[0]


def test_credits_and_their_next_expiry_reach_json_and_menu_and_none_is_spent(scratch, env_for, backend):
    soon = int(time.time()) + 20 * 3600
    backend.set_reset_credits(reset_credits_body([soon, int(time.time()) + 9 * 86400], redeemed=1))
    env = env_for(make_codex_home(scratch / "home", backend.url))
    doc = _usage(env)
    expected = dt.datetime.fromtimestamp(soon, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert doc["credits"]["resetCredits"] == {"available": 2, "nextExpiresAt": expected}
    menu = run_plugin(env).stdout
    local = dt.datetime.fromtimestamp(soon).astimezone()
    assert f"Limit reset credits: 2 available · next expires {local:%b} {local.day}" in menu
    assert all(r["method"] == "GET" for r in backend.requests_to("/rate-limit-reset-credits"))
    assert not [r for r in backend.requests if "consume" in r["path"] or r["method"] == "POST"]


def test_a_non_chatgpt_base_url_asks_the_api_codex_form(scratch, env_for, backend):
    home = make_codex_home(scratch / "home", backend.url)
    (home / "config.toml").write_text(f'chatgpt_base_url = "{backend.url}"\n')
    backend.set_reset_credits(reset_credits_body([None]))
    doc = _usage(env_for(home))
    assert backend.requests_to("/api/codex/usage") and backend.requests_to("/api/codex/rate-limit-reset-credits")
    assert doc["credits"]["resetCredits"] == {"available": 1, "nextExpiresAt": None}


def test_the_usage_answers_count_stands_in_when_the_list_fails(scratch, env_for, backend):
    body = usage_body()
    body["rate_limit_reset_credits"] = {"available_count": 1}
    backend.set_usage(body)
    backend.set_reset_credits(Reply(status=500, body="x"))
    doc = _usage(env_for(make_codex_home(scratch / "home", backend.url)))
    assert doc["credits"]["resetCredits"] == {"available": 1, "nextExpiresAt": None}
    assert doc["error"] is None


def test_usage_json_says_when_an_exhausted_account_is_usable_again(scratch, env_for, backend):
    reset = int(time.time()) + 3 * 86400
    backend.set_usage(usage_body(primary_used=20, secondary_used=100, secondary_reset_at=reset))
    backend.set_reset_credits(reset_credits_body([reset + 86400]))
    doc = _usage(env_for(make_codex_home(scratch / "home", backend.url)))
    assert doc["usage"]["usableAgainAt"] == {
        "lane": "Weekly", "at": dt.datetime.fromtimestamp(reset, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resetCreditsAvailable": 1}
    backend.set_usage(usage_body(primary_used=20, secondary_used=99))
    assert run_json(["usage", "--json", "--source", "oauth", "--refresh"], env_for(scratch / "home"))[0][
        "usage"]["usableAgainAt"] is None
