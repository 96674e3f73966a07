"""The `tracesim` command: run, summary, show (and the front ends built on them).

tracesim's own usage errors are one line on stderr and exit 2; QEMU's messages are
QEMU's, with QEMU's exit status.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn, Sequence

import msgspec

from . import __version__
from .outcome import human_summary, stdout_stderr, summarize
from .trace import events as ev
from .trace.recorder import Recorder
from .trace.store import Trace, TraceError, read_trace, write_trace


class UsageError(Exception):
    """A tracesim usage error: one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def simulate_trace(qemu_args: list[str], profile: str = "4.2") -> Trace:
    """Simulate a QEMU command line and return its trace (not yet written anywhere)."""
    from .qemu import simulate

    rec = Recorder()
    sim = simulate(qemu_args, rec, profile)
    header = ev.Header(schema=ev.SCHEMA_VERSION, tracesim=__version__, profile=profile,
                       argv=sim.argv)
    return Trace(header, rec.events)


def split_qemu_args(args: list[str], takes_value: set[str], flags: set[str]
                    ) -> tuple[list[str], list[str]]:
    """tracesim's options first; '--' or the first other word starts QEMU's arguments."""
    ours: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            return ours, args[i + 1:]
        name = word.split("=", 1)[0]
        if name in takes_value:
            ours.append(word)
            if "=" not in word:
                if i + 1 >= len(args):
                    raise UsageError(f"tracesim: option {word} needs a value")
                ours.append(args[i + 1])
                i += 1
        elif word in flags:
            ours.append(word)
        else:
            return ours, args[i:]
        i += 1
    return ours, []


def load(path: str) -> Trace:
    return read_trace(path)


def cmd_run(argv: list[str]) -> int:
    from .qemu import simulate
    from .qemu.simulate import strip_program
    from .trace.recorder import OutcomeSink
    from .trace.store import StreamingTraceWriter

    p = Parser(prog="tracesim run", description="Simulate QEMU 4.2 on a command line: QEMU's "
               "messages on stderr, QEMU's exit status, and the trace with -o.",
               usage="tracesim run [--profile 4.2] [-o TRACE] [--] QEMU_ARGS...")
    p.add_argument("--profile", default="4.2", choices=["4.2"], help="QEMU version modelled")
    p.add_argument("-o", "--output", metavar="TRACE", help="write the trace (JSON Lines) here")
    ours, qemu_args = split_qemu_args(argv, {"--profile", "-o", "--output"}, {"-h", "--help"})
    args = p.parse_args(ours)
    qemu_args = strip_program(qemu_args)
    sink: Any
    if args.output:
        header = ev.Header(schema=ev.SCHEMA_VERSION, tracesim=__version__, profile=args.profile,
                           argv=qemu_args)
        try:
            sink = StreamingTraceWriter(args.output, header)
        except OSError as err:
            raise UsageError(f"tracesim run: cannot write {args.output}: {err.strerror or err}")
    else:
        sink = OutcomeSink()
    try:
        sim = simulate(qemu_args, Recorder(sink), args.profile)
        if args.output:
            sink.commit()
    except BaseException:
        if args.output:
            sink.abort()
        raise
    out, err = stdout_stderr(sink.records)
    sys.stdout.write(out)
    sys.stderr.write(err)
    return sim.exit_status


def cmd_summary(argv: list[str]) -> int:
    p = Parser(prog="tracesim summary", description="The outcome of a traced run: what "
               "QEMU's monitor `info numa` shows, the exit status and messages.")
    p.add_argument("trace", metavar="TRACE")
    p.add_argument("--json", action="store_true", help="one JSON object")
    args = p.parse_args(argv)
    trace = load(args.trace)
    if args.json:
        sys.stdout.write(msgspec.json.encode(summarize(trace)).decode() + "\n")
    else:
        sys.stdout.write(human_summary(trace))
    return 0


def cmd_show(argv: list[str]) -> int:
    from .show import show_events, show_stops

    p = Parser(prog="tracesim show", description="Print a trace's events readably, or one "
               "line per statement stop (FUNCTION FILE:LINE) with --stops.")
    p.add_argument("trace", metavar="TRACE")
    p.add_argument("--stops", action="store_true", help="only the statement stops")
    p.add_argument("--kind", action="append", choices=ev.KINDS,
                   help="only events of this kind (repeatable)")
    args = p.parse_args(argv)
    trace = load(args.trace)
    lines = show_stops(trace.events) if args.stops else show_events(trace.events, args.kind)
    out = sys.stdout
    for line in lines:
        out.write(line)
        out.write("\n")
    return 0


def cmd_examples(argv: list[str]) -> int:
    from pathlib import Path

    from .examples import DEFAULT_DIR, example_traces, stale_examples
    from .trace.store import write_bytes_atomic

    p = Parser(prog="tracesim examples", description="Write the teaching scenarios' traces "
               "(traces/ in the repository), or with --check say which are stale.")
    p.add_argument("--dir", default=str(DEFAULT_DIR), help="where the traces live")
    p.add_argument("--check", action="store_true", help="exit 1 if any trace is stale")
    args = p.parse_args(argv)
    directory = Path(args.dir)
    if args.check:
        stale = stale_examples(directory)
        for name in stale:
            sys.stderr.write(f"tracesim examples: {directory / name} is stale; run "
                             f"'tracesim examples --dir {directory}'\n")
        return 1 if stale else 0
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in example_traces().items():
        write_bytes_atomic(directory / name, data)
        sys.stdout.write(f"wrote {directory / name}\n")
    return 0


COMMANDS: dict[str, tuple[Any, str]] = {
    "run": (cmd_run, "simulate QEMU 4.2 on a command line and write its trace"),
    "summary": (cmd_summary, "the outcome of a trace (info numa, exit status, messages)"),
    "show": (cmd_show, "print a trace's events or its statement stops"),
    "examples": (cmd_examples, "regenerate (or --check) the example traces in traces/"),
}


def top_help() -> str:
    width = max(len(n) for n in COMMANDS)
    rows = "\n".join(f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items())
    return (f"usage: tracesim [--version] COMMAND [ARGS...]\n\n"
            f"Re-enact QEMU 4.2's board-init NUMA path from a command line.\n\n"
            f"commands:\n{rows}\n\n`tracesim COMMAND --help` describes each.\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if not args or args[0] in ("-h", "--help", "help"):
            sys.stdout.write(top_help())
            return 0
        if args[0] == "--version":
            sys.stdout.write(f"tracesim {__version__}\n")
            return 0
        name = args[0]
        if name not in COMMANDS:
            raise UsageError(f"tracesim: unknown command '{name}' (try 'tracesim --help')")
        return COMMANDS[name][0](args[1:])
    except UsageError as err:
        sys.stderr.write(f"{err}\n")
        return 2
    except TraceError as err:
        sys.stderr.write(f"tracesim: {err}\n")
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


def entry() -> None:
    sys.exit(main())
