"""The report's contract shape, and `codexbar cost --json` run as a user would (a subprocess)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.cost.logs import active, meta, scan, tok, turn, write
from tests.rig.runner import base_env, run_codexbar, run_json

DAY_FIELDS = {"date", "inputTokens", "cacheReadTokens", "outputTokens", "reasoningOutputTokens", "totalTokens",
              "totalCost", "modelsUsed", "modelBreakdowns"}
MODEL_FIELDS = {"modelName", "inputTokens", "cacheReadTokens", "outputTokens", "totalTokens", "cost"}


def now_stamp(delta_days: int = 0) -> tuple[str, str]:
    """(local folder day, UTC timestamp) for local noon `delta_days` from today."""
    local_noon = dt.datetime.combine(dt.date.today() + dt.timedelta(days=delta_days), dt.time(12)).astimezone()
    utc = local_noon.astimezone(dt.timezone.utc)
    return local_noon.date().isoformat(), utc.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def make_home(home: Path) -> None:
    today, today_ts = now_stamp()
    earlier, earlier_ts = now_stamp(-3)
    write(active(home, "t", today), [meta("t", day=today), turn("openai/gpt-5.5", day=today),
                                    tok("x", stamp=today_ts, last=(200_000, 100_000, 1000, 300)),
                                    turn("mystery-model", day=today), tok("x", stamp=today_ts, last=(50, 0, 5))])
    write(active(home, "e", earlier), [meta("e", day=earlier), turn("gpt-5-codex", day=earlier),
                                      tok("x", stamp=earlier_ts, last=(1_000_000, 900_000, 10_000))])


def check_shape(report: dict) -> None:
    for key in ("provider", "source", "updatedAt", "since", "until", "sessionTokens", "sessionCostUSD",
                "last30DaysTokens", "last30DaysCostUSD", "daily", "totals", "unpricedModels", "notes"):
        assert key in report, key
    assert report["provider"] == "codex" and report["source"] == "local"
    dates = [d["date"] for d in report["daily"]]
    assert dates == sorted(dates)
    for day in report["daily"]:
        assert set(day) == DAY_FIELDS
        assert day["totalTokens"] == day["inputTokens"] + day["outputTokens"]
        for m in day["modelBreakdowns"]:
            assert set(m) == MODEL_FIELDS
    assert set(report["totals"]) == {"inputTokens", "cacheReadTokens", "outputTokens", "reasoningOutputTokens",
                                     "totalTokens", "totalCost"}


def expected_costs() -> tuple[float, float]:
    today = (100_000 * 5 + 100_000 * 0.5 + 1000 * 30) / 1e6
    earlier = (100_000 * 1.25 + 900_000 * 0.125 + 10_000 * 10) / 1e6
    return today, earlier


def test_report_today_and_window(tmp_path: Path) -> None:
    make_home(tmp_path)
    today = dt.date.today()
    report = scan(tmp_path, (today - dt.timedelta(days=29)).isoformat(), today.isoformat())
    check_shape(report)
    cost_today, cost_earlier = expected_costs()
    assert report["sessionTokens"] == 201_055
    assert report["sessionCostUSD"] == pytest.approx(cost_today)
    assert report["last30DaysTokens"] == 201_055 + 1_010_000
    assert report["last30DaysCostUSD"] == pytest.approx(cost_today + cost_earlier)
    assert report["unpricedModels"] == ["mystery-model"]
    assert report["totals"]["reasoningOutputTokens"] == 300


@pytest.mark.parametrize("tz", ["UTC", "Pacific/Kiritimati"])
def test_codexbar_cost_json(tmp_path: Path, tz: str) -> None:
    home = tmp_path / "codex"
    env = base_env(tmp_path, home, TZ=tz)
    # build the home in the subprocess's zone so "today" means the same day for both
    import os
    import time

    old = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        make_home(home)
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
    reports = run_json(["cost", "--json"], env)
    assert isinstance(reports, list) and len(reports) == 1
    report = reports[0]
    check_shape(report)
    cost_today, cost_earlier = expected_costs()
    assert report["sessionCostUSD"] == pytest.approx(cost_today)
    assert report["last30DaysCostUSD"] == pytest.approx(cost_today + cost_earlier)
    assert len(report["daily"]) == 2
    # a second run within the minute reuses the result; --refresh recomputes the same numbers
    again = run_json(["cost", "--json", "--refresh"], env)[0]
    assert again["daily"] == report["daily"]
    week = run_json(["cost", "--json", "--days", "2"], env)[0]
    assert [d["date"] for d in week["daily"]] == [report["daily"][-1]["date"]]


def test_codexbar_cost_json_with_a_broken_override_file(tmp_path: Path) -> None:
    home = tmp_path / "codex"
    make_home(home)
    env = base_env(tmp_path, home)
    (tmp_path / "config").mkdir(parents=True, exist_ok=True)
    (tmp_path / "config" / "prices.json").write_text("{ nope")
    proc = run_codexbar(["cost", "--json"], env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)[0]
    assert any("Price overrides ignored" in n for n in report["notes"])
    assert report["last30DaysCostUSD"] == pytest.approx(sum(expected_costs()))


def test_every_spelling_of_the_window_gives_one_report_and_bad_values_are_refused(tmp_path: Path) -> None:
    """`cost --json` is read without argparse (commands/cost_args.py); whatever it does not take goes
    to the full parser, so every spelling agrees and a mistake is still named."""
    home = tmp_path / "codex"
    make_home(home)
    env = base_env(tmp_path, home)
    today = dt.date.today()
    since, until = (today - dt.timedelta(days=5)).isoformat(), today.isoformat()
    spellings = [["cost", "--json", "--since", since, "--until", until, "--refresh"],
                 ["cost", f"--since={since}", "--json", f"--until={until}"],
                 ["cost", "--since", since, "--until", until, "--by", "day", "--json"],  # the full parser
                 ["cost", "--json", "--days", "6"],
                 ["cost", "--json", "--days", "2", "--days", "6"]]  # given twice: the full parser, the last wins
    reports = [run_json(args, env)[0] for args in spellings]
    for report in reports:
        report.pop("updatedAt")
        check_shape(dict(report, updatedAt=""))
    assert all(report == reports[0] for report in reports), reports
    assert (reports[0]["since"], reports[0]["until"]) == (since, until)
    assert reports[0]["sessionCostUSD"] == pytest.approx(expected_costs()[0])
    for bad, named in ((["--since", "2026-13-01"], "--since"), (["--days", "six"], "--days"),
                       (["--since"], "--since"), (["--colour"], "--colour")):
        proc = run_codexbar(["cost", "--json", *bad], env)
        assert proc.returncode == 2, (bad, proc.stdout, proc.stderr)
        assert named in proc.stderr and proc.stdout == "", (bad, proc.stderr)
