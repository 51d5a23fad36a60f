"""Entry point of the `codexbar` command and `python -m codexbar_core`.

`codexbar cost --json` on an unchanged home is answered by cost/warm_report.py before the rest of
codexbar is imported (about half of that command's time on 10,000 logs was imports and SQLite).
`codexbar statusline` goes straight to commands/statusline.py for the same reason. Everything else
goes to cli.py, which hands each subcommand to its module in commands/; when the reprint gives
way, a plain `cost --json` goes to commands/cost.py without argparse (commands/cost_args.py).
"""

from __future__ import annotations

import os
import sys


def run() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["statusline"]:  # a status bar asks every few seconds: none of cli.py's imports
        from codexbar_core.commands.statusline import run as run_statusline

        code = run_statusline(argv[1:])
        sys.stdout.flush()
        os._exit(code)
    handover = None
    if argv[:1] == ["cost"]:
        from codexbar_core.cost.handover import CostHandover

        handover = CostHandover()  # what the reprint learnt, for the full path (cost/handover.py)
        try:
            from codexbar_core.cost.warm_report import try_print

            printed = try_print(argv[1:], dict(os.environ), handover)
        except Exception:  # the quick path is only ever a shortcut: any surprise goes the full way
            printed, handover = False, CostHandover()
        if printed:
            sys.stdout.flush()
            os._exit(0)
        from codexbar_core.commands import cost_args

        args = cost_args.parse(argv[1:])
        if args is not None:  # `cost --json`, the menu's and scripts' request: no argparse (cost_args.py)
            from codexbar_core.commands import cost, launch

            args.cost_handover = handover
            launch.finish(argv, launch.call(cost.run, args))
    from codexbar_core.cli import run as run_cli

    run_cli(argv, handover)
