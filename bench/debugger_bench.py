"""Replay debugger speed on the largest config's trace: opening it, and p50/p99 per command.

    .venv/bin/python bench/debugger_bench.py [--trace FILE] [--quick]

Without --trace it simulates the largest config first (bench/configs.py).
"""
from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from configs import largest_argv, seed_argv  # noqa: E402

from tracesim.debugger.driver import Driver  # noqa: E402
from tracesim.debugger.session import Session  # noqa: E402
from tracesim.trace.store import read_trace  # noqa: E402


def make_trace(argv: list[str], out: Path) -> None:
    subprocess.run([sys.executable, "-m", "tracesim", "run", "-o", str(out), "--"] + argv,
                   stderr=subprocess.DEVNULL, check=False)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(trace_path: Path, reps: int) -> list[tuple[str, float, float]]:
    rows = []
    start = time.perf_counter()
    session = Session(read_trace(trace_path))
    rows.append(("open (read + index)", time.perf_counter() - start, 0.0))
    start = time.perf_counter()
    session.timeline.final  # what the REPL does in the background while the user types
    rows.append(("checkpoints (background in the REPL)", time.perf_counter() - start, 0.0))
    sink: list[str] = []
    d = Driver(session, sink.append, sink.append)
    stops = session.index.stops
    rng = random.Random(7)

    def at_random() -> None:
        session.goto(stops[rng.randrange(len(stops) // 4, len(stops) - 10)])

    def timed(label: str, command: str, prepare=at_random) -> None:
        samples = []
        for _ in range(reps):
            prepare()
            t = time.perf_counter()
            d.run_line(command)
            samples.append(time.perf_counter() - t)
        rows.append((label, statistics.median(samples), percentile(samples, 0.99)))

    d.run_line("start")
    for cmd in ("step", "next", "reverse-step", "reverse-next", "finish"):
        timed(cmd, cmd)
    timed("goto N", f"goto {len(stops) // 2}", prepare=lambda: None)
    d.run_line("break numa_complete_configuration")
    d.run_line("run")
    timed("print *ms->numa_state", "print *ms->numa_state", prepare=lambda: None)
    d.run_line("delete")
    d.run_line("watch current_machine->numa_state->num_nodes")
    end = session.index.exit_index or len(session.events) - 1

    def at_end() -> None:
        session.goto(end)
        session.refresh_watch_values()

    timed("reverse-continue to watchpoint", "reverse-continue", prepare=at_end)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trace", type=Path)
    ap.add_argument("--quick", action="store_true", help="the seed's trace instead")
    ap.add_argument("--reps", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.trace
        if path is None:
            path = Path(tmp) / "trace.jsonl"
            make_trace(seed_argv() if args.quick else largest_argv(), path)
        rows = measure(path, args.reps)
    print(f"{'operation':<34} {'p50 ms':>10} {'p99 ms':>10}")
    for label, p50, p99 in rows:
        if label.startswith(("open", "checkpoints")):
            print(f"{label:<34} {p50 * 1000:>10.0f} {'':>10}")
        else:
            print(f"{label:<34} {p50 * 1000:>10.2f} {p99 * 1000:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
