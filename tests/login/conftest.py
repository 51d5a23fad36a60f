"""Fixtures of the login-store tests: a real unlocked gnome-keyring on a private D-Bus bus."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.login.secret_service import SecretService, processes_with, why_cannot_run


def _service(scratch: Path, daemon: bool):
    reason = why_cannot_run()
    if reason:
        pytest.skip(reason)
    service = SecretService(scratch / "keyring").start(daemon=daemon)
    try:
        yield service
    finally:
        service.stop()
        # every daemon and every codex process the test started is gone (they all carry the bus address)
        assert processes_with(service.address) == [], "a daemon or CLI process outlived the test"


@pytest.fixture
def secret_service(scratch: Path):
    """gnome-keyring-daemon, unlocked, on a private bus; stopped and checked gone afterwards."""
    yield from _service(scratch, daemon=True)


@pytest.fixture
def bare_bus(scratch: Path):
    """A private D-Bus session with no Secret Service on it."""
    yield from _service(scratch, daemon=False)
