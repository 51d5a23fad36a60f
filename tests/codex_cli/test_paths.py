"""Finding `codex` with SwiftBar's minimal PATH (docs/reference/usage-sources.md, "Where things live"), and its version."""

from __future__ import annotations

from pathlib import Path

from codexbar_core import paths


def fake_codex(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    binary = folder / "codex"
    binary.write_text("#!/bin/sh\necho 'codex-cli 9.9.9'\n")
    binary.chmod(0o755)
    return binary


def test_explicit_path_wins_and_a_wrong_one_is_not_guessed_around(tmp_path: Path):
    other = fake_codex(tmp_path / "bin")
    env = {"PATH": str(tmp_path / "bin"), "HOME": str(tmp_path / "home")}
    assert paths.find_codex_binary(dict(env, CODEX_CLI_PATH=str(other))) == other
    assert paths.find_codex_binary(dict(env, CODEX_CLI_PATH=str(tmp_path / "missing"))) is None


def test_found_in_the_usual_places_the_minimal_path_misses(tmp_path: Path):
    home = tmp_path / "home"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
    assert paths.find_codex_binary(env) is None
    binary = fake_codex(home / ".bun" / "bin")
    assert paths.find_codex_binary(env) == binary
    assert str(home / ".bun" / "bin") in paths.enriched_path(env).split(":")


def test_newest_nvm_node_first(tmp_path: Path):
    home = tmp_path / "home"
    versions = home / ".nvm" / "versions" / "node"
    fake_codex(versions / "v9.11.2" / "bin")
    newest = fake_codex(versions / "v20.17.0" / "bin")
    fake_codex(versions / "v18.20.4" / "bin")
    assert paths.find_codex_binary({"PATH": "/usr/bin:/bin", "HOME": str(home)}) == newest


def test_version_of_the_real_cli_with_an_empty_path(codex_bin: Path):
    """The npm wrapper is a node script: the version is read even when PATH does not name node's folder."""
    assert paths.codex_version(codex_bin, env={"PATH": "/nonexistent"}) == "0.169.0"


def test_version_of_something_that_is_not_codex(tmp_path: Path):
    broken = tmp_path / "codex"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    assert paths.codex_version(broken, env={"PATH": "/usr/bin:/bin"}) is None
