"""Notifications: once per threshold crossing, once per reset, re-armed after a reset; real delivery command."""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse

import pytest

from codexbar_core.cache import Store
from codexbar_core.notify import notify_command, process_notifications, send_notification, thresholds_from
from codexbar_core.render.menu_input import HomeView
from codexbar_core.settings import Settings
from tests.menu.samples import NOW, result, snapshot
from tests.rig.notify_send import fake_notify_send, sent


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def __call__(self, title: str, body: str, env: dict[str, str]) -> bool:
        self.sent.append((title, body))
        return True


def run(store, session, weekly=10, settings=None, *, stale=False, env=None, views=None):
    rec = Recorder()
    views = views or [HomeView(result(snapshot(session, weekly, extras=False), stale=stale))]
    process_notifications(views, settings or Settings({}), store, env or {}, now=NOW, send=rec)
    return rec.sent


def test_crossing_notifies_once_and_not_on_every_run(store):
    assert run(store, 50) == []
    sent = run(store, 82)
    assert sent == [("Codex: Session 82% used", "18% left · Resets in 2h 30m")]
    assert run(store, 82) == []  # the plugin runs again with the same numbers
    assert run(store, 90) == []  # still between 80 and 95
    assert run(store, 96) == [("Codex: Session 96% used", "4% left · Resets in 2h 30m")]
    assert run(store, 99) == []


def test_reset_is_announced_and_rearms_the_thresholds(store):
    run(store, 50)
    run(store, 85)
    assert run(store, 3) == [("Codex: Session limit reset", "97% left")]
    assert run(store, 3) == []
    assert run(store, 81) == [("Codex: Session 81% used", "19% left · Resets in 2h 30m")]  # re-crossing


def test_no_reset_notice_for_a_lane_that_never_crossed(store):
    run(store, 60)
    assert run(store, 2) == []


def test_jumping_past_several_thresholds_sends_one_notice(store):
    sent = run(store, 100)
    assert sent == [("Codex: Session limit reached", "Resets in 2h 30m")]


def test_each_lane_is_tracked_on_its_own(store):
    assert run(store, 10, weekly=81) == [("Codex: Weekly 81% used", "19% left · Resets in 2d 4h")]
    assert [t for t, _ in run(store, 85, weekly=81)] == ["Codex: Session 85% used"]


def test_stale_data_is_not_a_crossing(store):
    assert run(store, 90, stale=True) == []
    assert len(run(store, 90)) == 1


def test_turned_off_still_tracks_so_turning_on_does_not_replay(store):
    off = Settings({"notifications": False})
    assert run(store, 85, settings=off) == []
    assert run(store, 85) == []
    assert run(store, 85, env={"CODEXBAR_NO_NOTIFY": "1"}) == []


def test_custom_thresholds_and_resets_off(store):
    settings = Settings({"notify_thresholds": [50], "notify_resets": False})
    assert [t for t, _ in run(store, 55, settings=settings)] == ["Codex: Session 55% used"]
    assert run(store, 1, settings=settings) == []  # reset notices switched off


def test_several_homes_say_which_one(store, tmp_path):
    views = [HomeView(result(snapshot(90, 10, extras=False), name="work", home=str(tmp_path / "w"))),
             HomeView(result(snapshot(20, 10, extras=False), name="personal", home=str(tmp_path / "p")))]
    assert [t for t, _ in run(store, 0, views=views)] == ["Codex (work): Session 90% used"]


@pytest.mark.parametrize("value,expected", [([95, 80, 80], [80, 95]), ("junk", [80, 95]), ([0, 150], [80, 95]),
                                            (["90"], [90]), (70, [70])])
def test_threshold_setting_is_validated(value, expected):
    assert thresholds_from(value) == expected


def test_macos_commands():
    env = {"SWIFTBAR": "1", "SWIFTBAR_PLUGIN_PATH": "/Users/d/Plugins/codexbar.5m.py"}
    cmd = notify_command("Codex: Session 82% used", "18% left · Resets in 2h", env, "darwin")
    assert cmd[:2] == ["open", "-g"]
    url = urllib.parse.urlsplit(cmd[2])
    assert (url.scheme, url.netloc) == ("swiftbar", "notify")
    query = urllib.parse.parse_qs(url.query)
    assert query == {"plugin": ["codexbar.5m.py"], "title": ["Codex: Session 82% used"],
                     "body": ["18% left · Resets in 2h"], "href": ["https://chatgpt.com/codex/settings/usage"]}
    osa = notify_command('Say "hi"', "back\\slash", {}, "darwin")
    assert osa == ["osascript", "-e", 'display notification "back\\\\slash" with title "Say \\"hi\\""']


def test_linux_delivers_through_notify_send(tmp_path):
    """A real process: our command line reaches a notify-send on PATH with the title and body."""
    bindir, log = fake_notify_send(tmp_path)
    env = dict(os.environ, PATH=f"{bindir}:{os.environ.get('PATH', '')}")
    assert send_notification("Codex: Weekly 95% used", "5% left", env, ) is True
    assert sent(log) == [["--app-name=codexbar", "Codex: Weekly 95% used", "5% left"]]


def test_no_notifier_is_not_an_error(tmp_path):
    env = {"PATH": str(tmp_path)}
    assert notify_command("t", "b", env, "linux") is None
    assert send_notification("t", "b", env) is False


def test_state_survives_a_new_process_store(tmp_path):
    first = Store(tmp_path / "c")
    assert len(run(first, 85)) == 1
    first.close()
    second = Store(tmp_path / "c")
    assert run(second, 85) == []
    second.close()


def test_a_new_window_rearms_even_if_the_reset_was_not_seen(store):
    # 85 % in this window; the next reading, after its reset time (2.5 h), is already a later window
    # at 88 %: that is a new crossing.
    run(store, 85)
    later = snapshot(88, 10, extras=False)
    then = NOW + dt.timedelta(hours=3)
    later.primary.resets_at = then + dt.timedelta(hours=7)
    rec = Recorder()
    process_notifications([HomeView(result(later))], Settings({}), store, {}, now=then, send=rec)
    assert rec.sent == [("Codex: Session 88% used", "12% left · Resets in 7h")]
    rec.sent.clear()
    process_notifications([HomeView(result(later))], Settings({}), store, {}, now=then, send=rec)
    assert rec.sent == []


def test_a_new_window_below_the_thresholds_is_a_reset(store):
    run(store, 85)
    later = snapshot(10, 10, extras=False)
    later.primary.resets_at = NOW + dt.timedelta(hours=7)
    rec = Recorder()
    process_notifications([HomeView(result(later))], Settings({}), store, {}, now=NOW, send=rec)
    assert rec.sent == [("Codex: Session limit reset", "90% left")]


def test_reset_times_that_jitter_between_sources_are_the_same_window(store):
    run(store, 85)
    same = snapshot(86, 10, extras=False)
    same.primary.resets_at += dt.timedelta(seconds=40)
    rec = Recorder()
    process_notifications([HomeView(result(same))], Settings({}), store, {}, now=NOW, send=rec)
    assert rec.sent == []
