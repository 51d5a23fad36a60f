"""The `logs` source: the newest turn's rate limits, read from log tails, marked with their age."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from codexbar_core import errors
from codexbar_core.cache import Store
from codexbar_core.model import Identity, RateWindow, UsageSnapshot
from codexbar_core.pipeline import Home, fetch_usage
from codexbar_core.render.menu import build_menu
from codexbar_core.render.menu_input import HomeView, MenuInput
from codexbar_core.sources.base import FetchContext
from codexbar_core.sources.logs import LogsSource
from tests.limits.gen import UTC, limits, message, token_count, turn_context, write_log
from tests.rig.stand_in import StandIn

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 12, 6, 10, 40, tzinfo=UTC)


def fetch(home: Path, now: dt.datetime = NOW) -> UsageSnapshot:
    return LogsSource().fetch(FetchContext(codex_home=home, deadline=time.monotonic() + 5, clock=lambda: now))


def test_the_newest_turn_of_the_newest_log_answers(tmp_path):
    t0 = NOW - dt.timedelta(hours=3)
    reset5h, reset7d = NOW + dt.timedelta(hours=2), NOW + dt.timedelta(days=3)
    write_log(tmp_path, t0, [turn_context(t0, "gpt-5.5"),
                             token_count(t0, 1000, limits(10, 5, primary_reset=reset5h, secondary_reset=reset7d))],
              "old", mtime=t0)
    t1 = NOW - dt.timedelta(minutes=4)
    write_log(tmp_path, t1, [turn_context(t1, "gpt-5.5"),
                             token_count(t1, 1000, limits(61, 33, primary_reset=reset5h, secondary_reset=reset7d,
                                                          plan="plus")),
                             token_count(t1 + dt.timedelta(seconds=5), 50, None)],  # no limits on this one
              "new", mtime=t1)
    snap = fetch(tmp_path)
    assert snap.source == "logs"
    assert (snap.primary.used_percent, snap.primary.window_minutes) == (61, 300)
    assert (snap.secondary.used_percent, snap.secondary.window_minutes) == (33, 10080)
    assert snap.primary.resets_at == reset5h.replace(microsecond=0)
    assert snap.fetched_at == t1.replace(microsecond=0)  # as old as the turn, not "now"
    assert snap.identity.plan == "plus" and snap.credits.balance == 12.5


def test_only_the_tail_is_needed_even_after_megabytes_of_tool_output(tmp_path):
    t = NOW - dt.timedelta(minutes=10)
    noise = [message(t, "x" * 4000) for _ in range(300)]  # ~1.2 MB after the snapshot
    write_log(tmp_path, t, [turn_context(t, "m"), token_count(t, 10, limits(70, 20)), *noise[:100]], "a")
    assert fetch(tmp_path).primary.used_percent == 70  # found by the second, longer tail read
    write_log(tmp_path, t, [turn_context(t, "m"), token_count(t, 10, limits(70, 20)), *noise], "a")
    with pytest.raises(errors.NoRateLimits):
        fetch(tmp_path)  # beyond the longest tail read: not found rather than the whole file read


def test_a_window_that_reset_since_that_turn_shows_nothing_used(tmp_path):
    t = NOW - dt.timedelta(hours=6)
    write_log(tmp_path, t, [token_count(t, 10, limits(97, 40, primary_reset=t + dt.timedelta(hours=1),
                                                      secondary_reset=t + dt.timedelta(days=2)))])
    snap = fetch(tmp_path)
    assert snap.primary.used_percent == 0 and snap.primary.resets_at is None
    assert "reset since your last Codex turn" in snap.primary.reset_description
    assert snap.secondary.used_percent == 40


def test_no_logs_or_no_limits_is_a_clear_error(tmp_path):
    with pytest.raises(errors.NoRateLimits, match="No Codex turn with rate limits"):
        fetch(tmp_path)
    write_log(tmp_path, NOW, [token_count(NOW, 10, None)])  # an API-key login writes no limits
    with pytest.raises(errors.NoRateLimits):
        fetch(tmp_path)


def test_the_real_cli_corpus_is_read():
    # Logs written by the real codex 0.169.0 against a backend that served 42 % / 17 % (see its README).
    home = ROOT / "tests" / "cost_oracle" / "corpus" / "chatgpt-login"
    snap = fetch(home, now=dt.datetime(2026, 11, 23, 22, 40, tzinfo=UTC))
    assert (snap.primary.used_percent, snap.primary.window_minutes) == (42, 300)
    assert (snap.secondary.used_percent, snap.secondary.window_minutes) == (17, 10080)
    assert snap.fetched_at == dt.datetime(2026, 11, 23, 22, 36, 56, 845000, tzinfo=UTC)  # the newest turn
    assert snap.credits.balance == 12.5


# -- in the chain ----------------------------------------------------------------------------------

def _run(tmp_path: Path, sources: dict, store: Store | None = None):
    return fetch_usage(Home("default", tmp_path), requested="auto", chosen_by="default", menu=True,
                       deadline=time.monotonic() + 5, store=store, env={}, loader=lambda sid: sources[sid])


def _menu(result) -> str:
    inp = MenuInput(homes=[HomeView(result)], now=dt.datetime.now(UTC), action_path="/x/codexbar")
    return build_menu(inp, "swiftbar")


def test_when_every_live_source_fails_the_logs_answer_with_the_reason_kept(tmp_path):
    t = dt.datetime.now(UTC) - dt.timedelta(minutes=7)
    write_log(tmp_path, t, [turn_context(t, "m"), token_count(t, 10, limits(55, 30,
                            primary_reset=t + dt.timedelta(hours=3), secondary_reset=t + dt.timedelta(days=2)))])
    sources = {"oauth": StandIn("oauth", errors.MissingCredentials("Codex auth.json not found.")),
               "cli": StandIn("cli", errors.MissingBinary("Codex CLI missing.")),
               "pty": StandIn("pty", errors.MissingBinary("Codex CLI missing.")), "logs": LogsSource()}
    store = Store(tmp_path / "cache")
    result = _run(tmp_path, sources, store)
    assert result.snapshot.source == "logs" and result.snapshot.primary.used_percent == 55
    assert result.error["kind"] == "missing_credentials" and not result.stale
    assert [a.outcome for a in result.trace.attempts][-1] == "ok"
    menu = _menu(result)
    assert f"As of {t.astimezone():%H:%M}, from your last Codex turn" in menu
    assert "Session: 45% left" in menu and "auth.json not found" in menu
    assert _run(tmp_path, sources, store).snapshot.source == "logs"  # never stored as a live answer


def test_a_newer_live_answer_beats_the_last_turn(tmp_path):
    t = dt.datetime.now(UTC) - dt.timedelta(hours=2)
    write_log(tmp_path, t, [token_count(t, 10, limits(55, 30))])
    store = Store(tmp_path / "cache")
    live = UsageSnapshot(source="oauth", primary=RateWindow(20, 300), secondary=RateWindow(10, 10080),
                         identity=Identity(email="me@example.com"))
    ok = {"oauth": StandIn("oauth", live), "cli": StandIn("cli"), "pty": StandIn("pty"), "logs": LogsSource()}
    _run(tmp_path, ok, store)
    from codexbar_core.pipeline import forget

    forget(store, tmp_path)
    down = dict(ok, oauth=StandIn("oauth", errors.Unavailable("HTTP 503")))
    result = _run(tmp_path, down, store)
    assert result.snapshot.source == "oauth" and result.stale and result.snapshot.primary.used_percent == 20


def test_a_user_without_login_or_cli_sees_the_last_turn(scratch, env_for):
    from tests.rig.runner import run_codexbar, run_json

    home = scratch / "home-with-logs"
    t = dt.datetime.now(UTC) - dt.timedelta(minutes=20)
    write_log(home, t, [turn_context(t, "gpt-5.5"), token_count(t, 900, limits(
        64, 21, primary_reset=t + dt.timedelta(hours=2), secondary_reset=t + dt.timedelta(days=4)))])
    env = env_for(home)
    (doc,) = run_json(["usage", "--json"], env)
    assert doc["source"] == "logs" and doc["usage"]["primary"]["usedPercent"] == 64
    assert doc["usage"]["updatedAt"] == t.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert doc["error"]["kind"] in ("missing_binary", "missing_credentials", "not_signed_in")
    menu = run_codexbar(["menu"], env).stdout
    assert f"As of {t.astimezone():%H:%M}, from your last Codex turn" in menu and "Session: 36% left" in menu


def test_a_cold_start_whose_live_source_hangs_shows_the_last_turn(scratch, env_for, backend):
    from tests.rig.codex_home import make_codex_home
    from tests.rig.fake_backend import Reply
    from tests.rig.runner import run_plugin

    backend.set_usage(Reply(hang=True))  # nothing cached yet, and the live answer never comes
    home = make_codex_home(scratch / "home", backend.url)
    t = dt.datetime.now(UTC) - dt.timedelta(minutes=3)
    write_log(home, t, [turn_context(t, "gpt-5.5"), token_count(t, 900, limits(
        52, 12, primary_reset=t + dt.timedelta(hours=4), secondary_reset=t + dt.timedelta(days=5)))])
    proc = run_plugin(env_for(home))
    assert proc.returncode == 0
    assert f"As of {t.astimezone():%H:%M}, from your last Codex turn" in proc.stdout
    assert "Session: 48% left" in proc.stdout and proc.stdout.startswith("Codex 48%")
