"""Prices per token event (docs/reference/cost-rules.md, "Pricing"): bundled table, model-name normalisation, user overrides.

Costs are computed in exact integers ("pico-dollars": USD × 10^12, i.e. tokens × rate-per-1M × 10^6),
so summing thousands of rows never drifts and the report is exact to the cent.

Price override file
-------------------
`<settings folder>/prices.json` (the settings folder is `$CODEXBAR_CONFIG_DIR`, else
`$SWIFTBAR_PLUGIN_DATA_PATH`, else the platform config folder + `codexbar`). A JSON object mapping a
model name to its prices in USD per 1 million tokens; an entry replaces the bundled price of that
model (or prices a model the bundled table does not know):

    {
      "gpt-5.5": {"input": 5.0, "cachedInput": 0.5, "output": 30.0,
                  "longContext": {"threshold": 272000, "input": 10.0, "cachedInput": 1.0, "output": 45.0}},
      "my-local-model": {"input": 0, "output": 0}
    }

- `input` and `output` are required; `cachedInput` defaults to `input` (no cache discount).
- `longContext` is optional: requests whose prompt (input tokens) is above `threshold` (default
  272,000) are priced at these rates instead (per request, never per day).
- Names are matched as Codex writes them, without a leading `openai/`; an override beats the
  bundled table and its dated rates. A broken file or entry is ignored (the report says so).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from codexbar_core.digests import sha256

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

UNKNOWN_MODEL = "unknown"
PICO = 10**12  # cost units per USD
_DATE_SUFFIX = re.compile(r"^(.+)-\d{4}-\d{2}-\d{2}$")
_MAX_RATE = 1_000_000.0  # USD per 1M tokens; anything above is a typo, not a price


# Plain classes, not dataclasses: defining a dataclass costs ~0.3 ms of every run's imports.

class Rates:
    """Integer rates: USD per 1M tokens × 10^6 (so tokens × rate = pico-dollars)."""

    __slots__ = ("input", "cached", "output")

    def __init__(self, input: int, cached: int, output: int) -> None:
        self.input, self.cached, self.output = input, cached, output


class ModelPrice:
    __slots__ = ("standard", "long", "threshold", "before_ms", "old", "old_long", "priority")

    def __init__(self, standard: Rates, long: Rates | None = None, threshold: int = 272_000,
                 before_ms: int | None = None, old: Rates | None = None, old_long: Rates | None = None,
                 priority: float = 1.0) -> None:
        self.standard = standard
        self.long = long
        self.threshold = threshold
        self.before_ms = before_ms  # events earlier than this use `old` / `old_long`
        self.old = old
        self.old_long = old_long
        self.priority = priority  # Fast (service_tier "priority") multiplier; 1 = no Fast price

    def with_priority(self, priority: float) -> ModelPrice:
        return ModelPrice(self.standard, self.long, self.threshold, self.before_ms, self.old, self.old_long,
                          priority)

    def cost(self, ts_ms: int | None, inp: int, cached: int, out: int, fast: bool = False) -> int:
        """Pico-dollars for one event (row). Cached tokens are part of input and clamped to it.

        `fast`: the turn ran on the priority tier; long-context requests cannot be Fast. This is the
        only price formula: aggregate.py calls it for every row, so the common row (standard rates,
        current prices, not Fast) is priced first, with no further tests."""
        if (not fast and 0 <= cached <= inp and inp <= self.threshold
                and (self.before_ms is None or ts_ms is None or ts_ms >= self.before_ms)):
            rates = self.standard
            return (inp - cached) * rates.input + cached * rates.cached + out * rates.output
        cached = min(max(cached, 0), inp)
        use_long = self.long is not None and inp > self.threshold
        if self.before_ms is not None and ts_ms is not None and ts_ms < self.before_ms and self.old is not None:
            rates = (self.old_long or self.old) if use_long else self.old
        else:
            rates = self.long if use_long else self.standard  # type: ignore[assignment]
        standard = (inp - cached) * rates.input + cached * rates.cached + out * rates.output
        if fast and self.priority > 1 and inp <= self.threshold:
            return max(standard, round(standard * self.priority))
        return standard


class PriceError(ValueError):
    pass


def _rate(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PriceError(f"{what} is not a number")
    if not (0 <= value <= _MAX_RATE):
        raise PriceError(f"{what} is out of range")
    return round(value * 1_000_000)


def _rates(block: Any, what: str) -> Rates:
    if not isinstance(block, dict):
        raise PriceError(f"{what} is not an object")
    if "input" not in block or "output" not in block:
        raise PriceError(f"{what} needs input and output")
    inp = _rate(block["input"], f"{what}.input")
    cached = _rate(block["cachedInput"], f"{what}.cachedInput") if block.get("cachedInput") is not None else inp
    return Rates(inp, cached, _rate(block["output"], f"{what}.output"))


def _iso_ms(value: str) -> int:
    import datetime as dt

    stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return int(stamp.timestamp() * 1000)


def parse_model_price(name: str, entry: Any, default_threshold: int) -> ModelPrice:
    standard = _rates(entry, name)
    long_block = entry.get("longContext")
    long = _rates(long_block, f"{name}.longContext") if long_block is not None else None
    threshold = default_threshold
    if isinstance(long_block, dict) and long_block.get("threshold") is not None:
        raw = long_block["threshold"]
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise PriceError(f"{name}.longContext.threshold is not a whole number")
        threshold = raw
    before = entry.get("before")
    if before is None:
        return ModelPrice(standard, long, threshold)
    if not isinstance(before, dict) or not isinstance(before.get("until"), str):
        raise PriceError(f"{name}.before needs an `until` date")
    old = _rates(before, f"{name}.before")
    old_long = _rates(before["longContext"], f"{name}.before.longContext") if before.get("longContext") else None
    return ModelPrice(standard, long, threshold, _iso_ms(before["until"]), old, old_long)


def _load_bundled() -> dict[str, Any]:
    # A plain file next to this module (the package always runs from a folder, never a zip):
    # importlib.resources would add ~2.5 ms of imports to every `codexbar cost`.
    return json.loads(Path(__file__).with_name("prices.json").read_text(encoding="utf-8"))


class Resolved:
    """What a raw model name from a log means for the report."""

    __slots__ = ("name", "price", "excluded")

    def __init__(self, name: str, price: ModelPrice | None, excluded: bool = False) -> None:
        self.name = name  # the name shown (normalised)
        self.price = price  # None = unpriced
        self.excluded = excluded  # another provider's model: not part of the Codex report


class PriceTable:
    def __init__(self, models: dict[str, ModelPrice], aliases: dict[str, str], fingerprint: str,
                 notes: list[str] | None = None) -> None:
        self.models = models
        self.aliases = aliases
        self.fingerprint = fingerprint
        self.notes = notes or []
        self._cache: dict[str, Resolved] = {}
        # turns run on the priority tier -> the model that served each, "" if unknown (priority.py)
        self.fast_turns: dict[str, str] = {}

    def normalize(self, raw: str) -> tuple[str, bool]:
        """(display name, excluded) for a raw model name (docs/reference/cost-rules.md, "Model names")."""
        name = raw.strip()
        if not name:
            return UNKNOWN_MODEL, False
        lower = name.lower()
        if lower.startswith("openai/"):
            name, lower = name[7:].strip(), lower[7:].strip()
        elif "/" in lower:
            return name, True  # routed through another provider (deepseek/…, opencode/…)
        if not lower:
            return UNKNOWN_MODEL, False
        lower = self.aliases.get(lower, lower)
        if lower in self.models:
            return lower, False
        match = _DATE_SUFFIX.match(lower)
        if match:
            base = self.aliases.get(match.group(1), match.group(1))
            if base in self.models:
                return base, False
        return name, False

    def fast_price(self, raw: str | None, served: str) -> Resolved:
        """What a Fast-tier row of model `raw` is shown and priced as: the model that served it when
        that one has a Fast price (an alias in the log, or a turn the server ran on another model),
        else `raw` (docs/decisions/cost-conformance.md)."""
        if served:
            found = self.resolve(served)
            if not found.excluded and found.price is not None and found.price.priority > 1:
                return found
        return self.resolve(raw)

    def resolve(self, raw: str | None) -> Resolved:
        key = raw or ""
        hit = self._cache.get(key)
        if hit is None:
            name, excluded = self.normalize(key)
            price = None if excluded or name == UNKNOWN_MODEL else self.models.get(name)
            if price is None and not excluded and name != UNKNOWN_MODEL:
                price = self.models.get(name.lower())
            hit = Resolved(name, price, excluded)
            self._cache[key] = hit
        return hit


def load_price_table(overrides: Path | None = None) -> PriceTable:
    """The bundled table, with the user's override file on top (a broken file is noted, not fatal)."""
    bundled = _load_bundled()
    threshold = int(bundled.get("longContextThreshold", 272_000))
    multipliers = bundled.get("priorityMultiplier") or {}
    models = {name: parse_model_price(name, entry, threshold) for name, entry in bundled["models"].items()}
    for name, factor in multipliers.items():
        if name in models:
            models[name] = models[name].with_priority(float(factor))
    aliases = {k.lower(): v.lower() for k, v in (bundled.get("aliases") or {}).items()}
    digest = sha256(json.dumps(bundled, sort_keys=True).encode())
    notes: list[str] = []
    if overrides is not None:
        try:
            raw_text = overrides.read_bytes()
            data = json.loads(raw_text)
            if not isinstance(data, dict):
                raise PriceError("the file is not a JSON object of model names")
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as exc:
            reason = exc if isinstance(exc, PriceError) else "it is not valid JSON" if isinstance(
                exc, ValueError) else "it cannot be read"
            notes.append(f"Price overrides ignored: {reason}")
            data = {}
        bad: list[str] = []
        for name, entry in data.items():
            key = str(name).strip().lower()
            if key.startswith("openai/"):
                key = key[7:]
            try:
                models[key] = parse_model_price(key, entry, threshold)
            except PriceError:
                bad.append(str(name))
                continue
            digest.update(json.dumps([key, entry], sort_keys=True).encode())
        if bad:
            shown = ", ".join(bad[:3]) + ("…" if len(bad) > 3 else "")
            notes.append(f"Price override skipped for {shown}: needs numeric input and output")
    return PriceTable(models, aliases, digest.hexdigest()[:16], notes)
