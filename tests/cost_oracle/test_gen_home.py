"""bench/gen_home.py, which the oracle comparison and the benchmark trust: deterministic, real line
shapes, cumulative totals that are the running sum of `last`, and a manifest that says what is in it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import gen_home

END = dt.date(2026, 11, 20)
KEYS = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens")


def files_of(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*.jsonl"))}


def test_same_seed_same_home_and_sizes_near_target(scratch: Path) -> None:
    a = gen_home.generate(scratch / "a", files=60, megabytes=3, days=31, end=END, seed=4)
    b = gen_home.generate(scratch / "b", files=60, megabytes=3, days=31, end=END, seed=4)
    assert files_of(scratch / "a") == files_of(scratch / "b")
    assert a == b
    gen_home.generate(scratch / "c", files=60, megabytes=3, days=31, end=END, seed=5)
    assert files_of(scratch / "c") != files_of(scratch / "a")
    assert 2.4e6 < a["bytes"] < 3.6e6
    assert len(files_of(scratch / "a")) == 60
    assert any(p.startswith("archived_sessions/") for p in files_of(scratch / "a"))
    assert sorted(a["days"])[0] == "2026-10-21" and len(a["days"]) >= 31


def test_every_line_has_the_real_shape_and_the_manifest_tells_the_truth(scratch: Path) -> None:
    home = scratch / "home"
    manifest = gen_home.generate(home, files=40, megabytes=2, days=10, end=END, seed=9)
    seen_types: set[str] = set()
    truth: dict[str, dict[str, list[int]]] = {}
    for path in sorted(home.rglob("*.jsonl")):
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert lines[0]["type"] == "session_meta"
        assert lines[0]["payload"]["id"] in path.name
        assert [rec["ordinal"] for rec in lines] == list(range(len(lines)))
        running, model = [0, 0, 0, 0], None
        for rec in lines:
            assert rec["timestamp"].endswith("Z")
            kind = rec["type"] if rec["type"] != "event_msg" else rec["payload"]["type"]
            seen_types.add(kind)
            if kind == "turn_context":
                model = rec["payload"]["model"]
            if kind == "token_count":
                info = rec["payload"]["info"]
                last = [info["last_token_usage"][k] for k in KEYS]
                running = [a + b for a, b in zip(running, last)]
                assert [info["total_token_usage"][k] for k in KEYS] == running
                assert last[1] <= last[0] < 272_000 and last[3] <= last[2]
                day = rec["timestamp"][:10]
                row = truth.setdefault(day, {}).setdefault(model, [0, 0, 0, 0])
                truth[day][model] = [a + b for a, b in zip(row, last)]
    assert {"session_meta", "turn_context", "task_started", "token_count", "task_complete",
            "token_usage_record", "response_item"} <= seen_types
    want = {day: {m: [v["input"], v["cached"], v["output"], v["reasoning"]] for m, v in models.items()}
            for day, models in manifest["days"].items()}
    assert truth == want
