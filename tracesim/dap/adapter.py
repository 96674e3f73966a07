"""The requests of the Debug Adapter Protocol over one replay Session.

Run control goes through the debugger's command table (`next`, `reverse-continue`, `goto N`,
...), so the editor's steps are the REPL's steps exactly; the adapter only turns what the
engine did into DAP: output events for what QEMU printed on the way, then `stopped` with
its reason, or `exited` with QEMU's status and `terminated`.
"""

from __future__ import annotations

import bisect
import gc
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .. import __version__
from ..debugger.breakpoints import CATCH_KINDS, CommandError
from ..debugger.commands import execute
from ..debugger.driver import Driver
from ..debugger.evaluate import GdbError
from ..debugger.format import format_value
from ..debugger.session import Session
from ..debugger.typenames import type_name
from ..trace import events as ev
from .variables import Node, Presenter, Refs, Scope

THREAD_ID = 1
THREAD_NAME = "qemu-system-x86"  # gdb: Thread 1 "qemu-system-x86"
_REPORT_KINDS = ("error", "warning", "info", "printf", "stdout")
_GOTO_TARGETS_MAX = 1000

EXCEPTION_FILTERS = [
    ("error", "QEMU errors", "error_report and friends: stop where QEMU reports an error"),
    ("warning", "QEMU warnings", "warn_report: stop where QEMU warns"),
    ("exit", "exit()", "stop where QEMU calls exit (any status)"),
    ("assert", "assert()", "stop at every assert QEMU evaluates"),
    ("split", "RAM split", "stop where the default RAM split assigns a node's memory"),
    ("dist", "NUMA distances", "stop where the distance table is filled or set"),
]

CAPABILITIES: dict[str, Any] = {
    "supportsConfigurationDoneRequest": True,
    "supportsStepBack": True,
    "supportsFunctionBreakpoints": True,
    "supportsConditionalBreakpoints": True,
    "supportsHitConditionalBreakpoints": True,
    "supportsLogPoints": True,
    "supportsDataBreakpoints": True,
    "supportsEvaluateForHovers": True,
    "supportsSetVariable": False,
    "supportsSetExpression": False,
    "supportsGotoTargetsRequest": True,
    "supportsStepInTargetsRequest": True,
    "supportsRestartRequest": True,
    "supportsTerminateRequest": True,
    "supportsValueFormattingOptions": True,
    "supportsExceptionInfoRequest": True,
    "supportsCompletionsRequest": True,
    # memory is a map of C lvalues, not bytes: no honest answer to readMemory
    "supportsReadMemoryRequest": False,
    "exceptionBreakpointFilters": [
        {"filter": f, "label": label, "description": text, "default": False}
        for f, label, text in EXCEPTION_FILTERS
    ],
}

READ_ONLY = (
    "tracesim replays a recorded run: its state is the trace's and cannot be changed "
    "(setVariable is not supported)"
)


class RequestError(Exception):
    """Answered as an error response with this message."""


# gdb's reports of what stopped the program (tracesim/debugger/session.py prints them)
_BREAK = re.compile(r'^Thread 1 "[^"]*" hit (?:Temporary breakpoint|Breakpoint) (\d+), ')
_WATCH = re.compile(r"^Hardware watchpoint (\d+): (.*)$")
_WATCH_GONE = re.compile(r"^Watchpoint (\d+) deleted because")
_CATCH = re.compile(r"^Catchpoint (\d+) \((\w+): (.*)\), ")
_COND_ERROR = re.compile(r"^Error in testing condition for breakpoint (\d+):")
_INFO_NUMA = re.compile(r"^\s*i(?:n|nf|nfo)?\s+numa\s*$")
_HIT = re.compile(r"^\s*(>=|<=|==|>|<|%)?\s*(\d+)\s*$")


@dataclass
class Stop:
    """What the engine's report says stopped the program."""

    kind: str  # breakpoint | watchpoint | catchpoint | none
    number: int | None = None
    text: str = ""
    catch: str | None = None


def classify(lines: list[str]) -> Stop:
    for k, line in enumerate(lines):
        m = _BREAK.match(line)
        if m:
            return Stop("breakpoint", int(m.group(1)))
        m = _CATCH.match(line)
        if m:
            return Stop("catchpoint", int(m.group(1)), m.group(3), m.group(2))
        m = _WATCH.match(line)
        if m and any(x.startswith("Old value = ") for x in lines[k:]):
            old = next(x for x in lines[k:] if x.startswith("Old value = "))[12:]
            new = next((x for x in lines[k:] if x.startswith("New value = ")), "")[12:]
            return Stop("watchpoint", int(m.group(1)), f"{m.group(2)}: {old} -> {new}")
        m = _WATCH_GONE.match(line)
        if m:
            return Stop("watchpoint", int(m.group(1)), " ".join(lines[k : k + 2]))
        m = _COND_ERROR.match(line)
        if m:
            return Stop("breakpoint", int(m.group(1)), " ".join(lines[k : k + 2]))
    if "No more reverse-execution history." in lines:
        return Stop("none", text="No more reverse-execution history.")
    return Stop("none")


@dataclass
class PointMeta:
    """What DAP asks of a point beyond what the engine checks."""

    kind: str  # source | function | data | exception
    log_message: str | None = None
    hit_condition: tuple[str, int] | None = None
    condition: str | None = None  # data breakpoints (the engine checks the others')
    file: str | None = None
    line: int | None = None


def parse_hit_condition(text: str) -> tuple[str, int]:
    """`5` (from the 5th hit on, as gdb's `ignore 4`), `>5`, `>=5`, `==5`, `<5`, `<=5`,
    `%5` (every 5th)."""
    m = _HIT.match(text)
    if not m:
        raise RequestError(
            f"hit condition {text!r}: expected N, >N, >=N, ==N, <N, <=N or %N"
        )
    op, n = m.group(1) or ">=", int(m.group(2))
    if op == "%" and n == 0:
        raise RequestError("hit condition %0: the modulus must be positive")
    return op, n


def hit_ok(cond: tuple[str, int], hits: int) -> bool:
    op, n = cond
    return {
        ">=": hits >= n, ">": hits > n, "==": hits == n, "<": hits < n, "<=": hits <= n,
        "%": n > 0 and hits % n == 0,
    }[op]


class Adapter:
    def __init__(
        self,
        send_event: Callable[[str, dict[str, Any] | None], None],
        qemu_src: str | None = None,
        profile: str | None = None,
    ) -> None:
        self.send_event = send_event
        self.default_qemu_src = qemu_src
        self.default_profile = profile
        self.session: Session | None = None
        self.driver: Driver | None = None
        self.launch_args: dict[str, Any] = {}
        self.qemu_src: Path | None = None
        self.configured = False
        self.terminated = False
        self.no_debug = False
        self.done = False  # disconnect: the server loop ends
        self.refs = Refs()
        self.frame_ids: dict[int, int] = {}  # frameId -> frame number (bt's #N)
        self.next_frame_id = 1
        self.source_refs: dict[str, int] = {}
        self.files_of: tuple[Session, set[str]] | None = None
        self.ref_files: dict[int, str] = {}
        self.meta: dict[int, PointMeta] = {}
        self.source_points: dict[str, list[int]] = {}
        self.function_points: list[int] = []
        self.data_points: list[int] = []
        self.catch_points: list[int] = []
        self.exception_stop: Stop | None = None
        # the last configuration requests, replayed on a restart with new arguments
        self.config: dict[str, tuple[str, dict[str, Any]]] = {}
        self.pending: list[tuple[str, dict[str, Any] | None]] = []  # events after the response

    # --- dispatch ----------------------------------------------------------------------
    BEFORE_LAUNCH = {"initialize", "launch", "attach", "disconnect", "terminate"}

    def handle(self, command: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """The body of the response; raises RequestError for an error response."""
        handler = getattr(self, "req_" + command, None) if command.isidentifier() else None
        if handler is None:
            raise RequestError(f"tracesim's debug adapter has no request '{command[:60]}'")
        if command not in self.BEFORE_LAUNCH and self.session is None:
            raise RequestError(f"'{command}' before 'launch': no program is loaded yet")
        try:
            return handler(args)
        except CommandError as err:
            raise RequestError(str(err))
        except GdbError as err:
            raise RequestError(err.message)

    def event(self, name: str, body: dict[str, Any] | None = None) -> None:
        self.pending.append((name, body))

    def flush(self) -> None:
        events, self.pending = self.pending, []
        for name, body in events:
            self.send_event(name, body)

    # --- session ---------------------------------------------------------------------------
    def req_initialize(self, args: dict[str, Any]) -> dict[str, Any]:
        self.lines_start_at1 = args.get("linesStartAt1", True) is not False
        return CAPABILITIES

    def req_attach(self, args: dict[str, Any]) -> None:
        raise RequestError(
            "tracesim replays a recorded run; there is no process to attach to. "
            "Use 'launch' with 'trace' (a trace file) or 'args' (QEMU's arguments)."
        )

    def req_launch(self, args: dict[str, Any]) -> None:
        if self.session is not None:
            raise RequestError("already launched")
        self.session = self._load(args)
        _freeze_heap()
        self.launch_args = args
        self.no_debug = bool(args.get("noDebug"))
        self.driver = Driver(self.session, lambda _: None, lambda _: None)
        s = self.session
        what = (
            args["trace"]
            if args.get("trace")
            else f"qemu-system-x86_64 {' '.join(shlex.quote(a) for a in s.trace.argv)}"
        )
        self.event("output", {"category": "console", "output": (
            f"tracesim {__version__}: replaying {what} (QEMU {s.trace.header.profile})\n"
            f"{len(s.index.stops)} statement stops recorded. The debug console takes gdb's "
            "commands (help lists them).\n")})
        self.event("initialized")
        return None

    def _load(self, args: dict[str, Any]) -> Session:
        from ..cli import simulate_trace
        from ..profiles import DEFAULT_PROFILE, PROFILES
        from ..qemu.simulate import strip_program
        from ..scenarios import default_argv
        from ..trace.store import TraceError, read_trace

        cwd = args.get("cwd")
        base = Path(cwd) if isinstance(cwd, str) and cwd else Path.cwd()
        src = args.get("qemuSrc", self.default_qemu_src)
        if src is not None and not isinstance(src, str):
            raise RequestError("'qemuSrc' must be a path")
        if src:
            src_path = base / os.path.expanduser(src)
            if not src_path.is_dir():
                raise RequestError(f"qemuSrc {src}: not a directory")
            self.qemu_src = src_path.resolve()
        profile = args.get("profile", self.default_profile) or DEFAULT_PROFILE
        if profile not in PROFILES:
            raise RequestError(f"profile {profile!r}: one of {', '.join(PROFILES)}")
        trace_arg, qemu_args = args.get("trace"), args.get("args")
        if trace_arg and qemu_args:
            raise RequestError("give 'trace' or 'args', not both")
        if trace_arg:
            if not isinstance(trace_arg, str):
                raise RequestError("'trace' must be a path")
            try:
                trace = read_trace(str(base / os.path.expanduser(trace_arg)))
            except TraceError as err:
                raise RequestError(str(err))
            except OSError as err:
                raise RequestError(f"{trace_arg}: {err.strerror or err}")
        else:
            if qemu_args is None:
                argv = default_argv()
            elif isinstance(qemu_args, str):
                argv = shlex.split(qemu_args)
            elif isinstance(qemu_args, list) and all(isinstance(a, str) for a in qemu_args):
                argv = list(qemu_args)
            else:
                raise RequestError("'args' must be a list of strings or one string")
            trace = simulate_trace(strip_program(argv), profile)
        return Session(trace, str(self.qemu_src) if self.qemu_src else None)

    def req_configurationDone(self, args: dict[str, Any]) -> None:
        if self.configured:
            return None
        self.configured = True
        self._start()
        return None

    def _start(self) -> None:
        s = self._s()
        if self.no_debug:
            for p in s.points.points.values():
                p.enabled = False
        if self.launch_args.get("stopOnEntry") and not self.no_debug:
            s.exited = False
            s.goto(s.index.stops[0])
            s.refresh_watch_values()
            self._stopped("entry", Stop("none"), None)
            return
        self._move("run", forward=True)

    def req_restart(self, args: dict[str, Any]) -> None:
        new = args.get("arguments")
        if isinstance(new, dict) and new != self.launch_args:
            session = self._load(new)
            _freeze_heap()
            self.session, self.launch_args = session, new
            self.driver = Driver(session, lambda _: None, lambda _: None)
            self.meta.clear()
            self.source_points.clear()
            self.function_points, self.data_points, self.catch_points = [], [], []
            for command, cargs in list(self.config.values()):
                getattr(self, "req_" + command)(cargs)
        s = self._s()
        s.pos, s.exited = None, False
        self.terminated = False
        self._start()
        return None

    def req_terminate(self, args: dict[str, Any]) -> None:
        if not self.terminated:
            self.terminated = True
            self.event("terminated")
        return None

    def req_disconnect(self, args: dict[str, Any]) -> None:
        self.done = True
        return None

    # --- breakpoints ---------------------------------------------------------------------
    def req_setBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        self._s()  # refused before launch
        source = args.get("source") or {}
        file = self._file_of(source)
        key = f"setBreakpoints:{file or source.get('path') or source.get('name')}"
        self.config[key] = ("setBreakpoints", args)  # one per source
        wanted = args.get("breakpoints")
        if wanted is None:
            wanted = [{"line": n} for n in args.get("lines") or []]
        old = self.source_points.pop(file or "", [])
        self._delete(old)
        out = []
        numbers = []
        for bp in wanted:
            line = bp.get("line")
            if not isinstance(line, int) or file is None:
                out.append({"verified": False, "line": line, "message":
                            f"no source file named {source.get('path') or source.get('name')}"
                            " in this trace" if file is None else "no line"})
                continue
            out.append(self._add_point(f"{file}:{line}", bp, "source", file, line, numbers))
        if file is not None:
            self.source_points[file] = numbers
        return {"breakpoints": out}

    def req_setFunctionBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        self.config["function"] = ("setFunctionBreakpoints", args)
        self._delete(self.function_points)
        self.function_points = []
        out = []
        for bp in args.get("breakpoints") or []:
            name = str(bp.get("name", "")).strip()
            out.append(self._add_point(name, bp, "function", None, None, self.function_points))
        return {"breakpoints": out}

    def _add_point(
        self, where: str, bp: dict[str, Any], kind: str, file: str | None, line: int | None,
        numbers: list[int],
    ) -> dict[str, Any]:
        s = self._s()
        cond = bp.get("condition")
        try:
            hit = parse_hit_condition(bp["hitCondition"]) if bp.get("hitCondition") else None
            text = where + (f" if {cond}" if isinstance(cond, str) and cond.strip() else "")
            execute(s, f"break {text}")
        except (CommandError, RequestError) as err:
            return {"verified": False, "line": line, "message": str(err)}
        number = s.points.next_number - 1
        p = s.points.points[number]
        numbers.append(number)
        log = bp.get("logMessage")
        self.meta[number] = PointMeta(kind, log if isinstance(log, str) else None, hit,
                                      None, file, line)
        assert p.location is not None
        _, pfile, pline = s.location_address(p.location)
        out: dict[str, Any] = {"id": number, "verified": True}
        if pfile:
            out["source"] = self._source(pfile)
            out["line"] = pline
        if kind == "source" and (file, line) not in s.index.by_location:
            out["verified"] = False
            out["message"] = (
                f"no statement stop at {file}:{line} in this run: tracesim stops only on "
                "the lines the model records, and this run records none there"
            )
        return out

    def _delete(self, numbers: list[int]) -> None:
        s = self._s()
        for n in numbers:
            s.points.points.pop(n, None)
            self.meta.pop(n, None)

    def req_setExceptionBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        self.config["exception"] = ("setExceptionBreakpoints", args)
        s = self._s()
        self._delete(self.catch_points)
        self.catch_points = []
        wanted = [f for f in args.get("filters") or [] if isinstance(f, str)]
        for option in args.get("filterOptions") or []:
            if isinstance(option, dict) and option.get("filterId") not in wanted:
                wanted.append(option.get("filterId"))
        out = []
        for name in wanted:
            if name not in CATCH_KINDS:
                out.append({"verified": False, "message": f"no exception filter {name!r}"})
                continue
            execute(s, f"catch {name}")
            number = s.points.next_number - 1
            self.catch_points.append(number)
            self.meta[number] = PointMeta("exception")
            out.append({"id": number, "verified": True})
        return {"breakpoints": out}

    def req_dataBreakpointInfo(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        name = str(args.get("name", ""))
        ref = args.get("variablesReference")
        frame_number = self._frame_number(args.get("frameId"))
        expr = name
        if ref:
            item = self.refs.get(ref)
            if isinstance(item, Scope):
                frame_number = item.frame_number
            elif isinstance(item, Node):
                expr = self._child_expr(item, name)
                if expr is None:
                    return {"dataId": None, "description": f"no member {name}"}
        if not s.running:
            return {"dataId": None, "description": "the program is not running"}
        try:
            value, _ = self._eval(expr, frame_number)
        except (CommandError, RequestError) as err:
            return {"dataId": None, "description": str(err)}
        if value.loc is None:
            return {"dataId": None, "description": f"{expr} is not an lvalue: nothing to watch"}
        return {
            "dataId": f"{frame_number}:{expr}",
            "description": expr,
            "accessTypes": ["write"],
            "canPersist": False,
        }

    def _child_expr(self, node: Node, name: str) -> str | None:
        presenter = Presenter(self._s().debug, self._s().state(), Refs())
        for child in presenter.children(node, 0, None, None):
            if child["name"] == name:
                return child.get("evaluateName")
        return None

    def req_setDataBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        self.config["data"] = ("setDataBreakpoints", args)
        self._delete(self.data_points)
        self.data_points = []
        out = []
        for bp in args.get("breakpoints") or []:
            data_id = str(bp.get("dataId", ""))
            number_text, _, expr = data_id.partition(":")
            access = bp.get("accessType", "write")
            if access not in (None, "write"):
                out.append({"verified": False, "message": (
                    f"{access} watchpoints (gdb's rwatch/awatch) need the loads of the run, "
                    "and a trace records only its stores: only 'write' (gdb's watch) works")})
                continue
            if not number_text.isdigit() or not expr:
                out.append({"verified": False, "message": f"bad dataId {data_id!r}"})
                continue
            saved = s.selected
            frames = s.frames()
            s.selected = min(int(number_text), max(len(frames) - 1, 0))
            try:
                hit = parse_hit_condition(bp["hitCondition"]) if bp.get("hitCondition") else None
                cond = bp.get("condition") if isinstance(bp.get("condition"), str) else None
                if cond:
                    s.inspect.check_syntax(cond)
                execute(s, f"watch {expr}")
            except (CommandError, RequestError) as err:
                out.append({"verified": False, "message": str(err)})
                continue
            finally:
                s.selected = saved
            number = s.points.next_number - 1
            self.data_points.append(number)
            self.meta[number] = PointMeta("data", None, hit, cond or None)
            out.append({"id": number, "verified": True, "description": expr})
        return {"breakpoints": out}

    # --- run control -----------------------------------------------------------------------
    def req_continue(self, args: dict[str, Any]) -> dict[str, Any]:
        self._move("continue", forward=True)
        return {"allThreadsContinued": True}

    def req_next(self, args: dict[str, Any]) -> None:
        self._move("next", forward=True)

    def req_stepIn(self, args: dict[str, Any]) -> None:
        target = args.get("targetId")
        if target is None:
            self._move("step", forward=True)
            return None
        s = self._running()
        info = s.index.frames.get(target) if isinstance(target, int) else None
        if info is None or info.entry_stop is None or s.pos is None or info.call_index < s.pos:
            raise RequestError("that call cannot be stepped into from here")
        start_call = s.index.frame_at(s.pos)
        entry = info.entry_stop
        self._move_with(
            lambda: s.run_to(entry, start_call.call_index if start_call else None),
            forward=True,
        )
        return None

    def req_stepOut(self, args: dict[str, Any]) -> None:
        self._move("finish", forward=True)

    def req_stepBack(self, args: dict[str, Any]) -> None:
        self._move("reverse-next", forward=False)

    def req_reverseContinue(self, args: dict[str, Any]) -> None:
        self._move("reverse-continue", forward=False)

    def req_pause(self, args: dict[str, Any]) -> None:
        # a replay runs to its next stop at once: it is never running when pause arrives
        return None

    def req_gotoTargets(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        file = self._file_of(args.get("source") or {})
        line = args.get("line")
        numbers = s.index.by_location.get((file or "", line if isinstance(line, int) else 0), [])
        pos = s.pos if s.pos is not None else -1
        # the nearest stops first: ahead of the position, then back from it
        cut = bisect.bisect_right([s.index.stops[n] for n in numbers], pos)
        order = list(range(cut, len(numbers))) + list(range(cut - 1, -1, -1))
        targets = []
        for k in order[:_GOTO_TARGETS_MAX]:
            n = numbers[k]
            info = s.index.frames[s.index.stop_frame[n]]
            way = "ahead" if k >= cut else "back"
            targets.append({
                "id": n + 1,
                "label": f"stop {n + 1} ({way}): {info.fn}, hit {k + 1} of {len(numbers)}",
                "line": line,
            })
        return {"targets": targets}

    def req_goto(self, args: dict[str, Any]) -> None:
        target = args.get("targetId")
        if not isinstance(target, int):
            raise RequestError("goto needs a targetId from gotoTargets")
        self._move(f"goto {target}", forward=None, reason="goto")
        return None

    def req_stepInTargets(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._running()
        assert s.pos is not None
        here = s.index.frame_at(s.pos)
        if here is None:
            return {"targets": []}
        nxt = s.index.next_stop(s.pos, here.depth)
        end = nxt if nxt is not None else len(s.events)
        targets = []
        for i in range(s.pos + 1, end):
            e = s.events[i]
            if type(e) is ev.Call:
                info = s.index.frames[i]
                if info.parent == here.call_index and info.entry_stop is not None:
                    targets.append({"id": i, "label": f"{e.fn} ({info.file})"})
            elif type(e) is ev.Return and s.index.frame_at(i - 1) is here:
                break
        return {"targets": targets}

    # --- moving and reporting ----------------------------------------------------------------
    def _move(self, command: str, forward: bool | None, reason: str = "step") -> None:
        s = self._running() if command != "run" else self._s()
        start = s.pos
        dry: tuple[int | None, bool, bool] | None = None
        if self._pass_through_points() and command not in ("run", "continue",
                                                           "reverse-continue"):
            dry = self._dry_run(command)
        lines = execute(s, command)
        self._after_move(lines, start, forward, reason, command, dry)

    def _move_with(self, move: Callable[[], list[str]], forward: bool) -> None:
        s = self._running()
        start = s.pos
        lines = move()
        self._after_move(lines, start, forward, "step", None, None, resume=move)

    def _after_move(
        self, lines: list[str], start: int | None, forward: bool | None, reason: str,
        command: str | None, dry: tuple[int | None, bool, bool] | None,
        resume: Callable[[], list[str]] | None = None,
    ) -> None:
        s = self._s()
        stop = classify(lines)
        # logpoints and unmet hit conditions do not stop: log and go on where it was going
        guard = 0
        while not s.exited and stop.number is not None and self._passes(stop):
            guard += 1
            if guard > 1_000_000:
                break
            if resume is not None:
                lines = resume()  # the same move again, from where it stopped
            elif command in ("run", "continue"):
                lines = s.run_to(None, None)
            elif command == "reverse-continue":
                lines = s.reverse_to(None, self._top_call())
            elif dry is not None:
                target, exited, line_start = dry
                call = self._top_call()
                if forward is False:
                    lines = s.reverse_to(target, call)
                else:
                    lines = s.run_to(None if exited else target, call, line_start)
            else:
                break
            stop = classify(lines)
        if forward and start != s.pos:
            self._outputs(-1 if start is None else start, s.pos if s.pos is not None else -1)
        if s.exited:
            self._exited()
            return
        self._stopped(reason, stop, lines)

    def _pass_through_points(self) -> bool:
        return any(
            m.log_message is not None or m.hit_condition is not None or m.condition
            for n, m in self.meta.items()
            if n in self._s().points.points
        )

    def _passes(self, stop: Stop) -> bool:
        """Whether the point that stopped the program asks DAP not to stop there."""
        s = self._s()
        meta = self.meta.get(stop.number or 0)
        p = s.points.points.get(stop.number or 0)
        if meta is None or p is None:
            return False
        if meta.condition:
            try:
                if not s.inspect.truthy(s.state(), 0, meta.condition):
                    return True
            except CommandError:
                return False  # an error in the condition stops, as gdb's do
        if meta.hit_condition is not None and not hit_ok(meta.hit_condition, p.hits):
            return True
        if meta.log_message is not None:
            self._log(meta)
            return True
        return False

    def _log(self, meta: PointMeta) -> None:
        s = self._s()

        def value(m: re.Match[str]) -> str:
            try:
                return s.inspect.value_text(s.state(), 0, m.group(1))
            except CommandError as err:
                return f"<error: {err}>"

        text = re.sub(r"\{([^{}]+)\}", value, meta.log_message or "")
        body: dict[str, Any] = {"category": "console", "output": text + "\n"}
        frames = s.frames()
        if frames and frames[0].call_index is not None:
            body["source"] = self._source(frames[0].file)
            body["line"] = frames[0].line
        self.event("output", body)

    def _dry_run(self, command: str) -> tuple[int | None, bool, bool]:
        """Where `command` ends with every point disabled (a step's own target)."""
        s = self._s()
        saved = (s.pos, s.exited, s.at_line_start, s.selected)
        enabled = [p for p in s.points.points.values() if p.enabled]
        for p in enabled:
            p.enabled = False
        try:
            execute(s, command)
            return s.pos, s.exited, s.at_line_start
        finally:
            for p in enabled:
                p.enabled = True
            pos, exited, line_start, selected = saved
            s.goto(pos, line_start)  # type: ignore[arg-type]
            s.exited, s.selected = exited, selected

    def _top_call(self) -> int | None:
        s = self._s()
        info = s.index.frame_at(s.pos) if s.pos is not None else None
        return info.call_index if info else None

    def _outputs(self, start: int, end: int) -> None:
        """QEMU's messages printed between two positions, where it printed them."""
        from ..qemu.process import render_report

        s = self._s()
        found = []
        for kind in _REPORT_KINDS:
            for i in s.index.by_kind.get(kind, []):
                if start < i <= end:
                    found.append(i)
        for i in sorted(found):
            e = s.events[i]
            body: dict[str, Any] = {
                "category": "stdout" if e.kind == "stdout" else "stderr",
                "output": render_report(e.kind, e.text, e.location),
            }
            info = s.index.frame_at(i)
            if info is not None:
                body["source"] = self._source(info.file)
                body["line"] = e.line
            self.event("output", body)

    def _exited(self) -> None:
        s = self._s()
        status = 0
        at = s.index.exit_index
        if at is not None:
            status = s.events[at].status
        end = s.modelled_path_end() if status == 0 else None
        if end is not None:
            where, machine = end
            self.event("output", {"category": "console", "output": (
                f"The modelled path ends here ({where}): QEMU would go on into "
                f"machine_class->init for {machine}, which tracesim does not model. "
                "The session ends with exit status 0.\n")})
        self.event("exited", {"exitCode": status})
        self.terminated = True
        self.event("terminated")

    def _stopped(self, reason: str, stop: Stop, lines: list[str] | None) -> None:
        self.refs.clear()
        self.frame_ids.clear()
        self.exception_stop = None
        body: dict[str, Any] = {"threadId": THREAD_ID, "allThreadsStopped": True}
        meta = self.meta.get(stop.number or 0)
        if stop.kind == "breakpoint":
            kind = meta.kind if meta else "source"
            body["reason"] = "function breakpoint" if kind == "function" else "breakpoint"
            body["hitBreakpointIds"] = [stop.number]
            if stop.text:
                body["description"] = stop.text
        elif stop.kind == "watchpoint":
            body["reason"] = "data breakpoint"
            body["hitBreakpointIds"] = [stop.number]
            body["description"] = "Data breakpoint"
            body["text"] = stop.text
            if "deleted" in stop.text:
                self.event("breakpoint", {"reason": "removed",
                                          "breakpoint": {"id": stop.number, "verified": False}})
                self.data_points = [n for n in self.data_points if n != stop.number]
        elif stop.kind == "catchpoint":
            body["reason"] = "exception"
            body["hitBreakpointIds"] = [stop.number]
            body["description"] = f"Catchpoint ({stop.catch})"
            body["text"] = stop.text
            self.exception_stop = stop
        else:
            body["reason"] = reason
            if stop.text:
                body["description"] = body["text"] = stop.text
        self.event("stopped", body)

    # --- threads, frames, sources ---------------------------------------------------------------
    def req_threads(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"threads": [{"id": THREAD_ID, "name": THREAD_NAME}]}

    def req_stackTrace(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        frames = s.frames()
        start = max(int(args.get("startFrame") or 0), 0)
        levels = int(args.get("levels") or 0)
        chosen = frames[start : start + levels] if levels > 0 else frames[start:]
        fmt = args.get("format") or {}
        out = []
        for k, f in enumerate(chosen, start):
            frame_id = self.next_frame_id
            self.next_frame_id += 1
            self.frame_ids[frame_id] = k
            name = f.fn
            if fmt.get("parameters"):
                name += f" ({s.frame_args(f)})"
            if fmt.get("line"):
                name += f" at {f.file}:{f.line}"
            item: dict[str, Any] = {"id": frame_id, "name": name, "line": f.line or 0,
                                    "column": 1}
            if f.call_index is None:  # libc's exit: no source, as in gdb
                item["presentationHint"] = "subtle"
            else:
                item["source"] = self._source(f.file)
            out.append(item)
        return {"stackFrames": out, "totalFrames": len(frames)}

    def _source(self, file: str) -> dict[str, Any]:
        name = file.rsplit("/", 1)[-1]
        if self.qemu_src is not None and (self.qemu_src / file).is_file():
            return {"name": name, "path": str(self.qemu_src / file)}
        ref = self.source_refs.get(file)
        if ref is None:
            ref = self.source_refs[file] = len(self.source_refs) + 1
            self.ref_files[ref] = file
        return {
            "name": name,
            "path": file,
            "sourceReference": ref,
            "origin": "tracesim's model (no QEMU tree given: set qemuSrc)",
            "presentationHint": "normal",
        }

    def _files(self) -> set[str]:
        """The source files the trace and the debug info name (computed once a session)."""
        s = self._s()
        if self.files_of is None or self.files_of[0] is not s:
            files = {file for file, _ in s.index.by_location}
            files |= {file for file, _ in s.debug.entry_lines.values()}
            files |= {u.file for u in s.debug.unstepped}
            self.files_of = (s, files)
        return self.files_of[1]

    def _file_of(self, source: dict[str, Any]) -> str | None:
        """The trace's file name (`hw/core/numa.c`) of a DAP source."""
        ref = source.get("sourceReference")
        if isinstance(ref, int) and ref in self.ref_files:
            return self.ref_files[ref]
        path = source.get("path") or source.get("name")
        if not isinstance(path, str) or not path:
            return None
        if self.qemu_src is not None:
            try:
                path = str(Path(path).resolve().relative_to(self.qemu_src))
            except (ValueError, OSError):
                pass
        path = path.replace("\\", "/")
        best = None
        for f in self._files():
            if (path == f or path.endswith("/" + f)) and (best is None or len(f) > len(best)):
                best = f
        return best

    def req_source(self, args: dict[str, Any]) -> dict[str, Any]:
        self._s()  # refused before launch
        ref = args.get("sourceReference") or (args.get("source") or {}).get("sourceReference")
        file = self.ref_files.get(ref) if isinstance(ref, int) else None
        if file is None:
            file = self._file_of(args.get("source") or {})
            if file is None:
                raise RequestError("no such source")
        return {"content": self._model_text(file), "mimeType": "text/x-csrc"}

    def _model_text(self, file: str) -> str:
        """The file as the model knows it: at each line where the run stops, what the
        statement does; the frames the model does not step say so on their lines."""
        s = self._s()
        lines = {line for f, line in s.index.by_location if f == file}
        for u in s.debug.unstepped:
            if u.file == file:
                lines |= {u.entry, u.default_line, *u.call_lines.values(),
                          *u.return_lines.values(), *u.finish_lines.values()}
        for fn, (f, line) in s.debug.entry_lines.items():
            if f == file:
                lines.add(line)
        if not lines:
            return ""
        text = [""] * max(lines)
        for line in lines:
            text[line - 1] = s.source.text(file, line)
        return "\n".join(text) + "\n"

    # --- variables -------------------------------------------------------------------------------
    def _frame_number(self, frame_id: Any) -> int:
        if frame_id is None:
            return 0
        if frame_id not in self.frame_ids:
            raise RequestError("that frame is gone: the program moved since")
        return self.frame_ids[frame_id]

    def _eval_index(self, frame_number: int) -> int:
        """The engine's frame index (0 = innermost State frame) of bt's frame #N."""
        s = self._s()
        frames = s.frames()
        if not frames:
            return 0
        f = frames[min(frame_number, len(frames) - 1)]
        if f.depth_index < 0:
            return 0
        return len(s.state().frames) - 1 - f.depth_index

    def _eval(self, expr: str, frame_number: int) -> tuple[Any, Any]:
        s = self._s()
        return s.inspect.value(s.state(), self._eval_index(frame_number), expr)

    def req_scopes(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        k = self._frame_number(args.get("frameId"))
        frames = s.frames()
        if k >= len(frames):
            raise RequestError("no such frame")
        f = frames[k]
        fn = s.debug.functions.get(f.fn)
        scopes = [
            {"name": "Arguments", "presentationHint": "arguments",
             "variablesReference": self.refs.add(Scope("args", k)),
             "namedVariables": len(f.args), "expensive": False},
        ]
        if f.call_index is not None:
            scopes.append(
                {"name": "Locals", "presentationHint": "locals",
                 "variablesReference": self.refs.add(Scope("locals", k)),
                 "namedVariables": len(fn.locals) if fn else 0, "expensive": False})
        scopes.append(
            {"name": "Globals", "variablesReference": self.refs.add(Scope("globals", k)),
             "namedVariables": len(s.debug.globals), "expensive": False})
        return {"scopes": scopes}

    def req_variables(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        item = self.refs.get(args.get("variablesReference"))
        if item is None:
            raise RequestError("that variable is gone: the program moved since")
        fmt = "x" if (args.get("format") or {}).get("hex") else None
        presenter = Presenter(s.debug, s.state(), self.refs)
        start = max(int(args.get("start") or 0), 0)
        count = max(int(args.get("count") or 0), 0)
        if isinstance(item, Node):
            if args.get("filter") == "named" and not _is_struct_like(item):
                return {"variables": []}
            return {"variables": presenter.children(item, start, count or None, fmt)}
        names = self._scope_names(item)
        if count:
            names = names[start : start + count]
        out = []
        ev_index = self._eval_index(item.frame_number)
        frames = s.frames()
        f = frames[min(item.frame_number, len(frames) - 1)] if frames else None
        for name in names:
            if f is not None and f.call_index is None:  # libc's exit(status)
                out.append({"name": name, "value": str(f.args.get(name)), "type": "int",
                            "variablesReference": 0})
                continue
            try:
                value, evaluator = s.inspect.value(s.state(), ev_index, name)
            except CommandError as err:
                shown = s.inspect.arg_text(f.fn, name, f.args[name]) \
                    if f is not None and item.kind == "args" and name in f.args \
                    else f"<error: {err}>"
                out.append({"name": name, "value": shown, "variablesReference": 0})
                continue
            out.append(presenter.variable(name, value, name, evaluator, fmt))
        return {"variables": out}

    def _scope_names(self, scope: Scope) -> list[str]:
        s = self._s()
        if scope.kind == "globals":
            return list(s.debug.globals)
        frames = s.frames()
        if scope.frame_number >= len(frames):
            return []
        f = frames[scope.frame_number]
        fn = s.debug.functions.get(f.fn)
        if scope.kind == "args":
            if fn is None:
                return list(f.args)
            return [n for n, _ in fn.params if n in f.args]
        return [local.name for local in fn.locals] if fn else []

    def req_setVariable(self, args: dict[str, Any]) -> None:
        raise RequestError(READ_ONLY)

    def req_setExpression(self, args: dict[str, Any]) -> None:
        raise RequestError(READ_ONLY)

    def req_readMemory(self, args: dict[str, Any]) -> None:
        raise RequestError(
            "tracesim's memory is the C lvalues the trace wrote, not bytes: readMemory "
            "has no honest answer (use evaluate, or the console's print and ptype)"
        )

    def req_exceptionInfo(self, args: dict[str, Any]) -> dict[str, Any]:
        stop = self.exception_stop
        if stop is None:
            raise RequestError("not stopped at a catchpoint")
        return {
            "exceptionId": stop.catch or "",
            "description": stop.text,
            "breakMode": "always",
            "details": {"message": stop.text, "typeName": f"catch {stop.catch}"},
        }

    # --- evaluate --------------------------------------------------------------------------------
    def req_evaluate(self, args: dict[str, Any]) -> dict[str, Any]:
        text = str(args.get("expression", ""))
        context = args.get("context") or "repl"
        frame_number = self._frame_number(args.get("frameId")) if args.get("frameId") else 0
        if context == "repl":
            return self._console(text, frame_number)
        s = self._s()
        fmt = "x" if (args.get("format") or {}).get("hex") else None
        expr = text.strip()
        if expr.startswith("/"):
            head, _, expr = expr.partition(" ")
            fmt = head[1:] or fmt
        value, evaluator = self._eval(expr, frame_number)
        try:
            result = format_value(s.debug, value, evaluator.memory, fmt)
        except GdbError as err:
            raise RequestError(err.message)
        presenter = Presenter(s.debug, s.state(), self.refs)
        ref, named, indexed = presenter.expansion(value, expr, evaluator)
        body: dict[str, Any] = {"result": result, "type": type_name(value.type),
                                "variablesReference": ref}
        if named:
            body["namedVariables"] = named
        if indexed:
            body["indexedVariables"] = indexed
        return body

    def _console(self, line: str, frame_number: int) -> dict[str, Any]:
        """A gdb command line from the debug console, as the REPL runs it."""
        s = self._s()
        assert self.driver is not None
        before = (s.pos, s.exited)
        points_before = set(s.points.points)
        if s.running:
            s.selected = min(frame_number, max(len(s.frames()) - 1, 0))
        lines: list[str] = []
        errors: list[str] = []
        self.driver.write, self.driver.write_error = lines.append, errors.append
        if _INFO_NUMA.match(line):
            # the REPL has it as `monitor info numa`; the console takes the short form too
            line = "monitor info numa"
        try:
            self.driver.run_line(line, interactive=True)
        except SystemExit:
            self.req_terminate({})
            return {"result": "", "variablesReference": 0}
        if (s.pos, s.exited) != before:
            self._repl_moved(line, lines + errors, before[0])
        self._announce_points(points_before)
        if errors and not lines:
            raise RequestError("\n".join(errors))
        return {"result": "\n".join(lines + errors), "variablesReference": 0}

    def _repl_moved(self, line: str, lines: list[str], start: int | None) -> None:
        s = self._s()
        if s.exited:
            self._exited()
            return
        word = line.split()[0] if line.split() else ""
        reason = "goto" if word == "goto" else "step"
        if word in ("run", "r", "start"):
            reason = "entry" if word == "start" else "step"
        self._stopped(reason, classify(lines), lines)

    def _announce_points(self, before: set[int]) -> None:
        """Breakpoints the console set or deleted, told to the editor."""
        s = self._s()
        now = set(s.points.points)
        for n in sorted(before - now):
            self.event("breakpoint", {"reason": "removed", "breakpoint": {"id": n,
                                                                          "verified": False}})
            self.meta.pop(n, None)
        for n in sorted(now - before):
            p = s.points.points[n]
            if p.kind != "breakpoint" or p.location is None:
                continue
            _, file, line = s.location_address(p.location)
            bp: dict[str, Any] = {"id": n, "verified": True}
            if file:
                bp["source"], bp["line"] = self._source(file), line
            self.event("breakpoint", {"reason": "new", "breakpoint": bp})

    def req_completions(self, args: dict[str, Any]) -> dict[str, Any]:
        from ..debugger.commands import COMMANDS

        s = self._s()
        text = str(args.get("text", ""))
        column = int(args.get("column") or len(text) + 1)
        head = text[: max(column - 1, 0)]
        words = head.split()
        if len(words) <= 1 and not head.endswith(" "):
            word = words[0] if words else ""
            return {"targets": [{"label": n, "type": "function", "start": len(head) - len(word),
                                 "length": len(word)}
                                for n in sorted(COMMANDS) if n.startswith(word)]}
        word = re.split(r"[\s(,*&!~+\-/]", head)[-1]
        try:
            names = s.inspect.complete(s.state(), self._eval_index(0), word)
        except CommandError:
            names = []
        return {"targets": [{"label": n, "start": len(head) - len(word), "length": len(word)}
                            for n in names[:200]]}

    # --- helpers ---------------------------------------------------------------------------------
    def _s(self) -> Session:
        if self.session is None:
            raise RequestError("no program is loaded yet: send 'launch' first")
        return self.session

    def _running(self) -> Session:
        s = self._s()
        if not s.running:
            raise RequestError("The program is not being run.")
        return s


def _freeze_heap() -> None:
    """The trace's events live as long as the session: keep them out of the collector's
    full passes, which would otherwise stall a request now and then (p99)."""
    gc.collect()
    gc.freeze()


def _is_struct_like(node: Node) -> bool:
    from ..debuginfo.ctypes import Array, strip

    return not isinstance(strip(node.value.type), Array)
