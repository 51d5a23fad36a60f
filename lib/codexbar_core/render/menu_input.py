"""What the menu is built from: one view per Codex home and the settings that shape the menu."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from codexbar_core.breakdown_model import CostBreakdown
from codexbar_core.cost_model import CostReport
from codexbar_core.model import UsageResult


@dataclass
class HomeView:
    usage: UsageResult
    cost: CostReport | None = None
    cost_error: str | None = None
    cost_stale: bool = False
    breakdown: CostBreakdown | None = None  # by project and top sessions, from the last scan of the window
    coverage: Any = None  # cost.coverage.Coverage: local tokens against OpenAI's own daily count
    # "≈ 40 turns of gpt-5.6-sol left…" estimates (codexbar_core.limits.turns.TurnsLeft), newest model first
    turns: list[Any] = field(default_factory=list)


@dataclass
class MenuInput:
    homes: list[HomeView]
    now: dt.datetime
    action_path: str
    source_setting: str = "auto"
    reset_style: str = "countdown"
    show_used: bool = False
    title_mode: str = "percent"
    title_metric: str = "auto"
    cookie_mode: str = "off"
    notes: list[str] = field(default_factory=list)
    chart_png_b64: str | None = None
    # The Settings object (notification choices are read from it); None = defaults.
    settings: Any = None
    # Single-colour hosts: use the dark colour of each pair. None = from the environment (markup.detect_dark).
    dark: bool | None = None
    # macOS major version (SwiftBar says it); picks title symbols this macOS has. None = from the environment.
    macos_major: int | None = None

    def setting(self, key: str, default: Any) -> Any:
        if self.settings is None:
            return default
        value = self.settings.get(key)
        return default if value is None else value
