"""The OpenAI web dashboard source: the user's chatgpt.com session, matched to their Codex account.

With the session cookies, ask the JSON endpoints the dashboard itself uses
(`/backend-api/wham/usage`, `/backend-api/me`, `/api/auth/session`, `/backend-api/subscriptions`),
then read the dashboard HTML for identity (`client-bootstrap`, `__NEXT_DATA__`) and whatever usage
text it holds (docs/reference/usage-sources.md, "The web dashboard (web source)"). Data is attached
only when the dashboard's account is the Codex account; every cookie candidate gets its own HTTP
client, so no cookie jar is shared between accounts (docs/reference/usage-sources.md, "Browser
cookies and account match").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from codexbar_core import errors
from codexbar_core.model import Credits, Identity, UsageSnapshot, WebExtras
from codexbar_core.normalize import plan_display_name
from codexbar_core.sources import cookies as cookie_mod
from codexbar_core.sources import web_parse
from codexbar_core.sources.base import Availability, FetchContext

DEFAULT_BASE_URL = "https://chatgpt.com"
DASHBOARD_PATH = "/codex/cloud/settings/analytics"
USAGE_PATH = "/backend-api/wham/usage"
IDENTITY_PATHS = ("/backend-api/me", "/api/auth/session")
SUBSCRIPTIONS_PATH = "/backend-api/subscriptions"
LABEL = "openai-web"

LOGIN_MESSAGE = "OpenAI web access requires login."
CLOUDFLARE_MESSAGE = ("OpenAI dashboard data not found: chatgpt.com showed a Cloudflare check. "
                      "Open chatgpt.com in your browser once, then Refresh.")
WORKSPACE_MESSAGE = ("The OpenAI dashboard asks to select a workspace. Pick one at chatgpt.com in your browser "
                     "(or paste cookies that include `_account`), then Refresh.")
NO_BROWSER_COOKIES = ("No browser cookies found for chatgpt.com. Sign in at chatgpt.com in Safari, Chrome or "
                      "Firefox, or paste a Cookie header (menu → OpenAI cookies → Manual).")
NO_MANUAL_HEADER = ("Manual cookie mode is on, but no Cookie header is stored. Use the menu's OpenAI cookies → "
                    "Manual entry, or `codexbar cookies set`.")


def web_base_url(env: dict[str, str]) -> str:
    """The dashboard origin; session cookies only ever travel over HTTPS (plain HTTP only to loopback)."""
    from urllib.parse import urlsplit

    base = ((env.get("CODEXBAR_WEB_BASE_URL") or "").strip() or DEFAULT_BASE_URL).rstrip("/")
    parts = urlsplit(base)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback) or not parts.hostname:
        raise errors.NotConfigured("CODEXBAR_WEB_BASE_URL must be an https:// origin (cookies are not sent "
                                   "in the clear).")
    return base


@dataclass
class _Answer:
    status: int
    body: Any  # decoded JSON, or text
    location: str = ""

    @property
    def is_json(self) -> bool:
        return isinstance(self.body, (dict, list))


class _Rejected(Exception):
    """One cookie candidate did not work; `error` says why (login wall, other account...)."""

    def __init__(self, error: errors.CodexbarError, found_email: str | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.found_email = found_email


class WebSource:
    id = "web"
    label = LABEL

    def availability(self, ctx: FetchContext) -> Availability:
        mode = cookie_mod.effective_mode(ctx.settings, ctx.env)
        if mode == "off":
            return Availability(False, "OpenAI web cookies are off (menu → OpenAI cookies, or "
                                       "`codexbar cookies mode auto`).")
        return Availability(True, {"env": f"cookies from {cookie_mod.ENV_COOKIE}",
                                   "manual": "pasted cookie header",
                                   "auto": "browser cookies"}[mode])

    # -- the fetch ---------------------------------------------------------------------------
    def fetch(self, ctx: FetchContext) -> UsageSnapshot:
        from codexbar_core.secrets import SecretStore

        web_base_url(ctx.env)  # a bad origin fails before any cookie is read
        mode = cookie_mod.effective_mode(ctx.settings, ctx.env)
        secrets = SecretStore(ctx.env)
        expected = ctx.expected_email
        # No Codex account known (docs/reference/usage-sources.md, "Identity and credits precedence", last step): hold on to the dashboard account seen before.
        target = expected or cookie_mod.remembered_dashboard_email(ctx.store)
        rejected: list[tuple[cookie_mod.CookieSet, _Rejected]] = []
        notes: list[str] = []
        tried_browsers = False
        for candidate in self._candidates(mode, ctx, secrets, notes):
            tried_browsers = tried_browsers or not candidate.cached and mode == "auto"
            try:
                snapshot = self._fetch_with(candidate, ctx, target)
            except _Rejected as rej:
                rejected.append((candidate, rej))
                if candidate.cached:
                    cookie_mod.forget_import(ctx.store, secrets, expected)  # stale: import afresh next
                continue
            if mode == "auto":
                cookie_mod.save_import(ctx.store, secrets, expected, candidate,
                                       snapshot.web.email if snapshot.web else None)
                cookie_mod.note_import_attempt(ctx.store, expected, ok=True)
            return snapshot
        error = self._summarise(mode, target, rejected, ctx, secrets)
        if mode == "auto" and (tried_browsers or not rejected):
            if not cookie_mod.import_on_cooldown(ctx.store, expected):
                cookie_mod.note_import_attempt(ctx.store, expected, ok=False, message=error.message,
                                               kind=error.kind.value)
        raise error

    def _candidates(self, mode: str, ctx: FetchContext, secrets: Any,
                    notes: list[str]) -> Iterator[cookie_mod.CookieSet]:
        if mode == "env":
            try:
                yield cookie_mod.manual_set(ctx.env[cookie_mod.ENV_COOKIE], cookie_mod.ENV_COOKIE)
            except cookie_mod.CookieHeaderError as exc:
                raise errors.NotConfigured(f"{cookie_mod.ENV_COOKIE}: {exc}") from None
            return
        if mode == "manual":
            header = secrets.get(cookie_mod.MANUAL_SECRET)
            if not header:
                raise errors.NotConfigured(NO_MANUAL_HEADER)
            try:
                yield cookie_mod.manual_set(header, "manual")
            except cookie_mod.CookieHeaderError as exc:
                raise errors.NotConfigured(f"Stored cookie header: {exc}") from None
            return
        cached = cookie_mod.load_cached_import(ctx.store, secrets, ctx.expected_email)
        if cached is not None and cached.has_session():
            yield cached
        last = cookie_mod.import_on_cooldown(ctx.store, ctx.expected_email)
        if last is not None:
            return  # a browser check failed minutes ago: no new keychain prompt every 5 minutes
        yield from cookie_mod.browser_imports(ctx.env, notes)

    def _summarise(self, mode: str, target: str | None,
                   rejected: list[tuple[cookie_mod.CookieSet, _Rejected]], ctx: FetchContext,
                   secrets: Any) -> errors.CodexbarError:
        expected = ctx.expected_email
        mismatches = [(c, r) for c, r in rejected if isinstance(r.error, errors.AccountMismatch)]
        if mismatches:
            found = ", ".join(f"{c.label}={r.found_email or 'unknown'}" for c, r in mismatches)
            if expected:
                return errors.AccountMismatch(
                    f"OpenAI web session does not match Codex account ({expected}). Found: {found}.")
            return errors.AccountMismatch(
                f"OpenAI web session does not match the dashboard account used before ({target}). Found: {found}. "
                "`codexbar cookies clear` forgets it.")
        if rejected:
            first = rejected[0][1].error
            if isinstance(first, errors.LoginRequired) and first.message == LOGIN_MESSAGE:
                if mode == "auto":
                    return errors.LoginRequired("Browser cookies imported, but dashboard still requires login.")
                return errors.LoginRequired(f"{LOGIN_MESSAGE} The pasted Cookie header is signed out or expired; "
                                            "paste a fresh one (menu → OpenAI cookies → Manual).")
            return first
        if mode == "auto":
            last = cookie_mod.import_on_cooldown(ctx.store, expected)
            if last is not None and last.get("message"):
                return errors.CodexbarError(str(last["message"]), kind=str(last.get("kind") or "login_required"))
            return errors.LoginRequired(NO_BROWSER_COOKIES)
        return errors.NotConfigured(NO_MANUAL_HEADER)

    # -- one cookie candidate ----------------------------------------------------------------------
    def _fetch_with(self, cand: cookie_mod.CookieSet, ctx: FetchContext, target: str | None) -> UsageSnapshot:
        from codexbar_core.http import make_client

        base = web_base_url(ctx.env)
        headers = {"Cookie": cand.header(), "Accept": "application/json", "Accept-Language": "en-US,en;q=0.9"}
        with make_client(ctx.timeout(4), env=ctx.env, headers=headers) as client:
            usage, usage_error, usage_body = self._usage(client, base, ctx)
            if usage is None and _is_login(usage_error) and self._use_session_token(client, base, ctx):
                usage, usage_error, usage_body = self._usage(client, base, ctx)
            api_email = None
            renewal = None
            if usage is not None:
                api_email = usage.identity.email if _is_email(usage.identity.email) else None
                if api_email is None:
                    api_email = self._identity_email(client, base, ctx)
                renewal = self._renewal(client, base, ctx)
                self._workspace_limit(client, base, ctx, usage_body, usage)
            page = self._page(client, base, ctx)
        if usage is None:
            if page is None or page.state != "ok" or not page.has_usage:
                raise _Rejected(self._page_error(page, usage_error))
        email = api_email or (page.email if page is not None else None)
        self._check_account(email, target)
        return self._snapshot(usage, page, email, renewal, base)

    def _get(self, client: Any, url: str, timeout: float, accept: str = "application/json") -> _Answer:
        import httpx

        from codexbar_core.sources.oauth import within

        # httpx times each read, not the whole answer: a body sent byte by byte would pass them all.
        too_slow = errors.SourceTimeout("chatgpt.com did not answer in time.")
        try:
            response = within(timeout, lambda: client.get(url, timeout=timeout, headers={"Accept": accept}),
                              too_slow)
        except httpx.TimeoutException:
            raise errors.SourceTimeout("chatgpt.com did not answer in time.") from None
        except httpx.HTTPError as exc:
            raise errors.Unavailable(f"Could not reach chatgpt.com ({type(exc).__name__}).") from None
        finally:
            client.cookies.clear()  # never carry a Set-Cookie over to another request or account
        text = response.text
        body: Any = text
        if "json" in response.headers.get("content-type", "") or text[:1] in ("{", "["):
            try:
                body = response.json()
            except ValueError:
                body = text
        return _Answer(response.status_code, body, response.headers.get("location", ""))

    def _usage(self, client: Any, base: str, ctx: FetchContext
               ) -> tuple[UsageSnapshot | None, errors.CodexbarError | None, Any]:
        answer = self._get(client, base + USAGE_PATH, ctx.timeout(4))
        snapshot, error = self._read_usage(answer)
        return snapshot, error, answer.body

    @staticmethod
    def _read_usage(answer: _Answer) -> tuple[UsageSnapshot | None, errors.CodexbarError | None]:
        """wham/usage answer → snapshot, or why there is none (login wall, Cloudflare, 5xx...)."""
        if answer.status == 200 and isinstance(answer.body, dict):
            try:
                return _decode_wham(answer.body), None
            except errors.CodexbarError as exc:
                return None, exc
        if answer.status in (401, 403) or 300 <= answer.status < 400:
            if isinstance(answer.body, str) and web_parse.is_cloudflare(web_parse.read_html(answer.body)):
                return None, errors.LoginRequired(CLOUDFLARE_MESSAGE)
            return None, errors.LoginRequired(LOGIN_MESSAGE)
        if answer.status == 429:
            return None, errors.RateLimited("chatgpt.com answered 429 (too many requests).")
        if answer.status >= 500:
            return None, errors.Unavailable(f"chatgpt.com answered {answer.status}.")
        if answer.status == 200:
            return None, errors.InvalidResponse("The OpenAI usage endpoint did not answer with JSON.")
        return None, errors.InvalidResponse(f"The OpenAI usage endpoint answered {answer.status}.")

    def _identity_email(self, client: Any, base: str, ctx: FetchContext) -> str | None:
        for path in IDENTITY_PATHS:
            try:
                answer = self._get(client, base + path, ctx.timeout(2))
            except (errors.Unavailable, errors.SourceTimeout):
                continue
            if answer.status == 200 and answer.is_json:
                found = web_parse.bfs_email(answer.body)
                if found:
                    return found
        return None

    def _use_session_token(self, client: Any, base: str, ctx: FetchContext) -> bool:
        """The dashboard's scripts call /backend-api with the session's access token; do the same when the
        cookies alone are refused. The token stays on this one client (this candidate) and is never shown."""
        try:
            answer = self._get(client, base + "/api/auth/session", ctx.timeout(2))
        except (errors.Unavailable, errors.SourceTimeout):
            return False
        token = answer.body.get("accessToken") if answer.status == 200 and isinstance(answer.body, dict) else None
        if not isinstance(token, str) or not token.strip() or any(c in token for c in "\r\n"):
            return False
        client.headers["Authorization"] = f"Bearer {token.strip()}"
        return True

    def _workspace_limit(self, client: Any, base: str, ctx: FetchContext, body: Any,
                         usage: UsageSnapshot) -> None:
        """A workspace's monthly credit limit, same gate as the OAuth source (docs/reference/usage-sources.md, "Dashboard JSON endpoints", step 4)."""
        import urllib.parse

        from codexbar_core.sources.oauth import PERSONAL_PLANS, workspace_credit_limit

        plan = (usage.identity.plan or "").lower()
        wanted = (isinstance(body, dict) and ("spend_control" in body or "spendControl" in body)
                  and (usage.credits is None or usage.credits.limit is None)
                  and plan not in PERSONAL_PLANS and usage.identity.account_id)
        if not wanted:
            return
        account = urllib.parse.quote(usage.identity.account_id or "", safe="")
        path = f"/backend-api/accounts/{account}/spend-controls/current-user/monthly-usage"
        try:
            answer = self._get(client, base + path, ctx.timeout(2))
        except (errors.Unavailable, errors.SourceTimeout):
            return
        limit = workspace_credit_limit(answer.body) if answer.status == 200 else None
        if limit is not None:
            usage.credits = usage.credits or Credits(balance=0.0)
            usage.credits.limit = limit

    def _renewal(self, client: Any, base: str, ctx: FetchContext) -> str | None:
        try:
            answer = self._get(client, base + SUBSCRIPTIONS_PATH, ctx.timeout(2))
        except (errors.Unavailable, errors.SourceTimeout):
            return None
        return web_parse.renewal_text(answer.body) if answer.status == 200 and answer.is_json else None

    def _page(self, client: Any, base: str, ctx: FetchContext) -> web_parse.DashboardPage | None:
        try:
            answer = self._get(client, base + DASHBOARD_PATH, ctx.timeout(5), accept="text/html")
        except (errors.Unavailable, errors.SourceTimeout):
            return None
        if 300 <= answer.status < 400:
            where = answer.location.lower()
            return web_parse.DashboardPage(state="login") if ("/auth" in where or "/login" in where) else None
        if not isinstance(answer.body, str):
            return None
        page = web_parse.parse_dashboard(answer.body, now=ctx.now().astimezone(), base=base)
        if answer.status != 200 and page.state == "ok":
            return None  # an error page is not a dashboard
        return page

    @staticmethod
    def _page_error(page: web_parse.DashboardPage | None,
                    usage_error: errors.CodexbarError | None) -> errors.CodexbarError:
        state = page.state if page is not None else None
        if state == "cloudflare":
            return errors.LoginRequired(CLOUDFLARE_MESSAGE)
        if state == "workspace_picker":
            return errors.LoginRequired(WORKSPACE_MESSAGE)
        if state == "login":
            return errors.LoginRequired(LOGIN_MESSAGE)
        if usage_error is not None and not isinstance(usage_error, errors.LoginRequired):
            raise usage_error  # a transient failure: no other candidate would do better
        if usage_error is not None:
            return usage_error
        return errors.InvalidResponse("The OpenAI dashboard answered, but showed no usage data.")

    @staticmethod
    def _check_account(email: str | None, expected: str | None) -> None:
        if not expected:
            return  # no Codex account known: any signed-in session is accepted (docs/reference/usage-sources.md, "Browser cookies and account match")
        if email is None:
            raise _Rejected(errors.AccountMismatch(
                f"The OpenAI dashboard did not say which account is signed in; not using it for {expected}."))
        if email.strip().lower() != expected.strip().lower():
            raise _Rejected(errors.AccountMismatch(
                f"OpenAI web dashboard belonged to the wrong account (expected {expected}, got {email})."),
                found_email=email)

    @staticmethod
    def _snapshot(usage: UsageSnapshot | None, page: web_parse.DashboardPage | None, email: str | None,
                  renewal: str | None, base: str) -> UsageSnapshot:
        page_ok = page if page is not None and page.state == "ok" else None
        plan = (page.plan if page is not None else None) or (usage.identity.plan if usage else None)
        credits = usage.credits if usage is not None else None
        if credits is None and page_ok is not None and page_ok.credits_remaining is not None:
            credits = Credits(balance=page_ok.credits_remaining, has_credits=page_ok.credits_remaining > 0)
        extras = WebExtras(
            email=email,
            plan=plan_display_name(plan),
            code_review_left_percent=page_ok.code_review_left if page_ok else None,
            code_review_reset=page_ok.code_review_reset if page_ok else None,
            code_review_resets_at=page_ok.code_review_resets_at if page_ok else None,
            credits_remaining=credits.remaining if credits is not None else None,
            credit_history=list(page_ok.history) if page_ok else [],
            purchase_url=(page_ok.purchase_url if page_ok else None) or _default_purchase_url(base),
            renewal=renewal,
        )
        primary = usage.primary if usage is not None else None
        secondary = usage.secondary if usage is not None else None
        if primary is None and secondary is None and page_ok is not None:
            primary, secondary = page_ok.session, page_ok.weekly  # API windows win over page text
        return UsageSnapshot(
            source=LABEL,
            primary=primary,
            secondary=secondary,
            extra_windows=list(usage.extra_windows) if usage is not None else [],
            identity=Identity(email=email, plan=plan,
                              account_id=usage.identity.account_id if usage is not None else None),
            credits=credits,
            web=extras,
            partial=usage.partial if usage is not None else False,
            fetched_at=dt.datetime.now(dt.timezone.utc),
        )


def _default_purchase_url(base: str) -> str | None:
    return web_parse.USAGE_DASHBOARD_URL if base == DEFAULT_BASE_URL else None


def _is_login(error: errors.CodexbarError | None) -> bool:
    return isinstance(error, errors.LoginRequired) and error.message == LOGIN_MESSAGE


def _is_email(value: Any) -> bool:
    return isinstance(value, str) and "@" in value


def _decode_wham(body: dict[str, Any]) -> UsageSnapshot:
    """The wham/usage body → snapshot (shared decoder with the OAuth source)."""
    from codexbar_core.sources.wham import decode_usage

    return decode_usage(body, source=LABEL)
