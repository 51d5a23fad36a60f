"""The newest session logs and the rate-limit snapshots in their `token_count` events.

Codex writes the account's rate-limit state (the `x-codex-*` headers of each model request) into
the `token_count` event of every turn. Reading the newest of them needs no network, no login and no
process: list the newest date folders (`sessions/YYYY/MM/DD`), take the most recently written logs,
and read only their tails. See docs/decisions/limits.md ("The logs source").
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from typing import Any

from codexbar_core.model import from_epoch, parse_iso
from codexbar_core.sources.rate_limits import json_number

# How much of a log's end is read when looking for its last snapshot. A turn's token_count line is
# ~1 KB; a tool-heavy turn can write hundreds of KB of output after it, so the read grows once.
TAIL_BYTES = (64 * 1024, 1024 * 1024)
# Date folders looked at, newest first, and logs per search: enough for a few busy days.
MAX_DAY_FOLDERS = 3
MAX_FILES = 6

_MARKER = b'"token_count"'
_TURN = b'"turn_context"'


@dataclass
class LimitWindow:
    used_percent: float
    window_minutes: int | None
    resets_at: dt.datetime | None


@dataclass
class LimitRecord:
    """One `token_count` event: when, which model, how many tokens that request used, and the limits."""

    at: dt.datetime
    model: str | None
    tokens: int  # last_token_usage.total_tokens (0 when absent)
    limit_id: str | None = None
    limit_name: str | None = None
    primary: LimitWindow | None = None
    secondary: LimitWindow | None = None
    credits: dict[str, Any] | None = None
    plan: str | None = None
    reached: str | None = None  # rate_limit_reached_type, when a lane is exhausted
    turn: int = 0  # the turn's number in its log (turn_context events counted), for turns-per-model

    @property
    def has_limits(self) -> bool:
        return self.primary is not None or self.secondary is not None


def _window(raw: Any) -> LimitWindow | None:
    if not isinstance(raw, dict):
        return None
    used = json_number(raw.get("used_percent"))
    if used is None:
        return None
    minutes = json_number(raw.get("window_minutes"))
    reset = raw.get("resets_at")
    resets_at = parse_iso(reset) if isinstance(reset, str) and not reset.strip().isdigit() else from_epoch(reset)
    return LimitWindow(used, int(minutes) if minutes else None, resets_at)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def record_from(event: Any, model: str | None) -> LimitRecord | None:
    """A decoded log line -> LimitRecord, or None when it is not a token_count event."""
    if not isinstance(event, dict):
        return None
    payload = event.get("payload")
    if not isinstance(payload, dict) or payload.get("type") != "token_count":
        return None
    at = parse_iso(event.get("timestamp"))
    if at is None:
        return None
    info = payload.get("info")
    last = info.get("last_token_usage") if isinstance(info, dict) else None
    tokens = json_number(last.get("total_tokens")) if isinstance(last, dict) else None
    record = LimitRecord(at=at, model=model, tokens=int(tokens or 0))
    limits = payload.get("rate_limits")
    if isinstance(limits, dict):
        record.limit_id = _text(limits.get("limit_id"))
        record.limit_name = _text(limits.get("limit_name"))
        record.primary = _window(limits.get("primary"))
        record.secondary = _window(limits.get("secondary"))
        record.credits = limits.get("credits") if isinstance(limits.get("credits"), dict) else None
        record.plan = _text(limits.get("plan_type"))
        reached = limits.get("rate_limit_reached_type")
        record.reached = _text(reached.get("type") if isinstance(reached, dict) else reached)
    return record


def records_in(data: bytes) -> list[LimitRecord]:
    """Every token_count record in `data` (whole lines), with the model of the turn it belongs to."""
    out: list[LimitRecord] = []
    model: str | None = None
    turn = 0
    for line in data.split(b"\n"):
        is_turn = _TURN in line
        if not is_turn and _MARKER not in line:
            continue  # most lines are messages and tool output: never decoded
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a line cut by the tail read, or being written right now
        if is_turn:
            payload = event.get("payload") if isinstance(event, dict) else None
            if isinstance(payload, dict) and event.get("type") == "turn_context":
                model = _text(payload.get("model")) or model
                turn += 1
            continue
        record = record_from(event, model)
        if record is not None:
            record.turn = turn
            out.append(record)
    return out


def _day_folders(root: str, most: int = MAX_DAY_FOLDERS) -> list[str]:
    """`sessions/YYYY/MM/DD` folders, newest first, at most `most`."""
    found: list[str] = []

    def names(path: str) -> list[str]:
        try:
            return sorted((n for n in os.listdir(path) if n.isdigit()), reverse=True)
        except OSError:
            return []

    for year in names(root):
        for month in names(os.path.join(root, year)):
            for day in names(os.path.join(root, year, month)):
                found.append(os.path.join(root, year, month, day))
                if len(found) >= most:
                    return found
    return found


def newest_logs(codex_home: str, limit: int = MAX_FILES, days: int = MAX_DAY_FOLDERS) -> list[tuple[str, int, int]]:
    """(path, mtime_ns, size) of the most recently written logs, newest first.

    Only the newest date folders and the flat logs directly in `sessions/` are listed: a session
    resumed from an old folder is missed until it is in a new one (docs/decisions/limits.md)."""
    root = os.path.join(codex_home, "sessions")
    folders = [*_day_folders(root, days), root]
    found: list[tuple[str, int, int]] = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.endswith(".jsonl") or entry.name.startswith("."):
                continue
            try:
                st = entry.stat()
            except OSError:
                continue
            if st.st_mode & 0o170000 == 0o100000:  # regular files only (a FIFO would block the read)
                found.append((entry.path, st.st_mtime_ns, st.st_size))
    found.sort(key=lambda f: f[1], reverse=True)
    return found[:limit]


def tail(path: str, size: int, want: int) -> bytes:
    """The last `want` bytes of the file, from the first whole line on (all of it when smaller)."""
    try:
        with open(path, "rb") as fh:
            start = max(0, size - want)
            fh.seek(start)
            data = fh.read(want)
    except OSError:
        return b""
    if start > 0:
        cut = data.find(b"\n")
        data = data[cut + 1:] if cut >= 0 else b""
    return data


def newest_record(codex_home: str) -> LimitRecord | None:
    """The newest token_count event that carries rate limits (main lane group first), or None."""
    best: LimitRecord | None = None
    for path, _mtime, size in newest_logs(codex_home):
        for want in TAIL_BYTES:
            records = [r for r in records_in(tail(path, size, want)) if r.has_limits]
            if records or want >= size:
                break
        main = [r for r in records if r.limit_id in (None, "codex")] or records
        if main and (best is None or main[-1].at > best.at):
            best = main[-1]
        if best is not None and _mtime / 1e9 < best.at.timestamp():
            break  # older files cannot hold a newer event
    return best
