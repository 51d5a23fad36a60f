"""Which local calendar day an event belongs to (docs/reference/cost-rules.md, "Day assignment": each event on its own day, `TZ` honoured)."""

from __future__ import annotations

import os
import time

from codexbar_core.digests import sha256_hex

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any


class DayKeys:
    """Local-calendar day of an epoch-ms timestamp (TZ honoured), cached per minute.

    `cache` (minute -> day) is read directly by the scanner's inner loop. A miss asks the hour first:
    when its first and last second fall on the same day with the same UTC offset, every minute of
    it does too, so one `localtime` pair serves 60 minutes; otherwise (midnight inside the hour in a
    half-hour zone, a DST switch) each minute is asked on its own."""

    def __init__(self) -> None:
        self.cache: dict[int, str] = {}
        self.hours: dict[int, str | None] = {}

    def __call__(self, ts_ms: int) -> str:
        minute = ts_ms // 60000
        day = self.cache.get(minute)
        if day is None:
            hour = minute // 60
            if hour in self.hours:
                day = self.hours[hour]
            else:
                first, last = time.localtime(hour * 3600), time.localtime(hour * 3600 + 3599)
                same = first[:3] == last[:3] and first.tm_gmtoff == last.tm_gmtoff
                day = self.hours[hour] = _day(first) if same else None
            if day is None:
                day = _day(time.localtime(minute * 60))
            self.cache[minute] = day
        return day


def _day(t: time.struct_time) -> str:
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"


_day_keys: dict[tuple[Any, ...], DayKeys] = {}


def shared_day_keys() -> DayKeys:
    """One minute -> day cache per time zone for the whole process (files share their minutes)."""
    zone = (os.environ.get("TZ"), time.tzname, time.timezone, time.altzone)
    keys = _day_keys.get(zone)
    if keys is None:
        keys = _day_keys[zone] = DayKeys()
    return keys


def tz_fingerprint() -> str:
    probe = [time.localtime(t).tm_gmtoff for t in (0, 15_000_000, 1_700_000_000, 1_785_000_000, 1_800_000_000)]
    return sha256_hex(f"{os.environ.get('TZ', '')}|{time.tzname}|{probe}".encode())[:12]
