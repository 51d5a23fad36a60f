"""Secret-leak checks: the token values of a home, and asserting none of them (nor a JWT's claims
alone) appears in any output, document or file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


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
