#!/usr/bin/env python3
"""Oracle check: codexbar's per-day cost report against ccusage's on the same Codex home.

    .venv/bin/python bench/compare_ccusage.py HOME [--since D --until D] [--json OUT]
    .venv/bin/python bench/compare_ccusage.py --generate /var/tmp/cmp-home --files 300 --mb 30

Runs `ccusage codex daily --json --offline --timezone UTC --speed standard` and
`codexbar cost --json --since --until --refresh` (fresh cache, TZ=UTC) on HOME and compares per
day: total tokens, input (incl. cached), cached, output, and cost. When HOME was made by
bench/gen_home.py, its `gen_manifest.json` (what the generator wrote) is a third column, so a
difference says which side is off. Exit 0 when every day agrees (tokens exactly, cost to 1e-6 $),
1 when some day differs, 2 when a tool failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import runners  # noqa: E402
from runners import Day  # noqa: E402

# docs/reference/cost-rules.md "Pricing" rates (USD per 1M: input, cached input, output) for the models gen_home.py writes;
# every generated request stays under 272K input tokens, so no long-context rates.
LISTED_PRICES: dict[str, tuple[float, float, float]] = {
    "gpt-5": (1.25, 0.125, 10), "gpt-5-codex": (1.25, 0.125, 10), "gpt-5-mini": (0.25, 0.025, 2),
    "gpt-5.1-codex-max": (1.25, 0.125, 10), "gpt-5.1-codex-mini": (0.25, 0.025, 2),
    "gpt-5.2": (1.75, 0.175, 14), "gpt-5.2-codex": (1.75, 0.175, 14), "gpt-5.4": (2.5, 0.25, 15),
    "gpt-5.5": (5, 0.5, 30),
}
FIELDS = ("total", "input", "cached", "output", "cost")
COST_TOLERANCE = 1e-6  # float sums in a different order; a real pricing difference is far larger


def manifest_days(manifest: dict[str, Any]) -> dict[str, Day]:
    days: dict[str, Day] = {}
    for day, models in manifest.get("days", {}).items():
        inp = sum(v["input"] for v in models.values())
        cached = sum(v["cached"] for v in models.values())
        out = sum(v["output"] for v in models.values())
        cost: float | None = 0.0
        for model, v in models.items():
            rates = LISTED_PRICES.get(model)
            if rates is None or cost is None:
                cost = None
                continue
            cost += ((v["input"] - v["cached"]) * rates[0] + v["cached"] * rates[1] + v["output"] * rates[2]) / 1e6
        days[day] = Day(total=inp + out, input=inp, cached=cached, output=out, cost=cost)
    return days


def same(field_name: str, a: Any, b: Any) -> bool:
    if field_name != "cost":
        return a == b
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) <= COST_TOLERANCE * max(1.0, abs(float(a)))


@dataclass
class Comparison:
    since: dt.date | None
    until: dt.date | None
    codexbar: dict[str, Day]
    ccusage: dict[str, Day]
    truth: dict[str, Day] | None
    differences: list[dict[str, Any]] = field(default_factory=list)

    def check(self) -> Comparison:
        for day in sorted(set(self.codexbar) | set(self.ccusage) | set(self.truth or {})):
            ours, theirs = self.codexbar.get(day), self.ccusage.get(day)
            truth = (self.truth or {}).get(day)
            for name in FIELDS:
                a = getattr(ours, name) if ours else None
                b = getattr(theirs, name) if theirs else None
                t = getattr(truth, name) if truth else None
                if not same(name, a, b) or (self.truth is not None and not same(name, a, t)):
                    self.differences.append({"day": day, "field": name, "codexbar": a, "ccusage": b,
                                             "generated": t})
        return self

    @property
    def ok(self) -> bool:
        return not self.differences

    def as_json(self) -> dict[str, Any]:
        def dump(days: dict[str, Day] | None) -> dict[str, Any] | None:
            return None if days is None else {k: v.as_dict() for k, v in sorted(days.items())}

        return {"since": str(self.since), "until": str(self.until), "ok": self.ok,
                "differences": self.differences, "codexbar": dump(self.codexbar),
                "ccusage": dump(self.ccusage), "generated": dump(self.truth)}

    def table(self) -> str:
        lines = [f"{'day':10}  {'total tokens':>14} {'cached':>13} {'output':>11} "
                 f"{'codexbar $':>12} {'ccusage $':>12}  agree"]
        bad_days = {d["day"] for d in self.differences}
        for day in sorted(set(self.codexbar) | set(self.ccusage)):
            ours = self.codexbar.get(day) or Day(0, 0, 0, 0, None)
            theirs = self.ccusage.get(day) or Day(0, 0, 0, 0, None)

            def money(x: float | None) -> str:
                return "-" if x is None else f"{x:.6f}"

            lines.append(f"{day:10}  {ours.total:>14,} {ours.cached:>13,} {ours.output:>11,} "
                         f"{money(ours.cost):>12} {money(theirs.cost):>12}  {'NO' if day in bad_days else 'yes'}")
        tot = [sum(getattr(d, f) or 0 for d in self.codexbar.values()) for f in ("total", "cached", "output")]
        cost_ours = sum(d.cost or 0 for d in self.codexbar.values())
        cost_theirs = sum(d.cost or 0 for d in self.ccusage.values())
        lines.append(f"{'all':10}  {tot[0]:>14,} {tot[1]:>13,} {tot[2]:>11,} {cost_ours:>12.6f} {cost_theirs:>12.6f}")
        for d in self.differences[:40]:
            lines.append(f"  differs: {d['day']} {d['field']}: codexbar={d['codexbar']} ccusage={d['ccusage']}"
                         f" generated={d['generated']}")
        lines.append(f"{len(self.codexbar)} days, {len(self.differences)} differing values")
        return "\n".join(lines)


def compare(home: Path, work: Path, since: dt.date | None = None, until: dt.date | None = None) -> Comparison:
    manifest_path = home / "gen_manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    if manifest is not None:
        since = since or dt.date.fromisoformat(manifest["since"])
        until = until or dt.date.fromisoformat(manifest["until"])
    if since is None or until is None:  # the tools' own defaults differ (ccusage: everything; codexbar: 30 days)
        raise ValueError(f"{home} has no gen_manifest.json: give --since and --until")
    theirs = runners.ccusage_days(runners.run_ccusage(home, since, until))
    ours = runners.codexbar_days(runners.run_codexbar(home, work, since, until))
    truth = None
    if manifest is not None:
        truth = {d: v for d, v in manifest_days(manifest).items()
                 if (since is None or d >= since.isoformat()) and (until is None or d <= until.isoformat())}
    return Comparison(since, until, ours, theirs, truth).check()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("home", type=Path)
    ap.add_argument("--since", type=dt.date.fromisoformat)
    ap.add_argument("--until", type=dt.date.fromisoformat)
    ap.add_argument("--json", type=Path, help="write the full comparison here")
    ap.add_argument("--generate", action="store_true", help="first generate HOME with gen_home.py")
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--mb", type=float, default=30)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.generate:
        import gen_home

        gen_home.generate(args.home, files=args.files, megabytes=args.mb, days=35,
                          end=dt.datetime.now(dt.timezone.utc).date(), seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="codexbar-compare-", dir="/var/tmp") as work:
        try:
            result = compare(args.home, Path(work), args.since, args.until)
        except (RuntimeError, OSError, ValueError) as exc:
            print(f"compare_ccusage: {exc}", file=sys.stderr)
            return 2
    print(result.table())
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result.as_json(), indent=1))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
