"""Print a full sample menu rendered by the project's own code (for the README and for reading it as a user).

    .venv/bin/python tests/menu/sample_menu.py [swiftbar|xbar|argos] [--png DIR] [--plain [--brief]]

The chart's base64 is shortened to "<PNG …>" so the text stays readable; --png writes the image.
--plain shows the menu as a user sees it (titles only, submenus indented); --brief folds long submenus.
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
from tests.menu.samples import menu_input  # noqa: E402

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
    if "--plain" in argv:
        sys.stdout.write(plain_view(text, brief="--brief" in argv))
        return 0
    short = re.sub(r"(image|templateImage)=\"?[A-Za-z0-9+/=,]{200,}\"?",
                   lambda m: f"{m.group(1)}=<PNG 600x180 @144dpi>", text)
    sys.stdout.write(short)
    return 0


def plain_view(text: str, brief: bool = False) -> str:
    """What the open menu shows: titles, ✓ marks, separators, the chart as a placeholder."""
    header, _, body = text.partition("\n---\n")
    out = [f"[menu bar] {header.split(' | ')[0]}", "─" * 44]
    shown: dict[int, int] = {}
    for line in body.splitlines():
        stripped = line.lstrip("-")
        dashes = len(line) - len(stripped)
        if not stripped:  # a separator
            depth = max(0, dashes - 3) // 2
            if not (brief and depth and shown.get(depth, 0) >= 3):
                out.append("    " * depth + "─" * 44)
            continue
        depth = dashes // 2
        title, _, params = stripped.partition(" | ")
        if "checked=true" in params:
            title = "✓ " + title
        if "image=" in params or "templateImage=" in params:
            title = "[cost per day chart, 300 x 90 pt]"
        shown[depth] = shown.get(depth, 0) + 1 if depth else 0
        if depth == 0:
            shown = {0: 0}
        if brief and depth and shown[depth] > 3:
            if shown[depth] == 4:
                out.append("    " * depth + "…")
            continue
        out.append("    " * depth + title)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
