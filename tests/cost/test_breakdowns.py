"""`codexbar cost --by month|session|project`: what each session owns, where it ran, and that the
sessions of a window add up to its days (docs/decisions/cost-breakdowns.md)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from codexbar_core.cache import Store
from codexbar_core.cost import project as project_mod
from codexbar_core.cost.report import cost_report
from tests.cost.homes import family_home, git_meta, write_index
from tests.cost.logs import active, meta, tok, turn, write
from tests.rig.runner import base_env, run_codexbar, run_json

FIXTURES = Path(__file__).parent / "fixtures" / "codexbar-issue2037"
TOKEN_FIELDS = ("inputTokens", "cacheReadTokens", "outputTokens", "reasoningOutputTokens", "totalTokens")


def report_by(home: Path, by: str, since: str, until: str, store: Store | None = None) -> dict[str, Any]:
    return cost_report(home, store, since=dt.date.fromisoformat(since), until=dt.date.fromisoformat(until),
                       refresh=True, price_overrides=None, deadline=None, by=by).to_contract()


def summed(rows: list[dict[str, Any]]) -> tuple[Any, ...]:
    cost = sum(r["totalCost"] or 0.0 for r in rows)
    return (*(sum(r[f] for r in rows) for f in TOKEN_FIELDS), round(cost, 9))


def day_totals(report: dict[str, Any]) -> tuple[Any, ...]:
    return summed(report["daily"])


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["sessionId"]: s for s in report["sessions"]}


def test_sessions_add_up_to_the_days_with_forks_subagents_and_duplicates(tmp_path: Path) -> None:
    family_home(tmp_path)
    report = report_by(tmp_path, "session", "2026-07-11", "2026-07-12")
    sessions = by_id(report)
    assert set(sessions) == {"parent", "fork", "sub", "twice"}
    assert summed(report["sessions"]) == day_totals(report)
    # each carries only what it owns, and a fork or subagent names its parent
    assert (sessions["fork"]["inputTokens"], sessions["fork"]["outputTokens"]) == (700, 40)
    assert (sessions["sub"]["inputTokens"], sessions["sub"]["outputTokens"]) == (400, 30)
    assert sessions["fork"]["parentSessionId"] == sessions["sub"]["parentSessionId"] == "parent"
    assert sessions["parent"]["parentSessionId"] is None
    # active + archived copies: one session, the union of their requests
    assert sessions["twice"]["inputTokens"] == 1000
    assert sessions["twice"]["file"].startswith("sessions/2026/07/11/")
    assert sessions["parent"]["firstActivity"] == "2026-07-11T10:00:00.000Z"
    assert sessions["parent"]["lastActivity"] == "2026-07-12T09:00:00.000Z"
    assert sessions["parent"]["inputTokens"] == 4000


def test_a_window_counts_only_its_own_days_of_a_session(tmp_path: Path) -> None:
    family_home(tmp_path)
    report = report_by(tmp_path, "session", "2026-07-12", "2026-07-12")
    assert [s["sessionId"] for s in report["sessions"]] == ["parent"]
    assert report["sessions"][0]["inputTokens"] == 1000  # 4000 - 3000, the 12th's share
    assert summed(report["sessions"]) == day_totals(report)


@pytest.mark.parametrize("fixture,since,until", [("archived-fork-33ce-3869", "2030-01-01", "2030-01-02"),
                                                  ("harness-smoke", "2026-07-10", "2026-07-12")])
def test_real_fork_fixtures_sessions_add_up(fixture: str, since: str, until: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(FIXTURES / fixture / "codex-home", home)
    report = report_by(home, "session", since, until)
    assert report["daily"] and summed(report["sessions"]) == day_totals(report)
    children = [s for s in report["sessions"] if s["parentSessionId"]]
    assert len(children) == 1 and children[0]["parentSessionId"] in by_id(report)
    assert children[0]["file"] == "archived_sessions/child.jsonl"


def test_projects_from_git_remote_folder_thread_index_or_none(tmp_path: Path) -> None:
    sessions = {
        "a": git_meta("a", "/src/widget/lib", "git@github.com:me/widget.git"),
        "b": git_meta("b", "/src/widget", "https://github.com/me/widget"),
        "c": git_meta("c", "/tmp/scratch", None),
        "d": git_meta("d", None, None),  # the thread index knows it
        "e": git_meta("e", None, None),  # nobody knows it
    }
    for n, (sid, line) in enumerate(sessions.items()):
        write(active(tmp_path, sid), [line, turn("gpt-5.5"), tok(f"10:00:0{n}", total=(1000 * (n + 1), 0, 10))])
    write_index(tmp_path, [("d", "/home/me/gadget", "ssh://git@example.com/team/gadget.git", "Fix the flaky test"),
                           ("c", "/elsewhere", None, None)])
    report = report_by(tmp_path, "project", "2026-07-11", "2026-07-11")
    projects = {p["project"]: p for p in report["projects"]}
    assert set(projects) == {"widget", "scratch", "gadget", "(no project)"}
    assert projects["widget"]["sessions"] == 2 and projects["widget"]["path"] == "/src/widget"
    assert projects["widget"]["inputTokens"] == 3000
    assert projects["scratch"]["path"] == "/tmp/scratch"  # the session's own metadata comes first
    assert projects["gadget"]["path"] == "/home/me/gadget"
    assert projects["(no project)"]["path"] == "" and report["projects"][-1]["project"] == "(no project)"
    assert summed([dict(p, reasoningOutputTokens=p["reasoningOutputTokens"]) for p in report["projects"]]) \
        == day_totals(report)
    sessions_report = report_by(tmp_path, "session", "2026-07-11", "2026-07-11")
    assert by_id(sessions_report)["d"]["project"] == "gadget"
    assert by_id(sessions_report)["d"]["title"] == "Fix the flaky test"


def test_a_long_title_is_cut_and_a_locked_index_is_not_waited_for(tmp_path: Path) -> None:
    write(active(tmp_path, "t"), [meta("t"), turn("gpt-5.5"), tok("12:00:01", total=(100, 0, 1))])
    write_index(tmp_path, [("t", "/w", None, "please refactor " * 20)])
    title = by_id(report_by(tmp_path, "session", "2026-07-11", "2026-07-11"))["t"]["title"]
    assert len(title) <= 40 and title.endswith("…") and title.startswith("please refactor")
    with sqlite3.connect(tmp_path / "state_5.sqlite", timeout=0) as conn:
        conn.execute("BEGIN EXCLUSIVE")  # Codex writing: the index is skipped, the report still comes
        report = report_by(tmp_path, "session", "2026-07-11", "2026-07-11")
        conn.rollback()
    assert by_id(report)["t"]["project"] == "work" and by_id(report)["t"]["title"] is None


def test_months_sum_their_days(tmp_path: Path) -> None:
    for sid, day in (("j1", "2026-07-30"), ("j2", "2026-07-31"), ("a1", "2026-08-01")):
        write(active(tmp_path, sid, day), [meta(sid, day=day), turn("gpt-5.5", day=day),
                                          tok("12:00:01", total=(10_000, 1000, 100, 20), day=day)])
    report = report_by(tmp_path, "month", "2026-07-01", "2026-08-31")
    assert [m["month"] for m in report["monthly"]] == ["2026-07", "2026-08"]
    july = report["monthly"][0]
    assert (july["inputTokens"], july["cacheReadTokens"], july["outputTokens"], july["reasoningOutputTokens"]) \
        == (20_000, 2000, 200, 40)
    assert july["modelBreakdowns"][0]["modelName"] == "gpt-5.5"
    assert summed(report["monthly"]) == day_totals(report)


def test_a_warm_run_reads_only_the_changed_logs_heads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    for sid in ("x", "y", "z"):
        write(active(home, sid), [meta(sid), turn("gpt-5.5"), tok("12:00:01", total=(100, 0, 1))])
    store = Store(tmp_path / "cache")
    first = report_by(home, "session", "2026-07-11", "2026-07-11", store)
    read: list[str] = []
    real = project_mod.read_facts
    monkeypatch.setattr("codexbar_core.cost.breakdown.read_facts",
                        lambda path, size: read.append(Path(path).name) or real(path, size))
    with open(active(home, "y"), "ab") as handle:
        from tests.cost.logs import encode

        handle.write(encode([tok("12:30:00", total=(300, 0, 3))]))
    second = report_by(home, "session", "2026-07-11", "2026-07-11", store)
    assert read == [active(home, "y").name]
    assert by_id(second)["y"]["inputTokens"] == 300 and by_id(second)["y"]["lastActivity"].endswith("12:30:00.000Z")
    assert by_id(second)["x"] == by_id(first)["x"]


def test_cli_by_adds_exactly_one_array_and_prints_the_views(tmp_path: Path) -> None:
    home = tmp_path / "codex"
    today = dt.date.today().isoformat()
    write(active(home, "s1", today), [git_meta("s1", "/src/app", "git@github.com:me/app.git"),
                                      turn("gpt-5.5", day=today), tok("00:00:01", total=(5000, 0, 50), day=today)])
    write_index(home, [("s1", "/src/app", None, "my private words " * 10)])
    env = base_env(tmp_path, home)
    plain = run_json(["cost", "--json"], env)[0]
    for by, key in (("month", "monthly"), ("session", "sessions"), ("project", "projects")):
        doc = run_json(["cost", "--json", "--by", by], env)[0]
        assert set(doc) - set(plain) == {key}, by
        assert doc["daily"] == plain["daily"]
    assert set(run_json(["cost", "--json", "--by", "day"], env)[0]) == set(plain)
    text = run_codexbar(["cost", "--by", "session"], env).stdout
    assert "app" in text and "gpt-5.5" in text
    assert "my private words my private words my pr…" in text  # shown, cut to 40 characters
    assert "my private words my private words my private" not in text
    assert "app" in run_codexbar(["cost", "--by", "project"], env).stdout
    bad = run_codexbar(["cost", "--by", "week"], env)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_long_first_line_and_long_tail_still_give_project_and_times(tmp_path: Path) -> None:
    head = git_meta("long", "/src/deep", "https://example.com/me/deep.git", "08:00:00")
    head["payload"]["base_instructions"] = {"text": "x" * 100_000}  # before the git fields, as Codex writes it
    head["payload"]["git"] = head["payload"].pop("git")
    chatter = {"timestamp": "2026-07-11T09:30:00Z", "type": "response_item",
               "payload": {"type": "message", "role": "assistant",
                           "content": [{"type": "output_text", "text": 'not a "token_count" ' * 1000}]}}
    write(active(tmp_path, "long"), [head, turn("gpt-5.5"), tok("09:00:00", total=(100, 0, 1)), chatter])
    session = by_id(report_by(tmp_path, "session", "2026-07-11", "2026-07-11"))["long"]
    assert session["project"] == "deep"
    assert session["firstActivity"] == "2026-07-11T08:00:00.000Z"
    assert session["lastActivity"] == "2026-07-11T09:00:00.000Z"  # the token count, not the chatter after it


def test_project_names_from_remotes_and_escaped_folders() -> None:
    same = {project_mod.project_of("/a", url).key for url in (
        "git@github.com:Me/Tool.git", "https://github.com/Me/Tool", "ssh://git@GitHub.com/Me/Tool.git/")}
    assert len(same) == 1
    assert project_mod.project_of("/a/b", "git@github.com:me/tool.git").name == "tool"
    assert project_mod.project_of("/home/me/My Notes/", None).name == "My Notes"
    line = b'{"timestamp":"2026-07-11T10:00:00Z","type":"session_meta","payload":{"cwd":"/src/caf\\u00e9 \\"x\\""}}'
    cwd, repo, start = project_mod._head_facts(line)
    assert (cwd, repo) == ('/src/café "x"', None) and start is not None
