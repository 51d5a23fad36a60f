"""One plain log's record: parsed from the start, or resumed from its saved offset and reducer state.

A grown file (same inode, the bytes before the saved offset unchanged) is parsed from that offset and
its new rows are added to the day totals saved in its record; anything else from the start. The
record keeps no rows: the rare stage that needs them (lineage, repricing) reads the log again with
`plain_rows` (docs/design/cost-engine.md, "Records"). A fork or subagent is only classified here
(lineage.py counts it against its parent). This part also runs in the helper process of big cold
scans (parallel.py).
"""

from __future__ import annotations

import contextlib
import gc

from codexbar_core.cost import reduce as rd
from codexbar_core.cost.aggregate import aggregate
from codexbar_core.cost.days import shared_day_keys
from codexbar_core.cost.parse import TAIL_BYTES, head_meta, parse_stream
from codexbar_core.cost.records import FileEntry
from codexbar_core.cost.store import SCANNER_VERSION, dumps
from codexbar_core.digests import sha1_hex

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.cost.aggregate import Agg
    from codexbar_core.cost.pricing import PriceTable

    Scanned = tuple[str, FileEntry | None, Agg | None]  # record JSON ("": unreadable), entry, totals

TAIL_CHECK = TAIL_BYTES  # bytes before the saved offset that must still be there for a resume


def _tail_hash(handle: Any, offset: int) -> str:
    start = max(0, offset - TAIL_CHECK)
    handle.seek(start)
    return sha1_hex(handle.read(offset - start))[:16]


def can_resume(prev: dict[str, Any] | None, sig: tuple[int, int, int]) -> bool:
    return (prev is not None and prev.get("kind") == "plain" and prev.get("state") is not None
            and isinstance(prev.get("agg"), dict)
            and prev["sig"][0] == sig[0] and sig[2] > prev["sig"][2] and prev.get("off", 0) <= sig[2])


def copy_agg(agg: Agg) -> Agg:
    return {day: {name: list(cell) for name, cell in models.items()} for day, models in agg.items()}


def scan_plain(path: str, sig: tuple[int, int, int], prev: dict[str, Any] | None,
               prices: PriceTable) -> Scanned:
    """(record JSON, home entry, its totals) for one file; the entry is None when the file needs
    its parent (a fork or subagent: lineage.py resolves it from the record). A resumed file's new
    rows are added, in order, to the totals saved with `prev`: the same sums as pricing every row."""
    try:
        record, rows = read_plain(path, sig, prev)
    except rd.NeedsHistory:  # a resumed reducer met a total older than the one it kept
        record, rows = read_plain(path, sig, None)
    if record["kind"] != "plain":
        return dumps(record), None, None
    resumed = record.pop("resumed")
    assert prev is not None or not resumed
    agg = aggregate(rows, prices, shared_day_keys(), copy_agg(prev["agg"]) if resumed else None)  # type: ignore[index]
    record["agg"] = agg
    return dumps(record), FileEntry(sig[0], sig[1], sig[2], record["sid"], "plain", record["bad"], True, None), agg


def plain_rows(path: str, rec: dict[str, Any]) -> list[list[Any]]:
    """The rows of a plain log's record, read again from the start of the log up to the record's offset
    (the record keeps no rows; a whole read gives what resumed reads gave)."""
    with open(path, "rb") as handle:
        parsed = parse_stream(handle, 0, full=False, size=rec.get("off", 0))
    reducer = rd.Reducer()
    rd.feed(reducer, parsed.events, leaf=rec.get("sid"))
    return reducer.rows


def read_plain(path: str, sig: tuple[int, int, int],
               prev: dict[str, Any] | None) -> tuple[dict[str, Any], list[list[Any]]]:
    """(record, rows read now): parse (or resume) an ordinary session file; a fork or subagent is only
    classified here. The record's "resumed" says whether the rows add to `prev`'s totals."""
    with open(path, "rb") as handle:
        resume = False
        if can_resume(prev, sig):
            assert prev is not None
            resume = _tail_hash(handle, prev["off"]) == prev.get("tail")
        if resume:
            assert prev is not None
            sid, meta_seen = prev.get("sid"), prev.get("meta")
            if not meta_seen:
                meta = head_meta(handle)
                if meta is not None:
                    if rd.file_kind(meta) != "plain":
                        return read_plain(path, sig, None)  # it turned out to be a fork: start over
                    sid, meta_seen = meta.session_id, True
            parsed = parse_stream(handle, prev["off"], full=False, size=sig[2])
            reducer = rd.Reducer(prev["state"])
            bad = prev.get("bad", 0) + parsed.bad_lines
        else:
            parsed = parse_stream(handle, 0, full=False, want_meta=True, size=sig[2])
            meta = parsed.meta
            kind = rd.file_kind(meta)
            sid, meta_seen = (meta.session_id if meta else None), meta is not None
            if kind != "plain":
                assert meta is not None
                return {"v": SCANNER_VERSION, "sig": list(sig), "kind": kind, "sid": sid, "bad": 0,
                        "off": 0, "tail": "", "state": None, "rows": [], "parent": meta.parent_id,
                        "fts": meta.fork_ts_ms}, []
            reducer = rd.Reducer()
            bad = parsed.bad_lines
        if parsed.tail is not None:
            tail = sha1_hex(parsed.tail)[:16]
        else:
            tail = _tail_hash(handle, parsed.offset)
    rd.feed(reducer, parsed.events, leaf=sid)
    return {"v": SCANNER_VERSION, "sig": list(sig), "kind": "plain", "sid": sid, "meta": meta_seen, "bad": bad,
            "off": parsed.offset, "tail": tail, "state": reducer.state(), "resumed": resume}, reducer.rows


@contextlib.contextmanager
def gc_paused() -> Any:
    """No cyclic garbage collection while parsing: a cold scan makes hundreds of thousands of
    small tuples and lists that all live until the file is done, and the collector kept walking
    them (about 8 % of a cold scan's time); parsing makes no reference cycles worth collecting."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def scan_batch(batch: list[tuple[str, tuple[int, int, int], dict[str, Any] | None]],
               prices: PriceTable) -> list[Scanned]:
    out = []
    for path, sig, prev in batch:
        try:
            out.append(scan_plain(path, sig, prev, prices))
        except OSError:
            out.append(("", None, None))  # vanished or unreadable between discovery and read
    return out

