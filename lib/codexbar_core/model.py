"""The one snapshot model every source produces, and the pipeline's answer for a Codex home.

Percentages are always *used* percent (0-100); "left" is derived. Times are timezone-aware UTC
datetimes. Every dataclass round-trips through plain JSON (`to_dict` / `from_dict`) so the cache
and the `--json` output share one representation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

UTC = dt.timezone.utc


def iso(t: dt.datetime | None) -> str | None:
    """ISO-8601 UTC with a trailing Z (the contract's `resetsAt` form)."""
    if t is None:
        return None
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(s: Any) -> dt.datetime | None:
    if not isinstance(s, str) or not s:
        return None
    try:
        t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def from_epoch(seconds: Any) -> dt.datetime | None:
    """Epoch seconds (int/float/numeric string) to UTC datetime; None for junk or <= 0."""
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return None
    if not (0 < value < 1e11):
        return None
    return dt.datetime.fromtimestamp(value, UTC)


# -- reading back what we stored: the cache may be damaged or from another version, so every
# field is checked for its type and a wrong one becomes "unknown" instead of crashing the menu.

def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value == value else None  # NaN is not a number we can show


def _int(value: Any) -> int | None:
    number = _num(value)
    return int(number) if number is not None and abs(number) < 2**53 else None


@dataclass
class RateWindow:
    """One quota lane."""

    used_percent: float
    window_minutes: int | None = None
    resets_at: dt.datetime | None = None
    # Free text when only a description is known (PTY / web), e.g. "resets 09:01".
    reset_description: str | None = None
    # Extra windows only: stable id ("codex-spark") and display title ("Codex Spark 5-hour").
    id: str | None = None
    title: str | None = None

    @property
    def left_percent(self) -> float:
        return max(0.0, 100.0 - min(100.0, max(0.0, self.used_percent)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "usedPercent": self.used_percent,
            "windowMinutes": self.window_minutes,
            "resetsAt": iso(self.resets_at),
            "resetDescription": self.reset_description,
            "id": self.id,
            "title": self.title,
        }

    def to_contract(self) -> dict[str, Any]:
        return {"usedPercent": self.used_percent, "windowMinutes": self.window_minutes,
                "resetsAt": iso(self.resets_at)}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> RateWindow | None:
        if not isinstance(d, dict):
            return None
        used = _num(d.get("usedPercent"))
        if used is None:
            return None
        return cls(
            used_percent=used,
            window_minutes=_int(d.get("windowMinutes")),
            resets_at=parse_iso(d.get("resetsAt")),
            reset_description=_str(d.get("resetDescription")),
            id=_str(d.get("id")),
            title=_str(d.get("title")),
        )


@dataclass
class Identity:
    email: str | None = None
    plan: str | None = None  # raw plan type ("pro", "prolite", "free_workspace"...)
    account_id: str | None = None
    login_method: str | None = None  # "chatgpt", "apikey"
    workspace: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "plan": self.plan, "accountId": self.account_id,
                "loginMethod": self.login_method, "workspace": self.workspace}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Identity:
        d = d if isinstance(d, dict) else {}
        return cls(email=_str(d.get("email")), plan=_str(d.get("plan")), account_id=_str(d.get("accountId")),
                   login_method=_str(d.get("loginMethod")), workspace=_str(d.get("workspace")))


@dataclass
class CreditLimit:
    """A monthly credit limit (individual / workspace spend control)."""

    limit: float
    used: float
    remaining: float
    remaining_percent: float
    resets_at: dt.datetime | None = None
    title: str = "Monthly credit limit"

    def to_dict(self) -> dict[str, Any]:
        return {"limit": self.limit, "used": self.used, "remaining": self.remaining,
                "remainingPercent": self.remaining_percent, "resetsAt": iso(self.resets_at),
                "title": self.title}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> CreditLimit | None:
        if not isinstance(d, dict):
            return None
        numbers = [_num(d.get(k)) for k in ("limit", "used", "remaining", "remainingPercent")]
        if any(n is None for n in numbers):
            return None
        limit, used, remaining, remaining_percent = numbers
        return cls(limit=limit, used=used, remaining=remaining,  # type: ignore[arg-type]
                   remaining_percent=remaining_percent, resets_at=parse_iso(d.get("resetsAt")),  # type: ignore[arg-type]
                   title=_str(d.get("title")) or "Monthly credit limit")


@dataclass
class Credits:
    balance: float | None = None
    has_credits: bool = False
    unlimited: bool = False
    limit: CreditLimit | None = None
    reset_credits_available: int = 0
    reset_credits_next_expiry: dt.datetime | None = None

    @property
    def remaining(self) -> float | None:
        """Displayed value: the credit limit's remaining if there is one, else the balance (docs/reference/usage-sources.md, "Identity and credits precedence")."""
        if self.limit is not None:
            return self.limit.remaining
        return self.balance

    def to_dict(self) -> dict[str, Any]:
        return {"balance": self.balance, "hasCredits": self.has_credits, "unlimited": self.unlimited,
                "limit": self.limit.to_dict() if self.limit else None,
                "resetCreditsAvailable": self.reset_credits_available,
                "resetCreditsNextExpiry": iso(self.reset_credits_next_expiry)}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Credits | None:
        if not isinstance(d, dict):
            return None
        return cls(balance=_num(d.get("balance")), has_credits=d.get("hasCredits") is True,
                   unlimited=d.get("unlimited") is True, limit=CreditLimit.from_dict(d.get("limit")),
                   reset_credits_available=max(0, _int(d.get("resetCreditsAvailable")) or 0),
                   reset_credits_next_expiry=parse_iso(d.get("resetCreditsNextExpiry")))


@dataclass
class CreditEvent:
    """One row of the dashboard's credits usage history."""

    date: str  # local YYYY-MM-DD
    service: str
    amount: float


@dataclass
class WebExtras:
    """Dashboard-only data (docs/reference/usage-sources.md, "Dashboard page") attached to a snapshot from another source."""

    email: str | None = None
    plan: str | None = None
    code_review_left_percent: float | None = None
    code_review_reset: str | None = None  # the page's words, e.g. "Resets tomorrow at 2:15 PM"
    code_review_resets_at: dt.datetime | None = None  # the same, read as a time when the page's words allow
    credits_remaining: float | None = None
    credit_history: list[CreditEvent] = field(default_factory=list)
    purchase_url: str | None = None
    renewal: str | None = None  # "renews at 2026-12-01" / "expires at ..."

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "plan": self.plan, "codeReviewLeftPercent": self.code_review_left_percent,
                "codeReviewReset": self.code_review_reset, "codeReviewResetsAt": iso(self.code_review_resets_at),
                "creditsRemaining": self.credits_remaining,
                "creditHistory": [asdict(e) for e in self.credit_history],
                "purchaseUrl": self.purchase_url, "renewal": self.renewal}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> WebExtras | None:
        if not isinstance(d, dict):
            return None
        history = d.get("creditHistory")
        events = [CreditEvent(e["date"], e["service"], float(e["amount"])) for e in
                  (history if isinstance(history, list) else [])
                  if isinstance(e, dict) and _str(e.get("date")) and _str(e.get("service"))
                  and _num(e.get("amount")) is not None]
        return cls(email=_str(d.get("email")), plan=_str(d.get("plan")),
                   code_review_left_percent=_num(d.get("codeReviewLeftPercent")),
                   code_review_reset=_str(d.get("codeReviewReset")),
                   code_review_resets_at=parse_iso(d.get("codeReviewResetsAt")),
                   credits_remaining=_num(d.get("creditsRemaining")),
                   credit_history=events,
                   purchase_url=_str(d.get("purchaseUrl")), renewal=_str(d.get("renewal")))


@dataclass
class UsageSnapshot:
    """What one source answered. Windows are in the source's own slots until `normalize` runs."""

    source: str  # label: "oauth", "codex-cli", "codex-pty", "openai-web"
    primary: RateWindow | None = None
    secondary: RateWindow | None = None
    extra_windows: list[RateWindow] = field(default_factory=list)
    identity: Identity = field(default_factory=Identity)
    credits: Credits | None = None
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(UTC))
    cli_version: str | None = None
    web: WebExtras | None = None
    # True when at least one window failed to decode (docs/reference/usage-sources.md, "Decoding wham/usage": confidence unknown).
    partial: bool = False

    @property
    def has_windows(self) -> bool:
        return self.primary is not None or self.secondary is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "primary": self.primary.to_dict() if self.primary else None,
            "secondary": self.secondary.to_dict() if self.secondary else None,
            "extraWindows": [w.to_dict() for w in self.extra_windows],
            "identity": self.identity.to_dict(),
            "credits": self.credits.to_dict() if self.credits else None,
            "fetchedAt": iso(self.fetched_at),
            "cliVersion": self.cli_version,
            "web": self.web.to_dict() if self.web else None,
            "partial": self.partial,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> UsageSnapshot:
        extras = d.get("extraWindows")
        return cls(
            source=_str(d.get("source")) or "unknown",
            primary=RateWindow.from_dict(d.get("primary")),
            secondary=RateWindow.from_dict(d.get("secondary")),
            extra_windows=[w for w in (RateWindow.from_dict(x) for x in (extras if isinstance(extras, list) else []))
                           if w],
            identity=Identity.from_dict(d.get("identity")),
            credits=Credits.from_dict(d.get("credits")),
            fetched_at=parse_iso(d.get("fetchedAt")) or dt.datetime.now(UTC),
            cli_version=_str(d.get("cliVersion")),
            web=WebExtras.from_dict(d.get("web")),
            partial=d.get("partial") is True,
        )


@dataclass
class SourceAttempt:
    """One step of the pipeline: which source, what happened, and why (pipx-style provenance)."""

    source: str
    outcome: str  # "ok" | "skipped" | "failed"
    reason: str
    error_kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "outcome": self.outcome, "reason": self.reason,
                "errorKind": self.error_kind}


@dataclass
class SourceTrace:
    requested: str  # "auto" | "oauth" | "cli" | "pty" | "web"
    chosen_by: str  # "flag" | "setting" | "environment" | "default"
    attempts: list[SourceAttempt] = field(default_factory=list)
    # Where Codex keeps its login (LoginStore.to_dict()), and the Source submenu's line for it.
    login: dict[str, Any] | None = None
    login_line: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"requested": self.requested, "chosenBy": self.chosen_by,
               "attempts": [a.to_dict() for a in self.attempts]}
        if self.login is not None:
            out["login"] = self.login
        return out


def _usable_again(snap: UsageSnapshot) -> dict[str, Any] | None:
    """{lane, at, resetCreditsAvailable} while a main lane is exhausted (docs/decisions/limits.md), else None."""
    from codexbar_core.limits.wall import wall_of

    wall = wall_of(snap, dt.datetime.now(UTC))
    if wall is None:
        return None
    return {"lane": wall.lane, "at": iso(wall.until), "resetCreditsAvailable": wall.reset_credits}


@dataclass
class UsageResult:
    """The pipeline's answer for one Codex home: a snapshot (maybe stale), an error, or both."""

    home_name: str
    codex_home: str
    snapshot: UsageSnapshot | None
    trace: SourceTrace
    error: dict[str, str] | None = None  # {"kind", "message"} of the last failure shown to the user
    stale: bool = False  # snapshot is the last good one, kept because the refresh failed
    pending: bool = False  # a detached refresh is still running

    @property
    def source_label(self) -> str:
        if self.snapshot is None:
            return self.trace.requested
        return self.snapshot.source

    def to_contract(self) -> dict[str, Any]:
        """The `codexbar usage --json` object (docs/reference/command-line.md, "codexbar usage --json")."""
        snap = self.snapshot
        usage = None
        credits = None
        if snap is not None:
            usage = {
                "primary": snap.primary.to_contract() if snap.primary else None,
                "secondary": snap.secondary.to_contract() if snap.secondary else None,
                "extraWindows": [dict(w.to_contract(), id=w.id, title=w.title) for w in snap.extra_windows],
                "identity": {"accountEmail": snap.identity.email, "loginMethod": snap.identity.plan,
                             "plan": snap.identity.plan, "accountId": snap.identity.account_id},
                "updatedAt": iso(snap.fetched_at),
                "usableAgainAt": _usable_again(snap),
            }
            if snap.credits is not None:
                credits = {"remaining": snap.credits.remaining, "balance": snap.credits.balance,
                           "unlimited": snap.credits.unlimited,
                           "limit": snap.credits.limit.to_dict() if snap.credits.limit else None,
                           # banked limit resets (docs/decisions/limits.md); codexbar never spends one
                           "resetCredits": {"available": snap.credits.reset_credits_available,
                                            "nextExpiresAt": iso(snap.credits.reset_credits_next_expiry)}}
        return {
            "provider": "codex",
            "home": self.home_name,
            "codexHome": self.codex_home,
            "source": self.source_label,
            "stale": self.stale,
            "usage": usage,
            "credits": credits,
            "openaiDashboard": snap.web.to_dict() if snap is not None and snap.web else None,
            "error": self.error,
            "trace": self.trace.to_dict(),
        }
