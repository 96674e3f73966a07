"""Trace files: JSON Lines, a header first, sealed in blocks, written atomically, read
with line numbers (docs/trace-format.md).

Writing: every `header.block` events (or sooner, at SEAL_BYTES) a seal line closes the block
with its event count and a blake2b digest chained from the header's, and an end record
closes the trace with the totals and the outcome. Reading streams the file block by block
(memory: one block and a read buffer, never the whole file): a block's events are handed
out only once they decode, hold to the schema's types and bounds (validate.py) and match
their seal; anything else is a TraceError naming the file and the first bad line.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import os
import re
from dataclasses import dataclass
from itertools import islice
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Sequence

import msgspec

from . import events as ev
from .events import SCHEMA_VERSION, BodyEvent, Header
from .compress import compress, compressing, open_trace, wants_zstd
from .seq import event_sequence, records_of
from .idxbuild import IndexBuilder
from .idxfile import remove_index
from .output import atomic_file, checked_target, replace_target, temp_beside
from .validate import Validator

SEAL_BYTES = 1 << 20  # a writer closes a block once it holds this many bytes
MAX_BLOCK = 32 << 20  # a reader refuses a longer block: the bound on its memory
MAX_HEADER = 16 << 20  # the longest header line a reader takes
CHUNK = 1 << 22  # bytes read at a time
PROBE = 1 << 16  # what is read before the header is known to be one
DIGEST_SIZE = 16

_encoder = msgspec.json.Encoder()


def _storable(value: Any) -> Any:
    """A command line's bytes that are not UTF-8 reach Python as lone surrogates, which JSON
    cannot hold: stored as the \\xNN text they are shown as."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def _encode(obj: Any) -> bytes:
    try:
        return _encoder.encode(obj)
    except UnicodeEncodeError:
        return _encoder.encode(_storable(msgspec.to_builtins(obj)))


def _encode_lines(events: list[Any]) -> bytes:
    return _encode_lines_exact(events)[0]


def _encode_lines_exact(events: list[Any]) -> tuple[bytes, bool]:
    """The lines, and whether they decode to these very events (not when text that is not
    UTF-8 had to be written as its \\xNN escapes)."""
    try:
        return _encoder.encode_lines(events), True
    except UnicodeEncodeError:
        return b"".join(_encode(e) + b"\n" for e in events), False


_body_decoder = msgspec.json.Decoder(BodyEvent)
_header_decoder = msgspec.json.Decoder(Header)
_seal_decoder = msgspec.json.Decoder(ev.Seal)
_end_decoder = msgspec.json.Decoder(ev.End)
# what decoding may raise: msgspec's errors, and UnicodeDecodeError (a ValueError)
DECODE_ERRORS = (msgspec.MsgspecError, ValueError)

SEAL_AT = b'\n{"k":"seal",'
END_AT = b'\n{"k":"end",'
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}")


class TraceError(Exception):
    """A trace that cannot be read: the message names the file and the line."""


class _Probe(msgspec.Struct):
    """Enough of a first line to say which schema wrote it."""

    k: Any = None
    schema: Any = None
    tracesim: Any = None
    profile: Any = None


_probe_decoder = msgspec.json.Decoder(_Probe)


@dataclass
class Trace:
    header: Header
    events: Sequence[Any]  # a list, or an EventSeq when the trace has repeats (seq.py)
    end: ev.End | None = None  # the end record, when read from a file

    def __post_init__(self) -> None:
        if type(self.events) is list:  # records as recorded: runs read as their events
            self.events = event_sequence(self.events)

    @property
    def argv(self) -> list[str]:
        return self.header.argv


# --- writing ---------------------------------------------------------------------------------
def chain(previous: bytes, data: Any) -> bytes:
    """The digest of a block: blake2b-128 of the previous digest followed by its bytes."""
    h = hashlib.blake2b(previous, digest_size=DIGEST_SIZE)
    h.update(data)
    return h.digest()


def header_digest(header_line: bytes) -> bytes:
    """Where the chain starts: the digest of the header line (with its newline)."""
    return hashlib.blake2b(header_line, digest_size=DIGEST_SIZE).digest()


def _pieces(data: bytes, count: int) -> list[tuple[bytes, int]]:
    """Encoded lines cut into blocks of at most about SEAL_BYTES (long lines are rare)."""
    if len(data) <= SEAL_BYTES:
        return [(data, count)]
    out, start, at, n = [], 0, 0, 0
    while at < len(data):
        at = data.index(b"\n", at) + 1
        n += 1
        if at - start >= SEAL_BYTES:
            out.append((data[start:at], n))
            start, n = at, 0
    if n:
        out.append((data[start:], n))
    return out


class Sealer:
    """Turns a stream of events into a trace's lines: blocks, their seals, the end; with
    `index`, also the index file of the trace (idxbuild.py), built as the blocks are sealed."""

    def __init__(self, header: Header, index: bool = False, forked: bool = False) -> None:
        self.header_line = _encode(header) + b"\n"
        self.block = header.block
        self.digest = header_digest(self.header_line)
        self.events = self.blocks = self.reports = 0
        self.exit: int | None = None
        self.index: Any = None  # an IndexBuilder, or a ForkedIndex building on another core
        if index and forked and hasattr(os, "fork"):
            from .idxworker import ForkedIndex

            try:
                self.index = ForkedIndex(header, self.header_line, self.digest,
                                         _body_decoder.decode_lines)
            except OSError:  # no process to spare: build it here
                pass
        if index and self.index is None:
            self.index = IndexBuilder(header, self.header_line, self.digest)

    def lines(self, events: list[Any], final: bool) -> bytes:
        """The lines of up to `block` events and their seal (the end record if final)."""
        for e in events:
            kind = type(e)
            if kind is ev.Report:
                self.reports += 1
            elif kind is ev.Exit:
                self.exit = e.status
        lines, exact = _encode_lines_exact(events)
        pieces = _pieces(lines, len(events))
        out = []
        first = 0
        for k, (data, n) in enumerate(pieces):
            self.digest = chain(self.digest, data)
            self.events += n
            self.blocks += 1
            out.append(data)
            last = final and k == len(pieces) - 1
            if last:
                record: Any = ev.End(n=n, digest=self.digest.hex(), events=self.events,
                                     blocks=self.blocks, exit=self.exit, reports=self.reports)
            else:
                record = ev.Seal(n=n, digest=self.digest.hex())
            seal = _encoder.encode(record) + b"\n"
            out.append(seal)
            if isinstance(self.index, IndexBuilder):  # the events as a reader will decode them
                block = events[first:first + n] if exact else _body_decoder.decode_lines(data)
                self.index.add_block(block, len(data), len(seal), self.digest)
            elif self.index is not None:  # the child decodes the lines it is sent
                self.index.add_lines(data, len(seal), self.digest)
            if self.index is not None and last:
                self.index.finish(seal)
            first += n
        return b"".join(out)


def encode_lines(header: Header, events: Iterable[Any]) -> bytes:
    """A whole trace file's bytes."""
    return _sealed(Sealer(header), events)


def _sealed(sealer: Sealer, events: Iterable[Any]) -> bytes:
    out = [sealer.header_line]
    it = iter(records_of(events))  # type: ignore[arg-type]
    while True:
        chunk = list(islice(it, sealer.block))
        final = len(chunk) < sealer.block
        out.append(sealer.lines(chunk, final))
        if final:
            return b"".join(out)


def event_lines(header: Header, events: Iterable[Any]) -> bytes:
    """The header and event lines without seals: not a trace file, what the diff scans."""
    return _encode(header) + b"\n" + _encode_lines(list(events))


def write_trace(path: str | os.PathLike[str], header: Header, events: Iterable[Any]) -> None:
    """A trace file, and its index beside it (none for a compressed one)."""
    sealer = Sealer(header, index=not wants_zstd(path))
    write_bytes_atomic(path, _sealed(sealer, events))
    _write_index_beside(path, sealer.index)


def _write_index_beside(path: str | os.PathLike[str], index: IndexBuilder | None) -> None:
    """The trace is in place: its index beside it, or no index (an old one would be stale).
    An index that cannot be written is no error: readers read the trace without it."""
    try:
        if index is None or not index.write(path):
            remove_index(path)
    except Exception:  # OSError, OutputError, ...: the trace is in place all the same
        remove_index(path)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half file, and
    only ever a regular file (OutputError otherwise)."""
    target = checked_target(path)
    if wants_zstd(target):
        data = compress(data)
    with atomic_file(target) as fh:
        fh.write(data)


class StreamingTraceWriter:
    """A sink that encodes each block of events as it fills into a temporary file beside
    the target, renamed into place by `commit`: memory stays flat however long the run, and
    an interrupted run never leaves a half trace under the final name. Keeps the reports and
    exits (`records`) so the caller can still print what the process printed."""

    def __init__(self, path: str | os.PathLike[str], header: Header) -> None:
        self.target = checked_target(path)
        fd, self.tmp = temp_beside(self.target)
        self.raw = os.fdopen(fd, "wb")
        self.fh = compressing(self.raw) if wants_zstd(self.target) else self.raw
        self.sealer = Sealer(header, index=self.fh is self.raw, forked=True)
        self.block = self.sealer.block
        self.fh.write(self.sealer.header_line)
        self.pending: list[Any] = []
        self.records: list[Any] = []
        self.count = 0

    def msg(self, record: Any) -> None:
        pending = self.pending
        pending.append(record)
        if len(pending) >= self.block:
            self.flush()

    def flush(self, final: bool = False) -> None:
        """Encode and seal the pending records and keep what the process printed."""
        pending = self.pending
        self.fh.write(self.sealer.lines(pending, final))
        self.records += [r for r in pending if type(r) is ev.Report or type(r) is ev.Exit]
        self.count += len(pending)
        pending.clear()

    def commit(self) -> None:
        self.flush(final=True)
        if self.fh is not self.raw:
            self.fh.close()  # ends the zstd frame; the file stays open
        self.raw.flush()
        os.fsync(self.raw.fileno())
        self.raw.close()
        try:
            replace_target(self.tmp, self.target)
        except BaseException:
            self.abort()
            raise
        _write_index_beside(self.target, self.sealer.index)

    def abort(self) -> None:
        if self.sealer.index is not None and hasattr(self.sealer.index, "close"):
            self.sealer.index.close()  # the child ends without writing
        self.raw.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


# --- reading ---------------------------------------------------------------------------------
def short(err: Exception) -> str:
    if isinstance(err, UnicodeDecodeError):
        return "invalid UTF-8"
    return str(err).splitlines()[0] if str(err) else type(err).__name__


_short = short


def check_header(header: Header, name: str) -> None:
    """What a reader refuses in a decoded header of the current schema."""
    from ..profiles import PROFILES

    if header.profile not in PROFILES:
        raise TraceError(f"{name}:1: a trace of profile {header.profile!r:.40}, which this "
                         f"tracesim does not model (it models {', '.join(PROFILES)})")
    if not _VERSION.fullmatch(header.tracesim):
        raise TraceError(f"{name}:1: the header names no tracesim version that wrote it "
                         f"({header.tracesim!r:.40})")


def decode_header(line: bytes, name: str) -> Header:
    """Line 1 of a trace, or a TraceError saying what it is instead."""
    from .. import __version__

    try:
        probe = _probe_decoder.decode(line)
    except DECODE_ERRORS as err:
        raise TraceError(f"{name}:1: not a tracesim trace ({short(err)})") from None
    schema = probe.schema
    if probe.k == "header" and type(schema) is int and schema != SCHEMA_VERSION:
        if schema < SCHEMA_VERSION:
            profile = probe.profile if type(probe.profile) is str else "4.2"
            raise TraceError(
                f"{name}:1: a schema-{schema} trace (before integrity seals), which this "
                f"tracesim no longer reads; regenerate it: tracesim run --profile "
                f"{profile:.8} -o {name} -- ARGS (ARGS: the argv in its header)")
        raise TraceError(
            f"{name}:1: trace schema {schema} (written by tracesim {str(probe.tracesim):.40}); "
            f"this tracesim ({__version__}) reads schema {SCHEMA_VERSION}: upgrade tracesim")
    try:
        header = _header_decoder.decode(line)
    except DECODE_ERRORS as err:
        raise TraceError(f"{name}:1: not a tracesim trace header ({short(err)})") from None
    check_header(header, name)
    return header


@dataclass
class Block:
    """A verified block: its events' bytes (`data[start:stop]`), decoded if asked."""

    line: int  # the file's line number of its first event
    offset: int  # the file offset of its first byte
    data: bytes
    start: int
    stop: int
    count: int
    events: list[Any] | None


class TraceReader:
    """Reads a trace from a binary stream: the header at once, then `blocks()`, each
    verified before it is handed out. decode=False checks the bytes without decoding every
    event (for the diff, which decodes what it needs): framing, UTF-8, the call depth and
    every store and exit, decoding a block in full only when its counts need it."""

    def __init__(self, stream: BinaryIO, name: str, decode: bool = True) -> None:
        # decode=False: the caller checks the events' types (validate.py) as it reads them
        self.stream = stream
        self.name = name
        self.decode = decode
        self.eof = False
        self.base = 0  # file offset of buf[0]
        self.buf = b""
        self.pos = 0
        self.header, self.header_line = self._read_header()
        self.validator = Validator(self.header.profile)
        self.digest = header_digest(self.header_line)
        self.line = 2  # the line number of the next line
        self.blocks_read = 0
        self.end: ev.End | None = None

    def error(self, line: int, why: str) -> TraceError:
        return TraceError(f"{self.name}:{line}: {why}")

    def _read(self, size: int) -> bytes:
        try:
            data = self.stream.read(size)
        except OSError as err:
            raise TraceError(f"{self.name}: {err.strerror or err}") from None
        if not data:
            self.eof = True
        return data

    def _more(self) -> int:
        """Read another chunk, dropping what is consumed (keeps buf[pos - 1], the newline
        before the next line); how far the indices into buf moved."""
        keep = max(self.pos - 1, 0)
        data = self._read(CHUNK)
        self.buf = self.buf[keep:] + data
        self.base += keep
        self.pos -= keep
        return keep

    def _read_header(self) -> tuple[Header, bytes]:
        name = self.name
        buf = self._read(PROBE)
        if not buf.strip():
            raise self.error(1, "empty file, not a tracesim trace" if not buf.strip(b"\0")
                             or not buf else "not a tracesim trace")
        if not buf.startswith(b'{"'):
            raise self.error(1, "not a tracesim trace header (line 1 is no JSON object)")
        nl = buf.find(b"\n")
        while nl < 0 and len(buf) <= MAX_HEADER and not self.eof:
            more = self._read(CHUNK)
            at = len(buf)
            buf += more
            nl = buf.find(b"\n", at)
        if nl < 0:
            raise self.error(1, "not a tracesim trace (line 1 has no end)"
                             if len(buf) > MAX_HEADER else
                             "the trace ends inside its header (truncated)")
        header = decode_header(buf[:nl], name)
        self.buf, self.pos = buf, nl + 1
        return header, buf[:nl + 1]

    # --- blocks ---------------------------------------------------------------------------
    def blocks(self) -> Iterator[Block]:
        while self.end is None:
            yield self._block()

    def _boundary(self) -> tuple[int, int]:
        """Indices into buf of the newline before the next seal or end line, and of the
        newline ending it."""
        search = self.pos - 1
        while True:
            buf, pos = self.buf, self.pos
            s = buf.find(SEAL_AT, search)
            e = buf.find(END_AT, search, s if s >= 0 else len(buf))
            at = e if e >= 0 else s
            if at >= 0:
                if at - pos > MAX_BLOCK:
                    raise self.error(self.line, f"no seal within {MAX_BLOCK >> 20} MiB: not a "
                                     "tracesim trace, or damaged")
                end = buf.find(b"\n", at + 1)
                if end >= 0:
                    return at, end
                if self.eof:
                    raise self._truncated()
                search = at - self._more()
                continue
            if len(buf) - pos > MAX_BLOCK:
                raise self.error(self.line, f"no seal within {MAX_BLOCK >> 20} MiB: not a "
                                 "tracesim trace, or damaged")
            if self.eof:
                raise self._truncated()
            search = max(pos - 1, len(buf) - len(SEAL_AT)) - self._more()

    def _truncated(self) -> TraceError:
        """The file ends before its end record: name a damaged line among the last ones if
        there is one (a line cut short), else the last line."""
        rest = self.buf[self.pos:]
        number = self.line
        for line in rest.split(b"\n"):
            if line:
                try:
                    _body_decoder.decode(line)
                except DECODE_ERRORS as err:
                    return self.error(number, f"damaged event ({short(err)}); the trace ends "
                                      "without its end record")
            number += 1
        last = self.line + rest.count(b"\n") - (1 if not rest or rest.endswith(b"\n") else 0)
        return self.error(max(last, 1), "the trace ends here, without its end record "
                          "(truncated)")

    def _block(self) -> Block:
        at, end = self._boundary()
        buf, pos, first = self.buf, self.pos, self.line
        stop = at + 1
        count = buf.count(b"\n", pos, stop)
        seal_line = first + count
        record = buf[stop:end]
        final = record.startswith(b'{"k":"end"')
        try:
            seal: Any = (_end_decoder if final else _seal_decoder).decode(record)
        except DECODE_ERRORS as err:
            raise self.error(seal_line, f"damaged seal ({short(err)})") from None
        events = None
        if self.decode:
            events = self._decode(buf, pos, stop, first)
            self._validate(events, first)
        else:
            self._light(buf, pos, stop, first, count)
        last = seal_line - 1
        what = f"lines {first}-{last}" if count > 1 else f"line {first}"
        with memoryview(buf) as view:
            digest = chain(self.digest, view[pos:stop])
        if not self.decode and (seal.n != count or digest.hex() != seal.digest):
            self._decode(buf, pos, stop, first)  # a damaged line, if any, by its number
        if seal.n != count:
            raise self.error(seal_line, f"the seal counts {seal.n} events, the block above it "
                             f"has {count}: lines deleted, duplicated or moved")
        if count > self.header.block or (count == 0 and not final):
            raise self.error(seal_line, f"a block of {count} events (the header says "
                             f"{self.header.block})")
        if digest.hex() != seal.digest:
            if count:
                raise self.error(first, f"{what} do not match the seal on line {seal_line}: "
                                 "damaged, reordered or from another trace")
            raise self.error(seal_line, "the seal does not match the lines before it: "
                             "damaged, reordered or from another trace")
        self.digest = digest
        self.blocks_read += 1
        block = Block(first, self.base + pos, buf, pos, stop, count, events)
        self.line = seal_line + 1
        self.pos = end + 1
        if final:
            self._finish(seal, seal_line)
        return block

    def _finish(self, end: ev.End, line: int) -> None:
        why = self.validator.check_end(end, outcome=self.decode)
        if why is None and end.blocks != self.blocks_read:
            why = f"the end record counts {end.blocks} blocks, the trace has {self.blocks_read}"
        if why is not None:
            raise self.error(line, why)
        if self.pos < len(self.buf) or self._read(1):
            raise self.error(line + 1, "more after the end record")
        self.end = end

    def _decode(self, buf: bytes, pos: int, stop: int, first: int) -> list[Any]:
        """A block's events, decoded in one call; only a damaged block line by line."""
        with memoryview(buf) as view:
            try:
                return _body_decoder.decode_lines(view[pos:stop])
            except DECODE_ERRORS:
                pass
        number = first
        decode = _body_decoder.decode
        for line in buf[pos:stop].split(b"\n")[:-1]:
            try:
                decode(line)
            except DECODE_ERRORS as err:
                raise self.error(number, f"damaged event ({short(err)})") from None
            number += 1
        raise self.error(first, "damaged block (an empty line)")

    def _validate(self, events: list[Any], first: int) -> None:
        bad = self.validator.check(events)
        if bad is not None:
            raise self.error(first + bad, self.validator.why)

    def _light(self, buf: bytes, pos: int, stop: int, first: int, count: int) -> None:
        """What a reader that scans the bytes itself (the diff) needs checked first: valid
        UTF-8 and the count; it checks the events it reads (trace.validate) as it goes."""
        raw = buf[pos:stop]
        if not raw.isascii():
            try:
                raw.decode()
            except UnicodeDecodeError as err:
                raise self.error(first + raw.count(b"\n", 0, err.start),
                                 "damaged event (invalid UTF-8)") from None
        self.validator.events += count


def read_stream(stream: BinaryIO, name: str,
                progress: Callable[[], None] | None = None) -> Trace:
    """progress, if given, is called after each block (tracesim/progress.py)."""
    reader = TraceReader(stream, name)
    events: list[Any] = []
    for block in reader.blocks():
        events += block.events or ()
        if progress is not None:
            progress()
    return Trace(reader.header, events, reader.end)


def read_trace(path: str | os.PathLike[str],
               progress: Callable[[int, int | None], None] | None = None) -> Trace:
    """progress, if given, is called after each block with the bytes of the file read so
    far and its size (compressed, for a compressed trace)."""
    try:
        fh = open_trace(path)
    except OSError as err:
        raise TraceError(f"{path}: {err.strerror or err}") from None
    with fh:
        if progress is None:
            return read_stream(fh, str(path))
        raw = getattr(fh, "_fh", fh)  # a compressed trace: where in the file, not its lines
        try:
            size: int | None = os.fstat(raw.fileno()).st_size
        except (OSError, AttributeError, ValueError):
            size = None
        return read_stream(fh, str(path), lambda: progress(raw.tell(), size))


def parse_trace(data: bytes, name: str = "<trace>") -> Trace:
    return read_stream(io.BytesIO(data), name)


class VerifiedStream:
    """A trace's header and event lines without its seals, as a read-only stream: each
    block is verified (TraceReader, decode=False) before its bytes are handed out. Offsets
    are of these bytes; `file_line` and `read_at` map them back to the file."""

    def __init__(self, stream: BinaryIO, name: str) -> None:
        self.raw = stream
        self.reader = TraceReader(stream, name, decode=False)
        self._blocks = self.reader.blocks()
        head = self.reader.header_line
        self._parts: list[bytes] = [head]
        self._size = len(head)
        self._done = False
        self.starts: list[int] = []  # offset here of each block's first byte
        self.file_starts: list[int] = []  # and in the file
        self.lengths: list[int] = []
        self._given = len(head)  # bytes of blocks taken so far
        self._head = head

    @property
    def header(self) -> Header:
        return self.reader.header

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or self._size < size) and not self._done:
            try:
                block = next(self._blocks)
            except StopIteration:
                self._done = True
                break
            data = block.data[block.start:block.stop]
            self.starts.append(self._given)
            self.file_starts.append(block.offset)
            self.lengths.append(len(data))
            self._given += len(data)
            self._parts.append(data)
            self._size += len(data)
        data = b"".join(self._parts)
        if 0 <= size < len(data):
            self._parts, self._size = [data[size:]], len(data) - size
            return data[:size]
        self._parts, self._size = [], 0
        return data

    def seals_before(self, offset: int) -> int:
        """How many seal lines the file has before this offset of these bytes."""
        return max(bisect.bisect_right(self.starts, offset) - 1, 0)

    def read_at(self, offset: int, size: int) -> bytes:
        """Bytes already handed out, from the file (a look back)."""
        out = []
        head = self._head
        if offset < len(head):
            out.append(head[offset:offset + size])
            size -= len(out[0])
            offset = len(head)
        while size > 0:
            k = bisect.bisect_right(self.starts, offset) - 1
            if k < 0:
                break
            inside = offset - self.starts[k]
            take = min(size, self.lengths[k] - inside)
            if take <= 0:
                break
            out.append(self._pread(self.file_starts[k] + inside, take))
            offset += take
            size -= take
        return b"".join(out)

    def _pread(self, offset: int, size: int) -> bytes:
        getbuffer = getattr(self.raw, "getbuffer", None)
        if getbuffer is not None:
            with getbuffer() as view:
                return bytes(view[offset:offset + size])
        return os.pread(self.raw.fileno(), size, offset)

    def close(self) -> None:
        self.raw.close()
