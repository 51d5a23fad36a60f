"""Run codexbar with a deterministic SIGKILL armed at the k-th cache write or auth.json file operation.

    python -c "from tests.faults.killhook import main; main()" <codexbar args...>

`CODEXBAR_TEST_KILL=cache:K` kills the process at the K-th cache write (diskcache's or the cost state database's) (before it when K is odd,
just after it when even: both are inside the write path, often inside a transaction);
`CODEXBAR_TEST_KILL=auth:K` at the K-th `os` call of the auth.json module (a `write` is cut in half
first). The test sweeps K from 1 up until a run finishes unkilled, so every kill point is visited.
Only the test suite uses this; the product has no hook for it.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _arm_cache(k: int) -> None:
    """Both of codexbar's databases count: diskcache's (snapshots, cookies) and the cost state's."""
    import diskcache.core

    from codexbar_core.cost.state_db import StateDB

    calls = [0]

    def killing(original: Any) -> Any:
        def set_(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls[0] += 1
            if calls[0] == k and k % 2 == 1:
                _die()
            result = original(self, *args, **kwargs)
            if calls[0] == k:
                _die()
            return result

        return set_

    diskcache.core.Cache.set = killing(diskcache.core.Cache.set)  # type: ignore[method-assign]
    StateDB.set = killing(StateDB.set)  # type: ignore[method-assign]


class _KillingOs:
    """Stands in for `os` inside the auth module; the k-th call dies (a write is cut in half first)."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        if not callable(real) or name in ("fspath", "getpid", "urandom"):
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self.k:
                if name == "write" and len(args) == 2:
                    os.write(args[0], bytes(args[1])[: max(1, len(args[1]) // 2)])
                _die()
            return real(*args, **kwargs)

        return call


def main() -> None:
    sys.path[:0] = [ROOT, os.path.join(ROOT, "lib")]
    target, _, k = (os.environ.get("CODEXBAR_TEST_KILL") or ":0").partition(":")
    if target == "cache":
        _arm_cache(int(k))
    elif target == "auth":
        from codexbar_core.sources import auth

        auth.os = _KillingOs(int(k))  # type: ignore[assignment]
    from codexbar_core.cli import main as codexbar

    sys.exit(codexbar(sys.argv[1:]))


if __name__ == "__main__":
    main()
