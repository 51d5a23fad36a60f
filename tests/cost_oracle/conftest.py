"""What the cost oracles share: bench/ on the import path (gen_home, runners, compare_*: the same code
the benchmark runs) and the ccusage binary. pytest loads this before the test modules of this folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import runners  # noqa: E402


@pytest.fixture(scope="session")
def ccusage() -> Path:
    """The ccusage oracle (bench/install_ccusage.sh); its tests are skipped where it is not installed."""
    binary = runners.ccusage_binary()
    if binary is None:
        pytest.skip("ccusage not installed (bench/install_ccusage.sh)")
    return binary
