"""Gather usage and cost for every configured Codex home, inside a time budget.

Used by the menu, by `codexbar usage` / `codexbar cost`, and by the detached background refresh
(commands/refresh_worker.py) that finishes whatever did not fit in the menu's budget.
"""

from __future__ import annotations

import datetime as dt

from codexbar_core import errors, paths
from codexbar_core.cache import Store
from codexbar_core.homes import Home, homes_from
from codexbar_core.settings import SOURCES, Settings

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from codexbar_core.cost.handover import CostHandover
    from codexbar_core.cost_model import CostReport
    from codexbar_core.model import UsageResult

__all__ = ["Home", "homes_from"]  # re-exported: callers find homes here with the rest

# SwiftBar refresh reasons that mean a person asked for it (docs/reference/menu-rules.md, "Manual refresh reasons").
MANUAL_REASONS = frozenset({"MenuAction", "RefreshAllMenu", "RefreshAllURLScheme", "URLScheme", "Shortcut",
                            "DebugView", "NotificationAction", "PluginSettings", "MenuOpen"})


def resolve_source(flag: str | None, settings: Settings, env: dict[str, str]) -> tuple[str, str]:
    """(source, why): a flag beats the environment beats the saved setting beats the default."""
    if flag:
        return flag, "flag"
    from_env = (env.get("CODEXBAR_SOURCE") or "").strip().lower()
    if from_env in SOURCES:
        return from_env, "environment"
    if "source" in settings.values and settings.source in SOURCES:
        return settings.source, "setting"
    return "auto", "default"


def is_background_run(env: dict[str, str]) -> bool:
    """A scheduled plugin run (nobody clicked): interactive-only paths must not start."""
    reason = env.get("SWIFTBAR_PLUGIN_REFRESH_REASON") or ""
    if reason:
        return reason not in MANUAL_REASONS
    return env.get("SWIFTBAR") == "1" or bool(env.get("XBARDarkMode")) or bool(env.get("ARGOS_VERSION"))


def collect_usage(homes: list[Home], *, requested: str, chosen_by: str, menu: bool, deadline: float,
                  store: Store | None, settings: Settings, env: dict[str, str], background: bool,
                  use_cache: bool = True) -> list[UsageResult]:
    import concurrent.futures  # usage only: `codexbar cost` never needs threads or the sources
    import subprocess  # noqa: F401  here, in the main thread: the worker threads must not race to import it

    from codexbar_core.pipeline import fetch_usage

    if len(homes) == 1:
        return [fetch_usage(homes[0], requested=requested, chosen_by=chosen_by, menu=menu, deadline=deadline,
                            store=store, settings=settings, env=env, background=background, use_cache=use_cache)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(4, len(homes))) as pool:
        futures = [pool.submit(fetch_usage, h, requested=requested, chosen_by=chosen_by, menu=menu,
                               deadline=deadline, store=store, settings=settings, env=env,
                               background=background, use_cache=use_cache) for h in homes]
        return [f.result() for f in futures]


def cost_window(days: int, now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    today = (now or dt.datetime.now()).astimezone().date()
    return today - dt.timedelta(days=max(1, days) - 1), today


def collect_cost(home: Home, *, store: Store | None, since: dt.date, until: dt.date, refresh: bool,
                 deadline: float | None, env: dict[str, str], by: str = "day",
                 menu_summary: bool = False,
                 handover: CostHandover | None = None) -> tuple[CostReport | None, str | None, bool]:
    """(report, error message, stale). A scan that runs out of time falls back to the last complete one.
    `handover`: what this process's `cost` reprint learnt, and where the report notes its digest."""
    overrides = paths.config_dir(env) / "prices.json"
    try:
        from codexbar_core.cost.report import cost_report, last_cost_report

        report = cost_report(home.path, store, since=since, until=until, refresh=refresh,
                             price_overrides=overrides if overrides.exists() else None, deadline=deadline,
                             by=by, menu_summary=menu_summary, handover=handover)
        return report.tagged(home.name, str(home.path)), None, False
    except errors.SourceTimeout as exc:
        previous = last_cost_report(home.path, store)
        if previous is not None:
            return previous.tagged(home.name, str(home.path)), None, True
        return None, exc.message, False
    except Exception as exc:
        err = errors.as_codexbar_error(exc)
        if not err.expected:
            from codexbar_core.logfile import log_exception

            log_exception(env, f"cost scan of {home.name}")
        return None, err.message, False
