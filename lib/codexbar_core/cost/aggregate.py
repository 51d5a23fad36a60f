"""Aggregate: priced rows summed into day -> model totals, and those totals merged.

Every row is priced on its own through the price model (pricing.ModelPrice.row_cost); the totals of
a file, a folder and the home all have this one shape (`Agg`).
"""

from __future__ import annotations

from codexbar_core.cost.days import SLOT_MS

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.cost.days import DayKeys
    from codexbar_core.cost.pricing import PriceTable

    Agg = dict[str, dict[str, list[Any]]]  # day -> model -> [input, cached, output, reasoning, cost or None]


def aggregate(rows: list[list[Any]], prices: PriceTable, day_of: DayKeys, agg: Agg | None = None) -> Agg:
    """Add rows (each priced on its own) into day -> model totals. Other providers' models are dropped."""
    out: Agg = {} if agg is None else agg
    resolve = prices.resolve
    fast_turns = prices.fast_turns
    slot_days = day_of.cache
    # Per raw model name (and Fast tier): (shown name, its price's cost method or None when unpriced),
    # or None when excluded.
    plans: dict[Any, Any] = {}
    for model, turn, _idx, ts, inp, cached, outp, reasoning in rows:
        fast = turn in fast_turns if fast_turns else False
        key = (model, fast_turns[turn]) if fast else model  # a Fast row: shown and priced as its served model
        plan = plans.get(key, False)
        if plan is False:
            res = prices.fast_price(model, fast_turns[turn]) if fast else resolve(model)
            plan = plans[key] = None if res.excluded else (res.name, res.price.cost if res.price else None)
        if plan is None:
            continue
        name, price_cost = plan
        day = slot_days.get(ts // SLOT_MS)
        if day is None:
            day = day_of(ts)
        models = out.get(day)
        if models is None:
            models = out[day] = {}
        cost = None if price_cost is None else price_cost(ts, inp, cached, outp, fast)
        cell = models.get(name)
        if cell is None:
            models[name] = [inp, cached, outp, reasoning, cost]
        else:
            cell[0] += inp
            cell[1] += cached
            cell[2] += outp
            cell[3] += reasoning
            if cost is not None and cell[4] is not None:
                cell[4] += cost
    return out


def merge_agg(into: Agg, other: Agg, lo: str = "", hi: str = "\uffff") -> None:
    for day, models in other.items():
        if not lo <= day <= hi:
            continue
        target = into.setdefault(day, {})
        for name, cell in models.items():
            have = target.get(name)
            if have is None:
                target[name] = list(cell)
            else:
                for k in range(4):
                    have[k] += cell[k]
                if have[4] is not None and cell[4] is not None:
                    have[4] += cell[4]


def shifted(total: Agg, old: list[Agg], new: list[Agg]) -> Agg | None:
    """`total` with the `old` totals taken out and the `new` ones put in: a folder's sum after a few
    of its logs changed, without the other logs' totals (docs/design/thread-index.md, "Changed
    homes"). Token counts and pico-dollar costs are integers, so this is the sum a fresh merge would
    give; a cell left with nothing is dropped, as a fresh merge would never have made it. None when a
    cost involved is unpriced (a None cost makes a merged cell's cost depend on the order of the
    merge) or a count would go negative (the old totals were not part of `total`): sum afresh."""
    for agg in (*old, *new):
        for models in agg.values():
            for cell in models.values():
                if cell[4] is None:
                    return None
    out: Agg = {day: {name: list(cell) for name, cell in models.items()} for day, models in total.items()}
    for agg in old:
        merge_agg(out, negate(agg))
    for agg in new:
        merge_agg(out, agg)
    for agg in (*old, *new):
        for day, models in agg.items():
            cells = out.get(day)
            if cells is None:
                continue
            for name in models:
                cell = cells.get(name)
                if cell is None:
                    continue
                if cell[4] is None or min(cell[:4]) < 0 or cell[4] < 0:
                    return None
                if not any(cell):
                    del cells[name]
            if not cells:
                del out[day]
    return out


def negate(agg: Agg) -> Agg:
    return {day: {name: [-c[0], -c[1], -c[2], -c[3], None if c[4] is None else -c[4]] for name, c in models.items()}
            for day, models in agg.items()}



def union_agg(row_lists: list[list[list[Any]]], prices: PriceTable, day_of: DayKeys) -> Agg:
    """The active and archived copies of one session: the union of their rows, each row counted once
    (a row is the same when its turn, index, day, model and counts are)."""
    seen: set[tuple[Any, ...]] = set()
    merged: list[list[Any]] = []
    resolve = prices.resolve
    for rows in row_lists:
        for row in rows:
            key = (row[1], row[2], day_of(row[3]), resolve(row[0]).name, row[4], row[5], row[6])
            if key not in seen:
                seen.add(key)
                merged.append(row)
    return aggregate(merged, prices, day_of)
