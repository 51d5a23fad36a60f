"""The detached refresh the menu starts (`codexbar _refresh-worker`): it finishes what the menu could
not, and does not ask OpenAI again for numbers the menu has just fetched."""

from __future__ import annotations

import json

from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import usage_body
from tests.rig.runner import run_codexbar


def test_fresh_numbers_are_kept_and_a_refresh_click_fetches_anew(scratch, env_for, backend) -> None:
    backend.set_usage(usage_body(primary_used=28, secondary_used=59))
    env = env_for(make_codex_home(scratch / "codex-home", backend.url))
    first = json.loads(run_codexbar(["usage", "--json", "--source", "oauth"], env).stdout)
    assert first[0]["usage"]["primary"]["usedPercent"] == 28
    asked = len(backend.requests_to("/wham/usage"))

    # started right after a menu that got its numbers (e.g. for the cost scan): no second request
    assert run_codexbar(["_refresh-worker"], env).returncode == 0
    assert len(backend.requests_to("/wham/usage")) == asked

    # the menu's Refresh click ages the numbers: the detached refresh asks again and keeps the answer
    backend.set_usage(usage_body(primary_used=50, secondary_used=60))
    assert run_codexbar(["refresh"], env).returncode == 0
    assert run_codexbar(["_refresh-worker"], env).returncode == 0
    assert len(backend.requests_to("/wham/usage")) == asked + 1
    again = json.loads(run_codexbar(["usage", "--json", "--source", "oauth"], env).stdout)
    assert again[0]["usage"]["primary"]["usedPercent"] == 50
