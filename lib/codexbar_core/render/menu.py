"""Build the menu (title, lanes, credits, cost, account, source, errors, actions) as host-neutral lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from codexbar_core.model import RateWindow, UsageResult, UsageSnapshot
from codexbar_core.normalize import lane_title, plan_display_name
from codexbar_core.render import fmt
from codexbar_core.render.markup import Action, Line, render_lines
from codexbar_core.render.pace import compute_pace

USAGE_URL = "https://chatgpt.com/codex/settings/usage"
STATUS_URL = "https://status.openai.com/"
SOURCE_CHOICES = (("auto", "Auto"), ("oauth", "OAuth"), ("cli", "CLI"), ("web", "Web"))

# (light, dark) pairs; hex so xbar accepts the light one on its own.
GREEN = ("#1E8E3E", "#34C759")
ORANGE = ("#C26A00", "#FF9F0A")
RED = ("#C5221F", "#FF453A")
GREY = ("#6E6E73", "#98989D")
TEXT = ("#1D1D1F", "#F5F5F7")


@dataclass
class HomeView:
    usage: UsageResult
    cost: dict[str, Any] | None = None
    cost_error: str | None = None
    cost_stale: bool = False


@dataclass
class MenuInput:
    homes: list[HomeView]
    now: dt.datetime
    action_path: str
    source_setting: str = "auto"
    reset_style: str = "countdown"
    show_used: bool = False
    title_mode: str = "percent"
    title_metric: str = "auto"
    cookie_mode: str = "off"
    notes: list[str] = field(default_factory=list)
    chart_png_b64: str | None = None


def state_color(left: float) -> tuple[str, str]:
    if left <= 10:
        return RED
    if left <= 30:
        return ORANGE
    return GREEN


def bar(left: float, width: int = 10) -> str:
    filled = int(round(max(0.0, min(100.0, left)) / 100 * width))
    return "▰" * filled + "▱" * (width - filled)


def _lanes(snap: UsageSnapshot) -> list[tuple[str, RateWindow, bool]]:
    """(title, window, is_session) in display order, with the exhausted-weekly cap applied."""
    lanes: list[tuple[str, RateWindow, bool]] = []
    if snap.primary is not None:
        lanes.append((lane_title(snap.primary, "primary"), snap.primary, snap.primary.window_minutes == 300))
    if snap.secondary is not None:
        lanes.append((lane_title(snap.secondary, "secondary"), snap.secondary, False))
    for extra in snap.extra_windows:
        lanes.append((extra.title or lane_title(extra, "extra"), extra, (extra.window_minutes or 0) <= 360))
    return lanes


def weekly_exhausted(snap: UsageSnapshot, now: dt.datetime) -> bool:
    w = snap.secondary
    return bool(w is not None and w.left_percent <= 0 and w.resets_at is not None and w.resets_at > now)


def title_value(snap: UsageSnapshot | None, inp: MenuInput) -> tuple[str, float | None]:
    """Text for the menu bar and the percent left it is based on (None when unknown)."""
    if snap is None or not snap.has_windows:
        return "—", None
    window: RateWindow | None
    if inp.title_metric == "weekly":
        window = snap.secondary or snap.primary
    elif inp.title_metric == "session":
        window = snap.primary or snap.secondary
    else:  # automatic: the tighter of the two lanes
        candidates = [w for w in (snap.primary, snap.secondary) if w is not None]
        window = min(candidates, key=lambda w: w.left_percent)
    assert window is not None
    left = window.left_percent
    if window is snap.primary and weekly_exhausted(snap, inp.now):
        left = 0.0
    percent = fmt.percent_text(100 - left if inp.show_used else left)
    pace = compute_pace(window, inp.now)
    pace_text = None
    if pace is not None:
        sign = "+" if pace.delta_percent > 0 else "−" if pace.delta_percent < 0 else "±"
        pace_text = f"{sign}{int(round(abs(pace.delta_percent)))}%"
    if inp.title_mode == "pace" and pace_text:
        return pace_text, left
    if inp.title_mode == "both" and pace_text:
        return f"{percent} · {pace_text}", left
    return percent, left


def _lane_lines(title: str, window: RateWindow, session: bool, snap: UsageSnapshot, inp: MenuInput) -> list[Line]:
    left = window.left_percent
    capped = session and window is snap.primary and weekly_exhausted(snap, inp.now)
    if capped:
        left = 0.0
    value = fmt.percent_text(100 - left) + " used" if inp.show_used else fmt.percent_text(left) + " left"
    lines = [Line(f"{title}: {value}  {bar(left)}", color=state_color(left), params={"font": "Menlo", "size": "13"})]
    if capped:
        lines.append(Line("Weekly limit reached: the session lane is unavailable until it resets",
                          params={"size": "11"}, color=GREY))
    if window.resets_at is not None:
        lines.append(Line(fmt.reset_text(window.resets_at, inp.now, inp.reset_style), params={"size": "12"},
                          color=GREY))
    elif window.reset_description:
        lines.append(Line(window.reset_description, params={"size": "12"}, color=GREY))
    pace = None if capped else compute_pace(window, inp.now)
    if pace is not None and not (window is snap.secondary and left <= 0):
        lines.append(Line(pace.menu_text(session and window.window_minutes == 300), params={"size": "12"},
                          color=GREY))
    return lines


def usage_section(view: HomeView, inp: MenuInput) -> list[Line]:
    res = view.usage
    snap = res.snapshot
    lines: list[Line] = []
    if snap is not None:
        if snap.has_windows:
            for title, window, session in _lanes(snap):
                lines += _lane_lines(title, window, session, snap, inp)
        elif snap.identity.email or snap.identity.plan:
            lines.append(Line("Limits not available for this account", color=GREY))
        else:
            lines.append(Line("No usage yet", color=GREY))
        if snap.web is not None and snap.web.code_review_left_percent is not None:
            lines.append(Line(f"Code review: {fmt.percent_text(snap.web.code_review_left_percent)} left",
                              color=state_color(snap.web.code_review_left_percent)))
        lines += credits_lines(snap)
        if res.stale:
            age = (inp.now - snap.fetched_at).total_seconds()
            lines.append(Line(f"Showing data from {fmt.age_text(age)} (refresh failed)", color=ORANGE,
                              params={"size": "12"}))
    if res.error is not None:
        lines += error_lines(res.error)
    if res.pending:
        lines.append(Line("Refreshing in the background…", color=GREY, params={"size": "12"}))
    return lines


def credits_lines(snap: UsageSnapshot) -> list[Line]:
    c = snap.credits
    if c is None:
        return []
    if c.unlimited:
        return [Line("Credits: unlimited", color=TEXT)]
    lines: list[Line] = []
    remaining = c.remaining
    if remaining is not None:
        lines.append(Line(f"Credits: {fmt.credits_text(remaining)} left", color=TEXT))
    if c.limit is not None:
        detail = f"{fmt.credits_text(c.limit.used)} of {fmt.credits_text(c.limit.limit)} used"
        if c.limit.resets_at is not None:
            detail += f" · resets {c.limit.resets_at.astimezone().strftime('%b')} {c.limit.resets_at.astimezone().day}"
        lines.append(Line(f"{c.limit.title}: {detail}", params={"size": "12"}, color=GREY))
    if c.reset_credits_available:
        lines.append(Line(f"Limit reset credits: {c.reset_credits_available} available", params={"size": "12"},
                          color=GREY))
    return lines


# What to do about each kind of failure, in words a user can act on.
ERROR_HINTS = {
    "missing_credentials": "Run `codex login` in a terminal, then Refresh.",
    "not_signed_in": "Run `codex login` in a terminal, then Refresh.",
    "auth": "Run `codex login` in a terminal, then Refresh.",
    "needs_refresh": "Run any `codex` command (or `codex login`), then Refresh.",
    "missing_binary": "Install the Codex CLI: npm i -g @openai/codex",
    "rate_limited": "Try again in a few minutes.",
    "unavailable": "Will retry on the next refresh.",
    "timeout": "Will retry on the next refresh.",
    "login_required": "Sign in at chatgpt.com in your browser, then Refresh.",
}


def error_lines(error: dict[str, str]) -> list[Line]:
    message = error.get("message") or "Unknown error"
    lines = [Line(f"⚠ {message}", color=ORANGE, params={"length": "90"})]
    hint = ERROR_HINTS.get(error.get("kind") or "")
    if hint and hint.lower() not in message.lower():
        lines.append(Line(hint, params={"size": "12"}, color=GREY))
    return lines


def cost_section(view: HomeView, inp: MenuInput) -> list[Line]:
    lines: list[Line] = [Line("Cost (local sessions)", color=TEXT, params={"size": "12"})]
    rep = view.cost
    if rep is None:
        lines.append(Line(f"⚠ {view.cost_error or 'Cost not available yet'}", color=ORANGE))
        return lines
    days = rep.get("daily") or []
    if not days:
        lines.append(Line("No Codex sessions in the last 30 days", color=GREY))
        for note in rep.get("notes") or []:
            lines.append(Line(note, params={"size": "12"}, color=GREY))
        return lines
    lines.append(Line(f"Today: {fmt.money(rep.get('sessionCostUSD'))} · {fmt.tokens(rep.get('sessionTokens'))} tokens",
                      color=TEXT))
    window_days = _window_days(rep)
    label = "Today" if window_days == 1 else f"Last {window_days} days"
    lines.append(Line(f"{label}: {fmt.money(rep.get('last30DaysCostUSD'))} · "
                      f"{fmt.tokens(rep.get('last30DaysTokens'))} tokens", color=TEXT))
    if inp.chart_png_b64:
        lines.append(Line("", params={"image": inp.chart_png_b64}))
    # Per-day submenu, newest first (no colour on the parent: SwiftBar #526).
    lines.append(Line("Daily cost"))
    for day in reversed(days[-30:]):
        lines.append(Line(f"{day['date']}: {fmt.money(day.get('totalCost'))} · {fmt.tokens(day.get('totalTokens'))} tokens",
                          depth=1, params={"font": "Menlo", "size": "12"}))
    models = _top_models(days)
    if models:
        lines.append(Line("Cost by model"))
        for name, cost, toks in models:
            lines.append(Line(f"{name}: {fmt.money(cost)} · {fmt.tokens(toks)} tokens", depth=1,
                              params={"font": "Menlo", "size": "12"}))
    unpriced = rep.get("unpricedModels") or []
    if unpriced:
        lines.append(Line(f"Not priced: {', '.join(unpriced[:4])}", params={"size": "12"}, color=GREY))
    for note in rep.get("notes") or []:
        lines.append(Line(note, params={"size": "12", "length": "90"}, color=GREY))
    if view.cost_stale:
        lines.append(Line("Cost from an earlier scan; a new scan is running", params={"size": "12"}, color=GREY))
    lines.append(Line("Estimated from token usage · not a subscription bill", params={"size": "11"}, color=GREY))
    return lines


def _window_days(rep: dict[str, Any]) -> int:
    try:
        since = dt.date.fromisoformat(rep["since"])
        until = dt.date.fromisoformat(rep["until"])
        return (until - since).days + 1
    except (KeyError, TypeError, ValueError):
        return 30


def _top_models(days: list[dict[str, Any]], limit: int = 6) -> list[tuple[str, float | None, int]]:
    totals: dict[str, list[Any]] = {}
    for day in days:
        for m in day.get("modelBreakdowns") or []:
            entry = totals.setdefault(m["modelName"], [None, 0])
            if m.get("cost") is not None:
                entry[0] = (entry[0] or 0.0) + m["cost"]
            entry[1] += int(m.get("totalTokens") or 0)
    ranked = sorted(totals.items(), key=lambda kv: (kv[1][0] or 0.0, kv[1][1]), reverse=True)
    return [(name, v[0], v[1]) for name, v in ranked[:limit]]


def account_lines(view: HomeView) -> list[Line]:
    snap = view.usage.snapshot
    lines: list[Line] = []
    if snap is not None and (snap.identity.email or snap.identity.plan):
        plan = plan_display_name(snap.identity.plan)
        parts = [p for p in (snap.identity.email, plan) if p]
        lines.append(Line("Account: " + " · ".join(parts), color=TEXT, params={"size": "12"}))
    label = view.usage.source_label
    trace = view.usage.trace
    why = {"flag": "from --source", "setting": "chosen in the menu", "environment": "from CODEXBAR_SOURCE",
           "default": "automatic"}.get(trace.chosen_by, trace.chosen_by)
    # No colour on a line with children: SwiftBar 2.1.1 stops opening such submenus (#526).
    lines.append(Line(f"Source: {label} ({why})", params={"size": "12"}))
    for attempt in trace.attempts:
        if attempt.outcome != "ok":
            lines.append(Line(f"{attempt.source}: {attempt.outcome} — {attempt.reason}", depth=1,
                              params={"size": "12", "length": "100"}))
    if snap is not None and snap.cli_version:
        lines.append(Line(f"Codex CLI {snap.cli_version}", params={"size": "11"}, color=GREY))
    return lines


def actions(inp: MenuInput) -> list[Line]:
    path = inp.action_path
    lines = [Line("Refresh", action=Action(path, ["refresh"]))]
    lines.append(Line("Usage source"))
    for value, label in SOURCE_CHOICES:
        lines.append(Line(label, depth=1, action=Action(path, ["source", value]),
                          checked=inp.source_setting == value))
    lines.append(Line("OpenAI cookies"))
    for value, label in (("off", "Off"), ("auto", "Automatic (browsers)"), ("manual", "Manual (paste header)")):
        args = ["cookies", "mode", value] if value != "manual" else ["cookies", "prompt"]
        lines.append(Line(label, depth=1, action=Action(path, args), checked=inp.cookie_mode == value))
    lines.append(Line("Open usage page", params={"href": USAGE_URL}))
    lines.append(Line("OpenAI status", params={"href": STATUS_URL}))
    return lines


def build_menu(inp: MenuInput, host: str) -> str:
    views = inp.homes
    # Title: the tightest home.
    best: tuple[str, float | None] = ("—", None)
    for view in views:
        text, left = title_value(view.usage.snapshot, inp)
        if left is not None and (best[1] is None or left < best[1]):
            best = (text, left)
    title_text, title_left = best
    header_params: dict[str, str] = {}
    if host == "swiftbar":
        header_params["sfimage"] = "gauge.with.dots.needle.33percent"
        header_params["symbolize"] = "false"
        label = title_text
    else:
        label = f"Codex {title_text}"
    header = [Line(label, params=header_params,
                   color=state_color(title_left) if title_left is not None and title_left <= 30 else None)]

    body: list[Line] = []
    multi = len(views) > 1
    for i, view in enumerate(views):
        if i:
            body.append(Line("", separator=True))
        snap = view.usage.snapshot
        plan = plan_display_name(snap.identity.plan) if snap else None
        heading = f"Codex · {view.usage.home_name}" if multi else "Codex"
        if plan:
            heading += f" · {plan}"
        body.append(Line(heading, params={"size": "14"}, color=TEXT))
        body += usage_section(view, inp)
        body.append(Line("", separator=True))
        body += cost_section(view, inp)
        body.append(Line("", separator=True))
        body += account_lines(view)
    for note in inp.notes:
        body.append(Line(f"⚠ {note}", color=ORANGE))
    body.append(Line("", separator=True))
    body += actions(inp)
    return render_lines(header, body, host)
