"""Decide that no log of a home changed without a stat of every log (docs/design/thread-index.md).

After a discovery, `make_memo` records what it would take to notice a change: the thread index's
stamp (Codex writes its database on every append to a rollout it keeps), the mtime of every folder
discovery listed (a log added, removed or renamed changes one), and the logs the index does not
cover (no row, or a row older than the file: written by something else), which are stat'ed every
time. `unchanged` checks exactly those, so its cost depends on the number of folders and uncovered
logs, not on the size of the history.

Trusted only when everything recorded had been left alone for `discover.SETTLED_NS` before the
discovery started (an mtime has coarse steps), and only for `VERIFY_EVERY_S`: then a full walk runs
again, so a change the index misses (a log edited by hand) is not missed for long.

Kept marshal-able (plain dicts and lists): it lives in the quick path's snapshot (cost/warm_report.py).
"""

from __future__ import annotations

import os
import time

from codexbar_core.cost import thread_index

TYPE_CHECKING = False  # `typing` costs ~4 ms on the quick path
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.cost.folder_listing import Walk

# How often an unchanged home is walked in full anyway (a menu refreshing every 5 minutes: 1 run in 6).
VERIFY_EVERY_S = 1800
# How far a rollout's mtime may be ahead of its row and still count as covered: Codex sets
# updated_at_ms 0-6 ms after the append it records, never before (measured, docs/design/thread-index.md).
SLACK_MS = 50


# The size noted for a watched file that did not exist when the memo was made.
ABSENT = -1


def make_memo(codex_home: str, walk: Walk | None, extra: list[str], digests: dict[str, str],
              now: float | None = None) -> dict[str, Any] | None:
    """The memo for the discovery `walk` of `codex_home`, or None when the index cannot vouch for it.
    `extra`: the fork parents outside the window the report also read (watched like uncovered logs);
    `digests`: the walk's per-folder digests (log_digests.folder_digests), which a refresh that relists
    only changed folders takes for the others (`changes`)."""
    from codexbar_core.cost.folder_listing import SETTLED_NS, roots

    if walk is None or walk.stamp is None:
        return None
    settled_before = walk.started_ns - SETTLED_NS
    if thread_index.newest_ns(walk.stamp) >= settled_before:
        return None  # Codex wrote moments before: a later write could share the mtime
    if any(mtime_ns >= settled_before for mtime_ns in walk.dirs.values()):
        return None
    logs = walk.logs + walk.skipped  # a skipped old log not in the index may yet be written to
    updated: dict[str, int | None] = dict.fromkeys(log.path for log in logs)
    read = thread_index.fill_updated(codex_home, roots(codex_home), updated)
    if not read.usable or thread_index.stamp(codex_home) != walk.stamp:
        return None  # absent, locked, unknown, inconsistent, or written meanwhile: walk next time
    uncovered = []
    for log in logs:
        row_ms = updated[log.path]
        if row_ms is None or log.mtime_ns // 1_000_000 > row_ms + SLACK_MS:
            uncovered.append([log.path, log.ino, log.mtime_ns, log.size])
    for path in extra:  # fork parents outside the window, and Codex's log database (Fast-tier turns)
        try:
            st = os.stat(path)
        except OSError:
            uncovered.append([path, 0, 0, ABSENT])  # counted as gone: its coming back is a change
            continue
        uncovered.append([path, st.st_ino, st.st_mtime_ns, st.st_size])
    return {"stamp": list(walk.stamp), "dirs": dict(walk.dirs), "uncovered": uncovered,
            "made": time.time() if now is None else now, "started": walk.started_ns,
            "digests": dict(digests), "days": list(walk.days)}


def unchanged(codex_home: str, memo: Any, now: float | None = None) -> bool:
    """True when `memo` (from `make_memo`) shows that no log of the home changed since it was made."""
    try:
        age = (time.time() if now is None else now) - memo["made"]
        if not 0 <= age < VERIFY_EVERY_S:
            return False
        found = thread_index.stamp(codex_home)
        if found is None or list(found) != memo["stamp"]:
            return False
        stat = os.stat
        for folder, mtime_ns in memo["dirs"].items():
            if stat(folder).st_mtime_ns != mtime_ns:
                return False
        for path, ino, mtime_ns, size in memo["uncovered"]:
            try:
                st = stat(path)
            except OSError:
                if size == ABSENT:
                    continue  # still gone, as when the memo was made
                raise
            if st.st_ino != ino or st.st_mtime_ns != mtime_ns or st.st_size != size:
                return False
    except (OSError, KeyError, TypeError, ValueError, AttributeError):
        return False
    return True


class Delta:
    """What changed since a memo was made, when the index can say so: the in-window date folders to
    list again (`changed`), and every other folder of logs with its digest as the memo's walk saw it
    (`kept`: nothing in it changed). `started_ns`: when that walk began."""

    __slots__ = ("changed", "kept", "started_ns", "checked_ns", "stamp", "grown")

    def __init__(self, changed: list[str], kept: dict[str, str], started_ns: int, checked_ns: int = 0,
                 stamp: tuple | None = None) -> None:
        self.changed = changed
        self.kept = kept
        self.started_ns = started_ns
        self.checked_ns = checked_ns  # when this check began
        self.stamp = stamp  # the index's stamp then, before its rows were read
        # Changed folders whose only change is index rows (mtime as the memo saw it: no log added,
        # removed or renamed; no uncovered log in it changed), with the rollouts those rows name.
        self.grown: dict[str, set[str]] = {}


def changes(codex_home: str, memo: Any, ignore: list[str], now: float | None = None) -> Delta | None:
    """The folders that changed since `memo`, or None when only a full walk can tell.

    Changed: the folders of the index rows written since the memo (`updated_at_ms` no older than the
    database's mtime the memo recorded, less a second and SLACK_MS, found by Codex's own index), every folder whose mtime moved (a log
    added, removed or renamed: an archive move lowers `updated_at_ms`, but moves names), and the
    folders of uncovered logs that changed. Only in-window date folders can be listed on their own;
    a change anywhere else (a new date folder, the archive, an old folder a resumed session writes to,
    a nested legacy folder), an index that is not `ok` or not consistent, or a memo older than
    VERIFY_EVERY_S means None. `ignore`: watched paths the caller checks itself (Codex's log database,
    whose changes the scanner reprices)."""
    from codexbar_core.cost.folder_listing import roots

    checked_ns = time.time_ns()
    try:
        age = (time.time() if now is None else now) - memo["made"]
        if not 0 <= age < VERIFY_EVERY_S:
            return None
        days = set(memo["days"])
        digests = memo["digests"]
        started_ns = int(memo["started"])
        changed: set[str] = set()
        rows: dict[str, set[str]] = {}  # folder -> the rollouts index rows written since name in it
        moved: set[str] = set()  # folders changed otherwise: their mtime, or an uncovered log in them
        found = thread_index.stamp(codex_home)
        if found is None:
            return None
        if list(found) != memo["stamp"]:
            # A row written since has a value no older than that write, less up to 999 ms for a row
            # written with `updated_at` in seconds only (the trigger), and the write came after the
            # database's mtime the memo recorded.
            since_ms = thread_index.newest_ns(tuple(memo["stamp"])) // 1_000_000 - 1000 - SLACK_MS
            read = thread_index.read_rows(codex_home, since_ms=since_ms)
            read = thread_index.check_rows(read, roots(codex_home))
            if not read.usable:
                return None
            for row in read.rows:
                folder = os.path.dirname(row.rollout_path)
                changed.add(folder)
                rows.setdefault(folder, set()).add(row.rollout_path)
        stat = os.stat
        missing_roots = [root for root in roots(codex_home) if root not in memo["dirs"]]
        for folder, mtime_ns in memo["dirs"].items():
            if stat(folder).st_mtime_ns != mtime_ns:
                if folder == codex_home and missing_roots:
                    # watched for a missing root only (Codex writes its databases beside it): still missing?
                    if any(os.path.lexists(root) for root in missing_roots):
                        return None
                    continue
                changed.add(folder)
                moved.add(folder)
        for path, ino, mtime_ns, size in memo["uncovered"]:
            if path in ignore:
                continue
            try:
                st = stat(path)
            except OSError:
                if size != ABSENT:
                    changed.add(os.path.dirname(path))
                    moved.add(os.path.dirname(path))
                continue
            if st.st_ino != ino or st.st_mtime_ns != mtime_ns or st.st_size != size:
                changed.add(os.path.dirname(path))
                moved.add(os.path.dirname(path))
        if not changed.issubset(days):
            return None
        kept = {folder: digest for folder, digest in digests.items() if folder not in changed}
        if not all(isinstance(digest, str) for digest in kept.values()):
            return None
        delta = Delta(sorted(changed), kept, started_ns, checked_ns, found)
        delta.grown = {folder: paths for folder, paths in rows.items() if folder not in moved}
    except (OSError, KeyError, TypeError, ValueError, AttributeError):
        return None
    return delta


def renewed(codex_home: str, memo: dict[str, Any], delta: Delta, walk: Walk, extra: list[str]) -> dict[str, Any] | None:
    """The memo after a refresh that relisted `delta.changed` (`walk`): the old one with the new
    stamp, the relisted folders' mtimes, digests and uncovered logs; None when that cannot be proven
    (the stamp or a relisted folder not settled, the index unreadable or written meanwhile). Its
    `made` stays the old one: a full walk still comes every VERIFY_EVERY_S."""
    from codexbar_core.cost.folder_listing import SETTLED_NS
    from codexbar_core.cost.log_digests import folder_digests

    settled_before = delta.checked_ns - SETTLED_NS
    if delta.stamp is None or thread_index.newest_ns(delta.stamp) >= settled_before:
        return None
    if any(mtime_ns >= settled_before for mtime_ns in walk.dirs.values()):
        return None
    listed = set(delta.changed)
    ids = {}
    for log in walk.logs:  # Codex names a rollout after its thread id: rollout-<time>-<id>.jsonl
        ids[log.path] = log.name[-42:-6] if len(log.name) > 42 else ""
    rows = thread_index.rows_by_id(codex_home, [i for i in ids.values() if i])
    if rows is None or thread_index.stamp(codex_home) != delta.stamp:
        return None
    uncovered = [entry for entry in memo["uncovered"]
                 if os.path.dirname(entry[0]) not in listed and entry[0] not in extra]
    for log in walk.logs:
        row = rows.get(ids[log.path])
        if row is None or row[0] != log.path or log.mtime_ns // 1_000_000 > row[1] + SLACK_MS:
            uncovered.append([log.path, log.ino, log.mtime_ns, log.size])
    for path in extra:
        try:
            st = os.stat(path)
        except OSError:
            uncovered.append([path, 0, 0, ABSENT])
            continue
        uncovered.append([path, st.st_ino, st.st_mtime_ns, st.st_size])
    digests = {folder: digest for folder, digest in memo["digests"].items() if folder not in listed}
    digests.update(folder_digests(walk.logs))
    dirs = dict(memo["dirs"])
    dirs.update(walk.dirs)
    return dict(memo, stamp=list(delta.stamp), dirs=dirs, uncovered=uncovered, digests=digests,
                started=delta.checked_ns)
