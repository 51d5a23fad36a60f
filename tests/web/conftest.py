"""Fixtures for the web dashboard tests: a fake chatgpt.com over TLS and FetchContexts pointing at it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from codexbar_core.cache import Store
from codexbar_core.settings import Settings
from codexbar_core.sources.base import FetchContext
from tests.rig.fake_backend import FakeBackend
from tests.web.fake_chatgpt import FakeChatGPT


@pytest.fixture
def chatgpt(local_tls):
    """chatgpt.com on its own TLS server, so the OAuth fake (`backend`) can run beside it."""
    with FakeBackend(tls=local_tls.server_context) as site:
        yield FakeChatGPT(site)


@pytest.fixture
def web_env(tmp_path: Path, local_tls, chatgpt: FakeChatGPT) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "CODEXBAR_WEB_BASE_URL": chatgpt.url,
        "CODEX_CA_CERTIFICATE": str(local_tls.ca_pem),
        "CODEXBAR_CACHE_DIR": str(tmp_path / "cache"),
        "CODEXBAR_CONFIG_DIR": str(tmp_path / "config"),
        "CODEXBAR_KEYRING": "off",
        # explicit (empty) store list: never read the machine's real browser profiles
        "CODEXBAR_COOKIE_STORES": "none=/nonexistent",
    }


@pytest.fixture
def make_ctx(tmp_path: Path, web_env: dict[str, str]):
    def make(mode: str = "manual", expected: str | None = "tester@example.com", store: Store | None = None,
             **env: str) -> FetchContext:
        full_env = dict(web_env, **env)
        return FetchContext(codex_home=tmp_path / "codex", deadline=time.monotonic() + 20, env=full_env,
                            store=store or Store(Path(full_env["CODEXBAR_CACHE_DIR"])),
                            settings=Settings({"cookie_mode": mode}), expected_email=expected)

    return make


def cookie_header(value: str, extra: dict[str, Any] | None = None) -> str:
    parts = {"__Secure-next-auth.session-token": value, "_account": "personal", "oai-did": "did-123"}
    parts.update(extra or {})
    return "; ".join(f"{k}={v}" for k, v in parts.items())
