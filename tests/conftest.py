"""Shared fixtures: simulate a command line, find the golden cases of real QEMU."""
from __future__ import annotations

import json
import shlex
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
