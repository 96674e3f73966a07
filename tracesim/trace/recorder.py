"""The recorder: what the simulated program reports each step to.

structlog is the emitter: every report is a structlog event that runs through a
processor chain (validate the kind, build the typed record) into a sink that keeps
the records in order. The simulator calls the small methods below, one per modelled
step; it never touches files.
"""

from __future__ import annotations

from typing import Any, Callable

from ..demand import defer

defer("asyncio")  # structlog imports it for async loggers this recorder never uses
import structlog  # noqa: E402

from . import events as ev

_RECORDS: dict[str, type] = {
    "call": ev.Call,
    "ret": ev.Return,
    "step": ev.Step,
    "write": ev.Write,
    "local": ev.Local,
    "branch": ev.Branch,
    "assert": ev.Assert,
    "loop": ev.Loop,
    "report": ev.Report,
    "exit": ev.Exit,
    "fact": ev.Fact,
    "repeat": ev.Repeat,
}


def build_record(_logger: Any, tag: str, event_dict: dict[str, Any]) -> Any:
    """Processor: turn the event dict into its typed record (the last processor)."""
    return _RECORDS[tag](**event_dict)


class TraceLogger(structlog.BoundLoggerBase):
    """A structlog wrapper class for trace events: runs the processor chain with the event
    kind as the method name and hands the final record to the sink. It skips the generic
    path's context copy and result-shape checks, which cost more than the event itself on
    traces of millions of events; trace events carry no bound context."""

    def emit(self, tag: str, /, **event_dict: Any) -> None:
        logger = self._logger
        for proc in self._processors:
            event_dict = proc(logger, tag, event_dict)
        logger.msg(event_dict)


class ListSink:
    """The structlog 'logger' at the end of the chain: keeps records in order."""

    def __init__(self) -> None:
        self.records: list[Any] = []
        self.msg: Callable[[Any], None] = self.records.append


class OutcomeSink:
    """Keeps only what the process printed and how it ended (reports and exits), for runs
    whose events stream elsewhere or are not kept."""

    def __init__(self) -> None:
        self.records: list[Any] = []

    def msg(self, record: Any) -> None:
        if type(record) in (ev.Report, ev.Exit):
            self.records.append(record)


def make_logger(sink: Any, processors: list[Callable[..., Any]] | None = None) -> TraceLogger:
    """A structlog logger whose chain ends in `build_record`; extra processors run first."""
    chain = list(processors or []) + [build_record]
    return structlog.wrap_logger(sink, processors=chain, wrapper_class=TraceLogger)


def _varying(a: Any, b: Any) -> Any:
    """A body value from its first two repetitions: itself if equal, a Ramp if both are
    integers, else None (the repetitions are not alike)."""
    if a == b and type(a) is type(b):
        return a
    if type(a) is int and type(b) is int:
        return ev.Ramp(a, b - a)
    return None


def repeat_body(first: list[Any], second: list[Any]) -> list[Any] | None:
    """The body of a Repeat whose first two repetitions recorded these events, or None when
    they differ in anything but integers."""
    if len(first) != len(second) or not first:
        return None
    body = []
    for a, b in zip(first, second):
        kind = type(a)
        if kind is not type(b) or kind not in ev.REPEATABLE:
            return None
        fields = {}
        for f in a.__struct_fields__:
            x, y = getattr(a, f), getattr(b, f)
            if f == "values":
                if x.keys() != y.keys():
                    return None
                v = {name: _varying(x[name], y[name]) for name in x}
                if any(v[name] is None and x[name] is not None for name in v):
                    return None
            else:
                v = _varying(x, y)
                if v is None and x is not None:
                    return None
            fields[f] = v
        body.append(ev.REPEATABLE[kind](**fields))
    return body


class Recorder:
    """Sends the events of one simulated run through structlog into a sink (by default a
    list; `trace.store.StreamingTraceWriter` writes them to a trace file as they come).
    compact=False records every repetition of `repeat` as plain events (the reference the
    compact form is tested against)."""

    def __init__(
        self, sink: Any = None, processors: list[Callable[..., Any]] | None = None,
        compact: bool = True,
    ) -> None:
        self.sink = sink if sink is not None else ListSink()
        self._processors = processors
        self._emit = make_logger(self.sink, processors).emit
        self.compact = compact
        self._capture: tuple[list[Any], Callable[..., None]] | None = None

    def repeat(self, times: int, record: Callable[[int], None]) -> int:
        """Record `times` alike repetitions (record(k) records the k-th) as one Repeat
        record, from the events of the first two; returns how many repetitions it recorded
        (2, as plain events, if those two turn out not alike: the caller goes on from
        there)."""
        if not self.compact or times < 3:
            for k in range(times):
                record(k)
            return times
        if self._capture is None:  # one logger into a side list, for every run
            sink = ListSink()
            self._capture = (sink.records, make_logger(sink, self._processors).emit)
        captured, capture = self._capture
        emit, self._emit = self._emit, capture
        try:
            record(0)
            half = len(captured)
            record(1)
        finally:
            self._emit = emit
        firsts = [captured[:half], captured[half:]]
        captured.clear()
        body = repeat_body(*firsts)
        if body is None:
            for record_ in firsts[0] + firsts[1]:
                self.sink.msg(record_)
            return 2
        self._emit("repeat", n=times, body=body)
        return times

    @property
    def events(self) -> list[Any]:
        return self.sink.records

    # One method per event kind; the simulator names QEMU's line in each.
    def call(self, fn: str, file: str, **args: Any) -> None:
        self._emit("call", fn=fn, file=file, args=args)

    def ret(self, value: Any = None) -> None:
        self._emit("ret", value=value)

    def step(self, line: int) -> None:
        self._emit("step", line=line)

    def write(self, path: str, value: Any) -> None:
        self._emit("write", path=path, value=value)

    def local(self, name: str, value: Any) -> None:
        self._emit("local", name=name, value=value)

    def branch(self, line: int, cond: str, taken: bool, **values: Any) -> None:
        self._emit("branch", line=line, cond=cond, taken=bool(taken), values=values)

    def check(self, line: int, cond: str, ok: bool, **values: Any) -> None:
        self._emit("assert", line=line, cond=cond, ok=bool(ok), values=values)

    def loop(self, line: int, var: str, value: Any) -> None:
        self._emit("loop", line=line, var=var, value=value)

    def report(self, line: int, kind: str, text: str, location: str | None = None) -> None:
        self._emit("report", line=line, kind=kind, text=text, location=location)

    def exit(self, line: int, status: int) -> None:
        self._emit("exit", line=line, status=status)

    def fact(self, line: int, name: str, **data: Any) -> None:
        self._emit("fact", line=line, name=name, data=data)
