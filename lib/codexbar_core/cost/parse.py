"""Read a rollout `.jsonl` from a byte offset and pull out the few lines that matter (docs/reference/cost-rules.md, "Line shapes").

Session logs are mostly prompts, tool output and instructions; only `session_meta`, `turn_context`,
`event_msg` `token_count` and `inter_agent_communication_metadata` lines are used (the latter two
kinds only in forks and subagents). They are found with a byte search first and only those lines are JSON-decoded, so the cost
of a scan is close to the cost of reading the file.

The result is a list of small event tuples in file order (see the `K_*` kinds) that the reducer
consumes. Positions are absolute byte offsets so subagent boundaries ("a turn_context immediately
followed by inter_agent_communication_metadata") can be checked without keeping the lines.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

K_META, K_TURN, K_TASK, K_TOKEN, K_IAC = 0, 1, 2, 3, 4
MAX_LINE = 256 * 1024  # longer lines are cut to this prefix (docs/reference/cost-rules.md, "Long lines")
CHUNK = 8 * 1024 * 1024
TAIL_BYTES = 64  # kept to recognise the same file next time (a resume needs them unchanged)
MAX_TOKENS = 2**63 - 1  # larger counts are garbage (an overflow in the writer), counted as 0

# An ordinary session needs only these searches over its bytes; its leaf session_meta is the first
# line and is read separately. Forks and subagents also need embedded ancestors and the inter-agent
# markers. A turn's id comes from its token event, else from the last task_started (or turn_context)
# before it: logs whose turn_context carries no turn id still find their Fast-tier turns
# (docs/decisions/cost-conformance.md).
# An ordinary session's own later session_meta may name a parent late (reduce.Reducer.late_fork); its
# first line (the leaf) is skipped. Spelt as Codex writes it (compact JSON) so that every marker starts
# with `"t`: a marker starting otherwise costs ~40 % more search time, a separate bytes.find pass as much.
PLAIN_MARKERS = (b'"token_count"', b'"turn_context"', b'"task_started"', b'"type":"session_meta"')
FULL_MARKERS = PLAIN_MARKERS[:3] + (b'"session_meta"', b'"inter_agent_communication_metadata"')
KEEP = None  # turn_context without model fields: the current model stays
CLEAR = ""  # turn_context whose model fields are all blank: the current model is cleared

# Patterns for lines cut at MAX_LINE only: compiled on first use (re caches them), not at import,
# where compiling them cost ~0.5 ms of every `codexbar cost` that finds a changed log.
_MODEL_IN_PREFIX = rb'"(?:model|model_name)"\s*:\s*"((?:[^"\\]|\\.){0,200})"'
_ID_IN_PREFIX = rb'"(id|session_id|forked_from_id|timestamp)"\s*:\s*"((?:[^"\\]|\\.){0,200})"'
_SUBAGENT_IN_PREFIX = rb'(?i)"source"\s*:\s*(?:"subagent"|\{\s*"subagent")'


@dataclass
class Meta:
    """What the first (leaf) `session_meta` says about the file."""

    session_id: str | None = None
    parent_id: str | None = None  # forked_from_id (ordinary fork) or the subagent's parent thread
    fork_ts_ms: int | None = None
    subagent: bool = False
    history_start_ordinal: int | None = None
    start_ms: int | None = None


class Parsed:
    """What parsing a file (or its new bytes) found. A plain class: a dataclass costs ~0.3 ms to
    define at import, and this one needs none of what that generates."""

    __slots__ = ("events", "offset", "bad_lines", "meta", "tail")

    def __init__(self, offset: int = 0) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.offset = offset  # bytes consumed (a partial last line is left for next time)
        self.bad_lines = 0
        self.meta: Meta | None = None  # the leaf session_meta, when asked for (`want_meta`)
        self.tail: bytes | None = None  # the TAIL_BYTES before `offset`, when still in memory


# -- small field helpers --------------------------------------------------------------------------

_minute_ms: dict[str, int] = {}


_z_hour_ms: dict[str, int] = {}  # "2026-11-04T13" -> epoch ms of that UTC hour


def timestamp_ms(value: Any) -> int | None:
    """Epoch milliseconds of an ISO-8601 timestamp that carries `Z` or `±HH[:]MM`; else None."""
    # Fast path for what Codex writes (`2026-11-04T13:59:41.774Z`): a known hour plus plain digits.
    if (type(value) is str and len(value) == 24 and value[23] == "Z" and value[19] == "." and value[16] == ":"
            and value[13] == ":" and value.isascii()):
        base = _z_hour_ms.get(value[:13])
        if base is None:
            found = _timestamp_ms(value)
            if found is not None and value[14:16].isdigit():
                _z_hour_ms[value[:13]] = _minute_ms[value[:16] + "+00:00"] - int(value[14:16]) * 60000
            return found
        minute, sec, ms = value[14:16], value[17:19], value[20:23]
        if minute.isdigit() and sec.isdigit() and ms.isdigit():
            minutes, seconds = int(minute), int(sec)
            if minutes < 60 and seconds < 61:
                return base + minutes * 60000 + seconds * 1000 + int(ms)
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


def _meta_from_prefix(prefix: bytes) -> Meta:
    """A session_meta line cut at 256 KiB: take the ids the prefix still shows."""
    found: dict[str, str] = {}
    for key, value in re.findall(_ID_IN_PREFIX, prefix):
        found.setdefault(key.decode(), value.decode("utf-8", "replace"))
    fork_ts = timestamp_ms(found.get("timestamp"))
    return Meta(found.get("id") or found.get("session_id"), found.get("forked_from_id"), fork_ts,
                bool(re.search(_SUBAGENT_IN_PREFIX, prefix)), None, fork_ts)


_decode = json.JSONDecoder().decode
try:  # about 3x faster on token_count lines, the bulk of a cold scan's decoding
    from orjson import JSONDecodeError as _FastError
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - orjson is a dependency, but the scanner must not need it
    _fast_loads = None


def _loads(line: bytes) -> Any:
    if _fast_loads is not None:
        try:
            return _fast_loads(line)
        except _FastError:
            pass  # integers beyond 64 bits, NaN, stray bytes: the standard decoder's rules apply below
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = line.decode("utf-8", "replace")  # a stray byte in a prompt must not lose the event
    return _decode(text)


_hot: Any = None  # cost/hotlines.py once load_hot_lines() ran: typed decoding of the common lines


def load_hot_lines() -> bool:
    """Switch on the typed fast path (msgspec) for the rest of the process. Worth its ~15 ms import
    only for scans of many lines (a cold scan), not for the few lines a grown log adds."""
    global _hot
    if _hot is None:
        try:
            from codexbar_core.cost import hotlines
        except ImportError:  # pragma: no cover - msgspec is a dependency, but the scanner must not need it
            return False
        _hot = hotlines
    return True
_TOKEN_MARKER, _TURN_MARKER, _TASK_MARKER, _META_MARKER = PLAIN_MARKERS


# -- the scan ---------------------------------------------------------------------------------------

_MARKER_PATTERNS: dict[tuple[bytes, ...], re.Pattern[bytes]] = {}


def _marker_pattern(markers: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """One alternation for all markers: a single pass over the bytes, about 1.7x faster than one
    `bytes.find` loop per marker (measured on 200 MB of generated logs)."""
    pattern = _MARKER_PATTERNS.get(markers)
    if pattern is None:
        pattern = _MARKER_PATTERNS[markers] = re.compile(b"|".join(re.escape(m) for m in markers))
    return pattern


def _decode_line(line: bytes, base: int, start: int, out: Parsed) -> None:
    """Turn one candidate line into an event (or nothing), appending to `out.events`."""
    end = base + start + len(line)
    if len(line) > MAX_LINE:
        prefix = line[:MAX_LINE]
        head = prefix[:512]
        if b'"turn_context"' in head:
            out.events.append((K_TURN, base + start, end, _truncated_turn_model(prefix), None, None))
        elif b'"session_meta"' in head:
            out.events.append((K_META, base + start, end, _meta_from_prefix(prefix)))
        return
    try:
        root = _loads(line)
    except ValueError:
        out.bad_lines += 1
        return
    if not isinstance(root, dict):
        out.bad_lines += 1
        return
    kind = root.get("type")
    payload = root.get("payload")
    if not isinstance(payload, dict):
        payload = {}
    if kind == "event_msg":
        sub = payload.get("type")
        if sub == "token_count":
            info = payload.get("info")
            if type(info) is not dict:
                return
            total = usage_vector(info.get("total_token_usage"))
            last = usage_vector(info.get("last_token_usage"))
            if total is None and last is None:
                return
            ts = timestamp_ms(root.get("timestamp"))
            if ts is None:
                return  # an event without a usable time cannot be put on a day
            ordinal = root.get("ordinal")
            model = info.get("model") or info.get("model_name") or payload.get("model") or root.get("model")
            turn = (payload.get("turn_id") or payload.get("turnId") or payload.get("id") or info.get("turn_id")
                    or info.get("turnId") or info.get("id"))
            out.events.append((K_TOKEN, base + start, end, ts, total, last,
                               _text(model) if model else None, _text(turn) if turn else None,
                               ordinal if type(ordinal) is int else None))
        elif sub == "task_started":
            turn = payload.get("turn_id") or payload.get("turnId")
            turn = _text(turn) if turn else None
            if turn:
                out.events.append((K_TASK, base + start, end, turn))
        elif sub == "inter_agent_communication_metadata":
            out.events.append((K_IAC, base + start, end, payload.get("trigger_turn") is True))
    elif kind == "turn_context":
        ordinal = root.get("ordinal")
        out.events.append((K_TURN, base + start, end, turn_context_model(payload),
                           ordinal if type(ordinal) is int else None, _text(payload.get("turn_id"))))
    elif kind == "session_meta":
        out.events.append((K_META, base + start, end, read_meta(root)))
    elif kind == "inter_agent_communication_metadata":
        out.events.append((K_IAC, base + start, end, payload.get("trigger_turn") is True))


def _scan_block(data: bytes, base: int, out: Parsed, markers: tuple[bytes, ...]) -> None:
    """Decode every line of `data` that mentions a marker (each once, in order); with the typed fast
    path loaded (load_hot_lines), the two common kinds go that way first."""
    hot = _hot
    if hot is not None:
        token_event, turn_event, task_event, no_event = hot.token_event, hot.turn_event, hot.task_event, hot.NO_EVENT
    append = out.events.append
    find = data.find
    rfind = data.rfind
    size = len(data)
    last_end = -1
    for hit in _marker_pattern(markers).finditer(data):
        p = hit.start()
        if p < last_end:
            continue  # same line as the previous hit
        end = find(b"\n", p)
        if end == -1:
            end = size
        start = rfind(b"\n", 0, p) + 1
        last_end = end
        if start == 0 and base == 0 and hit[0] == _META_MARKER:
            continue  # an ordinary session's leaf session_meta: read apart (meta_in_head)
        line = data[start:end]
        if hot is not None and end - start <= MAX_LINE:
            marker = hit[0]
            if marker == _TOKEN_MARKER:
                event = token_event(line, base + start, base + end, timestamp_ms)
            elif marker == _TURN_MARKER:
                event = turn_event(line, base + start, base + end, KEEP, CLEAR)
            elif marker == _TASK_MARKER:
                event = task_event(line, base + start, base + end)
            else:
                event = None
            if event is not None:
                if event is not no_event:
                    append(event)
                continue
        _decode_line(line, base, start, out)


def _complete_json(tail: bytes) -> bool:
    try:
        return isinstance(_loads(tail), dict)
    except ValueError:
        return False


def parse_stream(handle: Any, offset: int, full: bool = True, want_meta: bool = False,
                 size: int | None = None) -> Parsed:
    """Parse an open binary file from `offset` to its end (`full`: also ancestors and subagent markers).

    `want_meta` (from offset 0): also read the leaf session_meta from the first chunk. `size`: the
    size discovery saw; reading stops there (a line written since is read next time)."""
    markers = FULL_MARKERS if full else PLAIN_MARKERS
    out = Parsed(offset=offset)
    handle.seek(offset)
    carry = b""
    base = offset
    left = None if size is None else max(0, size - offset)
    last_data, last_base = b"", offset
    while left is None or left > 0:
        chunk = handle.read(CHUNK if left is None else min(CHUNK, left))
        if not chunk:
            break
        if left is not None:
            left -= len(chunk)
        if want_meta:
            want_meta = False
            out.meta = meta_in_head(chunk[:MAX_LINE], len(chunk) < MAX_LINE)
        data = carry + chunk if carry else chunk
        last_data, last_base = data, base
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = data  # one long line still being read
            continue
        _scan_block(data[:cut] if cut < len(data) else data, base, out, markers)
        base += cut
        carry = data[cut:]
    if carry.strip():
        if _complete_json(carry):  # a last line without "\n" counts only when it is whole JSON
            _scan_block(carry, base, out, markers)
            base += len(carry)
    else:
        base += len(carry)  # trailing blanks
    out.offset = base
    start = base - TAIL_BYTES
    if start >= last_base and base - last_base <= len(last_data):
        out.tail = last_data[start - last_base:base - last_base]
    return out


def parse_file(path: str, offset: int = 0) -> Parsed:
    with open(path, "rb") as handle:
        return parse_stream(handle, offset)


def head_meta(handle: Any) -> Meta | None:
    """The leaf session_meta of a file: the first one within its first 256 KiB (Codex writes it first)."""
    handle.seek(0)
    head = handle.read(MAX_LINE)
    return meta_in_head(head, len(head) < MAX_LINE)


def meta_in_head(head: bytes, whole_file: bool) -> Meta | None:
    pos = head.find(b'"session_meta"')
    if pos == -1:
        return None
    start = head.rfind(b"\n", 0, pos) + 1
    end = head.find(b"\n", pos)
    if end == -1:
        line = head[start:]
        if whole_file and not _complete_json(line):
            return None  # still being written
    else:
        line = head[start:end]
    root = _hot.meta_root(line) if _hot is not None else None
    if root is None:
        try:
            root = _loads(line)
        except ValueError:
            return _meta_from_prefix(line)
    if not isinstance(root, dict) or root.get("type") != "session_meta":
        return None
    return read_meta(root)


def first_session_id(path: str) -> str | None:
    """The leaf session id of a file, reading only its head."""
    try:
        with open(path, "rb") as handle:
            meta = head_meta(handle)
    except OSError:
        return None
    return meta.session_id if meta else None
