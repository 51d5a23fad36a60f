"""`codexbar refresh`: drop cached results so the next run fetches anew (the menu's Refresh line)."""

from __future__ import annotations

from codexbar_core.commands.common import drop_usage_cache

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms
if TYPE_CHECKING:
    from codexbar_core.commands.common import Args


def run(args: Args) -> int:
    drop_usage_cache()
    print("Cached usage dropped; the next run fetches anew.")
    return 0
