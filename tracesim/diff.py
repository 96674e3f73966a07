"""`tracesim diff`: where two runs of QEMU part ways, and why.

The front end: it parses the arguments, opens (or simulates) the two traces, composes the report
from the parts in `tracesim.diffing` (the alignment, the explanations in QEMU's terms, the
command-line and outcome comparisons) and prints it as text or JSON. Two traces of different
QEMU versions (their headers' profiles) are compared by `diffing.crossver` instead: by what
they decide, since their line numbers and some of their functions differ.
"""
from __future__ import annotations

import io
import shlex
import sys
from typing import Any, BinaryIO

import msgspec

from .diffing.align import Aligner, Hunk, Side, align
from .diffing.causes import group_hunks
from .diffing.crossver import cross_diff
from .diffing.explain import Explainer
from .diffing.options import argv_changes
from .diffing.outcome import compare_outcomes, outcome_of
from .diffing.render import Paint, render_cross_text, render_text
from .trace.store import TraceError

MAX_HUNKS = 2000  # hunks in the JSON (the rest are counted; render.SHOW_HUNKS: in the text)
DEEP = 50  # hunks whose differing operands are traced back to their stores (reads the files)


# --- the command ------------------------------------------------------------------------------
def cmd_diff(argv: list[str]) -> int:
    # the traces are streamed, not loaded: Side raises TraceError as load() would (file:line)
    from .cli import Parser, UsageError
    from .profiles import DEFAULT_PROFILE, PROFILES

    p = Parser(prog="tracesim diff", description="Where two runs of QEMU part ways, and why: the "
               "first divergence in QEMU's terms, every later one as a hunk, and the outcomes "
               "side by side. Runs of two QEMU versions (profiles) are compared by what they "
               "decide, not by line. Exit status as diff(1): 0 the same, 1 different, 2 trouble.",
               usage="tracesim diff [options] A.jsonl B.jsonl | --a 'QEMU ARGS' --b 'QEMU ARGS'"
               " | --a-profile P --b-profile Q -- QEMU ARGS...")
    p.add_argument("traces", nargs="*", metavar="TRACE", help="two traces (tracesim run -o)")
    p.add_argument("--a", dest="args_a", metavar="'QEMU ARGS'",
                   help="simulate A from a QEMU command line")
    p.add_argument("--b", dest="args_b", metavar="'QEMU ARGS'",
                   help="simulate B from a QEMU command line")
    p.add_argument("--a-profile", choices=PROFILES, metavar="P",
                   help=f"the QEMU version A is simulated on ({', '.join(PROFILES)}; default "
                   f"{DEFAULT_PROFILE}); a trace's header names its own")
    p.add_argument("--b-profile", choices=PROFILES, metavar="P",
                   help="the QEMU version B is simulated on")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--only", action="append", default=[], metavar="FUNCTION",
                   help="only differences inside FUNCTION (or what it calls); repeatable")
    p.add_argument("--ignore", action="append", default=[], metavar="FUNCTION",
                   help="leave out differences inside FUNCTION (or what it calls); repeatable")
    p.add_argument("--outcome", action="store_true",
                   help="only the outcomes (exit status, messages, nodes, distances, CPUs)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the report (auto: when stdout is a terminal)")
    # `-- QEMU ARGS`: one command line, simulated on both sides (two versions, usually)
    shared: list[str] | None = None
    if "--" in argv:
        k = argv.index("--")
        argv, shared = argv[:k], argv[k + 1:]
    args = p.parse_args(argv)
    if shared is not None:
        if args.args_a is not None or args.args_b is not None or args.traces:
            raise UsageError("tracesim diff: -- QEMU ARGS simulates both sides; give no traces "
                             "and no --a/--b with it")
        if not shared:
            raise UsageError("tracesim diff: -- needs a QEMU command line after it")
        args.args_a = args.args_b = shlex.join(shared)
    wanted = 2 - (args.args_a is not None) - (args.args_b is not None)
    if len(args.traces) != wanted:
        raise UsageError("tracesim diff: give two traces, or --a and --b with QEMU command lines"
                         " (or one trace and one of --a/--b, or -- QEMU ARGS)")
    traces = list(args.traces)
    sources = []
    profiles = {"A": args.a_profile, "B": args.b_profile}
    for label, qemu_args in (("A", args.args_a), ("B", args.args_b)):
        if qemu_args is None:
            sources.append(_open_trace(traces.pop(0)))
        else:
            sources.append(_simulated(label, qemu_args, profiles[label] or DEFAULT_PROFILE))
    from .progress import progress

    bar = progress("Comparing (bytes read)")
    if bar.enabled:  # the bytes the two sides have read of their traces, of their sizes
        sources = _counted(sources, bar)
    try:  # the explanations look back into the files
        a, b = Side(*sources[0]), Side(*sources[1])
        for label, side, given in (("a", a, args.a_profile), ("b", b, args.b_profile)):
            if given and side.header.profile != given:
                raise UsageError(f"tracesim diff: --{label}-profile {given}, but {side.name} is "
                                 f"a trace of profile {side.header.profile} (its header decides)")
        if a.header.profile != b.header.profile:
            report = cross_diff(a, b, args.only, args.ignore)
        else:
            report = build_report(align(a, b), args.only, args.ignore)
    finally:
        bar.close()
        for _, stream in sources:
            stream.close()
    cross = bool(report.get("cross_profile"))
    if args.outcome:
        keys = ("cross_profile", "profiles", "identical", "a", "b", "outcome") if cross else \
            ("identical", "a", "b", "outcome")
        report = {k: report[k] for k in keys}
    if args.json:
        sys.stdout.write(msgspec.json.encode(report).decode() + "\n")
    else:
        color = args.color == "always" or args.color == "auto" and sys.stdout.isatty()
        render = render_cross_text if cross else render_text
        # text from the traces (argv, messages) is shown escaped, before colour is added
        sys.stdout.write(render(_escaped(report), Paint(color), outcome_only=args.outcome))
    if args.outcome or cross:  # across versions the steps always differ: the outcome decides
        return 0 if report["outcome"]["same"] else 1
    return 0 if not report["hunks"] and report["outcome"]["same"] else 1


def _escaped(value: Any) -> Any:
    from .textsafe import safe_line

    if isinstance(value, str):
        return safe_line(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_escaped(v) for v in value)
    return value


class _Counted:
    """A trace's stream that tells a progress bar how much of it has been read."""

    def __init__(self, raw: BinaryIO, tally: _Tally) -> None:
        self._raw = raw
        self._tally = tally

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._tally.add(len(data))
        return data

    def __getattr__(self, name: str) -> Any:  # fileno, getbuffer, close, ...
        return getattr(self._raw, name)


class _Tally:
    def __init__(self, bar: Any, total: int) -> None:
        self.bar, self.total, self.done = bar, total, 0

    def add(self, n: int) -> None:
        self.done += n
        self.bar.update(self.done, self.total)


def _size(stream: BinaryIO) -> int:
    getbuffer = getattr(stream, "getbuffer", None)
    if getbuffer is not None:
        with getbuffer() as view:
            return len(view)
    import os

    try:
        return os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        return 0


def _counted(sources: list[tuple[str, BinaryIO]], bar: Any) -> list[tuple[str, Any]]:
    tally = _Tally(bar, sum(_size(stream) for _, stream in sources))
    return [(name, _Counted(stream, tally)) for name, stream in sources]


def _open_trace(path: str) -> tuple[str, BinaryIO]:
    from .trace.compress import open_seekable

    try:
        return path, open_seekable(path)
    except OSError as err:
        raise TraceError(f"{path}: {err.strerror or err}") from None


def _simulated(label: str, text: str, profile: str) -> tuple[str, BinaryIO]:
    from .cli import UsageError, simulate_trace
    from .qemu.simulate import strip_program
    from .trace.store import encode_lines

    try:
        qemu_args = strip_program(shlex.split(text))
    except ValueError as err:
        raise UsageError(f"tracesim diff: --{label.lower()}: {err}") from None
    trace = simulate_trace(qemu_args, profile)
    return f"{label} (simulated)", io.BytesIO(encode_lines(trace.header, trace.events))


# --- the report, as data ----------------------------------------------------------------------
def build_report(al: Aligner, only: list[str] | None = None,
                 ignore: list[str] | None = None) -> dict[str, Any]:
    A, B = al.a, al.b
    kept = [(n, h) for n, h in enumerate(al.hunks, 1) if _wanted(h, only or [], ignore or [])]
    explained = Explainer(al)
    hunks = [explained.hunk(n, h, deep=k < DEEP) for k, (n, h) in enumerate(kept[:MAX_HUNKS])]
    first = next((x for x in hunks if x["kind"] == "path"), hunks[0] if hunks else None)
    groups = group_hunks(kept[:MAX_HUNKS], hunks, explained.anchors)
    return {
        "identical": not al.hunks,
        "a": _side_info(A),
        "b": _side_info(B),
        "command_line_changes": argv_changes(A.header.argv, B.header.argv),
        "first_divergence": explained.first(first) if first else None,
        "groups": groups,  # the hunks by cause: a changed option or decision, its follow-ons
        "hunks": hunks,
        "hunks_total": len(kept),
        "outcome": compare_outcomes(outcome_of(A), outcome_of(B)),
    }


def _side_info(side: Side) -> dict[str, Any]:
    return {"trace": side.name, "argv": side.header.argv, "stops": side.steps,
            "exit_status": side.exit_status}


def _wanted(h: Hunk, only: list[str], ignore: list[str]) -> bool:
    paths = [u.frame.call_path() for _, ua, ub in h.items for u in (ua, ub)
             if u is not None and u.frame is not None]
    if only and not any(fn in path for path in paths for fn in only):
        return False
    if ignore and paths and all(any(fn in path for fn in ignore) for path in paths):
        return False
    return True
