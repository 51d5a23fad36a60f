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
    is not a plain `--json` request."""
    values: dict[str, str] = {}
    flags = {"--json": False, "--refresh": False}
    i = 0
    while i < len(argv):
        name, eq, value = argv[i].partition("=")
        if name in flags and not eq:
            flags[name] = True
        elif name in ("--days", "--since", "--until") and name not in values:
            if not eq:
                i += 1
                if i >= len(argv):
                    return None
                value = argv[i]
            values[name] = value
        else:
            return None
        i += 1
    if not flags["--json"]:
        return None
    try:
        days = int(values["--days"]) if "--days" in values else None
        since = dt.date.fromisoformat(values["--since"]) if "--since" in values else None
        until = dt.date.fromisoformat(values["--until"]) if "--until" in values else None
    except ValueError:
        return None
    return types.SimpleNamespace(command="cost", json=True, by="day", days=days, since=since, until=until,
                                 refresh=flags["--refresh"], argv=list(argv), cost_handover=None)
