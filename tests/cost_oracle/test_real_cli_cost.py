"""The real `codex exec` writes fresh rollout files against a fake Responses API; `codexbar cost --json`
must report exactly the tokens that API served (per day, per model, priced per docs/reference/cost-rules.md "Pricing"), and a
session resumed later (appended to the same file) must show up on `--refresh` with the same numbers a
scan from an empty cache gives.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.rig.codex_exec import codex_on_fake_provider
from tests.rig.responses_api import ResponsesAPI
from tests.rig.runner import cost_json
from tests.rig.served import assert_matches, window

pytestmark = pytest.mark.realcli


def test_cost_matches_what_the_backend_served(codex_bin: Path, backend, scratch: Path, env_for) -> None:
    api = ResponsesAPI()
    codex = codex_on_fake_provider(codex_bin, backend, api.handle, scratch, env_for)
    home, env = codex.home, env_for(codex.home)

    codex.exec("--skip-git-repo-check", "-m", "gpt-5-codex", "run one command please [tool]")
    for model in ("gpt-5", "gpt-5.1-codex-mini"):
        codex.exec("--skip-git-repo-check", "-m", model, f"say hi ({model})")
    served_first = list(api.served)
    assert len(served_first) == 4  # the tool turn asked twice
    since, until = window(served_first, dt.timezone.utc)
    until = (dt.date.fromisoformat(until) + dt.timedelta(days=1)).isoformat()  # room for the Tokyo run
    first = cost_json(env, "--since", since, "--until", until, "--refresh")
    assert_matches(first, served_first, dt.timezone.utc)

    # a resumed session appends to its file (and switches model); a run in Tokyo files its rollout
    # under the Tokyo date
    codex.exec("resume", "--last", "--skip-git-repo-check", "-m", "gpt-5.2-codex", "follow-up")
    codex.exec("--skip-git-repo-check", "-m", "gpt-5-mini", "say hi from Tokyo", tz="Asia/Tokyo")
    assert len(api.served) == 6
    assert len(list((home / "sessions").rglob("rollout-*.jsonl"))) == 4
    refreshed = cost_json(env, "--since", since, "--until", until, "--refresh")
    assert_matches(refreshed, api.served, dt.timezone.utc)

    cold = cost_json(env_for(home, CODEXBAR_CACHE_DIR=str(scratch / "cold-cache")),
                       "--since", since, "--until", until, "--refresh")
    for key in ("daily", "totals"):
        assert cold[key] == refreshed[key]
