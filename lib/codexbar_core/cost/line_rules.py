"""How one line of a rollout `.jsonl` becomes an event: the general decoder and its rules
(docs/reference/cost-rules.md, "Line shapes", "Long lines").

parse.py finds the candidate lines; this module says what each one means. `decode_line` is the
reference: the typed fast path (typed_lines.py) handles the common lines the same way or hands them
back here. Also the field rules every path shares: timestamps to epoch ms, token counts (clamped),
usage vectors, the model a turn_context sets, and what a session_meta says about its file.

Events are small tuples (see the `K_*` kinds) whose positions are absolute byte offsets.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from codexbar_core.cost.json_codec import loads_line
from codexbar_core.slots import Record

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

K_META, K_TURN, K_TASK, K_TOKEN, K_IAC = 0, 1, 2, 3, 4
MAX_LINE = 256 * 1024  # longer lines are cut to this prefix (docs/reference/cost-rules.md, "Long lines")
MAX_TOKENS = 2**63 - 1  # larger counts are garbage (an overflow in the writer), counted as 0
KEEP = None  # turn_context without model fields: the current model stays
CLEAR = ""  # turn_context whose model fields are all blank: the current model is cleared
BAD_LINE = ("bad",)  # decode_line: a candidate line that is not a JSON object (counted as malformed)

# Patterns for lines cut at MAX_LINE only: compiled on first use (re caches them), not at import,
# where compiling them cost ~0.5 ms of every `codexbar cost` that finds a changed log.
_MODEL_IN_PREFIX = rb'"(?:model|model_name)"\s*:\s*"((?:[^"\\]|\\.){0,200})"'
_ID_IN_PREFIX = rb'"(id|session_id|forked_from_id|timestamp)"\s*:\s*"((?:[^"\\]|\\.){0,200})"'
_SUBAGENT_IN_PREFIX = rb'(?i)"source"\s*:\s*(?:"subagent"|\{\s*"subagent")'


class Meta(Record):
    """What the first (leaf) `session_meta` says about the file."""

    __slots__ = ("session_id", "parent_id", "fork_ts_ms", "subagent", "history_start_ordinal", "start_ms")

    def __init__(self, session_id: str | None = None, parent_id: str | None = None, fork_ts_ms: int | None = None,
                 subagent: bool = False, history_start_ordinal: int | None = None,
                 start_ms: int | None = None) -> None:
        self.session_id = session_id
        self.parent_id = parent_id  # forked_from_id (ordinary fork) or the subagent's parent thread
        self.fork_ts_ms = fork_ts_ms
        self.subagent = subagent
        self.history_start_ordinal = history_start_ordinal
        self.start_ms = start_ms


# -- small field helpers --------------------------------------------------------------------------

_minute_ms: dict[str, int] = {}


_z_hour_ms: dict[str, int] = {}  # "2026-11-04T13" -> epoch ms of that UTC hour


def timestamp_ms(value: Any) -> int | None:
    """Epoch milliseconds of an ISO-8601 timestamp that carries `Z` or `±HH[:]MM`; else None."""
    # Fast path for what Codex writes (`2026-11-04T13:59:41.774Z`): a known hour plus plain digits.
    if (type(value) is str and len(value) == 24 and value[23] == "Z" and value[19] == "." and value[16] == ":"
            and value[13] == ":"):
        base = _z_hour_ms.get(value[:13])  # its keys are ASCII: a hit needs only the digits checked
        if base is not None:
            digits = value[14:16] + value[17:19] + value[20:23]  # MMSSmmm
            if digits.isdigit() and digits.isascii():
                minutes, millis = divmod(int(digits), 100000)  # millis: seconds * 1000 + ms
                if minutes < 60 and millis < 61000:
                    return base + minutes * 60000 + millis
            return _timestamp_ms(value)
        if value.isascii():
            found = _timestamp_ms(value)
            if found is not None and value[14:16].isdigit():
                _z_hour_ms[value[:13]] = _minute_ms[value[:16] + "+00:00"] - int(value[14:16]) * 60000
            return found
    return _timestamp_ms(value)


def _timestamp_ms(value: Any) -> int | None:
    if not isinstance(value, str) or len(value) < 17 or value[10] not in "Tt ":
        return None
    if value[-1] in "Zz":
        body, zone = value[:-1], "+00:00"
    else:
        cut = max(value.rfind("+"), value.rfind("-"))
        if cut < 16:
            return None
        body, zone = value[:cut], value[cut:]
        digits = zone[1:].replace(":", "")
        if len(digits) not in (2, 4) or not digits.isdigit():
            return None
        zone = f"{zone[0]}{digits[:2]}:{digits[2:] or '00'}"
    key = body[:16] + zone
    base = _minute_ms.get(key)
    if base is None:
        try:
            base = int(dt.datetime.fromisoformat(body[:10] + "T" + body[11:16] + zone).timestamp()) * 1000
        except ValueError:
            return None
        _minute_ms[key] = base
    rest = body[16:]
    if not rest:
        return base
    if rest[0] != ":":
        return None
    try:
        seconds = float(rest[1:])
    except ValueError:
        return None
    if not 0 <= seconds < 61:
        return None
    return base + int(round(seconds * 1000))


def _count(value: Any) -> int:
    if type(value) is int:
        return value if 0 <= value <= MAX_TOKENS else 0
    if isinstance(value, float) and value == value and 0 <= value <= MAX_TOKENS:
        return int(value)
    return 0


def usage_vector(obj: Any) -> tuple[int, int, int, int] | None:
    """(input incl. cached, cached, output incl. reasoning, reasoning) or None when absent."""
    if type(obj) is not dict:
        return None
    get = obj.get
    inp = get("input_tokens", 0)
    cached = get("cached_input_tokens")
    if cached is None:
        cached = get("cache_read_input_tokens", 0)
    out = get("output_tokens", 0)
    reasoning = get("reasoning_output_tokens", 0)
    # Fast path: four sane ints (what Codex writes); anything else goes through _count.
    if (type(inp) is not int or type(cached) is not int or type(out) is not int or type(reasoning) is not int
            or inp < 0 or cached < 0 or out < 0 or reasoning < 0
            or inp > MAX_TOKENS or cached > MAX_TOKENS or out > MAX_TOKENS or reasoning > MAX_TOKENS):
        inp, cached, out, reasoning = _count(inp), _count(cached), _count(out), _count(reasoning)
    return (inp, cached, out, reasoning if reasoning <= out else out)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def turn_context_model(payload: Any) -> str | None:
    """The model a turn_context sets: a name, CLEAR (fields present but blank) or KEEP (absent)."""
    if not isinstance(payload, dict):
        return KEEP
    info = payload.get("info")
    holders = [(payload, "model"), (payload, "model_name")]
    if isinstance(info, dict):
        holders += [(info, "model"), (info, "model_name")]
    present = False
    for holder, key in holders:
        if key in holder:
            present = True
            name = _text(holder[key])
            if name:
                return name
    return CLEAR if present else KEEP


def read_meta(root: dict[str, Any]) -> Meta:
    payload = root.get("payload")
    if not isinstance(payload, dict):
        payload = {}
    sid = (_text(payload.get("id")) or _text(root.get("id")) or _text(payload.get("session_id"))
           or _text(payload.get("sessionId")) or _text(root.get("session_id")) or _text(root.get("sessionId")))
    parent = None
    for key in ("forked_from_id", "forkedFromId", "parent_session_id", "parentSessionId"):
        parent = _text(payload.get(key))
        if parent:
            break
    source = payload.get("source")
    subagent = False
    if isinstance(source, str):
        subagent = source.strip().lower() == "subagent"
    elif isinstance(source, dict):
        subagent = "subagent" in source
        if subagent and not parent:
            spawn = source.get("subagent")
            spawn = spawn.get("thread_spawn") if isinstance(spawn, dict) else None
            if isinstance(spawn, dict):
                parent = _text(spawn.get("parent_thread_id"))
    fork_ts = timestamp_ms(payload.get("timestamp"))
    if fork_ts is None:
        fork_ts = timestamp_ms(root.get("timestamp"))
    ordinal = payload.get("subagent_history_start_ordinal")
    return Meta(sid, parent, fork_ts, subagent, ordinal if type(ordinal) is int else None,
                timestamp_ms(root.get("timestamp")) or fork_ts)


_PAYLOAD_OPEN = rb'"payload"\s*:\s*\{'
_raw_decode = json.JSONDecoder().raw_decode


def _truncated_turn_model(prefix: bytes) -> str | None:
    """The model a turn_context cut at 256 KiB sets (docs/reference/cost-rules.md, "Long lines"):
    a payload that closes inside the prefix is read whole (model fields all blank clear the model); an unclosed one gives its first
    non-blank model field, and without one the previous model stays."""
    opened = re.search(_PAYLOAD_OPEN, prefix)
    if opened:
        try:
            payload, _end = _raw_decode(prefix[opened.end() - 1:].decode("utf-8", "replace"))
        except ValueError:
            payload = None  # cut before its closing brace
        if isinstance(payload, dict):
            return turn_context_model(payload)
    for match in re.finditer(_MODEL_IN_PREFIX, prefix):
        name = match.group(1).decode("utf-8", "replace").strip()
        if name:
            return name
    return KEEP


def meta_from_prefix(prefix: bytes) -> Meta:
    """A session_meta line cut at 256 KiB: take the ids the prefix still shows."""
    found: dict[str, str] = {}
    for key, value in re.findall(_ID_IN_PREFIX, prefix):
        found.setdefault(key.decode(), value.decode("utf-8", "replace"))
    fork_ts = timestamp_ms(found.get("timestamp"))
    return Meta(found.get("id") or found.get("session_id"), found.get("forked_from_id"), fork_ts,
                bool(re.search(_SUBAGENT_IN_PREFIX, prefix)), None, fork_ts)


def decode_line(line: bytes, start: int, end: int) -> tuple[Any, ...] | None:
    """The event one candidate line (at absolute offsets `start`..`end`) makes: an event tuple, None
    when it carries nothing to count, or BAD_LINE when it is not a JSON object."""
    if len(line) > MAX_LINE:
        prefix = line[:MAX_LINE]
        head = prefix[:512]
        if b'"turn_context"' in head:
            return (K_TURN, start, end, _truncated_turn_model(prefix), None, None)
        if b'"session_meta"' in head:
            return (K_META, start, end, meta_from_prefix(prefix))
        return None
    try:
        root = loads_line(line)
    except ValueError:
        return BAD_LINE
    if not isinstance(root, dict):
        return BAD_LINE
    kind = root.get("type")
    payload = root.get("payload")
    if not isinstance(payload, dict):
        payload = {}
    if kind == "event_msg":
        sub = payload.get("type")
        if sub == "token_count":
            info = payload.get("info")
            if type(info) is not dict:
                return None
            total = usage_vector(info.get("total_token_usage"))
            last = usage_vector(info.get("last_token_usage"))
            if total is None and last is None:
                return None
            ts = timestamp_ms(root.get("timestamp"))
            if ts is None:
                return None  # an event without a usable time cannot be put on a day
            ordinal = root.get("ordinal")
            model = info.get("model") or info.get("model_name") or payload.get("model") or root.get("model")
            turn = (payload.get("turn_id") or payload.get("turnId") or payload.get("id") or info.get("turn_id")
                    or info.get("turnId") or info.get("id"))
            return (K_TOKEN, start, end, ts, total, last, _text(model) if model else None,
                    _text(turn) if turn else None, ordinal if type(ordinal) is int else None)
        elif sub == "task_started":
            turn = payload.get("turn_id") or payload.get("turnId")
            turn = _text(turn) if turn else None
            if turn:
                return (K_TASK, start, end, turn)
        elif sub == "inter_agent_communication_metadata":
            return (K_IAC, start, end, payload.get("trigger_turn") is True)
    elif kind == "turn_context":
        ordinal = root.get("ordinal")
        return (K_TURN, start, end, turn_context_model(payload),
                ordinal if type(ordinal) is int else None, _text(payload.get("turn_id")))
    elif kind == "session_meta":
        return (K_META, start, end, read_meta(root))
    elif kind == "inter_agent_communication_metadata":
        return (K_IAC, start, end, payload.get("trigger_turn") is True)
    return None


def complete_json(tail: bytes) -> bool:
    """Whether a last line without its newline is a whole JSON object (then it counts)."""
    try:
        return isinstance(loads_line(tail), dict)
    except ValueError:
        return False

