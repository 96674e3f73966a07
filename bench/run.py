"""tracesim's benchmarks: `python bench/run.py [--quick]` prints a table of figures.

Each figure comes from a fresh process (wall time from process start, peak RSS), as a user
would see it; nothing here is asserted by the test suite.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from configs import largest_argv, seed_argv  # noqa: E402

TRACESIM = [sys.executable, "-m", "tracesim"]


def timed(cmd: list[str], repeat: int = 1) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Best wall time over `repeat` runs (seconds) and the peak RSS of the children (MB)."""
    best = float("inf")
    proc = None
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        best = min(best, time.perf_counter() - start)
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert proc is not None
    return best, rss_mb, proc


def bench_run(name: str, argv: list[str], repeat: int, out_dir: Path) -> dict[str, object]:
    trace = out_dir / f"{name}.jsonl"
    argfile = out_dir / f"{name}.args"
    argfile.write_text("\n".join(argv))
    # a fresh interpreter per measurement so RUSAGE_CHILDREN is this command's peak
    code = ("import sys, subprocess; args = open(sys.argv[1]).read().split('\\n'); "
            "sys.exit(subprocess.run([sys.executable, '-m', 'tracesim', 'run', '-o', sys.argv[2], "
            "'--'] + args, stderr=subprocess.DEVNULL).returncode)")
    wall, rss, proc = timed([sys.executable, "-c", code, str(argfile), str(trace)], repeat)
    events = sum(1 for _ in trace.open("rb")) - 1
    return {"config": name, "wall_s": round(wall, 3), "peak_rss_mb": round(rss, 1),
            "events": events, "events_per_s": int(events / wall), "trace_mb":
            round(trace.stat().st_size / 1e6, 1), "exit": proc.returncode}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the largest config")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        rows.append(bench_run("seed", seed_argv(), 5, out))
        if not args.quick:
            rows.append(bench_run("largest", largest_argv(), 1, out))
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        keys = list(rows[0])
        print("  ".join(f"{k:>13}" for k in keys))
        for r in rows:
            print("  ".join(f"{r[k]!s:>13}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
