"""Trace files: JSON Lines, a header first, written atomically, read with line numbers."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import msgspec

from .events import SCHEMA_VERSION, BodyEvent, Header

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
    """Write to a temporary file beside the target, then rename: never a half file."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a trace is an ordinary file
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _short(err: Exception) -> str:
    return str(err).splitlines()[0] if str(err) else type(err).__name__


def read_trace(path: str | os.PathLike[str]) -> Trace:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise TraceError(f"{path}: {err.strerror or err}") from None
    return parse_trace(data, str(path))


def parse_trace(data: bytes, name: str = "<trace>") -> Trace:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        raise TraceError(f"{name}:1: empty file, not a tracesim trace")
    try:
        header = _header_decoder.decode(lines[0])
    except (msgspec.DecodeError, msgspec.ValidationError) as err:
        raise TraceError(f"{name}:1: not a tracesim trace header ({_short(err)})") from None
    if header.schema != SCHEMA_VERSION:
        raise TraceError(f"{name}:1: trace schema {header.schema}, this tracesim reads "
                         f"schema {SCHEMA_VERSION}")
    decode = _body_decoder.decode
    events: list[Any] = []
    append = events.append
    try:
        for line in lines[1:]:
            append(decode(line))
    except (msgspec.DecodeError, msgspec.ValidationError) as err:
        raise TraceError(f"{name}:{len(events) + 2}: damaged event ({_short(err)})") from None
    return Trace(header, events)
