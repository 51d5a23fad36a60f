"""Realistic inputs for the renderer: a Pro account mid-week, a 30-day cost history, fixed clock."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from codexbar_core.cost_model import CostReport
from codexbar_core.model import (
    UTC,
    Credits,
    Identity,
    RateWindow,
    SourceAttempt,
    SourceTrace,
    UsageResult,
    UsageSnapshot,
    WebExtras,
)
from codexbar_core.render.menu_input import HomeView, MenuInput

NOW = dt.datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
TODAY = dt.date(2026, 11, 25)

MODELS = (("gpt-5.5", 0.62), ("gpt-5.4-mini", 0.23), ("gpt-5.6-sol", 0.15))


def snapshot(session_used: float = 28, weekly_used: float = 59, *, session_reset_h: float = 2.5,
             weekly_reset_d: float = 2.2, fetched_ago_s: float = 40, extras: bool = True) -> UsageSnapshot:
    extra = []
    if extras:
        extra = [RateWindow(12, 300, NOW + dt.timedelta(hours=3, minutes=10), id="codex-spark",
                            title="Codex Spark 5-hour"),
                 RateWindow(31, 10080, NOW + dt.timedelta(days=4), id="codex-spark-weekly",
                            title="Codex Spark Weekly")]
    return UsageSnapshot(
        source="oauth",
        primary=RateWindow(session_used, 300, NOW + dt.timedelta(hours=session_reset_h)),
        secondary=RateWindow(weekly_used, 10080, NOW + dt.timedelta(days=weekly_reset_d)),
        extra_windows=extra,
        identity=Identity(email="dana@example.com", plan="pro", login_method="chatgpt"),
        credits=Credits(balance=112.4, has_credits=True),
        fetched_at=NOW - dt.timedelta(seconds=fetched_ago_s),
        cli_version="0.169.0",
        web=WebExtras(code_review_left_percent=86) if extras else None,
    )


def result(snap: UsageSnapshot | None, *, name: str = "default", home: str = "/Users/dana/.codex",
           stale: bool = False, error: dict[str, str] | None = None) -> UsageResult:
    trace = SourceTrace("auto", "default", [SourceAttempt("oauth", "ok", "auth.json tokens")])
    return UsageResult(name, home, snap, trace, error=error, stale=stale)


def cost_report(seed: int = 7, days: int = 30, scale: float = 1.0, until: dt.date = TODAY) -> CostReport:
    """A cost report (weekday work, some quiet weekends), read from the contract's shape."""
    return CostReport.from_contract(cost_contract(seed, days, scale, until))


def cost_contract(seed: int = 7, days: int = 30, scale: float = 1.0, until: dt.date = TODAY) -> dict[str, Any]:
    """The same report as `codexbar cost --json` writes it."""
    rng = random.Random(seed)
    daily = []
    for i in range(days):
        date = until - dt.timedelta(days=days - 1 - i)
        if date.weekday() >= 5 and rng.random() < 0.6:
            continue
        cost = round(rng.uniform(0.4, 9.0) * scale, 2)
        tokens = int(cost * 1_150_000)
        breakdowns = []
        for model, share in MODELS:
            t = int(tokens * share)
            breakdowns.append({"modelName": model, "inputTokens": int(t * 0.9), "cacheReadTokens": int(t * 0.6),
                               "outputTokens": t - int(t * 0.9), "totalTokens": t, "cost": round(cost * share, 4)})
        daily.append({"date": date.isoformat(), "inputTokens": int(tokens * 0.9),
                      "cacheReadTokens": int(tokens * 0.6), "outputTokens": tokens - int(tokens * 0.9),
                      "reasoningOutputTokens": int(tokens * 0.03), "totalTokens": tokens, "totalCost": cost,
                      "modelsUsed": [m for m, _ in MODELS], "modelBreakdowns": breakdowns})
    today = [d for d in daily if d["date"] == until.isoformat()]
    return {
        "provider": "codex", "source": "local", "updatedAt": "2026-11-25T14:29:00Z",
        "since": (until - dt.timedelta(days=days - 1)).isoformat(), "until": until.isoformat(),
        "sessionTokens": today[0]["totalTokens"] if today else 0,
        "sessionCostUSD": today[0]["totalCost"] if today else 0.0,
        "last30DaysTokens": sum(d["totalTokens"] for d in daily),
        "last30DaysCostUSD": round(sum(d["totalCost"] for d in daily), 2),
        "daily": daily, "totals": {}, "unpricedModels": [], "notes": [],
    }


def menu_input(views: list[HomeView] | None = None, **kwargs: Any) -> MenuInput:
    views = views if views is not None else [HomeView(result(snapshot()), cost_report())]
    kwargs.setdefault("dark", False)
    return MenuInput(homes=views, now=NOW, action_path="/Users/dana/SwiftBar/codexbar.5m.py", **kwargs)
