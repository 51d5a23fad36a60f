"""What a set of logs stands for: one digest per folder, and the report's digest made of them.

A folder's digest covers its logs' (name, inode, mtime, size) in listing order; the report's digest
covers every folder's digest, folders in name order, plus the fork parents outside the window (and
Codex's log database) it read. Because it is made of per-folder digests, a refresh that relisted only
the folders that changed (docs/design/thread-index.md, "Changed homes") computes the same digest as
a walk of every folder, from the saved digests of the others.

Only the standard library's cheapest modules: the quick path (cost/warm_report.py) uses this module.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # `typing` costs ~4 ms on the quick path
if TYPE_CHECKING:
    from codexbar_core.cost.folder_listing import LogFile


def report_digest(digests: dict[str, str], extra: list[str]) -> str:
    """The digest of a report's inputs: every folder's digest (`folder_digests`) in folder-name order,
    so a relisted folder yields the same digest as a full walk, plus `extra` paths stat'ed now."""
    parts = "\0".join(f"{folder}\0{digests[folder]}" for folder in sorted(digests))
    return _hash_signatures([parts], [], extra)


def folder_digests(logs: list[LogFile], runs: dict[str, list[LogFile]] | None = None) -> dict[str, str]:
    """folder -> the digest of its logs' (name, inode, mtime, size), in discovery order (names, not
    paths: the folder is the key). The scanner compares them with the ones it saved: a folder whose
    digest holds needs none of its records."""
    from operator import itemgetter

    numbers_of = itemgetter(2, 3, 4)
    runs = folder_runs(logs) if runs is None else runs
    return {folder: _hash_signatures([log[6] for log in run], list(map(numbers_of, run)), [])
            for folder, run in runs.items()}


def text_digest(parts: list[str]) -> str:
    """The digest of some strings in order (none may hold a NUL): e.g. a folder's names and ids."""
    return _hash_signatures(parts, [], [])


def folder_runs(logs: list[LogFile]) -> dict[str, list[LogFile]]:
    """folder -> its logs, in discovery order (folders in the order they first appear)."""
    from itertools import groupby
    from operator import itemgetter

    runs: dict[str, list[LogFile]] = {}
    for folder, run in groupby(logs, itemgetter(5)):  # discovery adds a folder's logs one after another
        found = runs.get(folder)
        if found is None:
            runs[folder] = list(run)
        else:
            found.extend(run)  # loose files beside date folders can come in more than one run
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
