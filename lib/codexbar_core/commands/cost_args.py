"""`codexbar cost --json [--days N | --since D --until D] [--refresh]` read without argparse.

The menu and scripts ask for exactly this every few minutes; argparse and the parser cli.py builds
cost ~5 ms, a tenth of a refresh after one appended event (docs/design/cost-engine.md, "Start-up").
Anything else (`--by`, text output, a value that does not parse, an unknown option) returns None and
goes to cli.py, whose parser accepts or rejects it and says why.
"""

from __future__ import annotations

import datetime as dt
import types

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from argparse import Namespace


def parse(argv: list[str]) -> Namespace | None:
    """The arguments after `cost`, with the fields cli.py's parser would give them; None when this
    is not a plain `--json` request. The options are read as the warm reprint reads them
    (`warm_report.quick_args`, already loaded on this path); an option given twice goes to cli.py."""
    from codexbar_core.cost.warm_report import quick_args

    canonical = quick_args(argv)
    if canonical is None:
        return None
    values = dict(item.split("=", 1) for item in canonical)
    if len(values) != len(canonical):
        return None
    try:
        days = int(values["--days"]) if "--days" in values else None
        since = dt.date.fromisoformat(values["--since"]) if "--since" in values else None
        until = dt.date.fromisoformat(values["--until"]) if "--until" in values else None
    except ValueError:
        return None
    return types.SimpleNamespace(command="cost", json=True, by="day", days=days, since=since, until=until,
                                 refresh="--refresh" in argv, argv=list(argv), cost_handover=None)
