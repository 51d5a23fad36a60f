"""The cost report as typed records: what `cost_report` builds and the menu, the terminal report and
the chart read (docs/design/cost-report.md).

`to_contract()` writes the `codexbar cost --json` object exactly (docs/reference/command-line.md,
"codexbar cost --json": the same keys, in the same order, the same values); `from_contract()` reads
one back (a saved result, the warm snapshot), so `to_contract(from_contract(x)) == x`. Money is in
dollars as the contract has it (None = unpriced); the pico-dollar sums stay inside cost/.
"""

from __future__ import annotations

from codexbar_core.slots import Record, replace

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any, Union

    Contract = dict[str, Any]
    HomeCost = Union["CostReport", "CostFailure"]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class ModelCost(Record):
    """One model's share of a day, a month or a session."""

    __slots__ = ("model_name", "input_tokens", "cache_read_tokens", "output_tokens", "total_tokens", "cost")

    def __init__(self, model_name: str, input_tokens: int, cache_read_tokens: int, output_tokens: int,
                 total_tokens: int, cost: float | None) -> None:
        self.model_name = model_name
        self.input_tokens = input_tokens
        self.cache_read_tokens = cache_read_tokens
        self.output_tokens = output_tokens
        self.total_tokens = total_tokens
        self.cost = cost

    def to_contract(self) -> Contract:
        return {"modelName": self.model_name, "inputTokens": self.input_tokens,
                "cacheReadTokens": self.cache_read_tokens, "outputTokens": self.output_tokens,
                "totalTokens": self.total_tokens, "cost": self.cost}

    @classmethod
    def from_contract(cls, d: Contract) -> ModelCost:
        return cls(d["modelName"], d["inputTokens"], d["cacheReadTokens"], d["outputTokens"], d["totalTokens"],
                   d["cost"])


class TokenTotals(Record):
    """Tokens and cost summed over some span: input includes cached, output includes reasoning,
    total = input + output (docs/reference/cost-rules.md)."""

    __slots__ = ("input_tokens", "cache_read_tokens", "output_tokens", "reasoning_output_tokens",
                 "total_tokens", "total_cost")

    def __init__(self, input_tokens: int, cache_read_tokens: int, output_tokens: int,
                 reasoning_output_tokens: int, total_tokens: int, total_cost: float | None) -> None:
        self.input_tokens = input_tokens
        self.cache_read_tokens = cache_read_tokens
        self.output_tokens = output_tokens
        self.reasoning_output_tokens = reasoning_output_tokens
        self.total_tokens = total_tokens
        self.total_cost = total_cost

    def to_contract(self) -> Contract:
        return {"inputTokens": self.input_tokens, "cacheReadTokens": self.cache_read_tokens,
                "outputTokens": self.output_tokens, "reasoningOutputTokens": self.reasoning_output_tokens,
                "totalTokens": self.total_tokens, "totalCost": self.total_cost}

    @classmethod
    def from_contract(cls, d: Contract) -> TokenTotals:
        return cls(d.get("inputTokens") or 0, d.get("cacheReadTokens") or 0, d.get("outputTokens") or 0,
                   d.get("reasoningOutputTokens") or 0, d.get("totalTokens") or 0, d.get("totalCost"))


def _models(d: Contract) -> list[ModelCost]:
    return [ModelCost.from_contract(m) for m in _list(d.get("modelBreakdowns"))]


class DayCost(Record):
    """One local calendar day with usage (docs/reference/cost-rules.md, "Day assignment")."""

    __slots__ = ("date", "tokens", "models_used", "model_breakdowns")

    def __init__(self, date: str, tokens: TokenTotals, models_used: list[str],
                 model_breakdowns: list[ModelCost]) -> None:
        self.date = date  # YYYY-MM-DD
        self.tokens = tokens
        self.models_used = models_used
        self.model_breakdowns = model_breakdowns  # costliest first

    def to_contract(self) -> Contract:
        out: Contract = {"date": self.date}
        out.update(self.tokens.to_contract())
        out["modelsUsed"] = list(self.models_used)
        out["modelBreakdowns"] = [m.to_contract() for m in self.model_breakdowns]
        return out

    @classmethod
    def from_contract(cls, d: Contract) -> DayCost:
        return cls(d["date"], TokenTotals.from_contract(d), list(_list(d.get("modelsUsed"))), _models(d))


class MonthCost(Record):
    """`--by month`: the days of one calendar month summed."""

    __slots__ = ("month", "tokens", "model_breakdowns")

    def __init__(self, month: str, tokens: TokenTotals, model_breakdowns: list[ModelCost]) -> None:
        self.month = month  # YYYY-MM
        self.tokens = tokens
        self.model_breakdowns = model_breakdowns

    def to_contract(self) -> Contract:
        out: Contract = {"month": self.month}
        out.update(self.tokens.to_contract())
        out["modelBreakdowns"] = [m.to_contract() for m in self.model_breakdowns]
        return out

    @classmethod
    def from_contract(cls, d: Contract) -> MonthCost:
        return cls(d["month"], TokenTotals.from_contract(d), _models(d))


class SessionLine(Record):
    """`--by session`: one Codex thread's usage in the window (docs/decisions/cost-breakdowns.md)."""

    __slots__ = ("session_id", "file", "project", "parent_session_id", "title", "first_activity",
                 "last_activity", "tokens", "model_breakdowns")

    def __init__(self, session_id: str | None, file: str, project: str, parent_session_id: str | None,
                 title: str | None, first_activity: str | None, last_activity: str | None,
                 tokens: TokenTotals, model_breakdowns: list[ModelCost]) -> None:
        self.session_id = session_id
        self.file = file  # relative to the Codex home
        self.project = project
        self.parent_session_id = parent_session_id  # a fork's or subagent's parent
        self.title = title  # the thread's title, already cut short (the user's own text)
        self.first_activity = first_activity  # ISO UTC with milliseconds, as the contract writes it
        self.last_activity = last_activity
        self.tokens = tokens
        self.model_breakdowns = model_breakdowns

    def to_contract(self) -> Contract:
        out: Contract = {"sessionId": self.session_id, "file": self.file, "project": self.project,
                         "parentSessionId": self.parent_session_id, "title": self.title,
                         "firstActivity": self.first_activity, "lastActivity": self.last_activity}
        out.update(self.tokens.to_contract())
        out["modelBreakdowns"] = [m.to_contract() for m in self.model_breakdowns]
        return out

    @classmethod
    def from_contract(cls, d: Contract) -> SessionLine:
        return cls(d.get("sessionId"), d["file"], d["project"], d.get("parentSessionId"), d.get("title"),
                   d.get("firstActivity"), d.get("lastActivity"), TokenTotals.from_contract(d), _models(d))

    @property
    def top_model(self) -> str | None:
        return self.model_breakdowns[0].model_name if self.model_breakdowns else None


class ProjectLine(Record):
    """`--by project`: the sessions of one repository (else folder) summed."""

    __slots__ = ("project", "path", "sessions", "tokens")

    def __init__(self, project: str, path: str, sessions: int, tokens: TokenTotals) -> None:
        self.project = project
        self.path = path
        self.sessions = sessions
        self.tokens = tokens

    def to_contract(self) -> Contract:
        out: Contract = {"project": self.project, "path": self.path, "sessions": self.sessions}
        out.update(self.tokens.to_contract())
        return out

    @classmethod
    def from_contract(cls, d: Contract) -> ProjectLine:
        return cls(d["project"], d.get("path") or "", d.get("sessions") or 0, TokenTotals.from_contract(d))


class CostReport(Record):
    """The local cost of one Codex home over a window of days.

    `monthly`, `sessions` and `projects` are None unless `--by` asked for them (the contract then
    has that one array); `home` / `codex_home` are set once the report is tagged with its home."""

    __slots__ = ("provider", "source", "updated_at", "since", "until", "today_tokens", "today_cost",
                 "window_tokens", "window_cost", "daily", "totals", "unpriced_models", "notes", "monthly",
                 "sessions", "projects", "home", "codex_home")

    def __init__(self, provider: str, source: str, updated_at: str, since: str, until: str,
                 today_tokens: int, today_cost: float | None, window_tokens: int, window_cost: float | None,
                 daily: list[DayCost], totals: TokenTotals, unpriced_models: list[str], notes: list[str],
                 monthly: list[MonthCost] | None, sessions: list[SessionLine] | None,
                 projects: list[ProjectLine] | None, home: str | None, codex_home: str | None) -> None:
        self.provider = provider
        self.source = source
        self.updated_at = updated_at  # ISO UTC, seconds
        self.since = since
        self.until = until
        self.today_tokens = today_tokens  # sessionTokens
        self.today_cost = today_cost  # sessionCostUSD
        self.window_tokens = window_tokens  # last30DaysTokens (whatever the window's length)
        self.window_cost = window_cost  # last30DaysCostUSD
        self.daily = daily  # oldest first, days with usage only
        self.totals = totals
        self.unpriced_models = unpriced_models
        self.notes = notes
        self.monthly = monthly
        self.sessions = sessions
        self.projects = projects
        self.home = home
        self.codex_home = codex_home

    @property
    def window_days(self) -> int:
        import datetime as dt

        try:
            return (dt.date.fromisoformat(self.until) - dt.date.fromisoformat(self.since)).days + 1
        except (TypeError, ValueError):
            return 30

    def tagged(self, home: str, codex_home: str) -> CostReport:
        return replace(self, home=home, codex_home=codex_home)

    def to_contract(self) -> Contract:
        out: Contract = {
            "provider": self.provider,
            "source": self.source,
            "updatedAt": self.updated_at,
            "since": self.since,
            "until": self.until,
            "sessionTokens": self.today_tokens,
            "sessionCostUSD": self.today_cost,
            "last30DaysTokens": self.window_tokens,
            "last30DaysCostUSD": self.window_cost,
            "daily": [d.to_contract() for d in self.daily],
            "totals": self.totals.to_contract(),
            "unpricedModels": list(self.unpriced_models),
            "notes": list(self.notes),
        }
        if self.monthly is not None:
            out["monthly"] = [m.to_contract() for m in self.monthly]
        if self.sessions is not None:
            out["sessions"] = [s.to_contract() for s in self.sessions]
        if self.projects is not None:
            out["projects"] = [p.to_contract() for p in self.projects]
        if self.home is not None:
            out["home"] = self.home
        if self.codex_home is not None:
            out["codexHome"] = self.codex_home
        return out

    @classmethod
    def from_contract(cls, d: Contract) -> CostReport:
        """Raises KeyError / TypeError / ValueError on a record that is not a report."""
        def arrays(key: str, kind: Any) -> list[Any] | None:
            return None if key not in d else [kind.from_contract(x) for x in _list(d[key])]

        return cls(
            provider=d.get("provider") or "codex", source=d.get("source") or "local",
            updated_at=d.get("updatedAt") or "", since=d["since"], until=d["until"],
            today_tokens=d.get("sessionTokens") or 0, today_cost=d.get("sessionCostUSD"),
            window_tokens=d.get("last30DaysTokens") or 0, window_cost=d.get("last30DaysCostUSD"),
            daily=[DayCost.from_contract(x) for x in _list(d.get("daily"))],
            totals=TokenTotals.from_contract(_dict(d.get("totals"))),
            unpriced_models=[str(x) for x in _list(d.get("unpricedModels"))],
            notes=[str(x) for x in _list(d.get("notes"))],
            monthly=arrays("monthly", MonthCost), sessions=arrays("sessions", SessionLine),
            projects=arrays("projects", ProjectLine), home=d.get("home"), codex_home=d.get("codexHome"))


class CostFailure(Record):
    """A home whose cost could not be read (`codexbar cost` still lists it, with the reason)."""

    __slots__ = ("home", "codex_home", "message")

    def __init__(self, home: str, codex_home: str, message: str) -> None:
        self.home = home
        self.codex_home = codex_home
        self.message = message

    def to_contract(self) -> Contract:
        return {"provider": "codex", "source": "local", "home": self.home, "codexHome": self.codex_home,
                "error": {"kind": "cost", "message": self.message}}


def top_models(days: list[DayCost], limit: int | None = 8) -> list[tuple[str, float | None, int]]:
    """(model, cost or None when unpriced, tokens) over the days, costliest first: the menu's "Cost by
    model" and the terminal report's "By model" read this one list."""
    totals: dict[str, list[Any]] = {}
    for day in days:
        for m in day.model_breakdowns:
            entry = totals.setdefault(m.model_name or "unknown", [None, 0])
            if m.cost is not None:
                entry[0] = (entry[0] or 0.0) + m.cost
            entry[1] += int(m.total_tokens or 0)
    ranked = sorted(totals.items(), key=lambda kv: (kv[1][0] or 0.0, kv[1][1]), reverse=True)
    return [(name, v[0], v[1]) for name, v in ranked[:limit]]
