"""A plugin file copied (not linked) into a plugins folder finds codexbar, or says how to install it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.install.helpers import clean_env, copy_plugin, run_copied
from tests.rig.runner import run_codexbar

VENV_BIN = Path(sys.executable).parent  # the worktree's .venv, where ./install.sh installs codexbar

NOT_INSTALLED = """Codex ⚠
---
codexbar is not installed where this plugin can find it.
In a terminal, in the codexbar folder, run:  ./install.sh | font=Menlo
Or install the command with pipx:  pipx install . && codexbar install-plugin --copy | font=Menlo
Looked in: this plugin's folder, {home}/.config/codexbar/install-location, ~/.local/bin, /opt/homebrew/bin, \
/usr/local/bin
Open the install instructions | href=https://github.com/codexbar/codexbar#install
Refresh | refresh=true
"""


@pytest.fixture
def env(scratch, env_for):
    return clean_env(env_for(scratch / "codex-home"))


def full_menu(plugin: Path, env: dict[str, str]) -> str:
    """What `codexbar menu` prints when its click lines run `plugin`."""
    proc = run_codexbar(["menu"], dict(env, CODEXBAR_ACTION_PATH=str(plugin)))
    assert proc.returncode == 0 and "\n---\n" in proc.stdout, proc.stderr
    return proc.stdout


def test_not_installed_says_exactly_what_to_run(scratch, env):
    for place in ("/usr/local/bin/codexbar", "/opt/homebrew/bin/codexbar"):
        if os.path.exists(place):
            pytest.skip(f"this machine has {place}: the plugin rightly finds it")
    plugin = copy_plugin(scratch / "SwiftBar Plugins")
    proc = run_copied(plugin, env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == NOT_INSTALLED.format(home=env["HOME"])


def test_found_through_the_install_record(scratch, env):
    recorded = run_codexbar(["install-plugin", "--record-only"], env)  # what ./install.sh runs
    assert recorded.returncode == 0, recorded.stderr
    record = Path(env["HOME"]) / ".config/codexbar/install-location"
    assert f"python={VENV_BIN / 'python'}" in record.read_text().splitlines()
    plugin = copy_plugin(scratch / "SwiftBar Plugins")
    proc = run_copied(plugin, env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == full_menu(plugin, env)
    assert f'Refresh | bash="{plugin}" param1=refresh' in proc.stdout  # clicks run the copy again


def test_found_as_a_codexbar_command_in_local_bin(scratch, env):
    local_bin = Path(env["HOME"]) / ".local/bin"  # where pipx and pip --user put commands
    local_bin.mkdir(parents=True)
    (local_bin / "codexbar").symlink_to(VENV_BIN / "codexbar")
    plugin = copy_plugin(scratch / "Plugins")
    proc = run_copied(plugin, env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == full_menu(plugin, env)


def test_click_actions_reach_codexbar_through_the_copy(scratch, env):
    run_codexbar(["install-plugin", "--record-only"], env)
    plugin = copy_plugin(scratch / "Plugins")
    proc = run_copied(plugin, env, "set", "title_mode", "pace")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "title_mode set to pace.\n"
    settings = json.loads((Path(env["CODEXBAR_CONFIG_DIR"]) / "settings.json").read_text())
    assert settings["title_mode"] == "pace"


def test_a_record_pointing_nowhere_falls_through_to_the_help(scratch, env):
    for place in ("/usr/local/bin/codexbar", "/opt/homebrew/bin/codexbar"):
        if os.path.exists(place):
            pytest.skip(f"this machine has {place}: the plugin rightly finds it")
    record = Path(env["HOME"]) / ".config/codexbar/install-location"
    record.parent.mkdir(parents=True)
    record.write_text(f"python={scratch / 'gone/.venv/bin/python'}\ncheckout={scratch / 'gone'}\n")
    plugin = copy_plugin(scratch / "Plugins")
    assert run_copied(plugin, env).stdout == NOT_INSTALLED.format(home=env["HOME"])
