"""What the two runs ended with, compared.

This module holds the outcome of a run as `tracesim summary --json` reports it, rebuilt from
the stores and messages the diff kept (`outcome_of`: exit status, stderr, machine, RAM, NUMA
nodes, distances, CPU to node), and the comparison of two outcomes field by field, with the
entries that differ listed (`compare_outcomes`).
"""
from __future__ import annotations

from typing import Any

from ..qemu.process import render_report
from .align import Side


def outcome_of(side: Side) -> dict[str, Any]:
    """What `tracesim summary --json` reports, from the stores the diff kept."""
    get = side.memory.get
    num_nodes = get("numa_state.num_nodes", 0) or 0
    have_dist = bool(get("numa_state.have_numa_distance", False))
    nodes = [{"id": i, "present": bool(get(f"numa_state.nodes[{i}].present", False)),
              "mem": get(f"numa_state.nodes[{i}].node_mem", 0),
              "distance": [get(f"numa_state.nodes[{i}].distance[{j}]", 0) for j in range(num_nodes)]
              if have_dist else None} for i in range(num_nodes)]
    cpus = []
    for i in range(get("possible_cpus.len", 0) or 0):
        base = f"possible_cpus.cpus[{i}].props"
        cpus.append(get(f"{base}.node_id", 0) if get(f"{base}.has_node_id") else None)
    stderr = [render_report(k, t, loc) for k, t, loc in side.reports if k != "stdout"]
    return {"exit_status": side.exit_status, "stderr": "".join(stderr).splitlines(),
            "machine": get("mc.name"),
            # 4.2 keeps RAM sizes in vl.c's globals, 7.2 only in the MachineState
            "ram_size": get("ram_size") or get("ms.ram_size", 0), "num_nodes": num_nodes,
            "have_numa_distance": have_dist, "nodes": nodes, "cpu_node": cpus}


def compare_outcomes(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("exit_status", "machine", "ram_size", "num_nodes"):
        out[key] = {"a": a[key], "b": b[key], "same": a[key] == b[key]}
    sa, sb = a["stderr"], b["stderr"]
    out["stderr"] = {"a": sa, "b": sb, "same": sa == sb, "only_a": [x for x in sa if x not in sb],
                     "only_b": [x for x in sb if x not in sa]}
    ma = [n["mem"] for n in a["nodes"]]
    mb = [n["mem"] for n in b["nodes"]]
    out["node_mem"] = {"a": ma, "b": mb, "same": ma == mb, "changes": _changes(ma, mb, "node")}
    da = [n["distance"] for n in a["nodes"]] if a["have_numa_distance"] else None
    db = [n["distance"] for n in b["nodes"]] if b["have_numa_distance"] else None
    changes = []
    if da is not None or db is not None:
        size = max(len(da or []), len(db or []))
        for i in range(size):
            for j in range(size):
                x, y = _at2(da, i, j), _at2(db, i, j)
                if x != y:
                    changes.append({"src": i, "dst": j, "a": x, "b": y})
    out["distance"] = {"a": da, "b": db, "same": da == db, "changes": changes}
    ca, cb = a["cpu_node"], b["cpu_node"]
    out["cpu_node"] = {"a": ca, "b": cb, "same": ca == cb, "changes": _changes(ca, cb, "cpu")}
    out["differs"] = [k for k, v in out.items() if not v["same"]]
    out["same"] = not out["differs"]
    return out


def _changes(xs: list[Any], ys: list[Any], key: str) -> list[dict[str, Any]]:
    return [{key: i, "a": _at(xs, i), "b": _at(ys, i)}
            for i in range(max(len(xs), len(ys))) if _at(xs, i) != _at(ys, i)]


def _at(xs: list[Any], i: int) -> Any:
    return xs[i] if i < len(xs) else None


def _at2(rows: list[list[Any]] | None, i: int, j: int) -> Any:
    if rows is None or i >= len(rows) or rows[i] is None or j >= len(rows[i]):
        return None
    return rows[i][j]
