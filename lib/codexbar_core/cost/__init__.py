"""Local cost: discover session logs, parse token events, reduce to deltas, price them, report.

discover.py  which `.jsonl` files a window needs (date folders ± 1 day, archive, resumed sessions)
folder_listing.py  one folder's logs listed and stat'ed; what a discovery saw (Walk)
log_digests.py     per-folder digests of the logs' signatures, and the report digest made of them
thread_index.py, index_memo.py  Codex's state_5.sqlite: unchanged homes, and which folders changed
warm_report.py  reprints the saved report before the engine is imported (entry.py)
parse.py     byte search for the few lines that matter, JSON-decoding only those
line_rules.py  what one line means: the general decoder, timestamps, counts, session_meta
typed_lines.py the typed (msgspec) fast path for the frequent lines; line_rules decides the rest
reduce.py    the delta algorithm (repeats, divergent totals, interleaved counters, forks, subagents)
pricing.py   bundled prices.json + the user's override file; exact integer cost per event
priority.py  Fast-tier turns from logs_2.sqlite
scan.py        one scan: runs the stages below in order
filerecord.py  one plain log's record, parsed or resumed from its saved offset
lineage.py     forks and subagents against their parent; active/archived copies counted once
aggregate.py   priced rows summed into day -> model totals
incremental.py the saved per-folder state (entries, totals, records) and what invalidates it
parallel.py    big cold scans split with a helper process; worker.py is that helper
store.py     cache keys and batched reads/writes of the scan state
report.py    `cost_report` / `last_cost_report`: the typed CostReport (cost_model.py, docs/design/cost-report.md)
"""
