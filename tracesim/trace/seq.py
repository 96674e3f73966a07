"""A trace's events as one sequence, with `repeat` records standing for their events.

A trace keeps a run of identical loop iterations as one `Repeat` record (docs/trace-format.md).
Readers see the events it stands for: position N is the N-th event as the model produced it,
materialised on demand, so stepping through the iterations is exact while a record of a
million events costs one line. Readers that fold or index take whole repetitions at once
(`pieces`).
"""

from __future__ import annotations

import bisect
from typing import Any, Callable, Iterator, Sequence

from . import events as ev

_PLAIN = {body: plain for plain, body in ev.REPEATABLE.items()}


def plain_event(body: Any, value_of: Callable[[ev.Ramp], Any]) -> Any:
    """The event a body event stands for, each Ramp in it replaced by value_of(ramp)."""
    fields = {}
    for f in body.__struct_fields__:
        v = getattr(body, f)
        if f == "values":
            v = {name: value_of(x) if type(x) is ev.Ramp else x for name, x in v.items()}
        elif type(v) is ev.Ramp:
            v = value_of(v)
        fields[f] = v
    return _PLAIN[type(body)](**fields)


class _Maker:
    """One body event: the event itself when nothing in it varies, else how to build the
    event of repetition k."""

    __slots__ = ("plain", "cls", "fields", "ramps", "values")

    def __init__(self, body: Any) -> None:
        cls = _PLAIN[type(body)]
        fields = {f: getattr(body, f) for f in body.__struct_fields__}
        values = fields.get("values")
        self.ramps = [(f, v) for f, v in fields.items() if type(v) is ev.Ramp]
        self.values = ([(name, v) for name, v in values.items() if type(v) is ev.Ramp]
                       if values else [])
        self.cls, self.fields = cls, fields
        self.plain = None if self.ramps or self.values else cls(**fields)

    def at(self, k: int) -> Any:
        if self.plain is not None:
            return self.plain
        fields = dict(self.fields)
        for f, r in self.ramps:
            fields[f] = r.start + k * r.by
        if self.values:
            values = dict(fields["values"])
            for name, r in self.values:
                values[name] = r.start + k * r.by
            fields["values"] = values
        return self.cls(**fields)


class Run:
    """A `Repeat` record placed in the sequence: `start` is its first event's position."""

    __slots__ = ("start", "record", "width", "times", "makers")

    def __init__(self, start: int, record: ev.Repeat) -> None:
        self.start = start
        self.record = record
        self.width = len(record.body)
        self.times = record.n
        self.makers = [_Maker(b) for b in record.body]

    @property
    def stop(self) -> int:
        return self.start + self.width * self.times

    def event(self, position: int) -> Any:
        k, j = divmod(position - self.start, self.width)
        return self.makers[j].at(k)

    def repetition(self, k: int) -> list[Any]:
        return [m.at(k) for m in self.makers]


class EventSeq(Sequence[Any]):
    """The events a list of records stands for (records with at least one `Repeat`)."""

    def __init__(self, records: list[Any]) -> None:
        self.records = records
        starts: list[int] = []
        runs: dict[int, Run] = {}
        at = 0
        for r, record in enumerate(records):
            starts.append(at)
            if type(record) is ev.Repeat:
                runs[r] = Run(at, record)
                at += runs[r].width * record.n
            else:
                at += 1
        self.starts = starts
        self.runs = runs
        self.length = at

    def __len__(self) -> int:
        return self.length

    def __eq__(self, other: object) -> bool:
        if type(other) is EventSeq:
            return self.records == other.records
        return isinstance(other, Sequence) and len(other) == self.length and list(self) == other

    __hash__ = None  # type: ignore[assignment]

    def _locate(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position) - 1

    def __getitem__(self, position: Any) -> Any:
        if isinstance(position, slice):
            return slice_of(self, position)
        if position < 0:
            position += self.length
        if not 0 <= position < self.length:
            raise IndexError("event position out of range")
        r = self._locate(position)
        run = self.runs.get(r)
        return self.records[r] if run is None else run.event(position)

    def __iter__(self) -> Iterator[Any]:
        runs = self.runs
        for r, record in enumerate(self.records):
            run = runs.get(r)
            if run is None:
                yield record
            else:
                for k in range(run.times):
                    yield from run.repetition(k)

    def pieces(self, start: int, stop: int) -> Iterator[tuple[int, Any]]:
        """The records covering positions [start, stop): (position, event) for a plain one,
        (position, Run) for a run (which may begin before `start` or end after `stop`)."""
        if start >= stop:
            return
        r = max(self._locate(start), 0)
        records, starts, runs = self.records, self.starts, self.runs
        while r < len(records) and starts[r] < stop:
            run = runs.get(r)
            yield starts[r], (records[r] if run is None else run)
            r += 1


def slice_of(events: Any, part: slice) -> list[Any]:
    """events[part] of a sequence with `pieces` (an EventSeq, lazy.LazyEvents): record by
    record, not a lookup per position."""
    start, stop, step = part.indices(len(events))
    if step != 1:
        return [events[i] for i in range(start, stop, step)]
    out: list[Any] = []
    for at, piece in events.pieces(start, stop):
        if type(piece) is Run:
            out += [piece.event(i) for i in range(max(at, start), min(piece.stop, stop))]
        else:
            out.append(piece)
    return out


def event_sequence(records: list[Any]) -> Sequence[Any]:
    """The records themselves when none repeats (the common case: a plain list is fastest),
    else their expansion."""
    if any(type(r) is ev.Repeat for r in records):
        return EventSeq(records)
    return records


def outside_runs(events: Sequence[Any], until: int | None = None) -> Iterator[Any]:
    """The events before `until` that no run holds: all a reader needs that looks for
    calls, returns, stores, messages, facts or the exit, which a repeat never holds."""
    pieces = getattr(events, "pieces", None)  # an EventSeq, or lazy.LazyEvents
    if pieces is None:
        yield from (events if until is None else events[:until])
        return
    end = len(events) if until is None else until
    for at, piece in pieces(0, end):
        if type(piece) is not Run:
            yield piece


def records_of(events: Sequence[Any]) -> Sequence[Any]:
    """The records to write for these events: a run stays one `repeat` line."""
    return events.records if type(events) is EventSeq else events
