"""Menu lines obey both hosts' rules (docs/reference/menu-rules.md, "Host markup")."""

from __future__ import annotations

import re

import pytest

from codexbar_core.render.markup import Action, Line, detect_host, render_line, render_lines

XBAR_KEYS = {"href", "bash", "shell", "terminal", "refresh", "color", "font", "size", "length", "trim", "dropdown",
             "alternate", "image", "templateImage", "emojize", "ansi", "key", "disabled"}


def params_of(rendered: str) -> dict[str, str]:
    if " | " not in rendered:
        return {}
    _, tail = rendered.split(" | ", 1)
    return dict(re.findall(r'(\w+)=("[^"]*"|\S+)', tail))


def test_host_detection_from_environment():
    assert detect_host({"SWIFTBAR": "1"}) == "swiftbar"
    assert detect_host({"ARGOS_VERSION": "2"}) == "argos"
    assert detect_host({"XBARDarkMode": "true"}) == "xbar"
    assert detect_host({}) == "xbar"


def test_swiftbar_only_keys_and_colour_pairs_never_reach_xbar():
    line = Line("Session", params={"sfimage": "gauge", "symbolize": "false", "size": "12"},
                color=("#111111", "#EEEEEE"), checked=True)
    xbar = render_line(line, "xbar")
    assert set(params_of(xbar)) <= XBAR_KEYS
    assert params_of(xbar)["color"] == "#111111"
    assert xbar.startswith("✓ Session")
    swift = render_line(line, "swiftbar")
    assert params_of(swift)["color"] == "#111111,#EEEEEE"
    assert params_of(swift)["checked"] == "true"
    assert params_of(swift)["sfimage"] == "gauge"


@pytest.mark.parametrize("host", ["swiftbar", "xbar"])
def test_actions_use_param1_onwards_and_never_open_a_terminal(host):
    rendered = render_line(Line("Use OAuth", action=Action("/Users/me/My Plugins/codexbar.5m.py",
                                                            ["source", "oauth"])), host)
    p = params_of(rendered)
    assert p["bash"] == '"/Users/me/My Plugins/codexbar.5m.py"'
    assert p["param1"] == "source" and p["param2"] == "oauth"
    assert "param0" not in p
    assert p["terminal"] == "false" and p["refresh"] == "true"


def test_argos_gets_a_single_command_line():
    p = params_of(render_line(Line("Refresh", action=Action("/opt/x y/plugin", ["refresh"])), "argos"))
    assert p["bash"] == "\"'/opt/x y/plugin' refresh\""
    assert not any(k.startswith("param") for k in p)


def test_a_pipe_in_a_title_cannot_split_the_line():
    rendered = render_line(Line("model a|b | weird", params={"size": "12"}), "xbar")
    title, _ = rendered.split(" | ", 1)
    assert "|" not in title
    assert rendered.count("|") == 1


def test_header_then_separator_then_body_with_submenus():
    body = [Line("Parent"), Line("child", depth=1), Line("", separator=True, depth=1), Line("two", depth=1)]
    text = render_lines([Line("42%")], body, "swiftbar")
    assert text.splitlines() == ["42%", "---", "Parent", "--child", "-----", "--two"]
    # xbar draws "-----" as a separator too (2.0.31+); Argos has no submenu separators.
    assert render_lines([Line("42%")], body, "xbar").splitlines() == ["42%", "---", "Parent", "--child", "-----",
                                                                      "--two"]
    assert render_lines([Line("42%")], body, "argos").splitlines() == ["42%", "---", "Parent", "--child", "--two"]


def test_argos_titles_are_not_read_as_markup_when_they_would_break_it():
    p = params_of(render_line(Line("Error: body=<html> & more C:\\temp"), "argos"))
    assert p["useMarkup"] == "false" and p["unescape"] == "false"
    assert "useMarkup" not in params_of(render_line(Line("Error: <html>", params={"size": "12"}), "xbar"))


def test_backslashes_reach_the_menu_as_written():
    assert render_line(Line("C:\\new"), "swiftbar") == "C:\\\\new"  # SwiftBar unescapes \\ to \
    assert params_of(render_line(Line("C:\\new"), "xbar"))["ansi"] == "false"  # else xbar's Unquote eats it
