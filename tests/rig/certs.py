"""A throw-away CA and a 127.0.0.1 leaf certificate (trustme), written as PEM files.

The real codex CLI needs an HTTPS ChatGPT backend; it trusts our CA through CODEX_CA_CERTIFICATE,
and codexbar's own HTTP client honours the same variable.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass
class LocalTLS:
    ca_pem: Path
    server_context: ssl.SSLContext


def make_local_tls(directory: Path) -> LocalTLS:
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    # codex uses rustls, which rejects a CA certificate used as the server certificate: CA + leaf.
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    ca_pem = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(ctx)
    return LocalTLS(ca_pem=ca_pem, server_context=ctx)
