"""`codexbar`: parse the command line and hand it to the subcommand's module (commands/).

Contract: the command-line contract in docs/design/sources-and-commands.md. Exit 0 whenever a
document was printed, even with errors inside it. This module only parses and dispatches; each
subcommand is one module in commands/ with `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from codexbar_core.commands import launch
from codexbar_core.settings import SOURCES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from codexbar_core.cost.handover import CostHandover

# subcommand -> its module in commands/
COMMANDS = {
    "menu": "menu",
    "usage": "usage",
    "cost": "cost",
    "source": "source",
    "refresh": "refresh",
    "open": "open_page",
    "set": "set_setting",
    "cookies": "cookies",
    "_refresh-worker": "refresh_worker",
}
# Subcommands that parse their own arguments (they are listed in --help only).
SELF_PARSING = {"statusline": "statusline", "install-plugin": "install_plugin"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="codexbar", description="OpenAI Codex usage and cost for your menu bar.")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("menu", help="print the SwiftBar/xbar menu (what the plugin prints)")
    u = sub.add_parser("usage", help="usage limits and credits")
    u.add_argument("--json", action="store_true")
    u.add_argument("--source", choices=SOURCES)
    u.add_argument("--refresh", action="store_true", help="ask the source even if a result is fresh")
    c = sub.add_parser("cost", help="local cost of Codex sessions")
    c.add_argument("--json", action="store_true")
    c.add_argument("--by", choices=("day", "month", "session", "project"), default="day",
                   help="group the window's cost by day (default), month, session or project")
    c.add_argument("--days", type=int)
    c.add_argument("--since", type=dt.date.fromisoformat)
    c.add_argument("--until", type=dt.date.fromisoformat)
    c.add_argument("--refresh", action="store_true", help="rescan even if the last result is under 60 s old")
    s = sub.add_parser("source", help="pin the usage source (persisted)")
    s.add_argument("value", choices=SOURCES)
    sub.add_parser("refresh", help="drop cached results so the next run fetches anew")
    o = sub.add_parser("open", help="open a page in the browser")
    o.add_argument("page", choices=["usage", "status", "settings"])
    st = sub.add_parser("set", help="change a menu setting (title_mode, title_metric, reset_style, show_used, "
                                    "notifications, notify_thresholds, notify_resets, ...)")
    st.add_argument("key")
    st.add_argument("value")
    ck = sub.add_parser("cookies", help="OpenAI web cookies: mode off|auto|manual, set (stdin), prompt, clear, status")
    ck.add_argument("args", nargs=argparse.REMAINDER)
    # listed here for --help; their own modules parse their arguments (see main)
    sub.add_parser("statusline", help="one line for tmux, waybar, i3blocks or a prompt (statusline --help)")
    sub.add_parser("install-plugin", help="link or copy the plugin into SwiftBar/xbar/Argos (install-plugin --help)")
    sub.add_parser("_refresh-worker", help=argparse.SUPPRESS)
    return p


def run(argv: list[str] | None = None, handover: CostHandover | None = None) -> None:
    """Entry point of the `codexbar` command, `python -m codexbar_core` and the plugin: `main`, then exit
    without tearing down the heap (commands/launch.py)."""
    argv = sys.argv[1:] if argv is None else argv
    launch.finish(argv, main(argv, handover))


def main(argv: list[str] | None = None, handover: CostHandover | None = None) -> int:
    """`handover`: what `cost`'s warm reprint learnt before it gave way (cost/handover.py)."""
    import importlib

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] and argv[0] in SELF_PARSING:
        os.umask(0o077)  # everything we write (cache, settings, secrets) is owner-only
        module = importlib.import_module(f"codexbar_core.commands.{SELF_PARSING[argv[0]]}")
        return int(module.run(argv[1:]))
    args = _parser().parse_args(argv)
    command = args.command or "menu"
    args.argv = argv[1:]  # `cost --json` keys its warm reprint on the exact arguments
    args.cost_handover = handover
    try:
        module = importlib.import_module(f"codexbar_core.commands.{COMMANDS[command]}")
    except KeyboardInterrupt:
        return 130
    return launch.call(module.run, args)


if __name__ == "__main__":
    sys.exit(main())
