"""Helper process for large cold scans (parallel.py): `python -m codexbar_core.cost.worker` parses part of the files.

Input (stdin): one JSON object `{"cache": cache folder, "home": home key, "lookup": read saved
records first, "ignore_saved": bool, "overrides": path or null, "fast": {priority turn id: served model},
"units": [[[path, [ino, mtime_ns, size]], ...], ...]}` where each unit is every file of one state
bucket (see store.py). The helper parses a unit's files, writes the bucket's records to the cache
itself, and only then prints one line: `[sum, [[path, home entry or null], ...]]` where `sum` is the
day totals of the unit's plain logs added up (their folder's share; each log's own totals stay in its
record: docs/design/cost-memory.md) and null stands for a fork or subagent, which the parent process
resolves from the record. A unit cut off by a kill is simply not reported. A subprocess rather than multiprocessing, so nothing re-imports the plugin script
that started us.
"""

from __future__ import annotations

import sys


def main() -> int:
    from pathlib import Path

    from codexbar_core.cache import Store
    from codexbar_core.cost.aggregate import merge_agg
    from codexbar_core.cost.filerecord import gc_paused, scan_batch
    from codexbar_core.cost.parse import load_hot_lines
    from codexbar_core.cost.pricing import load_price_table
    from codexbar_core.cost.store import StateStore, dumps, file_state_key, loads

    load_hot_lines()  # the helper only ever gets big scans
    job = loads(sys.stdin.buffer.read())
    overrides = job.get("overrides")
    prices = load_price_table(Path(overrides) if overrides else None)
    prices.fast_turns = dict(job.get("fast") or {})
    state = StateStore(Store(Path(job["cache"])), job["home"], ignore_saved=bool(job.get("ignore_saved")))
    lookup = bool(job.get("lookup"))
    out = sys.stdout.buffer
    with gc_paused():
        units = job.pop("units")
        units.reverse()
        while units:
            unit = units.pop()  # let go of each unit's part of the job once done
            entries, total = [], {}
            for path, sig in unit:
                prev = state.get_file(path) if lookup else None
                (text, entry, agg), = scan_batch([(path, tuple(sig), prev)], prices)
                if text:
                    state.put_file(path, text)
                    entries.append([path, None if entry is None else entry.to_list()])
                    if agg:
                        merge_agg(total, agg)
            state.flush_buckets([file_state_key(job["home"], unit[0][0])[0]])
            out.write(dumps([total, entries]).encode())
            out.write(b"\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
