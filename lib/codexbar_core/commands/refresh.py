"""`codexbar refresh`: drop cached results so the next run fetches anew (the menu's Refresh line)."""

from __future__ import annotations

from codexbar_core.commands.common import Args, drop_usage_cache


def run(args: Args) -> int:
    drop_usage_cache()
    print("Cached usage dropped; the next run fetches anew.")
    return 0
