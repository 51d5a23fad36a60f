"""`codexbar usage [--json] [--source S] [--refresh]`: limits and credits of every Codex home."""

from __future__ import annotations

import json
import time

from codexbar_core import paths
from codexbar_core import settings as settings_mod
from codexbar_core.commands.common import env, use_color

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms
if TYPE_CHECKING:
    from codexbar_core.commands.common import Args


def run(args: Args) -> int:
    from codexbar_core.cache import Store
    from codexbar_core.usage_and_cost import collect_usage, homes_from, resolve_source

    environ = env()
    settings = settings_mod.load(environ)
    store = Store(paths.cache_dir(environ))
    homes = homes_from(settings, environ)
    requested, chosen_by = resolve_source(args.source, settings, environ)
    results = collect_usage(homes, requested=requested, chosen_by=chosen_by, menu=False,
                            deadline=time.monotonic() + 60, store=store, settings=settings, env=environ,
                            background=False, use_cache=not (args.refresh or args.source))
    if args.json:
        print(json.dumps([r.to_contract() for r in results], indent=2))
    else:
        from codexbar_core.render.text import usage_report

        print(usage_report(results, color=use_color(environ)))
    return 0
