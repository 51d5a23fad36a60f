"""Helper process for large cold scans (parallel.py): `python -m codexbar_core.cost.worker` parses part of the files.

Input (stdin), JSON lines: first `{"cache": cache folder, "home": home key, "lookup": read saved
records first, "ignore_saved": bool, "overrides": path or null, "fast": {priority turn id: served
model}}`, then one line per unit, `[[path, [ino, mtime_ns, size]], ...]`: every file of one state
bucket (see store.py), so of one folder. Units are read one at a time as the parent writes them: the
helper never holds the whole job (megabytes at 50,000 logs: docs/design/cost-memory.md). For each
unit the helper parses its files, writes the bucket's records to the cache itself, and only then
prints one line: `[sum, [[name, session id, malformed lines] or [name], ...]]`, in the order of the
units. `sum` is the day totals of the unit's plain logs added up (each log's own totals stay in its
record); `[name]` is a fork or subagent, classified only, which the parent resolves from the record.
The parent knows each file's path and signature: only what it does not know comes back. A unit cut
off by a kill is simply not reported. A subprocess rather than multiprocessing, so nothing
re-imports the plugin script that started us.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def main() -> int:
    from pathlib import Path

    from codexbar_core.cache import Store
    from codexbar_core.cost.aggregate import merge_agg
    from codexbar_core.cost.filerecord import gc_paused, scan_batch
    from codexbar_core.cost.parse import load_hot_lines
    from codexbar_core.cost.pricing import load_price_table
    from codexbar_core.cost.store import StateStore, dumps, file_state_key, loads

    load_hot_lines()  # the helper only ever gets big scans
    stdin = sys.stdin.buffer
    job = loads(stdin.readline())
    overrides = job.get("overrides")
    prices = load_price_table(Path(overrides) if overrides else None)
    prices.fast_turns = dict(job.get("fast") or {})
    state = StateStore(Store(Path(job["cache"])), job["home"], ignore_saved=bool(job.get("ignore_saved")))
    lookup = bool(job.get("lookup"))
    out = sys.stdout.buffer
    with gc_paused():
        for line in stdin:
            if not line.endswith(b"\n"):
                break  # the parent stopped mid-line
            unit = loads(line)
            files: list[list[Any]] = []
            total: dict[str, Any] = {}
            for path, sig in unit:
                prev = state.get_file(path) if lookup else None
                (text, entry, agg), = scan_batch([(path, tuple(sig), prev)], prices)
                if text:
                    state.put_file(path, text)
                    name = path.rpartition(os.sep)[2]
                    files.append([name] if entry is None else [name, entry.sid, entry.bad])
                    if agg:
                        merge_agg(total, agg)
            state.flush_buckets([file_state_key(job["home"], unit[0][0])[0]])
            out.write(dumps([total, files]).encode())
            out.write(b"\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
