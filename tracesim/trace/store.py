"""Trace files: JSON Lines, a header first, written atomically, read with line numbers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import msgspec

from . import events as ev
from .events import SCHEMA_VERSION, BodyEvent, Header
from .output import checked_target, replace_target, temp_beside

_encoder = msgspec.json.Encoder()
_body_decoder = msgspec.json.Decoder(BodyEvent)
_header_decoder = msgspec.json.Decoder(Header)


class TraceError(Exception):
    """A trace that cannot be read: the message names the file and the line."""


@dataclass
class Trace:
    header: Header
    events: list[Any]

    @property
    def argv(self) -> list[str]:
        return self.header.argv


def encode_lines(header: Header, events: Iterable[Any]) -> bytes:
    buf = bytearray(_encoder.encode(header))
    buf += b"\n"
    for event in events:
        _encoder.encode_into(event, buf, -1)
        buf += b"\n"
    return bytes(buf)


def write_trace(path: str | os.PathLike[str], header: Header, events: Iterable[Any]) -> None:
    write_bytes_atomic(path, encode_lines(header, events))


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half file, and
    only ever a regular file (OutputError otherwise)."""
    target = checked_target(path)
    fd, tmp = temp_beside(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        replace_target(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class StreamingTraceWriter:
    """A sink that encodes each event as it comes into a temporary file beside the target,
    renamed into place by `commit`: memory stays flat however long the run, and an
    interrupted run never leaves a half trace under the final name. Keeps the reports and
    exits (`records`) so the caller can still print what the process printed."""

    FLUSH_EVERY = 1 << 15  # records kept before they are encoded (bounds memory)

    def __init__(self, path: str | os.PathLike[str], header: Header) -> None:
        self.target = checked_target(path)
        fd, self.tmp = temp_beside(self.target)
        self.fh = os.fdopen(fd, "wb")
        self.fh.write(_encoder.encode(header) + b"\n")
        self.pending: list[Any] = []
        self.records: list[Any] = []
        self.count = 0

    def msg(self, record: Any) -> None:
        pending = self.pending
        pending.append(record)
        if len(pending) >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        """Encode the pending records in one call and keep what the process printed."""
        pending = self.pending
        self.fh.write(_encoder.encode_lines(pending))
        self.records += [r for r in pending if type(r) is ev.Report or type(r) is ev.Exit]
        self.count += len(pending)
        pending.clear()

    def commit(self) -> None:
        self.flush()
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        try:
            replace_target(self.tmp, self.target)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        self.fh.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


def _short(err: Exception) -> str:
    return str(err).splitlines()[0] if str(err) else type(err).__name__


def read_trace(path: str | os.PathLike[str]) -> Trace:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise TraceError(f"{path}: {err.strerror or err}") from None
    return parse_trace(data, str(path))


def parse_trace(data: bytes, name: str = "<trace>") -> Trace:
    nl = data.find(b"\n")
    first = data if nl < 0 else data[:nl]
    if not data.strip():
        raise TraceError(f"{name}:1: empty file, not a tracesim trace")
    try:
        header = _header_decoder.decode(first)
    except (msgspec.DecodeError, msgspec.ValidationError) as err:
        raise TraceError(f"{name}:1: not a tracesim trace header ({_short(err)})") from None
    if header.schema != SCHEMA_VERSION:
        raise TraceError(
            f"{name}:1: trace schema {header.schema}, this tracesim reads schema {SCHEMA_VERSION}"
        )
    body = memoryview(data)[nl + 1 :] if nl >= 0 else memoryview(b"")
    try:
        # one call decodes every line in C; only a damaged file is read line by line
        return Trace(header, _body_decoder.decode_lines(body))
    except (msgspec.DecodeError, msgspec.ValidationError):
        pass
    decode = _body_decoder.decode
    for number, line in enumerate(bytes(body).split(b"\n"), start=2):
        if not line.strip():
            continue
        try:
            decode(line)
        except (msgspec.DecodeError, msgspec.ValidationError) as err:
            raise TraceError(f"{name}:{number}: damaged event ({_short(err)})") from None
    raise TraceError(f"{name}: damaged trace")
