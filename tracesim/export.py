"""`tracesim export TRACE --format perfetto -o FILE.json`: the run as Chrome/Perfetto
trace-event JSON, for ui.perfetto.dev and chrome://tracing.

One complete ("X") slice per function call; instant events for branches, warnings, errors
and the exit; flow arrows from each caller to its callee. Time is the run's own clock:
1 ms is one statement stop, so a slice starting at 24 ms starts after stop 24. Events
between two stops are spread over that millisecond in trace order, one microsecond apart,
which keeps every slice strictly inside its caller and every flow end unambiguous.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import msgspec

from .progress import EVERY
from .trace import events as ev
from .trace.seq import EventSeq, Run

US_PER_STOP = 1000
# repetitions of a run exported event by event (a small machine's loops); a longer run is
# one slice, so that the file grows with the trace's records, not with CPUs squared
EXPAND_AT_MOST = 16


def _args(body: list[Any]) -> dict[str, Any]:
    """What a repetition's loop heads and locals hold: its first and last in a run slice."""
    out: dict[str, Any] = {}
    for e in body:
        if type(e) is ev.Loop:
            out[e.var] = e.value
        elif type(e) is ev.Local:
            out.setdefault(e.name, e.value)  # the loop's variable as the iteration begins
    return out
PID, TID = 1, 1
_SHOWN = frozenset({ev.Call, ev.Return, ev.Branch, ev.Report, ev.Exit})  # what event() draws


class PerfettoBuilder:
    """Folds trace events into trace-event records, in time order."""

    def __init__(self, branches: bool = True) -> None:
        self.branches = branches
        self.out: list[dict[str, Any]] = []
        self.stops = 0
        self.tick = 0  # microseconds used since the last stop
        self.open: list[dict[str, Any]] = []  # the X slices of the frames on the stack
        self.calls = 0

    def now(self, width: int = 1) -> int:
        """A fresh timestamp after the last one (`width` consecutive ones reserved)."""
        self.tick += width
        return self.stops * US_PER_STOP + self.tick

    def instant(self, name: str, cat: str, args: dict[str, Any]) -> None:
        self.out.append(
            {
                "name": name,
                "cat": cat,
                "ph": "i",
                "s": "t",
                "ts": self.now(),
                "pid": PID,
                "tid": TID,
                "args": args,
            }
        )

    def call(self, e: ev.Call) -> None:
        self.calls += 1
        flow_id = self.calls
        start = self.now(3)
        slice_ = {
            "name": e.fn,
            "cat": "call",
            "ph": "X",
            "ts": start - 1,
            "dur": 0,
            "pid": PID,
            "tid": TID,
            "args": {"file": e.file, "stop": self.stops, "call": flow_id, "arguments": e.args},
        }
        if self.open:  # the arrow leaves the caller just before the callee starts
            self.out.append(
                {
                    "name": "call",
                    "cat": "call",
                    "ph": "s",
                    "id": flow_id,
                    "ts": start - 2,
                    "pid": PID,
                    "tid": TID,
                }
            )
        self.out.append(slice_)
        if self.open:
            self.out.append(
                {
                    "name": "call",
                    "cat": "call",
                    "ph": "f",
                    "bp": "e",
                    "id": flow_id,
                    "ts": start,
                    "pid": PID,
                    "tid": TID,
                }
            )
        self.open.append(slice_)

    def ret(self) -> None:
        slice_ = self.open.pop()
        slice_["dur"] = self.now() - slice_["ts"]

    def event(self, e: Any) -> None:
        kind = type(e)
        if kind is ev.Step:
            self.stops += 1
            self.tick = 0
        elif kind is ev.Call:
            self.call(e)
        elif kind is ev.Return:
            self.ret()
        elif kind is ev.Branch:
            if self.branches:  # (instant(), inlined: most of what a large run draws)
                self.tick += 1
                cond = e.cond
                self.out.append({
                    "name": f"if ({cond}): {'true' if e.taken else 'false'}", "cat": "branch",
                    "ph": "i", "s": "t", "ts": self.stops * US_PER_STOP + self.tick,
                    "pid": PID, "tid": TID,
                    "args": {"line": e.line, "cond": cond, "taken": e.taken, "values": e.values},
                })
        elif kind is ev.Report:
            if e.kind in ("error", "warning"):
                self.instant(
                    f"{e.kind}: {e.text}",
                    e.kind,
                    {"line": e.line, "text": e.text, "location": e.location},
                )
        elif kind is ev.Exit:
            self.instant(f"exit({e.status})", "exit", {"line": e.line, "status": e.status})
            while self.open:  # the process ends with these frames still running
                self.ret()

    def run(self, run: Run) -> None:
        """A run of repetitions alike (trace/seq.py): one slice over its stops, not an
        instant per decision in it."""
        body = run.repetition(0)
        stops = sum(type(e) is ev.Step for e in body) * run.times
        start = self.now()
        self.stops += stops
        self.tick = 0
        head = body[0]
        where = f" at line {head.line}" if hasattr(head, "line") else ""
        self.out.append(
            {
                "name": f"{run.times} repetitions alike{where}",
                "cat": "repeat",
                "ph": "X",
                "ts": start,
                "dur": self.stops * US_PER_STOP - start,
                "pid": PID,
                "tid": TID,
                "args": {"repetitions": run.times, "events": run.width * run.times,
                         "stops": stops, "first": _args(body), "last": _args(
                             run.repetition(run.times - 1))},
            }
        )

    def finish(self) -> list[dict[str, Any]]:
        while self.open:
            self.ret()
        return self.out


def perfetto_events(
    events: Sequence[Any], argv: list[str], branches: bool = True, progress: Any = None
) -> dict[str, Any]:
    """The trace-event JSON object of a run. progress: a tracesim.progress.Progress, told
    the position in the events every few thousand pieces."""
    builder = PerfettoBuilder(branches)
    every = EVERY if progress is not None and progress.enabled else 0
    # record by record (a stop, most of them, handled here: no call per event); a plain list
    # of events is records without runs
    if type(events) is EventSeq:
        records, runs, starts = events.records, events.runs, events.starts
    else:
        records, runs, starts = events, {}, range(len(events))
    event, Step = builder.event, ev.Step
    shown = _SHOWN if branches else _SHOWN - {ev.Branch}
    for r, record in enumerate(records):
        if every and not r % every:
            progress.update(starts[r])
        kind = type(record)
        if kind is Step:
            builder.stops += 1
            builder.tick = 0
        elif kind in shown:
            event(record)
        elif kind is not ev.Repeat:
            continue  # a store, a local, a loop head, a fact: not drawn
        elif runs[r].times > EXPAND_AT_MOST:
            builder.run(runs[r])
        else:
            for k in range(runs[r].times):
                for e in runs[r].repetition(k):
                    event(e)
    command = "qemu-system-x86_64 " + " ".join(argv)
    meta = [
        {
            "name": "process_name",
            "ph": "M",
            "pid": PID,
            "tid": TID,
            "args": {"name": f"{command} (tracesim)"},
        },
        {"name": "thread_name", "ph": "M", "pid": PID, "tid": TID, "args": {"name": "main"}},
    ]
    return {
        "traceEvents": meta + builder.finish(),
        "displayTimeUnit": "ms",
        "otherData": {"argv": command, "clock": "1 ms = 1 statement stop"},
    }


def cmd_export(argv: list[str]) -> int:
    from .cli import Parser, UsageError, load
    from .trace.store import write_bytes_atomic

    p = Parser(
        prog="tracesim export",
        description="Export a trace as Chrome/Perfetto "
        "trace-event JSON (open it in ui.perfetto.dev or chrome://tracing): a slice per "
        "function call, instants for branches, warnings, errors and the exit, arrows "
        "from caller to callee; 1 ms = one statement stop.",
        usage="tracesim export TRACE [--format perfetto] [-o FILE.json] [--no-branches]",
    )
    p.add_argument("trace", metavar="TRACE")
    p.add_argument("--format", default="perfetto", choices=["perfetto"], help="output format")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    p.add_argument(
        "--no-branches",
        action="store_true",
        help="leave out the branch instants (much smaller for large traces)",
    )
    args = p.parse_args(argv)
    from .progress import progress

    with progress(f"Reading {args.trace}") as bar:
        trace = load(args.trace, bar)
        bar.stage("Exporting (events)", len(trace.events))
        exported = perfetto_events(trace.events, trace.argv, not args.no_branches, bar)
        bar.stage("Encoding JSON")
        data = msgspec.json.encode(exported) + b"\n"
        del exported
        if args.output is not None:
            bar.stage(f"Writing {args.output}")
            try:
                write_bytes_atomic(args.output, data)
            except OSError as err:
                raise UsageError(
                    f"tracesim export: cannot write {args.output}: {err.strerror or err}"
                ) from None
    if args.output is None:
        sys.stdout.buffer.write(data)
    return 0
