"""`codexbar cost [--json] [--by day|month|session|project] [--days N | --since D --until D] [--refresh]`.

`codexbar cost --json` on an unchanged home is usually answered before this module is imported
(entry.py's warm reprint); this is the full way, which also saves what that reprint reads.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from codexbar_core import paths
from codexbar_core import settings as settings_mod
from codexbar_core.commands.common import env, use_color

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.commands.common import Args
    from codexbar_core.cost_model import HomeCost


def run(args: Args) -> int:
    from codexbar_core.cache import Store
    from codexbar_core.cost_model import CostFailure
    from codexbar_core.usage_and_cost import collect_cost, cost_window, homes_from

    environ = env()
    settings = settings_mod.load(environ)
    store = Store(paths.cache_dir(environ))
    if args.since or args.until:
        until = args.until or dt.date.today()
        since = args.since or until - dt.timedelta(days=29)
        if since > until:
            print("codexbar: --since must not be after --until", file=sys.stderr)
            return 2
    else:
        since, until = cost_window(args.days or 30)
    from codexbar_core.cost.handover import CostHandover

    handover = getattr(args, "cost_handover", None) or CostHandover()
    reports: list[HomeCost] = []
    homes = homes_from(settings, environ)
    for home in homes:
        report, error, stale = collect_cost(home, store=store, since=since, until=until, refresh=args.refresh,
                                            deadline=None, env=environ, by=args.by, handover=handover)
        reports.append(report if report is not None else CostFailure(home.name, str(home.path), str(error)))
    if args.json:
        from codexbar_core.cost.warm_report import printed_and_saved

        contracts = [r.to_contract() for r in reports]
        print(printed_and_saved(list(args.argv), environ, contracts, json_text, handover))
    else:
        from codexbar_core.cost.coverage import report_lines
        from codexbar_core.render.text import cost_report_text

        coverage = report_lines(homes, store, environ, reports, force=args.refresh)
        print(cost_report_text(reports, color=use_color(environ), by=args.by, coverage=coverage))
    return 0


def json_text(value: Any) -> str:
    """Indented JSON, as `json.dumps(value, indent=2)` writes it (same bytes), by orjson when this
    process already loaded it (a scan did): the standard encoder's indented mode is pure Python, ~2 ms
    on a 36-day report, but importing orjson for it alone would cost ~15 ms (cost/json_codec.py)."""
    orjson = sys.modules.get("orjson")
    if orjson is not None:
        try:
            text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
            if text.isascii():  # json.dumps escapes non-ASCII; keep its output exactly
                return text
        except (TypeError, AttributeError):
            pass
    return json.dumps(value, indent=2)
