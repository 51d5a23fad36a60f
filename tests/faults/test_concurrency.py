"""Many runs at once, and runs killed with SIGKILL at every write: nothing is ever left unreadable.

- 8 plugin runs started together on a cold cache print the same menu and leave an intact cache.
- A run killed at every diskcache write in turn (deterministic kill points, see killhook.py), and at
  seeded moments of a cold run, leaves a cache that opens, passes SQLite's integrity check, holds only
  readable JSON, and after which the next run gives a complete menu and exact cost numbers.
- A token refresh killed at every file operation leaves auth.json valid JSON holding either all the
  old tokens or all the new ones (never a mix, never a partial file), with every other field kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import Reply, usage_body
from tests.rig.files import assert_cache_intact
from tests.rig.menu_checks import assert_valid_menu, menu
from tests.rig.procs import using_env, wait_gone
from tests.rig.runner import HARD_LIMIT, PLUGIN, ROOT, cost_json, run_codexbar
from tests.rig.todays_logs import events, head, log_path

pytestmark = pytest.mark.faults

SEED = 20261125
HOOK = [sys.executable, "-c", "from tests.faults.killhook import main; main()"]


def _home_with_sessions(scratch: Path, backend_url: str | None, **auth) -> Path:
    home = make_codex_home(scratch / "home", backend_url, **auth)
    for n in range(4):
        log_path(home, f"rollout{n}").write_bytes(head(f"01a20a8e-0000-7000-8000-00000000000{n}")
                                                  + events(0, 5 + n))
    return home


def test_eight_runs_at_once_on_a_cold_cache_agree_and_leave_it_intact(scratch, env_for, backend):
    backend.set_usage(Reply(body=usage_body(primary_used=23, secondary_used=11, primary_reset_at=1893456000,
                                            secondary_reset_at=1893888000), delay=0.3))
    env = env_for(_home_with_sessions(scratch, backend.url), SWIFTBAR="1")
    procs = [subprocess.Popen([str(PLUGIN)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(8)]
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=HARD_LIMIT + 5)
        assert proc.returncode == 0, err
        assert "Traceback" not in err, err
        assert_valid_menu(out)
        outs.append(out)
    assert "Session: 77% left" in outs[0], outs[0]
    assert all(out == outs[0] for out in outs), "concurrent runs disagree"
    assert assert_cache_intact(scratch / "cache") > 0
    assert menu(env) == outs[0]
    assert cost_json(env, "--refresh")["totals"]["inputTokens"] == sum((5 + n) * 1000 for n in range(4))


def test_a_run_killed_at_any_cache_write_leaves_everything_readable(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    home = _home_with_sessions(scratch, backend.url)
    env = env_for(home, SWIFTBAR="1")
    killed = 0
    for warm in (False, True):
        if warm:  # a warm cache: incremental records exist, one log grew, usage must be fetched anew
            assert "Session: 77% left" in menu(env)
            with open(log_path(home, "rollout0"), "ab") as fh:
                fh.write(events(5, 2))
        expected = cost_json(dict(env, CODEXBAR_CACHE_DIR=str(scratch / f"oracle-{warm}")), "--refresh")["totals"]
        for k in range(1, 80):
            # a background refresh an earlier run started must not write into the folder being removed
            assert wait_gone(using_env("CODEXBAR_CACHE_DIR", env["CODEXBAR_CACHE_DIR"]), 60) == []
            if not warm:
                subprocess.run(["rm", "-rf", str(scratch / "cache")], check=True)
            else:
                run_codexbar(["refresh"], env)
            proc = subprocess.run([*HOOK, "menu"], env=dict(env, CODEXBAR_TEST_KILL=f"cache:{k}"), cwd=str(ROOT),
                                  capture_output=True, text=True, timeout=HARD_LIMIT + 5)
            assert_cache_intact(scratch / "cache")
            if proc.returncode != -signal.SIGKILL:
                assert proc.returncode == 0, proc.stderr
                assert_valid_menu(proc.stdout)
                break
            killed += 1
            after = menu(env)
            assert "Session: 77% left" in after, after
            assert cost_json(env, "--refresh")["totals"] == expected
        else:
            pytest.fail("the run never finished: more cache writes than expected")
    assert killed >= 6, "too few kill points: the hook did not see the cache writes"


def test_runs_killed_at_seeded_moments_leave_everything_readable(scratch, env_for, backend):
    backend.set_usage(Reply(body=usage_body(primary_used=23, secondary_used=11), delay=0.2))
    env = env_for(_home_with_sessions(scratch, backend.url), SWIFTBAR="1")
    expected = cost_json(dict(env, CODEXBAR_CACHE_DIR=str(scratch / "oracle-cache")), "--refresh")["totals"]
    rng = random.Random(SEED)
    for _ in range(6):
        proc = subprocess.Popen([str(PLUGIN)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=rng.uniform(0.05, 0.9))  # the moment only; correctness never depends on it
        except subprocess.TimeoutExpired:
            pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert_cache_intact(scratch / "cache")
        run_codexbar(["refresh"], env)
    assert "Session: 77% left" in menu(env)
    assert cost_json(env, "--refresh")["totals"] == expected


def _tokens(home: Path) -> tuple[str, str, str]:
    data = json.loads((home / "auth.json").read_text())  # must always parse
    t = data["tokens"]
    return t["access_token"], t["refresh_token"], t["id_token"]


def test_a_token_refresh_killed_at_any_step_leaves_auth_json_whole(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    stale = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
    home = make_codex_home(scratch / "home", backend.url, last_refresh=stale,
                           extra={"custom_field": {"kept": True}})
    original = (home / "auth.json").read_bytes()
    old = _tokens(home)
    env = env_for(home, CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
    for k in range(1, 40):
        (home / "auth.json").write_bytes(original)
        os.chmod(home / "auth.json", 0o600)
        proc = subprocess.run([*HOOK, "usage", "--json", "--source", "oauth"],
                              env=dict(env, CODEXBAR_TEST_KILL=f"auth:{k}"), cwd=str(ROOT), capture_output=True,
                              text=True, timeout=30)
        now = _tokens(home)
        assert now == old or all(a != b for a, b in zip(now, old)), f"mixed tokens after a kill at step {k}"
        data = json.loads((home / "auth.json").read_text())
        assert data["custom_field"] == {"kept": True} and data["auth_mode"] == "chatgpt"
        assert (os.stat(home / "auth.json").st_mode & 0o777) == 0o600
        for leftover in home.glob(".auth.json.*"):
            assert (os.stat(leftover).st_mode & 0o077) == 0, "a temp file with tokens is readable by others"
        if proc.returncode != -signal.SIGKILL:
            assert proc.returncode == 0, proc.stderr
            assert now != old, "the finished run did not refresh"
            break
        # the next ordinary run is not blocked by the dead one's lock and renews the sign-in
        doc = json.loads(run_codexbar(["usage", "--json", "--source", "oauth"], env).stdout)[0]
        assert doc["usage"]["primary"]["usedPercent"] == 23, doc
        assert _tokens(home) != old
    else:
        pytest.fail("the refresh never finished")
    assert k >= 6, "too few kill points: the hook did not see the auth.json writes"


def test_a_token_refresh_killed_while_the_server_answers_leaves_auth_json_whole(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    stale = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
    home = make_codex_home(scratch / "home", backend.url, last_refresh=stale)
    original = (home / "auth.json").read_bytes()
    env = env_for(home, CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
    slow = {"delay": 0.6}
    from tests.rig.fake_backend import fresh_tokens

    backend.route("POST", "/oauth/token", lambda req: Reply(body=fresh_tokens(req), delay=slow["delay"]))
    rng = random.Random(SEED)
    for _ in range(4):
        (home / "auth.json").write_bytes(original)
        proc = subprocess.Popen([str(PLUGIN), "usage", "--json", "--source", "oauth"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=rng.uniform(0.2, 1.2))
        except subprocess.TimeoutExpired:
            pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert (home / "auth.json").read_bytes() == original or _tokens(home) != _tokens_of(original)
    slow["delay"] = 0
    doc = json.loads(run_codexbar(["usage", "--json", "--source", "oauth"], env).stdout)[0]
    assert doc["usage"]["primary"]["usedPercent"] == 23  # the dead runs' lock blocks nobody
    assert _tokens(home) != _tokens_of(original)


def _tokens_of(raw: bytes) -> tuple[str, str, str]:
    t = json.loads(raw)["tokens"]
    return t["access_token"], t["refresh_token"], t["id_token"]


def test_eight_runs_with_a_stale_sign_in_refresh_it_once(scratch, env_for, backend):
    # OpenAI refresh tokens are single-use: two runs refreshing with the same one would sign the user out.
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    from tests.rig.fake_backend import fresh_tokens

    backend.route("POST", "/oauth/token", lambda req: Reply(body=fresh_tokens(req), delay=0.5))
    stale = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
    home = make_codex_home(scratch / "home", backend.url, last_refresh=stale)
    old = _tokens(home)
    env = env_for(home, SWIFTBAR="1", CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
    procs = [subprocess.Popen([str(PLUGIN)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(8)]
    for proc in procs:
        out, err = proc.communicate(timeout=HARD_LIMIT + 5)
        assert proc.returncode == 0, err
        assert_valid_menu(out)
        assert "Session: 77% left" in out, out
    assert len(backend.requests_to("/oauth/token")) == 1
    new = _tokens(home)
    assert all(a != b for a, b in zip(new, old))


def test_menu_clicks_at_the_same_moment_all_persist(scratch, env_for):
    env = env_for(scratch / "empty-home")
    changes = [("title_mode", "pace"), ("reset_style", "absolute"), ("show_used", "true"),
               ("notifications", "false"), ("notify_resets", "false"), ("source", "cli"),
               ("cookie_mode", "manual"), ("title_metric", "weekly")]
    procs = [subprocess.Popen([str(PLUGIN), "set", key, value], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for key, value in changes]
    for proc in procs:
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
    saved = json.loads((scratch / "config" / "settings.json").read_text())
    for key, value in changes:
        assert str(saved.get(key)).lower() == value, f"the change of {key} was lost: {saved}"
