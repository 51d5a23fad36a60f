"""The menu as the hosts' real parsers draw it (docs/decisions/reference-and-hosts.md): no spurious "…" on a
complete line in xbar, submenu separators kept for xbar, the chart never drawn disabled, and a title icon
that exists on the user's macOS."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codexbar_core.render.markup import Line, detect_macos_major, render_line
from codexbar_core.render.menu import error_lines
from tests.menu.hosts import parse_params, render, scenarios

ROOT = Path(__file__).resolve().parents[2]


def xbar_shows(rendered: str) -> str:
    """What xbar prints for one line: it adds "…" to any title at least length-1 long, cut or not."""
    title, _, tail = rendered.lstrip("-").partition(" | ")
    params = parse_params(tail) if tail else {}
    if "length" in params:
        length = int(params["length"])
        if len(title) >= length - 1:
            return title[:length] + "…"
    return title


@pytest.mark.parametrize("size", [60, 88, 89, 90])
def test_a_message_that_fits_is_shown_whole_in_xbar(size):
    # "⚠ " + message is `size` characters long; the line asks xbar for length=90
    words = "Codex usage is temporarily unavailable; the CLI will be asked again on the next refresh. " * 2
    message = words[:size - 3].rstrip().ljust(size - 3, ".") + "."
    assert len(message) == size - 2
    shown = xbar_shows(render_line(error_lines({"kind": "unavailable", "message": message})[0], "xbar"))
    assert shown == f"⚠ {message}" and not shown.endswith("…")


def test_a_long_message_is_still_cut_by_the_host():
    message = "A very long server answer that goes on and on " * 5
    rendered = render_line(error_lines({"kind": "unavailable", "message": message})[0], "xbar")
    assert "length=90" in rendered and xbar_shows(rendered).endswith("…")


def test_a_cut_message_is_whole_on_hover_in_swiftbar():
    message = ("Codex is not signed in: there is no /Users/dana/.codex/auth.json. Run `codex login`, "
               "then Refresh.")
    rendered = render_line(error_lines({"kind": "not_configured", "message": message})[0], "swiftbar")
    assert f'tooltip="{message}"' in rendered
    short = render_line(error_lines({"kind": "not_configured", "message": "Codex is not signed in."})[0], "swiftbar")
    assert "tooltip" not in short


def test_a_99_character_line_with_length_100_keeps_its_last_word():
    text = ("Run `codex login` again, then choose Refresh in this menu; if it still fails, restart"
            " the Codex app.")[:99]
    assert len(text) == 99
    for host in ("swiftbar", "xbar", "argos"):
        rendered = render_line(Line(text, params={"length": "100"}), host)
        assert "length=" not in rendered and xbar_shows(rendered) == text


@pytest.mark.parametrize("case", range(4))
@pytest.mark.parametrize("host", ["swiftbar", "xbar", "argos"])
def test_every_length_in_a_real_menu_really_cuts(host, case):
    for line in render(host, scenarios()[case]).splitlines():
        title, _, tail = line.lstrip("-").partition(" | ")
        params = parse_params(tail) if tail else {}
        if "length" in params:
            assert len(title) > int(params["length"]), line


def _submenu(lines: list[str], parent: str) -> list[str]:
    start = lines.index(parent)
    children = []
    for line in lines[start + 1:]:
        if not line.startswith("--"):
            break
        children.append(line)
    return children


@pytest.mark.parametrize("parent", ["Menu bar", "Notifications"])
def test_xbar_keeps_the_groups_of_the_settings_submenus(parent):
    lines = [line.split(" | ", 1)[0] for line in render("xbar", scenarios()[0]).splitlines()]
    children = _submenu(lines, parent)
    assert "-----" in children  # xbar 2.0.31+ draws it as a separator
    assert children[0] != "-----" and children[-1] != "-----"
    swift = [line.split(" | ", 1)[0] for line in render("swiftbar", scenarios()[0]).splitlines()]
    assert children.count("-----") == _submenu(swift, parent).count("-----")


def test_argos_has_no_submenu_separators():
    lines = [line.split(" | ", 1)[0] for line in render("argos", scenarios()[0]).splitlines()]
    assert "-----" not in lines


@pytest.mark.parametrize("host", ["swiftbar", "xbar", "argos"])
def test_the_chart_is_clickable_so_no_host_greys_it(host):
    lines = [(line, parse_params(line.partition(" | ")[2])) for line in render(host, scenarios()[0]).splitlines()
             if " | " in line]
    images = [(line, params) for line, params in lines if "image" in params or "templateImage" in params]
    assert images
    for line, params in images:
        assert "bash" in params or "href" in params, line  # an item without an action is drawn disabled


def test_the_charts_click_prints_the_cost_report(tmp_path):
    """The chart's action runs the plugin with `cost`: it must answer with the report, not a menu."""
    line = next(ln for ln in render("xbar", scenarios()[0]).splitlines() if "templateImage=" in ln)
    params = parse_params(line.partition(" | ")[2])
    args = [params[f"param{i}"] for i in range(1, 10) if f"param{i}" in params]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CODEX_HOME": str(tmp_path / "codex"),
           "CODEXBAR_CACHE_DIR": str(tmp_path / "cache")}
    (tmp_path / "codex").mkdir()
    done = subprocess.run([str(ROOT / "plugins" / "codexbar.5m.py"), *args], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Cost · local Codex sessions") and "---" not in done.stdout


@pytest.mark.parametrize("major", [None, 11, 12, 13])
def test_title_icon_exists_before_macos_14(major, monkeypatch):
    # None: a SwiftBar too old to say the version -> the plain gauge, present since macOS 11
    monkeypatch.delenv("OS_VERSION_MAJOR", raising=False)
    title = render("swiftbar", scenarios()[0], macos_major=major).splitlines()[0]
    assert "sfimage=gauge " in title and "needle" not in title


def test_title_icon_follows_the_needle_from_macos_14():
    low = render("swiftbar", [scenarios()[1][0]], macos_major=15).splitlines()[0]
    assert "sfimage=gauge.with.dots.needle." in low


def test_macos_version_comes_from_swiftbar():
    assert detect_macos_major({"OS_VERSION_MAJOR": "12"}) == 12
    assert detect_macos_major({"OS_VERSION_MAJOR": "junk"}) is None and detect_macos_major({}) is None
