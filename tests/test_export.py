"""`tracesim export --format perfetto`: Chrome/Perfetto trace-event JSON, validated against
the trace-event format as ui.perfetto.dev and chrome://tracing read it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import qemu

from tracesim import cli
from tracesim.export import US_PER_STOP, cmd_export
from tracesim.trace import events as ev
from tracesim.trace.store import encode_lines

cli.COMMANDS.setdefault("export", (cmd_export, "export a trace"))

SEED = "-machine q35 -m 1024 -smp cpus=4 -numa node,cpus=0-1 -numa node,cpus=2-3"
SPARSE = "-machine q35 -m 1024 -smp 4 -numa node,nodeid=0,cpus=0-1 -numa node,nodeid=2,cpus=2-3"
PHASES = {"X", "i", "s", "f", "M"}


def validate(doc: dict[str, Any]) -> dict[str, Any]:
    """Check a trace-event JSON object; return what it holds (slices, flows, instants)."""
    assert set(doc) >= {"traceEvents"} and isinstance(doc["traceEvents"], list)
    events = doc["traceEvents"]
    last_ts = -1.0
    stacks: dict[tuple[int, int], list[dict[str, Any]]] = {}
    flows: dict[tuple[str, int], dict[str, Any]] = {}
    slices, instants, parent = [], [], {}
    for e in events:
        assert e["ph"] in PHASES, e
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int), e
        assert isinstance(e["name"], str) and e["name"], e
        if e["ph"] == "M":
            assert e["name"] in ("process_name", "thread_name") and "name" in e["args"]
            continue
        ts = e["ts"]
        assert isinstance(ts, (int, float)) and ts >= last_ts, ("ts goes backwards", e)
        last_ts = ts
        stack = stacks.setdefault((e["pid"], e["tid"]), [])
        while stack and stack[-1]["ts"] + stack[-1]["dur"] < ts:
            stack.pop()  # slices that ended before this event
        if e["ph"] == "X":
            assert isinstance(e["dur"], (int, float)) and e["dur"] >= 0, e
            if stack:  # a slice that starts inside another must end inside it too
                outer = stack[-1]
                assert ts + e["dur"] <= outer["ts"] + outer["dur"], ("overlap", outer, e)
                assert ts > outer["ts"], ("a child starting with its parent is ambiguous", e)
                parent[id(e)] = outer
            stack.append(e)
            slices.append(e)
        elif e["ph"] == "i":
            assert e["s"] in ("t", "p", "g"), e
            instants.append(e)
        else:  # flow: "s" binds to the slice enclosing it, "f" (bp=e) to its enclosing slice
            assert isinstance(e["id"], int) and e["cat"], e
            assert stack, ("a flow event outside every slice", e)
            key = (e["cat"], e["id"])
            if e["ph"] == "s":
                assert key not in flows, ("flow id reused", e)
                flows[key] = {"from": stack[-1], "ts": ts}
            else:
                assert e["bp"] == "e" and key in flows and "to" not in flows[key], e
                assert flows[key]["ts"] <= ts
                flows[key]["to"] = stack[-1]
    for key, flow in flows.items():
        assert "to" in flow, ("a flow that never arrives", key)
        assert parent.get(id(flow["to"])) is flow["from"], (
            "the arrow must go caller -> callee",
            key,
        )
    return {"slices": slices, "instants": instants, "flows": flows}


def export(capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path, args: str) -> dict[str, Any]:
    trace = qemu(args).trace
    src = tmp_path / "run.jsonl"
    src.write_bytes(encode_lines(trace.header, trace.events))
    out = tmp_path / "run.json"
    assert cli.main(["export", str(src), "--format", "perfetto", "-o", str(out)]) == 0
    assert capsysbinary.readouterr() == (b"", b"")
    return json.loads(out.read_text())


def test_the_seed_exports_a_valid_trace_with_a_slice_per_call(capsysbinary, tmp_path) -> None:
    doc = export(capsysbinary, tmp_path, SEED)
    got = validate(doc)
    events = qemu(SEED).trace.events
    calls = [e.fn for e in events if type(e) is ev.Call]
    assert [s["name"] for s in got["slices"]] == calls  # one slice per call, in call order
    assert len(got["flows"]) == len(calls) - 1  # every call but main's has its arrow
    assert Counter(s["name"] for s in got["slices"])["x86_possible_cpu_arch_ids"] == 9
    branches = [i for i in got["instants"] if i["cat"] == "branch"]
    assert len(branches) == sum(1 for e in events if type(e) is ev.Branch)
    assert branches[0]["name"] == "if (mem_str): true" and branches[0]["args"]["line"] == 2733
    warning = next(i for i in got["instants"] if i["cat"] == "warning")
    assert warning["name"].startswith("warning: Default splitting of RAM between nodes")
    assert got["instants"][-1]["name"] == "exit(0)"
    assert doc["traceEvents"][0]["args"]["name"] == f"qemu-system-x86_64 {SEED} (tracesim)"


def test_timestamps_are_step_numbers(capsysbinary, tmp_path) -> None:
    got = validate(export(capsysbinary, tmp_path, SEED))
    stops = sum(1 for e in qemu(SEED).trace.events if type(e) is ev.Step)
    by_name = {s["name"]: s for s in reversed(got["slices"])}
    # set_memory_options runs stops 1..24; its slice spans those milliseconds
    sm = by_name["set_memory_options"]
    assert sm["ts"] // US_PER_STOP == 0 and (sm["ts"] + sm["dur"]) // US_PER_STOP == 24
    assert sm["args"]["stop"] == 0 and sm["args"]["file"] == "vl.c"
    main = got["slices"][0]
    assert main["name"] == "main" and (main["ts"] + main["dur"]) // US_PER_STOP == stops
    assert max(i["ts"] for i in got["instants"]) // US_PER_STOP == stops


def test_an_error_run_ends_every_open_slice_and_marks_the_error(capsysbinary, tmp_path) -> None:
    got = validate(export(capsysbinary, tmp_path, SPARSE))
    error = next(i for i in got["instants"] if i["cat"] == "error")
    assert error["name"] == "error: numa: Node ID missing: 1" and error["args"]["line"] == 400
    exit_ = got["instants"][-1]
    assert exit_["name"] == "exit(1)" and exit_["args"] == {"line": 401, "status": 1}
    open_at_exit = [s for s in got["slices"] if s["ts"] < exit_["ts"] < s["ts"] + s["dur"]]
    assert [s["name"] for s in open_at_exit] == [
        "main",
        "machine_run_board_init",
        "numa_complete_configuration",
    ]


def test_no_branches_and_stdout(capsysbinary, tmp_path) -> None:
    trace = qemu(SEED).trace
    src = tmp_path / "run.jsonl"
    src.write_bytes(encode_lines(trace.header, trace.events))
    assert cli.main(["export", str(src), "--no-branches"]) == 0
    out, err = capsysbinary.readouterr()
    got = validate(json.loads(out))
    assert err == b"" and not [i for i in got["instants"] if i["cat"] == "branch"]
    assert cli.main(["export", str(src), "--format", "chrome"]) == 2
    assert capsysbinary.readouterr()[1].decode().startswith("tracesim export: argument --format")
