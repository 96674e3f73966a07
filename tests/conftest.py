"""Shared fixtures: simulate a command line, find the golden cases of real QEMU."""
from __future__ import annotations

import json
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tracesim.cli import simulate_trace
from tracesim.debugger.outcome import stdout_stderr, summarize
from tracesim.show import show_stops
from tracesim.trace.store import Trace

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLDEN = SHARED / "golden" / "qemu-4.2"


@dataclass
class Run:
    trace: Trace
    status: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, Any]:
        return summarize(self.trace)

    @property
    def stops(self) -> list[str]:
        return list(show_stops(self.trace.events))


def qemu(args: str | list[str]) -> Run:
    """Simulate `qemu-system-x86_64 ARGS` as QEMU 4.2 would run it."""
    argv = shlex.split(args) if isinstance(args, str) else args
    trace = simulate_trace(argv)
    out, err = stdout_stderr(trace.events)
    exits = [e for e in trace.events if type(e).__name__ == "Exit"]
    return Run(trace, exits[-1].status, out, err)


def golden_cases() -> list[dict[str, Any]]:
    if not GOLDEN.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(GOLDEN.glob("*.json"))]


@pytest.fixture(scope="session")
def seed_run() -> Run:
    return qemu("-machine q35 -m 1024 -smp cpus=4 -numa node,cpus=0-1 -numa node,cpus=2-3")


# a child that runs the command (argv[2:]) and reports its exit status, wall seconds and peak
# RSS, then its stderr (argv[1] "stderr") or the end of its stdout
_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[2:], capture_output=True, text=True)\n"
    "wall = time.perf_counter() - t\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024\n"
    "print(p.returncode, round(wall, 3), rss)\n"
    "sys.stdout.write(p.stderr if sys.argv[1] == 'stderr' else p.stdout[-2000:])\n"
)


def measured(*args: str, output: str = "stderr") -> tuple[int, float, int, str]:
    """Exit status, wall seconds and peak RSS (MiB) of `tracesim ARGS` in a child of its own,
    and its stderr (output="stderr") or the end of its stdout ("stdout")."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, output, sys.executable, "-m",
                          "tracesim", *args],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    first, _, rest = out.partition("\n")
    rc, wall, rss = first.split()
    return int(rc), float(wall), int(rss), rest
