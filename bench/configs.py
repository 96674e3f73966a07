"""The command lines the benchmarks run (the issue's seed line and the largest config)."""
from __future__ import annotations

from tracesim.scenarios import default_argv


def seed_argv() -> list[str]:
    return default_argv()


def largest_argv(nodes: int = 128, cpus: int = 254) -> list[str]:
    """q35, 128 nodes, a full asymmetric 128x128 -numa dist table, 254 CPUs each with -numa cpu:
    the largest configuration real QEMU 4.2 accepts on this path."""
    argv = ["-machine", "q35", "-m", f"{nodes * 64}M", "-smp", str(cpus)]
    for i in range(nodes):
        argv += ["-numa", f"node,nodeid={i}"]
    for src in range(nodes):
        for dst in range(nodes):
            val = 10 if src == dst else 20 + (src * 7 + dst * 3) % 200
            argv += ["-numa", f"dist,src={src},dst={dst},val={val}"]
    for i in range(cpus):
        argv += ["-numa", f"cpu,node-id={i % nodes},socket-id={i}"]
    return argv
