"""The attack campaign of issue 10, larger than CI's fuzz tests: `python bench/attack_campaign.py`
prints, per kind of input, how many were tried and how many gave a traceback, a hang, a memory
blow-up, or were silently accepted.

- command lines: generated `tracesim run` argv (tests/test_fuzz.py's generators, both profiles,
  invalid UTF-8, huge numbers, odd options). "Silently accepted": a line built around one token
  QEMU certainly refuses (a size with garbage, a 5000-digit count, an unknown option...) that
  tracesim runs to exit status 0.
- damaged traces: traces/**/*.jsonl cut, flipped, swapped, dropped or duplicated, read by
  `tracesim summary`. "Silently accepted": exit 0 on bytes that differ from the original.
- debugger lines: generated command lines piped into `tracesim debug` (50 a session), plus
  scripts with bytes that are not UTF-8. "Unsafe output" counts a control character that
  reached stdout/stderr raw; "silently accepted" does not apply (n/a).

Each input runs in a worker process under RLIMIT_AS (over-memory = MemoryError) and an alarm
(hang). Not run by the tests.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import random
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

MEMORY_LIMIT = 3 << 30  # address space of a worker: over it is "over-memory"
TIME_LIMIT = 30.0  # seconds per input (per session of debugger lines)
COLUMNS = ["tried", "tracebacks", "hangs", "over-memory", "silently accepted"]

# one token QEMU refuses, for the "silently accepted" count of command lines
SEED = ["-machine", "q35", "-m", "1024", "-smp", "4", "-numa", "node", "-numa", "node"]
INVALID = [
    ["-m", "12xyz"], ["-m", "0x1p99999"], ["-m", "9" * 5000], ["-smp", "9" * 5000],
    ["-smp", "cpus=abc"], ["-smp", "cpus=4,sockets=" + "9" * 400], ["-bogus-option"],
    ["-numa", "node,nodeid=" + "9" * 5000], ["-numa", "node,cpus=abc"], ["-numa", "bogus"],
    ["-numa", "dist,src=0,dst=1,val=" + "9" * 5000], ["-machine", "q35\udcff"],
    ["-machine", "no-such-machine"], ["-numa", "node,mem=1x"], ["-numa", "node,cpus=0-1x"],
    ["-numa", "cpu,node-id=" + "9" * 400], ["-m", "size=1G,slots=" + "9" * 5000],
]


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def blank() -> dict[str, Any]:
    return {c: 0 for c in COLUMNS} | {"unsafe output": 0, "examples": []}


def judge(counts: dict[str, Any], what: Any, fn: Any) -> Any:
    """Run one input; count what went wrong. Returns fn's result or None."""
    import test_fuzz

    counts["tried"] += 1
    try:
        return fn()
    except test_fuzz.Hang:
        counts["hangs"] += 1
        counts["examples"].append(("hang", repr(what)[:300]))
    except MemoryError:
        counts["over-memory"] += 1
        counts["examples"].append(("memory", repr(what)[:300]))
    except Exception as exc:
        counts["tracebacks"] += 1
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        counts["examples"].append(("traceback", f"{type(exc).__name__} at {where}: "
                                   f"{tb[:120]} <- {repr(what)[:200]}"))
    return None


def work_command_lines(seed: int, count: int) -> dict[str, Any]:
    import test_fuzz

    limit_memory()
    rng = random.Random(seed)
    counts = blank()
    with tempfile.TemporaryDirectory() as tmp:
        out_path = str(Path(tmp) / "t.jsonl")
        for i in range(count):
            invalid = i % 3 == 0
            if invalid:
                # last, so no later option of the seed's line overrides it (QEMU's last -m,
                # -smp or -machine wins)
                qemu = SEED + rng.choice(INVALID)
                profile = rng.choice(["4.2", "7.2"])
                argv = ["run", "--profile", profile] + (["-o", out_path] if i % 2 else [])
                argv += ["--", *qemu]
            else:
                argv = ["run", *test_fuzz.run_argv(rng, out_path)]

            def one() -> tuple[int, str, str]:
                return test_fuzz.call_main(argv, seconds=TIME_LIMIT)

            result = judge(counts, argv, one)
            if result is None:
                continue
            status, _, err = result
            if "Traceback" in err:
                counts["tracebacks"] += 1
            if invalid and status == 0:
                counts["silently accepted"] += 1
                counts["examples"].append(("accepted", repr(argv[-12:])[:300]))
    return counts


def damage(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    lines = data.splitlines(keepends=True)
    kind = rng.choice(["truncate", "truncate-line", "flip-digit", "flip-byte", "swap", "drop",
                       "duplicate", "junk-line"])
    if kind == "truncate":
        return kind, data[: rng.randrange(0, len(data))]
    if kind == "truncate-line":
        return kind, b"".join(lines[: rng.randrange(0, len(lines))])
    if kind == "flip-digit":
        digits = [i for i, b in enumerate(data) if 48 <= b <= 57]
        i = rng.choice(digits)
        digit = 48 + (data[i] - 48 + rng.randrange(1, 10)) % 10
        return kind, data[:i] + bytes([digit]) + data[i + 1:]
    if kind == "flip-byte":
        i = rng.randrange(len(data))
        return kind, data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
    if len(lines) < 3:
        return kind, data + b"\n"
    i, j = sorted(rng.sample(range(len(lines)), 2))
    if kind == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "drop":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    else:
        lines.insert(i, b'{"k":"step","line":1}\n')
    return kind, b"".join(lines)


def work_traces(seed: int, count: int) -> dict[str, Any]:
    import test_fuzz
    from tracesim.textsafe import is_safe

    limit_memory()
    rng = random.Random(seed)
    counts = blank()
    sources = sorted((ROOT / "traces").rglob("*.jsonl"))
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(count):
            source = rng.choice(sources)
            original = source.read_bytes()
            kind, data = damage(original, rng)
            path = Path(tmp) / source.name
            path.write_bytes(data)

            def one() -> tuple[int, str, str]:
                return test_fuzz.call_main(["summary", str(path)], seconds=TIME_LIMIT)

            what = f"{kind} of {source.relative_to(ROOT)}"
            result = judge(counts, what, one)
            if result is None:
                continue
            status, out, err = result
            if "Traceback" in err:
                counts["tracebacks"] += 1
            if not (is_safe(out) and is_safe(err)):
                counts["unsafe output"] += 1
            if status == 0 and data != original:
                counts["silently accepted"] += 1
                if sum(1 for e in counts["examples"] if e[0] == "accepted") < 5:
                    counts["examples"].append(("accepted", what))
    return counts


def work_debugger(seed: int, count: int) -> dict[str, Any]:
    import test_fuzz
    from tracesim.textsafe import is_safe

    limit_memory()
    rng = random.Random(seed)
    counts = blank()
    traces = sorted((ROOT / "traces").rglob("*.jsonl"))
    per_session = 50
    for _ in range(max(1, count // per_session)):
        lines = [rng.choice(["run", "start", "break numa_complete_configuration"])]
        lines += [test_fuzz.debugger_line(rng, allow_quit=False) for _ in range(per_session - 1)]
        data = "\n".join(lines).encode("utf-8", "surrogateescape")
        if rng.random() < 0.2:
            data += b"\n\xff\xfe\x00\x1b[2J\r\np \"\xe9\x1b]0;x\x07\"\n"
        trace = str(rng.choice(traces))

        def one() -> tuple[int, str, str]:
            return test_fuzz.call_main(["debug", trace], stdin=data, seconds=TIME_LIMIT)

        before = counts["tried"]
        result = judge(counts, lines, one)
        counts["tried"] = before + len(lines)  # count lines, not sessions
        if result is None:
            continue
        status, out, err = result
        internal = err.count("internal error") + err.count("Traceback")
        if internal:
            counts["tracebacks"] += internal
            counts["examples"].append(("internal", [ln for ln in err.splitlines()
                                                    if "internal error" in ln][:3]))
        if not (is_safe(out) and is_safe(err)):
            counts["unsafe output"] += 1
        if status != 0:
            counts["tracebacks"] += 1
            counts["examples"].append(("status", status))
    counts["silently accepted"] = None
    return counts


WORK = {"command lines": work_command_lines, "damaged traces": work_traces,
        "debugger lines": work_debugger}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--command-lines", type=int, default=3000)
    p.add_argument("--traces", type=int, default=1000)
    p.add_argument("--debugger-lines", type=int, default=20000)
    p.add_argument("--seed", type=int, default=10)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--examples", action="store_true", help="print some failing inputs")
    args = p.parse_args()
    sizes = {"command lines": args.command_lines, "damaged traces": args.traces,
             "debugger lines": args.debugger_lines}
    chunks = 8
    start = time.monotonic()
    totals = {kind: blank() for kind in WORK}
    with cf.ProcessPoolExecutor(args.jobs) as pool:
        futures = {}
        for kind, fn in WORK.items():
            for k in range(chunks):
                n = sizes[kind] // chunks + (1 if k < sizes[kind] % chunks else 0)
                futures[pool.submit(fn, args.seed * 1000 + k, n)] = kind
        for future in cf.as_completed(futures):
            kind = futures[future]
            try:
                got = future.result()
            except Exception as exc:  # a worker that died (a crash of the interpreter)
                totals[kind]["tracebacks"] += 1
                totals[kind]["examples"].append(("worker died", repr(exc)))
                continue
            for key, value in got.items():
                if key == "examples":
                    totals[kind]["examples"] += value
                elif value is None:
                    totals[kind][key] = None
                else:
                    totals[kind][key] += value
    width = max(len(k) for k in WORK)
    cols = COLUMNS + ["unsafe output"]
    print(f"{'':<{width}}  " + "  ".join(f"{c:>17}" for c in cols))
    for kind, row in totals.items():
        cells = ["n/a" if row[c] is None else str(row[c]) for c in cols]
        print(f"{kind:<{width}}  " + "  ".join(f"{c:>17}" for c in cells))
    print(f"({time.monotonic() - start:.0f} s, seed {args.seed}, memory limit "
          f"{MEMORY_LIMIT >> 30} GiB, {TIME_LIMIT:.0f} s per input)")
    for kind, row in totals.items():  # what the tracebacks are, by exception and place
        places: dict[str, int] = {}
        for label, text in row["examples"]:
            if label == "traceback":
                key = text.split(": ", 1)[0]
                places[key] = places.get(key, 0) + 1
        for key, n in sorted(places.items(), key=lambda kv: -kv[1]):
            print(f"  {kind}: {n} x {key}")
    if args.examples:
        for kind, row in totals.items():
            for example in row["examples"][:15]:
                print(f"  {kind}: {example}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
