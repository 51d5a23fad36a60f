"""Turns that ran on the Fast (priority) tier, from Codex's own log database (SPEC Part B §6.8).

`$CODEX_HOME/logs_2.sqlite`, table `logs(ts, feedback_log_body)`. A priority turn shows up as
- `… turn.id=<turn> … websocket request: {"type":"response.create","service_tier":"priority",…}`
  (the turn id may also be `turn_id=` in the prefix or `turn_id` in the request JSON), or
- `… service_tier: Some(Some("priority")) … Submission sub=Submission { … id: "<turn>" … }`.

The database only grows, so it is read from the last row seen (rowid) onwards; the set of turns is
kept with the scanner's state. A database that is missing, locked or of another shape gives no
turns (everything is priced at standard rates), never an error.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

_PREFIX_TURN = re.compile(r"\bturn(?:\.id|_id)=\"?([A-Za-z0-9_.:-]+)")
_SUBMISSION_ID = re.compile(r'\bid: "([^"]+)"')
REQUEST_MARK = "websocket request:"
SUBMISSION_MARK = "Submission sub=Submission {"


def turn_from_body(body: str) -> str | None:
    """The turn id of one log line when it records a priority request, else None."""
    if REQUEST_MARK in body:
        prefix, _, rest = body.partition(REQUEST_MARK)
        try:
            request, _ = json.JSONDecoder().raw_decode(rest.strip())
        except ValueError:
            return None
        if not isinstance(request, dict) or request.get("type") != "response.create":
            return None
        if request.get("service_tier") != "priority":
            return None
        match = _PREFIX_TURN.search(prefix)
        if match:
            return match.group(1)
        for holder in (request, request.get("request")):
            if isinstance(holder, dict) and isinstance(holder.get("turn_id"), str) and holder["turn_id"]:
                return holder["turn_id"]
        return None
    if 'service_tier: Some(Some("priority"))' in body and SUBMISSION_MARK in body:
        match = _SUBMISSION_ID.search(body.split(SUBMISSION_MARK, 1)[1])
        return match.group(1) if match else None
    return None


def update_priority_turns(codex_home: Path, known: dict[str, Any] | None) -> tuple[dict[str, Any], bool]:
    """(state, changed). `state` = {"db": inode, "rowid": last row read, "turns": [turn ids]}."""
    state = dict(known or {})
    path = codex_home / "logs_2.sqlite"
    try:
        inode = os.stat(path).st_ino
    except OSError:
        return {"db": None, "rowid": 0, "turns": []}, bool(state.get("turns"))
    if state.get("db") != inode:
        state = {"db": inode, "rowid": 0, "turns": []}
    turns = set(state.get("turns") or [])
    before = len(turns)
    last = int(state.get("rowid") or 0)
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
        try:
            rows = con.execute("SELECT rowid, feedback_log_body FROM logs WHERE rowid > ? AND "
                               "feedback_log_body LIKE '%priority%'", (last,)).fetchall()
            top = con.execute("SELECT max(rowid) FROM logs").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return state, False
    for _rowid, body in rows:
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        if isinstance(body, str):
            turn = turn_from_body(body)
            if turn:
                turns.add(turn)
    state["rowid"] = int(top[0] or last) if top else last
    state["turns"] = sorted(turns)
    return state, len(turns) != before or state.get("rowid") != last
