"""`codexbar statusline [--host plain|tmux|waybar|i3blocks] [--format TEMPLATE]`.

Reads only the cache (snapshot.py); when the numbers are older than the plugin's refresh period it
starts the same detached refresh the menu starts and prints what it has, marked stale if old.
Imported before the rest of codexbar (entry.py), so only cheap modules at the top.
"""

from __future__ import annotations

import os
import sys
import time

from codexbar_core import warm_paths
from codexbar_core.statusline import fields, folders, hosts, snapshot

# The plugin's own period (codexbar.5m.py): older numbers make a status line start a refresh,
# at most once per period (a stamp file), so a failing refresh is not retried every 15 s by tmux.
REFRESH_AFTER = 300.0
STAMP_NAME = "statusline-refresh.stamp"

USAGE = """usage: codexbar statusline [--host plain|tmux|waybar|i3blocks] [--format TEMPLATE]

One line of the cached Codex numbers for a status bar or prompt (no network; a stale cache starts a
background refresh). Default formats:
""" + "".join(f"  {h:9} {hosts.DEFAULT_FORMATS[h]}\n" for h in hosts.HOSTS) + """
Placeholders:
""" + "".join(f"  {{{k}}}{' ' * max(1, 16 - len(k))}{v}\n" for k, v in fields.PLACEHOLDERS.items()) + """  {color}           the state's colour for tmux (#[fg={color}]) and i3blocks
"""


class UsageError(Exception):
    pass


def parse(argv: list[str]) -> tuple[str, str | None]:
    host, template = "plain", None
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, inline = arg.partition("=")
        if name in ("--host", "--format"):
            if eq:
                value = inline
            elif i + 1 < len(argv):
                i += 1
                value = argv[i]
            else:
                raise UsageError(f"{name} needs a value")
            if name == "--host":
                if value not in hosts.HOSTS:
                    raise UsageError(f"--host must be one of: {', '.join(hosts.HOSTS)}")
                host = value
            else:
                template = value
        else:
            raise UsageError(f"unknown argument {arg!r}")
        i += 1
    return host, template


def tooltip(v: dict[str, str]) -> str:
    lines = [f"Session: {v['session_left']} left · resets in {v['session_reset']} · pace {v['session_pace']}",
             f"Weekly: {v['weekly_left']} left · resets in {v['weekly_reset']} · pace {v['weekly_pace']}",
             f"Today: {v['cost_today']} · Credits: {v['credits']}"]
    if v["session_left"] == fields.MISSING and v["weekly_left"] == fields.MISSING:
        lines.append("No usage read yet: open the codexbar menu or run `codexbar usage`")
    elif v["age"] == fields.MISSING:
        lines.append("Refreshing…")
    else:
        lines.append(f"Updated {v['age']} ago" + (" (stale)" if v["state"] == "stale" else ""))
    return "\n".join(lines)


def _stamped_within(stamp: str, now: float) -> bool:
    try:
        return 0 <= now - os.stat(stamp).st_mtime < REFRESH_AFTER
    except OSError:
        return False


def maybe_start_refresh(env: dict[str, str], data: snapshot.StatusData, now: float) -> bool:
    """Start the detached refresh when the numbers are old, at most once per REFRESH_AFTER."""
    fresh = data.stored_at is not None and 0 <= now - data.stored_at < REFRESH_AFTER
    if fresh and data.cost_today is not None:
        return False
    if _stamped_within(os.path.join(folders.cache_dir(env), STAMP_NAME), now):
        return False
    from codexbar_core import paths
    from codexbar_core.commands.refresh_worker import RefreshLock, spawn_background_refresh

    cache_dir = paths.cache_dir(env)  # creates it on a first run; a private fallback when it is unusable
    stamp = os.path.join(str(cache_dir), STAMP_NAME)
    if _stamped_within(stamp, now):
        return False
    warm_paths.write_owner_only(stamp, b"")
    if RefreshLock(cache_dir).held_elsewhere():
        return False
    return spawn_background_refresh(env)


def run(argv: list[str], env: dict[str, str] | None = None) -> int:
    env = dict(os.environ) if env is None else env
    if any(a in ("-h", "--help") for a in argv):
        sys.stdout.write(USAGE)
        return 0
    try:
        host, template = parse(argv)
    except UsageError as exc:
        sys.stderr.write(f"codexbar statusline: {exc}\n{USAGE}")
        return 2
    now = time.time()
    try:
        data = snapshot.load(env)
    except Exception:  # a damaged cache is shown as "no numbers", never as a traceback in a status bar
        data = snapshot.StatusData()
    values = fields.values(data, now)
    left = fields.tightest_left(data)
    try:
        text, code = hosts.render(host, template, values, tooltip(values), int(round(left or 0)))
    except hosts.TemplateError as exc:
        sys.stdout.write(f"codexbar: {exc}\n")  # where the user looks: the status bar itself
        return 2
    sys.stdout.write(text)
    sys.stdout.flush()
    try:
        maybe_start_refresh(env, data, now)
    except Exception:
        pass  # the line is printed; the next run tries again
    return code
