"""The call-flow of a run: which functions ran, who called whom, how often, and where it
ended. Read from a trace's call, ret, report, exit and error.set events only, so a large
trace file is scanned as raw lines and only those lines are decoded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import msgspec

from ..qemu.process import render_report
from ..trace import events as ev
from ..trace.store import TraceError

BOARD_ROOT = "machine_run_board_init"
OPTIONS, BOARD, BOTH, MAIN = "options", "board", "both", "main"


@dataclass
class FunctionNode:
    name: str
    file: str
    order: int  # 1 for the first function entered
    entered: int = 0
    phases: set[str] = field(default_factory=set)
    warnings: int = 0
    unstepped: bool = False  # a frame the model does not step: main, 7.2's qemu_init, ...
    called_from_stepped: bool = False  # qemu_opts_foreach, under parse_numa_opts

    @property
    def phase(self) -> str:
        """Where the function ran: option parsing, board init, both, or main's spine (main
        and the other frames the model does not step, which only call, unless a stepped
        function calls them)."""
        if (self.unstepped and not self.called_from_stepped) or not self.phases:
            return MAIN
        return next(iter(self.phases)) if len(self.phases) == 1 else BOTH


@dataclass
class CallEdge:
    caller: str
    callee: str
    order: int  # the order of this edge's first call among all edges
    calls: int = 0


@dataclass
class CallFlow:
    argv: list[str]
    functions: dict[str, FunctionNode] = field(default_factory=dict)
    edges: dict[tuple[str, str], CallEdge] = field(default_factory=dict)
    exit_status: int | None = None
    exit_line: int | None = None
    exit_fn: str | None = None
    exit_file: str | None = None
    errors: list[str] = field(default_factory=list)  # error lines as QEMU printed them
    error_origin: str | None = None  # the function whose error_setg made the error reported
    error_edges: set[tuple[str, str]] = field(default_factory=set)

    @property
    def failed(self) -> bool:
        return bool(self.exit_status)


class CallFlowBuilder:
    """Folds call/ret/report/exit/error.set events into a CallFlow, in trace order.
    `unstepped`: the functions the model does not step (the profile's debug info says
    which); they are drawn as main is, outside option parsing and board init."""

    def __init__(self, argv: list[str], unstepped: Iterable[str] = ("main",)) -> None:
        self.flow = CallFlow(list(argv))
        self.unstepped = frozenset(unstepped)
        self.stack: list[str] = []
        self.board_depth: int | None = None  # stack depth of machine_run_board_init
        self.error_set: tuple[str, tuple[str, ...]] | None = None

    def call(self, fn: str, file: str) -> None:
        flow, stack = self.flow, self.stack
        node = flow.functions.get(fn)
        if node is None:
            node = flow.functions[fn] = FunctionNode(
                fn, file, len(flow.functions) + 1, unstepped=fn in self.unstepped
            )
        node.entered += 1
        if fn == BOARD_ROOT and self.board_depth is None:
            self.board_depth = len(stack)
        if stack:
            node.phases.add(BOARD if self.board_depth is not None else OPTIONS)
            node.called_from_stepped |= stack[-1] not in self.unstepped
            key = (stack[-1], fn)
            edge = flow.edges.get(key)
            if edge is None:
                edge = flow.edges[key] = CallEdge(stack[-1], fn, len(flow.edges) + 1)
            edge.calls += 1
        stack.append(fn)

    def ret(self) -> None:
        if not self.stack:
            raise TraceError("a return outside any call")
        self.stack.pop()
        if self.board_depth is not None and len(self.stack) <= self.board_depth:
            self.board_depth = None

    def report(self, kind: str, text: str, location: str | None) -> None:
        if self.stack and kind == "warning":
            self.flow.functions[self.stack[-1]].warnings += 1
        if kind in ("error", "printf"):
            self.flow.errors.append(render_report(kind, text, location).rstrip("\n"))

    def error_setg(self, text: str) -> None:
        self.error_set = (text, tuple(self.stack))

    def exit(self, line: int, status: int) -> None:
        flow = self.flow
        flow.exit_status, flow.exit_line = status, line
        if self.stack:
            flow.exit_fn = self.stack[-1]
            flow.exit_file = flow.functions[flow.exit_fn].file
        if status == 0:
            return
        paths = [tuple(self.stack)]
        if self.error_set and any(self.error_set[0] in err for err in flow.errors):
            paths.append(self.error_set[1])
            flow.error_origin = self.error_set[1][-1] if self.error_set[1] else None
        for path in paths:
            flow.error_edges |= set(pairwise(path))

    def event(self, e: Any) -> None:
        kind = type(e)
        if kind is ev.Call:
            self.call(e.fn, e.file)
        elif kind is ev.Return:
            self.ret()
        elif kind is ev.Report:
            self.report(e.kind, e.text, e.location)
        elif kind is ev.Exit:
            self.exit(e.line, e.status)
        elif kind is ev.Fact and e.name == "error.set":
            self.error_setg(str(e.data.get("text", "")))


def unstepped_functions(profile: str) -> frozenset[str]:
    """The functions a profile's model records as frames but does not step."""
    from ..debuginfo import debug_info

    try:
        return frozenset(u.fn for u in debug_info(profile).unstepped)
    except ValueError:  # a profile this tracesim does not know: main only
        return frozenset({"main"})


def _unstepped_in(events: list[Any]) -> frozenset[str]:
    """The functions of a run that never stood on a statement of their own."""
    stack: list[str] = []
    entered: set[str] = set()
    stepped: set[str] = set()
    for e in events:
        kind = type(e)
        if kind is ev.Step:
            if stack:
                stepped.add(stack[-1])
        elif kind is ev.Call:
            stack.append(e.fn)
            entered.add(e.fn)
        elif kind is ev.Return and stack:
            stack.pop()
    return frozenset(entered - stepped)


def callflow_of_events(
    argv: list[str], events: Iterable[Any], profile: str | None = None
) -> CallFlow:
    """The call-flow of a run's events; the frames the model does not step come from the
    profile's debug info, or without a profile from the events (the frames with no stop)."""
    if profile is not None:
        unstepped: Iterable[str] = unstepped_functions(profile)
    else:
        events = list(events)
        unstepped = _unstepped_in(events)
    builder = CallFlowBuilder(argv, unstepped)
    for e in events:
        builder.event(e)
    return builder.flow


# The lines the call-flow needs, found without decoding the others. Calls written by
# tracesim (fn and file first) are read straight from the match; any other shape of a
# wanted line is decoded in full.
_WANTED = re.compile(
    rb'\n(\{"k":"(?:call","fn":"([^"\\]*)","file":"([^"\\]*)"|(ret)"|(?:call|ret|report|exit)"'
    rb'|fact","line":\d+,"name":"error\.set")[^\n]*)'
)
_body = msgspec.json.Decoder(ev.BodyEvent)


def callflow_of_file(path: str | Path) -> CallFlow:
    """The call-flow of a trace file, decoding only the lines it needs: the file is read
    a verified block at a time (trace.store.TraceReader), never whole."""
    from ..trace.compress import open_trace
    from ..trace.store import DECODE_ERRORS, TraceReader, short
    from ..trace.validate import MAX_DEPTH

    name = str(path)
    try:
        fh = open_trace(path)
    except OSError as err:
        raise TraceError(f"{name}: {err.strerror or err}") from None
    with fh:
        reader = TraceReader(fh, name, decode=False)
        header = reader.header
        builder = CallFlowBuilder(header.argv, unstepped_functions(header.profile))
        call, ret, event = builder.call, builder.ret, builder.event
        for block in reader.blocks():
            data = block.data
            # data[block.start - 1] is the newline before the block's first line
            for m in _WANTED.finditer(data, block.start - 1, block.stop):
                fn = m.group(2)
                try:
                    if fn is not None:
                        if len(builder.stack) >= MAX_DEPTH:
                            raise TraceError(f"calls nested deeper than {MAX_DEPTH}")
                        call(fn.decode(), m.group(3).decode())
                    elif m.group(4) is not None:
                        ret()
                    else:
                        event(_body.decode(m.group(1)))
                except (*DECODE_ERRORS, TraceError) as err:
                    line = block.line + data.count(b"\n", block.start, m.start() + 1)
                    what = err if isinstance(err, TraceError) else f"damaged event ({short(err)})"
                    raise TraceError(f"{name}:{line}: {what}") from None
    return builder.flow
