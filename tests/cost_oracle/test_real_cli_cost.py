"""The real `codex exec` writes fresh rollout files against a fake Responses API; `codexbar cost --json`
must report exactly the tokens that API served (per day, per model, priced per SPEC B §6.8), and a
session resumed later (appended to the same file) must show up on `--refresh` with the same numbers a
scan from an empty cache gives.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from tests.cost_oracle.test_corpus import assert_matches, cost, window
from tests.rig.codex_home import make_codex_home
from tests.rig.responses_api import ResponsesAPI

pytestmark = pytest.mark.realcli

API_KEY = "sk-test-fake-provider-key"


def provider_config(backend_url: str) -> str:
    # a custom provider speaks plain HTTPS POST /v1/responses (the built-in one first tries a
    # WebSocket and falls back after ~7 s per run; harness README §5)
    return "\n".join(["", "[model_providers.fake]", 'name = "fake local Responses API"',
                      f'base_url = "{backend_url}/v1"', 'env_key = "FAKE_CODEX_API_KEY"',
                      'wire_api = "responses"', "request_max_retries = 0", "stream_max_retries = 0",
                      "stream_idle_timeout_ms = 20000", ""])


class Codex:
    def __init__(self, binary: Path, home: Path, project: Path, env: dict[str, str]) -> None:
        self.binary, self.home, self.project = binary, home, project
        self.env = dict(env, FAKE_CODEX_API_KEY=API_KEY)

    def exec(self, *args: str, tz: str = "UTC") -> None:
        proc = subprocess.run([str(self.binary), "exec", *args], cwd=self.project, env=dict(self.env, TZ=tz),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"codex exec {args}: {proc.returncode}\n{proc.stderr[-2000:]}"


def test_cost_matches_what_the_backend_served(codex_bin: Path, backend, scratch: Path, env_for) -> None:
    api = ResponsesAPI()
    backend.route("POST", "/v1/responses", api.handle)
    home = make_codex_home(scratch / "codex_home", backend.url, provider="fake",
                           config_extra=provider_config(backend.url))
    project = scratch / "project"
    project.mkdir()
    env = env_for(home)
    codex = Codex(codex_bin, home, project, env)

    codex.exec("--skip-git-repo-check", "-m", "gpt-5-codex", "run one command please [tool]")
    for model in ("gpt-5", "gpt-5.1-codex-mini"):
        codex.exec("--skip-git-repo-check", "-m", model, f"say hi ({model})")
    served_first = list(api.served)
    assert len(served_first) == 4  # the tool turn asked twice
    since, until = window(served_first, dt.timezone.utc)
    until = (dt.date.fromisoformat(until) + dt.timedelta(days=1)).isoformat()  # room for the Tokyo run
    assert_matches(cost(env, since, until), served_first, dt.timezone.utc)

    # a resumed session appends to its file (and switches model); a run in Tokyo files its rollout
    # under the Tokyo date
    codex.exec("resume", "--last", "--skip-git-repo-check", "-m", "gpt-5.2-codex", "follow-up")
    codex.exec("--skip-git-repo-check", "-m", "gpt-5-mini", "say hi from Tokyo", tz="Asia/Tokyo")
    assert len(api.served) == 6
    assert len(list((home / "sessions").rglob("rollout-*.jsonl"))) == 4
    refreshed = cost(env, since, until)
    assert_matches(refreshed, api.served, dt.timezone.utc)

    cold = cost(env_for(home, CODEXBAR_CACHE_DIR=str(scratch / "cold-cache")), since, until)
    for key in ("daily", "totals"):
        assert cold[key] == refreshed[key]
