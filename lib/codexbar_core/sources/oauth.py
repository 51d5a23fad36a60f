"""OAuth source: auth.json tokens -> `GET {chatgpt_base_url}/wham/usage` (docs/reference/usage-sources.md, "OAuth: auth.json" to "Credit limits and reset credits").

Errors are sorted so the pipeline does the right thing: sign-in problems (401/403, no or damaged
auth.json, stale tokens the CLI can renew) fall through to the CLI source; 429, 5xx, timeouts and
unreadable answers do not (the last good values are shown as stale instead).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable

from codexbar_core import paths
from codexbar_core.errors import (
    AuthError,
    CodexbarError,
    InvalidResponse,
    RateLimited,
    SourceTimeout,
    Unavailable,
)
from codexbar_core.model import Credits, UsageSnapshot
from codexbar_core.sources import auth as authfile
from codexbar_core.sources import wham
from codexbar_core.sources.base import Availability, FetchContext

DEFAULT_BASE_URL = "https://chatgpt.com/backend-api/"
USAGE_TIMEOUT = 30.0  # the original app's; the plugin's deadline usually caps it far lower
REFRESH_TIMEOUT = 15.0
ENRICH_TIMEOUT = 4.0
# Enrichment is skipped when less than this is left: the numbers matter more than the extras.
ENRICH_MIN_LEFT = 1.5
# Plans that never have a workspace spend control (docs/reference/usage-sources.md, "Credit limits and reset credits").
PERSONAL_PLANS = frozenset({"guest", "free", "go", "plus", "pro"})


def base_url(codex_home: Path) -> str:
    """`chatgpt_base_url` from config.toml, normalised like the original (docs/reference/usage-sources.md, "OAuth: usage endpoint and base URL")."""
    base = (paths.read_config_value(codex_home, "chatgpt_base_url") or DEFAULT_BASE_URL).strip()
    base = base.rstrip("/")
    if base.startswith(("https://chatgpt.com", "https://chat.openai.com")) and "/backend-api" not in base:
        base += "/backend-api"
    return base


def usage_url(base: str) -> str:
    return base + ("/wham/usage" if "/backend-api" in base else "/api/codex/usage")


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or "the server"


class Job:
    """`work` on a daemon thread, so an abandoned request can never keep the process alive.

    httpx timeouts are per read; a body sent one byte at a time would pass them all, so every
    request of this source runs as a Job that the caller stops waiting for at its own deadline.
    """

    def __init__(self, work: Callable[[], Any]) -> None:
        self._box: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, args=(work,), name="codexbar-oauth-http", daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self._box["value"] = work()
        except BaseException as exc:  # handed to the caller's thread by outcome()
            self._box["error"] = exc

    def wait(self, seconds: float) -> bool:
        """True when the work finished within `seconds`."""
        self._thread.join(max(0.0, seconds))
        return not self._thread.is_alive()

    def outcome(self) -> Any:
        if "error" in self._box:
            raise self._box["error"]
        return self._box.get("value")


def within(seconds: float, work: Callable[[], Any], on_timeout: CodexbarError) -> Any:
    """Run `work`, but give up after `seconds` whatever the server does."""
    job = Job(work)
    if not job.wait(seconds):
        raise on_timeout
    return job.outcome()


def auth_headers(auth: authfile.AuthFile) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {auth.access_token}"}
    if auth.account_id:
        headers["ChatGPT-Account-Id"] = auth.account_id
    return headers


def transport_error(exc: Exception, what: str, url: str, seconds: float, after: str = "") -> CodexbarError:
    """httpx exception -> our error, without its text (it may quote the request)."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return SourceTimeout(f"{what} did not answer within {seconds:.1f} s.{after}")
    if isinstance(exc, httpx.RemoteProtocolError):
        return Unavailable(f"{what} is temporarily unavailable: the connection to {_host(url)} dropped "
                           f"mid-answer.{after}")
    if isinstance(exc, httpx.ConnectError):
        return Unavailable(f"{what} is temporarily unavailable: cannot connect to {_host(url)}.{after}")
    return Unavailable(f"{what} is temporarily unavailable: network error "
                       f"({type(exc).__name__}).{after}")


def keyring_availability(ctx: FetchContext) -> Availability:
    """OAuth with a login Codex keeps outside auth.json: only by the user's choice, never in the background."""
    from codexbar_core.sources import keyring_login, login_store

    if ctx.login.uses == login_store.USES_MEMORY:
        return Availability(False, "Codex keeps its login only in memory")
    if not keyring_login.enabled(ctx.settings):
        return Availability(False, "Codex keeps its login in the system keyring; the Codex CLI reads it "
                                   "(no keychain prompt for codexbar)")
    if ctx.background:
        return Availability(False, "Codex's keychain login is read directly only on a refresh you ask for")
    return Availability(True, "Codex's login read directly from the system keyring")


class OAuthSource:
    id = "oauth"
    label = "oauth"

    def availability(self, ctx: FetchContext) -> Availability:
        store = ctx.login
        if store is None or store.file_in_use:
            # Always worth a try: a missing or stale auth.json is reported by `fetch` with what to do.
            return Availability(True, "Codex sign-in tokens from auth.json")
        return keyring_availability(ctx)

    def fetch(self, ctx: FetchContext) -> UsageSnapshot:
        store = ctx.login
        if store is not None and not store.file_in_use:
            from codexbar_core.sources import keyring_login

            auth = keyring_login.read_entry(store, ctx.env)
            if authfile.expires_soon(auth, ctx.now()):
                raise keyring_login.expired_error(store)  # the CLI renews and stores it, never codexbar
            return self._fetch_with(ctx, auth)
        return self._fetch_with(ctx, self._file_login(ctx))

    def _file_login(self, ctx: FetchContext) -> authfile.AuthFile:
        auth = authfile.read_auth(ctx.codex_home)
        if authfile.needs_refresh(auth, ctx.now()):
            if paths.find_codex_binary(ctx.env) is None:
                auth = self._refresh(ctx, auth)
            elif authfile.expires_soon(auth, ctx.now()):
                # The CLI owns the refresh token: let it renew (docs/reference/usage-sources.md,
                # "OAuth: token refresh"). It renews only tokens that expire (measured with 0.169.0),
                # so an old but valid token is simply used below.
                raise authfile.stale_error()
        return auth

    def _fetch_with(self, ctx: FetchContext, auth: authfile.AuthFile) -> UsageSnapshot:
        base = base_url(ctx.codex_home)
        # Reset credits do not depend on the usage answer: ask for them at the same time.
        reset_job = Job(lambda: fetch_reset_credits(ctx, auth, base))
        client = _Client(ctx, auth)
        try:
            body = client.usage(usage_url(base))
            snapshot = wham.decode_body(body, source=self.label, now=ctx.now())
            self._fill_identity(snapshot, auth)
            self._enrich(ctx, client, base, body, snapshot, reset_job)
        finally:
            client.close()
        return wham.require_something(snapshot)

    # -- steps ------------------------------------------------------------------------------------
    def _refresh(self, ctx: FetchContext, auth: authfile.AuthFile) -> authfile.AuthFile:
        deadline = time.monotonic() + ctx.timeout(REFRESH_TIMEOUT)
        return authfile.refresh(auth, env=ctx.env, now=ctx.now, deadline=deadline,
                                post=lambda url, body, timeout: _post_token(ctx, url, body, timeout))

    @staticmethod
    def _fill_identity(snapshot: UsageSnapshot, auth: authfile.AuthFile) -> None:
        ident = snapshot.identity
        ident.email = auth.email() or ident.email
        ident.plan = ident.plan or auth.plan()
        ident.account_id = auth.account_id or ident.account_id
        ident.login_method = "chatgpt"

    @staticmethod
    def _enrich(ctx: FetchContext, client: _Client, base: str, body: Any, snapshot: UsageSnapshot,
                reset_job: Job) -> None:
        """Reset credits and the workspace monthly limit (docs/reference/usage-sources.md, "Credit limits and reset credits"): short, optional, failures ignored."""
        available, next_expiry = 0, None
        if reset_job.wait(min(ENRICH_TIMEOUT, ctx.remaining() - ENRICH_MIN_LEFT)):
            try:
                available, next_expiry = reset_job.outcome()
            except Exception:  # an optional extra is never a reason to fail the fetch
                pass
        if not available:
            available = wham.usage_reset_credit_count(body)  # the count alone, when the list did not come
        if available:
            credits = snapshot.credits or Credits()
            credits.reset_credits_available = available
            credits.reset_credits_next_expiry = next_expiry
            snapshot.credits = credits
        plan = (snapshot.identity.plan or "").lower()
        wants_workspace_limit = (
            isinstance(body, dict) and ("spend_control" in body or "spendControl" in body)
            and (snapshot.credits is None or snapshot.credits.limit is None)
            and plan not in PERSONAL_PLANS and snapshot.identity.account_id
        )
        if wants_workspace_limit:
            account = urllib.parse.quote(snapshot.identity.account_id or "", safe="")
            limit = client.workspace_limit(f"{base}/accounts/{account}/spend-controls/current-user/monthly-usage")
            if limit is not None:
                credits = snapshot.credits or Credits(balance=0.0)
                credits.limit = limit
                snapshot.credits = credits


class _Client:
    """The HTTP calls of one fetch, over one connection, each bounded by the context's deadline."""

    def __init__(self, ctx: FetchContext, auth: authfile.AuthFile) -> None:
        from codexbar_core.http import make_client

        self.ctx = ctx
        self.http = make_client(timeout=USAGE_TIMEOUT, env=ctx.env, headers=auth_headers(auth))

    def close(self) -> None:
        try:
            self.http.close()
        except Exception:
            pass

    def _get(self, url: str, seconds: float, headers: dict[str, str] | None = None) -> Any:
        response = self.http.get(url, timeout=seconds, headers=headers)
        response.read()
        return response

    def usage(self, url: str) -> Any:
        what = "Codex usage API"
        seconds = self.ctx.timeout(USAGE_TIMEOUT)
        too_slow = SourceTimeout(f"{what} did not answer within {seconds:.1f} s.")
        try:
            response = within(seconds, lambda: self._get(url, seconds), too_slow)
        except CodexbarError:
            raise
        except Exception as exc:
            raise transport_error(exc, what, url, seconds) from None
        return usage_answer(response.status_code, response.headers.get("content-type", ""), response.content)

    def workspace_limit(self, url: str) -> Any:
        seconds = min(ENRICH_TIMEOUT, self.ctx.remaining() - ENRICH_MIN_LEFT)
        if seconds <= 0.1:
            return None
        try:
            response = within(seconds, lambda: self._get(url, seconds), SourceTimeout("slow"))
            if response.status_code != 200:
                return None
            return workspace_credit_limit(json.loads(response.content))
        except Exception:
            return None


def fetch_reset_credits(ctx: FetchContext, auth: authfile.AuthFile, base: str) -> tuple[int, dt.datetime | None]:
    """`GET wham/rate-limit-reset-credits` on its own connection (it runs beside the usage call)."""
    from codexbar_core.http import make_client

    headers = dict(auth_headers(auth), **{"OpenAI-Beta": "codex-1", "originator": "Codex Desktop"})
    with make_client(timeout=ENRICH_TIMEOUT, env=ctx.env, headers=headers) as http:
        response = http.get(wham.reset_credits_url(base))
    if response.status_code != 200:
        return 0, None
    return available_reset_credits(json.loads(response.content), ctx.now())


def usage_answer(status: int, content_type: str, content: bytes) -> Any:
    """Status and body of `wham/usage` -> parsed JSON, or the error the user should see."""
    if status in (401, 403):
        raise AuthError(f"Codex OAuth token expired or invalid (HTTP {status}). "
                        "Run `codex login` to sign in again.")
    if status == 429:
        raise RateLimited("Codex usage API is rate limiting requests (HTTP 429). Try again in a few minutes.")
    if status >= 500:
        raise Unavailable(f"Codex usage is temporarily unavailable (HTTP {status}). Try refreshing.")
    if not 200 <= status < 300:
        raise InvalidResponse(f"Codex usage API answered HTTP {status}. "
                              "Check `chatgpt_base_url` in the Codex config.toml.")
    text = content.strip()
    if not text:
        raise InvalidResponse(f"{wham.INVALID_MESSAGE} The answer was empty.")
    if text[:1] == b"<" or "html" in content_type.lower():
        raise InvalidResponse(f"{wham.INVALID_MESSAGE} It sent a web page instead of data "
                              "(a proxy or a login page?).")
    try:
        return json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidResponse(f"{wham.INVALID_MESSAGE} The JSON was incomplete or malformed.") from None


def available_reset_credits(body: Any, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """(how many reset credits are usable now, the soonest expiry): see `wham.decode_reset_credits`."""
    return wham.decode_reset_credits(body, now)


NO_LIMIT_MODES = frozenset({"none", "off", "disabled", "no_limit"})


def workspace_credit_limit(body: Any) -> Any:
    """spend-controls monthly usage -> CreditLimit, or None when there is no enforced limit."""
    from codexbar_core.model import CreditLimit

    if not isinstance(body, dict):
        return None
    limit_obj = body.get("effective_monthly_limit")
    if not isinstance(limit_obj, dict):
        return None
    limit = wham.number(limit_obj.get("limit"))
    mode = str(limit_obj.get("enforcement_mode") or "").strip().lower()
    if limit is None or limit <= 0 or mode in NO_LIMIT_MODES:
        return None
    used = max(0.0, wham.number(body.get("current_month_usage")) or 0.0)
    return CreditLimit(limit=limit, used=used, remaining=max(0.0, limit - used),
                       remaining_percent=wham.clamp_percent(100 - used / limit * 100))


def _post_token(ctx: FetchContext, url: str, body: dict[str, Any], seconds: float) -> tuple[int, Any]:
    """POST the refresh request; transport failures become errors that say to `codex login`."""
    from codexbar_core.http import make_client

    what = "The sign-in server"
    after = " The Codex sign-in was not renewed; run `codex login` if this persists."

    def call() -> tuple[int, Any]:
        with make_client(timeout=seconds, env=ctx.env) as client:
            response = client.post(url, json=body)
            try:
                answer = response.json()
            except ValueError:
                answer = None
            return response.status_code, answer

    try:
        return within(seconds, call, SourceTimeout(f"{what} did not answer within {seconds:.1f} s.{after}"))
    except CodexbarError:
        raise
    except Exception as exc:
        raise transport_error(exc, what, url, seconds, after) from None
