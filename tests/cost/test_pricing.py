"""Prices per event (docs/reference/cost-rules.md, "Pricing"), normalisation and the override file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codexbar_core.cost.pricing import PICO, load_price_table
from tests.cost.logs import active, meta, scan, tok, turn, write

TABLE = load_price_table(None)
TERRA_CUTOFF_MS = 1_785_369_600_000


def cost(model: str, inp: int, cached: int, out: int, ts_ms: int | None = None) -> float | None:
    res = TABLE.resolve(model)
    return None if res.price is None else res.price.cost(ts_ms, inp, cached, out) / PICO


@pytest.mark.parametrize("model,tokens,expected", [
    ("gpt-5.5", (100, 10, 5), 90 * 5e-6 + 10 * 5e-7 + 5 * 3e-5),
    ("gpt-5-codex", (1000, 900, 10), 100 * 1.25e-6 + 900 * 1.25e-7 + 10 * 1e-5),
    ("gpt-5.5", (20, 500, 5), 20 * 5e-7 + 5 * 3e-5),
    ("gpt-5.5", (300_000, 200_000, 10), 100_000 * 1e-5 + 200_000 * 1e-6 + 10 * 4.5e-5),
    ("gpt-5.5", (272_000, 0, 0), 272_000 * 5e-6),
    ("gpt-5.5-pro", (100, 10, 5), 100 * 3e-5 + 5 * 1.8e-4),
    ("gpt-5.4", (272_001, 0, 10), 272_001 * 5e-6 + 10 * 2.25e-5),
    ("gpt-5.3-codex-spark", (1000, 100, 100), 0.0),
])
def test_spec_price_examples(model: str, tokens: tuple[int, int, int], expected: float) -> None:
    assert cost(model, *tokens) == pytest.approx(expected, abs=1e-15)


def test_terra_uses_the_rate_in_force_on_the_event_date() -> None:
    before = cost("gpt-5.6-terra", 100, 10, 5, TERRA_CUTOFF_MS - 1000)
    after = cost("gpt-5.6-terra", 100, 10, 5, TERRA_CUTOFF_MS + 1000)
    assert before == pytest.approx(90 * 2.5e-6 + 10 * 2.5e-7 + 5 * 1.5e-5, abs=1e-15)
    assert after == pytest.approx(90 * 2e-6 + 10 * 2e-7 + 5 * 1.2e-5, abs=1e-15)


def test_luna_dated_and_sol_alias() -> None:
    assert cost("gpt-5.6-luna", 200_000, 0, 0, TERRA_CUTOFF_MS - 1) == pytest.approx(0.2)
    assert cost("gpt-5.6-luna", 200_000, 0, 0, TERRA_CUTOFF_MS) == pytest.approx(0.04)
    assert cost("gpt-5.6-luna", 300_000, 0, 0, TERRA_CUTOFF_MS - 1) == pytest.approx(0.6)  # old long-context
    assert TABLE.resolve("gpt-5.6").name == "gpt-5.6-sol"
    assert cost("gpt-5.6", 100_000, 20_000, 20_000) == pytest.approx(1.01)


@pytest.mark.parametrize("raw,name", [
    ("openai/gpt-5.5", "gpt-5.5"),
    ("gpt-5.4-pro-2026-03-05", "gpt-5.4-pro"),
    ("gpt-5.5-2026-04-23", "gpt-5.5"),
    (" gpt-5.2-codex ", "gpt-5.2-codex"),
    ("mystery-model-2026-01-01", "mystery-model-2026-01-01"),
])
def test_model_names_are_normalised(raw: str, name: str) -> None:
    assert TABLE.resolve(raw).name == name


@pytest.mark.parametrize("raw", ["deepseek/deepseek-v3", "kimi-coding/k2", "opencode/gpt-5.5", "acme/x"])
def test_other_providers_are_excluded(raw: str) -> None:
    assert TABLE.resolve(raw).excluded


def test_report_prices_per_event_not_per_day(tmp_path: Path) -> None:
    # two 200k-token requests: a day aggregate of 400k must not switch to long-context rates
    write(active(tmp_path, "s1"), [meta("s1"), turn("openai/gpt-5.5"),
                                   tok("12:00:01", last=(200_000, 0, 0)), tok("12:00:02", last=(200_000, 0, 0))])
    report = scan(tmp_path)
    assert report["totals"]["totalCost"] == pytest.approx(400_000 * 5e-6)


def test_unknown_and_other_provider_models_in_the_report(tmp_path: Path) -> None:
    write(active(tmp_path, "s1"), [meta("s1"), turn(None),
                                   tok("12:00:01", last=(100, 0, 10)),
                                   tok("12:00:02", last=(50, 0, 5), model="deepseek/deepseek-v3"),
                                   tok("12:00:03", last=(200_000, 0, 0), model="openai/gpt-5.5")])
    report = scan(tmp_path)
    day = report["daily"][0]
    by_model = {m["modelName"]: m for m in day["modelBreakdowns"]}
    assert set(by_model) == {"unknown", "gpt-5.5"}  # deepseek routed elsewhere: not Codex cost
    assert by_model["unknown"]["cost"] is None and by_model["unknown"]["totalTokens"] == 110
    assert by_model["gpt-5.5"]["cost"] == pytest.approx(1.0)
    assert report["unpricedModels"] == ["unknown"]
    assert day["totalCost"] == pytest.approx(1.0)  # only priced rows sum up
    assert report["totals"]["totalTokens"] == 200_110


def test_day_of_only_unpriced_models_has_no_cost(tmp_path: Path) -> None:
    write(active(tmp_path, "s1"), [meta("s1"), turn("my-local-llm"), tok("12:00:01", last=(100, 0, 10))])
    report = scan(tmp_path)
    assert report["daily"][0]["totalCost"] is None
    assert report["last30DaysCostUSD"] is None
    assert report["unpricedModels"] == ["my-local-llm"]


def test_override_file_prices_models(tmp_path: Path) -> None:
    overrides = tmp_path / "prices.json"
    overrides.write_text(json.dumps({
        "my-local-llm": {"input": 1, "output": 2},
        "openai/gpt-5.5": {"input": 10, "cachedInput": 1, "output": 100,
                           "longContext": {"threshold": 1000, "input": 20, "cachedInput": 2, "output": 200}},
    }))
    home = tmp_path / "home"
    write(active(home, "s1"), [meta("s1"), turn("my-local-llm"), tok("12:00:01", last=(1_000_000, 500_000, 1000)),
                               turn("gpt-5.5"), tok("12:00:02", last=(1000, 0, 0)), tok("12:00:03", last=(1001, 0, 0))])
    report = scan(home, overrides=overrides)
    by_model = {m["modelName"]: m["cost"] for m in report["daily"][0]["modelBreakdowns"]}
    assert by_model["my-local-llm"] == pytest.approx(1.0 + 0.002)  # no cachedInput: cached at the input rate
    assert by_model["gpt-5.5"] == pytest.approx(1000 * 10e-6 + 1001 * 20e-6)
    assert report["unpricedModels"] == []


@pytest.mark.parametrize("content,fragment", [
    ("{not json", "Price overrides ignored"),
    ("[1, 2]", "Price overrides ignored"),
    ('{"gpt-5.5": {"input": "cheap"}}', "Price override skipped for gpt-5.5"),
])
def test_broken_override_file_is_noted_not_fatal(tmp_path: Path, content: str, fragment: str) -> None:
    overrides = tmp_path / "prices.json"
    overrides.write_text(content)
    home = tmp_path / "home"
    write(active(home, "s1"), [meta("s1"), turn("gpt-5.5"), tok("12:00:01", last=(200_000, 0, 0))])
    report = scan(home, overrides=overrides)
    assert report["totals"]["totalCost"] == pytest.approx(1.0)  # bundled price still applies
    assert any(fragment in note for note in report["notes"])


@pytest.mark.parametrize("model,expected", [
    ("gpt-5.6-sol", 2.02), ("gpt-5.6-terra", 0.808), ("gpt-5.6-luna", 0.0808)])
def test_fast_tier_examples(model: str, expected: float) -> None:
    price = TABLE.resolve(model).price
    assert price is not None
    assert price.cost(TERRA_CUTOFF_MS, 100_000, 20_000, 20_000, fast=True) / PICO == pytest.approx(expected)


def test_fast_tier_multipliers_and_exceptions() -> None:
    gpt54 = TABLE.resolve("gpt-5.4").price
    assert gpt54 is not None
    assert gpt54.cost(None, 100, 20, 10, fast=True) / PICO == pytest.approx(80 * 5e-6 + 20 * 5e-7 + 10 * 3e-5)
    long_request = gpt54.cost(None, 272_001, 0, 10, fast=True)
    assert long_request == gpt54.cost(None, 272_001, 0, 10)  # long context cannot be Fast
    gpt55 = TABLE.resolve("gpt-5.5").price
    assert gpt55 is not None and gpt55.cost(None, 100, 0, 0, fast=True) == 2.5 * gpt55.cost(None, 100, 0, 0)
    codex = TABLE.resolve("gpt-5-codex").price
    assert codex is not None and codex.cost(None, 100, 0, 0, fast=True) == codex.cost(None, 100, 0, 0)
