"""The real `codex exec` against the fake Responses API (tests/rig/responses_api.py): a custom provider
in config.toml and a driver that runs one prompt and checks it succeeded."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Callable

from tests.rig.codex_home import make_codex_home

API_KEY = "sk-test-fake-provider-key"


def provider_config(backend_url: str) -> str:
    # a custom provider speaks plain HTTPS POST /v1/responses (the built-in one first tries a
    # WebSocket and falls back after ~7 s per run)
    return "\n".join(["", "[model_providers.fake]", 'name = "fake local Responses API"',
                      f'base_url = "{backend_url}/v1"', 'env_key = "FAKE_CODEX_API_KEY"',
                      'wire_api = "responses"', "request_max_retries = 0", "stream_max_retries = 0",
                      "stream_idle_timeout_ms = 20000", ""])


class Codex:
    """`codex exec` in a project folder, with the fake provider's key in its environment."""

    def __init__(self, binary: Path, home: Path, project: Path, env: dict[str, str]) -> None:
        self.binary, self.home, self.project = binary, home, project
        self.env = dict(env, FAKE_CODEX_API_KEY=API_KEY)

    def exec(self, *args: str, tz: str = "UTC") -> None:
        proc = subprocess.run([str(self.binary), "exec", *args], cwd=self.project, env=dict(self.env, TZ=tz),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"codex exec {args}: {proc.returncode}\n{proc.stderr[-2000:]}"


def codex_on_fake_provider(codex_bin: Path, backend: Any, handle: Callable[[Any], Any], scratch: Path,
                           env_for: Callable[..., dict[str, str]]) -> Codex:
    """A fresh Codex home whose model provider is `handle` (a Responses API mounted on the fake backend),
    and an empty project folder to run `codex exec` in."""
    backend.route("POST", "/v1/responses", handle)
    home = make_codex_home(scratch / "codex_home", backend.url, provider="fake",
                           config_extra=provider_config(backend.url))
    project = scratch / "project"
    project.mkdir()
    return Codex(codex_bin, home, project, env_for(home))
