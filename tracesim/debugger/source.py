"""Source lines for `list` and for each stop: QEMU's real text from a tree the user points
at (--qemu-src), else the model's own description of what the statement does.

QEMU is GPL: tracesim never ships its text. The description is built from the trace itself
(the conditions, stores, calls and messages recorded at each line), so it names what the
model does there, in C-like words.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

from ..trace import events as ev


class ModelSource:
    """Per (file, line): a one-line description gathered from the events at that line."""

    def __init__(self, events: Sequence[Any], qemu_src: str | None = None) -> None:
        self.qemu_src = Path(qemu_src) if qemu_src else None
        self._files: dict[str, list[str] | None] = {}
        self.described: dict[tuple[str, int], str] = {}
        self.stop_lines: set[tuple[str, int]] = set()
        parts: dict[tuple[str, int], list[str]] = defaultdict(list)
        stack: list[tuple[str, str]] = []
        here: tuple[str, int] | None = None
        entering = False

        def add(text: str) -> None:
            if here is not None and text not in parts[here] and len(parts[here]) < 3:
                parts[here].append(text)

        for e in events:
            kind = type(e)
            if kind is ev.Step:
                here = (stack[-1][1], e.line)
                self.stop_lines.add(here)
                if entering:
                    add(f"{{ (entry of {stack[-1][0]})")
                entering = False
            elif kind is ev.Call:
                if here is not None:
                    add(f"{e.fn} (...)")
                stack.append((e.fn, e.file))
                here = None
                entering = True
            elif kind is ev.Return:
                add("}")
                stack.pop()
                here = None
            elif here is None:
                continue
            elif kind is ev.Branch:
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
                fn_name = {"error": "error_report", "warning": "warn_report", "printf":
                           "error_printf", "stdout": "printf"}.get(e.kind, "report")
                add(f'{fn_name} ("{e.text.strip()[:40]}...")')
            elif kind is ev.Exit:
                add(f"exit ({e.status})")
        for key, texts in parts.items():
            self.described[key] = "; ".join(texts)

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
        what = self.described.get((file, line))
        if what:
            return f"/* {what} */"
        if file == "vl.c" and line > 3000:
            return "/* in main: not modelled statement by statement */"
        return "/* (no modelled effect) */"

    def listing(self, file: str, line: int) -> str:
        """A line for `list`: QEMU's text, the model's description of a statement, or
        nothing where gdb never stops."""
        if self.real_line(file, line) is not None or (file, line) in self.stop_lines:
            return self.text(file, line)
        return ""
