"""Notifications about the account's limits themselves: their shape changed, a reset moved later, a
reset credit is about to expire. Rules and their reasons: docs/decisions/limits.md.

Each watcher compares the fresh snapshot with what it stored last time in the cache Store and
returns what deserves a notification; the store is updated in the same step, so a change is told
once. Delivery (and the notifications on/off setting) stays with notify.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from codexbar_core.cache import Store, home_key
from codexbar_core.model import RateWindow, UsageSnapshot, iso, parse_iso
from codexbar_core.normalize import plan_display_name

# A reset that moves later by more than this, inside a window that has not reset, is news.
RESET_SHIFT = dt.timedelta(hours=1)
# Usage may be re-counted down a little without a reset (sources round differently).
USED_SLACK = 2.0
CREDIT_WARNING = dt.timedelta(days=1)

LANE_NAMES = {300: "5-hour", 10080: "weekly", 43200: "monthly"}


@dataclass
class Change:
    """One thing worth telling: title and body without the "Codex" prefix, and what kind it is."""

    title: str
    body: str
    kind: str  # "shape" | "plan" | "reset_later" | "credit_expiry"
    lane: str


def lane_key(window: RateWindow) -> str:
    if window.id:
        return window.id
    minutes = window.window_minutes
    return LANE_NAMES.get(minutes or 0, f"{minutes}m" if minutes else "unknown")


def lane_label(key: str, window: RateWindow | None = None) -> str:
    if window is not None and window.title:
        return window.title
    return {"5-hour": "5-hour", "weekly": "weekly", "monthly": "monthly"}.get(key, key)


def lanes(snap: UsageSnapshot) -> dict[str, RateWindow]:
    out: dict[str, RateWindow] = {}
    for window in (snap.primary, snap.secondary, *snap.extra_windows):
        if window is not None:
            out.setdefault(lane_key(window), window)
    return out


def _shape(snap: UsageSnapshot, previous_plan: str | None) -> dict[str, Any]:
    titles = {k: (w.title or lane_label(k)) for k, w in lanes(snap).items()}
    return {"lanes": sorted(titles), "titles": titles, "plan": snap.identity.plan or previous_plan}


def _shape_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    old, new = set(before.get("lanes") or []), set(after.get("lanes") or [])
    titles = dict(before.get("titles") or {}, **(after.get("titles") or {}))
    remaining = ", ".join(titles.get(k, k) for k in sorted(new)) or "none"
    for key in sorted(old - new):
        changes.append(Change(f"the {titles.get(key, key)} limit is gone",
                              f"Limits that apply now: {remaining}.", "shape", key))
    for key in sorted(new - old):
        back = "is back" if key in (before.get("seen") or []) else "now applies"
        changes.append(Change(f"a {titles.get(key, key)} limit {back}",
                              f"Limits that apply now: {remaining}.", "shape", key))
    plan_before, plan_after = before.get("plan"), after.get("plan")
    if plan_before and plan_after and plan_before != plan_after:
        changes.append(Change("plan changed",
                              f"{plan_display_name(plan_before) or plan_before} → "
                              f"{plan_display_name(plan_after) or plan_after}; the limits may differ.",
                              "plan", "plan"))
    return changes


def watch_shape(snap: UsageSnapshot, codex_home: str, store: Store) -> list[Change]:
    """Lanes appearing or disappearing, and plan changes, confirmed by two refreshes in a row.

    One answer missing a lane can be a glitch of that one answer; the change is told when the next
    refresh agrees, and once (docs/decisions/limits.md "Limit changes")."""
    key = f"limits:shape:{home_key(codex_home)}"
    state = store.get_json(key)
    state = state if isinstance(state, dict) else {}
    confirmed = state.get("confirmed") if isinstance(state.get("confirmed"), dict) else None
    current = _shape(snap, confirmed.get("plan") if confirmed else None)
    previous_seen = state.get("seen") or []
    changes: list[Change] = []
    if confirmed is None:
        state = {"confirmed": current}
    elif _same(current, confirmed):
        state = {"confirmed": confirmed}
    elif _same(current, state.get("pending")):
        changes = _shape_changes(dict(confirmed, seen=previous_seen), current)
        state = {"confirmed": current}
    else:
        state = {"confirmed": confirmed, "pending": current}
    # lanes ever confirmed: one that returns is "back", not new
    state["seen"] = sorted(set(previous_seen) | set(state["confirmed"].get("lanes") or []))
    store.set_json(key, state)
    return changes


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, dict) and isinstance(b, dict) and a.get("lanes") == b.get("lanes") \
        and a.get("plan") == b.get("plan")


def watch_resets(snap: UsageSnapshot, codex_home: str, store: Store, now: dt.datetime) -> list[Change]:
    """A reset that moved later by more than an hour inside a window that has not reset.

    Not news: an ordinary reset (the old reset time has passed, or usage dropped), and an unused
    window whose reset time slides along with the clock (docs/decisions/limits.md)."""
    from codexbar_core.limits.menu_lines import day_clock
    from codexbar_core.render import fmt

    changes: list[Change] = []
    for key, window in lanes(snap).items():
        state_key = f"limits:reset:{home_key(codex_home)}:{key}"
        before = store.get_json(state_key)
        if window.resets_at is None:
            continue
        if isinstance(before, dict):
            old_reset = parse_iso(before.get("resetsAt"))
            old_used = before.get("used")
            if (old_reset is not None and isinstance(old_used, (int, float)) and old_used > 0
                    and old_reset > now and window.used_percent >= old_used - USED_SLACK
                    and window.resets_at - old_reset > RESET_SHIFT):
                changes.append(Change(f"{lane_label(key, window)} reset moved later",
                                      f"It was due {day_clock(old_reset, now)}; now {day_clock(window.resets_at, now)} "
                                      f"({fmt.percent_text(100 - window.used_percent)} left).",
                                      "reset_later", key))
        state = {"resetsAt": iso(window.resets_at), "used": window.used_percent}
        if before != state:
            store.set_json(state_key, state)
    return changes


def watch_credit_expiry(snap: UsageSnapshot, codex_home: str, store: Store, now: dt.datetime) -> list[Change]:
    """A day before a banked reset credit expires, once per expiry time."""
    credits = snap.credits
    expiry = credits.reset_credits_next_expiry if credits is not None else None
    if credits is None or not credits.reset_credits_available or expiry is None:
        return []
    if not (now < expiry <= now + CREDIT_WARNING):
        return []
    key = f"limits:credit-expiry:{home_key(codex_home)}"
    if store.get_json(key) == iso(expiry):
        return []
    store.set_json(key, iso(expiry))
    from codexbar_core.limits.menu_lines import day_clock

    count = credits.reset_credits_available
    held = "Your reset credit" if count == 1 else f"One of your {count} reset credits"
    return [Change("a limit reset credit expires soon",
                   f"{held} expires {day_clock(expiry, now)}. "
                   "codexbar never spends it; use it in Codex before then if you need it.",
                   "credit_expiry", "reset-credits")]


def watch_all(snap: UsageSnapshot, codex_home: str, store: Store, now: dt.datetime) -> list[Change]:
    if snap.partial:
        return watch_credit_expiry(snap, codex_home, store, now)  # a half-read answer says nothing about shape
    return [*watch_shape(snap, codex_home, store), *watch_resets(snap, codex_home, store, now),
            *watch_credit_expiry(snap, codex_home, store, now)]
