"""Calling a subcommand's `run` and leaving the process: shared by cli.py (every command, after
argparse) and entry.py (`codexbar cost --json`, parsed without argparse: cost_args.py).

Neither needs argparse: a refresh after one appended event reaches `commands/cost.py` without
importing it (docs/design/cost-engine.md, "Start-up").
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any, Callable, NoReturn


def call(run: Callable[[Any], int], args: Any) -> int:
    """`run(args)` with what every command shares: owner-only files, and the expected failures as an
    exit code with one line on stderr."""
    from codexbar_core import settings as settings_mod

    os.umask(0o077)  # everything we write (cache, settings, secrets) is owner-only
    try:
        return int(run(args))
    except KeyboardInterrupt:
        return 130
    except settings_mod.SettingsError as exc:
        print(f"codexbar: {exc}", file=sys.stderr)
        return 1


def finish(argv: list[str], code: int) -> NoReturn:
    """Exit without tearing down the heap. After a cold cost scan that is ~100 MB of small objects,
    and freeing them one by one took 60-80 ms (measured); everything we write is committed or flushed
    by then. The folder notes go to stderr (the menu shows them itself)."""
    from codexbar_core import paths

    try:
        if argv[:1] not in ([], ["menu"]):
            for note in paths.folder_notes():
                print(f"codexbar: {note}", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        code = code or 1  # e.g. the reader went away; what a normal exit would also report
    os._exit(code)
