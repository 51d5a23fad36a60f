"""Planted secrets never come out: tokens and cookies are unique markers, every output is searched.

auth.json carries marker access/refresh/id tokens and an API key; the chatgpt.com session comes from
CODEXBAR_OPENAI_COOKIE and from `codexbar cookies set`. codexbar then runs every way a user runs it
(menu for SwiftBar and a terminal, usage and cost JSON and text, cookie status), against a server
that behaves, one that echoes the credentials it got back in its error bodies, and a token endpoint
that does the same. The markers (and each JWT's payload part) must not appear in stdout, stderr,
codexbar.log, or any file under the cache and settings folders (diskcache SQLite files, WAL and keys
included), except the pasted cookie in the owner-only secret store file when no keyring is usable.
Folders are 0700 and every file in them 0600.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import uuid
from pathlib import Path
from typing import Any

import pytest

from codexbar_core import errors
from codexbar_core.sources.cookies import CookieHeaderError, manual_set, parse_cookie_header
from tests.rig.codex_home import auth_json, fake_jwt, make_codex_home, write_auth
from tests.rig.fake_backend import Reply, fresh_tokens, usage_body
from tests.rig.files import tree_bytes
from tests.rig.runner import run_codexbar, run_plugin

pytestmark = pytest.mark.faults

RUN = uuid.uuid4().hex[:10]
ACCESS_MARK = f"PLANTED-ACCESS-{RUN}"
REFRESH = f"rt-PLANTED-REFRESH-{RUN}"
ID_MARK = f"PLANTED-IDTOKEN-{RUN}"
API_KEY = f"sk-PLANTED-APIKEY-{RUN}"
ENV_COOKIE = f"PLANTED-ENVCOOKIE-{RUN}"
SET_COOKIE = f"PLANTED-SETCOOKIE-{RUN}"
SESSION = "__Secure-next-auth.session-token"


def _secret_auth(stale: bool) -> dict[str, Any]:
    data = auth_json(refresh_token=REFRESH, api_key=API_KEY,
                     last_refresh=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30 if stale else 0))
    claims = json.loads(__import__("base64").urlsafe_b64decode(data["tokens"]["id_token"].split(".")[1] + "=="))
    data["tokens"]["access_token"] = fake_jwt(dict(claims, marker=ACCESS_MARK))
    data["tokens"]["id_token"] = fake_jwt(dict(claims, marker=ID_MARK))
    return data


def _needles(tokens: list[str]) -> list[str]:
    out = [ACCESS_MARK, ID_MARK, REFRESH, API_KEY, ENV_COOKIE, SET_COOKIE]
    for token in tokens:
        out.append(token)
        if token.count(".") == 2:
            out.append(token.split(".")[1])  # the claims alone are the token's content
    return out


def _echo(req: dict[str, Any]) -> Reply:
    """A server that quotes the credentials it was sent back in its error page."""
    h = req["headers"]
    quoted = f"auth={h.get('authorization')} cookie={h.get('cookie')}"
    if h.get("cookie"):
        return Reply(status=403, body=f"<html><body>Session rejected: {quoted}</body></html>",
                     headers={"Content-Type": "text/html"})
    return Reply(status=401, body={"detail": f"invalid token: {quoted}"})


def _token_echo(req: dict[str, Any]) -> Reply:
    body = req["body"] if isinstance(req["body"], dict) else {}
    return Reply(status=400, body={"error": {"code": "invalid_grant",
                                             "message": f"refresh token {body.get('refresh_token')} is invalid"}})


def test_planted_tokens_and_cookies_never_leak(scratch, env_for, backend):
    home = make_codex_home(scratch / "home", backend.url)
    write_auth(home, _secret_auth(stale=False))
    web = {"CODEXBAR_WEB_BASE_URL": backend.url, "CODEXBAR_KEYRING": "off",
           "CODEXBAR_COOKIE_STORES": "none=/nonexistent"}
    env = env_for(home, **web, CODEXBAR_OPENAI_COOKIE=f"{SESSION}={ENV_COOKIE}; _account=personal")
    env_set = env_for(home, **web)  # no env cookie: the pasted one is used
    outputs: list[str] = []
    seen_tokens: set[str] = set()

    def run(args: list[str], e: dict[str, str], stdin: str | None = None) -> None:
        tokens = json.loads((home / "auth.json").read_text())["tokens"]
        seen_tokens.update(v for k, v in tokens.items() if k != "account_id" and isinstance(v, str))
        proc = run_codexbar(args, e, stdin=stdin)
        outputs.extend([proc.stdout, proc.stderr])

    def everything(e: dict[str, str]) -> None:
        for args in (["refresh"], ["menu"], ["usage", "--json"], ["usage", "--json", "--source", "oauth"],
                     ["usage", "--json", "--source", "web"], ["usage"], ["cost", "--json"], ["cookies", "status"]):
            run(args, e)
        for swiftbar in (dict(e, SWIFTBAR="1"), e):
            run(["refresh"], swiftbar)
            proc = run_plugin(swiftbar)
            outputs.extend([proc.stdout, proc.stderr])

    # 1. a server that behaves; the pasted cookie goes through `codexbar cookies set`
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    everything(env)
    assert any("Session: 77% left" in out for out in outputs), "the good path did not run"
    run(["cookies", "set"], env_set, stdin=f"Cookie: {SESSION}={SET_COOKIE}; _account=personal\n")
    everything(env_set)
    assert backend.requests_to("/wham/usage"), "the sources were not asked"
    cookies_sent = " ".join(r["headers"].get("cookie", "") for r in backend.requests)
    assert ENV_COOKIE in cookies_sent and SET_COOKIE in cookies_sent, "the planted cookies were not used"

    # 2. a server that echoes the credentials back in its errors
    backend.route("GET", "/backend-api/wham/usage", _echo)
    everything(env)
    everything(env_set)

    # 3. a token refresh that fails loudly, then one that works (new tokens are secrets too)
    write_auth(home, _secret_auth(stale=True))
    refresh_env = dict(env, CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
    backend.route("POST", "/oauth/token", _token_echo)
    run(["usage", "--json", "--source", "oauth"], refresh_env)
    backend.route("POST", "/oauth/token", lambda req: Reply(body=fresh_tokens(req)))
    backend.route("GET", "/backend-api/wham/usage", lambda req: Reply(body=usage_body(primary_used=23)))
    run(["usage", "--json", "--source", "oauth"], refresh_env)
    everything(refresh_env)
    new = json.loads((home / "auth.json").read_text())["tokens"]
    assert new["refresh_token"] != REFRESH, "the refresh did not happen"
    seen_tokens.update(v for k, v in new.items() if k != "account_id")
    assert any(r["path"].endswith("/oauth/token") for r in backend.requests)

    needles = _needles(sorted(seen_tokens))
    for text in outputs:
        for needle in needles:
            assert needle not in text, f"a secret ({needle[:24]}…) leaked into output:\n{text[:2000]}"

    cache, config = scratch / "cache", scratch / "config"
    files = tree_bytes(cache, config)
    assert any(p.endswith("cache.db") for p in files), "nothing was cached: the search would prove nothing"
    secret_file = cache / "secrets.json"
    for path, data in files.items():
        allowed = {SET_COOKIE} if path == str(secret_file) else set()
        for needle in needles:
            if needle not in allowed:
                assert needle.encode() not in data, f"a secret ({needle[:24]}…) is stored in {path}"
    assert SET_COOKIE in secret_file.read_text(), "the pasted cookie should sit in the secret store file"
    for lock in home.glob(".codexbar*"):
        assert all(n.encode() not in lock.read_bytes() for n in needles)

    for folder in (cache, config):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        for root, dirs, names in os.walk(folder):
            for d in dirs:
                assert stat.S_IMODE(os.stat(os.path.join(root, d)).st_mode) & 0o077 == 0, d
            for n in names:
                mode = stat.S_IMODE(os.lstat(os.path.join(root, n)).st_mode)
                assert mode & 0o077 == 0, f"{os.path.join(root, n)} is {oct(mode)}"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "auth.json").stat().st_mode) == 0o600


def test_exception_texts_quote_no_secret():
    for bad in (f"{SESSION}={SET_COOKIE}; bro ken=1", f"Cookie: {SET_COOKIE}", f"a={SET_COOKIE}\x01"):
        with pytest.raises(CookieHeaderError) as caught:
            parse_cookie_header(bad)
        assert SET_COOKIE not in str(caught.value) and SET_COOKIE not in repr(caught.value)
    cookie_set = manual_set(f"{SESSION}={SET_COOKIE}", "manual")
    assert SET_COOKIE not in repr(cookie_set)
    from codexbar_core.sources.auth import parse_auth

    for raw in (b'{"tokens": {"access_token": "' + REFRESH.encode() + b'"',  # cut short
                json.dumps({"tokens": {"access_token": REFRESH}}).encode()):
        with pytest.raises(errors.CodexbarError) as caught:
            parse_auth(Path("auth.json"), raw)
        assert REFRESH not in str(caught.value) and REFRESH not in json.dumps(caught.value.to_json())
