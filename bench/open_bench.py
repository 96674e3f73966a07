"""Opening the largest trace against the real binary (issue 13's "Open"):
`python bench/open_bench.py`.

The largest configuration (bench/configs.py: 128 nodes, every distance, 254 CPUs): `tracesim
run -o T` (4.2), which writes T and its index T.idx; then the issue's command, `tracesim debug
-batch -ex start -ex "goto 1356010" -ex "p ram_size" T`, through the index and without it (the
index moved aside); and Debian's QEMU 7.2 on the same layout in its memdev form, to its
monitor and out. Whole processes, medians of --repeat runs; peak memory from the children's
rusage. Then, within one session each: `p *ms->numa_state` at that stop, --prints times (the
real `tracesim debug` in a child, each command timed), p50 and p99, against QEMU's monitor
answering `info numa` on the same layout. The issue's targets: open at most 0.2x QEMU's time,
under 200 MB, p99 under 10 ms. Nothing here is asserted by the tests
(tests/test_trace_index.py checks the answers are the same).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from configs import largest_argv, largest_memdev_argv  # noqa: E402
from growth_bench import measure  # noqa: E402

TRACESIM = [sys.executable, "-m", "tracesim"]
STOP = 1356010  # the issue's stop: validate_numa_distance, where `ms` is in scope
# `tracesim debug` as a user runs it, each `p *ms->numa_state` timed inside (on stderr)
_TIMED = (
    "import json, sys, time\n"
    "from tracesim.debugger import driver\n"
    "times, run_line = [], driver.Driver.run_line\n"
    "def timed(self, line, interactive=False):\n"
    "    t = time.perf_counter()\n"
    "    run_line(self, line, interactive)\n"
    "    if line == 'p *ms->numa_state':\n"
    "        times.append(time.perf_counter() - t)\n"
    "driver.Driver.run_line = timed\n"
    "from tracesim.cli import main\n"
    "rc = main(sys.argv[1:])\n"
    "sys.stderr.write('\\nTIMES ' + json.dumps([rc, times]))\n"
)


def percentiles(times: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds (nearest rank)."""
    xs = sorted(times)
    rank = max(0, -(-99 * len(xs) // 100) - 1)
    return 1000 * xs[len(xs) // 2], 1000 * xs[rank]


def session_prints(trace: str, stop: int, prints: int) -> tuple[float, float]:
    commands = ["-ex", "start", "-ex", f"goto {stop}"] + ["-ex", "p *ms->numa_state"] * prints
    proc = subprocess.run([sys.executable, "-c", _TIMED, "debug", "-batch", *commands, trace],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rc, times = json.loads(proc.stderr[proc.stderr.rindex("TIMES ") + 6:])
    assert rc == 0 and len(times) == prints, proc.stderr[-500:]
    return percentiles(times)


def monitor_info_numa(qemu: str, argv: list[str], prints: int) -> tuple[float, float]:
    """QEMU's monitor on stdio: `info numa`, answered up to the next prompt, timed."""
    proc = subprocess.Popen([qemu, "-S", "-display", "none", "-nodefaults", "-monitor",
                             "stdio", *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    fd = proc.stdout.fileno()

    def until_prompt() -> None:
        seen = b""
        while not seen.endswith(b"(qemu) "):
            data = os.read(fd, 1 << 16)
            if not data:
                raise RuntimeError("QEMU ended: " + seen[-300:].decode(errors="replace"))
            seen += data

    try:
        until_prompt()
        times = []
        for _ in range(prints):
            t = time.perf_counter()
            proc.stdin.write(b"info numa\n")
            proc.stdin.flush()
            until_prompt()
            times.append(time.perf_counter() - t)
        proc.stdin.write(b"quit\n")
        proc.stdin.flush()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return percentiles(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--prints", type=int, default=200, help="prints timed in one session")
    ap.add_argument("--stop", type=int, default=STOP)
    args = ap.parse_args()
    qemu = shutil.which("qemu-system-x86_64")
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "largest.jsonl")
        run = measure(TRACESIM + ["run", "-o", trace, "--"] + largest_argv(), args.repeat)
        size = os.path.getsize(trace) / 1e6
        index = os.path.getsize(trace + ".idx") / 1e6
        issue = TRACESIM + ["debug", "-batch", "-ex", "start", "-ex", f"goto {args.stop}",
                            "-ex", "p ram_size", trace]
        indexed = measure(issue, args.repeat)
        p_indexed = session_prints(trace, args.stop, args.prints)
        os.rename(trace + ".idx", trace + ".aside")
        full = measure(issue, args.repeat)
        p_full = session_prints(trace, args.stop, args.prints)
        os.rename(trace + ".aside", trace + ".idx")
        real = p_real = None
        if qemu:
            real = measure([qemu, "-S", "-display", "none", "-nodefaults", "-monitor",
                            "stdio"] + largest_memdev_argv(), args.repeat)
            p_real = monitor_info_numa(qemu, largest_memdev_argv(), args.prints)
    base = real[0] if real else None
    print(f"largest config: trace {size:.1f} MB, index {index:.1f} MB")
    print(f"{'work':<44} {'s':>6} {'MiB':>5} {'vs QEMU':>8} | {'p50 ms':>7} {'p99 ms':>7}")

    def row(name: str, m: tuple[float, int], p: tuple[float, float] | None) -> None:
        ratio = f"{m[0] / base:.2f}x" if base else "-"
        ps = f"{p[0]:>7.2f} {p[1]:>7.2f}" if p else f"{'-':>7} {'-':>7}"
        print(f"{name:<44} {m[0]:>6.2f} {m[1]:>5} {ratio:>8} | {ps}")

    row("tracesim run -o (trace and index)", run, None)
    row("debug: open to first answer, indexed", indexed, p_indexed)
    row("debug: open to first answer, no index", full, p_full)
    if real:
        row("QEMU 7.2 to its monitor and out; info numa", real, p_real)
    print("targets: open <= 0.2x QEMU, < 200 MiB; p *ms->numa_state p99 < 10 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
