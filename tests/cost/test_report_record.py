"""The typed cost report (docs/design/cost-report.md): it writes back exactly the contract it was read
from, and the menu and the terminal report show the same numbers from it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from codexbar_core.cache import Store
from codexbar_core.cost.report import cost_report, last_cost_report
from codexbar_core.cost_model import CostReport
from codexbar_core.render.menu import build_menu
from codexbar_core.render.menu_input import HomeView
from codexbar_core.render.text import cost_report_text
from codexbar_core.slots import replace
from tests.cost.logs import active, archived, meta, tok, turn, write
from tests.menu.samples import menu_input, result, snapshot

DAY1, DAY2 = "2026-07-11", "2026-07-12"


def busy_home(home: Path) -> None:
    """Two days, a priced and an unpriced model, a malformed line, a fork whose parent is missing,
    an archived copy, sessions in two projects."""
    write(active(home, "a", DAY1), [meta("a", day=DAY1, cwd="/src/app"), turn("gpt-5.5", day=DAY1),
                                    tok("12:00:01", last=(1000, 400, 50, 10), day=DAY1),
                                    b'{"type":"event_msg","payload":{"type":"token_count", oops}',
                                    turn("mystery-model-9", day=DAY1),
                                    tok("12:00:02", last=(300, 0, 30), day=DAY1)])
    write(active(home, "b", DAY2), [meta("b", day=DAY2, cwd="/src/site"), turn("gpt-5.2-codex", day=DAY2),
                                    tok("09:00:01", last=(5000, 4000, 200, 20), day=DAY2)])
    write(archived(home, "c"), [meta("c", day=DAY2, cwd="/src/site"), turn("gpt-5.5", day=DAY2),
                                tok("10:00:01", last=(700, 100, 70), day=DAY2)])
    write(active(home, "fork", DAY2), [meta("fork", day=DAY2, parent="gone"), turn("gpt-5.5", day=DAY2),
                                       tok("11:00:01", last=(90, 0, 9), day=DAY2)])


def report(home: Path, store: Store | None, by: str = "day", since: str = DAY1, until: str = DAY2) -> CostReport:
    now = dt.datetime.fromisoformat(f"{DAY2}T15:00:00").timestamp()  # local afternoon of the second day
    return cost_report(home, store, since=dt.date.fromisoformat(since), until=dt.date.fromisoformat(until),
                       refresh=False, price_overrides=None, deadline=None, by=by, now=now)


@pytest.mark.parametrize("by", ["day", "month", "session", "project"])
def test_a_real_report_reads_back_to_the_same_contract(tmp_path: Path, by: str) -> None:
    home = tmp_path / "home"
    busy_home(home)
    rep = report(home, Store(tmp_path / "cache"), by)
    contract = rep.to_contract()
    assert contract["unpricedModels"] == ["mystery-model-9"]
    assert any("malformed" in n for n in contract["notes"]) and any("parent" in n for n in contract["notes"])
    if by != "day":
        key = {"month": "monthly", "session": "sessions", "project": "projects"}[by]
        assert contract[key] and list(contract)[-1] == key  # the one array --by asks for, last
    again = CostReport.from_contract(json.loads(json.dumps(contract)))  # as the saved result holds it
    assert again == rep
    assert json.dumps(again.to_contract(), indent=2) == json.dumps(contract, indent=2)  # same bytes, same order


def test_an_empty_window_and_a_tagged_report_read_back(tmp_path: Path) -> None:
    home = tmp_path / "home"
    busy_home(home)
    store = Store(tmp_path / "cache")
    empty = report(home, store, since="2025-01-01", until="2025-01-03").tagged("work", str(home))
    contract = empty.to_contract()
    assert contract["daily"] == [] and contract["last30DaysCostUSD"] == 0.0  # a known zero
    assert list(contract)[-2:] == ["home", "codexHome"]
    assert CostReport.from_contract(contract).to_contract() == contract
    saved = last_cost_report(home, store)  # what a menu that cannot wait shows: the saved contract, typed
    assert saved == replace(empty, home=None, codex_home=None)


def test_a_damaged_last_report_is_not_shown_and_the_next_report_is_whole(tmp_path: Path) -> None:
    home = tmp_path / "home"
    busy_home(home)
    store = Store(tmp_path / "cache")
    good = report(home, store).to_contract()
    from codexbar_core.cache import home_key
    from codexbar_core.cost.store import StateStore, last_key

    state = StateStore(store, home_key(home))
    state.put(last_key(home_key(home)), {"report": {"daily": "not a list"}, "window": [DAY1, DAY2]})
    state.flush()
    assert last_cost_report(home, store) is None  # not shown as a report
    again = report(home, store).to_contract()
    assert {k: v for k, v in again.items() if k != "updatedAt"} == {k: v for k, v in good.items() if k != "updatedAt"}


def _money_tokens(text: str) -> tuple[str, str]:
    found = re.search(r"(\$[\d,.]+|—) · ([\d.]+[KMB]?) tokens", text)
    assert found, text
    return found.group(1), found.group(2)


def test_the_menu_and_the_terminal_report_show_the_same_numbers(tmp_path: Path) -> None:
    home = tmp_path / "home"
    busy_home(home)
    rep = report(home, Store(tmp_path / "cache")).tagged("default", str(home))
    menu = [line.split(" | ")[0] for line in
            build_menu(menu_input([HomeView(result(snapshot()), rep)]), "swiftbar").splitlines()]
    text = cost_report_text([rep], color=False).splitlines()

    today_menu = next(t for t in menu if t.startswith("Today: "))
    today_text = next(t.strip() for t in text if t.strip().startswith("Today: "))
    assert _money_tokens(today_menu) == _money_tokens(today_text) != ("$0.00", "0")
    window_menu = next(t for t in menu if t.startswith("Last 2 days: "))
    window_text = next(t for t in text if t.startswith(f"  {DAY1} … {DAY2}: "))
    assert _money_tokens(window_menu) == _money_tokens(window_text)

    by_model_menu = {}
    for line in menu[menu.index("Cost by model") + 1:]:
        if not line.startswith("--"):
            break
        name, rest = line[2:].split(": ", 1)
        by_model_menu[name] = _money_tokens(rest)
    start = text.index("  By model") + 1
    by_model_text = {}
    for line in text[start:]:
        if not line.startswith("    "):
            break
        name, money, tokens = line.split()[:3]
        by_model_text[name] = (money, tokens)
    assert by_model_menu == by_model_text and "mystery-model-9" in by_model_text
    assert by_model_text["mystery-model-9"][0] == "—"  # unpriced: a dash, in both
    assert "Not priced: mystery-model-9" in " ".join(menu) and "  Not priced: mystery-model-9" in text
    for note in rep.notes:
        assert note in menu and f"  {note}" in text
