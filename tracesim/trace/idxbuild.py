"""Building a trace's index as its writer seals it (docs/trace-format.md, "Index").

The writer hands over each sealed block: its records (as a reader will decode them), the
lengths of its lines and of its seal line, and its digest. Kept per block: where it is,
its first line number and event position, the chained digests, and what a reader checking
it alone needs of the blocks before it (the call depth, the exit, the messages, the count).
At a block's start, every CHECKPOINT records or so, the fold's frames (the memory is the
log of stores). The debugger's index comes from indexer.py. A block that does not pass
typed reading (validate.py) ends the index: such a trace is written without one, and its
readers refuse it as they always have.
"""

from __future__ import annotations

import os
from array import array
from typing import Any

import msgspec

from .events import Header
from .idxfile import write_index
from .indexer import EventIndexer
from .seqstore import encode_family, narrow
from .validate import Validator

CHECKPOINT = 4096  # records between two checkpoints, at least (taken at block starts)
BLOCK_FIELDS = ("offset", "length", "seal", "line", "count", "first", "records", "depth",
                "exit", "reports", "runs")

_json = msgspec.json.Encoder()


class IndexBuilder:
    """Fed by store.Sealer, block by block; `finish` at the end record, `write` once the
    trace is in place."""

    def __init__(self, header: Header, header_line: bytes, digest: bytes) -> None:
        self.validator = Validator(header.profile)
        self.indexer = EventIndexer()
        self.broken = False
        self.blocks: dict[str, array] = {f: array("q") for f in BLOCK_FIELDS}
        self.digests = bytearray(digest)  # the chain: the header's, then each block's
        self.offset = len(header_line)
        self.line = 2
        self.records = 0
        self.cp_block, self.cp_offset = array("q"), array("q", [0])
        self.cp_data = bytearray()
        self._since = CHECKPOINT  # records since the last checkpoint: one at block 0
        self.end_line = b""
        self.meta: dict[str, Any] = {}
        self.sections: dict[str, Any] | None = None  # once finished

    def add_block(self, records: list[Any], length: int, seal: int, digest: bytes) -> None:
        if self.broken:
            return
        v, b = self.validator, self.blocks
        start = {"offset": self.offset, "length": length, "seal": seal, "line": self.line,
                 "count": len(records), "first": self.indexer.position,
                 "records": self.records, "depth": v.depth,
                 "exit": -1 if v.exit is None else v.exit, "reports": v.reports}
        if self._since >= CHECKPOINT:
            self.cp_block.append(len(b["offset"]))
            self.cp_data += _json.encode(self.indexer.snapshot())
            self.cp_offset.append(len(self.cp_data))
            self._since = 0
        if v.check(records) is not None:
            self.broken = True  # readers refuse this trace: no index for it
            return
        for name, value in start.items():
            b[name].append(value)
        try:
            self.indexer.saw_run = False
            self.indexer.add(records)
        except Exception:  # an index must never stop a trace being written
            self.broken = True
            return
        b["runs"].append(self.indexer.saw_run)
        self.digests += digest
        self.offset += length + seal
        self.line += len(records) + 1
        self.records += len(records)
        self._since += len(records)

    def finish(self, end_line: bytes) -> None:
        """The last block is sealed: the sections to write (none if this trace gets none)."""
        self.end_line = end_line
        if self.broken:
            return
        try:
            self._sections()
        except Exception:  # (as in add_block: the trace is written all the same)
            self.broken = True
            self.sections = None

    def _sections(self) -> None:
        """The indexer's tables go into sections one by one (the peak: one held twice)."""
        x, take = self.indexer, self._take
        end = x.position  # positions are below it, stop numbers below x.nstops
        self.meta = {"events": end, "records": self.records, "blocks": len(self.blocks["offset"]),
                     "stops": x.nstops, "exit_index": x.exit_index}
        sections: dict[str, Any] = {f"blocks.{k}": narrow(v) for k, v in self.blocks.items()}
        sections["blocks.digests"] = bytes(self.digests)
        sections["cp.block"] = self.cp_block
        sections["cp.offset"] = self.cp_offset
        sections["cp.data"] = bytes(self.cp_data)
        sections["wl.pos"], sections["wl.path"] = narrow(take("wl_pos")), narrow(take("wl_path"))
        sections["wl.values"] = _json.encode(take("wl_values"))
        for name, hi in (("stops", end), ("stop_frame", end), ("stop_depth", None),
                         ("stop_line", None)):
            sections.update(encode_family(name, [take(name)], -1, hi))
        sections["boundaries"] = narrow(take("boundaries"), -1, end)
        sections["tops_after"] = narrow(take("tops_after"), -1, end)
        for name in ("call", "fn", "file", "depth", "parent", "ret", "entry"):
            sections[f"fr.{name}"] = narrow(take(f"fr_{name}"))
        sections["keys.fns"] = _json.encode(x.fn_names)
        sections["keys.files"] = _json.encode(x.file_names)
        for prefix, name, hi in (("loc", "locations", x.nstops), ("ent", "entries", x.nstops),
                                 ("wr", "writes", end), ("kind", "by_kind", end)):
            table = take(name)
            sections[f"keys.{prefix}"] = _json.encode(list(table))
            sections.update(encode_family(prefix, table.values(), -1, hi))
            del table
        sections.update(self._local_writes(take("local_writes"), end))
        self.sections = sections
        self.indexer = EventIndexer()

    def _take(self, name: str) -> Any:
        """One of the indexer's tables, no longer the indexer's (freed once encoded)."""
        table = getattr(self.indexer, name)
        setattr(self.indexer, name, None)
        return table

    def write(self, trace: str | os.PathLike[str]) -> bool:
        """Write the index beside the trace; False if it gets none."""
        if self.broken or self.sections is None:
            return False
        write_index(trace, self.offset, bytes(self.digests[:16]), self.end_line, self.meta,
                    self.sections)
        return True

    def _local_writes(self, table: dict[tuple[int, str], Any], end: int) -> dict[str, Any]:
        """(call, local) -> positions, sorted by call then name number: a lookup bisects."""
        names: dict[str, int] = {}
        for _, name in table:
            names.setdefault(name, len(names))
        keys = sorted(table, key=lambda k: (k[0], names[k[1]]))
        out = encode_family("lw", [table[k] for k in keys], -1, end)
        out["lw.call"] = narrow(array("q", [k[0] for k in keys]))
        out["lw.name"] = narrow(array("q", [names[k[1]] for k in keys]))
        out["keys.lw"] = _json.encode(list(names))
        return out
