"""The scan state keeps no per-request rows (docs/design/cost-engine.md, "Records"): the rare paths that
need rows read the log again, and each must give what a scan from an empty cache gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codexbar_core.cache import Store
from codexbar_core.cost import lineage
from tests.cost.logs import active, append, archived, logs_db, meta, scan, task, tok, totals, turn, write

GPT55 = (5.0, 0.5, 30.0)  # USD per 1M: input, cached input, output


def strip(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "updatedAt"}


def same_as_full_scan(home: Path, store: Store) -> dict[str, Any]:
    report = scan(home, store=store)
    assert strip(report) == strip(scan(home))  # no store: everything read from nothing
    return report


def parent_lines() -> list[Any]:
    return [meta("parent", "11:00:00"), turn("openai/gpt-5.2-codex"),
            tok("11:00:01", total=(10, 2, 1)), tok("11:00:02", total=(20, 5, 2)), tok("11:00:03", total=(30, 8, 3))]


def child_lines() -> list[Any]:
    return [meta("child", "11:00:02.500", parent="parent"), turn("openai/gpt-5.2-codex"),
            tok("11:00:04", total=(20, 5, 2)), tok("11:00:05", total=(27, 7, 4))]


def test_a_fork_of_a_log_counted_earlier_reads_the_parent_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    write(active(home, "parent"), parent_lines())
    assert totals(same_as_full_scan(home, store)) == (30, 8, 3)
    write(active(home, "child"), child_lines())
    assert totals(same_as_full_scan(home, store)) == (37, 10, 5)  # the child's own 7/2/2 only


def test_a_parent_that_grows_after_the_fork_keeps_the_fork_at_its_fork_time(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    parent = write(active(home, "parent"), parent_lines())
    child = write(active(home, "child"), child_lines())
    assert totals(same_as_full_scan(home, store)) == (37, 10, 5)
    append(parent, [tok("11:00:06", total=(50, 10, 6))])  # resumed: its totals add to the saved ones
    assert totals(same_as_full_scan(home, store)) == (57, 12, 8)
    append(child, [tok("11:00:07", total=(40, 9, 5))])
    assert totals(same_as_full_scan(home, store)) == (70, 14, 9)


def test_a_fast_turn_learnt_after_the_log_was_counted_reprices_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    path = write(active(home, "s1"), [meta("s1"), turn("gpt-5.5"), task("t-1"), tok("12:00:01", last=(1000, 0, 0))])
    same_as_full_scan(home, store)
    append(path, [task("t-2"), tok("12:00:02", last=(2000, 0, 0))])  # counted by a resume
    same_as_full_scan(home, store)
    logs_db(home, [('turn{turn.id=t-1}: session_loop{thread_id=t}: codex_core::client: websocket request: '
                    '{"type": "response.create", "service_tier": "priority", "model": "gpt-5.5"}')])
    report = same_as_full_scan(home, store)
    per_token = GPT55[0] / 1e6
    assert report["totals"]["totalCost"] == pytest.approx(2.5 * 1000 * per_token + 2000 * per_token)


def test_an_archived_copy_found_after_the_active_one_counts_their_union_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "cache")
    home = tmp_path / "home"
    head = [meta("s1"), turn("openai/gpt-5.5"), tok("12:00:01", total=(100, 10, 5), last=(100, 10, 5))]
    write(active(home, "s1"), head)
    assert totals(same_as_full_scan(home, store)) == (100, 10, 5)
    write(archived(home, "s1"), [*head, tok("12:00:02", total=(160, 20, 9), last=(60, 10, 4))])
    assert totals(same_as_full_scan(home, store)) == (160, 20, 9)
    reads: list[str] = []
    real = lineage.plain_rows
    monkeypatch.setattr(lineage, "plain_rows", lambda path, rec: reads.append(path) or real(path, rec))
    assert totals(scan(home, store=store)) == (160, 20, 9)
    assert reads == []  # unchanged copies: their union's totals are kept, the logs are not read again


def cache_bytes(store: Store, prefix: str) -> int:
    cache = store.state_db
    total = 0
    for key in cache.iterkeys():
        if key.startswith(prefix):
            value = cache.get(key)
            total += len(value) if value is not None else 0
    return total


def test_a_logs_saved_state_does_not_grow_with_its_requests(tmp_path: Path) -> None:
    """A log of 3,000 requests costs the cache about what a log of 3 does (no per-request rows)."""
    sizes = []
    for requests in (3, 3000):
        store = Store(tmp_path / f"cache-{requests}")
        home = tmp_path / f"home-{requests}"
        lines: list[Any] = [meta("s1"), turn("gpt-5.5")]
        for i in range(requests):
            n = i + 1
            lines.append(tok(f"12:{i // 60 % 60:02d}:{i % 60:02d}", total=(1000 * n, 500 * n, 10 * n),
                             last=(1000, 500, 10)))
        write(active(home, "s1"), lines)
        assert totals(scan(home, store=store)) == (1000 * requests, 500 * requests, 10 * requests)
        sizes.append(cache_bytes(store, "cost:files:"))
    assert sizes[1] - sizes[0] < 100, sizes
