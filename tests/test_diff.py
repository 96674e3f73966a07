"""`tracesim diff`: where two runs of QEMU part ways, and why (issue 5).

Read as examples: two command lines in, what a person who knows QEMU reads out.
"""
from __future__ import annotations

import functools
import io
import itertools
import json
import shlex
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracesim.cli import UsageError, simulate_trace
from tracesim.diff import build_report, cmd_diff
from tracesim.diffing import align as diff_align
from tracesim.diffing.align import Side, align
from tracesim.trace import events as ev
from tracesim.trace.store import TraceError, encode_lines

GOLDEN = Path(__file__).resolve().parents[1].parent / "shared" / "golden"
SEED = "-machine q35 -m 1024 -smp cpus=4 -numa node,cpus=0-1 -numa node,cpus=2-3"
MEM = ("-machine q35 -m 1024 -smp cpus=4 -numa node,mem=256M,cpus=0-1 "
       "-numa node,mem=768M,cpus=2-3")


@functools.lru_cache(maxsize=None)
def trace_bytes(args: str) -> bytes:
    trace = simulate_trace(shlex.split(args))
    return encode_lines(trace.header, trace.events)


def report(a: bytes, b: bytes, **filters: Any) -> dict[str, Any]:
    aligner = align(Side("A", io.BytesIO(a)), Side("B", io.BytesIO(b)))
    return build_report(aligner, filters.get("only"), filters.get("ignore"))


def tracesim_diff(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`tracesim diff ARGV` as the CLI runs it: usage and trace errors are exit 2."""
    try:
        status = cmd_diff(argv)
    except UsageError as err:
        print(err, file=__import__("sys").stderr)
        status = 2
    except TraceError as err:
        print(f"tracesim: {err}", file=__import__("sys").stderr)
        status = 2
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def seed_and_mem(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "seed.jsonl", tmp_path / "mem.jsonl"
    a.write_bytes(trace_bytes(SEED))
    b.write_bytes(trace_bytes(MEM))
    return a, b


# --- the example -------------------------------------------------------------------------
def test_seed_against_explicit_mem_reads_in_qemu_terms(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--a", SEED, "--b", MEM], capsys)
    assert status == 1
    lead = out.split("\n\n")[1]
    assert lead.startswith("The runs part ways at hw/core/numa.c:238 in parse_numa (1st call), "
                           "step 64 of both runs:")
    assert "if (object->type == NUMA_OPTIONS_TYPE_NODE && object->u.node.has_mem)" in lead
    assert "A  false" in lead and "B  true" in lead
    assert "A  -numa node,cpus=0-1" in lead
    assert "B  -numa node,mem=256M,cpus=0-1      (mem=256M only in B)" in lead
    assert "A  step 65  hw/core/numa.c:243 in parse_numa" in lead
    assert "B  step 65  hw/core/numa.c:239 in parse_numa" in lead
    # later: B does not split RAM automatically, because node 0 already has memory
    hunk = out[out.index("@@ hunk 9:"):out.index("@@ hunk 10:")]
    words = " ".join(hunk.split())
    assert "hw/core/numa.c:423 in numa_complete_configuration" in words
    assert "`if (i == ms->numa_state->num_nodes)` is true in A and false in B" in words
    assert ("was false in A and true in B (i = 0 in both; node_mem = 0 in A, 268435456 in B)"
            in words)
    assert "it calls numa_default_auto_assign_ram" in words
    assert "B skips all that and goes straight on to hw/core/numa.c:434" in words
    hunk8 = " ".join(out[out.index("@@ hunk 8:"):out.index("@@ hunk 9:")].split())
    assert ("B set numa_state.nodes[0].node_mem = 268435456 at step 315, hw/core/numa.c:118 in "
            "parse_numa_node, from -numa node,mem=256M,cpus=0-1") in hunk8
    # the outcomes side by side, what differs marked
    outcome = out[out.index("Outcome"):]
    assert " ! node 0 size        512 MB" in outcome and "256 MB" in outcome
    assert "   exit status        0" in outcome
    assert "     B qemu-system-x86_64: -numa node,mem=256M,cpus=0-1: warning: Parameter -numa " \
           "node,mem is deprecated" in outcome
    assert "\x1b[" not in out  # plain when piped


def test_json_holds_the_named_fields(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--json", "--a", SEED, "--b", MEM], capsys)
    assert status == 1
    r = json.loads(out)
    assert r["identical"] is False
    fd = r["first_divergence"]
    assert fd["common"] == {"step": 64, "step_b": 64, "function": "parse_numa",
                            "file": "hw/core/numa.c", "line": 238, "call": 1}
    assert fd["a"] == {"step": 65, "function": "parse_numa", "file": "hw/core/numa.c", "line": 243}
    assert fd["b"] == {"step": 65, "function": "parse_numa", "file": "hw/core/numa.c", "line": 239}
    assert "mem=256M only in B" in fd["reason"]
    assert fd["decision"]["a"]["taken"] is False and fd["decision"]["b"]["taken"] is True
    assert [h["kind"] for h in r["hunks"]].count("path") == 6
    assert r["outcome"]["same"] is False
    assert set(r["outcome"]["differs"]) == {"stderr", "node_mem"}
    assert r["outcome"]["node_mem"]["changes"] == [{"node": 0, "a": 1 << 29, "b": 1 << 28},
                                                   {"node": 1, "a": 1 << 29, "b": 3 << 28}]


# --- real QEMU parted where its gdb stops part ---------------------------------------------------
def _golden() -> list[dict[str, Any]]:
    directory = GOLDEN / "qemu-4.2"
    if not directory.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))]


CASES = [c for c in _golden() if c.get("gdb_stops")]
PAIRS = list(itertools.combinations(CASES, 2))


@pytest.mark.skipif(not PAIRS, reason="../shared/golden is not beside the repo")
@pytest.mark.parametrize("a,b", PAIRS, ids=[f"{a['id']}~{b['id']}" for a, b in PAIRS])
def test_first_divergence_is_where_real_qemus_gdb_stops_part(a: dict[str, Any], b: dict[str, Any]
                                                              ) -> None:
    sa, sb = a["gdb_stops"], b["gdb_stops"]
    k = next((i for i, (x, y) in enumerate(zip(sa, sb)) if x != y), min(len(sa), len(sb)))
    r = report(trace_bytes(shlex.join(a["argv"])), trace_bytes(shlex.join(b["argv"])))
    fd = r["first_divergence"]
    assert fd["kind"] == "path"
    common = fd["common"]
    assert (common["step"], common["step_b"]) == (k, k)  # stop k is gdb_stops[k - 1]
    assert [common["function"], common["file"], common["line"]] == sa[k - 1] == sb[k - 1]
    for side, stops in (("a", sa), ("b", sb)):
        want = None if k >= len(stops) else {"step": k + 1, "function": stops[k][0],
                                               "file": stops[k][1], "line": stops[k][2]}
        assert fd[side] == want


# --- the same runs -------------------------------------------------------------------------------
def test_a_trace_against_itself_and_two_traces_of_one_line(
        tmp_path: Path, seed_and_mem: tuple[Path, Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    seed, _ = seed_and_mem
    status, out, _ = tracesim_diff([str(seed), str(seed)], capsys)
    assert status == 0
    assert "The runs are the same: 618 stops, the same events." in out
    assert "Outcome  (the same)" in out
    again = tmp_path / "again.jsonl"
    again.write_bytes(encode_lines(*_trace(SEED)))  # simulated a second time
    status, out, _ = tracesim_diff(["--json", str(seed), str(again)], capsys)
    r = json.loads(out)
    assert status == 0 and r["identical"] and r["first_divergence"] is None and r["hunks"] == []
    assert r["outcome"]["same"]


def _trace(args: str) -> tuple[Any, list[Any]]:
    t = simulate_trace(shlex.split(args))
    return t.header, t.events


# --- exit statuses as diff(1) --------------------------------------------------------------------
def test_exit_statuses(tmp_path: Path, seed_and_mem: tuple[Path, Path],
                       capsys: pytest.CaptureFixture[str]) -> None:
    seed, mem = seed_and_mem
    assert tracesim_diff([str(seed), str(seed)], capsys)[0] == 0
    assert tracesim_diff([str(seed), str(mem)], capsys)[0] == 1
    status, _, err = tracesim_diff([str(seed), str(tmp_path / "missing.jsonl")], capsys)
    missing = tmp_path / "missing.jsonl"
    assert status == 2 and err == f"tracesim: {missing}: No such file or directory\n"
    lines = seed.read_bytes().split(b"\n")
    lines[299] = b'{"k":"step","line":'  # cut in the middle of a line
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\n".join(lines))
    for argv in ([str(seed), str(bad)], [str(bad), str(bad)]):
        status, out, err = tracesim_diff(argv, capsys)
        assert status == 2 and out == ""
        assert err == f"tracesim: {bad}:300: damaged event (Input data was truncated)\n"
    (tmp_path / "empty.jsonl").write_bytes(b"")
    status, _, err = tracesim_diff([str(seed), str(tmp_path / "empty.jsonl")], capsys)
    assert status == 2 and "empty.jsonl:1: empty file" in err
    for argv in ([], [str(seed)], [str(seed), str(mem), str(seed)], ["--a", SEED]):
        status, _, err = tracesim_diff(argv, capsys)
        assert status == 2 and err.startswith("tracesim diff: ") and err.count("\n") == 1


def test_the_cli_table_runs_it_when_wired(seed_and_mem: tuple[Path, Path],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from tracesim import cli

    if "diff" not in cli.COMMANDS:
        pytest.skip("tracesim diff is not in cli.COMMANDS yet")
    seed, mem = seed_and_mem
    assert cli.main(["diff", str(seed), str(mem)]) == 1
    assert cli.main(["diff", str(seed), "nope.jsonl"]) == 2


# --- filters, outcome only, colour ---------------------------------------------------------------
def test_only_and_ignore_a_function(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--json", "--only", "numa_complete_configuration",
                                    "--a", SEED, "--b", MEM], capsys)
    r = json.loads(out)
    assert status == 1 and {h["function"] for h in r["hunks"]} == {"numa_complete_configuration"}
    common = r["first_divergence"]["common"]
    assert (common["line"], common["step"]) == (419, 550)
    status, out, _ = tracesim_diff(["--json", "--ignore", "parse_numa", "--a", SEED, "--b", MEM],
                                   capsys)
    r = json.loads(out)
    assert r["first_divergence"]["common"]["function"] == "numa_complete_configuration"
    assert [h["function"] for h in r["hunks"]] == ["main"] + ["numa_complete_configuration"] * 3
    # everything runs inside main: ignoring it leaves the outcome only, still different
    status, out, _ = tracesim_diff(["--json", "--ignore", "main", "--a", SEED, "--b", MEM], capsys)
    r = json.loads(out)
    assert status == 1 and r["hunks"] == [] and r["first_divergence"] is None
    assert not r["outcome"]["same"]


def test_outcome_only(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--outcome", "--a", SEED, "--b", MEM], capsys)
    assert status == 1 and "@@" not in out and "part ways" not in out
    assert " ! node 1 size        512 MB" in out
    # -m 1024 and -m 1G: other events (the option's text), the same outcome
    one_g = SEED.replace("-m 1024", "-m 1G")
    assert tracesim_diff(["--a", SEED, "--b", one_g], capsys)[0] == 1
    status, out, _ = tracesim_diff(["--outcome", "--json", "--a", SEED, "--b", one_g], capsys)
    assert status == 0 and json.loads(out)["outcome"]["same"] is True


def test_colour_on_request_plain_otherwise(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = tracesim_diff(["--color", "always", "--a", SEED, "--b", MEM], capsys)
    assert "\x1b[31m" in out and "\x1b[32m" in out
    _, out, _ = tracesim_diff(["--color", "never", "--a", SEED, "--b", MEM], capsys)
    assert "\x1b[" not in out


@pytest.mark.skipif(not CASES, reason="../shared/golden is not beside the repo")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_the_outcome_is_what_tracesim_summary_says(case: dict[str, Any]) -> None:
    from tracesim.debugger.outcome import summarize

    line = shlex.join(case["argv"])
    side = report(trace_bytes(line), trace_bytes(SEED))["outcome"]
    s = summarize(simulate_trace(case["argv"]))
    assert side["exit_status"]["a"] == s["exit_status"] == case["expect"]["exit_status"]
    assert "\n".join(side["stderr"]["a"]) + ("\n" if s["stderr"] else "") == s["stderr"]
    assert side["machine"]["a"] == s["machine"] and side["ram_size"]["a"] == s["ram_size"]
    assert side["node_mem"]["a"] == [n["mem"] for n in s["numa"]["nodes"]]
    want = [n["distance"] for n in s["numa"]["nodes"]] if s["numa"]["have_numa_distance"] else None
    assert side["distance"]["a"] == want
    assert side["cpu_node"]["a"] == [c["node_id"] for c in s["cpus"]]


# --- runs that end differently -------------------------------------------------------------------
def test_one_run_exits_early() -> None:
    bad = SEED + " -numa dist,src=0,dst=1,val=5"
    r = report(trace_bytes(SEED), trace_bytes(bad))
    assert r["outcome"]["exit_status"] == {"a": 0, "b": 1, "same": False}
    assert r["outcome"]["stderr"]["only_b"] == [
        "qemu-system-x86_64: -numa dist,src=0,dst=1,val=5: NUMA distance (5) is invalid, it "
        "shouldn't be less than 10."]
    last = r["hunks"][-1]
    assert last["kind"] == "path" and last["rejoin"] is None and last["a"]["only"] > 50
    assert last["a"]["steps"][-1] == r["a"]["stops"] and last["b"]["steps"][-1] == r["b"]["stops"]


def test_a_value_change_is_a_value_divergence() -> None:
    base = "-machine q35 -m 1536 -smp 3 -numa node,cpus=0 -numa node,cpus=1 -numa node,cpus=2 " \
           "-numa dist,src=0,dst=1,val=20 -numa dist,src=0,dst=2,val=30 " \
           "-numa dist,src=1,dst=2,val=40"
    r = report(trace_bytes(base), trace_bytes(base.replace("val=40", "val=41")))
    assert {h["kind"] for h in r["hunks"]} == {"value"}
    fd = r["first_divergence"]
    assert fd["kind"] == "value" and fd["common"]["file"] == "vl.c" and fd["common"]["line"] == 3035
    assert fd["option"]["a"] == "-numa dist,src=1,dst=2,val=40"
    assert r["outcome"]["distance"]["changes"] == [{"src": 1, "dst": 2, "a": 40, "b": 41},
                                                   {"src": 2, "dst": 1, "a": 40, "b": 41}]


# --- properties ----------------------------------------------------------------------------------
@st.composite
def qemu_lines(draw: Any) -> str:
    machine = draw(st.sampled_from(["q35", "pc", "pc-i440fx-2.9", "pc-q35-2.10"]))
    cpus = draw(st.integers(1, 4))
    argv = ["-machine", machine, "-m", str(draw(st.sampled_from([512, 1000, 1024]))),
            "-smp", str(cpus)]
    nodes = draw(st.integers(0, 3))
    for i in range(nodes):
        opt = "node"
        if draw(st.booleans()):
            opt += f",cpus={i % cpus}"
        if draw(st.booleans()):
            opt += f",mem={draw(st.sampled_from([256, 512]))}M"
        argv += ["-numa", opt]
    if nodes >= 2 and draw(st.booleans()):
        argv += ["-numa", f"dist,src=0,dst=1,val={draw(st.sampled_from([5, 10, 20]))}"]
    return shlex.join(argv)


PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(qemu_lines())
def test_a_trace_diffed_with_itself_is_empty(line: str) -> None:
    r = report(trace_bytes(line), trace_bytes(line))
    assert r["identical"] and r["hunks"] == [] and r["first_divergence"] is None
    assert r["outcome"]["same"]


def _shape(r: dict[str, Any], swap: bool = False) -> Any:
    x, y = ("b", "a") if swap else ("a", "b")
    hunks = [(h["kind"], h[x]["only"], h[y]["only"], h[x]["steps"], h[y]["steps"])
             for h in r["hunks"]]
    fd = r["first_divergence"]
    steps = None if fd is None else (fd["common"]["step"], fd["common"]["step_b"])
    first = None if fd is None else (fd["kind"], fd[x], fd[y], fd["common"]["line"],
                                     steps[::-1] if swap else steps)
    out = r["outcome"]
    return hunks, first, out["same"], out["exit_status"][x], out["exit_status"][y], r[x]["stops"]


@PROPERTY
@given(qemu_lines(), qemu_lines())
def test_swapping_a_and_b_swaps_the_sides(one: str, other: str) -> None:
    ab = report(trace_bytes(one), trace_bytes(other))
    ba = report(trace_bytes(other), trace_bytes(one))
    assert _shape(ab) == _shape(ba, swap=True)
    assert ab["identical"] == ba["identical"] == (trace_bytes(one).split(b"\n", 1)[1]
                                                  == trace_bytes(other).split(b"\n", 1)[1])


# --- the fast path agrees with decoding everything -----------------------------------------------
@st.composite
def programs(draw: Any, depth: int = 0) -> list[Any]:
    """A function body: stops with stores, and calls of smaller functions."""
    body: list[Any] = []
    for _ in range(draw(st.integers(1, 5 if depth < 2 else 3))):
        line = draw(st.integers(1, 4))
        if depth < 2 and draw(st.integers(0, 3)) == 0:
            callee = draw(st.sampled_from(["f", "g"]))
            body.append(("call", line, callee, draw(programs(depth + 1))))
        else:
            body.append(("step", line, draw(st.integers(0, 2))))
    return body


@st.composite
def edited(draw: Any, body: list[Any]) -> list[Any]:
    """The same body with a few edits: a stop dropped, repeated, moved or storing another value."""
    out = []
    for stmt in body:
        what = draw(st.integers(0, 9))
        if stmt[0] == "call":
            stmt = (stmt[0], stmt[1], stmt[2], draw(edited(stmt[3])))
        if what == 0:
            continue
        if what == 1:
            out.append(stmt)
        elif what == 2 and stmt[0] == "step":
            stmt = ("step", stmt[1], stmt[2] + 1)
        elif what == 3 and stmt[0] == "step":
            stmt = ("step", (stmt[1] % 4) + 1, stmt[2])
        out.append(stmt)
    return out or body


def events_of(body: list[Any], fn: str = "main") -> list[Any]:
    out: list[Any] = [ev.Call(fn=fn, file=f"{fn}.c")]
    for stmt in body:
        out.append(ev.Step(line=stmt[1]))
        if stmt[0] == "step":
            out += [ev.Write(path=f"numa_state.nodes[{stmt[1]}].node_mem",
                              value=stmt[2])] * (stmt[2] > 0)
        else:
            out += events_of(stmt[3], stmt[2])
    out += [ev.Step(line=9), ev.Return()]
    return out


def trace_of(body: list[Any], padding: int, cut: int | None = None) -> bytes:
    # identical stretches long enough to be skipped, and a message now and then; `cut`: the
    # run ends there (as an exit would end it)
    events = [ev.Call(fn="main", file="main.c"), ev.Step(line=1)]
    events += [ev.Fact(line=1, name="pad", data={"i": i}) for i in range(padding)]
    events += [ev.Report(line=2, kind="warning", text="w")]
    events += events_of(body)[1:] + events_of(body, "tail")
    if cut is not None:
        events = events[:cut] + [ev.Exit(line=3, status=1)]
    header = ev.Header(schema=ev.SCHEMA_VERSION, tracesim="t", profile="4.2", argv=[])
    return encode_lines(header, events)


def reference_hunks(a: bytes, b: bytes) -> list[list[tuple[str, int | None, int | None]]]:
    """Decode everything, key every unit by its absolute execution index, align the same way."""
    def units(data: bytes) -> list[tuple[Any, int, bytes]]:
        out: list[list[Any]] = []
        stack: list[list[Any]] = []
        cur: Any = ("base",)
        pos = data.index(b"\n") + 1
        for line in data.split(b"\n")[1:-1]:
            if line.startswith((b'{"k":"seal"', b'{"k":"end"')):
                continue  # the aligner's offsets are of the events, without the seals
            e = msgspec.json.decode(line, type=ev.BodyEvent)
            if type(e) is ev.Step:
                f = stack[-1]
                n = f[1][e.line] = f[1].get(e.line, 0) + 1
                cur = (f[0], e.line, n)
            elif type(e) is ev.Call:
                stack.append([(cur, e.fn), {}])
                cur = (stack[-1][0], 0, 1)
            elif type(e) is ev.Return:
                cur = (stack.pop()[0], -1, 1)
            if type(e) in (ev.Step, ev.Call, ev.Return):
                out.append([cur, pos, [e]])
            else:
                out[-1][2].append(e)
            pos += len(line) + 1
        return [(k, p, msgspec.json.encode(es)) for k, p, es in out]

    ua, ub = units(a), units(b)
    ops: list[tuple[str, int | None, int | None]] = []
    i = j = 0
    while i < len(ua) or j < len(ub):
        if i < len(ua) and j < len(ub) and ua[i][0] == ub[j][0]:
            ops.append(("=" if ua[i][2] == ub[j][2] else "~", ua[i][1], ub[j][1]))
            i, j = i + 1, j + 1
            continue
        seen: tuple[dict[Any, int], dict[Any, int]] = ({}, {})
        t, found = 0, None
        while found is None:
            x = ua[i + t] if i + t < len(ua) else None
            y = ub[j + t] if j + t < len(ub) else None
            if x is None and y is None:
                break
            cands = []
            if x and y and x[0] == y[0]:
                cands.append((2 * t, b"", t, t))
            if x and x[0] in seen[1]:
                cands.append((t + seen[1][x[0]], x[2], t, seen[1][x[0]]))
            if y and y[0] in seen[0]:
                cands.append((t + seen[0][y[0]], y[2], seen[0][y[0]], t))
            if cands:
                found = min(cands)[2:]
                break
            if x:
                seen[0][x[0]] = t
            if y:
                seen[1][y[0]] = t
            t += 1
        ni, nj = found if found else (len(ua) - i, len(ub) - j)
        ops += [("-", ua[i + k][1], None) for k in range(ni)]
        ops += [("+", None, ub[j + k][1]) for k in range(nj)]
        i, j = i + ni, j + nj
    hunks: list[list[tuple[str, int | None, int | None]]] = []
    current: list[tuple[str, int | None, int | None]] = []
    for op in ops:
        if op[0] in "=~" and any(o[0] in "-+" for o in current):
            hunks.append(current)  # the runs line up again
            current = []
        if op[0] == "=":
            if current:
                hunks.append(current)
            current = []
        else:
            current.append(op)
    return hunks + ([current] if current else [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from([64, 300, 1 << 22]), st.integers(0, 60))
def test_fast_path_agrees_with_decoding_everything(data: Any, chunk: int, padding: int) -> None:
    body = data.draw(programs())
    a = trace_of(body, padding)
    b = trace_of(data.draw(edited(body)), padding, data.draw(st.none() | st.integers(2, 150)))
    want = reference_hunks(a, b)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(diff_align, "CHUNK", chunk)
        mp.setattr(diff_align, "KEEP_UNITS", 10_000)
        al = align(Side("A", io.BytesIO(a)), Side("B", io.BytesIO(b)))
    assert len(al.hunks) == len(want)
    for h, ops in zip(al.hunks, want):
        assert h.counts == {o: sum(1 for x in ops if x[0] == o) for o in "~-+"}
        got = [(op, ua.pos if ua else None, ub.pos if ub else None) for op, ua, ub in h.items]
        for o in "~-+":  # when a run has ended, the rest of the other is counted, not kept
            kept = [x for x in got if x[0] == o]
            assert kept == [x for x in ops if x[0] == o][:len(kept)]


def test_another_writers_json_gives_the_same_report() -> None:
    """Spaces and another key order (sealed over its own bytes, as the format asks of any
    writer): read whole and re-encoded, same answer."""
    from tracesim.trace.store import chain, header_digest

    def loose(data: bytes) -> bytes:
        out: list[bytes] = []
        block = b""
        digest = b""
        for line in data.splitlines():
            obj = json.loads(line)
            if obj["k"] in ("seal", "end"):
                digest = chain(digest, block)
                obj["digest"], block = digest.hex(), b""
                out.append(json.dumps(obj, separators=(",", ":")).encode() + b"\n")
                continue
            text = json.dumps(obj, indent=None, separators=(", ", ": "), sort_keys=True)
            out.append(text.encode() + b"\n")
            if obj["k"] == "header":
                digest = header_digest(out[-1])
            else:
                block += out[-1]
        return b"".join(out)
    a, b = trace_bytes(SEED), trace_bytes(MEM)
    r = report(loose(a), loose(b))
    want = report(a, b)
    assert r["first_divergence"] == want["first_divergence"]
    assert [h["reason"] for h in r["hunks"]] == [h["reason"] for h in want["hunks"]]
