"""`pipx install`, `pip install --user` and `./install.sh` in a clean clone give a working `codexbar`, whose
install-plugin puts a plugin that works with a minimal PATH.

The network namespace of test.sh has no PyPI: installs come from the wheelhouse that
tests/install/wheelhouse.sh fills beforehand (test.sh runs it). Without one these tests skip
locally and fail in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.install.helpers import run_copied
from tests.rig.runner import ROOT

WHEELHOUSE = Path(os.environ.get("CODEXBAR_WHEELHOUSE", "/var/tmp/codexbar-wheelhouse"))
PIPX = Path(sys.executable).parent / "pipx"  # from the test tools (pyproject [test])


@pytest.fixture
def wheelhouse() -> Path:
    if not (WHEELHOUSE / "READY").is_file():
        why = f"no wheelhouse at {WHEELHOUSE}: run tests/install/wheelhouse.sh first (outside the network namespace)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return WHEELHOUSE


@pytest.fixture
def clone(scratch) -> Path:
    """A clean clone of this checkout's committed HEAD: no .venv, nothing uncommitted."""
    target = scratch / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, capture_output=True, timeout=120)
    assert not (target / ".venv").exists()
    return target


def user_env(scratch: Path, wheelhouse: Path, **extra: str) -> dict[str, str]:
    home = scratch / "home"
    home.mkdir(exist_ok=True)
    env = {
        "HOME": str(home), "PATH": f"{home / '.local/bin'}:/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC",
        "CODEX_HOME": str(scratch / "codex-home"), "CODEX_CLI_PATH": str(scratch / "no-codex"),
        "CODEXBAR_CACHE_DIR": str(scratch / "cache"), "CODEXBAR_CONFIG_DIR": str(scratch / "config"),
        "CODEXBAR_NO_OPEN": "1", "CODEXBAR_NO_NOTIFY": "1",
        # offline, from the wheelhouse only; the machine's pip configuration is not the user's
        "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.update(extra)
    return env


def check_installed_codexbar(codexbar: Path, env: dict[str, str], scratch: Path) -> None:
    assert codexbar.is_file(), f"{codexbar} was not installed"
    line = subprocess.run([str(codexbar), "statusline"], env=env, capture_output=True, text=True, timeout=60)
    assert (line.returncode, line.stdout) == (0, "Codex — · — (stale)\n"), line.stderr
    placed = subprocess.run([str(codexbar), "install-plugin", "--argos", "--copy"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert placed.returncode == 0, placed.stderr
    plugin = Path(env["HOME"]) / ".config/argos/codexbar.5m.py"
    assert plugin.read_bytes() == (ROOT / "plugins/codexbar.5m.py").read_bytes()  # shipped in the package
    menu = run_copied(plugin, env)  # PATH=/usr/bin:/bin: found through the record install-plugin left
    assert menu.returncode == 0 and "\n---\n" in menu.stdout and "codex login" in menu.stdout, menu.stdout
    refresh = next(line for line in menu.stdout.splitlines() if line.startswith("Refresh | "))
    assert f"bash={plugin} param1=refresh" in refresh  # clicks run the copied plugin again
    (Path(env["HOME"]) / ".config/codexbar/install-location").unlink()
    menu = run_copied(plugin, env)  # and without the record, as the command in ~/.local/bin
    assert menu.returncode == 0 and "codex login" in menu.stdout, menu.stdout


def test_pipx_install_from_a_clean_clone(scratch, wheelhouse, clone):
    home = scratch / "home"
    env = user_env(scratch, wheelhouse, PIPX_HOME=str(home / ".local/pipx"), PIPX_BIN_DIR=str(home / ".local/bin"),
                   PIPX_MAN_DIR=str(home / ".local/share/man"))
    proc = subprocess.run([str(PIPX), "install", str(clone)], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    check_installed_codexbar(home / ".local/bin/codexbar", env, scratch)
    # the installed code is the package in pipx's venv, not the clone
    venv_python = home / ".local/pipx/venvs/codexbar/bin/python"
    where = subprocess.run([str(venv_python), "-c", "import codexbar_core; print(codexbar_core.__file__)"],
                           env=env, capture_output=True, text=True, timeout=60).stdout
    assert where.startswith(str(home / ".local/pipx/venvs/codexbar/")), where


def test_pip_install_user_from_a_clean_clone(scratch, wheelhouse, clone):
    base_python = getattr(sys, "_base_executable", None) or sys.executable  # pip --user refuses inside a venv
    if Path(base_python) == Path(sys.executable) and sys.prefix != sys.base_prefix:
        pytest.skip("no base Python outside the virtual environment")
    env = user_env(scratch, wheelhouse)
    check = subprocess.run([base_python, "-m", "pip", "--version"], env=env, capture_output=True, timeout=60)
    if check.returncode != 0:
        pytest.skip(f"{base_python} has no pip")
    proc = subprocess.run([base_python, "-m", "pip", "install", "--user", str(clone)], env=env, capture_output=True,
                          text=True, timeout=600)
    if "externally-managed-environment" in proc.stderr:
        pytest.skip(f"{base_python} is managed by the system (PEP 668): pip --user is refused there")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    check_installed_codexbar(scratch / "home/.local/bin/codexbar", env, scratch)


def test_install_sh_from_a_clean_clone_then_a_copied_plugin(scratch, wheelhouse, clone):
    base_python = getattr(sys, "_base_executable", None) or sys.executable
    env = user_env(scratch, wheelhouse)
    proc = subprocess.run([str(clone / "install.sh"), "--no-link", "--python", base_python], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record = Path(env["HOME"]) / ".config/codexbar/install-location"
    assert record.read_text().splitlines()[1:] == [f"python={clone / '.venv/bin/python'}", f"checkout={clone}"]
    assert f"Recorded this codexbar in {record}" in proc.stdout
    plugin = scratch / "Plugins" / "codexbar.5m.py"
    plugin.parent.mkdir()
    plugin.write_bytes((clone / "plugins/codexbar.5m.py").read_bytes())
    plugin.chmod(0o755)
    menu = run_copied(plugin, env)
    assert menu.returncode == 0 and "\n---\n" in menu.stdout and "codex login" in menu.stdout, menu.stdout
