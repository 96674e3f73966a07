"""Long sorted integer sequences kept as stretches and periodic ramps.

The debugger's index lists every stop, and where each line stops and each local is written.
A trace's runs of repeated iterations (trace/seq.py) stand for millions of stops that follow
a pattern: the stops of run r are `start + k * width + offset`. Kept as such ramps they cost
one entry per run, and `bisect` still finds any of them: this is a Sequence.
"""

from __future__ import annotations

import bisect
from typing import Any, Iterable, Sequence


class _Ramp:
    __slots__ = ("base", "stride", "offsets", "times")

    def __init__(self, base: int, stride: int, offsets: tuple[int, ...], times: int) -> None:
        self.base, self.stride, self.offsets, self.times = base, stride, offsets, times

    def __len__(self) -> int:
        return len(self.offsets) * self.times

    def __getitem__(self, j: int) -> int:
        k, o = divmod(j, len(self.offsets))
        return self.base + k * self.stride + self.offsets[o]


class Piecewise(Sequence[int]):
    """Explicit values (appended one by one) and ramps (`add_ramp`), in order."""

    def __init__(self, items: Iterable[int] = ()) -> None:
        self._firsts: list[int] = []  # the index of each closed piece's first value
        self._pieces: list[Any] = []  # a list of values or a _Ramp
        self._tail: list[int] = list(items)
        self._tail_first = 0
        self.append = self._tail.append  # type: ignore[method-assign]

    def add_ramp(self, base: int, stride: int, offsets: Sequence[int], times: int) -> None:
        """Append base + k * stride + o for k in range(times), for o in offsets."""
        if self._tail:
            self._firsts.append(self._tail_first)
            self._pieces.append(self._tail)
            self._tail_first += len(self._tail)
        ramp = _Ramp(base, stride, tuple(offsets), times)
        self._firsts.append(self._tail_first)
        self._pieces.append(ramp)
        self._tail_first += len(ramp)
        self._tail = []
        self.append = self._tail.append  # type: ignore[method-assign]

    def __len__(self) -> int:
        return self._tail_first + len(self._tail)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if i >= self._tail_first:
            return self._tail[i - self._tail_first]  # IndexError past the end
        if i < 0:
            raise IndexError("index out of range")
        p = bisect.bisect_right(self._firsts, i) - 1
        return self._pieces[p][i - self._firsts[p]]
