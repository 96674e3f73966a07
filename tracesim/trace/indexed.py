"""Opening a trace through the index beside it (idxfile.py): no event decoded until asked for.

`open_indexed` checks that the index is intact and is this trace's (the trace's size, its
header line's digest, its end record byte for byte), decodes the header as the full reader
does, and returns a Trace whose events are LazyEvents. Anything amiss with the index is
None: the caller reads the trace in full (store.read_trace), as without an index. A
compressed trace is always read in full.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
import msgspec

from . import events as ev
from .blocks import BlockSource
from .checkpoints import StoredTimeline
from .idxfile import IndexFile, open_index, open_regular
from .lazy import LazyEvents
from .store import Trace, decode_header, header_digest

_ZSTD = b"\x28\xb5\x2f\xfd"
# what this reader uses of an index (idxbuild.py writes them all; a family is prefix.*)
REQUIRED = {f"{family}.{part}" for family in ("stops", "stop_frame", "stop_depth", "stop_line",
                                               "loc", "ent", "wr", "kind", "lw")
            for part in ("seq", "first", "kind", "a", "b", "c", "d", "e", "values", "offs")} | {
    f"blocks.{f}" for f in ("offset", "length", "seal", "line", "count", "first", "records",
                            "depth", "exit", "reports", "runs", "digests")} | {
    "cp.block", "cp.offset", "cp.data", "wl.pos", "wl.path", "wl.values", "boundaries",
    "tops_after", "keys.fns", "keys.files", "keys.loc", "keys.ent", "keys.wr", "keys.kind",
    "keys.lw", "lw.call", "lw.name"} | {
    f"fr.{f}" for f in ("call", "fn", "file", "depth", "parent", "ret", "entry")}
_end_decoder = msgspec.json.Decoder(ev.End)


@dataclass
class IndexedTrace(Trace):
    """A trace opened through its index: `stored` is the index, `timeline()` its states."""

    stored: IndexFile | None = None

    def timeline(self) -> StoredTimeline:
        assert isinstance(self.events, LazyEvents) and self.stored is not None
        return StoredTimeline(self.events, self.stored)


def _bound(fd: int, index: IndexFile) -> bytes | None:
    """The trace's header line if the index is this trace's, else None."""
    head = index.head
    size = os.fstat(fd).st_size
    end = head.end_line.encode("ascii")
    if size != head.trace_size or size < len(end):
        return None
    if os.pread(fd, len(end), size - len(end)) != end:
        return None
    offsets = index.array("blocks.offset")
    if not len(offsets) or not 0 < offsets[0] <= size:
        return None
    line = os.pread(fd, offsets[0], 0)
    if len(line) != offsets[0] or line.find(b"\n") != len(line) - 1:
        return None
    if header_digest(line).hex() != head.header_digest or line.startswith(_ZSTD):
        return None
    return line


def open_indexed(path: str | os.PathLike[str]) -> IndexedTrace | None:
    """The trace at `path` opened through its index, or None (no usable index). A header
    this tracesim refuses is the full reader's TraceError."""
    index = open_index(path)
    if index is None:
        return None
    fd = open_regular(path)
    if fd is None:
        return None
    try:
        line = _bound(fd, index) if REQUIRED <= set(index.head.sections) else None
        if line is None:
            os.close(fd)
            return None
        end = _end_decoder.decode(index.head.end_line.encode("ascii"))
        header = decode_header(line[:-1], str(path))
        source = BlockSource(fd, str(path), header.profile, index)
    except (OSError, ValueError, KeyError, TypeError, msgspec.MsgspecError):
        os.close(fd)
        return None
    except BaseException:  # a header this tracesim refuses: the full reader's error
        os.close(fd)
        raise
    return IndexedTrace(header, LazyEvents(source), end, index)
