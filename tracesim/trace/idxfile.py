"""The index file beside a trace (`T.jsonl.idx`, docs/trace-format.md "Index"): its bytes.

Layout: an 8-byte magic, a 32-byte SHA-256 digest of everything after it, the length of a
msgspec JSON head (8 bytes, little-endian), the head, then named sections, each aligned to 8
bytes. A section is raw bytes: a typed array in this machine's byte order, or msgspec JSON.
The head ties the index to one trace (its size, its header's digest and its end record, byte
for byte) and says where each section is.

This module knows nothing of what the sections hold: writing is atomic (a temporary file
renamed into place), opening checks the digest over every byte (read in chunks, not held)
and the binding, then maps the file so that a section is a memoryview over the mapping.
Anything wrong is None: the caller reads the trace without its index.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import stat
import sys
from array import array
from pathlib import Path
from typing import Any

import msgspec

from .output import atomic_file, checked_target

MAGIC = b"TSIDX\x001\n"  # format 1
SUFFIX = ".idx"
DIGEST_SIZE = 32  # SHA-256 (a damaged file's check: the fastest strong hash where the CPU has it)
_PREFIX = len(MAGIC) + DIGEST_SIZE + 8  # magic, digest, head length
_CHUNK = 1 << 20


class Section(msgspec.Struct, array_like=True, frozen=True):
    offset: int
    length: int
    typecode: str  # an array's typecode, or "" for bytes (JSON)


class Head(msgspec.Struct, frozen=True):
    """What ties the index to its trace, and where the sections are."""

    byteorder: str  # the writer's: a reader on another byte order does not use the index
    trace_size: int
    header_digest: str  # hex: the chain's start, the digest of the trace's header line
    end_line: str  # the trace's last line (its end record), newline included
    meta: dict[str, Any]
    sections: dict[str, Section]


_head_encoder = msgspec.json.Encoder()
_head_decoder = msgspec.json.Decoder(Head)


def index_path(trace: str | os.PathLike[str]) -> Path:
    """Where a trace's index lives: beside it, its name with `.idx` added."""
    return Path(os.fspath(trace) + SUFFIX)


def _pad(size: int) -> int:
    return -size % 8


def write_index(trace: str | os.PathLike[str], trace_size: int, header_digest: bytes,
                end_line: bytes, meta: dict[str, Any], sections: dict[str, array | bytes]) -> None:
    """Write a trace's index beside it, atomically (a temporary file renamed into place),
    each section straight from its array; a name it cannot take is left alone."""
    table: dict[str, Section] = {}
    at = 0
    for name, data in sections.items():
        length = len(data) * (data.itemsize if isinstance(data, array) else 1)
        table[name] = Section(at, length, data.typecode if isinstance(data, array) else "")
        at += length + _pad(length)
    head = Head(sys.byteorder, trace_size, header_digest.hex(), end_line.decode("ascii"),
                meta, table)
    raw_head = _head_encoder.encode(head)
    raw_head += b" " * _pad(_PREFIX + len(raw_head))  # the body starts 8-aligned
    try:
        target = checked_target(index_path(trace))
    except Exception:  # OutputError: a directory, a link, ... by that name: not ours
        return
    with atomic_file(target) as fh:
        fh.write(MAGIC + bytes(DIGEST_SIZE))
        h = hashlib.sha256()
        for chunk in _chunks(len(raw_head).to_bytes(8, "little") + raw_head, sections):
            fh.write(chunk)
            h.update(chunk)
        fh.seek(len(MAGIC))
        fh.write(h.digest())


def _chunks(head: bytes, sections: dict[str, array | bytes]) -> Any:
    yield head
    for data in sections.values():
        view = memoryview(data).cast("B")
        yield view
        if _pad(len(view)):
            yield b"\0" * _pad(len(view))


def remove_index(trace: str | os.PathLike[str]) -> None:
    """A trace rewritten without an index: an old one beside it goes (it would be stale)."""
    target = index_path(trace)
    try:
        checked_target(target)
        os.unlink(target)
    except Exception:
        pass


class IndexFile:
    """An intact index, mapped: its head and its sections as memoryviews."""

    def __init__(self, head: Head, mapping: mmap.mmap, body: int) -> None:
        self.head = head
        self.meta = head.meta
        self._map = mapping
        self._view = memoryview(mapping)
        self._body = body

    def raw(self, name: str) -> memoryview:
        s = self.head.sections[name]
        start = self._body + s.offset
        return self._view[start:start + s.length]

    def array(self, name: str) -> memoryview:
        """A typed array section, as a memoryview of ints (a sequence, bisect-able)."""
        s = self.head.sections[name]
        return self.raw(name).cast(s.typecode)

    def json(self, name: str, decoder: Any = msgspec.json) -> Any:
        return decoder.decode(self.raw(name))

    def __contains__(self, name: str) -> bool:
        return name in self.head.sections


def open_regular(path: str | os.PathLike[str]) -> int | None:
    """A read-only descriptor on a regular file (never a FIFO, which would block), or None."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError):  # (ValueError: a NUL in the name)
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _digest_of(fd: int, start: int, size: int) -> bytes:
    h = hashlib.sha256()
    buf = bytearray(_CHUNK)
    view = memoryview(buf)
    at = start
    while at < size:
        n = os.preadv(fd, [view[:min(_CHUNK, size - at)]], at)
        if n <= 0:
            raise OSError("short read")
        h.update(view[:n])
        at += n
    return h.digest()


def open_index(trace: str | os.PathLike[str]) -> IndexFile | None:
    """The trace's index if there is one and every byte of it is as written; else None."""
    path = index_path(trace)
    fd = open_regular(path)
    if fd is None:
        return None
    try:
        size = os.fstat(fd).st_size
        if size < _PREFIX:
            return None
        first = os.pread(fd, _PREFIX, 0)
        if first[:len(MAGIC)] != MAGIC:
            return None
        digest = first[len(MAGIC):len(MAGIC) + DIGEST_SIZE]
        if _digest_of(fd, len(MAGIC) + DIGEST_SIZE, size) != digest:
            return None
        length = int.from_bytes(first[-8:], "little")
        if length > size - _PREFIX:
            return None
        head = _head_decoder.decode(os.pread(fd, length, _PREFIX))
        if head.byteorder != sys.byteorder:
            return None
        body = _PREFIX + length
        for s in head.sections.values():
            if s.offset < 0 or body + s.offset + s.length > size or (
                    s.typecode and s.length % array(s.typecode).itemsize):
                return None
        mapping = mmap.mmap(fd, size, access=mmap.ACCESS_READ)
    except (OSError, ValueError, msgspec.MsgspecError):
        return None
    finally:
        os.close(fd)
    return IndexFile(head, mapping, body)
