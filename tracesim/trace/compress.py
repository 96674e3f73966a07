"""zstd-compressed traces: `T.jsonl.zst` is the same lines in zstd frames (`zstdcat T | jq`).

Written when the output's name ends in `.zst`; read whatever the name, by the zstd magic.
The seals' digests are over the uncompressed lines, so a compressed trace proves itself the
same way. zstandard is imported only when a compressed trace is met.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any, BinaryIO

MAGIC = b"\x28\xb5\x2f\xfd"
LEVEL = 10  # the largest trace: 64 MB of lines to about 6 MB, written as fast as it is made


def wants_zstd(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).endswith(".zst")


class _Decompressed:
    """A zstd stream read as its lines' bytes; damage is an OSError, as a read error is."""

    def __init__(self, fh: BinaryIO) -> None:
        import zstandard

        self._error = zstandard.ZstdError
        self._fh = fh
        self._reader = zstandard.ZstdDecompressor().stream_reader(
            fh, read_size=1 << 20, closefd=False, read_across_frames=True)

    def read(self, size: int = -1) -> bytes:
        try:
            return self._reader.read(size)
        except self._error as err:
            raise OSError(f"damaged zstd data ({err})") from None

    def close(self) -> None:
        self._reader.close()
        self._fh.close()

    def __enter__(self) -> "_Decompressed":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def open_trace(path: str | os.PathLike[str]) -> Any:
    """A trace file for reading from the start: its lines, decompressed if need be."""
    fh = open(path, "rb")
    try:
        head = fh.read(4)
        fh.seek(0)
    except OSError:
        fh.close()
        raise
    if head == MAGIC:
        return _Decompressed(fh)
    return fh


def open_seekable(path: str | os.PathLike[str]) -> BinaryIO:
    """A trace file a reader may look back in (the diff): a compressed one is written out
    to an anonymous temporary file first."""
    stream = open_trace(path)
    if not isinstance(stream, _Decompressed):
        return stream
    with stream:
        out = tempfile.TemporaryFile()
        try:
            shutil.copyfileobj(stream, out, 1 << 22)
        except BaseException:
            out.close()
            raise
    out.seek(0)
    return out  # type: ignore[return-value]


def compressing(fh: BinaryIO) -> Any:
    """A writer that compresses into fh; `close()` ends the frame (and leaves fh open)."""
    import zstandard

    return zstandard.ZstdCompressor(level=LEVEL, write_checksum=True).stream_writer(
        fh, closefd=False)


def compress(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor(level=LEVEL, write_checksum=True).compress(data)
