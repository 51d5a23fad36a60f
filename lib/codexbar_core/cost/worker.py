"""Helper process for large cold scans: `python -m codexbar_core.cost.worker` parses half the files.

Input (stdin): one JSON object `{"overrides": path or null, "fast": [priority turn ids], "tasks": [[path, [ino, mtime_ns, size],
previous record or null], ...]}`. Output (stdout), per task, two lines: `[path, home entry or null]`
and the file's record as JSON text (an empty line when the file could not be read). A subprocess
rather than multiprocessing, so nothing re-imports the plugin script that started us.
"""

from __future__ import annotations

import sys


def main() -> int:
    from pathlib import Path

    from codexbar_core.cost.pricing import load_price_table
    from codexbar_core.cost.scan import _scan_batch, gc_paused
    from codexbar_core.cost.store import dumps, loads

    job = loads(sys.stdin.buffer.read())
    overrides = job.get("overrides")
    prices = load_price_table(Path(overrides) if overrides else None)
    prices.fast_turns = frozenset(job.get("fast") or [])
    out = sys.stdout.buffer  # UTF-8 whatever the locale says (records may hold non-ASCII model names)
    with gc_paused():
        for task in job["tasks"]:
            path, sig, prev = task
            (text, entry), = _scan_batch([(path, tuple(sig), prev)], prices)
            out.write(dumps([path, entry]).encode())
            out.write(b"\n")
            out.write(text.encode())
            out.write(b"\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
