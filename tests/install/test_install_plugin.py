"""`codexbar install-plugin`: the plugin into a host's folder, linked or copied, and the install record."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.install.helpers import clean_env, run_copied
from tests.rig.runner import PLUGIN, run_codexbar


@pytest.fixture
def env(scratch, env_for):
    return clean_env(env_for(scratch / "codex-home"))


def test_argos_gets_a_link_to_the_checkouts_plugin(env):
    proc = run_codexbar(["install-plugin", "--argos"], env)
    assert proc.returncode == 0, proc.stderr
    target = Path(env["HOME"]) / ".config/argos/codexbar.5m.py"
    assert target.is_symlink() and Path(os.readlink(target)) == PLUGIN
    assert proc.stdout.splitlines()[0] == f"Linked {target} -> {PLUGIN}"
    menu = run_copied(target, env)
    assert menu.returncode == 0 and "\n---\n" in menu.stdout and "Refresh | bash=" in menu.stdout


def test_copy_into_a_named_folder_is_an_independent_executable_file(scratch, env):
    folder = scratch / "xbar plugins"
    proc = run_codexbar(["install-plugin", "--xbar", str(folder), "--copy"], env)
    assert proc.returncode == 0, proc.stderr
    target = folder / "codexbar.5m.py"
    assert not target.is_symlink() and target.read_bytes() == PLUGIN.read_bytes()
    assert os.access(target, os.X_OK)
    record = (Path(env["HOME"]) / ".config/codexbar/install-location").read_text()
    assert f"python={sys.executable}" in record.splitlines()
    menu = run_copied(target, env)  # found through the record the command left
    assert menu.returncode == 0 and f'Refresh | bash="{target}" param1=refresh' in menu.stdout


def test_reinstalling_replaces_a_link_with_a_copy(scratch, env):
    folder = scratch / "plugins"
    assert run_codexbar(["install-plugin", str(folder)], env).returncode == 0
    assert (folder / "codexbar.5m.py").is_symlink()
    assert run_codexbar(["install-plugin", str(folder), "--copy"], env).returncode == 0
    assert not (folder / "codexbar.5m.py").is_symlink()
    assert sorted(p.name for p in folder.iterdir()) == ["codexbar.5m.py"]  # no temporary left behind


def test_xbar_default_folder_is_under_home(env):
    proc = run_codexbar(["install-plugin", "--xbar", "--copy"], env)
    assert proc.returncode == 0, proc.stderr
    assert (Path(env["HOME"]) / "Library/Application Support/xbar/plugins/codexbar.5m.py").is_file()


def test_swiftbar_without_a_plugin_folder_says_what_to_do(env):
    proc = run_codexbar(["install-plugin", "--swiftbar"], env)  # no `defaults` here, as on a fresh Mac
    assert proc.returncode == 1
    assert proc.stderr == ("codexbar install-plugin: SwiftBar has no plugin folder yet: open SwiftBar, choose one, "
                           "then run this again (or name the folder: codexbar install-plugin --swiftbar DIR)\n")


def test_two_hosts_at_once_is_refused(env):
    proc = run_codexbar(["install-plugin", "--xbar", "--argos"], env)
    assert proc.returncode == 1 and "name one host" in proc.stderr
