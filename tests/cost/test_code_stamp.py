"""The warm cost snapshot is keyed by a stamp of every code file of the package (code_stamp.py): an
edit or upgrade of any module, however deep, must make the next `codexbar cost --json` go the full
way, and compiled caches must not (they change on every first run)."""

from __future__ import annotations

import os
from pathlib import Path

from codexbar_core import code_stamp as stamp_mod
from codexbar_core.code_stamp import code_stamp


def package(root: Path) -> Path:
    (root / "cost").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "collect.py").write_text("A = 1\n")
    (root / "cost" / "scan.py").write_text("B = 2\n")
    (root / "cost" / "prices.json").write_text("{}")
    return root


def fresh(root: Path) -> str:
    stamp_mod._stamps.clear()  # the stamp is kept per process; a test changes files under it
    return code_stamp(str(root))


def test_any_module_or_price_file_changes_the_stamp(tmp_path: Path) -> None:
    root = package(tmp_path / "pkg")
    before = fresh(root)
    assert fresh(root) == before
    for changed in (root / "collect.py", root / "cost" / "scan.py", root / "cost" / "prices.json"):
        changed.write_text(changed.read_text() + " \n")
        after = fresh(root)
        assert after != before, changed
        before = after
    (root / "cost" / "new_stage.py").write_text("")
    assert fresh(root) != before


def test_compiled_caches_do_not_change_the_stamp(tmp_path: Path) -> None:
    root = package(tmp_path / "pkg")
    before = fresh(root)
    (root / "cost" / "__pycache__").mkdir()
    (root / "cost" / "__pycache__" / "scan.cpython-311.pyc").write_bytes(b"\0")
    (root / "notes.txt").write_text("not code")
    assert fresh(root) == before


def test_the_real_package_stamp_covers_every_module() -> None:
    stamp_mod._stamps.clear()
    names = {line.rsplit(":", 2)[0] for line in code_stamp().splitlines()}
    root = Path(stamp_mod.PACKAGE_DIR)
    modules = {str(path.relative_to(root)).replace(os.sep, "/") for path in root.rglob("*.py")
               if "__pycache__" not in path.parts}
    assert modules and modules <= names
    assert "cost/prices.json" in names
