"""The debugger's index (index.py) read from a trace's index file instead of built.

Every table of TraceIndex, as the same values: the per-stop lists are memoryviews over the
mapped file (or stored piecewise sequences where a trace's runs made ramps), the keyed lists
mappings that find their key's sequence when asked, and the frames a mapping that makes a
FrameInfo when one is asked for (its `args` read from its call event). Nothing is built in
proportion to the trace when it opens.
"""

from __future__ import annotations

import bisect
from typing import Any, Callable, Iterator, Mapping, Sequence

from ..trace.idxfile import IndexFile
from ..trace.seqstore import Family
from .index import FrameInfo, TraceIndex


class StoredFrameInfo(FrameInfo):
    """A FrameInfo whose args are its call event's, read when wanted."""

    def __init__(self, call_index: int, fn: str, file: str, depth: int, parent: int | None,
                 return_index: int | None, entry_stop: int | None, events: Sequence[Any]
                 ) -> None:
        self.call_index, self.fn, self.file, self.depth = call_index, fn, file, depth
        self.parent, self.return_index, self.entry_stop = parent, return_index, entry_stop
        self._events = events

    @property  # type: ignore[override]
    def args(self) -> dict[str, Any]:
        return self._events[self.call_index].args


class FrameTable(Mapping[int, FrameInfo]):
    """call index -> FrameInfo, from the index's frame arrays (in call order)."""

    def __init__(self, index: IndexFile, events: Sequence[Any]) -> None:
        a = index.array
        self._call, self._fn, self._file = a("fr.call"), a("fr.fn"), a("fr.file")
        self._depth, self._parent = a("fr.depth"), a("fr.parent")
        self._ret, self._entry = a("fr.ret"), a("fr.entry")
        self._fns: list[str] = index.json("keys.fns")
        self._files: list[str] = index.json("keys.files")
        self._events = events
        self._made: dict[int, FrameInfo] = {}

    def _number(self, call: Any) -> int | None:
        if type(call) is not int:
            return None
        j = bisect.bisect_left(self._call, call)
        return j if j < len(self._call) and self._call[j] == call else None

    def _make(self, j: int, keep: bool = True) -> FrameInfo:
        """Frame j's FrameInfo, kept for the next time (keep) or made for a pass over all."""
        call = self._call[j]
        info = self._made.get(call)
        if info is None:
            parent, ret, entry = self._parent[j], self._ret[j], self._entry[j]
            info = StoredFrameInfo(
                call, self._fns[self._fn[j]], self._files[self._file[j]], self._depth[j],
                None if parent < 0 else parent, None if ret < 0 else ret,
                None if entry < 0 else entry, self._events)
            if keep:
                self._made[call] = info
        return info

    def __getitem__(self, call: int) -> FrameInfo:
        j = self._number(call)
        if j is None:
            raise KeyError(call)
        return self._make(j)

    def get(self, call: Any, default: Any = None) -> Any:
        j = self._number(call)
        return default if j is None else self._make(j)

    def __contains__(self, call: object) -> bool:
        return self._number(call) is not None

    def __len__(self) -> int:
        return len(self._call)

    def __iter__(self) -> Iterator[int]:
        return iter(self._call)

    def values(self) -> Any:
        return [self._make(j, False) for j in range(len(self._call))]

    def items(self) -> Any:
        return [(self._call[j], self._make(j, False)) for j in range(len(self._call))]


class KeyedSeqs(Mapping[Any, Sequence[int]]):
    """key -> its sequence of a stored family; the keys (a JSON list, in the order TraceIndex
    met them) are read when first needed."""

    def __init__(self, family: Family, keys: Callable[[], list[Any]]) -> None:
        self._family = family
        self._load = keys
        self._numbers: dict[Any, int] | None = None
        self._made: dict[int, Sequence[int]] = {}

    def _seq(self, n: int) -> Sequence[int]:
        seq = self._made.get(n)
        if seq is None:
            seq = self._made[n] = self._family[n]
        return seq

    def _keys(self) -> dict[Any, int]:
        if self._numbers is None:
            self._numbers = {k: n for n, k in enumerate(self._load())}
        return self._numbers

    def __getitem__(self, key: Any) -> Sequence[int]:
        return self._seq(self._keys()[key])

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            n = self._keys().get(key)
        except TypeError:  # unhashable
            return default
        return default if n is None else self._seq(n)

    def __contains__(self, key: object) -> bool:
        try:
            return key in self._keys()
        except TypeError:  # unhashable
            return False

    def __len__(self) -> int:
        return len(self._keys())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._keys())


class LocalWrites(Mapping[tuple[int, str], Sequence[int]]):
    """(call index, local) -> positions of its stores: keys sorted by call, then by name
    number, so a lookup is a bisect and a short scan."""

    def __init__(self, index: IndexFile) -> None:
        self._family = Family(index, "lw")
        self._calls, self._names = index.array("lw.call"), index.array("lw.name")
        self._index = index
        self._name_list: list[str] | None = None
        self._name_ids: dict[str, int] | None = None

    def _ids(self) -> dict[str, int]:
        if self._name_ids is None:
            self._name_list = self._index.json("keys.lw")
            self._name_ids = {name: k for k, name in enumerate(self._name_list)}
        return self._name_ids

    def _number(self, key: Any) -> int | None:
        if type(key) is not tuple or len(key) != 2 or type(key[0]) is not int:
            return None
        call, name = key
        try:
            nid = self._ids().get(name)
        except TypeError:
            return None
        if nid is None:
            return None
        calls, names = self._calls, self._names
        n = bisect.bisect_left(calls, call)
        while n < len(calls) and calls[n] == call:
            if names[n] == nid:
                return n
            n += 1
        return None

    def __getitem__(self, key: tuple[int, str]) -> Sequence[int]:
        n = self._number(key)
        if n is None:
            raise KeyError(key)
        return self._family[n]

    def get(self, key: Any, default: Any = None) -> Any:
        n = self._number(key)
        return default if n is None else self._family[n]

    def __contains__(self, key: object) -> bool:
        return self._number(key) is not None

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[tuple[int, str]]:
        self._ids()
        assert self._name_list is not None
        for n in range(len(self._calls)):
            yield self._calls[n], self._name_list[self._names[n]]


def stored_index(index: IndexFile, events: Sequence[Any]) -> TraceIndex:
    """A TraceIndex over the index file's tables."""
    json = index.json
    meta = index.meta
    return TraceIndex.from_tables(
        events,
        frames=FrameTable(index, events),
        stops=Family(index, "stops")[0],
        stop_frame=Family(index, "stop_frame")[0],
        stop_depth=Family(index, "stop_depth")[0],
        stop_line=Family(index, "stop_line")[0],
        boundaries=index.array("boundaries"),
        tops_after=index.array("tops_after"),
        by_location=KeyedSeqs(Family(index, "loc"),
                              lambda: [(f, line) for f, line in json("keys.loc")]),
        entries=KeyedSeqs(Family(index, "ent"), lambda: json("keys.ent")),
        writes=KeyedSeqs(Family(index, "wr"), lambda: json("keys.wr")),
        local_writes=LocalWrites(index),
        by_kind=KeyedSeqs(Family(index, "kind"), lambda: json("keys.kind")),
        exit_index=meta["exit_index"],
    )
