#!/usr/bin/env python3
"""Generate a realistic, deterministic Codex home for cost benchmarks and oracle comparisons.

    .venv/bin/python bench/gen_home.py OUT --files 2000 --mb 200 [--days 35] [--end 2026-11-24] [--seed 1]

Writes `OUT/sessions/YYYY/MM/DD/rollout-<local time>-<uuid>.jsonl` (and a share of the files flat in
`OUT/archived_sessions/`) in the line shapes the real Codex CLI 0.169.0 writes (docs/reference/cost-rules.md "Line shapes", the
harness corpus): `session_meta`, `event_msg` task_started / token_count (total_token_usage +
last_token_usage + rate_limits) / task_complete, `turn_context` with the model, `token_usage_record`,
and `response_item` messages, reasoning and tool calls carrying filler text so file sizes are
realistic. Only ordinary sessions (no forks, no subagents, no duplicate copies): those are where
codexbar and ccusage differ by design.

Every session is one file; every request is one token_count whose `last` is what the request used
and whose `total` is the running sum. Some sessions run past midnight (UTC), so one file holds events
of two days. File mtimes are set to the last event's time. The truth (per UTC day and model: input
incl. cached, cached, output, reasoning, requests) is written to `OUT/gen_manifest.json`, outside the
folders either tool reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Models both codexbar (docs/reference/cost-rules.md) and ccusage's offline table price alike (checked with
# bench/compare_ccusage.py); requests stay below the 272K long-context threshold.
DEFAULT_MODELS = ("gpt-5", "gpt-5-codex", "gpt-5-mini", "gpt-5.1-codex-max", "gpt-5.1-codex-mini",
                  "gpt-5.2", "gpt-5.2-codex", "gpt-5.4", "gpt-5.5")
WORDS = ("the", "function", "returns", "value", "file", "test", "error", "import", "class", "self", "path",
         "json", "line", "parse", "config", "module", "cache", "request", "response", "token", "model",
         "async", "await", "return", "None", "True", "False", "patch", "diff", "build", "output", "input")
CWD = "/home/dev/projects/app"
VERSION = 2  # bump when the output changes, so cached bench homes are regenerated
SEP = (",", ":")  # codex writes compact JSON


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def usage(inp: int, cached: int, out: int, reasoning: int) -> dict[str, int]:
    return {"input_tokens": inp, "cached_input_tokens": cached, "cache_write_input_tokens": 0,
            "output_tokens": out, "reasoning_output_tokens": reasoning, "total_tokens": inp + out}


@dataclass
class Truth:
    """Per (UTC day, model): [input incl. cached, cached, output, reasoning, requests]."""

    days: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def add(self, day: str, model: str, inp: int, cached: int, out: int, reasoning: int) -> None:
        row = self.days.setdefault(day, {}).setdefault(model, [0, 0, 0, 0, 0])
        row[0] += inp
        row[1] += cached
        row[2] += out
        row[3] += reasoning
        row[4] += 1

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for day in sorted(self.days):
            out[day] = {m: dict(zip(("input", "cached", "output", "reasoning", "requests"), v))
                        for m, v in sorted(self.days[day].items())}
        return out


class Filler:
    """Cheap pseudo-text: slices of one pre-generated block of words."""

    def __init__(self, rng: random.Random, size: int = 1 << 20) -> None:
        parts: list[str] = []
        n = 0
        while n < size:
            w = rng.choice(WORDS)
            parts.append(w)
            n += len(w) + 1
            if rng.random() < 0.08:
                parts.append("\n")
        self.block = " ".join(parts)
        self.rng = rng

    def text(self, n: int) -> str:
        n = max(1, min(n, len(self.block) - 1))
        start = self.rng.randrange(0, len(self.block) - n)
        return self.block[start:start + n]


class SessionWriter:
    """Builds one rollout file's lines; `emit` returns the encoded line and keeps ordinals."""

    def __init__(self, sid: str) -> None:
        self.sid = sid
        self.ordinal = 0
        self.lines: list[str] = []

    def emit(self, t: dt.datetime, kind: str, payload: dict[str, Any]) -> None:
        self.lines.append(json.dumps({"timestamp": iso(t), "ordinal": self.ordinal, "type": kind,
                                      "payload": payload}, separators=SEP))
        self.ordinal += 1


def new_uuid(rng: random.Random) -> str:
    # UUIDv7 layout like codex's ids (version and variant bits set by hand; py3.9 has no version=7)
    n = rng.getrandbits(128)
    n = (n & ~(0xF << 76)) | (0x7 << 76)
    n = (n & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=n))


def rate_limits(t: dt.datetime, used: float) -> dict[str, Any]:
    epoch = int(t.timestamp())
    return {"limit_id": "codex", "limit_name": None,
            "primary": {"used_percent": round(used, 1), "window_minutes": 300, "resets_at": epoch + 9000},
            "secondary": {"used_percent": round(used / 3, 1), "window_minutes": 10080,
                          "resets_at": epoch + 400000},
            "credits": {"has_credits": True, "unlimited": False, "balance": "12.5"},
            "individual_limit": None, "spend_control_reached": None, "plan_type": None,
            "rate_limit_reached_type": None}


def turn_context(turn_id: str, model: str) -> dict[str, Any]:
    return {"turn_id": turn_id, "root_turn_id": turn_id, "disabled_plugin_ids": [], "cwd": CWD,
            "approval_policy": "on-request", "approvals_reviewer": "user",
            "sandbox_policy": {"type": "workspace-write", "network_access": False,
                               "exclude_tmpdir_env_var": False, "exclude_slash_tmp": False},
            "model": model, "collaboration_mode": {"mode": "default", "settings": {
                "model": model, "reasoning_effort": "medium", "developer_instructions": None}},
            "effort": "medium", "summary": "auto", "realtime_active": False}


def write_session(rng: random.Random, filler: Filler, truth: Truth, start: dt.datetime, target_bytes: int,
                  models: tuple[str, ...]) -> tuple[str, list[str], dt.datetime]:
    """One ordinary session of a few turns; returns (session id, lines, time of the last line)."""
    sid = new_uuid(rng)
    w = SessionWriter(sid)
    t = start
    w.emit(t, "session_meta", {
        "session_id": sid, "id": sid, "timestamp": iso(t), "cwd": CWD, "originator": "codex_cli_rs",
        "cli_version": "0.169.0", "source": "cli", "thread_source": "user", "model_provider": "openai",
        "base_instructions": {"text": filler.text(min(rng.randint(4000, 12000), target_bytes // 5))}, "history_mode": "paginated"})
    model = rng.choice(models)
    total = [0, 0, 0, 0]
    context = rng.randint(8000, 30000)  # prompt size grows as the conversation does
    turns = max(1, min(rng.randint(2, 12), target_bytes // 12000))  # small files: fewer turns
    # filler sizes so the file lands near target_bytes: the fixed lines of a turn take ~2 KB,
    # those of a request ~2 KB more
    per_turn = max(0, target_bytes - len(w.lines[0])) // turns
    used = rng.uniform(1, 60)
    for _ in range(turns):
        if rng.random() < 0.15:
            model = rng.choice(models)  # `/model` switch mid-session
        turn_id = new_uuid(rng)
        t += dt.timedelta(seconds=rng.randint(20, 1800))
        w.emit(t, "event_msg", {"type": "task_started", "turn_id": turn_id, "root_turn_id": turn_id,
                                "started_at": int(t.timestamp()), "model_context_window": 258400,
                                "collaboration_mode_kind": "default"})
        user_text = filler.text(rng.randint(40, 600))
        if rng.random() < 0.02:  # users paste logs that mention the event names
            user_text += ' grep "token_count" and turn_context in the rollout'
        w.emit(t, "response_item", {"type": "message", "role": "user",
                                    "content": [{"type": "input_text", "text": user_text}]})
        w.emit(t, "turn_context", turn_context(turn_id, model))
        requests = rng.randint(1, 4)
        budget = max(100, (per_turn - 2000) // requests - 2000)
        for r in range(requests):
            t += dt.timedelta(seconds=rng.randint(2, 90))
            if r < requests - 1:  # a tool round trip with a big output
                call_id = f"call_{rng.getrandbits(48):012x}"
                w.emit(t, "response_item", {"type": "function_call", "name": "exec_command", "call_id": call_id,
                                            "arguments": json.dumps({"cmd": filler.text(60)})})
                w.emit(t, "response_item", {"type": "function_call_output", "call_id": call_id,
                                            "output": filler.text(budget)})
            else:
                w.emit(t, "response_item", {"type": "reasoning", "summary": [
                    {"type": "summary_text", "text": filler.text(rng.randint(100, 500))}],
                    "encrypted_content": filler.text(rng.randint(200, 600))})
                w.emit(t, "response_item", {"type": "message", "role": "assistant", "content": [
                    {"type": "output_text", "text": filler.text(budget), "annotations": []}]})
            context = min(260000, context + rng.randint(500, 12000))
            inp = context
            cached = int(inp * rng.uniform(0.5, 0.97)) if rng.random() < 0.9 else 0
            out = rng.randint(20, 4000)
            reasoning = rng.randint(0, out)
            last = [inp, cached, out, reasoning]
            total = [a + b for a, b in zip(total, last)]
            w.emit(t, "token_usage_record", {"thread_id": sid, "turn_id": turn_id, "session_id": sid,
                                             "root_turn_id": turn_id,
                                             "response_id": f"resp_{rng.getrandbits(64):016x}",
                                             "usage": usage(*last), "thread_token_usage": usage(*total)})
            used = min(100.0, used + rng.uniform(0, 0.5))
            w.emit(t, "event_msg", {"type": "token_count", "info": {
                "total_token_usage": usage(*total), "last_token_usage": usage(*last),
                "last_usage_includes_reasoning": False, "model_context_window": 258400},
                "rate_limits": rate_limits(t, used)})
            truth.add(t.strftime("%Y-%m-%d"), model, *last)
        t += dt.timedelta(milliseconds=rng.randint(5, 900))
        w.emit(t, "event_msg", {"type": "task_complete", "turn_id": turn_id, "root_turn_id": turn_id,
                                "last_agent_message": filler.text(80), "started_at": int(t.timestamp()) - 60,
                                "completed_at": int(t.timestamp()), "duration_ms": 60000})
    return sid, w.lines, t


def rollout_name(start: dt.datetime, sid: str) -> str:
    return f"rollout-{start.strftime('%Y-%m-%dT%H-%M-%S')}-{sid}.jsonl"


def generate(out: Path, *, files: int, megabytes: float, days: int, end: dt.date, seed: int,
             models: tuple[str, ...] = DEFAULT_MODELS, archived_share: float = 0.1) -> dict[str, Any]:
    rng = random.Random(seed)
    filler = Filler(rng)
    truth = Truth()
    avg = int(megabytes * 1_000_000 / max(1, files))
    first = end - dt.timedelta(days=days - 1)
    written = 0
    for i in range(files):
        day = first + dt.timedelta(days=i * days // files)  # spread evenly, every day has sessions
        if rng.random() < 0.05:  # late sessions run past midnight: one file, two days
            start = dt.datetime.combine(day, dt.time(23, rng.randint(0, 50)), dt.timezone.utc)
        else:
            start = dt.datetime.combine(day, dt.time(rng.randint(7, 21), rng.randint(0, 59),
                                                     rng.randint(0, 59)), dt.timezone.utc)
        start += dt.timedelta(milliseconds=rng.randint(0, 999))
        # steer towards the asked-for total: fixed lines make small files overshoot their target
        target = max(5000, int(avg * rng.uniform(0.3, 1.7)) + (avg * i - written) // 2)
        sid, lines, last_t = write_session(rng, filler, truth, start, target, models)
        if rng.random() < archived_share:
            path = out / "archived_sessions" / rollout_name(start, sid)
        else:
            path = out / "sessions" / start.strftime("%Y/%m/%d") / rollout_name(start, sid)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = ("\n".join(lines) + "\n").encode()
        path.write_bytes(data)
        stamp = last_t.timestamp()
        os.utime(path, (stamp, stamp))
        written += len(data)
    manifest = {"generator": VERSION, "seed": seed, "files": files, "bytes": written, "since": first.isoformat(),
                "until": max(truth.days) if truth.days else end.isoformat(),  # late sessions may spill over
                "models": list(models), "days": truth.as_json()}
    (out / "gen_manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--mb", type=float, default=200, help="total size in MB (10^6 bytes), roughly")
    ap.add_argument("--days", type=int, default=35)
    ap.add_argument("--end", type=dt.date.fromisoformat, default=dt.datetime.now(dt.timezone.utc).date(),
                    help="last day with sessions (UTC), default today")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS))
    ap.add_argument("--archived-share", type=float, default=0.1)
    ap.add_argument("--thread-index", action="store_true",
                    help="also write state_5.sqlite, Codex 0.169.0's thread index, one row per rollout")
    args = ap.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        ap.error(f"{args.out} exists and is not empty")
    m = generate(args.out, files=args.files, megabytes=args.mb, days=args.days, end=args.end, seed=args.seed,
                 models=tuple(x for x in args.models.split(",") if x), archived_share=args.archived_share)
    if args.thread_index:
        import thread_db

        thread_db.write_index(args.out)
        thread_db.settle(args.out)
    print(f"{args.out}: {m['files']} files, {m['bytes'] / 1e6:.1f} MB, days {m['since']}..{m['until']}")


if __name__ == "__main__":
    main()
