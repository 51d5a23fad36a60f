"""The plugin as a new user meets it: a complete menu, exit 0, within the budget, whatever fails."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time

from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import Reply, usage_body
from tests.rig.menu_checks import assert_valid_menu, assert_whole_menu
from tests.rig.runner import HARD_LIMIT, PLUGIN, run_codexbar, run_json, run_plugin


def test_no_login_no_network_still_gives_a_useful_menu(scratch, env_for):
    env = env_for(scratch / "empty-home")
    proc = run_plugin(env)
    lines = assert_whole_menu(proc, env)
    text = proc.stdout
    assert "codex login" in text
    assert "No Codex sessions" in text
    assert any(line.startswith("Refresh |") for line in lines)
    assert "Open usage page | href=https://chatgpt.com/codex/settings/usage" in lines


def test_plugin_and_codexbar_menu_print_the_same(scratch, env_for):
    env = env_for(scratch / "empty-home", CODEXBAR_ACTION_PATH="/fixed/codexbar.5m.py")
    assert run_plugin(env).stdout == run_codexbar(["menu"], env).stdout


def test_plugin_works_through_a_symlink_with_a_minimal_path(scratch, env_for):
    plugin_dir = scratch / "SwiftBar Plugins"
    plugin_dir.mkdir()
    link = plugin_dir / "codexbar.5m.py"
    link.symlink_to(PLUGIN)
    env = env_for(scratch / "empty-home", PATH="/usr/bin:/bin", SWIFTBAR="1")
    proc = subprocess.run(["/bin/bash", "-l", "-c", f"'{link}'"], env=env, capture_output=True, text=True,
                          timeout=HARD_LIMIT)
    assert_whole_menu(proc, env)
    # Click actions call the plugin again by an absolute path.
    assert f'bash="{link}" param1=refresh' in proc.stdout


def test_choosing_a_source_persists_and_is_marked(scratch, env_for):
    env = env_for(scratch / "empty-home")
    assert run_plugin(env, "source", "cli").returncode == 0
    saved = json.loads((scratch / "config" / "settings.json").read_text())
    assert saved["source"] == "cli"
    assert stat.S_IMODE(os.stat(scratch / "config").st_mode) == 0o700
    menu = run_plugin(env).stdout
    assert "--✓ CLI |" in menu and "--✓ Auto" not in menu
    doc = run_json(["usage", "--json"], env)
    assert doc[0]["trace"]["requested"] == "cli" and doc[0]["trace"]["chosenBy"] == "setting"


def test_oauth_numbers_reach_the_menu_and_json(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=30, secondary_used=64, credits_balance="112.4"))
    home = make_codex_home(scratch / "home", backend.url)
    env = env_for(home)
    menu = run_plugin(env)
    assert menu.returncode == 0
    assert "Session: 70% left" in menu.stdout and "Weekly: 36% left" in menu.stdout
    assert "Credits: 112.4 left" in menu.stdout
    assert menu.stdout.splitlines()[0].startswith("Codex 36%")  # the tighter lane is the title
    doc = run_json(["usage", "--json", "--source", "oauth"], env)[0]
    assert doc["source"] == "oauth"
    assert doc["usage"]["primary"]["usedPercent"] == 30 and doc["usage"]["primary"]["windowMinutes"] == 300
    assert doc["usage"]["secondary"]["usedPercent"] == 64
    assert doc["usage"]["identity"]["accountEmail"] == "tester@example.com"


def test_failed_refresh_shows_last_good_values_marked_stale(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=10, secondary_used=20))
    home = make_codex_home(scratch / "home", backend.url)
    env = env_for(home)
    assert "Session: 90% left" in run_plugin(env).stdout
    backend.set_usage(Reply(status=500, body="upstream exploded"))
    run_plugin(env, "refresh")
    menu = run_plugin(env).stdout
    assert "Session: 90% left" in menu
    assert "refresh failed" in menu
    assert "temporarily unavailable" in menu.lower()


def test_a_backend_that_never_answers_cannot_hold_the_menu(scratch, env_for, backend):
    backend.set_usage(Reply(hang=True))
    home = make_codex_home(scratch / "home", backend.url)
    env = env_for(home)
    proc = run_plugin(env)  # raises TimeoutExpired past the hard limit
    assert_whole_menu(proc, env)


def test_a_codex_binary_that_hangs_cannot_hold_the_menu(scratch, env_for):
    fake = scratch / "codex"
    fake.write_text("#!/bin/sh\nsleep 600\n")
    fake.chmod(0o755)
    env = env_for(scratch / "empty-home", CODEX_CLI_PATH=str(fake))
    proc = run_plugin(env, "source", "cli")
    proc = run_plugin(env)
    assert_whole_menu(proc, env)
    assert not _processes_running(str(fake)), "the hung codex child must not outlive the menu by long"


def _processes_running(needle: str) -> bool:
    # The detached refresh may try once more (8 s initialize limit); after that nothing may remain.
    deadline = time.monotonic() + 25
    while time.monotonic() < deadline:
        out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
        if needle not in out:
            return False
        time.sleep(0.2)
    return True


def test_a_broken_settings_file_is_never_overwritten_by_a_click(scratch, env_for):
    env = env_for(scratch / "empty-home")
    settings = scratch / "config" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('{"source": "cli", "homes": [ oops')  # a hand edit gone wrong
    menu = run_plugin(env).stdout
    assert "not valid JSON" in menu  # the menu says so and runs on defaults
    proc = run_codexbar(["source", "oauth"], env)
    assert proc.returncode == 1 and "Fix or delete it" in proc.stderr
    assert settings.read_text() == '{"source": "cli", "homes": [ oops'


def test_a_bug_in_the_usage_path_still_shows_cost_and_is_logged(scratch, env_for, monkeypatch, capsys):
    """An unexpected exception while fetching usage costs the menu neither its cost section nor its
    actions: usage falls back to the cache, and the traceback goes to codexbar.log."""
    import datetime as dt

    from codexbar_core import budgeted_menu, usage_and_cost
    from tests.cost.logs import active, meta, tok, turn, write

    home = scratch / "home"
    today = dt.date.today().isoformat()
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    write(active(home, "s1", today), [meta("s1", day=today), turn("gpt-5.5", day=today),
                                      tok("x", stamp=stamp, last=(100_000, 0, 1000))])
    env = env_for(home)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the usage path")

    monkeypatch.setattr(usage_and_cost, "collect_usage", broken)
    assert budgeted_menu.run_menu(env, 5.0) == 0
    out = capsys.readouterr().out
    assert "internal error" not in out
    assert "Today: $0.53" in out  # 100K input at $5/M + 1K output at $30/M
    assert_valid_menu(out)
    log = (scratch / "cache" / "codexbar.log").read_text()
    assert "RuntimeError: a bug in the usage path" in log


def test_a_failing_read_of_the_last_cost_while_a_scan_runs_costs_only_the_numbers(scratch, env_for, monkeypatch,
                                                                                  capsys):
    """The cost scan outlasts the menu's budget (a slow machine) and the last report cannot be read
    at that moment: the menu is still whole, says the scan is running, and logs the error."""
    import threading

    from codexbar_core import budgeted_menu, usage_and_cost
    from codexbar_core.cost import report as report_mod

    env = env_for(scratch / "empty-home")
    release = threading.Event()

    def still_scanning(*args, **kwargs):
        release.wait()  # until the menu has printed
        return None, "scan ended", False

    def unreadable(*args, **kwargs):
        raise OSError("database is locked")

    monkeypatch.setattr(usage_and_cost, "collect_cost", still_scanning)
    monkeypatch.setattr(report_mod, "last_cost_report", unreadable)
    monkeypatch.setattr(budgeted_menu, "_start_background_refresh", lambda store, env: None)
    try:
        text, unfinished = budgeted_menu._build(env, budgeted_menu.time.monotonic(), 2.0)
    finally:
        release.set()
    assert unfinished and "internal error" not in text
    assert "Cost scan still running" in text
    assert_valid_menu(text)
    assert "database is locked" in (scratch / "cache" / "codexbar.log").read_text()
