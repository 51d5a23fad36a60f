"""Independent oracle: ccusage (installed by bench/install_ccusage.sh) and `codexbar cost --json` agree
per day on a generated home of ordinary sessions (total, input, cached and output tokens, cost), and
both agree with what the generator wrote. Skipped when ccusage is not installed.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import compare_ccusage  # noqa: E402
import gen_home  # noqa: E402
import runners  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ccusage() -> Path:
    binary = runners.ccusage_binary()
    if binary is None:
        pytest.skip("ccusage not installed (bench/install_ccusage.sh)")
    return binary


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
