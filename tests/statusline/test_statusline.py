"""`codexbar statusline`: the numbers the menu cached, one line per host, never the network."""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET

from codexbar_core.render.fmt import money
from tests.rig.fake_backend import usage_body
from tests.rig.runner import run_codexbar, run_plugin
from tests.statusline.conftest import seed, statusline, today_cost

ALL = ("{session_left}|{session_used}|{session_reset}|{session_pace}|{weekly_left}|{weekly_used}|{weekly_reset}|"
       "{left}|{cost_today}|{credits}|{state}|{age}")


def test_every_placeholder_comes_from_the_cache_without_asking_the_backend(seeded):
    before = seeded.usage_requests()
    proc = statusline(seeded.env, "--format", ALL)
    assert proc.returncode == 0, proc.stderr
    fields = proc.stdout.rstrip("\n").split("|")
    assert fields[:2] == ["72%", "28%"]
    assert re.fullmatch(r"1h 2\dm", fields[2]), fields  # reset 5000 s after the backend answered
    assert re.fullmatch(r"[+-]\d+%|±0%", fields[3]), fields
    assert fields[4:6] == ["41%", "59%"]
    assert re.fullmatch(r"\dd \d+h|\dd \d+m|\dd", fields[6]), fields
    assert fields[7] == "41%"  # the tighter lane
    assert fields[8] == money(today_cost(seeded.env)) and fields[8] != "$0.00"
    assert fields[9:11] == ["112.4", "ok"]
    assert fields[11] == "1m"  # minutes rounded up, as the menu does
    assert seeded.usage_requests() == before


def test_default_plain_line_for_a_shell_prompt(seeded):
    proc = statusline(seeded.env)
    assert proc.returncode == 0
    assert proc.stdout == "Codex 72% · 41%\n"


def test_nothing_cached_yet_says_so_and_does_not_fail(scratch, env_for):
    env = env_for(scratch / "no-home")
    proc = statusline(env, "--host", "plain")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Codex — · — (stale)\n"


def test_lanes_running_low_change_the_state(scratch, env_for, backend):
    seeded = seed(scratch, env_for, backend, primary_used=75, secondary_used=10)
    assert statusline(seeded.env, "--format", "{state} {left}{mark}").stdout == "warning 25% !\n"
    backend.set_usage(usage_body(primary_used=95, secondary_used=10))
    run_codexbar(["refresh"], seeded.env)
    run_plugin(seeded.env)  # the menu fetches anew
    assert statusline(seeded.env, "--format", "{state} {left}{mark}").stdout == "critical 5% !!\n"


def test_a_refresh_request_shows_stale_numbers_then_the_background_refresh_brings_new_ones(seeded):
    seeded.backend.set_usage(usage_body(primary_used=50, secondary_used=60))
    run_codexbar(["refresh"], seeded.env)  # the menu's Refresh: cached numbers kept, marked for a new fetch
    before = seeded.usage_requests()
    first = statusline(seeded.env, "--format", "{session_left} {state}")
    assert first.stdout == "72% stale\n"  # printed at once from the cache
    deadline = time.monotonic() + 60  # bounded wait on the condition, not a timing assertion
    line = first.stdout
    while line != "50% ok\n" and time.monotonic() < deadline:
        time.sleep(0.1)
        line = statusline(seeded.env, "--format", "{session_left} {state}").stdout
    assert line == "50% ok\n"
    assert seeded.usage_requests() > before  # the detached refresh asked the backend, the status line did not


def test_waybar_json_follows_the_custom_module_contract(seeded):
    proc = statusline(seeded.env, "--host", "waybar", "--format", "<b>{session_left}</b> &amp; {weekly_left}")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert len(lines) == 1  # waybar reads one JSON object per line
    doc = json.loads(lines[0])
    assert set(doc) <= {"text", "alt", "tooltip", "class", "percentage"}
    assert isinstance(doc["text"], str) and isinstance(doc["tooltip"], str) and isinstance(doc["alt"], str)
    assert isinstance(doc["class"], (str, list))
    assert isinstance(doc["percentage"], int) and 0 <= doc["percentage"] <= 100
    assert doc["percentage"] == 41 and doc["class"] == "ok" and doc["alt"] == "ok"
    # text and tooltip are Pango markup: the user's tags stay, everything else is escaped
    assert ET.fromstring(f"<markup>{doc['text']}</markup>").find("b").text == "72%"
    tooltip = ET.fromstring(f"<markup>{doc['tooltip']}</markup>").text
    assert "Session: 72% left" in tooltip and "Weekly: 41% left" in tooltip and "Credits: 112.4" in tooltip


def test_i3blocks_gets_full_text_short_text_and_colour_lines(seeded):
    proc = statusline(seeded.env, "--host", "i3blocks")
    assert proc.returncode == 0
    full, short, color = proc.stdout.split("\n")[:3]
    assert proc.stdout.count("\n") == 3
    assert full.startswith("Codex 5h 72% · wk 41% · $") and short == "41%"
    assert re.fullmatch(r"#[0-9A-F]{6}", color)


def test_i3blocks_marks_a_critical_block_urgent(scratch, env_for, backend):
    seeded = seed(scratch, env_for, backend, primary_used=28, secondary_used=97)
    proc = statusline(seeded.env, "--host", "i3blocks")
    assert proc.returncode == 33  # i3blocks: urgent
    assert proc.stdout.split("\n")[1] == "3% !!"


def test_a_bad_template_is_reported_where_the_user_looks(seeded):
    proc = statusline(seeded.env, "--format", "{session_lft}")
    assert proc.returncode == 2
    assert proc.stdout == "codexbar: unknown placeholder {session_lft} in --format\n"
    proc = statusline(seeded.env, "--host", "kde")
    assert proc.returncode == 2 and "--host must be one of: plain, tmux, waybar, i3blocks" in proc.stderr


def test_waybar_strings_are_valid_json_whatever_they_hold():
    from codexbar_core.statusline.hosts import json_string

    for text in ['plain', 'quote " and \\ backslash', "tab\there\nnew line\r\x00\x1f", "Codex 72% · 41% — ✓", ""]:
        assert json.loads(json_string(text)) == text


def test_a_damaged_copy_of_the_numbers_is_read_anew(seeded):
    from pathlib import Path

    copy = Path(seeded.env["CODEXBAR_CACHE_DIR"]) / "statusline.bin"
    assert statusline(seeded.env).stdout == "Codex 72% · 41%\n"
    assert copy.is_file()
    for junk in (b"", b"\x00garbage", copy.read_bytes()[:-7]):
        copy.write_bytes(junk)
        assert statusline(seeded.env).stdout == "Codex 72% · 41%\n"
