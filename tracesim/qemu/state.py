"""MachineState and the C structs it reaches (include/hw/boards.h, include/sysemu/numa.h).

Every field store on these objects is reported to the recorder as a `write` event with
the field's path (`numa_state.nodes[1].node_mem`), so the trace's fold is the state by
construction and nothing changes behind the trace's back.
"""

from __future__ import annotations

from typing import Any, Protocol

# include/sysemu/numa.h:10-15
MAX_NODES = 128
NUMA_NODE_UNASSIGNED = MAX_NODES
NUMA_DISTANCE_MIN = 10
NUMA_DISTANCE_DEFAULT = 20
NUMA_DISTANCE_MAX = 254
NUMA_DISTANCE_UNREACHABLE = 255

MiB = 1 << 20

# Addresses as the observed binary had them (golden gdb prints), so pointers print alike.
ADDR_MACHINE = 0x55555638E430
ADDR_MACHINE_CLASS = 0x5555562ED5B0
ADDR_NUMA_STATE = 0x55555638EFF0
ADDR_NODES = ADDR_NUMA_STATE + 8
ADDR_POSSIBLE_CPUS = 0x5555563A7E80
ADDR_CPUS = ADDR_POSSIBLE_CPUS + 8
ADDR_BACKENDS = 0x5555563B0000


class Sink(Protocol):
    def write(self, path: str, value: Any) -> None: ...


def c_value(value: Any) -> Any:
    """What a store writes into memory: objects become their address, None is NULL."""
    if isinstance(value, CObject):
        return value.address
    return value


class CObject:
    """A C object at a fixed path; public attribute stores become write events."""

    _fields: tuple[str, ...] = ()
    _pointers: tuple[str, ...] = ()  # fields that hold another object's address

    def __init__(self, sink: Sink, path: str, address: int) -> None:
        object.__setattr__(self, "_sink", sink)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "address", address)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        self._sink.write(f"{self.path}.{name}", c_value(value))

    def init(self, **fields: Any) -> None:
        """Zero-initialised memory (g_new0): set without events, the fold's default is 0."""
        for name, value in fields.items():
            object.__setattr__(self, name, value)


class CArray(list):  # type: ignore[type-arg]
    """A fixed C array whose element stores are write events."""

    def __init__(self, sink: Sink, path: str, items: list[Any]) -> None:
        super().__init__(items)
        self._sink = sink
        self.path = path

    def __setitem__(self, index: Any, value: Any) -> None:  # type: ignore[override]
        super().__setitem__(index, value)
        self._sink.write(f"{self.path}[{index}]", c_value(value))


class CpuTopology(CObject):
    _fields = ("cpus", "cores", "threads", "max_cpus")


class CpuInstanceProperties(CObject):
    _fields = (
        "has_node_id",
        "node_id",
        "has_socket_id",
        "socket_id",
        "has_die_id",
        "die_id",
        "has_core_id",
        "core_id",
        "has_thread_id",
        "thread_id",
    )

    def __init__(self, sink: Sink, path: str, address: int) -> None:
        super().__init__(sink, path, address)
        self.init(**{f: (False if f.startswith("has_") else 0) for f in self._fields})


class CPUArchId(CObject):
    _fields = ("arch_id", "vcpus_count", "props", "cpu", "type")

    def __init__(self, sink: Sink, path: str, address: int) -> None:
        super().__init__(sink, path, address)
        self.init(arch_id=0, vcpus_count=0, cpu=None, type=None)
        self.init(props=CpuInstanceProperties(sink, f"{path}.props", address + 16))


class CPUArchIdList(CObject):
    _fields = ("len", "cpus")

    def __init__(self, sink: Sink, slots: int) -> None:
        super().__init__(sink, "possible_cpus", ADDR_POSSIBLE_CPUS)
        cpus = [
            CPUArchId(sink, f"possible_cpus.cpus[{i}]", ADDR_CPUS + 112 * i) for i in range(slots)
        ]
        self.init(len=0, cpus=cpus)


class NodeInfo(CObject):
    _fields = ("node_mem", "node_memdev", "present", "distance")
    _pointers = ("node_memdev",)

    def __init__(self, sink: Sink, index: int) -> None:
        path = f"numa_state.nodes[{index}]"
        super().__init__(sink, path, ADDR_NODES + 152 * index)
        self.init(
            node_mem=0,
            node_memdev=None,
            present=False,
            distance=CArray(sink, f"{path}.distance", [0] * MAX_NODES),
        )


class NumaState(CObject):
    _fields = ("num_nodes", "have_numa_distance", "nodes")

    def __init__(self, sink: Sink) -> None:
        super().__init__(sink, "numa_state", ADDR_NUMA_STATE)
        self.init(
            num_nodes=0,
            have_numa_distance=False,
            nodes=[NodeInfo(sink, i) for i in range(MAX_NODES)],
        )


class HostMemoryBackend(CObject):
    """A `-object memory-backend-*` (only its id and size matter on this path)."""

    _fields = ("size",)

    def __init__(self, sink: Sink, index: int, qom_type: str, ident: str, size: int) -> None:
        super().__init__(sink, f"backends[{index}]", ADDR_BACKENDS + 0x100 * index)
        self.size = size  # a store: the backend's size property is set when it is created
        object.__setattr__(self, "qom_type", qom_type)
        object.__setattr__(self, "ident", ident)


class MachineState(CObject):
    """MachineState plus X86MachineState's smp_dies (the only x86 field on this path)."""

    _fields = (
        "ram_size",
        "maxram_size",
        "ram_slots",
        "cpu_type",
        "smp",
        "smp_dies",
        "possible_cpus",
        "numa_state",
    )
    _pointers = ("possible_cpus", "numa_state")

    def __init__(self, sink: Sink) -> None:
        super().__init__(sink, "ms", ADDR_MACHINE)
        self.init(
            ram_size=0,
            maxram_size=0,
            ram_slots=0,
            cpu_type=None,
            smp_dies=0,
            possible_cpus=None,
            numa_state=None,
            smp=CpuTopology(sink, "ms.smp", ADDR_MACHINE + 0x40),
        )
        self.smp.init(cpus=0, cores=0, threads=0, max_cpus=0)


class Globals(CObject):
    """vl.c globals and numa.c's statics: the roots with no struct around them."""

    _fields = (
        "ram_size",
        "maxram_size",
        "ram_slots",
        "have_memdevs",
        "have_mem",
        "max_numa_nodeid",
    )

    def __init__(self, sink: Sink) -> None:
        object.__setattr__(self, "_sink", sink)
        object.__setattr__(self, "path", "")
        object.__setattr__(self, "address", 0)
        self.init(
            ram_size=0, maxram_size=0, ram_slots=0, have_memdevs=0, have_mem=0, max_numa_nodeid=0
        )

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        self._sink.write(name, c_value(value))


def flat_state(
    machine: MachineState, glob: Globals, backends: "list[HostMemoryBackend] | None" = None
) -> dict[str, Any]:
    """Every non-zero scalar of the model's live objects, keyed by path: what folding
    the trace must give (tests compare the two)."""
    out: dict[str, Any] = {}

    def visit(obj: CObject, path: str) -> None:
        for f in obj._fields:
            value = getattr(obj, f)
            p = f"{path}.{f}" if path else f
            if isinstance(value, CObject) and f not in obj._pointers:
                visit(value, p)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, CObject):
                        visit(item, f"{p}[{i}]")
                    elif item:
                        out[f"{p}[{i}]"] = item
            elif value not in (0, False, None):
                out[p] = c_value(value)

    visit(glob, "")
    visit(machine, "ms")
    if machine.numa_state is not None:
        visit(machine.numa_state, "numa_state")
    if machine.possible_cpus is not None:
        visit(machine.possible_cpus, "possible_cpus")
    for backend in backends or []:
        visit(backend, backend.path)
    return out
