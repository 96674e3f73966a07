"""Source lines for `list` and for each stop: QEMU's real text from a tree the user points
at (--qemu-src), else the model's own description of what the statement does.

QEMU is GPL: tracesim never ships its text. The description is built from the trace itself
(the conditions, stores, calls and messages recorded at each line), so it names what the
model does there, in C-like words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..debuginfo.program import UnsteppedFrame
from ..trace import events as ev


class ModelSource:
    """Per (file, line): a one-line description gathered, when first asked for, from the
    events recorded at that line's first few stops."""

    def __init__(self, events: Sequence[Any], index: Any,
                 unstepped: Sequence[UnsteppedFrame] = (), qemu_src: str | None = None) -> None:
        self.events = events
        self.index = index
        self.unstepped = tuple(unstepped)  # frames the model does not step (main, ...)
        self.qemu_src = Path(qemu_src) if qemu_src else None
        self._files: dict[str, list[str] | None] = {}
        self._described: dict[tuple[str, int], str] = {}

    @property
    def stop_lines(self) -> Any:
        return self.index.by_location

    def known_lines(self, file: str, entry_lines: dict[str, tuple[str, int]]) -> set[int]:
        """The lines of FILE the model names: its stops, function entries (`entry_lines`:
        function -> (file, line)) and the lines of the frames it does not step."""
        lines = {line for f, line in self.index.by_location if f == file}
        lines |= {line for f, line in entry_lines.values() if f == file}
        for u in self.unstepped:
            if u.file == file:
                lines |= {u.entry, u.default_line, *u.call_lines.values(),
                          *u.return_lines.values(), *u.finish_lines.values()}
        return lines

    def describe(self, file: str, line: int) -> str:
        key = (file, line)
        if key not in self._described:
            self._described[key] = "; ".join(self._parts(key))
        return self._described[key]

    def _parts(self, key: tuple[str, int]) -> list[str]:
        parts: list[str] = []

        def add(text: str) -> None:
            if text not in parts and len(parts) < 3:
                parts.append(text)

        events, stops = self.events, self.index.stops
        for n in self.index.by_location.get(key, [])[:8]:
            i = stops[n]
            if i > 0 and type(events[i - 1]) is ev.Call:
                add(f"{{ (entry of {events[i - 1].fn})")
            for e in events[i + 1 : i + 64]:
                kind = type(e)
                if kind is ev.Step:
                    break
                if kind is ev.Call:
                    add(f"{e.fn} (...)")
                    break
                if kind is ev.Return:
                    add("}")
                    break
                if kind is ev.Branch:
                    add(f"if ({e.cond})")
                elif kind is ev.Assert:
                    add(f"assert ({e.cond})")
                elif kind is ev.Loop:
                    add(f"for (... {e.var} ...)")
                elif kind is ev.Write:
                    add(f"{e.path} = ...")
                elif kind is ev.Local:
                    add(f"{e.name} = ...")
                elif kind is ev.Report:
                    fn_name = {
                        "error": "error_report",
                        "warning": "warn_report",
                        "printf": "error_printf",
                        "stdout": "printf",
                    }.get(e.kind, "report")
                    add(f'{fn_name} ("{e.text.strip()[:40]}...")')
                elif kind is ev.Exit:
                    add(f"exit ({e.status})")
            if len(parts) >= 3:
                break
        return parts

    def real_line(self, file: str, line: int) -> str | None:
        if self.qemu_src is None:
            return None
        if file not in self._files:
            try:
                self._files[file] = (self.qemu_src / file).read_text(errors="replace").splitlines()
            except OSError:
                self._files[file] = None
        lines = self._files[file]
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    def text(self, file: str, line: int) -> str:
        """What gdb shows after the line number."""
        real = self.real_line(file, line)
        if real is not None:
            return real
        what = self.describe(file, line)
        if what:
            return f"/* {what} */"
        for frame in self.unstepped:
            if frame.holds(file, line):
                return f"/* in {frame.fn}: not modelled statement by statement */"
        return "/* (stepped through; nothing here is recorded) */"

    def listing(self, file: str, line: int) -> str:
        """A line for `list`: QEMU's text, the model's description of a statement, or,
        where gdb never stops (a blank, comment, declaration or continued line), that."""
        if self.real_line(file, line) is not None or (file, line) in self.stop_lines:
            return self.text(file, line)
        if self.qemu_src is not None:
            return ""  # past the end of a file the tree has
        return "/* (gdb does not stop on this line) */"
