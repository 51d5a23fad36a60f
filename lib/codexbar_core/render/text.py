"""Readable terminal reports for `codexbar usage` and `codexbar cost` (colour unless NO_COLOR / not a tty)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from codexbar_core.cost_model import CostFailure, top_models
from codexbar_core.model import UTC, RateWindow, UsageResult
from codexbar_core.normalize import lane_title, plan_display_name
from codexbar_core.render import fmt
from codexbar_core.render.pace import SESSION_MINUTES, compute_pace

if TYPE_CHECKING:
    from codexbar_core.cost_model import HomeCost

BAR_WIDTH = 20


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _state_code(left: float) -> str:
    return "31" if left <= 10 else "33" if left <= 30 else "32"


def _bar(share: float, width: int = BAR_WIDTH) -> str:
    filled = int(round(max(0.0, min(100.0, share)) / 100 * width))
    return "█" * filled + "░" * (width - filled)


def _lanes(snap: Any) -> list[tuple[str, RateWindow]]:
    lanes = [(lane_title(w, slot), w) for slot, w in (("primary", snap.primary), ("secondary", snap.secondary))
             if w is not None]
    return lanes + [(w.title or lane_title(w, "extra"), w) for w in snap.extra_windows]


def usage_report(results: list[UsageResult], *, color: bool, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(UTC)
    out: list[str] = []
    for res in results:
        snap = res.snapshot
        head = f"Codex ({res.home_name})" if len(results) > 1 else "Codex"
        if snap is not None and snap.identity.plan:
            head += f" · {plan_display_name(snap.identity.plan)}"
        if out:
            out.append("")
        out.append(_paint(head, "1", color))
        if snap is not None:
            if snap.identity.email:
                out.append(f"  Account: {snap.identity.email}")
            lanes = _lanes(snap)
            if not lanes:
                out.append("  Limits not available")
            width = max((len(title) for title, _ in lanes), default=0)
            weekly_empty = (snap.secondary is not None and snap.secondary.left_percent <= 0
                            and snap.secondary.resets_at is not None and snap.secondary.resets_at > now)
            for title, w in lanes:
                left = 0.0 if (w is snap.primary and weekly_empty) else w.left_percent
                lane = f"{title + ':':<{width + 1}} {fmt.percent_text(left):>4} left {_bar(left)}"
                out.append("  " + _paint(lane, _state_code(left), color))
                if w.resets_at is not None:
                    out.append(f"    {fmt.reset_countdown(w.resets_at, now)}")
                elif w.reset_description:
                    out.append(f"    {w.reset_description}")
                assumed = SESSION_MINUTES if w is snap.primary else None  # docs/decisions/reference-and-hosts.md
                pace = None if left <= 0 else compute_pace(w, now, unknown_length_minutes=assumed)
                if pace is not None:
                    out.append(f"    {pace.cli_text((w.window_minutes or assumed) == SESSION_MINUTES)}")
            if weekly_empty:
                out.append(_paint("  Weekly limit reached: no session use until the weekly reset", "33", color))
            if snap.web is not None and snap.web.code_review_left_percent is not None:
                out.append(f"  Code review: {fmt.percent_text(snap.web.code_review_left_percent)} left")
                if snap.web.code_review_resets_at is not None:
                    out.append(f"    {fmt.reset_countdown(snap.web.code_review_resets_at, now)}")
                elif snap.web.code_review_reset:
                    out.append(f"    {snap.web.code_review_reset}")
            if snap.credits is not None:
                if snap.credits.unlimited:
                    out.append("  Credits: unlimited")
                elif snap.credits.remaining is not None:
                    out.append(f"  Credits: {fmt.credits_text(snap.credits.remaining)} left")
            age = fmt.age_text((now - snap.fetched_at).total_seconds())
            if res.stale:
                out.append(_paint(f"  Last known values, read {age} (refresh failed)", "33", color))
        if res.error:
            out.append(_paint(f"  Error: {res.error['message']}", "33", color))
        line = f"  Source: {res.source_label}"
        if snap is not None and not res.stale:
            line += f" · updated {fmt.age_text((now - snap.fetched_at).total_seconds())}"
        out.append(_paint(line, "2", color))
    return "\n".join(out)


def cost_report_text(reports: list[HomeCost], *, color: bool, by: str = "day",
                     coverage: list[str | None] | None = None) -> str:
    out: list[str] = []
    for n, rep in enumerate(reports):
        title = f"Cost ({rep.home})" if len(reports) > 1 else "Cost"
        if out:
            out.append("")
        out.append(_paint(title + " · local Codex sessions", "1", color))
        if isinstance(rep, CostFailure):
            out.append(_paint(f"  Error: {rep.message}", "33", color))
            continue
        out.append(f"  Today: {fmt.money(rep.today_cost)} · {fmt.tokens(rep.today_tokens)} tokens")
        out.append(f"  {rep.since} … {rep.until}: {fmt.money(rep.window_cost)} · "
                   f"{fmt.tokens(rep.window_tokens)} tokens")
        days = rep.daily
        if not days:
            out.append("  No Codex sessions in this period")
        elif by != "day":
            from codexbar_core.render.breakdown_text import VIEWS

            out += VIEWS[by](rep, lambda text, code: _paint(text, code, color))
        else:
            peak = max((d.tokens.total_cost or 0.0 for d in days), default=0.0)
            use_cost = peak > 0
            if not use_cost:
                peak = float(max(d.tokens.total_tokens for d in days))
            out.append(_paint(f"  {'date':<10}  {'input':>7}  {'cached':>7}  {'output':>7}  {'total':>7}  {'cost':>9}",
                              "2", color))
            for d in days:
                t = d.tokens
                value = (t.total_cost or 0.0) if use_cost else float(t.total_tokens)
                bar = "▇" * max(1 if value > 0 else 0, int(round(value / peak * 16))) if peak > 0 else ""
                out.append(f"  {d.date:<10}  {fmt.tokens(t.input_tokens):>7}  "
                           f"{fmt.tokens(t.cache_read_tokens):>7}  {fmt.tokens(t.output_tokens):>7}  "
                           f"{fmt.tokens(t.total_tokens):>7}  {fmt.money(t.total_cost):>9}  "
                           + _paint(bar, "36", color))
            models = top_models(days, limit=None)
            if models:
                out.append(_paint("  By model", "1", color))
                width = max(len(name) for name, _, _ in models)
                for name, cost, toks in models:
                    out.append(f"    {name:<{width}}  {fmt.money(cost):>9}  {fmt.tokens(toks):>7} tokens")
        if coverage and n < len(coverage) and coverage[n]:
            out.append(f"  {coverage[n]}")
        for note in rep.notes:
            out.append(f"  {note}")
        if rep.unpriced_models:
            out.append(f"  Not priced: {', '.join(rep.unpriced_models)}")
        out.append(_paint("  Estimated from token usage · not a subscription bill", "2", color))
    return "\n".join(out)
