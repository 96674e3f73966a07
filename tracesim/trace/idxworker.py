"""The index built on the machine's other core while `run` simulates (POSIX fork).

`tracesim run -o T` hands each sealed block's bytes through a pipe to a child process, which
decodes them as a reader will and feeds idxbuild.IndexBuilder; once T is in place the child
writes T's index and ends, and `run` waits for it. Indexing then costs the run little more
than the pipe. Where fork is missing, or the child cannot start, the builder runs in process.
"""

from __future__ import annotations

import os
import signal
import struct
from typing import Any, Callable

from .events import Header
from .idxbuild import IndexBuilder

_HEAD = struct.Struct("<cQI")  # kind, payload length, seal length (blocks)
BLOCK, FINISH, WRITE = b"B", b"F", b"W"


class ForkedIndex:
    """Stands for an IndexBuilder in store.Sealer: `add_lines` a block's bytes, `finish` the
    end record, `write` the index beside the trace in place (True once written)."""

    def __init__(self, header: Header, header_line: bytes, digest: bytes,
                 decode: Callable[[bytes], list[Any]]) -> None:
        read, self._out = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: build, write when told, never return
            os.close(self._out)
            status = 1
            try:
                status = _serve(os.fdopen(read, "rb"), IndexBuilder(header, header_line, digest),
                                decode)
            finally:
                os._exit(status)
        os.close(read)
        self._pipe = os.fdopen(self._out, "wb")
        self.broken = False

    def _send(self, kind: bytes, payload: bytes, seal: int = 0, digest: bytes = b"") -> None:
        if self.broken:
            return
        try:
            self._pipe.write(_HEAD.pack(kind, len(payload) + len(digest), seal))
            self._pipe.write(digest)
            self._pipe.write(payload)
        except OSError:  # the child is gone: the trace is written without an index
            self.broken = True

    def add_lines(self, data: bytes, seal: int, digest: bytes) -> None:
        self._send(BLOCK, data, seal, digest)

    def finish(self, end_line: bytes) -> None:
        self._send(FINISH, end_line)

    def write(self, path: str | os.PathLike[str]) -> bool:
        self._send(WRITE, os.fsencode(path))
        return self.close()

    def close(self) -> bool:
        """End the child (an unfinished one writes nothing); whether it wrote the index."""
        try:
            self._pipe.close()
        except OSError:
            self.broken = True
        _, status = os.waitpid(self.pid, 0)
        return not self.broken and os.waitstatus_to_exitcode(status) == 0


def _serve(pipe: Any, builder: IndexBuilder, decode: Callable[[bytes], list[Any]]) -> int:
    # Ctrl-C and termination end the child at once (the parent removes its own files)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    digest_size = len(builder.digests)
    while True:
        head = pipe.read(_HEAD.size)
        if len(head) < _HEAD.size:
            return 1  # the parent ended without asking for the index
        kind, length, seal = _HEAD.unpack(head)
        payload = pipe.read(length)
        if len(payload) < length:
            return 1
        if kind == BLOCK:
            digest, data = payload[:digest_size], payload[digest_size:]
            builder.add_block(decode(data), len(data), seal, digest)
        elif kind == FINISH:
            builder.finish(payload)
        elif kind == WRITE:
            return 0 if builder.write(os.fsdecode(payload)) else 1
