"""`codexbar open usage|status|settings`: open a page (or the settings folder) from a menu click."""

from __future__ import annotations

import subprocess
import sys

from codexbar_core import paths
from codexbar_core.commands.common import env

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms
if TYPE_CHECKING:
    from codexbar_core.commands.common import Args

PAGES = {
    "usage": "https://chatgpt.com/codex/settings/usage",
    "status": "https://status.openai.com/",
}


def run(args: Args) -> int:
    environ = env()
    target = str(paths.config_dir(environ)) if args.page == "settings" else PAGES[args.page]
    if environ.get("CODEXBAR_NO_OPEN") == "1":
        print(target)
        return 0
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    try:
        subprocess.Popen([opener, target], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        print(target)
    return 0
