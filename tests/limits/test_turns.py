"""Turns left per model: learnt from generated logs with known ratios, and from the real CLI's logs."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from codexbar_core.cache import Store
from codexbar_core.limits.logtail import newest_logs, records_in, tail
from codexbar_core.limits.turns import MIN_TURNS, learn, recent_rates, turns_left
from codexbar_core.model import RateWindow, UsageSnapshot
from codexbar_core.render.menu import build_menu
from codexbar_core.render.menu_input import HomeView
from tests.limits.gen import UTC, limits, token_count, turn_context, write_log
from tests.menu.samples import menu_input, result

ROOT = Path(__file__).resolve().parents[2]
START = dt.datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
# The truth the generator bills: percent of each window per million tokens.
TRUE = {"gpt-5.5": {300: 8.0, 10080: 1.2}, "gpt-5.6-sol": {300: 20.0, 10080: 3.0}}
TOLERANCE = 0.10  # promised: rates recovered within ±10 % once the evidence threshold is met
INTERLEAVED_TOLERANCE = 0.35  # two models' sessions at the same time


class Account:
    """The server's side: exact usage per window, reported as whole percentages (as the headers are)."""

    def __init__(self) -> None:
        self.used = {300: 0.0, 10080: 0.0}
        self.window_end = {300: START + dt.timedelta(hours=5), 10080: START + dt.timedelta(days=7)}

    def bill(self, model: str, tokens: int, at: dt.datetime) -> dict:
        for minutes in self.used:
            if at >= self.window_end[minutes]:  # an ordinary reset
                self.used[minutes] = 0.0
                self.window_end[minutes] = at + dt.timedelta(minutes=minutes)
            self.used[minutes] += TRUE[model][minutes] * tokens / 1e6
        return limits(round(self.used[300]), round(self.used[10080]), primary_reset=self.window_end[300],
                      secondary_reset=self.window_end[10080])


def generate(home: Path, plan: list[tuple[str, int]], seed: int = 1, interleave: bool = False) -> dict[str, list]:
    """`plan`: (model, turns) sessions; each turn 1-3 requests of 20k-90k tokens, two minutes apart."""
    rng = random.Random(seed)
    account = Account()
    at = START
    sessions = [(model, turns, []) for model, turns in plan]
    order = [i for i, (_, turns, _) in enumerate(sessions) for _ in range(turns)]
    if interleave:
        rng.shuffle(order)
    tokens_per_turn: dict[str, list[int]] = {}
    for i in order:
        model, _, events = sessions[i]
        events.append(turn_context(at, model))
        total = 0
        for _ in range(rng.randint(1, 3)):
            tokens = rng.randint(20_000, 90_000)
            total += tokens
            at += dt.timedelta(seconds=40)
            events.append(token_count(at, tokens, account.bill(model, tokens, at)))
        tokens_per_turn.setdefault(model, []).append(total)
        at += dt.timedelta(minutes=2)
    for i, (model, _, events) in enumerate(sessions):
        write_log(home, START, events, name=f"s{i}-{model}")
    return tokens_per_turn


def rates_of(home: Path):
    return {m.model: m for m in learn([records_in(tail(p, s, 1 << 30)) for p, _, s in newest_logs(str(home), 50)])}


def test_known_ratios_are_recovered_within_the_stated_tolerance(tmp_path):
    generate(tmp_path, [("gpt-5.5", 120), ("gpt-5.6-sol", 80)])
    rates = rates_of(tmp_path)
    for model, truth in TRUE.items():
        for minutes, per_million in truth.items():
            lane = rates[model].lanes[minutes]
            assert lane.enough, (model, minutes, lane)
            assert abs(lane.percent_per_million - per_million) <= TOLERANCE * per_million, (model, minutes, lane)


def test_two_sessions_at_once_are_told_apart_more_roughly(tmp_path):
    # Interleaved turns: each whole-percent step goes to the request that crossed it, so a model's share
    # is noisier (worst of these ten seeds: 30 %); swapped or merged models would be off by over 100 %.
    for seed in range(1, 11):
        home = tmp_path / str(seed)
        generate(home, [("gpt-5.5", 120), ("gpt-5.6-sol", 100)], seed=seed, interleave=True)
        rates = rates_of(home)
        for model, truth in TRUE.items():
            for minutes, per_million in truth.items():
                lane = rates[model].lanes[minutes]
                assert abs(lane.percent_per_million - per_million) <= INTERLEAVED_TOLERANCE * per_million, \
                    (seed, model, minutes, lane)


def test_turns_left_use_the_window_that_runs_out_first_and_the_newest_model_first(tmp_path):
    per_turn = generate(tmp_path, [("gpt-5.5", 120), ("gpt-5.6-sol", 80)])
    rates = learn([records_in(tail(p, s, 1 << 30)) for p, _, s in newest_logs(str(tmp_path), 50)])
    now = START + dt.timedelta(days=1)
    snap = UsageSnapshot(source="oauth", primary=RateWindow(60, 300, now + dt.timedelta(hours=2)),
                         secondary=RateWindow(30, 10080, now + dt.timedelta(days=5)))
    estimates = turns_left(rates, snap, now)
    assert [e.model for e in estimates] == ["gpt-5.6-sol", "gpt-5.5"]  # sol ran last
    sol = estimates[0]
    mean_tokens = sum(per_turn["gpt-5.6-sol"]) / len(per_turn["gpt-5.6-sol"])
    true_turns = 40 / (TRUE["gpt-5.6-sol"][300] * mean_tokens / 1e6)  # 40 % left of the 5-hour window
    assert sol.lane == "5-hour" and abs(sol.turns - true_turns) <= 0.15 * true_turns, (sol, true_turns)
    # the weekly window binds once the 5-hour one is nearly full... and not the other way round
    snap.primary = RateWindow(0, 300, now + dt.timedelta(hours=5))
    snap.secondary = RateWindow(97, 10080, now + dt.timedelta(days=5))
    assert turns_left(rates, snap, now)[0].lane == "weekly"


def test_no_estimate_without_enough_evidence(tmp_path):
    generate(tmp_path, [("gpt-5.5", MIN_TURNS - 1)])
    rates = rates_of(tmp_path)
    snap = UsageSnapshot(source="oauth", primary=RateWindow(10, 300, START + dt.timedelta(hours=3)))
    assert turns_left(list(rates.values()), snap, START) == []


def test_the_real_cli_corpus_gives_no_estimate():
    # the real codex 0.169.0 logged a backend whose percentages never moved (42 % / 17 %): no evidence
    home = ROOT / "tests" / "cost_oracle" / "corpus" / "chatgpt-login"
    rates = recent_rates(str(home))
    assert {m.model for m in rates} >= {"gpt-5"}
    assert all(lane.points == 0 and not lane.enough for m in rates for lane in m.lanes.values())
    assert sum(lane.turns for m in rates for lane in m.lanes.values()) > 0  # the pairs were read


def test_the_estimate_is_remembered_until_a_log_changes(tmp_path):
    generate(tmp_path / "home", [("gpt-5.5", 30)])
    store = Store(tmp_path / "cache")
    first = recent_rates(str(tmp_path / "home"), store)
    assert [m.to_dict() for m in recent_rates(str(tmp_path / "home"), store)] == [m.to_dict() for m in first]
    generate(tmp_path / "home", [("gpt-5.5", 30), ("gpt-5.6-sol", 30)], seed=2)
    assert {m.model for m in recent_rates(str(tmp_path / "home"), store)} == {"gpt-5.5", "gpt-5.6-sol"}


def test_the_menu_labels_the_estimate_and_its_evidence(tmp_path):
    generate(tmp_path, [("gpt-5.6-sol", 60)])
    rates = learn([records_in(tail(p, s, 1 << 30)) for p, _, s in newest_logs(str(tmp_path), 50)])
    from tests.menu.samples import NOW, snapshot

    snap = snapshot(55, 20, extras=False)
    view = HomeView(result(snap), turns=turns_left(rates, snap, NOW))
    lines = [line.split(" | ")[0] for line in build_menu(menu_input([view]), "xbar").splitlines()]
    i = lines.index("Turns left (estimate from your recent turns)")
    assert lines[i + 1].startswith("≈ ") and lines[i + 1].endswith(" turns of gpt-5.6-sol left in this 5-hour window")
    assert lines[i + 2].startswith("--from ") and "per million tokens" in lines[i + 2]


def test_one_turn_left_reads_as_one_turn():
    from codexbar_core.limits.menu_lines import turns_lines
    from codexbar_core.limits.turns import TurnsLeft
    from codexbar_core.render.palette import GREY

    lines = turns_lines([TurnsLeft("gpt-5.2-codex", 1, "5-hour", 11, 650.5, 266.2),
                         TurnsLeft("gpt-5", 6, "5-hour", 25, 349.0, 54.6)], GREY, {})
    texts = [line.text for line in lines]
    assert "≈ 1 turn of gpt-5.2-codex left in this 5-hour window" in texts
    assert "≈ 6 turns of gpt-5 left in this 5-hour window" in texts
