"""The simulated qemu-system-x86_64 process: its recorder, machine and error location.

util/qemu-error.c's reporting lives here too: the model records each message as a
`report` event (kind, location, text); front ends render it with `render_report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, NoReturn, Protocol

from .machines import MachineClass
from .options import Cmdline
from .state import Globals, HostMemoryBackend, MachineState

PROGRAM = "qemu-system-x86_64"


class Recorder(Protocol):
    def call(self, fn: str, file: str, **args: Any) -> None: ...
    def ret(self, value: Any = None) -> None: ...
    def step(self, line: int) -> None: ...
    def write(self, path: str, value: Any) -> None: ...
    def local(self, name: str, value: Any) -> None: ...
    def branch(self, line: int, cond: str, taken: bool, **values: Any) -> None: ...
    def check(self, line: int, cond: str, ok: bool, **values: Any) -> None: ...
    def loop(self, line: int, var: str, value: Any) -> None: ...
    def report(self, line: int, kind: str, text: str, location: str | None = None) -> None: ...
    def exit(self, line: int, status: int) -> None: ...
    def fact(self, line: int, name: str, **data: Any) -> None: ...
    def repeat(self, times: int, record: Callable[[int], None]) -> int: ...


class QemuExit(Exception):
    """exit(status) in the simulated process: unwinds the model after the exit event."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class QemuError(Exception):
    """An Error * set with error_setg, travelling up to error_propagate."""

    def __init__(self, text: str, hint: str = "") -> None:
        super().__init__(text)
        self.text = text
        self.hint = hint  # error_append_hint: printed after the message, no prefix


def error_setg_return(
    rec: Recorder, line: int, return_line: int, closing_line: int, text: str
) -> NoReturn:
    """`error_setg(errp, ...)` at `line`, `return` at `return_line`, the closing brace: the
    Error goes up to the caller (spec R5 and R7)."""
    rec.step(line)
    rec.fact(line, "error.set", text=text)
    rec.step(return_line)
    rec.step(closing_line)
    rec.ret()
    raise QemuError(text)


def render_report(kind: str, text: str, location: str | None) -> str:
    """One message as QEMU prints it on stderr."""
    if kind in ("printf", "stdout"):
        return text
    head = f"{PROGRAM}: {location}: " if location else f"{PROGRAM}: "
    label = {"warning": "warning: ", "info": "info: "}.get(kind, "")
    return f"{head}{label}{text}\n"


@dataclass
class Qemu:
    rec: Recorder
    cmdline: Cmdline
    mc: MachineClass | None = None
    ms: MachineState | None = None
    g: Globals | None = None
    location: str | None = None  # the current error location (loc_push/loc_restore)
    backends: dict[str, HostMemoryBackend] = field(default_factory=dict)
    impl: Any = None  # a profile's own data and functions (tracesim.qemu.v72.impl.Impl)
    # slot-loop plans of machine_set_cpu_numa_node by the CPU's ids (qemu/slot_runs.py)
    skip_plans: dict[Any, Any] = field(default_factory=dict)

    def error_report(self, line: int, text: str) -> None:
        self.rec.report(line, "error", text, self.location)

    def warn_report(self, line: int, text: str) -> None:
        self.rec.report(line, "warning", text, self.location)

    def error_printf(self, line: int, text: str) -> None:
        self.rec.report(line, "printf", text)

    def exit(self, line: int, status: int) -> None:
        self.rec.exit(line, status)
        raise QemuExit(status)

    def crash(self, line: int, signal: str = "SIGFPE", number: int = 8) -> None:
        """The process dies of a signal (an integer division by zero raises SIGFPE on x86):
        no message from QEMU; the shell's status is 128 + the signal's number."""
        self.rec.fact(line, "signal", signal=signal)
        self.exit(line, 128 + number)

    def udiv(self, line: int, dividend: int, divisor: int) -> int:
        """C's unsigned int division at `line`: operands wrap to 32 bits, zero crashes."""
        if divisor & 0xFFFFFFFF == 0:
            self.crash(line)
        return (dividend & 0xFFFFFFFF) // (divisor & 0xFFFFFFFF)

    def fatal(self, line: int, text: str, hint: str = "") -> None:
        """An Error reaching &error_fatal: reported where we are, then exit(1)."""
        self.error_report(line, text)
        if hint:
            self.error_printf(line, hint)
        self.exit(line, 1)
