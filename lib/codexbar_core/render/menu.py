"""Build the menu as host-neutral lines: each home's card (heading, lanes, credits, errors, source) in order.

Card order per Codex home (docs/reference/menu-rules.md, "Card order"): heading (CLI version,
plan), account, rate lanes with reset and pace, extra lanes, credits, cost with the per-day chart and
per-model breakdown, source; then the actions and settings submenus. The title is in title.py, the cost
part in cost_menu.py, the submenus in settings_menu.py. markup.py turns the lines into what the host understands.
"""

from __future__ import annotations

import os
import re

from codexbar_core.model import RateWindow, UsageResult, UsageSnapshot, WebExtras
from codexbar_core.normalize import lane_title, plan_display_name
from codexbar_core.render import fmt
from codexbar_core.render.cost_menu import all_homes_cost, cost_section
from codexbar_core.render.markup import Line, detect_dark, render_lines
from codexbar_core.render.menu_input import HomeView, MenuInput
from codexbar_core.render.pace import compute_pace
from codexbar_core.render.palette import GREY, ORANGE, RED, SMALL, TEXT, state_color
from codexbar_core.render.settings_menu import actions
from codexbar_core.render.title import assumed_minutes, build_title, weekly_exhausted

CREDITS_BAR_SCALE = 1000.0  # docs/reference/menu-rules.md, "Credits bar": the credits bar is scaled to 1,000 credits


def bar(left: float, width: int = 10) -> str:
    filled = int(round(max(0.0, min(100.0, left)) / 100 * width))
    return "▰" * filled + "▱" * (width - filled)


# -- lanes ---------------------------------------------------------------------------------------

def _lanes(snap: UsageSnapshot) -> list[tuple[str, RateWindow, bool]]:
    """(title, window, is_session_like) in display order."""
    lanes: list[tuple[str, RateWindow, bool]] = []
    if snap.primary is not None:
        lanes.append((lane_title(snap.primary, "primary"), snap.primary,
                      snap.primary.window_minutes in (300, None)))
    if snap.secondary is not None:
        lanes.append((lane_title(snap.secondary, "secondary"), snap.secondary, False))
    for extra in snap.extra_windows:
        lanes.append((extra.title or lane_title(extra, "extra"), extra, (extra.window_minutes or 0) <= 360))
    return lanes


def _lane_lines(title: str, window: RateWindow, session: bool, res: UsageResult, inp: MenuInput,
                compact: bool = False) -> list[Line]:
    """Lane, reset, pace. `compact` (extra windows) puts reset and pace on one line to keep the menu short."""
    snap = res.snapshot
    assert snap is not None
    capped = window is snap.primary and weekly_exhausted(snap, inp.now)
    left = 0.0 if capped else window.left_percent
    value = fmt.percent_text(100 - left) + " used" if inp.show_used else fmt.percent_text(left) + " left"
    lines = [Line(f"{title}: {value}  {bar(left)}", color=state_color(left), params={"font": "Menlo", "size": "13"})]
    if capped:
        lines.append(Line("Weekly limit reached: no session use until the weekly reset", params={"size": "11"},
                          color=GREY))
    reset: Line | None = None
    if window.resets_at is not None:
        if res.stale and window.resets_at <= inp.now:
            reset = Line("Reset since this was read; Refresh for new numbers", params=SMALL, color=ORANGE)
        else:
            reset = Line(fmt.reset_text(window.resets_at, inp.now, inp.reset_style), params=SMALL, color=GREY)
    elif window.reset_description:
        text = window.reset_description
        reset = Line(text[:1].upper() + text[1:], params=SMALL, color=GREY)
    # No pace for a capped session or an empty lane (docs/reference/menu-rules.md, "Pace"); the reset countdown stays.
    pace = None if capped or left <= 0 else compute_pace(window, inp.now,
                                                         unknown_length_minutes=assumed_minutes(window, snap))
    pace_color = GREY
    if pace is not None and pace.delta_percent > 12 and not pace.will_last_to_reset:
        pace_color = ORANGE
    if compact and reset is not None and pace is not None:
        reset.text += f" · {pace.left_label}"
        reset.color = pace_color if pace_color is ORANGE else reset.color
        return [*lines, reset]
    if reset is not None:
        lines.append(reset)
    if pace is not None:
        lines.append(Line(pace.menu_text(session and window.window_minutes in (300, None)), params=SMALL,
                          color=pace_color))
    return lines


def _code_review_reset(web: WebExtras, stale: bool, inp: MenuInput) -> str | None:
    """The code-review lane's reset like the other lanes', else in the page's own words."""
    if web.code_review_resets_at is not None:
        if web.code_review_resets_at <= inp.now:
            return "Reset since this was read; Refresh for new numbers" if stale else None
        return fmt.reset_text(web.code_review_resets_at, inp.now, inp.reset_style)
    text = web.code_review_reset
    return text[:1].upper() + text[1:] if text else None


def usage_section(view: HomeView, inp: MenuInput) -> list[Line]:
    res = view.usage
    snap = res.snapshot
    lines: list[Line] = []
    if snap is not None:
        lines += _limits_lines(view, inp)
        if snap.has_windows or snap.extra_windows:
            show_extras = inp.setting("show_extras", True) is not False
            for title, window, session in _lanes(snap):
                compact = window is not snap.primary and window is not snap.secondary
                if compact and not show_extras:
                    continue
                lines += _lane_lines(title, window, session, res, inp, compact)
            lines += _turns_lines(view)
        elif snap.partial and snap.source == "codex-cli":
            # credits recovered from an answer whose lanes this CLI could not read
            lines.append(Line("Limits unreadable by this Codex CLI; updating it may help", color=GREY))
        elif snap.identity.email or snap.identity.plan:
            lines.append(Line("Limits not available", color=GREY))
        else:
            lines.append(Line("No usage yet", color=GREY))
        if snap.web is not None and snap.web.code_review_left_percent is not None:
            left = fmt.clamp_percent(snap.web.code_review_left_percent)
            lines.append(Line(f"Code review: {fmt.percent_text(left)} left  {bar(left)}", color=state_color(left),
                              params={"font": "Menlo", "size": "13"}))
            review_reset = _code_review_reset(snap.web, res.stale, inp)
            if review_reset:
                lines.append(Line(review_reset, params=SMALL, color=GREY))
        lines += credits_lines(snap, inp)
        lines += dashboard_lines(snap)
        if res.stale:
            age = (inp.now - snap.fetched_at).total_seconds()
            lines.append(Line(f"⚠ Showing data from {fmt.age_text(age)} (refresh failed)", color=ORANGE,
                              params=SMALL))
    if res.error is not None:
        lines += error_lines(res.error)
    if res.pending:
        lines.append(Line("Refreshing in the background…", color=GREY, params=SMALL))
    return lines


def _limits_lines(view: HomeView, inp: MenuInput) -> list[Line]:
    """What docs/decisions/limits.md adds to a home's card (the age of a logs answer, ...), kept in its own module."""
    from codexbar_core.limits.menu_lines import limits_lines

    return limits_lines(view.usage, inp.now, GREY, SMALL)


def _wall_lines(view: HomeView, inp: MenuInput) -> list[Line]:
    """First line when a lane is exhausted: "Weekly limit reached · usable Thu 14:00" (docs/decisions/limits.md)."""
    from codexbar_core.limits.wall import credit_text, line_text, wall_of

    wall = wall_of(view.usage.snapshot, inp.now)
    if wall is None:
        return []
    home = f"{view.usage.home_name}: " if len(inp.homes) > 1 else ""  # the card's heading comes after it
    lines = [Line(home + line_text(wall, inp.now), color=RED, params={"size": "14"})]
    credit = credit_text(wall)
    if credit:
        lines.append(Line(credit, params=SMALL, color=GREY))
    return lines


def _turns_lines(view: HomeView) -> list[Line]:
    if not view.turns:
        return []
    from codexbar_core.limits.menu_lines import turns_lines

    return turns_lines(view.turns, GREY, SMALL)


def credits_lines(snap: UsageSnapshot, inp: MenuInput) -> list[Line]:
    c = snap.credits
    if c is None:
        return []
    if c.unlimited:
        return [Line("Credits: unlimited", color=TEXT)]
    lines: list[Line] = []
    remaining = c.remaining
    if remaining is not None:
        scale = c.limit.limit if c.limit is not None and c.limit.limit > 0 else CREDITS_BAR_SCALE
        share = min(100.0, max(0.0, remaining / scale * 100))
        lines.append(Line(f"Credits: {fmt.credits_text(remaining)} left  {bar(share)}", color=TEXT,
                          params={"font": "Menlo", "size": "13"}))
    if c.limit is not None:
        detail = f"{fmt.credits_text(c.limit.used)} of {fmt.credits_text(c.limit.limit)} used"
        if c.limit.resets_at is not None:
            detail += f" · resets {fmt.short_date(c.limit.resets_at)}"
        lines.append(Line(f"{c.limit.title}: {detail}", params=SMALL, color=GREY))
    if c.reset_credits_available:
        text = f"Limit reset credits: {c.reset_credits_available} available"
        if c.reset_credits_next_expiry is not None:
            text += f" · next expires {fmt.short_date(c.reset_credits_next_expiry)}"
        lines.append(Line(text, params=SMALL, color=GREY))
    return lines


def dashboard_lines(snap: UsageSnapshot) -> list[Line]:
    """What only the chatgpt.com dashboard knows: plan renewal, credits history, where to buy credits."""
    web = snap.web
    if web is None:
        return []
    lines: list[Line] = []
    if web.renewal:
        lines.append(Line(f"Plan {web.renewal}", params=SMALL, color=GREY))
    if web.credit_history:
        lines.append(Line("Credits history"))
        for event in web.credit_history[:20]:  # newest first, as the dashboard lists them
            lines.append(Line(f"{event.date}  {event.service}: {fmt.credits_text(event.amount)} credits", depth=1,
                              params={"font": "Menlo", "size": "12"}))
    if web.purchase_url:
        lines.append(Line("Buy credits…", params={"href": web.purchase_url}))
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
    params = {"length": "90"}
    if len(message) + 2 > 89:  # the host cuts it: the whole message (and its fix) on hover where it can
        params["tooltip"] = message.replace("|", "¦")
    lines = [Line(f"⚠ {message}", color=ORANGE, params=params)]
    hint = ERROR_HINTS.get(error.get("kind") or "")
    # Skip the hint when the message already names the same command (`codex login`).
    commands = re.findall(r"`([^`]+)`", hint or "")
    if hint and hint.lower() not in message.lower() and not any(c in message for c in commands):
        lines.append(Line(hint, params=SMALL, color=GREY))
    return lines


# -- account, source, actions ----------------------------------------------------------------------

def heading(view: HomeView, multi: bool) -> list[Line]:
    snap = view.usage.snapshot
    text = "Codex"
    if snap is not None and snap.cli_version:
        text += f" {snap.cli_version}"
    if multi:
        text += f" · {view.usage.home_name}"
    plan = plan_display_name(snap.identity.plan) if snap else None
    if plan:
        text += f" · {plan}"
    lines = [Line(text, params={"size": "14"}, color=TEXT)]
    if snap is not None and snap.identity.email:
        lines.append(Line(snap.identity.email, params=SMALL, color=GREY))
    return lines


def source_lines(view: HomeView, inp: MenuInput) -> list[Line]:
    res = view.usage
    why = {"flag": "from --source", "setting": "chosen in the menu", "environment": "from CODEXBAR_SOURCE",
           "default": "automatic"}.get(res.trace.chosen_by, res.trace.chosen_by)
    text = f"Source: {res.source_label} ({why})"
    if res.snapshot is not None:
        text += f" · updated {fmt.age_text((inp.now - res.snapshot.fetched_at).total_seconds())}"
    # No colour on a line with children (SwiftBar #526).
    lines = [Line(text, params=SMALL)]
    if res.trace.login_line:  # where Codex keeps its login (docs/decisions/codex-logins.md)
        lines.append(Line(res.trace.login_line, depth=1, params={"size": "12", "length": "100"}))
        for note in (res.trace.login or {}).get("notes") or []:
            lines.append(Line(str(note), depth=1, params={"size": "12", "length": "100"}))
    for attempt in res.trace.attempts:
        if attempt.outcome != "ok":
            lines.append(Line(f"{attempt.source}: {attempt.outcome} — {attempt.reason}", depth=1,
                              params={"size": "12", "length": "100"}))
    return lines


# -- whole menu ----------------------------------------------------------------------------------

def build_menu(inp: MenuInput, host: str) -> str:
    views = inp.homes
    multi = len(views) > 1
    body: list[Line] = []
    for i, view in enumerate(views):
        if i:
            body.append(Line("", separator=True))
        body += _wall_lines(view, inp)
        body += heading(view, multi)
        body += usage_section(view, inp)
        body.append(Line("", separator=True))
        body += cost_section(view, inp, host, with_chart=not multi)
        body += source_lines(view, inp)
    if multi:
        extra = all_homes_cost(views, inp, host)
        if extra:
            body.append(Line("", separator=True))
            body += extra
    for note in inp.notes:
        body.append(Line(f"⚠ {note}", color=ORANGE))
    body.append(Line("", separator=True))
    body += actions(inp)
    dark = detect_dark(os.environ) if inp.dark is None else inp.dark
    return render_lines([build_title(inp, host)], body, host, dark=dark)
