"""Independent oracle: ccusage (installed by bench/install_ccusage.sh) and `codexbar cost --json` agree
per day on a generated home of ordinary sessions (total, input, cached and output tokens, cost), and
both agree with what the generator wrote. Skipped when ccusage is not installed.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import compare_ccusage
import gen_home
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
pytestmark = pytest.mark.slow


def test_codexbar_agrees_with_ccusage_per_day(ccusage: Path, scratch: Path) -> None:
    home = scratch / "home"
    end = dt.datetime.now(dt.timezone.utc).date()
    manifest = gen_home.generate(home, files=150, megabytes=8, days=33, end=end, seed=11)
    assert len(manifest["days"]) >= 33
    result = compare_ccusage.compare(home, scratch / "work")
    assert len(result.codexbar) >= 33
    assert result.ok, result.table()


def test_compare_script_exits_nonzero_on_a_difference(ccusage: Path, scratch: Path) -> None:
    """The script is a real check: a home where the tools must disagree makes it fail."""
    home = scratch / "home"
    end = dt.datetime.now(dt.timezone.utc).date()
    # gpt-5.3-codex-spark is free in codexbar's table (research preview); ccusage prices it
    gen_home.generate(home, files=4, megabytes=0.2, days=2, end=end, seed=5, models=("gpt-5.3-codex-spark",))
    proc = subprocess.run([sys.executable, str(BENCH / "compare_ccusage.py"), str(home)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "differs:" in proc.stdout and "cost" in proc.stdout


def write_one_request(home: Path, day: str, model: str, inp: int, cached: int, out: int, n: int) -> None:
    """A minimal ordinary session (compact JSON, like codex) with one request on `day`."""
    sid = f"01900000-0000-7000-8000-{n:012d}"
    path = home / "sessions" / day.replace("-", "/") / f"rollout-{day}T10-00-00-{sid}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    usage = gen_home.usage(inp, cached, out, 0)
    lines = [
        {"timestamp": f"{day}T10:00:00.000Z", "type": "session_meta",
         "payload": {"id": sid, "timestamp": f"{day}T10:00:00.000Z", "cwd": "/w", "source": "cli"}},
        {"timestamp": f"{day}T10:00:01.000Z", "type": "turn_context", "payload": {"model": model, "cwd": "/w"}},
        {"timestamp": f"{day}T10:00:02.000Z", "type": "event_msg", "payload": {
            "type": "token_count", "info": {"total_token_usage": usage, "last_token_usage": usage}}},
    ]
    path.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines))


# day -> (model, input, cached, output, differs): the rows bench/README.md explains
CASES = {
    "2026-07-01": ("gpt-5.6-terra", 100_000, 0, 0, True),  # dated rate before 2026-07-30
    "2026-11-01": ("gpt-5.6-sol", 100_000, 0, 0, True),  # ccusage has lower Sol rates
    "2026-11-02": ("gpt-5.3-codex-spark", 100_000, 0, 0, True),  # free research preview for codexbar
    "2026-11-03": ("mystery-model", 100_000, 0, 0, True),  # unpriced: null vs 0
    "2026-11-04": ("gpt-5.5", 300_000, 100_000, 1_000, False),  # long context, same in both
    "2026-11-05": ("openai/gpt-5.5-2026-04-23", 100_000, 50_000, 10, False),
    "2026-11-06": ("gpt-5.4", 272_000, 0, 0, False),  # threshold is inclusive in both
    "2026-11-07": ("gpt-5.6-terra", 100_000, 20_000, 500, False),  # current rates
    "2026-11-08": ("gpt-5-pro", 100_000, 90_000, 1_000, False),  # no cache rate
}


def test_known_differences_are_exactly_the_explained_ones(ccusage: Path, scratch: Path) -> None:
    home = scratch / "home"
    for n, (day, (model, inp, cached, out, _)) in enumerate(sorted(CASES.items())):
        write_one_request(home, day, model, inp, cached, out, n)
    result = compare_ccusage.compare(home, scratch / "work", dt.date(2026, 6, 30), dt.date(2026, 11, 10))
    differing = {(d["day"], d["field"]) for d in result.differences}
    assert differing == {(day, "cost") for day, case in CASES.items() if case[4]}, result.table()


@pytest.mark.parametrize("corpus", ["chatgpt-login", "api-key-provider"])
def test_both_tools_agree_on_files_the_real_cli_wrote(corpus: str, ccusage: Path, scratch: Path) -> None:
    home = Path(__file__).parent / "corpus" / corpus
    result = compare_ccusage.compare(home, scratch / "work", dt.date(2026, 11, 22), dt.date(2026, 11, 25))
    assert result.codexbar and result.ok, result.table()
