"""A stamp of codexbar's own code: (path, mtime, size) of every module and data file of the package.

Warm snapshots (cost/warm_report.py's cost-quick.bin) hold output that the code shaped; they are keyed by
this stamp, so any upgrade or edit of any module invalidates them, with no hand-kept list of the
files that matter (docs/design/cost-engine.md). It costs one scandir per package folder and one
stat per file (~90 files, well under a millisecond); only `os` is imported.
"""

from __future__ import annotations

import os

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SUFFIXES = (".py", ".json")
_stamps: dict[str, str] = {}  # per process: the code does not change under a running command


def code_stamp(root: str = PACKAGE_DIR) -> str:
    """One line per code file under `root`: relative path, mtime_ns, size; sorted."""
    found = _stamps.get(root)
    if found is None:
        lines: list[str] = []
        _walk(root, "", lines)
        lines.sort()
        found = _stamps[root] = "\n".join(lines)
    return found


def _walk(folder: str, prefix: str, lines: list[str]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                if name != "__pycache__" and not name.startswith("."):
                    _walk(entry.path, prefix + name + "/", lines)
            elif name.endswith(_SUFFIXES):
                st = entry.stat()
                lines.append(f"{prefix}{name}:{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            continue
