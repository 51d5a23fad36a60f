"""Where codexbar keeps secrets (cookie headers): the system keyring when one is usable, else a 0600 file.

"Usable" is decided the way keyring itself decides: the backend keyring picks must not be its `fail`
backend (no recommended backend; every call raises) or the `null` one (stores nothing), nor a chainer
with nothing to chain. `CODEXBAR_KEYRING=off` skips the keyring (a user who does not want keychain
entries, or a headless box whose keyring would ask for a password). Values are never logged, never
put into exceptions, and never used in names.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codexbar_core import paths

SERVICE = "codexbar"
FILE_NAME = "secrets.json"


def usable_keyring(env: dict[str, str] | None = None) -> Any:
    """The keyring backend to use, or None when there is no usable one (imports keyring lazily)."""
    env = os.environ if env is None else env
    if (env.get("CODEXBAR_KEYRING") or "").strip().lower() in ("off", "0", "no", "false", "file"):
        return None
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring install (or a D-Bus quirk) means "no keyring", not a crash
        return None
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


class SecretStore:
    """get/set/delete named secrets; `where` says which store answered ("keyring" or "file")."""

    def __init__(self, env: dict[str, str] | None = None, directory: Path | None = None) -> None:
        self.env = dict(os.environ if env is None else env)
        self._directory = directory
        self._backend: Any = None
        self._checked = False

    @property
    def file_path(self) -> Path:
        return (self._directory or paths.cache_dir(self.env)) / FILE_NAME

    def backend(self) -> Any:
        if not self._checked:
            self._backend = usable_keyring(self.env)
            self._checked = True
        return self._backend

    @property
    def where(self) -> str:
        return "keyring" if self.backend() is not None else "file"

    def describe(self) -> str:
        kr = self.backend()
        if kr is None:
            return f"file {self.file_path} (owner-only; no usable system keyring)"
        return f"system keyring ({type(kr).__module__}.{type(kr).__name__})"

    # -- operations ------------------------------------------------------------------------------
    def get(self, name: str) -> str | None:
        kr = self.backend()
        if kr is not None:
            try:
                value = kr.get_password(SERVICE, name)
            except Exception:
                value = None
            if value:
                return value
        value = self._read_file().get(name)
        return value if isinstance(value, str) and value else None

    def set(self, name: str, value: str) -> str:
        """Store `value`; returns where it went. Falls back to the file when the keyring refuses."""
        kr = self.backend()
        if kr is not None:
            try:
                kr.set_password(SERVICE, name, value)
            except Exception:
                pass
            else:
                self._drop_from_file(name)  # one copy only
                return "keyring"
        with self._file_lock():
            data = self._read_file()
            data[name] = value
            self._write_file(data)
        return "file"

    def delete(self, name: str) -> bool:
        removed = False
        kr = self.backend()
        if kr is not None:
            try:
                if kr.get_password(SERVICE, name) is not None:
                    kr.delete_password(SERVICE, name)
                    removed = True
            except Exception:
                pass
        return self._drop_from_file(name) or removed

    # -- the fallback file ---------------------------------------------------------------------------
    def _read_file(self) -> dict[str, Any]:
        try:
            data = json.loads(self.file_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_file(self, data: dict[str, Any]) -> None:
        from codexbar_core.settings import write_private_json  # atomic, 0600

        write_private_json(self.file_path, data)

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Several homes refresh in parallel: read-modify-write of the file happens one at a time."""
        lock_path = self.file_path.with_suffix(".lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _drop_from_file(self, name: str) -> bool:
        if not self.file_path.exists():
            return False
        with self._file_lock():
            data = self._read_file()
            if name not in data:
                return False
            del data[name]
            if data:
                self._write_file(data)
            else:
                try:
                    self.file_path.unlink()
                except OSError:
                    pass
        return True
