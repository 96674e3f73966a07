"""An index over a trace's events for the debugger: frames, stops and where things happen.

Built in one pass, so every run-control question (the next stop at this depth, the next hit
of a breakpoint, the last write of a path) is a bisect instead of a scan.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Sequence

from ..trace import events as ev


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
        stack: list[int] = []
        top = -1
        frames = self.frames
        stops_append = self.stops.append
        frame_append = self.stop_frame.append
        depth_append = self.stop_depth.append
        line_append = self.stop_line.append
        boundary_append, top_append = self.boundaries.append, self.tops_after.append
        by_location, writes, local_writes = self.by_location, self.writes, self.local_writes
        Step, Branch, Loop, Call, Return = ev.Step, ev.Branch, ev.Loop, ev.Call, ev.Return
        for i, e in enumerate(events):
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
