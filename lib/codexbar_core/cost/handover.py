"""What one `codexbar cost` process hands from one layer to the next, passed as a value.

The warm reprint (warm_report.py) runs before the rest of codexbar is imported; when it finds that a
log changed, the full path (report.py `cost_report`) goes on in the same process. Three things
cross that boundary, and they travel in one `CostHandover` the entry point creates and passes down
(docs/design/cost-engine.md, "One process, one handover"):

- `walks`: a walk the reprint made and found changed, so the full path need not list 10,000 logs
  a second time (taken once);
- `noted`: what `cost_report` computed per window (digest, fork parents outside the window, the
  folder listings, the thread-index memo), which the `--json` command saves for the next reprint;
- `listing`: the saved folder listings (`cost-listing.bin`), read at most once.

Imports nothing: the reprint path stays as cheap as before.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from codexbar_core.cost.folder_listing import Walk

Window = tuple  # (codex home, since, until) as text


class Noted:
    """What cost_report's report stands for: its digest, the fork parents outside the window it read,
    the settled folder listings its discovery made (None: it listed only changed folders, the saved
    listings stay as they are) and the thread-index memo (None when the index cannot vouch)."""

    __slots__ = ("digest", "extra", "listed", "memo")

    def __init__(self, digest: str, extra: list[str], listed: dict[str, Any] | None,
                 memo: dict[str, Any] | None) -> None:
        self.digest = digest
        self.extra = extra
        self.listed = listed
        self.memo = memo


class CostHandover:
    __slots__ = ("walks", "noted", "listing")

    def __init__(self) -> None:
        self.walks: dict[Window, Walk] = {}
        self.noted: dict[Window, Noted] = {}
        self.listing: dict[str, Any] | None = None  # None: not read yet

    def take_walk(self, window: Window) -> Walk | None:
        """The reprint's walk of this window, once."""
        return self.walks.pop(window, None)

    def note(self, window: Window, noted: Noted) -> None:
        self.noted[window] = noted
