"""The dashboard's usage text as a user reads it: the 5-hour and weekly lanes, their reset times, and the
code-review lane (docs/reference/usage-sources.md, "Dashboard page"). Pure functions of strings and a `now`.
"""

from __future__ import annotations

import datetime as dt
import re

from codexbar_core.model import RateWindow
from codexbar_core.sources.web_html import lines_of

_FIVE_HOUR = re.compile(r"(\b5\s*h\b|\b5h\b|5-hour|5 hour)", re.I)
_WEEKLY = re.compile(r"(weekly|7-day|7 day|\b7d\b|hebdo|semanal|wöchentlich)", re.I)
_PERCENT = re.compile(r"([0-9]{1,3})\s*%")
_USED_WORDS = re.compile(r"\b(used|spent|consumed|utilis|usad|verbraucht)", re.I)


def has_usage_text(lines: list[str]) -> bool:
    return any(_PERCENT.search(ln) for ln in lines)


def _window_from(lines: list[str], start: int, minutes: int, now: dt.datetime) -> RateWindow | None:
    span = lines[start:start + 6]
    for j, ln in enumerate(span[1:], start=1):  # the next window's block is not ours
        if _FIVE_HOUR.search(ln) or _WEEKLY.search(ln):
            span = span[:j]
            break
    value: float | None = None
    for ln in span:
        m = _PERCENT.search(ln)
        if m:
            v = min(100.0, float(m.group(1)))
            value = v if _USED_WORDS.search(ln) else 100.0 - v
            break
    if value is None:
        return None
    reset_line = next((ln for ln in span if "reset" in ln.lower()), None)
    return RateWindow(used_percent=value, window_minutes=minutes,
                      resets_at=parse_reset(reset_line, now) if reset_line else None,
                      reset_description=reset_line)


def parse_rate_limits(lines: list[str], now: dt.datetime | None = None
                      ) -> tuple[RateWindow | None, RateWindow | None]:
    """(5-hour window, weekly window) from the dashboard's text lines."""
    now = now or dt.datetime.now().astimezone()
    session = weekly = None
    for i, ln in enumerate(lines):
        if session is None and _FIVE_HOUR.search(ln):
            session = _window_from(lines, i, 300, now)
        elif weekly is None and _WEEKLY.search(ln):
            weekly = _window_from(lines, i, 10080, now)
    return session, weekly


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_TIME = re.compile(r"\b([0-9]{1,2})(?::([0-9]{2}))?\s*([ap]\.?m\.?)?", re.I)


def _clock(text: str) -> tuple[int, int] | None:
    for m in _TIME.finditer(text):
        if m.group(2) is None and m.group(3) is None:
            continue
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        ampm = (m.group(3) or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return hour, minute
    return None


def parse_reset(line: str | None, now: dt.datetime) -> dt.datetime | None:
    """"Resets today at 2:15 PM", "Resets Fri at 9:00 AM", "Resets Dec 3 4:00 PM", "Resets 2026-12-01" → a time.

    `now` is aware; results are in its time zone (the page speaks the browser's local time).
    """
    if not line:
        return None
    text = re.sub(r"^\s*resets?:?\s*", "", line.strip(), flags=re.I)
    text = re.sub(r"\b(at|on)\b", " ", text, flags=re.I)
    lowered = text.lower()
    clock = _clock(text)
    hour, minute = clock if clock else (0, 0)
    tz = now.tzinfo
    day: dt.date | None = None
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if m:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif "today" in lowered:
        day = now.date()
    elif "tomorrow" in lowered:
        day = now.date() + dt.timedelta(days=1)
    else:
        words = re.findall(r"[a-z]+", lowered)
        for idx, name in enumerate(_WEEKDAYS):
            if any(len(w) >= 3 and name.startswith(w) for w in words):  # "fri", "tues", "thursday"
                ahead = (idx - now.weekday()) % 7
                day = now.date() + dt.timedelta(days=ahead)
                if ahead == 0 and (hour, minute) <= (now.hour, now.minute):
                    day += dt.timedelta(days=7)
                break
    if day is None:
        m = re.search(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})\b", text)
        if m:
            try:
                month = dt.datetime.strptime(m.group(1).title(), "%b").month
                day = _next_date(now.date(), month, int(m.group(2)))
            except ValueError:
                day = None
        else:
            m = re.search(r"\b(\d{1,2})/(\d{1,2})\b", text)
            if m:
                day = _next_date(now.date(), int(m.group(1)), int(m.group(2)))
    if day is None:
        return None
    try:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    except ValueError:
        return None


def _next_date(today: dt.date, month: int, day: int) -> dt.date | None:
    try:
        candidate = dt.date(today.year, month, day)
    except ValueError:
        return None
    if candidate < today - dt.timedelta(days=1):
        candidate = candidate.replace(year=today.year + 1)
    return candidate


_CODE_REVIEW = re.compile(r"Co(?:de|re)\s*review[^0-9%]*([0-9]{1,3})\s*%\s*remaining", re.I)


def parse_code_review_left(text: str) -> float | None:
    """Percent of code reviews left ("Code review 42% remaining" → 42); GitHub code review lines do not count."""
    for ln in lines_of(text) or [text]:
        if "github code review" in ln.lower():
            continue
        m = _CODE_REVIEW.search(ln)
        if m:
            return max(0.0, min(100.0, float(m.group(1))))
    m = _CODE_REVIEW.search(" ".join(ln for ln in lines_of(text) if "github" not in ln.lower()))
    return max(0.0, min(100.0, float(m.group(1)))) if m else None


_CODE_REVIEW_HEADING = re.compile(r"\bCo(?:de|re)\s*review\b", re.I)


def parse_code_review_reset(text: str) -> str | None:
    """The reset line of the code-review lane ("Resets tomorrow at 2:15 PM"), also under the page's
    "Core review" spelling; the lines of a following lane, GitHub review or credits are not its own."""
    lines = lines_of(text)
    for i, ln in enumerate(lines):
        if not _CODE_REVIEW_HEADING.search(ln) or "github" in ln.lower():
            continue
        for j, nxt in enumerate(lines[i:i + 4]):
            lowered = nxt.lower()
            if j and (_FIVE_HOUR.search(nxt) or _WEEKLY.search(nxt) or "review" in lowered or "credit" in lowered):
                break
            if "reset" in lowered:
                return nxt
        return None
    return None
