"""Throw-away CODEX_HOME folders: auth.json with unsigned JWTs, config.toml pointing at the fake backend."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

from tests.rig.fake_backend import ACCOUNT_ID


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def fake_jwt(payload: dict[str, Any]) -> str:
    """A JWT-shaped token with a bogus signature; neither codex nor codexbar verifies it."""
    header = {"alg": "HS256", "typ": "JWT"}
    return ".".join([_b64url(json.dumps(header).encode()), _b64url(json.dumps(payload).encode()),
                     _b64url(b"not-a-real-signature")])


def auth_json(
    *,
    email: str = "tester@example.com",
    plan: str = "pro",
    account_id: str = ACCOUNT_ID,
    exp_in: int = 10 * 365 * 24 * 3600,
    last_refresh: dt.datetime | None = None,
    access_token: str | None = None,
    refresh_token: str = "rt_test_fake_refresh_token",
    api_key: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    now = int(time.time())
    auth_claims = {"chatgpt_plan_type": plan, "chatgpt_account_id": account_id,
                   "chatgpt_user_id": "user-HarnessFakeUser0001", "organizations": []}
    id_payload = {"iss": "https://auth.openai.com", "sub": "auth0|fake", "iat": now, "exp": now + exp_in,
                  "email": email, "email_verified": True, "https://api.openai.com/auth": auth_claims,
                  "https://api.openai.com/profile": {"email": email, "email_verified": True}}
    access_payload = dict(id_payload, aud=["https://api.openai.com/v1"])
    refreshed = last_refresh or dt.datetime.now(dt.timezone.utc)
    data: dict[str, Any] = {
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": api_key,
        "tokens": {"id_token": fake_jwt(id_payload), "access_token": access_token or fake_jwt(access_payload),
                   "refresh_token": refresh_token, "account_id": account_id},
        "last_refresh": refreshed.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    if extra:
        data.update(extra)
    return data


def config_toml(backend_url: str | None, *, provider: str | None = None, extra: str = "") -> str:
    lines = ["check_for_update_on_startup = false"]
    if backend_url:
        lines.insert(0, f'chatgpt_base_url = "{backend_url}/backend-api/"')
        lines.insert(1, f'openai_base_url = "{backend_url}/v1"')
    if provider:
        lines.insert(0, f'model_provider = "{provider}"')
    lines += ["", "[analytics]", "enabled = false", "", "[feedback]", "enabled = false",
              "", "[features]", "enable_request_compression = false"]
    return "\n".join(lines) + "\n" + extra


def make_codex_home(
    root: Path,
    backend_url: str | None = None,
    *,
    login: str = "chatgpt",  # "chatgpt" | "apikey" | "none"
    provider: str | None = None,
    config_extra: str = "",
    **auth_kwargs: Any,
) -> Path:
    """Create `root` as a CODEX_HOME. Keep it out of /tmp: codex warns there (harness README)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(config_toml(backend_url, provider=provider, extra=config_extra))
    if login == "chatgpt":
        write_auth(root, auth_json(**auth_kwargs))
    elif login == "apikey":
        write_auth(root, {"auth_mode": "apikey", "OPENAI_API_KEY": "sk-test-fake-key-0000", "tokens": None})
    return root


def write_auth(root: Path, data: dict[str, Any]) -> Path:
    path = root / "auth.json"
    path.write_text(json.dumps(data, indent=2))
    os.chmod(path, 0o600)
    return path
