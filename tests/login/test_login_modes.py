"""The other ways Codex keeps a login, next to a running keyring: file, auto without an entry, ephemeral.

Also: the keyring account is hashed from the Codex home's real path (a symlinked home finds the same
entry), and the opt-in direct read never runs from a background refresh (docs/decisions/codex-logins.md).
"""

from __future__ import annotations

import json

import pytest

from codexbar_core.sources.login_store import keyring_account
from tests.login.cli_helpers import login_status, step_reason, steps, usage
from tests.login.homes import (
    FILE_ACCOUNT_ID,
    FILE_USED,
    KEYRING_USED,
    answer_per_account,
    entry_value,
    keyring_home,
    keyring_login,
)
from tests.rig.codex_home import auth_json, write_auth
from tests.rig.menu_checks import menu as plugin_menu

pytestmark = pytest.mark.realcli


def test_file_mode_reads_auth_json_as_before_and_ignores_the_keyring(scratch, backend, env_for, codex_bin,
                                                                     secret_service):
    answer_per_account(backend)
    home = keyring_home(scratch / "home", backend.url, "file", leftover_file=True)
    secret_service.put(keyring_account(home), entry_value(keyring_login()))
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), **secret_service.env())

    doc, _ = usage(env, "--source", "oauth")
    assert steps(doc) == [("oauth", "ok")]
    assert (doc["usage"]["primary"]["usedPercent"], doc["usage"]["secondary"]["usedPercent"]) == FILE_USED
    assert doc["trace"]["login"]["uses"] == "file" and doc["trace"]["login"]["keyring"] is None
    assert f"Login: {home / 'auth.json'} (file mode) — found" in plugin_menu(env)


def test_auto_mode_without_an_entry_uses_auth_json_like_codex(scratch, backend, env_for, codex_bin,
                                                              secret_service):
    answer_per_account(backend)
    home = keyring_home(scratch / "home", backend.url, "auto")
    write_auth(home, auth_json())  # an account the fake backend's workspace discovery knows
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), **secret_service.env())

    assert "Logged in using ChatGPT" in login_status(codex_bin, env)
    doc, _ = usage(env, "--source", "oauth")
    assert steps(doc) == [("oauth", "ok")]  # Codex reads auth.json here, so OAuth may too
    assert doc["usage"]["primary"]["usedPercent"] == KEYRING_USED[0]
    assert doc["trace"]["login"]["keyring"] == "absent" and doc["trace"]["login"]["uses"] == "file"
    assert "auth.json, because the keyring has no Codex login" in doc["trace"]["login"]["why"]


def test_ephemeral_login_is_explained_and_cost_still_works(scratch, backend, env_for, codex_bin):
    home = keyring_home(scratch / "home", backend.url, "ephemeral", leftover_file=True)
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin))

    assert "Not logged in" in login_status(codex_bin, env)  # nothing outside a Codex process has it

    doc, _ = usage(env)
    assert doc["error"]["kind"] == "ephemeral_login"
    assert doc["error"]["message"] == (
        f'Codex keeps its login only in memory (cli_auth_credentials_store = "ephemeral" in {home / "config.toml"}), '
        'so no other program, codexbar included, can see it. To show limits here, set it to "file", "keyring" or '
        '"auto" and run `codex login`. Local cost still works.')
    # no source that needs the login was started; only the session logs' last turn was looked at
    assert [a["source"] for a in doc["trace"]["attempts"]] == ["logs"]
    out = plugin_menu(env)
    assert "Codex keeps its login only in memory" in out
    assert "Login: memory only (ephemeral) — codexbar cannot see it" in out
    assert "Cost (local sessions)" in out and ("Today:" in out or "No Codex sessions" in out)
    assert backend.requests_to("/wham/usage") == []
    assert FILE_ACCOUNT_ID not in json.dumps(backend.requests)


def test_a_symlinked_codex_home_finds_the_entry_of_its_real_path(scratch, backend, env_for, codex_bin,
                                                                 secret_service):
    answer_per_account(backend)
    real = keyring_home(scratch / "real-home", backend.url, "keyring")
    link = scratch / "linked-home"
    link.symlink_to(real)
    assert keyring_account(link) == keyring_account(real)
    secret_service.put(keyring_account(real), entry_value(keyring_login()))
    env = env_for(link, CODEX_CLI_PATH=str(codex_bin), **secret_service.env())

    assert "Logged in using ChatGPT" in login_status(codex_bin, env)
    doc, _ = usage(env)
    assert doc["usage"]["primary"]["usedPercent"] == KEYRING_USED[0]


def test_direct_read_never_runs_from_a_background_refresh(scratch, backend, env_for, codex_bin, secret_service):
    answer_per_account(backend)
    home = keyring_home(scratch / "home", backend.url, "keyring")
    secret_service.put(keyring_account(home), entry_value(keyring_login()))
    (scratch / "config").mkdir(exist_ok=True)
    (scratch / "config" / "settings.json").write_text(json.dumps({"keyring_direct": True}))
    # a scheduled SwiftBar run: nobody clicked
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), SWIFTBAR="1", SWIFTBAR_PLUGIN_REFRESH_REASON="Schedule",
                  **secret_service.env())

    out = plugin_menu(env)
    assert "oauth: skipped — Codex's keychain login is read directly only on a refresh you ask for" in out
    assert "Session: 89% left" in out  # the app-server read it instead
    # a run somebody asked for reads it directly
    manual = dict(env, SWIFTBAR_PLUGIN_REFRESH_REASON="MenuOpen")
    doc, _ = usage(manual, "--source", "oauth")
    assert steps(doc) == [("oauth", "ok")]
    assert step_reason(doc, "oauth") == "Codex's login read directly from the system keyring"


@pytest.mark.parametrize("mode", ["file", "auto"])
def test_no_login_at_all_names_the_file_and_the_keyring_it_looked_in(scratch, backend, env_for, codex_bin,
                                                                      secret_service, mode):
    home = keyring_home(scratch / "home", backend.url, mode)
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), **secret_service.env())

    assert "Not logged in" in login_status(codex_bin, env)
    doc, _ = usage(env)
    if mode == "file":
        expected = f"Codex is not signed in: there is no {home / 'auth.json'}. Run `codex login`, then Refresh."
    else:
        expected = (f'Codex is not signed in: no login in the system keyring (service "Codex Auth", account '
                    f'"{keyring_account(home)}": no entry) and no {home / "auth.json"}. Run `codex login`, then '
                    "Refresh.")
    assert doc["error"] == {"kind": "not_signed_in", "message": expected}
    assert expected.replace("|", "¦") in plugin_menu(env)  # a `|` would split the menu line
