"""The requests of the Debug Adapter Protocol over one replay Session.

Adapter is the dispatch and the session's life (initialize, launch, restart, disconnect);
the requests themselves are its parts: breakpoints.py, runcontrol.py (run control goes
through the debugger's command table, so the editor's steps are the REPL's steps exactly),
frames.py (threads, frames, sources), inspection.py (scopes, variables, evaluate) and
console.py (the debug console is a gdb console). common.py holds the state they share.
"""

from __future__ import annotations

import gc
import os
import shlex
from pathlib import Path
from typing import Any, Callable

from .. import __version__
from ..debugger.breakpoints import CommandError
from ..debugger.driver import Driver
from ..debugger.evaluate import GdbError
from ..debugger.session import Session
from .breakpoints import Breakpoints, PointMeta
from .common import THREAD_ID, THREAD_NAME, RequestError
from .console import Console
from .frames import Frames
from .inspection import Inspection
from .runcontrol import RunControl, Stop
from .variables import Refs

__all__ = ["Adapter", "CAPABILITIES", "RequestError", "THREAD_ID", "THREAD_NAME"]

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


class Adapter(RunControl, Breakpoints, Frames, Inspection, Console):
    """One debug session: the dispatch of requests and the session's life."""

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


def _freeze_heap() -> None:
    """The trace's events live as long as the session: keep them out of the collector's
    full passes, which would otherwise stall a request now and then (p99)."""
    gc.collect()
    gc.freeze()
