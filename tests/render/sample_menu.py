"""Print a full sample menu rendered by the project's own code (for the README and for reading it as a user).

    .venv/bin/python tests/render/sample_menu.py [swiftbar|xbar|argos] [--png DIR]

The chart's base64 is shortened to "<PNG …>" so the text stays readable; --png writes the images.
"""

from __future__ import annotations

import base64
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from codexbar_core.render.chart import chart_for_menu  # noqa: E402
from codexbar_core.render.markup import detect_dark  # noqa: E402
from codexbar_core.render.menu import build_menu  # noqa: E402
from tests.render.samples import menu_input  # noqa: E402

ENVS = {"swiftbar": {"SWIFTBAR": "1"}, "xbar": {"XBARDarkMode": "false"}, "argos": {"ARGOS_VERSION": "2"}}


def main(argv: list[str]) -> int:
    host = argv[0] if argv and argv[0] in ENVS else "swiftbar"
    inp = menu_input(dark=detect_dark(ENVS[host]))
    inp.chart_png_b64 = chart_for_menu(inp.homes, ENVS[host])
    text = build_menu(inp, host)
    if "--png" in argv:
        out = Path(argv[argv.index("--png") + 1])
        out.mkdir(parents=True, exist_ok=True)
        for i, part in enumerate((inp.chart_png_b64 or "").split(",")):
            (out / f"chart-{host}-{i}.png").write_bytes(base64.b64decode(part))
    short = re.sub(r"(image|templateImage)=\"?[A-Za-z0-9+/=,]{200,}\"?",
                   lambda m: f"{m.group(1)}=<PNG 600x180 @144dpi>", text)
    sys.stdout.write(short)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
