"""Pasted Cookie headers, session detection, modes and store overrides."""

from __future__ import annotations

import pytest

from codexbar_core.commands.cookies import cookies_command
from codexbar_core.settings import Settings
from codexbar_core.sources import cookies as cm

SECRET = "sess-SECRET-header-test"


def test_header_with_prefix_and_line_breaks_is_read():
    pairs = cm.parse_cookie_header(f"Cookie: __Secure-next-auth.session-token={SECRET};\n _account=personal; a=b=c")
    assert pairs == [("__Secure-next-auth.session-token", SECRET), ("_account", "personal"), ("a", "b=c")]


def test_first_duplicate_wins():
    assert cm.parse_cookie_header("a=1; a=2; b=3") == [("a", "1"), ("b", "3")]


@pytest.mark.parametrize("text", ["", "   ", "Cookie:", "just some words", "=novalue", "bad name=1"])
def test_unusable_headers_are_refused_without_echoing_them(text):
    with pytest.raises(cm.CookieHeaderError) as info:
        cm.parse_cookie_header(text)
    if text.strip() and text.strip() != "Cookie:":
        assert text.strip() not in str(info.value)


@pytest.mark.parametrize("names, expected", [
    (["__Secure-next-auth.session-token"], True),
    (["__Secure-next-auth.session-token.0", "__Secure-next-auth.session-token.1"], True),  # chunked
    (["authjs.session-token"], True),
    (["_account"], True),
    (["oai-did", "cf_clearance", "__cf_bm"], False),
])
def test_session_detection(names, expected):
    assert cm.has_session(names) is expected


def test_cookie_values_stay_out_of_repr_and_labels():
    found = cm.manual_set(f"__Secure-next-auth.session-token={SECRET}", "manual")
    assert SECRET not in repr(found) and SECRET not in found.label
    assert found.header() == f"__Secure-next-auth.session-token={SECRET}"


def test_environment_cookie_wins_over_the_persisted_mode():
    assert cm.effective_mode(Settings({"cookie_mode": "off"}), {"CODEXBAR_OPENAI_COOKIE": "a=b"}) == "env"
    assert cm.effective_mode(Settings({"cookie_mode": "auto"}), {}) == "auto"
    assert cm.effective_mode(Settings({"cookie_mode": "bogus"}), {}) == "off"


def test_store_overrides_and_account_tags():
    env = {"CODEXBAR_COOKIE_STORES": "safari=/x/Cookies.binarycookies; Opera GX=/y/Cookies;broken"}
    assert cm.store_overrides(env) == {"safari": "/x/Cookies.binarycookies", "opera_gx": "/y/Cookies"}
    tag = cm.account_tag("Me@Example.com")
    assert tag == cm.account_tag("me@example.com") and "example" not in tag
    assert cm.account_tag(None) == "any"


def test_cookies_set_from_a_terminal_explains_how_to_paste(tmp_path, monkeypatch):
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("CODEXBAR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CODEXBAR_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CODEXBAR_KEYRING", "off")
    out = io.StringIO()
    assert cookies_command(["set"], Terminal(f"__Secure-next-auth.session-token={SECRET}\n"), out) == 0
    assert "Ctrl-D" in out.getvalue() and "pbpaste" in out.getvalue()
    assert SECRET not in out.getvalue()
