"""The debug console (evaluate in the repl context) is a gdb console: each line runs as the
REPL runs it; a line that moved the program or set or deleted breakpoints is told to the
editor as it would be from the editor's own buttons. Completions complete its commands and
expressions.
"""

from __future__ import annotations

import re
from typing import Any

from ..debugger.breakpoints import CommandError
from .common import AdapterState, RequestError
from .runcontrol import classify

_INFO_NUMA = re.compile(r"^\s*i(?:n|nf|nfo)?\s+numa\s*$")


class Console(AdapterState):
    """evaluate in the repl context, and completions."""

    def _console(self, line: str, frame_number: int) -> dict[str, Any]:
        """A gdb command line from the debug console, as the REPL runs it."""
        s = self._s()
        assert self.driver is not None
        before = (s.pos, s.exited)
        points_before = set(s.points.points)
        if s.running:
            s.selected = min(frame_number, max(len(s.frames()) - 1, 0))
        lines: list[str] = []
        errors: list[str] = []
        self.driver.write, self.driver.write_error = lines.append, errors.append
        if _INFO_NUMA.match(line):
            # the REPL has it as `monitor info numa`; the console takes the short form too
            line = "monitor info numa"
        try:
            self.driver.run_line(line, interactive=True)
        except SystemExit:
            self.req_terminate({})
            return {"result": "", "variablesReference": 0}
        if (s.pos, s.exited) != before:
            self._repl_moved(line, lines + errors, before[0])
        self._announce_points(points_before)
        if errors and not lines:
            raise RequestError("\n".join(errors))
        return {"result": "\n".join(lines + errors), "variablesReference": 0}

    def _repl_moved(self, line: str, lines: list[str], start: int | None) -> None:
        s = self._s()
        if s.exited:
            self._exited()
            return
        word = line.split()[0] if line.split() else ""
        reason = "goto" if word == "goto" else "step"
        if word in ("run", "r", "start"):
            reason = "entry" if word == "start" else "step"
        self._stopped(reason, classify(lines), lines)

    def _announce_points(self, before: set[int]) -> None:
        """Breakpoints the console set or deleted, told to the editor."""
        s = self._s()
        now = set(s.points.points)
        for n in sorted(before - now):
            self.event("breakpoint", {"reason": "removed", "breakpoint": {"id": n,
                                                                          "verified": False}})
            self.meta.pop(n, None)
        for n in sorted(now - before):
            p = s.points.points[n]
            if p.kind != "breakpoint" or p.location is None:
                continue
            _, file, line = s.location_address(p.location)
            bp: dict[str, Any] = {"id": n, "verified": True}
            if file:
                bp["source"], bp["line"] = self._source(file), line
            self.event("breakpoint", {"reason": "new", "breakpoint": bp})

    def req_completions(self, args: dict[str, Any]) -> dict[str, Any]:
        from ..debugger.commands import COMMANDS

        s = self._s()
        text = str(args.get("text", ""))
        column = int(args.get("column") or len(text) + 1)
        head = text[: max(column - 1, 0)]
        words = head.split()
        if len(words) <= 1 and not head.endswith(" "):
            word = words[0] if words else ""
            return {"targets": [{"label": n, "type": "function", "start": len(head) - len(word),
                                 "length": len(word)}
                                for n in sorted(COMMANDS) if n.startswith(word)]}
        word = re.split(r"[\s(,*&!~+\-/]", head)[-1]
        try:
            names = s.inspect.complete(s.state(), self._eval_index(0), word)
        except CommandError:
            names = []
        return {"targets": [{"label": n, "start": len(head) - len(word), "length": len(word)}
                            for n in names[:200]]}
