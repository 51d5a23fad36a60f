"""Decode a `wham/usage` body (docs/reference/usage-sources.md, "Decoding wham/usage", "Window roles") into a `UsageSnapshot`.

The same JSON comes from the OAuth API and from chatgpt.com with cookies, so this module knows
nothing about how the body was fetched. Decoding is tolerant: a bad window drops only itself (and
marks the snapshot `partial`), unknown plan types are kept verbatim, a balance may be a number or a
numeric string. No httpx here: the web source imports this too.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from codexbar_core.errors import InvalidResponse, NoRateLimits
from codexbar_core.model import (
    CreditLimit,
    Credits,
    Identity,
    RateWindow,
    UsageSnapshot,
    from_epoch,
    parse_iso,
)

INVALID_MESSAGE = "Invalid response from Codex usage API."
NO_LIMITS_MESSAGE = "Codex usage API returned no rate limits yet (no sessions counted so far)."

SPARK_SESSION_ID, SPARK_SESSION_TITLE = "codex-spark", "Codex Spark 5-hour"
SPARK_WEEKLY_ID, SPARK_WEEKLY_TITLE = "codex-spark-weekly", "Codex Spark Weekly"


class _DecodeFailed(Exception):
    """One window (or limit) could not be read; only that part is dropped."""


def number(value: Any) -> float | None:
    """A JSON number or numeric string ("14.5", "0E-10") as a finite float; None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def _strict_number(value: Any) -> float:
    """Window fields must be JSON numbers (ints, floats accepted); strings/bools fail the window."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _DecodeFailed
    return float(value)


def decode_window(raw: Any) -> RateWindow | None:
    """`{"used_percent", "limit_window_seconds", "reset_at"}` -> RateWindow; None when absent (null).

    Raises `_DecodeFailed` for a present but unreadable window.
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _DecodeFailed
    used = _strict_number(raw.get("used_percent"))
    seconds = _strict_number(raw.get("limit_window_seconds"))
    reset_raw = raw.get("reset_at")
    resets_at = None if reset_raw is None else from_epoch(_strict_number(reset_raw))
    used_value: float = int(used) if used.is_integer() else used
    return RateWindow(used_percent=used_value, window_minutes=int(seconds) // 60, resets_at=resets_at)


def _try_window(raw: Any, failures: list[str]) -> RateWindow | None:
    try:
        return decode_window(raw)
    except _DecodeFailed:
        failures.append("window")
        return None


def slug(text: str) -> str:
    """"GPT-5.3-Codex-Mini" -> "gpt-5-3-codex-mini"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def decode_extra_windows(raw: Any, failures: list[str]) -> list[RateWindow]:
    """`additional_rate_limits` -> extra windows (Spark 5-hour/weekly, other named limits)."""
    if not isinstance(raw, list):
        return []
    out: list[RateWindow] = []
    seen: set[str] = set()

    def add(window: RateWindow) -> None:
        if window.id and window.id not in seen:  # duplicate ids: the first one wins
            seen.add(window.id)
            out.append(window)

    for entry in raw:
        if not isinstance(entry, dict):
            continue
        name = _text(entry.get("limit_name"))
        feature = _text(entry.get("metered_feature"))
        limits = entry.get("rate_limit")
        if not isinstance(limits, dict):
            continue
        primary = _try_window(limits.get("primary_window"), failures)
        secondary = _try_window(limits.get("secondary_window"), failures)
        if "spark" in f"{name or ''} {feature or ''}".lower():
            for slot, window in (("primary", primary), ("secondary", secondary)):
                if window is None:
                    continue
                add(_spark_window(window, slot))
            continue
        window = primary or secondary
        key = feature or name
        if window is None or key is None:
            continue
        window.id = f"codex-{slug(key)}"
        window.title = name or feature or "Codex extra limit"
        add(window)
    return out


def _spark_window(window: RateWindow, slot: str) -> RateWindow:
    """Spark windows are named by their length; the slot decides only when the length says nothing."""
    minutes = window.window_minutes or 0
    if minutes and minutes <= 360:
        weekly = False
    elif minutes >= 8640:
        weekly = True
    else:
        weekly = slot == "secondary"
    window.id, window.title = ((SPARK_WEEKLY_ID, SPARK_WEEKLY_TITLE) if weekly
                               else (SPARK_SESSION_ID, SPARK_SESSION_TITLE))
    return window


def _pick(obj: Any, *keys: str) -> Any:
    if not isinstance(obj, dict):
        return None
    for key in keys:
        if obj.get(key) is not None:
            return obj[key]
    return None


def find_credit_limit_object(body: dict[str, Any]) -> Any:
    """Root `individual_limit`, then `rate_limit.`, then `spend_control.` (snake or camel)."""
    for holder in (body, body.get("rate_limit") or body.get("rateLimit"),
                   body.get("spend_control") or body.get("spendControl")):
        found = _pick(holder, "individual_limit", "individualLimit")
        if found is not None:
            return found
    return None


def decode_credit_limit(raw: Any) -> CreditLimit | None:
    """A monthly credit limit from `{limit, used, remaining_percent, resets_at}`; None unless limit > 0."""
    if not isinstance(raw, dict):
        return None
    limit = number(raw.get("limit"))
    if limit is None or limit <= 0:
        return None
    used = number(raw.get("used"))
    remaining_percent = number(_pick(raw, "remainingPercent", "remaining_percent"))
    if used is None:
        used = limit * (100 - remaining_percent) / 100 if remaining_percent is not None else 0.0
    if remaining_percent is None:
        remaining_percent = clamp_percent(100 - used / limit * 100)
    return CreditLimit(limit=limit, used=used, remaining=max(0.0, limit - used),
                       remaining_percent=remaining_percent,
                       resets_at=from_epoch(number(_pick(raw, "resetsAt", "resets_at", "reset_at"))))


def clamp_percent(value: float) -> float:
    return max(0.0, min(100.0, value))


def decode_credits(body: dict[str, Any]) -> Credits | None:
    """`credits` + credit limit -> Credits, present iff a balance, a limit, or `unlimited` is known."""
    raw = body.get("credits")
    raw = raw if isinstance(raw, dict) else {}
    balance = number(raw.get("balance"))
    unlimited = raw.get("unlimited") is True
    limit = decode_credit_limit(find_credit_limit_object(body))
    if balance is None and limit is None and not unlimited:
        return None
    if balance is None and limit is not None:
        balance = 0.0
    return Credits(balance=balance, has_credits=raw.get("has_credits") is True, unlimited=unlimited, limit=limit)


def decode_body(body: Any, *, source: str, now: dt.datetime | None = None) -> UsageSnapshot:
    """Everything readable in the body, windows or not. Raises InvalidResponse for a non-object."""
    if not isinstance(body, dict):
        raise InvalidResponse(INVALID_MESSAGE)
    failures: list[str] = []
    rate_limit = body.get("rate_limit")
    rate_limit = rate_limit if isinstance(rate_limit, dict) else {}
    primary = _try_window(rate_limit.get("primary_window"), failures)
    secondary = _try_window(rate_limit.get("secondary_window"), failures)
    extras = decode_extra_windows(body.get("additional_rate_limits"), failures)
    identity = Identity(email=_text(body.get("email")), plan=_text(body.get("plan_type")),
                        account_id=_text(body.get("account_id")))
    snapshot = UsageSnapshot(source=source, primary=primary, secondary=secondary, extra_windows=extras,
                             identity=identity, credits=decode_credits(body), partial=bool(failures))
    if now is not None:
        snapshot.fetched_at = now
    return snapshot


def require_something(snapshot: UsageSnapshot) -> UsageSnapshot:
    """A snapshot needs a main window, or credits to show; extra windows alone are not enough."""
    if snapshot.has_windows:
        return snapshot
    credits = snapshot.credits
    if credits is not None:
        return snapshot
    raise NoRateLimits(NO_LIMITS_MESSAGE)


def decode_usage(body: Any, *, source: str) -> UsageSnapshot:
    """The contract: a usable snapshot, or InvalidResponse (not an object) / NoRateLimits (nothing to show)."""
    return require_something(decode_body(body, source=source))


# -- reset credits (docs/decisions/limits.md "Reset credits") ------------------------------------------

def reset_credits_url(base: str) -> str:
    """Beside the usage URL: `{base}/wham/…` on ChatGPT's backend-api, `{base}/api/codex/…` elsewhere."""
    return base + ("/wham/rate-limit-reset-credits" if "/backend-api" in base else "/api/codex/rate-limit-reset-credits")


def _when(value: Any) -> dt.datetime | None:
    """A timestamp as ISO text or epoch seconds (number or numeric string)."""
    if isinstance(value, str) and not value.strip().replace(".", "", 1).isdigit():
        return parse_iso(value)
    return from_epoch(number(value))


def decode_reset_credits(body: Any, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """`{available_count, credits: [{status, expires_at}]}` -> (usable now, the soonest expiry).

    A credit without `status` is available; an expired one is not. Without a `credits` list the
    `available_count` is taken as it is (no expiry known)."""
    if not isinstance(body, dict):
        return 0, None
    items = body.get("credits")
    if not isinstance(items, list):
        count = number(body.get("available_count"))
        return (max(0, int(count)) if count is not None else 0), None
    available = 0
    expiries: list[dt.datetime] = []
    for item in items:
        if not isinstance(item, dict) or str(item.get("status") or "available").lower() != "available":
            continue
        expires = _when(item.get("expires_at"))
        if expires is not None and expires <= now:
            continue
        available += 1
        if expires is not None:
            expiries.append(expires)
    return available, min(expiries) if expiries else None


def usage_reset_credit_count(body: Any) -> int:
    """`wham/usage`'s own `rate_limit_reset_credits.available_count` (no expiry there)."""
    raw = body.get("rate_limit_reset_credits") if isinstance(body, dict) else None
    count = number(raw.get("available_count")) if isinstance(raw, dict) else None
    return max(0, int(count)) if count is not None else 0
