"""Where Codex keeps its login, decided before any usage source runs (docs/decisions/codex-logins.md).

Codex 0.169.0 reads `cli_auth_credentials_store` from `$CODEX_HOME/config.toml`:
- `file` (default): `$CODEX_HOME/auth.json`;
- `keyring`: the system keyring only, service "Codex Auth", account "cli|" + the first 16 hex digits of
  SHA-256 of the real path of the Codex home; the value is auth.json's content as compact JSON;
- `auto`: the keyring entry when there is one, else auth.json;
- `ephemeral`: memory of the running Codex process only.

The detector never reads a secret: it reads config.toml, looks whether auth.json exists and (on
Linux, for keyring/auto) asks the Secret Service whether the entry exists, which never prompts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from codexbar_core import errors, paths
from codexbar_core.digests import sha256_hex
from codexbar_core.model import SourceAttempt
from codexbar_core.sources import keyring_probe as kp

CONFIG_KEY = "cli_auth_credentials_store"
MODES = ("file", "keyring", "auto", "ephemeral")
KEYRING_SERVICE = "Codex Auth"
PROBE_TIMEOUT = 1.0

# Which store Codex uses, as far as codexbar can tell.
USES_FILE = "file"
USES_KEYRING = "keyring"
USES_MEMORY = "memory"


@dataclass(frozen=True)
class LoginStore:
    """Which store, where it looked, what was found, and why it concluded so."""

    mode: str  # the configured mode: file | keyring | auto | ephemeral
    configured: bool  # False when config.toml does not set it (then "file")
    config_path: Path
    auth_file: Path
    file_present: bool
    keyring_account: str
    probe: kp.Probe | None  # None when the keyring was not asked (file / ephemeral)
    uses: str  # USES_FILE | USES_KEYRING | USES_MEMORY
    why: str  # one sentence for the Source submenu
    notes: tuple[str, ...] = ()

    @property
    def keyring_service(self) -> str:
        return KEYRING_SERVICE

    @property
    def file_in_use(self) -> bool:
        """True when Codex itself reads auth.json, so codexbar may read it too."""
        return self.uses == USES_FILE

    @property
    def entry_name(self) -> str:
        return f'service "{KEYRING_SERVICE}", account "{self.keyring_account}"'

    def summary(self) -> str:
        """The Source submenu's "Login:" line."""
        if self.uses == USES_MEMORY:
            return "Login: memory only (ephemeral) — codexbar cannot see it"
        if self.uses == USES_KEYRING:
            found = f" — {self.probe.detail}" if self.probe is not None else ""
            return f"Login: system keyring ({self.mode} mode){found}"
        state = "found" if self.file_present else "not found"
        mode = f" ({self.mode} mode)" if self.configured else ""
        return f"Login: {self.auth_file}{mode} — {state}"

    def to_dict(self) -> dict[str, object]:
        """For `usage --json` (trace.login): no secret, only names and states."""
        return {"mode": self.mode, "uses": self.uses, "authFile": str(self.auth_file),
                "authFilePresent": self.file_present, "keyringService": KEYRING_SERVICE,
                "keyringAccount": self.keyring_account,
                "keyring": self.probe.status if self.probe is not None else None, "why": self.why,
                "notes": list(self.notes)}


def keyring_account(codex_home: Path) -> str:
    """"cli|" + 16 hex digits of SHA-256 of the Codex home's real path (checked against 0.169.0)."""
    try:
        real = os.path.realpath(codex_home)
    except OSError:
        real = str(codex_home)
    return "cli|" + sha256_hex(real.encode("utf-8"))[:16]


def configured_mode(codex_home: Path) -> tuple[str, bool]:
    value = (paths.read_config_value(codex_home, CONFIG_KEY) or "").strip().lower()
    if value in MODES:
        return value, True
    return "file", False  # Codex's default; an unknown value makes Codex itself refuse the config


def _notes(codex_home: Path, env: dict[str, str]) -> tuple[str, ...]:
    notes = []
    if (env.get("CODEX_AUTH_HOME") or "").strip():
        notes.append("CODEX_AUTH_HOME is set, but Codex 0.169.0 ignores it; so does codexbar.")
    if (codex_home / "account-sessions.json").exists():
        notes.append("account-sessions.json found; Codex 0.169.0 does not use account sessions, "
                     "so codexbar shows the login Codex 0.169.0 uses.")
    return tuple(notes)


def detect(codex_home: Path, env: dict[str, str], *, timeout: float = PROBE_TIMEOUT) -> LoginStore:
    """The login store of one Codex home. Never reads a secret, never prompts."""
    home = Path(codex_home)
    mode, configured = configured_mode(home)
    auth_file = home / "auth.json"
    present = os.path.lexists(auth_file)
    account = keyring_account(home)
    where = f"{CONFIG_KEY} = \"{mode}\" in {home / 'config.toml'}" if configured else "Codex's default"
    probe = None
    if mode == "file":
        uses, why = USES_FILE, f"auth.json ({where})"
    elif mode == "ephemeral":
        uses, why = USES_MEMORY, f"memory only ({where})"
    else:
        probe = kp.probe_entry(KEYRING_SERVICE, account, env, timeout)
        if mode == "keyring":
            uses, why = USES_KEYRING, f"system keyring only ({where})"
        elif probe.status in (kp.ABSENT, kp.NO_DBUS, kp.NO_SERVICE):
            # Codex's auto mode: no entry, or no Secret Service reachable -> quietly auth.json
            uses, why = USES_FILE, f"auth.json, because the keyring has no Codex login ({where}: {probe.detail})"
        else:
            # entry present, locked, or not checkable: the keyring's login wins over any auth.json
            uses, why = USES_KEYRING, f"system keyring, which wins over auth.json ({where})"
    return LoginStore(mode=mode, configured=configured, config_path=home / "config.toml", auth_file=auth_file,
                      file_present=present, keyring_account=account, probe=probe, uses=uses, why=why,
                      notes=_notes(home, env))


# -- what the user is told --------------------------------------------------------------------------

SIGNED_OUT_KINDS = frozenset({"not_signed_in", "missing_credentials", "auth", "unavailable_source"})


def ephemeral_error(store: LoginStore) -> errors.CodexbarError:
    return errors.CodexbarError(
        f"Codex keeps its login only in memory ({CONFIG_KEY} = \"ephemeral\" in {store.config_path}), so "
        f"no other program, codexbar included, can see it. To show limits here, set it to \"file\", "
        f"\"keyring\" or \"auto\" and run `codex login`. Local cost still works.", kind="ephemeral_login")


def signed_out_error(store: LoginStore, env: dict[str, str]) -> errors.CodexbarError:
    """Why a keyring login could not be used, naming where codexbar looked and the exact fix."""
    probe = store.probe
    if probe is None or probe.status == kp.UNCHECKED:
        probe = kp.probe_entry(KEYRING_SERVICE, store.keyring_account, env, PROBE_TIMEOUT)
    where = f"the system keyring ({store.entry_name})"
    switch = f"or set {CONFIG_KEY} = \"file\" in {store.config_path} and run `codex login`"
    if probe.status == kp.NO_DBUS:
        return errors.CodexbarError(
            f"Codex keeps its login in {where}, but there is no D-Bus session to reach it: "
            f"{probe.detail}. Run codexbar inside your desktop session, {switch}.", kind="keyring_unreachable")
    if probe.status == kp.NO_SERVICE:
        return errors.CodexbarError(
            f"Codex keeps its login in {where}, but {probe.detail}. Start your keyring "
            f"(e.g. gnome-keyring), {switch}.", kind="keyring_unreachable")
    if probe.status == kp.LOCKED:
        return errors.CodexbarError(
            f"The system keyring holding Codex's login ({store.entry_name}) is locked. Unlock it "
            f"(log in to your desktop session, or open your keyring manager), then Refresh.", kind="keyring_locked")
    if probe.status == kp.PRESENT:
        return errors.NotSignedIn(
            f"Codex's login in {where} exists but Codex could not use it (damaged or expired). "
            f"Run `codex login` to replace it, then Refresh.")
    if probe.status == kp.ABSENT:
        return errors.NotSignedIn(
            f"Codex is not signed in: no login in {where}. Run `codex login`, then Refresh.")
    return errors.NotSignedIn(
        f"Codex is not signed in: it found no login in {where}. Run `codex login`, then Refresh.")


def cli_retry_helps(store: LoginStore, error: errors.CodexbarError | None) -> bool:
    """The CLI said "not signed in" although the keyring holds Codex's login: worth one more app-server."""
    return (error is not None and error.kind == "not_signed_in" and store.uses == USES_KEYRING
            and store.probe is not None and store.probe.status == kp.PRESENT)


def _file_signed_out(store: LoginStore, error: errors.CodexbarError) -> errors.CodexbarError:
    """No auth.json where Codex keeps it: say which file (and, in auto mode, that the keyring had none)."""
    if store.file_present or error.kind not in ("not_signed_in", "missing_credentials"):
        return error  # a damaged or API-key auth.json has its own, more precise line
    where = f"there is no {store.auth_file}"
    if store.mode == "auto" and store.probe is not None:
        where = f"no login in the system keyring ({store.entry_name}: {store.probe.detail}) and no {store.auth_file}"
    return errors.CodexbarError(f"Codex is not signed in: {where}. Run `codex login`, then Refresh.",
                                kind=error.kind)


def explain(store: LoginStore, error: errors.CodexbarError, env: dict[str, str],
            attempts: list[SourceAttempt] | None = None) -> errors.CodexbarError:
    """A sign-in failure in keyring/auto mode, reworded to say where Codex's login was looked for.

    When codexbar read the entry itself and found it damaged, that precise line wins over the CLI's
    plain "not signed in".
    """
    if store.uses == USES_FILE:
        return _file_signed_out(store, error)
    if store.uses != USES_KEYRING or error.kind not in SIGNED_OUT_KINDS:
        return error
    for attempt in attempts or []:
        if attempt.error_kind == "keyring_damaged":
            return errors.CodexbarError(attempt.reason, kind=attempt.error_kind)
    return signed_out_error(store, env)
