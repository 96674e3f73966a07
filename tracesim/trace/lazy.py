"""A trace's events read through its index: a Sequence that decodes the blocks it is asked
for (blocks.py), as EventSeq (seq.py) stands for the events of records in memory.

Position N is the N-th event, as in EventSeq; `pieces` is EventSeq's too, so the fold and the
readers that take whole repetitions at once work on it unchanged.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from .blocks import BlockSource
from .seq import Run, slice_of


class LazyEvents(Sequence[Any]):
    def __init__(self, source: BlockSource) -> None:
        self.source = source
        self.length = source.events

    def __len__(self) -> int:
        return self.length

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(other) == self.length and \
            list(self) == list(other)

    def __getitem__(self, position: Any) -> Any:
        if isinstance(position, slice):
            return slice_of(self, position)
        if position < 0:
            position += self.length
        if not 0 <= position < self.length:
            raise IndexError("event position out of range")
        source = self.source
        return source.get(source.block_of(position)).event(position)

    def __iter__(self) -> Iterator[Any]:
        for _, piece in self.pieces(0, self.length):
            if type(piece) is Run:
                for k in range(piece.times):
                    yield from piece.repetition(k)
            else:
                yield piece

    def pieces(self, start: int, stop: int) -> Iterator[tuple[int, Any]]:
        """The records covering positions [start, stop): (position, event) for a plain one,
        (position, Run) for a run (which may begin before `start` or end after `stop`)."""
        if start >= stop:
            return
        source = self.source
        first = source.first
        b = max(source.block_of(start), 0)
        while b < source.blocks and first[b] < stop:
            yield from source.get(b).pieces(start, stop)
            b += 1
