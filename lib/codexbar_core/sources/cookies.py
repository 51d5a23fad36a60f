"""chatgpt.com session cookies: the modes (off / automatic / manual), where they come from, and caching.

- Manual: a pasted `Cookie:` header (menu prompt or `codexbar cookies set`), or `CODEXBAR_OPENAI_COOKIE`
  (wins over everything, never stored).
- Automatic: browsers through browser-cookie3, one browser at a time (Safari → Chrome → Firefox → other
  Chromium forks; docs/reference/usage-sources.md, "Browser cookies and account match"), domains
  chatgpt.com and openai.com. `browser_cookie3.load()` is never used: on Linux it crashes in its Arc
  reader, and any browser's failure must only skip that browser.
- Imported cookies are cached (secret store: header; diskcache: browser, time, account) per Codex account,
  and reused before importing again, so a keychain prompt ("Chrome Safe Storage") does not come back
  on every 5-minute run. A failed import is not retried for `IMPORT_COOLDOWN_SECONDS`.

Cookie values never appear in output, logs, exceptions, reprs or cache keys.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from codexbar_core import paths
from codexbar_core import settings as settings_mod

ENV_COOKIE = "CODEXBAR_OPENAI_COOKIE"
# "safari=/path/Cookies.binarycookies;chrome=/path/Default/Cookies": read these files instead of the
# browsers' default profile locations (unusual profiles; the test suite).
ENV_STORES = "CODEXBAR_COOKIE_STORES"
DOMAINS = ("chatgpt.com", "openai.com")
SESSION_MARKERS = ("session-token", "authjs", "next-auth")
MANUAL_SECRET = "openai-cookie-header"
IMPORT_SECRET_PREFIX = "openai-cookies-imported:"
META_PREFIX = "web:cookies:"
IMPORT_COOLDOWN_SECONDS = 15 * 60

MODE_LABELS = {"off": "Off", "auto": "Automatic (browsers)", "manual": "Manual (pasted header)"}

# (display name, browser_cookie3 function). Safari first on macOS; Chrome; Firefox; other Chromium forks.
BROWSERS: tuple[tuple[str, str], ...] = (
    ("Safari", "safari"),
    ("Chrome", "chrome"),
    ("Firefox", "firefox"),
    ("Chromium", "chromium"),
    ("Brave", "brave"),
    ("Edge", "edge"),
    ("Arc", "arc"),
    ("Vivaldi", "vivaldi"),
    ("Opera", "opera"),
    ("Opera GX", "opera_gx"),
    ("LibreWolf", "librewolf"),
)


class CookieHeaderError(ValueError):
    """A pasted header that cannot be used; the message is safe to show (it quotes no values)."""


@dataclass
class CookieSet:
    """Cookies for chatgpt.com and where they came from. Values stay out of repr."""

    cookies: list[tuple[str, str]] = field(repr=False)
    origin: str  # "CODEXBAR_OPENAI_COOKIE", "manual", "Chrome", ...
    browser: str | None = None
    imported_at: float | None = None
    cached: bool = False

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self.cookies]

    def header(self) -> str:
        return "; ".join(f"{n}={v}" for n, v in self.cookies)

    def has_session(self) -> bool:
        return has_session(self.names)

    @property
    def label(self) -> str:
        if self.browser:
            return f"{self.browser} (cached)" if self.cached else self.browser
        return self.origin


def has_session(names: list[str]) -> bool:
    """A candidate "has a session" if a cookie name looks like an auth session (docs/reference/usage-sources.md, "Browser cookies and account match")."""
    for name in names:
        lowered = name.lower()
        if lowered == "_account" or any(marker in lowered for marker in SESSION_MARKERS):
            return True
    return False


def parse_cookie_header(text: str) -> list[tuple[str, str]]:
    """`Cookie: a=1; b=2` (prefix optional, may span lines) → [(name, value)]; raises CookieHeaderError."""
    raw = " ".join(text.strip().splitlines()).strip()
    if raw.lower().startswith("cookie:"):
        raw = raw[len("cookie:"):].strip()
    if not raw:
        raise CookieHeaderError("The cookie header is empty.")
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for part in raw.split(";"):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name or any(c in name for c in " \t,\"\\") or any(ord(c) < 32 for c in part):
            raise CookieHeaderError("That does not look like a Cookie header (expected `name=value; name2=value2`).")
        if name in seen:
            continue  # the first one wins, as in a browser's header (most specific path first)
        seen.add(name)
        pairs.append((name, value.strip()))
    if not pairs:
        raise CookieHeaderError("The cookie header holds no cookies.")
    return pairs


def manual_set(text: str, origin: str) -> CookieSet:
    cookies = parse_cookie_header(text)
    result = CookieSet(cookies=cookies, origin=origin)
    if not result.has_session():
        raise CookieHeaderError("Manual cookie header is missing a valid OpenAI session cookie "
                                "(__Secure-next-auth.session-token).")
    return result


# -- mode --------------------------------------------------------------------------------------

def effective_mode(settings: Any, env: dict[str, str]) -> str:
    """"env" when CODEXBAR_OPENAI_COOKIE is set, else the persisted mode ("off" | "auto" | "manual")."""
    if (env.get(ENV_COOKIE) or "").strip():
        return "env"
    if settings is None:
        settings = settings_mod.load(env)
    mode = getattr(settings, "cookie_mode", "off")
    return mode if mode in settings_mod.COOKIE_MODES else "off"


# -- cache of imported cookies, per Codex account ------------------------------------------------

def account_tag(email: str | None) -> str:
    """A cache-key-safe name for the Codex account the cookies belong to (no email in keys)."""
    if not email:
        return "any"
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:16]


def secrets_for(env: dict[str, str]) -> Any:
    from codexbar_core.secrets import SecretStore

    return SecretStore(env)


def store_for(env: dict[str, str]) -> Any:
    from codexbar_core.cache import Store

    return Store(paths.cache_dir(env))


def load_cached_import(store: Any, secrets: Any, email: str | None) -> CookieSet | None:
    tag = account_tag(email)
    meta = store.get_json(META_PREFIX + "meta:" + tag) if store is not None else None
    if not isinstance(meta, dict) or meta.get("dropped"):
        return None  # nothing usable recorded: do not touch the keyring at all
    raw = secrets.get(IMPORT_SECRET_PREFIX + tag)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        cookies = [(str(n), str(v)) for n, v in data["cookies"]]
    except (ValueError, KeyError, TypeError):
        return None
    return CookieSet(cookies=cookies, origin="cache", browser=meta.get("browser") or data.get("browser"),
                     imported_at=meta.get("importedAt"), cached=True)


def save_import(store: Any, secrets: Any, email: str | None, found: CookieSet, dashboard_email: str | None) -> None:
    """Remember cookies that worked for this account: values in the secret store, the rest in the cache."""
    tag = account_tag(email)
    imported_at = found.imported_at or time.time()
    if not found.cached:
        secrets.set(IMPORT_SECRET_PREFIX + tag, json.dumps({"cookies": found.cookies, "browser": found.browser}))
    if store is not None:
        store.set_json(META_PREFIX + "meta:" + tag, {"browser": found.browser, "importedAt": imported_at,
                                                     "email": dashboard_email, "where": secrets.where,
                                                     "cookieNames": len(found.cookies)})
        tags = store.get_json(META_PREFIX + "tags") or []
        if tag not in tags:
            store.set_json(META_PREFIX + "tags", [*tags, tag])


def remembered_dashboard_email(store: Any) -> str | None:
    """The dashboard account of the last import made while no Codex account was known."""
    meta = store.get_json(META_PREFIX + "meta:" + account_tag(None)) if store is not None else None
    email = meta.get("email") if isinstance(meta, dict) else None
    return email if isinstance(email, str) and "@" in email else None


def forget_import(store: Any, secrets: Any, email: str | None) -> None:
    """Drop cookies that stopped working; the account they belonged to stays remembered."""
    tag = account_tag(email)
    secrets.delete(IMPORT_SECRET_PREFIX + tag)
    if store is not None:
        meta = store.get_json(META_PREFIX + "meta:" + tag)
        if isinstance(meta, dict):
            store.set_json(META_PREFIX + "meta:" + tag, dict(meta, dropped=True))


def import_on_cooldown(store: Any, email: str | None, now: float | None = None) -> dict[str, Any] | None:
    """The last failed browser import for this account, if it was too recent to try again."""
    if store is None:
        return None
    last = store.get_json(META_PREFIX + "attempt:" + account_tag(email))
    if not isinstance(last, dict) or last.get("ok"):
        return None
    at = float(last.get("at") or 0)
    if (now or time.time()) - at < IMPORT_COOLDOWN_SECONDS:
        return last
    return None


def note_import_attempt(store: Any, email: str | None, ok: bool, message: str = "", kind: str = "") -> None:
    if store is not None:
        store.set_json(META_PREFIX + "attempt:" + account_tag(email),
                       {"at": time.time(), "ok": ok, "message": message, "kind": kind})


def reset_cooldowns(store: Any) -> None:
    if store is not None:
        store.delete_prefix(META_PREFIX + "attempt:")


# -- browsers ---------------------------------------------------------------------------------------

_ENV_LOCK = threading.Lock()


@contextlib.contextmanager
def _dbus_fallback() -> Iterator[None]:
    """browser-cookie3 crashes on Linux when no session bus is set (it only catches RuntimeError from
    jeepney). An unsupported transport makes jeepney raise RuntimeError, so Chromium readers fall back
    to the built-in "peanuts" key as Chromium itself does without a keyring."""
    if not sys.platform.startswith("linux"):
        yield
        return
    with _ENV_LOCK:  # reads are serialised, so one thread never removes the variable under another
        if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            yield
            return
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = "disabled:none=1"
        try:
            yield
        finally:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)


def store_overrides(env: dict[str, str]) -> dict[str, str]:
    """`CODEXBAR_COOKIE_STORES` → {browser function: cookie file}."""
    out: dict[str, str] = {}
    for part in (env.get(ENV_STORES) or "").split(";"):
        key, sep, path = part.partition("=")
        if sep and key.strip() and path.strip():
            out[key.strip().lower().replace(" ", "_")] = os.path.expanduser(path.strip())
    return out


def _expires_seconds(value: Any) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds / 1000.0 if seconds > 1e11 else seconds  # Firefox >= 136 stores milliseconds


def read_browser(func_name: str, env: dict[str, str], now: float | None = None) -> list[tuple[str, str]]:
    """chatgpt.com cookies from one browser; raises whatever the reader raises (callers skip the browser)."""
    import browser_cookie3

    reader = getattr(browser_cookie3, func_name)
    overrides = store_overrides(env)
    kwargs: dict[str, Any] = {}
    if func_name in overrides:
        kwargs["cookie_file"] = overrides[func_name]
    elif overrides:
        return []  # explicit stores given: do not wander into the real profiles
    now = now or time.time()
    found: dict[str, str] = {}
    with _dbus_fallback():
        for domain in DOMAINS:
            for cookie in reader(domain_name=domain, **kwargs):
                if "chatgpt.com" not in (cookie.domain or ""):
                    continue  # only chatgpt.com cookies go to chatgpt.com (docs/reference/usage-sources.md, "Dashboard JSON endpoints")
                expires = _expires_seconds(cookie.expires)
                if expires is not None and 0 < expires < now:
                    continue
                if cookie.name and cookie.value is not None and cookie.name not in found:
                    found[cookie.name] = cookie.value
    return list(found.items())


def browser_imports(env: dict[str, str], notes: list[str] | None = None) -> Iterator[CookieSet]:
    """One CookieSet per browser that has chatgpt.com session cookies, in the order of docs/reference/usage-sources.md, "Browser cookies and account match", lazily."""
    for name, func in BROWSERS:
        if func == "safari" and sys.platform != "darwin" and "safari" not in store_overrides(env):
            continue
        if func == "arc" and sys.platform != "darwin":
            continue
        try:
            cookies = read_browser(func, env)
        except Exception as exc:  # no such browser, locked store, keychain denied, D-Bus quirks...
            if notes is not None:
                notes.append(f"{name}: {type(exc).__name__}")
            continue
        found = CookieSet(cookies=cookies, origin=name, browser=name, imported_at=time.time())
        if cookies and found.has_session():
            yield found
        elif notes is not None and cookies:
            notes.append(f"{name}: no session cookie")
