"""The recorder: what the simulated program reports each step to.

structlog is the emitter: every report is a structlog event that runs through a
processor chain (validate the kind, build the typed record) into a sink that keeps
the records in order. The simulator calls the small methods below, one per modelled
step; it never touches files.
"""
from __future__ import annotations

from typing import Any, Callable

import structlog

from . import events as ev

_RECORDS: dict[str, type] = {
    "call": ev.Call, "ret": ev.Return, "step": ev.Step, "write": ev.Write,
    "local": ev.Local, "branch": ev.Branch, "assert": ev.Assert, "loop": ev.Loop,
    "report": ev.Report, "exit": ev.Exit, "fact": ev.Fact,
}


def build_record(_logger: Any, _name: str, event_dict: dict[str, Any]) -> Any:
    """Processor: turn the event dict into its typed record (the last processor)."""
    kind = event_dict.pop("event")
    return ((_RECORDS[kind](**event_dict),), {})


class ListSink:
    """The structlog 'logger' at the end of the chain: keeps records in order."""

    def __init__(self) -> None:
        self.records: list[Any] = []
        self.msg: Callable[[Any], None] = self.records.append


def make_logger(sink: ListSink, processors: list[Callable[..., Any]] | None = None) -> Any:
    """A structlog logger whose chain ends in `build_record`; extra processors run first."""
    chain = list(processors or []) + [build_record]
    return structlog.wrap_logger(sink, processors=chain,
                                 wrapper_class=structlog.BoundLoggerBase)


class Recorder:
    """Collects the events of one simulated run."""

    def __init__(self, processors: list[Callable[..., Any]] | None = None) -> None:
        self.sink = ListSink()
        self._emit = make_logger(self.sink, processors)._proxy_to_logger

    @property
    def events(self) -> list[Any]:
        return self.sink.records

    # One method per event kind; the simulator names QEMU's line in each.
    def call(self, fn: str, file: str, **args: Any) -> None:
        self._emit("msg", "call", fn=fn, file=file, args=args)

    def ret(self, value: Any = None) -> None:
        self._emit("msg", "ret", value=value)

    def step(self, line: int) -> None:
        self._emit("msg", "step", line=line)

    def write(self, path: str, value: Any) -> None:
        self._emit("msg", "write", path=path, value=value)

    def local(self, name: str, value: Any) -> None:
        self._emit("msg", "local", name=name, value=value)

    def branch(self, line: int, cond: str, taken: bool, **values: Any) -> None:
        self._emit("msg", "branch", line=line, cond=cond, taken=bool(taken), values=values)

    def check(self, line: int, cond: str, ok: bool, **values: Any) -> None:
        self._emit("msg", "assert", line=line, cond=cond, ok=bool(ok), values=values)

    def loop(self, line: int, var: str, value: Any) -> None:
        self._emit("msg", "loop", line=line, var=var, value=value)

    def report(self, line: int, kind: str, text: str, location: str | None = None) -> None:
        self._emit("msg", "report", line=line, kind=kind, text=text, location=location)

    def exit(self, line: int, status: int) -> None:
        self._emit("msg", "exit", line=line, status=status)

    def fact(self, line: int, name: str, **data: Any) -> None:
        self._emit("msg", "fact", line=line, name=name, data=data)
