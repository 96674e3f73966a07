"""Run control: continue, the steps (backwards too), goto and step-in targets. Every move goes
through the debugger's command table, so the editor's steps are the REPL's; what the engine
printed says what stopped it (classify), and the adapter tells the editor in DAP: output
events for what QEMU printed on the way, then `stopped` with its reason, or `exited` with
QEMU's status and `terminated`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any, Callable

from ..debugger.breakpoints import CommandError
from ..debugger.commands import execute
from ..trace import events as ev
from .breakpoints import PointMeta, hit_ok
from .common import THREAD_ID, AdapterState, RequestError

_REPORT_KINDS = ("error", "warning", "info", "printf", "stdout")
_GOTO_TARGETS_MAX = 1000


# gdb's reports of what stopped the program (tracesim/debugger/session.py prints them)
_BREAK = re.compile(r'^Thread 1 "[^"]*" hit (?:Temporary breakpoint|Breakpoint) (\d+), ')
_WATCH = re.compile(r"^Hardware watchpoint (\d+): (.*)$")
_WATCH_GONE = re.compile(r"^Watchpoint (\d+) deleted because")
_CATCH = re.compile(r"^Catchpoint (\d+) \((\w+): (.*)\), ")
_COND_ERROR = re.compile(r"^Error in testing condition for breakpoint (\d+):")


@dataclass
class Stop:
    """What the engine's report says stopped the program."""

    kind: str  # breakpoint | watchpoint | catchpoint | none
    number: int | None = None
    text: str = ""
    catch: str | None = None


def classify(lines: list[str]) -> Stop:
    for k, line in enumerate(lines):
        m = _BREAK.match(line)
        if m:
            return Stop("breakpoint", int(m.group(1)))
        m = _CATCH.match(line)
        if m:
            return Stop("catchpoint", int(m.group(1)), m.group(3), m.group(2))
        m = _WATCH.match(line)
        if m and any(x.startswith("Old value = ") for x in lines[k:]):
            old = next(x for x in lines[k:] if x.startswith("Old value = "))[12:]
            new = next((x for x in lines[k:] if x.startswith("New value = ")), "")[12:]
            return Stop("watchpoint", int(m.group(1)), f"{m.group(2)}: {old} -> {new}")
        m = _WATCH_GONE.match(line)
        if m:
            return Stop("watchpoint", int(m.group(1)), " ".join(lines[k : k + 2]))
        m = _COND_ERROR.match(line)
        if m:
            return Stop("breakpoint", int(m.group(1)), " ".join(lines[k : k + 2]))
    if "No more reverse-execution history." in lines:
        return Stop("none", text="No more reverse-execution history.")
    return Stop("none")


class RunControl(AdapterState):
    """continue, next, stepIn/Out, stepBack, reverseContinue, goto; reporting the stop."""

    def req_continue(self, args: dict[str, Any]) -> dict[str, Any]:
        self._move("continue", forward=True)
        return {"allThreadsContinued": True}

    def req_next(self, args: dict[str, Any]) -> None:
        self._move("next", forward=True)

    def req_stepIn(self, args: dict[str, Any]) -> None:
        target = args.get("targetId")
        if target is None:
            self._move("step", forward=True)
            return None
        s = self._running()
        info = s.index.frames.get(target) if isinstance(target, int) else None
        if info is None or info.entry_stop is None or s.pos is None or info.call_index < s.pos:
            raise RequestError("that call cannot be stepped into from here")
        start_call = s.index.frame_at(s.pos)
        entry = info.entry_stop
        self._move_with(
            lambda: s.run_to(entry, start_call.call_index if start_call else None),
            forward=True,
        )
        return None

    def req_stepOut(self, args: dict[str, Any]) -> None:
        self._move("finish", forward=True)

    def req_stepBack(self, args: dict[str, Any]) -> None:
        self._move("reverse-next", forward=False)

    def req_reverseContinue(self, args: dict[str, Any]) -> None:
        self._move("reverse-continue", forward=False)

    def req_pause(self, args: dict[str, Any]) -> None:
        # a replay runs to its next stop at once: it is never running when pause arrives
        return None

    def req_gotoTargets(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        file = self._file_of(args.get("source") or {})
        line = args.get("line")
        numbers = s.index.by_location.get((file or "", line if isinstance(line, int) else 0), [])
        pos = s.pos if s.pos is not None else -1
        # the nearest stops first: ahead of the position, then back from it
        cut = bisect.bisect_right([s.index.stops[n] for n in numbers], pos)
        order = list(range(cut, len(numbers))) + list(range(cut - 1, -1, -1))
        targets = []
        for k in order[:_GOTO_TARGETS_MAX]:
            n = numbers[k]
            info = s.index.frames[s.index.stop_frame[n]]
            way = "ahead" if k >= cut else "back"
            targets.append({
                "id": n + 1,
                "label": f"stop {n + 1} ({way}): {info.fn}, hit {k + 1} of {len(numbers)}",
                "line": line,
            })
        return {"targets": targets}

    def req_goto(self, args: dict[str, Any]) -> None:
        target = args.get("targetId")
        if not isinstance(target, int):
            raise RequestError("goto needs a targetId from gotoTargets")
        self._move(f"goto {target}", forward=None, reason="goto")
        return None

    def req_stepInTargets(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._running()
        assert s.pos is not None
        here = s.index.frame_at(s.pos)
        if here is None:
            return {"targets": []}
        nxt = s.index.next_stop(s.pos, here.depth)
        end = nxt if nxt is not None else len(s.events)
        targets = []
        for i in range(s.pos + 1, end):
            e = s.events[i]
            if type(e) is ev.Call:
                info = s.index.frames[i]
                if info.parent == here.call_index and info.entry_stop is not None:
                    targets.append({"id": i, "label": f"{e.fn} ({info.file})"})
            elif type(e) is ev.Return and s.index.frame_at(i - 1) is here:
                break
        return {"targets": targets}

    def _move(self, command: str, forward: bool | None, reason: str = "step") -> None:
        s = self._running() if command != "run" else self._s()
        start = s.pos
        dry: tuple[int | None, bool, bool] | None = None
        if self._pass_through_points() and command not in ("run", "continue",
                                                           "reverse-continue"):
            dry = self._dry_run(command)
        lines = execute(s, command)
        self._after_move(lines, start, forward, reason, command, dry)

    def _move_with(self, move: Callable[[], list[str]], forward: bool) -> None:
        s = self._running()
        start = s.pos
        lines = move()
        self._after_move(lines, start, forward, "step", None, None, resume=move)

    def _after_move(
        self, lines: list[str], start: int | None, forward: bool | None, reason: str,
        command: str | None, dry: tuple[int | None, bool, bool] | None,
        resume: Callable[[], list[str]] | None = None,
    ) -> None:
        s = self._s()
        stop = classify(lines)
        # logpoints and unmet hit conditions do not stop: log and go on where it was going
        guard = 0
        while not s.exited and stop.number is not None and self._passes(stop):
            guard += 1
            if guard > 1_000_000:
                break
            if resume is not None:
                lines = resume()  # the same move again, from where it stopped
            elif command in ("run", "continue"):
                lines = s.run_to(None, None)
            elif command == "reverse-continue":
                lines = s.reverse_to(None, self._top_call())
            elif dry is not None:
                target, exited, line_start = dry
                call = self._top_call()
                if forward is False:
                    lines = s.reverse_to(target, call)
                else:
                    lines = s.run_to(None if exited else target, call, line_start)
            else:
                break
            stop = classify(lines)
        if forward and start != s.pos:
            self._outputs(-1 if start is None else start, s.pos if s.pos is not None else -1)
        if s.exited:
            self._exited()
            return
        self._stopped(reason, stop, lines)

    def _pass_through_points(self) -> bool:
        return any(
            m.log_message is not None or m.hit_condition is not None or m.condition
            for n, m in self.meta.items()
            if n in self._s().points.points
        )

    def _passes(self, stop: Stop) -> bool:
        """Whether the point that stopped the program asks DAP not to stop there."""
        s = self._s()
        meta = self.meta.get(stop.number or 0)
        p = s.points.points.get(stop.number or 0)
        if meta is None or p is None:
            return False
        if meta.condition:
            try:
                if not s.inspect.truthy(s.state(), 0, meta.condition):
                    return True
            except CommandError:
                return False  # an error in the condition stops, as gdb's do
        if meta.hit_condition is not None and not hit_ok(meta.hit_condition, p.hits):
            return True
        if meta.log_message is not None:
            self._log(meta)
            return True
        return False

    def _log(self, meta: PointMeta) -> None:
        s = self._s()

        def value(m: re.Match[str]) -> str:
            try:
                return s.inspect.value_text(s.state(), 0, m.group(1))
            except CommandError as err:
                return f"<error: {err}>"

        text = re.sub(r"\{([^{}]+)\}", value, meta.log_message or "")
        body: dict[str, Any] = {"category": "console", "output": text + "\n"}
        frames = s.frames()
        if frames and frames[0].call_index is not None:
            body["source"] = self._source(frames[0].file)
            body["line"] = frames[0].line
        self.event("output", body)

    def _dry_run(self, command: str) -> tuple[int | None, bool, bool]:
        """Where `command` ends with every point disabled (a step's own target)."""
        s = self._s()
        saved = (s.pos, s.exited, s.at_line_start, s.selected)
        enabled = [p for p in s.points.points.values() if p.enabled]
        for p in enabled:
            p.enabled = False
        try:
            execute(s, command)
            return s.pos, s.exited, s.at_line_start
        finally:
            for p in enabled:
                p.enabled = True
            pos, exited, line_start, selected = saved
            s.goto(pos, line_start)  # type: ignore[arg-type]
            s.exited, s.selected = exited, selected

    def _top_call(self) -> int | None:
        s = self._s()
        info = s.index.frame_at(s.pos) if s.pos is not None else None
        return info.call_index if info else None

    def _outputs(self, start: int, end: int) -> None:
        """QEMU's messages printed between two positions, where it printed them."""
        from ..qemu.process import render_report

        s = self._s()
        found = []
        for kind in _REPORT_KINDS:
            for i in s.index.by_kind.get(kind, []):
                if start < i <= end:
                    found.append(i)
        for i in sorted(found):
            e = s.events[i]
            body: dict[str, Any] = {
                "category": "stdout" if e.kind == "stdout" else "stderr",
                "output": render_report(e.kind, e.text, e.location),
            }
            info = s.index.frame_at(i)
            if info is not None:
                body["source"] = self._source(info.file)
                body["line"] = e.line
            self.event("output", body)

    def _exited(self) -> None:
        s = self._s()
        status = 0
        at = s.index.exit_index
        if at is not None:
            status = s.events[at].status
        end = s.modelled_path_end() if status == 0 else None
        if end is not None:
            where, machine = end
            self.event("output", {"category": "console", "output": (
                f"The modelled path ends here ({where}): QEMU would go on into "
                f"machine_class->init for {machine}, which tracesim does not model. "
                "The session ends with exit status 0.\n")})
        self.event("exited", {"exitCode": status})
        self.terminated = True
        self.event("terminated")

    def _stopped(self, reason: str, stop: Stop, lines: list[str] | None) -> None:
        self.refs.clear()
        self.frame_ids.clear()
        self.exception_stop = None
        body: dict[str, Any] = {"threadId": THREAD_ID, "allThreadsStopped": True}
        meta = self.meta.get(stop.number or 0)
        if stop.kind == "breakpoint":
            kind = meta.kind if meta else "source"
            body["reason"] = "function breakpoint" if kind == "function" else "breakpoint"
            body["hitBreakpointIds"] = [stop.number]
            if stop.text:
                body["description"] = stop.text
        elif stop.kind == "watchpoint":
            body["reason"] = "data breakpoint"
            body["hitBreakpointIds"] = [stop.number]
            body["description"] = "Data breakpoint"
            body["text"] = stop.text
            if "deleted" in stop.text:
                self.event("breakpoint", {"reason": "removed",
                                          "breakpoint": {"id": stop.number, "verified": False}})
                self.data_points = [n for n in self.data_points if n != stop.number]
        elif stop.kind == "catchpoint":
            body["reason"] = "exception"
            body["hitBreakpointIds"] = [stop.number]
            body["description"] = f"Catchpoint ({stop.catch})"
            body["text"] = stop.text
            self.exception_stop = stop
        else:
            body["reason"] = reason
            if stop.text:
                body["description"] = body["text"] = stop.text
        self.event("stopped", body)
