"""The real `codex exec` records the rate-limit headers it is served into its logs; the `logs` source
reads the newest of them back when no live source can answer (no login that works, no CLI to ask)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.rig.codex_exec import codex_on_fake_provider
from tests.rig.fake_backend import Reply
from tests.rig.responses_api import ResponsesAPI
from tests.rig.runner import run_codexbar, run_json

pytestmark = pytest.mark.realcli


class LimitedResponses(ResponsesAPI):
    """Each answer carries the `x-codex-*` rate-limit headers, the windows filling up request by request."""

    def __init__(self) -> None:
        super().__init__()
        self.session_reset = int(time.time()) + 3 * 3600
        self.weekly_reset = int(time.time()) + 4 * 86400

    def handle(self, req):
        reply = super().handle(req)
        n = len(self.served)
        reply.headers.update({
            "x-codex-primary-used-percent": str(10 * n), "x-codex-primary-window-minutes": "300",
            "x-codex-primary-reset-at": str(self.session_reset),
            "x-codex-secondary-used-percent": str(3 * n), "x-codex-secondary-window-minutes": "10080",
            "x-codex-secondary-reset-at": str(self.weekly_reset),
            "x-codex-credits-has-credits": "true", "x-codex-credits-unlimited": "false",
            "x-codex-credits-balance": "7.5"})
        return reply


def test_the_last_turn_of_the_real_cli_answers_when_nothing_live_can(codex_bin: Path, backend, scratch: Path,
                                                                      env_for) -> None:
    api = LimitedResponses()
    codex = codex_on_fake_provider(codex_bin, backend, api.handle, scratch, env_for)
    home = codex.home
    codex.exec("--skip-git-repo-check", "-m", "gpt-5", "say hi")
    codex.exec("--skip-git-repo-check", "-m", "gpt-5-codex", "run one command please [tool]")
    assert len(api.served) == 3  # the tool turn asked twice: the newest snapshot is the third

    backend.set_usage(Reply(status=401, body={"detail": "expired"}))  # the saved login no longer works
    env = env_for(home)  # and no codex binary for codexbar to ask
    (doc,) = run_json(["usage", "--json"], env)
    assert doc["source"] == "logs"
    assert doc["usage"]["primary"] == {"usedPercent": 30.0, "windowMinutes": 300,
                                       "resetsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                 time.gmtime(api.session_reset))}
    assert doc["usage"]["secondary"]["usedPercent"] == 9.0 and doc["credits"]["balance"] == 7.5
    menu = run_codexbar(["menu"], env).stdout
    assert "from your last Codex turn" in menu and "Session: 70% left" in menu
    assert "codex login" in menu  # and why the live numbers are missing
