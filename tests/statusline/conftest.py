"""A Codex home whose usage (from the fake backend) and cost (from a session log of today) the menu
has already cached, as after a user's first plugin run."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cost.logs import active, meta, tok, turn, write
from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import usage_body
from tests.rig.runner import run_codexbar, run_plugin

CODEXBAR = Path(sys.executable).parent / "codexbar"  # the installed command, as a status bar runs it


class Seeded:
    __slots__ = ("env", "backend", "home")

    def __init__(self, env: dict[str, str], backend, home: Path) -> None:
        self.env, self.backend, self.home = env, backend, home

    def usage_requests(self) -> int:
        return len(self.backend.requests_to("/wham/usage"))


def statusline(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CODEXBAR), "statusline", *args], env=env, capture_output=True, text=True, timeout=30)


def today_cost(env: dict[str, str]) -> float:
    report = json.loads(run_codexbar(["cost", "--json"], env).stdout)[0]
    today = dt.date.today().isoformat()
    return next(d["totalCost"] for d in report["daily"] if d["date"] == today)


def seed(scratch: Path, env_for, backend, **usage) -> Seeded:
    usage.setdefault("primary_used", 28)
    usage.setdefault("secondary_used", 59)
    usage.setdefault("credits_balance", "112.4")
    backend.set_usage(usage_body(primary_reset_at=int(time.time()) + 5000, **usage))
    home = make_codex_home(scratch / "codex-home", backend.url)
    noon = dt.datetime.combine(dt.date.today(), dt.time(12)).astimezone()
    day = noon.date().isoformat()
    stamp = noon.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    write(active(home, "today", day), [meta("today", day=day), turn("openai/gpt-5.5", day=day),
                                       tok("x", stamp=stamp, last=(200_000, 100_000, 1000, 300))])
    env = env_for(home)
    env.pop("XDG_CONFIG_HOME", None)
    env.pop("XDG_CACHE_HOME", None)
    menu = run_plugin(env)
    session_left = f"Session: {100 - usage['primary_used']}% left"
    assert session_left in menu.stdout, menu.stdout  # the menu read and cached the backend's numbers
    return Seeded(env, backend, home)


@pytest.fixture
def seeded(scratch, env_for, backend) -> Seeded:
    return seed(scratch, env_for, backend)
