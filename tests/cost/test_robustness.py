"""Bad input never breaks the report: truncated, malformed, non-UTF-8, huge lines (docs/reference/cost-rules.md, "Line shapes" and "Long lines")."""

from __future__ import annotations

import json
from pathlib import Path

from codexbar_core.cache import Store
from tests.cost.logs import active, append, encode, meta, scan, tok, totals, turn, write


def test_truncated_last_line_waits_for_the_rest(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = write(active(home, "s1"), [meta("s1"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])
    whole = encode([tok("12:00:02", last=(20, 0, 2))])
    with open(path, "ab") as handle:
        handle.write(whole[:40])  # Codex is still writing this line
    first = scan(home, store=store)
    assert totals(first) == (10, 0, 1)
    assert first["notes"] == []  # a line being written is not "malformed"
    with open(path, "ab") as handle:
        handle.write(whole[40:])
    assert totals(scan(home, store=store)) == (30, 0, 3)


def test_complete_last_line_without_newline_counts(tmp_path: Path) -> None:
    path = write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.5")])
    with open(path, "ab") as handle:
        handle.write(json.dumps(tok("12:00:01", last=(10, 0, 1))).encode())
    assert totals(scan(tmp_path)) == (10, 0, 1)


def test_malformed_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    write(active(tmp_path, "s1"), [
        meta("s1"), turn("gpt-5.5"),
        b'{"type":"event_msg","payload":{"type":"token_count","info":{"last_token_usage":{"input_tokens":',
        b'{"type":"event_msg","payload":{"type":"token_count", oops}',
        tok("12:00:01", last=(10, 0, 1)),
        b"[1, 2, 3]  \"token_count\"",
        b"",
        b"plain text"])
    report = scan(tmp_path)
    assert totals(report) == (10, 0, 1)
    assert "3 malformed lines skipped" in report["notes"]


def test_non_utf8_bytes_do_not_lose_the_event(tmp_path: Path) -> None:
    line = json.dumps(tok("12:00:01", last=(10, 0, 1))).encode()
    line = line.replace(b'"info":', b'"note":"caf\xe9 \xff","info":')
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.5"), line,
                                   b'{"type":"response_item","payload":{"text":"\xfe\xfe token_count"}}'])
    assert totals(scan(tmp_path)) == (10, 0, 1)


def test_huge_turn_context_keeps_its_model(tmp_path: Path) -> None:
    big = turn("gpt-5.4", "12:00:00", instructions="x" * 300_000)
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.5"), big, tok("12:00:01", last=(10, 0, 1))])
    report = scan(tmp_path)
    assert report["daily"][0]["modelsUsed"] == ["gpt-5.4"]


def test_huge_turn_context_without_model_keeps_the_previous_one(tmp_path: Path) -> None:
    big = {"timestamp": "2026-07-11T12:00:00Z", "type": "turn_context", "payload": {"cwd": "y" * 300_000}}
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.5"), big, tok("12:00:01", last=(10, 0, 1))])
    assert scan(tmp_path)["daily"][0]["modelsUsed"] == ["gpt-5.5"]


def test_huge_turn_context_whose_closed_payload_has_blank_models_clears_the_model(tmp_path: Path) -> None:
    # the payload closes inside the first 256 KiB; the rest of the line (another field) is cut off
    big = {"timestamp": "2026-07-11T12:00:00Z", "type": "turn_context", "payload": {"model": " ", "cwd": "/x"},
           "extra": "y" * 300_000}
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.5"), big,
                                   tok("12:00:01", last=(10, 0, 1), model="gpt-5.4")])
    assert scan(tmp_path)["daily"][0]["modelsUsed"] == ["gpt-5.4"]  # the event's own model now applies


def test_huge_turn_context_cut_inside_its_payload_takes_the_first_named_model(tmp_path: Path) -> None:
    big = {"timestamp": "2026-07-11T12:00:00Z", "type": "turn_context",
           "payload": {"model_name": "", "model": "gpt-5.4", "cwd": "y" * 300_000}}
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.5"), big, tok("12:00:01", last=(10, 0, 1))])
    assert scan(tmp_path)["daily"][0]["modelsUsed"] == ["gpt-5.4"]


def test_huge_other_lines_are_ignored(tmp_path: Path) -> None:
    huge_event = tok("12:00:02", last=(999, 0, 9))
    huge_event["payload"]["padding"] = "z" * 300_000  # a token_count over 256 KiB is not used
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1)), huge_event])
    assert totals(scan(tmp_path)) == (10, 0, 1)


def test_blank_model_fields_clear_the_model(tmp_path: Path) -> None:
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.5"), turn("  "),
                                   tok("12:00:01", last=(10, 0, 1), model="gpt-5.4")])
    # the turn_context cleared the model, so the event's own model applies
    assert scan(tmp_path)["daily"][0]["modelsUsed"] == ["gpt-5.4"]


def test_turn_context_model_beats_the_event_model(tmp_path: Path) -> None:
    write(active(tmp_path, "s1"), [meta("s1"), turn("gpt-5.4"), tok("12:00:01", last=(10, 0, 1), model="gpt-5")])
    assert scan(tmp_path)["daily"][0]["modelsUsed"] == ["gpt-5.4"]


def test_missing_fields_and_bad_timestamps(tmp_path: Path) -> None:
    write(active(tmp_path, "s1"), [
        meta("s1"), turn("gpt-5.5"),
        {"type": "event_msg", "timestamp": "2026-07-11T12:00:01Z", "payload": {"type": "token_count"}},
        {"type": "event_msg", "timestamp": "2026-07-11T12:00:01Z", "payload": {"type": "token_count", "info": None}},
        tok("12:00:02", last=(5, 0, 1), stamp="2026-07-11T12:00:02"),  # no zone: cannot be placed on a day
        tok("12:00:03", last=(5, 0, 1), stamp="yesterday"),
        b'{"timestamp":"2026-07-11T12:00:04Z","type":"event_msg","payload":{"type":"token_count","info":'
        b'{"last_token_usage":{"input_tokens":"7","output_tokens":null,"cached_input_tokens":1.5e400}}}}',
        tok("12:00:05", last=(10, 0, 1), stamp="2026-07-11T14:00:05+02:00")])
    assert totals(scan(tmp_path)) == (10, 0, 1)


def test_empty_and_unreadable_homes(tmp_path: Path) -> None:
    report = scan(tmp_path / "nowhere")
    assert report["daily"] == [] and report["totals"]["totalCost"] == 0 and report["notes"] == []
    write(active(tmp_path, "s1"), [])
    assert scan(tmp_path)["daily"] == []
    append(active(tmp_path, "s1"), [turn("gpt-5.5")])
    assert scan(tmp_path)["totals"]["totalTokens"] == 0
