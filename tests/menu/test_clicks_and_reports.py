"""The menu's features through the real plugin and CLI: menu clicks persist settings, several homes each
get a section, terminal reports are readable. (Notifications through the plugin: tests/notifications/.)"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys

from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import usage_body
from tests.rig.menu_checks import click
from tests.rig.runner import PLUGIN, ROOT, run_codexbar, run_json, run_plugin


def test_title_mode_chosen_from_the_menu_persists(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=30, secondary_used=64))
    env = env_for(make_codex_home(scratch / "home", backend.url), CODEXBAR_ACTION_PATH=str(PLUGIN))
    menu = run_plugin(env).stdout
    assert menu.splitlines()[0] == "Codex 36%"
    click(menu, "Both (45% · +5%)", env)
    assert json.loads((scratch / "config" / "settings.json").read_text())["title_mode"] == "both"
    menu = run_plugin(env).stdout
    # Weekly: 64 % used with 3.2 of 7 days to go is about 10 % ahead of an even pace.
    assert re.fullmatch(r"Codex 36% · −(9|10|11)%( \| color=\S+)?", menu.splitlines()[0]), menu.splitlines()[0]
    assert "--✓ Both (45% · +5%) |" in menu
    click(menu, "Session", env)
    assert run_plugin(env).stdout.splitlines()[0].startswith("Codex 70% · +")


def test_several_homes_each_get_a_section_and_the_title_shows_the_tightest(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=81, secondary_used=20))
    work = make_codex_home(scratch / "work", backend.url)
    personal = make_codex_home(scratch / "personal", backend.url, login="none")
    (scratch / "config").mkdir(mode=0o700, exist_ok=True)
    (scratch / "config" / "settings.json").write_text(json.dumps(
        {"homes": [{"name": "work", "path": str(work)}, {"name": "personal", "path": str(personal)}]}))
    env = env_for(scratch / "unused")
    menu = run_plugin(env).stdout
    lines = [line.split(" | ")[0] for line in menu.splitlines()]
    assert lines[0] == "Codex 19%"
    work_head = next(i for i, t in enumerate(lines) if t.startswith("Codex") and "· work" in t)
    personal_head = next(i for i, t in enumerate(lines) if t.startswith("Codex") and "· personal" in t)
    assert work_head < lines.index("Session: 19% left  ▰▰▱▱▱▱▱▱▱▱") < personal_head
    assert any("codex login" in t for t in lines[personal_head:])
    usage = run_json(["usage", "--json"], env)
    assert [u["home"] for u in usage] == ["work", "personal"]
    assert usage[0]["usage"]["primary"]["usedPercent"] == 81 and usage[1]["usage"] is None
    assert [c["home"] for c in run_json(["cost", "--json"], env)] == ["work", "personal"]


def test_terminal_reports_are_readable_and_plain_with_no_color(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=30, secondary_used=64, credits_balance="112.4"))
    home = make_codex_home(scratch / "home", backend.url)
    _generate_sessions(scratch, home)
    env = env_for(home)
    usage = run_codexbar(["usage", "--source", "oauth"], env)
    assert usage.returncode == 0, usage.stderr
    assert "\x1b[" not in usage.stdout
    assert re.search(r"^  Session: +70% left █+░+$", usage.stdout, re.M)
    assert "Pace: " in usage.stdout and "Credits: 112.4 left" in usage.stdout
    cost = run_codexbar(["cost"], env)
    assert cost.returncode == 0, cost.stderr
    assert "\x1b[" not in cost.stdout
    assert cost.stdout.startswith("Cost · local Codex sessions\n  Today: $")
    assert "  By model" in cost.stdout


def test_the_chart_reaches_the_menu_as_a_png_of_menu_size(scratch, env_for, backend):
    from codexbar_core.render.png import decode_png

    backend.set_usage(usage_body(primary_used=30, secondary_used=64))
    home = make_codex_home(scratch / "home", backend.url)
    _generate_sessions(scratch, home)
    swift = run_plugin(env_for(home, SWIFTBAR="1")).stdout
    image = re.search(r'^\s+\| bash=\S+ param1=cost terminal=true color=\S+ image="?([A-Za-z0-9+/=]+)"? '
                      r'width=300 height=90$', swift, re.M)
    assert image, swift
    assert decode_png(base64.b64decode(image.group(1)))[:2] == (600, 180)
    xbar = run_plugin(env_for(home, XBARDarkMode="true", CODEXBAR_CACHE_DIR=str(scratch / "cache2"))).stdout
    template = re.search(r'^\s+\| bash=\S+ param1=cost terminal=true templateImage="?([A-Za-z0-9+/=]+)"?$', xbar,
                         re.M)
    assert template and decode_png(base64.b64decode(template.group(1)))[:2] == (600, 180)


def _generate_sessions(scratch, home) -> None:
    gen = subprocess.run([sys.executable, str(ROOT / "bench" / "gen_home.py"), str(scratch / "gen"), "--files",
                          "12", "--mb", "0.2", "--days", "5", "--end", _today()], capture_output=True, text=True)
    assert gen.returncode == 0, gen.stderr
    for folder in ("sessions", "archived_sessions"):
        if (scratch / "gen" / folder).exists():
            shutil.move(str(scratch / "gen" / folder), str(home / folder))


def _today() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def test_no_color_is_respected_even_when_colour_is_possible():
    from codexbar_core.render.text import usage_report
    from tests.menu.samples import NOW, result, snapshot

    coloured = usage_report([result(snapshot())], color=True, now=NOW)
    plain = usage_report([result(snapshot())], color=False, now=NOW)
    assert "\x1b[32m" in coloured and "\x1b[" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
