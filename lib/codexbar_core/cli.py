"""`codexbar` commands: menu, usage, cost, and the actions the menu's click lines call.

Contract: ARCHITECTURE.md "Command-line contract". Exit 0 whenever a document was printed, even
with errors inside it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

from codexbar_core import paths
from codexbar_core import settings as settings_mod
from codexbar_core.settings import SOURCES

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

# The menu must be on screen before SwiftBar would show a stale or broken item; the hard
# limit is 10 s, we print by this many seconds after start whatever the sources do.
MENU_BUDGET_SECONDS = 8.0


def _env() -> dict[str, str]:
    return dict(os.environ)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="codexbar", description="OpenAI Codex usage and cost for your menu bar.")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("menu", help="print the SwiftBar/xbar menu (what the plugin prints)")
    u = sub.add_parser("usage", help="usage limits and credits")
    u.add_argument("--json", action="store_true")
    u.add_argument("--source", choices=SOURCES)
    u.add_argument("--refresh", action="store_true", help="ask the source even if a result is fresh")
    c = sub.add_parser("cost", help="local cost of Codex sessions")
    c.add_argument("--json", action="store_true")
    c.add_argument("--by", choices=("day", "month", "session", "project"), default="day",
                   help="group the window's cost by day (default), month, session or project")
    c.add_argument("--days", type=int)
    c.add_argument("--since", type=dt.date.fromisoformat)
    c.add_argument("--until", type=dt.date.fromisoformat)
    c.add_argument("--refresh", action="store_true", help="rescan even if the last result is under 60 s old")
    s = sub.add_parser("source", help="pin the usage source (persisted)")
    s.add_argument("value", choices=SOURCES)
    sub.add_parser("refresh", help="drop cached results so the next run fetches anew")
    o = sub.add_parser("open", help="open a page in the browser")
    o.add_argument("page", choices=["usage", "status", "settings"])
    st = sub.add_parser("set", help="change a menu setting (title_mode, title_metric, reset_style, show_used, "
                                    "notifications, notify_thresholds, notify_resets, ...)")
    st.add_argument("key")
    st.add_argument("value")
    ck = sub.add_parser("cookies", help="OpenAI web cookies: mode off|auto|manual, set (stdin), prompt, clear, status")
    ck.add_argument("args", nargs=argparse.REMAINDER)
    # listed here for --help; their own modules parse their arguments (see main)
    sub.add_parser("statusline", help="one line for tmux, waybar, i3blocks or a prompt (statusline --help)")
    sub.add_parser("install-plugin", help="link or copy the plugin into SwiftBar/xbar/Argos (install-plugin --help)")
    sub.add_parser("_refresh-worker", help=argparse.SUPPRESS)
    return p


def run(argv: list[str] | None = None) -> None:
    """Entry point of the `codexbar` command, `python -m codexbar_core` and the plugin: `main`, then exit
    without tearing down the heap. After a cold cost scan that is ~100 MB of small objects, and freeing
    them one by one took 60-80 ms (measured); everything we write is committed or flushed by then."""
    code = main(argv)
    try:
        if (argv if argv is not None else sys.argv[1:])[:1] not in ([], ["menu"]):  # the menu shows them itself
            for note in paths.folder_notes():
                print(f"codexbar: {note}", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        code = code or 1  # e.g. the reader went away; what a normal exit would also report
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # everything we write (cache, settings, secrets) is owner-only
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["statusline"]:
        from codexbar_core.statusline.command import run as run_statusline

        return run_statusline(argv[1:])
    if argv[:1] == ["install-plugin"]:
        from codexbar_core.install_plugin import run as run_install_plugin

        return run_install_plugin(argv[1:])
    args = _parser().parse_args(argv)
    command = args.command or "menu"
    try:
        if command == "menu":
            return cmd_menu()
        if command == "usage":
            return cmd_usage(args)
        if command == "cost":
            return cmd_cost(args, argv[1:])
        if command == "source":
            settings_mod.update(_env(), source=args.value)
            _drop_usage_cache()
            print(f"Usage source set to {args.value}.")
            return 0
        if command == "refresh":
            _drop_usage_cache()
            print("Cached usage dropped; the next run fetches anew.")
            return 0
        if command == "open":
            return cmd_open(args.page)
        if command == "set":
            return cmd_set(args.key, args.value)
        if command == "cookies":
            return cmd_cookies(list(args.args))
        if command == "_refresh-worker":
            return cmd_worker()
    except KeyboardInterrupt:
        return 130
    except settings_mod.SettingsError as exc:
        print(f"codexbar: {exc}", file=sys.stderr)
        return 1
    return 2


# -- menu ------------------------------------------------------------------------------------

def cmd_menu() -> int:
    from codexbar_core.fastpath import try_print_cached_menu

    if try_print_cached_menu():
        return 0
    from codexbar_core.menu_run import run_menu

    return run_menu(_env(), MENU_BUDGET_SECONDS)


# -- usage -----------------------------------------------------------------------------------

def cmd_usage(args: argparse.Namespace) -> int:
    from codexbar_core.cache import Store
    from codexbar_core.collect import collect_usage, homes_from, resolve_source

    env = _env()
    settings = settings_mod.load(env)
    store = Store(paths.cache_dir(env))
    homes = homes_from(settings, env)
    requested, chosen_by = resolve_source(args.source, settings, env)
    results = collect_usage(homes, requested=requested, chosen_by=chosen_by, menu=False,
                            deadline=time.monotonic() + 60, store=store, settings=settings, env=env,
                            background=False, use_cache=not (args.refresh or args.source))
    if args.json:
        print(json.dumps([r.to_contract() for r in results], indent=2))
    else:
        from codexbar_core.render.text import usage_report

        print(usage_report(results, color=_use_color(env)))
    return 0


# -- cost --------------------------------------------------------------------------------------

def cmd_cost(args: argparse.Namespace, argv: list[str] | None = None) -> int:
    from codexbar_core.cache import Store
    from codexbar_core.collect import collect_cost, cost_window, homes_from

    env = _env()
    settings = settings_mod.load(env)
    store = Store(paths.cache_dir(env))
    if args.since or args.until:
        until = args.until or dt.date.today()
        since = args.since or until - dt.timedelta(days=29)
        if since > until:
            print("codexbar: --since must not be after --until", file=sys.stderr)
            return 2
    else:
        since, until = cost_window(args.days or 30)
    reports = []
    homes = homes_from(settings, env)
    for home in homes:
        report, error, stale = collect_cost(home, store=store, since=since, until=until, refresh=args.refresh,
                                            deadline=None, env=env, by=args.by)
        if report is None:
            report = {"provider": "codex", "source": "local", "home": home.name, "codexHome": str(home.path),
                      "error": {"kind": "cost", "message": error}}
        reports.append(report)
    if args.json:
        print(_json_text(reports))
        from codexbar_core.cost.quick import save

        save(list(argv or []), env, reports, _json_text)
    else:
        from codexbar_core.cost.coverage import report_lines
        from codexbar_core.render.text import cost_report_text

        coverage = report_lines(homes, store, env, reports, force=args.refresh)
        print(cost_report_text(reports, color=_use_color(env), by=args.by, coverage=coverage))
    return 0


def _json_text(value: Any) -> str:
    """Indented JSON, as `json.dumps(value, indent=2)` writes it (same bytes), by orjson when it can:
    the standard encoder's indented mode is pure Python, ~10 ms on a 30-day report."""
    try:
        import orjson

        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
        if text.isascii():  # json.dumps escapes non-ASCII; keep its output exactly
            return text
    except (ImportError, TypeError):
        pass
    return json.dumps(value, indent=2)


# -- actions -----------------------------------------------------------------------------------

def _drop_usage_cache() -> None:
    from codexbar_core.cache import Store
    from codexbar_core.collect import homes_from
    from codexbar_core.fastpath import forget_menu
    from codexbar_core.pipeline import forget

    env = _env()
    store = Store(paths.cache_dir(env))
    forget_menu(str(store.directory))
    for home in homes_from(settings_mod.load(env), env):
        forget(store, home.path)
    store.delete_prefix("cost:result:")


PAGES = {
    "usage": "https://chatgpt.com/codex/settings/usage",
    "status": "https://status.openai.com/",
}


def cmd_open(page: str) -> int:
    import subprocess

    env = _env()
    target = str(paths.config_dir(env)) if page == "settings" else PAGES[page]
    if env.get("CODEXBAR_NO_OPEN") == "1":
        print(target)
        return 0
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    try:
        subprocess.Popen([opener, target], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        print(target)
    return 0


SETTABLE = {
    "title_mode": settings_mod.TITLE_MODES,
    "title_metric": settings_mod.TITLE_METRICS,
    "reset_style": settings_mod.RESET_STYLES,
    "show_used": ("true", "false"),
    "show_extras": ("true", "false"),
    "notifications": ("true", "false"),
    "notify_resets": ("true", "false"),
    "keyring_direct": ("true", "false"),
    "cookie_mode": settings_mod.COOKIE_MODES,
    "source": SOURCES,
}


def cmd_set(key: str, value: str) -> int:
    if key == "notify_thresholds":
        return _set_thresholds(value)
    allowed = SETTABLE.get(key)
    if allowed is None:
        print(f"codexbar: unknown setting {key!r}; one of: {', '.join(sorted(SETTABLE))}", file=sys.stderr)
        return 2
    if value not in allowed:
        print(f"codexbar: {key} must be one of: {', '.join(allowed)}", file=sys.stderr)
        return 2
    parsed: Any = value == "true" if allowed == ("true", "false") else value
    settings_mod.update(_env(), **{key: parsed})
    print(f"{key} set to {value}.")
    return 0


def _set_thresholds(value: str) -> int:
    """`codexbar set notify_thresholds 80,95`: percent-used levels that trigger a notification."""
    try:
        levels = sorted({int(part) for part in value.replace(" ", "").split(",") if part})
    except ValueError:
        levels = []
    if not levels or not all(1 <= n <= 100 for n in levels):
        print("codexbar: notify_thresholds must be percentages used from 1 to 100, e.g. 80,95", file=sys.stderr)
        return 2
    settings_mod.update(_env(), notify_thresholds=levels)
    print(f"notify_thresholds set to {', '.join(map(str, levels))}.")
    return 0


def cmd_cookies(argv: list[str]) -> int:
    import io

    from codexbar_core.fastpath import forget_menu
    from codexbar_core.sources.cookies import cookies_command

    forget_menu(str(paths.cache_dir(_env())))
    if argv[:1] == ["prompt"]:
        # A menu click has no terminal: ask for the Cookie header in a dialog.
        header = _ask_cookie_header()
        if header is None:
            print("No cookie header entered; run `codexbar cookies set` in a terminal and paste it there.")
            return 0
        return cookies_command(["set"], io.StringIO(header), sys.stdout)
    return cookies_command(argv, sys.stdin, sys.stdout)


def _ask_cookie_header() -> str | None:
    import shutil
    import subprocess

    prompt = "Paste the Cookie: header of a chatgpt.com request (DevTools → Network → any request)."
    if sys.platform == "darwin":
        script = (f'text returned of (display dialog "{prompt}" default answer "" '
                  'with title "codexbar" with hidden answer)')
        cmd = ["osascript", "-e", script]
    elif shutil.which("zenity"):
        cmd = ["zenity", "--entry", "--hide-text", "--title=codexbar", f"--text={prompt}"]
    else:
        return None
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip()
    return value if out.returncode == 0 and value else None


def cmd_worker() -> int:
    from codexbar_core.cache import Store
    from codexbar_core.collect import run_background_refresh

    env = _env()
    return run_background_refresh(env, settings_mod.load(env), Store(paths.cache_dir(env)))


def _use_color(env: dict[str, str]) -> bool:
    return sys.stdout.isatty() and not env.get("NO_COLOR")


if __name__ == "__main__":
    sys.exit(main())
