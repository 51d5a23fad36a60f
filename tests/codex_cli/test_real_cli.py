"""The real codex 0.169.0 against the fake ChatGPT backend (TLS, loopback only): `codexbar usage --json
--source cli` (app-server JSON-RPC) and `--source pty` (/status in a pseudo-terminal) report the numbers
the backend served. After every run no codex process and no temp folder of ours is left."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

import pytest

from codexbar_core import errors
from codexbar_core.sources.base import FetchContext
from codexbar_core.sources.pty import PtySource
from codexbar_core.sources.rpc import RpcSource
from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import ACCOUNT_ID, Reply, accounts_check_body, usage_body
from tests.rig.procs import using_env
from tests.rig.runner import run_json

pytestmark = pytest.mark.realcli
SOURCES = ["cli", "pty"]
LABEL = {"cli": "codex-cli", "pty": "codex-pty"}


def processes_using(codex_home: Path) -> list[int]:
    """Live processes whose environment names this CODEX_HOME (the real CLI and anything it started)."""
    return using_env("CODEX_HOME", str(codex_home))


def assert_nothing_left(home: Path, tmpdir: Path) -> None:
    assert processes_using(home) == []
    assert list(tmpdir.iterdir()) == []


@pytest.fixture
def run(scratch: Path, env_for, codex_bin: Path, backend):
    """run(source, login=..., tz=..., **auth) -> the one `codexbar usage --json` object, leftovers checked."""

    def go(source: str, *, login: str = "chatgpt", provider: str | None = None, tz: str = "UTC",
           extra_env: dict[str, str] | None = None, **auth: Any) -> dict[str, Any]:
        home = make_codex_home(scratch / f"home-{source}-{login}", backend.url, login=login, provider=provider,
                               **auth)
        tmpdir = scratch / "tmp"
        tmpdir.mkdir(exist_ok=True)
        env = env_for(home, CODEX_CLI_PATH=str(codex_bin), TMPDIR=str(tmpdir), TZ=tz, **(extra_env or {}))
        out = run_json(["usage", "--json", "--source", source], env)
        assert len(out) == 1
        assert_nothing_left(home, tmpdir)
        # reading usage must not create sessions the local cost scan would count
        assert list(home.glob("sessions/**/*.jsonl")) == []
        return out[0]

    return go


def reset_of(body: dict, lane: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(body["rate_limit"][lane]["reset_at"], dt.timezone.utc)


def assert_reset(got: str, want: dt.datetime, source: str) -> None:
    when = dt.datetime.fromisoformat(got.replace("Z", "+00:00"))
    if source == "cli":
        assert when == want
    else:  # the TUI prints hours and minutes in its local zone
        assert abs((when - want).total_seconds()) < 60


@pytest.mark.parametrize("source", SOURCES)
def test_pro_plan_numbers(run, backend, source):
    body = usage_body(primary_used=23, secondary_used=61, credits_balance="87")
    backend.set_usage(body)
    # a zone far from UTC: the TUI prints local times, the JSON must still be the right instant
    out = run(source, tz="America/Los_Angeles")
    assert out["error"] is None and out["source"] == LABEL[source]
    usage = out["usage"]
    assert (usage["primary"]["usedPercent"], usage["primary"]["windowMinutes"]) == (23, 300)
    assert (usage["secondary"]["usedPercent"], usage["secondary"]["windowMinutes"]) == (61, 10080)
    assert_reset(usage["primary"]["resetsAt"], reset_of(body, "primary_window"), source)
    assert_reset(usage["secondary"]["resetsAt"], reset_of(body, "secondary_window"), source)
    assert out["credits"]["remaining"] == 87 and out["credits"]["unlimited"] is False
    assert usage["identity"]["accountEmail"] == "tester@example.com"
    assert usage["identity"]["plan"] == "pro"
    assert usage["identity"]["accountId"] == ACCOUNT_ID


@pytest.mark.parametrize("source", SOURCES)
def test_free_plan_weekly_only(run, backend, source):
    backend.set_usage(usage_body(primary_used=35, primary_seconds=604800, secondary_used=None, plan="free",
                                 credits_balance=None))
    out = run(source, plan="free")
    usage = out["usage"]
    assert usage["primary"] is None  # no fake session lane
    assert (usage["secondary"]["usedPercent"], usage["secondary"]["windowMinutes"]) == (35, 10080)
    assert usage["identity"]["plan"] == "free"
    assert out["credits"] is None


@pytest.mark.parametrize("source", SOURCES)
def test_no_secondary_window(run, backend, source):
    backend.set_usage(usage_body(primary_used=9, secondary_used=None, plan="plus"))
    out = run(source, plan="plus")
    assert out["usage"]["primary"]["usedPercent"] == 9 and out["usage"]["secondary"] is None


@pytest.mark.parametrize("source", SOURCES)
def test_unlimited_credits(run, backend, source):
    backend.set_usage(usage_body(unlimited=True, credits_balance=None))
    out = run(source)
    assert out["credits"]["unlimited"] is True


@pytest.mark.parametrize("source", SOURCES)
def test_limit_reached(run, backend, source):
    backend.set_usage(usage_body(primary_used=100, secondary_used=100, limit_reached=True, has_credits=False,
                                 credits_balance="0"))
    out = run(source)
    assert out["usage"]["primary"]["usedPercent"] == 100 and out["usage"]["secondary"]["usedPercent"] == 100


@pytest.mark.parametrize("source", SOURCES)
def test_team_workspace(run, backend, source):
    backend.set_usage(usage_body(plan="team", primary_used=14, secondary_used=3))
    backend.accounts_check = Reply(body=accounts_check_body(plan="team", name="Acme Corp"))
    out = run(source, plan="team")
    usage = out["usage"]
    assert usage["primary"]["usedPercent"] == 14 and usage["secondary"]["usedPercent"] == 3
    # (the card says "Business"; the raw plan type comes from the login for both sources)
    assert usage["identity"]["plan"] == "team"
    assert usage["identity"]["accountEmail"] == "tester@example.com"


@pytest.mark.parametrize("source", SOURCES)
def test_backend_500(run, backend, source):
    backend.set_usage(Reply(status=500, body={"detail": "boom"}))
    out = run(source)
    assert out["usage"] is None
    assert out["error"]["kind"] == "unavailable"
    attempts = [(a["source"], a["outcome"]) for a in out["trace"]["attempts"]]
    if source == "cli":
        assert "500" in out["error"]["message"]
        assert ("pty", "skipped") in attempts  # a backend error is not something the screen can fix
    else:
        assert "no usage data" in out["error"]["message"]


@pytest.mark.parametrize("source", SOURCES)
def test_not_logged_in(run, source):
    out = run(source, login="none")
    assert out["error"]["kind"] == "not_signed_in"
    assert "codex login" in out["error"]["message"]


@pytest.mark.parametrize("source", SOURCES)
def test_api_key_login(run, source):
    out = run(source, login="apikey")
    assert out["error"]["kind"] == "not_configured"
    assert "API key" in out["error"]["message"]


def test_bedrock_provider_without_chatgpt_login(run):
    out = run("cli", login="none", provider="amazon-bedrock")
    assert out["error"]["kind"] == "not_configured"
    assert "Amazon Bedrock" in out["error"]["message"] and "codex login" not in out["error"]["message"]


def test_usage_recovered_when_the_cli_cannot_decode_it(run, backend):
    """0.169.0 rejects a fractional used_percent but puts the body in its error; we still show it."""
    backend.set_usage(usage_body(primary_used=97.4, secondary_used=17))
    out = run("cli")
    assert out["error"] is None
    assert out["usage"]["primary"]["usedPercent"] == 97.4 and out["usage"]["secondary"]["usedPercent"] == 17


def test_expired_token_is_refreshed_by_the_cli_itself(run, backend, scratch):
    """docs/reference/usage-sources.md "OAuth: token refresh": the CLI owns the refresh token; through the cli source it refreshes and rewrites auth.json."""
    out = run("cli", exp_in=-3600, extra_env={"CODEX_REFRESH_TOKEN_URL_OVERRIDE": backend.url + "/oauth/token"})
    assert out["error"] is None and out["usage"]["primary"]["usedPercent"] == 42
    assert len(backend.requests_to("/oauth/token")) == 1
    assert "rt_rotated_" in (scratch / "home-cli-chatgpt" / "auth.json").read_text()


def test_missing_binary(scratch, env_for, backend):
    home = make_codex_home(scratch / "home", backend.url)
    out = run_json(["usage", "--json", "--source", "cli"], env_for(home, CODEX_CLI_PATH=str(scratch / "nope")))
    assert out[0]["error"]["kind"] == "missing_binary"
    assert "npm i -g @openai/codex" in out[0]["error"]["message"]


def test_found_on_a_minimal_path(scratch, env_for, codex_bin, backend):
    """SwiftBar's PATH lacks the install folder: codex in ~/.local/bin is still found."""
    home = make_codex_home(scratch / "home", backend.url)
    env = env_for(home, PATH="/usr/bin:/bin")
    env.pop("CODEX_CLI_PATH")
    local_bin = Path(env["HOME"]) / ".local" / "bin"
    local_bin.mkdir(parents=True)
    (local_bin / "codex").symlink_to(codex_bin)
    out = run_json(["usage", "--json", "--source", "cli"], env)
    assert out[0]["error"] is None and out[0]["usage"]["primary"]["usedPercent"] == 42


def test_flags_rejected_then_retried_without(scratch, env_for, codex_bin, backend):
    """A CLI that refuses `-s read-only -a never` (exit 2, usage error) is asked once more without them."""
    home = make_codex_home(scratch / "home", backend.url)
    wrapper = scratch / "codex-old"
    calls = scratch / "calls.log"
    wrapper.write_text(f"""#!/bin/sh
echo "$*" >> {calls}
if [ "$1" = "-s" ]; then echo "error: unexpected argument '-s' found" >&2; exit 2; fi
exec {codex_bin} "$@"
""")
    wrapper.chmod(0o755)
    out = run_json(["usage", "--json", "--source", "cli"], env_for(home, CODEX_CLI_PATH=str(wrapper)))
    assert out[0]["error"] is None and out[0]["usage"]["primary"]["usedPercent"] == 42
    assert calls.read_text().splitlines() == ["-s read-only -a never app-server", "app-server"]
    assert processes_using(home) == []


# -- in-process: the plugin's time budget, the sign-in menu, background refreshes -------------------

def context(home: Path, env: dict[str, str], seconds: float, background: bool = False) -> FetchContext:
    return FetchContext(codex_home=home, deadline=time.monotonic() + seconds, env=env, background=background)


@pytest.mark.parametrize("source_class", [RpcSource, PtySource])
def test_backend_slower_than_the_budget(scratch, env_for, codex_bin, backend, source_class):
    backend.set_usage(Reply(body=usage_body(), delay=30))
    home = make_codex_home(scratch / "home", backend.url)
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin))
    ptys_before = open_ptys()
    with pytest.raises(errors.SourceTimeout) as info:
        source_class().fetch(context(home, env, 8))  # the pty source's own budget: a busy machine needs >3 s to start
    if source_class is RpcSource:
        assert "account/rateLimits/read" in info.value.message
    else:  # the TUI said "refresh requested" and we stopped waiting at the budget
        assert "waiting for the usage service" in info.value.message
    assert processes_using(home) == [] and open_ptys() == ptys_before


def test_sign_in_menu_is_recognised_and_never_answered(scratch, env_for, codex_bin, backend, monkeypatch):
    """Even past our auth.json pre-check, the real sign-in menu stops the source without a key press."""
    import codexbar_core.sources.pty as pty_mod

    home = make_codex_home(scratch / "home", backend.url, login="none")
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin))
    monkeypatch.setattr(pty_mod, "_has_login", lambda ctx: True)
    screens: list[str] = []
    real_drive = pty_mod.drive_status

    def recording(term, deadline, cwd):
        text = real_drive(term, deadline, cwd)
        screens.append(text)
        return text

    monkeypatch.setattr(pty_mod, "drive_status", recording)
    ptys_before = open_ptys()
    with pytest.raises(errors.NotSignedIn):
        PtySource().fetch(context(home, env, 8))
    assert open_ptys() == ptys_before
    assert "Sign in with ChatGPT" in screens[-1]
    assert "/status" not in screens[-1] and "Finish signing in" not in screens[-1]
    assert not any("/oauth" in r["path"] for r in backend.requests)
    assert processes_using(home) == []


def test_pty_refuses_background_refresh(scratch, env_for, codex_bin, backend):
    home = make_codex_home(scratch / "home", backend.url)
    ctx = context(home, env_for(home, CODEX_CLI_PATH=str(codex_bin)), 5, background=True)
    assert not PtySource().availability(ctx).usable
    with pytest.raises(errors.NotConfigured):
        PtySource().fetch(ctx)
    assert backend.requests == []  # nothing was started


def test_workspace_discovery_failing(run, backend):
    """accounts/check 500: account/read fails but the limits still come (identity from auth.json).
    (The TUI exits on this one; its screen is covered by test_status_parse.)"""
    backend.accounts_check = Reply(status=500, body={"detail": "down"})
    out = run("cli")
    assert out["error"] is None and out["usage"]["primary"]["usedPercent"] == 42
    assert out["usage"]["identity"]["accountEmail"] == "tester@example.com"


def open_ptys() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        count += target == "/dev/ptmx" or target.startswith("/dev/pts/")
    return count


def test_unreadable_card_is_retried_once_in_a_larger_terminal(scratch, env_for, codex_bin, backend, monkeypatch):
    import codexbar_core.sources.pty as pty_mod

    home = make_codex_home(scratch / "home", backend.url)
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), TMPDIR=str(scratch))
    sizes: list[tuple[int, int]] = []
    real_drive = pty_mod.drive_status

    def first_one_mangled(term, deadline, cwd):
        sizes.append((term.screen.lines, term.screen.columns))
        text = real_drive(term, deadline, cwd)
        if len(sizes) == 1:  # as if the card had been cut off: the header but no limit lines
            text = text.split("Model:")[0]
        return text

    monkeypatch.setattr(pty_mod, "drive_status", first_one_mangled)
    ptys_before = open_ptys()
    snap = PtySource().fetch(context(home, env, 12))
    assert sizes == [pty_mod.FIRST_SIZE, pty_mod.RETRY_SIZE]
    assert snap.primary.used_percent == 42 and snap.credits.balance == 13
    assert processes_using(home) == [] and open_ptys() == ptys_before
    assert [p.name for p in scratch.iterdir() if p.name.startswith("codexbar-status")] == []


@pytest.mark.parametrize("source_class", [RpcSource, PtySource])
def test_kill_all_when_the_plugin_leaves_early(scratch, env_for, codex_bin, backend, source_class):
    """budgeted_menu calls procs.kill_all() before exiting with a worker still waiting on codex."""
    import threading

    from codexbar_core import procs

    backend.set_usage(Reply(body=usage_body(), delay=30))
    home = make_codex_home(scratch / "home", backend.url)
    tmpdir = scratch / "tmp"
    tmpdir.mkdir()
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin), TMPDIR=str(tmpdir))
    outcome: list[BaseException] = []

    def worker() -> None:
        try:
            source_class().fetch(context(home, env, 20))
        except BaseException as exc:  # noqa: B036 - recorded for the assertion below
            outcome.append(exc)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not backend.requests_to("/wham/usage") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert backend.requests_to("/wham/usage"), "codex never asked for usage"
    try:
        procs.kill_all()
        assert processes_using(home) == []
        thread.join(10)
    finally:
        procs.reopen()
    assert list(tmpdir.iterdir()) == []
    assert not thread.is_alive()
    assert outcome and isinstance(outcome[0], errors.CodexbarError)


def test_folder_trust_prompt_is_recognised_and_never_answered(scratch, env_for, codex_bin, backend, monkeypatch):
    """If the scratch folder were a git repo, codex would ask to trust it; Enter would write the trust
    into config.toml. We stop instead and no trust is recorded."""
    import shutil
    import subprocess

    import codexbar_core.sources.pty as pty_mod

    if shutil.which("git") is None:
        pytest.skip("git is needed to make a repository")
    home = make_codex_home(scratch / "home", backend.url)
    config_before = (home / "config.toml").read_text()
    repo_root = scratch / "status-scratch"
    (repo_root / "work").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo_root / "work")], check=True)
    monkeypatch.setattr(pty_mod.tempfile, "mkdtemp", lambda prefix="": str(repo_root))
    env = env_for(home, CODEX_CLI_PATH=str(codex_bin))
    with pytest.raises(errors.Unavailable) as info:
        PtySource().fetch(context(home, env, 8))
    assert "trust" in info.value.message
    config_after = (home / "config.toml").read_text()
    assert "trust_level" not in config_after and "[projects" not in config_after
    assert config_after.startswith(config_before)  # (codex itself may append its own [tui] note)
    assert processes_using(home) == []
    assert not repo_root.exists()  # the scratch folder is always removed
