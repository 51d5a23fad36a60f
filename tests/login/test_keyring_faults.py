"""A keyring login that cannot be used: each fault gets its own clear line and a whole menu in time.

No D-Bus session, a D-Bus session without a Secret Service, a locked keyring, an entry that is not
JSON, an expired token in the entry, and (for the opt-in direct read) no keyring backend in Python.
The real codex 0.169.0 shows what Codex itself makes of each (docs/decisions/codex-logins.md).
"""

from __future__ import annotations

import json

import pytest

from codexbar_core.sources.login_store import keyring_account
from tests.login.cli_helpers import login_status, step_reason, steps, usage
from tests.login.homes import (
    KEYRING_USED,
    answer_per_account,
    entry_value,
    keyring_home,
    keyring_login,
    secrets_in,
)
from tests.rig.leaks import assert_no_secrets, cache_bytes
from tests.rig.menu_checks import menu as plugin_menu

pytestmark = pytest.mark.realcli


def _direct_read(scratch) -> None:
    (scratch / "config").mkdir(exist_ok=True)
    (scratch / "config" / "settings.json").write_text(json.dumps({"keyring_direct": True}))


def _error(doc) -> tuple[str, str]:
    return doc["error"]["kind"], doc["error"]["message"]


def test_no_dbus_session(scratch, backend, env_for, codex_bin):
    home = keyring_home(scratch / "home", backend.url, "keyring")
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin))
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)

    assert "no secret service provider or dbus session found" in login_status(codex_bin, env)

    doc, _ = usage(env)
    kind, message = _error(doc)
    assert kind == "keyring_unreachable"
    assert "there is no D-Bus session to reach it: no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)" in message
    assert f'cli_auth_credentials_store = "file" in {home / "config.toml"} and run `codex login`' in message
    assert "there is no D-Bus session" in plugin_menu(env)


def test_dbus_session_without_a_secret_service(scratch, backend, env_for, codex_bin, bare_bus):
    home = keyring_home(scratch / "home", backend.url, "keyring")
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), **bare_bus.env())

    assert "org.freedesktop.DBus.Error.ServiceUnknown" in login_status(codex_bin, env)

    doc, _ = usage(env)
    kind, message = _error(doc)
    assert kind == "keyring_unreachable"
    assert "no Secret Service (such as gnome-keyring) runs in this D-Bus session" in message
    assert "no Secret Service" in plugin_menu(env)


@pytest.mark.parametrize("direct", [False, True], ids=["via-cli", "direct-read"])
def test_locked_keyring(scratch, backend, env_for, codex_bin, secret_service, direct):
    home = keyring_home(scratch / "home", backend.url, "keyring")
    secret_service.put(keyring_account(home), entry_value(keyring_login()))
    secret_service.lock()
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), **secret_service.env())
    if direct:
        _direct_read(scratch)

    assert "org.freedesktop.Secret.Error.IsLocked" in login_status(codex_bin, env)

    doc, _ = usage(env, "--source", "oauth")
    kind, message = _error(doc)
    assert kind == "keyring_locked"
    assert "is locked. Unlock it (log in to your desktop session, or open your keyring manager), then Refresh." \
        in message
    if direct:  # codexbar did not ask keyring to unlock it (that would be a prompt): it said so instead
        assert steps(doc) == [("oauth", "failed"), ("cli", "failed")]
    out = plugin_menu(env)
    assert "is locked" in out


@pytest.mark.parametrize("direct", [False, True], ids=["via-cli", "direct-read"])
def test_entry_that_is_not_json(scratch, backend, env_for, codex_bin, secret_service, direct):
    home = keyring_home(scratch / "home", backend.url, "keyring")
    secret_service.put(keyring_account(home), "this is not json {")
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), **secret_service.env())
    if direct:
        _direct_read(scratch)

    assert "failed to deserialize CLI auth from keyring" in login_status(codex_bin, env)

    doc, _ = usage(env, "--source", "oauth")
    kind, message = _error(doc)
    if direct:
        assert kind == "keyring_damaged"
        assert message == (f'Codex\'s login in the system keyring (service "Codex Auth", account '
                           f'"{keyring_account(home)}") is damaged (not JSON). Run `codex login` to replace it, '
                           "then Refresh.")
    else:
        assert "exists but Codex could not use it (damaged or expired). Run `codex login` to replace it" in message
    assert "Run `codex login` to replace it" in plugin_menu(env)
    assert secret_service.get(keyring_account(home)) == "this is not json {"  # never rewritten by codexbar


@pytest.mark.parametrize("direct", [False, True], ids=["via-cli", "direct-read"])
def test_expired_token_in_the_entry_is_left_to_the_cli(scratch, backend, env_for, codex_bin, secret_service,
                                                       direct):
    answer_per_account(backend)
    home = keyring_home(scratch / "home", backend.url, "keyring")
    account = keyring_account(home)
    login = keyring_login(exp_in=-3600)
    secret_service.put(account, entry_value(login))
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token",
                  **secret_service.env())
    if direct:
        _direct_read(scratch)

    doc, proc = usage(env, "--source", "oauth")
    assert (doc["usage"]["primary"]["usedPercent"], doc["usage"]["secondary"]["usedPercent"]) == KEYRING_USED
    # codex 0.169.0 renews the login in its first app-server but answers that one as signed out:
    # codexbar asks a second one, which uses the renewed login
    cli_steps = [("cli", "failed"), ("cli", "ok")]
    if direct:
        assert steps(doc) == [("oauth", "failed"), *cli_steps]
        assert "has expired; codexbar leaves renewing it to Codex" in step_reason(doc, "oauth")
    else:
        assert steps(doc) == [("oauth", "skipped"), *cli_steps]
    # the one renewal came from the CLI, which stored the new login in the keyring itself
    assert [r["headers"].get("originator") for r in backend.requests_to("/oauth/token")] == ["codex_cli_rs"]
    renewed = json.loads(secret_service.get(account) or "{}")
    assert renewed["tokens"]["refresh_token"] != login["tokens"]["refresh_token"]
    assert not (home / "auth.json").exists()
    assert_no_secrets([proc.stdout, proc.stderr, cache_bytes(scratch)], secrets_in(login) + secrets_in(renewed))


def test_keyring_backend_missing_for_the_direct_read(scratch, backend, env_for, codex_bin, secret_service):
    answer_per_account(backend)
    home = keyring_home(scratch / "home", backend.url, "keyring")
    secret_service.put(keyring_account(home), entry_value(keyring_login()))
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                  **secret_service.env())
    _direct_read(scratch)

    doc, _ = usage(env, "--source", "oauth")
    assert steps(doc) == [("oauth", "failed"), ("cli", "ok")]
    assert step_reason(doc, "oauth").startswith("Cannot read Codex's keychain login directly: the Python `keyring` "
                                                "library has no backend")
    assert doc["usage"]["primary"]["usedPercent"] == KEYRING_USED[0]
    out = plugin_menu(env)
    assert "oauth: failed — Cannot read Codex's keychain login directly" in out or "Session: 89% left" in out
