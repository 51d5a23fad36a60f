"""Codex homes whose login lives in the keyring, and the fake backend answering per account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.rig.codex_home import auth_json, make_codex_home, write_auth
from tests.rig.fake_backend import ACCOUNT_ID, FakeBackend, Reply, usage_body

KEYRING_ACCOUNT_ID = ACCOUNT_ID  # the one the fake backend's workspace discovery knows
FILE_ACCOUNT_ID = "bbbbbbbb-1111-4222-8333-authfile0001"
KEYRING_EMAIL = "keyring-user@example.com"
FILE_EMAIL = "leftover-file-user@example.com"
# What the fake backend answers for each account: the numbers say whose login was used.
KEYRING_USED = (11, 22)
FILE_USED = (77, 88)


def keyring_home(root: Path, backend_url: str, mode: str, *, leftover_file: bool = False) -> Path:
    """A Codex home with `cli_auth_credentials_store = mode` at the top of config.toml."""
    home = make_codex_home(root, backend_url, login="none")
    config = home / "config.toml"
    config.write_text(f'cli_auth_credentials_store = "{mode}"\n' + config.read_text())
    if leftover_file:
        write_auth(home, auth_json(email=FILE_EMAIL, account_id=FILE_ACCOUNT_ID,
                                   access_token=None, refresh_token="rt_leftover_file_refresh_token"))
    return home


def keyring_login(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("email", KEYRING_EMAIL)
    kwargs.setdefault("account_id", KEYRING_ACCOUNT_ID)
    kwargs.setdefault("refresh_token", "rt_keyring_entry_refresh_token")
    return auth_json(**kwargs)


def entry_value(login: dict[str, Any]) -> str:
    """auth.json's content as compact JSON: what Codex stores in the keyring."""
    return json.dumps(login, separators=(",", ":"))


def answer_per_account(backend: FakeBackend) -> None:
    """/wham/usage answers with the numbers of whichever account the request names."""

    def usage(req: dict[str, Any]) -> Reply:
        account = req["headers"].get("chatgpt-account-id")
        primary, secondary = FILE_USED if account == FILE_ACCOUNT_ID else KEYRING_USED
        email = FILE_EMAIL if account == FILE_ACCOUNT_ID else KEYRING_EMAIL
        return Reply(body=usage_body(primary_used=primary, secondary_used=secondary, email=email))

    backend.route("GET", "/backend-api/wham/usage", usage)


def secrets_in(login: dict[str, Any]) -> list[str]:
    tokens = login["tokens"]
    return [v for k, v in tokens.items() if k != "account_id" and isinstance(v, str) and len(v) > 8]
