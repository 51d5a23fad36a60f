"""Shared fixtures: TLS material, the fake backend, throw-away Codex homes, the real codex CLI."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "lib"))

from tests.rig.certs import LocalTLS, make_local_tls  # noqa: E402
from tests.rig.codex_cli import codex_binary, why_real_cli_cannot_run  # noqa: E402
from tests.rig.fake_backend import FakeBackend  # noqa: E402
from tests.rig.runner import base_env  # noqa: E402


@pytest.fixture(scope="session")
def local_tls(tmp_path_factory: pytest.TempPathFactory) -> LocalTLS:
    return make_local_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def backend(local_tls: LocalTLS):
    """The fake ChatGPT backend over HTTPS on 127.0.0.1 (random port)."""
    with FakeBackend(tls=local_tls.server_context) as fb:
        yield fb


@pytest.fixture
def scratch():
    """A scratch folder outside /tmp (codex refuses helper binaries under /tmp); removed afterwards."""
    path = Path("/var/tmp/codexbar-tests") / uuid.uuid4().hex[:12]
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def env_for(scratch: Path, local_tls: LocalTLS):
    """env_for(codex_home, **extra) -> environment for a codexbar subprocess."""

    def make(codex_home: Path, **extra: str) -> dict[str, str]:
        env = base_env(scratch, codex_home, CODEX_CA_CERTIFICATE=str(local_tls.ca_pem))
        env.update(extra)
        return env

    return make


@pytest.fixture(scope="session")
def codex_bin() -> Path:
    """The real codex 0.169.0. Skips only where it truly cannot run; in CI it must."""
    reason = why_real_cli_cannot_run()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"real codex CLI required in CI: {reason}")
        pytest.skip(reason)
    binary = codex_binary()
    assert binary is not None
    return binary
