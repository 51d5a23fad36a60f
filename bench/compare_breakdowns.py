#!/usr/bin/env python3
"""Oracle check of `codexbar cost --by session` and `--by month` against ccusage on the same home.

    .venv/bin/python bench/compare_breakdowns.py HOME --since D --until D [--json OUT]

Runs `ccusage codex session|monthly --json --offline --timezone UTC --speed standard` and
`codexbar cost --json --by session|month --since --until --refresh` (fresh cache, TZ=UTC) and
compares per session (matched by log file name) and per month: input (incl. cached), cached,
output, reasoning and total tokens exactly, cost to 1e-6 $, and the session's last activity.
Exit 0 when all agree, 1 on a difference, 2 when a tool failed. The rules behind the differences
that remain by design are in docs/decisions/cost-breakdowns.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import runners  # noqa: E402

FIELDS = ("input", "cached", "output", "reasoning", "total", "cost")
COST_TOLERANCE = 1e-6


@dataclass
class Row:
    input: int
    cached: int
    output: int
    reasoning: int
    total: int
    cost: float | None
    last: str | None = None


@dataclass
class Comparison:
    sessions_ours: dict[str, Row]
    sessions_theirs: dict[str, Row]
    months_ours: dict[str, Row]
    months_theirs: dict[str, Row]
    differences: list[dict[str, Any]] = field(default_factory=list)

    def check(self) -> Comparison:
        for kind, ours, theirs in (("session", self.sessions_ours, self.sessions_theirs),
                                   ("month", self.months_ours, self.months_theirs)):
            for key in sorted(set(ours) | set(theirs)):
                a, b = ours.get(key), theirs.get(key)
                names = FIELDS + (("last",) if kind == "session" else ())
                for name in names:
                    va = getattr(a, name) if a else None
                    vb = getattr(b, name) if b else None
                    if not _same(name, va, vb):
                        self.differences.append({"kind": kind, "key": key, "field": name, "codexbar": va,
                                                 "ccusage": vb})
        return self

    @property
    def ok(self) -> bool:
        return not self.differences

    def table(self) -> str:
        lines = [f"{len(self.sessions_ours)} sessions (codexbar) / {len(self.sessions_theirs)} (ccusage), "
                 f"{len(self.months_ours)} months / {len(self.months_theirs)}"]
        for d in self.differences[:40]:
            lines.append(f"  differs: {d['kind']} {d['key']} {d['field']}: codexbar={d['codexbar']} "
                         f"ccusage={d['ccusage']}")
        lines.append(f"{len(self.differences)} differing values")
        return "\n".join(lines)


def _instant(stamp: Any) -> Any:
    """ccusage repeats the log's timestamp text; codexbar writes milliseconds: compare the instants."""
    try:
        return dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return stamp


def _same(name: str, a: Any, b: Any) -> bool:
    if name == "last":
        return a is b if a is None or b is None else _instant(a) == _instant(b)
    if name != "cost":
        return a == b
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) <= COST_TOLERANCE * max(1.0, abs(float(a)))


def _theirs(row: dict[str, Any]) -> Row:
    """ccusage's `inputTokens` leaves cached reads out; its total is input + cached + output."""
    cached = int(row.get("cacheReadTokens") or 0)
    return Row(int(row.get("inputTokens") or 0) + cached, cached, int(row.get("outputTokens") or 0),
               int(row.get("reasoningOutputTokens") or 0), int(row.get("totalTokens") or 0), row.get("costUSD"),
               row.get("lastActivity"))


def _ours(row: dict[str, Any]) -> Row:
    return Row(row["inputTokens"], row["cacheReadTokens"], row["outputTokens"], row["reasoningOutputTokens"],
               row["totalTokens"], row["totalCost"], row.get("lastActivity"))


def run_ccusage(home: Path, report: str, since: dt.date, until: dt.date) -> dict[str, Any]:
    binary = runners.ccusage_binary()
    if binary is None:
        raise RuntimeError("ccusage not installed (bench/install_ccusage.sh)")
    args = [str(binary), "codex", report, "--json", "--offline", "--timezone", "UTC", "--speed", "standard",
            "--since", since.isoformat(), "--until", until.isoformat()]
    proc = subprocess.run(args, env=runners.clean_env(CODEX_HOME=str(home)), capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"ccusage exit {proc.returncode}: {proc.stderr.strip()[:500]}")
    return json.loads(proc.stdout)


def run_codexbar(home: Path, work: Path, by: str, since: dt.date, until: dt.date) -> dict[str, Any]:
    cache, config = work / "cache", work / "config"
    shutil.rmtree(cache, ignore_errors=True)
    for folder in (cache, config):
        folder.mkdir(parents=True, exist_ok=True)
    args = [*runners.codexbar_command(), "cost", "--json", "--by", by, "--since", since.isoformat(),
            "--until", until.isoformat(), "--refresh"]
    proc = subprocess.run(args, env=runners.codexbar_env(home, cache, config), capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"codexbar exit {proc.returncode}: {proc.stderr.strip()[:500]}")
    return json.loads(proc.stdout)[0]


def compare(home: Path, work: Path, since: dt.date, until: dt.date) -> Comparison:
    ours_s = run_codexbar(home, work, "session", since, until)["sessions"]
    ours_m = run_codexbar(home, work, "month", since, until)["monthly"]
    theirs_s = run_ccusage(home, "session", since, until)["sessions"]
    theirs_m = run_ccusage(home, "monthly", since, until)["monthly"]
    # one log, one key: its file name without `.jsonl` (ccusage's `sessionFile`)
    return Comparison({Path(s["file"]).stem: _ours(s) for s in ours_s},
                      {s["sessionFile"]: _theirs(s) for s in theirs_s},
                      {m["month"]: _ours(m) for m in ours_m}, {m["month"]: _theirs(m) for m in theirs_m}).check()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("home", type=Path)
    ap.add_argument("--since", type=dt.date.fromisoformat, required=True)
    ap.add_argument("--until", type=dt.date.fromisoformat, required=True)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="codexbar-cmp-bd-"))
    try:
        result = compare(args.home, work, args.since, args.until)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(result.table())
    if args.json:
        args.json.write_text(json.dumps({"ok": result.ok, "differences": result.differences}, indent=2))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
