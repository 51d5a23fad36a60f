"""Shared bits of the OAuth tests: an in-process fetch context and the OAuth step's own failure."""

from __future__ import annotations

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
