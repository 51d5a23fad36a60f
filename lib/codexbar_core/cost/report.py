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
from pathlib import Path

from codexbar_core.cache import Store, home_key
from codexbar_core.cost.days import tz_fingerprint
from codexbar_core.cost.log_digests import folder_digests, report_digest
from codexbar_core.cost.pricing import PICO, load_price_table
from codexbar_core.cost.store import StateStore, drop_old_scan_cache, home_record_key, last_key, result_key
from codexbar_core.cost_model import CostReport, DayCost, ModelCost, ProjectLine, SessionLine, TokenTotals
from codexbar_core.slots import replace

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.breakdown_model import CostBreakdown
    from codexbar_core.cost.aggregate import Agg
    from codexbar_core.cost.folder_listing import Walk
    from codexbar_core.cost.handover import CostHandover
    from codexbar_core.cost.index_memo import Delta
    from codexbar_core.cost.pricing import PriceTable
    from codexbar_core.cost.scan import Scanner, ScanResult

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
                menu_summary: bool = False, now: float | None = None,
                handover: CostHandover | None = None) -> CostReport:
    """Scan (incrementally) and report. Raises `SourceTimeout` when `deadline` passes first.

    `by`: "month", "session" or "project" add that array to the report (docs/decisions/cost-breakdowns.md);
    `menu_summary`: also keep the menu's by-project and top-sessions summary up to date.
    `now` (epoch seconds, default the clock): read once, it decides both "today" and the age of a saved
    result, so the two always agree (docs/decisions/cost-conformance.md, "One clock").
    `handover`: this process's `cost` reprint walk to go on from, and where the report notes what it
    stands for (cost/handover.py); a fresh one when nobody will read it."""
    if handover is None:
        from codexbar_core.cost.handover import CostHandover

        handover = CostHandover()
    prices = load_price_table(price_overrides)
    home = home_key(codex_home)
    state = StateStore(store, home)
    now = time.time() if now is None else now
    today = dt.date.fromtimestamp(now)
    rkey = result_key(home, since.isoformat(), until.isoformat(), today.isoformat(), prices.fingerprint,
                      tz_fingerprint())
    cached = state.get(rkey)  # the result's head: what it stands for, not the report itself
    saved: CostReport | None = None  # its report, read only when it may be reused (_report_of)
    # Sessions and projects need the per-file totals: a saved result without the arrays (`--by
    # session|project`) or the menu's summary asked for is scanned again. The arrays are kept under
    # their own key: 10,000 sessions are megabytes the day report and the menu must not read.
    wants = {"arrays": by in ("session", "project"), "summary": menu_summary and until == today}
    kept = {name: cached is not None and cached.get(name) is True for name in wants}
    satisfied = all(kept[name] or not wanted for name, wanted in wants.items())
    trace = _trace_stamp(codex_home)
    if (cached is not None and not refresh and 0 <= now - cached.get("at", 0) < REUSE_SECONDS and satisfied
            and cached.get("trace") == trace):
        saved = _report_of(state, home, rkey)  # only while it is the home's latest report (its window's)
        if saved is not None:
            return with_breakdown(saved, _arrays(state, rkey, by), by)
    from codexbar_core.cost import parallel

    helper = None
    if cached is None and store is not None and state.get(home_record_key(home)) is None:
        helper = parallel.start_helper()  # a first scan of this home: likely big, let it start up meanwhile
        drop_old_scan_cache(store)
    trace_paths = _trace_paths(codex_home)
    try:
        extra = list(cached.get("extra") or []) if cached is not None else trace_paths
        memo = cached.get("memo") if cached is not None else None
        found = None
        if memo is not None and satisfied and not any(wants.values()):
            from codexbar_core.cost.index_memo import changes

            delta = changes(str(codex_home), memo, trace_paths)
            if delta is not None:
                found = _listed_changed(delta, cached.get("single") is True, state)
        if found is None:
            found = _walked(codex_home, since, until, handover)
        digest = report_digest(found.digests, extra)
        arrays: dict[str, Any] | None = None
        if cached is not None and cached.get("digest") == digest and satisfied and saved is None:
            saved = _report_of(state, home, rkey)
        if cached is not None and cached.get("digest") == digest and satisfied and saved is not None:
            single = cached.get("single") is True  # the same logs as the scan that said so
            report = replace(saved, updated_at=_stamp(now))  # type: ignore[arg-type]  # no log changed: checked now
        else:
            from codexbar_core.cost.scan import NeedsWalk  # parsing code: imported only when a log changed

            try:
                scanner, scan = _scan(codex_home, store, state, prices, price_overrides, deadline, helper, found)
            except NeedsWalk:  # the index-driven refresh needs every folder after all
                found = _walked(codex_home, since, until, None)
                scanner, scan = _scan(codex_home, store, state, prices, price_overrides, deadline, None, found)
            logs = found.walk.logs
            # no session id twice: this scan's ids, and for kept folders what the last scan said
            single = scanner.single and (found.kept is None or found.kept_single)
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
            if sorted(scanner.outside_parents) + trace_paths != extra:
                extra = sorted(scanner.outside_parents) + trace_paths
                digest = report_digest(found.digests, extra)
                if found.kept is not None:
                    memo = None  # the memo does not watch the new fork parents: walk next time
    finally:
        if helper is not None and helper.poll() is None:
            helper.kill()
            helper.wait()
    if found.kept is None:  # a walk of every folder: a fresh memo when the index can vouch for it
        from codexbar_core.cost.index_memo import make_memo

        memo = make_memo(str(codex_home), found.walk, extra, found.digests)
    elif memo is not None and found.delta is not None:  # the old memo brought up to the relisted folders
        from codexbar_core.cost.index_memo import renewed

        memo = renewed(str(codex_home), memo, found.delta, found.walk, extra) or memo
    from codexbar_core.cost.handover import Noted

    handover.note((str(codex_home), report.since, report.until),
                  Noted(digest, list(extra), found.walk.listed if found.kept is None else None, memo))
    contract = report.to_contract()  # saved in the contract's form (docs/design/cost-report.md)
    record = {"at": now, "digest": digest, "extra": extra, "trace": trace, "memo": memo, "single": single, **kept}
    state.put(rkey, record)
    # The report is saved once, as the home's latest; the result's head names it (_report_of).
    state.put(last_key(home), {"report": contract, "window": [since.isoformat(), until.isoformat()], "result": rkey})
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


class Found:
    """The logs a refresh scans: a walk of every folder (`kept` None), or only the changed date
    folders the thread index pointed at, with the digests the memo saved for the others (`kept`)."""

    __slots__ = ("walk", "digests", "kept", "kept_since_ns", "kept_single", "delta")

    def __init__(self, walk: Walk, digests: dict[str, str], kept: dict[str, str] | None = None,
                 kept_since_ns: int = 0, kept_single: bool = False) -> None:
        self.walk = walk
        self.digests = digests
        self.kept = kept
        self.kept_since_ns = kept_since_ns
        self.kept_single = kept_single  # the last full scan saw no session id twice
        self.delta: Delta | None = None  # what index_memo.changes said (kept folders only)


def _walked(codex_home: Path, since: dt.date, until: dt.date, handover: CostHandover | None) -> Found:
    """Every folder of the window: the walk the warm reprint just made, if it handed one over."""
    from codexbar_core.cost.discover import discover

    walk = handover.take_walk((str(codex_home), str(since), str(until))) if handover is not None else None
    if walk is None:
        walk = discover(codex_home, since, until)
    return Found(walk, folder_digests(walk.logs))


def _listed_changed(delta: Delta, single: bool, state: StateStore) -> Found:
    """Only the changed folders listed and stat'ed; every other folder stands by its memo digest. A
    folder whose only change is rollouts Codex wrote to (`delta.grown`) has just those stat'ed, the
    others' signatures taken from its saved entries (folder_listing.grown_folder)."""
    from codexbar_core.cost.folder_listing import Walk, list_day_folders

    walk = Walk(time.time_ns(), None)
    logs: list[Any] = []
    for folder in delta.changed:  # in the order a listing of these folders gives
        grown = _grown_logs(folder, delta, state)
        if grown is None:
            logs.extend(list_day_folders([folder], walk))
            continue
        walk.dirs[folder], folder_logs = grown
        walk.days.append(folder)
        logs.extend(folder_logs)
    walk.logs = logs
    found = Found(walk, {**delta.kept, **folder_digests(walk.logs)}, delta.kept, delta.started_ns, single)
    found.delta = delta
    return found


def _grown_logs(folder: str, delta: Delta, state: StateStore) -> tuple[int, list[Any]] | None:
    """folder_listing.grown_folder for `folder` when its saved entries were exactly its logs when
    they were saved (the head has a digest for them: `sig`), which was at or after the memo's walk
    (a scan saves every folder it changed); since then the index rows name every rollout Codex wrote
    to. None: list it whole."""
    from codexbar_core.cost.folder_listing import grown_folder
    from codexbar_core.cost.store import shard_key

    paths = delta.grown.get(folder)
    if not paths:
        return None
    head = state.get(shard_key(state.home, folder))
    if not isinstance(head, dict) or not isinstance(head.get("sig"), str) or head.get("ids") is not True:
        return None
    files = state.folder_entries(folder, keep=True)  # kept for the scan, which reads them again otherwise
    if files is None:
        return None
    grown = grown_folder(folder, paths, files)
    if grown is not None:
        state.keep(shard_key(state.home, folder), head)
    return grown


def _scan(codex_home: Path, store: Store | None, state: StateStore, prices: PriceTable, overrides: Path | None,
          deadline: float | None, helper: Any, found: Found) -> tuple[Scanner, ScanResult]:
    """One scan of what `found` lists; saved scan state of the wrong shape (damaged, or written by
    something else) is started over from the logs and overwritten, rather than fail the report."""
    from codexbar_core.cost.scan import Scanner

    scanner = Scanner(codex_home, state, prices, overrides, deadline, helper=helper)
    try:
        return scanner, scanner.run(found.walk.logs, found.digests, found.kept, found.kept_since_ns,
                                    found.kept_single)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        scanner.close()
        if found.kept is not None:
            from codexbar_core.cost.scan import NeedsWalk

            raise NeedsWalk("saved scan state of the wrong shape") from None
        scanner = Scanner(codex_home, StateStore(store, state.home, ignore_saved=True), prices, overrides, deadline)
        return scanner, scanner.run(found.walk.logs, found.digests)
    finally:
        scanner.close()


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


def _report_of(state: StateStore, home: str, rkey: str) -> CostReport | None:
    """The saved report of result `rkey`, kept as the home's latest report (`last_key`); None once a
    scan of another window (or day, prices, time zone) has saved its own since. Then the result is
    not reused: a young result of another window may miss what that scan saw change (CodexBar
    rescans when the window widened), and an unchanged home is summed again from its folders' heads."""
    found = state.get(last_key(home))
    if not isinstance(found, dict) or found.get("result") != rkey:
        return None
    return _saved_report(found)


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
    from codexbar_core.breakdown_model import CostBreakdown

    home = home_key(codex_home)
    return CostBreakdown.from_dict(StateStore(store, home).get(menu_summary_key(home)))
