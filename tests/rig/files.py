"""Everything codexbar wrote, read back for searching (secrets) or comparing (nothing lost)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path


def tree_bytes(*folders: Path) -> dict[str, bytes]:
    """Every file under the folders (path -> bytes): cache, settings, logs, SQLite files and WAL."""
    out: dict[str, bytes] = {}
    for folder in folders:
        if not folder.exists():
            continue
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = os.path.join(root, name)
                try:
                    out[path] = Path(path).read_bytes()
                except OSError:
                    pass
    return out


def assert_cache_intact(cache_dir: Path) -> int:
    """SQLite says both databases are sound (diskcache's and the cost state's) and every value is
    readable JSON (the cost state's long values zlib-compressed JSON, read by its own `loads`);
    returns how many keys."""
    from codexbar_core.cost.state_db import FILE_NAME, StateDB
    from codexbar_core.cost.store import loads

    keys: list = []
    for db in (cache_dir / "diskcache" / "cache.db", cache_dir / FILE_NAME):
        if not db.exists():
            continue
        con = sqlite3.connect(str(db), timeout=10)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            con.close()
    if (cache_dir / "diskcache" / "cache.db").exists():
        import diskcache

        cache = diskcache.Cache(str(cache_dir / "diskcache"), timeout=10)
        try:
            for key in list(cache.iterkeys()):
                keys.append(key)
                value = cache.get(key)
                if value is not None:
                    json.loads(value)
        finally:
            cache.close()
    if (cache_dir / FILE_NAME).exists():
        state = StateDB(cache_dir)
        try:
            for key in list(state.iterkeys()):
                keys.append(key)
                value = state.get(key)
                if value is not None:
                    loads(value)
        finally:
            state.close()
    menu_file = cache_dir / "menu.json"
    if menu_file.exists():
        assert isinstance(json.loads(menu_file.read_text())["text"], str)
    return len(keys)
