"""The terminal report's month, session and project views (`codexbar cost --by ...`).

Session titles are the user's own text: only the short form the report carries is shown."""

from __future__ import annotations

from typing import Callable

from codexbar_core.cost_model import CostReport
from codexbar_core.render import fmt

SESSION_ROWS = 40  # the costliest; the JSON has them all


def _cut(text: str | None, width: int) -> str:
    text = text or ""
    return text if len(text) <= width else text[:width - 1] + "…"


def month_lines(rep: CostReport, paint: Callable[[str, str], str]) -> list[str]:
    out = [paint(f"  {'month':<8}  {'input':>7}  {'cached':>7}  {'output':>7}  {'total':>7}  {'cost':>9}", "2")]
    for m in rep.monthly or []:
        t = m.tokens
        out.append(f"  {m.month:<8}  {fmt.tokens(t.input_tokens):>7}  {fmt.tokens(t.cache_read_tokens):>7}"
                   f"  {fmt.tokens(t.output_tokens):>7}  {fmt.tokens(t.total_tokens):>7}"
                   f"  {fmt.money(t.total_cost):>9}")
    return out


def project_lines(rep: CostReport, paint: Callable[[str, str], str]) -> list[str]:
    projects = rep.projects or []
    width = max([len(_cut(p.project, 32)) for p in projects] + [7])
    out = [paint(f"  {'project':<{width}}  {'sessions':>8}  {'tokens':>7}  {'cost':>9}  folder", "2")]
    for p in projects:
        out.append(f"  {_cut(p.project, 32):<{width}}  {p.sessions:>8}  {fmt.tokens(p.tokens.total_tokens):>7}"
                   f"  {fmt.money(p.tokens.total_cost):>9}  {p.path}")
    return out


def session_lines(rep: CostReport, paint: Callable[[str, str], str]) -> list[str]:
    sessions = rep.sessions or []
    ranked = sorted(sessions, key=lambda s: (-(s.tokens.total_cost or 0.0), -s.tokens.total_tokens))
    out = [paint(f"  {'last active':<16}  {'project':<18}  {'model':<16}  {'tokens':>7}  {'cost':>9}  title", "2")]
    for s in ranked[:SESSION_ROWS]:
        when = (s.last_activity or "")[:16].replace("T", " ")
        model = s.top_model or "-"
        fork = " ↳ fork/subagent" if s.parent_session_id else ""
        out.append(f"  {when:<16}  {_cut(s.project, 18):<18}  {_cut(model, 16):<16}"
                   f"  {fmt.tokens(s.tokens.total_tokens):>7}  {fmt.money(s.tokens.total_cost):>9}"
                   f"  {_cut(s.title, 40)}{fork}")
    if len(ranked) > SESSION_ROWS:
        out.append(f"  … {len(ranked) - SESSION_ROWS} more sessions (all of them: --json)")
    return out


VIEWS = {"month": month_lines, "project": project_lines, "session": session_lines}
