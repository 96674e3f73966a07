"""Debugger sessions on the seed's scenario for the gdb-habit tests: one simulated trace,
a fresh Session and Driver per test, and each command's output captured."""
from __future__ import annotations

from typing import Any

from conftest import qemu

from tracesim.debugger.driver import Driver
from tracesim.debugger.session import Session

SEED = ["-machine", "q35", "-m", "1024", "-smp", "cpus=4", "-numa", "node,cpus=0-1",
        "-numa", "node,cpus=2-3"]
STOP = "numa_complete_configuration"
_TRACE: list[Any] = []  # the seed's trace, simulated once


def session(qemu_src: str | None = None) -> tuple[Session, Driver, list[str], list[str]]:
    if not _TRACE:
        _TRACE.append(qemu(SEED).trace)
    out: list[str] = []
    err: list[str] = []
    s = Session(_TRACE[0], qemu_src)
    return s, Driver(s, out.append, err.append), out, err


def at_stop(*commands: str) -> tuple[Session, Driver, list[str], list[str]]:
    """A session stopped at STOP's entry, then COMMANDS."""
    s, d, out, err = session()
    for line in (f"break {STOP}", "run", *commands):
        d.run_line(line)
    return s, d, out, err


def run(d: Driver, out: list[str], err: list[str], line: str) -> tuple[list[str], list[str]]:
    """One command line's (stdout lines, error lines)."""
    out.clear()
    err.clear()
    d.run_line(line)
    return list(out), list(err)
