"""The cost card's "This month" line and its "By project" and "Top sessions" submenus.

The numbers come from a summary saved when the menu's window was last scanned (see
docs/decisions/cost-breakdowns.md); a thread's title is the user's own text and arrives cut short.
"""

from __future__ import annotations

import datetime as dt

from codexbar_core.breakdown_model import CostBreakdown, SessionCost
from codexbar_core.cost_model import CostReport
from codexbar_core.render import fmt
from codexbar_core.render.markup import Line

GREY = ("#6E6E73", "#98989D")
MONO = {"font": "Menlo", "size": "12"}
TEXT = ("#1D1D1F", "#F5F5F7")


def month_line(rep: CostReport, today: dt.date) -> Line:
    """This calendar month's total from the report's days; when the window starts after the 1st
    (a 30-day window on the 31st), the line says from when it counts."""
    month = today.strftime("%Y-%m")
    days = [d for d in rep.daily if d.date.startswith(month)]
    costs = [d.tokens.total_cost for d in days if d.tokens.total_cost is not None]
    tokens = sum(d.tokens.total_tokens for d in days)
    label = "This month"
    since = rep.since
    if since > month + "-01":
        start = dt.date.fromisoformat(since)
        label = f"This month (from {start.strftime('%b')} {start.day})"
    return Line(f"{label}: {fmt.money(sum(costs) if costs else (0.0 if not days else None))} · "
                f"{fmt.tokens(tokens)} tokens", color=TEXT)


def project_submenu(bd: CostBreakdown, window_label: str) -> list[Line]:
    if not bd.projects:
        return []
    # No colour on a parent line: SwiftBar 2.1.1 stops opening a coloured submenu (#526).
    lines = [Line("By project")]
    lines.append(Line(window_label, depth=1, color=GREY))
    width = max(len(p.name) for p in bd.projects)
    width = min(width, 24)
    for p in bd.projects:
        name = p.name if len(p.name) <= width else p.name[:width - 1] + "…"
        sessions = f"{p.sessions} session{'s' if p.sessions != 1 else ''}"
        lines.append(Line(f"{name:<{width}}  {fmt.money(p.cost):>9}  {fmt.tokens(p.tokens):>6} tokens · {sessions}",
                          depth=1, params=MONO))
    if bd.other is not None:
        lines.append(Line(f"{bd.other.name} more projects: {fmt.money(bd.other.cost)} · "
                          f"{fmt.tokens(bd.other.tokens)} tokens · {bd.other.sessions} sessions",
                          depth=1, params=MONO, color=GREY))
    return lines


def _session_line(s: SessionCost, with_day: bool) -> Line:
    title = f" · “{s.title}”" if s.title else ""
    day = ""
    if with_day and s.last is not None:
        local = s.last.astimezone()
        day = f" · {local.strftime('%b')} {local.day}"
    return Line(f"{fmt.money(s.cost)} · {s.project} · {s.model or '-'} · {fmt.tokens(s.tokens)} tokens{day}{title}",
                depth=1, params=MONO)


def sessions_submenu(bd: CostBreakdown, today: dt.date, window_label: str) -> list[Line]:
    if not bd.window:
        return []
    lines = [Line("Top sessions"), Line("Today", depth=1, color=GREY)]
    if bd.until == today.isoformat() and bd.today:
        lines += [_session_line(s, False) for s in bd.today]
    else:
        lines.append(Line("No sessions yet today", depth=1, color=GREY))
    lines.append(Line(window_label, depth=1, color=GREY))
    lines += [_session_line(s, True) for s in bd.window]
    return lines
