"""Benchmarks of the pictures: `python bench/graph_bench.py [--trace LARGEST.jsonl] [--json]`.

- the call-flow graph of the largest config's trace, to SVG (including `dot`): target < 2 s
- the docs site for the default scenario set: target < 10 s
- the seed's call-flow graph and CFG, and a Perfetto export of the largest trace, for scale

Each figure is the best wall time of fresh processes, as a user would see it (startup
included), with that command's peak RSS. Nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from configs import largest_argv, seed_argv

# `tracesim COMMAND ...`, also before cli.py's table names the picture commands
SHIM = (
    "import sys; from tracesim import cli; from tracesim.graph import cmd_graph; "
    "from tracesim.docs import cmd_docs; from tracesim.export import cmd_export; "
    "[cli.COMMANDS.setdefault(n, (f, n)) for n, f in (('graph', cmd_graph), "
    "('docs', cmd_docs), ('export', cmd_export))]; sys.exit(cli.main(sys.argv[1:]))"
)


def tracesim(*args: str) -> list[str]:
    return [sys.executable, "-c", SHIM, *args]


# Runs one command and prints its wall time and peak RSS, so each figure is its own.
MEASURE = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
    "w = time.perf_counter() - t; sys.stderr.write(p.stderr.decode()); "
    "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, p.returncode)"
)


def timed(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Best wall time (s) over `repeat` fresh runs, and the peak RSS (MB) of that command."""
    best, peak = float("inf"), 0.0
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-c", MEASURE, *cmd], check=False, capture_output=True, text=True
        )
        wall, rss, status = proc.stdout.split()
        if status != "0":
            raise SystemExit(f"{' '.join(cmd[3:])}: exit {status}\n{proc.stderr}")
        best, peak = min(best, float(wall)), max(peak, float(rss))
    return best, peak


def make_trace(path: Path, argv: list[str]) -> None:
    args = path.with_suffix(".args")
    args.write_text("\n".join(argv))
    code = (
        "import sys, subprocess; a = open(sys.argv[1]).read().split('\\n'); sys.exit(subprocess."
        "run([sys.executable, '-m', 'tracesim', 'run', '-o', sys.argv[2], '--'] + a, "
        "stderr=subprocess.DEVNULL).returncode)"
    )
    subprocess.run([sys.executable, "-c", code, str(args), str(path)], check=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trace", type=Path, help="the largest config's trace, if already made")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        seed = out / "seed.jsonl"
        make_trace(seed, seed_argv())
        largest = args.trace
        if largest is None:
            largest = out / "largest.jsonl"
            make_trace(largest, largest_argv())
        size = round(largest.stat().st_size / 1e6, 1)
        jobs = [
            (
                "graph seed callflow svg",
                tracesim("graph", str(seed), "-o", str(out / "s.svg")),
                None,
            ),
            (
                "graph seed cfg svg",
                tracesim(
                    "graph",
                    str(seed),
                    "--cfg",
                    "numa_complete_configuration",
                    "-o",
                    str(out / "c.svg"),
                ),
                None,
            ),
            (
                f"graph largest callflow svg ({size} MB)",
                tracesim("graph", str(largest), "-o", str(out / "l.svg")),
                2.0,
            ),
            ("docs default scenarios", tracesim("docs", str(out / "site")), 10.0),
            (
                f"export largest perfetto ({size} MB)",
                tracesim("export", str(largest), "-o", str(out / "l.json")),
                None,
            ),
        ]
        for name, cmd, target in jobs:
            repeat = 1 if "export" in name else args.repeat
            wall, rss = timed(cmd, repeat)
            rows.append(
                {
                    "what": name,
                    "wall_s": round(wall, 2),
                    "peak_rss_mb": round(rss, 1),
                    "target_s": target or "",
                    "ok": "" if target is None else wall < target,
                }
            )
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        for r in rows:
            print(
                f"{r['what']:<42} {r['wall_s']:>7} s  peak RSS {r['peak_rss_mb']:>7} MB"
                + (
                    f"  target < {r['target_s']} s: {'ok' if r['ok'] else 'MISSED'}"
                    if r["target_s"]
                    else ""
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
