"""Token refresh (docs/reference/usage-sources.md, "OAuth: token refresh"): the CLI refreshes when it exists; otherwise one safe POST, or nothing changes."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import stat
import subprocess
import sys
import time

import pytest

from codexbar_core.errors import CodexbarError
from codexbar_core.model import UTC, parse_iso
from codexbar_core.sources import auth
from codexbar_core.sources.oauth import OAuthSource
from tests.oauth.helpers import ctx_for, oauth_error
from tests.rig.codex_home import auth_json, fake_jwt, make_codex_home, write_auth
from tests.rig.fake_backend import ACCOUNT_ID, Reply, usage_body
from tests.rig.leaks import assert_no_secrets, secrets_of
from tests.rig.runner import ROOT, run_codexbar

OLD = dt.datetime.now(UTC) - dt.timedelta(days=9)
NEW_ACCESS = fake_jwt({"email": "tester@example.com", "kind": "new-access", "exp": int(time.time()) + 864000})
NEW_ID = fake_jwt({"email": "tester@example.com", "kind": "new-id",
                   "https://api.openai.com/auth": {"chatgpt_plan_type": "pro"}})
NEW_REFRESH = "rt_brand_new_refresh_token_0001"


def stale_home(root, backend, **kwargs):
    """A Codex home whose tokens are 9 days old, with fields codexbar does not know about."""
    home = make_codex_home(root, backend.url)
    data = auth_json(last_refresh=OLD, **kwargs)
    data["tokens"]["future_token_field"] = {"keep": [1, 2, 3]}
    data["agent_identity"] = {"name": "unknown to codexbar", "n": 7}
    write_auth(home, data)
    return home


def new_tokens_reply(delay: float = 0.0) -> Reply:
    return Reply(body={"access_token": NEW_ACCESS, "id_token": NEW_ID, "refresh_token": NEW_REFRESH,
                       "token_type": "Bearer", "expires_in": 864000}, delay=delay)


def refresh_env(env_for, home, backend, **extra):
    return env_for(home, CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token", **extra)


def test_stale_tokens_without_cli_are_refreshed_once_and_everything_else_is_kept(scratch, env_for, backend):
    backend.token_reply = new_tokens_reply()
    backend.set_usage(usage_body(primary_used=21))
    home = stale_home(scratch / "home", backend)
    before = json.loads((home / "auth.json").read_text())
    old_secrets = secrets_of(home)
    proc = run_codexbar(["usage", "--json", "--source", "oauth"], refresh_env(env_for, home, backend))
    doc = json.loads(proc.stdout)[0]
    assert doc["error"] is None and doc["usage"]["primary"]["usedPercent"] == 21

    (post,) = backend.requests_to("/oauth/token")
    assert post["method"] == "POST"
    assert post["body"] == {"client_id": "app_EMoamEEZ73f0CkXaXp7hrann", "grant_type": "refresh_token",
                            "refresh_token": before["tokens"]["refresh_token"], "scope": "openid profile email"}
    after = json.loads((home / "auth.json").read_text())
    assert after["tokens"]["access_token"] == NEW_ACCESS
    assert after["tokens"]["id_token"] == NEW_ID
    assert after["tokens"]["refresh_token"] == NEW_REFRESH
    assert after["tokens"]["account_id"] == ACCOUNT_ID
    assert after["tokens"]["future_token_field"] == {"keep": [1, 2, 3]}
    assert after["agent_identity"] == before["agent_identity"]
    assert after["auth_mode"] == "chatgpt" and after["OPENAI_API_KEY"] is None
    assert set(after) == set(before)
    assert dt.datetime.now(UTC) - parse_iso(after["last_refresh"]) < dt.timedelta(minutes=5)
    assert stat.S_IMODE(os.stat(home / "auth.json").st_mode) == 0o600
    # the usage call used the new token, and no temp file was left behind
    assert backend.requests_to("/wham/usage")[0]["headers"]["authorization"] == f"Bearer {NEW_ACCESS}"
    assert sorted(p.name for p in home.iterdir() if p.name.startswith(".auth.json")) == []
    assert_no_secrets([proc.stdout, proc.stderr], old_secrets + [NEW_ACCESS, NEW_ID, NEW_REFRESH])


def test_an_access_token_about_to_expire_is_refreshed_too(scratch, local_tls, backend):
    backend.token_reply = new_tokens_reply()
    home = make_codex_home(scratch / "home", backend.url, exp_in=20)
    ctx = ctx_for(home, scratch, local_tls.ca_pem, CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
    OAuthSource().fetch(ctx)
    assert len(backend.requests_to("/oauth/token")) == 1
    assert json.loads((home / "auth.json").read_text())["tokens"]["access_token"] == NEW_ACCESS


def test_fresh_tokens_are_never_refreshed(scratch, local_tls, backend):
    home = make_codex_home(scratch / "home", backend.url)
    before = (home / "auth.json").read_bytes()
    OAuthSource().fetch(ctx_for(home, scratch, local_tls.ca_pem,
                                CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token"))
    assert backend.requests_to("/oauth/token") == []
    assert (home / "auth.json").read_bytes() == before


def _fake_codex(scratch):
    fake_codex = scratch / "bin" / "codex"
    fake_codex.parent.mkdir()
    fake_codex.write_text("#!/bin/sh\nexit 1\n")
    fake_codex.chmod(0o755)
    return fake_codex


def test_with_a_codex_binary_an_old_but_valid_token_is_used_as_it_is(scratch, local_tls, backend):
    # The CLI renews only expiring tokens; asking it to renew a valid one would spawn it on every run.
    fake_codex = _fake_codex(scratch)
    home = stale_home(scratch / "home", backend)
    before = (home / "auth.json").read_bytes()
    ctx = ctx_for(home, scratch, local_tls.ca_pem, CODEX_CLI_PATH=str(fake_codex),
                  CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
    snapshot = OAuthSource().fetch(ctx)
    assert snapshot.primary is not None
    assert backend.requests_to("/oauth/token") == []
    assert (home / "auth.json").read_bytes() == before


def test_with_a_codex_binary_the_cli_is_asked_to_refresh(scratch, local_tls, backend):
    fake_codex = _fake_codex(scratch)
    home = stale_home(scratch / "home", backend, exp_in=-100)
    before = (home / "auth.json").read_bytes()
    ctx = ctx_for(home, scratch, local_tls.ca_pem, CODEX_CLI_PATH=str(fake_codex),
                  CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
    with pytest.raises(CodexbarError) as info:
        OAuthSource().fetch(ctx)
    assert info.value.kind == "needs_refresh" and info.value.fallthrough
    assert "codex login" in info.value.message
    assert backend.requests == []  # neither a refresh nor a usage call
    assert (home / "auth.json").read_bytes() == before


TOKEN_FAILURES = {
    "invalid_grant": (Reply(status=400, body={"error": "invalid_grant", "error_description": "bad"}), "auth"),
    "expired_code": (Reply(status=401, body={"error": {"code": "refresh_token_expired"}}), "auth"),
    "reused": (Reply(status=400, body={"error": {"code": "refresh_token_reused"}}), "auth"),
    "server_error": (Reply(status=500, body="oops"), "unavailable"),
    "html": (Reply(status=200, body="<html>login</html>", headers={"Content-Type": "text/html"}), "unavailable"),
    "no_tokens": (Reply(status=200, body={"token_type": "Bearer"}), "unavailable"),
}


@pytest.mark.parametrize("case", list(TOKEN_FAILURES))
def test_a_failed_refresh_leaves_auth_json_byte_identical(scratch, env_for, backend, case):
    backend.token_reply, kind = TOKEN_FAILURES[case]
    home = stale_home(scratch / "home", backend)
    before = (home / "auth.json").read_bytes()
    mode = stat.S_IMODE(os.stat(home / "auth.json").st_mode)
    proc = run_codexbar(["usage", "--json", "--source", "oauth"], refresh_env(env_for, home, backend))
    error = oauth_error(json.loads(proc.stdout)[0])
    assert error["kind"] == kind
    assert "codex login" in error["message"]
    assert (home / "auth.json").read_bytes() == before
    assert stat.S_IMODE(os.stat(home / "auth.json").st_mode) == mode
    assert len(backend.requests_to("/oauth/token")) == 1
    assert backend.requests_to("/wham/usage") == []
    assert_no_secrets([proc.stdout, proc.stderr], secrets_of(home))


@pytest.mark.parametrize("reply", [Reply(hang=True), Reply(body={"access_token": "x"}, delay=30)])
def test_a_token_endpoint_that_does_not_answer_in_time_changes_nothing(scratch, local_tls, backend, reply):
    backend.token_reply = reply
    home = stale_home(scratch / "home", backend)
    before = (home / "auth.json").read_bytes()
    ctx = ctx_for(home, scratch, local_tls.ca_pem, seconds=1.0,
                  CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
    with pytest.raises(CodexbarError) as info:
        OAuthSource().fetch(ctx)
    assert info.value.kind == "timeout" and "codex login" in info.value.message
    assert (home / "auth.json").read_bytes() == before
    assert_no_secrets([info.value.message], secrets_of(home))


def test_an_unreachable_token_endpoint_changes_nothing(scratch, local_tls, backend):
    home = stale_home(scratch / "home", backend)
    before = (home / "auth.json").read_bytes()
    ctx = ctx_for(home, scratch, local_tls.ca_pem, CODEX_REFRESH_TOKEN_URL_OVERRIDE="https://127.0.0.1:9/oauth/token")
    with pytest.raises(CodexbarError) as info:
        OAuthSource().fetch(ctx)
    assert info.value.kind == "unavailable" and "codex login" in info.value.message
    assert (home / "auth.json").read_bytes() == before


def test_a_file_changed_by_the_cli_during_our_refresh_wins(scratch, local_tls, backend):
    home = stale_home(scratch / "home", backend)
    theirs = auth_json(access_token=fake_jwt({"kind": "written-by-the-codex-cli"}), refresh_token="rt_theirs_0001")
    theirs["written_by"] = "codex"

    def token_endpoint(req):
        write_auth(home, theirs)  # the codex CLI (which ignores our lock) refreshes at the same moment
        return new_tokens_reply()

    backend.route("POST", "/oauth/token", token_endpoint)
    ctx = ctx_for(home, scratch, local_tls.ca_pem, CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
    OAuthSource().fetch(ctx)
    assert json.loads((home / "auth.json").read_text()) == theirs
    used = backend.requests_to("/wham/usage")[0]["headers"]["authorization"]
    assert used == f"Bearer {theirs['tokens']['access_token']}"


def test_someone_holding_the_refresh_lock_makes_us_wait_not_write(scratch, local_tls, backend):
    backend.token_reply = new_tokens_reply()
    home = stale_home(scratch / "home", backend)
    before = (home / "auth.json").read_bytes()
    fd = os.open(home / auth.LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        ctx = ctx_for(home, scratch, local_tls.ca_pem, seconds=0.8,
                      CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
        with pytest.raises(CodexbarError) as info:
            OAuthSource().fetch(ctx)
    finally:
        os.close(fd)
    assert info.value.kind == "timeout" and "refreshing" in info.value.message
    assert backend.requests_to("/oauth/token") == []
    assert (home / "auth.json").read_bytes() == before


def test_a_symlinked_auth_json_stays_a_symlink(scratch, local_tls, backend):
    backend.token_reply = new_tokens_reply()
    home = stale_home(scratch / "home", backend)
    real = scratch / "dotfiles" / "codex-auth.json"
    real.parent.mkdir()
    os.replace(home / "auth.json", real)
    (home / "auth.json").symlink_to(real)
    OAuthSource().fetch(ctx_for(home, scratch, local_tls.ca_pem,
                                CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token"))
    assert (home / "auth.json").is_symlink()
    assert json.loads(real.read_text())["tokens"]["access_token"] == NEW_ACCESS
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600


def test_a_group_readable_file_keeps_its_mode(scratch, local_tls, backend):
    backend.token_reply = new_tokens_reply()
    home = stale_home(scratch / "home", backend)
    os.chmod(home / "auth.json", 0o640)
    OAuthSource().fetch(ctx_for(home, scratch, local_tls.ca_pem,
                                CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token"))
    assert stat.S_IMODE(os.stat(home / "auth.json").st_mode) == 0o640


def test_two_processes_refreshing_at_once_refresh_once_and_keep_a_valid_file(scratch, env_for, backend):
    # The token endpoint is slow, so whichever process comes second arrives while the first holds the lock.
    backend.token_reply = new_tokens_reply(delay=1.5)
    backend.set_usage(usage_body(primary_used=55))
    home = stale_home(scratch / "home", backend)
    before = json.loads((home / "auth.json").read_text())
    env = refresh_env(env_for, home, backend)
    procs = []
    for n in range(2):
        # separate caches, so neither can reuse the other's stored result
        env_n = dict(env, CODEXBAR_CACHE_DIR=str(scratch / f"cache{n}"))
        procs.append(subprocess.Popen([sys.executable, "-m", "codexbar_core", "usage", "--json", "--source",
                                       "oauth"], env=env_n, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, cwd=str(ROOT)))
    outputs = [p.communicate(timeout=60) for p in procs]
    for (out, err), p in zip(outputs, procs):
        assert p.returncode == 0, err
        doc = json.loads(out)[0]
        assert doc["error"] is None and doc["usage"]["primary"]["usedPercent"] == 55
    assert len(backend.requests_to("/oauth/token")) == 1
    after = json.loads((home / "auth.json").read_text())
    assert after["tokens"]["refresh_token"] == NEW_REFRESH
    assert after["agent_identity"] == before["agent_identity"]
    assert after["tokens"]["future_token_field"] == before["tokens"]["future_token_field"]
    assert stat.S_IMODE(os.stat(home / "auth.json").st_mode) == 0o600
    assert not [p for p in home.iterdir() if p.name.endswith(".tmp")]
    # both usage calls carried the one new token
    assert {r["headers"]["authorization"] for r in backend.requests_to("/wham/usage")} == {f"Bearer {NEW_ACCESS}"}
