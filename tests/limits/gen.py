"""Session logs shaped like the real CLI's (tests/cost_oracle/corpus): turn_context + token_count with rate_limits."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

UTC = dt.timezone.utc


def limits(primary: float | None, secondary: float | None, *, primary_reset: dt.datetime | None = None,
           secondary_reset: dt.datetime | None = None, primary_minutes: int = 300, secondary_minutes: int = 10080,
           balance: str | None = "12.5", plan: str | None = None, limit_id: str = "codex",
           reached: str | None = None) -> dict[str, Any]:
    def window(used: float | None, minutes: int, reset: dt.datetime | None) -> dict[str, Any] | None:
        if used is None:
            return None
        return {"used_percent": used, "window_minutes": minutes,
                "resets_at": int(reset.timestamp()) if reset else None}

    return {"limit_id": limit_id, "limit_name": None,
            "primary": window(primary, primary_minutes, primary_reset),
            "secondary": window(secondary, secondary_minutes, secondary_reset),
            "credits": {"has_credits": True, "unlimited": False, "balance": balance} if balance else None,
            "individual_limit": None, "spend_control_reached": None, "plan_type": plan,
            "rate_limit_reached_type": reached}


def ts(t: dt.datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def turn_context(t: dt.datetime, model: str) -> dict[str, Any]:
    return {"timestamp": ts(t), "type": "turn_context", "payload": {"turn_id": "t", "cwd": "/p", "model": model}}


def token_count(t: dt.datetime, tokens: int, rate_limits: dict[str, Any] | None) -> dict[str, Any]:
    usage = {"input_tokens": tokens - tokens // 10, "cached_input_tokens": 0, "output_tokens": tokens // 10,
             "reasoning_output_tokens": 0, "total_tokens": tokens}
    return {"timestamp": ts(t), "type": "event_msg",
            "payload": {"type": "token_count", "info": {"total_token_usage": usage, "last_token_usage": usage,
                                                        "model_context_window": 258400},
                        "rate_limits": rate_limits}}


def message(t: dt.datetime, text: str) -> dict[str, Any]:
    return {"timestamp": ts(t), "type": "response_item",
            "payload": {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}}


def write_log(home: Path, started: dt.datetime, events: list[dict[str, Any]], name: str = "a",
              mtime: dt.datetime | None = None) -> Path:
    local = started.astimezone()
    folder = home / "sessions" / f"{local:%Y}" / f"{local:%m}" / f"{local:%d}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"rollout-{local:%Y-%m-%dT%H-%M-%S}-{name}.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path
