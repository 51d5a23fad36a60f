"""The menu's "This month", "By project" and "Top sessions", read as a user sees them (the plugin run
for real, its output shown the way SwiftBar opens it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.cost.homes import git_meta, write_index
from tests.cost.logs import active, tok, turn, write
from tests.menu.sample_menu import plain_view
from tests.rig.runner import base_env, run_codexbar


def section(menu: str, heading: str) -> list[str]:
    """The lines of one submenu (indented under `heading`), as shown."""
    lines = plain_view(menu).splitlines()
    start = lines.index(heading)
    out = []
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        out.append(line.strip())
    return out


def make_home(home: Path, today: dt.date, projects: int) -> None:
    """`projects` projects, each with one session today and one 3 days ago; the first costs most."""
    rows = []
    for p in range(projects):
        for back in (0, 3):
            day = (today - dt.timedelta(days=back)).isoformat()
            sid = f"s{p}-{back}"
            size = (projects - p) * 100_000
            write(active(home, sid, day), [
                git_meta(sid, f"/src/proj{p}", f"git@github.com:me/proj{p}.git") | {"timestamp": f"{day}T00:30:00Z"},
                turn("gpt-5.5", day=day), tok("00:30:05", total=(size, 0, size // 100), day=day)])
            rows.append((sid, f"/src/proj{p}", None, f"My own words about project {p}, " + "and more " * 10))
    write_index(home, rows)


def test_menu_shows_projects_top_sessions_and_this_month(tmp_path: Path) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    home = tmp_path / "codex"
    make_home(home, today, projects=11)
    env = base_env(tmp_path, home, CODEX_CLI_PATH=str(tmp_path / "no-codex"))
    menu = run_codexbar(["menu"], env).stdout
    projects = section(menu, "By project")
    assert projects[0] == "Last 30 days"
    assert projects[1].startswith("proj0") and "2 sessions" in projects[1]
    assert len(projects) == 1 + 8 + 1 and projects[-1].startswith("3 more projects: ")
    top = section(menu, "Top sessions")
    assert top[0] == "Today" and top[1].startswith("$") and " · proj0 · gpt-5.5 · " in top[1]
    assert "“My own words about project 0, and more…”" in top[1]  # the title, cut to 40 characters
    window = top[top.index("Last 30 days") + 1:]
    assert len(window) == 5 and all(" · gpt-5.5 · " in line for line in window)
    month_start = today.replace(day=1)
    this_month = [line for line in plain_view(menu).splitlines() if line.startswith("This month")]
    assert len(this_month) == 1
    if (today - month_start).days >= 3:
        assert this_month[0].startswith("This month: $")
    # the warm run (nothing changed) shows the same, from the saved summary
    again = run_codexbar(["menu"], env).stdout
    assert section(again, "By project") == projects and section(again, "Top sessions") == top
    # the user's words never reach the log
    logs = list((tmp_path / "cache").rglob("*.log"))
    assert all("My own words" not in p.read_text(errors="replace") for p in logs)


def test_a_new_session_shows_up_on_the_next_run(tmp_path: Path) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    home = tmp_path / "codex"
    make_home(home, today, projects=2)
    env = base_env(tmp_path, home, CODEX_CLI_PATH=str(tmp_path / "no-codex"))
    before = section(run_codexbar(["menu"], env).stdout, "By project")
    assert [line.split()[0] for line in before[1:]] == ["proj0", "proj1"]
    day = today.isoformat()
    write(active(home, "big", day), [git_meta("big", "/src/newcomer", None) | {"timestamp": f"{day}T00:40:00Z"},
                                    turn("gpt-5.5", day=day), tok("00:40:05", total=(900_000, 0, 9000), day=day)])
    assert run_codexbar(["refresh"], env).returncode == 0  # the menu's Refresh: no minute-old result reused
    after = run_codexbar(["menu"], env).stdout
    assert section(after, "By project")[1].startswith("newcomer")
    assert " · newcomer · " in section(after, "Top sessions")[1]


def test_no_sessions_no_project_submenus(tmp_path: Path) -> None:
    home = tmp_path / "codex"
    home.mkdir()
    env = base_env(tmp_path, home, CODEX_CLI_PATH=str(tmp_path / "no-codex"))
    shown = plain_view(run_codexbar(["menu"], env).stdout).splitlines()
    assert "By project" not in shown and "Top sessions" not in shown
