"""Find the session logs a cost window needs (docs/reference/cost-rules.md, "Finding the files").

- `sessions/YYYY/MM/DD/*.jsonl` for the days of the window ± 1 day (folders are named in the local
  time of the Codex process, events are UTC, hence the margin);
- flat `*.jsonl` directly in `sessions/` or `archived_sessions/`: only when the date in the name is
  in that range, always when the name has no date;
- any other `.jsonl` in a date folder outside that range, when modified since the window started (a
  resumed session appends to its file in an old date folder);
- every `.jsonl` in nested folders that are not date folders (`sessions/<project>/<subdir>/`, legacy).

One physical file (device, inode) is returned once. Hidden files are skipped.
"""

from __future__ import annotations

import os
import time

from codexbar_core.cost.folder_listing import (
    Collector,
    Listing,
    LogFile,
    Walk,
    folder_entries,
    is_log_entry,
    open_folder,
    roots,
)
from codexbar_core.cost.thread_index import stamp

# `typing` costs ~4 ms to import and the quick path (cost/warm_report.py) runs this module on its own.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path


# A day is a plain (year, month, day) tuple here, not a `datetime.date`: the quick path (cost/warm_report.py)
# runs this module on its own and `datetime` is ~1.4 ms of its imports.
Day = tuple

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_days(year: int, month: int) -> int:
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return _MONTH_DAYS[month - 1] + leap


def _day(year: int, month: int, day: int) -> Day | None:
    """(year, month, day) when it is a real date (one `datetime.date` accepts), else None."""
    if 1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= _month_days(year, month):
        return (year, month, day)
    return None


def _as_day(value: dt.date | str) -> Day:
    """A window bound: a date, or its ISO text (how the quick path keeps it)."""
    if isinstance(value, str):
        return (int(value[:4]), int(value[5:7]), int(value[8:10]))
    return (value.year, value.month, value.day)


def _day_before(day: Day) -> Day:
    year, month, mday = day
    if mday > 1:
        return (year, month, mday - 1)
    if month > 1:
        return (year, month - 1, _month_days(year, month - 1))
    return (year - 1, 12, 31)


def _day_after(day: Day) -> Day:
    year, month, mday = day
    if mday < _month_days(year, month):
        return (year, month, mday + 1)
    if month < 12:
        return (year, month + 1, 1)
    return (year + 1, 1, 1)


def _date_in_name(name: str) -> Day | None:
    """The first `YYYY-MM-DD` in a file name (what the regex `\\d{4}-\\d{2}-\\d{2}` finds first), as a day.
    Not `re`: with the `enum` it pulls in, ~3.5 ms of the quick path's ~50 ms."""
    dash = name.find("-", 4)
    while dash != -1:
        year, month, day = name[dash - 4:dash], name[dash + 1:dash + 3], name[dash + 4:dash + 6]
        # isdecimal: exactly what `\d` matches and what int() reads (isdigit also takes "²")
        if (name[dash + 3:dash + 4] == "-" and len(day) == 2 and year.isdecimal() and month.isdecimal()
                and day.isdecimal()):
            return _day(int(year), int(month), int(day))
        dash = name.find("-", dash + 1)
    return None


def _partition_date(parts: tuple[str, str, str]) -> Day | None:
    year, month, day = parts
    if len(year) != 4 or len(month) != 2 or len(day) != 2 or not (year.isdecimal() and month.isdecimal()
                                                                   and day.isdecimal()):
        return None
    return _day(int(year), int(month), int(day))



def _walk_files(folder: str, out: Collector, min_mtime_ns: int,
                visited: set[tuple[int, int]] | None = None) -> None:
    # Each folder once (by device and inode): symlink loops would otherwise make the walk exponential.
    visited = set() if visited is None else visited
    try:
        st = os.stat(folder)
    except OSError:
        return
    if (st.st_dev, st.st_ino) in visited:
        return
    visited.add((st.st_dev, st.st_ino))
    out.walk.dirs[folder] = st.st_mtime_ns
    for entry in folder_entries(folder):
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                _walk_files(entry.path, out, min_mtime_ns, visited)
            elif is_log_entry(entry) and entry.is_file():
                out.add(folder, entry, min_mtime_ns)
        except OSError:
            continue


def discover(codex_home: Path | str, since: dt.date | str, until: dt.date | str,
             known: Listing | None = None) -> Walk:
    """The walk of a window (its logs in `.logs`); `known`: folder listings from an earlier run,
    reused where still valid."""
    first = _as_day(since)
    lo, hi = _day_before(first), _day_after(_as_day(until))
    window_start_ns = int(time.mktime((*first, 0, 0, 0, 0, 0, -1))) * 1_000_000_000
    walk = Walk(time.time_ns(), stamp(codex_home))  # the index's stamp before any listing
    out = Collector(known, walk)
    for root in roots(codex_home):
        root_fd = open_folder(root)  # archived_sessions/ holds its logs flat: stat them relative to it
        try:
            for entry in out.entries(root):
                name = entry.name
                if name.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    continue
                if not is_dir:
                    if is_log_entry(entry):
                        when = _date_in_name(name)
                        in_window = when is None or lo <= when <= hi
                        # an older name still counts when the file was written to recently (resumed)
                        out.add(root, entry, None if in_window else window_start_ns, root_fd)
                    continue
                if len(name) == 4 and name.isdigit():
                    _year(entry.path, name, lo, hi, out, window_start_ns)
                else:
                    # Legacy nested folders (sessions/<project>/<subdir>/…): every log, however old its
                    # mtime, as CodexBar's forced rescan does; always, so --refresh never changes the
                    # answer (docs/decisions/cost-conformance.md). Their signatures keep later runs cheap.
                    _walk_files(entry.path, out, 0)
        finally:
            if root_fd >= 0:
                os.close(root_fd)
    return walk



def _year(path: str, year: str, lo: Day, hi: Day, out: Collector, min_mtime_ns: int) -> None:
    for month in out.entries(path):
        if month.name.startswith("."):
            continue
        try:
            if not month.is_dir():
                continue
        except OSError:
            continue
        for day in out.entries(month.path):
            if day.name.startswith("."):
                continue
            try:
                if not day.is_dir():
                    if is_log_entry(day):
                        out.add(month.path, day, min_mtime_ns)
                    continue
            except OSError:
                continue
            when = _partition_date((year, month.name, day.name))
            in_window = when is not None and lo <= when <= hi
            if in_window:
                out.add_folder(day.path)
            else:
                _walk_files(day.path, out, min_mtime_ns)  # resumed sessions in older folders


def all_logs(codex_home: Path | str) -> list[LogFile]:
    """Every log under the roots (used only to find a fork's parent outside the window)."""
    out = Collector()
    for root in roots(codex_home):
        _walk_files(str(root), out, 0)
    return out.files

