"""A fake chatgpt.com on the shared FakeBackend: JSON endpoints and dashboard pages behind a session cookie.

Every route checks the request's Cookie header for the session token the test chose; without it the
JSON endpoints answer 401 and the dashboard answers with a login wall, as chatgpt.com does.
`mode` switches the whole site to a Cloudflare interstitial.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from tests.rig.fake_backend import FakeBackend, Reply, usage_body

FIXTURES = Path(__file__).parent / "fixtures"
SESSION_COOKIE = "__Secure-next-auth.session-token"
SESSION_VALUE = "sess-SECRET-7f3a9c1e-do-not-print"
DASHBOARD = "/codex/cloud/settings/analytics"


def page(name: str, email: str = "tester@example.com") -> str:
    if name == "normal":
        return (FIXTURES / "openai-dashboard-pro-normal.html").read_text().replace("user@example.com", email)
    return PAGES[name].replace("{email}", email)


PAGES = {
    "login": """<html><head><title>ChatGPT</title></head><body>
<div><h1>Welcome back</h1><form><input type="email" name="email"><button>Continue</button></form>
<a href="/auth/login?next=%2Fcodex">Log in</a> <button>Continue with Google</button></div></body></html>""",
    "cloudflare": """<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>
<div id="challenge">Checking your browser before accessing chatgpt.com.</div>
<noscript>Enable JavaScript and cookies to continue</noscript>
<div>Performance &amp; security by Cloudflare</div></body></html>""",
    "workspace": """<html><body><script type="application/json" id="client-bootstrap">
{"authStatus":"logged_in","session":{"user":{"email":"{email}"}}}</script>
<main><h2>Select a workspace</h2><ul><li>Personal</li><li>Acme Corp</li></ul></main></body></html>""",
    "extras": """<html><body><script type="application/json" id="client-bootstrap">
{"authStatus":"logged_in","session":{"user":{"email":"{email}"}},"account":{"planType":"plus"}}</script>
<main>
<section><h2>Usage limits</h2><p>5h limit</p><p>10% used</p><p>Resets tomorrow at 9:00 AM</p>
<p>Weekly limit</p><p>75% remaining</p></section>
<section><p>Code review 42% remaining</p><p>GitHub code review 3% remaining</p></section>
<section><p>Credits remaining <span>1,234.56</span></p>
<a href="https://chatgpt.com/codex/settings/usage?ref=buy#credits">Buy credits</a></section>
<h3>Credits usage history</h3>
<table><thead><tr><th>Date</th><th>Service</th><th>Amount</th></tr></thead><tbody>
<tr><td>Dec 17, 2025</td><td>GitHub Code Review</td><td>506.235 credits</td></tr>
<tr><td>Dec 18, 2025</td><td>CLI</td><td>397.205 credits</td></tr>
<tr><td>Dec 16, 2025</td><td>skillusage:pdf</td><td>3 credits</td></tr>
</tbody></table>
</main></body></html>""",
    # the page's own "Core review" spelling, with the lane's reset on the line after its percent
    "review_reset": """<html><body><script type="application/json" id="client-bootstrap">
{"authStatus":"logged_in","session":{"user":{"email":"{email}"}},"account":{"planType":"plus"}}</script>
<main>
<section><h2>Usage limits</h2><p>5h limit</p><p>10% used</p><p>Resets today at 4:00 PM</p>
<p>Weekly limit</p><p>75% remaining</p></section>
<section><h3>Balance</h3><p>Core review</p><p>42% remaining</p><p>Resets tomorrow at 2:15 PM</p>
<p>GitHub code review 3% remaining</p><p>Resets Friday at 8:00 AM</p></section>
</main></body></html>""",
}


def access_token(email: str) -> str:
    return "at-SECRET-" + email.replace("@", "-at-")


class FakeChatGPT:
    """Routes on `backend` for the dashboard's endpoints; change `email`, `page_name`, `mode` per test."""

    def __init__(self, backend: FakeBackend, *, email: str = "tester@example.com",
                 session_value: str = SESSION_VALUE) -> None:
        self.backend = backend
        self.email = email
        self.session_value = session_value
        self.page_name = "normal"
        self.mode = "ok"  # "ok" | "cloudflare"
        self.usage: dict[str, Any] | None = usage_body(primary_used=12, secondary_used=34, plan="prolite",
                                                      email=email, credits_balance="12.5")
        self.me_email: str | None = email  # None: /backend-api/me has no email
        self.sessions: dict[str, str] = {}  # more signed-in sessions: cookie value -> account email
        # True: /backend-api/* wants `Authorization: Bearer <accessToken from /api/auth/session>`, as the
        # dashboard's own scripts send it; cookies alone get 401 there.
        self.bearer_only = False
        self.usage_has_email = True  # False: wham/usage leaves the email out (identity from /me, session)
        for path in ("/backend-api/wham/usage", "/backend-api/me", "/api/auth/session",
                     "/backend-api/subscriptions", DASHBOARD):
            backend.route("GET", path, self._handler(path))

    @property
    def url(self) -> str:
        return self.backend.url

    def account(self, req: dict[str, Any]) -> str | None:
        """The email of the session the request's cookie belongs to, or None (signed out)."""
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(req["headers"].get("cookie", ""))
        except Exception:
            return None
        morsel = jar.get(SESSION_COOKIE)
        if morsel is None:
            return None
        if morsel.value == self.session_value:
            return self.email
        return self.sessions.get(morsel.value)

    def _handler(self, path: str):
        def handle(req: dict[str, Any]) -> Reply:
            if self.mode == "cloudflare":
                return Reply(403, page("cloudflare"), headers={"Content-Type": "text/html; charset=utf-8"})
            email = self.account(req)
            if email is None:
                if path == DASHBOARD:
                    return Reply(200, page("login"), headers={"Content-Type": "text/html; charset=utf-8"})
                return Reply(401, {"detail": "Unauthorized"})
            if path == DASHBOARD:
                return Reply(200, page(self.page_name, email), headers={"Content-Type": "text/html"})
            if self.bearer_only and path.startswith("/backend-api/"):
                if req["headers"].get("authorization") != f"Bearer {access_token(email)}":
                    return Reply(401, {"detail": "Unauthorized"})
            if path == "/backend-api/wham/usage":
                if self.usage is None:
                    return Reply(404, {"detail": "not found"})
                return Reply(body=dict(self.usage, email=email if self.usage_has_email else None))
            if path == "/backend-api/me":
                return Reply(body={"object": "user", "id": "user-1", "email": self.me_email and email, "name": "Tester"})
            if path == "/api/auth/session":
                return Reply(body={"user": {"id": "user-1", "email": email}, "expires": "2099-01-01T00:00:00Z",
                                   "accessToken": access_token(email)})
            return Reply(body={"active_until": "2026-12-24T10:00:00Z", "will_renew": True, "plan": {"id": "pro"}})
        return handle
