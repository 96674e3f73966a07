"""Lines the 10.0 functions record as they are (not mapped from 7.2)."""

from __future__ import annotations


class Line10(int):
    """A 10.0 line number, passed through the renumbering recorder unchanged (used where a
    7.2 function runs with 10.0's own tables, e.g. the module-id test). Arithmetic keeps
    the kind: the line after a 10.0 line is a 10.0 line."""

    def __add__(self, other: int) -> "Line10":
        return Line10(int(self) + int(other))

    __radd__ = __add__

    def __sub__(self, other: int) -> "Line10":
        return Line10(int(self) - int(other))


def lines10(*numbers: int) -> tuple[Line10, ...]:
    return tuple(Line10(n) for n in numbers)
