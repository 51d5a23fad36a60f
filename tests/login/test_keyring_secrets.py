"""The secrets sweep on the keyring path: a login read from the keyring never comes out anywhere.

The keyring entry carries unique marker tokens. codexbar runs every way a user runs it (menu for
SwiftBar and a terminal, usage JSON and text, through the app-server and through the opt-in direct
read) against a server that behaves, one that echoes the credentials back in its errors, and with an
entry that is damaged around a marker. No marker (nor a JWT's claims part) may appear in stdout,
stderr, codexbar.log or any file under the cache and settings folders; no auth.json is created.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from codexbar_core.sources.login_store import keyring_account
from tests.login.homes import answer_per_account, entry_value, keyring_home, keyring_login
from tests.rig.codex_home import fake_jwt
from tests.rig.fake_backend import Reply
from tests.rig.files import tree_bytes
from tests.rig.runner import run_codexbar, run_plugin

pytestmark = pytest.mark.realcli

RUN = uuid.uuid4().hex[:10]
ACCESS_MARK = f"KEYRING-ACCESS-{RUN}"
ID_MARK = f"KEYRING-IDTOKEN-{RUN}"
REFRESH = f"rt-KEYRING-REFRESH-{RUN}"
DAMAGED = f"KEYRING-DAMAGED-{RUN}"


def _marked_login() -> dict[str, Any]:
    login = keyring_login(refresh_token=REFRESH)
    claims = json.loads(__import__("base64").urlsafe_b64decode(login["tokens"]["id_token"].split(".")[1] + "=="))
    login["tokens"]["access_token"] = fake_jwt(dict(claims, marker=ACCESS_MARK))
    login["tokens"]["id_token"] = fake_jwt(dict(claims, marker=ID_MARK))
    return login


def _echo(req: dict[str, Any]) -> Reply:
    return Reply(status=401, body={"detail": f"invalid token: {req['headers'].get('authorization')}"})


def test_keyring_login_never_leaks(scratch, backend, env_for, codex_bin, secret_service):
    answer_per_account(backend)
    home = keyring_home(scratch / "home", backend.url, "keyring")
    account = keyring_account(home)
    login = _marked_login()
    secret_service.put(account, entry_value(login))
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), **secret_service.env())
    settings = scratch / "config" / "settings.json"
    outputs: list[str] = []

    def everything() -> None:
        for args in (["refresh"], ["menu"], ["usage", "--json"], ["usage", "--json", "--source", "oauth"],
                     ["usage"]):
            proc = run_codexbar(args, env)
            outputs.extend([proc.stdout, proc.stderr])
        for swiftbar in (dict(env, SWIFTBAR="1"), env):
            run_codexbar(["refresh"], swiftbar)
            proc = run_plugin(swiftbar)
            outputs.extend([proc.stdout, proc.stderr])

    everything()  # through the app-server
    assert any("Session: 89% left" in out for out in outputs), "the good path did not run"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"keyring_direct": True}))
    everything()  # the direct read
    assert any(r["headers"].get("authorization", "").endswith(login["tokens"]["access_token"])
               and "codex_cli_rs" not in r["headers"].get("user-agent", "")
               for r in backend.requests_to("/wham/usage")), "codexbar itself did not use the entry"
    backend.route("GET", "/backend-api/wham/usage", _echo)
    everything()  # a server quoting the token back
    secret_service.put(account, '{"tokens": {"access_token": "' + DAMAGED)  # cut off mid-token
    everything()
    assert any("is damaged (not JSON)" in out for out in outputs), "the damaged entry was not read"

    seen = [v for k, v in login["tokens"].items() if k != "account_id" and isinstance(v, str)]
    needles = [ACCESS_MARK, ID_MARK, REFRESH, DAMAGED, *seen, *(t.split(".")[1] for t in seen if t.count(".") == 2)]
    for text in outputs:
        for needle in needles:
            assert needle not in text, f"a secret ({needle[:24]}…) leaked into output:\n{text[:2000]}"
    files = tree_bytes(scratch / "cache", scratch / "config")
    assert any(p.endswith("cache.db") for p in files), "nothing was cached: the search would prove nothing"
    for path, data in files.items():
        for needle in needles:
            assert needle.encode() not in data, f"a secret ({needle[:24]}…) is stored in {path}"
    assert not (home / "auth.json").exists()
