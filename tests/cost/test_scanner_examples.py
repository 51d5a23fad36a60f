"""Scanner examples (docs/reference/cost-rules.md, "Deltas"): the delta algorithm as a user sees it in the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cost.logs import active, meta, scan, tok, totals, turn, usd, write

GPT52 = (1.75, 0.175, 14)  # gpt-5.2-codex, USD per 1M


def session(home: Path, *events: dict, sid: str = "s1", model: str = "openai/gpt-5.2-codex") -> Path:
    return write(active(home, sid), [meta(sid), turn(model), *events])


def rows(report: dict) -> int:
    return sum(1 for _ in report["daily"])


def test_totals_only_growth_counts_each_increase_once(tmp_path: Path) -> None:
    path = session(tmp_path, tok("12:00:01", total=(100, 20, 10, 4)))
    first = scan(tmp_path)
    assert first["totals"]["totalTokens"] == 110
    with open(path, "ab") as handle:
        handle.write(b'{"timestamp":"2026-07-11T12:00:02Z","type":"event_msg","payload":{"type":"token_count",'
                     b'"info":{"total_token_usage":{"input_tokens":160,"cached_input_tokens":40,'
                     b'"output_tokens":16,"reasoning_output_tokens":7}}}}\n')
    second = scan(tmp_path)
    assert second["totals"]["totalTokens"] == 176
    assert totals(second) == (160, 40, 16)
    # the second event's own delta is (60, 20, 6) with reasoning 3
    assert second["totals"]["reasoningOutputTokens"] == 7


def test_divergent_totals_trust_last(tmp_path: Path) -> None:
    session(tmp_path,
            tok("12:00:01", total=(100, 20, 10), last=(100, 20, 10)),
            tok("12:00:02", total=(160, 40, 16), last=(60, 20, 6)),
            tok("12:00:03", total=(1000, 900, 100), last=(40, 30, 5)),
            tok("12:00:04", total=(1050, 930, 110), last=(50, 30, 10)))
    report = scan(tmp_path)
    assert totals(report) == (250, 100, 31)
    assert report["totals"]["totalTokens"] == 281
    assert report["totals"]["totalCost"] == pytest.approx(usd(250, 100, 31, GPT52), abs=1e-12)


def test_repeated_snapshot_is_skipped(tmp_path: Path) -> None:
    session(tmp_path,
            tok("12:00:01", total=(100, 20, 10), last=(100, 20, 10)),
            tok("12:00:02", total=(100, 20, 10), last=(100, 20, 10)),
            tok("12:00:03", total=(130, 20, 12), last=(100, 20, 10)))
    report = scan(tmp_path)
    assert totals(report) == (130, 20, 12)


def test_total_below_last_counts_last_once(tmp_path: Path) -> None:
    session(tmp_path, *[tok(f"12:00:0{i}", total=(50, 0, 0), last=(100, 0, 0)) for i in (1, 2, 3)])
    assert totals(scan(tmp_path)) == (100, 0, 0)


def test_totals_only_after_divergence(tmp_path: Path) -> None:
    session(tmp_path,
            tok("12:00:01", total=(100, 0, 0), last=(100, 0, 0)),
            tok("12:00:02", total=(1000, 0, 0), last=(40, 0, 0)),
            tok("12:00:03", total=(1050, 0, 0)))
    assert totals(scan(tmp_path)) == (190, 0, 0)


def test_totals_only_after_divergence_with_cached_drop(tmp_path: Path) -> None:
    session(tmp_path,
            tok("12:00:01", total=(100, 0, 0), last=(100, 0, 0)),
            tok("12:00:02", total=(1000, 900, 0), last=(40, 0, 0)),
            tok("12:00:03", total=(1050, 0, 0)))
    assert totals(scan(tmp_path)) == (190, 0, 0)


def test_contained_resume_after_a_drop(tmp_path: Path) -> None:
    session(tmp_path,
            tok("12:00:01", total=(100, 0, 0), last=(100, 0, 0)),
            tok("12:00:02", total=(1000, 0, 0), last=(40, 0, 0)),
            tok("12:00:03", total=(180, 0, 0)))
    assert totals(scan(tmp_path)) == (180, 0, 0)


def test_last_only_then_total(tmp_path: Path) -> None:
    session(tmp_path, tok("12:00:01", last=(100, 0, 0)), tok("12:00:02", total=(150, 0, 0)))
    assert totals(scan(tmp_path)) == (150, 0, 0)


def test_interleaved_counters_never_recount_the_gap(tmp_path: Path) -> None:
    values = [100_000, 5_000, 101_000, 6_000, 102_000]
    session(tmp_path, *[tok(f"12:00:0{i}", total=(v, 0, 0)) for i, v in enumerate(values, 1)])
    report = scan(tmp_path)
    assert totals(report) == (102_000, 0, 0)


def test_interleaved_counters_rows_and_flag() -> None:
    from codexbar_core.cost.reduce import Reducer

    reducer = Reducer()
    for i, v in enumerate([100_000, 5_000, 101_000, 6_000, 102_000]):
        reducer.token(i, (v, 0, 0, 0), None, "gpt-5.5", None)
    assert len(reducer.rows) == 3
    assert reducer.interleaved


def test_huge_integer_is_zero(tmp_path: Path) -> None:
    nines = "9" * 100
    line = ('{"timestamp":"2026-07-11T12:00:01Z","type":"event_msg","payload":{"type":"token_count","info":'
            '{"last_token_usage":{"input_tokens":' + nines + ',"cached_input_tokens":0,"output_tokens":5}}}}')
    write(active(tmp_path, "s1"), [meta("s1"), turn("openai/gpt-5.5"), line.encode()])
    assert totals(scan(tmp_path)) == (0, 0, 5)


def test_negative_numbers_are_zero(tmp_path: Path) -> None:
    session(tmp_path, tok("12:00:01", last=(-5, -1, 7)))
    assert totals(scan(tmp_path)) == (0, 0, 7)
