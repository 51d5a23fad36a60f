"""Reading the Codex TUI `/status` card (docs/reference/usage-sources.md, "The /status screen (pty source)"): pure text in, snapshot or error out.

The card prints each window as `<label>:` + an optional 20-cell bar + `NN% left` + `(resets ...)`
in the TUI's local time zone. The label says the window length (`5h`, `Daily`, `Weekly`,
`Monthly`, else `Usage`). Narrow terminals wrap a value onto continuation lines indented under the
value column; those are joined back first. The same module recognises the screens that are not a
card: the sign-in menu, the folder-trust prompt, an update prompt, the CLI's exit error, and the
two "no data" answers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from codexbar_core import errors
from codexbar_core.model import CreditLimit, Credits, Identity, RateWindow, UsageSnapshot

LABEL = "codex-pty"

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
_WINDOW_LINE = re.compile(r"^\s*(5h|5-hour|Daily|Weekly|Monthly|Usage) limit:\s*(.*)$", re.IGNORECASE)
_MINUTES = {"5h": 300, "5-hour": 300, "daily": 1440, "weekly": 10080, "monthly": 43200, "usage": None}
_LEFT = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%\s+left", re.IGNORECASE)
_RESET = re.compile(r"\bresets?\s+([^)]*)", re.IGNORECASE)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}

NOT_SIGNED_IN = "Codex CLI is not signed in. Run `codex login`, then refresh."
TRUST_PROMPT = ("Codex asked whether to trust the working folder; codexbar never answers that prompt. "
                "Use `--source cli` or open Codex once in a terminal.")
UPDATE_PROMPT = ("Codex CLI update needed: run `npm i -g @openai/codex` (or bun install -g @openai/codex) "
                 "to continue (update prompt blocking /status).")
NOT_AVAILABLE = "Codex /status has no usage data yet (the usage service did not answer). Try again shortly."
API_KEY_LOGIN = ("Codex is signed in with an API key; ChatGPT usage limits need a ChatGPT login. "
                 "Run `codex login` to sign in with ChatGPT, then refresh.")
REFRESH_PENDING = "Codex /status is still waiting for the usage service. Try again shortly."
UNPARSABLE = "Could not parse Codex status; will retry shortly."


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def screen_state(text: str) -> str | None:
    """What the screen shows: login | trust | update | exited | status | not_available | refresh | None."""
    plain = strip_ansi(text)
    lower = plain.lower()
    if "sign in with chatgpt" in lower or "sign in with device code" in lower or "finish signing in" in lower:
        return "login"
    if "trust this folder" in lower:
        return "trust"
    if "update available" in lower or "run bun install -g @openai/codex" in lower:
        return "update"
    if re.search(r"(^|/status)Error: ", plain, re.MULTILINE):
        return "exited"
    card = _card(plain)
    if any(_WINDOW_LINE.match(line) for line in card) or any(
            re.match(r"^\s*(Credits|Monthly credit limit):", line) for line in card):
        return "status"
    if "data not available yet" in lower:
        return "not_available"
    if "refresh requested" in lower:
        return "refresh"
    return None


def _logical_lines(lines: list[str]) -> list[str]:
    """Join narrow-terminal continuation lines (deeply indented, no label) to the line they continue."""
    out: list[str] = []
    for raw in lines:
        line = raw.rstrip()
        indent = len(line) - len(line.lstrip(" "))
        if out and line.strip() and indent >= 20 and re.match(r"^\s{0,4}\S[^:]*:", out[-1]):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
    return out


def has_status_echo(text: str) -> bool:
    """Codex answered a /status: its card begins with the command echoed on a line of its own."""
    return any(line.strip() == "/status" for line in strip_ansi(text).splitlines())


def _card(plain: str) -> list[str]:
    """The lines of the last /status card (everything after the last `/status` echo, if visible)."""
    lines = plain.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == "/status"]
    if starts:
        lines = lines[starts[-1] + 1:]
    return _logical_lines(lines)


def parse_number(text: str) -> float | None:
    """`1,234.56`, `1.234,56`, `7,761`, `12,5`, `980` (docs/reference/usage-sources.md, "The /status screen (pty source)", numbers)."""
    s = re.sub(r"[\s\u00a0\u202f]", "", text or "")
    if not s:
        return None
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        s = s.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", s) else s.replace(",", ".")
    elif "." in s and re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return None


def parse_reset(text: str, now: dt.datetime) -> dt.datetime | None:
    """`09:01` (today, or tomorrow if past), `04:01 on 27 Nov` / `04:01 on Nov 27` (this year, or next),
    in `now`'s time zone."""
    s = " ".join(text.strip().strip("()").split())
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?:\s+on\s+(?:(\d{1,2})\s+([A-Za-z]{3})[a-z]*|([A-Za-z]{3})[a-z]*\s+(\d{1,2})))?",
                     s)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        return None
    grace = dt.timedelta(minutes=10)  # a reset that passed while the screen was read is still "today"
    if m.group(3) or m.group(5):
        day = int(m.group(3) or m.group(6))
        month = _MONTHS.get((m.group(4) or m.group(5)).lower())
        if month is None:
            return None
        for year in (now.year, now.year + 1):
            try:
                when = now.replace(year=year, month=month, day=day, hour=hour, minute=minute, second=0,
                                   microsecond=0)
            except ValueError:
                continue
            if when >= now - grace:
                return when
        return None
    when = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if when < now - grace:
        when += dt.timedelta(days=1)
    return when


def _window(label: str, rest: str, now: dt.datetime) -> RateWindow | None:
    left = _LEFT.search(rest)
    if not left:
        return None
    left_pct = parse_number(left.group(1))
    if left_pct is None:
        return None
    reset = _RESET.search(rest)
    reset_text = reset.group(1).strip() if reset else None
    return RateWindow(used_percent=max(0.0, min(100.0, 100.0 - left_pct)),
                      window_minutes=_MINUTES[label.lower()],
                      resets_at=parse_reset(reset_text, now) if reset_text else None,
                      reset_description=f"resets {reset_text}" if reset_text else None,
                      title=f"{label.capitalize() if label[0].isalpha() else label} limit")


def _credit_limit(rest: str, now: dt.datetime) -> CreditLimit | None:
    used_of = re.search(r"([0-9][0-9., ]*?)\s+of\s+([0-9][0-9., ]*?)\s+credits used", rest)
    limit_only = re.search(r"of\s+([0-9][0-9., ]*?)\s+credits used", rest)
    limit = parse_number(used_of.group(2) if used_of else limit_only.group(1) if limit_only else "")
    if not limit or limit <= 0:
        return None
    used = (parse_number(used_of.group(1)) if used_of else None) or 0.0
    left = _LEFT.search(rest)
    left_pct = parse_number(left.group(1)) if left else None
    reset = _RESET.search(rest)
    return CreditLimit(limit=limit, used=used, remaining=max(0.0, limit - used),
                       remaining_percent=left_pct if left_pct is not None else max(0.0, 100 - used / limit * 100),
                       resets_at=parse_reset(reset.group(1), now) if reset else None)


_PLAN_WORDS = {"pro": "pro", "plus": "plus", "free": "free", "business": "business", "team": "team",
               "enterprise": "enterprise", "edu": "edu", "education": "education", "go": "go"}


@dataclass
class _Found:
    windows: list[RateWindow]
    credits: Credits | None
    identity: Identity
    version: str | None


def _scan(card: list[str], plain: str, now: dt.datetime) -> _Found:
    windows: list[RateWindow] = []
    balance: float | None = None
    unlimited = False
    limit: CreditLimit | None = None
    identity = Identity(login_method="chatgpt")
    for line in card:
        wm = _WINDOW_LINE.match(line)
        if wm:
            window = _window(wm.group(1), wm.group(2), now)
            if window is not None:
                windows.append(window)
            continue
        cm = re.match(r"^\s*Credits:\s*(.*)$", line)
        if cm:
            value = cm.group(1).strip()
            if value.lower().startswith("unlimited"):
                unlimited = True
            else:
                number = re.match(r"([0-9][0-9.,\u00a0\u202f]*)", value)
                balance = parse_number(number.group(1)) if number else None
            continue
        lm = re.match(r"^\s*Monthly credit limit:\s*(.*)$", line)
        if lm:
            limit = _credit_limit(lm.group(1), now)
            continue
        am = re.match(r"^\s*Account:\s*(\S+@\S+)(?:\s*\(([^)]*)\))?", line)
        if am:
            identity.email = am.group(1)
            words = (am.group(2) or "").split()
            identity.plan = _PLAN_WORDS.get(words[0].lower(), words[0].lower()) if words else None
            continue
        wsm = re.match(r"^\s*ChatGPT workspace:\s*(.*?)\s*$", line)
        if wsm:
            value = wsm.group(1)
            named = re.fullmatch(r"(.+?)\s*\(([0-9a-fA-F-]{8,})\)", value)
            if named:
                identity.workspace, identity.account_id = named.group(1), named.group(2)
            elif value:
                identity.account_id = value
    credits = None
    if balance is not None or unlimited or limit is not None:
        credits = Credits(balance=balance, has_credits=bool(balance) or unlimited, unlimited=unlimited, limit=limit)
    version = re.search(r"OpenAI Codex \(v(\d+(?:\.\d+)+)\)", plain)
    return _Found(windows, credits, identity, version.group(1) if version else None)


def parse_status(text: str, now: dt.datetime) -> UsageSnapshot:
    """The /status card in `text` as a snapshot; `now` is aware, in the TUI's time zone.

    Raises NotSignedIn / Unavailable / SourceTimeout for the screens that are not a card, and
    ParseError when nothing usable is on the screen (the caller may retry with a larger terminal).
    """
    plain = strip_ansi(text)
    state = screen_state(plain)
    if state == "login":
        raise errors.NotSignedIn(NOT_SIGNED_IN)
    if state == "trust":
        raise errors.Unavailable(TRUST_PROMPT)
    if state == "update":
        raise errors.NotConfigured(UPDATE_PROMPT)
    if state == "exited":
        line = next((ln for ln in plain.splitlines() if "Error: " in ln), "")
        detail = line.split("Error: ", 1)[1].strip()[:160] if line else ""
        raise errors.Unavailable(f"Codex CLI stopped before showing /status: {detail}".rstrip(": "))
    found = _scan(_card(plain), plain, now)
    if not found.windows and found.credits is None:
        if re.search(r"^\s*Account:\s*API key", "\n".join(_card(plain)), re.MULTILINE):
            raise errors.NotConfigured(API_KEY_LOGIN)
        if state == "not_available":
            raise errors.Unavailable(NOT_AVAILABLE)
        if state == "refresh":
            raise errors.SourceTimeout(REFRESH_PENDING)
        raise errors.ParseError(UNPARSABLE)
    windows = found.windows
    for window in windows[:2]:
        window.title = None  # the main lanes are named by their length downstream
    extras = windows[2:]
    for i, window in enumerate(extras):
        window.id = f"codex-status-{i + 1}"
    return UsageSnapshot(source=LABEL, primary=windows[0] if windows else None,
                         secondary=windows[1] if len(windows) > 1 else None, extra_windows=extras,
                         identity=found.identity, credits=found.credits, cli_version=found.version)
