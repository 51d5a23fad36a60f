"""One module per `codexbar` subcommand, each with `run(args) -> int` (docs/design/sources-and-commands.md).

cli.py parses the command line and calls the chosen module; nothing is imported here, so a command
loads only what it uses (entry.py reaches `statusline` without cli.py at all).
"""
