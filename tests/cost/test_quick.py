"""`codexbar cost --json` on an unchanged home is answered from a snapshot without loading codexbar's
scanner (cost/warm_report.py). It must never show an old number: whatever changed since (a log, the
prices, the time zone, the window) has to send the command the full way."""

from __future__ import annotations

import json
import marshal
import os
import stat
import subprocess  # noqa: E402  (kept after the test helpers, as in the other CLI tests)
import sys
import time
from pathlib import Path

import pytest

from tests.cost.logs import active, append, logs_db, meta, task, tok, turn, write
from tests.rig.runner import ROOT, base_env

DAY = "2026-07-11"
# --refresh: without it a result under a minute old is reused on purpose (issue 3), changed logs or not
WINDOW = ["--since", "2026-07-01", "--until", "2026-07-31", "--refresh"]


def run_cost(env: dict[str, str], *args: str) -> tuple[list[dict], bool]:
    """(reports, answered by the quick path). The quick path is told apart by what it imports."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "codexbar_core", "cost", "--json", *args],
                          env=env, capture_output=True, text=True, timeout=60, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout), "codexbar_core.cost.report" not in proc.stderr


def numbers(reports: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "updatedAt"} for r in reports]


@pytest.fixture
def home_env(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    home = tmp_path / "codex"
    write(active(home, "s1"), [meta("s1"), turn("gpt-5.5"), tok("12:00:01", total=(1000, 200, 50), last=(1000, 200, 50))])
    return home, base_env(tmp_path, home)


def test_unchanged_home_is_reprinted_from_the_snapshot(home_env: tuple[Path, dict[str, str]]) -> None:
    home, env = home_env
    first, quick = run_cost(env, *WINDOW)
    assert not quick  # nothing to reuse yet
    again, quick = run_cost(env, *WINDOW)
    assert quick
    assert numbers(again) == numbers(first)
    assert again[0]["updatedAt"] >= first[0]["updatedAt"]
    snapshot = Path(env["CODEXBAR_CACHE_DIR"]) / "cost-quick.bin"
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600


def test_an_appended_event_is_never_missed(home_env: tuple[Path, dict[str, str]]) -> None:
    home, env = home_env
    before, _ = run_cost(env, *WINDOW)
    append(active(home, "s1"), [tok("12:05:00", total=(3000, 400, 90), last=(2000, 200, 40))])
    after, quick = run_cost(env, *WINDOW)
    assert not quick
    assert after[0]["totals"]["inputTokens"] == before[0]["totals"]["inputTokens"] + 2000
    _, quick = run_cost(env, *WINDOW)
    assert quick  # and the new numbers are the snapshot from then on


def test_a_new_log_or_a_deleted_one_is_seen(home_env: tuple[Path, dict[str, str]]) -> None:
    home, env = home_env
    run_cost(env, *WINDOW)
    second = write(active(home, "s2"), [meta("s2"), turn("gpt-5.5"), tok("13:00:00", last=(500, 0, 5))])
    with_two, quick = run_cost(env, *WINDOW)
    assert not quick and with_two[0]["totals"]["inputTokens"] == 1500
    second.unlink()
    with_one, quick = run_cost(env, *WINDOW)
    assert not quick and with_one[0]["totals"]["inputTokens"] == 1000


def test_a_settled_folder_is_not_listed_again_until_its_names_change(home_env: tuple[Path, dict[str, str]]) -> None:
    """A date folder untouched for a while is remembered by name (not listed on every run); a log
    added to it or removed from it still shows, because that moves the folder's mtime."""
    home, env = home_env
    folder = active(home, "s1").parent
    an_hour_ago = time.time() - 3600
    os.utime(folder, (an_hour_ago, an_hour_ago))
    run_cost(env, *WINDOW)
    _, quick = run_cost(env, *WINDOW)
    assert quick
    second = write(active(home, "s2"), [meta("s2"), turn("gpt-5.5"), tok("13:00:00", last=(500, 0, 5))])
    with_two, quick = run_cost(env, *WINDOW)
    assert not quick and with_two[0]["totals"]["inputTokens"] == 1500
    os.utime(folder, (an_hour_ago, an_hour_ago))
    run_cost(env, *WINDOW)
    second.unlink()
    with_one, quick = run_cost(env, *WINDOW)
    assert not quick and with_one[0]["totals"]["inputTokens"] == 1000


def test_a_folder_written_moments_ago_is_listed_again(home_env: tuple[Path, dict[str, str]]) -> None:
    """A folder's mtime moves in coarse steps: a log created in the same step as the listing leaves it
    unchanged. So a folder modified within the last seconds is never taken from memory."""
    home, env = home_env
    folder = active(home, "s1").parent
    run_cost(env, *WINDOW)
    listed_at = folder.stat().st_mtime_ns
    write(active(home, "s2"), [meta("s2"), turn("gpt-5.5"), tok("13:00:00", last=(500, 0, 5))])
    os.utime(folder, ns=(listed_at, listed_at))  # as if the new name landed in the same clock step
    with_two, quick = run_cost(env, *WINDOW)
    assert not quick and with_two[0]["totals"]["inputTokens"] == 1500


def test_a_fast_turn_logged_later_goes_the_full_way(home_env: tuple[Path, dict[str, str]]) -> None:
    """Codex's log database names Fast-tier turns and the models that served them; when it changes
    the unchanged session log may cost more, so the snapshot must not answer."""
    home, env = home_env
    write(active(home, "s1"), [meta("s1"), turn("gpt-5.5"), task("t-1"),
                               tok("12:00:01", total=(1000, 200, 50), last=(1000, 200, 50))])
    base, _ = run_cost(env, *WINDOW)
    _, quick = run_cost(env, *WINDOW)
    assert quick
    logs_db(home, ['turn{turn.id=t-1}: websocket request: {"type":"response.create","service_tier":"priority"}'],
            at=1)
    fast, quick = run_cost(env, *WINDOW)
    assert not quick
    assert fast[0]["totals"]["totalCost"] == pytest.approx(base[0]["totals"]["totalCost"] * 2.5)
    again, quick = run_cost(env, *WINDOW)
    assert quick and numbers(again) == numbers(fast)


def test_price_override_time_zone_and_window_changes_go_the_full_way(home_env: tuple[Path, dict[str, str]]) -> None:
    home, env = home_env
    base, _ = run_cost(env, *WINDOW)
    config = Path(env["CODEXBAR_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "prices.json").write_text(json.dumps({"gpt-5.5": {"input": 100, "output": 100}}))
    repriced, quick = run_cost(env, *WINDOW)
    assert not quick and repriced[0]["totals"]["totalCost"] > base[0]["totals"]["totalCost"]
    tokyo, quick = run_cost(dict(env, TZ="Asia/Tokyo"), *WINDOW)
    assert not quick and [d["date"] for d in tokyo[0]["daily"]] == ["2026-07-11"]
    narrow, quick = run_cost(env, "--since", "2026-07-12", "--until", "2026-07-31", "--refresh")
    assert not quick and narrow[0]["daily"] == []


def test_text_output_and_unknown_arguments_are_not_shortcut(home_env: tuple[Path, dict[str, str]]) -> None:
    from codexbar_core.cost.warm_report import quick_args

    assert quick_args(["--json", "--since=2026-07-01", "--until", "2026-07-31", "--refresh"]) == [
        "--since=2026-07-01", "--until=2026-07-31"]
    assert quick_args(["--since", "2026-07-01"]) is None  # text output
    assert quick_args(["--json", "--bogus"]) is None
    assert quick_args(["--json", "--days"]) is None
    home, env = home_env
    run_cost(env, *WINDOW)
    proc = subprocess.run([sys.executable, "-m", "codexbar_core", "cost", "--json", "--days", "x"], env=env,
                          capture_output=True, text=True, timeout=60, cwd=str(ROOT))
    assert proc.returncode == 2 and "invalid int value" in proc.stderr  # the full parser's message


def test_a_damaged_snapshot_is_ignored(home_env: tuple[Path, dict[str, str]]) -> None:
    home, env = home_env
    first, _ = run_cost(env, *WINDOW)
    (Path(env["CODEXBAR_CACHE_DIR"]) / "cost-quick.bin").write_bytes(b"\x00garbage" * 10)
    again, quick = run_cost(env, *WINDOW)
    assert not quick and numbers(again) == numbers(first)
    assert os.path.getsize(Path(env["CODEXBAR_CACHE_DIR"]) / "cost-quick.bin") > 100  # rewritten


@pytest.mark.parametrize("damage", ["bytes", "shape", "type"])
def test_a_damaged_folder_listing_is_ignored(home_env: tuple[Path, dict[str, str]], damage: str) -> None:
    home, env = home_env
    folder = active(home, "s1").parent
    an_hour_ago = time.time() - 3600
    os.utime(folder, (an_hour_ago, an_hour_ago))
    first, _ = run_cost(env, *WINDOW)
    saved = Path(env["CODEXBAR_CACHE_DIR"]) / "cost-listing.bin"
    assert str(folder) in marshal.loads(saved.read_bytes())  # the settled folder was remembered
    damaged = {"bytes": b"\x00garbage" * 10,
               "shape": marshal.dumps({str(folder): (folder.stat().st_mtime_ns, 5)}),
               "type": marshal.dumps([1, 2])}[damage]
    saved.write_bytes(damaged)
    again, _ = run_cost(env, *WINDOW)
    assert numbers(again) == numbers(first)
    write(active(home, "s2"), [meta("s2"), turn("gpt-5.5"), tok("13:00:00", last=(500, 0, 5))])
    saved.write_bytes(damaged)
    with_two, quick = run_cost(env, *WINDOW)
    assert not quick and with_two[0]["totals"]["inputTokens"] == 1500


def test_the_installed_codexbar_command_takes_the_quick_path(home_env: tuple[Path, dict[str, str]]) -> None:
    """What a user types (`.venv/bin/codexbar`, made by install.sh from bin/codexbar): same report,
    and an unchanged home answered without importing `re` (pip's generated wrappers import it)."""
    home, env = home_env
    command = Path(sys.executable).parent / "codexbar"
    if sys.prefix == sys.base_prefix and not command.exists():
        pytest.skip("not running from an installed environment")
    env = dict(env, PYTHONPROFILEIMPORTTIME="1")
    runs = [subprocess.run([str(command), "cost", "--json", *WINDOW], env=env, capture_output=True, text=True,
                           timeout=60) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr[-2000:]
    first, again = (json.loads(run.stdout) for run in runs)
    assert numbers(again) == numbers(first) and first[0]["totals"]["totalTokens"] == 1050
    imported = {line.rsplit("|", 1)[-1].strip() for line in runs[1].stderr.splitlines()}
    assert "codexbar_core.cost.warm_report" in imported and "codexbar_core.cli" not in imported
    assert "re" not in imported


def test_a_walk_that_found_a_change_is_handed_to_the_full_path(home_env: tuple[Path, dict[str, str]],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A home without Codex's thread index: the reprint walks every folder to compare; when a log
    changed, the report goes on from that walk (passed in a CostHandover, cost/handover.py) and
    counts the new event, without listing the folders a second time."""
    import datetime as dt

    from codexbar_core.cache import Store
    from codexbar_core.cost import discover
    from codexbar_core.cost.handover import CostHandover
    from codexbar_core.cost.report import cost_report
    from codexbar_core.cost.warm_report import try_print

    home, env = home_env
    run_cost(env, *WINDOW)  # leaves the snapshot
    append(active(home, "s1"), [tok("12:05:00", total=(3000, 400, 90), last=(2000, 200, 40))])
    handover = CostHandover()
    assert not try_print(["--json", *WINDOW], env, handover)  # changed: nothing printed
    walls = []
    monkeypatch.setattr(discover, "discover", lambda *a, **k: walls.append(a))  # must not be needed
    report = cost_report(home, Store(Path(env["CODEXBAR_CACHE_DIR"])), since=dt.date(2026, 7, 1),
                         until=dt.date(2026, 7, 31), refresh=True, price_overrides=None, deadline=None,
                         handover=handover)
    assert walls == [] and handover.walks == {}  # the walk was taken, once
    assert report.to_contract()["totals"]["inputTokens"] == 3000  # with the appended event
    assert list(handover.noted) == [(str(home), "2026-07-01", "2026-07-31")]  # for the next snapshot
