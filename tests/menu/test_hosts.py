"""Whole menus against both hosts' rules (docs/reference/menu-rules.md, "Host markup"), plus Argos."""

from __future__ import annotations

import re

import pytest

from codexbar_core.render.markup import SWIFTBAR_ONLY, XBAR_KEYS, detect_dark
from codexbar_core.render.menu import build_menu
from codexbar_core.render.menu_input import HomeView
from tests.menu.hosts import parse_params, render, scenarios
from tests.menu.samples import menu_input, result, snapshot

ARGOS_KEYS = {"href", "bash", "terminal", "refresh", "color", "font", "size", "length", "trim", "dropdown",
              "alternate", "image", "imageWidth", "imageHeight", "emojize", "ansi", "iconName", "useMarkup",
              "unescape"}
HEX = re.compile(r"^#(?:[0-9A-Fa-f]{3,4}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$")
def parsed_lines(text: str):
    for line in text.splitlines():
        if line.lstrip("-") == "":
            continue  # a separator
        title, sep, tail = line.partition(" | ")
        yield line, title, parse_params(tail) if sep else {}


@pytest.mark.parametrize("case", range(4))
@pytest.mark.parametrize("host", ["swiftbar", "xbar", "argos"])
def test_every_line_obeys_the_host_rules(host, case):
    text = render(host, scenarios()[case], title_mode="both")
    lines = text.splitlines()
    assert lines[1] == "---" and lines[0].strip()
    if host == "argos":  # Argos has no submenu separators; SwiftBar and xbar (2.0.31+) draw "-----"
        assert all(line == "---" for line in lines if set(line) == {"-"}), [ln for ln in lines if set(ln) == {"-"}]
    for line, title, params in parsed_lines(text):
        assert "|" not in title, line
        if host == "xbar":
            assert set(k for k in params if not re.fullmatch(r"param[1-9][0-9]*", k)) <= XBAR_KEYS, line
        if host == "argos":
            assert set(params) <= ARGOS_KEYS, line
        if host != "swiftbar":
            assert not (set(params) & SWIFTBAR_ONLY), line
        assert "param0" not in params
        if "color" in params:
            colours = params["color"].split(",")
            assert all(HEX.match(c) for c in colours), line
            assert len(colours) == (2 if host == "swiftbar" else 1), line
        if "bash" in params:
            # only the chart's click shows a report (`codexbar cost`) in a terminal; every other action is silent
            report = "image" in params or "templateImage" in params
            assert params["terminal"] == ("true" if report else "false"), line
            if host == "argos":
                assert not any(k.startswith("param") for k in params), line
            else:
                numbers = sorted(int(k[5:]) for k in params if k.startswith("param"))
                assert numbers == list(range(1, len(numbers) + 1)), line
        assert "templateimage" not in params  # xbar's key is case-sensitive


@pytest.mark.parametrize("host", ["swiftbar", "xbar", "argos"])
def test_submenu_parents_carry_no_colour(host):
    # SwiftBar 2.1.1 #526: a coloured parent stops opening its submenu.
    lines = render(host, scenarios()[0]).splitlines()
    for i, line in enumerate(lines[:-1]):
        depth = len(line) - len(line.lstrip("-"))
        child = lines[i + 1]
        if line.lstrip("-") and len(child) - len(child.lstrip("-")) > depth and child.lstrip("-"):
            assert "color=" not in line, line


def test_chart_uses_each_hosts_image_key():
    click = r"bash=\S+ param1=cost terminal=true"
    assert re.search(rf'^\s+\| {click} color=#1D1D1F,#F5F5F7 image="?[A-Za-z0-9+/=]+"? width=300 height=90$',
                     render("swiftbar", scenarios()[0]), re.M)
    assert re.search(rf'^\s+\| {click} templateImage="?[A-Za-z0-9+/=]+"?$', render("xbar", scenarios()[0]), re.M)
    assert re.search(r'^\s+\| bash="\S+ cost" terminal=true image="?[A-Za-z0-9+/=]+"? imageWidth=300 imageHeight=90$',
                     render("argos", scenarios()[0]), re.M)


def test_dark_mode_reaches_single_colour_hosts():
    views = [HomeView(result(snapshot(95, 10)), None)]
    light = build_menu(menu_input(views, dark=detect_dark({"XBARDarkMode": "false"})), "xbar")
    dark = build_menu(menu_input(views, dark=detect_dark({"XBARDarkMode": "true"})), "xbar")
    assert light.splitlines()[0].endswith("color=#C5221F") and dark.splitlines()[0].endswith("color=#FF453A")
    assert detect_dark({"ARGOS_VERSION": "2"}) and not detect_dark({})


def test_swiftbar_gets_its_extras_and_xbar_does_not():
    swift = render("swiftbar", scenarios()[0], macos_major=14).splitlines()
    assert "sfimage=gauge.with.dots.needle" in swift[0] and not swift[0].startswith("Codex")
    assert any("checked=true" in line for line in swift)
    xbar = render("xbar", scenarios()[0]).splitlines()
    assert xbar[0].startswith("Codex ") and any(line.startswith("--✓ ") for line in xbar)


def test_clock_times_are_not_turned_into_symbols():
    text = render("swiftbar", scenarios()[0], reset_style="absolute")
    for line, title, params in parsed_lines(text):
        if title.count(":") >= 2:
            assert params.get("symbolize") == "false" and params.get("emojize") == "false", line


@pytest.mark.parametrize("host", ["swiftbar", "xbar", "argos"])
def test_sample_menu_script_renders_for_each_host(host):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).with_name("sample_menu.py")
    full = subprocess.run([sys.executable, str(script), host], capture_output=True, text=True, timeout=60)
    assert full.returncode == 0, full.stderr
    assert "<PNG 600x180 @144dpi>" in full.stdout
    plain = subprocess.run([sys.executable, str(script), host, "--plain"], capture_output=True, text=True,
                           timeout=60)
    first = "[menu bar] 41%" if host == "swiftbar" else "[menu bar] Codex 41%"
    assert plain.stdout.splitlines()[0] == first
    assert "[cost per day chart, 300 x 90 pt]" in plain.stdout


@pytest.mark.parametrize("host", ["swiftbar", "xbar", "argos"])
def test_any_title_text_yields_one_well_formed_line(host):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from codexbar_core.render.markup import Action, Line, render_line

    @settings(max_examples=200, deadline=None)
    @given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
           arg=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\n\r\x00'),
                       min_size=1, max_size=12))
    def check(text: str, arg: str) -> None:
        rendered = render_line(Line(text, action=Action("/opt/My Plugins/codexbar.5m.py", ["set", arg]),
                                    color=("#111111", "#EEEEEE")), host)
        assert "\n" not in rendered and "\r" not in rendered
        title, sep, tail = rendered.partition(" | ")
        assert sep and "|" not in title
        params = parse_params(tail)
        assert params["terminal"] == "false"
        if host != "argos":
            assert params["param1"] == "set"

    check()
