"""Read Codex's login from its keyring entry with the `keyring` library (opt-in, interactive runs only).

Only when the user turned on "Read Codex's keychain login directly" and only on a run somebody asked
for (a click, a terminal command): on macOS the first read shows the keychain's "allow" prompt, and a
background run must never do that (docs/decisions/codex-logins.md). codexbar never writes the entry:
a token that is about to expire is left to the Codex CLI, which renews it and stores it itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codexbar_core.errors import CodexbarError, MissingCredentials
from codexbar_core.sources import auth as authfile
from codexbar_core.sources import keyring_probe as kp
from codexbar_core.sources.login_store import KEYRING_SERVICE, LoginStore, signed_out_error

SETTING = "keyring_direct"
DAMAGED = "keyring_damaged"  # the entry is there but holds no usable login
FIX = "Run `codex login` to replace it, then Refresh."


def enabled(settings: Any) -> bool:
    return settings is not None and settings.get(SETTING) is True


def _backend() -> Any:
    """keyring's chosen backend, or a clear error when it has none (no secretstorage, no D-Bus module)."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception:
        backend = None
    usable = backend is not None and not isinstance(backend, (fail.Keyring, null.Keyring)) and not (
        isinstance(backend, chainer.ChainerBackend) and not backend.backends)
    if not usable:
        raise CodexbarError("Cannot read Codex's keychain login directly: the Python `keyring` library has no "
                            "backend for this system's keyring. Turn off \"Read Codex's keychain login directly\" "
                            "(codexbar then asks the Codex CLI), or install a keyring backend.",
                            kind="keyring_backend_missing")
    return backend


def read_entry(store: LoginStore, env: dict[str, str]) -> authfile.AuthFile:
    """The entry as an AuthFile (origin "keyring"). Raises with a line that names the entry and the fix."""
    probe = store.probe
    if probe is not None and probe.status in (kp.LOCKED, kp.NO_DBUS, kp.NO_SERVICE):
        # keyring would ask to unlock (a prompt) or fail obscurely: say what is wrong instead
        raise signed_out_error(store, env)
    backend = _backend()
    try:
        value = backend.get_password(KEYRING_SERVICE, store.keyring_account)
    except Exception as exc:  # its text may quote D-Bus replies; only the type is kept
        name = type(exc).__name__
        if name == "KeyringLocked":
            raise signed_out_error(store, env) from None
        raise CodexbarError(f"Could not read Codex's keychain login ({store.entry_name}): {name}. "
                            "Refresh to try again, or turn off \"Read Codex's keychain login directly\".",
                            kind="keyring_error") from None
    if value is None:
        raise MissingCredentials(f"Codex is not signed in: no login in the system keyring ({store.entry_name}). "
                                 "Run `codex login`, then Refresh.")
    return parse_entry(store, value)


def parse_entry(store: LoginStore, value: str) -> authfile.AuthFile:
    content = value.encode("utf-8", "replace")
    try:
        json.loads(value)
    except ValueError:
        raise CodexbarError(f"Codex's login in the system keyring ({store.entry_name}) is damaged "
                            f"(not JSON). {FIX}", kind=DAMAGED) from None
    try:
        parsed = authfile.parse_auth(Path(f"keyring:{store.keyring_account}"), content)
    except CodexbarError as exc:
        message = exc.message.replace("Codex auth.json", f"Codex's keyring entry ({store.entry_name})")
        raise CodexbarError(message, kind=DAMAGED if exc.kind == "missing_credentials" else exc.kind) from None
    parsed.origin = "keyring"
    return parsed


def expired_error(store: LoginStore) -> CodexbarError:
    """The entry's access token is (nearly) expired: the CLI renews it, codexbar never writes the keyring."""
    return CodexbarError(f"The token in Codex's keyring login ({store.entry_name}) has expired; codexbar leaves "
                         "renewing it to Codex. Run any `codex` command (or `codex login`), then Refresh.",
                         kind="needs_refresh")
