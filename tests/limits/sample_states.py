"""Print the menu in the states of docs/decisions/limits.md, as a user sees it (for reading it, and the README).

    .venv/bin/python tests/limits/sample_states.py [exhausted|credit|estimate|logs]...
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib"))

from codexbar_core.limits.turns import TurnsLeft  # noqa: E402
from codexbar_core.model import Credits, SourceAttempt, SourceTrace, UsageResult  # noqa: E402
from codexbar_core.render.menu import build_menu  # noqa: E402
from codexbar_core.render.menu_input import HomeView  # noqa: E402
from tests.menu.sample_menu import plain_view  # noqa: E402
from tests.menu.samples import NOW, cost_report, menu_input, result, snapshot  # noqa: E402


def state(name: str) -> HomeView:
    if name == "exhausted":  # weekly empty, nothing banked
        return HomeView(result(snapshot(35, 100, weekly_reset_d=1.9)), cost_report())
    if name == "credit":  # weekly empty, two reset credits banked
        snap = snapshot(35, 100, weekly_reset_d=1.9)
        snap.credits = Credits(balance=0.0, reset_credits_available=2,
                               reset_credits_next_expiry=NOW + dt.timedelta(hours=20))
        return HomeView(result(snap), cost_report())
    if name == "estimate":
        turns = [TurnsLeft("gpt-5.6-sol", 40, "5-hour", 52, 31, 19.8), TurnsLeft("gpt-5.5", 112, "5-hour", 140, 44, 7.9)]
        return HomeView(result(snapshot(48, 30)), cost_report(), turns=turns)
    if name == "logs":  # no login, no CLI: the last Codex turn's numbers
        snap = snapshot(64, 21, extras=False, fetched_ago_s=47 * 60)
        snap.source, snap.identity.email, snap.cli_version, snap.web = "logs", None, None, None
        trace = SourceTrace("auto", "default", [
            SourceAttempt("oauth", "failed", "Codex auth.json not found. Run `codex login` to sign in.",
                          "missing_credentials"),
            SourceAttempt("cli", "failed", "Codex CLI missing.", "missing_binary"),
            SourceAttempt("logs", "ok", "the newest Codex session log")])
        err = {"kind": "missing_credentials", "message": "Codex auth.json not found. Run `codex login` to sign in."}
        return HomeView(UsageResult("default", "/Users/dana/.codex", snap, trace, error=err), cost_report())
    raise SystemExit(f"unknown state {name!r}")


def main(argv: list[str]) -> int:
    for name in argv or ["exhausted", "credit", "estimate", "logs"]:
        text = build_menu(menu_input([state(name)]), "swiftbar")
        body = plain_view(text, brief=True)
        keep = body.split("Cost (local sessions)")[0]  # the usage part is what these states change
        print(f"=== {name} ===\n{keep.rstrip()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
