"""`codexbar _refresh-worker`: the detached refresh that finishes what the menu's budget could not.

The menu (commands/menu.py) and `codexbar statusline` start it with `spawn_background_refresh` when
their numbers are old or a fetch ran out of time; `RefreshLock` keeps it to one at a time. It runs
as a background refresh: no interactive source (the /status screen) and no keychain prompt.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from codexbar_core.cache import Store
    from codexbar_core.commands.common import Args
    from codexbar_core.homes import Home
    from codexbar_core.settings import Settings


def run(args: Args) -> int:
    from codexbar_core import paths
    from codexbar_core import settings as settings_mod
    from codexbar_core.cache import Store

    env = dict(os.environ)
    return run_background_refresh(env, settings_mod.load(env), Store(paths.cache_dir(env)))


def spawn_background_refresh(env: dict[str, str]) -> bool:
    """Start `codexbar _refresh-worker` detached; it finishes what the menu could not in its budget."""
    import subprocess

    cmd = [sys.executable, "-m", "codexbar_core", "_refresh-worker"]
    try:
        subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
        return True
    except OSError:
        return False


class RefreshLock:
    """One background refresh at a time (an fcntl lock on a file in the cache folder)."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = cache_dir / "refresh.lock"
        self.fd: int | None = None

    def acquire(self) -> bool:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            os.close(self.fd)
            self.fd = None
            return False

    def held_elsewhere(self) -> bool:
        if self.acquire():
            self.release()
            return False
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _refresh_coverage(home: Home, store: Store, env: dict[str, str]) -> None:
    """OpenAI's daily token count for the coverage line (docs/decisions/cost-breakdowns.md)."""
    try:
        from codexbar_core.cost.coverage import refresh

        refresh(home.path, store, env)
    except Exception:
        from codexbar_core.logfile import log_exception

        log_exception(env, f"server token count of {home.name}")


def run_background_refresh(env: dict[str, str], settings: Settings, store: Store) -> int:
    from codexbar_core.usage_and_cost import (
        collect_cost,
        collect_usage,
        cost_window,
        homes_from,
        resolve_source,
    )

    lock = RefreshLock(store.directory)
    if not lock.acquire():
        return 0  # another refresh is already doing the work
    try:
        homes = homes_from(settings, env)
        requested, chosen_by = resolve_source(None, settings, env)
        # A snapshot the menu fetched under a minute ago is kept, not asked for again: the menu also
        # starts this refresh for the cost scan or OpenAI's daily count alone. One it could not finish,
        # or a Refresh click (which ages the snapshot, pipeline.forget), still fetches anew.
        collect_usage(homes, requested=requested, chosen_by=chosen_by, menu=True,
                      deadline=time.monotonic() + 45, store=store, settings=settings, env=env,
                      background=True, use_cache=True)
        since, until = cost_window(30)
        for home in homes:
            collect_cost(home, store=store, since=since, until=until, refresh=False,
                         deadline=time.monotonic() + 600, env=env, menu_summary=True)
            _refresh_coverage(home, store, env)
    finally:
        lock.release()
    return 0
