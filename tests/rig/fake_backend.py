"""A fake ChatGPT backend on 127.0.0.1 (HTTPS with a throw-away CA, or plain HTTP).

Serves what the real codex CLI 0.169.0 and codexbar ask for (`/backend-api/wham/usage`,
`wham/accounts/check`, `wham/rate-limit-reset-credits`, `/oauth/token`, spend controls, `/v1/models`)
with numbers the test chooses, records every request (method, path, headers, body), and can
misbehave on demand: a status code, a raw body, a delay, a body dribbled byte by byte, a connection
closed mid-body. Extra routes can be added per test with `backend.route(method, path, handler)`.
"""

from __future__ import annotations

import copy
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

ACCOUNT_ID = "11111111-2222-4333-8444-555555555555"


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict | list | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the headers are sent
    dribble: float = 0.0  # seconds between single body bytes
    close_after: int | None = None  # bytes of body sent before the connection is dropped
    hang: bool = False  # never answer (until the server stops)

    def payload(self) -> tuple[bytes, str]:
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode(), "application/json"
        if isinstance(self.body, str):
            return self.body.encode(), self.headers.get("Content-Type", "text/plain; charset=utf-8")
        return self.body or b"", self.headers.get("Content-Type", "application/octet-stream")


def window(used: float, seconds: int, reset_at: int) -> dict[str, Any]:
    return {"used_percent": used, "limit_window_seconds": seconds,
            "reset_after_seconds": max(0, reset_at - int(time.time())), "reset_at": reset_at}


def usage_body(
    *,
    primary_used: float | None = 42,
    secondary_used: float | None = 17,
    primary_seconds: int = 18000,
    secondary_seconds: int = 604800,
    primary_reset_at: int | None = None,
    secondary_reset_at: int | None = None,
    plan: str = "pro",
    email: str = "tester@example.com",
    credits_balance: str | float | None = "12.5",
    has_credits: bool = True,
    unlimited: bool = False,
    limit_reached: bool = False,
    additional: list[dict[str, Any]] | None = None,
    individual_limit: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A `wham/usage` body in the real shape (docs/reference/usage-sources.md, "Decoding wham/usage")."""
    now = int(time.time())
    rate_limit: dict[str, Any] = {"allowed": not limit_reached, "limit_reached": limit_reached,
                                  "primary_window": None, "secondary_window": None}
    if primary_used is not None:
        rate_limit["primary_window"] = window(primary_used, primary_seconds, primary_reset_at or now + 4980)
    if secondary_used is not None:
        rate_limit["secondary_window"] = window(secondary_used, secondary_seconds,
                                                secondary_reset_at or now + 277200)
    if limit_reached:
        rate_limit["rate_limit_reached_type"] = {"type": "rate_limit_reached"}
    body: dict[str, Any] = {
        "user_id": "user-HarnessFakeUser0001",
        "account_id": ACCOUNT_ID,
        "email": email,
        "plan_type": plan,
        "rate_limit": rate_limit,
        "additional_rate_limits": additional,
        "credits": None,
        "promo": None,
    }
    if credits_balance is not None or unlimited:
        body["credits"] = {"has_credits": has_credits, "unlimited": unlimited,
                           "balance": None if credits_balance is None else str(credits_balance),
                           "approx_local_messages": None, "approx_cloud_messages": None}
    if individual_limit is not None:
        body["individual_limit"] = individual_limit
    return body


def reset_credits_body(expiries: list[int | str | None], *, redeemed: int = 0,
                       reset_type: str = "weekly") -> dict[str, Any]:
    """`wham/rate-limit-reset-credits` (docs/decisions/limits.md): one available credit per expiry
    (epoch seconds, ISO text, or None for none), plus `redeemed` spent ones."""
    now = int(time.time())
    credits: list[dict[str, Any]] = []
    for i, expires in enumerate(expiries):
        item: dict[str, Any] = {"id": f"rlrc_{i + 1}", "reset_type": reset_type, "status": "available",
                                "granted_at": now - 86400 * 3, "title": "Limit reset",
                                "description": "Resets your usage limit once."}
        if expires is not None:
            item["expires_at"] = expires
        credits.append(item)
    for i in range(redeemed):
        credits.append({"id": f"rlrc_spent_{i + 1}", "reset_type": reset_type, "status": "redeemed",
                        "granted_at": now - 86400 * 20, "redeemed_at": now - 86400 * 10})
    return {"available_count": len(expiries), "credits": credits}


def accounts_check_body(plan: str = "pro", name: str | None = None) -> dict[str, Any]:
    return {
        "accounts": [{"id": ACCOUNT_ID, "plan_type": plan, "workspace_backend_origin": "NO_CONSTRAINT",
                      "account_routing_override": "NO_CONSTRAINT", "name": name,
                      "profile_picture_url": None, "structure": "workspace" if name else "personal"}],
        "account_ordering": [ACCOUNT_ID],
        "default_account_id": ACCOUNT_ID,
    }


Handler = Callable[[dict[str, Any]], Reply]


class FakeBackend:
    """Start with `with FakeBackend(tls=...) as fb:`; `fb.url` is the origin, `fb.requests` the log."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.requests: list[dict[str, Any]] = []
        self.usage: Reply = Reply(body=usage_body())
        self.accounts_check: Reply = Reply(body=accounts_check_body())
        self.reset_credits: Reply = Reply(body={"credits": [], "available_count": 0, "total_earned_count": 0})
        self.token_reply: Reply | None = None  # None: fresh fake tokens
        self._routes: dict[tuple[str, str], Handler] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    # -- configuration -------------------------------------------------------------------
    def route(self, method: str, path: str, handler: Handler) -> None:
        self._routes[(method.upper(), path.rstrip("/"))] = handler

    def set_usage(self, reply: Reply | dict[str, Any]) -> None:
        self.usage = reply if isinstance(reply, Reply) else Reply(body=reply)

    def set_reset_credits(self, reply: Reply | dict[str, Any]) -> None:
        self.reset_credits = reply if isinstance(reply, Reply) else Reply(body=reply)

    def requests_to(self, suffix: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r["path"].split("?")[0].rstrip("/").endswith(suffix)]

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeBackend:
        backend = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _handle(self) -> None:
                backend._dispatch(self)

            do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815

        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeBackend:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- request handling --------------------------------------------------------------------
    def _record(self, h: BaseHTTPRequestHandler) -> dict[str, Any]:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        entry = {"method": h.command, "path": h.path, "headers": {k.lower(): v for k, v in h.headers.items()},
                 "body": body, "time": time.time()}
        with self._lock:
            self.requests.append(entry)
        return entry

    def _default_reply(self, method: str, path: str, req: dict[str, Any]) -> Reply:
        if path.endswith("/wham/usage") or path.endswith("/api/codex/usage"):
            return copy.copy(self.usage)
        if path.endswith("/accounts/check"):
            return copy.copy(self.accounts_check)
        if path.endswith("/rate-limit-reset-credits") and method == "GET":
            return copy.copy(self.reset_credits)
        if path.endswith("/oauth/token") and method == "POST":
            if self.token_reply is not None:
                return copy.copy(self.token_reply)
            return Reply(body=fresh_tokens(req))
        if path.endswith("/models"):
            return Reply(body={"models": []})
        return Reply(status=404, body={"detail": f"not handled by fake backend: {method} {path}"})

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        req = self._record(h)
        path = h.path.split("?", 1)[0].rstrip("/")
        handler = self._routes.get((h.command, path))
        reply = handler(req) if handler else self._default_reply(h.command, path, req)
        try:
            self._send(h, reply)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass

    def _send(self, h: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.hang:
            self._stopping.wait()
            h.close_connection = True
            return
        if reply.delay:
            self._stopping.wait(reply.delay)
        body, ctype = reply.payload()
        h.send_response(reply.status)
        headers = {"Content-Type": ctype, "Content-Length": str(len(body))}
        headers.update(reply.headers)
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        if reply.close_after is not None:
            h.wfile.write(body[: reply.close_after])
            h.wfile.flush()
            h.close_connection = True
            return
        if reply.dribble:
            for i in range(len(body)):
                if self._stopping.wait(reply.dribble):
                    return
                h.wfile.write(body[i : i + 1])
                h.wfile.flush()
            return
        h.wfile.write(body)


def fresh_tokens(req: dict[str, Any]) -> dict[str, Any]:
    """A token endpoint answer with new fake tokens (field names: docs/reference/usage-sources.md, "OAuth: token refresh")."""
    from tests.rig.codex_home import fake_jwt

    now = int(time.time())
    claims = {"https://api.openai.com/auth": {"chatgpt_plan_type": "pro", "chatgpt_account_id": ACCOUNT_ID},
              "email": "tester@example.com", "iat": now, "exp": now + 864000}
    return {"access_token": fake_jwt(dict(claims, kind="access", n=now)),
            "id_token": fake_jwt(dict(claims, kind="id", n=now)),
            "refresh_token": f"rt_rotated_{now}", "token_type": "Bearer", "expires_in": 864000}
