"""Write small rollout files the way Codex does, and run the scanner over them."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from codexbar_core.cache import Store
from codexbar_core.cost.report import cost_report

DAY = "2026-07-11"


def ts(clock: str, day: str = DAY) -> str:
    return f"{day}T{clock}Z"


def usage(vec: tuple[int, ...] | None) -> dict[str, int] | None:
    if vec is None:
        return None
    inp, cached, out = vec[:3]
    reasoning = vec[3] if len(vec) > 3 else 0
    return {"input_tokens": inp, "cached_input_tokens": cached, "output_tokens": out,
            "reasoning_output_tokens": reasoning, "total_tokens": inp + out}


def meta(sid: str | None, at: str = "12:00:00", *, parent: str | None = None, source: Any = "cli",
         day: str = DAY, **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"timestamp": ts(at, day), "cwd": "/work", "source": source, **extra}
    if sid is not None:
        payload["id"] = sid
    if parent is not None:
        payload["forked_from_id"] = parent
    return {"timestamp": ts(at, day), "type": "session_meta", "payload": payload}


def turn(model: str | None = "openai/gpt-5.2-codex", at: str = "12:00:00", *, day: str = DAY,
         turn_id: str | None = None, **payload: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if turn_id:
        body["turn_id"] = turn_id
    if model is not None:
        body["model"] = model  # early in the line, as Codex writes it (instructions come later)
    body.update(payload)
    return {"timestamp": ts(at, day), "type": "turn_context", "payload": body}


def tok(at: str, total: tuple[int, ...] | None = None, last: tuple[int, ...] | None = None, *,
        day: str = DAY, model: str | None = None, stamp: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {}
    if total is not None:
        info["total_token_usage"] = usage(total)
    if last is not None:
        info["last_token_usage"] = usage(last)
    if model is not None:
        info["model"] = model
    return {"timestamp": stamp or ts(at, day), "type": "event_msg", "payload": {"type": "token_count", "info": info}}


def task(turn_id: str, at: str = "12:00:00", day: str = DAY) -> dict[str, Any]:
    """The event Codex writes when a turn starts (its id; turn_context may not repeat it)."""
    return {"timestamp": ts(at, day), "type": "event_msg", "payload": {"type": "task_started", "turn_id": turn_id}}


def iac(trigger: bool = True, at: str = "12:00:00", day: str = DAY) -> dict[str, Any]:
    return {"timestamp": ts(at, day), "type": "inter_agent_communication_metadata",
            "payload": {"trigger_turn": trigger}}


def noise(text: str = "hello", at: str = "12:00:00") -> dict[str, Any]:
    return {"timestamp": ts(at), "type": "response_item",
            "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}


def encode(lines: list[Any]) -> bytes:
    return b"".join((x if isinstance(x, bytes) else json.dumps(x, separators=(",", ":")).encode()) + b"\n"
                    for x in lines)


def write(path: Path, lines: list[Any], *, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode(lines))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def append(path: Path, lines: list[Any]) -> None:
    with open(path, "ab") as handle:
        handle.write(encode(lines))


def active(home: Path, name: str, day: str = DAY) -> Path:
    y, m, d = day.split("-")
    return home / "sessions" / y / m / d / f"rollout-{day}T12-00-00-{name}.jsonl"


def archived(home: Path, name: str) -> Path:
    return home / "archived_sessions" / f"{name}.jsonl"


def scan(home: Path, since: str = DAY, until: str | None = None, *, store: Store | None = None,
         overrides: Path | None = None, refresh: bool = True, deadline: float | None = None,
         now: float | None = None) -> dict[str, Any]:
    """The report as `codexbar cost --json` writes it. `now`: the report's clock (epoch seconds; "today" and the age of a saved result), default the real one."""
    return cost_report(home, store, since=dt.date.fromisoformat(since),
                       until=dt.date.fromisoformat(until or since), refresh=refresh,
                       price_overrides=overrides, deadline=deadline, now=now).to_contract()


def totals(report: dict[str, Any]) -> tuple[int, int, int]:
    t = report["totals"]
    return (t["inputTokens"], t["cacheReadTokens"], t["outputTokens"])


def usd(inp: int, cached: int, out: int, rates: tuple[float, float, float]) -> float:
    """Reference price: rates in USD per 1M tokens (input, cached input, output)."""
    cached = min(cached, inp)
    return ((inp - cached) * rates[0] + cached * rates[1] + out * rates[2]) / 1_000_000


def logs_db(home: Path, bodies: list[str], at: int = 0) -> None:
    """Rows of Codex's log database; `at`: the `ts` (epoch seconds) of the first row."""
    home.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(home / "logs_2.sqlite")
    con.execute("CREATE TABLE IF NOT EXISTS logs (ts INTEGER, feedback_log_body TEXT)")
    con.executemany("INSERT INTO logs VALUES (?, ?)", [(at + i, b) for i, b in enumerate(bodies)])
    con.commit()
    con.close()
