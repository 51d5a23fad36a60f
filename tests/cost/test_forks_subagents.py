"""Forks, subagents and the issue #2037 fixtures (docs/reference/cost-rules.md, "Forks, subagents and copies")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cost.logs import active, archived, iac, meta, scan, tok, totals, turn, usd, write

FIXTURES = Path(__file__).parent / "fixtures" / "codexbar-issue2037"
GPT52 = (1.75, 0.175, 14)


def test_fork_subtracts_parent_totals_at_fork_time(tmp_path: Path) -> None:
    write(active(tmp_path, "parent"), [
        meta("parent", "11:00:00"), turn("openai/gpt-5.2-codex"),
        tok("11:00:01", total=(10, 2, 1)), tok("11:00:02", total=(20, 5, 2)), tok("11:00:03", total=(30, 8, 3))])
    fork_at = "11:00:02.500"
    write(active(tmp_path, "child"), [
        meta("child", fork_at, parent="parent"), turn("openai/gpt-5.2-codex"),
        tok("11:00:04", total=(20, 5, 2)), tok("11:00:05", total=(27, 7, 4))])
    report = scan(tmp_path)
    # parent 30/8/3 + child's own 7/2/2
    assert totals(report) == (37, 10, 5)
    child_cost = usd(7, 2, 2, GPT52)
    assert report["totals"]["totalCost"] == pytest.approx(usd(30, 8, 3, GPT52) + child_cost, abs=1e-12)


def test_fork_counts_only_growth_beyond_inherited(tmp_path: Path) -> None:
    write(active(tmp_path, "parent"), [meta("parent", "10:00:00"), turn(), tok("10:00:01", total=(1000, 900, 100))])
    write(active(tmp_path, "child"), [
        meta("child", "11:00:00", parent="parent"), turn(),
        tok("11:00:01", total=(1000, 900, 100)), tok("11:00:02", total=(1100, 920, 110)),
        tok("11:00:03", total=(1100, 920, 110))])
    report = scan(tmp_path)
    assert totals(report) == (1100, 920, 110)


def test_fork_ignores_replayed_last(tmp_path: Path) -> None:
    write(active(tmp_path, "parent"), [meta("parent", "10:00:00"), turn(),
                                      tok("10:00:01", total=(1000, 900, 100), last=(1000, 900, 100))])
    write(active(tmp_path, "child"), [
        meta("child", "11:00:00", parent="parent"), turn(),
        tok("11:00:01", total=(1000, 900, 100), last=(1000, 900, 100)),
        tok("11:00:02", total=(1100, 920, 110), last=(100, 20, 10))])
    assert totals(scan(tmp_path)) == (1100, 920, 110)


def test_fork_with_missing_parent_counts_nothing_and_says_so(tmp_path: Path) -> None:
    write(active(tmp_path, "child"), [
        meta("child", "11:00:00", parent="gone"), turn(),
        tok("11:00:01", total=(1000, 900, 100)), tok("11:00:02", total=(1100, 920, 110))])
    report = scan(tmp_path)
    assert report["daily"] == []
    assert report["totals"]["totalTokens"] == 0
    assert any("forked session not counted" in note for note in report["notes"])


def test_fork_resolves_once_the_parent_appears(tmp_path: Path) -> None:
    from codexbar_core.cache import Store

    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    write(active(home, "child"), [meta("child", "11:00:00", parent="p"), turn(),
                                  tok("11:00:01", total=(150, 0, 10))])
    assert scan(home, store=store)["totals"]["totalTokens"] == 0
    write(archived(home, "parent"), [meta("p", "10:00:00"), turn(), tok("10:00:01", total=(100, 0, 5))])
    report = scan(home, store=store)
    assert totals(report) == (150, 0, 10)
    assert report["notes"] == []


def test_fork_parent_outside_the_window_is_found(tmp_path: Path) -> None:
    old = "2026-05-01"
    write(active(tmp_path, "parent", old), [meta("parent", "10:00:00", day=old), turn(day=old),
                                           tok("10:00:01", day=old, total=(500, 0, 50))], mtime=1_777_000_000)
    write(active(tmp_path, "child"), [meta("child", "11:00:00", parent="parent"), turn(),
                                      tok("11:00:01", total=(600, 0, 60))])
    report = scan(tmp_path)
    assert totals(report) == (100, 0, 10)


def test_subagent_with_own_counter_counts_in_full(tmp_path: Path) -> None:
    write(active(tmp_path, "parent"), [meta("parent", "10:00:00"), turn(),
                                      tok("10:00:01", total=(60_000_000, 50_000_000, 100_000))])
    source = {"subagent": {"thread_spawn": {"parent_thread_id": "parent"}}}
    write(active(tmp_path, "sub"), [
        meta("sub", "11:00:00", parent="parent", source=source), turn(),
        tok("11:00:01", total=(14700, 12000, 700)), tok("11:00:02", total=(62200, 51000, 3200))])
    report = scan(tmp_path)
    assert totals(report) == (60_000_000 + 62200, 50_000_000 + 51000, 100_000 + 3200)


@pytest.mark.parametrize("source", ["subagent", {"subagent": "review"}])
def test_subagent_named_only_by_a_fork_id_counts_its_whole_counter(tmp_path: Path, source: object) -> None:
    """A review or bare subagent whose log names its parent only through forked_from_id (no
    parent_thread_id, no copied history): its counter is its own, so its totals count in full, even
    though its first `last` is smaller; the parent is not subtracted."""
    write(active(tmp_path, "lead", "2026-07-10"), [meta("lead", "09:00:00", day="2026-07-10"), turn(day="2026-07-10"),
                                                   tok("09:00:01", day="2026-07-10", total=(2000, 1500, 80))])
    write(active(tmp_path, "reviewer"), [
        meta("reviewer", "10:00:00", parent="lead", source=source), turn(),
        tok("10:00:01", total=(2300, 1600, 95), last=(300, 100, 15)),
        tok("10:00:02", total=(2400, 1650, 99), last=(100, 50, 4))])
    report = scan(tmp_path)  # the reviewer's day only
    assert totals(report) == (2400, 1650, 99)
    assert report["notes"] == []


def test_compact_subagent_counts_only_its_owned_suffix(tmp_path: Path) -> None:
    write(active(tmp_path, "parent"), [meta("parent", "10:00:00"), turn(),
                                      tok("10:00:01", total=(1000, 900, 100), last=(1000, 900, 100))])
    source = {"subagent": {"thread_spawn": {"parent_thread_id": "parent"}}}
    write(active(tmp_path, "sub"), [
        meta("sub", "11:00:00", source=source),
        meta("parent", "10:00:00"), turn(), tok("10:00:01", total=(1000, 900, 100), last=(1000, 900, 100)),
        turn("openai/gpt-5.2-codex", "11:00:01"), iac(True, "11:00:01"),
        tok("11:00:02", total=(1050, 910, 105), last=(50, 10, 5))])
    report = scan(tmp_path)
    assert totals(report) == (1050, 910, 105)
    assert report["totals"]["totalTokens"] == 1155


def test_subagent_copy_without_boundary_or_parent_counts_nothing(tmp_path: Path) -> None:
    write(active(tmp_path, "sub"), [
        meta("sub", "11:00:00", source="subagent"),
        meta("ancestor", "10:00:00"), turn(), tok("10:00:01", total=(1000, 900, 100))])
    report = scan(tmp_path)
    assert report["totals"]["totalTokens"] == 0
    assert any("subagent session not counted" in note for note in report["notes"])


def test_subagent_restarted_counter_counts_from_zero(tmp_path: Path) -> None:
    write(active(tmp_path, "sub"), [
        meta("sub", "11:00:00", source="subagent"),
        meta("ancestor", "10:00:00"), turn(), tok("10:00:01", total=(1000, 900, 100), last=(1000, 900, 100)),
        turn("openai/gpt-5.2-codex", "11:00:01"), iac(True, "11:00:01"),
        tok("11:00:02", total=(40, 0, 4), last=(40, 0, 4)), tok("11:00:03", total=(90, 10, 9), last=(50, 10, 5))])
    assert totals(scan(tmp_path)) == (90, 10, 9)


def _copy_fixture(name: str, dest: Path) -> Path:
    shutil.copytree(FIXTURES / name / "codex-home", dest)
    return dest


def _last_units(path: Path, skip: int = 0) -> int:
    units = 0
    events = [json.loads(line) for line in path.read_text().splitlines()]
    events = [e for e in events if e["type"] == "event_msg"]
    for e in events[skip:]:
        last = e["payload"]["info"]["last_token_usage"]
        units += last["input_tokens"] + last["cached_input_tokens"] + last["output_tokens"]
    return units


def test_issue2037_archived_fork_parent_owns_the_copied_prefix(tmp_path: Path) -> None:
    home = _copy_fixture("archived-fork-33ce-3869", tmp_path / "home")
    manifest = json.loads((FIXTURES / "archived-fork-33ce-3869" / "manifest.json").read_text())
    prefix = manifest["oracle"]["copiedPrefixLength"]
    report = scan(home, "2030-01-01", "2030-01-02")
    t = report["totals"]
    counted = t["inputTokens"] + t["cacheReadTokens"] + t["outputTokens"]
    parent = _last_units(home / "archived_sessions" / "parent.jsonl")
    child_own = _last_units(home / "archived_sessions" / "child.jsonl", skip=prefix)
    naive = parent + _last_units(home / "archived_sessions" / "child.jsonl")
    assert counted == parent + child_own
    assert counted < naive
    assert report["unpricedModels"] == ["fixture-model"]
    assert t["totalCost"] is None
    # each event lands on its own day: the child's own work continues on 2030-01-02
    assert [d["date"] for d in report["daily"]] == ["2030-01-01", "2030-01-02"]


def test_issue2037_harness_smoke(tmp_path: Path) -> None:
    home = _copy_fixture("harness-smoke", tmp_path / "home")
    report = scan(home, "2026-07-10", "2026-07-12")
    # parent 10/0/1; child copies it (one row) then adds 5/0/1
    assert totals(report) == (15, 0, 2)
    assert report["notes"] == []
