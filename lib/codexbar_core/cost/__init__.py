"""Local cost: discover session logs, parse token events, reduce to deltas, price them, report.

discover.py  which `.jsonl` files a window needs (date folders ± 1 day, archive, resumed sessions)
parse.py     byte search for the few lines that matter, JSON-decoding only those
reduce.py    the delta algorithm (repeats, divergent totals, interleaved counters, forks, subagents)
pricing.py   bundled prices.json + the user's override file; exact integer cost per event
priority.py  Fast-tier turns from logs_2.sqlite
scan.py      incremental per-file state, per-folder sums, the helper process for big cold scans
worker.py    that helper (`python -m codexbar_core.cost.worker`)
store.py     cache keys and batched reads/writes of the scan state
report.py    `cost_report` / `last_cost_report`: the `codexbar cost --json` contract object
"""
