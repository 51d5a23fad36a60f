"""The notification tests' shared fixture: codexbar's own cache, where what was already told is kept."""

from __future__ import annotations

import pytest

from codexbar_core.cache import Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "cache")
    yield s
    s.close()
