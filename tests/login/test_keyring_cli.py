"""Codex logins kept in the system keyring, with the real codex 0.169.0 and a real gnome-keyring.

Each test gives the real CLI a login in a real Secret Service (or none, or a broken one), proves what
the CLI itself makes of it (`codex login status`, the app-server's `account/read`), and checks what
codexbar shows: the fake backend's numbers of the right account, or a line that names where it looked
and the exact fix (docs/decisions/codex-logins.md).
"""

from __future__ import annotations

import json

import pytest

from codexbar_core.sources.login_store import keyring_account
from tests.login.cli_helpers import account_read, login_status, steps, usage
from tests.login.homes import (
    FILE_ACCOUNT_ID,
    FILE_EMAIL,
    KEYRING_ACCOUNT_ID,
    KEYRING_EMAIL,
    KEYRING_USED,
    answer_per_account,
    entry_value,
    keyring_home,
    keyring_login,
    secrets_in,
)
from tests.rig.leaks import assert_no_secrets, cache_bytes
from tests.rig.menu_checks import drop_cache
from tests.rig.menu_checks import menu as plugin_menu

pytestmark = pytest.mark.realcli


@pytest.fixture
def keyring_env(scratch, env_for, secret_service, codex_bin):
    def make(home, **extra):
        return env_for(home, CODEX_CLI_PATH=str(codex_bin), **secret_service.env(), **extra)

    return make


def _usage_requests_by_account(backend) -> set[str]:
    return {r["headers"].get("chatgpt-account-id") for r in backend.requests_to("/wham/usage")}


def test_keyring_login_is_read_by_codex_and_shown_by_codexbar(scratch, backend, secret_service, keyring_env,
                                                                codex_bin):
    answer_per_account(backend)
    home = keyring_home(scratch / "home", backend.url, "keyring")
    login = keyring_login()
    account = keyring_account(home)
    # as Codex's keyring crate writes it
    secret_service.put(account, entry_value(login), target="default", application="rust-keyring")
    env = keyring_env(home)

    assert "Logged in using ChatGPT" in login_status(codex_bin, env)
    assert account_read(codex_bin, env, home)["result"]["account"]["email"] == KEYRING_EMAIL

    doc, proc = usage(env)
    assert doc["source"] == "codex-cli", doc
    assert (doc["usage"]["primary"]["usedPercent"], doc["usage"]["secondary"]["usedPercent"]) == KEYRING_USED
    assert doc["usage"]["identity"]["accountEmail"] == KEYRING_EMAIL
    login_record = doc["trace"]["login"]
    assert (login_record["mode"], login_record["uses"], login_record["keyring"]) == ("keyring", "keyring", "present")
    assert login_record["keyringAccount"] == account

    cached = plugin_menu(env)
    assert "Login: system keyring (keyring mode) — entry found" in cached  # also for a reused result
    drop_cache(env)
    out = plugin_menu(env)
    assert "Login: system keyring (keyring mode) — entry found" in out
    assert "Session: 89% left" in out and "Weekly: 78% left" in out
    assert "oauth: skipped — Codex keeps its login in the system keyring" in out

    # codexbar wrote nothing: no auth.json appeared and the entry is as it was
    assert not (home / "auth.json").exists()
    assert secret_service.get(account) == entry_value(login)
    assert _usage_requests_by_account(backend) == {KEYRING_ACCOUNT_ID}
    assert_no_secrets([proc.stdout, proc.stderr, out, cache_bytes(scratch)], secrets_in(login))


def test_keyring_mode_without_entry_names_the_keyring_and_the_fix(scratch, backend, secret_service, keyring_env,
                                                                  codex_bin):
    answer_per_account(backend)
    home = keyring_home(scratch / "home", backend.url, "keyring", leftover_file=True)
    env = keyring_env(home)

    # Codex never reads auth.json in keyring mode
    assert "Not logged in" in login_status(codex_bin, env)

    doc, _ = usage(env)
    assert doc["usage"] is None or doc["usage"]["primary"] is None
    message = doc["error"]["message"]
    assert f'no login in the system keyring (service "Codex Auth", account "{keyring_account(home)}")' in message
    assert "Run `codex login`, then Refresh." in message
    assert doc["trace"]["login"]["keyring"] == "absent"

    out = plugin_menu(env)
    assert "Codex is not signed in: no login in the system keyring" in out
    assert "auth.json not found" not in out
    # the leftover auth.json was never used by anyone
    assert FILE_ACCOUNT_ID not in _usage_requests_by_account(backend)


@pytest.mark.parametrize("direct", [False, True], ids=["via-cli", "direct-read"])
def test_auto_mode_keyring_login_wins_over_a_leftover_auth_json(scratch, backend, secret_service, keyring_env,
                                                                codex_bin, direct):
    answer_per_account(backend)
    home = keyring_home(scratch / "home", backend.url, "auto", leftover_file=True)
    login = keyring_login()
    secret_service.put(keyring_account(home), entry_value(login))  # only service and account: Codex finds it
    env = keyring_env(home)
    if direct:
        (scratch / "config").mkdir(exist_ok=True)
        (scratch / "config" / "settings.json").write_text(json.dumps({"keyring_direct": True}))

    assert account_read(codex_bin, env, home)["result"]["account"]["email"] == KEYRING_EMAIL

    doc, proc = usage(env, "--source", "oauth")
    assert (doc["usage"]["primary"]["usedPercent"], doc["usage"]["secondary"]["usedPercent"]) == KEYRING_USED
    assert doc["usage"]["identity"]["accountEmail"] == KEYRING_EMAIL
    if direct:
        assert steps(doc) == [("oauth", "ok")]
    else:
        assert steps(doc) == [("oauth", "skipped"), ("cli", "ok")]
    out = plugin_menu(env)
    assert "Session: 89% left" in out and "Login: system keyring (auto mode) — entry found" in out
    assert _usage_requests_by_account(backend) == {KEYRING_ACCOUNT_ID}
    assert secret_service.accounts() == [keyring_account(home)]
    assert_no_secrets([proc.stdout, proc.stderr, out, cache_bytes(scratch)], secrets_in(login))


def test_status_screen_reads_the_keyring_login_too(scratch, backend, secret_service, keyring_env):
    """The /status screen (`--source pty`) starts for a keyring login and takes nothing from a leftover auth.json."""
    answer_per_account(backend)
    home = keyring_home(scratch / "home", backend.url, "auto", leftover_file=True)
    secret_service.put(keyring_account(home), entry_value(keyring_login(plan="plus")))
    env = keyring_env(home)

    doc, _ = usage(env, "--source", "pty")
    (step,) = doc["trace"]["attempts"]
    if step["outcome"] != "ok":
        # the TUI fetches its numbers on its own schedule; on a loaded machine the card may still wait for
        # them: the source started and read the screen, which is what this test is about
        assert step["reason"].startswith(("Codex /status has no usage data yet",
                                          "Codex /status is still waiting")), step
        return
    assert doc["source"] == "codex-pty"
    assert doc["usage"]["primary"]["usedPercent"] == KEYRING_USED[0]
    assert doc["usage"]["identity"]["accountEmail"] != FILE_EMAIL
    assert _usage_requests_by_account(backend) == {KEYRING_ACCOUNT_ID}
