"""ccusage as the oracle for `codexbar cost --by session` and `--by month`: per-session and per-month
tokens, cost and last activity agree on generated homes and on the files the real CLI wrote; the one
difference by design (docs/decisions/cost-breakdowns.md) is exactly where it is expected.
Skipped when ccusage is not installed (bench/install_ccusage.sh)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import compare_breakdowns
import gen_home
import pytest

from tests.cost.homes import family_home

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
END = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("gen") / "home"
    manifest = gen_home.generate(home, files=80, megabytes=4, days=45, end=END, seed=21)
    assert {day[:7] for day in manifest["days"]} == {"2026-10", "2026-11"}
    return home


@pytest.mark.parametrize("since", [END - dt.timedelta(days=44), dt.date(2026, 10, 28)])
def test_sessions_and_months_agree_on_a_generated_home(since: dt.date, generated: Path, ccusage: Path,
                                                       scratch: Path) -> None:
    result = compare_breakdowns.compare(generated, scratch / "work", since, END)
    assert len(result.sessions_ours) >= 20 and len(result.months_ours) == 2
    assert result.ok, result.table()


@pytest.mark.parametrize("corpus", ["chatgpt-login", "api-key-provider"])
def test_sessions_and_months_agree_on_files_the_real_cli_wrote(corpus: str, ccusage: Path, scratch: Path) -> None:
    home = ROOT / "tests" / "cost_oracle" / "corpus" / corpus
    result = compare_breakdowns.compare(home, scratch / "work", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert result.sessions_ours and result.ok, result.table()


def test_forks_subagents_agree_and_a_session_kept_twice_is_one_row(ccusage: Path, scratch: Path) -> None:
    home = scratch / "family"
    family_home(home)
    result = compare_breakdowns.compare(home, scratch / "work", dt.date(2026, 7, 11), dt.date(2026, 7, 12))
    # forks and subagents: both tools count only what each owns; the months agree
    differing = {(d["kind"], d["key"]) for d in result.differences}
    # ccusage lists the active and the archived copy of one thread, each with its own requests;
    # codexbar shows the thread once (the union of its requests) under its active file
    assert differing == {("session", "rollout-2026-07-11T12-00-00-twice"),
                         ("session", "rollout-2026-07-11T13-00-00-twice")}, result.table()
    ours = result.sessions_ours["rollout-2026-07-11T12-00-00-twice"]
    theirs = result.sessions_theirs["rollout-2026-07-11T13-00-00-twice"]
    assert (ours.input, ours.output, ours.cost) == (theirs.input, theirs.output, theirs.cost)
