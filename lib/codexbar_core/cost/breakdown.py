"""Cost by session, by project and by month (docs/decisions/cost-breakdowns.md).

Built from what the scanner already keeps per log (day -> model -> tokens and cost, a fork's or
subagent's holding only what it owns), so the sessions of a window add up to its days exactly:
the same per-file totals are summed, and the active and archived copies of one session are merged
the way the day totals merge them (the union of their rows). Where and when a session ran comes
from project.py, cached per file signature so a warm run reads only the logs that changed.
"""

from __future__ import annotations

import datetime as dt
import os

from codexbar_core.cost import json_codec
from codexbar_core.cost.pricing import PICO
from codexbar_core.cost.project import NO_PROJECT, FileFacts, Project, project_of, read_facts, thread_index
from codexbar_core.cost.store import path_hash
from codexbar_core.cost_model import DayCost, ModelCost, MonthCost, ProjectLine, SessionLine, TokenTotals

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.cost.aggregate import Agg
    from codexbar_core.cost.discover import LogFile
    from codexbar_core.cost.scan import Scanner
    from codexbar_core.cost.store import StateStore

BIG_BREAKDOWN_LOGS = 500  # below this the standard library decodes the records faster than orjson imports
TITLE_CHARS = 40  # a thread title is the user's own text: only this much is kept or shown


def facts_key(home: str, folder: str) -> str:
    return f"cost:facts:{home}:{path_hash(folder)}"


def _usd(units: int | None) -> float | None:
    return None if units is None else units / PICO


def iso_ms(ms: int | None) -> str | None:
    if ms is None:
        return None
    stamp = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def short_title(title: str | None) -> str | None:
    if not title:
        return None
    flat = " ".join(title.split())
    return flat if len(flat) <= TITLE_CHARS else flat[:TITLE_CHARS - 1].rstrip() + "…"


class Usage:
    """Tokens and cost summed over some day -> model cells (cost in pico-dollars, None = unpriced)."""

    __slots__ = ("tokens", "cost", "models")

    def __init__(self) -> None:
        self.tokens = [0, 0, 0, 0]  # input (incl. cached), cached, output (incl. reasoning), reasoning
        self.cost: int | None = None
        self.models: dict[str, list[Any]] = {}

    def add_cell(self, name: str, cell: list[Any]) -> None:
        if not (cell[0] or cell[1] or cell[2]):
            return  # emptied by the active/archived duplicate correction, as in the day totals
        for k in range(4):
            self.tokens[k] += cell[k]
        if cell[4] is not None:
            self.cost = (self.cost or 0) + cell[4]
        have = self.models.get(name)
        if have is None:
            self.models[name] = list(cell)
        else:
            for k in range(4):
                have[k] += cell[k]
            if cell[4] is not None:
                have[4] = (have[4] or 0) + cell[4]

    def add(self, other: Usage) -> None:
        for name, cell in other.models.items():
            self.add_cell(name, cell)

    @classmethod
    def of(cls, agg: Agg, lo: str = "", hi: str = "\uffff") -> Usage:
        usage = cls()
        for day, models in agg.items():
            if lo <= day <= hi:
                for name, cell in models.items():
                    usage.add_cell(name, cell)
        return usage

    @property
    def total_tokens(self) -> int:
        return self.tokens[0] + self.tokens[2]

    @property
    def empty(self) -> bool:
        return not self.models

    def top_model(self) -> str | None:
        if not self.models:
            return None
        return min(self.models.items(), key=lambda kv: (-(kv[1][4] or 0), -(kv[1][0] + kv[1][2]), kv[0]))[0]

    def totals(self) -> TokenTotals:
        return TokenTotals(*self.tokens, self.total_tokens, _usd(self.cost))

    def model_costs(self) -> list[ModelCost]:
        """Per model, costliest first (then most tokens, then by name), as the days list them."""
        rows = [ModelCost(name, c[0], c[1], c[2], c[0] + c[2], None if c[4] is None else c[4] / PICO)
                for name, c in self.models.items()]
        if len(rows) > 1:
            rows.sort(key=lambda b: (-(b.cost or 0.0), -b.total_tokens, b.model_name))
        return rows


class SessionUsage:
    """One Codex thread in the window: what it owns, where it ran, when."""

    __slots__ = ("session_id", "file", "parent_id", "project", "first_ms", "last_ms", "title", "agg", "usage")

    def __init__(self, session_id: str | None, file: str, parent_id: str | None, project: Project,
                 first_ms: int | None, last_ms: int | None, title: str | None, agg: Agg, usage: Usage) -> None:
        self.session_id = session_id
        self.file = file
        self.parent_id = parent_id
        self.project = project
        self.first_ms = first_ms
        self.last_ms = last_ms
        self.title = title
        self.agg = agg  # day -> model cells, inside the window only
        self.usage = usage

    def to_line(self) -> SessionLine:
        return SessionLine(self.session_id, self.file, self.project.name, self.parent_id, self.title,
                           iso_ms(self.first_ms), iso_ms(self.last_ms), self.usage.totals(), self.usage.model_costs())


class ProjectUsage:
    __slots__ = ("project", "sessions", "usage")

    def __init__(self, project: Project) -> None:
        self.project = project
        self.sessions = 0
        self.usage = Usage()

    def to_line(self) -> ProjectLine:
        return ProjectLine(self.project.name, self.project.path, self.sessions, self.usage.totals())


# -- monthly: from the report's days alone ---------------------------------------------------------

def monthly(daily: list[DayCost]) -> list[MonthCost]:
    """The report's days summed per calendar month (the days are already local days)."""
    months: dict[str, Usage] = {}
    for day in daily:
        usage = months.setdefault(day.date[:7], Usage())
        for m in day.model_breakdowns:
            # a day has reasoning per day, not per model: it is added to the month below
            usage.add_cell(m.model_name, [m.input_tokens, m.cache_read_tokens, m.output_tokens, 0,
                                          None if m.cost is None else round(m.cost * PICO)])
        usage.tokens[3] += day.tokens.reasoning_output_tokens or 0
    return [MonthCost(month, months[month].totals(), months[month].model_costs()) for month in sorted(months)]


# -- sessions: from the scanner's per-file totals -----------------------------------------------------

def _facts(state: StateStore, logs: list[LogFile]) -> dict[str, FileFacts]:
    """Per-file facts, read only for files whose signature changed since they were cached; kept per
    folder, so a changed log rewrites its folder's record only."""
    by_folder: dict[str, list[LogFile]] = {}
    for log in logs:
        by_folder.setdefault(log.folder, []).append(log)
    out: dict[str, FileFacts] = {}
    for folder, folder_logs in by_folder.items():
        key = facts_key(state.home, folder)
        saved = state.get(key)
        cached: dict[str, list[Any]] = saved["files"] if saved else {}
        changed = False
        for log in folder_logs:
            raw = cached.get(log.name)
            if raw is not None and raw[:3] == [log.ino, log.mtime_ns, log.size]:
                out[log.path] = FileFacts.from_list(raw[3:])
                continue
            facts = out[log.path] = read_facts(log.path, log.size)
            cached[log.name] = [log.ino, log.mtime_ns, log.size, *facts.to_list()]
            changed = True
        if len(cached) > 2 * len(folder_logs) + 100:  # names of other windows are kept, up to a bound
            cached = {log.name: cached[log.name] for log in folder_logs}
            changed = True
        if changed:
            state.put(key, {"files": cached})
    return out


def sessions_of(scanner: Scanner, logs: list[LogFile], since: dt.date, until: dt.date,
                codex_home: str) -> list[SessionUsage]:
    """Every session with usage in the window, oldest last activity first."""
    if len(logs) >= BIG_BREAKDOWN_LOGS:
        json_codec.use_fast()  # every log's record is read: worth orjson's import (json_codec.py)
    lo, hi = since.isoformat(), until.isoformat()
    for folder in {log.folder for log in logs}:
        scanner.shard(folder)  # entries of folders the scan could skip as unchanged
    groups: dict[str, list[LogFile]] = {}
    order: list[str] = []
    for log in logs:
        entry = scanner.entries.get(log.path)
        if entry is None or not entry.counted:
            continue  # vanished, or a fork whose parent is missing (not counted, see the notes)
        key = entry.sid or "path:" + log.path
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(log)
    facts = _facts(scanner.state, logs)
    index: dict[str, tuple[str | None, str | None, str | None]] | None = None
    home_prefix = codex_home.rstrip(os.sep) + os.sep
    out = []
    for key in order:
        members = groups[key]
        paths = [log.path for log in members]
        agg = scanner.union_agg(paths) if len(paths) > 1 else scanner.file_agg(paths[0])
        window = {day: models for day, models in agg.items() if lo <= day <= hi}
        usage = Usage.of(window)
        if usage.empty:
            continue
        entry = scanner.entries[paths[0]]
        sid = entry.sid
        parent = None
        if entry.kind != "plain":
            rec = scanner.record(paths[0])
            parent = rec.get("parent") if rec else None
        known = [facts[p] for p in paths if p in facts]
        cwd = next((f.cwd for f in known if f.cwd), None)
        repo = next((f.repo_url for f in known if f.repo_url), None)
        title = None
        if sid:
            if index is None:
                index = thread_index(codex_home)
            found = index.get(sid)
            if found is not None:
                cwd, repo, title = cwd or found[0], repo or found[1], found[2]
        starts = [f.start_ms for f in known if f.start_ms is not None]
        lasts = [f.last_ms for f in known if f.last_ms is not None]
        first_ms = min(starts) if starts else None
        last_ms = max(lasts) if lasts else first_ms
        rel = paths[0][len(home_prefix):] if paths[0].startswith(home_prefix) else paths[0]
        out.append(SessionUsage(sid, rel, parent, project_of(cwd, repo), first_ms, last_ms, short_title(title),
                                window, usage))
    out.sort(key=lambda s: (s.last_ms or 0, s.file))
    return out


def projects_of(sessions: list[SessionUsage], lo: str = "", hi: str = "\uffff") -> list[ProjectUsage]:
    """Sessions grouped by project (repository, else folder), costliest first; "(no project)" last."""
    groups: dict[str, ProjectUsage] = {}
    for session in sessions:
        usage = Usage.of(session.agg, lo, hi) if (lo or hi != "\uffff") else session.usage
        if usage.empty:
            continue
        proj = session.project
        group = groups.get(proj.key)
        if group is None:
            group = groups[proj.key] = ProjectUsage(proj)
        elif proj.path and (not group.project.path or len(proj.path) < len(group.project.path)):
            group.project = Project(group.project.name, proj.path, proj.key)  # the shortest folder: the root
        group.sessions += 1
        group.usage.add(usage)
    return sorted(groups.values(), key=lambda g: (g.project.name == NO_PROJECT, -(g.usage.cost or 0),
                                                  -g.usage.total_tokens, g.project.name))


# -- the menu's summary: small, saved when the menu's window is scanned (report.py), read by every menu run --

TOP_PROJECTS = 8
TOP_SESSIONS = 5


def _session_line(session: SessionUsage, usage: Usage) -> dict[str, Any]:
    return {"sessionId": session.session_id, "title": session.title, "project": session.project.name,
            "model": usage.top_model(), "cost": _usd(usage.cost), "tokens": usage.total_tokens,
            "last": iso_ms(session.last_ms)}


def _top_sessions(sessions: list[SessionUsage], lo: str, hi: str) -> list[dict[str, Any]]:
    ranked = []
    for session in sessions:
        usage = Usage.of(session.agg, lo, hi)
        if not usage.empty:
            ranked.append((-(usage.cost or 0), -usage.total_tokens, session.file, session, usage))
    ranked.sort(key=lambda r: r[:3])
    return [_session_line(r[3], r[4]) for r in ranked[:TOP_SESSIONS]]


def menu_summary(sessions: list[SessionUsage], since: dt.date, today: dt.date) -> dict[str, Any]:
    """Top projects of the window (the rest folded into one line) and top sessions today and in the window."""
    projects = projects_of(sessions)
    top = [{"name": p.project.name, "path": p.project.path, "sessions": p.sessions,
            "tokens": p.usage.total_tokens, "cost": _usd(p.usage.cost)} for p in projects[:TOP_PROJECTS]]
    rest = projects[TOP_PROJECTS:]
    folded = None
    if rest:
        cost = [p.usage.cost for p in rest if p.usage.cost is not None]
        folded = {"count": len(rest), "sessions": sum(p.sessions for p in rest),
                  "tokens": sum(p.usage.total_tokens for p in rest), "cost": _usd(sum(cost)) if cost else None}
    day = today.isoformat()
    return {"since": since.isoformat(), "until": day, "projects": top, "otherProjects": folded,
            "today": _top_sessions(sessions, day, day), "window": _top_sessions(sessions, since.isoformat(), day)}
