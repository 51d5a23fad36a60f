"""Automatic mode with real browser cookie stores read through browser-cookie3 (how they are made: README.md).

Chromium: a profile written by real headless Chromium (skipped only where /usr/bin/chromium is absent), and
the same format written without a browser. Firefox: cookies.sqlite with Firefox 153's schema. Safari:
Cookies.binarycookies in Safari's binary format. The fake chatgpt.com knows which session belongs to whom.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from codexbar_core import errors
from codexbar_core.sources import cookies as cookie_mod
from codexbar_core.sources.web import NO_BROWSER_COOKIES, WebSource
from tests.web import stores
from tests.web.fake_chatgpt import SESSION_VALUE

needs_chromium = pytest.mark.skipif(stores.chromium_binary() is None, reason="/usr/bin/chromium is not installed")


@pytest.fixture(scope="module")
def real_chromium_profile(tmp_path_factory) -> Path:
    """One profile per module written by real Chromium (about a second); tests copy it into their HOME."""
    if stores.chromium_binary() is None:
        pytest.skip("/usr/bin/chromium is not installed")
    user_data = tmp_path_factory.mktemp("chromium") / "chromium"
    stores.chromium_profile(user_data, stores.session_cookies(SESSION_VALUE))
    return user_data


@pytest.fixture
def auto_env(web_env, monkeypatch) -> dict[str, str]:
    """Automatic mode reading the browsers' default places under a throw-away HOME, with no session bus."""
    monkeypatch.setenv("HOME", web_env["HOME"])
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    env = dict(web_env)
    env.pop("CODEXBAR_COOKIE_STORES")
    return env


def auto_ctx(make_ctx, env, **kw):
    ctx = make_ctx(mode="auto", **kw)
    ctx.env = dict(env)
    return ctx


def home(env) -> Path:
    return Path(env["HOME"])


@needs_chromium
def test_real_chromium_store_is_read_without_a_session_bus(real_chromium_profile, auto_env):
    shutil.copytree(real_chromium_profile, home(auto_env) / ".config" / "chromium")
    found = dict(cookie_mod.read_browser("chromium", auto_env))
    assert found["__Secure-next-auth.session-token"] == SESSION_VALUE
    assert found["_account"] == "personal"
    assert "__cf_bm" not in found  # openai.com cookies are not sent to chatgpt.com
    assert "DBUS_SESSION_BUS_ADDRESS" not in os.environ  # the D-Bus workaround cleaned up after itself


@needs_chromium
def test_automatic_mode_uses_real_chromium_cookies_then_the_cache(real_chromium_profile, auto_env, make_ctx,
                                                                  chatgpt, monkeypatch):
    shutil.copytree(real_chromium_profile, home(auto_env) / ".config" / "chromium")
    first = WebSource().fetch(auto_ctx(make_ctx, auto_env))
    assert first.identity.email == "tester@example.com" and first.primary.used_percent == 12
    sent = chatgpt.backend.requests_to("/backend-api/wham/usage")[-1]["headers"]["cookie"]
    assert SESSION_VALUE in sent and "openai-side-cookie" not in sent

    def no_browser(*a, **k):
        raise AssertionError("browsers must not be read again while cached cookies work")

    monkeypatch.setattr(cookie_mod, "read_browser", no_browser)
    second = WebSource().fetch(auto_ctx(make_ctx, auto_env))
    assert second.primary.used_percent == 12


def test_synthetic_chromium_store_reads_the_same(auto_env, make_ctx, chatgpt):
    stores.write_chromium_cookies(home(auto_env) / ".config" / "chromium" / "Default" / "Cookies",
                                  stores.session_cookies(SESSION_VALUE))
    snap = WebSource().fetch(auto_ctx(make_ctx, auto_env))
    assert snap.secondary.used_percent == 34


def test_firefox_store_with_millisecond_expiry(auto_env, make_ctx, chatgpt):
    cookies = stores.session_cookies(SESSION_VALUE, domain="chatgpt.com")
    cookies.append(stores.Cookie("chatgpt.com", "stale", "old", expires=1_000_000_000))  # expired in 2001
    stores.write_firefox_profile(home(auto_env), cookies)
    found = dict(cookie_mod.read_browser("firefox", auto_env))
    assert found["__Secure-next-auth.session-token"] == SESSION_VALUE
    assert "stale" not in found
    snap = WebSource().fetch(auto_ctx(make_ctx, auto_env))
    assert snap.identity.email == "tester@example.com"


def test_safari_binarycookies(web_env, make_ctx, chatgpt, tmp_path):
    path = stores.write_binarycookies(tmp_path / "Cookies.binarycookies", stores.session_cookies(SESSION_VALUE))
    ctx = make_ctx(mode="auto", CODEXBAR_COOKIE_STORES=f"safari={path}")
    assert dict(cookie_mod.read_browser("safari", ctx.env))["_account"] == "personal"
    snap = WebSource().fetch(ctx)
    assert snap.web.email == "tester@example.com"


def test_other_accounts_are_skipped_and_named_when_none_match(auto_env, make_ctx, chatgpt, tmp_path):
    chatgpt.sessions = {"sess-safari": "safari.user@example.org", "sess-firefox": "fox@example.net"}
    safari = stores.write_binarycookies(tmp_path / "Cookies.binarycookies", stores.session_cookies("sess-safari"))
    stores.write_firefox_profile(home(auto_env), stores.session_cookies("sess-firefox"))
    firefox = home(auto_env) / ".mozilla/firefox/t1.default-release/cookies.sqlite"
    stores_env = f"safari={safari};firefox={firefox}"
    with pytest.raises(errors.AccountMismatch) as info:
        WebSource().fetch(auto_ctx(make_ctx, dict(auto_env, CODEXBAR_COOKIE_STORES=stores_env)))
    assert info.value.message == ("OpenAI web session does not match Codex account (tester@example.com). "
                                  "Found: Safari=safari.user@example.org, Firefox=fox@example.net.")
    # a matching session further down the order is found and used
    chromium = stores.write_chromium_cookies(tmp_path / "Cookies", stores.session_cookies(SESSION_VALUE))
    env = dict(auto_env, CODEXBAR_COOKIE_STORES=f"{stores_env};chromium={chromium}")
    cookie_mod.reset_cooldowns(make_ctx().store)
    snap = WebSource().fetch(auto_ctx(make_ctx, env))
    assert snap.identity.email == "tester@example.com"


def test_a_crashing_browser_reader_only_skips_that_browser(auto_env, make_ctx, chatgpt, monkeypatch):
    import browser_cookie3

    def dbus_trap(**kwargs):
        raise KeyError("DBUS_SESSION_BUS_ADDRESS")  # what browser-cookie3 0.20.1 does without a bus

    monkeypatch.setattr(browser_cookie3, "chrome", dbus_trap)
    stores.write_firefox_profile(home(auto_env), stores.session_cookies(SESSION_VALUE))
    assert WebSource().fetch(auto_ctx(make_ctx, auto_env)).primary.used_percent == 12


def test_no_browser_cookies_then_no_new_import_until_the_cooldown_ends(auto_env, make_ctx, chatgpt, monkeypatch):
    calls: list[str] = []
    real = cookie_mod.read_browser

    def counting(func, env, now=None):
        calls.append(func)
        return real(func, env, now)

    monkeypatch.setattr(cookie_mod, "read_browser", counting)
    ctx = auto_ctx(make_ctx, auto_env)
    with pytest.raises(errors.LoginRequired) as info:
        WebSource().fetch(ctx)
    assert info.value.message == NO_BROWSER_COOKIES
    assert "chrome" in calls and "firefox" in calls
    calls.clear()
    with pytest.raises(errors.CodexbarError) as again:
        WebSource().fetch(auto_ctx(make_ctx, auto_env))
    assert (again.value.kind, again.value.message) == ("login_required", NO_BROWSER_COOKIES)
    assert calls == []  # no keychain prompt on every 5-minute run
    cookie_mod.reset_cooldowns(ctx.store)  # what `codexbar cookies mode auto` does
    stores.write_firefox_profile(home(auto_env), stores.session_cookies(SESSION_VALUE))
    assert WebSource().fetch(auto_ctx(make_ctx, auto_env)).primary.used_percent == 12


def test_expired_cached_cookies_are_dropped_and_browsers_read_again(auto_env, make_ctx, chatgpt):
    stores.write_firefox_profile(home(auto_env), stores.session_cookies(SESSION_VALUE))
    WebSource().fetch(auto_ctx(make_ctx, auto_env))
    chatgpt.session_value = "sess-rotated"  # the browser signed in again; the cached cookie is dead
    stores.write_firefox_profile(home(auto_env), stores.session_cookies("sess-rotated"), profile="t2.new")
    shutil.rmtree(home(auto_env) / ".mozilla/firefox/t1.default-release")
    snap = WebSource().fetch(auto_ctx(make_ctx, auto_env))
    assert snap.primary.used_percent == 12
    sent = chatgpt.backend.requests_to("/backend-api/wham/usage")[-1]["headers"]["cookie"]
    assert "sess-rotated" in sent


def test_imported_cookie_values_live_only_in_the_owner_only_secret_file(auto_env, make_ctx, chatgpt):
    stores.write_firefox_profile(home(auto_env), stores.session_cookies(SESSION_VALUE))
    WebSource().fetch(auto_ctx(make_ctx, auto_env))
    cache = Path(auto_env["CODEXBAR_CACHE_DIR"])
    secret_file = cache / "secrets.json"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert SESSION_VALUE in secret_file.read_text()
    for path in cache.rglob("*"):
        if path.is_file() and path != secret_file:
            assert SESSION_VALUE.encode() not in path.read_bytes(), path


def test_without_a_codex_account_the_first_dashboard_account_is_kept(auto_env, make_ctx, chatgpt):
    stores.write_firefox_profile(home(auto_env), stores.session_cookies(SESSION_VALUE))
    first = WebSource().fetch(auto_ctx(make_ctx, auto_env, expected=None))
    assert first.identity.email == "tester@example.com"
    # the browser now holds another person's session and the cached one has expired
    chatgpt.session_value = "sess-gone"
    chatgpt.sessions = {"sess-intruder": "intruder@example.org"}
    stores.write_firefox_profile(home(auto_env), stores.session_cookies("sess-intruder"), profile="t2.other")
    with pytest.raises(errors.AccountMismatch) as info:
        WebSource().fetch(auto_ctx(make_ctx, auto_env, expected=None))
    assert "tester@example.com" in info.value.message and "Firefox=intruder@example.org" in info.value.message
    assert "codexbar cookies clear" in info.value.message
    with pytest.raises(errors.AccountMismatch):  # still held on the next run, after the cooldown too
        cookie_mod.reset_cooldowns(make_ctx().store)
        WebSource().fetch(auto_ctx(make_ctx, auto_env, expected=None))
