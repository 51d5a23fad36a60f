"""`codexbar menu` (and `codexbar` alone): what the plugin prints.

First the warm reprint (warm_menu.py: the last complete menu, if under a minute old, with nothing
else imported), else a full run within the budget (budgeted_menu.py).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms
if TYPE_CHECKING:
    from codexbar_core.commands.common import Args


# The menu must be on screen before SwiftBar would show a stale or broken item; the hard limit is
# 10 s, we print by this many seconds after start whatever the sources do.
MENU_BUDGET_SECONDS = 8.0


def run(args: Args) -> int:
    from codexbar_core.warm_menu import try_print_cached_menu

    if try_print_cached_menu():
        return 0
    from codexbar_core.budgeted_menu import run_menu

    return run_menu(dict(os.environ), MENU_BUDGET_SECONDS)
