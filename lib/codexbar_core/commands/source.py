"""`codexbar source auto|oauth|cli|pty|web`: pin the usage source (saved in the settings)."""

from __future__ import annotations

from codexbar_core import settings as settings_mod
from codexbar_core.commands.common import drop_usage_cache, env

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms
if TYPE_CHECKING:
    from codexbar_core.commands.common import Args


def run(args: Args) -> int:
    settings_mod.update(env(), source=args.value)
    drop_usage_cache()
    print(f"Usage source set to {args.value}.")
    return 0
