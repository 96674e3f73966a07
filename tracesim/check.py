"""`tracesim check TRACE`: is the trace whole, and does it replay to what it records?

Reading it checks every block against its seal and every event against the schema and the
profile's types (trace.store); then the events are folded and the outcome compared with the
end record's (exit status, messages). Exit 0 intact, 2 damaged (one line: file:line: why).
"""

from __future__ import annotations

import sys


def cmd_check(argv: list[str]) -> int:
    from .cli import Parser
    from .trace.fold import fold
    from .trace.store import TraceError, read_trace

    p = Parser(prog="tracesim check", description="Say whether a trace is intact (every "
               "event there, unchanged and in order: counts and digests) and replays to the "
               "outcome its end record records. Exit 0 intact, 2 damaged.")
    p.add_argument("trace", metavar="TRACE")
    args = p.parse_args(argv)
    trace = read_trace(args.trace)
    end = trace.end
    assert end is not None  # read_trace refuses a trace without its end record
    state = fold(trace.events)
    if state.exit_status != end.exit or state.reports != end.reports:
        raise TraceError(f"{args.trace}:{end.blocks + end.events + 1}: replays to exit status "
                         f"{state.exit_status} with {state.reports} messages; the end record "
                         f"says {end.exit} with {end.reports}")
    h = trace.header
    out = sys.stdout
    out.write(f"{args.trace}: intact: {end.events} events in {end.blocks} sealed blocks, "
              f"digest {end.digest}\n")
    out.write(f"written by tracesim {h.tracesim}, schema {h.schema}, profile {h.profile}\n")
    status = "none (the trace ends before the process does)" if end.exit is None else end.exit
    out.write(f"replays to: exit status {status}, {end.reports} message"
              f"{'' if end.reports == 1 else 's'}, as its end record says\n")
    return 0
