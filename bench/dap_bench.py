"""The debug adapter's speed as an editor sees it: `tracesim debug -i=dap` over a pipe, p50
and p99 per request (send to response; a move until its `stopped` event), on the seed's
trace and on the largest config's (128 nodes, 128x128 distances, 254 CPUs).

    .venv/bin/python bench/dap_bench.py [--quick] [--reps N]

The issue's bar: every request under 5 ms p99 on the seed, under 20 ms on the largest.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from configs import largest_argv, seed_argv  # noqa: E402

from tracesim.dap.client import Client  # noqa: E402


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def make_trace(argv: list[str], out: Path) -> None:
    subprocess.run([sys.executable, "-m", "tracesim", "run", "-o", str(out), "--"] + argv,
                   stderr=subprocess.DEVNULL, check=False)


def bench(trace: Path, reps: int) -> list[tuple[str, float, float]]:
    c = Client([sys.executable, "-m", "tracesim", "debug", "-i=dap"])
    rows: list[tuple[str, float, float]] = []
    try:
        c.request("initialize", {"adapterID": "tracesim"})
        t = time.perf_counter()
        assert c.request("launch", {"trace": str(trace)})["success"]
        rows.append(("launch (read + index)", time.perf_counter() - t, 0.0))
        c.event("initialized")
        c.request("setBreakpoints", {"source": {"path": "hw/core/numa.c"},
                                     "breakpoints": [{"line": 399}]})
        t = time.perf_counter()
        c.request("configurationDone")
        c.event("stopped")
        rows.append(("configurationDone to first stop", time.perf_counter() - t, 0.0))

        def timed(label: str, run: Callable[[], Any], prepare: Callable[[], Any] = lambda: 0
                  ) -> None:
            samples = []
            for _ in range(reps):
                prepare()
                t = time.perf_counter()
                run()
                samples.append(time.perf_counter() - t)
            rows.append((label, statistics.median(samples), percentile(samples, 0.99)))

        def frame_id() -> int:
            return c.request("stackTrace", {"threadId": 1})["body"]["stackFrames"][0]["id"]

        def move(command: str, args: dict[str, Any] | None = None) -> None:
            assert c.request(command, {"threadId": 1, **(args or {})})["success"]
            c.event("stopped")

        state: dict[str, Any] = {}

        def refs() -> None:
            state["frame"] = frame_id()
            scopes = c.request("scopes", {"frameId": state["frame"]})["body"]["scopes"]
            state["scopes"] = [s["variablesReference"] for s in scopes]
            args = c.request("variables", {"variablesReference": state["scopes"][0]})
            ms = args["body"]["variables"][0]["variablesReference"]
            kids = c.request("variables", {"variablesReference": ms})["body"]["variables"]
            numa = next(v for v in kids if v["name"] == "numa_state")["variablesReference"]
            ns = c.request("variables", {"variablesReference": numa})["body"]["variables"]
            state["nodes"] = next(v for v in ns if v["name"] == "nodes")["variablesReference"]
            page = c.request("variables", {"variablesReference": state["nodes"],
                                           "start": 0, "count": 1})["body"]["variables"]
            node0 = c.request("variables", {"variablesReference": page[0]["variablesReference"]})
            state["dist"] = next(v for v in node0["body"]["variables"]
                                 if v["name"] == "distance")["variablesReference"]

        refs()
        timed("threads", lambda: c.request("threads"))
        timed("stackTrace", lambda: c.request("stackTrace", {"threadId": 1}))
        timed("scopes", lambda: c.request("scopes", {"frameId": state["frame"]}))
        for k, name in enumerate(("Arguments", "Locals", "Globals")):
            timed(f"variables: {name}", lambda k=k: c.request(
                "variables", {"variablesReference": state["scopes"][k]}))
        timed("variables: 128 nodes (one page)", lambda: c.request(
            "variables", {"variablesReference": state["nodes"], "start": 0, "count": 128}))
        timed("variables: distance row (128)", lambda: c.request(
            "variables", {"variablesReference": state["dist"], "start": 0, "count": 128}))
        timed("evaluate (watch)", lambda: c.request("evaluate", {
            "expression": "ms->numa_state->nodes[1].node_mem", "frameId": state["frame"],
            "context": "watch"}))
        timed("evaluate (repl p/x ram_size)", lambda: c.request("evaluate", {
            "expression": "p/x ram_size", "frameId": state["frame"], "context": "repl"}))
        timed("source (model text)", lambda: c.request("source", {"sourceReference": 1}))
        timed("gotoTargets", lambda: c.request("gotoTargets", {
            "source": {"path": "hw/core/numa.c"}, "line": 399}))
        first = c.request("gotoTargets", {"source": {"path": "hw/core/numa.c"}, "line": 399})
        target = first["body"]["targets"][0]["id"]
        timed("goto + stopped", lambda: move("goto", {"targetId": target}))
        timed("next + stopped", lambda: move("next"),
              prepare=lambda: move("goto", {"targetId": target}))
        timed("stepBack + stopped", lambda: move("stepBack"),
              prepare=lambda: move("goto", {"targetId": target}))
        c.request("setBreakpoints", {"source": {"path": "hw/core/numa.c"}, "breakpoints": []})
        c.request("setExceptionBreakpoints", {"filters": ["warning"]})
        timed("continue to catchpoint + stopped", lambda: move("continue"),
              prepare=lambda: move("goto", {"targetId": target}))
        timed("reverseContinue + stopped", lambda: move("reverseContinue"),
              prepare=lambda: move("goto", {"targetId": target}))
        c.request("disconnect")
    finally:
        c.close()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the seed's trace only")
    ap.add_argument("--reps", type=int, default=200)
    args = ap.parse_args()
    configs = [("seed", seed_argv())] + ([] if args.quick else [("largest", largest_argv())])
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in configs:
            path = Path(tmp) / f"{name}.jsonl"
            make_trace(argv, path)
            rows = bench(path, args.reps if name == "seed" else max(args.reps // 4, 20))
            print(f"\n{name} trace ({path.stat().st_size / 1e6:.1f} MB)")
            print(f"{'request':<36} {'p50 ms':>9} {'p99 ms':>9}")
            for label, p50, p99 in rows:
                if p99 == 0.0:
                    print(f"{label:<36} {p50 * 1000:>9.0f}")
                else:
                    print(f"{label:<36} {p50 * 1000:>9.2f} {p99 * 1000:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
