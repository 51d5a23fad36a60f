"""Coverage against OpenAI's own count: the real codex 0.169.0 app-server answers `account/usage/read`
from the fake backend's `/wham/profiles/me` (shaped as the CLI decodes it), and codexbar compares its
daily buckets with the local logs (docs/decisions/cost-breakdowns.md)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from codexbar_core.cache import Store
from codexbar_core.cost import coverage
from codexbar_core.cost_model import DayCost, TokenTotals
from tests.cost.logs import active, meta, tok, turn, write
from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import Reply
from tests.rig.runner import run_codexbar

PROFILE = "/backend-api/wham/profiles/me"


def profile(buckets: dict[str, int]) -> dict[str, Any]:
    """What 0.169.0 decodes: `stats.daily_usage_buckets[{start_date, tokens}]` (probed: without
    `stats` it fails with "missing field `stats`")."""
    return {"stats": {"daily_usage_buckets": [{"start_date": d, "tokens": t} for d, t in sorted(buckets.items())],
                      "lifetime_tokens": sum(buckets.values())}}


def sessions_for(home: Path, per_day: dict[str, int]) -> None:
    for n, (day, tokens) in enumerate(sorted(per_day.items())):
        write(active(home, f"c{n}", day), [meta(f"c{n}", day=day), turn("gpt-5.5", day=day),
                                          tok("12:00:01", total=(tokens - 100, 0, 100), day=day)])


@pytest.fixture
def setup(scratch: Path, env_for, codex_bin: Path, backend):
    def go(local: dict[str, int], server: dict[str, int] | None, status: int = 200) -> tuple[Path, dict[str, str]]:
        home = make_codex_home(scratch / "home", backend.url, login="chatgpt")
        sessions_for(home, local)
        reply = Reply(status=status, body=profile(server or {}))
        backend.route("GET", PROFILE, lambda req: reply)
        return home, env_for(home, CODEX_CLI_PATH=str(codex_bin), TZ="UTC")

    return go


def day(date: str, tokens: int) -> DayCost:
    """A local day of the report with `tokens` in all (what the comparison reads)."""
    return DayCost(date, TokenTotals(tokens, 0, 0, 0, tokens, None), [], [])


def days_back(n: int) -> str:
    return (dt.date.today() - dt.timedelta(days=n)).isoformat()


@pytest.mark.realcli
def test_local_share_of_openais_count_from_the_real_cli(setup, backend) -> None:
    local = {days_back(0): 40_000, days_back(2): 40_000}
    server = {days_back(0): 50_000, days_back(1): 0, days_back(2): 50_000, days_back(9): 999_999}
    home, env = setup(local, server)
    text = run_codexbar(["cost", "--refresh"], env).stdout
    assert "Local logs cover 80 % of what OpenAI counted (7 days)" in text
    assert "replayed history" not in text
    assert len(backend.requests_to("/wham/profiles/me")) == 1
    # kept for an hour: the next report reads it without asking
    assert "Local logs cover 80 %" in run_codexbar(["cost"], env).stdout
    assert len(backend.requests_to("/wham/profiles/me")) == 1
    # the menu shows the same line from what was kept
    menu = run_codexbar(["menu"], env).stdout
    assert "Local logs cover 80 % of what OpenAI counted (7 days)" in menu
    # and `--json` keeps its contract: no extra field
    doc = json.loads(run_codexbar(["cost", "--json"], env).stdout)[0]
    assert not any("cover" in key.lower() for key in doc)


@pytest.mark.realcli
def test_local_far_above_the_server_is_flagged(setup) -> None:
    home, env = setup({days_back(1): 300_000}, {days_back(1): 100_000})
    text = run_codexbar(["cost", "--refresh"], env).stdout
    assert "Local logs cover 300 % of what OpenAI counted (7 days)" in text
    assert "more than OpenAI counted: replayed history may be counted twice" in text


@pytest.mark.realcli
def test_a_failing_server_leaves_the_line_out_and_the_report_whole(setup, backend) -> None:
    home, env = setup({days_back(0): 10_000}, None, status=500)
    proc = run_codexbar(["cost", "--refresh"], env)
    assert proc.returncode == 0 and "Today: $" in proc.stdout
    assert "Local logs cover" not in proc.stdout
    assert backend.requests_to("/wham/profiles/me")


FAKE_OLD_CLI = """#!{python}
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if "id" not in msg:
        continue
    if msg["method"] == "initialize":
        reply = {{"id": msg["id"], "result": {{"userAgent": "codex/0.150.0"}}}}
    else:
        reply = {{"id": msg["id"], "error": {{"code": -32601, "message": "method not found"}}}}
    print(json.dumps(reply), flush=True)
"""


def test_an_app_server_without_the_method_is_remembered_as_unsupported(tmp_path: Path) -> None:
    """The capability check, with a stand-in for an older CLI (the real 0.169.0 has the method)."""
    fake = tmp_path / "codex"
    fake.write_text(FAKE_OLD_CLI.format(python=sys.executable))
    fake.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    (home / "auth.json").write_text(json.dumps({"tokens": {"id_token": "x"}}))
    store = Store(tmp_path / "cache")
    env = {"CODEX_CLI_PATH": str(fake), "PATH": "/usr/bin:/bin"}
    assert coverage.needs_refresh(home, store)
    coverage.refresh(home, store, env)
    assert not coverage.needs_refresh(home, store)  # not asked again for a day
    daily = [day(dt.date.today().isoformat(), 5)]
    assert coverage.kept_coverage(home, store, daily, dt.date.today()) is None


def test_the_comparison_uses_only_days_the_server_reported_in_the_last_week() -> None:
    today = dt.date(2026, 12, 6)
    daily = [day("2026-12-06", 900), day("2026-12-05", 100), day("2026-11-20", 10_000)]
    found = coverage.compare(daily, [("2026-12-06", 1000), ("2026-11-20", 5)], today)
    assert found is not None and (found.local, found.server, found.percent) == (900, 1000, 90)
    assert coverage.compare(daily, [("2026-11-20", 5)], today) is None  # nothing recent: no line
