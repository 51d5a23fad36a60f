"""Run a chain of usage sources and keep the last good answer (docs/design/sources-and-commands.md).

The pipeline runs the sources of a chain in order, skips unusable ones, falls through only where
the source registry (sources/registry.py) says the next source can help, records every step in a
`SourceTrace`, attaches web extras, caches the last good snapshot and serves it (marked stale) when
a refresh fails. Which sources exist and how each one may fall back live in the registry, not here.
"""

from __future__ import annotations

import concurrent.futures
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from codexbar_core import errors
from codexbar_core.cache import Store, home_key
from codexbar_core.homes import Home
from codexbar_core.model import SourceAttempt, SourceTrace, UsageResult, UsageSnapshot
from codexbar_core.normalize import normalize_snapshot
from codexbar_core.sources import registry
from codexbar_core.sources.base import FetchContext, Source
from codexbar_core.sources.registry import load_source

# A snapshot younger than this is reused instead of asking again (several runs close together,
# e.g. SwiftBar's refresh-on-open right after the timer).
FRESH_SECONDS = 60.0

def _snapshot_key(home: Path) -> str:
    return f"usage:last:{home_key(home)}"


def last_good(store: Store | None, home: Path) -> tuple[UsageSnapshot | None, float | None]:
    if store is None:
        return None, None
    data = store.get_json(_snapshot_key(home))
    if not isinstance(data, dict) or not isinstance(data.get("snapshot"), dict):
        return None, None
    try:
        return UsageSnapshot.from_dict(data["snapshot"]), float(data.get("storedAt") or 0)
    except (KeyError, TypeError, ValueError):
        return None, None


def from_logs(codex_home: Path) -> UsageSnapshot | None:
    """The newest session log's snapshot, or None: the menu's first answer while live sources still run."""
    try:
        from codexbar_core.sources.logs import LogsSource

        ctx = FetchContext(codex_home=codex_home, deadline=time.monotonic() + 1)
        return normalize_snapshot(LogsSource().fetch(ctx))
    except Exception:
        return None


def save_good(store: Store | None, home: Path, snapshot: UsageSnapshot, requested: str,
              trace: SourceTrace | None = None) -> None:
    if store is not None:
        data = {"snapshot": snapshot.to_dict(), "storedAt": time.time(), "requested": requested}
        if trace is not None and trace.login is not None:
            data["login"], data["loginLine"] = trace.login, trace.login_line  # names and states, no secret
        store.set_json(_snapshot_key(home), data)


def _cached_login(store: Store | None, home: Path, trace: SourceTrace) -> None:
    """A reused snapshot keeps saying where Codex's login was found when it was fetched."""
    data = store.get_json(_snapshot_key(home)) if store is not None else None
    if isinstance(data, dict) and isinstance(data.get("login"), dict) and isinstance(data.get("loginLine"), str):
        trace.login, trace.login_line = data["login"], data["loginLine"]


def forget(store: Store | None, home: Path) -> None:
    """Make the next run fetch anew (the snapshot stays as the stale fallback)."""
    if store is None:
        return
    data = store.get_json(_snapshot_key(home))
    if isinstance(data, dict):
        data["storedAt"] = 0
        store.set_json(_snapshot_key(home), data)


def expected_email(ctx: FetchContext, cached: UsageSnapshot | None) -> str | None:
    """The Codex account's email (docs/reference/usage-sources.md, "Identity and credits precedence"): latest snapshot, then auth.json's id_token."""
    if cached is not None and cached.identity.email:
        return cached.identity.email
    if ctx.login is not None and not ctx.login.file_in_use:
        return None  # a leftover auth.json may belong to another account than the keyring's login
    try:
        from codexbar_core.sources import auth

        return auth.identity_email(ctx.codex_home)
    except Exception:
        return None


def _attach_extras(primary: UsageSnapshot, web: UsageSnapshot) -> UsageSnapshot:
    credits = primary.credits
    if credits is None and web.credits is not None:
        credits = web.credits  # web fills credits only when OAuth/CLI gave none (docs/reference/usage-sources.md, "Identity and credits precedence")
    extras = list(primary.extra_windows)
    known = {w.id for w in extras}
    extras += [w for w in web.extra_windows if w.id not in known]
    return replace(primary, credits=credits, web=web.web, extra_windows=extras,
                   source=f"{primary.source} + openai-web")


def run_chain(
    chain: list[str],
    ctx: FetchContext,
    trace: SourceTrace,
    loader: Callable[[str], Source] = load_source,
) -> tuple[UsageSnapshot | None, errors.CodexbarError | None]:
    last_error: errors.CodexbarError | None = None  # decides whether the next source may run
    shown: errors.CodexbarError | None = None  # what the user is told when nothing answers
    prev: str | None = None
    for source_id in chain:
        spec = registry.BY_ID.get(source_id)
        last_resort = spec is not None and spec.last_resort
        if last_error is not None and prev is not None and not registry.may_run_after(prev, source_id, last_error):
            trace.attempts.append(SourceAttempt(source_id, "skipped",
                                                f"not tried: {prev} {last_error.kind.stop_reason}"))
            continue
        if spec is not None and spec.interactive_only and ctx.background:
            trace.attempts.append(SourceAttempt(source_id, "skipped", f"{spec.description} is only read on a manual refresh"))
            continue
        if ctx.remaining() <= 0.2 and not last_resort:  # the last resort takes milliseconds
            trace.attempts.append(SourceAttempt(source_id, "skipped", "time budget used up"))
            last_error = last_error or errors.SourceTimeout("Usage refresh ran out of time.")
            break
        try:
            source = loader(source_id)
            avail = source.availability(ctx)
        except Exception as exc:  # a source that cannot even load is skipped, never fatal
            err = errors.as_codexbar_error(exc)
            trace.attempts.append(SourceAttempt(source_id, "skipped", err.message, err.kind.value))
            continue
        if not avail.usable:
            trace.attempts.append(SourceAttempt(source_id, "skipped", avail.reason))
            if last_error is None:
                last_error = errors.CodexbarError(avail.reason, kind=errors.ErrorKind.UNAVAILABLE_SOURCE)
            continue
        prev = source_id
        try:
            snapshot = source.fetch(ctx)
        except Exception as exc:
            err = errors.as_codexbar_error(exc)
            if not err.expected:
                from codexbar_core.logfile import log_exception

                log_exception(ctx.env, f"source {source_id}")
            trace.attempts.append(SourceAttempt(source_id, "failed", err.message, err.kind.value))
            shown = registry.error_to_show(shown or last_error, err, source_id)
            last_error = err
            continue
        trace.attempts.append(SourceAttempt(source_id, "ok", avail.reason or "answered"))
        # A last resort's answer keeps the reason the live sources failed: the menu shows both.
        return normalize_snapshot(snapshot), (shown or last_error) if last_resort else None
    return None, shown or last_error


def fetch_usage(
    home: Home,
    *,
    requested: str,
    chosen_by: str,
    menu: bool,
    deadline: float,
    store: Store | None,
    settings: Any = None,
    env: dict[str, str] | None = None,
    background: bool = False,
    use_cache: bool = True,
    loader: Callable[[str], Source] = load_source,
) -> UsageResult:
    env = dict(os.environ if env is None else env)
    env["CODEX_HOME"] = str(home.path)
    ctx = FetchContext(codex_home=home.path, deadline=deadline, env=env, store=store, settings=settings,
                       background=background)
    trace = SourceTrace(requested=requested, chosen_by=chosen_by)
    cached, stored_at = last_good(store, home.path)
    if use_cache and cached is not None and stored_at and time.time() - stored_at < FRESH_SECONDS:
        trace.attempts.append(SourceAttempt("cache", "ok", f"reused a result from {int(time.time() - stored_at)} s ago"))
        _cached_login(store, home.path, trace)
        return UsageResult(home.name, str(home.path), cached, trace)

    from codexbar_core.sources import login_store

    # Where Codex keeps its login, before any source runs (docs/decisions/codex-logins.md).
    ctx.login = login_store.detect(home.path, env, timeout=min(login_store.PROBE_TIMEOUT, ctx.remaining() / 4))
    trace.login, trace.login_line = ctx.login.to_dict(), ctx.login.summary()
    cookies_enabled = _cookies_enabled(settings, env)
    chain = registry.chain_for(requested, menu=menu, cookies_enabled=cookies_enabled)
    extras = registry.extras_for(requested, menu=menu, cookies_enabled=cookies_enabled)
    if ctx.login.uses == login_store.USES_MEMORY:
        # nothing outside the Codex process holds the login; the logs' last turn needs none
        chain = registry.without_codex_login(chain)
    ctx.expected_email = expected_email(ctx, cached)

    extras_future = None
    pool = None
    if extras:
        # Dashboard extras load in parallel with the chain (docs/design/sources-and-commands.md).
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        extras_future = pool.submit(_fetch_extras, ctx, loader, extras[0])

    snapshot, error = run_chain(chain, ctx, trace, loader)
    if snapshot is None and "cli" in chain and login_store.cli_retry_helps(ctx.login, error):
        # Codex 0.169.0 renews an expired keyring login at start-up, yet answers that run as signed
        # out; the next app-server uses the renewed login (docs/decisions/codex-logins.md)
        snapshot, error = run_chain(["cli"], ctx, trace, loader)

    if extras_future is not None:
        extra_id = extras[0]
        extra, extra_error = _wait_extras(extras_future, ctx, extra_id)
        if extra is not None:
            trace.attempts.append(SourceAttempt(extra_id, "ok", "dashboard extras attached"))
            if snapshot is not None and registry.from_last_resort(snapshot) and extra.has_windows:
                snapshot, error = normalize_snapshot(extra), None  # live numbers beat the last turn's
            elif snapshot is not None:
                snapshot = _attach_extras(snapshot, extra)
            elif extra.has_windows:
                snapshot, error = normalize_snapshot(extra), None
        elif extra_error is not None:
            trace.attempts.append(SourceAttempt(extra_id, "failed", extra_error.message, extra_error.kind.value))
        pool.shutdown(wait=False)  # type: ignore[union-attr]

    if snapshot is not None and registry.from_last_resort(snapshot):
        live_error = _explained(ctx, error, env, trace) if error is not None or _ephemeral(ctx) else None
        return _from_last_resort(home, snapshot, cached, trace, live_error)
    if snapshot is not None:
        save_good(store, home.path, snapshot, requested, trace)
        return UsageResult(home.name, str(home.path), snapshot, trace)
    err = _explained(ctx, error, env, trace)
    result = UsageResult(home.name, str(home.path), None, trace, error=err.to_json())
    if cached is not None:
        result.snapshot = cached
        result.stale = True
    return result


def _ephemeral(ctx: FetchContext) -> bool:
    from codexbar_core.sources import login_store

    return ctx.login is not None and ctx.login.uses == login_store.USES_MEMORY


def _explained(ctx: FetchContext, error: errors.CodexbarError | None, env: dict[str, str],
               trace: SourceTrace) -> errors.CodexbarError:
    """The error the menu shows: where Codex keeps its login and the fix (docs/decisions/codex-logins.md)."""
    from codexbar_core.sources import login_store

    if _ephemeral(ctx):
        return login_store.ephemeral_error(ctx.login)
    return login_store.explain(ctx.login, error or errors.NoRateLimits("No usage source answered."), env,
                               trace.attempts)


def _from_last_resort(home: Home, snapshot: UsageSnapshot, cached: UsageSnapshot | None, trace: SourceTrace,
                      error: errors.CodexbarError | None) -> UsageResult:
    """The last turn's numbers, unless the last live answer is newer; never stored as a live answer."""
    err = error.to_json() if error is not None else None
    if cached is not None and cached.fetched_at >= snapshot.fetched_at:
        return UsageResult(home.name, str(home.path), cached, trace, error=err, stale=True)
    return UsageResult(home.name, str(home.path), snapshot, trace, error=err)


def _cookies_enabled(settings: Any, env: dict[str, str]) -> bool:
    if (env.get("CODEXBAR_OPENAI_COOKIE") or "").strip():
        return True
    mode = getattr(settings, "cookie_mode", "off") if settings is not None else "off"
    return mode in ("auto", "manual")


def _fetch_extras(ctx: FetchContext, loader: Callable[[str], Source], source_id: str) -> UsageSnapshot:
    source = loader(source_id)
    avail = source.availability(ctx)
    if not avail.usable:
        raise errors.NotConfigured(avail.reason)
    return source.fetch(ctx)


def _wait_extras(future: Any, ctx: FetchContext,
                 source_id: str) -> tuple[UsageSnapshot | None, errors.CodexbarError | None]:
    try:
        return future.result(timeout=max(0.05, ctx.remaining())), None
    except concurrent.futures.TimeoutError:
        what = registry.spec(source_id).description
        return None, errors.SourceTimeout(f"{what[:1].upper()}{what[1:]} did not answer in time.")
    except Exception as exc:
        return None, errors.as_codexbar_error(exc)
