"""`codexbar cookies mode off|auto|manual | set | prompt | clear | status`: the OpenAI web cookies.

The cookie store itself (modes, browser imports, caching) is sources/cookies.py; this module is only
the command a person types or the menu clicks.
"""

from __future__ import annotations

import io
import os
import sys
import time
from typing import TYPE_CHECKING, TextIO

from codexbar_core import settings as settings_mod
from codexbar_core.sources import cookies

if TYPE_CHECKING:
    from codexbar_core.commands.common import Args


def run(args: Args) -> int:
    from codexbar_core import paths
    from codexbar_core.warm_menu import forget_menu

    argv = list(args.args)
    forget_menu(str(paths.cache_dir(dict(os.environ))))
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


USAGE = ("usage: codexbar cookies mode off|auto|manual | set (Cookie header on stdin) | clear | status\n")


def cookies_command(argv: list[str], stdin: TextIO, stdout: TextIO) -> int:
    env = dict(os.environ)
    if not argv:
        stdout.write(USAGE)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "mode" and len(rest) == 1 and rest[0] in settings_mod.COOKIE_MODES:
        return _cmd_mode(rest[0], env, stdout)
    if command == "set" and not rest:
        if _is_tty(stdin):
            # Terminals cut long pasted lines (1024 bytes on macOS); a pipe has no such limit.
            stdout.write("Paste the Cookie header, then press Enter and Ctrl-D.\n"
                         "(Long headers: `pbpaste | codexbar cookies set` on macOS, "
                         "`xclip -o | codexbar cookies set` on Linux.)\n")
            stdout.flush()
        return _cmd_set(stdin.read(), env, stdout)
    if command == "clear" and not rest:
        return _cmd_clear(env, stdout)
    if command == "status" and not rest:
        return _cmd_status(env, stdout)
    stdout.write(USAGE)
    return 2


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _cmd_mode(mode: str, env: dict[str, str], stdout: TextIO) -> int:
    settings_mod.update(env, cookie_mode=mode)
    stdout.write(f"OpenAI cookies: {cookies.MODE_LABELS[mode]}.\n")
    if mode == "auto":
        cookies.reset_cooldowns(cookies.store_for(env))  # the user asked: try the browsers again now
    if mode == "manual" and cookies.secrets_for(env).get(cookies.MANUAL_SECRET) is None:
        stdout.write("No Cookie header stored yet: run `codexbar cookies set` and paste it.\n")
    return 0


def _cmd_set(text: str, env: dict[str, str], stdout: TextIO) -> int:
    try:
        found = cookies.manual_set(text, "manual")
    except cookies.CookieHeaderError as exc:
        stdout.write(f"{exc}\n")
        return 1
    secrets = cookies.secrets_for(env)
    where = secrets.set(cookies.MANUAL_SECRET, found.header())
    settings_mod.update(env, cookie_mode="manual")
    place = "the system keyring" if where == "keyring" else f"{secrets.file_path} (owner-only)"
    stdout.write(f"Saved a Cookie header with {len(found.cookies)} cookies in {place}. "
                 "OpenAI cookies: Manual.\n")
    return 0


def _cmd_clear(env: dict[str, str], stdout: TextIO) -> int:
    secrets = cookies.secrets_for(env)
    store = cookies.store_for(env)
    removed = int(secrets.delete(cookies.MANUAL_SECRET))
    for tag in store.get_json(cookies.META_PREFIX + "tags") or []:
        removed += int(secrets.delete(cookies.IMPORT_SECRET_PREFIX + tag))
    store.delete_prefix(cookies.META_PREFIX)
    stdout.write(f"Removed {removed} stored cookie set{'s' if removed != 1 else ''}.\n")
    if (env.get(cookies.ENV_COOKIE) or "").strip():
        stdout.write(f"{cookies.ENV_COOKIE} is still set in the environment and still used.\n")
    return 0


def _describe_header(header: str | None) -> str:
    if not header:
        return "none"
    try:
        return f"stored ({len(cookies.parse_cookie_header(header))} cookies)"
    except cookies.CookieHeaderError:
        return "stored, but unreadable (run `codexbar cookies set` again)"


def _cmd_status(env: dict[str, str], stdout: TextIO) -> int:
    settings = settings_mod.load(env)
    mode = cookies.effective_mode(settings, env)
    store = cookies.store_for(env)
    secrets = cookies.secrets_for(env)
    out = [f"Mode: {cookies.MODE_LABELS.get(settings.cookie_mode, settings.cookie_mode)}"]
    if mode == "env":
        try:
            names = len(cookies.parse_cookie_header(env[cookies.ENV_COOKIE]))
            out.append(f"{cookies.ENV_COOKIE} is set ({names} cookies) and used instead of the mode above.")
        except cookies.CookieHeaderError as exc:
            out.append(f"{cookies.ENV_COOKIE} is set but unusable: {exc}")
    out.append(f"Secrets: {secrets.describe()}")
    manual = secrets.get(cookies.MANUAL_SECRET)
    out.append(f"Manual header: {_describe_header(manual)}")
    now = time.time()
    tags = store.get_json(cookies.META_PREFIX + "tags") or []
    for tag in tags:
        meta = store.get_json(cookies.META_PREFIX + "meta:" + tag)
        if isinstance(meta, dict):
            age = int(max(0, now - float(meta.get("importedAt") or now)) // 60)
            who = meta.get("email") or "unknown account"
            state = "expired, will import again" if meta.get("dropped") else f"{age} min ago"
            out.append(f"Imported: {meta.get('browser') or '?'} cookies for {who}, {state}")
    if not any(line.startswith("Imported:") for line in out):
        out.append("Imported: none cached")
    stdout.write("\n".join(out) + "\n")
    return 0
