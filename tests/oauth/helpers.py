"""Shared bits of the OAuth tests: an in-process fetch context and secret-leak checks."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from codexbar_core.sources.base import FetchContext
from tests.rig.runner import base_env


def ctx_for(home: Path, scratch: Path, ca_pem: Path, seconds: float = 10.0, **extra: str) -> FetchContext:
    """A FetchContext like the pipeline builds, trusting the rig's CA, with no codex binary around."""
    env = base_env(scratch, home, CODEX_CA_CERTIFICATE=str(ca_pem))
    env.update(extra)
    return FetchContext(codex_home=home, deadline=time.monotonic() + seconds, env=env)


def secrets_of(home: Path) -> list[str]:
    """Every token value in the home's auth.json (the strings that must never be printed)."""
    data = json.loads((home / "auth.json").read_text())
    tokens = data.get("tokens") or {}
    found = [v for v in tokens.values() if isinstance(v, str) and len(v) > 8 and v != tokens.get("account_id")]
    if isinstance(data.get("OPENAI_API_KEY"), str):
        found.append(data["OPENAI_API_KEY"])
    return found


def assert_no_secrets(texts: list[Any], secrets: list[str]) -> None:
    assert secrets, "the test must know which secrets to look for"
    for text in texts:
        blob = text if isinstance(text, (str, bytes)) else json.dumps(text, default=str)
        for secret in secrets:
            needle = secret.encode() if isinstance(blob, bytes) else secret
            assert needle not in blob, "a token value leaked into output"
            # the JWT payload alone would leak the claims too
            if secret.count(".") == 2:
                part = secret.split(".")[1]
                assert (part.encode() if isinstance(blob, bytes) else part) not in blob


def cache_bytes(scratch: Path) -> bytes:
    """Everything codexbar wrote to its cache and config folders, concatenated."""
    out = b""
    for folder in (scratch / "cache", scratch / "config"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    out += path.read_bytes()
    return out


def oauth_error(doc: dict[str, Any]) -> dict[str, Any]:
    """The OAuth step's failure as the trace records it: {"kind", "message"}.

    For errors that fall through, the document's top-level error is whatever the *next* source said
    (which pipeline policy decides), so the OAuth source's own words are read from its trace entry.
    """
    (step,) = [a for a in doc["trace"]["attempts"] if a["source"] == "oauth"]
    assert step["outcome"] == "failed", step
    if step["errorKind"] not in ("auth", "missing_credentials", "needs_refresh"):
        assert doc["error"] == {"kind": step["errorKind"], "message": step["reason"]}
    return {"kind": step["errorKind"], "message": step["reason"]}
