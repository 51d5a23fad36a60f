"""`$CODEX_HOME/auth.json`: read the tokens, read identity from the JWTs, tell when they are stale,
and refresh them safely when no Codex CLI is there to do it (docs/reference/usage-sources.md,
"OAuth: auth.json" to "OAuth: token refresh").

Safety rules of the refresh, because a bad write logs the user out of Codex:
- one refresh at a time (an exclusive lock next to auth.json, shared by every codexbar process);
- re-read auth.json after taking the lock and again just before writing: if someone else (another
  codexbar, the codex CLI) changed it meanwhile, their file wins and ours is discarded;
- write a temp file in the same folder with the original mode, fsync, `os.replace`: readers see the
  old file or the new one, never a partial or empty one; every field we do not know is kept;
- any failure before the replace leaves auth.json byte-identical.

Nothing here puts a token into a message, a log or an exception.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from codexbar_core.errors import (
    AuthError,
    CodexbarError,
    MissingCredentials,
    NotConfigured,
    SourceTimeout,
    Unavailable,
)
from codexbar_core.model import UTC, parse_iso

AUTH_FILE = "auth.json"
LOCK_FILE = ".codexbar-auth.lock"
STALE_AFTER = dt.timedelta(days=8)
EXPIRY_MARGIN = dt.timedelta(seconds=60)

TOKEN_URL = "https://auth.openai.com/oauth/token"
TOKEN_URL_ENV = "CODEX_REFRESH_TOKEN_URL_OVERRIDE"
CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"  # the Codex CLI's public OAuth client id

AUTH_CLAIMS = "https://api.openai.com/auth"
PROFILE_CLAIMS = "https://api.openai.com/profile"

LOGIN_HINT = "Run `codex login` to sign in again."
# The token endpoint's codes for a refresh token that can never work again (docs/reference/usage-sources.md, "OAuth: token refresh").
DEAD_REFRESH_CODES = frozenset({"refresh_token_expired", "refresh_token_reused", "refresh_token_invalidated",
                                "invalid_grant"})


@dataclass
class AuthFile:
    """What auth.json says, plus the exact bytes it was read from (to notice concurrent changes)."""

    path: Path
    raw: dict[str, Any]
    content: bytes
    access_token: str
    refresh_token: str
    id_token: str | None
    account_id: str | None
    last_refresh: dt.datetime | None
    origin: str = "file"  # "keyring" when read from Codex's keyring entry, which codexbar never writes

    def email(self) -> str | None:
        """From the id_token (docs/reference/usage-sources.md, "OAuth: identity from the id_token"); the access token only when the id_token says nothing."""
        return email_from_claims(jwt_claims(self.id_token)) or email_from_claims(jwt_claims(self.access_token))

    def plan(self) -> str | None:
        return plan_from_claims(jwt_claims(self.id_token)) or plan_from_claims(jwt_claims(self.access_token))


# -- JWT ---------------------------------------------------------------------------------------

def jwt_claims(token: str | None) -> dict[str, Any]:
    """The payload of a JWT, unverified (we only read our own file); {} for anything malformed."""
    if not isinstance(token, str) or token.count(".") != 2:
        return {}
    payload = token.split(".")[1]
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _claim_str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def email_from_claims(claims: dict[str, Any]) -> str | None:
    profile = claims.get(PROFILE_CLAIMS)
    return _claim_str(claims.get("email")) or _claim_str(profile.get("email") if isinstance(profile, dict) else None)


def plan_from_claims(claims: dict[str, Any]) -> str | None:
    auth = claims.get(AUTH_CLAIMS)
    nested = auth.get("chatgpt_plan_type") if isinstance(auth, dict) else None
    return _claim_str(nested) or _claim_str(claims.get("chatgpt_plan_type"))


def account_id_from_claims(claims: dict[str, Any]) -> str | None:
    auth = claims.get(AUTH_CLAIMS)
    found = _claim_str(claims.get("chatgpt_account_id"))
    if found is None and isinstance(auth, dict):
        found = _claim_str(auth.get("chatgpt_account_id"))
    if found is None:
        orgs = claims.get("organizations")
        if isinstance(orgs, list) and orgs and isinstance(orgs[0], dict):
            found = _claim_str(orgs[0].get("id"))
    return found


def _account_id_from_tokens(id_token: str | None, access_token: str | None) -> str | None:
    for token in (id_token, access_token):
        found = account_id_from_claims(jwt_claims(token))
        if found:
            return found
    return None


def token_expiry(token: str | None) -> dt.datetime | None:
    exp = jwt_claims(token).get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    try:
        return dt.datetime.fromtimestamp(float(exp), UTC)
    except (OverflowError, OSError, ValueError):
        return None


# -- reading -------------------------------------------------------------------------------------

def auth_path(codex_home: Path) -> Path:
    return Path(codex_home) / AUTH_FILE


def _token(tokens: dict[str, Any], snake: str, camel: str) -> str | None:
    """snake_case wins over camelCase; empty counts as missing (docs/reference/usage-sources.md, "OAuth: auth.json")."""
    for key in (snake, camel):
        value = tokens.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _header_safe(value: str) -> bool:
    return value.isascii() and value.isprintable() and " " not in value


def parse_auth(path: Path, content: bytes) -> AuthFile:
    """Bytes of auth.json -> AuthFile, or a MissingCredentials / NotConfigured saying what to do."""
    if not content.strip():
        raise MissingCredentials(f"Codex auth.json is empty. {LOGIN_HINT}")
    try:
        raw = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MissingCredentials(f"Codex auth.json is damaged (not valid JSON). {LOGIN_HINT}") from None
    if not isinstance(raw, dict):
        raise MissingCredentials(f"Codex auth.json is damaged (not a JSON object). {LOGIN_HINT}")
    tokens = raw.get("tokens")
    tokens = tokens if isinstance(tokens, dict) else {}
    access = _token(tokens, "access_token", "accessToken")
    refresh = _token(tokens, "refresh_token", "refreshToken")
    if access is None or refresh is None:
        api_key = raw.get("OPENAI_API_KEY")
        if isinstance(api_key, str) and api_key.strip():
            raise NotConfigured("Codex is signed in with an API key, which has no ChatGPT usage limits to show. "
                                "Run `codex login` and sign in with ChatGPT to see them.")
        raise MissingCredentials(f"Codex auth.json exists but contains no tokens. {LOGIN_HINT}")
    id_token = _token(tokens, "id_token", "idToken")
    account_id = _token(tokens, "account_id", "accountId") or _account_id_from_tokens(id_token, access)
    if not all(_header_safe(v) for v in (access, account_id or "")):
        # both go into HTTP headers, and an HTTP library's complaint about a bad header quotes it
        raise MissingCredentials(f"Codex auth.json holds a damaged token. {LOGIN_HINT}")
    last = raw.get("last_refresh")
    return AuthFile(path=path, raw=raw, content=content, access_token=access, refresh_token=refresh,
                    id_token=id_token, account_id=account_id, last_refresh=parse_iso(last))


def read_bytes(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a FIFO blocks the read forever, a device never ends
            raise MissingCredentials(f"Codex auth.json is not a regular file. {LOGIN_HINT}")
        return path.read_bytes()
    except FileNotFoundError:
        raise MissingCredentials("Codex auth.json not found. Run `codex login` to sign in.") from None
    except IsADirectoryError:
        raise MissingCredentials(f"Codex auth.json is a folder, not a file. {LOGIN_HINT}") from None
    except PermissionError:
        raise MissingCredentials("Codex auth.json cannot be read (permission denied). "
                                 "Check its owner, or run `codex login`.") from None
    except OSError as exc:
        raise MissingCredentials(f"Codex auth.json cannot be read ({type(exc).__name__}). "
                                 f"{LOGIN_HINT}") from None


def read_auth(codex_home: Path) -> AuthFile:
    path = auth_path(codex_home)
    return parse_auth(path, read_bytes(path))


def identity_email(codex_home: Path) -> str | None:
    """The signed-in email from auth.json's id_token (web matching uses it); None when unknown."""
    try:
        auth = read_auth(Path(codex_home))
    except CodexbarError:
        return None
    email = auth.email()
    return email.lower() if email else None


# -- staleness -------------------------------------------------------------------------------------

def needs_refresh(auth: AuthFile, now: dt.datetime) -> bool:
    """Stale: `last_refresh` missing or older than 8 days, or the access token expires within 60 s."""
    if auth.last_refresh is None or now - auth.last_refresh > STALE_AFTER:
        return True
    return expires_soon(auth, now)


def expires_soon(auth: AuthFile, now: dt.datetime) -> bool:
    """The access token's `exp` is within 60 s (or past): it cannot be used as it is."""
    expiry = token_expiry(auth.access_token)
    return expiry is not None and expiry - now <= EXPIRY_MARGIN


def stale_error() -> CodexbarError:
    return CodexbarError("Codex auth.json needs refresh; codexbar will let the Codex CLI refresh it. "
                         "Run `codex login` if that fails.", kind="needs_refresh")


# -- refreshing -------------------------------------------------------------------------------------

def token_url(env: dict[str, str]) -> str:
    return (env.get(TOKEN_URL_ENV) or "").strip() or TOKEN_URL


class _Lock:
    """An exclusive flock on a small file next to auth.json, waited for until `deadline`."""

    def __init__(self, codex_home: Path, deadline: float) -> None:
        self.path = Path(codex_home) / LOCK_FILE
        self.deadline = deadline
        self.fd: int | None = None

    def __enter__(self) -> _Lock:
        import fcntl

        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            raise Unavailable("Cannot refresh the Codex sign-in: the Codex folder is not writable. "
                              f"{LOGIN_HINT}") from None
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() >= self.deadline:
                    self._close()
                    raise SourceTimeout("Another codexbar is refreshing the Codex sign-in; "
                                        "try again in a moment.") from None
                time.sleep(0.05)

    def _close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None

    def __exit__(self, *exc: Any) -> None:
        self._close()


def _reread(path: Path) -> AuthFile | None:
    """auth.json as it is now, or None when it is gone or unreadable (then we must not write)."""
    try:
        return parse_auth(path, read_bytes(path))
    except CodexbarError:
        return None


PostFn = Callable[[str, dict[str, Any], float], Any]


def refresh(auth: AuthFile, *, env: dict[str, str], now: Callable[[], dt.datetime], deadline: float,
            post: PostFn) -> AuthFile:
    """Get new tokens for `auth` and store them; return the file to use (ours, or a newer one).

    `post(url, json_body, timeout) -> (status, json_or_None)` does the HTTP call; it raises a
    CodexbarError for transport failures. On any failure auth.json is left byte-identical.
    """
    home = auth.path.parent
    with _Lock(home, deadline):
        current = _reread(auth.path)
        if current is None:
            raise MissingCredentials(f"Codex auth.json changed while refreshing. {LOGIN_HINT}")
        if current.content != auth.content and not needs_refresh(current, now()):
            return current  # someone refreshed while we waited for the lock
        timeout = deadline - time.monotonic()
        if timeout <= 0.05:
            raise SourceTimeout(f"Ran out of time refreshing the Codex sign-in. {LOGIN_HINT}")
        body = {"client_id": CLIENT_ID, "grant_type": "refresh_token", "refresh_token": current.refresh_token,
                "scope": "openid profile email"}
        status, answer = post(token_url(env), body, timeout)
        new_tokens = _check_token_answer(status, answer)
        latest = _reread(auth.path)
        if latest is None:
            raise MissingCredentials(f"Codex auth.json disappeared while refreshing. {LOGIN_HINT}")
        if latest.content != current.content:
            return latest  # the codex CLI (which does not take our lock) wrote meanwhile: its file wins
        updated = _merge(current.raw, new_tokens, now())
        _write_atomically(auth.path, updated)
        return parse_auth(auth.path, read_bytes(auth.path))


def _error_code(answer: Any) -> str | None:
    if not isinstance(answer, dict):
        return None
    err = answer.get("error")
    if isinstance(err, dict):
        err = err.get("code") or err.get("type")
    code = err if isinstance(err, str) else answer.get("code")
    return code.strip().lower() if isinstance(code, str) else None


def _check_token_answer(status: int, answer: Any) -> dict[str, str]:
    """The new tokens, or an error naming the cause (never the tokens) and telling to `codex login`."""
    code = _error_code(answer)
    if 200 <= status < 300:
        fresh = {k: answer[k].strip() for k in ("access_token", "refresh_token", "id_token")
                 if isinstance(answer, dict) and isinstance(answer.get(k), str) and answer[k].strip()}
        if fresh.get("access_token"):
            return fresh
        raise Unavailable(f"The sign-in server answered without new tokens. {LOGIN_HINT}")
    if code in DEAD_REFRESH_CODES or status == 401:
        why = {"refresh_token_expired": "it expired", "refresh_token_reused": "it was already used elsewhere"}
        reason = why.get(code or "", "it was revoked" if code else "it is no longer valid")
        raise AuthError(f"Codex sign-in could not be renewed: {reason}. {LOGIN_HINT}")
    if status >= 500 or status == 429:
        raise Unavailable(f"The sign-in server is temporarily unavailable (HTTP {status}); "
                          f"the Codex sign-in was not renewed. Run `codex login` if this persists.")
    raise AuthError(f"Codex sign-in could not be renewed (HTTP {status}). {LOGIN_HINT}")


def _merge(raw: dict[str, Any], fresh: dict[str, str], now: dt.datetime) -> dict[str, Any]:
    """A copy of auth.json's object with new tokens; every other field (known or not) unchanged."""
    updated = json.loads(json.dumps(raw))
    tokens = updated.get("tokens")
    if not isinstance(tokens, dict):
        tokens = updated["tokens"] = {}
    camel = {"access_token": "accessToken", "refresh_token": "refreshToken", "id_token": "idToken"}
    for snake, value in fresh.items():
        # update the spelling the file already uses (snake wins when both are there)
        key = snake if snake in tokens or camel[snake] not in tokens else camel[snake]
        tokens[key] = value
    updated["last_refresh"] = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return updated


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    """Temp file in the same folder, original mode, fsync, rename over: never a partial auth.json."""
    target = Path(os.path.realpath(path))  # a symlinked auth.json stays a symlink
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o600
    payload = (json.dumps(data, indent=2) + "\n").encode("utf-8")
    tmp = target.with_name(f".{target.name}.codexbar-{os.getpid()}-{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, mode)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise Unavailable(f"Could not save the renewed Codex sign-in (disk or permission problem). "
                          f"{LOGIN_HINT}") from None
    try:
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
