"""The per-day cost chart shown in the menu: a small PNG drawn with our own encoder (no Pillow at start-up).

Size: 300 x 90 points drawn at 2x (600 x 180 px, 144 dpi), which is what a menu item shows crisply on a
Retina screen. Two renderings:
- "universal" (SwiftBar, Argos): colours whose luminance sits in the band that keeps >= 3:1 contrast
  against both a light and a dark menu, so the picture stays readable when the appearance changes
  between two runs. (SwiftBar's undocumented `image=a,b` pair picks the *first* image in dark mode,
  against its own variable names, so we do not rely on it.)
- "template" (xbar): black + alpha, which macOS tints with the menu's text colour.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codexbar_core.render.png import GLYPH_HEIGHT, RGBA, Canvas

if TYPE_CHECKING:
    from codexbar_core.cost_model import CostReport

WIDTH_PT, HEIGHT_PT, SCALE = 300, 90, 2
WIDTH, HEIGHT = WIDTH_PT * SCALE, HEIGHT_PT * SCALE
FONT_SCALE = 3  # a 5x7 glyph drawn at 3 px per dot: 10.5 pt tall digits
TEXT_H = GLYPH_HEIGHT * FONT_SCALE
PLOT_TOP = TEXT_H + 10  # below the max-value label
PLOT_BASE = HEIGHT - TEXT_H - 10  # above the date labels
PLOT_HEIGHT = PLOT_BASE - PLOT_TOP


@dataclass(frozen=True)
class Theme:
    bar: RGBA
    today: RGBA
    text: RGBA
    grid: RGBA
    base: RGBA


THEMES = {
    # Relative luminance 0.16-0.27 for every ink: >= 3:1 on a light (#F6F6F6) and a dark (#28282A) menu.
    "universal": Theme(bar=(40, 140, 155, 255), today=(214, 110, 0, 255), text=(124, 124, 128, 255),
                       grid=(128, 128, 128, 150), base=(128, 128, 128, 255)),
    # Template images: only alpha matters; macOS paints them in the menu's text colour.
    "template": Theme(bar=(0, 0, 0, 150), today=(0, 0, 0, 255), text=(0, 0, 0, 210),
                      grid=(0, 0, 0, 50), base=(0, 0, 0, 120)),
}


@dataclass
class Day:
    date: dt.date
    cost: float | None
    tokens: int


def daily_series(reports: list[CostReport], days: int = 30) -> list[Day]:
    """Every day of the reports' window (summed over homes), oldest first; missing days are zero."""
    until: dt.date | None = None
    for rep in reports:
        try:
            end = dt.date.fromisoformat(str(rep.until))
        except ValueError:
            continue
        until = end if until is None else max(until, end)
    if until is None:
        dates = [d.date for rep in reports for d in rep.daily if d.date]
        if not dates:
            return []
        until = dt.date.fromisoformat(max(dates))
    series = {until - dt.timedelta(days=i): Day(until - dt.timedelta(days=i), None, 0) for i in range(days)}
    for rep in reports:
        for d in rep.daily:
            try:
                day = series.get(dt.date.fromisoformat(d.date))
            except (TypeError, ValueError):
                continue
            if day is None:
                continue
            day.tokens += d.tokens.total_tokens
            if d.tokens.total_cost is not None:
                day.cost = (day.cost or 0.0) + float(d.tokens.total_cost)
    return [series[k] for k in sorted(series)]


def chart_values(series: list[Day]) -> tuple[list[float], str]:
    """Cost per day when any day is priced, else tokens per day; and which one it is ("cost" / "tokens")."""
    if any(d.cost for d in series):
        return [d.cost or 0.0 for d in series], "cost"
    return [float(d.tokens) for d in series], "tokens"


def value_label(value: float, metric: str) -> str:
    from codexbar_core.render.fmt import money, tokens

    return money(value) if metric == "cost" else tokens(value)


def bar_geometry(count: int) -> tuple[float, int]:
    """(slot width, bar width) in pixels for `count` bars across the chart."""
    slot = WIDTH / max(1, count)
    return slot, max(2, int(slot * 0.7))


def render_chart(series: list[Day], theme: str = "universal") -> bytes:
    colors = THEMES[theme]
    values, metric = chart_values(series)
    canvas = Canvas(WIDTH, HEIGHT)
    peak = max(values, default=0.0)
    # Max-value label and its grid line: the scale of the chart in one glance.
    if peak > 0:
        canvas.draw_text(4, 3, value_label(peak, metric), colors.text, FONT_SCALE)
        for x in range(0, WIDTH, 8):
            canvas.fill_rect(x, PLOT_TOP, x + 4, PLOT_TOP + 2, colors.grid)
    slot, bar_w = bar_geometry(len(values))
    for i, value in enumerate(values):
        if value <= 0 or peak <= 0:
            continue
        height = max(2, round(value / peak * PLOT_HEIGHT))
        x0 = int(round(i * slot + (slot - bar_w) / 2))
        color = colors.today if i == len(values) - 1 else colors.bar
        canvas.fill_rect(x0, PLOT_BASE - height, x0 + bar_w, PLOT_BASE, color)
    canvas.fill_rect(0, PLOT_BASE, WIDTH, PLOT_BASE + 2, colors.base)
    if series:
        y = PLOT_BASE + 8
        first = series[0].date.strftime("%m-%d")
        last = series[-1].date.strftime("%m-%d")
        canvas.draw_text(4, y, first, colors.text, FONT_SCALE)
        canvas.draw_text(WIDTH - 4 - canvas.text_width(last, FONT_SCALE), y, last, colors.text, FONT_SCALE)
    return canvas.to_png(dpi=72 * SCALE)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def chart_for_menu(views: list[Any], env: dict[str, str]) -> str | None:
    """Base64 PNG for the menu's image line (a template image for xbar); None when there is nothing to draw."""
    from codexbar_core.render.markup import detect_host

    reports = [v.cost for v in views if getattr(v, "cost", None)]
    series = daily_series(reports)
    values, _ = chart_values(series)
    if not any(values):
        return None
    theme = "template" if detect_host(env) == "xbar" else "universal"
    return _b64(render_chart(series, theme))


def image_params(chart_b64: str, host: str) -> dict[str, str]:
    """The menu-line parameters that show the chart on `host` at its size in points."""
    if host == "swiftbar":
        return {"image": chart_b64, "width": str(WIDTH_PT), "height": str(HEIGHT_PT)}
    if host == "argos":
        return {"image": chart_b64, "imageWidth": str(WIDTH_PT), "imageHeight": str(HEIGHT_PT)}
    return {"templateImage": chart_b64}
