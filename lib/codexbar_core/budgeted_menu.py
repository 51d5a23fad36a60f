"""One full plugin run (`codexbar menu` when the warm reprint cannot answer): gather usage and cost
within the budget, print the menu, exit 0 — whatever fails.

Usage and cost are gathered in worker threads. The main thread waits until the budget is nearly
spent; whatever is not ready by then is shown from the cache (marked stale / pending), a detached
refresh is started to finish it, and the process leaves without waiting for stuck threads.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import os
import shutil
import subprocess  # noqa: F401  at import time, in the main thread: the worker threads must not race to import it
import sys
import time
from typing import Any

from codexbar_core import paths
from codexbar_core import settings as settings_mod
from codexbar_core.breakdown_model import CostBreakdown
from codexbar_core.cost_model import CostReport
from codexbar_core.model import UTC, SourceTrace, UsageResult, UsageSnapshot

# Seconds kept back from the budget for rendering and printing.
RENDER_RESERVE = 1.0


def action_path(env: dict[str, str]) -> str:
    """What the menu's click lines run: the plugin file itself when we were started through it."""
    for key in ("CODEXBAR_ACTION_PATH", "SWIFTBAR_PLUGIN_PATH"):
        if env.get(key):
            return env[key]
    argv0 = sys.argv[0] if sys.argv else ""
    if argv0 and os.path.isabs(argv0) and os.access(argv0, os.X_OK) and not argv0.endswith("__main__.py"):
        return argv0
    return shutil.which("codexbar") or "codexbar"


def run_menu(env: dict[str, str], budget: float) -> int:
    start = time.monotonic()
    try:
        text, unfinished = _build(env, start, budget)
    except Exception:  # the menu must always print; the details go to the log
        _log_exception(env)
        text, unfinished = _fallback_menu(env, "codexbar hit an internal error; details in the log file."), False
    sys.stdout.write(text)
    sys.stdout.flush()
    if unfinished:
        _kill_children()
        os._exit(0)  # do not wait for threads stuck on a hung source; the detached refresh finishes
    return 0


def _build(env: dict[str, str], start: float, budget: float) -> tuple[str, bool]:
    from codexbar_core.cache import Store
    from codexbar_core.render.markup import detect_dark, detect_host
    from codexbar_core.render.menu import build_menu
    from codexbar_core.render.menu_input import HomeView, MenuInput
    from codexbar_core.usage_and_cost import (
        collect_cost,
        collect_usage,
        cost_window,
        homes_from,
        is_background_run,
        resolve_source,
    )

    settings = settings_mod.load(env)
    store = Store(paths.cache_dir(env))
    homes = homes_from(settings, env)
    requested, chosen_by = resolve_source(None, settings, env)
    if requested == "pty":
        requested = "cli"  # the menu never pins the TUI path; `cli` falls back to it on a manual refresh
    background = is_background_run(env)
    deadline = start + budget - RENDER_RESERVE
    since, until = cost_window(30)

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1 + len(homes))
    usage_future = pool.submit(collect_usage, homes, requested=requested, chosen_by=chosen_by, menu=True,
                               deadline=deadline - 0.3, store=store, settings=settings, env=env,
                               background=background)
    cost_futures = [pool.submit(collect_cost, h, store=store, since=since, until=until, refresh=False,
                                deadline=deadline - 0.2, env=env, menu_summary=True) for h in homes]
    done, _ = concurrent.futures.wait([usage_future, *cost_futures], timeout=max(0.1, deadline - time.monotonic()))
    unfinished = len(done) < 1 + len(cost_futures)
    pool.shutdown(wait=False)

    needs_background = unfinished
    usage_results: list[UsageResult] | None = None
    if usage_future in done:
        try:
            usage_results = usage_future.result()
        except Exception:  # a bug in the usage path must not cost the cost section: cached usage instead
            _log_exception(env)
            needs_background = True
    if usage_results is None:
        usage_results = []
        for h in homes:
            snap = _cached_usage(h.path, store, env)
            usage_results.append(UsageResult(h.name, str(h.path), snap, SourceTrace(requested, chosen_by),
                                             stale=snap is not None and snap.source != "logs", pending=True))
    for r in usage_results:
        if r.error and r.error.get("kind") == "timeout":
            needs_background = True
            r.pending = True

    views: list[HomeView] = []
    ask_server = False  # OpenAI's daily token count is old: the background refresh asks (hourly at most)
    for h, r, fut in zip(homes, usage_results, cost_futures):
        if fut in done:
            report, error, stale = fut.result()
        else:
            report, error, stale = _last_cost(h.path, store, env), "Cost scan still running…", True
        if stale:
            needs_background = True
        coverage, ask = _coverage(h.path, store, report)
        ask_server = ask_server or ask
        views.append(HomeView(r, report, error, stale, breakdown=_breakdown(h.path, store) if report else None,
                              coverage=coverage))

    _estimate_turns(views, store, env, deadline)
    if needs_background or ask_server:
        _start_background_refresh(store, env)

    notes = ([settings.load_error] if settings.load_error else []) + paths.folder_notes()
    _notify(views, settings, store, env)
    inp = MenuInput(homes=views, now=dt.datetime.now(UTC), action_path=action_path(env),
                    source_setting=settings.source, reset_style=str(settings.get("reset_style")),
                    show_used=bool(settings.get("show_used")), title_mode=str(settings.get("title_mode")),
                    title_metric=str(settings.get("title_metric")), cookie_mode=settings.cookie_mode,
                    notes=notes, chart_png_b64=_chart(views, env), settings=settings,
                    dark=detect_dark(env))
    text = build_menu(inp, detect_host(env))
    complete = not unfinished and not needs_background and not any(v.usage.pending for v in views)
    if complete:
        from codexbar_core.warm_menu import store_menu

        store_menu(text, env, str(store.directory), str(paths.config_dir(env)))
    return text, unfinished


def _cached_usage(codex_home: Any, store: Any, env: dict[str, str]) -> UsageSnapshot | None:
    """The usage to show while the sources are still asking: the last good answer, else (a cold
    start) the last Codex turn's numbers from the logs; a read that fails shows none, never breaks the menu."""
    try:
        from codexbar_core.pipeline import from_logs, last_good

        snap, _stored = last_good(store, codex_home)
        return snap if snap is not None else from_logs(codex_home)
    except Exception:
        _log_exception(env)
        return None


def _last_cost(codex_home: Any, store: Any, env: dict[str, str]) -> CostReport | None:
    """The last complete cost report while a scan is still running in another thread (which may be
    writing the same store at that moment); a read that fails costs the numbers, never the menu."""
    try:
        from codexbar_core.cost.report import last_cost_report

        return last_cost_report(codex_home, store)
    except Exception:
        _log_exception(env)
        return None


def _start_background_refresh(store: Any, env: dict[str, str]) -> None:
    """Start the detached refresh unless one runs; failing to start one (no process left, a lock
    file we cannot open) leaves the menu as it is: the next scheduled run tries again."""
    try:
        from codexbar_core.commands.refresh_worker import RefreshLock, spawn_background_refresh

        if not RefreshLock(store.directory).held_elsewhere():
            spawn_background_refresh(env)
    except Exception:
        _log_exception(env)


def _breakdown(codex_home: Any, store: Any) -> CostBreakdown | None:
    """By project and top sessions (docs/decisions/cost-breakdowns.md); None when not scanned yet."""
    from codexbar_core.cost.report import menu_breakdown

    try:
        return menu_breakdown(codex_home, store)
    except Exception:  # a damaged summary costs the two submenus, never the menu
        return None


def _coverage(codex_home: Any, store: Any, report: CostReport | None) -> tuple[Any, bool]:
    """(Coverage or None, whether the background refresh should ask the server again)."""
    if report is None or not report.daily:
        return None, False
    try:
        from codexbar_core.cost import coverage

        return (coverage.kept_coverage(codex_home, store, report.daily, dt.date.today()),
                coverage.needs_refresh(codex_home, store))
    except Exception:  # a damaged record costs the line, never the menu
        return None, False


def _estimate_turns(views: list[Any], store: Any, env: dict[str, str], deadline: float) -> None:
    """Turns left per model (docs/decisions/limits.md), only with time to spare; never breaks the menu."""
    if deadline - time.monotonic() < 1.0:
        return
    try:
        from codexbar_core.limits.turns import recent_rates, turns_left

        now = dt.datetime.now(UTC)
        for view in views:
            snap = view.usage.snapshot
            if snap is not None and snap.has_windows:
                view.turns = turns_left(recent_rates(view.usage.codex_home, store), snap, now)
    except Exception:
        _log_exception(env)


def _chart(views: list[Any], env: dict[str, str]) -> str | None:
    try:
        from codexbar_core.render.chart import chart_for_menu
    except ImportError:
        return None
    try:
        return chart_for_menu(views, env)
    except Exception:
        return None


def _notify(views: list[Any], settings: Any, store: Any, env: dict[str, str]) -> None:
    try:
        from codexbar_core.notify import process_notifications
    except ImportError:
        return
    try:
        process_notifications(views, settings, store, env)
    except Exception:
        _log_exception(env)


def _kill_children() -> None:
    try:
        from codexbar_core import procs

        procs.kill_all()
    except Exception:
        pass


def _log_exception(env: dict[str, str]) -> None:
    from codexbar_core.logfile import log_exception

    log_exception(env, "menu")


def _fallback_menu(env: dict[str, str], message: str) -> str:
    from codexbar_core.render.markup import Action, Line, detect_host, render_lines

    path = action_path(env)
    body = [Line(f"⚠ {message}", color=("#C26A00", "#FF9F0A")),
            Line("Refresh", action=Action(path, ["refresh"]))]
    return render_lines([Line("Codex ⚠")], body, detect_host(env))
