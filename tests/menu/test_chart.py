"""The per-day cost chart: a real PNG of the right size whose bars are proportional to the days' costs."""

from __future__ import annotations

import base64
import datetime as dt
import struct

import pytest

from codexbar_core.render import chart
from codexbar_core.render.chart import daily_series, render_chart
from codexbar_core.render.png import decode_png
from tests.menu.samples import TODAY, cost_report

MENU_LIGHT = (246, 246, 246)  # roughly NSMenu's background in each appearance
MENU_DARK = (40, 40, 42)


def bar_heights(png: bytes, count: int) -> list[int]:
    """Height in pixels of the ink column through the middle of each bar slot, above the base line."""
    width, height, pixels, _ = decode_png(png)
    slot = width / count
    heights = []
    for i in range(count):
        x = int(i * slot + slot / 2)
        h = 0
        y = chart.PLOT_BASE - 1
        while y >= 0 and pixels[(y * width + x) * 4 + 3] > 0 and y >= chart.PLOT_TOP - 2:
            h += 1
            y -= 1
        heights.append(h)
    return heights


def composite(rgba: tuple[int, int, int, int], bg: tuple[int, int, int]) -> tuple[float, float, float]:
    r, g, b, a = rgba
    return tuple((c * a + k * (255 - a)) / 255 for c, k in zip((r, g, b), bg))  # type: ignore[return-value]


def luminance(rgb: tuple[float, float, float]) -> float:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_png_has_the_menu_size_at_2x_and_says_144_dpi():
    png = render_chart(daily_series([cost_report()]))
    width, height, pixels, chunks = decode_png(png)
    assert (width, height) == (600, 180)  # 300 x 90 points on a Retina menu
    assert len(pixels) == width * height * 4
    ppm_x, ppm_y, unit = struct.unpack(">IIB", chunks[b"pHYs"])
    assert unit == 1 and round(ppm_x * 0.0254) == 144 and ppm_x == ppm_y


def test_bars_are_proportional_to_each_days_cost():
    report = cost_report(seed=3)
    series = daily_series([report])
    assert len(series) == 30 and series[-1].date == TODAY
    heights = bar_heights(render_chart(series), len(series))
    costs = [d.cost or 0.0 for d in series]
    peak = max(costs)
    for cost, h in zip(costs, heights):
        if cost == 0:
            assert h == 0  # a quiet day draws nothing
        else:
            assert h == pytest.approx(cost / peak * chart.PLOT_HEIGHT, abs=1.0)
    assert max(heights) == chart.PLOT_HEIGHT


def test_tokens_are_charted_when_no_day_is_priced():
    report = cost_report(seed=5)
    for day in report.daily:
        day.tokens.total_cost = None
    series = daily_series([report])
    heights = bar_heights(render_chart(series), len(series))
    tokens = [d.tokens for d in series]
    assert heights[tokens.index(max(tokens))] == chart.PLOT_HEIGHT
    assert chart.chart_values(series)[1] == "tokens"


def test_days_missing_from_the_report_are_zero_and_homes_add_up():
    one = cost_report(seed=1)
    two = cost_report(seed=2, scale=0.5)
    series = daily_series([one, two])
    by_date = {d.date.isoformat(): d for d in series}
    for day in one.daily:
        other = next((d for d in two.daily if d.date == day.date), None)
        expected = day.tokens.total_cost + (other.tokens.total_cost if other else 0.0)
        assert by_date[day.date].cost == pytest.approx(expected)
    assert series[0].date == TODAY - dt.timedelta(days=29)


@pytest.mark.parametrize("bg", [MENU_LIGHT, MENU_DARK])
def test_one_image_is_readable_on_a_light_and_a_dark_menu(bg):
    colors = chart.THEMES["universal"]
    for ink in (colors.bar, colors.today, colors.text, colors.base):
        assert contrast(composite(ink, bg), tuple(map(float, bg))) >= 3.0, (bg, ink)
    assert colors.today != colors.bar  # today stands out


def test_universal_pixels_are_the_theme_colours():
    png = render_chart(daily_series([cost_report()]))
    _, _, pixels, _ = decode_png(png)
    seen = {bytes(pixels[i:i + 4]) for i in range(0, len(pixels), 4)}
    assert bytes(chart.THEMES["universal"].today) in seen and bytes(chart.THEMES["universal"].bar) in seen


def test_template_image_is_black_ink_on_transparency():
    _, _, pixels, _ = decode_png(render_chart(daily_series([cost_report()]), "template"))
    inked = [pixels[i:i + 3] for i in range(0, len(pixels), 4) if pixels[i + 3]]
    assert inked and all(rgb == b"\x00\x00\x00" for rgb in inked)


def test_chart_for_menu_per_host():
    views = [type("V", (), {"cost": cost_report()})()]
    swift = chart.chart_for_menu(views, {"SWIFTBAR": "1"})
    assert "," not in swift and decode_png(base64.b64decode(swift))[:2] == (600, 180)
    assert chart.image_params(swift, "swiftbar") == {"image": swift, "width": "300", "height": "90"}
    assert chart.chart_for_menu(views, {"ARGOS_VERSION": "2"}) == swift
    xbar = chart.chart_for_menu(views, {})
    _, _, pixels, _ = decode_png(base64.b64decode(xbar))
    assert all(pixels[i:i + 3] == b"\x00\x00\x00" for i in range(0, len(pixels), 4) if pixels[i + 3])
    assert chart.image_params(xbar, "xbar") == {"templateImage": xbar}


def test_no_chart_without_any_usage():
    empty = cost_report()
    empty.daily = []
    assert chart.chart_for_menu([type("V", (), {"cost": empty})()], {"SWIFTBAR": "1"}) is None
    assert chart.chart_for_menu([type("V", (), {"cost": None})()], {}) is None


def test_decoder_rejects_a_corrupted_png():
    png = bytearray(render_chart(daily_series([cost_report()])))
    png[40] ^= 0xFF
    with pytest.raises(ValueError):
        decode_png(bytes(png))
