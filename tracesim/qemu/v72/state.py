"""QEMU 7.2's MachineState and NUMA structs: what 4.2 had plus the fields 7.2 added
(include/hw/boards.h, include/sysemu/numa.h). Stores are write events, as in 4.2."""

from __future__ import annotations

from typing import Any

from ..state import (
    ADDR_MACHINE,
    ADDR_NODES,
    ADDR_NUMA_STATE,
    MAX_NODES,
    CArray,
    CObject,
    CpuInstanceProperties,
    CPUArchId,
    CPUArchIdList,
    HostMemoryBackend,
    Sink,
)

HMAT_LB_LEVELS = 4  # HMAT_LB_MEM_MEMORY .. HMAT_LB_MEM_CACHE_3RD_LEVEL
HMAT_LB_TYPES = 6  # access/read/write latency, access/read/write bandwidth
HMAT_CACHE_LEVELS = 4


class CpuTopology(CObject):
    """include/hw/boards.h CpuTopology: 7.2 adds sockets, dies and clusters."""

    _fields = ("cpus", "sockets", "dies", "clusters", "cores", "threads", "max_cpus")


class CpuInstanceProperties72(CpuInstanceProperties):
    _fields = (
        "has_node_id", "node_id", "has_socket_id", "socket_id", "has_die_id", "die_id",
        "has_cluster_id", "cluster_id", "has_core_id", "core_id", "has_thread_id", "thread_id",
    )


class CPUArchId72(CPUArchId):
    def __init__(self, sink: Sink, path: str, address: int) -> None:
        super().__init__(sink, path, address)
        self.init(props=CpuInstanceProperties72(sink, f"{path}.props", address + 16))


class CPUArchIdList72(CPUArchIdList):
    def __init__(self, sink: Sink, slots: int) -> None:
        super().__init__(sink, 0)
        cpus = [
            CPUArchId72(sink, f"possible_cpus.cpus[{i}]", self.address + 8 + 128 * i)
            for i in range(slots)
        ]
        self.init(cpus=cpus)


class NodeInfo(CObject):
    _fields = ("node_mem", "node_memdev", "present", "has_cpu", "lb_info_provided",
               "initiator", "distance")
    _pointers = ("node_memdev",)

    def __init__(self, sink: Sink, index: int) -> None:
        path = f"numa_state.nodes[{index}]"
        super().__init__(sink, path, ADDR_NODES + 152 * index)
        self.init(
            node_mem=0, node_memdev=None, present=False, has_cpu=False, lb_info_provided=0,
            initiator=0, distance=CArray(sink, f"{path}.distance", [0] * MAX_NODES),
        )


class NumaState(CObject):
    _fields = ("num_nodes", "have_numa_distance", "hmat_enabled", "nodes")

    def __init__(self, sink: Sink) -> None:
        super().__init__(sink, "numa_state", ADDR_NUMA_STATE)
        self.init(
            num_nodes=0, have_numa_distance=False, hmat_enabled=False,
            nodes=[NodeInfo(sink, i) for i in range(MAX_NODES)],
        )


class MachineState(CObject):
    """7.2's MachineState: RAM fields live here now (no vl.c globals), plus the default
    RAM backend's id and the `-machine memory-backend=` link."""

    _fields = ("ram_size", "maxram_size", "ram_slots", "cpu_type", "smp", "possible_cpus",
               "numa_state", "memdev", "ram")
    _pointers = ("possible_cpus", "numa_state", "memdev", "ram")

    def __init__(self, sink: Sink) -> None:
        super().__init__(sink, "ms", ADDR_MACHINE)
        self.init(
            ram_size=0, maxram_size=0, ram_slots=0, cpu_type=None, possible_cpus=None,
            numa_state=None, memdev=None, ram=None,
            smp=CpuTopology(sink, "ms.smp", ADDR_MACHINE + 0x40),
        )
        self.smp.init(cpus=0, sockets=0, dies=0, clusters=0, cores=0, threads=0, max_cpus=0)


class HostMemoryBackend72(HostMemoryBackend):
    """A memory backend object; 7.2 maps each one into RAM at most once."""

    _fields = ("size", "mapped")

    def __init__(self, sink: Sink, index: int, qom_type: str, ident: str, size: int) -> None:
        super().__init__(sink, index, qom_type, ident, size)
        self.init(mapped=False)


def create_backend(q: "Any", ident: str, qom_type: str, size: int) -> HostMemoryBackend72:
    """user_creatable_complete: the object exists under /objects from now on."""
    backend = HostMemoryBackend72(q.rec, len(q.backends), qom_type, ident, size)
    q.backends[ident] = backend
    return backend
