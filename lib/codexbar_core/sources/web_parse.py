"""Pure parsing of the chatgpt.com dashboard: its HTML and the text a user would read (docs/reference/usage-sources.md, "Dashboard page").

No network, no browser: everything here takes strings or decoded JSON and returns plain values, so
every rule is testable with inline samples. The rules follow the original app's page scrape, adapted
to the HTML the server returns (there is no JavaScript here; docs/reference/usage-sources.md, "The web dashboard (web source)").
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from codexbar_core.model import CreditEvent, RateWindow
from codexbar_core.normalize import plan_display_name

USAGE_DASHBOARD_URL = "https://chatgpt.com/codex/settings/usage"
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
PLAN_WORDS = ("free", "plus", "pro", "team", "enterprise", "business", "edu", "education", "gov", "premium",
              "essential")
BFS_NODE_LIMIT = 6000


# -- HTML to structure -------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section",
               "main", "header", "footer", "table", "tbody", "thead", "ul", "ol", "button",
               "label", "title", "body", "html", "article", "nav", "dt", "dd"}
_SKIP_TEXT_TAGS = {"script", "style", "noscript", "template"}


@dataclass
class Anchor:
    href: str
    text: str
    position: int  # index into the text lines where the link sits


@dataclass
class PageDocument:
    """What the HTML holds, in the pieces the rules need."""

    title: str = ""
    lines: list[str] = field(default_factory=list)
    scripts: dict[str, str] = field(default_factory=dict)  # script id -> raw text
    anchors: list[Anchor] = field(default_factory=list)
    inputs: list[dict[str, str]] = field(default_factory=list)
    tables: list[tuple[str, list[list[str]]]] = field(default_factory=list)  # (heading before it, rows of cells)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = PageDocument()
        self._buf: list[str] = []
        self._skip = 0
        self._script_id: str | None = None
        self._script_buf: list[str] = []
        self._in_title = False
        self._anchor: dict[str, Any] | None = None
        self._heading: str = ""
        self._heading_buf: list[str] | None = None
        self._table_rows: list[list[str]] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def _flush(self) -> None:
        for raw in "".join(self._buf).splitlines():
            text = " ".join(raw.split())
            if text:
                self.doc.lines.append(text)
        self._buf = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in _SKIP_TEXT_TAGS:
            self._skip += 1
            if tag == "script":
                self._script_id = a.get("id") or ""
                self._script_buf = []
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "title":
            self._in_title = True
        elif tag == "a":
            self._anchor = {"href": a.get("href", ""), "text": [], "position": len(self.doc.lines)}
        elif tag == "input":
            self.doc.inputs.append(a)
        elif tag in ("h1", "h2", "h3"):
            self._heading_buf = []
        elif tag == "table":
            self._table_rows = []
        elif tag == "tr" and self._table_rows is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TEXT_TAGS:
            self._skip = max(0, self._skip - 1)
            if tag == "script" and self._script_id is not None:
                if self._script_id:
                    self.doc.scripts[self._script_id] = "".join(self._script_buf)
                self._script_id = None
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "title":
            self._in_title = False
        elif tag == "a" and self._anchor is not None:
            text = " ".join("".join(self._anchor["text"]).split())
            self.doc.anchors.append(Anchor(self._anchor["href"], text, self._anchor["position"]))
            self._anchor = None
        elif tag in ("h1", "h2", "h3") and self._heading_buf is not None:
            self._heading = " ".join("".join(self._heading_buf).split())
            self._heading_buf = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table_rows is not None:
            if self._row:
                self._table_rows.append(self._row)
            self._row = None
        elif tag == "table" and self._table_rows is not None:
            self.doc.tables.append((self._heading, self._table_rows))
            self._table_rows = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            if self._script_id is not None:
                self._script_buf.append(data)
            return
        if self._in_title:
            self.doc.title += data
        self._buf.append(data)
        if self._anchor is not None:
            self._anchor["text"].append(data)
        if self._heading_buf is not None:
            self._heading_buf.append(data)
        if self._cell is not None:
            self._cell.append(data)


def read_html(html: str) -> PageDocument:
    parser = _Collector()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; anything it still chokes on leaves what it read so far
        pass
    parser._flush()
    parser.doc.title = " ".join(parser.doc.title.split())
    return parser.doc


def lines_of(text: str) -> list[str]:
    """Trimmed non-empty lines of plain text."""
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


# -- embedded JSON: identity and plan --------------------------------------------------------------

def _json_script(doc: PageDocument, script_id: str) -> Any:
    raw = doc.scripts.get(script_id)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def client_bootstrap(doc: PageDocument) -> dict[str, Any] | None:
    data = _json_script(doc, "client-bootstrap")
    return data if isinstance(data, dict) else None


def next_data(doc: PageDocument) -> dict[str, Any] | None:
    data = _json_script(doc, "__NEXT_DATA__")
    return data if isinstance(data, dict) else None


def _dig(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _is_email(value: Any) -> bool:
    return isinstance(value, str) and "@" in value and EMAIL_RE.search(value) is not None


def bfs_email(obj: Any, *, any_string: bool = True) -> str | None:
    """First email breadth-first: a key `email` whose value has an `@`, else (optionally) any such string."""
    queue: deque[Any] = deque([obj])
    seen = 0
    fallback: str | None = None
    while queue and seen < BFS_NODE_LIMIT:
        node = queue.popleft()
        seen += 1
        if isinstance(node, dict):
            for key, value in node.items():
                if str(key).lower() == "email" and _is_email(value):
                    return value.strip()
                queue.append(value)
        elif isinstance(node, list):
            queue.extend(node)
        elif any_string and fallback is None and _is_email(node):
            match = EMAIL_RE.search(node)
            fallback = match.group(0) if match else None
    return fallback


def page_email(doc: PageDocument) -> str | None:
    """Signed-in email in the order of docs/reference/usage-sources.md, "Dashboard page": __NEXT_DATA__ user, client-bootstrap, BFS of both, body text."""
    nd = next_data(doc)
    cb = client_bootstrap(doc)
    for candidate in (_dig(nd, "props", "pageProps", "user", "email"),
                      _dig(nd, "props", "pageProps", "session", "user", "email"),
                      _dig(cb, "session", "user", "email"), _dig(cb, "user", "email")):
        if _is_email(candidate):
            return str(candidate).strip()
    for obj in (cb, nd):
        if obj is not None:
            found = bfs_email(obj, any_string=False)
            if found:
                return found
    match = EMAIL_RE.search(doc.text)
    return match.group(0) if match else None


def _plan_from_value(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("name", "displayName", "tier"):
            got = _plan_from_value(value.get(key))
            if got:
                return got
        return None
    if not isinstance(value, str):
        return None
    lowered = value.lower()
    return value.strip() if any(word in lowered for word in PLAN_WORDS) else None


def page_plan(doc: PageDocument) -> str | None:
    """Raw plan from keys containing plan/tier/subscription (BFS, bounded); display name via `plan_name`."""
    for obj in (client_bootstrap(doc), next_data(doc)):
        if obj is None:
            continue
        queue: deque[Any] = deque([obj])
        seen = 0
        while queue and seen < BFS_NODE_LIMIT:
            node = queue.popleft()
            seen += 1
            if isinstance(node, dict):
                for key, value in node.items():
                    k = str(key).lower()
                    if any(word in k for word in ("plan", "tier", "subscription")):
                        got = _plan_from_value(value)
                        if got:
                            return got
                    if isinstance(value, (dict, list)):
                        queue.append(value)
            elif isinstance(node, list):
                queue.extend(v for v in node if isinstance(v, (dict, list)))
    return None


def auth_status(doc: PageDocument) -> str | None:
    value = _dig(client_bootstrap(doc), "authStatus")
    return value if isinstance(value, str) else None


# -- page state: login wall, Cloudflare, workspace picker ----------------------------------------------

_LOGIN_CTA = re.compile(r"\b(sign in|log in|continue with (google|apple|microsoft))\b", re.I)


def is_cloudflare(doc: PageDocument) -> bool:
    body = doc.text.lower()
    return ("just a moment" in doc.title.lower() or "checking your browser" in body or "cloudflare" in body
            or "cf-challenge" in " ".join(doc.scripts).lower())


def is_login_wall(doc: PageDocument) -> bool:
    status = auth_status(doc)
    if status is not None and status != "logged_in":
        return True
    if status == "logged_in":
        return False
    for a in doc.anchors:
        href = a.href.lower()
        if "/auth/" in href or "/login" in href:
            return True
    auth_inputs = any(i.get("type", "").lower() in ("email", "password") or i.get("name", "").lower() == "username"
                      for i in doc.inputs)
    has_cta = _LOGIN_CTA.search(doc.text) is not None
    return has_cta and (auth_inputs or not _has_usage_text(doc.lines))


def is_workspace_picker(doc: PageDocument) -> bool:
    return "select a workspace" in doc.text.lower()


# -- usage text ----------------------------------------------------------------------------------

_FIVE_HOUR = re.compile(r"(\b5\s*h\b|\b5h\b|5-hour|5 hour)", re.I)
_WEEKLY = re.compile(r"(weekly|7-day|7 day|\b7d\b|hebdo|semanal|wöchentlich)", re.I)
_PERCENT = re.compile(r"([0-9]{1,3})\s*%")
_USED_WORDS = re.compile(r"\b(used|spent|consumed|utilis|usad|verbraucht)", re.I)


def _has_usage_text(lines: list[str]) -> bool:
    return any(_PERCENT.search(ln) for ln in lines)


def _window_from(lines: list[str], start: int, minutes: int, now: dt.datetime) -> RateWindow | None:
    span = lines[start:start + 6]
    for j, ln in enumerate(span[1:], start=1):  # the next window's block is not ours
        if _FIVE_HOUR.search(ln) or _WEEKLY.search(ln):
            span = span[:j]
            break
    value: float | None = None
    for ln in span:
        m = _PERCENT.search(ln)
        if m:
            v = min(100.0, float(m.group(1)))
            value = v if _USED_WORDS.search(ln) else 100.0 - v
            break
    if value is None:
        return None
    reset_line = next((ln for ln in span if "reset" in ln.lower()), None)
    return RateWindow(used_percent=value, window_minutes=minutes,
                      resets_at=parse_reset(reset_line, now) if reset_line else None,
                      reset_description=reset_line)


def parse_rate_limits(lines: list[str], now: dt.datetime | None = None
                      ) -> tuple[RateWindow | None, RateWindow | None]:
    """(5-hour window, weekly window) from the dashboard's text lines."""
    now = now or dt.datetime.now().astimezone()
    session = weekly = None
    for i, ln in enumerate(lines):
        if session is None and _FIVE_HOUR.search(ln):
            session = _window_from(lines, i, 300, now)
        elif weekly is None and _WEEKLY.search(ln):
            weekly = _window_from(lines, i, 10080, now)
    return session, weekly


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_TIME = re.compile(r"\b([0-9]{1,2})(?::([0-9]{2}))?\s*([ap]\.?m\.?)?", re.I)


def _clock(text: str) -> tuple[int, int] | None:
    for m in _TIME.finditer(text):
        if m.group(2) is None and m.group(3) is None:
            continue
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        ampm = (m.group(3) or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return hour, minute
    return None


def parse_reset(line: str | None, now: dt.datetime) -> dt.datetime | None:
    """"Resets today at 2:15 PM", "Resets Fri at 9:00 AM", "Resets Dec 3 4:00 PM", "Resets 2026-12-01" → a time.

    `now` is aware; results are in its time zone (the page speaks the browser's local time).
    """
    if not line:
        return None
    text = re.sub(r"^\s*resets?:?\s*", "", line.strip(), flags=re.I)
    text = re.sub(r"\b(at|on)\b", " ", text, flags=re.I)
    lowered = text.lower()
    clock = _clock(text)
    hour, minute = clock if clock else (0, 0)
    tz = now.tzinfo
    day: dt.date | None = None
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if m:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif "today" in lowered:
        day = now.date()
    elif "tomorrow" in lowered:
        day = now.date() + dt.timedelta(days=1)
    else:
        words = re.findall(r"[a-z]+", lowered)
        for idx, name in enumerate(_WEEKDAYS):
            if any(len(w) >= 3 and name.startswith(w) for w in words):  # "fri", "tues", "thursday"
                ahead = (idx - now.weekday()) % 7
                day = now.date() + dt.timedelta(days=ahead)
                if ahead == 0 and (hour, minute) <= (now.hour, now.minute):
                    day += dt.timedelta(days=7)
                break
    if day is None:
        m = re.search(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})\b", text)
        if m:
            try:
                month = dt.datetime.strptime(m.group(1).title(), "%b").month
                day = _next_date(now.date(), month, int(m.group(2)))
            except ValueError:
                day = None
        else:
            m = re.search(r"\b(\d{1,2})/(\d{1,2})\b", text)
            if m:
                day = _next_date(now.date(), int(m.group(1)), int(m.group(2)))
    if day is None:
        return None
    try:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    except ValueError:
        return None


def _next_date(today: dt.date, month: int, day: int) -> dt.date | None:
    try:
        candidate = dt.date(today.year, month, day)
    except ValueError:
        return None
    if candidate < today - dt.timedelta(days=1):
        candidate = candidate.replace(year=today.year + 1)
    return candidate


_CODE_REVIEW = re.compile(r"Co(?:de|re)\s*review[^0-9%]*([0-9]{1,3})\s*%\s*remaining", re.I)


def parse_code_review_left(text: str) -> float | None:
    """Percent of code reviews left ("Code review 42% remaining" → 42); GitHub code review lines do not count."""
    for ln in lines_of(text) or [text]:
        if "github code review" in ln.lower():
            continue
        m = _CODE_REVIEW.search(ln)
        if m:
            return max(0.0, min(100.0, float(m.group(1))))
    m = _CODE_REVIEW.search(" ".join(ln for ln in lines_of(text) if "github" not in ln.lower()))
    return max(0.0, min(100.0, float(m.group(1)))) if m else None


_CODE_REVIEW_HEADING = re.compile(r"\bCo(?:de|re)\s*review\b", re.I)


def parse_code_review_reset(text: str) -> str | None:
    """The reset line of the code-review lane ("Resets tomorrow at 2:15 PM"), also under the page's
    "Core review" spelling; the lines of a following lane, GitHub review or credits are not its own."""
    lines = lines_of(text)
    for i, ln in enumerate(lines):
        if not _CODE_REVIEW_HEADING.search(ln) or "github" in ln.lower():
            continue
        for j, nxt in enumerate(lines[i:i + 4]):
            lowered = nxt.lower()
            if j and (_FIVE_HOUR.search(nxt) or _WEEKLY.search(nxt) or "review" in lowered or "credit" in lowered):
                break
            if "reset" in lowered:
                return nxt
        return None
    return None


_CREDITS_PATTERNS = [re.compile(p, re.I) for p in (
    r"credits\s*remaining[^0-9]*([0-9][0-9.,]*)",
    r"remaining\s*credits[^0-9]*([0-9][0-9.,]*)",
    r"credit\s*balance[^0-9]*([0-9][0-9.,]*)",
)]


def parse_number(token: str, *, english: bool = True) -> float | None:
    """"1,234.56" → 1234.56, "1,234" → 1234, "397,205" (non-English unit) → 397.205, "12" → 12."""
    token = token.strip().rstrip(".,")
    if not token:
        return None
    if "," in token and "." in token:
        decimal = "." if token.rfind(".") > token.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        token = token.replace(thousands, "").replace(decimal, ".")
    elif "," in token:
        groups = token.split(",")
        thousands = english and all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
        token = token.replace(",", "") if thousands else token.replace(",", ".", 1).replace(",", "")
    try:
        return float(token)
    except ValueError:
        return None


def parse_credits_remaining(text: str) -> float | None:
    joined = " ".join(lines_of(text))
    for pattern in _CREDITS_PATTERNS:
        m = pattern.search(joined)
        if m:
            return parse_number(m.group(1))
    return None


_NUMBER_TOKEN = re.compile(r"[0-9][0-9.,]*")
_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%Y-%m-%d", "%d %b %Y", "%m/%d/%Y")


def parse_history_date(text: str) -> dt.date | None:
    cleaned = " ".join(text.replace(".", "").split())
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def parse_history_amount(text: str) -> float | None:
    m = _NUMBER_TOKEN.search(text)
    if not m:
        return None
    english = re.search(r"\bcredits?\b", text, re.I) is not None or not re.search(r"[^\x00-\x7f]", text)
    return parse_number(m.group(0), english=english)


def credit_events(rows: list[list[str]]) -> list[CreditEvent]:
    """Rows `[date, service, amount]` → events, newest first; rows that do not read as such are skipped."""
    events: list[tuple[dt.date, CreditEvent]] = []
    for row in rows:
        if len(row) < 3:
            continue
        day = parse_history_date(row[0])
        amount = parse_history_amount(row[2])
        service = row[1].strip()
        if day is None or amount is None or not service or service.lower().startswith("skillusage:"):
            continue
        events.append((day, CreditEvent(date=day.isoformat(), service=service, amount=amount)))
    events.sort(key=lambda pair: pair[0], reverse=True)
    return [e for _, e in events]


def credit_history(doc: PageDocument) -> list[CreditEvent]:
    for heading, rows in doc.tables:
        if heading.strip().lower() == "credits usage history":
            return credit_events(rows)
    rows = [r for _, table in doc.tables for r in table
            if len(r) >= 3 and parse_history_date(r[0]) and re.search(r"[0-9]", r[2])]
    return credit_events(rows)


_PURCHASE_LABEL = re.compile(r"\b(buy|add|purchase|top[- ]?up)\b.*credit|credit.*\b(buy|add|purchase|top[- ]?up)\b",
                             re.I)
_PURCHASE_PATHS = {"settings", "usage", "billing", "credits"}


def purchase_url(doc: PageDocument, base: str = "https://chatgpt.com") -> str | None:
    """A chatgpt.com link to buy credits: labelled so, or the first link right after "Credits remaining"."""
    credits_line = next((i for i, ln in enumerate(doc.lines) if "credits remaining" in ln.lower()), None)
    ranked = [a for a in doc.anchors if _PURCHASE_LABEL.search(a.text)]
    if credits_line is not None:
        ranked += [a for a in doc.anchors if 0 <= a.position - credits_line <= 3]
    for a in ranked:
        url = _accepted_purchase_url(urljoin(base.rstrip("/") + "/", a.href))
        if url:
            return url
    return None


def _accepted_purchase_url(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not (host == "chatgpt.com" or host.endswith(".chatgpt.com")):
        return None
    if not set(p.lower() for p in parts.path.split("/") if p) & _PURCHASE_PATHS:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


# -- the whole page ----------------------------------------------------------------------------

@dataclass
class DashboardPage:
    state: str  # "ok" | "login" | "cloudflare" | "workspace_picker"
    email: str | None = None
    plan: str | None = None  # raw, e.g. "prolite"
    session: RateWindow | None = None
    weekly: RateWindow | None = None
    code_review_left: float | None = None
    code_review_reset: str | None = None  # as the page says it, e.g. "Resets tomorrow at 2:15 PM"
    code_review_resets_at: dt.datetime | None = None
    credits_remaining: float | None = None
    history: list[CreditEvent] = field(default_factory=list)
    purchase_url: str | None = None

    @property
    def plan_name(self) -> str | None:
        return plan_display_name(self.plan)

    @property
    def has_usage(self) -> bool:
        return any(v is not None for v in (self.session, self.weekly, self.code_review_left,
                                           self.credits_remaining)) or bool(self.history)


def parse_dashboard(html: str, now: dt.datetime | None = None, base: str = "https://chatgpt.com") -> DashboardPage:
    doc = read_html(html)
    if is_cloudflare(doc):
        return DashboardPage(state="cloudflare")
    if is_login_wall(doc):
        return DashboardPage(state="login")
    email = page_email(doc)
    plan = page_plan(doc)
    if is_workspace_picker(doc):
        return DashboardPage(state="workspace_picker", email=email, plan=plan)
    session, weekly = parse_rate_limits(doc.lines, now)
    text = doc.text
    review_reset = parse_code_review_reset(text)
    return DashboardPage(state="ok", email=email, plan=plan, session=session, weekly=weekly,
                         code_review_left=parse_code_review_left(text), code_review_reset=review_reset,
                         code_review_resets_at=parse_reset(review_reset, now or dt.datetime.now().astimezone()),
                         credits_remaining=parse_credits_remaining(text), history=credit_history(doc),
                         purchase_url=purchase_url(doc, base))


# -- JSON endpoint helpers -------------------------------------------------------------------------

def renewal_text(body: Any) -> str | None:
    """`/backend-api/subscriptions` → "renews at 2026-12-01" / "expires at 2026-12-01" (docs/reference/usage-sources.md, "Dashboard JSON endpoints", step 3)."""
    candidates = body if isinstance(body, list) else [body]
    if isinstance(body, dict):
        for key in ("subscriptions", "items", "data"):
            if isinstance(body.get(key), list):
                candidates = body[key] + [body]
    for item in candidates:
        if not isinstance(item, dict):
            continue
        until = item.get("active_until")
        if not isinstance(until, str) or not until:
            continue
        try:
            when = dt.datetime.fromisoformat(until.replace("Z", "+00:00"))
        except ValueError:
            continue
        verb = "renews" if item.get("will_renew") is True else "expires"
        return f"{verb} at {when.date().isoformat()}"
    return None
