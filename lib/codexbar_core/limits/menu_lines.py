"""The menu lines of docs/decisions/limits.md: the age of an answer from the logs, turns left per model,
and the "when" wording shared with the notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def turns_lines(turns: list[Any], grey: Color, small: dict[str, str]) -> list[Line]:
    """"≈ 40 turns of gpt-5.6-sol left in this 5-hour window", labelled as an estimate, with its evidence."""
    if not turns:
        return []
    lines = [Line("Turns left (estimate from your recent turns)", params=small, color=grey)]
    for t in turns:
        # no colour: a line with a submenu must not have one (SwiftBar #526)
        turns = "turn" if t.turns == 1 else "turns"
        lines.append(Line(f"≈ {t.turns} {turns} of {t.model} left in this {t.lane} window", params=small))
        lines.append(Line(f"from {t.evidence_turns} turns that used {t.evidence_points:g} points of it · "
                          f"≈ {t.percent_per_million:.1f}% per million tokens", depth=1, params=small))
    return lines


def limits_lines(res: UsageResult, now: dt.datetime, grey: Color, small: dict[str, str]) -> list[Line]:
    """The top of a home's card: for now, the age of an answer from the logs."""
    lines: list[Line] = []
    as_of = as_of_line(res, now, grey, small)
    if as_of is not None:
        lines.append(as_of)
    return lines
