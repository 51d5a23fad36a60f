"""Pure parsing of the chatgpt.com dashboard: its HTML and the text a user would read (docs/reference/usage-sources.md, "Dashboard page").

Here: identity and plan, the page's state (login wall, Cloudflare, workspace picker), credits and their
history, the whole page, the JSON endpoints. The HTML reading is in web_html.py, the lanes, resets and
code-review text in web_limits_text.py.

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
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from codexbar_core.model import CreditEvent, RateWindow
from codexbar_core.normalize import plan_display_name
from codexbar_core.sources.web_html import PageDocument, lines_of, read_html
from codexbar_core.sources.web_limits_text import (
    has_usage_text,
    parse_code_review_left,
    parse_code_review_reset,
    parse_rate_limits,
    parse_reset,
)

USAGE_DASHBOARD_URL = "https://chatgpt.com/codex/settings/usage"
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
PLAN_WORDS = ("free", "plus", "pro", "team", "enterprise", "business", "edu", "education", "gov", "premium",
              "essential")
BFS_NODE_LIMIT = 6000


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
    return has_cta and (auth_inputs or not has_usage_text(doc.lines))


def is_workspace_picker(doc: PageDocument) -> bool:
    return "select a workspace" in doc.text.lower()


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
