"""Reading auth.json: token spellings, identity from the JWTs, staleness, and every broken-file case."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from codexbar_core.errors import CodexbarError
from codexbar_core.model import UTC
from codexbar_core.sources import auth
from codexbar_core.sources.oauth import OAuthSource, base_url, usage_url
from tests.oauth.helpers import ctx_for
from tests.rig.codex_home import auth_json, fake_jwt, make_codex_home, write_auth
from tests.rig.fake_backend import ACCOUNT_ID

NOW = dt.datetime.now(UTC)


def test_tokens_and_identity_are_read_from_the_jwts(tmp_path):
    write_auth(tmp_path, auth_json(email="  Someone@Example.com ", plan="team"))
    a = auth.read_auth(tmp_path)
    assert a.account_id == ACCOUNT_ID
    assert a.email() == "Someone@Example.com"
    assert a.plan() == "team"
    assert auth.identity_email(tmp_path) == "someone@example.com"


def test_camel_case_keys_work_and_snake_case_wins(tmp_path):
    data = auth_json()
    t = data["tokens"]
    data["tokens"] = {"accessToken": "camel-access", "refreshToken": "camel-refresh", "idToken": t["id_token"],
                      "access_token": "snake-access"}
    write_auth(tmp_path, data)
    a = auth.read_auth(tmp_path)
    assert (a.access_token, a.refresh_token) == ("snake-access", "camel-refresh")


def test_account_id_falls_back_to_the_jwt_claims(tmp_path):
    data = auth_json()
    del data["tokens"]["account_id"]
    data["tokens"]["id_token"] = "not.a-jwt"  # malformed JWTs are ignored
    data["tokens"]["access_token"] = fake_jwt({"organizations": [{"id": "org-first"}, {"id": "org-2"}]})
    write_auth(tmp_path, data)
    assert auth.read_auth(tmp_path).account_id == "org-first"


def test_email_may_come_from_the_profile_claim(tmp_path):
    data = auth_json()
    data["tokens"]["id_token"] = fake_jwt({"https://api.openai.com/profile": {"email": "prof@example.com"}})
    write_auth(tmp_path, data)
    assert auth.identity_email(tmp_path) == "prof@example.com"


def test_tokens_win_over_a_stray_api_key(tmp_path):
    write_auth(tmp_path, auth_json(api_key="sk-stray-key-123456"))
    assert auth.read_auth(tmp_path).access_token != "sk-stray-key-123456"


@pytest.mark.parametrize("refreshed_ago, exp_in, stale", [
    (dt.timedelta(days=7, hours=23), 3600, False),
    (dt.timedelta(days=8, minutes=1), 3600, True),
    (dt.timedelta(0), 30, True),  # access token expires within 60 s
    (dt.timedelta(0), -10, True),
])
def test_staleness(tmp_path, refreshed_ago, exp_in, stale):
    # `exp` is written relative to the wall clock, so "now" is taken here, not at import time.
    now = dt.datetime.now(dt.timezone.utc)
    write_auth(tmp_path, auth_json(last_refresh=now - refreshed_ago, exp_in=exp_in))
    assert auth.needs_refresh(auth.read_auth(tmp_path), now) is stale


def test_a_file_without_last_refresh_is_stale(tmp_path):
    data = auth_json()
    del data["last_refresh"]
    write_auth(tmp_path, data)
    assert auth.needs_refresh(auth.read_auth(tmp_path), NOW)


def _broken(home, case):
    home.mkdir(parents=True, exist_ok=True)
    path = home / "auth.json"
    if case == "missing":
        return
    if case == "directory":
        path.mkdir()
    elif case == "empty":
        path.write_text("")
    elif case == "corrupt":
        path.write_text('{"tokens": {"access_token": "abc')
    elif case == "not_object":
        path.write_text("[1, 2]")
    elif case == "no_tokens":
        path.write_text(json.dumps({"auth_mode": "chatgpt", "tokens": None, "OPENAI_API_KEY": None}))
    elif case == "no_refresh_token":
        data = auth_json()
        data["tokens"]["refresh_token"] = ""
        write_auth(home, data)
    elif case == "symlink_loop":
        path.symlink_to(path)
    elif case == "binary":
        path.write_bytes(b"\xff\xfe\x00garbage")


@pytest.mark.parametrize("case, words", [
    ("missing", "not found"), ("directory", "folder"), ("empty", "empty"), ("corrupt", "not valid JSON"),
    ("not_object", "not a JSON object"), ("no_tokens", "no tokens"), ("no_refresh_token", "no tokens"),
    ("symlink_loop", "cannot be read"), ("binary", "not valid JSON"),
])
def test_broken_auth_files_fall_through_with_a_codex_login_hint(tmp_path, scratch, local_tls, case, words):
    home = tmp_path / "home"
    _broken(home, case)
    with pytest.raises(CodexbarError) as info:
        OAuthSource().fetch(ctx_for(home, scratch, local_tls.ca_pem))
    err = info.value
    assert err.kind == "missing_credentials" and err.fallthrough
    assert words in err.message and "codex login" in err.message
    assert auth.identity_email(home) is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_auth_file_says_so(tmp_path, scratch, local_tls):
    write_auth(tmp_path, auth_json()).chmod(0)
    with pytest.raises(CodexbarError) as info:
        OAuthSource().fetch(ctx_for(tmp_path, scratch, local_tls.ca_pem))
    assert info.value.kind == "missing_credentials" and "permission denied" in info.value.message


def test_api_key_login_is_explained_not_sent(tmp_path, scratch, local_tls, backend):
    home = make_codex_home(tmp_path / "home", backend.url, login="apikey")
    with pytest.raises(CodexbarError) as info:
        OAuthSource().fetch(ctx_for(home, scratch, local_tls.ca_pem))
    assert info.value.kind == "not_configured"
    assert "API key" in info.value.message and "codex login" in info.value.message
    assert "sk-test-fake-key-0000" not in info.value.message
    assert backend.requests == []  # the key is never sent as a bearer token


@pytest.mark.parametrize("configured, expected", [
    (None, "https://chatgpt.com/backend-api/wham/usage"),
    ("https://chatgpt.com", "https://chatgpt.com/backend-api/wham/usage"),
    ("https://chat.openai.com/", "https://chat.openai.com/backend-api/wham/usage"),
    ("https://api.openai.com", "https://api.openai.com/api/codex/usage"),
    ("https://proxy.example/backend-api/", "https://proxy.example/backend-api/wham/usage"),
])
def test_usage_url_path_rule(tmp_path, configured, expected):
    lines = [f'chatgpt_base_url = "{configured}"  # comment'] if configured else []
    (tmp_path / "config.toml").write_text("\n".join([*lines, "[other]", 'chatgpt_base_url = "nope"']) + "\n")
    assert usage_url(base_url(tmp_path)) == expected


@pytest.mark.parametrize("token", ["abc def", "tök€n", "line\nbreak"])
def test_a_token_that_cannot_be_a_header_is_damaged_not_a_crash(tmp_path, scratch, local_tls, token):
    write_auth(tmp_path, auth_json(access_token=token))
    with pytest.raises(CodexbarError) as info:
        OAuthSource().fetch(ctx_for(tmp_path, scratch, local_tls.ca_pem))
    assert info.value.kind == "missing_credentials" and "damaged token" in info.value.message
    assert token not in info.value.message
