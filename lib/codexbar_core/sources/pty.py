"""The `pty` source: the Codex TUI in a pseudo-terminal, `/status`, the screen read with pyte (docs/reference/usage-sources.md, "The /status screen (pty source)").

Interactive-only (never in a background refresh: a bare TUI can start a browser sign-in). The TUI
runs with `--no-daemon` (otherwise it leaves a shared app-server behind), history off, its state
database in a throw-away folder, and a fresh non-git scratch folder as cwd (no folder-trust
prompt). Keys are sent only when the composer is visible: on the sign-in menu or the trust prompt
nothing is pressed, the source stops and says why. The whole process tree is killed afterwards.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import time
from pathlib import Path

from codexbar_core import errors, procs
from codexbar_core.model import UsageSnapshot
from codexbar_core.sources import status_parse
from codexbar_core.sources.base import Availability, FetchContext
from codexbar_core.sources.rpc import codex_env, resolve_binary

FIRST_SIZE = (60, 200)  # rows, cols
RETRY_SIZE = (70, 220)
FIRST_TIMEOUT = 8.0
RETRY_TIMEOUT = 4.0
BACKGROUND_REFUSED = "The /status screen is only read on a manual refresh."

# the slash-command popup row for /status (the start-up hint says "/status - show ...", not this)
_POPUP = re.compile(r"/status {2,}show current session configuration")
# the hint under the session header, drawn once the session is configured (docs/decisions/pty-status-screen.md)
_SESSION_STARTED = "To get started"
# synchronized-output mode: the TUI draws every frame between these two (docs/decisions/pty-status-screen.md)
_FRAME_BEGIN = b"\x1b[?2026h"
_FRAME_END = b"\x1b[?2026l"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _has_login(ctx: FetchContext) -> bool:
    """Some credential the TUI would use; without one it opens the sign-in menu (do not even start it)."""
    login = ctx.login
    if login is not None and not login.file_in_use:
        # the TUI reads its keychain itself; only a login nobody outside Codex sees means "none"
        # (docs/decisions/codex-logins.md)
        return login.uses == "keyring" and (login.probe is None or login.probe.status in ("present", "unchecked"))
    if (ctx.codex_home / "auth.json").is_file():
        return True
    return any((ctx.env.get(k) or "").strip() for k in ("OPENAI_API_KEY", "CODEX_API_KEY"))


def local_now(ctx: FetchContext) -> dt.datetime:
    """Now in the TUI's time zone (the child inherits ctx.env, so its TZ decides the printed resets)."""
    now = ctx.now()
    name = (ctx.env.get("TZ") or "").lstrip(":").strip()
    if name:
        try:
            from zoneinfo import ZoneInfo

            return now.astimezone(ZoneInfo(name))
        except Exception:
            pass
    return now.astimezone()


def _composer_ready(text: str) -> bool:
    """The session is set up and the prompt accepts input: `/status` now reports the signed-in account.

    The composer is drawn long before that: during the welcome animation (`loading` in the header;
    without a login the sign-in menu follows) and while the session starts. A `/status` typed then
    is answered from a half-loaded state: `Account: Pro 200` with no email and no workspace line.
    The session cell's `To get started` hint is drawn only once the session (and with it the
    account) is set up, so it is the condition, not any amount of time.
    """
    if "Ask Codex" not in text or re.search(r"^\s*loading\s*$", text, re.MULTILINE):
        return False
    return _SESSION_STARTED in text


class _Terminal:
    """One TUI child in a pty, with a pyte screen that answers the cursor-position query."""

    def __init__(self, binary: Path, args: list[str], env: dict[str, str], cwd: Path, size: tuple[int, int]) -> None:
        import pexpect
        import pyte

        rows, cols = size
        self._pexpect = pexpect
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        try:
            self.child = pexpect.spawn(str(binary), args, env=env, cwd=str(cwd), dimensions=(rows, cols),
                                       echo=False)
        except (OSError, pexpect.ExceptionPexpect) as exc:
            raise errors.Unavailable(f"Could not start the Codex CLI in a terminal ({type(exc).__name__}).") from None
        try:
            procs.register(self.child.pid)
        except procs.Closed:
            self.child.close(force=True)
            raise errors.Unavailable("codexbar is exiting; /status was not read.") from None
        # pyte answers ESC[6n (cursor position) and ESC[5n through this hook; the TUI waits for it.
        self.screen.write_process_input = self.send  # type: ignore[method-assign]
        self.exited = False
        self.mid_frame = False  # inside a synchronized-output frame: the screen is half drawn
        self._tail = b""  # the end of the previous read, for a frame marker split across two reads

    def send(self, data: str) -> None:
        try:
            self.child.send(data.encode())
        except OSError:
            pass

    def pump(self, timeout: float) -> bool:
        """Feed what arrives within `timeout` to the screen; True when something came."""
        try:
            data = self.child.read_nonblocking(65536, timeout=max(0.01, timeout))
        except self._pexpect.TIMEOUT:
            return False
        except (self._pexpect.ExceptionPexpect, OSError):
            # EOF, or procs.kill_all() reaped the child under pexpect's feet
            self.exited = True
            return False
        self.stream.feed(data)
        self._track_frames(data)
        return True

    def _track_frames(self, data: bytes) -> None:
        """A frame can arrive over several reads; the last begin/end marker seen says where we are."""
        seen = self._tail + data
        begin, end = seen.rfind(_FRAME_BEGIN), seen.rfind(_FRAME_END)
        if begin >= 0 or end >= 0:
            self.mid_frame = begin > end
        self._tail = seen[-(len(_FRAME_END) - 1):]

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def kill(self) -> None:
        pid = self.child.pid
        try:
            self.child.close(force=True)
        except Exception:
            pass
        procs.stop(pid, grace=0.5)


def drive_status(term: _Terminal, deadline: float, cwd: Path) -> str:
    """Type /status once the session is ready and return the screen text when there is an answer.

    Returns early on a screen that needs the user (sign-in, trust, update) or when the TUI exits.
    The screen is only looked at between frames, never half drawn. (`cwd` is the TUI's folder; the
    readiness signal does not need it, callers pass it for symmetry with the TUI's arguments.)
    """
    typed_at: float | None = None
    entered_at: float | None = None
    enters = 0
    while True:
        now = time.monotonic()
        if now >= deadline or term.exited:
            return term.text()
        term.pump(min(0.1, deadline - now))
        if term.mid_frame:
            continue  # the rest of this frame is on its way
        text = term.text()
        state = status_parse.screen_state(text)
        if state in ("login", "trust", "update", "exited"):
            return text  # never press anything here
        if entered_at is None:
            if typed_at is None:
                if _composer_ready(text):
                    term.send("/status")
                    typed_at = time.monotonic()
                continue
            # Enter only while our text is visibly in the composer (the /status popup, or the typed
            # command once the popup is slow), so it cannot land on another screen.
            if _POPUP.search(text) or ("› /status" in text and time.monotonic() - typed_at > 1.0):
                term.send("\r")
                entered_at = time.monotonic()
                enters = 1
            continue
        if state == "status" or state == "not_available":
            return text  # a whole frame: the card is complete
        # "refresh requested" updates in place when the data lands: keep reading until the deadline.
        if state is None and enters < 3 and time.monotonic() - entered_at > 1.5 * enters and "› /status" in text:
            term.send("\r")  # an Enter not taken yet (the command still in the composer): press again
            enters += 1


class PtySource:
    id = "pty"
    label = status_parse.LABEL

    def availability(self, ctx: FetchContext) -> Availability:
        if ctx.background:
            return Availability(False, BACKGROUND_REFUSED)
        from codexbar_core import paths

        binary = paths.find_codex_binary(ctx.env)
        return Availability(True, f"codex /status in a terminal ({binary})" if binary else "codex /status")

    def fetch(self, ctx: FetchContext) -> UsageSnapshot:
        if ctx.background:
            raise errors.NotConfigured(BACKGROUND_REFUSED)
        binary = resolve_binary(ctx)
        if not _has_login(ctx):
            raise errors.NotSignedIn(status_parse.NOT_SIGNED_IN)
        try:
            return self._attempt(ctx, binary, FIRST_SIZE, FIRST_TIMEOUT)
        except errors.ParseError:
            # a card we could not read: once more with a larger terminal (docs/reference/usage-sources.md, "The /status screen (pty source)")
            return self._attempt(ctx, binary, RETRY_SIZE, RETRY_TIMEOUT)

    def _attempt(self, ctx: FetchContext, binary: Path, size: tuple[int, int], wanted: float) -> UsageSnapshot:
        deadline = time.monotonic() + ctx.timeout(wanted)
        scratch = Path(tempfile.mkdtemp(prefix="codexbar-status-"))
        procs.track_folder(str(scratch))
        term: _Terminal | None = None
        try:
            work = scratch / "work"  # a fresh folder, not a git repo: no trust prompt
            state = scratch / "state"
            work.mkdir(exist_ok=True)
            state.mkdir(exist_ok=True)
            env = codex_env(ctx, binary)
            env["TERM"] = "xterm-256color"  # what pyte emulates, whatever the plugin inherited (often dumb)
            for key, value in (("COLORTERM", "truecolor"), ("LANG", "en_US.UTF-8")):
                env.setdefault(key, value)
            args = ["--no-daemon", "-s", "read-only", "-a", "never",
                    "-c", 'history.persistence="none"',
                    "-c", f"sqlite_home={_toml_string(str(state))}",
                    "-c", "check_for_update_on_startup=false"]
            term = _Terminal(binary, args, env, work, size)
            text = drive_status(term, deadline, work)
        finally:
            if term is not None:
                term.kill()
            shutil.rmtree(scratch, ignore_errors=True)
            procs.untrack_folder(str(scratch))
        return self._read(text, ctx)

    def _read(self, text: str, ctx: FetchContext) -> UsageSnapshot:
        state = status_parse.screen_state(text)
        # the card starts with the echoed command on a line of its own; the start-up hint
        # ("/status - show current session configuration") is not one (docs/decisions/pty-status-screen.md)
        if state is None and not status_parse.has_status_echo(text):
            raise errors.SourceTimeout("Codex did not show /status in time.")
        snapshot = status_parse.parse_status(text, local_now(ctx))
        if ctx.login is None or ctx.login.file_in_use:  # a leftover auth.json may be another account's
            _identity_from_auth_file(snapshot, ctx.codex_home)
        return snapshot


def _identity_from_auth_file(snapshot: UsageSnapshot, codex_home: Path) -> None:
    """The login's id_token completes the card: the raw plan type (the card shows a display name,
    "Business" for team), and the email when the Account line is missing (card shown before the TUI
    loaded the account, or scrolled away on a small screen)."""
    try:
        from codexbar_core.sources import auth

        login = auth.read_auth(codex_home)
        email, plan = login.email(), login.plan()
    except Exception:
        return
    snapshot.identity.email = snapshot.identity.email or email
    snapshot.identity.plan = plan or snapshot.identity.plan
