"""Build the menu (title, lanes, credits, cost, account, source, errors, settings) as host-neutral lines.

Card order per Codex home (docs/reference/menu-rules.md, "Card order"): heading (CLI version,
plan), account, rate lanes with reset and pace, extra lanes, credits, cost with the per-day chart and
per-model breakdown, source; then the actions and settings submenus. markup.py turns the lines into what the host understands.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from typing import Any

from codexbar_core.cost_model import CostReport, DayCost, top_models
from codexbar_core.model import CostBreakdown, RateWindow, UsageResult, UsageSnapshot, WebExtras, parse_iso
from codexbar_core.normalize import lane_title, plan_display_name
from codexbar_core.render import fmt
from codexbar_core.render.markup import Action, Line, detect_dark, detect_macos_major, render_lines
from codexbar_core.render.pace import SESSION_MINUTES, compute_pace

USAGE_URL = "https://chatgpt.com/codex/settings/usage"
STATUS_URL = "https://status.openai.com/"
CHANGELOG_URL = "https://github.com/openai/codex/releases"
KEYRING_DIRECT_LABEL = "Read Codex's keychain login directly (faster; macOS asks once)"
SOURCE_CHOICES = (("auto", "Auto"), ("oauth", "OAuth"), ("cli", "CLI"), ("web", "Web"))
TITLE_MODE_CHOICES = (("percent", "Percent left (45%)"), ("pace", "Pace (+5% = in reserve)"),
                      ("both", "Both (45% · +5%)"))
TITLE_METRIC_CHOICES = (("auto", "Tightest lane"), ("session", "Session"), ("weekly", "Weekly"))
RESET_STYLE_CHOICES = (("countdown", "Countdown (in 2h 30m)"), ("absolute", "Clock time (3:00 PM)"))
THRESHOLD_PRESETS = (("80,95", "At 80% and 95% used"), ("50,80,95", "At 50%, 80% and 95% used"),
                     ("90", "At 90% used"), ("95,100", "At 95% used and when empty"))

# (light, dark) pairs; hex so xbar accepts a single one.
GREEN = ("#1E8E3E", "#34C759")
ORANGE = ("#C26A00", "#FF9F0A")
RED = ("#C5221F", "#FF453A")
GREY = ("#6E6E73", "#98989D")
TEXT = ("#1D1D1F", "#F5F5F7")
SMALL = {"size": "12"}
MONO = {"font": "Menlo", "size": "12"}
CREDITS_BAR_SCALE = 1000.0  # docs/reference/menu-rules.md, "Credits bar": the credits bar is scaled to 1,000 credits


@dataclass
class HomeView:
    usage: UsageResult
    cost: CostReport | None = None
    cost_error: str | None = None
    cost_stale: bool = False
    breakdown: CostBreakdown | None = None  # by project and top sessions, from the last scan of the window
    coverage: Any = None  # cost.coverage.Coverage: local tokens against OpenAI's own daily count
    # "≈ 40 turns of gpt-5.6-sol left…" estimates (codexbar_core.limits.turns.TurnsLeft), newest model first
    turns: list[Any] = field(default_factory=list)


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
    # The Settings object (notification choices are read from it); None = defaults.
    settings: Any = None
    # Single-colour hosts: use the dark colour of each pair. None = from the environment (markup.detect_dark).
    dark: bool | None = None
    # macOS major version (SwiftBar says it); picks title symbols this macOS has. None = from the environment.
    macos_major: int | None = None

    def setting(self, key: str, default: Any) -> Any:
        if self.settings is None:
            return default
        value = self.settings.get(key)
        return default if value is None else value


def state_color(left: float) -> tuple[str, str]:
    if left <= 10:
        return RED
    if left <= 30:
        return ORANGE
    return GREEN


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


def _assumed_minutes(window: RateWindow, snap: UsageSnapshot) -> int | None:
    """Only the session lane has a length to assume when the source gave none (the 5-hour window)."""
    return SESSION_MINUTES if window is snap.primary else None


def weekly_exhausted(snap: UsageSnapshot, now: dt.datetime) -> bool:
    """docs/reference/menu-rules.md, "Binding weekly lane": an empty weekly lane with a future reset binds the session lane too."""
    w = snap.secondary
    return bool(w is not None and w.left_percent <= 0 and w.resets_at is not None and w.resets_at > now)


def effective_left(window: RateWindow, snap: UsageSnapshot, now: dt.datetime) -> float:
    if window is snap.primary and weekly_exhausted(snap, now):
        return 0.0
    return window.left_percent


def title_window(snap: UsageSnapshot, inp: MenuInput) -> RateWindow | None:
    if inp.title_metric == "weekly":
        return snap.secondary or snap.primary
    if inp.title_metric == "session":
        return snap.primary or snap.secondary
    # Automatic: the tighter lane. An empty lane whose reset has passed says nothing (docs/reference/menu-rules.md, "Binding weekly lane").
    candidates = [w for w in (snap.primary, snap.secondary) if w is not None
                  and not (w.left_percent <= 0 and w.resets_at is not None and w.resets_at <= inp.now)]
    if not candidates:
        return snap.primary or snap.secondary
    return min(candidates, key=lambda w: effective_left(w, snap, inp.now))


def pace_title(delta: float) -> str:
    """Signed pace for the title: "+12%" = 12 % in reserve, "−8%" = 8 % in deficit."""
    rounded = int(round(abs(delta)))
    if rounded == 0:
        return "±0%"
    return f"+{rounded}%" if delta < 0 else f"−{rounded}%"


@dataclass
class Title:
    text: str
    left: float | None  # percent left it is based on (None when unknown)
    deficit: float = 0.0  # pace delta when the title shows pace and it is a deficit


def title_value(snap: UsageSnapshot | None, inp: MenuInput) -> Title:
    if snap is None or not snap.has_windows:
        return Title("—", None)
    from codexbar_core.limits.wall import title_text, wall_of

    wall = wall_of(snap, inp.now)
    if wall is not None:  # an exhausted lane: say which, and when work is possible again
        return Title(title_text(wall, inp.now), 0.0)
    window = title_window(snap, inp)
    assert window is not None
    left = effective_left(window, snap, inp.now)
    percent = fmt.percent_text(100 - left if inp.show_used else left)
    pace = None if left <= 0 else compute_pace(window, inp.now, unknown_length_minutes=_assumed_minutes(window, snap))
    if pace is None or inp.title_mode == "percent":
        return Title(percent, left)
    deficit = max(0.0, pace.delta_percent)
    if inp.title_mode == "pace":
        return Title(pace_title(pace.delta_percent), left, deficit)
    return Title(f"{percent} · {pace_title(pace.delta_percent)}", left, deficit)


def _title_color(title: Title) -> tuple[str, str] | None:
    """Neutral when all is well; orange/red as a lane runs low or the pace runs far into deficit."""
    if title.left is None:
        return None
    if title.left <= 30:
        return state_color(title.left)
    if title.deficit > 12:
        return ORANGE
    return None


# The needle gauges exist from macOS 14 (SF Symbols 5); "gauge" from macOS 11 and on every later one.
NEEDLE_GAUGES_FROM_MACOS = 14
PLAIN_GAUGE = "gauge"


def _gauge_symbol(left: float | None, macos_major: int | None) -> str:
    """A gauge whose needle follows what is left, where this macOS has those symbols; else the plain gauge
    (an unknown symbol would leave the menu bar with no icon at all)."""
    if macos_major is None or macos_major < NEEDLE_GAUGES_FROM_MACOS:
        return PLAIN_GAUGE
    if left is None:
        return "gauge.with.dots.needle.bottom.50percent"
    for limit, name in ((10, "0"), (40, "33"), (60, "50"), (85, "67")):
        if left <= limit:
            return f"gauge.with.dots.needle.{name}percent"
    return "gauge.with.dots.needle.100percent"


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
                                                         unknown_length_minutes=_assumed_minutes(window, snap))
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


# -- cost ----------------------------------------------------------------------------------------

def _window_label(days: int) -> str:
    return "Today" if days == 1 else f"Last {days} days"


def chart_line(chart_b64: str, host: str, action_path: str) -> Line:
    """The chart; a click opens the cost report (`codexbar cost`) in a terminal.

    Hosts draw an item without an action disabled, which greys the image (xbar always; SwiftBar unless it
    has a colour): the action keeps it crisp and gives the click a use (docs/decisions/reference-and-hosts.md).
    """
    from codexbar_core.render.chart import image_params

    return Line("", params=image_params(chart_b64, host), color=TEXT if host == "swiftbar" else None,
                action=Action(action_path, ["cost"], refresh=False, terminal=True))


def cost_section(view: HomeView, inp: MenuInput, host: str, with_chart: bool) -> list[Line]:
    lines: list[Line] = [Line("Cost (local sessions)", color=TEXT, params=SMALL)]
    rep = view.cost
    if rep is None:
        lines.append(Line(f"⚠ {view.cost_error or 'Cost not available yet'}", color=ORANGE))
        return lines
    days = rep.daily
    if not days:
        lines.append(Line(f"No Codex sessions in the {_window_label(rep.window_days).lower()}", color=GREY))
        for note in rep.notes:
            lines.append(Line(note, params=SMALL, color=GREY))
        return lines
    lines.append(Line(f"Today: {fmt.money(rep.today_cost)} · {fmt.tokens(rep.today_tokens)} tokens", color=TEXT))
    lines.append(Line(f"{_window_label(rep.window_days)}: {fmt.money(rep.window_cost)} · "
                      f"{fmt.tokens(rep.window_tokens)} tokens", color=TEXT))
    from codexbar_core.render import breakdown_menu as bdm

    today = inp.now.astimezone().date()
    lines.append(bdm.month_line(rep, today))
    if with_chart and inp.chart_png_b64:
        lines.append(chart_line(inp.chart_png_b64, host, inp.action_path))
    lines += daily_submenu(days)
    lines += model_submenu(days)
    if view.breakdown is not None:
        label = _window_label(rep.window_days)
        lines += bdm.project_submenu(view.breakdown, label)
        lines += bdm.sessions_submenu(view.breakdown, today, label)
    if view.coverage is not None:
        lines.append(Line(view.coverage.text(), params=SMALL, color=ORANGE if view.coverage.inflated else GREY))
    if rep.unpriced_models:
        lines.append(Line(f"Not priced: {', '.join(rep.unpriced_models[:4])}", params=SMALL, color=GREY))
    for note in rep.notes:
        lines.append(Line(note, params={"size": "12", "length": "90"}, color=GREY))
    if view.cost_stale:
        scanned = parse_iso(rep.updated_at)
        when = f" ({fmt.age_text((inp.now - scanned).total_seconds())})" if scanned else ""
        lines.append(Line(f"Cost from an earlier scan{when}; a new scan is running", params=SMALL, color=GREY))
    lines.append(Line("Estimated from token usage · not a subscription bill", params={"size": "11"}, color=GREY))
    return lines


def daily_submenu(days: list[DayCost]) -> list[Line]:
    # No colour on a parent line: SwiftBar 2.1.1 stops opening a coloured submenu (#526).
    lines = [Line("Cost per day")]
    for day in reversed(days[-30:]):
        date = dt.date.fromisoformat(day.date)
        lines.append(Line(f"{date.strftime('%a %b')} {date.day:>2}  {fmt.money(day.tokens.total_cost):>9}  "
                          f"{fmt.tokens(day.tokens.total_tokens):>6} tokens", depth=1, params=MONO))
    return lines


def model_submenu(days: list[DayCost]) -> list[Line]:
    models = top_models(days)
    if not models:
        return []
    total = sum(cost or 0.0 for _, cost, _ in models)
    lines = [Line("Cost by model")]
    for name, cost, toks in models:
        share = f"  {int(round((cost or 0) / total * 100)):>3}%" if total > 0 and cost is not None else ""
        lines.append(Line(f"{name}: {fmt.money(cost)} · {fmt.tokens(toks)} tokens{share}", depth=1, params=MONO))
    return lines


def all_homes_cost(views: list[HomeView], inp: MenuInput, host: str) -> list[Line]:
    reports = [v.cost for v in views if v.cost]
    if not reports:
        return []
    cost = [r.window_cost for r in reports]
    total_cost = None if all(c is None for c in cost) else sum(c or 0.0 for c in cost)
    total_tokens = sum(r.window_tokens for r in reports)
    label = _window_label(reports[0].window_days)
    lines = [Line(f"All homes · {label.lower()}: {fmt.money(total_cost)} · {fmt.tokens(total_tokens)} tokens",
                  color=TEXT)]
    if inp.chart_png_b64:
        lines.append(chart_line(inp.chart_png_b64, host, inp.action_path))
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


def _label(text: str) -> Line:
    """A section label inside a submenu (no action: hosts show it greyed, like a heading)."""
    return Line(text, depth=1, params={"size": "11"})


def _choice(label: str, depth: int, path: str, args: list[str], checked: bool) -> Line:
    return Line(label, depth=depth, action=Action(path, args), checked=checked)


def actions(inp: MenuInput) -> list[Line]:
    path = inp.action_path
    lines = [Line("Refresh", action=Action(path, ["refresh"]))]
    lines.append(Line("Usage source"))
    for value, label in SOURCE_CHOICES:
        lines.append(_choice(label, 1, path, ["source", value], inp.source_setting == value))
    direct = inp.setting("keyring_direct", False) is True
    lines.append(Line("", depth=1, separator=True))
    lines.append(_choice(KEYRING_DIRECT_LABEL, 1, path, ["set", "keyring_direct", "false" if direct else "true"],
                         direct))
    lines.append(Line("Menu bar"))
    lines.append(_label("Show"))
    for value, label in TITLE_MODE_CHOICES:
        lines.append(_choice(label, 1, path, ["set", "title_mode", value], inp.title_mode == value))
    lines += [Line("", depth=1, separator=True), _label("Lane")]
    for value, label in TITLE_METRIC_CHOICES:
        lines.append(_choice(label, 1, path, ["set", "title_metric", value], inp.title_metric == value))
    lines += [Line("", depth=1, separator=True), _label("Reset times")]
    for value, label in RESET_STYLE_CHOICES:
        lines.append(_choice(label, 1, path, ["set", "reset_style", value], inp.reset_style == value))
    lines += [Line("", depth=1, separator=True)]
    lines.append(_choice("Show percent used instead of left", 1, path,
                         ["set", "show_used", "false" if inp.show_used else "true"], inp.show_used))
    extras = inp.setting("show_extras", True) is not False
    lines.append(_choice("Show Spark and other extra limits", 1, path,
                         ["set", "show_extras", "false" if extras else "true"], extras))
    lines += notification_choices(inp)
    lines.append(Line("OpenAI cookies"))
    for value, label in (("off", "Off"), ("auto", "Automatic (browsers)"), ("manual", "Manual (paste header)")):
        args = ["cookies", "mode", value] if value != "manual" else ["cookies", "prompt"]
        lines.append(_choice(label, 1, path, args, inp.cookie_mode == value))
    lines.append(Line("Open usage page", params={"href": USAGE_URL}))
    lines.append(Line("OpenAI status", params={"href": STATUS_URL}))
    lines.append(Line("Codex changelog", params={"href": CHANGELOG_URL}))
    return lines


def notification_choices(inp: MenuInput) -> list[Line]:
    path = inp.action_path
    enabled = inp.setting("notifications", True) is not False
    current = ",".join(str(t) for t in inp.setting("notify_thresholds", [80, 95]))
    resets = inp.setting("notify_resets", True) is not False
    lines = [Line("Notifications")]
    lines.append(_choice("On", 1, path, ["set", "notifications", "true"], enabled))
    lines.append(_choice("Off", 1, path, ["set", "notifications", "false"], not enabled))
    lines += [Line("", depth=1, separator=True), _label("Notify")]
    for value, label in THRESHOLD_PRESETS:
        lines.append(_choice(label, 1, path, ["set", "notify_thresholds", value], current == value))
    lines.append(_choice("When a limit resets", 1, path, ["set", "notify_resets", "false" if resets else "true"],
                         resets))
    return lines


# -- whole menu ----------------------------------------------------------------------------------

def build_title(inp: MenuInput, host: str) -> Line:
    """The tightest home's lane; a stale or missing value is shown dimmed."""
    best: Title | None = None
    best_view: HomeView | None = None
    for view in inp.homes:
        title = title_value(view.usage.snapshot, inp)
        if title.left is not None and (best is None or best.left is None or title.left < best.left):
            best, best_view = title, view
    if best is None:
        best = Title("—", None)
    color = _title_color(best)
    if best_view is not None and best_view.usage.stale and color is None:
        color = GREY
    params: dict[str, str] = {}
    if host == "swiftbar":
        macos = detect_macos_major() if inp.macos_major is None else inp.macos_major
        params = {"sfimage": _gauge_symbol(best.left, macos), "symbolize": "false"}
        text = best.text
    else:
        text = f"Codex {best.text}"
    return Line(text, params=params, color=color)


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
