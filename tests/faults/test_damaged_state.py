"""codexbar's own files damaged (disk full, a crash of an old version, a user's edit): the menu stays whole.

The SQLite cache overwritten with junk, the saved menu not JSON, settings.json not JSON or a folder,
each run still prints a complete menu with the live numbers,
and the next good run repairs what it can. A full disk (every write failing) changes nothing either.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys

import pytest

from codexbar_core.cache import Store, home_key
from tests.rig.codex_home import auth_json, make_codex_home, write_auth
from tests.rig.fake_backend import usage_body
from tests.rig.files import assert_cache_intact
from tests.rig.menu_checks import assert_valid_menu, drop_cache, menu, set_source
from tests.rig.runner import HARD_LIMIT, cost_json, run_plugin
from tests.rig.todays_logs import events, head, log_path

pytestmark = pytest.mark.faults


def _damage(kind: str, cache, config) -> None:
    if kind == "cache-db-junk":
        for path in [*(cache / "diskcache").glob("cache.db*"), *cache.glob("cost-state.sqlite*")]:
            path.write_bytes(os.urandom(8192))
    elif kind == "menu-file-junk":
        (cache / "menu.json").write_bytes(b'{"key": "x", "written": 9e99, "text": ')
    elif kind == "settings-junk":
        (config / "settings.json").write_text('{"source": "oauth", ')
    elif kind == "settings-folder":
        (config / "settings.json").unlink()
        (config / "settings.json").mkdir()
    else:
        raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["cache-db-junk", "menu-file-junk", "settings-junk", "settings-folder"])
def test_damaged_codexbar_files_still_give_the_live_menu(kind, scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    env = env_for(make_codex_home(scratch / "home", backend.url))
    menu(env)
    set_source(env, "auto")  # a settings.json to damage
    drop_cache(env)  # the next run asks the server again
    _damage(kind, scratch / "cache", scratch / "config")
    backend.set_usage(usage_body(primary_used=31, secondary_used=11))
    out = menu(env)
    assert "Session: 69% left" in out, out
    assert "internal error" not in out


def test_a_cached_snapshot_of_the_wrong_types_still_gives_the_full_menu(scratch, env_for):
    home = make_codex_home(scratch / "home", "https://127.0.0.1:9")  # nothing listens: the fetch fails
    env = env_for(home)
    store = Store(scratch / "cache")
    bad = {"source": "oauth", "primary": {"usedPercent": 5, "windowMinutes": "300", "resetsAt": "soon"},
           "identity": {"email": True, "plan": ["pro"]}, "credits": {"balance": "x"}}
    store.set_json(f"usage:last:{home_key(home)}", {"snapshot": bad, "storedAt": 1})
    store.close()
    out = menu(env)  # the OAuth fetch fails (no server): the stale snapshot is all there is
    assert "internal error" not in out, out


@pytest.mark.parametrize("limit_kb", [0, 8, 64, 512])
def test_a_full_disk_still_gives_the_live_menu_and_leaves_the_cache_readable(limit_kb, scratch, env_for, backend):
    # RLIMIT_FSIZE makes every write past the limit fail with EFBIG (Python ignores SIGXFSZ), the way a
    # full disk fails them: cache, menu file, settings and logs cannot grow.
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    home = make_codex_home(scratch / "home", backend.url)
    log_path(home).write_bytes(head() + events(0, 40))
    env = env_for(home)
    limit = limit_kb * 1024

    def full_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = run_plugin(env, preexec_fn=full_disk)
    assert proc.returncode == 0, proc.stderr
    assert_valid_menu(proc.stdout)
    assert "Session: 77% left" in proc.stdout, proc.stdout
    assert "internal error" not in proc.stdout
    assert_cache_intact(scratch / "cache")
    # space again: everything works and counts right
    assert "Session: 77% left" in menu(env)
    assert cost_json(env, "--refresh")["totals"]["inputTokens"] == 40_000


def test_a_full_disk_during_a_token_refresh_leaves_auth_json_as_it_was(scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    home = make_codex_home(scratch / "home", backend.url)
    write_auth(home, auth_json(last_refresh=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)))
    before = (home / "auth.json").read_bytes()
    env = env_for(home, CODEX_REFRESH_TOKEN_URL_OVERRIDE=f"{backend.url}/oauth/token")
    limit = len(before) // 2  # the new auth.json cannot be written whole

    proc = run_plugin(env, "usage", "--json", "--source", "oauth", timeout=30,
                      preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert proc.returncode == 0, proc.stderr
    assert backend.requests_to("/oauth/token"), "no refresh was tried"
    assert (home / "auth.json").read_bytes() == before
    assert not list(home.glob(".auth.json.*")), "a partial temp file with tokens was left behind"
    assert "codex login" in json.loads(proc.stdout)[0]["error"]["message"]
    # space again: the refresh goes through
    proc = run_plugin(env, "usage", "--json", "--source", "oauth", timeout=30)
    assert json.loads(proc.stdout)[0]["usage"]["primary"]["usedPercent"] == 23
    assert (home / "auth.json").read_bytes() != before


@pytest.mark.parametrize("folder", ["CODEXBAR_CACHE_DIR", "CODEXBAR_CONFIG_DIR"])
def test_a_cache_or_settings_folder_that_cannot_be_made_still_gives_the_live_menu(folder, scratch, env_for, backend):
    """A file where codexbar's folder should be (a typo in the variable, an old tool's leftover): the
    menu shows the live numbers, the cost and a note saying which folder is unusable and what is used
    instead; `codexbar cost --json` still prints its report and says so on stderr."""
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    home = make_codex_home(scratch / "home", backend.url)
    log_path(home).write_bytes(head() + events(0, 3))
    expected = cost_json(env_for(home), "--refresh")["totals"]  # with its folders where they belong
    assert expected["inputTokens"] > 0
    blocker = scratch / "not-a-folder"
    blocker.write_text("")
    temp = scratch / "tmp"
    temp.mkdir()
    env = env_for(home, TMPDIR=str(temp), **{folder: str(blocker)})
    for _ in range(2):  # the second run finds what the first kept in the stand-in folder
        out = menu(env)
        assert "Session: 77% left" in out, out
        assert "Last 30 days:" in out, out
        assert f"unusable ({blocker}" in out and str(temp) in out, out
    proc = subprocess.run([sys.executable, "-m", "codexbar_core", "cost", "--json", "--refresh"], env=env,
                          capture_output=True, text=True, timeout=HARD_LIMIT)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["totals"] == expected
    assert "unusable" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_a_stand_in_folder_owned_by_someone_else_is_not_used(tmp_path, monkeypatch):
    """The stand-in lives in the temp folder, which may be shared: another user's folder of that name is
    refused (it could be read, or swapped for a symlink), never written into."""
    import tempfile

    from codexbar_core import paths

    if os.getuid() != 0:
        pytest.skip("making a folder someone else owns needs root")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(paths, "unusable", {})
    planted = tmp_path / f"codexbar-{os.getuid()}"
    planted.mkdir(mode=0o777)
    os.chown(planted, 4242, 4242)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(OSError):
        paths.cache_dir({"CODEXBAR_CACHE_DIR": str(blocker)})
    assert not (planted / "cache").exists() and paths.unusable == {}
