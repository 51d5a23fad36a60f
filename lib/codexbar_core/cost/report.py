"""`cost_report`: the local cost of a Codex home for a window of days, as a typed `CostReport`.

The report (cost_model.py; its `to_contract()` is docs/reference/command-line.md, "codexbar cost --json"):
today's and the window's tokens and cost, the days with usage (oldest first), totals, unpriced models,
notes; saved results keep the contract's form (docs/design/cost-report.md). A report younger than 60 s for
the same home, window and prices is reused unless `refresh`, another window of the home was scanned
since, or Codex's log database (Fast-tier turns) changed; after that (and on `refresh`) it is still
reused when no log changed: a digest of every discovered file's signature, plus those of the fork
parents outside the window that the report depended on and of the log database, says so
(docs/decisions/cost-conformance.md).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import replace
from pathlib import Path

from codexbar_core.cache import Store, home_key
from codexbar_core.cost.days import tz_fingerprint
from codexbar_core.cost.discover import discover_once, signature_digest
from codexbar_core.cost.pricing import PICO, load_price_table
from codexbar_core.cost.store import StateStore, drop_old_scan_cache, home_record_key, last_key, result_key
from codexbar_core.cost_model import CostReport, DayCost, ModelCost, ProjectLine, SessionLine, TokenTotals

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.cost.aggregate import Agg
    from codexbar_core.cost.scan import ScanResult
    from codexbar_core.model import CostBreakdown

REUSE_SECONDS = 60.0


def menu_summary_key(home: str) -> str:
    return f"cost:menu-breakdown:{home}"


TRACE_FILES = ("logs_2.sqlite", "logs_2.sqlite-wal")  # Codex's log database (Fast-tier turns, priority.py)


def _trace_paths(codex_home: Path) -> list[str]:
    return [str(codex_home / name) for name in TRACE_FILES]


def _trace_stamp(codex_home: Path) -> str:
    """The log database's signature: a new Fast-tier turn or served model can reprice unchanged logs."""
    parts = []
    for path in _trace_paths(codex_home):
        try:
            st = os.stat(path)
            parts.append(f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def _usd(units: int | None) -> float | None:
    return None if units is None else units / PICO


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _stamp(now: float) -> str:
    return dt.datetime.fromtimestamp(now, dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def build_report(scan: ScanResult, since: dt.date, until: dt.date, today: dt.date,
                 price_notes: list[str], now: float | None = None) -> CostReport:
    lo, hi = since.isoformat(), until.isoformat()
    from codexbar_core.cost.aggregate import merge_agg

    merged: Agg = {}
    for agg in scan.aggs:
        merge_agg(merged, agg, lo, hi)
    for day in list(merged):  # cells emptied by the duplicate correction
        models = {name: c for name, c in merged[day].items() if c[0] or c[1] or c[2]}
        if models:
            merged[day] = models
        else:
            del merged[day]
    daily: list[DayCost] = []
    totals = [0, 0, 0, 0]
    total_cost: int | None = None
    unpriced: set[str] = set()
    for day in sorted(merged):
        models = merged[day]
        day_tokens = [0, 0, 0, 0]
        day_cost: int | None = None
        breakdowns = []
        for name, (inp, cached, out, reasoning, cost) in models.items():
            for k, v in enumerate((inp, cached, out, reasoning)):
                day_tokens[k] += v
            if cost is None:
                unpriced.add(name)
            else:
                day_cost = (day_cost or 0) + cost
            breakdowns.append(ModelCost(name, inp, cached, out, inp + out, _usd(cost)))
        breakdowns.sort(key=lambda b: (-(b.cost or 0.0), -b.total_tokens, b.model_name))
        for k in range(4):
            totals[k] += day_tokens[k]
        if day_cost is not None:
            total_cost = (total_cost or 0) + day_cost
        daily.append(DayCost(day, TokenTotals(*day_tokens, day_tokens[0] + day_tokens[2], _usd(day_cost)),
                             sorted(models), breakdowns))
    if total_cost is None and not daily:
        total_cost = 0  # a complete scan with no usage is a known zero
    today_key = today.isoformat()
    today_entry = next((d for d in daily if d.date == today_key), None)
    notes = list(price_notes)
    if scan.unresolved_forks:
        notes.append(_plural(scan.unresolved_forks, "forked session not counted: its parent log is missing",
                             "forked sessions not counted: their parent logs are missing"))
    if scan.unresolved_subagents:
        notes.append(_plural(scan.unresolved_subagents,
                             "subagent session not counted: its copied history has no parent log",
                             "subagent sessions not counted: their copied history has no parent log"))
    if scan.bad_lines:
        notes.append(_plural(scan.bad_lines, "malformed line skipped", "malformed lines skipped"))
    return CostReport(
        provider="codex", source="local", updated_at=_stamp(time.time() if now is None else now), since=lo, until=hi,
        today_tokens=today_entry.tokens.total_tokens if today_entry else 0,
        today_cost=today_entry.tokens.total_cost if today_entry else 0.0,
        window_tokens=totals[0] + totals[2], window_cost=_usd(total_cost), daily=daily,
        totals=TokenTotals(*totals, totals[0] + totals[2], _usd(total_cost)), unpriced_models=sorted(unpriced),
        notes=notes, monthly=None, sessions=None, projects=None, home=None, codex_home=None)


def cost_report(codex_home: Path, store: Store | None, *, since: dt.date, until: dt.date, refresh: bool,
                price_overrides: Path | None, deadline: float | None, by: str = "day",
                menu_summary: bool = False, now: float | None = None) -> CostReport:
    """Scan (incrementally) and report. Raises `SourceTimeout` when `deadline` passes first.

    `by`: "month", "session" or "project" add that array to the report (docs/decisions/cost-breakdowns.md);
    `menu_summary`: also keep the menu's by-project and top-sessions summary up to date.
    `now` (epoch seconds, default the clock): read once, it decides both "today" and the age of a saved
    result, so the two always agree (docs/decisions/cost-conformance.md, "One clock")."""
    prices = load_price_table(price_overrides)
    home = home_key(codex_home)
    state = StateStore(store, home)
    now = time.time() if now is None else now
    today = dt.date.fromtimestamp(now)
    rkey = result_key(home, since.isoformat(), until.isoformat(), today.isoformat(), prices.fingerprint,
                      tz_fingerprint())
    cached = state.get(rkey)
    saved = _saved_report(cached)
    if saved is None:
        cached = None  # nothing saved, or a record of the wrong shape: scan as if nothing were
    # Sessions and projects need the per-file totals: a saved result without the arrays (`--by
    # session|project`) or the menu's summary asked for is scanned again. The arrays are kept under
    # their own key: 10,000 sessions are megabytes the day report and the menu must not read.
    wants = {"arrays": by in ("session", "project"), "summary": menu_summary and until == today}
    kept = {name: cached is not None and cached.get(name) is True for name in wants}
    satisfied = all(kept[name] or not wanted for name, wanted in wants.items())
    trace = _trace_stamp(codex_home)
    if (cached is not None and not refresh and 0 <= now - cached.get("at", 0) < REUSE_SECONDS and satisfied
            and cached.get("trace") == trace and _last_window(state, home) == [since.isoformat(), until.isoformat()]):
        return with_breakdown(saved, _arrays(state, rkey, by), by)  # type: ignore[arg-type]
    from codexbar_core.cost import parallel

    helper = None
    if cached is None and store is not None and state.get(home_record_key(home)) is None:
        helper = parallel.start_helper()  # a first scan of this home: likely big, let it start up meanwhile
        drop_old_scan_cache(store)
    try:
        logs = discover_once(codex_home, since, until)
        extra = list(cached.get("extra") or []) if cached is not None else _trace_paths(codex_home)
        digest = signature_digest(logs, extra)
        arrays: dict[str, Any] | None = None
        if cached is not None and cached.get("digest") == digest and satisfied:
            report = replace(saved, updated_at=_stamp(now))  # type: ignore[arg-type]  # no log changed: checked now
        else:
            from codexbar_core.cost.scan import Scanner  # parsing code: imported only when a log changed

            scanner = Scanner(codex_home, state, prices, price_overrides, deadline, helper=helper)
            try:
                scan = scanner.run(logs)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                # Saved scan state of the wrong shape (damaged, or written by something else): start
                # over from the logs and overwrite it, rather than fail the report.
                scanner.close()
                state = StateStore(store, home, ignore_saved=True)
                scanner = Scanner(codex_home, state, prices, price_overrides, deadline)
                scan = scanner.run(logs)
            finally:
                scanner.close()
            report = build_report(scan, since, until, today, prices.notes, now)
            kept = dict.fromkeys(wants, False)  # the logs changed: what was kept no longer holds
            if any(wants.values()):
                from codexbar_core.cost import breakdown as bd

                sessions = bd.sessions_of(scanner, logs, since, until, str(codex_home))
                if wants["arrays"]:
                    arrays = {"sessions": [s.to_line().to_contract() for s in sessions],
                              "projects": [p.to_line().to_contract() for p in bd.projects_of(sessions)]}
                    state.put(rkey + ":by", arrays)
                if wants["summary"]:
                    state.put(menu_summary_key(home), bd.menu_summary(sessions, since, today))
                kept = {name: kept[name] or wanted for name, wanted in wants.items()}
            if sorted(scanner.outside_parents) + _trace_paths(codex_home) != extra:
                extra = sorted(scanner.outside_parents) + _trace_paths(codex_home)
                digest = signature_digest(logs, extra)
    finally:
        if helper is not None and helper.poll() is None:
            helper.kill()
            helper.wait()
    from codexbar_core.cost.discover import listings, window_key
    from codexbar_core.cost.quick import note_digest

    note_digest(str(codex_home), report.since, report.until, digest, extra,
                listings.get(window_key(codex_home, since, until)) or {})
    contract = report.to_contract()  # saved in the contract's form (docs/design/cost-report.md)
    record = {"at": now, "digest": digest, "extra": extra, "trace": trace, "report": contract, **kept}
    state.put(rkey, record)
    state.put(last_key(home), {"report": contract, "window": [since.isoformat(), until.isoformat()]})
    state.flush()
    return with_breakdown(report, arrays if arrays is not None else _arrays(state, rkey, by), by)


def _saved_report(record: dict[str, Any] | None) -> CostReport | None:
    """The report of a saved result; None when there is none or it has the wrong shape."""
    if not isinstance(record, dict) or not isinstance(record.get("report"), dict):
        return None
    try:
        return CostReport.from_contract(record["report"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _arrays(state: StateStore, rkey: str, by: str) -> dict[str, Any]:
    """The kept sessions[] and projects[] of a result (read only when `--by` asks for them)."""
    if by not in ("session", "project"):
        return {}
    return state.get(rkey + ":by") or {}


def with_breakdown(report: CostReport, record: dict[str, Any], by: str) -> CostReport:
    """The report plus the one array `--by` asks for (none for "day"); `record` holds the saved
    sessions[] and projects[] in the contract's form."""
    if by == "month":
        from codexbar_core.cost.breakdown import monthly

        return replace(report, monthly=monthly(report.daily))
    if by == "session":
        return replace(report, sessions=[SessionLine.from_contract(s) for s in record.get("sessions") or []])
    if by == "project":
        return replace(report, projects=[ProjectLine.from_contract(p) for p in record.get("projects") or []])
    return report


def _last_window(state: StateStore, home: str) -> list[str] | None:
    """The window of the home's latest report: a young result of another window may miss what that
    scan saw change (CodexBar rescans when the window widened)."""
    found = state.get(last_key(home))
    return found.get("window") if found else None


def last_cost_report(codex_home: Path, store: Store | None) -> CostReport | None:
    """The last complete report for this home (any window), for a menu that cannot wait."""
    if store is None:
        return None
    return _saved_report(StateStore(store, home_key(codex_home)).get(last_key(home_key(codex_home))))


def menu_breakdown(codex_home: Path, store: Store | None) -> CostBreakdown | None:
    """The menu's by-project and top-sessions summary saved by the last scan of its window; None when
    there is none yet or it cannot be read."""
    if store is None:
        return None
    from codexbar_core.model import CostBreakdown

    home = home_key(codex_home)
    return CostBreakdown.from_dict(StateStore(store, home).get(menu_summary_key(home)))
