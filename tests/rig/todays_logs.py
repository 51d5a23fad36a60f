"""Session logs written today, the way Codex writes them: for runs of the real command (menu, cost)
whose window ends now. (tests/cost/logs.py writes fixed days for the scanner's own tests.)"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

SID = "01a20a8e-2d93-7e12-908d-ea427cb52971"
MODEL = "gpt-5"


def now_ts(seconds: int) -> str:
    base = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=1, microsecond=0)
    return (base + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def jl(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


def head(sid: str = SID) -> bytes:
    return (jl({"timestamp": now_ts(0), "type": "session_meta", "payload": {"id": sid, "timestamp": now_ts(0),
                                                                             "source": "cli"}})
            + jl({"timestamp": now_ts(1), "type": "turn_context", "payload": {"turn_id": "t1", "model": MODEL}}))


def tokens(i: int, total: int, last: int) -> bytes:
    def u(n: int) -> dict[str, int]:
        return {"input_tokens": n, "cached_input_tokens": n // 4, "output_tokens": n // 10,
                "reasoning_output_tokens": 0, "total_tokens": n + n // 10}

    return jl({"timestamp": now_ts(10 + i), "type": "event_msg",
               "payload": {"type": "token_count", "info": {"total_token_usage": u(total),
                                                           "last_token_usage": u(last)}}})


def events(start: int, count: int, step: int = 1000) -> bytes:
    return b"".join(tokens(i, (i + 1) * step, step) for i in range(start, start + count))


def log_path(home: Path, name: str = "rollout") -> Path:
    day = dt.datetime.now(dt.timezone.utc)
    folder = home / "sessions" / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}-{day:%Y-%m-%dT%H-%M-%S}-{SID}.jsonl"
