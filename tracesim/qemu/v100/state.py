"""QEMU 10.0's structs where they differ from 7.2: CpuTopology and CpuInstanceProperties gain
drawers, books and modules; NodeInfo gains has_gi (a generic initiator)."""

from __future__ import annotations

from ..state import ADDR_MACHINE, ADDR_NODES, MAX_NODES, CArray, CObject, Sink
from ..v72.state import CPUArchId72, CPUArchIdList72, CpuInstanceProperties72
from ..v72.state import MachineState as MachineState72
from ..v72.state import NodeInfo as NodeInfo72
from ..v72.state import NumaState as NumaState72


class CpuTopology(CObject):
    """include/hw/boards.h CpuTopology of 10.0, outermost level first."""

    _fields = ("cpus", "drawers", "books", "sockets", "dies", "clusters", "modules", "cores",
               "threads", "max_cpus")


class CpuInstanceProperties100(CpuInstanceProperties72):
    _fields = (
        "has_node_id", "node_id", "has_drawer_id", "drawer_id", "has_book_id", "book_id",
        "has_socket_id", "socket_id", "has_die_id", "die_id", "has_cluster_id", "cluster_id",
        "has_module_id", "module_id", "has_core_id", "core_id", "has_thread_id", "thread_id",
    )


class CPUArchId100(CPUArchId72):
    def __init__(self, sink: Sink, path: str, address: int) -> None:
        super().__init__(sink, path, address)
        self.init(props=CpuInstanceProperties100(sink, f"{path}.props", address + 16))


class CPUArchIdList100(CPUArchIdList72):
    # 16 + 9 optional int64 members (144) + cpu + type: 176 bytes a slot
    def __init__(self, sink: Sink, slots: int) -> None:
        super().__init__(sink, 0)
        cpus = [CPUArchId100(sink, f"possible_cpus.cpus[{i}]", self.address + 8 + 176 * i)
                for i in range(slots)]
        self.init(cpus=cpus)


class NodeInfo(NodeInfo72):
    _fields = ("node_mem", "node_memdev", "present", "has_cpu", "has_gi", "lb_info_provided",
               "initiator", "distance")

    def __init__(self, sink: Sink, index: int) -> None:
        super().__init__(sink, index)
        object.__setattr__(self, "address", ADDR_NODES + 152 * index)
        self.init(has_gi=False)


class NumaState(NumaState72):
    def __init__(self, sink: Sink) -> None:
        super().__init__(sink)
        self.init(nodes=[NodeInfo(sink, i) for i in range(MAX_NODES)])


class MachineState(MachineState72):
    def __init__(self, sink: Sink) -> None:
        super().__init__(sink)
        self.init(smp=CpuTopology(sink, "ms.smp", ADDR_MACHINE + 0x40))
        self.smp.init(cpus=0, drawers=0, books=0, sockets=0, dies=0, clusters=0, modules=0,
                      cores=0, threads=0, max_cpus=0)


__all__ = ["CArray", "CpuTopology", "MachineState", "NodeInfo", "NumaState"]
