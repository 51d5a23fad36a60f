"""The login-store detector on its own: what config.toml says, what it looked at, and what it found."""

from __future__ import annotations

import hashlib
import os

import pytest

from codexbar_core.render.menu import build_menu
from codexbar_core.render.menu_input import HomeView
from codexbar_core.render.settings_menu import KEYRING_DIRECT_LABEL
from codexbar_core.sources import keyring_probe as kp
from codexbar_core.sources.login_store import detect, keyring_account
from tests.menu.samples import menu_input, result, snapshot


def _home(tmp_path, line: str = ""):
    home = tmp_path / "codex"
    home.mkdir()
    (home / "config.toml").write_text(f"{line}\nmodel = \"x\"\n\n[features]\ncli_auth_credentials_store = \"keyring\"\n")
    return home


@pytest.mark.parametrize(("line", "mode", "uses"), [
    ("", "file", "file"),
    ('cli_auth_credentials_store = "file"', "file", "file"),
    ('cli_auth_credentials_store = "ephemeral"', "ephemeral", "memory"),
    ("cli_auth_credentials_store = 'keyring'  # in the keychain", "keyring", "keyring"),
    ('cli_auth_credentials_store = "sideways"', "file", "file"),  # not a mode Codex knows
])
def test_mode_comes_from_the_top_level_of_config_toml(tmp_path, line, mode, uses):
    store = detect(_home(tmp_path, line), {})
    assert (store.mode, store.uses) == (mode, uses)
    assert store.configured == (mode != "file" or "file" in line)


def test_keyring_account_is_the_hash_of_the_real_path(tmp_path):
    home = _home(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(home)
    digest = hashlib.sha256(os.path.realpath(home).encode()).hexdigest()[:16]
    assert keyring_account(link) == keyring_account(home) == f"cli|{digest}"


def test_without_a_dbus_session_auto_falls_back_to_auth_json_and_keyring_says_why(tmp_path):
    home = _home(tmp_path, 'cli_auth_credentials_store = "auto"')
    store = detect(home, {})
    assert store.probe == kp.Probe(kp.NO_DBUS, "no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)")
    assert store.uses == "file" and store.file_in_use
    (home / "config.toml").write_text('cli_auth_credentials_store = "keyring"\n')
    keyring = detect(home, {})
    assert keyring.uses == "keyring" and not keyring.file_in_use
    assert keyring.summary() == ("Login: system keyring (keyring mode) — no D-Bus session "
                                 "(DBUS_SESSION_BUS_ADDRESS is not set)")


def test_a_dead_bus_address_is_no_session_and_answers_at_once(tmp_path):
    home = _home(tmp_path, 'cli_auth_credentials_store = "keyring"')
    store = detect(home, {"DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-such-socket'}"})
    assert store.probe is not None and store.probe.status == kp.NO_DBUS


def test_codex_auth_home_and_account_sessions_are_noted_not_followed(tmp_path):
    home = _home(tmp_path)
    (home / "account-sessions.json").write_text('{"activeSessionId": "s1"}')
    store = detect(home, {"CODEX_AUTH_HOME": str(tmp_path / "elsewhere")})
    assert store.auth_file == home / "auth.json"
    assert len(store.notes) == 2
    assert "CODEX_AUTH_HOME is set, but Codex 0.169.0 ignores it" in store.notes[0]
    assert "Codex 0.169.0 does not use account sessions" in store.notes[1]


def test_menu_names_the_store_and_offers_the_direct_read_setting(tmp_path):
    home = _home(tmp_path, 'cli_auth_credentials_store = "keyring"')
    store = detect(home, {})
    res = result(snapshot(extras=False))
    res.trace.login, res.trace.login_line = store.to_dict(), store.summary()
    text = build_menu(menu_input([HomeView(res, None)]), "swiftbar")
    assert "--Login: system keyring (keyring mode) — no D-Bus session" in text
    (toggle,) = [line for line in text.splitlines() if line.startswith(f"--{KEYRING_DIRECT_LABEL}")]
    assert "param2=keyring_direct param3=true" in toggle and "checked=true" not in toggle
