"""How run, open and export grow with nodes and CPUs (issue 13's "Growth"), against the real
binary: `python bench/growth_bench.py`.

For 2, 16, 64 and 128 nodes (CPUs: 2 per node, at most 254; every distance given), the time
and peak memory of `tracesim run` (4.2), opening the trace in the debugger to its last stop
(`goto` it, `p ram_size`), `tracesim export`, and Debian's QEMU 7.2 on the same layout in its
memdev form (to its monitor and out). Whole processes, medians of --repeat runs; peak memory
from the children's rusage. Nothing here is asserted by the tests.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from configs import largest_argv, largest_memdev_argv  # noqa: E402

TRACESIM = [sys.executable, "-m", "tracesim"]
_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], input=b'quit\\n', capture_output=True)\n"
    "print(time.perf_counter() - t, "
    "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
)


def measure(cmd: list[str], repeat: int) -> tuple[float, int]:
    """Median wall seconds and the largest peak RSS (MiB) of a command, each in a fresh
    child so that rusage covers it alone."""
    walls, peaks = [], []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True,
                             text=True, check=True).stdout.split()
        walls.append(float(out[0]))
        peaks.append(int(out[1]))
    return statistics.median(walls), max(peaks)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--nodes", type=int, nargs="*", default=[2, 16, 64, 128])
    args = ap.parse_args()
    qemu = shutil.which("qemu-system-x86_64")
    head = (f"{'nodes':>5} {'cpus':>5} {'events':>9} {'MB':>6} | {'run s':>6} {'MiB':>5} | "
            f"{'open s':>6} {'MiB':>5} | {'export s':>8} {'MiB':>5} | {'QEMU 7.2 s':>10} "
            f"{'MiB':>5}")
    print(head)
    with tempfile.TemporaryDirectory() as tmp:
        for nodes in args.nodes:
            cpus = min(254, 2 * nodes)
            trace = os.path.join(tmp, f"n{nodes}.jsonl")
            argv = largest_argv(nodes, cpus)
            run = measure(TRACESIM + ["run", "-o", trace, "--"] + argv, args.repeat)
            from tracesim.trace.store import read_trace

            t = read_trace(trace)
            events, stops = len(t.events), None
            from tracesim.debugger.index import TraceIndex

            stops = len(TraceIndex(t.events).stops)
            del t
            opened = measure(TRACESIM + ["debug", "-batch", "-ex", "start", "-ex",
                                         f"goto {stops}", "-ex", "p ram_size", trace],
                             args.repeat)
            export = measure(TRACESIM + ["export", "-o", os.path.join(tmp, "e.json"), trace],
                             args.repeat)
            real = ("-", "-")
            if qemu:
                r = measure([qemu, "-S", "-display", "none", "-nodefaults", "-monitor",
                             "stdio"] + largest_memdev_argv(nodes, cpus), args.repeat)
                real = (f"{r[0]:.2f}", str(r[1]))
            size = os.path.getsize(trace) / 1e6
            print(f"{nodes:>5} {cpus:>5} {events:>9} {size:>6.1f} | {run[0]:>6.2f} {run[1]:>5} | "
                  f"{opened[0]:>6.2f} {opened[1]:>5} | {export[0]:>8.2f} {export[1]:>5} | "
                  f"{real[0]:>10} {real[1]:>5}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
