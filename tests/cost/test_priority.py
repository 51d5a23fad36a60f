"""Fast (priority) turns from Codex's logs_2.sqlite are priced with the model's multiplier (SPEC B §6.8)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from codexbar_core.cache import Store
from codexbar_core.cost.priority import turn_from_body
from tests.cost.logs import active, append, meta, scan, tok, turn, write

GPT55_IN = 5e-6


def request(turn_id: str, tier: str = "priority", where: str = "prefix") -> str:
    body = {"type": "response.create", "service_tier": tier, "model": "gpt-5.5"}
    prefix = "session_loop{thread_id=t}: codex_core::client: "
    if where == "prefix":
        prefix = f"turn{{turn.id={turn_id}}}: " + prefix
    else:
        body["turn_id"] = turn_id
    return prefix + "websocket request: " + json.dumps(body)


def logs_db(home: Path, bodies: list[str]) -> None:
    home.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(home / "logs_2.sqlite")
    con.execute("CREATE TABLE IF NOT EXISTS logs (ts INTEGER, feedback_log_body TEXT)")
    con.executemany("INSERT INTO logs VALUES (?, ?)", [(i, b) for i, b in enumerate(bodies)])
    con.commit()
    con.close()


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
