"""Turns that ran on the Fast (priority) tier, from Codex's own log database (docs/reference/cost-rules.md, "Fast tier").

`$CODEX_HOME/logs_2.sqlite`, table `logs(ts, feedback_log_body)`. A priority turn shows up as
- `… turn.id=<turn> … websocket request: {"type":"response.create","service_tier":"priority",…}`
  (the turn id may also be `turn_id=` in the prefix or `turn_id` in the request JSON), or
- `… service_tier: Some(Some("priority")) … Submission sub=Submission { … id: "<turn>" … }`.
The model that served a turn is in `… turn.id=<turn> … websocket event: {"type":"response.completed",
"response":{"model":…}}`; it prices the turn's rows when it has a Fast price (an alias such as
`codex-auto-review` in the session log is billed as what the server ran; docs/decisions/cost-conformance.md).

The database only grows, so it is read from the last row seen (rowid) onwards; the turns and their
served models are kept with the scanner's state. A database that is missing, locked or of another shape
gives no turns (everything is priced at standard rates), never an error.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

from codexbar_core.codex_sqlite import connect_readonly

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

_PREFIX_TURN = re.compile(r"\bturn(?:\.id|_id)=\"?([A-Za-z0-9_.:-]+)")
_SUBMISSION_ID = re.compile(r'\bid: "([^"]+)"')
REQUEST_MARK = "websocket request:"
EVENT_MARK = "websocket event:"
SUBMISSION_MARK = "Submission sub=Submission {"
PENDING_LIMIT = 512  # completions of turns not (yet) known as Fast (rowids), kept in case their request comes later


def _request(body: str) -> tuple[str, str] | None:
    """(turn id, requested model or "") of a line recording a priority request, else None."""
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
        model = request.get("model")
        model = model.strip() if isinstance(model, str) else ""
        match = _PREFIX_TURN.search(prefix)
        if match:
            return match.group(1), model
        for holder in (request, request.get("request")):
            if isinstance(holder, dict) and isinstance(holder.get("turn_id"), str) and holder["turn_id"]:
                return holder["turn_id"], model
        return None
    if 'service_tier: Some(Some("priority"))' in body and SUBMISSION_MARK in body:
        match = _SUBMISSION_ID.search(body.split(SUBMISSION_MARK, 1)[1])
        return (match.group(1), "") if match else None
    return None


def turn_from_body(body: str) -> str | None:
    """The turn id of one log line when it records a priority request, else None."""
    found = _request(body)
    return found[0] if found else None


def completed_model(body: str) -> tuple[str, str] | None:
    """(turn id, served model) of a line recording a completed response, else None."""
    prefix, marker, rest = body.partition(EVENT_MARK)
    if not marker:
        return None
    match = _PREFIX_TURN.search(prefix)
    if not match:
        return None
    try:
        event, _ = json.JSONDecoder().raw_decode(rest.strip())
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("type") != "response.completed":
        return None
    response = event.get("response")
    model = response.get("model") if isinstance(response, dict) else None
    if not isinstance(model, str) or not model.strip():
        return None
    return match.group(1), model.strip()


class FastTurns:
    """What the log database said so far: Fast turns and the model that served each."""

    __slots__ = ("state", "changed", "since_s")

    def __init__(self, state: dict[str, Any], changed: bool, since_s: int | None) -> None:
        self.state = state  # saved with the scanner's home record (see update_priority_turns)
        self.changed = changed  # the saved state needs writing
        self.since_s = since_s  # earliest `ts` of a row that added a Fast turn or changed its model

    def served(self) -> dict[str, str]:
        """turn id -> the model that served it ("" when not known): completed response, else request."""
        return {turn: models[1] or models[0] for turn, models in self.state["turns"].items()}


def _completion_turn(prefix: str) -> str | None:
    """The turn of a row cut at its `websocket event:` marker (the query below cuts completions there)."""
    if not prefix.endswith(EVENT_MARK):
        return None
    match = _PREFIX_TURN.search(prefix)
    return match.group(1) if match else None


def _served_model(con: sqlite3.Connection, rowid: int) -> str:
    """The model of the completed response in row `rowid`, "" if it is not one (or is gone)."""
    row = con.execute("SELECT feedback_log_body FROM logs WHERE rowid = ?", (rowid,)).fetchone()
    body = row[0] if row else None
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    found = completed_model(body) if isinstance(body, str) else None
    return found[1] if found else ""


# Completed responses carry the whole response (often tens of KB): only the part before the event marker
# comes back with the scan; the rest is read by rowid, and only for a Fast turn (most turns are not).
_QUERY = ("SELECT rowid, ts, CASE WHEN instr(feedback_log_body, 'websocket event:') > 0 "
          "THEN substr(feedback_log_body, 1, instr(feedback_log_body, 'websocket event:') + 15) "
          "ELSE feedback_log_body END FROM logs WHERE rowid > ? AND (feedback_log_body LIKE '%priority%' "
          "OR feedback_log_body LIKE '%response.completed%') ORDER BY rowid")


def update_priority_turns(codex_home: Path, known: dict[str, Any] | None) -> FastTurns:
    """Read the rows added since `known` (the state a previous call returned).

    State: {"db": inode, "rowid": last row read, "turns": {turn: [requested model, served model]},
    "pending": {turn: rowid of its last completion} for turns not (yet) known as Fast}."""
    state = dict(known or {})
    path = codex_home / "logs_2.sqlite"
    try:
        inode = os.stat(path).st_ino
    except OSError:
        lost = bool(state.get("turns"))  # turns priced as Fast so far go back to standard: every log may hold one
        return FastTurns({"db": None, "rowid": 0, "turns": {}, "pending": {}}, lost, 0 if lost else None)
    since: int | None = None
    if state.get("db") != inode or not isinstance(state.get("turns"), dict):
        since = 0 if state.get("turns") else None  # a replaced database: read it all, reprice every log
        state = {"db": inode, "rowid": 0, "turns": {}, "pending": {}}
    turns: dict[str, list[str]] = {turn: list(models) for turn, models in state["turns"].items()}
    pending: dict[str, int] = dict(state.get("pending") or {})
    last = int(state.get("rowid") or 0)
    try:
        con = connect_readonly(str(path), 0.2)  # creates nothing in Codex's home (codex_sqlite.py)
        try:
            top = con.execute("SELECT max(rowid) FROM logs").fetchone()
            seen = last
            for rowid, ts, body in con.execute(_QUERY, (last,)):
                seen = rowid
                if isinstance(body, bytes):
                    body = body.decode("utf-8", "replace")
                if not isinstance(body, str):
                    continue
                turn = _completion_turn(body)
                if turn is not None:
                    if turn not in turns:
                        pending.pop(turn, None)
                        pending[turn] = rowid
                        while len(pending) > PENDING_LIMIT:
                            del pending[next(iter(pending))]
                        continue
                    model = _served_model(con, rowid)
                    if not model:
                        continue
                    before = list(turns[turn])
                    turns[turn][1] = model
                else:
                    request = _request(body)
                    if request is None:
                        continue
                    turn, model = request
                    before = turns.get(turn)
                    waiting = pending.pop(turn, None)
                    served = _served_model(con, waiting) if waiting is not None else ""
                    turns[turn] = [model or (before[0] if before else ""), served or (before[1] if before else "")]
                if turns[turn] != before:
                    stamp = ts if type(ts) is int else 0  # an odd `ts`: every log may hold the turn
                    since = stamp if since is None else min(since, stamp)
        finally:
            con.close()
    except sqlite3.Error:
        return FastTurns(state, False, None)
    new_rowid = max(int(top[0] or 0) if top else 0, seen, last)  # rows added during the read were read too
    new_state = {"db": inode, "rowid": new_rowid, "turns": turns, "pending": pending}
    return FastTurns(new_state, since is not None or new_rowid != last, since)
