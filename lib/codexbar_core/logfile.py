"""The log of internal errors (`codexbar.log` in the cache folder): where a bug's traceback goes.

The menu shows only a short "internal error" line (yt-dlp's expected-vs-bug split); the details
land here so a user can attach them to a report. Tracebacks name code, not data: our error
messages never carry tokens or cookies.
"""

from __future__ import annotations

import datetime as dt
import os
import traceback

from codexbar_core import paths

MAX_BYTES = 512 * 1024  # keep the log small: it is rotated once past this size


def log_exception(env: dict[str, str] | None = None, context: str = "") -> None:
    """Append the current exception's traceback; never raises."""
    try:
        path = paths.cache_dir(env) / "codexbar.log"
        try:
            if path.stat().st_size > MAX_BYTES:
                os.replace(path, path.with_suffix(".log.1"))
        except OSError:
            pass
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now().isoformat()} {context}\n{traceback.format_exc()}\n")
    except Exception:
        pass
