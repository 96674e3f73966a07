"""Breakpoints, watchpoints and catchpoints, numbered in one sequence as gdb numbers them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Domain catchpoints: what each catches, as the index names the events (report kind,
# fact name or event kind).
CATCH_KINDS: dict[str, tuple[str, ...]] = {
    "error": ("error",),
    "warning": ("warning",),
    "exit": ("exit",),
    "assert": ("assert",),
    "split": ("autoassign.node",),
    "dist": ("dist.fill", "dist.set"),
}


class CommandError(Exception):
    """A command failed: gdb prints the message (on stderr) and goes on."""


@dataclass
class Location:
    """Where a breakpoint is: a function's entry, or a file:line."""
    function: str | None = None
    file: str | None = None
    line: int | None = None

    def describe(self) -> str:
        return self.function if self.function else f"{self.file}:{self.line}"


@dataclass
class Point:
    number: int
    kind: str  # breakpoint | watchpoint | catchpoint
    location: Location | None = None
    expression: str | None = None  # watchpoints
    catch: str | None = None  # catchpoints
    condition: str | None = None
    ignore_count: int = 0
    enabled: bool = True
    temporary: bool = False
    hits: int = 0
    scope_frame: int | None = None  # watchpoints on locals: the frame they belong to
    old_value: Any = None  # watchpoints: the last value seen (text)
    deps: Any = None  # watchpoints: (memory paths, (frame, local) keys) the expression reads
    writes: list[int] | None = None  # watchpoints: event indices of stores to deps

    @property
    def type_name(self) -> str:
        return {"breakpoint": "breakpoint", "watchpoint": "hw watchpoint",
                "catchpoint": "catchpoint"}[self.kind]


@dataclass
class PointTable:
    points: dict[int, Point] = field(default_factory=dict)
    next_number: int = 1

    def add(self, **kw: Any) -> Point:
        point = Point(self.next_number, **kw)
        self.points[point.number] = point
        self.next_number += 1
        return point

    def get(self, number: int) -> Point:
        if number not in self.points:
            raise CommandError(f"No breakpoint number {number}.")
        return self.points[number]

    def delete(self, number: int) -> None:
        self.get(number)
        del self.points[number]

    def active(self, kind: str) -> list[Point]:
        return [p for p in self.points.values() if p.kind == kind and p.enabled]

    def parse_numbers(self, text: str) -> list[int]:
        """`1 3-5` -> [1, 3, 4, 5]; no argument means all."""
        if not text.strip():
            return sorted(self.points)
        out: list[int] = []
        for word in text.split():
            try:
                if "-" in word:
                    lo, hi = word.split("-", 1)
                    out += range(int(lo), int(hi) + 1)
                else:
                    out.append(int(word))
            except ValueError:
                raise CommandError(f"Convenience variable must have integer value.\n"
                                   f"Bad breakpoint argument: '{word}'")
        return out
