"""Source order, fallback rules, provenance, stale fallback and web extras (docs/reference/usage-sources.md, "Which failures fall through"), with stand-in sources."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from codexbar_core import errors
from codexbar_core.cache import Store
from codexbar_core.model import Credits, Identity, RateWindow, UsageSnapshot, WebExtras
from codexbar_core.pipeline import Home, fetch_usage
from codexbar_core.settings import Settings
from codexbar_core.sources.registry import chain_for
from tests.rig.stand_in import StandIn


def snap(source: str, used: float = 10, email: str = "me@example.com") -> UsageSnapshot:
    return UsageSnapshot(source=source, primary=RateWindow(used, 10080), secondary=RateWindow(used + 1, 300),
                         identity=Identity(email=email, plan="pro"))


# The last fallback (a home without session logs): fails, and must not hide why the live sources failed.
NO_LOGS = StandIn("logs", errors.NoRateLimits("No Codex turn with rate limits in the recent session logs."))


def run(sources: dict[str, StandIn], tmp_path: Path, requested: str = "auto", menu: bool = True,
        settings: Settings | None = None, store: Store | None = None, use_cache: bool = True):
    return fetch_usage(Home("default", tmp_path / "home"), requested=requested, chosen_by="default", menu=menu,
                       deadline=time.monotonic() + 5, store=store, settings=settings, env={},
                       loader=lambda sid: sources.get(sid) or NO_LOGS, use_cache=use_cache)


def test_menu_prefers_oauth_and_cli_prefers_web():
    assert chain_for("auto", menu=True, cookies_enabled=True) == ["oauth", "cli", "pty", "logs"]
    assert chain_for("auto", menu=False, cookies_enabled=True) == ["web", "cli", "pty", "logs"]
    assert chain_for("auto", menu=False, cookies_enabled=False) == ["cli", "pty", "logs"]


def test_windows_are_normalised_once_in_the_pipeline(tmp_path):
    result = run({"oauth": StandIn("oauth", snap("oauth"))}, tmp_path)
    assert result.snapshot.primary.window_minutes == 300  # (weekly, session) swapped
    assert result.trace.attempts[0].outcome == "ok"


def test_login_problems_fall_through_to_the_cli(tmp_path):
    sources = {"oauth": StandIn("oauth", errors.AuthError("expired")), "cli": StandIn("cli", snap("codex-cli")),
               "pty": StandIn("pty", snap("codex-pty"))}
    result = run(sources, tmp_path)
    assert result.source_label == "codex-cli"
    assert [(a.source, a.outcome) for a in result.trace.attempts] == [("oauth", "failed"), ("cli", "ok")]
    assert sources["pty"].calls == 0


def test_a_server_error_does_not_spawn_the_cli(tmp_path):
    sources = {"oauth": StandIn("oauth", errors.Unavailable("HTTP 503")), "cli": StandIn("cli", snap("codex-cli")),
               "pty": StandIn("pty", snap("codex-pty"))}
    result = run(sources, tmp_path)
    assert sources["cli"].calls == 0 and sources["pty"].calls == 0
    assert result.snapshot is None
    assert result.error == {"kind": "unavailable", "message": "HTTP 503"}
    assert [a.outcome for a in result.trace.attempts] == ["failed", "skipped", "skipped", "failed"]


def test_pty_only_after_an_rpc_failure_it_can_get_around(tmp_path):
    sources = {"oauth": StandIn("oauth", usable=False, reason="no auth.json"),
               "cli": StandIn("cli", errors.InvalidResponse("garbage from app-server")),
               "pty": StandIn("pty", snap("codex-pty"))}
    assert run(sources, tmp_path).source_label == "codex-pty"
    sources["cli"].result = errors.NotSignedIn("not signed in")
    result = run(sources, tmp_path, use_cache=False)
    assert result.snapshot is None and result.error["kind"] == "not_signed_in"


def test_unusable_sources_are_skipped_with_their_reason(tmp_path):
    sources = {"oauth": StandIn("oauth", usable=False, reason="Not signed in to Codex: run `codex login`."),
               "cli": StandIn("cli", usable=False, reason="Codex CLI not found."),
               "pty": StandIn("pty", usable=False, reason="Codex CLI not found.")}
    result = run(sources, tmp_path)
    assert result.snapshot is None
    assert "codex login" in result.error["message"]
    assert [a.outcome for a in result.trace.attempts] == ["skipped", "skipped", "skipped", "failed"]


def test_failed_refresh_serves_the_last_good_snapshot_marked_stale(tmp_path):
    store = Store(tmp_path / "cache")
    sources = {"oauth": StandIn("oauth", snap("oauth", used=33))}
    assert not run(sources, tmp_path, store=store).stale
    sources["oauth"].result = errors.Unavailable("HTTP 500")
    result = run(sources, tmp_path, store=store, use_cache=False)
    assert result.stale and result.snapshot.secondary.used_percent == 33
    assert result.error["kind"] == "unavailable"


def test_a_fresh_result_is_reused_without_asking_again(tmp_path):
    store = Store(tmp_path / "cache")
    sources = {"oauth": StandIn("oauth", snap("oauth"))}
    run(sources, tmp_path, store=store)
    run(sources, tmp_path, store=store)
    assert sources["oauth"].calls == 1


def test_web_extras_attach_and_label_the_source(tmp_path):
    web = UsageSnapshot(source="openai-web", identity=Identity(email="me@example.com"),
                        credits=Credits(balance=50.0), web=WebExtras(email="me@example.com",
                                                                     code_review_left_percent=42))
    primary = snap("oauth")
    sources = {"oauth": StandIn("oauth", primary), "web": StandIn("web", web)}
    result = run(sources, tmp_path, settings=Settings({"cookie_mode": "auto"}))
    assert result.source_label == "oauth + openai-web"
    assert result.snapshot.web.code_review_left_percent == 42
    assert result.snapshot.credits.balance == 50.0  # primary had none


@pytest.mark.parametrize("primary_credits,expected", [(Credits(balance=7.0), 7.0), (None, 50.0)])
def test_web_credits_only_fill_a_gap(tmp_path, primary_credits, expected):
    primary = snap("oauth")
    primary.credits = primary_credits
    web = UsageSnapshot(source="openai-web", credits=Credits(balance=50.0), web=WebExtras())
    result = run({"oauth": StandIn("oauth", primary), "web": StandIn("web", web)}, tmp_path,
                 settings=Settings({"cookie_mode": "manual"}))
    assert result.snapshot.credits.balance == expected


def test_a_web_failure_never_hides_the_primary(tmp_path):
    sources = {"oauth": StandIn("oauth", snap("oauth")),
               "web": StandIn("web", errors.AccountMismatch("dashboard is other@example.com"))}
    result = run(sources, tmp_path, settings=Settings({"cookie_mode": "auto"}))
    assert result.source_label == "oauth"
    assert any(a.source == "web" and a.outcome == "failed" for a in result.trace.attempts)


def test_a_missing_cli_does_not_hide_why_oauth_failed(tmp_path):
    sources = {"oauth": StandIn("oauth", errors.MissingCredentials("Codex auth.json not found. Run `codex login`.")),
               "cli": StandIn("cli", errors.MissingBinary("Codex CLI missing. Install via npm i -g @openai/codex")),
               "pty": StandIn("pty", snap("codex-pty"))}
    result = run(sources, tmp_path)
    assert result.snapshot is None
    assert "codex login" in result.error["message"]
    assert [(a.source, a.outcome) for a in result.trace.attempts] == [
        ("oauth", "failed"), ("cli", "failed"), ("pty", "skipped"), ("logs", "failed")]
    assert "not tried: cli is not installed" in result.trace.attempts[2].reason
