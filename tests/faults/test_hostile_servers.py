"""A hostile server behind each HTTP source (OAuth `wham/usage`, the chatgpt.com dashboard).

Every case first shows good numbers, then the server misbehaves and the menu is refreshed: the plugin
must still print a whole menu and exit 0 within the 10 s budget, keeping the last good numbers
marked stale.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.rig.codex_home import auth_json, make_codex_home, write_auth
from tests.rig.fake_backend import FakeBackend, Reply, usage_body
from tests.rig.menu_checks import STALE_MARK, drop_cache, menu, set_source
from tests.rig.runner import HARD_LIMIT, run_codexbar

pytestmark = pytest.mark.faults

LOGIN_WALL = """<!DOCTYPE html><html><head><title>Log in | ChatGPT</title></head><body>
<h1>Welcome back</h1><form action="/auth/login"><input type="email" name="email">
<button>Continue</button></form></body></html>"""
CLOUDFLARE = """<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>
<div id="challenge-running">Checking your browser before accessing chatgpt.com.</div>
<noscript>Enable JavaScript and cookies to continue</noscript>
<div>Performance &amp; security by Cloudflare</div></body></html>"""
HTML = {"Content-Type": "text/html; charset=utf-8"}
GIANT = 50 * 1024 * 1024


def faults() -> dict[str, Reply]:
    good = usage_body(primary_used=99)  # a body that would change the numbers if it got through
    return {
        "hangs-forever": Reply(hang=True),
        "closes-mid-body": Reply(body=good, close_after=25),
        "byte-by-byte": Reply(body=good, dribble=0.05),
        "401": Reply(status=401, body={"detail": "Unauthorized"}),
        "403": Reply(status=403, body={"detail": "Forbidden"}),
        "429": Reply(status=429, body={"detail": "Too many requests"}, headers={"Retry-After": "3600"}),
        "500": Reply(status=500, body="Internal Server Error"),
        "503": Reply(status=503, body="upstream connect error"),
        "html-login-wall": Reply(status=200, body=LOGIN_WALL, headers=HTML),
        "cloudflare": Reply(status=403, body=CLOUDFLARE, headers=dict(HTML, **{"cf-mitigated": "challenge"})),
        "empty-body": Reply(status=200, body=b"", headers={"Content-Type": "application/json"}),
        "giant-body": Reply(status=200, body=b'{"rate_limit": "' + b"x" * GIANT,
                            headers={"Content-Type": "application/json"}),
    }


FAULTS = list(faults())


def _env_for_source(source: str, scratch, env_for, backend) -> dict[str, str]:
    home = make_codex_home(scratch / "home", backend.url)
    if source == "oauth":
        return env_for(home)
    env = env_for(home, CODEXBAR_WEB_BASE_URL=backend.url, CODEXBAR_KEYRING="off",
                  CODEXBAR_COOKIE_STORES="none=/nonexistent",
                  CODEXBAR_OPENAI_COOKIE="__Secure-next-auth.session-token=planted-session; _account=personal")
    set_source(env, "web")
    return env


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("source", ["oauth", "web"])
def test_a_misbehaving_server_keeps_the_last_good_numbers(source, fault, scratch, env_for, backend):
    env = _env_for_source(source, scratch, env_for, backend)
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    first = menu(env)
    assert "Session: 77% left" in first, first
    assert STALE_MARK not in first

    backend.set_usage(faults()[fault])
    drop_cache(env)
    out = menu(env)  # complete, exit 0, inside the hard limit
    assert "Session: 77% left" in out and "Weekly: 89% left" in out, out
    assert STALE_MARK in out, out
    assert "1% left" not in out  # nothing of the hostile body got through


def test_codexbar_usage_gives_up_on_a_dashboard_that_sends_byte_by_byte(scratch, env_for, backend):
    # httpx's timeouts are per read; a body dribbled one byte at a time passes each of them. Without an
    # overall limit `codexbar usage` (and the background refresh holding its lock) would sit here for
    # minutes. (The OAuth source has the same bound, at the original app's 30 s, too long to wait for here.)
    source = "web"
    env = _env_for_source(source, scratch, env_for, backend)
    backend.set_usage(Reply(body=usage_body(primary_used=23), dribble=0.3))
    proc = run_codexbar(["usage", "--json", "--source", source], env, timeout=HARD_LIMIT)
    assert proc.returncode == 0, proc.stderr
    (doc,) = json.loads(proc.stdout)
    assert doc["error"]["kind"] == "timeout", doc["error"]
    assert doc["usage"] is None or doc["usage"]["primary"] is None


def test_a_hung_dashboard_does_not_hold_back_the_oauth_numbers(scratch, env_for, backend, local_tls):
    # Auto with cookies: the dashboard extras load beside OAuth; chatgpt.com hanging must cost the extras
    # only, never the fresh numbers.
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    with FakeBackend(tls=local_tls.server_context) as dashboard:
        dashboard.set_usage(Reply(hang=True))
        for path in ("/backend-api/me", "/api/auth/session", "/backend-api/subscriptions",
                     "/codex/cloud/settings/analytics"):
            dashboard.route("GET", path, lambda req: Reply(hang=True))
        env = env_for(make_codex_home(scratch / "home", backend.url), CODEXBAR_WEB_BASE_URL=dashboard.url,
                      CODEXBAR_KEYRING="off", CODEXBAR_COOKIE_STORES="none=/nonexistent",
                      CODEXBAR_OPENAI_COOKIE="__Secure-next-auth.session-token=planted-session")
        out = menu(env)
        assert dashboard.requests_to("/wham/usage"), "the dashboard was not asked"
    assert "Session: 77% left" in out and STALE_MARK not in out, out


TOKEN_FAULTS = {
    "hangs-forever": Reply(hang=True),
    "500": Reply(status=500, body="Internal Server Error"),
    "invalid-grant": Reply(status=400, body={"error": "invalid_grant", "error_description": "reused"}),
    "html-200": Reply(status=200, body=LOGIN_WALL, headers=HTML),
    "empty-200": Reply(status=200, body=b"", headers={"Content-Type": "application/json"}),
    "giant-200": Reply(status=200, body=b'{"access_token": "' + b"x" * GIANT,
                       headers={"Content-Type": "application/json"}),
    "closes-mid-body": Reply(status=200, body={"access_token": "a", "refresh_token": "b", "id_token": "c"},
                             close_after=10),
}


@pytest.mark.parametrize("fault", list(TOKEN_FAULTS))
def test_a_misbehaving_token_endpoint_leaves_auth_json_untouched(fault, scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    home = make_codex_home(scratch / "home", backend.url)
    env = env_for(home, CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
    assert "Session: 77% left" in menu(env)
    # the sign-in goes stale (no codex CLI around, so codexbar renews it itself), and the server misbehaves
    write_auth(home, auth_json(last_refresh=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)))
    before = (home / "auth.json").read_bytes()
    backend.token_reply = TOKEN_FAULTS[fault]
    drop_cache(env)
    out = menu(env)
    assert backend.requests_to("/oauth/token"), "no refresh was tried"
    assert "Session: 77% left" in out and STALE_MARK in out, out
    assert (home / "auth.json").read_bytes() == before, "a failed refresh changed auth.json"
