"""A stand-in usage source for pipeline tests: answers or fails as told, and counts its calls."""

from __future__ import annotations

from typing import Any

from codexbar_core.sources.base import Availability


class StandIn:
    """A source that answers or fails as told, and counts its calls."""

    def __init__(self, source_id: str, result: Any = None, usable: bool = True, reason: str = "") -> None:
        self.id = source_id
        self.label = source_id
        self.result = result
        self.usable = usable
        self.reason = reason
        self.calls = 0

    def availability(self, ctx: Any) -> Availability:
        return Availability(self.usable, self.reason)

    def fetch(self, ctx: Any) -> Any:
        self.calls += 1
        if isinstance(self.result, Exception):
            raise self.result
        return self.result
