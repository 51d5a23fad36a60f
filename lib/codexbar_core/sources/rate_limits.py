"""The Codex CLI's `account/rateLimits/read` + `account/read` answers as a UsageSnapshot (docs/reference/usage-sources.md, "The app-server (cli source)").

Pure functions, no process handling: `snapshot_from_rpc` maps the two results, `recover_from_error`
digs the raw `wham/usage` body out of an error message (`... body={...}`), and `classify_error`
turns an RPC error message into the user-facing error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from codexbar_core import errors
from codexbar_core.model import CreditLimit, Credits, Identity, RateWindow, UsageSnapshot, from_epoch

LABEL = "codex-cli"
SESSION_MINUTES = 300
WEEKLY_MINUTES = 10080

NOT_SIGNED_IN = "Codex CLI is not signed in. Run `codex login --device-auth`, then refresh."
API_KEY_LOGIN = ("Codex is signed in with an API key; ChatGPT usage limits need a ChatGPT login. "
                 "Run `codex login` to sign in with ChatGPT, then refresh.")
_LOGIN_MARKERS = ("codex account authentication required", "account authentication required to read rate limits",
                  "requiresopenaiauth")


def _get(d: Any, *keys: str) -> Any:
    """First present key (camelCase or snake_case spellings)."""
    if not isinstance(d, dict):
        return None
    for key in keys:
        if key in d and d[key] is not None:
            return d[key]
    return None


def json_number(value: Any) -> float | None:
    """A number in a JSON answer or log line, also when written as a string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")


# -- windows ---------------------------------------------------------------------------------------

def rpc_window(raw: Any) -> RateWindow | None:
    """`{"usedPercent", "windowDurationMins", "resetsAt"}`; usedPercent is required."""
    used = json_number(_get(raw, "usedPercent", "used_percent"))
    if used is None:
        return None
    minutes = json_number(_get(raw, "windowDurationMins", "window_duration_mins", "window_minutes"))
    return RateWindow(used_percent=used, window_minutes=int(minutes) if minutes else None,
                      resets_at=from_epoch(_get(raw, "resetsAt", "resets_at")))


def _lanes(group: Any) -> list[RateWindow]:
    return [w for w in (rpc_window(_get(group, "primary")), rpc_window(_get(group, "secondary"))) if w]


def _group_name(group_id: str, group: Any) -> str:
    return str(_get(group, "limitName", "limit_name") or _get(group, "limitId", "limit_id") or group_id)


def _extra_window(window: RateWindow, name: str) -> RateWindow:
    """A window of another limit group (e.g. a model-specific one) shown as an extra lane."""
    if "spark" in name.lower():
        weekly = (window.window_minutes or 0) >= 8640
        return RateWindow(window.used_percent, window.window_minutes, window.resets_at,
                          id="codex-spark-weekly" if weekly else "codex-spark",
                          title="Codex Spark Weekly" if weekly else "Codex Spark 5-hour")
    suffix = "" if window.window_minutes in (None, SESSION_MINUTES) else f"-{window.window_minutes}m"
    return RateWindow(window.used_percent, window.window_minutes, window.resets_at,
                      id=f"codex-{_slug(name)}{suffix}", title=name)


def fold_windows(rate_limits: Any, by_id: Any) -> tuple[RateWindow | None, RateWindow | None, list[RateWindow]]:
    """Main lanes from `rateLimits`; a lane it lacks may sit in another group (the 5-hour window can
    live in a per-model group), so missing session/weekly lanes are filled from the groups, sorted by
    id. Everything else in other groups becomes an extra window."""
    main = _lanes(rate_limits)
    main_id = _get(rate_limits, "limitId", "limit_id")
    groups = sorted(by_id.items()) if isinstance(by_id, dict) else []
    others = [(gid, g) for gid, g in groups if gid != main_id and isinstance(g, dict)]
    if not main and not others:
        return None, None, []
    if not main and rate_limits is None and groups:
        # no top-level snapshot: the first group stands in for it
        main_id, first = groups[0]
        main = _lanes(first)
        others = [(gid, g) for gid, g in others if gid != main_id]

    def has(minutes: int) -> bool:
        return any(w.window_minutes == minutes for w in main)

    extras: list[RateWindow] = []
    seen: set[str] = set()
    for gid, group in others:
        name = _group_name(gid, group)
        for window in _lanes(group):
            foldable = "spark" not in name.lower() and len(main) < 2
            if foldable and window.window_minutes in (SESSION_MINUTES, WEEKLY_MINUTES) and not has(
                    window.window_minutes):
                main.append(window)
                continue
            extra = _extra_window(window, name)
            if extra.id not in seen:
                seen.add(extra.id or "")
                extras.append(extra)
    primary = main[0] if main else None
    secondary = main[1] if len(main) > 1 else None
    return primary, secondary, extras


# -- credits -----------------------------------------------------------------------------------------

def credit_limit(raw: Any, title: str | None = None) -> CreditLimit | None:
    """An `individualLimit` object (docs/reference/usage-sources.md, "Credit limits and reset credits"); None unless `limit > 0`."""
    limit = json_number(_get(raw, "limit"))
    if not limit or limit <= 0:
        return None
    used = json_number(_get(raw, "used"))
    remaining_pct = json_number(_get(raw, "remainingPercent", "remaining_percent"))
    if used is None:
        used = limit * (100 - remaining_pct) / 100 if remaining_pct is not None else 0.0
    if remaining_pct is None:
        remaining_pct = max(0.0, min(100.0, 100 - used / limit * 100))
    return CreditLimit(limit=limit, used=used, remaining=max(0.0, limit - used), remaining_percent=remaining_pct,
                       resets_at=from_epoch(_get(raw, "resetsAt", "resets_at", "reset_at")),
                       title=title or "Monthly credit limit")


def _credits(rate_limits: Any, by_id: Any) -> Credits | None:
    groups = [g for _, g in sorted(by_id.items())] if isinstance(by_id, dict) else []
    raw = _get(rate_limits, "credits")
    if raw is None:
        raw = next((_get(g, "credits") for g in groups if _get(g, "credits") is not None), None)
    limit = None
    for group in [rate_limits, *groups]:
        limit = credit_limit(_get(group, "individualLimit", "individual_limit"),
                             _get(group, "limitName", "limit_name"))
        if limit is not None:
            break
    if not isinstance(raw, dict) and limit is None:
        return None
    raw = raw if isinstance(raw, dict) else {}
    balance = json_number(_get(raw, "balance"))
    return Credits(balance=balance if balance is not None else (0.0 if raw else None),
                   has_credits=bool(_get(raw, "hasCredits", "has_credits")),
                   unlimited=bool(_get(raw, "unlimited")), limit=limit)


# -- the whole answer ------------------------------------------------------------------------------

def _text(value: Any) -> str | None:
    """A non-empty string, else None: identity fields are shown as text, whatever the CLI sent."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def identity_from_account(account_result: Any, rate_result: Any) -> Identity:
    account = _get(account_result, "account")
    rate_limits = _get(rate_result, "rateLimits", "rate_limits")
    identity = Identity(plan=_text(_get(rate_limits, "planType", "plan_type")))
    routing = _get(account_result, "workspaceRouting")
    identity.account_id = _text(_get(rate_result, "accountId")) or _text(_get(routing, "chatgptAccountId"))
    if isinstance(account, dict):
        kind = str(account.get("type") or "").lower()
        if kind == "chatgpt":
            identity.login_method = "chatgpt"
            identity.email = _text(account.get("email"))
            identity.plan = _text(account.get("planType")) or identity.plan
            identity.workspace = _text(account.get("workspaceName"))
        elif kind == "apikey":
            identity.login_method = "apikey"
    return identity


def snapshot_from_rpc(rate_result: Any, account_result: Any = None, *, cli_version: str | None = None,
                      label: str = LABEL) -> UsageSnapshot:
    """Map the two RPC results; raises NoRateLimits when there is nothing at all to show."""
    rate_limits = _get(rate_result, "rateLimits", "rate_limits")
    by_id = _get(rate_result, "rateLimitsByLimitId", "rate_limits_by_limit_id")
    primary, secondary, extras = fold_windows(rate_limits, by_id)
    identity = identity_from_account(account_result, rate_result)
    credits = _credits(rate_limits, by_id)
    snapshot = UsageSnapshot(source=label, primary=primary, secondary=secondary, extra_windows=extras,
                             identity=identity, credits=credits, cli_version=cli_version)
    if not snapshot.has_windows and credits is None and not identity.plan and not identity.email:
        raise errors.NoRateLimits("Codex CLI answered, but without any rate limits.")
    return snapshot


# -- error messages --------------------------------------------------------------------------------

def extract_body(message: str) -> Any:
    """The first balanced `{...}` after `body=` in `message` (string and escape aware), parsed; else None."""
    at = message.find("body=")
    if at < 0:
        return None
    start = message.find("{", at)
    if start < 0:
        return None
    depth = 0
    in_string = escaped = False
    for i in range(start, len(message)):
        ch = message[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                try:
                    return json.loads(message[start : i + 1])
                except ValueError:
                    return None
    return None


def decode_wham_body(body: Any, *, label: str = LABEL) -> UsageSnapshot | None:
    """A `wham/usage` body (docs/reference/usage-sources.md, "Decoding wham/usage") through the shared decoder; None unless the session lane decodes."""
    if not isinstance(body, dict):
        return None
    from codexbar_core.sources import wham

    try:
        snapshot = wham.decode_body(body, source=label)
    except errors.CodexbarError:
        return None
    if snapshot.primary is None:
        return None
    snapshot.identity.login_method = "chatgpt"
    return snapshot


def recover_from_error(message: str, *, label: str = LABEL) -> UsageSnapshot | None:
    """Usage embedded in a failed read (old CLIs that cannot decode a new plan name, a float percent)."""
    return decode_wham_body(extract_body(message), label=label)


def recover_credits_from_error(message: str, *, label: str = LABEL) -> UsageSnapshot | None:
    """Credits from a failed read whose usage windows are unusable (a body with `credits.balance`).

    The windows are dropped, even one that decodes: lanes from a body the CLI could not read are not
    shown half-way (docs/decisions/reference-and-hosts.md). None when the body has no balance.
    """
    body = extract_body(message)
    if not isinstance(body, dict):
        return None
    from codexbar_core.sources import wham

    try:
        decoded = wham.decode_body(body, source=label)
    except errors.CodexbarError:
        return None
    if decoded.credits is None or decoded.credits.balance is None:
        return None
    decoded.identity.login_method = "chatgpt"
    return UsageSnapshot(source=label, identity=decoded.identity, credits=decoded.credits, partial=True)


def provider_problem(codex_home: Path) -> str | None:
    """The NotConfigured text when config.toml selects a non-ChatGPT model provider, else None."""
    try:
        text = (codex_home / "config.toml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    provider = None
    tables: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        table = re.match(r"^\[\s*model_providers\.\"?([^\]\"]+)\"?\s*\]$", line)
        if table:
            current = tables.setdefault(table.group(1).strip(), {})
            continue
        if line.startswith("["):
            current = None
            if provider is None:
                provider = ""  # past the top-level table
            continue
        if "=" not in line:
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        value = value.strip('"').strip("'")
        if current is not None:
            current[key] = value
        elif provider is None and key == "model_provider":
            provider = value
    if not provider or provider.lower() in ("openai", "chatgpt"):
        return None
    table = tables.get(provider, {})
    if table.get("requires_openai_auth", "").lower() == "true":
        return None
    if "bedrock" in provider.lower() or "bedrock" in table.get("name", "").lower():
        what = "Amazon Bedrock"
    else:
        what = "a custom provider"
    return (f"Codex is configured for {what}; ChatGPT rate limits are unavailable. "
            "Disable the Codex usage card or use cost-based tracking.")


def classify_error(message: str, codex_home: Path) -> errors.CodexbarError:
    """A JSON-RPC error from `account/rateLimits/read` as the error the menu shows."""
    lower = message.lower()
    if any(marker in lower for marker in _LOGIN_MARKERS):
        problem = provider_problem(codex_home)
        if problem:
            return errors.NotConfigured(problem)
        return errors.NotSignedIn(NOT_SIGNED_IN)
    if "chatgpt authentication required" in lower:
        return errors.NotConfigured(API_KEY_LOGIN)
    status = re.search(r"failed:\s*(\d{3})\b", message)
    if status:
        code = int(status.group(1))
        if code in (401, 403):
            return errors.AuthError("Codex session expired. Run `codex login`, then refresh.")
        return errors.Unavailable(f"Codex usage is temporarily unavailable (the usage service answered {code}). "
                                  "Try refreshing.")
    if "decode error" in lower:
        return errors.InvalidResponse("Codex CLI could not read the usage data it got. Try updating the Codex CLI.")
    # Keep the first clause only: the rest can hold a whole response body.
    short = re.split(r";|body=", message, maxsplit=1)[0].strip()[:160]
    return errors.CodexbarError(f"Codex connection failed: {short}")
