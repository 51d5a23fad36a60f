"""Secrets go to the system keyring when one is usable, else to an owner-only file in the cache folder."""

from __future__ import annotations

import stat

import keyring
import pytest
from keyring.backends import fail, null

from codexbar_core.secrets import SERVICE, SecretStore
from tests.web.file_keyring import LockedKeyring, MemoryKeyring

VALUE = "__Secure-next-auth.session-token=sess-SECRET-keyring-test"


@pytest.fixture
def use_keyring():
    previous = keyring.get_keyring()

    def use(backend):
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


def test_usable_keyring_holds_the_secret_and_no_file_is_written(use_keyring, tmp_path):
    kr = use_keyring(MemoryKeyring())
    store = SecretStore({}, directory=tmp_path)
    assert store.where == "keyring"
    assert store.set("cookie", VALUE) == "keyring"
    assert kr.store[(SERVICE, "cookie")] == VALUE
    assert not (tmp_path / "secrets.json").exists()
    assert SecretStore({}, directory=tmp_path).get("cookie") == VALUE
    assert store.delete("cookie") and store.get("cookie") is None


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_usable_keyring_falls_back_to_an_owner_only_file(use_keyring, tmp_path, backend):
    use_keyring(backend)
    store = SecretStore({}, directory=tmp_path)
    assert store.where == "file"
    assert store.set("cookie", VALUE) == "file"
    path = tmp_path / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert SecretStore({}, directory=tmp_path).get("cookie") == VALUE
    assert "no usable system keyring" in store.describe() and VALUE not in store.describe()
    store.delete("cookie")
    assert not path.exists()


def test_a_keyring_that_refuses_to_store_falls_back_to_the_file(use_keyring, tmp_path):
    use_keyring(LockedKeyring())
    store = SecretStore({}, directory=tmp_path)
    assert store.set("cookie", VALUE) == "file"
    assert store.get("cookie") == VALUE


def test_codexbar_keyring_off_skips_a_working_keyring(use_keyring, tmp_path):
    kr = use_keyring(MemoryKeyring())
    store = SecretStore({"CODEXBAR_KEYRING": "off"}, directory=tmp_path)
    assert store.set("cookie", VALUE) == "file"
    assert kr.store == {}


def test_moving_to_the_keyring_leaves_one_copy(use_keyring, tmp_path):
    use_keyring(fail.Keyring())
    SecretStore({}, directory=tmp_path).set("cookie", VALUE)
    use_keyring(MemoryKeyring())
    SecretStore({}, directory=tmp_path).set("cookie", VALUE + "2")
    assert not (tmp_path / "secrets.json").exists()


def test_parallel_writers_keep_every_secret(use_keyring, tmp_path):
    import threading

    use_keyring(fail.Keyring())
    names = [f"cookie-{i}" for i in range(12)]
    threads = [threading.Thread(target=SecretStore({}, directory=tmp_path).set, args=(n, VALUE)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store = SecretStore({}, directory=tmp_path)
    assert all(store.get(n) == VALUE for n in names)
