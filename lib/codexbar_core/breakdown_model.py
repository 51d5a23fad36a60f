"""The menu's cost by project and top sessions (docs/decisions/cost-breakdowns.md), read back from the cache.

Like model.py's records it reads a stored dict field by field, so a damaged or older cache gives "unknown"
values instead of an error; it uses model.py's readers for that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from codexbar_core.model import _int, _num, _str, parse_iso


@dataclass
class ProjectCost:
    name: str
    path: str = ""
    sessions: int = 0
    tokens: int = 0
    cost: float | None = None

    @classmethod
    def from_dict(cls, d: Any) -> ProjectCost | None:
        if not isinstance(d, dict):
            return None
        return cls(name=_str(d.get("name")) or "?", path=_str(d.get("path")) or "",
                   sessions=_int(d.get("sessions")) or 0, tokens=_int(d.get("tokens")) or 0,
                   cost=_num(d.get("cost")))


@dataclass
class SessionCost:
    project: str
    model: str | None = None
    title: str | None = None  # the thread's title, already cut short (the user's own text)
    tokens: int = 0
    cost: float | None = None
    last: dt.datetime | None = None  # its last token count

    @classmethod
    def from_dict(cls, d: Any) -> SessionCost | None:
        if not isinstance(d, dict):
            return None
        return cls(project=_str(d.get("project")) or "?", model=_str(d.get("model")), title=_str(d.get("title")),
                   tokens=_int(d.get("tokens")) or 0, cost=_num(d.get("cost")), last=parse_iso(d.get("last")))


@dataclass
class CostBreakdown:
    """Top projects of the window (the rest folded into `other`), top sessions today and in the window."""

    since: str
    until: str
    projects: list[ProjectCost] = field(default_factory=list)
    other: ProjectCost | None = None  # name = how many projects were folded
    today: list[SessionCost] = field(default_factory=list)
    window: list[SessionCost] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: Any) -> CostBreakdown | None:
        if not isinstance(d, dict) or not _str(d.get("since")) or not _str(d.get("until")):
            return None

        def items(key: str, kind: Any) -> list[Any]:
            raw = d.get(key)
            found = [kind.from_dict(x) for x in (raw if isinstance(raw, list) else [])]
            return [x for x in found if x is not None]

        other = d.get("otherProjects")
        folded = None
        if isinstance(other, dict):
            folded = ProjectCost.from_dict(dict(other, name=str(_int(other.get("count")) or 0)))
        return cls(since=d["since"], until=d["until"], projects=items("projects", ProjectCost), other=folded,
                   today=items("today", SessionCost), window=items("window", SessionCost))
