"""The one place HTTP clients are made: TLS trust like the codex CLI, our User-Agent, no cookies jar.

httpx is imported lazily: a warm menu run that reuses cached data must not pay for it.
`transport` is injectable so unit tests can swap it (the e2e tests use a real server instead).
"""

from __future__ import annotations

import os
import ssl
from typing import Any

from codexbar_core import __version__

USER_AGENT = f"codexbar/{__version__} (SwiftBar plugin; +https://github.com/codexbar)"


def ssl_context(env: dict[str, str] | None = None) -> ssl.SSLContext:
    """System trust plus `CODEX_CA_CERTIFICATE` / `SSL_CERT_FILE`, the variables the codex CLI honours."""
    env = os.environ if env is None else env
    ctx = ssl.create_default_context()
    for key in ("CODEX_CA_CERTIFICATE", "SSL_CERT_FILE"):
        path = (env.get(key) or "").strip()
        if path and os.path.isfile(path):
            try:
                ctx.load_verify_locations(cafile=path)
            except (OSError, ssl.SSLError):
                pass  # a broken bundle must not break the default trust store
    return ctx


def make_client(timeout: float, env: dict[str, str] | None = None, transport: Any = None,
                headers: dict[str, str] | None = None) -> Any:
    import httpx

    base_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    base_headers.update(headers or {})
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        verify=ssl_context(env),
        headers=base_headers,
        transport=transport,
        follow_redirects=False,
        trust_env=True,  # corporate proxies (HTTPS_PROXY) work as they do for the codex CLI
    )
