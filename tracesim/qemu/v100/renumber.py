"""The recorder 10.0 runs the 7.2 functions through: their lines become 10.0's (lines.py),
softmmu/ becomes system/, and the declaration stops 10.0 makes before a statement are added.
Functions 10.0 rewrote (NATIVE) record their own lines and pass through."""

from __future__ import annotations

from typing import Any, Callable

from ..process import Recorder
from .lines import DECLS, FILES, LINES
from .lines_native import Line10

NATIVE = frozenset({
    "machine_set_smp", "machine_parse_smp_config", "cpu_hierarchy_to_string", "machine_set_mem",
    "machine_run_board_init", "is_cpu_type_supported", "parse_numa",
})


class Renumbered:
    def __init__(self, rec: Recorder) -> None:
        self._rec = rec
        self._frames: list[tuple[str, str, bool]] = []  # (7.2 file, 10.0 file, native)

    def _line(self, line: int) -> int:
        if not self._frames or isinstance(line, Line10):
            return int(line)
        file72, _, native = self._frames[-1]
        if native:
            return int(line)
        try:
            return LINES[file72][line]
        except KeyError:
            raise KeyError(f"no 10.0 line for {file72}:{line}") from None

    def call(self, fn: str, file: str, **args: Any) -> None:
        file10 = FILES.get(file, file)
        self._frames.append((file, file10, fn in NATIVE))
        self._rec.call(fn, file10, **args)

    def ret(self, value: Any = None) -> None:
        if self._frames:
            self._frames.pop()
        self._rec.ret(value)

    def write(self, path: str, value: Any) -> None:
        self._rec.write(path, value)

    def local(self, name: str, value: Any) -> None:
        self._rec.local(name, value)

    def step(self, line: int) -> None:
        line10 = self._line(line)
        if self._frames and not self._frames[-1][2] and not isinstance(line, Line10):
            for decl in DECLS.get(self._frames[-1][1], {}).get(line10, ()):
                self._rec.step(decl)
        self._rec.step(line10)

    def branch(self, line: int, cond: str, taken: bool, **values: Any) -> None:
        self._rec.branch(self._line(line), cond, taken, **values)

    def check(self, line: int, cond: str, ok: bool, **values: Any) -> None:
        self._rec.check(self._line(line), cond, ok, **values)

    def loop(self, line: int, var: str, value: Any) -> None:
        self._rec.loop(self._line(line), var, value)

    def report(self, line: int, kind: str, text: str, location: str | None = None) -> None:
        self._rec.report(self._line(line), kind, text, location)

    def exit(self, line: int, status: int) -> None:
        self._rec.exit(self._line(line), status)

    def fact(self, line: int, name: str, **data: Any) -> None:
        self._rec.fact(self._line(line), name, **data)

    def repeat(self, times: int, record: Callable[[int], None]) -> int:
        return self._rec.repeat(times, record)
