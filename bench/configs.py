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


def seed_memdev_argv() -> list[str]:
    """The seed's layout as QEMU 7.2 accepts it: one RAM backend per node."""
    return ["-machine", "q35", "-m", "1024", "-smp", "cpus=4",
            "-object", "memory-backend-ram,id=m0,size=512M",
            "-object", "memory-backend-ram,id=m1,size=512M",
            "-numa", "node,memdev=m0,cpus=0-1", "-numa", "node,memdev=m1,cpus=2-3"]


def largest_memdev_argv(nodes: int = 128, cpus: int = 254) -> list[str]:
    """`largest_argv` in the form QEMU 7.2 accepts: a 64 MiB backend per node (no mem=, no
    split), sockets spelled out so that socket-id=i names CPU i as on 4.2."""
    old = largest_argv(nodes, cpus)
    argv = ["-machine", "q35", "-m", f"{nodes * 64}M", "-smp",
            f"{cpus},sockets={cpus},cores=1,threads=1"]
    for i in range(nodes):
        argv += ["-object", f"memory-backend-ram,id=m{i},size=64M"]
    rest = old[6:]
    for k in range(0, len(rest), 2):
        value = rest[k + 1]
        if value.startswith("node,nodeid="):
            value += f",memdev=m{value.split('=')[1]}"
        argv += [rest[k], value]
    return argv
