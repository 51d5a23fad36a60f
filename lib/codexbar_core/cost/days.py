"""Which local calendar day an event belongs to (SPEC B §6.2: each event on its own day, `TZ` honoured)."""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any


class DayKeys:
    """Local-calendar day of an epoch-ms timestamp (TZ honoured), cached per minute."""

    def __init__(self) -> None:
        self.cache: dict[int, str] = {}

    def __call__(self, ts_ms: int) -> str:
        minute = ts_ms // 60000
        day = self.cache.get(minute)
        if day is None:
            t = time.localtime(minute * 60)
            day = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
            self.cache[minute] = day
        return day


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
    return hashlib.sha256(f"{os.environ.get('TZ', '')}|{time.tzname}|{probe}".encode()).hexdigest()[:12]
