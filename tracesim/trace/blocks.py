"""A trace's blocks read one at a time through its index, each checked when first read.

The index says where each block is and what its seal is: a block's bytes are read (pread,
nothing mapped), chained onto the digest before them and compared with the seal's, the seal
line compared with the file's, then the events decoded and typed (validate.py) starting
from the call depth, exit and messages before the block, which the index keeps. That is the
full reader's check, block by block. Any failure is the full reader's own error: the trace
is read from its start by store.TraceReader, which names the first damaged line, and that
TraceError is raised. A few decoded blocks are kept (most recently used).
"""

from __future__ import annotations

import bisect
import os
import threading
import weakref
from collections import OrderedDict
from typing import Any, Iterator

from . import events as ev
from .seq import Run
from .validate import Validator

KEEP = 1 << 16  # decoded records kept at most, over the blocks kept (at least two blocks)


class DecodedBlock:
    """A block's records, placed: the position of each, and its runs."""

    __slots__ = ("first", "records", "starts", "runs")

    def __init__(self, first: int, records: list[Any], has_runs: bool) -> None:
        self.first = first
        self.records = records
        self.starts: list[int] | None = None  # None: one event per record
        self.runs: dict[int, Run] = {}
        if has_runs:
            starts, at = [], first
            for r, record in enumerate(records):
                starts.append(at)
                if type(record) is ev.Repeat:
                    run = self.runs[r] = Run(at, record)
                    at += run.width * run.times
                else:
                    at += 1
            self.starts = starts

    def event(self, position: int) -> Any:
        if self.starts is None:
            return self.records[position - self.first]
        r = bisect.bisect_right(self.starts, position) - 1
        run = self.runs.get(r)
        return self.records[r] if run is None else run.event(position)

    def pieces(self, start: int, stop: int) -> Iterator[tuple[int, Any]]:
        """As EventSeq.pieces, for the records of this block."""
        records, first = self.records, self.first
        if self.starts is None:
            for r in range(max(start - first, 0), min(stop - first, len(records))):
                yield first + r, records[r]
            return
        starts, runs = self.starts, self.runs
        r = max(bisect.bisect_right(starts, start) - 1, 0)
        while r < len(records) and starts[r] < stop:
            run = runs.get(r)
            yield starts[r], (records[r] if run is None else run)
            r += 1


class BlockSource:
    """The blocks of one trace file (held open), by the index's block table."""

    def __init__(self, fd: int, name: str, profile: str, index: Any) -> None:
        self.fd = fd
        self.name = name
        self.profile = profile
        a = index.array
        self.offset, self.length, self.seal = a("blocks.offset"), a("blocks.length"), \
            a("blocks.seal")
        self.line, self.count, self.first = a("blocks.line"), a("blocks.count"), \
            a("blocks.first")
        self.records, self.depth = a("blocks.records"), a("blocks.depth")
        self.exit, self.reports, self.has_runs = a("blocks.exit"), a("blocks.reports"), \
            a("blocks.runs")
        self.digests = bytes(index.raw("blocks.digests"))
        self.end_line = index.head.end_line.encode("ascii")
        self.blocks = len(self.offset)
        self.events: int = index.meta["events"]
        if not self.blocks or len(self.digests) != 16 * (self.blocks + 1) or any(
                len(a) != self.blocks for a in (self.length, self.seal, self.line, self.count,
                                                self.first, self.records, self.depth,
                                                self.exit, self.reports, self.has_runs)):
            raise ValueError("an index whose block table does not hold together")
        self._kept: OrderedDict[int, DecodedBlock] = OrderedDict()
        self._held = 0
        self._lock = threading.RLock()
        weakref.finalize(self, os.close, fd)  # the trace stays open while its events are used

    def block_of(self, position: int) -> int:
        """The block holding the event at `position`."""
        return bisect.bisect_right(self.first, position) - 1

    def get(self, b: int) -> DecodedBlock:
        with self._lock:
            block = self._kept.get(b)
            if block is not None:
                self._kept.move_to_end(b)
                return block
            block = self._load(b)
            self._kept[b] = block
            self._held += len(block.records)
            while self._held > KEEP and len(self._kept) > 2:
                _, old = self._kept.popitem(last=False)
                self._held -= len(old.records)
            return block

    def _load(self, b: int) -> DecodedBlock:
        from .store import DECODE_ERRORS, _body_decoder, _encoder, chain

        offset, length, seal = self.offset[b], self.length[b], self.seal[b]
        try:
            raw = os.pread(self.fd, length + seal, offset)
        except OSError as err:
            from .store import TraceError

            raise TraceError(f"{self.name}: {err.strerror or err}") from None
        count = self.count[b]
        digest = self.digests[16 * (b + 1):16 * (b + 2)]
        if b == self.blocks - 1:
            expected = self.end_line
        else:
            expected = _encoder.encode(ev.Seal(n=count, digest=digest.hex())) + b"\n"
        with memoryview(raw) as view:
            data = view[:length]
            if (len(raw) != length + seal or raw[length:] != expected
                    or chain(self.digests[16 * b:16 * (b + 1)], data) != digest):
                self._fail(b)
            try:
                records = _body_decoder.decode_lines(data)
            except DECODE_ERRORS:
                self._fail(b)
            finally:
                data.release()
        if len(records) != count:
            self._fail(b)
        v = Validator(self.profile)
        v.depth, v.reports, v.events = self.depth[b], self.reports[b], self.records[b]
        v.exit = None if self.exit[b] < 0 else self.exit[b]
        if v.check(records) is not None:
            self._fail(b)
        return DecodedBlock(self.first[b], records, bool(self.has_runs[b]))

    def _fail(self, b: int) -> Any:
        """Raise the error the full reader gives for this trace (it names the first damaged
        line, wherever it is); if it finds none, this block's lines are named."""
        from .store import TraceError, TraceReader

        with open(os.dup(self.fd), "rb") as fh:
            fh.seek(0)
            reader = TraceReader(fh, self.name)
            for _ in reader.blocks():
                pass
        first, count = self.line[b], self.count[b]
        what = f"lines {first}-{first + count - 1}" if count > 1 else f"line {first}"
        raise TraceError(f"{self.name}:{first}: {what} do not match the trace's index "
                         f"({os.fspath(self.name)}.idx): remove the index")
