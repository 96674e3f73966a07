"""The state at any position of a trace opened through its index: a checkpoint and a short
fold (fold.Timeline's job, for a trace whose events are read lazily).

A checkpoint (at a block's start) holds the fold's frames, messages and exit; memory is the
log of every store (position, path, value) up to it: both in the index (idxbuild.py). The
state at N is the last checkpoint at or before N, then `fold.advance` over the events between,
which decodes only the blocks they are in.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from typing import Any

import msgspec

from .fold import Frame, State, advance
from .lazy import LazyEvents

KEEP = 4  # checkpoints kept built (a dict of every path stored so far, each)


class StoredTimeline:
    lazy = True  # nothing to gain from folding ahead in the background

    def __init__(self, events: LazyEvents, index: Any) -> None:
        self.events = events
        self._index = index
        source = events.source
        blocks = index.array("cp.block")
        self.positions = [source.first[b] if b < source.blocks else len(events) for b in blocks]
        self._offsets = index.array("cp.offset")
        self._wl_pos = index.array("wl.pos")
        self._wl_path = index.array("wl.path")
        self._paths: list[str] | None = None
        self._values: list[Any] | None = None
        self._built: OrderedDict[int, State] = OrderedDict()
        self._final: State | None = None
        self._lock = threading.RLock()

    def _store_log(self) -> tuple[list[str], list[Any]]:
        if self._paths is None or self._values is None:
            self._paths = self._index.json("keys.wr")
            self._values = self._index.json("wl.values")
        return self._paths, self._values

    def _checkpoint(self, k: int) -> State:
        """The state at checkpoint k (kept: the caller copies it)."""
        state = self._built.get(k)
        if state is not None:
            self._built.move_to_end(k)
            return state
        start, stop = self._offsets[k], self._offsets[k + 1]
        frames, reports, exit_status, stores = msgspec.json.decode(
            self._index.raw("cp.data")[start:stop])
        paths, values = self._store_log()
        memory = dict(zip(map(paths.__getitem__, self._wl_path[:stores]), values[:stores]))
        state = State(memory, [Frame(fn, file, line, args, local, call)
                               for fn, file, line, args, local, call in frames],
                      reports, exit_status, self.positions[k])
        self._built[k] = state
        if len(self._built) > KEEP:
            self._built.popitem(last=False)
        return state

    def state_at(self, position: int) -> State:
        """The state after the first `position` events."""
        position = max(0, min(position, len(self.events)))
        with self._lock:
            k = bisect.bisect_right(self.positions, position) - 1
            state = self._checkpoint(k).copy()
        return advance(state, self.events, position)

    @property
    def final(self) -> State:
        with self._lock:
            if self._final is None:
                self._final = self.state_at(len(self.events))
            return self._final
