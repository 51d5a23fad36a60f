"""A hostile `codex` binary behind the CLI source (app-server JSON-RPC) and the /status TUI source.

The fake `codex` is a small script whose behaviour is switched between runs; each case shows good
numbers first, then the binary misbehaves: the menu must stay whole, inside the budget, exit 0, the
last good numbers kept and marked stale, and no child process left behind.
"""

from __future__ import annotations

import pytest

from tests.rig.codex_home import make_codex_home
from tests.rig.fake_codex import make_fake_codex, read_pids
from tests.rig.menu_checks import STALE_MARK, drop_cache, menu, set_source
from tests.rig.procs import wait_gone

pytestmark = pytest.mark.faults

FAULTS = ["missing", "not-executable", "exits-at-once", "prints-garbage", "floods-stdout", "hangs-before-initialize",
          "hangs-after-initialize", "leaves-a-child-holding-stdout"]
MODES = {"exits-at-once": "exit", "prints-garbage": "garbage", "floods-stdout": "flood",
         "leaves-a-child-holding-stdout": "orphan",
         "hangs-before-initialize": "hang_before_init", "hangs-after-initialize": "hang_after_init"}


def _primed(scratch, env_for, **extra: str):
    fake_dir = scratch / "bin"
    codex = make_fake_codex(fake_dir, "good")
    (fake_dir / "used").write_text("23")
    env = env_for(make_codex_home(scratch / "home", None), CODEX_CLI_PATH=str(codex), **extra)
    set_source(env, "cli")
    first = menu(env)
    assert "Session: 77% left" in first, first
    return env, fake_dir, codex


@pytest.mark.parametrize("fault", FAULTS)
def test_a_misbehaving_codex_keeps_the_last_good_numbers(fault, scratch, env_for):
    # SWIFTBAR=1: a scheduled run, as the 5-minute timer makes them (the /status TUI is not tried)
    env, fake_dir, codex = _primed(scratch, env_for, SWIFTBAR="1")
    if fault == "missing":
        env["CODEX_CLI_PATH"] = str(scratch / "gone" / "codex")
    elif fault == "not-executable":
        codex.chmod(0o644)
    else:
        (fake_dir / "mode").write_text(MODES[fault])
    drop_cache(env)
    out = menu(env)
    assert "Session: 77% left" in out, out
    assert STALE_MARK in out, out
    assert not wait_gone(read_pids(fake_dir)), "a codex child outlived the plugin"


def test_the_tui_stuck_on_a_prompt_cannot_hold_a_manual_refresh(scratch, env_for):
    # A click (manual refresh) is the only run that may read /status in the TUI; the app-server
    # answers garbage, so the pipeline falls back to the TUI, which sits on a question forever.
    env, fake_dir, _codex = _primed(scratch, env_for, SWIFTBAR="1", SWIFTBAR_PLUGIN_REFRESH_REASON="MenuAction")
    (fake_dir / "mode").write_text("tui_prompt")
    drop_cache(env)
    out = menu(env)
    assert "Session: 77% left" in out and STALE_MARK in out, out
    assert read_pids(fake_dir, "tui"), "the TUI path was not reached"
    assert not wait_gone(read_pids(fake_dir)), "the stuck TUI outlived the plugin"


def test_every_source_failing_slowly_at_once_still_fits_the_budget(scratch, env_for, backend, local_tls):
    # A click (so even the TUI may be tried): OAuth is refused (falls through to the CLI), the app-server
    # never answers `initialize`... then answers garbage, the TUI sits on a question, chatgpt.com hangs.
    from tests.rig.fake_backend import FakeBackend, Reply

    backend.set_usage(Reply(status=401, body={"detail": "expired"}, delay=1.0))
    codex = make_fake_codex(scratch / "bin", "tui_prompt")
    with FakeBackend(tls=local_tls.server_context) as dashboard:
        dashboard.set_usage(Reply(hang=True))
        env = env_for(make_codex_home(scratch / "home", backend.url), CODEX_CLI_PATH=str(codex), SWIFTBAR="1",
                      SWIFTBAR_PLUGIN_REFRESH_REASON="MenuAction", CODEXBAR_WEB_BASE_URL=dashboard.url,
                      CODEXBAR_KEYRING="off", CODEXBAR_COOKIE_STORES="none=/nonexistent",
                      CODEXBAR_OPENAI_COOKIE="__Secure-next-auth.session-token=planted-session")
        out = menu(env)  # whole, exit 0, inside the hard limit
    assert "Cost (local sessions)" in out
    assert backend.requests_to("/wham/usage") and read_pids(scratch / "bin"), "the sources were not all tried"
    assert not wait_gone(read_pids(scratch / "bin")), "a codex child outlived the plugin"
