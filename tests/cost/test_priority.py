"""Fast (priority) turns from Codex's logs_2.sqlite are priced with the model's multiplier (docs/reference/cost-rules.md, "Fast tier")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codexbar_core.cache import Store
from codexbar_core.cost.priority import turn_from_body
from tests.cost.logs import active, append, logs_db, meta, scan, task, tok, turn, write

GPT55_IN = 5e-6
GPT54 = (2.5, 0.25, 15.0)  # USD per 1M: input, cached input, output
GPT55 = (5.0, 0.5, 30.0)
GPT55_LONG = (10.0, 1.0, 45.0)


def price(rates: tuple[float, float, float], inp: int, cached: int, out: int) -> float:
    return ((inp - cached) * rates[0] + cached * rates[1] + out * rates[2]) / 1e6


def request(turn_id: str, tier: str = "priority", where: str = "prefix", model: str = "gpt-5.5") -> str:
    body = {"type": "response.create", "service_tier": tier, "model": model}
    prefix = "session_loop{thread_id=t}: codex_core::client: "
    if where == "prefix":
        prefix = f"turn{{turn.id={turn_id}}}: " + prefix
    else:
        body["turn_id"] = turn_id
    return prefix + "websocket request: " + json.dumps(body)


def served(turn_id: str, model: str) -> str:
    """The log line of a completed response: the model the server actually ran for the turn."""
    event = {"type": "response.completed", "response": {"id": "resp_1", "model": model, "status": "completed"}}
    return f"turn{{turn.id={turn_id}}}: session_loop{{thread_id=t}}: codex_api: websocket event: " + json.dumps(event)


@pytest.mark.parametrize("body,expected", [
    (request("t-1"), "t-1"),
    (request("t-2", where="json"), "t-2"),
    (request("t-3", tier="default"), None),
    ('op: service_tier: Some(Some("priority")) Submission sub=Submission { id: "t-4", op: UserTurn }', "t-4"),
    ('service_tier: Some(None) Submission sub=Submission { id: "t-5" }', None),
    ("websocket request: {not json", None),
    ("an ordinary log line about priority", None),
])
def test_priority_log_lines(body: str, expected: str | None) -> None:
    assert turn_from_body(body) == expected


def session(home: Path) -> Path:
    return write(active(home, "s1"), [
        meta("s1"), turn("gpt-5.5", turn_id="t-fast"), tok("12:00:01", last=(1000, 0, 0)),
        turn("gpt-5.5", "12:01:00", turn_id="t-std"), tok("12:01:01", last=(1000, 0, 0))])


def test_fast_turn_costs_more(tmp_path: Path) -> None:
    session(tmp_path)
    logs_db(tmp_path, ["unrelated line", request("t-fast"), request("t-std", tier="default")])
    report = scan(tmp_path)
    assert report["totals"]["totalCost"] == pytest.approx(1000 * GPT55_IN * 2.5 + 1000 * GPT55_IN)


def test_without_the_log_database_everything_is_standard(tmp_path: Path) -> None:
    session(tmp_path)
    assert scan(tmp_path)["totals"]["totalCost"] == pytest.approx(2000 * GPT55_IN)
    (tmp_path / "logs_2.sqlite").write_bytes(b"not a database")
    assert scan(tmp_path)["totals"]["totalCost"] == pytest.approx(2000 * GPT55_IN)


def test_new_fast_turns_are_picked_up_incrementally(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = session(home)
    logs_db(home, [request("t-fast")])
    assert scan(home, store=store)["totals"]["totalCost"] == pytest.approx(1000 * GPT55_IN * 3.5)
    logs_db(home, [request("t-next")])
    append(path, [turn("gpt-5.5", "12:02:00", turn_id="t-next"), tok("12:02:01", last=(1000, 0, 0))])
    assert scan(home, store=store)["totals"]["totalCost"] == pytest.approx(1000 * GPT55_IN * 6)


def test_turn_ids_come_from_task_started_when_turn_context_has_none(tmp_path: Path) -> None:
    """Codex writes the turn id in task_started; a turn_context without one must not hide a Fast turn,
    and a later task_started moves the following usage to its own turn."""
    write(active(tmp_path, "s1"), [
        meta("s1"), turn("gpt-5.4"), task("t-plain", "12:00:00"), tok("12:00:01", last=(1000, 200, 40)),
        task("t-quick", "12:01:00"), tok("12:01:01", last=(1000, 200, 40)), tok("12:01:02", last=(500, 0, 10))])
    logs_db(tmp_path, [request("t-quick", model="gpt-5.4")])
    standard = price(GPT54, 1000, 200, 40)
    fast = 2 * (price(GPT54, 1000, 200, 40) + price(GPT54, 500, 0, 10))
    assert scan(tmp_path)["totals"]["totalCost"] == pytest.approx(standard + fast)


def test_the_token_events_own_turn_id_wins(tmp_path: Path) -> None:
    line = tok("12:00:01", last=(1000, 0, 0))
    line["payload"]["turn_id"] = "t-own"
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.5"), task("t-other"), line])
    logs_db(tmp_path, [request("t-own")])
    assert scan(tmp_path)["totals"]["totalCost"] == pytest.approx(2.5 * price(GPT55, 1000, 0, 0))


def test_an_alias_is_priced_and_shown_as_the_model_that_served_it(tmp_path: Path) -> None:
    write(active(tmp_path, "s1"), [meta("s1"), turn("codex-auto-review"), task("t-review"),
                                   tok("12:00:01", last=(3000, 1000, 90))])
    logs_db(tmp_path, [request("t-review", model="codex-auto-review"), served("t-review", "gpt-5.4")])
    report = scan(tmp_path)
    assert report["totals"]["totalCost"] == pytest.approx(2 * price(GPT54, 3000, 1000, 90))
    assert report["daily"][0]["modelsUsed"] == ["gpt-5.4"]
    assert report["unpricedModels"] == []


def test_without_a_served_model_an_unpriced_alias_request_keeps_the_session_model(tmp_path: Path) -> None:
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.4"), task("t-1"), tok("12:00:01", last=(3000, 1000, 90))])
    logs_db(tmp_path, [request("t-1", model="codex-auto-review")])
    report = scan(tmp_path)
    assert report["totals"]["totalCost"] == pytest.approx(2 * price(GPT54, 3000, 1000, 90))
    assert report["daily"][0]["modelsUsed"] == ["gpt-5.4"]


def test_the_served_model_beats_the_one_the_session_asked_for(tmp_path: Path) -> None:
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.4"), task("t-1"), tok("12:00:01", last=(3000, 1000, 90))])
    logs_db(tmp_path, [request("t-1", model="gpt-5.4"), served("t-1", "gpt-5.5")])
    report = scan(tmp_path)
    assert report["totals"]["totalCost"] == pytest.approx(2.5 * price(GPT55, 3000, 1000, 90))
    assert report["daily"][0]["modelsUsed"] == ["gpt-5.5"]


def test_a_completion_logged_before_its_fast_request_still_counts(tmp_path: Path) -> None:
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.4"), task("t-1"), tok("12:00:01", last=(3000, 1000, 90))])
    logs_db(tmp_path, [served("t-1", "gpt-5.5"), request("t-1", model="gpt-5.4")])
    assert scan(tmp_path)["totals"]["totalCost"] == pytest.approx(2.5 * price(GPT55, 3000, 1000, 90))


def test_fast_applies_per_request_never_to_long_context_or_running_totals(tmp_path: Path) -> None:
    """Long context (one request above 272K input) cannot be Fast; running totals above 272K with
    small requests are ordinary Fast requests, however many cached tokens they read."""
    write(active(tmp_path, "s1"), [
        meta("s1"), turn("gpt-5.5"), task("t-long"), tok("12:00:01", total=(300_000, 0, 5)),
        task("t-many"), tok("12:01:00", total=(500_000, 150_000, 105)), tok("12:01:01", total=(700_000, 300_000, 205)),
        tok("12:01:02", total=(900_000, 450_000, 305))])
    logs_db(tmp_path, [request("t-long"), request("t-many")])
    long_row = price(GPT55_LONG, 300_000, 0, 5)
    many = 3 * 2.5 * price(GPT55, 200_000, 150_000, 100)
    assert scan(tmp_path)["totals"]["totalCost"] == pytest.approx(long_row + many)


@pytest.mark.parametrize("refresh", [True, False])
def test_fast_turns_logged_after_a_scan_reprice_the_unchanged_log(tmp_path: Path, refresh: bool) -> None:
    """The log database may gain a turn's Fast request (or appear at all) after its session log was
    counted; the next report prices it Fast though the session log did not change, also within the
    minute a young result is otherwise reused."""
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    write(active(home, "s1"), [meta("s1"), turn("gpt-5.5"), task("t-1"), tok("12:00:01", last=(1000, 0, 0))])
    write(active(home, "s2", "2026-07-10"), [meta("s2"), turn("gpt-5.5", day="2026-07-10"), task("t-2"),
                                               tok("12:00:01", day="2026-07-10", last=(1000, 0, 0))])
    window = {"since": "2026-07-10", "until": "2026-07-11"}
    assert scan(home, **window, store=store)["totals"]["totalCost"] == pytest.approx(2 * price(GPT55, 1000, 0, 0))
    logs_db(home, [request("t-1")])
    report = scan(home, **window, store=store, refresh=refresh)
    assert report["totals"]["totalCost"] == pytest.approx(3.5 * price(GPT55, 1000, 0, 0))
    logs_db(home, [served("t-1", "gpt-5.4"), request("t-2")], at=10)
    report = scan(home, **window, store=store, refresh=refresh)
    assert report["totals"]["totalCost"] == pytest.approx(2 * price(GPT54, 1000, 0, 0) + 2.5 * price(GPT55, 1000, 0, 0))
    assert strip(report) == strip(scan(home, **window))  # a scan from nothing agrees


def strip(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "updatedAt"}


def test_a_scan_cut_short_still_reprices_the_fast_turns_next_time(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The deadline can end a scan after it read the new Fast rows but before it priced the logs
    again: the next scan must still do it (the rows are not taken as handled)."""
    import itertools

    from codexbar_core import errors
    from codexbar_core.cost import incremental

    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    write(active(home, "s1"), [meta("s1"), turn("gpt-5.5"), task("t-1"), tok("12:00:01", last=(1000, 0, 0))])
    assert scan(home, store=store)["totals"]["totalCost"] == pytest.approx(price(GPT55, 1000, 0, 0))
    logs_db(home, [request("t-1")])
    ticks = itertools.count(1)
    monkeypatch.setattr(incremental.time, "monotonic", lambda: float(next(ticks)))
    with pytest.raises(errors.SourceTimeout):
        scan(home, store=store, deadline=0.5)  # out of time at the first check
    monkeypatch.undo()
    assert scan(home, store=store)["totals"]["totalCost"] == pytest.approx(2.5 * price(GPT55, 1000, 0, 0))
