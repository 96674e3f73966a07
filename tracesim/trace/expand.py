"""A verified trace's event lines with every `repeat` record written out as the lines it
stands for: what a byte-scanning reader (the diff) reads, so that it sees exactly the lines
an uncompacted trace would hold, generated as they are read, never all held.

Each repetition is written from a byte template of the body, its varying integers filled in
(a repetition costs one `%` format, not the decoding and encoding of its events).
"""

from __future__ import annotations

import bisect
from array import array

import msgspec

from . import events as ev
from .seq import plain_event
from .store import DECODE_ERRORS, TraceError, VerifiedStream

REPEAT_AT = b'\n{"k":"repeat"'
_STOP = b'{"k":"step"'
CHUNK = 1 << 22
_SENTINEL = 4_611_686_018_427_380_000  # integers no trace holds, marking the ramps
_decode_repeat = msgspec.json.Decoder(ev.Repeat).decode
_encoder = msgspec.json.Encoder()


class Expansion:
    """One repeat record's lines: repetition k is `template % values(k)`."""

    def __init__(self, record: ev.Repeat) -> None:
        ramps: list[ev.Ramp] = []

        def mark(ramp: ev.Ramp) -> int:
            ramps.append(ramp)
            return _SENTINEL + len(ramps) - 1

        plain = [plain_event(b, mark) for b in record.body]
        text = _encoder.encode_lines(plain).replace(b"%", b"%%")
        for i in range(len(ramps)):
            text = text.replace(str(_SENTINEL + i).encode(), b"%d", 1)
        self.template = text
        self.ramps = [(r.start, r.by) for r in ramps]
        self.times = record.n
        self.width = len(record.body)
        self.offsets = array("q", [0])  # where each repetition begins, as far as written

    def last_stop(self) -> int | None:
        """Offset in repetition 0 of its last stop line (None: it has none)."""
        return self._stop_lines()[1]

    def first_stop(self) -> int:
        return self._stop_lines()[0]

    def _stop_lines(self) -> tuple[int, int | None]:
        """Repetition 0's first and last stop lines, and the stops in a repetition (once)."""
        if not hasattr(self, "_stops"):
            rep = self.repetition(0)
            i = rep.rfind(b"\n" + _STOP)
            last = i + 1 if i >= 0 else (0 if rep.startswith(_STOP) else None)
            self._stops = (rep.find(_STOP), last)
            self.stops = rep.count(_STOP)
        return self._stops

    def repetition(self, k: int) -> bytes:
        return self.template % tuple(start + k * by for start, by in self.ramps)

    def size_through(self, k: int) -> int:
        """Bytes of repetitions 0..k-1 (written out to learn them if need be)."""
        offsets = self.offsets
        while len(offsets) <= k:
            j = len(offsets) - 1
            offsets.append(offsets[j] + len(self.repetition(j)))
        return offsets[k]

    def read_at(self, offset: int, size: int) -> bytes:
        total = self.size_through(self.times)
        out, end = [], min(offset + size, total)
        k = bisect.bisect_right(self.offsets, offset) - 1
        while offset < end and k < self.times:
            rep = self.repetition(k)
            inside = offset - self.offsets[k]
            piece = rep[inside:inside + end - offset]
            out.append(piece)
            offset += len(piece)
            k += 1
        return b"".join(out)


class ExpandedStream:
    """VerifiedStream's bytes with each repeat line replaced by its lines. Offsets are of
    these bytes; `read_at` looks back and `seals_before` keeps file line numbers right."""

    def __init__(self, stream: VerifiedStream) -> None:
        self.vs = stream
        self.name = stream.reader.name
        self._carry = b""  # bytes taken from vs and not yet handed out
        self._carry_src = 0  # their offset in vs
        self._vs_eof = False
        self._out: list[bytes] = []
        self._size = 0
        self._given = 0  # bytes handed out or queued
        # an expansion being written: (it, next repetition, where vs goes on, lines added)
        self._pending: tuple[Expansion, int, int, int] | None = None
        # segments: where each begins here, in vs, and the expansion it is (None: plain)
        self._starts: list[int] = [0]
        self._src_starts: list[int] = [0]
        self._exps: list[Expansion | None] = [None]
        self._extra: list[int] = [0]  # lines expansions added before each segment

    @property
    def header(self) -> ev.Header:
        return self.vs.header

    def _queue(self, data: bytes) -> None:
        if data:
            self._out.append(data)
            self._size += len(data)
            self._given += len(data)

    def _segment(self, src: int, exp: Expansion | None, extra: int) -> None:
        self._starts.append(self._given)
        self._src_starts.append(src)
        self._exps.append(exp)
        self._extra.append(extra)

    def _more(self) -> None:
        data = self.vs.read(CHUNK)
        if not data:
            self._vs_eof = True
        self._carry += data

    def _fill(self, want: int) -> None:
        while self._size < want:
            if self._pending is not None:
                exp, k, src_after, extra = self._pending
                batch = min(exp.times - k, 4096)
                self._queue(b"".join(exp.repetition(j) for j in range(k, k + batch)))
                if k + batch < exp.times:
                    self._pending = (exp, k + batch, src_after, extra)
                else:
                    self._pending = None
                    self._segment(src_after, None, extra)
                continue
            buf = self._carry
            at = buf.find(REPEAT_AT)
            if at < 0:
                if self._vs_eof:
                    self._queue(buf)
                    self._carry_src += len(buf)
                    self._carry = b""
                    return
                cut = buf.rfind(b"\n")  # a partial line may begin a repeat: kept back
                if cut > 0:
                    self._queue(buf[:cut])
                    self._carry, self._carry_src = buf[cut:], self._carry_src + cut
                self._more()
                continue
            end = buf.find(b"\n", at + 1)
            if end < 0 and not self._vs_eof:
                self._more()
                continue
            end = len(buf) if end < 0 else end
            self._queue(buf[:at + 1])
            try:
                record = _decode_repeat(buf[at + 1:end])
            except DECODE_ERRORS as err:
                raise TraceError(f"{self.name}: damaged repeat ({err})") from None
            exp = Expansion(record)
            line_src = self._carry_src + at + 1
            extra = self._extra[-1]
            self._segment(line_src, exp, extra)
            after = line_src + end - at
            self._pending = (exp, 0, after, extra + exp.times * exp.width - 1)
            self._carry, self._carry_src = buf[end + 1:], after

    def read(self, size: int = -1) -> bytes:
        self._fill(size if size >= 0 else 1 << 62)
        data = b"".join(self._out)
        if 0 <= size < len(data):
            self._out, self._size = [data[size:]], len(data) - size
            return data[:size]
        self._out, self._size = [], 0
        return data

    def _locate(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset) - 1

    def read_at(self, offset: int, size: int) -> bytes:
        out = []
        while size > 0:
            s = self._locate(offset)
            inside = offset - self._starts[s]
            exp = self._exps[s]
            limit = (self._starts[s + 1] - offset) if s + 1 < len(self._starts) else size
            take = min(size, limit)
            if take <= 0:
                break
            piece = (exp.read_at(inside, take) if exp is not None
                     else self.vs.read_at(self._src_starts[s] + inside, take))
            if not piece:
                break
            out.append(piece)
            offset += len(piece)
            size -= len(piece)
        return b"".join(out)

    def seals_before(self, offset: int) -> int:
        """What to add to the lines before `offset` here for the file's line: the seals,
        less the lines expansions added."""
        s = self._locate(offset)
        src = self._src_starts[s] + (0 if self._exps[s] is not None else offset - self._starts[s])
        inside = 0
        exp = self._exps[s]
        if exp is not None:  # a line of an expansion: named by its repeat line
            inside = self.read_at(self._starts[s], offset - self._starts[s]).count(b"\n")
        return self.vs.seals_before(src) - self._extra[s] - inside

    # --- reading a run once, for the cross-version diff's counts ---------------------------
    def _expansion(self, offset: int) -> tuple[int, Expansion] | None:
        s = self._locate(offset)
        exp = self._exps[s]
        if exp is None or offset >= self._starts[s] + exp.size_through(exp.times):
            return None
        return self._starts[s], exp

    def skip_target(self, pos: int) -> tuple[int, int] | None:
        """For a reader at the stop line `pos` in a run's second or later repetition: the
        last stop line of the run's last repetition, and how many stops lie from `pos` up to
        it (those a reader that weighs repetition 0 need not read)."""
        found = self._expansion(pos)
        if found is None:
            return None
        start, exp = found
        rel = pos - start
        k = bisect.bisect_right(exp.offsets, rel) - 1
        if k < 1 or exp.last_stop() is None:
            return None
        final = exp.repetition(exp.times - 1)  # its integers may be longer than the first's
        at = final.rfind(b"\n" + _STOP)
        target = exp.offsets[exp.times - 1] + (at + 1 if at >= 0 else 0)
        if target <= rel:
            return None
        here = exp.repetition(k)[rel - exp.offsets[k]:].count(_STOP)
        return start + target, here + (exp.times - 1 - k) * exp.stops - 1

    def weight_at(self, offset: int) -> int:
        """How many events a reader that skips as `skip_target` says stands for with the
        event at `offset`: repetition 0's between its first and last stop stand for every
        repetition's; those before the first stop (read again in repetition 1) and from the
        last (read again in the last repetition) for all but one."""
        found = self._expansion(offset)
        if found is None:
            return 1
        start, exp = found
        rel = offset - start
        if exp.last_stop() is None or rel >= exp.offsets[1]:
            return 1
        if rel < exp.first_stop() or rel >= exp.last_stop():
            return exp.times - 1
        return exp.times

    def close(self) -> None:
        self.vs.close()
