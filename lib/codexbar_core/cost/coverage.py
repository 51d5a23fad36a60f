"""How much of OpenAI's own daily token count the local logs cover (docs/decisions/cost-breakdowns.md).

The Codex CLI's app-server answers `account/usage/read` with `dailyUsageBuckets` ({startDate,
tokens}) — 0.169.0 has it (it reads `GET {chatgpt_base_url}/wham/profiles/me`). An app-server
without the method (JSON-RPC "method not found") is remembered as unsupported; any other failure
just leaves the comparison out. The buckets are fetched off the menu's path (the background
refresh, or the terminal report) and kept for an hour; the menu only reads them.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codexbar_core.cache import Store, home_key
from codexbar_core.cost.store import StateStore
from codexbar_core.cost_model import CostReport, DayCost

if TYPE_CHECKING:
    from codexbar_core.cost_model import HomeCost

SERVER_TTL_S = 3600.0
UNSUPPORTED_TTL_S = 24 * 3600.0  # a CLI without the method: asked again after an update, at most daily
WINDOW_DAYS = 7
INFLATED = 1.25  # local above 125 % of the server's count: replayed history counted again
METHOD = "account/usage/read"
CALL_TIMEOUT_S = 6.0


def server_key(home: str) -> str:
    return f"cost:server-usage:{home}"


class Coverage:
    """Local tokens against the server's over the same days (the last `days` it reported)."""

    __slots__ = ("days", "local", "server")

    def __init__(self, days: int, local: int, server: int) -> None:
        self.days = days
        self.local = local
        self.server = server

    @property
    def percent(self) -> int:
        return int(round(self.local / self.server * 100)) if self.server else 0

    @property
    def inflated(self) -> bool:
        return self.server > 0 and self.local > self.server * INFLATED

    def text(self) -> str:
        line = f"Local logs cover {self.percent} % of what OpenAI counted ({self.days} days)"
        if self.inflated:
            line += " · more than OpenAI counted: replayed history may be counted twice"
        return line


def compare(daily: list[DayCost], buckets: list[tuple[str, int]], today: dt.date) -> Coverage | None:
    """The last WINDOW_DAYS days up to today that the server reported, against the same local days."""
    lo = (today - dt.timedelta(days=WINDOW_DAYS - 1)).isoformat()
    hi = today.isoformat()
    server = {day: tokens for day, tokens in buckets if lo <= day <= hi}
    if not server or sum(server.values()) <= 0:
        return None
    local = sum(d.tokens.total_tokens for d in daily if d.date in server)
    return Coverage(WINDOW_DAYS, local, sum(server.values()))


def parse_buckets(result: Any) -> list[tuple[str, int]] | None:
    raw = result.get("dailyUsageBuckets") if isinstance(result, dict) else None
    if not isinstance(raw, list):
        return None
    out = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        day, tokens = item.get("startDate"), item.get("tokens")
        if isinstance(day, str) and len(day) >= 10 and isinstance(tokens, int) and not isinstance(tokens, bool):
            out.append((day[:10], tokens))
    return out


def fetch(codex_home: Path, env: dict[str, str], timeout: float = CALL_TIMEOUT_S) -> dict[str, Any] | None:
    """{"buckets": [[day, tokens], ...]} or {"unsupported": True}; None when it could not be asked."""
    from codexbar_core import errors, paths
    from codexbar_core.sources.rpc import SAFE_FLAGS, AppServer

    binary = paths.find_codex_binary(env)
    if binary is None:
        return None
    child_env = dict(env, CODEX_HOME=str(codex_home))
    try:
        server = AppServer([str(binary), *SAFE_FLAGS, "app-server"], child_env,
                           str(codex_home) if codex_home.is_dir() else None)
    except errors.CodexbarError:
        return None
    try:
        deadline = time.monotonic() + timeout
        init = server.send("initialize", {"clientInfo": {"name": "codexbar", "title": "codexbar", "version": "0"},
                                          "capabilities": None})
        server.wait([init], deadline, "initialize")
        server.send("initialized", {}, notify=True)
        call = server.send(METHOD, {})
        server.wait([call], deadline, METHOD)
        reply = server.replies[call]
    except errors.CodexbarError:
        return None
    finally:
        server.close(grace=0.3)
    error = reply.get("error")
    if isinstance(error, dict):
        if error.get("code") == -32601 or "unknown variant" in str(error.get("message", "")):
            return {"unsupported": True}
        return None
    buckets = parse_buckets(reply.get("result"))
    return None if buckets is None else {"buckets": [list(b) for b in buckets]}


def refresh(codex_home: Path, store: Store | None, env: dict[str, str], force: bool = False) -> None:
    """Ask the app-server again when the kept answer is older than its TTL (never from the menu)."""
    if store is None or not has_chatgpt_login(codex_home):
        return
    home = home_key(codex_home)
    state = StateStore(store, home)
    kept = state.get(server_key(home))
    if kept is not None and not force:
        age = time.time() - float(kept.get("at") or 0)
        if 0 <= age < (UNSUPPORTED_TTL_S if kept.get("unsupported") else SERVER_TTL_S):
            return
    found = fetch(codex_home, env)
    if found is None:  # not answered (no CLI, no login, offline): keep what we had, ask again in an hour
        found = {"buckets": kept.get("buckets")} if kept is not None and not kept.get("unsupported") else {}
    state.put(server_key(home), dict(found, at=time.time()))
    state.flush()


def has_chatgpt_login(codex_home: Path) -> bool:
    """Only a ChatGPT login has an OpenAI count to compare with (API keys are billed elsewhere)."""
    import json

    try:
        with open(codex_home / "auth.json", "rb") as handle:
            auth = json.load(handle)
    except (OSError, ValueError):
        return False
    return isinstance(auth, dict) and isinstance(auth.get("tokens"), dict)


def needs_refresh(codex_home: Path, store: Store | None) -> bool:
    """True when the kept answer is missing or past its TTL (the menu then asks the background refresh)."""
    if store is None or not has_chatgpt_login(codex_home):
        return False
    home = home_key(codex_home)
    kept = StateStore(store, home).get(server_key(home))
    if kept is None:
        return True
    age = time.time() - float(kept.get("at") or 0)
    return not 0 <= age < (UNSUPPORTED_TTL_S if kept.get("unsupported") else SERVER_TTL_S)


def kept_coverage(codex_home: Path, store: Store | None, daily: list[DayCost],
                  today: dt.date) -> Coverage | None:
    """The comparison from the kept answer (one cache read); None when there is none to compare."""
    if store is None:
        return None
    home = home_key(codex_home)
    kept = StateStore(store, home).get(server_key(home))
    if kept is None or kept.get("unsupported") or not isinstance(kept.get("buckets"), list):
        return None
    buckets = [(str(b[0]), int(b[1])) for b in kept["buckets"] if isinstance(b, list) and len(b) == 2
               and isinstance(b[1], int)]
    return compare(daily, buckets, today)


def report_lines(homes: list[Any], store: Store | None, env: dict[str, str], reports: list[HomeCost],
                 force: bool = False) -> list[str | None]:
    """The terminal report's coverage line per home, from the kept answer; `force` (--refresh) asks
    the server first (never otherwise: an offline terminal must not wait for it)."""
    out: list[str | None] = []
    for home, rep in zip(homes, reports):
        line = None
        if isinstance(rep, CostReport) and rep.daily:
            try:
                if force:
                    refresh(home.path, store, env, force=True)
                found = kept_coverage(home.path, store, rep.daily, dt.date.today())
                line = found.text() if found is not None else None
            except Exception:
                line = None  # the comparison is extra: it never costs the report
        out.append(line)
    return out
