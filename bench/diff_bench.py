"""`tracesim diff` against GNU diff on the largest configuration's traces (~2.7M events each).

    .venv/bin/python bench/diff_bench.py [--repeat N] [--dir DIR]

Two pairs, as issue 5 asks: traces that differ in one distance value, and traces that differ
in their first option (`-machine q35` against `-machine pc-q35-2.10`, whose legacy RAM split
makes the runs part ways). Each figure is a fresh child process measured from outside: best
wall time over N runs, and the child's peak RSS (getrusage of a wrapper whose only child it
is). GNU diff runs as `diff A B > /dev/null`; tracesim's report goes to /dev/null too.
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
from configs import largest_argv  # noqa: E402

# Wall time and peak RSS (KiB) of one child, printed as JSON by a wrapper process.
_MEASURE = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "wall = time.perf_counter() - t\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(json.dumps({'wall': wall, 'rss_kb': rss, 'rc': rc}))\n"
)
# `tracesim diff A B` (the same function the CLI table dispatches to)
_TRACESIM_DIFF = "import sys; from tracesim.diff import cmd_diff; sys.exit(cmd_diff(sys.argv[1:]))"


def measure(cmd: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


def write_trace(path: Path, argv: list[str]) -> None:
    if path.exists():
        return
    subprocess.run([sys.executable, "-m", "tracesim", "run", "-o", str(path), "--", *argv],
                   stderr=subprocess.DEVNULL, check=False)


def pairs(directory: Path) -> list[tuple[str, Path, Path]]:
    base = largest_argv()
    dist = list(base)
    k = next(i for i, w in enumerate(dist) if w.startswith("dist,src=5,dst=7,"))
    dist[k] = "dist,src=5,dst=7,val=99"  # was 76
    first = list(base)
    assert first[:2] == ["-machine", "q35"]
    first[1] = "pc-q35-2.10"
    paths = {"base": directory / "largest.jsonl", "dist": directory / "largest-dist.jsonl",
             "first": directory / "largest-machine.jsonl"}
    for name, argv in (("base", base), ("dist", dist), ("first", first)):
        write_trace(paths[name], argv)
    return [("one distance value", paths["base"], paths["dist"]),
            ("first option (-machine)", paths["base"], paths["first"])]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each command (best is kept)")
    ap.add_argument("--dir", help="keep the traces here (default: a temporary directory)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(args.dir) if args.dir else Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        rows = []
        for name, a, b in pairs(directory):
            gnu: list[dict[str, float]] = []
            ours: list[dict[str, float]] = []
            for _ in range(args.repeat):  # interleaved, so that load on the machine hits both
                gnu.append(measure(["diff", str(a), str(b)]))
                ours.append(measure([sys.executable, "-c", _TRACESIM_DIFF, str(a), str(b)]))
            g = min(r["wall"] for r in gnu)
            t = min(r["wall"] for r in ours)
            rows.append({"case": name, "trace_mb": round(a.stat().st_size / 1e6),
                         "gnu_diff_s": round(g, 2), "tracesim_diff_s": round(t, 2),
                         "ratio": round(t / g, 2),
                         "tracesim_peak_rss_mb": round(max(r["rss_kb"] for r in ours) / 1024),
                         "gnu_peak_rss_mb": round(max(r["rss_kb"] for r in gnu) / 1024),
                         "exit": f"{int(gnu[0]['rc'])}/{int(ours[0]['rc'])}"})
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    keys = list(rows[0])
    widths = [max(len(k), *(len(str(r[k])) for r in rows)) for k in keys]
    print("  ".join(f"{k:>{w}}" for k, w in zip(keys, widths)))
    for r in rows:
        print("  ".join(f"{r[k]!s:>{w}}" for k, w in zip(keys, widths)))
    print("(ratio: tracesim diff wall time / GNU diff wall time; exit: GNU/tracesim)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
