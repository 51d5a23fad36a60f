"""Limit-change and reset-credit notifications across sequences of refreshes: each change told once,
no false alarm on an ordinary reset, a glitch in one answer ignored."""

from __future__ import annotations

import datetime as dt

from codexbar_core.cache import Store
from codexbar_core.model import UTC, Credits, Identity, RateWindow, SourceTrace, UsageResult, UsageSnapshot
from codexbar_core.notify import process_notifications
from codexbar_core.render.menu_input import HomeView
from codexbar_core.settings import Settings

LIMIT_KINDS = ("shape", "plan", "reset_later", "credit_expiry")
T0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday


def snap(session: tuple[float, dt.datetime] | None, weekly: tuple[float, dt.datetime] | None = None, *,
         plan: str | None = "pro", credits: Credits | None = None) -> UsageSnapshot:
    weekly = weekly or (20, T0 + dt.timedelta(days=4))
    return UsageSnapshot(source="oauth",
                         primary=RateWindow(session[0], 300, session[1]) if session else None,
                         secondary=RateWindow(weekly[0], 10080, weekly[1]),
                         identity=Identity(email="dana@example.com", plan=plan), credits=credits)


class Refresher:
    """Runs the notifier as the plugin does after each refresh; keeps what would have been delivered."""

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings({"notify_resets": False})
        self.sent: list[tuple[str, str]] = []

    def __call__(self, s: UsageSnapshot, now: dt.datetime) -> list[str]:
        delivered: list[str] = []
        res = UsageResult("default", "/home/dana/.codex", s, SourceTrace("auto", "default"))
        notices = process_notifications([HomeView(res)], self.settings, self.store, {}, now=now,
                                        send=lambda title, body, env: delivered.append(title) or True)
        # threshold crossings are test_notify.py's business; here only the limits' own notices
        mine = [n for n in notices if n.kind in LIMIT_KINDS and n.title in delivered]
        self.sent += [(n.title, n.body) for n in mine]
        return [n.title for n in mine]


def test_the_5_hour_window_going_and_coming_back_is_told_once_each(store):
    notify = Refresher(store)
    both = snap((10, T0 + dt.timedelta(hours=3)))
    weekly_only = snap(None)
    steps = [(both, []), (both, []),
             (weekly_only, []),  # one answer without it: could be a glitch, wait for the next
             (weekly_only, ["Codex: the 5-hour limit is gone"]),
             (weekly_only, []), (weekly_only, []),
             (both, []), (both, ["Codex: a 5-hour limit is back"]), (both, []),
             (weekly_only, []), (both, []), (both, [])]  # a single glitch in between: nothing
    for i, (s, expected) in enumerate(steps):
        assert notify(s, T0 + dt.timedelta(minutes=5 * i)) == expected, f"refresh {i}"
    gone = dict(notify.sent)["Codex: the 5-hour limit is gone"]
    assert gone == "Limits that apply now: weekly."


def test_a_new_lane_and_a_plan_change(store):
    notify = Refresher(store)
    base = snap((10, T0 + dt.timedelta(hours=3)), plan="plus")
    assert notify(base, T0) == []
    spark = snap((10, T0 + dt.timedelta(hours=3)), plan="pro")
    spark.extra_windows = [RateWindow(0, 10080, T0 + dt.timedelta(days=7), id="codex-spark-weekly",
                                      title="Codex Spark Weekly")]
    assert notify(spark, T0 + dt.timedelta(minutes=5)) == []
    assert notify(spark, T0 + dt.timedelta(minutes=10)) == ["Codex: a Codex Spark Weekly limit now applies",
                                                           "Codex: plan changed"]
    assert dict(notify.sent)["Codex: plan changed"].startswith("Plus → Pro 20x")
    unknown_plan = snap((10, T0 + dt.timedelta(hours=3)), plan=None)  # the CLI may not say the plan
    unknown_plan.extra_windows = spark.extra_windows
    assert notify(unknown_plan, T0 + dt.timedelta(minutes=15)) == []
    assert notify(unknown_plan, T0 + dt.timedelta(minutes=20)) == []


def test_two_days_of_ordinary_resets_and_a_night_asleep_raise_no_alarm(store):
    notify = Refresher(store)
    now = T0
    weekly_reset = T0 + dt.timedelta(days=5)
    window_start: dt.datetime | None = None
    told: list[str] = []
    while now < T0 + dt.timedelta(days=2):
        working = 9 <= now.hour < 19
        if window_start is not None and now >= window_start + dt.timedelta(hours=5):
            window_start = None  # the 5-hour window ran out: ordinary reset
        if working and window_start is None:
            window_start = now
        if window_start is None:
            session = (0, now + dt.timedelta(hours=5))  # unused: the reset slides along with the clock
        else:
            used = min(100, (now - window_start).total_seconds() / 3600 * 22)
            session = (used, window_start + dt.timedelta(hours=5))
        told += notify(snap(session, (30, weekly_reset + dt.timedelta(seconds=now.minute % 3))), now)
        # every 20 minutes while awake, one refresh after a 9-hour sleep
        now += dt.timedelta(minutes=20) if working or now.hour < 22 else dt.timedelta(hours=9)
    assert told == []


def test_a_reset_moved_later_is_told_once(store):
    notify = Refresher(store)
    due = T0 + dt.timedelta(hours=2)
    assert notify(snap((40, due)), T0) == []
    assert notify(snap((41, due + dt.timedelta(seconds=4))), T0 + dt.timedelta(minutes=5)) == []  # jitter
    moved = due + dt.timedelta(hours=3)
    assert notify(snap((41, moved)), T0 + dt.timedelta(minutes=10)) == ["Codex: 5-hour reset moved later"]
    assert dict(notify.sent)["Codex: 5-hour reset moved later"] == "It was due 11:00; now 14:00 (59% left)."
    assert notify(snap((42, moved)), T0 + dt.timedelta(minutes=15)) == []  # not twice


def test_an_early_reset_by_a_credit_is_not_a_moved_reset(store):
    notify = Refresher(store)
    assert notify(snap((100, T0 + dt.timedelta(hours=2))), T0) == []
    # the user spent a reset credit in Codex: usage back to 0, a fresh window ending later
    assert notify(snap((0, T0 + dt.timedelta(hours=5, minutes=5))), T0 + dt.timedelta(minutes=5)) == []


def test_a_reset_credit_expiring_within_a_day_is_told_once(store):
    notify = Refresher(store)
    expiry = T0 + dt.timedelta(hours=30)
    credits = Credits(balance=0.0, reset_credits_available=2, reset_credits_next_expiry=expiry)
    s = snap((10, T0 + dt.timedelta(hours=3)), credits=credits)
    assert notify(s, T0) == []  # 30 hours left: not yet
    assert notify(s, T0 + dt.timedelta(hours=7)) == ["Codex: a limit reset credit expires soon"]
    assert dict(notify.sent)["Codex: a limit reset credit expires soon"].startswith(
        "One of your 2 reset credits expires tomorrow 15:00.")
    assert notify(s, T0 + dt.timedelta(hours=8)) == []
    credits.reset_credits_available, credits.reset_credits_next_expiry = 1, expiry + dt.timedelta(hours=12)
    assert notify(s, T0 + dt.timedelta(hours=20)) == ["Codex: a limit reset credit expires soon"]  # the next one
    assert notify(s, T0 + dt.timedelta(hours=43)) == []


def test_notifications_off_tracks_state_without_delivering_or_replaying(store):
    quiet = Refresher(store, Settings({"notifications": False}))
    both, weekly_only = snap((10, T0 + dt.timedelta(hours=3))), snap(None)
    for i, s in enumerate([both, weekly_only, weekly_only]):
        assert quiet(s, T0 + dt.timedelta(minutes=5 * i)) == []
    loud = Refresher(store)
    assert loud(weekly_only, T0 + dt.timedelta(minutes=20)) == []  # switching back on replays nothing
