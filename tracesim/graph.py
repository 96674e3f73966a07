"""`tracesim graph`: a picture of what ran, drawn from the trace.

tracesim graph TRACE [-o FILE] [--format dot|svg|png|pdf]      the call-flow graph
tracesim graph TRACE --cfg FUNCTION                             one function's control flow
tracesim graph A.jsonl B.jsonl --cfg FUNCTION                   both runs, where they part
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .pictures.dot import DOT_MISSING, FORMATS, RenderError, have_dot, render

DESCRIPTION = (
    "Draw a trace as a graph with Graphviz: the call-flow of the run (who called "
    "whom, how often, where it ended), or with --cfg the control flow of one "
    "modelled function with the run's path over it (two traces: both paths and "
    "where they part)."
)


def output_format(fmt: str | None, output: str | None) -> str:
    """--format, else the -o file's suffix, else DOT (to stdout)."""
    from .cli import UsageError

    if fmt:
        return fmt
    if output:
        suffix = Path(output).suffix.lower().lstrip(".")
        if suffix in FORMATS:
            return suffix
        raise UsageError(
            f"tracesim graph: cannot tell the format of {output}; give --format "
            f"({'|'.join(FORMATS)})"
        )
    return "dot"


def write_output(data: bytes, output: str | None) -> None:
    from .cli import UsageError
    from .trace.store import write_bytes_atomic

    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        write_bytes_atomic(output, data)
    except OSError as err:
        raise UsageError(f"tracesim graph: cannot write {output}: {err.strerror or err}") from None


def exit_status(events: list[Any]) -> int | None:
    from .trace import events as ev

    return next((e.status for e in reversed(events) if type(e) is ev.Exit), None)


def cfg_source(paths: list[str], name: str) -> str:
    """DOT of `name`'s control flow with one or two traces' paths over it."""
    from .pictures.cfgpath import first_divergence, function_path
    from .pictures.cfgraph import Marks, cfg_dot, single_run, two_runs
    from .cli import UsageError, load
    from .debuginfo import debug_info

    traces = [load(p) for p in paths]
    # the line table of the QEMU build the (first) trace ran on
    table = debug_info(traces[0].header.profile).cfg
    cfg = table.function_cfg(name)
    if cfg is None:
        raise UsageError(
            f"tracesim graph: no modelled function '{name}' (modelled: "
            f"{', '.join(sorted(table.FUNCTIONS))})"
        )
    runs = [function_path(t.events, name) for t in traces]
    caption = []
    for tag, path, trace, run in zip("AB", paths, traces, runs):
        who = f"{tag}: " if len(paths) == 2 else ""
        caption.append(
            f"{who}{path}: qemu-system-x86_64 {' '.join(trace.argv)} (exit status "
            f"{exit_status(trace.events)}; {name} called {run.calls}×)"
        )
    if len(runs) == 1:
        marks = single_run(runs[0]) if runs[0].calls else Marks()
    else:
        parting = first_divergence(runs[0], runs[1])
        marks = two_runs(runs[0], runs[1], parting)
        if parting is not None:
            a = "ends" if parting.a_next is None else f"goes to {parting.a_next}"
            b = "ends" if parting.b_next is None else f"goes to {parting.b_next}"
            caption.append(
                f"They part at {parting.node} in call {parting.call} of {name}: A {a}, B {b}."
            )
        elif runs[0].calls or runs[1].calls:
            caption.append(f"Both runs take the same path through {name}.")
    if not any(r.calls for r in runs):
        caption.append(f"{name} did not run: the model's graph alone.")
    marks.caption = caption + marks.caption
    return cfg_dot(cfg, marks)


def cmd_graph(argv: list[str]) -> int:
    from .pictures.callflow import callflow_of_file
    from .cli import Parser, UsageError
    from .pictures.flowgraph import callflow_dot

    p = Parser(
        prog="tracesim graph",
        description=DESCRIPTION,
        usage="tracesim graph TRACE [TRACE_B] [--cfg FUNCTION] [-o FILE] "
        "[--format dot|svg|png|pdf]",
    )
    p.add_argument("traces", nargs="+", metavar="TRACE")
    p.add_argument(
        "--cfg", metavar="FUNCTION", help="the control-flow graph of this modelled function"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write here (.svg, .png, .pdf or .dot)")
    p.add_argument("--format", choices=FORMATS, help="output format (default: from -o, else dot)")
    args = p.parse_args(argv)
    if len(args.traces) > 2:
        raise UsageError("tracesim graph: give one trace, or two with --cfg FUNCTION")
    if len(args.traces) == 2 and not args.cfg:
        raise UsageError("tracesim graph: comparing two traces needs --cfg FUNCTION")
    fmt = output_format(args.format, args.output)
    if fmt != "dot" and not have_dot():
        raise UsageError(f"tracesim graph: {DOT_MISSING}")
    if args.cfg:
        source = cfg_source(args.traces, args.cfg)
    else:
        source = callflow_dot(callflow_of_file(args.traces[0]))
    try:
        data = render(source, fmt)
    except RenderError as err:
        raise UsageError(f"tracesim graph: {err}") from None
    write_output(data, args.output)
    return 0
