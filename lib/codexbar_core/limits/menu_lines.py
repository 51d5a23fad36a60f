"""The menu lines of docs/decisions/limits.md: the age of an answer from the logs, ..."""

from __future__ import annotations

import datetime as dt

from codexbar_core.model import UsageResult
from codexbar_core.render.markup import Line

Color = tuple[str, str]


def clock(t: dt.datetime, now: dt.datetime) -> str:
    """Local "10:36" today, else "Dec 5, 10:36"."""
    local = t.astimezone()
    if local.date() == now.astimezone().date():
        return f"{local:%H:%M}"
    return f"{local:%b} {local.day}, {local:%H:%M}"


def day_clock(t: dt.datetime, now: dt.datetime) -> str:
    """When, as a person says it: "14:00" today, "tomorrow 14:00", "Thu 14:00" this week, else "Dec 12, 14:00"."""
    local = t.astimezone()
    days = (local.date() - now.astimezone().date()).days
    if days == 0:
        return f"{local:%H:%M}"
    if days == 1:
        return f"tomorrow {local:%H:%M}"
    if 1 < days < 7:
        return f"{local:%a %H:%M}"
    return f"{local:%b} {local.day}, {local:%H:%M}"


def as_of_line(res: UsageResult, now: dt.datetime, grey: Color, small: dict[str, str]) -> Line | None:
    snap = res.snapshot
    if snap is None or snap.source != "logs" or res.stale:
        return None
    return Line(f"As of {clock(snap.fetched_at, now)}, from your last Codex turn", params=small, color=grey)


def limits_lines(res: UsageResult, now: dt.datetime, grey: Color, orange: Color,
                 small: dict[str, str]) -> list[Line]:
    lines: list[Line] = []
    as_of = as_of_line(res, now, grey, small)
    if as_of is not None:
        lines.append(as_of)
    return lines
