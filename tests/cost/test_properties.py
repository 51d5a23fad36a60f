"""Property tests of the cost scanner over generated session logs (hypothesis).

Streams mix well-formed token_count events with repeats, last-only and total-only events, hostile
numbers (negative, huge, NaN, strings), truncated lines, binary garbage and model switches. The
scanner's per-file entry point (`scan_plain`, what `codexbar cost` runs per log) must never crash,
never count a negative token, give the same rows when a file is read in two goes (split at any byte,
state saved as JSON in between, as the cache stores it) as in one, and never count a repeated
snapshot twice.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codexbar_core.cost.filerecord import plain_rows, scan_plain
from codexbar_core.cost.pricing import load_price_table

pytestmark = pytest.mark.faults

PROFILE = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                   derandomize=True)

SID = "01a20a8e-2d93-7e12-908d-ea427cb52971"
T0 = 1_795_000_000  # seconds; 2026-11


def ts(i: int) -> str:
    s = T0 + i * 7
    import datetime as dt

    return dt.datetime.fromtimestamp(s, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def line(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


def meta_line() -> bytes:
    return line({"timestamp": ts(0), "type": "session_meta", "payload": {"id": SID, "timestamp": ts(0),
                                                                          "source": "cli", "cwd": "/w"}})


def turn_line(i: int, model: str | None) -> bytes:
    payload: dict[str, Any] = {"turn_id": f"turn-{i}", "cwd": "/w"}
    if model is not None:
        payload["model"] = model
    return line({"timestamp": ts(i), "type": "turn_context", "payload": payload})


def usage(v: tuple[int, int, int, int]) -> dict[str, int]:
    inp, cached, out, reasoning = v
    return {"input_tokens": inp, "cached_input_tokens": cached, "output_tokens": out,
            "reasoning_output_tokens": reasoning, "total_tokens": inp + out}


def token_line(i: int, total: Any, last: Any) -> bytes:
    info: dict[str, Any] = {"model_context_window": 258400}
    if total is not None:
        info["total_token_usage"] = total
    if last is not None:
        info["last_token_usage"] = last
    return line({"timestamp": ts(i), "type": "event_msg", "payload": {"type": "token_count", "info": info}})


# -- strategies -----------------------------------------------------------------------------------

def vec() -> st.SearchStrategy[tuple[int, int, int, int]]:
    def build(t: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        inp, cached, out, reasoning = t
        return (inp, min(cached, inp), out, min(reasoning, out))

    small = st.integers(0, 50_000)
    return st.tuples(small, small, small, small).map(build)


HOSTILE_NUMBER = st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
                           st.text(max_size=5), st.none(), st.booleans())
HOSTILE_USAGE = st.one_of(
    st.fixed_dictionaries({}, optional={k: HOSTILE_NUMBER for k in (
        "input_tokens", "cached_input_tokens", "cache_read_input_tokens", "output_tokens",
        "reasoning_output_tokens")}),
    st.lists(st.integers(), max_size=3), st.text(max_size=5), st.none())

CLEAN_STEP = st.one_of(
    st.tuples(st.just("both"), vec(), st.integers(0, 2)),  # 0-2 extra copies of the same snapshot
    st.tuples(st.just("turn"), st.sampled_from(["gpt-5", "gpt-5-codex", "gpt-5.1-codex-max"]), st.just(0)),
    st.tuples(st.just("garbage"), st.binary(max_size=120).filter(lambda b: b"token_count" not in b),
              st.just(0)),
    st.tuples(st.just("truncated"), st.floats(0.05, 0.95), st.just(0)),
    st.tuples(st.just("blank"), st.just(None), st.just(0)),
)
HOSTILE_STEP = st.one_of(
    CLEAN_STEP,
    st.tuples(st.just("total"), vec(), st.just(0)),
    st.tuples(st.just("last"), vec(), st.just(0)),
    st.tuples(st.just("hostile"), st.tuples(HOSTILE_USAGE, HOSTILE_USAGE), st.just(0)),
    st.tuples(st.just("turn"), st.sampled_from(["", "  ", "unknown-model"]), st.just(0)),
    st.tuples(st.just("rewind"), st.floats(0.0, 1.0), st.just(0)),  # a counter that goes back (new process)
)


def render(steps: list[tuple[str, Any, int]]) -> tuple[bytes, tuple[int, int, int, int]]:
    """Steps -> file bytes and the true cumulative usage of the clean events in it."""
    out = [meta_line()]
    running = (0, 0, 0, 0)
    for i, (kind, arg, repeat) in enumerate(steps, start=1):
        if kind == "both":
            running = tuple(a + b for a, b in zip(running, arg))  # type: ignore[assignment]
            out += [token_line(i, usage(running), usage(arg))] * (1 + repeat)
        elif kind == "total":
            running = tuple(a + b for a, b in zip(running, arg))  # type: ignore[assignment]
            out.append(token_line(i, usage(running), None))
        elif kind == "last":
            out.append(token_line(i, None, usage(arg)))
        elif kind == "hostile":
            out.append(token_line(i, arg[0], arg[1]))
        elif kind == "rewind":
            running = tuple(int(x * arg) for x in running)  # type: ignore[assignment]
            out.append(token_line(i, usage(running), usage((0, 0, 0, 0))))
        elif kind == "turn":
            out.append(turn_line(i, arg))
        elif kind == "garbage":
            out.append(arg.replace(b"\n", b" ") + b"\n")
        elif kind == "truncated":
            whole = token_line(i, usage((10**6, 0, 10**6, 0)), usage((10**6, 0, 10**6, 0)))
            out.append(whole[: max(1, int(len(whole) * arg))] + b"\n")  # a write cut short
        elif kind == "blank":
            out.append(b"\n")
    return b"".join(out), running  # type: ignore[return-value]


# -- helpers -----------------------------------------------------------------------------------------

PRICES = load_price_table(None)


def scan(path: str, prev: dict[str, Any] | None = None) -> dict[str, Any]:
    """The log's record as the cache keeps it between runs (with its day totals), plus its rows as a
    read from the start gives them (records keep no rows)."""
    st_ = os.stat(path)
    text, _entry, _agg = scan_plain(path, (st_.st_ino, st_.st_mtime_ns, st_.st_size), prev, PRICES)
    record = json.loads(text)
    record["rows"] = plain_rows(path, record)
    return record


def sums(rows: list[list[Any]]) -> tuple[int, int, int, int]:
    totals = [0, 0, 0, 0]
    for row in rows:
        for k in range(4):
            totals[k] += row[4 + k]
    return tuple(totals)  # type: ignore[return-value]


class LogFile:
    def __init__(self) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix="codexbar-properties-")
        self.path = os.path.join(self.dir.name, "rollout.jsonl")

    def write(self, data: bytes, mode: str = "wb") -> None:
        with open(self.path, mode) as fh:
            fh.write(data)

    def __enter__(self) -> LogFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.dir.cleanup()


# -- properties ----------------------------------------------------------------------------------------

@PROFILE
@given(st.lists(HOSTILE_STEP, max_size=40))
def test_any_stream_scans_without_crash_and_never_counts_negative(steps):
    data, _ = render(steps)
    with LogFile() as log:
        log.write(data)
        record = scan(log.path)
    assert record["kind"] == "plain"
    for row in record["rows"]:
        assert all(isinstance(n, int) and n >= 0 for n in row[4:8]), row
    assert all(n >= 0 for n in sums(record["rows"]))


@PROFILE
@given(st.lists(HOSTILE_STEP, max_size=40), st.floats(0.0, 1.0))
def test_resuming_a_grown_file_equals_a_full_rescan(steps, where):
    data, _ = render(steps)
    cut = int(len(data) * where)  # any byte, mid-line included: a log caught while it is written
    with LogFile() as log:
        log.write(data[:cut])
        first = scan(log.path)
        log.write(data[cut:], "ab")
        resumed = scan(log.path, first)
        full = scan(log.path)
    for key in ("agg", "state", "off", "bad", "sid"):  # the totals: resumed rows added to the saved ones
        assert resumed[key] == full[key], key


@PROFILE
@given(st.lists(CLEAN_STEP, max_size=40))
def test_clean_streams_count_exactly_the_usage_and_repeats_never_double_count(steps):
    data, truth = render(steps)
    once = [(k, a, 0) for k, a, _r in steps]
    data_once, _ = render(once)
    with LogFile() as log:
        log.write(data)
        with_repeats = scan(log.path)
        log.write(data_once)
        without = scan(log.path)
    assert sums(with_repeats["rows"]) == truth
    assert with_repeats["rows"] == without["rows"]
