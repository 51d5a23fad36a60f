"""SHA-1 and SHA-256 for cache keys and fingerprints, without `hashlib`.

`hashlib` loads OpenSSL when imported (~2 ms here, about a tenth of the imports of a `codexbar cost`
that finds one changed log). CPython also ships its own implementations of both algorithms as small
built-in modules; the digests are the same bytes either way, so keys written before stay valid.
"""

from __future__ import annotations

try:
    from _sha2 import sha256  # Python 3.12+
except ImportError:
    try:
        from _sha256 import sha256  # Python 3.9-3.11
    except ImportError:  # pragma: no cover - an interpreter built without them
        from hashlib import sha256
try:
    from _sha1 import sha1
except ImportError:  # pragma: no cover
    from hashlib import sha1


def sha256_hex(data: bytes) -> str:
    return sha256(data).hexdigest()


def sha1_hex(data: bytes) -> str:
    return sha1(data).hexdigest()
