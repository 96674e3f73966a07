"""The replay engine: a position in a trace, run control both ways, and gdb's reports.

No user interface here: each command returns the text gdb would print. A position is an
event index; the state there is the fold of the events up to and including it, so at a
statement stop the statement has not run yet, exactly as gdb shows it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from ..debuginfo import debug_info
from ..trace import events as ev
from ..trace.fold import State, Timeline
from ..trace.store import Trace
from . import habits
from .breakpoints import CATCH_KINDS, CommandError, Location, Point, PointTable
from .index import TraceIndex
from .inspect import Inspector
from .source import ModelSource

PID = 24304
PROGRAM = "qemu-system-x86_64"


@dataclass
class ShownFrame:
    """A frame as bt shows it (the exit frame is libc's, not the trace's)."""

    fn: str
    file: str
    line: int | None
    args: dict[str, Any]
    call_index: int | None  # None for the synthetic exit frame
    depth_index: int  # index into State.frames (innermost = len-1), -1 for exit


class Session:
    def __init__(self, trace: Trace, qemu_src: str | None = None) -> None:
        self.trace = trace
        # the program's debug information, as gdb reads it from the binary it is given
        self.debug = debug_info(trace.header.profile)
        self.events = trace.events
        stored = getattr(trace, "stored", None)  # opened through its index (trace/indexed.py)
        if stored is not None:
            from .stored_index import stored_index

            self.index = stored_index(stored, self.events)
            self.timeline: Any = trace.timeline()  # type: ignore[attr-defined]
        else:
            self.index = TraceIndex(self.events)
            self.timeline = Timeline(self.events)
        self.source = ModelSource(self.events, self.index, self.debug.unstepped, qemu_src)
        self.inspect = Inspector(self.debug, [habits.PROGRAM_PATH, *trace.header.argv])  # argv
        self.points = PointTable()
        self.pos: int | None = None  # None: the program is not running
        self.exited = False
        self.selected = 0  # frame number as bt numbers them
        self.displays: dict[int, tuple[str, str | None]] = {}
        self.next_display = 1
        self.marks: dict[str, int] = {}
        self.at_line_start = True  # at a Return position: stepped out (True) or finished
        self.list_next: tuple[str, int] | None = None
        self._state_cache: tuple[int, State] | None = None
        # Ctrl-C in the REPL during a search (continue, reverse-continue): the search stops
        # where it got to, as gdb's record target stops on SIGINT
        self.interrupted = False
        self.searching = 0  # searches under way (the REPL's SIGINT handler asks)
        # every run is recorded; `record stop` ends that, `record` starts again here
        self.recording = True
        self.record_floor: int | None = None  # where the recording starts (None: the run's start)

    # --- state at the position ---------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.pos is not None and not self.exited

    def state(self) -> State:
        if self.pos is None:
            return self.timeline.state_at(0)
        if self.exited:  # no frames once the process is gone; memory as it ended
            final = self.timeline.final
            return State(final.memory, [], final.reports, final.exit_status, final.position)
        if self._state_cache and self._state_cache[0] == self.pos:
            return self._state_cache[1]
        st = self.timeline.state_at(self.pos + 1)
        self._state_cache = (self.pos, st)
        return st

    def frames(self) -> list[ShownFrame]:
        """Innermost first, as bt numbers them."""
        if not self.running:
            return []
        st = self.state()
        out = []
        if self.pos == self.index.exit_index:
            status = self.events[self.pos].status
            out.append(
                ShownFrame("__GI_exit", "./stdlib/exit.c", 146, {"status": status}, None, -1)
            )
        for k in range(len(st.frames) - 1, -1, -1):
            f = st.frames[k]
            if f.line is None and self.debug.unstepped_frame(f.fn) is not None:
                line = self._unstepped_line(st, k)
            else:
                line = f.line
            out.append(ShownFrame(f.fn, f.file, line, f.args, f.call_index, k))
        return out

    def _unstepped_line(self, st: State, k: int) -> int:
        """A frame the model does not step (main; 7.2's qemu_init, ...): inside a call it is
        at the call's line; back from one by `next` at the line after it, as gdb showed
        (4.2's vl.c:3855, 3982); by `finish` at the line after it where the return address
        starts that line, else mid-line on the call; at a report or exit of its own, at the
        line the trace names (where the profile's debug info says so)."""
        frame = self.debug.unstepped_frame(st.frames[k].fn)
        assert frame is not None
        if k + 1 < len(st.frames):
            return frame.call_line(st.frames[k + 1].fn)
        call = self._returned_call()
        if call is None:
            line = getattr(self.events[self.pos], "line", None) if self.pos is not None else None
            file = st.frames[k].file
            return frame.line_of(file, line) if line is not None else frame.default_line
        fn = self.index.frames[call].fn
        if self.at_line_start:
            return frame.return_line(fn)
        finish = frame.finish_line(fn)
        return finish if finish is not None else frame.call_line(fn)

    def lands_at_line_start(self) -> bool:
        """At a Return position: whether the caller stands at the start of a line (stepped
        out, or finished out of a call whose return address starts the next line)."""
        if self.at_line_start:
            return True
        call = self._returned_call()
        if call is None:
            return False
        info = self.index.frames[call]
        parent = self.index.frames.get(info.parent) if info.parent is not None else None
        frame = self.debug.unstepped_frame(parent.fn) if parent is not None else None
        return frame is not None and frame.finish_line(info.fn) is not None

    def _returned_call(self) -> int | None:
        """The call whose Return event is the position, if it is one."""
        if self.pos is None or type(self.events[self.pos]) is not ev.Return:
            return None
        # the frame current just before the return is the one returning
        info = self.index.frame_at(self.pos - 1) if self.pos > 0 else None
        while info is not None and info.return_index != self.pos:
            info = self.index.frames.get(info.parent) if info.parent is not None else None
        return info.call_index if info else None

    def frame_index_for_eval(self) -> int:
        """The selected frame as an index from the innermost State frame."""
        frames = self.frames()
        if not frames:
            return 0
        sel = frames[min(self.selected, len(frames) - 1)]
        if sel.depth_index < 0:
            return 0
        return len(self.state().frames) - 1 - sel.depth_index

    # --- text of frames and lines ------------------------------------------------------
    def frame_args(self, f: ShownFrame) -> str:
        """The arguments as gdb lists them: the function's declared parameters, in order."""
        fn = self.debug.functions.get(f.fn)
        names = [n for n, _ in fn.params if n in f.args] if fn else list(f.args)
        return ", ".join(f"{k}={self.inspect.arg_text(f.fn, k, f.args[k])}" for k in names)

    def frame_line(self, f: ShownFrame, with_pc: bool = False, level: int | None = None) -> str:
        """gdb's frame line; `level` (frame f's number) places a caller at its return
        address, and the innermost frame mid-line after a return (`finish`) at the return
        address of the call that returned."""
        pc = ""
        if with_pc and f.line is not None:
            at = self.frame_pc(level or 0)
            pc = f"0x{at:016x} in "
        return f"{pc}{f.fn} ({self.frame_args(f)}) at {f.file}:{f.line}"

    def frame_pc(self, n: int) -> int:
        """Frame n's pc (bt's numbering): a caller's is its return address, and so is the
        innermost's when it stands mid-line at a call (`finish`, `reverse-finish`)."""
        frames = self.frames()
        callee = self.mid_call() if n == 0 else None
        if callee is not None:
            return self.debug.code.return_address(frames[0].file, frames[0].line or 0, callee)
        return self.debug.frame_pc(frames, n)

    def returned_from(self) -> str | None:
        """The function whose return the position is at (`finish` stops there), or None."""
        call = self._returned_call() if self.running else None
        return None if call is None else self.index.frames[call].fn

    def mid_call(self) -> str | None:
        """The callee of the call the innermost frame stands in the middle of: one that has
        just returned where the return lands mid-line (`finish`), or, in a frame the model
        does not step, one about to be called (`reverse-finish` back into it)."""
        if not self.running:
            return None
        if type(self.events[self.pos]) is ev.Return:
            return None if self.lands_at_line_start() else self.returned_from()
        after = self.pos + 1
        if after < len(self.events) and type(self.events[after]) is ev.Call:
            frames = self.frames()
            if frames and self.debug.unstepped_frame(frames[0].fn) is not None:
                return self.events[after].fn
        return None

    def source_line(self, f: ShownFrame) -> str:
        if f.call_index is None:
            return f"{f.line}\t./stdlib/exit.c: No such file or directory."
        return f"{f.line}\t{self.source.text(f.file, f.line or 0)}"

    def where_now(self, with_frame: bool) -> list[str]:
        frames = self.frames()
        if not frames:
            return []
        top = frames[0]
        mid_line = self.mid_call() is not None
        lines = []
        if (
            with_frame
            or mid_line
            or (self.pos is not None and type(self.events[self.pos]) is ev.Return)
        ):
            lines.append(self.frame_line(top, with_pc=mid_line))
        lines.append(self.source_line(top))
        return lines

    def current_stop_number(self) -> int:
        """1-based number of the statement stop at or before the position."""
        if self.pos is None:
            return 0
        return self.index.stop_number(self.pos) + 1

    # --- moving ------------------------------------------------------------------------
    def _top_call(self) -> int | None:
        info = self.index.frame_at(self.pos) if self.pos is not None else None
        return info.call_index if info else None

    def _depth(self) -> int:
        info = self.index.frame_at(self.pos) if self.pos is not None else None
        return info.depth if info else 0

    def announce(self, text: str) -> list[str]:
        """A line gdb prints before a long search ("Continuing."): written at once where a
        front end asked so (the REPL), else returned with the rest."""
        early = self.__dict__.get("early_write")
        if early is None or self.__dict__.get("bp_command_depth", 0):  # keep the order
            return [text]
        early(text)
        return []

    def require_running(self) -> None:
        if not self.running:
            raise CommandError("The program is not being run.")

    def goto(self, pos: int, line_start: bool = True) -> None:
        self.pos = pos
        self.at_line_start = line_start
        self.exited = False
        self.selected = 0
        self._state_cache = None

    def run_to(
        self, target: int | None, from_call: int | None, line_start: bool = True
    ) -> list[str]:
        """Move to `target` (None: the end), checking breakpoints, watchpoints and
        catchpoints on the way; returns what gdb prints."""
        start = -1 if self.pos is None else self.pos
        hit = self.first_hit(start, target if target is not None else len(self.events))
        if hit is not None:
            pos, report = hit
            self.goto(pos)
            return self.printed_between(start, pos) + report + self.show_displays()
        if target is None:
            return self.printed_between(start, len(self.events)) + self.finish_program()
        self.goto(target, line_start)
        changed = self._top_call() != from_call
        return (
            self.printed_between(start, target)
            + self.where_now(with_frame=changed)
            + self.show_displays()
        )

    def printed_between(self, start: int, end: int) -> list[str]:
        """What QEMU printed while running forward from `start` to `end` (event indices),
        shown as the inferior's output is in gdb."""
        from ..qemu.process import render_report

        out: list[str] = []
        for kind in ("error", "warning", "info", "printf", "stdout"):
            for i in self.index.by_kind.get(kind, []):
                if start < i <= end:
                    out.append(
                        (i, render_report(kind, self.events[i].text, self.events[i].location))
                    )  # type: ignore[arg-type]
        out.sort()  # type: ignore[call-overload]
        return [text.rstrip("\n") for _, text in out]  # type: ignore[misc]

    def finish_program(self) -> list[str]:
        status = (
            self.events[self.index.exit_index].status if self.index.exit_index is not None else 0
        )
        self.pos = len(self.events) - 1
        self.exited = True
        self._state_cache = None
        if status == 0:
            return self._modelled_path_ends()
        return [f"[Inferior 1 (process {PID}) exited with code {status:02o}]"]

    def modelled_path_end(self) -> tuple[str, str] | None:
        """(file:line, machine) where the model stops following QEMU, which goes on into
        machine_class->init; None when the run ended otherwise."""
        board = self.index.by_kind.get("board.init")
        if not board:
            return None
        fact = self.events[board[-1]]
        info = self.index.frame_at(board[-1])
        where = f"{info.file}:{fact.line}" if info else f"line {fact.line}"
        return where, fact.data.get("machine", "the machine")

    def _modelled_path_ends(self) -> list[str]:
        """Status 0 is not an exit: QEMU goes on into machine_class->init, which the model
        does not follow; say so rather than "exited normally"."""
        end = self.modelled_path_end()
        if end is None:
            return [f"[Inferior 1 (process {PID}) exited normally]"]
        where, machine = end
        return [f"The modelled path ends at {where}: QEMU goes on into machine_class->init "
                f"for {machine}, which tracesim does not model.",
                f"[Inferior 1 (process {PID}) stopped following QEMU here]"]

    # --- breakpoints, watchpoints and catchpoints on the way ---------------------------
    def first_hit(self, start: int, end: int) -> tuple[int, list[str]] | None:
        """The first point that triggers strictly after `start` and up to `end` (event
        indices), with gdb's report of it."""
        cursor = start
        self.searching += 1
        try:
            while True:
                if self.interrupted:
                    return self._interrupted_at(cursor, start, forward=True)
                candidate = self._next_candidate(cursor, end)
                if candidate is None:
                    return None
                pos, point = candidate
                report = self._triggers(point, pos)
                if report is not None:
                    if point.kind == "watchpoint":  # the others changed by the same store
                        others = [q for q in self.points.points.values()
                                  if q is not point and q.enabled and q.kind == "watchpoint"
                                  and self._next_position_of(q, cursor) == pos]
                        report = _with_others(report, [self._watch_triggers(q, pos)
                                                       for q in others])
                    return pos, report
                cursor = pos
        finally:
            self.searching -= 1
            if not self.searching:
                self.interrupted = False  # a Ctrl-C the search did not see is spent

    def _interrupted_at(self, cursor: int, start: int, forward: bool) -> tuple[int, list[str]]:
        """Ctrl-C stopped a search at `cursor`: the statement stop there, with gdb's report
        of a SIGINT stop (record-full stops a replay with SIGINT)."""
        self.interrupted = False
        if forward:
            stop = self.index.prev_stop(cursor + 1) if cursor > start else None
            if stop is None or stop <= start:
                stop = self.index.next_stop(start)
        else:
            stop = self.index.prev_stop(cursor + 1) if cursor < start else None
            if stop is None or stop >= start:
                stop = self.index.prev_stop(start)
        if stop is None:
            stop = start if start >= 0 else (self.index.stops[0] if self.index.stops else 0)
        saved = (self.pos, self.exited, self._state_cache, self.selected)
        self.goto(stop)
        try:
            top = self.frames()[0]
            report = ["", f'Thread 1 "{habits.THREAD_NAME}" received signal SIGINT, Interrupt.',
                      self.frame_line(top), self.source_line(top)]
        finally:
            self.pos, self.exited, self._state_cache, self.selected = saved
        return stop, report

    def _next_candidate(self, after: int, end: int) -> tuple[int, Point] | None:
        best: tuple[int, Point] | None = None
        for p in list(self.points.points.values()):
            if not p.enabled:
                continue
            pos = self._next_position_of(p, after)
            if pos is not None and pos <= end and (best is None or pos < best[0]):
                best = (pos, p)
        return best

    def _next_position_of(self, p: Point, after: int) -> int | None:
        idx = self.index
        if p.kind == "breakpoint":
            assert p.location is not None
            loc = p.location
            if loc.function == "exit":
                return (
                    idx.exit_index
                    if idx.exit_index is not None and idx.exit_index > after
                    else None
                )
            numbers = (
                idx.entries.get(loc.function, [])
                if loc.function
                else idx.by_location.get((loc.file or "", loc.line or 0), [])
            )
            k = bisect.bisect_right(numbers, idx.stop_number(after)) if after >= 0 else 0
            while k < len(numbers) and idx.stops[numbers[k]] <= after:
                k += 1
            return idx.stops[numbers[k]] if k < len(numbers) else None
        if p.kind == "catchpoint":
            best = None
            for name in CATCH_KINDS[p.catch or ""]:
                found = idx.first_after(idx.by_kind.get(name, []), after)
                if found is not None and (best is None or found < best):
                    best = found
            return best
        # watchpoint: the first stop after a write to something the expression reads, or
        # the first stop after its frame returns (gdb then deletes it)
        found = self._next_watch_stop(p, after)
        if p.scope_frame is not None and not getattr(p, "outlives_scope", False):
            ret = self.index.frames[p.scope_frame].return_index
            if ret is not None and ret > after:
                leave = self.index.next_stop(ret)
                if leave is not None and (found is None or leave < found):
                    found = leave
        return found

    def _watch_writes(self, p: Point) -> list[int]:
        """Event indices of every store to what the watched expression reads."""
        if p.writes is None:
            paths, local_keys = p.deps or (set(), set())
            lists = [self.index.writes.get(path, []) for path in paths]
            lists += [self.index.local_writes.get(key, []) for key in local_keys]
            p.writes = sorted(set().union(*lists)) if lists else []
        return p.writes

    def _next_watch_stop(self, p: Point, after: int) -> int | None:
        writes = self._watch_writes(p)
        k = bisect.bisect_right(writes, after)
        # the write happens during a statement; gdb reports it at the next stop
        while k < len(writes):
            stop = self.index.next_stop(writes[k])
            if stop is None:
                return self.index.exit_index
            if stop > after:
                return stop
            k += 1
        return None

    def _triggers(self, p: Point, pos: int) -> list[str] | None:
        """gdb's report when `p` stops at `pos`, or None when it does not stop there."""
        if p.kind == "watchpoint":
            return self._watch_triggers(p, pos)
        saved = (self.pos, self.exited, self._state_cache, self.selected)
        self.goto(pos)
        try:
            if p.condition:
                try:
                    if not self.inspect.truthy(self.state(), 0, p.condition):
                        return None
                except CommandError as err:
                    p.hits += 1
                    return [f"Error in testing condition for breakpoint {p.number}:", str(err)]
            p.hits += 1
            if p.ignore_count > 0:
                p.ignore_count -= 1
                return None
            if p.temporary:
                self.points.delete(p.number)
            habits.after_stop(p)  # enable once / enable count N
            self.__dict__["stopped_by"] = p
            return self._hit_report(p, pos)
        finally:
            self.pos, self.exited, self._state_cache, self.selected = saved

    def _hit_report(self, p: Point, pos: int) -> list[str]:
        frames = self.frames()
        top = frames[0]
        if p.kind == "catchpoint":
            e = self.events[pos]
            what = (
                e.text.strip()
                if type(e) is ev.Report
                else (
                    f"status {e.status}"
                    if type(e) is ev.Exit
                    else (e.cond if type(e) is ev.Assert else f"{e.name} {e.data}")
                )
            )
            return [
                "",
                f"Catchpoint {p.number} ({p.catch}: {what}), {self.frame_line(top)}",
                self.source_line(top),
            ]
        label = "Temporary breakpoint" if p.temporary else "Breakpoint"
        return [
            "",
            f'Thread 1 "qemu-system-x86" hit {label} {p.number}, {self.frame_line(top)}',
            self.source_line(top),
        ]

    def _watch_triggers(self, p: Point, pos: int) -> list[str] | None:
        saved = (self.pos, self.exited, self._state_cache, self.selected)
        self.goto(pos)
        try:
            st = self.state()
            frame_index = self._scope_index(st, p)
            if frame_index is None and getattr(p, "outlives_scope", False):
                return None  # `watch -l` on a local: its dead slot is not modelled
            if frame_index is None:
                report = [
                    "",
                    f"Watchpoint {p.number} deleted because the program has left the block in",
                    "which its expression is valid.",
                ]
                self.points.delete(p.number)
                return report + self.where_now(True)
            try:
                new = self.inspect.value_text(st, frame_index, watched(p))
            except CommandError:
                return None
            if new == p.old_value:
                return None
            old, p.old_value = p.old_value, new
            p.hits += 1
            return [
                "",
                f"Hardware watchpoint {p.number}: {p.expression}",
                "",
                f"Old value = {'<unreadable>' if old is None else old}",
                f"New value = {new}",
            ] + self.where_now(True)
        finally:
            self.pos, self.exited, self._state_cache, self.selected = saved

    def _scope_index(self, st: State, p: Point) -> int | None:
        if p.scope_frame is None:
            return 0
        for k in range(len(st.frames) - 1, -1, -1):
            if st.frames[k].call_index == p.scope_frame:
                return len(st.frames) - 1 - k
        return None

    def refresh_watch_values(self) -> None:
        """After moving without checking (goto, reverse), watch values are re-read."""
        st = self.state()
        for p in self.points.active("watchpoint"):
            idx = self._scope_index(st, p)
            try:
                p.old_value = (
                    None if idx is None else self.inspect.value_text(st, idx, watched(p))
                )
            except CommandError:
                p.old_value = None

    # --- displays ------------------------------------------------------------------------
    def show_displays(self) -> list[str]:
        out = []
        if not self.running:
            return out
        for number, (expr, fmt) in sorted(self.displays.items()):
            try:
                text = self.inspect.value_text(self.state(), self.frame_index_for_eval(), expr, fmt)
                out.append(f"{number}: {'/' + fmt + ' ' if fmt else ''}{expr} = {text}")
            except CommandError as err:
                if str(err).startswith("No symbol"):
                    continue  # gdb shows a display only where its names are in scope
                out.append(f"{number}: {expr} = <error: {err}>")
        return out

    # --- reverse run control ------------------------------------------------------------
    def reverse_to(self, target: int | None, from_call: int | None,
                   line_start: bool = True) -> list[str]:
        """Move backwards, stopping at the last point hit before reaching `target` (the
        recording's start at most: `record` after `record stop` starts it later);
        `line_start` False: `target` is mid-line at a call (goto's)."""
        floor = self.record_floor
        if floor is not None and self.pos is not None and floor > self.pos:
            floor = self.record_floor = self.pos  # restarted before it (a checkpoint)
        if floor is not None and (target is None or target < floor):
            target = None
        hit = self.last_hit(
            self.pos if self.pos is not None else len(self.events),
            target if target is not None else (floor if floor is not None else -1),
        )
        if hit is not None:
            pos, report = hit
            self.goto(pos)
            self.refresh_watch_values()
            return report + self.show_displays()
        if target is None:
            first = self.index.stops[0] if self.index.stops else 0
            if floor is not None:
                first = floor
            self.goto(first)
            self.refresh_watch_values()
            return (
                ["", "No more reverse-execution history."]
                + self.where_now(True)
                + self.show_displays()
            )
        self.goto(target, line_start)
        self.refresh_watch_values()
        changed = self._top_call() != from_call
        return self.where_now(with_frame=changed) + self.show_displays()

    def last_hit(self, before: int, floor: int) -> tuple[int, list[str]] | None:
        """Backwards: the last position < `before` and >= `floor` where a point triggers."""
        at: dict[int, list[Point]] = {}
        for p in self.points.points.values():
            if p.enabled:
                for pos in self._positions_before(p, before, floor):
                    at.setdefault(pos, []).append(p)
        self.searching += 1
        try:
            return self._last_hit_in(at, before)
        finally:
            self.searching -= 1
            if not self.searching:
                self.interrupted = False

    def _last_hit_in(self, at: dict[int, list[Point]], before: int) -> tuple[int, list[str]] | None:
        for pos in sorted(at, reverse=True):
            if self.interrupted:
                return self._interrupted_at(pos, before, forward=False)
            for p in at[pos]:
                if p.number not in self.points.points:
                    continue  # deleted by an earlier trigger (a temporary breakpoint)
                if p.kind == "watchpoint":
                    report = self._reverse_watch(p, pos)
                else:
                    report = self._triggers(p, pos)
                if report is not None:
                    if p.kind == "watchpoint":  # the others the same statement changed
                        others = [q for q in at[pos] if q is not p and q.kind == "watchpoint"
                                  and q.number in self.points.points]
                        report = _with_others(report, [self._reverse_watch(q, pos)
                                                       for q in others])
                    return pos, report
        return None

    def _positions_before(self, p: Point, before: int, floor: int) -> list[int]:
        idx = self.index
        if p.kind == "breakpoint":
            assert p.location is not None
            loc = p.location
            if loc.function == "exit":
                e = idx.exit_index
                return [e] if e is not None and floor <= e < before else []
            numbers = (
                idx.entries.get(loc.function, [])
                if loc.function
                else idx.by_location.get((loc.file or "", loc.line or 0), [])
            )
            return [idx.stops[n] for n in numbers if floor <= idx.stops[n] < before]
        if p.kind == "catchpoint":
            return [
                i
                for name in CATCH_KINDS[p.catch or ""]
                for i in idx.by_kind.get(name, [])
                if floor <= i < before
            ]
        out = []
        for w in self._watch_writes(p):
            stop = idx.prev_stop(w + 1)  # the statement during which the store happened
            if stop is not None and floor <= stop < before:
                out.append(stop)
        return out

    def _reverse_watch(self, p: Point, pos: int) -> list[str] | None:
        """Going backwards a watchpoint stops on the statement that changed the value, as
        gdb's reverse execution does: Old is the value after it, New the value before."""
        saved = (self.pos, self.exited, self._state_cache, self.selected)
        try:
            self.goto(pos)
            st_before = self.state()
            fb = self._scope_index(st_before, p)
            nxt = self.index.next_stop(pos)
            self.goto(nxt if nxt is not None else len(self.events) - 1)
            st_after = self.state()
            fa = self._scope_index(st_after, p)
            try:
                before = (
                    self.inspect.value_text(st_before, fb, watched(p))
                    if fb is not None
                    else None
                )
                after = (
                    self.inspect.value_text(st_after, fa, watched(p))
                    if fa is not None
                    else None
                )
            except CommandError:
                return None
            if after == before or before is None:
                return None
            self.goto(pos)
            p.hits += 1
            p.old_value = before
            return [
                "",
                f"Hardware watchpoint {p.number}: {p.expression}",
                "",
                f"Old value = {after}",
                f"New value = {before}",
            ] + self.where_now(True)
        finally:
            self.pos, self.exited, self._state_cache, self.selected = saved

    # --- helpers for commands --------------------------------------------------------------
    def resolve_location(self, text: str) -> Location:
        text = text.strip()
        if not text:
            frames = self.frames()
            if not frames:
                raise CommandError("No default breakpoint location now selected.")
            return Location(file=frames[0].file, line=frames[0].line)
        if text == "exit":
            return Location(function="exit")
        if ":" in text:
            file, _, rest = text.rpartition(":")
            files = {f.file for f in self.index.frames.values()}
            match = [f for f in files if f == file or f.endswith("/" + file)]
            if not match:
                raise CommandError(f"No source file named {file}.")
            if rest.isascii() and rest.isdigit():
                return Location(file=match[0], line=_line_number(rest))
            return self._function(rest)
        if text.isascii() and text.isdigit():
            line = _line_number(text)
            frames = self.frames()
            if frames and frames[0].call_index is not None:
                return Location(file=frames[0].file, line=line)
            # no frame yet: the one traced file with a stop there, else main's file as gdb
            files = sorted({f for f, l in self.index.by_location if l == line})
            main_file = self.debug.main.file
            return Location(file=files[0] if len(files) == 1 else main_file, line=line)
        return self._function(text)

    def _function(self, name: str) -> Location:
        if name not in self.inspect.known_functions() and name not in self.index.entries:
            raise CommandError(f'Function "{name}" not defined.')
        return Location(function=name)

    def location_address(self, loc: Location) -> tuple[int, str, int]:
        """(address, file, line) of a location, as `break` reports it."""
        code = self.debug.code
        if loc.function == "exit":
            return (code.load_base if self.running else 0) + code.exit_offset, "", 0
        if loc.function:
            file, line = self.inspect.function_entry(loc.function, self.index)
        else:
            file, line = loc.file or "", loc.line or 0
        base = code.load_base if self.running else 0
        return base + code.offset(file, line), file, line

    # --- beyond gdb: why and last -----------------------------------------------------------
    def decisions_here(self) -> list[Any]:
        """The branch, assert, report and exit events of the statement at the position."""
        assert self.pos is not None
        start = (
            self.index.stops[self.index.stop_number(self.pos)]
            if self.index.stop_number(self.pos) >= 0
            else 0
        )
        out = []
        for i in range(start, len(self.events)):
            e = self.events[i]
            kind = type(e)
            if i > start and kind in (ev.Step, ev.Call):
                break
            if kind in (ev.Branch, ev.Assert, ev.Report, ev.Exit):
                out.append(e)
        return out

    def explain(self, e: Any) -> list[str]:
        kind = type(e)
        if kind is ev.Branch:
            head = [
                f"{self._here()}: if ({e.cond}) is {'true' if e.taken else 'false'}, "
                f"so the branch is {'taken' if e.taken else 'not taken'}."
            ]
        elif kind is ev.Assert:
            head = [f"{self._here()}: assert ({e.cond}) {'holds' if e.ok else 'FAILS'}."]
        elif kind is ev.Report:
            head = [f"{self._here()}: QEMU reports ({e.kind}): {e.text.strip()}"]
            origin = self._error_origin(e)
            if origin:
                head.append(origin)
            return head
        else:
            head = [f"{self._here()}: exit({e.status})"]
            return head
        for name, value in e.values.items():
            head.append(f"  {name} = {value}{self._who_wrote(name)}")
        return head

    def _here(self) -> str:
        f = self.frames()[0]
        return f"{f.fn} at {f.file}:{f.line}"

    def _error_origin(self, report: Any) -> str | None:
        """Where the Error being reported was set (error_setg), if elsewhere."""
        assert self.pos is not None
        for i in range(self.pos, -1, -1):
            e = self.events[i]
            if type(e) is ev.Fact and e.name == "error.set" and e.data.get("text") == report.text:
                info = self.index.frame_at(i)
                n = self.index.stop_number(i) + 1
                return (
                    f"  the error was set at stop {n}: {info.fn if info else '?'} at "
                    f"{info.file if info else '?'}:{e.line}"
                )
        return None

    def _who_wrote(self, name: str) -> str:
        """`, written at stop N (fn file:line)` for a local or a memory path named `name`."""
        assert self.pos is not None
        best: int | None = None
        call = self._top_call()
        if call is not None:
            best = self.index.last_before(
                self.index.local_writes.get((call, name), []), self.pos + 1
            )
        if best is None:
            for path, writes in self.index.writes.items():
                if path == name or path.endswith("." + name):
                    w = self.index.last_before(writes, self.pos + 1)
                    if w is not None and (best is None or w > best):
                        best = w
        if best is None:  # an operand named by its C expression: what it reads
            from .inspect import operand_writer

            best = operand_writer(self, name)
        if best is None:
            return ""
        return "  " + self._describe_write(best)

    def _describe_write(self, i: int) -> str:
        info = self.index.frame_at(i)
        n = self.index.stop_number(i) + 1
        e = self.events[i]
        line = self.events[self.index.stops[n - 1]].line if n > 0 else "?"
        target = e.path if type(e) is ev.Write else e.name
        return (
            f"(written at stop {n}: {info.fn if info else '?'} at "
            f"{info.file if info else '?'}:{line}, {target} = {e.value})"
        )

    def last_change(self, expr: str) -> list[str]:
        assert self.pos is not None
        st = self.state()
        fi = self.frame_index_for_eval()
        paths, local_keys = self.inspect.reads(st, fi, expr)
        best = None
        lists = [self.index.writes.get(path, []) for path in paths]
        lists += [self.index.local_writes.get(key, []) for key in local_keys]
        for writes in lists:
            w = self.index.last_before(writes, self.pos + 1)
            if w is not None and (best is None or w > best):
                best = w
        value = self.inspect.value_text(st, fi, expr)
        if best is None:
            return [
                f"{expr} = {value}: never written before this point (zero-initialised or "
                "not yet set)."
            ]
        return [
            f"{expr} = {value}, last changed at stop {self.index.stop_number(best) + 1}:",
            "  " + self._describe_write(best),
        ]


def _with_others(report: list[str], others: list[list[str] | None]) -> list[str]:
    """One stop, several watchpoints changed: each one's value lines, then the place once,
    as gdb reports them (in breakpoint number order)."""
    head = 5  # "", "Hardware watchpoint N: EXPR", "", "Old value = ...", "New value = ..."
    if not report[1:2] or not report[1].startswith("Hardware watchpoint"):
        return report
    extra = [r[:head] for r in others
             if r is not None and r[1:2] and r[1].startswith("Hardware watchpoint")]
    return report[:head] + [line for r in extra for line in r] + report[head:]


def watched(p: Point) -> str:
    """The expression a watchpoint evaluates (`watch -l`'s is its address, `*(T *) 0x...`)."""
    return getattr(p, "watch_expr", None) or p.expression or ""


def _line_number(digits: str) -> int:
    """A line number as typed: any length costs nothing (gdb's limit is its int)."""
    if len(digits) > 64:
        raise CommandError("Numeric constant too large.")
    return int(digits)
