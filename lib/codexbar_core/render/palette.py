"""The menu's colours (light, dark) and text sizes, shared by every part of the menu so none imports another."""

from __future__ import annotations

# (light, dark) pairs; hex so xbar accepts a single one.
GREEN = ("#1E8E3E", "#34C759")
ORANGE = ("#C26A00", "#FF9F0A")
RED = ("#C5221F", "#FF453A")
GREY = ("#6E6E73", "#98989D")
TEXT = ("#1D1D1F", "#F5F5F7")
SMALL = {"size": "12"}
MONO = {"font": "Menlo", "size": "12"}


def state_color(left: float) -> tuple[str, str]:
    if left <= 10:
        return RED
    if left <= 30:
        return ORANGE
    return GREEN
