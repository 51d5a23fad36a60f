"""Read a rollout `.jsonl` from a byte offset and pull out the few lines that matter (docs/reference/cost-rules.md, "Line shapes").

Session logs are mostly prompts, tool output and instructions; only `session_meta`, `turn_context`,
`event_msg` `token_count` and `inter_agent_communication_metadata` lines are used (the latter two
kinds only in forks and subagents). They are found with a byte search first and only those lines are JSON-decoded, so the cost
of a scan is close to the cost of reading the file.

The result is a list of small event tuples in file order (see the `K_*` kinds in line_rules.py,
which also holds the general decoder every candidate line can fall back to) that the reducer
consumes. Positions are absolute byte offsets so subagent boundaries ("a turn_context immediately
followed by inter_agent_communication_metadata") can be checked without keeping the lines.
"""

from __future__ import annotations

import re

from codexbar_core.cost import json_codec
from codexbar_core.cost.line_rules import (
    BAD_LINE,
    CLEAR,
    KEEP,
    MAX_LINE,
    Meta,
    complete_json,
    decode_line,
    meta_from_prefix,
    read_meta,
    timestamp_ms,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

CHUNK = 8 * 1024 * 1024
TAIL_BYTES = 64  # kept to recognise the same file next time (a resume needs them unchanged)


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


_typed: Any = None  # cost/typed_lines.py once load_hot_lines() ran: typed decoding of the common lines


def load_hot_lines() -> bool:
    """Switch on the typed fast path (msgspec) and orjson (json_codec.py) for the rest of the process.
    Worth their ~30 ms of imports only for scans of many lines (a cold scan), not for the few lines a
    grown log adds."""
    global _typed
    json_codec.use_fast()  # the few lines the typed path hands back, and the records of many logs
    if _typed is None:
        try:
            from codexbar_core.cost import typed_lines
        except ImportError:  # pragma: no cover - msgspec is a dependency, but the scanner must not need it
            return False
        _typed = typed_lines
    return True


_META_MARKER = PLAIN_MARKERS[3]
# The typed path's three kinds told apart by their marker's third byte ("t(o)ken_count", "t(u)rn_context",
# "t(a)sk_started"): reading one byte of the data builds no string per hit. The other markers differ there.
_TOKEN_BYTE, _TURN_BYTE, _TASK_BYTE = (marker[2] for marker in PLAIN_MARKERS[:3])
assert len({marker[2] for marker in FULL_MARKERS + PLAIN_MARKERS}) == 6


# -- the scan ---------------------------------------------------------------------------------------

_MARKER_PATTERNS: dict[tuple[bytes, ...], re.Pattern[bytes]] = {}


def _marker_pattern(markers: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """One alternation for all markers: a single pass over the bytes, about 1.7x faster than one
    `bytes.find` loop per marker (measured on 200 MB of generated logs)."""
    pattern = _MARKER_PATTERNS.get(markers)
    if pattern is None:
        pattern = _MARKER_PATTERNS[markers] = re.compile(b"|".join(re.escape(m) for m in markers))
    return pattern


def _scan_block(data: bytes, base: int, out: Parsed, markers: tuple[bytes, ...]) -> None:
    """Decode every line of `data` that mentions a marker (each once, in order); with the typed fast
    path loaded (load_hot_lines), the two common kinds go that way first."""
    hot = _typed
    if hot is not None:
        token_event, turn_event, task_event, no_event = hot.token_event, hot.turn_event, hot.task_event, hot.NO_EVENT
    token_byte, turn_byte, task_byte = _TOKEN_BYTE, _TURN_BYTE, _TASK_BYTE
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
            third = data[p + 2]
            if third == token_byte:
                event = token_event(line, base + start, base + end, timestamp_ms)
            elif third == turn_byte:
                event = turn_event(line, base + start, base + end, KEEP, CLEAR)
            elif third == task_byte:
                event = task_event(line, base + start, base + end)
            else:
                event = None
            if event is not None:
                if event is not no_event:
                    append(event)
                continue
        event = decode_line(line, base + start, base + end)
        if event is not None:
            if event is BAD_LINE:
                out.bad_lines += 1
            else:
                append(event)


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
        if complete_json(carry):  # a last line without "\n" counts only when it is whole JSON
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
        if whole_file and not complete_json(line):
            return None  # still being written
    else:
        line = head[start:end]
    root = _typed.meta_root(line) if _typed is not None else None
    if root is None:
        try:
            root = json_codec.loads_line(line)
        except ValueError:
            return meta_from_prefix(line)
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
