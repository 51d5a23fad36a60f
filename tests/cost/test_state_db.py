"""The cost scanner's own state database (`cost-state.sqlite`, cost/state_db.py): owner-only, rebuilt
when damaged, and what older versions left in the shared diskcache store is cleared by a first scan."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from codexbar_core.cache import Store, home_key
from codexbar_core.cost import store as store_mod
from codexbar_core.cost.state_db import FILE_NAME, StateDB
from tests.cost.logs import active, append, meta, scan, tok, totals, turn, write
from tests.rig.files import assert_cache_intact


def _home(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    return home, write(active(home, "a"), [meta("a"), turn("gpt-5.5"), tok("12:00:01", last=(10, 0, 1))])


def test_the_state_database_is_owner_only(tmp_path: Path) -> None:
    home, _log = _home(tmp_path)
    store = Store(tmp_path / "cache")
    old = os.umask(0o022)  # a permissive umask: the files must be owner-only anyway
    try:
        scan(home, store=store)
    finally:
        os.umask(old)
    store.close()
    files = sorted((tmp_path / "cache").glob(FILE_NAME + "*"))
    assert files, list((tmp_path / "cache").iterdir())
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_damaged_state_database_costs_a_rescan_and_is_rebuilt(tmp_path: Path) -> None:
    home, log = _home(tmp_path)
    store = Store(tmp_path / "cache")
    assert totals(scan(home, store=store)) == (10, 0, 1)
    store.close()
    for path in (tmp_path / "cache").glob(FILE_NAME + "*"):
        path.write_bytes(os.urandom(8192))
    store = Store(tmp_path / "cache")
    append(log, [tok("12:00:02", last=(5, 0, 0))])
    assert totals(scan(home, store=store)) == (15, 0, 1)  # read again from the logs
    store.close()
    assert assert_cache_intact(tmp_path / "cache") > 0  # a sound database again, with the new state
    append(log, [tok("12:00:03", last=(5, 0, 0))])
    store = Store(tmp_path / "cache")
    assert totals(scan(home, store=store)) == (20, 0, 1)
    assert store.state_db.get(store_mod.home_record_key(home_key(home))) is not None


def test_a_first_scan_clears_the_cost_state_older_versions_kept_in_diskcache(tmp_path: Path) -> None:
    home, _log = _home(tmp_path)
    store = Store(tmp_path / "cache")
    store.cache.set("cost:files:old:0", b"x" * 4096)
    store.cache.set("cost:result:old:2026-07-01", "{}")
    store.set_json("usage:last:abc", {"kept": True})
    assert totals(scan(home, store=store)) == (10, 0, 1)
    assert [key for key in store.cache.iterkeys() if str(key).startswith("cost:")] == []
    assert store.get_json("usage:last:abc") == {"kept": True}
    store.close()


def test_values_past_their_expiry_are_not_read_and_are_swept(tmp_path: Path) -> None:
    db = StateDB(tmp_path)
    db.set("kept", "1")
    db.set("old", "2", expire=-1)
    db.set("young", "3", expire=3600)
    assert (db.get("kept"), db.get("old"), db.get("young")) == ("1", None, "3")
    assert db.get_many(["kept", "old", "young", "none"]) == {"kept": "1", "young": "3"}
    db.sweep()
    assert list(db.iterkeys()) == ["kept", "young"]
    with db.transact():
        db.set("cost:result:a", "x")
        db.set("cost:result;b", "y")  # not under the prefix, though next to it in key order
    assert db.delete_prefix("cost:result:") == 1
    assert list(db.iterkeys()) == ["cost:result;b", "kept", "young"]
    db.close()
