"""Readable terminal reports for `codexbar usage` and `codexbar cost` (colour unless NO_COLOR / not a tty)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from codexbar_core.model import UTC, UsageResult
from codexbar_core.normalize import lane_title, plan_display_name
from codexbar_core.render import fmt
from codexbar_core.render.pace import compute_pace


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _state_code(left: float) -> str:
    return "31" if left <= 10 else "33" if left <= 30 else "32"


def usage_report(results: list[UsageResult], *, color: bool, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(UTC)
    out: list[str] = []
    for res in results:
        snap = res.snapshot
        head = f"Codex ({res.home_name})" if len(results) > 1 else "Codex"
        if snap is not None and snap.identity.plan:
            head += f" · {plan_display_name(snap.identity.plan)}"
        out.append(_paint(head, "1", color))
        if snap is not None:
            if snap.identity.email:
                out.append(f"  Account: {snap.identity.email}")
            lanes = [(lane_title(w, slot), w) for slot, w in (("primary", snap.primary), ("secondary", snap.secondary))
                     if w is not None] + [(w.title or lane_title(w, "extra"), w) for w in snap.extra_windows]
            if not lanes:
                out.append("  Limits not available")
            for title, w in lanes:
                left = w.left_percent
                out.append("  " + _paint(f"{title}: {fmt.percent_text(left)} left", _state_code(left), color))
                if w.resets_at is not None:
                    out.append(f"    {fmt.reset_countdown(w.resets_at, now)}")
                pace = compute_pace(w, now)
                if pace is not None:
                    out.append(f"    {pace.cli_text(w.window_minutes == 300)}")
            if snap.credits is not None:
                if snap.credits.unlimited:
                    out.append("  Credits: unlimited")
                elif snap.credits.remaining is not None:
                    out.append(f"  Credits: {fmt.credits_text(snap.credits.remaining)} left")
            if res.stale:
                out.append(_paint(f"  (last known values from {fmt.age_text((now - snap.fetched_at).total_seconds())})",
                                  "33", color))
        if res.error:
            out.append(_paint(f"  Error: {res.error['message']}", "33", color))
        out.append(f"  Source: {res.source_label}")
    return "\n".join(out)


def cost_report_text(reports: list[dict[str, Any]], *, color: bool) -> str:
    out: list[str] = []
    for rep in reports:
        title = f"Cost ({rep.get('home')})" if len(reports) > 1 else "Cost"
        out.append(_paint(title + " · local Codex sessions", "1", color))
        if rep.get("error"):
            out.append(_paint(f"  Error: {rep['error']['message']}", "33", color))
            continue
        out.append(f"  Today: {fmt.money(rep.get('sessionCostUSD'))} · {fmt.tokens(rep.get('sessionTokens'))} tokens")
        out.append(f"  {rep.get('since')} … {rep.get('until')}: {fmt.money(rep.get('last30DaysCostUSD'))} · "
                   f"{fmt.tokens(rep.get('last30DaysTokens'))} tokens")
        days = rep.get("daily") or []
        if days:
            out.append(f"  {'date':<10}  {'input':>8}  {'cached':>8}  {'output':>8}  {'cost':>10}")
            for d in days:
                out.append(f"  {d['date']:<10}  {fmt.tokens(d['inputTokens']):>8}  {fmt.tokens(d['cacheReadTokens']):>8}"
                           f"  {fmt.tokens(d['outputTokens']):>8}  {fmt.money(d.get('totalCost')):>10}")
        for note in rep.get("notes") or []:
            out.append(f"  {note}")
        if rep.get("unpricedModels"):
            out.append(f"  Not priced: {', '.join(rep['unpricedModels'])}")
    return "\n".join(out)
