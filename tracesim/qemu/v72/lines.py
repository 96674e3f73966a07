"""Functions 7.2 runs unchanged from 4.2, with 7.2's line numbers.

QEMU moved these functions without changing them, so every line shifts by the same
amount: the 4.2 model runs with a recorder that adds the shift to each line it reports.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from ..process import Qemu, Recorder

# hw/core/numa.c, 4.2 line -> 7.2 line
SHIFTS = {
    "parse_numa_distance": 32,  # 4.2 numa.c:141-176 -> 7.2 173-208
    "validate_numa_distance": 293,  # 4.2 numa.c:261-302 -> 7.2 554-595
    "complete_init_numa_distance": 293,  # 4.2 numa.c:304-325 -> 7.2 597-618
}


class ShiftedLines:
    """A recorder that reports every line `shift` lines further down the file."""

    def __init__(self, rec: Recorder, shift: int) -> None:
        self._rec = rec
        self._shift = shift

    def call(self, fn: str, file: str, **args: Any) -> None:
        self._rec.call(fn, file, **args)

    def ret(self, value: Any = None) -> None:
        self._rec.ret(value)

    def write(self, path: str, value: Any) -> None:
        self._rec.write(path, value)

    def local(self, name: str, value: Any) -> None:
        self._rec.local(name, value)

    def step(self, line: int) -> None:
        self._rec.step(line + self._shift)

    def branch(self, line: int, cond: str, taken: bool, **values: Any) -> None:
        self._rec.branch(line + self._shift, cond, taken, **values)

    def check(self, line: int, cond: str, ok: bool, **values: Any) -> None:
        self._rec.check(line + self._shift, cond, ok, **values)

    def loop(self, line: int, var: str, value: Any) -> None:
        self._rec.loop(line + self._shift, var, value)

    def report(self, line: int, kind: str, text: str, location: str | None = None) -> None:
        self._rec.report(line + self._shift, kind, text, location)

    def exit(self, line: int, status: int) -> None:
        self._rec.exit(line + self._shift, status)

    def fact(self, line: int, name: str, **data: Any) -> None:
        self._rec.fact(line + self._shift, name, **data)


@contextmanager
def lines_of_72(q: Qemu, function: str) -> Iterator[None]:
    """Run a 4.2 model function as 7.2 has it."""
    saved = q.rec
    q.rec = ShiftedLines(saved, SHIFTS[function])
    try:
        yield
    finally:
        q.rec = saved
