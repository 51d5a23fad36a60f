"""`codexbar` as a user runs it: cookies commands and `usage --json --source web` against a fake chatgpt.com.

The fake checks the session cookie on every request; no output, log or file outside the secret store may
contain the cookie value.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.rig.codex_home import make_codex_home
from tests.rig.runner import run_codexbar, run_json
from tests.web.conftest import cookie_header
from tests.web.fake_chatgpt import SESSION_VALUE, access_token

KEYRING_BACKEND = "tests.web.file_keyring.JsonFileKeyring"


def web_env(scratch: Path, env_for, chatgpt, backend_url: str | None = None, **extra: str) -> dict[str, str]:
    home = make_codex_home(scratch / "codex-home", backend_url)  # auth.json says tester@example.com
    env = env_for(home, CODEXBAR_WEB_BASE_URL=chatgpt.url, CODEXBAR_KEYRING="off",
                  CODEXBAR_COOKIE_STORES="none=/nonexistent")
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env.update(extra)
    return env


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SESSION_VALUE not in text


def usage_web(env: dict[str, str]) -> tuple[dict, str]:
    proc = run_codexbar(["usage", "--json", "--source", "web"], env)
    assert proc.returncode == 0, proc.stderr
    assert_no_secret(proc.stdout, proc.stderr)
    return json.loads(proc.stdout)[0], proc.stdout


@pytest.mark.parametrize("bearer_only", [False, True], ids=["cookie", "cookie+session-token"])
def test_usage_source_web_with_the_environment_cookie(scratch, env_for, chatgpt, bearer_only):
    chatgpt.bearer_only = bearer_only
    env = web_env(scratch, env_for, chatgpt, CODEXBAR_OPENAI_COOKIE=cookie_header(SESSION_VALUE))
    row, out = usage_web(env)
    assert access_token("tester@example.com") not in out
    assert row["error"] is None, row
    assert row["source"] == "openai-web"
    assert row["usage"]["primary"]["usedPercent"] == 12 and row["usage"]["primary"]["windowMinutes"] == 300
    assert row["usage"]["secondary"]["usedPercent"] == 34
    assert row["usage"]["identity"]["accountEmail"] == "tester@example.com"
    assert row["credits"]["remaining"] == 12.5
    assert row["openaiDashboard"]["plan"] == "Pro 5x"
    assert row["openaiDashboard"]["renewal"] == "renews at 2026-12-24"
    assert SESSION_VALUE in chatgpt.backend.requests_to("/backend-api/wham/usage")[0]["headers"]["cookie"]


def test_cookies_set_status_clear_round_trip(scratch, env_for, chatgpt):
    env = web_env(scratch, env_for, chatgpt)
    proc = run_codexbar(["cookies", "set"], env, stdin="Cookie: " + cookie_header(SESSION_VALUE) + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "Saved a Cookie header with 3 cookies" in proc.stdout and "Manual" in proc.stdout
    settings = json.loads((scratch / "config" / "settings.json").read_text())
    assert settings["cookie_mode"] == "manual"
    secret_file = scratch / "cache" / "secrets.json"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600

    row, _ = usage_web(env)
    assert row["error"] is None and row["source"] == "openai-web"

    status = run_codexbar(["cookies", "status"], env)
    assert "Mode: Manual" in status.stdout and "Manual header: stored (3 cookies)" in status.stdout
    assert "owner-only" in status.stdout
    assert_no_secret(status.stdout, status.stderr)

    cleared = run_codexbar(["cookies", "clear"], env)
    assert "Removed 1 stored cookie set" in cleared.stdout
    assert not secret_file.exists()
    row, _ = usage_web(env)
    assert row["error"]["kind"] == "not_configured"
    assert "codexbar cookies set" in row["error"]["message"]


def test_cookies_set_keeps_the_header_in_a_usable_keyring(scratch, env_for, chatgpt):
    keyring_file = scratch / "keyring.json"
    env = web_env(scratch, env_for, chatgpt, PYTHON_KEYRING_BACKEND=KEYRING_BACKEND,
                  CODEXBAR_TEST_KEYRING_FILE=str(keyring_file))
    env.pop("CODEXBAR_KEYRING")
    proc = run_codexbar(["cookies", "set"], env, stdin=cookie_header(SESSION_VALUE))
    assert "in the system keyring" in proc.stdout, proc.stdout + proc.stderr
    assert SESSION_VALUE in keyring_file.read_text()
    assert not (scratch / "cache" / "secrets.json").exists()
    row, _ = usage_web(env)
    assert row["error"] is None and row["usage"]["secondary"]["usedPercent"] == 34


def test_bad_header_is_refused_with_a_plain_message(scratch, env_for, chatgpt):
    env = web_env(scratch, env_for, chatgpt)
    proc = run_codexbar(["cookies", "set"], env, stdin="theme=dark; oai-did=abc123")
    assert proc.returncode == 1
    assert "missing a valid OpenAI session cookie" in proc.stdout
    assert "abc123" not in proc.stdout + proc.stderr
    assert not (scratch / "cache" / "secrets.json").exists()


def test_cookies_off_and_modes(scratch, env_for, chatgpt):
    env = web_env(scratch, env_for, chatgpt)
    assert "Automatic (browsers)" in run_codexbar(["cookies", "mode", "auto"], env).stdout
    assert "Off" in run_codexbar(["cookies", "mode", "off"], env).stdout
    row, _ = usage_web(env)
    assert row["error"] is not None and "cookies are off" in row["error"]["message"]
    bad = run_codexbar(["cookies", "mode", "sometimes"], env)
    assert bad.returncode == 2 and "usage: codexbar cookies" in bad.stdout


def test_other_accounts_dashboard_is_reported_not_shown(scratch, env_for, chatgpt):
    chatgpt.email = "someone.else@example.org"
    env = web_env(scratch, env_for, chatgpt, CODEXBAR_OPENAI_COOKIE=cookie_header(SESSION_VALUE))
    row, _ = usage_web(env)
    assert row["usage"] is None
    assert row["error"]["kind"] == "account_mismatch"
    assert "tester@example.com" in row["error"]["message"]
    assert "someone.else@example.org" in row["error"]["message"]


def test_login_wall_and_cloudflare_reach_the_user(scratch, env_for, chatgpt):
    env = web_env(scratch, env_for, chatgpt, CODEXBAR_OPENAI_COOKIE=cookie_header("sess-signed-out"))
    row, _ = usage_web(env)
    assert row["error"]["kind"] == "login_required"
    assert row["error"]["message"].startswith("OpenAI web access requires login.")
    chatgpt.mode = "cloudflare"
    env["CODEXBAR_OPENAI_COOKIE"] = cookie_header(SESSION_VALUE)
    row, _ = usage_web(env)
    assert "Cloudflare" in row["error"]["message"]


def test_cli_auto_tries_web_first(scratch, env_for, chatgpt):
    env = web_env(scratch, env_for, chatgpt, CODEXBAR_OPENAI_COOKIE=cookie_header(SESSION_VALUE))
    rows = run_json(["usage", "--json"], env)
    assert rows[0]["source"] == "openai-web"
    assert rows[0]["trace"]["attempts"][0]["source"] == "web"


def test_menu_attaches_dashboard_extras_to_oauth(scratch, env_for, chatgpt, backend):
    chatgpt.page_name = "extras"
    env = web_env(scratch, env_for, chatgpt, backend_url=backend.url,
                  CODEXBAR_OPENAI_COOKIE=cookie_header(SESSION_VALUE))
    proc = run_codexbar(["menu"], env)
    assert proc.returncode == 0, proc.stderr
    assert "Source: oauth + openai-web" in proc.stdout, proc.stdout
    assert "Code review: 42% left" in proc.stdout
    assert_no_secret(proc.stdout, proc.stderr)
    for path in (scratch / "cache").rglob("*"):
        if path.is_file():
            assert SESSION_VALUE.encode() not in path.read_bytes(), path


def test_menu_says_which_account_the_dashboard_belongs_to(scratch, env_for, chatgpt, backend):
    chatgpt.email = "someone.else@example.org"
    env = web_env(scratch, env_for, chatgpt, backend_url=backend.url,
                  CODEXBAR_OPENAI_COOKIE=cookie_header(SESSION_VALUE))
    proc = run_codexbar(["menu"], env)
    assert proc.returncode == 0, proc.stderr
    assert "Source: oauth (" in proc.stdout  # the primary still shows, without the other account's extras
    mismatch = [ln for ln in proc.stdout.splitlines() if "does not match" in ln or "wrong account" in ln]
    assert mismatch and "someone.else@example.org" in mismatch[0] and "tester@example.com" in mismatch[0]
    assert "Code review" not in proc.stdout
    assert_no_secret(proc.stdout, proc.stderr)


def test_plain_usage_report_from_the_dashboard(scratch, env_for, chatgpt):
    chatgpt.usage = None
    chatgpt.page_name = "extras"
    env = web_env(scratch, env_for, chatgpt, CODEXBAR_OPENAI_COOKIE=cookie_header(SESSION_VALUE))
    proc = run_codexbar(["usage", "--source", "web"], env)
    assert proc.returncode == 0, proc.stderr
    assert "Source: openai-web" in proc.stdout
    assert "Code review: 42% left" in proc.stdout
    assert_no_secret(proc.stdout, proc.stderr)
