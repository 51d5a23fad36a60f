"""What a fake Responses API served, summed the way `codexbar cost --json` reports it.

The rates are docs/reference/cost-rules.md "Pricing"'s (USD per 1M: input, cached input, output) for the models the corpora
use; every served request is far below the 272K long-context threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest

LISTED_RATES: dict[str, tuple[float, float, float]] = {
    "gpt-5": (1.25, 0.125, 10), "gpt-5-codex": (1.25, 0.125, 10), "gpt-5-mini": (0.25, 0.025, 2),
    "gpt-5.1-codex-max": (1.25, 0.125, 10), "gpt-5.1-codex-mini": (0.25, 0.025, 2),
    "gpt-5.2-codex": (1.75, 0.175, 14), "gpt-5.4": (2.5, 0.25, 15), "gpt-5.5": (5, 0.5, 30),
}


@dataclass(frozen=True)
class Served:
    """One `/responses` answer: its model, usage (Responses API field names) and when it was sent."""

    model: str
    usage: dict[str, Any]
    at: dt.datetime | None = None
    session_id: str | None = None

    @property
    def tokens(self) -> tuple[int, int, int, int]:
        u = self.usage
        return (int(u["input_tokens"]), int(u["input_tokens_details"]["cached_tokens"]),
                int(u["output_tokens"]), int(u["output_tokens_details"]["reasoning_tokens"]))


def price(model: str, inp: int, cached: int, out: int) -> float:
    rate_in, rate_cached, rate_out = LISTED_RATES[model]
    return ((inp - cached) * rate_in + cached * rate_cached + out * rate_out) / 1e6


@dataclass
class Sums:
    input: int = 0
    cached: int = 0
    output: int = 0
    reasoning: int = 0
    cost: float = 0.0

    def add(self, s: Served) -> None:
        inp, cached, out, reasoning = s.tokens
        self.input += inp
        self.cached += cached
        self.output += out
        self.reasoning += reasoning
        self.cost += price(s.model, inp, cached, out)

    @property
    def total(self) -> int:
        return self.input + self.output


def by_model(served: Iterable[Served]) -> dict[str, Sums]:
    out: dict[str, Sums] = {}
    for s in served:
        out.setdefault(s.model, Sums()).add(s)
    return out


def by_day(served: Iterable[Served], tz: dt.tzinfo) -> dict[str, Sums]:
    out: dict[str, Sums] = {}
    for s in served:
        assert s.at is not None
        out.setdefault(s.at.astimezone(tz).date().isoformat(), Sums()).add(s)
    return out


def overall(served: Iterable[Served]) -> Sums:
    total = Sums()
    for s in served:
        total.add(s)
    return total


def report_models(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """codexbar's per-model numbers summed over the report's days."""
    out: dict[str, dict[str, Any]] = {}
    for day in report.get("daily") or []:
        for m in day.get("modelBreakdowns") or []:
            acc = out.setdefault(m["modelName"], {"input": 0, "cached": 0, "output": 0, "total": 0, "cost": 0.0})
            acc["input"] += m["inputTokens"]
            acc["cached"] += m["cacheReadTokens"]
            acc["output"] += m["outputTokens"]
            acc["total"] += m["totalTokens"]
            acc["cost"] = None if acc["cost"] is None or m.get("cost") is None else acc["cost"] + m["cost"]
    return out


def assert_matches(report: dict, served: list[Served], tz: dt.tzinfo) -> None:
    want_days = by_day(served, tz)
    got_days = {d["date"]: d for d in report["daily"] if d["totalTokens"]}
    assert sorted(got_days) == sorted(want_days)
    for day, want in want_days.items():
        got = got_days[day]
        assert (got["inputTokens"], got["cacheReadTokens"], got["outputTokens"], got["totalTokens"]) == (
            want.input, want.cached, want.output, want.total), day
        assert got["reasoningOutputTokens"] == want.reasoning, day
        assert got["totalCost"] == pytest.approx(want.cost, abs=1e-9), day
    models = report_models(report)
    for model, want in by_model(served).items():
        got = models.pop(model)
        assert (got["input"], got["cached"], got["output"], got["total"]) == (
            want.input, want.cached, want.output, want.total), model
        assert got["cost"] == pytest.approx(want.cost, abs=1e-9), model
    assert models == {}, f"models nobody served: {models}"
    total = overall(served)
    t = report["totals"]
    assert (t["inputTokens"], t["cacheReadTokens"], t["outputTokens"], t["totalTokens"]) == (
        total.input, total.cached, total.output, total.total)
    assert t["totalCost"] == pytest.approx(total.cost, abs=1e-9)
    assert report.get("unpricedModels") in (None, [])


def window(served: list[Served], tz: dt.tzinfo) -> tuple[str, str]:
    days = sorted(by_day(served, tz))
    return days[0], days[-1]
