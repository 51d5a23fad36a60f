"""Typed records that cross the scan's stages: a log's home entry.

Stored on disk as the positional list `[ino, mtime_ns, size, sid, kind, null, bad, counted, dep]`
(slot 5 once held the file's totals, now kept apart in the file's record; always null),
so caches written before the records were typed stay readable (docs/design/cost-engine.md).
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

# A plain class rather than a dataclass: defining a dataclass costs ~0.3 ms at import, on every run.


class FileEntry:
    """What the scan knows of one log: its signature, session id, kind, malformed lines, whether it
    is counted, and for a fork or subagent the parent it was resolved against."""

    __slots__ = ("ino", "mtime_ns", "size", "sid", "kind", "bad", "counted", "dep")

    def __init__(self, ino: int, mtime_ns: int, size: int, sid: str | None, kind: str, bad: int,
                 counted: bool, dep: str | None) -> None:
        self.ino = ino
        self.mtime_ns = mtime_ns
        self.size = size
        self.sid = sid  # the leaf session id ("" or None when the log has none)
        self.kind = kind  # "plain", "fork" or "subagent"
        self.bad = bad  # malformed lines skipped
        self.counted = counted  # False: a fork or subagent whose parent is missing
        self.dep = dep  # "<parent path>:<signature>:<upstream dep>" or "missing"; None for a plain log

    @classmethod
    def from_list(cls, raw: list[Any]) -> FileEntry:
        return cls(raw[0], raw[1], raw[2], raw[3], raw[4], raw[6], raw[7], raw[8])

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> FileEntry:
        """A fork or subagent only classified so far (filerecord.read_plain): not counted yet."""
        ino, mtime_ns, size = rec["sig"]
        return cls(ino, mtime_ns, size, rec.get("sid"), rec["kind"], rec.get("bad", 0), False, None)

    def to_list(self) -> list[Any]:
        return [self.ino, self.mtime_ns, self.size, self.sid, self.kind, None, self.bad, self.counted, self.dep]

    @property
    def signature(self) -> tuple[int, int, int]:
        return (self.ino, self.mtime_ns, self.size)
