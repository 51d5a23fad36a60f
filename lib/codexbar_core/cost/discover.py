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
import stat
import time
from collections import namedtuple

from codexbar_core.cost.index_memo import Walk
from codexbar_core.cost.thread_index import stamp

# `typing` costs ~4 ms to import and the quick path (cost/quick.py) runs this module on its own.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path



class LogFile(namedtuple("LogFile", "path dev ino mtime_ns size folder name")):
    """One log: full path, device, inode, mtime (ns), size, its folder and its name."""

    __slots__ = ()
    path: str
    dev: int
    ino: int
    mtime_ns: int
    size: int
    folder: str
    name: str

    @property
    def signature(self) -> tuple[int, int, int]:
        return (self.ino, self.mtime_ns, self.size)


def roots(codex_home: Path | str) -> list[str]:
    home = os.fspath(codex_home)  # plain strings: the quick path (cost/quick.py) does not import pathlib
    return [os.path.join(home, "sessions"), os.path.join(home, "archived_sessions")]


# A day is a plain (year, month, day) tuple here, not a `datetime.date`: the quick path (cost/quick.py)
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


# A folder's names are reused from an earlier listing only when the folder had been left alone for this
# long when that listing was made: a folder's mtime has coarse steps (a few ms on Linux), so a file
# created just after a listing could otherwise leave it unchanged.
SETTLED_NS = 2_000_000_000

Listing = dict  # folder -> (its mtime_ns, its names) as listed when settled (see SETTLED_NS)


class _Collector:
    def __init__(self, known: Listing | None = None, walk: Walk | None = None) -> None:
        self.files: list[LogFile] = []
        self.seen: set[tuple[int, int]] = set()
        self.known = known or {}
        self.listed: Listing = {}
        self.settled_before = time.time_ns() - SETTLED_NS
        self.walk = walk or Walk(0, None)  # what the thread-index memo needs (cost/index_memo.py)
        self.walk.logs = self.files

    def entries(self, folder: str) -> list[os.DirEntry[str]]:
        """`_entries(folder)`, its mtime noted first (a name added after the listing changes it)."""
        try:
            self.walk.dirs[folder] = os.stat(folder).st_mtime_ns
        except OSError:
            parent = os.path.dirname(folder)  # a missing root (no archived_sessions/ yet): its creation
            try:  # changes the folder above
                self.walk.dirs[parent] = os.stat(parent).st_mtime_ns
            except OSError:
                pass
            return []
        return _entries(folder)

    def add(self, folder: str, entry: os.DirEntry[str], min_mtime_ns: int | None = None, dir_fd: int = -1) -> None:
        """One log found by a folder scan; `dir_fd`: that folder, open (stat relative to it, not by path)."""
        try:
            st = os.stat(entry.name, dir_fd=dir_fd) if dir_fd >= 0 else entry.stat()
        except OSError:
            return
        if not stat.S_ISREG(st.st_mode):
            return  # a FIFO would block the read forever, a device (/dev/zero) never ends
        if min_mtime_ns is not None and st.st_mtime_ns < min_mtime_ns:
            self.walk.skipped.append(LogFile(entry.path, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size, folder,
                                             entry.name))
            return
        key = (st.st_dev, st.st_ino)
        if key in self.seen:
            return
        self.seen.add(key)
        self.files.append(LogFile(entry.path, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size, folder, entry.name))

    def add_folder(self, folder: str) -> None:
        """Every log directly in a date folder of the window (the hot path: thousands of files).

        Names are stat'ed relative to an open folder (fstatat): no path walk per file, about 30 %
        cheaper than `DirEntry.stat()` on 10,000 logs, which is most of an unchanged rescan. A
        folder whose mtime is what it was at a settled earlier listing (`known`) is not listed
        again: adding, removing or renaming a name changes it (~4 ms of that rescan)."""
        if not _STAT_AT:
            self._add_folder_by_path(folder)
            return
        fd = _open_folder(folder)
        if fd < 0:
            return
        try:
            try:
                mtime_ns = os.fstat(fd).st_mtime_ns
                self.walk.dirs[folder] = mtime_ns
                known = self.known.get(folder)
                names = known[1] if known is not None and known[0] == mtime_ns else os.listdir(fd)
            except OSError:
                return
            if mtime_ns < self.settled_before:
                self.listed[folder] = (mtime_ns, names)
            seen, append = self.seen, self.files.append
            seen_add = seen.add
            prefix = folder + os.sep
            stat_at = os.stat
            make = tuple.__new__  # LogFile(...) without its Python-level __new__: 10,000 times per run
            for name in names:
                if name[-6:] != ".jsonl" or name[0] == ".":
                    continue
                try:
                    st = stat_at(name, dir_fd=fd)
                except OSError:
                    continue
                if st.st_mode & 0o170000 != stat.S_IFREG:
                    continue  # not a regular file (FIFO, device)
                key = (st.st_dev, st.st_ino)
                if key not in seen:
                    seen_add(key)
                    append(make(LogFile, (prefix + name, key[0], key[1], st.st_mtime_ns, st.st_size, folder, name)))
        finally:
            os.close(fd)

    def _add_folder_by_path(self, folder: str) -> None:
        seen, files = self.seen, self.files
        for entry in self.entries(folder):
            name = entry.name
            if not name.endswith(".jsonl") or name[0] == ".":
                continue
            try:
                st = entry.stat()
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            key = (st.st_dev, st.st_ino)
            if key not in seen:
                seen.add(key)
                files.append(LogFile(entry.path, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size, folder, name))


_STAT_AT = os.stat in os.supports_dir_fd and os.listdir in os.supports_fd


def _jsonl(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    return name.endswith(".jsonl") and not name.startswith(".")


def _entries(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError:
        return []


def _walk_files(folder: str, out: _Collector, min_mtime_ns: int,
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
    for entry in _entries(folder):
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                _walk_files(entry.path, out, min_mtime_ns, visited)
            elif _jsonl(entry) and entry.is_file():
                out.add(folder, entry, min_mtime_ns)
        except OSError:
            continue


# Listings made by the quick path (cost/quick.py) that turned out to have changed: the full path in the
# same process takes them instead of walking 10,000 logs a second time.
remembered: dict[tuple[str, str, str], list[LogFile]] = {}
# The settled folder listings of the last discovery per window (the quick path's snapshot keeps them).
listings: dict[tuple[str, str, str], Listing] = {}
# What the last discovery per window saw, for the thread-index memo the quick path's snapshot keeps.
walks: dict[tuple[str, str, str], Walk] = {}


def window_key(codex_home: Path | str, since: dt.date | str, until: dt.date | str) -> tuple[str, str, str]:
    """(home, since, until) as text: the quick path passes ISO dates, the full path `date`s."""
    return (os.fspath(codex_home), str(since), str(until))


def discover_once(codex_home: Path | str, since: dt.date, until: dt.date) -> list[LogFile]:
    """`discover`, or the listing the quick path made moments ago in this process (taken once)."""
    found = remembered.pop(window_key(codex_home, since, until), None)
    return found if found is not None else discover(codex_home, since, until)


def discover(codex_home: Path | str, since: dt.date | str, until: dt.date | str,
             known: Listing | None = None) -> list[LogFile]:
    """The logs of a window; `known`: folder listings from an earlier run, reused where still valid."""
    first = _as_day(since)
    lo, hi = _day_before(first), _day_after(_as_day(until))
    window_start_ns = int(time.mktime((*first, 0, 0, 0, 0, 0, -1))) * 1_000_000_000
    walk = Walk(time.time_ns(), stamp(codex_home))  # the index's stamp before any listing
    out = _Collector(known, walk)
    listings[window_key(codex_home, since, until)] = out.listed
    walks[window_key(codex_home, since, until)] = walk
    for root in roots(codex_home):
        root_fd = _open_folder(root)  # archived_sessions/ holds its logs flat: stat them relative to it
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
                    if _jsonl(entry):
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
    return out.files


def _open_folder(folder: str) -> int:
    """An fd of `folder` for stat calls relative to it, or -1 (missing, or no fstatat here)."""
    if not _STAT_AT:
        return -1
    try:
        return os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return -1


def _year(path: str, year: str, lo: Day, hi: Day, out: _Collector, min_mtime_ns: int) -> None:
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
                    if _jsonl(day):
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
    out = _Collector()
    for root in roots(codex_home):
        _walk_files(str(root), out, 0)
    return out.files


def signature_digest(logs: list[LogFile], extra: list[str]) -> str:
    """What a report stands for: every log's (path, inode, mtime, size), plus the fork parents
    outside the window it read (`extra`). In discovery order: a reordered listing only costs one
    needless recount. Made of the per-folder digests (`folder_digests`), which the scanner reuses."""
    global _last_digest
    if _last_digest is not None and _last_digest[0] is logs and _last_digest[1] == extra:
        return _last_digest[2]  # the quick path's listing, handed to the full path: same answer
    parts = "\0".join(f"{folder}\0{digest}" for folder, digest in folder_digests(logs).items())
    digest = _hash_signatures([parts], [], extra)
    _last_digest = (logs, list(extra), digest)
    return digest


def folder_digests(logs: list[LogFile]) -> dict[str, str]:
    """folder -> the digest of its logs' (name, inode, mtime, size), in discovery order (names, not
    paths: the folder is the key). The scanner compares them with the ones it saved: a folder whose
    digest holds needs none of its records."""
    global _last_folder_digests
    if _last_folder_digests is not None and _last_folder_digests[0] is logs:
        return _last_folder_digests[1]
    from operator import itemgetter

    numbers_of = itemgetter(2, 3, 4)
    digests = {folder: _hash_signatures([log[6] for log in run], list(map(numbers_of, run)), [])
               for folder, run in folder_runs(logs).items()}
    _last_folder_digests = (logs, digests)
    return digests


def folder_runs(logs: list[LogFile]) -> dict[str, list[LogFile]]:
    """folder -> its logs, in discovery order (folders in the order they first appear)."""
    global _last_folder_runs
    if _last_folder_runs is not None and _last_folder_runs[0] is logs:
        return _last_folder_runs[1]
    from itertools import groupby
    from operator import itemgetter

    runs: dict[str, list[LogFile]] = {}
    for folder, run in groupby(logs, itemgetter(5)):  # discovery adds a folder's logs one after another
        found = runs.get(folder)
        if found is None:
            runs[folder] = list(run)
        else:
            found.extend(run)  # loose files beside date folders can come in more than one run
    _last_folder_runs = (logs, runs)
    return runs


def _hash_signatures(paths: list[str], numbers: list[tuple[int, int, int]], extra: list[str]) -> str:
    """The digest of the paths and their (inode, mtime, size). The numbers go in as 64-bit binary, not
    as text: formatting 30,000 integers was most of the digest's time on an unchanged rescan. blake2b
    comes from its own small module: `hashlib` loads OpenSSL (~2.5 ms of that rescan's ~50 ms)."""
    from array import array
    from itertools import chain

    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - an interpreter built without it
        from hashlib import blake2b
    hasher = blake2b(digest_size=20)
    hasher.update("\0".join(paths).encode("utf-8", "surrogateescape"))  # no path holds a NUL
    hasher.update(b"\0\0")
    try:
        hasher.update(array("q", chain.from_iterable(numbers)).tobytes())
    except OverflowError:  # an inode beyond 2**63 (some network file systems): as text instead
        hasher.update(repr(numbers).encode())
    for path in extra:
        try:
            st = os.stat(path)
            hasher.update(f"\0{path}\0{st.st_ino}\0{st.st_mtime_ns}\0{st.st_size}".encode("utf-8", "surrogateescape"))
        except OSError:
            hasher.update(f"\0{path}\0gone".encode("utf-8", "surrogateescape"))
    return hasher.hexdigest()


_last_digest: tuple[list[LogFile], list[str], str] | None = None
_last_folder_digests: tuple[list[LogFile], dict[str, str]] | None = None
_last_folder_runs: tuple[list[LogFile], dict[str, list[LogFile]]] | None = None
