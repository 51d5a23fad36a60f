"""The three hosts for menu tests: each one's environment, a strict parser of item parameters (as xbar
parses them), the menus of the usual states rendered for a host."""

from __future__ import annotations

import re

from codexbar_core.render.chart import chart_for_menu
from codexbar_core.render.markup import detect_dark
from codexbar_core.render.menu import build_menu
from codexbar_core.render.menu_input import HomeView
from codexbar_core.slots import replace
from tests.menu.samples import cost_report, menu_input, result, snapshot

ENVS = {"swiftbar": {"SWIFTBAR": "1", "OS_APPEARANCE": "Dark"}, "xbar": {"XBARDarkMode": "true"},
        "argos": {"ARGOS_VERSION": "2"}}
TOKEN = re.compile(r"""\s*([A-Za-z0-9]+)=("[^"]*"|'[^']*'|[^\s"']+)""")


def parse_params(tail: str) -> dict[str, str]:
    """Split `key=value key2="v w"` strictly, the way xbar does: anything left over is a parse error."""
    params: dict[str, str] = {}
    pos = 0
    while pos < len(tail):
        m = TOKEN.match(tail, pos)
        assert m, f"unparseable parameters at {tail[pos:pos + 40]!r}"
        key, value = m.group(1), m.group(2)
        assert key not in params, f"duplicate key {key}"
        params[key] = value.strip("\"'")
        pos = m.end()
        if tail[pos:].strip() == "":
            break
    return params


def scenarios() -> list[list[HomeView]]:
    ok = [HomeView(result(snapshot()), cost_report())]
    stale = [HomeView(result(snapshot(fetched_ago_s=3000), stale=True,
                             error={"kind": "auth", "message": "Codex session expired. Sign in again."}), None,
                      "Cost scan still running…", True)]
    empty = [HomeView(result(None, error={"kind": "missing_credentials",
                                          "message": "Codex auth.json not found. Run `codex login` to sign in."}),
                      replace(cost_report(), daily=[]))]
    multi = [HomeView(result(snapshot(90, 50), name="work", home="/w"), cost_report(1)),
             HomeView(result(snapshot(10, 10), name="personal", home="/p"), cost_report(2))]
    return [ok, stale, empty, multi]


def render(host: str, views: list[HomeView], **kw) -> str:
    env = ENVS[host]
    inp = menu_input(views, dark=detect_dark(env), **kw)
    inp.chart_png_b64 = chart_for_menu(views, env)
    return build_menu(inp, host)
