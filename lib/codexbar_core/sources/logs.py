"""`logs` source: the account's limits as Codex last saw them, from the newest session log.

No network, no login, no process: the last `token_count` event Codex wrote carries the rate-limit
snapshot of that turn. The answer is as old as that turn, and says so (the snapshot's `fetched_at`
is the event's time; the menu writes "as of 10:36, from your last Codex turn"). It is the last
source of every chain, and the first answer of a cold start (docs/decisions/limits.md).
"""

from __future__ import annotations

import datetime as dt

from codexbar_core.errors import NoRateLimits
from codexbar_core.limits.logtail import LimitRecord, LimitWindow, newest_record
from codexbar_core.model import Credits, Identity, RateWindow, UsageSnapshot
from codexbar_core.sources.base import Availability, FetchContext

LABEL = "logs"
NO_SNAPSHOT = "No Codex turn with rate limits in the recent session logs."


def _window(raw: LimitWindow | None, now: dt.datetime) -> RateWindow | None:
    if raw is None:
        return None
    if raw.resets_at is not None and raw.resets_at <= now:
        # The window has reset since that turn: nothing of it is used, as far as this machine knows.
        return RateWindow(0.0, raw.window_minutes, None,
                          reset_description="reset since your last Codex turn")
    return RateWindow(raw.used_percent, raw.window_minutes, raw.resets_at)


def _credits(raw: dict | None) -> Credits | None:
    if not raw:
        return None
    from codexbar_core.sources.wham import number

    balance = number(raw.get("balance"))
    unlimited = raw.get("unlimited") is True
    if balance is None and not unlimited:
        return None
    return Credits(balance=balance, has_credits=raw.get("has_credits") is True, unlimited=unlimited)


def snapshot_from_record(record: LimitRecord, now: dt.datetime) -> UsageSnapshot:
    return UsageSnapshot(source=LABEL, primary=_window(record.primary, now), secondary=_window(record.secondary, now),
                         identity=Identity(plan=record.plan), credits=_credits(record.credits),
                         fetched_at=record.at)


class LogsSource:
    id = "logs"
    label = LABEL

    def availability(self, ctx: FetchContext) -> Availability:
        return Availability(True, "the newest Codex session log")

    def fetch(self, ctx: FetchContext) -> UsageSnapshot:
        record = newest_record(str(ctx.codex_home))
        if record is None:
            raise NoRateLimits(NO_SNAPSHOT)
        return snapshot_from_record(record, ctx.now())
