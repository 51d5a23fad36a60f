"""A damaged `auth.json`: the menu says what to do, keeps the last good numbers, and never rewrites it.

Unreadable (mode 000) has to fail for root too, since CI runs the tests as root: the plugin is started
with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH removed from its capability bounding set (prctl in the
child before exec), so root obeys file modes like any user; everything else it needs (its own venv,
caches) is root-owned and stays readable.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys

import pytest

from tests.rig.codex_home import make_codex_home
from tests.rig.fake_backend import usage_body
from tests.rig.menu_checks import STALE_MARK, assert_valid_menu, drop_cache, menu
from tests.rig.runner import run_plugin

pytestmark = pytest.mark.faults

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _drop_file_override() -> None:
    """In the child: give up the capabilities that let root read any file (others obey modes anyway)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _damage(kind: str, home) -> None:
    auth = home / "auth.json"
    if kind == "missing":
        auth.unlink()
    elif kind == "empty":
        auth.write_bytes(b"")
    elif kind == "not-json":
        auth.write_bytes(b'{"auth_mode": "chatgpt", "tokens": {"access_token": "eyJ')  # cut mid-write
    elif kind == "unreadable":
        auth.chmod(0o000)
    elif kind == "directory":
        auth.unlink()
        auth.mkdir()
        (auth / "inside.json").write_text("{}")
    elif kind == "symlink-loop":
        auth.unlink()
        os.symlink("auth.json", auth)  # points at itself: ELOOP
    elif kind == "fifo":
        auth.unlink()
        os.mkfifo(auth)  # a read would wait for a writer forever
    elif kind == "link-to-dev-zero":
        auth.unlink()
        os.symlink("/dev/zero", auth)  # a read would never end
    else:
        raise AssertionError(kind)


def _snapshot(path) -> tuple[str, bytes | None]:
    if path.is_symlink():
        return "link:" + os.readlink(path), None
    if path.exists() and not path.is_file() and not path.is_dir():
        return "special", None
    if path.is_dir():
        return "dir", None
    try:
        st = path.stat()
    except OSError:
        return "gone", None
    return f"file:{oct(st.st_mode)}", path.read_bytes() if st.st_mode & 0o400 else None


@pytest.mark.parametrize("kind", ["missing", "empty", "not-json", "unreadable", "directory", "symlink-loop", "fifo",
                                  "link-to-dev-zero"])
def test_a_damaged_auth_json_keeps_the_last_good_numbers(kind, scratch, env_for, backend):
    backend.set_usage(usage_body(primary_used=23, secondary_used=11))
    home = make_codex_home(scratch / "home", backend.url)
    env = env_for(home)
    assert "Session: 77% left" in menu(env)

    if kind == "unreadable" and os.geteuid() == 0 and not sys.platform.startswith("linux"):
        pytest.skip("root ignores file modes and only Linux lets the test drop that power (prctl)")
    _damage(kind, home)
    before = _snapshot(home / "auth.json")
    drop_cache(env)
    if kind == "unreadable":
        proc = run_plugin(env, preexec_fn=_drop_file_override)
        assert proc.returncode == 0, proc.stderr
        out = proc.stdout
        assert_valid_menu(out)
        assert "permission denied" in out.lower(), out  # the read really failed, and the menu says why
    else:
        out = menu(env)
    assert "Session: 77% left" in out and STALE_MARK in out, out
    assert "codex login" in out, out  # what to do about it
    assert _snapshot(home / "auth.json") == before, "codexbar changed the user's auth.json"
    assert not backend.requests_to("/oauth/token"), "no refresh may be tried with a damaged auth.json"
    # `codexbar usage` has no menu budget to hide behind: it must answer too
    proc = run_plugin(env, "usage", "--json", "--source", "oauth",
                      preexec_fn=_drop_file_override if kind == "unreadable" else None)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["error"]["kind"] == "missing_credentials", proc.stdout
