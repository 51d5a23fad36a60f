"""Typed decoding of the two line kinds a cold scan meets by the hundred thousand.

`token_count`, `turn_context` and `task_started` lines are decoded by msgspec straight into small structs that name
only the fields the scanner reads; everything else in the line (rate limits, instructions, tool
lists) is skipped without building Python objects. Measured on the 1 GB bench home (185,536 such
lines): this path takes about a third of the time of `orjson.loads` plus picking fields out of dicts.

Each function returns an event tuple (see `line_rules.K_*`), `NO_EVENT` when the line is of its kind but
carries nothing to count, or `None` when the line is anything unusual: then the caller decodes it the
general way, whose rules (aliases, clamping, bad values) are the reference. Every constraint below
only ever sends a line to that path; none decides a value on its own.
"""


from typing import Annotated, Any, Callable, Optional

import msgspec

# No `from __future__ import annotations` here: msgspec reads these annotations at import time, and
# `X | None` would not evaluate on Python 3.9.

K_TURN, K_TASK, K_TOKEN = 1, 2, 3
MAX_TOKENS = 2**63 - 1
NO_EVENT = ()

# A count the general path would take as is: a plain non-negative int within 64 bits. Anything else
# (negative, float, string, huge) fails validation and goes the general way, which clamps it.
_Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_TOKENS)]


class _Usage(msgspec.Struct):
    input_tokens: _Count = 0
    cached_input_tokens: Optional[_Count] = None
    cache_read_input_tokens: _Count = 0
    output_tokens: _Count = 0
    reasoning_output_tokens: _Count = 0


class _TokenInfo(msgspec.Struct):
    total_token_usage: Optional[_Usage] = None
    last_token_usage: Optional[_Usage] = None
    model: Any = None
    model_name: Any = None
    turn_id: Any = None
    turnId: Any = None  # noqa: N815 - the log's spelling
    id: Any = None


class _TokenPayload(msgspec.Struct):
    type: Any = None
    info: Optional[_TokenInfo] = None
    model: Any = None
    turn_id: Any = None
    turnId: Any = None  # noqa: N815
    id: Any = None


class _TokenLine(msgspec.Struct):
    timestamp: Any = None
    type: Any = None
    payload: Optional[_TokenPayload] = None
    ordinal: Any = None
    model: Any = None


class _TurnInfo(msgspec.Struct):
    model: Any = msgspec.UNSET
    model_name: Any = msgspec.UNSET


class _TurnPayload(msgspec.Struct):
    model: Any = msgspec.UNSET
    model_name: Any = msgspec.UNSET
    info: Optional[_TurnInfo] = None
    turn_id: Any = None


class _TurnLine(msgspec.Struct):
    type: Any = None
    payload: Optional[_TurnPayload] = None
    ordinal: Any = None


class _TaskPayload(msgspec.Struct):
    type: Any = None
    turn_id: Any = None
    turnId: Any = None  # noqa: N815


class _TaskLine(msgspec.Struct):
    type: Any = None
    payload: Optional[_TaskPayload] = None


_decode_token = msgspec.json.Decoder(_TokenLine).decode
_decode_task = msgspec.json.Decoder(_TaskLine).decode
_decode_turn = msgspec.json.Decoder(_TurnLine).decode
_UNSET = msgspec.UNSET


def _text(value: Any) -> Optional[str]:
    if type(value) is str:
        value = value.strip()
        return value or None
    return None


def _vector(usage: _Usage) -> tuple[int, int, int, int]:
    """(input incl. cached, cached, output incl. reasoning, reasoning clamped to output), as line_rules.usage_vector."""
    cached = usage.cached_input_tokens
    if cached is None:
        cached = usage.cache_read_input_tokens
    out, reasoning = usage.output_tokens, usage.reasoning_output_tokens
    return (usage.input_tokens, cached, out, reasoning if reasoning <= out else out)


def token_event(line: bytes, start: int, end: int,
                timestamp_ms: Callable[[Any], Optional[int]]) -> Optional[tuple[Any, ...]]:
    try:
        root = _decode_token(line)
    except (msgspec.DecodeError, ValueError):
        return None
    payload = root.payload
    if root.type != "event_msg" or payload is None or payload.type != "token_count":
        return None
    info = payload.info
    if info is None:
        return NO_EVENT
    t = info.total_token_usage
    last = info.last_token_usage
    if t is None and last is None:
        return NO_EVENT
    ts = timestamp_ms(root.timestamp)
    if ts is None:
        return NO_EVENT  # an event without a usable time cannot be put on a day
    total = None if t is None else _vector(t)
    if last is not None:
        last = _vector(last)
    model = info.model or info.model_name or payload.model or root.model
    turn = payload.turn_id or payload.turnId or payload.id or info.turn_id or info.turnId or info.id
    ordinal = root.ordinal
    return (K_TOKEN, start, end, ts, total, last, _text(model) if model else None,
            _text(turn) if turn else None, ordinal if type(ordinal) is int else None)


def turn_event(line: bytes, start: int, end: int, keep: Any, clear: str) -> Optional[tuple[Any, ...]]:
    try:
        root = _decode_turn(line)
    except (msgspec.DecodeError, ValueError):
        return None
    payload = root.payload
    if root.type != "turn_context" or payload is None:
        return None
    # First non-blank of payload.model, payload.model_name, info.model, info.model_name; all
    # present but blank clears the model; none present keeps it.
    info = payload.info
    values = (payload.model, payload.model_name) if info is None else (
        payload.model, payload.model_name, info.model, info.model_name)
    model = keep
    for value in values:
        if value is not _UNSET:
            model = clear
            name = _text(value)
            if name:
                model = name
                break
    ordinal = root.ordinal
    return (K_TURN, start, end, model, ordinal if type(ordinal) is int else None, _text(payload.turn_id))


def task_event(line: bytes, start: int, end: int) -> Optional[tuple[Any, ...]]:
    """task_started: the turn the following usage belongs to (one per turn, a third of a cold scan's lines)."""
    try:
        root = _decode_task(line)
    except (msgspec.DecodeError, ValueError):
        return None
    payload = root.payload
    if root.type != "event_msg" or payload is None or payload.type != "task_started":
        return None
    turn = payload.turn_id or payload.turnId
    turn = _text(turn) if turn else None
    return (K_TASK, start, end, turn) if turn else NO_EVENT


# -- session_meta: only the fields read_meta looks at (the line also carries the base instructions,
# often several KB, which the general decoder would turn into a str for nothing) --------------------

_META_PAYLOAD_FIELDS = ("id", "session_id", "sessionId", "forked_from_id", "forkedFromId", "parent_session_id",
                        "parentSessionId", "source", "timestamp", "subagent_history_start_ordinal")
_META_ROOT_FIELDS = ("type", "id", "session_id", "sessionId", "timestamp")


class _MetaPayload(msgspec.Struct):
    id: Any = msgspec.UNSET
    session_id: Any = msgspec.UNSET
    sessionId: Any = msgspec.UNSET  # noqa: N815
    forked_from_id: Any = msgspec.UNSET
    forkedFromId: Any = msgspec.UNSET  # noqa: N815
    parent_session_id: Any = msgspec.UNSET
    parentSessionId: Any = msgspec.UNSET  # noqa: N815
    source: Any = msgspec.UNSET
    timestamp: Any = msgspec.UNSET
    subagent_history_start_ordinal: Any = msgspec.UNSET


class _MetaLine(msgspec.Struct):
    type: Any = msgspec.UNSET
    payload: Optional[_MetaPayload] = None
    id: Any = msgspec.UNSET
    session_id: Any = msgspec.UNSET
    sessionId: Any = msgspec.UNSET  # noqa: N815
    timestamp: Any = msgspec.UNSET


_decode_meta = msgspec.json.Decoder(_MetaLine).decode


def meta_root(line: bytes) -> Optional[dict]:
    """The line as a dict holding just what `line_rules.read_meta` reads, or None (decode it the general way)."""
    try:
        root = _decode_meta(line)
    except (msgspec.DecodeError, ValueError):
        return None
    pruned = {name: value for name in _META_ROOT_FIELDS if (value := getattr(root, name)) is not _UNSET}
    payload = root.payload
    if payload is not None:
        pruned["payload"] = {name: value for name in _META_PAYLOAD_FIELDS
                             if (value := getattr(payload, name)) is not _UNSET}
    return pruned
