"""Folding events into state, and checkpoints that make any position cheap to reach.

The state at position N is `fold(events[:N])`: memory as a flat map from C lvalue path to
value (unwritten paths read as zero), the frame stack with each frame's locals, and the
messages printed so far. `apply_event` is the one step of the fold.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field
from typing import Any, Sequence

from . import events as ev
from .seq import Run


@dataclass
class Frame:
    fn: str
    file: str
    line: int | None
    args: dict[str, Any]
    locals: dict[str, Any]
    call_index: int  # index of the Call event that pushed it

    def copy(self) -> "Frame":
        return Frame(self.fn, self.file, self.line, self.args, dict(self.locals), self.call_index)


@dataclass
class State:
    memory: dict[str, Any] = field(default_factory=dict)
    frames: list[Frame] = field(default_factory=list)
    reports: int = 0  # how many report events have happened (they are append-only)
    exit_status: int | None = None
    position: int = 0  # events folded so far

    def copy(self) -> "State":
        return State(
            dict(self.memory),
            [f.copy() for f in self.frames],
            self.reports,
            self.exit_status,
            self.position,
        )

    @property
    def frame(self) -> Frame | None:
        return self.frames[-1] if self.frames else None


def apply_event(state: State, event: Any, index: int) -> State:
    """One step of the fold: the state after `event` (the event at `index`)."""
    kind = type(event)
    if kind is ev.Step:
        state.frames[-1].line = event.line
    elif kind is ev.Branch or kind is ev.Loop or kind is ev.Fact or kind is ev.Assert:
        pass  # decisions and facts describe; they change nothing
    elif kind is ev.Local:
        state.frames[-1].locals[event.name] = event.value
    elif kind is ev.Write:
        state.memory[event.path] = event.value
    elif kind is ev.Call:
        state.frames.append(Frame(event.fn, event.file, None, event.args, dict(event.args), index))
    elif kind is ev.Return:
        state.frames.pop()
    elif kind is ev.Report:
        state.reports += 1
    elif kind is ev.Exit:
        state.exit_status = event.status
    state.position = index + 1
    return state


def advance(state: State, events: Sequence[Any], end: int) -> State:
    """Fold `state` forward in place to position `end`. Of a run of repetitions (seq.py)
    only the last whole one before `end` and what follows it are applied: every repetition
    stores the same locals and stops at the same lines, so the last one decides."""
    pieces = getattr(events, "pieces", None)  # an EventSeq, or the events of an index (lazy.py)
    if pieces is None:
        for index in range(state.position, end):
            apply_event(state, events[index], index)
        return state
    for at, piece in pieces(state.position, end):
        if type(piece) is not Run:
            apply_event(state, piece, at)
            continue
        a, b = max(state.position, piece.start), min(end, piece.stop)
        width = piece.width
        whole = (b - piece.start) // width  # repetitions that end at or before b
        last = piece.start + (whole - 1) * width  # where the last of them begins
        if whole and last >= a:
            a = last
        for index in range(a, b):
            apply_event(state, piece.event(index), index)
    state.position = max(state.position, end)
    return state


def fold(events: Sequence[Any], until: int | None = None, start: State | None = None) -> State:
    state = start.copy() if start is not None else State()
    end = len(events) if until is None else until
    return advance(state, events, end)


class Timeline:
    """A trace's events with checkpoints of folded state every `every` events.

    Checkpoints are taken lazily, as far as the furthest position asked for, so opening a
    long trace costs nothing until a position is needed (rr takes its snapshots on demand too).
    """

    def __init__(self, events: Sequence[Any], every: int | None = None) -> None:
        self.events = events
        # Bound the number of checkpoints so memory stays flat on huge traces.
        self.every = every or max(512, len(events) // 256)
        self.positions: list[int] = [0]
        self.checkpoints: list[State] = [State()]
        self._head = State()  # folded as far as the last checkpoint taken, or further
        self._lock = threading.Lock()  # a front end may take checkpoints in the background

    def _extend_to(self, position: int) -> None:
        """Fold forward, keeping checkpoints, until `position` is covered."""
        head, events, every = self._head, self.events, self.every
        end = min(position, len(events))
        while head.position < end:
            boundary = (head.position // every + 1) * every
            advance(head, events, min(end, boundary))
            if head.position == boundary:
                self.positions.append(head.position)
                self.checkpoints.append(head.copy())

    @property
    def final(self) -> State:
        with self._lock:
            self._extend_to(len(self.events))
            return self._head

    def state_at(self, position: int) -> State:
        """The state after the first `position` events."""
        position = max(0, min(position, len(self.events)))
        with self._lock:
            if position > self._head.position:
                self._extend_to(position)
            if position == self._head.position:
                return self._head.copy()
            k = bisect.bisect_right(self.positions, position) - 1
            start = self.checkpoints[k]
        return fold(self.events, position, start)
