"""JSON for the scanner's records and the log lines it decodes: the standard library by default,
orjson once a scan asks for it (`use_fast`).

orjson decodes the scanner's records and log lines several times faster, but importing it costs
~15 ms (it loads dataclasses, inspect, uuid, enum and more): more than a refresh after one appended
event spends on JSON at all, and a fifth of that whole refresh. So only work that decodes or encodes
a lot (a big scan, the helper process, the per-session breakdowns) switches it on, for the rest of
the process; everything else stays on the standard library's C codec. Both read the same values back
(docs/design/cost-engine.md, "JSON codecs"); where orjson refuses (integers past 64 bits, NaN, lone
surrogates, stray bytes) the standard library's rules apply, as before.

The switch is process state on purpose, like parse.load_hot_lines: it changes how fast, never what.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any, Callable

# Set by use_fast(): orjson's loads and dumps (None until then, or when orjson is missing).
fast_loads: Callable[[str | bytes], Any] | None = None
fast_dumps: Callable[[Any], bytes] | None = None
FastError: type[Exception] = ValueError  # orjson.JSONDecodeError once loaded (a ValueError)

_std_decode = json.JSONDecoder().decode


def use_fast() -> bool:
    """Switch orjson on for the rest of the process; False when it is not installed."""
    global fast_loads, fast_dumps, FastError
    if fast_loads is None:
        try:
            import orjson
        except ImportError:  # pragma: no cover - orjson is a dependency, but the scanner must not need it
            return False
        fast_loads, fast_dumps, FastError = orjson.loads, orjson.dumps, orjson.JSONDecodeError
    return True


def dumps(value: Any) -> str:
    """Compact JSON text (orjson's where it is on and accepts the value)."""
    if fast_dumps is not None:
        try:
            return fast_dumps(value).decode()
        except TypeError:
            pass
    return json.dumps(value, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """Parse JSON text or UTF-8 bytes (raises ValueError on damaged text)."""
    if fast_loads is not None:
        try:
            return fast_loads(text)
        except ValueError:
            pass
    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogatepass")
    return json.loads(text)


def loads_line(line: bytes) -> Any:
    """One log line: a stray byte in a prompt must not lose the event, so undecodable bytes are
    replaced rather than refused (raises ValueError when the line is not JSON)."""
    if fast_loads is not None:
        try:
            return fast_loads(line)
        except FastError:
            pass  # integers beyond 64 bits, NaN, stray bytes: the standard decoder's rules apply below
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = line.decode("utf-8", "replace")
    return _std_decode(text)
