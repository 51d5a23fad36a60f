"""Listing folders of session logs: the `LogFile` record, one folder's logs stat'ed relative to the
open folder, and what a discovery saw (`Walk`, for the thread-index memo).

discover.py decides which folders a window needs and walks them with `Collector`; a refresh that the
thread index shows touched only a few date folders lists just those (`list_day_folders`,
docs/design/thread-index.md, "Changed homes"), without importing discover.py.

Only the standard library's cheapest modules (the quick path, cost/warm_report.py, uses this module).
"""

from __future__ import annotations

import os
import stat
import time
from collections import namedtuple

TYPE_CHECKING = False  # `typing` costs ~4 ms on the quick path
if TYPE_CHECKING:
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
    home = os.fspath(codex_home)  # plain strings: the quick path (cost/warm_report.py) does not import pathlib
    return [os.path.join(home, "sessions"), os.path.join(home, "archived_sessions")]


# A folder's names are reused from an earlier listing only when the folder had been left alone for this
# long when that listing was made: a folder's mtime has coarse steps (a few ms on Linux), so a file
# created just after a listing could otherwise leave it unchanged.
SETTLED_NS = 2_000_000_000

Listing = dict  # folder -> (its mtime_ns, its names) as listed when settled (see SETTLED_NS)


class Walk:
    """What one discovery saw: when it started, the thread index's stamp then, every folder it listed
    with its mtime taken before the listing, the logs it returned and those it passed over as too old,
    the in-window date folders it listed whole (`days`: the folders a later refresh may relist on
    their own), and the settled listings it made (`listed`, reused by the next discovery)."""

    __slots__ = ("started_ns", "stamp", "dirs", "logs", "skipped", "days", "listed")

    def __init__(self, started_ns: int, stamp: tuple | None) -> None:
        self.started_ns = started_ns
        self.stamp = stamp
        self.dirs: dict[str, int] = {}
        self.logs: list[LogFile] = []
        self.skipped: list[LogFile] = []
        self.days: list[str] = []
        self.listed: Listing = {}


class Collector:
    def __init__(self, known: Listing | None = None, walk: Walk | None = None) -> None:
        self.files: list[LogFile] = []
        self.seen: set[tuple[int, int]] = set()
        self.known = known or {}
        self.settled_before = time.time_ns() - SETTLED_NS
        self.walk = walk or Walk(0, None)  # what the thread-index memo needs (cost/index_memo.py)
        self.walk.logs = self.files
        self.listed = self.walk.listed

    def entries(self, folder: str) -> list[os.DirEntry[str]]:
        """`folder_entries(folder)`, its mtime noted first (a name added after the listing changes it)."""
        try:
            self.walk.dirs[folder] = os.stat(folder).st_mtime_ns
        except OSError:
            parent = os.path.dirname(folder)  # a missing root (no archived_sessions/ yet): its creation
            try:  # changes the folder above
                self.walk.dirs[parent] = os.stat(parent).st_mtime_ns
            except OSError:
                pass
            return []
        return folder_entries(folder)

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
        fd = open_folder(folder)
        if fd < 0:
            return
        try:
            try:
                mtime_ns = os.fstat(fd).st_mtime_ns
                self.walk.dirs[folder] = mtime_ns
                self.walk.days.append(folder)
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


def is_log_entry(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    return name.endswith(".jsonl") and not name.startswith(".")


def folder_entries(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError:
        return []


def open_folder(folder: str) -> int:
    """An fd of `folder` for stat calls relative to it, or -1 (missing, or no fstatat here)."""
    if not _STAT_AT:
        return -1
    try:
        return os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return -1


def grown_folder(folder: str, grown: set[str], saved: dict[str, list[int]]) -> tuple[int, list[LogFile]] | None:
    """(the folder's mtime, its logs) for a date folder whose only change is that Codex wrote to the
    rollouts `grown` (index_memo.Delta.grown): names listed as `add_folder` lists them, but only those
    rollouts stat'ed; every other log keeps the (inode, mtime, size) of `saved` (its entries as last
    saved, which the memo's digest of the folder vouched for), the trust the unchanged folders already
    get (docs/design/thread-index.md, "Grown folders"). None when the names are not exactly the
    saved ones, or a grown rollout is not a regular file here: then the folder is listed whole."""
    fd = open_folder(folder)
    if fd < 0:
        return None
    try:
        st = os.fstat(fd)
        mtime_ns, dev = st.st_mtime_ns, st.st_dev
        names = [name for name in os.listdir(fd) if name[-6:] == ".jsonl" and name[0] != "."]
        if len(names) != len(saved):
            return None
        prefix = folder + os.sep
        make = tuple.__new__
        logs = []
        for name in names:
            path = prefix + name
            if name not in saved:
                return None
            if path in grown:
                st = os.stat(name, dir_fd=fd)
                if st.st_mode & 0o170000 != stat.S_IFREG:
                    return None
                logs.append(make(LogFile, (path, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size, folder, name)))
                continue
            entry = saved[name]
            logs.append(make(LogFile, (path, dev, entry[0], entry[1], entry[2], folder, name)))
        if len(grown) != sum(1 for log in logs if log.path in grown):
            return None  # a row names a rollout that is not in the folder (moved meanwhile)
    except (OSError, TypeError, IndexError):
        return None
    finally:
        os.close(fd)
    return mtime_ns, logs


def list_day_folders(folders: list[str], walk: Walk) -> list[LogFile]:
    """The logs of these in-window date folders, listed and stat'ed exactly as a full discovery lists
    them (`Collector.add_folder`), each folder's mtime noted in `walk` first."""
    out = Collector(None, walk)
    for folder in folders:
        out.add_folder(folder)
    return out.files
