"""The cost part of a home's card: today and the window, the chart, per-day and per-model submenus; all homes."""

from __future__ import annotations

import datetime as dt

from codexbar_core.cost_model import DayCost, top_models
from codexbar_core.model import parse_iso
from codexbar_core.render import fmt
from codexbar_core.render.markup import Action, Line
from codexbar_core.render.menu_input import HomeView, MenuInput
from codexbar_core.render.palette import GREY, MONO, ORANGE, SMALL, TEXT


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
