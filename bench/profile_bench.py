"""Per-profile speed against the real binary, in one run: `python bench/profile_bench.py`.

For each line, tracesim's `run --profile 7.2` and Debian's qemu-system-x86_64 7.2 (to its
monitor and straight out: -S -display none -nodefaults -monitor stdio, `quit`) are timed
as whole processes, alternately, and the medians compared. Then `tracesim verify --generate
500` is timed. Nothing here is asserted by the test suite.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from configs import largest_memdev_argv, seed_argv, seed_memdev_argv  # noqa: E402

TRACESIM = [sys.executable, "-m", "tracesim"]


def wall(cmd: list[str], stdin: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    return time.perf_counter() - start


def compare(name: str, profile: str, argv: list[str], qemu: str, repeat: int,
            tmp: Path) -> None:
    ours, real = [], []
    trace = str(tmp / f"{name}.jsonl")
    for _ in range(repeat):
        ours.append(wall(TRACESIM + ["run", "--profile", profile, "-o", trace, "--"] + argv))
        real.append(wall([qemu, "-S", "-display", "none", "-nodefaults", "-monitor", "stdio"]
                         + argv, stdin="quit\n"))
    a, b = statistics.median(ours), statistics.median(real)
    print(f"{name:<28} {profile:>7} {a:>10.3f} {b:>10.3f} {a / b:>7.2f}x")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the largest config and verify")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    qemu = shutil.which("qemu-system-x86_64")
    if qemu is None:
        print("profile_bench: qemu-system-x86_64 is not installed (apt-get install "
              "qemu-system-x86)")
        return 2
    print(f"{'line':<28} {'profile':>7} {'tracesim':>10} {'real QEMU':>10} {'ratio':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        compare("seed (memdev form)", "7.2", seed_memdev_argv(), qemu, args.repeat, out)
        # 4.2 on the seed line; the real 7.2 binary refuses that line, so it runs the memdev form
        ours = [wall(TRACESIM + ["run", "-o", str(out / "s.jsonl"), "--"] + seed_argv())
                for _ in range(args.repeat)]
        print(f"{'seed (4.2 profile)':<28} {'4.2':>7} {statistics.median(ours):>10.3f}")
        qemu10 = Path.home() / ".cache/tracesim/qemu-10.0.13/bin/qemu-system-x86_64"
        if qemu10.exists():  # bash .ci/build-qemu-10.0 (an -O0 build: slower than Debian's)
            compare("seed (memdev form)", "10.0", seed_memdev_argv(), str(qemu10), args.repeat,
                    out)
        if not args.quick:
            compare("largest (memdev form)", "7.2", largest_memdev_argv(), qemu, 1, out)
    if not args.quick:
        took = wall(TRACESIM + ["verify", "--generate", "500", "--seed", "1", "--profile", "7.2"])
        print(f"verify --generate 500 (7.2): {took:.1f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
