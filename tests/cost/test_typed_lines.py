"""The typed fast path for token_count / turn_context lines must read every line exactly as the
general decoder does: same event, same model, same counts, or hand the line over to it.

A wrong fast path would show up to a user as a cost that differs from a rescan done without it, so
each generated file is parsed both ways and the rows the reducer makes from them compared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codexbar_core.cost import parse as parse_mod
from codexbar_core.cost import reduce as rd

ODD_COUNTS = st.one_of(
    st.integers(min_value=-10, max_value=-1),
    st.just(2**63), st.just(10**40),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-5, max_value=1e6),
    st.booleans(), st.none(), st.text(max_size=3),
)
# Mostly what Codex writes (so the fast path is taken), sometimes anything (so it must step aside).
COUNT_VALUES = st.integers(0, 19).flatmap(
    lambda roll: st.integers(min_value=0, max_value=5_000_000) if roll < 18 else ODD_COUNTS)
TEXT_VALUES = st.one_of(st.sampled_from(["gpt-5.5", " gpt-5.4 ", "openai/gpt-5.5", "t-1", "t-2"]),
                        st.sampled_from(["", "  ", None, 0, 3, True]))
MAYBE = st.booleans()


@st.composite
def usage(draw: Any) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.none(), st.integers(), st.text(max_size=2)))
    keys = ["input_tokens", "cached_input_tokens", "cache_read_input_tokens", "output_tokens",
            "reasoning_output_tokens", "total_tokens"]
    return {k: draw(COUNT_VALUES) for k in keys if draw(st.integers(0, 15))}


def _aliases(draw: Any, keys: list[str]) -> dict[str, Any]:
    return {k: draw(TEXT_VALUES) for k in keys if draw(st.booleans())}


@st.composite
def token_line(draw: Any) -> dict[str, Any]:
    info: Any = {"total_token_usage": draw(usage()), "last_token_usage": draw(usage())}
    for key in list(info):
        if draw(st.integers(0, 6)) == 0:
            del info[key]
    info.update(_aliases(draw, ["model", "model_name", "turn_id", "turnId", "id"]))
    if draw(st.integers(0, 12)) == 0:
        info = draw(st.one_of(st.none(), st.integers(), st.text(max_size=2)))
    payload: Any = {"type": draw(st.sampled_from(["token_count"] * 6 + ["other", None])), "info": info,
                    "rate_limits": {"primary": {"used_percent": 5.5}}}
    payload.update(_aliases(draw, ["model", "turn_id", "turnId", "id"]))
    root: dict[str, Any] = {
        "timestamp": draw(st.sampled_from(["2026-11-04T13:59:41.774Z"] * 4 + [
            "2026-11-04T13:59:41+02:00", "2026-11-04 13:59", "bad", None, 5])),
        "type": draw(st.sampled_from(["event_msg"] * 6 + ["turn_context"])), "payload": payload}
    if draw(MAYBE):
        root["ordinal"] = draw(st.one_of(st.integers(0, 99), st.text(max_size=2)))
    root.update(_aliases(draw, ["model"]))
    return root


@st.composite
def turn_line(draw: Any) -> dict[str, Any]:
    payload: Any = _aliases(draw, ["model", "model_name", "turn_id"])
    payload["cwd"] = "/x"
    if draw(MAYBE):
        payload["info"] = draw(st.one_of(st.builds(dict), st.none(), st.just("x")))
        if isinstance(payload["info"], dict):
            payload["info"].update(_aliases(draw, ["model", "model_name"]))
    if draw(st.integers(0, 10)) == 0:
        payload = draw(st.one_of(st.none(), st.text(max_size=2)))
    root: dict[str, Any] = {"timestamp": "2026-11-04T13:59:41.774Z",
                            "type": draw(st.sampled_from(["turn_context"] * 5 + ["event_msg"])), "payload": payload}
    if draw(MAYBE):
        root["ordinal"] = draw(st.integers(0, 9))
    return root


@st.composite
def task_line(draw: Any) -> dict[str, Any]:
    """task_started (the turn the next usage belongs to), sometimes odd."""
    payload: Any = {"type": draw(st.sampled_from(["task_started"] * 4 + ["task_complete"]))}
    payload.update(_aliases(draw, ["turn_id", "turnId"]))
    return {"timestamp": "2026-11-04T13:59:41.774Z", "type": draw(st.sampled_from(["event_msg"] * 4 + ["x"])),
            "payload": payload}


@st.composite
def own_meta_line(draw: Any) -> dict[str, Any]:
    """A session_meta of the file's own id (s-1) or another, naming a parent or not (late fork metadata)."""
    payload: dict[str, Any] = {"id": draw(st.sampled_from(["s-1", "s-1", "s-9"])),
                               "timestamp": "2026-11-04T13:00:00.000Z"}
    if draw(st.booleans()):
        payload["forked_from_id"] = draw(st.sampled_from(["p-1", ""]))
    if draw(st.integers(0, 3)) == 0:
        payload["source"] = draw(st.sampled_from(["subagent", {"subagent": "review"}, "cli"]))
    return {"timestamp": "2026-11-04T13:00:00.000Z", "type": "session_meta", "payload": payload}


def _read_both_ways(path: Path, full: bool = True) -> tuple[Any, Any]:
    """Parse with and without the typed fast path; `full` False: the way an ordinary session is read
    (its own leaf session_meta first, a later one of the same id seen as late fork metadata)."""
    assert parse_mod.load_hot_lines()
    results = []
    for hot in (parse_mod._typed, None):
        saved = parse_mod._typed
        parse_mod._typed = hot
        try:
            with open(path, "rb") as handle:
                parsed = parse_mod.parse_stream(handle, 0, full=full, want_meta=not full)
        finally:
            parse_mod._typed = saved
        reducer = rd.Reducer()
        rd.feed(reducer, parsed.events, leaf=None if full else "s-1")
        results.append((parsed.events, reducer.rows, parsed.bad_lines, parsed.offset, reducer.state()))
    return results[0], results[1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(token_line(), turn_line(), task_line(), own_meta_line()), min_size=1, max_size=12),
       st.booleans())
def test_fast_path_reads_generated_lines_like_the_general_decoder(tmp_path_factory: Any, lines: list[Any],
                                                                 full: bool) -> None:
    path = tmp_path_factory.mktemp("hot") / "rollout.jsonl"
    lead = [] if full else [{"timestamp": "2026-11-04T13:00:00.000Z", "type": "session_meta",
                             "payload": {"id": "s-1"}}]
    path.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lead + lines))
    fast, general = _read_both_ways(path, full)
    assert fast == general


def test_fast_path_is_in_use_and_counts_a_real_shaped_file(tmp_path: Path) -> None:
    """Guards against the fast path silently never running (e.g. a dependency missing)."""
    assert parse_mod.load_hot_lines() and parse_mod._typed is not None
    usage_a = {"input_tokens": 100, "cached_input_tokens": 40, "output_tokens": 10, "reasoning_output_tokens": 4,
               "total_tokens": 110}
    usage_b = {"input_tokens": 250, "cached_input_tokens": 90, "output_tokens": 30, "reasoning_output_tokens": 9,
               "total_tokens": 280}
    last_b = {"input_tokens": 150, "cached_input_tokens": 50, "output_tokens": 20, "reasoning_output_tokens": 5,
              "total_tokens": 170}
    lines = [
        {"timestamp": "2026-11-04T13:00:00.000Z", "type": "turn_context", "payload": {"turn_id": "t1",
                                                                                     "model": "gpt-5.5"}},
        {"timestamp": "2026-11-04T13:00:01.000Z", "type": "event_msg", "payload": {
            "type": "token_count", "info": {"total_token_usage": usage_a, "last_token_usage": usage_a}}},
        {"timestamp": "2026-11-04T13:00:02.000Z", "type": "event_msg", "payload": {
            "type": "token_count", "info": {"total_token_usage": usage_b, "last_token_usage": last_b}}},
    ]
    path = tmp_path / "rollout.jsonl"
    path.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines))
    fast, general = _read_both_ways(path)
    assert fast == general
    rows = fast[1]
    assert [(r[0], r[1], r[4], r[5], r[6], r[7]) for r in rows] == [
        ("gpt-5.5", "t1", 100, 40, 10, 4), ("gpt-5.5", "t1", 150, 50, 20, 5)]


class _GeneralOnly(rd.Reducer):
    """The reducer with its inlined common case switched off."""

    __slots__ = ()

    def token(self, *args: Any) -> None:
        self.token_general(*args)


VECTORS = st.tuples(*(st.integers(0, 400),) * 4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(VECTORS, VECTORS, st.sampled_from([None, "gpt-5.5"]), st.sampled_from([None, "t1", "t2"]),
                          st.integers(0, 13)), max_size=25))
def test_reducer_common_case_counts_like_the_general_rules(steps: list[Any]) -> None:
    """Mostly what Codex writes (a growing counter and its step: the inlined case), mixed with
    steps bigger than `last`, drops, repeats and missing halves (the general rules)."""
    fast, general = rd.Reducer(), _GeneralOnly()
    running = previous = (0, 0, 0, 0)
    for i, (vector, other, model, turn, mode) in enumerate(steps):
        if mode <= 7:
            total, last = tuple(a + b for a, b in zip(running, vector)), vector
        elif mode == 8:
            total, last = tuple(a + b for a, b in zip(running, vector)), other  # step and `last` disagree
        elif mode == 13:
            total, last = (*(a + b for a, b in zip(running[:3], vector)), other[3]), vector  # reasoning drops
        elif mode == 9:
            total, last = previous, other  # the same snapshot again
        elif mode == 10:
            total, last = other, vector  # anything, e.g. a drop
        elif mode == 11:
            total, last = None, vector
        else:
            total, last = tuple(a + b for a, b in zip(running, vector)), None
        if total is not None:
            previous = total
            running = tuple(max(a, b) for a, b in zip(running, total))
        for reducer in (fast, general):
            if i % 5 == 0:
                reducer.turn_context(model, turn)
            reducer.token(1_790_000_000_000 + i, total, last, model, turn)
    assert fast.rows == general.rows
    assert fast.state() == general.state()


@st.composite
def meta_line(draw: Any) -> dict[str, Any]:
    ids = ["id", "session_id", "sessionId", "forked_from_id", "forkedFromId", "parent_session_id", "parentSessionId",
           "timestamp"]
    payload: Any = {k: draw(st.sampled_from(["s-1", " s-2 ", "", None, 7, "2026-11-04T13:59:41.774Z"]))
                    for k in ids if draw(st.booleans())}
    payload["base_instructions"] = {"text": "x" * draw(st.integers(0, 3000))}
    if draw(st.booleans()):
        payload["source"] = draw(st.one_of(
            st.sampled_from(["cli", "subagent", " SubAgent ", None, 3]),
            st.just({"subagent": {"thread_spawn": {"parent_thread_id": "p-1"}}}),
            st.just({"subagent": "review"}), st.just({"other": 1})))
    if draw(st.booleans()):
        payload["subagent_history_start_ordinal"] = draw(st.one_of(st.integers(0, 50), st.text(max_size=2)))
    if draw(st.integers(0, 10)) == 0:
        payload = draw(st.one_of(st.none(), st.text(max_size=2), st.integers()))
    root: dict[str, Any] = {"timestamp": draw(st.sampled_from(["2026-11-04T13:00:00.000Z", "bad", None])),
                            "type": draw(st.sampled_from(["session_meta"] * 5 + ["turn_context"])),
                            "payload": payload}
    root.update({k: draw(st.sampled_from(["r-1", "", None])) for k in ("id", "session_id", "sessionId")
                 if draw(st.integers(0, 3)) == 0})
    return root


@settings(max_examples=200, deadline=None)
@given(meta_line())
def test_fast_session_meta_reads_like_the_general_decoder(line: dict[str, Any]) -> None:
    head = (json.dumps(line, separators=(",", ":")) + "\n").encode()
    assert parse_mod.load_hot_lines()
    fast = parse_mod.meta_in_head(head, True)
    saved = parse_mod._typed
    parse_mod._typed = None
    try:
        general = parse_mod.meta_in_head(head, True)
    finally:
        parse_mod._typed = saved
    assert fast == general


@pytest.mark.parametrize("k", [0, 1, 2])
def test_a_step_bigger_than_last_in_any_component_leaves_the_common_case(k: int) -> None:
    step = [100, 40, 10, 2]
    small = list(step)
    small[k] -= 5  # this component grew by 5 more than `last` says
    fast, general = rd.Reducer(), _GeneralOnly()
    for reducer in (fast, general):
        reducer.token(1, (100, 40, 10, 2), (100, 40, 10, 2), "m", "t")
        reducer.token(2, (200, 80, 20, 4), tuple(small), "m", "t")
    assert fast.rows == general.rows and fast.state() == general.state()
    assert fast.rows[1][4:7] == small[:3]  # the second row counts `last`, not total - previous total
