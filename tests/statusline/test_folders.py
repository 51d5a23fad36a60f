"""The status line finds the same cache and settings folders as the rest of codexbar (platformdirs)."""

from __future__ import annotations

import platformdirs
import pytest

from codexbar_core.statusline.folders import cache_dir, config_dir, platform_dir

ENVS = [
    {"HOME": "/home/dana"},
    {"HOME": "/home/dana", "XDG_CACHE_HOME": "/var/cache/dana", "XDG_CONFIG_HOME": "/etc/dana"},
    {"HOME": "/home/dana", "XDG_CACHE_HOME": "  ", "XDG_CONFIG_HOME": ""},
]


@pytest.mark.parametrize("env", ENVS)
def test_defaults_agree_with_platformdirs(monkeypatch, env):
    for key in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert platform_dir("cache", env) == platformdirs.user_cache_dir("codexbar", appauthor=False)
    assert platform_dir("config", env) == platformdirs.user_config_dir("codexbar", appauthor=False)


def test_macos_defaults_agree_with_platformdirs(monkeypatch):
    from platformdirs.macos import MacOS

    monkeypatch.setenv("HOME", "/Users/dana")
    mac = MacOS("codexbar", appauthor=False)
    assert platform_dir("cache", {"HOME": "/Users/dana"}, "darwin") == mac.user_cache_dir
    assert platform_dir("config", {"HOME": "/Users/dana"}, "darwin") == mac.user_config_dir


def test_a_folder_named_in_the_environment_wins():
    env = {"HOME": "/home/dana", "CODEXBAR_CACHE_DIR": "~/c", "SWIFTBAR_PLUGIN_DATA_PATH": "/data"}
    assert cache_dir(env).endswith("/c") and config_dir(env) == "/data"
