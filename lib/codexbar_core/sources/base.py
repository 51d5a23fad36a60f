"""What every usage source looks like (modelled on keyring's backends).

Which sources exist, in what order they are tried and how each one may fall back is one table,
sources/registry.py; tests/sources/test_contract.py holds every source to this interface.

A source says cheaply whether it can run here (`availability`) and, if so, `fetch`es a
`UsageSnapshot` within the context's deadline or raises a `CodexbarError`. Sources never render,
never print, and never put secrets into error messages. Window *roles* are not decided here:
sources put windows in their own primary/secondary slots and the pipeline normalises them.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from codexbar_core.errors import SourceTimeout
from codexbar_core.model import UTC, UsageSnapshot


@dataclass
class FetchContext:
    """Everything a source may use. Tests build one directly."""

    codex_home: Path
    deadline: float  # time.monotonic() value by which the source must have returned
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    store: Any = None  # codexbar_core.cache.Store, or None (no caching)
    settings: Any = None  # codexbar_core.settings.Settings, or None (defaults)
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(UTC))
    # Identity already known from an earlier source (used by web to match accounts).
    expected_email: str | None = None
    # Set by the plugin's background refresh: interactive-only paths (PTY) must not run then.
    background: bool = False
    # Where Codex keeps its login (sources.login_store.LoginStore), detected before any source runs.
    login: Any = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def timeout(self, wanted: float) -> float:
        """`wanted` seconds, capped by what is left of the deadline; raises when nothing is left."""
        left = self.remaining()
        if left <= 0.05:
            raise SourceTimeout("Ran out of time before the request could start.")
        return max(0.05, min(wanted, left))

    def now(self) -> dt.datetime:
        return self.clock()


@dataclass
class Availability:
    usable: bool
    reason: str  # why not (shown in the trace) or a short note when usable


class Source(Protocol):
    id: str  # its registry id: "oauth" | "cli" | "pty" | "web" | "logs"
    label: str  # what the menu shows as the source: "oauth", "codex-cli", "codex-pty", "openai-web", "logs"

    def availability(self, ctx: FetchContext) -> Availability: ...

    def fetch(self, ctx: FetchContext) -> UsageSnapshot: ...
