"""The cache and settings folders as plain strings, and an owner-only file write, for the warm paths
(warm_menu.py, cost/warm_report.py, the status line).

The same rules as paths.cache_dir() / paths.config_dir(), without creating anything and with
nothing imported but `os` (and platformdirs only when no environment variable names the folder).
"""

from __future__ import annotations

import os

CACHE_VARS = ("CODEXBAR_CACHE_DIR", "SWIFTBAR_PLUGIN_CACHE_PATH")
CONFIG_VARS = ("CODEXBAR_CONFIG_DIR", "SWIFTBAR_PLUGIN_DATA_PATH")


def named_folder(env: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = (env.get(name) or "").strip()
        if value:
            return os.path.expanduser(value)
    return None


def cache_dir(env: dict[str, str]) -> str:
    found = named_folder(env, CACHE_VARS)
    if found is None:
        import platformdirs  # small, and the rule paths.cache_dir() uses

        found = platformdirs.user_cache_dir("codexbar", appauthor=False)
    return found


def config_dir(env: dict[str, str]) -> str:
    found = named_folder(env, CONFIG_VARS)
    if found is None:
        import platformdirs

        found = platformdirs.user_config_dir("codexbar", appauthor=False)
    return found


def write_owner_only(path: str, data: bytes) -> None:
    """Replace `path` atomically with `data`, readable by the owner only; a failure leaves no trace."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def file_stamp(path: str) -> str:
    """"mtime:size" of a file, "-" when it is missing: a warm snapshot's key changes with the file."""
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_mtime_ns}:{st.st_size}"
