"""Every speed goal of issue 13 from one run, each against the real binary measured in the
same run: `python bench/goals.py`.

Start: `tracesim run` on the seed's line (memdev form, 7.2), `tracesim debug -batch -ex quit`
and the REPL's first prompt on a terminal, against QEMU 7.2 on the same line to its monitor
and out. Open: the largest trace (bench/
configs.py) to `goto` its last stop and `p ram_size`, through the index `run -o` writes, and
`p *ms->numa_state` there (p99 in one session). Record: `run -o` on the largest config. Export:
`export` of the largest trace. Size: the largest trace as .jsonl.zst, and `summary` reading it
against the plain file. Whole processes, medians of --repeat runs, peak memory from the
children's rusage (growth_bench.measure). Nothing here is asserted by the tests.
"""
from __future__ import annotations

import argparse
import os
import pty
import select
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from configs import largest_argv, largest_memdev_argv, seed_memdev_argv  # noqa: E402
from growth_bench import TRACESIM, measure  # noqa: E402
from open_bench import STOP, session_prints  # noqa: E402

Row = tuple[str, float, int, float, str, bool]  # work, s, MiB, ratio, goal, met


def first_prompt(repeat: int) -> tuple[float, int]:
    """Median seconds from starting `tracesim` (the REPL on the seed) on a terminal to its
    first `(tracesim)` prompt on the screen (memory: not measured, 0)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: the REPL on a terminal of its own
            os.execv(sys.executable, [sys.executable, "-m", "tracesim"])
        seen = b""
        while b"(tracesim)" not in seen and select.select([fd], [], [], 30)[0]:
            try:
                seen += os.read(fd, 1 << 16)
            except OSError:
                break
        times.append(time.perf_counter() - start)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return statistics.median(times), 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--start-repeat", type=int, default=11)
    args = ap.parse_args()
    qemu = shutil.which("qemu-system-x86_64")
    if qemu is None:
        print("goals: needs Debian's qemu-system-x86_64 (the real binary)", file=sys.stderr)
        return 1
    monitor = [qemu, "-S", "-display", "none", "-nodefaults", "-monitor", "stdio"]
    rows: list[Row] = []

    def row(work: str, m: tuple[float, int], base: float, goal: float, mib: int) -> None:
        ratio = m[0] / base
        rows.append((work, m[0], m[1], ratio, f"<= {goal}x, < {mib} MiB",
                     ratio <= goal and m[1] < mib))

    seed_real = measure(monitor + seed_memdev_argv(), args.start_repeat)
    row("start: run --profile 7.2, the seed",
        measure(TRACESIM + ["run", "--profile", "7.2", "--"] + seed_memdev_argv(),
                args.start_repeat), seed_real[0], 1.0, 200)
    row("start: debug -batch -ex quit",
        measure(TRACESIM + ["debug", "-batch", "-ex", "quit"], args.start_repeat),
        seed_real[0], 1.0, 200)
    row("start: the REPL's first prompt (a terminal)", first_prompt(args.start_repeat),
        seed_real[0], 1.0, 200)
    large_real = measure(monitor + largest_memdev_argv(), args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "largest.jsonl")
        row("record: run -o, largest (trace and index)",
            measure(TRACESIM + ["run", "-o", trace, "--"] + largest_argv(), args.repeat),
            large_real[0], 0.5, 200)
        row("open: goto the last stop, p ram_size",
            measure(TRACESIM + ["debug", "-batch", "-ex", "start", "-ex", f"goto {STOP}",
                                "-ex", "p ram_size", trace], args.repeat),
            large_real[0], 0.2, 200)
        p50, p99 = session_prints(trace, STOP, 200)
        exported = os.path.join(tmp, "e.json")
        row("export: perfetto JSON, largest",
            measure(TRACESIM + ["export", "-o", exported, trace], args.repeat),
            large_real[0], 0.5, 1 << 20)
        zst = trace + ".zst"
        measure(TRACESIM + ["run", "-o", zst, "--"] + largest_argv(), 1)
        plain_read = measure(TRACESIM + ["summary", trace], args.repeat)
        zst_read = measure(TRACESIM + ["summary", zst], args.repeat)
        sizes = (os.path.getsize(trace) / 1e6, os.path.getsize(trace + ".idx") / 1e6,
                 os.path.getsize(zst) / 1e6, os.path.getsize(exported) / 1e6)
    print(f"QEMU 7.2 to its monitor and out: seed {seed_real[0]:.3f} s {seed_real[1]} MiB, "
          f"largest {large_real[0]:.2f} s {large_real[1]} MiB")
    print(f"{'work':<44} {'s':>7} {'MiB':>5} {'vs QEMU':>8}  {'goal':<22} met")
    for work, s, mib, ratio, goal, met in rows:
        print(f"{work:<44} {s:>7.3f} {mib:>5} {ratio:>7.2f}x  {goal:<22} {'yes' if met else 'NO'}")
    print(f"open: p *ms->numa_state p50 {p50:.2f} ms, p99 {p99:.2f} ms (goal < 10 ms: "
          f"{'yes' if p99 < 10 else 'NO'})")
    print(f"size: largest trace {sizes[0]:.1f} MB plain (+ {sizes[1]:.1f} MB index), "
          f"{sizes[2]:.2f} MB .zst (goal <= 30 MB: {'yes' if sizes[2] <= 30 else 'NO'}); "
          f"summary reads .zst in {zst_read[0]:.2f} s, plain in {plain_read[0]:.2f} s; "
          f"export file {sizes[3]:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
