"""One error hierarchy for every source and the cost scanner.

Like yt-dlp, an error says whether it is *expected* (the user's or the service's condition, shown
plainly in the menu) or a bug (shown with a short "please report" hint, traceback only in the log).
`kind` is a stable machine-readable tag used in JSON output and by the pipeline's fallback rules.
"""

from __future__ import annotations

# Kinds the pipeline may fall through on: the next source can fix them (SPEC A1, B §1.8).
FALLTHROUGH_KINDS = frozenset({"auth", "not_signed_in", "missing_credentials", "missing_binary", "needs_refresh"})


class CodexbarError(Exception):
    """Base error. `message` is user-facing text (never contains secrets)."""

    kind: str = "error"

    def __init__(self, message: str, *, kind: str | None = None, expected: bool = True,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if kind is not None:
            self.kind = kind
        self.expected = expected
        self.hint = hint

    @property
    def fallthrough(self) -> bool:
        """True when a later source in the chain could succeed where this one failed."""
        return self.kind in FALLTHROUGH_KINDS

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


class AuthError(CodexbarError):
    """Credentials rejected or expired (401/403, token_expired)."""

    kind = "auth"


class NotSignedIn(CodexbarError):
    kind = "not_signed_in"


class MissingCredentials(CodexbarError):
    """auth.json missing, unreadable, or without tokens."""

    kind = "missing_credentials"


class MissingBinary(CodexbarError):
    kind = "missing_binary"


class RateLimited(CodexbarError):
    kind = "rate_limited"


class Unavailable(CodexbarError):
    """5xx, network failure: transient, does not fall through (SPEC B §9 item 13)."""

    kind = "unavailable"


class SourceTimeout(CodexbarError):
    kind = "timeout"


class InvalidResponse(CodexbarError):
    """The service answered, but not with what we can read (HTML, truncated JSON...)."""

    kind = "invalid_response"


class NoRateLimits(CodexbarError):
    kind = "no_rate_limits"


class NotConfigured(CodexbarError):
    """The user's setup makes this source meaningless (API-key login, Bedrock provider, cookies off)."""

    kind = "not_configured"


class LoginRequired(CodexbarError):
    """A web page asked for a login (login wall, Cloudflare)."""

    kind = "login_required"


class AccountMismatch(CodexbarError):
    kind = "account_mismatch"


class ParseError(CodexbarError):
    kind = "parse"


def as_codexbar_error(exc: BaseException) -> CodexbarError:
    """Wrap an unexpected exception as a bug, without its (possibly secret-bearing) text."""
    if isinstance(exc, CodexbarError):
        return exc
    return CodexbarError(
        f"Internal error ({type(exc).__name__}). Run `codexbar usage` in a terminal for details.",
        kind="bug",
        expected=False,
    )
