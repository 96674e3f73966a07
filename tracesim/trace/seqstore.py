"""Families of sorted integer sequences as compact arrays, for the index file.

The debugger's index keeps lists of positions and stop numbers (every stop, where each line
stops, where each local is written ...). A trace's runs of repeated iterations (seq.py) make
some of them periodic: `base + k * stride + offset` for k in range(times). A family holds
many such sequences in a few flat arrays: explicit stretches of values and ramps, each
sequence a range of pieces. Built appending (`SeqBuilder`), stored by `encode_family`, read
back as memoryview slices (a sequence of one stretch: bisect runs in C) or `StoredSeq`.
"""

from __future__ import annotations

import bisect
from array import array
from typing import Any, Iterable, Iterator, Sequence

_CODES = (("b", 1 << 7), ("h", 1 << 15), ("i", 1 << 31), ("q", 1 << 63))
CODE = "i"  # what positions and stop numbers are built in: a trace beyond 2**31 events
# overflows an append (OverflowError), and gets no index


def narrow(values: array, lo: int | None = None, hi: int | None = None) -> array:
    """The same values in the smallest signed typecode that holds them (or holds lo..hi,
    when the caller knows bounds: no pass over the values)."""
    if not values:
        return array("b")
    if lo is None or hi is None:
        lo, hi = min(values), max(values)
    for code, bound in _CODES:
        if -bound <= lo and hi < bound:
            if values.typecode == code or (values.itemsize <= 4 and len(values) > 1 << 16):
                return values  # (a long array of 4-byte values: not worth a pass to shrink)
            return array(code, values)
    raise OverflowError("a value beyond 64 bits")


class SeqBuilder:
    """A growing sequence: values appended one by one to `tail` (the same array for good, so
    a caller may keep it or its `append`), ramps added whole."""

    __slots__ = ("pieces", "tail", "closed", "append")

    def __init__(self, tail: array | None = None) -> None:
        self.pieces: list[Any] = []  # closed pieces: an array, or (base, stride, offsets, times)
        self.tail = array(CODE) if tail is None else tail  # (values appended so far, if given)
        self.closed = 0  # values in the closed pieces
        self.append = self.tail.append

    def add_ramp(self, base: int, stride: int, offsets: Sequence[int], times: int) -> None:
        """Append base + k * stride + o for k in range(times), for o in offsets."""
        if self.tail:
            self.pieces.append(array(self.tail.typecode, self.tail))
            self.closed += len(self.tail)
            del self.tail[:]
        if offsets and times:
            self.pieces.append((base, stride, tuple(offsets), times))
            self.closed += len(offsets) * times

    def __len__(self) -> int:
        return self.closed + len(self.tail)

    def all_pieces(self) -> list[Any]:
        return self.pieces + ([self.tail] if self.tail else [])


def _joined(values: array, more: array) -> array:
    """values + more, in the wider of their typecodes (values grows in place if it can;
    more itself, when values is empty: the caller gives up its arrays)."""
    if not values and more.itemsize >= values.itemsize:
        return more
    if more.typecode != values.typecode:
        if more.itemsize > values.itemsize:
            values = array(more.typecode, values)
        else:
            more = array(values.typecode, more)
    values += more
    return values


def encode_family(prefix: str, seqs: Iterable[SeqBuilder | array], lo: int | None = None,
                  hi: int | None = None) -> dict[str, array]:
    """Sections `prefix.*` holding these sequences (a SeqBuilder, or an array: one stretch),
    in order: sequence k is pieces seq[k]..seq[k+1] of the piece table (first index, kind, a,
    b, c, d, e). lo..hi: bounds of the values, if known. The sequences are used up (their
    arrays may become the values)."""
    seq = array("q", [0])
    first, kind, a, b, c, d, e = (array("q") for _ in range(7))
    values, offs = array("b"), array("q")
    for s in seqs:
        if type(s) is SeqBuilder and not s.pieces:
            s = s.tail
        if type(s) is array:  # the common case: one stretch
            first.append(0), kind.append(0), a.append(len(values)), b.append(len(s))
            c.append(0), d.append(0), e.append(0)
            values = _joined(values, s)
            seq.append(len(first))
            continue
        at = 0
        for piece in s.all_pieces():
            first.append(at)
            if isinstance(piece, array):  # explicit: its values
                kind.append(0)
                a.append(len(values))
                b.append(len(piece))
                c.append(0), d.append(0), e.append(0)
                values = _joined(values, piece)
                at += len(piece)
            else:
                base, stride, offsets, times = piece
                kind.append(1)
                a.append(base)
                b.append(stride)
                c.append(len(offs))
                d.append(len(offsets))
                e.append(times)
                offs.extend(offsets)
                at += len(offsets) * times
        seq.append(len(first))
    out = {f"{prefix}.{k}": narrow(v) for k, v in (
        ("seq", seq), ("first", first), ("kind", kind), ("a", a), ("b", b), ("c", c), ("d", d),
        ("e", e), ("offs", offs))}
    out[f"{prefix}.values"] = narrow(values, lo, hi)
    return out


class StoredSeq(Sequence[int]):
    """A stored sequence of several pieces (stretches and ramps)."""

    __slots__ = ("_firsts", "_pieces", "_len")

    def __init__(self, firsts: list[int], pieces: list[Any], length: int) -> None:
        self._firsts = firsts
        self._pieces = pieces  # a memoryview of values, or (base, stride, offsets, times)
        self._len = length

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("index out of range")
        p = bisect.bisect_right(self._firsts, i) - 1
        piece = self._pieces[p]
        j = i - self._firsts[p]
        if type(piece) is tuple:
            base, stride, offsets, _ = piece
            k, o = divmod(j, len(offsets))
            return base + k * stride + offsets[o]
        return piece[j]

    def __iter__(self) -> Iterator[int]:
        for piece in self._pieces:
            if type(piece) is tuple:
                base, stride, offsets, times = piece
                for k in range(times):
                    at = base + k * stride
                    for o in offsets:
                        yield at + o
            else:
                yield from piece


class Family:
    """The sequences of one family, read from an index file's sections."""

    def __init__(self, index: Any, prefix: str) -> None:
        a = index.array
        self._seq = a(f"{prefix}.seq")
        self._first, self._kind = a(f"{prefix}.first"), a(f"{prefix}.kind")
        self._a, self._b, self._c = a(f"{prefix}.a"), a(f"{prefix}.b"), a(f"{prefix}.c")
        self._d, self._e = a(f"{prefix}.d"), a(f"{prefix}.e")
        self._values, self._offs = a(f"{prefix}.values"), a(f"{prefix}.offs")

    def __len__(self) -> int:
        return len(self._seq) - 1

    def __getitem__(self, k: int) -> Sequence[int]:
        """Sequence k: a memoryview when it is one stretch, else a StoredSeq."""
        lo, hi = self._seq[k], self._seq[k + 1]
        kind, a, b = self._kind, self._a, self._b
        if hi == lo or (hi == lo + 1 and kind[lo] == 0 and not b[lo]):
            return []  # as TraceIndex's empty lists (the same errors, were one indexed)
        if hi == lo + 1 and kind[lo] == 0:
            return self._values[a[lo]:a[lo] + b[lo]]
        firsts, pieces = [], []
        length = 0
        for p in range(lo, hi):
            firsts.append(self._first[p])
            if kind[p] == 0:
                pieces.append(self._values[a[p]:a[p] + b[p]])
                length = self._first[p] + b[p]
            else:
                c, d, times = self._c[p], self._d[p], self._e[p]
                pieces.append((a[p], b[p], tuple(self._offs[c:c + d]), times))
                length = self._first[p] + d * times
        return StoredSeq(firsts, pieces, length)
