"""Start-up against the real binary (issue 13's "Start"): `python bench/start_bench.py`.

Whole processes, alternately, medians: `tracesim run` on the seed's line (7.2's memdev form,
and 4.2's own), `tracesim debug -batch -ex quit` on it, and Debian's qemu-system-x86_64 7.2
on the same memdev line to its monitor and straight out. Then where a `run` spends its time:
the imports (python -X importtime) against a bare interpreter. Nothing here is asserted by
the tests (tests/test_imports.py checks what the run path imports).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from configs import seed_argv, seed_memdev_argv  # noqa: E402
from profile_bench import wall  # noqa: E402

TRACESIM = [sys.executable, "-m", "tracesim"]


def imports_ms(cmd: list[str]) -> float:
    """Sum of the top-level cumulative import times of a process (-X importtime), in ms."""
    err = subprocess.run([sys.executable, "-X", "importtime"] + cmd, capture_output=True,
                         text=True).stderr
    total = 0
    for line in err.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
        if m and not m.group(2).startswith(" "):
            total += int(m.group(1))
    return total / 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    qemu = shutil.which("qemu-system-x86_64")
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "s.jsonl")
        work = {
            "tracesim run, seed (7.2 memdev form)":
                TRACESIM + ["run", "--profile", "7.2", "-o", trace, "--"] + seed_memdev_argv(),
            "tracesim run, seed (4.2)": TRACESIM + ["run", "-o", trace, "--"] + seed_argv(),
            "tracesim debug -batch -ex quit, seed": TRACESIM + ["debug", "-batch", "-ex",
                                                                "quit", "--"] + seed_argv(),
            "python3 -c pass (the floor)": [sys.executable, "-c", "pass"],
        }
        times: dict[str, list[float]] = {name: [] for name in work}
        real: list[float] = []
        for _ in range(args.repeat):
            for name, cmd in work.items():
                times[name].append(wall(cmd))
            if qemu:
                real.append(wall([qemu, "-S", "-display", "none", "-nodefaults", "-monitor",
                                  "stdio"] + seed_memdev_argv(), stdin="quit\n"))
        base = statistics.median(real) if real else None
        print(f"{'work':<40} {'median s':>9} {'vs real 7.2':>12}")
        for name, xs in times.items():
            m = statistics.median(xs)
            ratio = f"{m / base:.2f}x" if base else "-"
            print(f"{name:<40} {m:>9.3f} {ratio:>12}")
        if base:
            print(f"{'real QEMU 7.2, seed (memdev form)':<40} {base:>9.3f} {'1.00x':>12}")
        run_imports = imports_ms(["-m", "tracesim", "run", "-o", trace, "--"] + seed_argv())
        print(f"imports of `tracesim run` (seed): {run_imports:.1f} ms; "
              f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r} "
              "(set: every run compiles tracesim's sources)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
