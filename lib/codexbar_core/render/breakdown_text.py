"""The terminal report's month, session and project views (`codexbar cost --by ...`).

Session titles are the user's own text: only the short form the report carries is shown."""

from __future__ import annotations

from typing import Any, Callable

from codexbar_core.render import fmt

SESSION_ROWS = 40  # the costliest; the JSON has them all


def _cut(text: str | None, width: int) -> str:
    text = text or ""
    return text if len(text) <= width else text[:width - 1] + "…"


def month_lines(rep: dict[str, Any], paint: Callable[[str, str], str]) -> list[str]:
    out = [paint(f"  {'month':<8}  {'input':>7}  {'cached':>7}  {'output':>7}  {'total':>7}  {'cost':>9}", "2")]
    for m in rep.get("monthly") or []:
        out.append(f"  {m['month']:<8}  {fmt.tokens(m.get('inputTokens')):>7}  {fmt.tokens(m.get('cacheReadTokens')):>7}"
                   f"  {fmt.tokens(m.get('outputTokens')):>7}  {fmt.tokens(m.get('totalTokens')):>7}"
                   f"  {fmt.money(m.get('totalCost')):>9}")
    return out


def project_lines(rep: dict[str, Any], paint: Callable[[str, str], str]) -> list[str]:
    projects = rep.get("projects") or []
    width = max([len(_cut(p["project"], 32)) for p in projects] + [7])
    out = [paint(f"  {'project':<{width}}  {'sessions':>8}  {'tokens':>7}  {'cost':>9}  folder", "2")]
    for p in projects:
        out.append(f"  {_cut(p['project'], 32):<{width}}  {p.get('sessions', 0):>8}  {fmt.tokens(p.get('totalTokens')):>7}"
                   f"  {fmt.money(p.get('totalCost')):>9}  {p.get('path') or ''}")
    return out


def session_lines(rep: dict[str, Any], paint: Callable[[str, str], str]) -> list[str]:
    sessions = rep.get("sessions") or []
    ranked = sorted(sessions, key=lambda s: (-(s.get("totalCost") or 0.0), -(s.get("totalTokens") or 0)))
    out = [paint(f"  {'last active':<16}  {'project':<18}  {'model':<16}  {'tokens':>7}  {'cost':>9}  title", "2")]
    for s in ranked[:SESSION_ROWS]:
        when = (s.get("lastActivity") or "")[:16].replace("T", " ")
        model = (s.get("modelBreakdowns") or [{}])[0].get("modelName") or "-"
        fork = " ↳ fork/subagent" if s.get("parentSessionId") else ""
        out.append(f"  {when:<16}  {_cut(s.get('project'), 18):<18}  {_cut(model, 16):<16}"
                   f"  {fmt.tokens(s.get('totalTokens')):>7}  {fmt.money(s.get('totalCost')):>9}"
                   f"  {_cut(s.get('title'), 40)}{fork}")
    if len(ranked) > SESSION_ROWS:
        out.append(f"  … {len(ranked) - SESSION_ROWS} more sessions (all of them: --json)")
    return out


VIEWS = {"month": month_lines, "project": project_lines, "session": session_lines}
