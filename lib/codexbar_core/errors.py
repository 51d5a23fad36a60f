"""One error hierarchy for every source and the cost scanner.

Like yt-dlp, an error says whether it is *expected* (the user's or the service's condition, shown
plainly in the menu) or a bug (shown with a short "please report" hint, traceback only in the log).
`kind` is an `ErrorKind`: a stable machine-readable tag used in JSON output and by the source
registry's fallback rules (docs/design/sources-and-commands.md).
"""

from __future__ import annotations

import enum


class ErrorKind(str, enum.Enum):
    """Why something failed. A `str`, so JSON output and comparisons with plain text keep working."""

    ERROR = "error"  # a failure with no more precise kind
    BUG = "bug"  # an unexpected exception, wrapped without its text
    AUTH = "auth"  # credentials rejected or expired
    NOT_SIGNED_IN = "not_signed_in"
    MISSING_CREDENTIALS = "missing_credentials"
    NEEDS_REFRESH = "needs_refresh"  # the access token is stale; the CLI owns the refresh token
    MISSING_BINARY = "missing_binary"
    UNAVAILABLE_SOURCE = "unavailable_source"  # a source that cannot run here (reported by availability)
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"  # 5xx, network failure: transient
    TIMEOUT = "timeout"
    INVALID_RESPONSE = "invalid_response"
    NO_RATE_LIMITS = "no_rate_limits"
    NOT_CONFIGURED = "not_configured"
    LOGIN_REQUIRED = "login_required"
    ACCOUNT_MISMATCH = "account_mismatch"
    PARSE = "parse"
    # Where Codex keeps its login (docs/decisions/codex-logins.md)
    EPHEMERAL_LOGIN = "ephemeral_login"  # the login lives only in the Codex process
    KEYRING_UNREACHABLE = "keyring_unreachable"  # no D-Bus / Secret Service here
    KEYRING_LOCKED = "keyring_locked"
    KEYRING_DAMAGED = "keyring_damaged"  # the entry is not a readable login
    KEYRING_BACKEND_MISSING = "keyring_backend_missing"  # no Python keyring backend to read it directly
    KEYRING_ERROR = "keyring_error"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @classmethod
    def of(cls, value: str) -> ErrorKind:
        """The kind named by `value` (e.g. read back from the cache); an unknown name is a plain error."""
        try:
            return cls(value)
        except ValueError:
            return cls.ERROR

    @property
    def stop_reason(self) -> str:
        """How the trace says why the sources after one that failed this way were not tried."""
        return _STOP_REASONS.get(self, "failed")


# Kinds a later source can usually fix: another way to sign in or to reach the same numbers.
FALLTHROUGH_KINDS = frozenset({ErrorKind.AUTH, ErrorKind.NOT_SIGNED_IN, ErrorKind.MISSING_CREDENTIALS,
                               ErrorKind.MISSING_BINARY, ErrorKind.NEEDS_REFRESH})

# A keyring login codexbar could not read itself: the CLI reads its own keychain.
KEYRING_KINDS = frozenset({ErrorKind.KEYRING_UNREACHABLE, ErrorKind.KEYRING_LOCKED, ErrorKind.KEYRING_DAMAGED,
                           ErrorKind.KEYRING_BACKEND_MISSING, ErrorKind.KEYRING_ERROR})

# Shown in the menu's Source submenu as "not tried: <source> <reason>".
_STOP_REASONS = {
    ErrorKind.MISSING_BINARY: "is not installed",
    ErrorKind.UNAVAILABLE: "got a temporary error (the CLI would not do better)",
    ErrorKind.TIMEOUT: "ran out of time",
    ErrorKind.RATE_LIMITED: "was rate limited",
    ErrorKind.INVALID_RESPONSE: "got an unreadable answer",
    ErrorKind.NOT_SIGNED_IN: "is not signed in",
    ErrorKind.NOT_CONFIGURED: "is not set up for ChatGPT limits",
}


class CodexbarError(Exception):
    """Base error. `message` is user-facing text (never contains secrets)."""

    kind: ErrorKind = ErrorKind.ERROR

    def __init__(self, message: str, *, kind: ErrorKind | str | None = None, expected: bool = True,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if kind is not None:
            self.kind = ErrorKind.of(kind)
        self.expected = expected
        self.hint = hint

    @property
    def fallthrough(self) -> bool:
        """True when a later source in the chain could succeed where this one failed."""
        return self.kind in FALLTHROUGH_KINDS

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind.value, "message": self.message}


class AuthError(CodexbarError):
    """Credentials rejected or expired (401/403, token_expired)."""

    kind = ErrorKind.AUTH


class NotSignedIn(CodexbarError):
    kind = ErrorKind.NOT_SIGNED_IN


class MissingCredentials(CodexbarError):
    """auth.json missing, unreadable, or without tokens."""

    kind = ErrorKind.MISSING_CREDENTIALS


class MissingBinary(CodexbarError):
    kind = ErrorKind.MISSING_BINARY


class RateLimited(CodexbarError):
    kind = ErrorKind.RATE_LIMITED


class Unavailable(CodexbarError):
    """5xx, network failure: transient, does not fall through (docs/reference/usage-sources.md, "Which failures fall through")."""

    kind = ErrorKind.UNAVAILABLE


class SourceTimeout(CodexbarError):
    kind = ErrorKind.TIMEOUT


class InvalidResponse(CodexbarError):
    """The service answered, but not with what we can read (HTML, truncated JSON...)."""

    kind = ErrorKind.INVALID_RESPONSE


class NoRateLimits(CodexbarError):
    kind = ErrorKind.NO_RATE_LIMITS


class NotConfigured(CodexbarError):
    """The user's setup makes this source meaningless (API-key login, Bedrock provider, cookies off)."""

    kind = ErrorKind.NOT_CONFIGURED


class LoginRequired(CodexbarError):
    """A web page asked for a login (login wall, Cloudflare)."""

    kind = ErrorKind.LOGIN_REQUIRED


class AccountMismatch(CodexbarError):
    kind = ErrorKind.ACCOUNT_MISMATCH


class ParseError(CodexbarError):
    kind = ErrorKind.PARSE


def as_codexbar_error(exc: BaseException) -> CodexbarError:
    """Wrap an unexpected exception as a bug, without its (possibly secret-bearing) text."""
    if isinstance(exc, CodexbarError):
        return exc
    return CodexbarError(
        f"Internal error ({type(exc).__name__}). Run `codexbar usage` in a terminal for details.",
        kind=ErrorKind.BUG,
        expected=False,
    )
