"""Plain slotted records: what the cost path's records need from a dataclass, without importing
`dataclasses` (with `inspect`, `ast` and `dis` it costs ~12 ms, a quarter of a refresh after one
appended event; docs/design/cost-engine.md, "Start-up").

A subclass lists its fields in `__slots__` and writes its own `__init__`; this base gives equality
field by field, a readable repr and `replace` (a copy with some fields changed).
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any, TypeVar

    R = TypeVar("R", bound="Record")


class Record:
    __slots__ = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass with eq

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__name__}({inner})"


def replace(record: R, **changes: Any) -> R:
    """A copy of `record` with `changes` applied (the others shared, as dataclasses.replace does)."""
    copy = object.__new__(record.__class__)
    for name in record.__slots__:
        object.__setattr__(copy, name, changes.pop(name) if name in changes else getattr(record, name))
    if changes:
        raise TypeError(f"{record.__class__.__name__} has no field {', '.join(changes)}")
    return copy
