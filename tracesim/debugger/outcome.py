"""What a run came to, read from the folded trace: exit status, messages, nodes, CPUs.

Also QEMU's monitor `info numa` (spec section 10) over the same state.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..qemu.process import render_report
from ..textsafe import safe_line, safe_text
from ..trace import events as ev
from ..trace.fold import State, fold
from ..trace.seq import outside_runs
from ..trace.store import Trace
from ..trace.validate import MAX_CPUS, MAX_NODES


def _size(value: object, most: int) -> int:
    """A count from memory as a loop bound: the reader checked it, this keeps it so."""
    return max(0, min(value, most)) if type(value) is int else 0


def stdout_stderr(events: Sequence[Any], until: int | None = None) -> tuple[str, str]:
    out: list[str] = []
    err: list[str] = []
    for e in outside_runs(events, until):
        if type(e) is ev.Report:
            (out if e.kind == "stdout" else err).append(render_report(e.kind, e.text, e.location))
    return "".join(out), "".join(err)


def summarize(trace: Trace, state: State | None = None) -> dict[str, Any]:
    """The outcome as one JSON-ready object (`tracesim summary --json`)."""
    st = state or fold(trace.events)
    mem = st.memory
    get = mem.get
    _, stderr = stdout_stderr(trace.events, st.position)
    num_nodes = _size(get("numa_state.num_nodes", 0), MAX_NODES)
    have_dist = bool(get("numa_state.have_numa_distance", False))
    nodes = []
    for i in range(num_nodes):
        base = f"numa_state.nodes[{i}]"
        nodes.append(
            {
                "id": i,
                "present": bool(get(f"{base}.present", False)),
                "mem": get(f"{base}.node_mem", 0),
                "distance": [get(f"{base}.distance[{j}]", 0) for j in range(num_nodes)]
                if have_dist
                else None,
            }
        )
    cpus = []
    for i in range(_size(get("possible_cpus.len", 0), MAX_CPUS)):
        base = f"possible_cpus.cpus[{i}].props"
        cpus.append(
            {
                "index": i,
                "socket_id": get(f"{base}.socket_id", 0),
                "core_id": get(f"{base}.core_id", 0),
                "thread_id": get(f"{base}.thread_id", 0),
                "node_id": get(f"{base}.node_id", 0) if get(f"{base}.has_node_id") else None,
            }
        )
    return {
        "argv": trace.argv,
        "profile": trace.header.profile,
        "exit_status": st.exit_status,
        "stderr": stderr,
        "machine": get("mc.name"),
        # 4.2 keeps RAM sizes in vl.c globals, 7.2 only in MachineState
        "ram_size": get("ram_size") or get("ms.ram_size", 0),
        "maxram_size": get("maxram_size") or get("ms.maxram_size", 0),
        "ram_slots": get("ram_slots") or get("ms.ram_slots", 0),
        "smp": {k: get(f"ms.smp.{k}", 0) for k in ("cpus", "cores", "threads", "max_cpus")}
        | {"dies": get("ms.smp.dies") or get("ms.smp_dies", 0)},
        "numa": {"num_nodes": num_nodes, "have_numa_distance": have_dist, "nodes": nodes},
        "cpus": cpus,
    }


def info_numa(state: State) -> str:
    """hmp `info numa`: nodes, their present CPUs, sizes in MiB, plugged memory."""
    get = state.memory.get
    num_nodes = _size(get("numa_state.num_nodes", 0), MAX_NODES)
    smp_cpus = _size(get("ms.smp.cpus", 0), MAX_CPUS)
    lines = [f"{num_nodes} nodes"]
    for i in range(num_nodes):
        cpus = [
            c
            for c in range(min(smp_cpus, _size(get("possible_cpus.len", 0), MAX_CPUS)))
            if get(f"possible_cpus.cpus[{c}].props.has_node_id")
            and get(f"possible_cpus.cpus[{c}].props.node_id", 0) == i
        ]
        lines.append(f"node {i} cpus:" + "".join(f" {c}" for c in cpus))
        lines.append(f"node {i} size: {get(f'numa_state.nodes[{i}].node_mem', 0) >> 20} MB")
        lines.append(f"node {i} plugged: 0 MB")
    return "\n".join(lines) + "\n"


def human_summary(trace: Trace) -> str:
    st = fold(trace.events)
    s = summarize(trace, st)
    # the machine's name and QEMU's messages come from the trace: escaped for the terminal
    lines = [safe_line(f"machine: {s['machine']}    exit status: {s['exit_status']}")]
    board = [e for e in outside_runs(trace.events)
             if type(e) is ev.Fact and e.name == "board.init"]
    if s["exit_status"] == 0 and board:  # 0 is where the model stops following, not an exit
        lines.append(f"the modelled path ends at line {board[-1].line} of machine_run_board_init: "
                     "QEMU goes on into machine_class->init, which tracesim does not model")
    if s["stderr"]:
        lines.append("stderr:")
        lines += ["  " + safe_line(line) for line in s["stderr"].removesuffix("\n").split("\n")]
    lines.append("(qemu) info numa")
    lines.append(info_numa(st).rstrip("\n"))
    if s["numa"]["have_numa_distance"]:
        lines.append("distances:")
        for node in s["numa"]["nodes"]:
            lines.append(f"  node {node['id']}: " + " ".join(f"{d:3}" for d in node["distance"]))
    return safe_text("\n".join(lines)) + "\n"
