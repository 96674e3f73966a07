"""Aligning two traces by execution index, fast over what they share byte for byte.

A unit is a statement stop (or a call, or a return) with the events that follow it up to the
next one. Its execution index is its call path (each frame keyed by the unit it was called
from and its function) plus how often its frame has stopped at that line: two runs line up
even when one goes round a loop more often or makes a call the other does not.

Traces are read as bytes through windows, never whole, each block verified against its seal
before the window sees it (trace.store.VerifiedStream: the seal lines are left out), and every
store and call depth checked as it is scanned (trace.validate). Where the two files are byte
for byte the same, `bytes.find`/`count` and one regex follow calls, returns, stores and messages and
count the stops; only the units around a difference are decoded. Decoding starts from a point
both runs share, so keys are relative to it: equal relative keys mean equal execution indices.
A frame that stopped at a line more often in one run than in the other stays "dirty": its
next stop at that line no longer lines up, even where the bytes do.
"""
from __future__ import annotations

import io
import os
import re
from collections import deque
from typing import Any, BinaryIO, NamedTuple

import msgspec

from ..trace import events as ev
from ..trace.events import SCHEMA_VERSION, BodyEvent, Header
from ..trace.expand import ExpandedStream
from ..trace.store import DECODE_ERRORS, TraceError, VerifiedStream, event_lines, read_stream
from ..trace.validate import MAX_DEPTH, Invalid, check_store, memory_slots

CHUNK = 1 << 22  # bytes read at a time from each file
SEARCH_LIMIT = 50_000  # units per side searched for a reconvergence before giving up
KEEP_UNITS = 400  # units of a hunk kept for the report (the rest are only counted)

_decode_event = msgspec.json.Decoder(BodyEvent).decode
_decode_events = msgspec.json.Decoder(list[BodyEvent]).decode
_decode_header = msgspec.json.Decoder(Header).decode
_decode_value = msgspec.json.decode
_encode = msgspec.json.encode

# tracesim writes every line as {"k":"KIND",...} with the fields in schema order (msgspec)
STEP = b'\n{"k":"step"'
CALL = b'\n{"k":"call"'
RET = b'\n{"k":"ret"'
WRITE = b'\n{"k":"write","path":"'
_MESSAGES = (b'\n{"k":"report"', b'\n{"k":"exit"')
_HEADS = (ev.Step, ev.Call, ev.Return)
_CALL_RET = re.compile(rb'\n\{"k":"(?:call","fn":"([^"\n]*)","file":"([^"\n]*)"|ret")')
_DIRTY = re.compile(rb'\n\{"k":"(?:(?P<call>call)"|(?P<ret>ret)"|step","line":(?P<line>\d+)\})')


def _short(err: Exception) -> str:
    return str(err).splitlines()[0] if str(err) else type(err).__name__


class Window:
    """A sliding window over a trace's bytes: `buf` holds the file from offset `base`."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.buf = b""
        self.base = 0
        self.eof = False

    @property
    def end(self) -> int:
        return self.base + len(self.buf)

    def ensure(self, keep: int, upto: int) -> None:
        """Hold the bytes from `keep` up to `upto` (or the end of the file); drop what is
        before `keep` only when reading more. Callers keep two bytes before a line they
        work on: the byte scans look at the end of the line before."""
        if upto <= self.end or self.eof:
            return
        parts = [self.buf[keep - self.base:]]
        need = upto - self.end
        while need > 0:
            data = self.stream.read(max(need, CHUNK))
            if not data:
                self.eof = True
                break
            parts.append(data)
            need -= len(data)
        self.buf = b"".join(parts)
        self.base = keep

    def skip_to(self, offset: int) -> None:
        """Go on from `offset`, ahead of what is held, dropping the bytes in between."""
        while self.end < offset and not self.eof:
            data = self.stream.read(CHUNK)
            if not data:
                self.eof = True
                break
            self.base, self.buf = self.end, data
        keep = max(offset - 2, 0)  # the two bytes before a line, as ensure() keeps them
        if keep < self.base:
            self.buf = self.stream.read_at(keep, self.base - keep) + self.buf
        else:
            self.buf = self.buf[keep - self.base:]
        self.base = keep

    def read_at(self, offset: int, size: int) -> bytes:
        """Bytes anywhere in the file, for the few look-backs an explanation needs."""
        offset = max(0, offset)
        if self.base <= offset and offset + size <= self.end:
            return self.buf[offset - self.base:offset + size - self.base]
        if isinstance(self.stream, ExpandedStream):
            return self.stream.read_at(offset, size)
        getbuffer = getattr(self.stream, "getbuffer", None)
        if getbuffer is not None:
            return bytes(getbuffer()[offset:offset + size])
        return os.pread(self.stream.fileno(), size, offset)


class Frame:
    """One call in one run. `key` and `counts` are relative to the current decoded segment."""
    __slots__ = ("fn", "file", "ordinal", "parent", "depth", "option", "key", "counts", "line")

    def __init__(self, fn: str, file: str, ordinal: int, parent: Frame | None) -> None:
        self.fn = fn
        self.file = file
        self.ordinal = ordinal  # the how-many-th call of fn this is
        self.parent = parent
        self.depth = parent.depth + 1 if parent else 1
        self.option: str | None = None  # the -numa option a parse_numa call works on
        self.key: Any = None
        self.counts: dict[int, int] = {}
        self.line = 0

    def call_path(self) -> list[str]:
        out: list[str] = []
        f: Frame | None = self
        while f is not None:
            out.append(f.fn)
            f = f.parent
        return out[::-1]

    def nearest_option(self) -> str | None:
        f: Frame | None = self
        while f is not None:
            if f.option:
                return f.option
            f = f.parent
        return None


class Unit:
    """A stop, call or return and the events after it, up to the next one."""
    __slots__ = ("key", "kind", "frame", "line", "step", "head", "events", "pos", "raw")

    def __init__(self, key: Any, kind: str, frame: Frame | None, line: int, step: int,
                 head: Any, pos: int) -> None:
        self.key = key
        self.kind = kind  # "step", "call", "ret" or "start"
        self.frame = frame
        self.line = line
        self.step = step  # 1-based number of this stop; for calls and returns, stops so far
        self.head = head
        self.events: list[Any] = []
        self.pos = pos  # byte offset of the head line
        self.raw: bytes | None = None  # the events' lines, compared before the decoded events

    def content(self) -> bytes:
        """The unit's events as bytes: what breaks a tie between two ways to line up."""
        return _encode([self.head, *self.events])


class Writer(NamedTuple):
    """A store into program memory in a decoded unit. Stores in shared stretches are kept as
    bare offsets; their stop and frame are looked up when an explanation needs them."""
    pos: int
    step: int
    frame: Frame | None
    line: int  # the frame's stop when it stored


class Side:
    """One trace being read: the window, the call stack, and what the run came to."""

    def __init__(self, name: str, stream: BinaryIO) -> None:
        self.name = name
        self.source = stream
        self.win = Window(ExpandedStream(VerifiedStream(stream, name)))
        self.header = self._read_header()
        self.slots = memory_slots(self.header.profile)  # what a store may hold (typed reading)
        if not self._canonical():
            self._reencode()
        self.steps = 0
        self.stack: list[Frame] = []
        self.calls: dict[str, int] = {}
        self.memory: dict[str, Any] = {}
        self.writers: dict[str, list[int | Writer]] = {}
        self.reports: list[tuple[str, str, str | None]] = []
        self.exit_status: int | None = None
        self.checkpoints: list[tuple[int, int]] = [(0, 0)]  # (offset, stops before it)
        self.ahead: deque[Unit] = deque()
        self.cur_key: Any = ("base",)

    def _read_header(self) -> Header:
        w = self.win
        while True:
            w.ensure(0, w.end + CHUNK)
            nl = w.buf.find(b"\n")
            if nl >= 0 or w.eof:
                break
        line = w.buf if nl < 0 else w.buf[:nl]
        if not line:
            raise TraceError(f"{self.name}:1: empty file, not a tracesim trace")
        try:
            header = _decode_header(line)
        except DECODE_ERRORS as err:
            raise TraceError(f"{self.name}:1: not a tracesim trace header "
                             f"({_short(err)})") from None
        if header.schema != SCHEMA_VERSION:
            raise TraceError(f"{self.name}:1: trace schema {header.schema}, this tracesim reads "
                             f"schema {SCHEMA_VERSION}")
        self.pos = len(line) + 1
        return header

    def _canonical(self) -> bool:
        """Is the start of the body in tracesim's own compact encoding (what the byte scans
        rely on)?"""
        buf = self.win.buf
        i0 = self.pos - self.win.base
        i1 = buf.rfind(b"\n", i0 - 1) + 1
        lines = buf.count(b"\n", i0 - 1, i1 - 1)
        return buf.count(b'\n{"k":"', i0 - 1, i1) == lines and buf.count(b"}\n", i0, i1) == lines

    def _reencode(self) -> None:
        """Another writer's JSON: read it whole (line numbers in errors are the file's) and
        go on with tracesim's encoding of the same events."""
        try:
            self.source.seek(0)
        except OSError as err:
            raise TraceError(f"{self.name}: {err.strerror or err}") from None
        trace = read_stream(self.source, self.name)
        self.win = Window(io.BytesIO(event_lines(trace.header, trace.events)))
        self.header = self._read_header()

    def damaged(self, pos: int, why: str) -> TraceError:
        return TraceError(f"{self.name}:{self.lineno_at(pos)}: damaged event ({why})")

    def invalid(self, pos: int, why: str) -> TraceError:
        """An event that decodes but may not be there (trace.validate)."""
        return TraceError(f"{self.name}:{self.lineno_at(pos)}: {why}")

    def check_writes(self, events: list[Any], raw: bytes, at: int) -> None:
        """The stores among a unit's events (lines of `raw`, from offset `at`) are typed."""
        for k, e in enumerate(events):
            if type(e) is ev.Write:
                try:
                    check_store(self.slots, e.path, e.value)
                except Invalid as err:
                    pos = 0
                    for _ in range(k):
                        pos = raw.index(b"\n", pos) + 1
                    raise self.invalid(at + pos, str(err)) from None

    def lineno_at(self, pos: int) -> int:
        stream = self.win.stream
        n = self._lines_before(pos)
        return n + stream.seals_before(pos) if isinstance(stream, ExpandedStream) else n

    def _lines_before(self, pos: int) -> int:
        n, at = 1, 0
        while at < pos:
            block = self.win.read_at(at, min(CHUNK, pos - at))
            if not block:
                break
            n += block.count(b"\n")
            at += len(block)
        return n

    # --- decoding, a unit at a time --------------------------------------------------------
    def next_unit(self) -> Unit | None:
        """Decode the unit at `pos`: its head line, then the lines up to the next head,
        found by byte search and decoded in one call."""
        w, p = self.win, self.pos
        q = self._line_end(p)
        if q is None:
            return None
        try:
            head = _decode_event(w.buf[p - w.base:q - w.base])
        except DECODE_ERRORS as err:
            raise self.damaged(p, _short(err)) from None
        body = min(q + 1, w.end)
        end = self._next_head(body)
        raw = w.buf[body - w.base:end - w.base]
        events = self._decode_body(raw, body) if raw else []
        self.check_writes(events, raw, body)
        self.pos = end
        unit = self._open(head, p)
        unit.raw = raw
        unit.events = events
        apply = self.apply
        for k, e in enumerate(events):
            apply(e, body + k)  # an offset that keeps the order of stores is enough here
        return unit

    def _line_end(self, p: int) -> int | None:
        """File offset of the newline ending the line at `p` (the end of the file if the last
        line has none); None at the end."""
        w = self.win
        while True:
            q = w.buf.find(b"\n", p - w.base)
            if q >= 0:
                return w.base + q
            if w.eof:
                return w.end if p < w.end else None
            w.ensure(p - 2, w.end + CHUNK)

    def _next_head(self, i: int) -> int:
        """File offset of the first stop, call or return line at or after line start `i`."""
        w = self.win
        while True:
            buf, b = w.buf, w.base
            s = buf.find(STEP, i - 1 - b)
            if s < 0 and not w.eof:
                w.ensure(i - 2, w.end + CHUNK)
                continue
            lim = s if s >= 0 else len(buf)
            for pattern in (CALL, RET):  # only as far as the stop: a unit is short
                x = buf.find(pattern, i - 1 - b, lim + len(pattern))
                if 0 <= x < lim:
                    lim = x
            return b + lim + 1 if lim < len(buf) else w.end

    def _decode_body(self, raw: bytes, at: int) -> list[Any]:
        text = raw[:-1] if raw.endswith(b"\n") else raw
        try:
            return _decode_events(b"[" + text.replace(b"\n", b",") + b"]")
        except DECODE_ERRORS:
            pass
        for line in text.split(b"\n"):  # find the damaged line
            try:
                _decode_event(line)
            except DECODE_ERRORS as err:
                raise self.damaged(at, _short(err)) from None
            at += len(line) + 1
        raise self.damaged(at, "unreadable")

    def _open(self, head: Any, hpos: int) -> Unit:
        kind = type(head)
        if kind is ev.Step:
            if not self.stack:
                raise self.damaged(hpos, "a stop outside any call")
            f = self.stack[-1]
            n = f.counts.get(head.line, 0) + 1
            f.counts[head.line] = n
            f.line = head.line
            self.steps += 1
            unit = Unit((f.key, head.line, n), "step", f, head.line, self.steps, head, hpos)
        elif kind is ev.Call:
            if len(self.stack) >= MAX_DEPTH:
                raise self.invalid(hpos, f"calls nested deeper than {MAX_DEPTH}")
            ordinal = self.calls[head.fn] = self.calls.get(head.fn, 0) + 1
            f = Frame(head.fn, head.file, ordinal, self.stack[-1] if self.stack else None)
            f.key = (self.cur_key, head.fn)
            self.stack.append(f)
            unit = Unit((f.key, 0, 1), "call", f, 0, self.steps, head, hpos)
        elif kind is ev.Return:
            if not self.stack:
                raise self.damaged(hpos, "a return outside any call")
            f = self.stack.pop()
            unit = Unit((f.key, -1, 1), "ret", f, f.line, self.steps, head, hpos)
        else:  # a body that does not begin with a call: its first events make one unit
            unit = Unit(("start",), "start", None, 0, 0, None, hpos)
            self.check_writes([head], b"", hpos)
            self.apply(head, hpos)
        self.cur_key = unit.key
        return unit

    def apply(self, e: Any, pos: int) -> None:
        """What the diff keeps of an event: stores, messages, the exit, the -numa option."""
        kind = type(e)
        if kind is ev.Write:
            self.memory[e.path] = e.value
            top = self.stack[-1] if self.stack else None
            self.writers.setdefault(e.path, []).append(
                Writer(pos, self.steps, top, top.line if top else 0))
        elif kind is ev.Report:
            self.reports.append((e.kind, e.text, e.location))
        elif kind is ev.Exit:
            self.exit_status = e.status
        elif kind is ev.Fact and e.name == "numa.options" and self.stack:
            self.stack[-1].option = f"-numa {e.data.get('arg')}"

    def skip_repetitions(self) -> bool:
        """At the second repetition of a run (trace/expand.py), go on from its last
        repetition's last stop, counting the stops between: for a reader that weighs the
        first repetition's events (the cross-version diff). Whether it skipped."""
        stream = self.win.stream
        found = stream.skip_target(self.pos) if isinstance(stream, ExpandedStream) else None
        if found is None:
            return False
        target, stops = found
        self.win.skip_to(target)
        self.pos = target
        self.steps += stops
        return True

    def weight_at(self, offset: int) -> int:
        stream = self.win.stream
        return stream.weight_at(offset) if isinstance(stream, ExpandedStream) else 1

    def peek(self, i: int) -> Unit | None:
        ahead = self.ahead
        while len(ahead) <= i:
            unit = self.next_unit()
            if unit is None:
                return None
            ahead.append(unit)
        return ahead[i]

    # --- looking back, for explanations ----------------------------------------------------
    def last_writer(self, path: str, before: int) -> dict[str, Any] | None:
        """The last store into `path` before byte `before`: stop, function, file, line and
        the -numa option being handled then."""
        for w in reversed(self.writers.get(path, ())):
            pos = w if isinstance(w, int) else w.pos
            if pos >= before:
                continue
            if isinstance(w, Writer):
                f = w.frame
                return {"step": w.step, "function": f and f.fn, "file": f and f.file,
                        "line": w.line, "option": f and f.nearest_option(), "pos": pos}
            fn, file, line, option = self.context_at(pos)
            return {"step": self.step_at(pos), "function": fn, "file": file, "line": line,
                    "option": option, "pos": pos}
        return None

    def next_stop(self, unit: Unit, back: int = 1 << 16) -> dict[str, Any] | None:
        """The first stop after `unit`, read forward from it: (step, function, file, line)."""
        if unit.frame is None:
            return None
        frame: Frame | None = unit.frame.parent if unit.kind == "ret" else unit.frame
        inner: list[tuple[str, str]] = []  # calls entered after the unit
        at = self.win.read_at(unit.pos, 1 << 20).find(b"\n") + unit.pos + 1
        while True:
            data = self.win.read_at(at, back)
            end = data.rfind(b"\n") + 1
            if end == 0:
                return None
            for line in data[:end].split(b"\n")[:-1]:
                if line.startswith(b'{"k":"step"'):
                    where = inner[-1] if inner else (frame.fn, frame.file) if frame else None
                    fn, file = where or (None, None)
                    return {"step": unit.step + 1, "function": fn, "file": file,
                            "line": _decode_event(line).line}
                if line.startswith(b'{"k":"call"'):
                    call = _decode_event(line)
                    inner.append((call.fn, call.file))
                elif line.startswith(b'{"k":"ret"'):
                    if inner:
                        inner.pop()
                    elif frame is not None:
                        frame = frame.parent
            at += end

    def step_at(self, pos: int) -> int:
        """How many stops come before byte `pos`, counted from the nearest checkpoint."""
        at, steps = max((c for c in self.checkpoints if c[0] <= pos), default=(0, 0))
        return steps + self.win.read_at(at - 1, pos - at + 1).count(STEP)

    def context_at(self, pos: int, back: int = 1 << 20
                   ) -> tuple[str | None, str | None, int | None, str | None]:
        """The function, file and last stop line at byte `pos`, and the -numa option an
        enclosing parse_numa works on: walks the lines back, skipping finished calls."""
        start = max(0, pos - back)
        data = self.win.read_at(start, pos - start)
        fn = file = option = None
        line: int | None = None
        skip = 0
        e = len(data) - 1
        while e > 0:
            s = data.rfind(b"\n", 0, e) + 1
            if s == 0 and start > 0:
                break  # a cut line
            text = data[s:e]
            e = s - 1
            if text.startswith(b'{"k":"ret"'):
                skip += 1
            elif text.startswith(b'{"k":"call"'):
                if skip:
                    skip -= 1
                    continue
                call = _decode_event(text)
                if fn is None:
                    fn, file = call.fn, call.file
                elif call.fn == "parse_numa" or option is not None:
                    break
            elif skip:
                continue
            elif text.startswith(b'{"k":"step"') and fn is None and line is None:
                line = _decode_event(text).line
            elif option is None and b'"name":"numa.options"' in text:
                option = f"-numa {_decode_event(text).data.get('arg')}"
        return fn, file, line, option


class Hunk:
    """Where the runs differ: units only one run has (`-` A, `+` B) and units both have whose
    events differ (`~`). A hunk holds at most one parting of the ways."""

    def __init__(self, before: tuple[Unit, Unit] | None) -> None:
        self.before = before  # the last pair of units both runs have, before it
        self.common: tuple[Unit, Unit] | None = None  # the last shared stop before they part
        self.items: list[tuple[str, Unit | None, Unit | None]] = []
        self.counts = {"~": 0, "-": 0, "+": 0}
        self.steps_a: list[int] = []  # first and last stop number of A's units in it
        self.steps_b: list[int] = []
        self.rejoin: tuple[Unit, Unit] | None = None  # where the runs line up again

    @property
    def parts_ways(self) -> bool:
        return bool(self.counts["-"] or self.counts["+"])

    def add(self, op: str, ua: Unit | None, ub: Unit | None) -> None:
        self.counts[op] += 1
        if self.counts[op] <= KEEP_UNITS:  # kept for the report; the rest only counted
            self.items.append((op, ua, ub))
        for unit, span in ((ua, self.steps_a), (ub, self.steps_b)):
            if unit is not None and unit.kind == "step":
                if not span:
                    span.append(unit.step)
                span[1:] = [unit.step]


class Aligner:
    """Walks two traces together: byte-identical stretches fast, the rest unit by unit."""

    def __init__(self, a: Side, b: Side) -> None:
        self.a = a
        self.b = b
        self.hunks: list[Hunk] = []
        self.open: Hunk | None = None
        self.last_matched: tuple[Unit, Unit] | None = None
        self.last_step: tuple[Unit, Unit] | None = None
        self.dirty: dict[int, dict[int, int]] = {}  # depth -> line -> A's count - B's count
        self._names: dict[bytes, str] = {}

    def run(self) -> None:
        while self.fast():
            self.start_segment()
            if not self.slow():
                break
        self.close()

    # --- the fast path: byte-identical stretches --------------------------------------------
    def fast(self) -> bool:
        """Go over what both files share; False when both ended together."""
        A, B = self.a, self.b
        wa, wb = A.win, B.win
        grow = CHUNK
        while True:
            wa.ensure(A.pos - 2, A.pos + grow)
            wb.ensure(B.pos - 2, B.pos + grow)
            na, nb = wa.end - A.pos, wb.end - B.pos
            n = min(na, nb)
            ia, ib = A.pos - wa.base, B.pos - wb.base
            m = common_prefix(wa.buf, ia, wb.buf, ib, n)
            buf = wa.buf
            if m == n and na == nb and wa.eof and wb.eof:
                cut = buf.rfind(b"\n", ia - 1, ia + n) + 1  # all of it, but a last line lacking \n
                if cut > ia:
                    self._shared(A.pos, wa.base + cut)
                return not (A.pos == wa.end and B.pos == wb.end)
            if m == n and not ((na == n and wa.eof) or (nb == n and wb.eof)):
                # all the bytes in view agree: go on up to the last stop in view
                r = buf.rfind(STEP, ia - 1, ia + n)
                if r + 1 <= ia:
                    grow *= 2  # a unit longer than the window
                    continue
                if self._shared(A.pos, wa.base + r + 1):
                    return True
                grow = CHUNK
                continue
            # the first difference (or one trace ends): decode from the last stop before its
            # line, so that the stop where the runs part is decoded on both sides
            line_start = buf.rfind(b"\n", ia - 1, ia + m) + 1
            r = buf.rfind(STEP, ia - 1, line_start - 1)
            if r + 1 > ia:
                self._shared(A.pos, wa.base + r + 1)
            return True

    def _shared(self, lo: int, hi: int) -> bool:
        """Account for A's lines [lo, hi) and the same lines of B. True when it stopped
        early, before a stop the dirty counts put out of line."""
        A, B = self.a, self.b
        buf, base = A.win.buf, A.win.base
        i0, i1 = lo - base, hi - base
        stopped = False
        if self.dirty:
            hit = self._dirty_hit(buf, i0, i1)
            if hit is not None:
                r = buf.rfind(STEP, i0 - 1, hit - 1)
                i1 = r + 1 if r + 1 > i0 else i0
                stopped = True
        if i1 <= i0:
            return stopped
        self._check_framing(A, buf, base, i0, i1)
        shift = B.pos - A.pos
        both = [(A, 0), (B, shift)]
        self._calls_and_returns(both, buf, base, i0, i1)
        self._stores_and_messages(both, buf, base, i0, i1)
        steps = buf.count(STEP, i0 - 1, i1)
        for side, at in ((A, lo), (B, lo + shift)):
            side.checkpoints.append((at, side.steps))
            side.steps += steps
        A.pos = base + i1
        B.pos = A.pos + shift
        self.close()
        self.last_matched = None  # the shared units are not decoded
        return stopped

    def _calls_and_returns(self, sides: list[tuple[Side, int]], buf: bytes, base: int,
                           i0: int, i1: int) -> None:
        """The stacks after lines the `sides` share (A's bytes, B's at A's offset + shift):
        frames pushed here stay light (a tuple) and become Frames only if still running at
        the end."""
        first = sides[0][0]
        names = self._names
        dirty = self.dirty
        keep = len(first.stack)  # frames from before that are still running
        light: list[tuple[str, str, int, list[int]]] = []
        for m in _CALL_RET.finditer(buf, i0 - 1, i1):
            fn_b = m.group(1)
            if fn_b is None:  # a return
                if light:
                    light.pop()
                elif keep:
                    dirty.pop(keep, None)
                    keep -= 1
                else:
                    raise first.damaged(base + m.start() + 1, "a return outside any call")
                continue
            if keep + len(light) >= MAX_DEPTH:
                raise first.invalid(base + m.start() + 1, f"calls nested deeper than {MAX_DEPTH}")
            file_b = m.group(2)
            fn = names.get(fn_b) or names.setdefault(fn_b, fn_b.decode())
            file = names.get(file_b) or names.setdefault(file_b, file_b.decode())
            ordinals = []
            for side, _ in sides:
                n = side.calls[fn] = side.calls.get(fn, 0) + 1
                ordinals.append(n)
            light.append((fn, file, m.start() + 1, ordinals))
        for side, _ in sides:
            del side.stack[keep:]
        for fn, file, at, ordinals in light:
            option = self._option_after(buf, at, i1) if fn == "parse_numa" else None
            for (side, _), ordinal in zip(sides, ordinals):
                f = Frame(fn, file, ordinal, side.stack[-1] if side.stack else None)
                f.option = option
                side.stack.append(f)

    def _stores_and_messages(self, sides: list[tuple[Side, int]], buf: bytes, base: int,
                             i0: int, i1: int) -> None:
        names = self._names
        w = buf.find(WRITE, i0 - 1, i1)
        while w >= 0:
            q = buf.find(b'","value":', w + 22)
            end = buf.find(b"\n", q)
            path_b = buf[w + 22:q]
            path = names.get(path_b) or names.setdefault(path_b, path_b.decode())
            try:
                value = _decode_value(buf[q + 10:end - 1])
            except DECODE_ERRORS as err:
                raise sides[0][0].damaged(base + w + 1, _short(err)) from None
            try:
                check_store(sides[0][0].slots, path, value)
            except Invalid as err:
                raise sides[0][0].invalid(base + w + 1, str(err)) from None
            for side, shift in sides:
                side.memory[path] = value
                side.writers.setdefault(path, []).append(base + w + 1 + shift)
            w = buf.find(WRITE, end, i1)
        for pattern in _MESSAGES:
            m = buf.find(pattern, i0 - 1, i1)
            while m >= 0:
                end = buf.find(b"\n", m + 1)
                try:
                    e = _decode_event(buf[m + 1:end])
                except DECODE_ERRORS as err:
                    raise sides[0][0].damaged(base + m + 1, _short(err)) from None
                for side, shift in sides:
                    side.apply(e, base + m + 1 + shift)
                m = buf.find(pattern, end, i1)

    @staticmethod
    def _check_framing(side: Side, buf: bytes, base: int, i0: int, i1: int) -> None:
        """Every line {"k":"...}: cheap enough to do on what is not decoded, and it finds
        cut or garbled lines (with their line number)."""
        lines = buf.count(b"\n", i0 - 1, i1 - 1)
        if buf.count(b'}\n{"k":"', i0 - 2, i1 + 5) == lines:
            return
        s = i0
        while s < i1:
            e = buf.find(b"\n", s)
            if not (buf.startswith(b'{"k":"', s) and buf[e - 1:e] == b"}"):
                try:
                    _decode_event(buf[s:e])
                except DECODE_ERRORS as err:
                    raise side.damaged(base + s, _short(err)) from None
            s = e + 1

    @staticmethod
    def _option_after(buf: bytes, at: int, i1: int) -> str | None:
        """The -numa option of a parse_numa call starting at `at` (its fact at numa.c:231)."""
        f = buf.find(b'"name":"numa.options"', at, min(i1, at + 4096))
        if f < 0:
            return None
        e = _decode_event(buf[buf.rfind(b"\n", 0, f) + 1:buf.find(b"\n", f)])
        return f"-numa {e.data.get('arg')}"

    def _dirty_hit(self, buf: bytes, i0: int, i1: int) -> int | None:
        """Index of the first stop in [i0, i1) at a line where a live frame's counts differ."""
        depth = len(self.a.stack)
        dirty = {d: set(lines) for d, lines in self.dirty.items()}
        for m in _DIRTY.finditer(buf, i0 - 1, i1):
            if m.lastgroup == "call":
                depth += 1
            elif m.lastgroup == "ret":
                dirty.pop(depth, None)
                depth -= 1
                if not dirty:
                    return None
            elif int(m.group("line")) in dirty.get(depth, ()):
                return m.start() + 1
        return None

    # --- the slow path: unit by unit ----------------------------------------------------------
    def start_segment(self) -> None:
        """Key the frames both runs are in relative to here; carry the dirty counts."""
        A, B = self.a, self.b
        assert len(A.stack) == len(B.stack)
        for k, (fa, fb) in enumerate(zip(A.stack, B.stack), 1):
            fa.key = fb.key = ("base", k)
            fa.counts = {}
            off = self.dirty.get(k)
            fb.counts = {line: -d for line, d in off.items()} if off else {}
        A.cur_key = B.cur_key = ("base",)

    def end_segment(self) -> None:
        dirty: dict[int, dict[int, int]] = {}
        for k, (fa, fb) in enumerate(zip(self.a.stack, self.b.stack), 1):
            diffs = {}
            for line in fa.counts.keys() | fb.counts.keys():
                d = fa.counts.get(line, 0) - fb.counts.get(line, 0)
                if d:
                    diffs[line] = d
            if diffs:
                dirty[k] = diffs
        self.dirty = dirty

    def slow(self) -> bool:
        """Decode and align until both runs share a unit and nothing read ahead is left;
        False when both traces have ended."""
        A, B = self.a, self.b
        while True:
            ua, ub = A.peek(0), B.peek(0)
            if ua is None and ub is None:
                return False
            if ua is not None and ub is not None and ua.key == ub.key:
                A.ahead.popleft()
                B.ahead.popleft()
                self.matched(ua, ub)
                if not A.ahead and not B.ahead:
                    self.end_segment()
                    return True
                continue
            self.diverge()

    def matched(self, ua: Unit, ub: Unit) -> None:
        h = self.open
        if h is not None and h.parts_ways:  # the runs line up again: one parting per hunk
            h.rejoin = (ua, ub)
            self.close()
        same = ua.head == ub.head and (ua.raw == ub.raw or ua.events == ub.events)
        ua.raw = ub.raw = None
        if same:
            self.close()
        else:
            self.hunk().add("~", ua, ub)
        self.last_matched = (ua, ub)
        if ua.kind == "step":
            self.last_step = (ua, ub)

    def diverge(self) -> None:
        """The runs part: find the nearest unit both have again (keys are unique in a run).
        When one run has ended and the other has left every frame the ended one still
        stopped in, nothing can line up again: the rest is only counted and scanned."""
        sides = (self.a, self.b)
        seen: tuple[dict[Any, int], dict[Any, int]] = ({}, {})
        floor = [1 << 30, 1 << 30]  # the shallowest frame each run stopped in since parting
        ended = [False, False]
        stop = [False, False]
        found: tuple[int, int] | None = None
        t = 0
        while found is None and not (stop[0] and stop[1]):
            # one unit of each run per round, both looked up before either is remembered, and
            # ties broken by the key itself: swapping A and B swaps the answer
            units: list[Unit | None] = [None, None]
            for s in (0, 1):
                if not stop[s]:
                    units[s] = sides[s].peek(t) if t < SEARCH_LIMIT else None
                    if units[s] is None:
                        ended[s] = t < SEARCH_LIMIT
                        stop[s] = True
            ua, ub = units
            candidates: list[tuple[int, bytes, int, int]] = []
            if ua is not None and ub is not None and ua.key == ub.key:
                candidates.append((2 * t, b"", t, t))
            for s, u in enumerate(units):
                hit = seen[1 - s].get(u.key) if u is not None else None
                if hit is not None:
                    candidates.append((t + hit, u.content(), t, hit) if s == 0 else
                                      (t + hit, u.content(), hit, t))
            if candidates:
                _, _, i, j = min(candidates)
                found = (i, j)
                break
            for s, u in enumerate(units):
                if u is None:
                    continue
                seen[s][u.key] = t
                depth = u.frame.depth if u.frame is not None else 0
                floor[s] = min(floor[s], depth)
                if ended[1 - s] and depth - (u.kind == "ret") < floor[1 - s]:
                    stop[s] = True  # past every frame the ended run stopped in
            t += 1
        h = self.hunk()
        if h.common is None:
            h.common = self.last_step
        counts = found if found is not None else (
            min(t, len(self.a.ahead)), min(t, len(self.b.ahead)))
        for s, op in ((0, "-"), (1, "+")):
            for _ in range(counts[s]):
                unit = sides[s].ahead.popleft()
                unit.raw = None
                h.add(op, unit, None) if s == 0 else h.add(op, None, unit)
        if found is None:
            for s, op in ((0, "-"), (1, "+")):
                if ended[1 - s] and not ended[s]:
                    self._drain(sides[s], h, op)

    def _drain(self, side: Side, h: Hunk, op: str) -> None:
        """The rest of a run the other cannot meet again: read ahead units go into the hunk,
        the bytes after them are only scanned (stops, stores, messages)."""
        while side.ahead:
            unit = side.ahead.popleft()
            unit.raw = None
            h.add(op, unit, None) if op == "-" else h.add(op, None, unit)
        w = side.win
        while True:
            w.ensure(side.pos - 2, side.pos + CHUNK)
            i0 = side.pos - w.base
            cut = w.buf.rfind(b"\n", i0 - 1) + 1
            if cut <= i0:
                if not w.eof:
                    w.ensure(side.pos - 2, w.end + CHUNK)
                    continue
                while side.pos < w.end:  # a last line without its newline
                    unit = side.next_unit()
                    if unit is not None:
                        h.add(op, unit, None) if op == "-" else h.add(op, None, unit)
                return
            buf = w.buf
            self._calls_and_returns([(side, 0)], buf, w.base, i0, cut)
            self._stores_and_messages([(side, 0)], buf, w.base, i0, cut)
            steps = buf.count(STEP, i0 - 1, cut)
            units = steps + buf.count(CALL, i0 - 1, cut) + buf.count(RET, i0 - 1, cut)
            side.checkpoints.append((side.pos, side.steps))
            side.steps += steps
            h.counts[op] += units
            span = h.steps_a if op == "-" else h.steps_b
            if steps:
                span[:] = [span[0] if span else side.steps - steps + 1, side.steps]
            side.pos = w.base + cut

    def hunk(self) -> Hunk:
        if self.open is None:
            self.open = Hunk(self.last_matched)
        return self.open

    def close(self) -> None:
        if self.open is not None:
            self.hunks.append(self.open)
            self.open = None


def common_prefix(a: bytes, i: int, b: bytes, j: int, n: int) -> int:
    """How many bytes a[i:] and b[j:] share, up to n: memcmp speed, galloping so that a
    near difference costs little."""
    mb = memoryview(b)
    lo, size = 0, 256
    while lo < n:
        size = min(size, n - lo)
        if a.startswith(mb[j + lo:j + lo + size], i + lo):
            lo += size
            size *= 4
            continue
        hi = lo + size  # a[i:i+lo] == b[j:j+lo] and they differ before hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if a.startswith(mb[j + lo:j + mid], i + lo):
                lo = mid
            else:
                hi = mid
        return lo
    return n


def align(a: Side, b: Side) -> Aligner:
    aligner = Aligner(a, b)
    aligner.run()
    return aligner
