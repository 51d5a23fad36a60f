"""Loading the web source must not load httpx, browser-cookie3 or keyring (only fetching does)."""

from __future__ import annotations

import subprocess
import sys

from tests.rig.runner import ROOT


def test_web_modules_import_no_heavy_packages():
    code = ("import sys; import codexbar_core.sources.web, codexbar_core.sources.cookies, codexbar_core.secrets; "
            "print(sorted(m for m in ('httpx', 'browser_cookie3', 'keyring', 'Cryptodome') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT / "lib"),
                         timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
