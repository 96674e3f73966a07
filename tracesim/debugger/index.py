"""An index over a trace's events for the debugger: frames, stops and where things happen.

Built in one pass, so every run-control question (the next stop at this depth, the next hit
of a breakpoint, the last write of a path) is a bisect instead of a scan.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from ..trace import events as ev
from ..trace.seq import EventSeq, Run
from .piecewise import Piecewise


def _ramped(table: dict[Any, Any], key: Any) -> Piecewise:
    """The table's list at key, made a Piecewise if it is not one yet."""
    values = table.get(key)
    if not isinstance(values, Piecewise):
        values = table[key] = Piecewise(values or ())
    return values


@dataclass
class FrameInfo:
    """One call: where it began and ended in the event sequence."""

    call_index: int
    fn: str
    file: str
    args: dict[str, Any]
    depth: int  # 1 for main
    parent: int | None  # call_index of the caller
    return_index: int | None = None  # None: still running when the trace ended
    entry_stop: int | None = None  # event index of its first statement stop


class TraceIndex:
    def __init__(self, events: Sequence[Any]) -> None:
        self.events = events
        self.frames: dict[int, FrameInfo] = {}
        self.stops: list[int] = []  # event indices of Step events
        self.stop_frame: list[int] = []  # call_index of the frame of each stop
        self.stop_depth: list[int] = []
        self.stop_line: list[int] = []
        # the frame on top after each call or return (frames only change there)
        self.boundaries: list[int] = []
        self.tops_after: list[int] = []
        self.by_location: dict[tuple[str, int], list[int]] = defaultdict(list)  # -> stop numbers
        self.entries: dict[str, list[int]] = defaultdict(list)  # fn -> stop numbers of entries
        self.writes: dict[str, list[int]] = defaultdict(list)  # memory path -> event indices
        self.local_writes: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.by_kind: dict[str, list[int]] = defaultdict(list)  # report kind / fact name / exit
        self.exit_index: int | None = None
        self._stack: list[int] = []
        if type(events) is EventSeq:
            records, starts, prev = events.records, events.starts, 0
            for r, run in sorted(events.runs.items()):
                self._add(zip(starts[prev:r], records[prev:r]))
                self._add_run(run)
                prev = r + 1
            self._add(zip(starts[prev:], records[prev:]))
        else:
            self._add(enumerate(events))

    @classmethod
    def from_tables(cls, events: Sequence[Any], **tables: Any) -> "TraceIndex":
        """An index whose tables were built elsewhere (stored_index.py: a trace's index file),
        as sequences and mappings with the same values as those __init__ builds."""
        index = cls.__new__(cls)
        index.events = events
        index._stack = []
        for name, table in tables.items():
            setattr(index, name, table)
        return index

    def _add(self, events: Iterable[tuple[int, Any]]) -> None:
        """Index events given with their positions."""
        stack = self._stack
        top = stack[-1] if stack else -1
        frames = self.frames
        stops_append = self.stops.append
        frame_append = self.stop_frame.append
        depth_append = self.stop_depth.append
        line_append = self.stop_line.append
        boundary_append, top_append = self.boundaries.append, self.tops_after.append
        by_location, writes, local_writes = self.by_location, self.writes, self.local_writes
        Step, Branch, Loop, Call, Return = ev.Step, ev.Branch, ev.Loop, ev.Call, ev.Return
        for i, e in events:
            kind = type(e)
            if kind is Branch or kind is Loop:  # the commonest events need no indexing
                pass
            elif kind is Step:
                info = frames[top]
                n = len(self.stops)
                if info.entry_stop is None:
                    info.entry_stop = i
                    self.entries[info.fn].append(n)
                stops_append(i)
                frame_append(top)
                depth_append(info.depth)
                line_append(e.line)
                by_location[(info.file, e.line)].append(n)
            elif kind is ev.Local:
                local_writes[(top, e.name)].append(i)
            elif kind is Call:
                parent = top if stack else None
                stack.append(i)
                top = i
                frames[i] = FrameInfo(i, e.fn, e.file, e.args, len(stack), parent)
                boundary_append(i)
                top_append(top)
            elif kind is Return:
                frames[stack.pop()].return_index = i
                top = stack[-1] if stack else -1
                boundary_append(i)
                top_append(top)
            elif kind is ev.Write:
                writes[e.path].append(i)
            elif kind is ev.Report:
                self.by_kind[e.kind].append(i)
            elif kind is ev.Fact:
                self.by_kind[e.name].append(i)
            elif kind is ev.Assert:
                self.by_kind["assert"].append(i)
            elif kind is ev.Exit:
                self.by_kind["exit"].append(i)
                self.exit_index = i

    def _add_run(self, run: Run) -> None:
        """Index a run of repetitions as ramps: one entry per list, not one per event."""
        top = self._stack[-1]
        info = self.frames[top]
        body = run.repetition(0)
        steps = [j for j, e in enumerate(body) if type(e) is ev.Step]
        if not isinstance(self.stops, Piecewise):
            self.stops, self.stop_frame, self.stop_depth, self.stop_line = (
                Piecewise(self.stops), Piecewise(self.stop_frame),
                Piecewise(self.stop_depth), Piecewise(self.stop_line))
        n0, per = len(self.stops), len(steps)
        if steps and info.entry_stop is None:
            info.entry_stop = run.start + steps[0]
            self.entries[info.fn].append(n0)
        self.stops.add_ramp(run.start, run.width, steps, run.times)
        self.stop_frame.add_ramp(top, 0, [0] * per, run.times)
        self.stop_depth.add_ramp(info.depth, 0, [0] * per, run.times)
        self.stop_line.add_ramp(0, 0, [body[j].line for j in steps], run.times)
        at_line: dict[int, list[int]] = defaultdict(list)
        for n, j in enumerate(steps):
            at_line[body[j].line].append(n)
        for line, offsets in at_line.items():
            _ramped(self.by_location, (info.file, line)).add_ramp(n0, per, offsets,
                                                                    run.times)
        named: dict[str, list[int]] = defaultdict(list)
        for j, e in enumerate(body):
            if type(e) is ev.Local:
                named[e.name].append(j)
        for name, offsets in named.items():
            _ramped(self.local_writes, (top, name)).add_ramp(run.start, run.width, offsets,
                                                              run.times)

    # --- stops -----------------------------------------------------------------------
    def stop_number(self, event_index: int) -> int:
        """The number of the last stop at or before `event_index` (-1 if none)."""
        return bisect.bisect_right(self.stops, event_index) - 1

    def ancestor(self, call: int, depth: int) -> FrameInfo:
        """The frame at `depth` on the stack that holds frame `call`."""
        info = self.frames[call]
        while info.depth > depth and info.parent is not None:
            info = self.frames[info.parent]
        return info

    def next_stop(self, event_index: int, max_depth: int | None = None) -> int | None:
        """Event index of the first stop after `event_index` no deeper than max_depth;
        deeper calls are skipped whole."""
        stops, depth = self.stops, self.stop_depth
        n = bisect.bisect_right(stops, event_index)
        while n < len(stops):
            if max_depth is None or depth[n] <= max_depth:
                return stops[n]
            ret = self.ancestor(self.stop_frame[n], max_depth + 1).return_index
            if ret is None:
                return None
            n = bisect.bisect_right(stops, ret)
        return None

    def prev_stop(self, event_index: int, max_depth: int | None = None) -> int | None:
        stops, depth = self.stops, self.stop_depth
        n = bisect.bisect_left(stops, event_index) - 1
        while n >= 0:
            if max_depth is None or depth[n] <= max_depth:
                return stops[n]
            n = (
                bisect.bisect_left(
                    stops, self.ancestor(self.stop_frame[n], max_depth + 1).call_index
                )
                - 1
            )
        return None

    def frame_at(self, event_index: int) -> FrameInfo | None:
        if not 0 <= event_index < len(self.events):
            return None
        k = bisect.bisect_right(self.boundaries, event_index) - 1
        call = self.tops_after[k] if k >= 0 else -1
        return self.frames.get(call)

    @staticmethod
    def first_after(indices: list[int], event_index: int) -> int | None:
        k = bisect.bisect_right(indices, event_index)
        return indices[k] if k < len(indices) else None

    @staticmethod
    def last_before(indices: list[int], event_index: int) -> int | None:
        k = bisect.bisect_left(indices, event_index) - 1
        return indices[k] if k >= 0 else None

    def functions(self) -> list[str]:
        return sorted({f.fn for f in self.frames.values()})

    def locations(self) -> list[tuple[str, int]]:
        return sorted(self.by_location)
