"""Which local calendar day an event belongs to (docs/reference/cost-rules.md, "Day assignment": each event on its own day, `TZ` honoured)."""

from __future__ import annotations

import os
import time

from codexbar_core.digests import sha256_hex

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any


SLOT_MS = 900_000  # a quarter of an hour: every zone's UTC offset today is a multiple of it


class DayKeys:
    """Local-calendar day of an epoch-ms timestamp (TZ honoured), cached per quarter hour.

    `cache` (ts // SLOT_MS -> day) is read directly by the scanner's inner loop. A quarter hour is
    cached when its first and last second fall on the same day with the same UTC offset (then every
    second of it does); one that holds a midnight or a DST switch (an odd offset, a switch) is never
    cached, each of its timestamps is asked on its own. A quarter hour rather than a minute: 35 days
    are 3,360 entries instead of 50,400, about 2.5 MB less in each scanning process
    (docs/design/cost-memory.md)."""

    def __init__(self) -> None:
        self.cache: dict[int, str] = {}
        self.mixed: set[int] = set()  # slots holding a day's boundary or an offset change

    def __call__(self, ts_ms: int) -> str:
        slot = ts_ms // SLOT_MS
        day = self.cache.get(slot)
        if day is None:
            if slot not in self.mixed:
                first, last = time.localtime(slot * 900), time.localtime(slot * 900 + 899)
                if first[:3] == last[:3] and first.tm_gmtoff == last.tm_gmtoff:
                    day = self.cache[slot] = _day(first)
                    return day
                self.mixed.add(slot)
            day = _day(time.localtime(ts_ms // 1000))
        return day


def _day(t: time.struct_time) -> str:
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"


_day_keys: dict[tuple[Any, ...], DayKeys] = {}


def shared_day_keys() -> DayKeys:
    """One quarter-hour -> day cache per time zone for the whole process (files share their times)."""
    zone = (os.environ.get("TZ"), time.tzname, time.timezone, time.altzone)
    keys = _day_keys.get(zone)
    if keys is None:
        keys = _day_keys[zone] = DayKeys()
    return keys


def tz_fingerprint() -> str:
    probe = [time.localtime(t).tm_gmtoff for t in (0, 15_000_000, 1_700_000_000, 1_785_000_000, 1_800_000_000)]
    return sha256_hex(f"{os.environ.get('TZ', '')}|{time.tzname}|{probe}".encode())[:12]
