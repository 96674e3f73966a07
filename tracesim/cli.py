"""The `tracesim` command: run, summary, show (and the front ends built on them).

tracesim's own usage errors are one line on stderr and exit 2; QEMU's messages are
QEMU's, with QEMU's exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any, NoReturn, Sequence

import msgspec

from . import __version__
from .profiles import DEFAULT_PROFILE, PROFILES
from .trace import events as ev
from .trace.store import Trace, TraceError, read_trace

# Front ends and the model are imported inside the commands that use them, so each command
# loads only what it needs (the REPL does not load structlog, `summary` not the model).


class UsageError(Exception):
    """A tracesim usage error: one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def simulate_trace(qemu_args: list[str], profile: str = DEFAULT_PROFILE) -> Trace:
    """Simulate a QEMU command line and return its trace (not yet written anywhere)."""
    from .qemu.simulate import simulate
    from .trace.recorder import Recorder

    rec = Recorder()
    sim = simulate(qemu_args, rec, profile)
    header = ev.Header(
        schema=ev.SCHEMA_VERSION, tracesim=__version__, profile=profile, argv=sim.argv
    )
    return Trace(header, rec.events)


def write_bytes_as_qemu(stream: Any, text: str) -> None:
    """QEMU prints an argument's bytes as they are, UTF-8 or not (lone surrogates here)."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text-only stream (tests capture into one)
        stream.write(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
        return
    stream.flush()
    buffer.write(text.encode("utf-8", "surrogateescape"))
    buffer.flush()


def split_qemu_args(
    args: list[str], takes_value: set[str], flags: set[str]
) -> tuple[list[str], list[str]]:
    """tracesim's options first; '--' or the first other word starts QEMU's arguments."""
    ours: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            return ours, args[i + 1 :]
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


def load(path: str, bar: Any = None) -> Trace:
    """Read a trace; on a terminal, a bar if reading it takes a while (into `bar`, a
    tracesim.progress.Progress, when the caller has one for more work after it)."""
    from .progress import progress

    if bar is not None:
        return read_trace(path, bar.update if bar.enabled else None)
    with progress(f"Reading {path}") as own:
        return read_trace(path, own.update if own.enabled else None)


def _count_events(sink: Any, bar: Any) -> None:
    """Feed a run's progress bar from its sink: a trace writer's blocks, or every
    progress.EVERY records (only ever when a bar can be shown: a pipe costs nothing)."""
    from .progress import EVERY
    from .trace.store import StreamingTraceWriter

    if isinstance(sink, StreamingTraceWriter):
        flush = sink.flush

        def counted_flush(final: bool = False) -> None:
            flush(final)
            bar.update(sink.count)

        sink.flush = counted_flush  # type: ignore[method-assign]
        return
    keep = sink.msg
    seen = [0]

    def counted_msg(record: Any) -> None:
        keep(record)
        seen[0] += 1
        if not seen[0] % EVERY:
            bar.update(seen[0])

    sink.msg = counted_msg


def cmd_run(argv: list[str]) -> int:
    from .debugger.outcome import stdout_stderr
    from .qemu.simulate import simulate, strip_program
    from .trace.recorder import OutcomeSink, Recorder
    from .trace.output import OutputError
    from .trace.store import StreamingTraceWriter

    p = Parser(
        prog="tracesim run",
        description="Simulate QEMU 4.2 on a command line: QEMU's "
        "messages on stderr, QEMU's exit status, and the trace with -o.",
        usage="tracesim run [--profile P] [-o TRACE] [--] QEMU_ARGS...",
    )
    p.add_argument(
        "--profile", default=DEFAULT_PROFILE, choices=PROFILES, help="QEMU version modelled"
    )
    p.add_argument("-o", "--output", metavar="TRACE", help="write the trace (JSON Lines) here")
    ours, qemu_args = split_qemu_args(argv, {"--profile", "-o", "--output"}, {"-h", "--help"})
    args = p.parse_args(ours)
    qemu_args = strip_program(qemu_args)
    sink: Any
    if args.output is not None:
        header = ev.Header(
            schema=ev.SCHEMA_VERSION, tracesim=__version__, profile=args.profile, argv=qemu_args
        )
        try:
            sink = StreamingTraceWriter(args.output, header)
        except OutputError as err:
            raise UsageError(f"tracesim run: -o: {err}") from None
        except OSError as err:
            raise UsageError(f"tracesim run: cannot write {args.output}: {err.strerror or err}")
    else:
        sink = OutcomeSink()
    from .progress import progress

    # the total is not known before the run: a count of the records made
    with progress("Simulating (records)") as bar:
        if bar.enabled:
            _count_events(sink, bar)
        try:
            sim = simulate(qemu_args, Recorder(sink), args.profile)
            if args.output is not None:
                sink.commit()
        except BaseException:
            if args.output is not None:
                sink.abort()
            raise
    out, err = stdout_stderr(sink.records)
    sys.stdout.write(out)
    write_bytes_as_qemu(sys.stderr, err)
    return sim.exit_status


def cmd_summary(argv: list[str]) -> int:
    from .debugger.outcome import human_summary, summarize

    p = Parser(
        prog="tracesim summary",
        description="The outcome of a traced run: what "
        "QEMU's monitor `info numa` shows, the exit status and messages.",
    )
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

    p = Parser(
        prog="tracesim show",
        description="Print a trace's events readably, or one "
        "line per statement stop (FUNCTION FILE:LINE) with --stops.",
    )
    p.add_argument("trace", metavar="TRACE")
    p.add_argument("--stops", action="store_true", help="only the statement stops")
    p.add_argument("--runs", action="store_true", help="a loop's iterations recorded as "
                   "repetitions alike: the first, then one line for the rest (by default every "
                   "event)")
    p.add_argument(
        "--kind", action="append", choices=ev.KINDS, help="only events of this kind (repeatable)"
    )
    args = p.parse_args(argv)
    trace = load(args.trace)
    lines = (show_stops(trace.events, not args.runs) if args.stops
             else show_events(trace.events, args.kind, not args.runs))
    out = sys.stdout
    for line in lines:
        out.write(line)
        out.write("\n")
    return 0


def cmd_examples(argv: list[str]) -> int:

    from .examples import DEFAULT_DIR, example_traces, stale_examples
    from .trace.store import write_bytes_atomic

    p = Parser(
        prog="tracesim examples",
        description="Write the teaching scenarios' traces "
        "(traces/ in the repository), or with --check say which are stale.",
    )
    p.add_argument("--dir", default=str(DEFAULT_DIR), help="where the traces live")
    p.add_argument("--check", action="store_true", help="exit 1 if any trace is stale")
    args = p.parse_args(argv)
    directory = Path(args.dir)
    if args.check:
        stale = stale_examples(directory)
        for name in stale:
            sys.stderr.write(
                f"tracesim examples: {directory / name} is stale; run "
                f"'tracesim examples --dir {directory}'\n"
            )
        return 1 if stale else 0
    for name, data in example_traces().items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(directory / name, data)
        sys.stdout.write(f"wrote {directory / name}\n")
    return 0


_DEBUG_VALUED = {"-ex", "--ex", "-eval-command", "--eval-command", "-x", "--command"}
_MARK = "\x00"


def _unmark(value: str) -> str:
    return value.removeprefix(_MARK)


def _attach_values(argv: list[str], valued: set[str]) -> list[str]:
    """`-ex -foo` as gdb's getopt reads it: the next word is the value, even if it starts
    with a dash (argparse would call it a missing argument)."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in valued and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            # marked, so that argparse takes even `--` as the value; the type unmarks it
            out.append(f"{argv[i]}={_MARK}{argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


def _split_args_option(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """gdb's --args: every word after it is the program and its arguments (tracesim's own
    options come before it). Returns (our words, QEMU's arguments or None)."""
    k = 0
    while k < len(argv):
        word = argv[k]
        if word in _DEBUG_VALUED or word in ("--profile", "--qemu-src"):
            k += 2  # a value, even `--args` (`-ex --args` runs the command "--args")
            continue
        if word == "--":
            return argv, None
        if word in ("--args", "-args"):
            program = argv[k + 1:]
            if not program:
                raise UsageError("tracesim debug: --args needs the program, then its "
                                 "arguments (--args qemu-system-x86_64 -machine q35 ...)")
            from .qemu.simulate import PROGRAM_NAMES

            name = program[0].rsplit("/", 1)[-1]
            if program[0].startswith("-"):
                raise UsageError("tracesim debug: --args: the first word is the program "
                                 f"(qemu-system-x86_64), then its arguments; got '{program[0]}'")
            if name not in PROGRAM_NAMES:
                raise UsageError(f"tracesim debug: --args: tracesim replays qemu-system-x86_64,"
                                 f" not '{program[0]}'")
            return argv[:k], program[1:]
        k += 1
    return argv, None


def _qemu_option_hint(words: list[str]) -> None:
    """QEMU's options given where tracesim's go (`tracesim debug -machine q35`): say where
    they belong, in one line."""
    from .qemu.options import QEMU_OPTIONS

    k = 0
    while k < len(words):
        word = words[k]
        if word in _DEBUG_VALUED or word in ("--profile", "--qemu-src"):
            k += 2
            continue
        name = word.lstrip("-").split("=", 1)[0]
        # (-h/-help/-version: tracesim's own help, or argparse's error, not QEMU's)
        if word.startswith("-") and name in QEMU_OPTIONS and name not in ("h", "help",
                                                                           "version"):
            raise UsageError(f"tracesim debug: {word} is QEMU's option: put QEMU's arguments "
                             f"after '--' (tracesim debug [OPTIONS] -- {word} ...) or use "
                             "--args qemu-system-x86_64 ...")
        k += 1


def check_qemu_src(directory: str, profile: str) -> None:
    """--qemu-src names a QEMU source tree of the trace's version (its top VERSION file:
    4.2.x for profile 4.2, 7.2.x for 7.2, 10.0.x for 10.0), or it is a usage error."""
    top = Path(directory)
    if not top.is_dir():
        what = "is not a directory" if top.exists() else "no such directory"
        raise UsageError(f"tracesim debug: --qemu-src {directory}: {what}")
    try:
        version = (top / "VERSION").read_text(errors="replace").strip()
    except OSError:
        raise UsageError(f"tracesim debug: --qemu-src {directory}: not a QEMU source tree "
                         "(no VERSION file at its top)") from None
    if not version:
        raise UsageError(f"tracesim debug: --qemu-src {directory}: not a QEMU source tree "
                         "(its VERSION file is empty)")
    parts = version.split(".")
    if ".".join(parts[:2]) != profile:
        shown = version.splitlines()[0][:40]
        raise UsageError(f"tracesim debug: --qemu-src {directory}: QEMU {shown} there, but the "
                         f"trace is of QEMU {profile} (a {profile}.x tree is needed)")


def cmd_debug(argv: list[str]) -> int:
    """The replay debugger: a REPL, or gdb's batch mode with -batch."""
    if "-i=dap" in argv or "--interpreter=dap" in argv:  # the Debug Adapter Protocol
        from .dap import main as dap_main

        return dap_main(argv)
    from .debugger.session import Session
    from .scenarios import DEFAULT_ARGS, default_argv

    p = Parser(
        prog="tracesim debug",
        description="Replay a trace with gdb's commands, forward "
        "and backward. Without TRACE or QEMU arguments: the built-in default scenario "
        f"({DEFAULT_ARGS}).",
        usage="tracesim debug [--profile P] [--qemu-src DIR] [-batch] [-ex CMD]... "
        "[-x FILE] [-q] [TRACE | -- QEMU_ARGS... | --args qemu-system-x86_64 QEMU_ARGS...]",
    )
    p.add_argument(
        "--profile", default=DEFAULT_PROFILE, choices=PROFILES, help="QEMU version modelled"
    )
    p.add_argument(
        "--qemu-src", metavar="DIR", help="a QEMU source tree of the trace's version (its "
        "VERSION file says 4.2.x, 7.2.x or 10.0.x): `list` shows its lines"
    )
    p.add_argument("-batch", "--batch", action="store_true", help="run the commands, then exit")
    p.add_argument(
        "-ex",
        "--ex",
        "-eval-command",
        "--eval-command",
        dest="commands",
        action="append",
        default=[],
        metavar="CMD",
        type=lambda c: ("ex", _unmark(c)),
        help="execute a command (repeatable, in order)",
    )
    p.add_argument(
        "-x",
        "--command",
        dest="commands",
        action="append",
        metavar="FILE",
        type=lambda f: ("x", _unmark(f)),
        help="execute the commands in FILE",
    )
    p.add_argument(
        "-q",
        "-quiet",
        "--quiet",
        "-silent",
        "--silent",
        dest="quiet",
        action="store_true",
        help="no introduction",
    )
    p.add_argument("trace", nargs="?", metavar="TRACE")
    p.add_argument("--args", dest="args_marker", action="store_true",
                   help="the rest is the program and its arguments, as gdb --args: "
                   "--args qemu-system-x86_64 -machine q35 ...")
    # gdb's --args: the program and its arguments follow
    argv, from_args = _split_args_option(argv)
    # `--` starts QEMU's arguments, unless it is the value of -ex/-x (`-ex --` runs "--")
    cut = next((k for k, word in enumerate(argv)
                if word == "--" and (k == 0 or argv[k - 1] not in _DEBUG_VALUED)), None)
    if from_args is not None:  # (a `--` before --args ends the scan: from_args is None)
        ours, qemu_args = argv, from_args
    elif cut is not None:
        ours, qemu_args = argv[:cut], argv[cut + 1 :]
    else:
        ours, qemu_args = argv, None
    _qemu_option_hint(ours)
    args = p.parse_args(_attach_values(ours, _DEBUG_VALUED))
    if qemu_args is not None and args.trace:
        raise UsageError("tracesim debug: give a TRACE or QEMU arguments after --, not both")
    from .progress import progress

    with progress(f"Reading {args.trace}" if args.trace else "Simulating") as bar:
        if args.trace:
            from .trace.indexed import open_indexed

            # through the index beside the trace if it has a good one, else read in full
            trace = open_indexed(args.trace) or load(args.trace, bar)
            what = args.trace
        else:
            from .qemu.simulate import strip_program

            qemu_args = strip_program(qemu_args) if qemu_args is not None else default_argv()
            trace = simulate_trace(qemu_args, args.profile)
            what = "qemu-system-x86_64 " + " ".join(qemu_args)
        if args.qemu_src is not None:
            check_qemu_src(args.qemu_src, trace.header.profile)
        bar.stage("Indexing the stops")  # (no counts: a line, if the bar is up already)
        session = Session(trace, args.qemu_src)
    import gc

    gc.freeze()  # what the session holds lives as long as it: out of the collector's
    # passes, which would otherwise stall a command now and then (p99); so is what each
    # command leaves (Driver.settle); all given back to the collector at the end
    try:
        return _debug_session(session, args, what, gc.freeze)
    finally:
        gc.unfreeze()


def _debug_session(session: Any, args: Any, what: str, settle: Any) -> int:
    """Run a debug session's commands: -ex and -x, then stdin or the REPL (`settle` after
    each)."""
    from .debugger.driver import Driver, exit_status

    PROMPT = "(tracesim) "  # repl.PROMPT; repl loads prompt_toolkit, scripts do not need it

    def write_error(text: str) -> None:
        sys.stdout.flush()  # keep the order gdb's terminal shows
        print(text, file=sys.stderr, flush=True)

    driver = Driver(session, print, write_error)
    driver.settle = settle
    if not args.quiet and not args.batch:
        driver.write(f"tracesim {__version__}: replaying {what}")
        driver.write(
            f'{len(session.index.stops)} statement stops recorded. Type "help" for commands, '
            '"run" or "start" to begin, "quit" to leave.'
        )
    try:
        driver.from_tty = not args.batch  # as gdb runs -ex and -x commands
        for kind, value in args.commands:
            if kind == "ex":
                driver.run_line(value)
            else:
                driver.run_file(value)
        driver.from_tty = True
        if args.batch:  # gdb -batch never reads stdin
            return 1 if driver.last_failed else 0
        if sys.stdin is None:  # stdin closed: the end of input at once
            return 0
        if not sys.stdin.isatty():  # a script on stdin: read it as gdb does, line by line

            def prompt() -> None:
                sys.stdout.write(PROMPT)
                sys.stdout.flush()

            return driver.read_commands(sys.stdin.buffer, prompt)
        from .repl import interact

        return interact(session, driver)
    except SystemExit as done:
        return exit_status(done.code)


def _front_end(module: str, name: str) -> Any:
    """A command whose module is imported only when the command runs."""

    def run(argv: list[str]) -> int:
        return int(getattr(importlib.import_module(module, __package__), name)(argv))

    return run


cmd_diff = _front_end(".diff", "cmd_diff")
cmd_graph = _front_end(".graph", "cmd_graph")
cmd_docs = _front_end(".docs", "cmd_docs")
cmd_export = _front_end(".export", "cmd_export")
cmd_verify = _front_end(".verify", "cmd_verify")
cmd_port = _front_end(".port", "cmd_port")
cmd_check = _front_end(".check", "cmd_check")


COMMANDS: dict[str, tuple[Any, str]] = {
    "debug": (cmd_debug, "replay a trace (or a QEMU command line) with gdb's commands"),
    "run": (cmd_run, "simulate QEMU 4.2 on a command line and write its trace"),
    "summary": (cmd_summary, "the outcome of a trace (info numa, exit status, messages)"),
    "show": (cmd_show, "print a trace's events or its statement stops"),
    "examples": (cmd_examples, "regenerate (or --check) the example traces in traces/"),
    "diff": (cmd_diff, "where two runs part ways, and why (two traces, or --a/--b command lines)"),
    "graph": (cmd_graph, "draw a trace: its call-flow graph, or --cfg FUNCTION's control flow"),
    "docs": (cmd_docs, "generate (or --check) the HTML site of the scenarios in docs/generated"),
    "export": (cmd_export, "export a trace as Perfetto/Chrome trace-event JSON"),
    "verify": (cmd_verify, "compare the model with a real QEMU binary (a line, or --generate N)"),
    "port": (cmd_port, "rewrite a QEMU 4.2 NUMA command line for 7.2, keeping its layout"),
    "check": (cmd_check, "is a trace intact, and does it replay to the outcome it records?"),
}


def top_help() -> str:
    width = max(len(n) for n in COMMANDS)
    rows = "\n".join(f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items())
    return (
        f"usage: tracesim [--version] [COMMAND [ARGS...]]\n\n"
        f"Re-enact QEMU 4.2's board-init NUMA path from a command line.\n\n"
        f"commands:\n{rows}\n\nWithout a command, tracesim opens the debugger on the seed's scenario.\n"
        "`tracesim COMMAND --help` describes each.\n"
    )


def _exit_on_signal(signum: int, frame: Any) -> None:
    """SIGTERM and SIGHUP unwind like an error, so temporary files are removed on the way."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    import signal

    from .trace.output import OutputError

    args = list(sys.argv[1:] if argv is None else argv)
    if argv is None:  # the process's own entry point, not a test calling main()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _exit_on_signal)
        import gc

        # a trace's records and what is made of them hold no cycles: the default threshold
        # (700) runs the collector thousands of times over them for nothing (export of the
        # largest trace: 2.5 s -> 1.8 s)
        gc.set_threshold(50_000, 50, 100)
    try:
        if not args:
            return cmd_debug([])  # the main job: the REPL on the default scenario
        if args[0] in ("-h", "--help", "help"):
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
    except OutputError as err:
        sys.stderr.write(f"tracesim: {err}\n")
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    finally:  # however the command ended, no temporary file of ours stays behind
        from .trace.output import remove_live_temps

        remove_live_temps()


def entry() -> None:
    sys.exit(main())
