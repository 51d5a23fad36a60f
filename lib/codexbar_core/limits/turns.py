"""Turns left per model, learnt from the rate-limit snapshots in the session logs.

Every request's `token_count` event carries the account's used percent of each window. Between two
consecutive snapshots of the same window, the rise belongs to the request in between; summed per
model, that says how much of a window one turn (and one million tokens) of that model uses. With the
current percentage left, that becomes "≈ 40 turns of gpt-5.6-sol left in this 5-hour window" — an
estimate, shown only once there is enough evidence (docs/decisions/limits.md "Turns left per model").
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from codexbar_core.cache import home_key
from codexbar_core.limits.logtail import LimitRecord, newest_logs, records_in, tail
from codexbar_core.model import UsageSnapshot, iso, parse_iso

# Enough evidence: this many turns of the model, and this many percentage points of the window seen
# rising during them (used percentages are whole numbers; 10 points keep the rounding at the ends of a
# stretch of turns within about ±10 %).
MIN_TURNS = 10
MIN_POINTS = 10.0
# Two snapshots belong to the same window when their reset times differ by less than this.
SAME_WINDOW = dt.timedelta(minutes=10)
# What is read: the newest logs of the last week, each up to its last 1 MB (numbers: docs/decisions/limits.md).
LEARN_DAYS = 7
LEARN_FILES = 20
LEARN_TAIL = 1024 * 1024
SHOWN_MODELS = 3

LANE_WORDS = {300: "5-hour", 10080: "weekly", 43200: "monthly"}


@dataclass
class LaneRate:
    """What one model's turns did to one window (by its length in minutes)."""

    minutes: int
    points: float = 0.0  # percentage points the window rose during this model's requests
    tokens: int = 0
    turns: int = 0

    @property
    def enough(self) -> bool:
        return self.turns >= MIN_TURNS and self.points >= MIN_POINTS

    @property
    def percent_per_turn(self) -> float:
        return self.points / self.turns if self.turns else 0.0

    @property
    def percent_per_million(self) -> float:
        return self.points / self.tokens * 1e6 if self.tokens else 0.0


@dataclass
class ModelRates:
    model: str
    last_used: dt.datetime
    lanes: dict[int, LaneRate] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "lastUsed": iso(self.last_used),
                "lanes": [[r.minutes, r.points, r.tokens, r.turns] for r in self.lanes.values()]}

    @classmethod
    def from_dict(cls, d: Any) -> ModelRates | None:
        if not isinstance(d, dict) or not isinstance(d.get("model"), str):
            return None
        last = parse_iso(d.get("lastUsed"))
        if last is None:
            return None
        lanes: dict[int, LaneRate] = {}
        for row in d.get("lanes") or []:
            if isinstance(row, list) and len(row) == 4 and all(isinstance(v, (int, float)) for v in row):
                lanes[int(row[0])] = LaneRate(int(row[0]), float(row[1]), int(row[2]), int(row[3]))
        return cls(d["model"], last, lanes)


@dataclass
class TurnsLeft:
    """One estimate line: about `turns` turns of `model` before the `lane` window is empty."""

    model: str
    turns: int
    lane: str  # "5-hour", "weekly", …
    evidence_turns: int
    evidence_points: float
    percent_per_million: float


def learn(logs: list[list[LimitRecord]]) -> list[ModelRates]:
    """Rates per model from the records of several logs (each list in its log's order)."""
    timeline = sorted(((r.at, i, r) for i, records in enumerate(logs) for r in records if r.has_limits),
                      key=lambda x: (x[0], x[1]))
    rates: dict[str, ModelRates] = {}
    turns_seen: dict[tuple[str, int], set[tuple[int, int]]] = {}
    last: dict[int, Any] = {}  # window minutes -> previous snapshot of that window
    for at, log_index, record in timeline:
        if record.limit_id not in (None, "codex"):
            continue  # another limit group (Spark, …) has its own windows
        model = record.model
        entry = rates.setdefault(model, ModelRates(model, at)) if model is not None else None
        if entry is not None:
            entry.last_used = max(entry.last_used, at)
        for window in (record.primary, record.secondary):
            if window is None or not window.window_minutes:
                continue
            minutes = window.window_minutes
            before = last.get(minutes)
            last[minutes] = window
            if entry is None or model is None:
                continue  # a tail read from mid-log: this turn's model is not known
            if before is None or before.resets_at is None or window.resets_at is None:
                continue
            if abs(window.resets_at - before.resets_at) > SAME_WINDOW or before.resets_at <= at:
                continue  # a new window (reset in between), or an unused one sliding along
            # A drop inside the same window (a re-count, two sources rounding apart) is kept: summing
            # only the rises would turn noise into usage.
            rise = window.used_percent - before.used_percent
            lane = entry.lanes.setdefault(minutes, LaneRate(minutes))
            lane.points += rise
            lane.tokens += record.tokens
            seen = turns_seen.setdefault((model, minutes), set())
            if (log_index, record.turn) not in seen:
                seen.add((log_index, record.turn))
                lane.turns += 1
    return sorted(rates.values(), key=lambda m: m.last_used, reverse=True)


def turns_left(rates: list[ModelRates], snap: UsageSnapshot | None, now: dt.datetime) -> list[TurnsLeft]:
    """For the most recently used models with enough evidence: turns left in the window that binds first."""
    if snap is None:
        return []
    out: list[TurnsLeft] = []
    for model in rates:
        best: TurnsLeft | None = None
        for window in (snap.primary, snap.secondary):
            if window is None or window.window_minutes is None:
                continue
            if window.resets_at is not None and window.resets_at <= now:
                continue
            rate = model.lanes.get(window.window_minutes)
            if rate is None or not rate.enough or rate.percent_per_turn <= 0:
                continue
            turns = int(window.left_percent / rate.percent_per_turn)
            lane = LANE_WORDS.get(window.window_minutes, f"{window.window_minutes}-minute")
            if best is None or turns < best.turns:
                best = TurnsLeft(model.model, turns, lane, rate.turns, rate.points, rate.percent_per_million)
        if best is not None:
            out.append(best)
        if len(out) >= SHOWN_MODELS:
            break
    return out


def recent_rates(codex_home: str, store: Any = None) -> list[ModelRates]:
    """`learn` over the newest logs; remembered in the Store until one of those logs changes."""
    files = newest_logs(codex_home, limit=LEARN_FILES, days=LEARN_DAYS)
    digest = hashlib.blake2b(repr(files).encode(), digest_size=16).hexdigest()
    key = f"limits:turns:{home_key(codex_home)}"
    if store is not None:
        cached = store.get_json(key)
        if isinstance(cached, dict) and cached.get("digest") == digest and isinstance(cached.get("rates"), list):
            return [m for m in (ModelRates.from_dict(d) for d in cached["rates"]) if m is not None]
    rates = learn([records_in(tail(path, size, LEARN_TAIL)) for path, _mtime, size in files])
    if store is not None:
        store.set_json(key, {"digest": digest, "rates": [m.to_dict() for m in rates]})
    return rates
