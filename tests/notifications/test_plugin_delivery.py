"""Notifications as the plugin delivers them: a real plugin run against the fake backend reaches a
recording `notify-send` once per threshold crossing and once per reset; the menu can turn them off."""

from __future__ import annotations

import json
from pathlib import Path

from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import usage_body
from tests.rig.menu_checks import click
from tests.rig.notify_send import fake_notify_send, sent
from tests.rig.runner import PLUGIN, run_codexbar, run_plugin


def told(log: Path) -> list[str]:
    return [f"{title} / {body}" for _app, title, body in sent(log)]


def test_notifications_once_per_crossing_and_on_reset(scratch, env_for, backend):
    bindir, log = fake_notify_send(scratch)
    backend.set_usage(usage_body(primary_used=85, secondary_used=20))
    env = env_for(make_codex_home(scratch / "home", backend.url))
    env.pop("CODEXBAR_NO_NOTIFY")
    env["PATH"] = f"{bindir}:{env['PATH']}"
    assert run_plugin(env).returncode == 0
    assert told(log) == ["Codex: Session 85% used / 15% left · Resets in 1h 23m"]
    run_plugin(env, "refresh")
    run_plugin(env)
    assert len(told(log)) == 1  # same numbers again: nothing new to say
    backend.set_usage(usage_body(primary_used=2, secondary_used=20))
    run_plugin(env, "refresh")
    run_plugin(env)
    assert told(log)[1:] == ["Codex: Session limit reset / 98% left"]


def test_notifications_off_from_the_menu(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=10, secondary_used=20))
    env = env_for(make_codex_home(scratch / "home", backend.url), CODEXBAR_ACTION_PATH=str(PLUGIN))
    click(run_plugin(env).stdout, "Off", env)  # the first "Off" is the Notifications one
    assert json.loads((scratch / "config" / "settings.json").read_text())["notifications"] is False
    assert "--✓ Off |" in run_plugin(env).stdout
    assert run_codexbar(["set", "notify_thresholds", "50,90"], env).returncode == 0
    assert json.loads((scratch / "config" / "settings.json").read_text())["notify_thresholds"] == [50, 90]
    bad = run_codexbar(["set", "notify_thresholds", "0,500"], env)
    assert bad.returncode == 2 and "1 to 100" in bad.stderr
