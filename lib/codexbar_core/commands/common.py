"""What several commands share: the parsed arguments' type, colour, and dropping cached usage."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    pass  # what cli.py parses (or commands/cost_args.py, for `cost --json`)


def env() -> dict[str, str]:
    return dict(os.environ)


def use_color(environ: dict[str, str]) -> bool:
    return sys.stdout.isatty() and not environ.get("NO_COLOR")


def drop_usage_cache() -> None:
    """Make the next run fetch usage anew: the warm menu, each home's fresh snapshot, cost results."""
    from codexbar_core import paths
    from codexbar_core import settings as settings_mod
    from codexbar_core.cache import Store
    from codexbar_core.pipeline import forget
    from codexbar_core.usage_and_cost import homes_from
    from codexbar_core.warm_menu import forget_menu

    environ = env()
    store = Store(paths.cache_dir(environ))
    forget_menu(str(store.directory))
    for home in homes_from(settings_mod.load(environ), environ):
        forget(store, home.path)
    try:
        store.state_db.delete_prefix("cost:result:")
    except Exception:  # a damaged or busy state database: the results expire by themselves
        pass
