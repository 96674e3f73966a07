"""The traced program's debug information: C types, globals, frames and addresses.

What gdb reads from DWARF on the -O0 -g3 build, written down for the debugger: the C types
of include/hw/boards.h and include/sysemu/numa.h (only the members this path touches), the
globals, each traced function's parameters and locals, and where every object lives, so a
pointer value (an integer address) leads back to the memory path the trace writes
(`numa_state.nodes[1].node_mem`). Type names print the way gdb 13 prints them.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Union

from .state import (ADDR_BACKENDS, ADDR_MACHINE, ADDR_MACHINE_CLASS, ADDR_NUMA_STATE,
                    ADDR_POSSIBLE_CPUS, MAX_NODES)

# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class IntType:
    name: str
    size: int
    signed: bool

    @property
    def textual(self) -> bool:
        """gdb prints any one-byte integer as a character (uint8_t distance[] as a string)."""
        return self.size == 1


@dataclass(frozen=True)
class BoolType:
    name: str = "_Bool"
    size: int = 1


@dataclass(frozen=True)
class VoidType:
    name: str = "void"
    size: int = 1  # gdb's sizeof(void)


@dataclass(frozen=True)
class Typedef:
    name: str
    target: "CType"

    @property
    def size(self) -> int:
        return self.target.size


@dataclass(frozen=True)
class Const:
    target: "CType"

    @property
    def size(self) -> int:
        return self.target.size


@dataclass(frozen=True)
class Pointer:
    target: "CType"
    size: int = 8


@dataclass(frozen=True)
class Array:
    element: "CType"
    length: int  # 0: a GNU zero-length trailing array (CPUArchIdList.cpus[0])

    @property
    def size(self) -> int:
        return self.element.size * self.length


@dataclass(frozen=True)
class Func:
    ret: "CType"
    params: tuple["CType", ...]
    size: int = 1  # gdb's sizeof of a function


@dataclass(frozen=True)
class Field:
    name: str
    type: "CType"
    offset: int
    path: str  # the member's segment in memory paths; "" folds into the parent's path


class Struct:
    """A struct type; compared by identity, as gdb does. `fields is None`: incomplete."""

    def __init__(self, tag: str | None, fields: list[Field] | None = None, size: int = 0,
                 align: int = 1) -> None:
        self.tag = tag
        self.fields = fields
        self.size = size
        self.align = align

    def field(self, name: str) -> Field | None:
        for f in self.fields or ():
            if f.name == name:
                return f
        return None

    def __repr__(self) -> str:
        return f"Struct({self.tag or '<anonymous>'})"


CType = Union[IntType, BoolType, VoidType, Typedef, Const, Pointer, Array, Func, Struct]


def strip(t: CType) -> CType:
    """The type under typedefs and qualifiers (gdb's check_typedef)."""
    while isinstance(t, (Typedef, Const)):
        t = t.target
    return t


def alignment(t: CType) -> int:
    t = strip(t)
    if isinstance(t, Struct):
        return t.align
    if isinstance(t, Array):
        return alignment(t.element)
    return max(1, min(t.size, 8))


def layout(s: Struct, members: list[tuple[CType, str]], paths: dict[str, str] | None = None
           ) -> Struct:
    """Lay members out as gcc does on x86_64 and complete the struct."""
    offset, align, fields = 0, 1, []
    for ctype, name in members:
        a = alignment(ctype)
        offset = (offset + a - 1) // a * a
        fields.append(Field(name, ctype, offset, (paths or {}).get(name, name)))
        offset += ctype.size
        align = max(align, a)
    s.fields, s.align, s.size = fields, align, (offset + align - 1) // align * align
    return s


def struct(tag: str | None, members: list[tuple[CType, str]],
           paths: dict[str, str] | None = None) -> Struct:
    return layout(Struct(tag), members, paths)


# --------------------------------------------------------------------------- naming


def base_name(t: CType) -> str:
    if isinstance(t, Typedef):
        return t.name
    if isinstance(t, Struct):
        return f"struct {t.tag}" if t.tag else "struct {...}"
    if isinstance(t, (IntType, BoolType, VoidType)):
        return t.name
    raise TypeError(t)


def declare(t: CType, inner: str = "", expand: int = 0) -> str:
    """C declaration syntax for `inner` of type t: `void (*)(MachineClass *, ...)`,
    `uint8_t distance[128]`. expand=1 shows the innermost named type's definition
    (ptype), with its typedefs resolved."""
    if isinstance(t, Pointer):
        target = t.target
        inner = "*" + inner
        if isinstance(target, (Array, Func)):
            inner = f"({inner})"
        return declare(target, inner, expand)
    if isinstance(t, Array):
        return declare(t.element, f"{inner}[{t.length}]", expand)
    if isinstance(t, Func):
        params = ", ".join(declare(p) for p in t.params) if t.params else "void"
        return declare(t.ret, f"{inner}({params})", expand)
    if isinstance(t, Const):
        return "const " + declare(t.target, inner, expand)
    text = definition(t) if expand else base_name(t)
    return f"{text} {inner}" if inner else text


def type_name(t: CType) -> str:
    """What `whatis` prints: the declared type, typedef names kept."""
    return declare(t)


def definition(t: CType) -> str:
    """The named type spelt out: typedefs resolved, a struct with its members (ptype)."""
    while isinstance(t, Typedef):
        t = t.target
    if isinstance(t, (Const, Pointer, Array, Func)):
        return declare(t, "", 1)
    if not isinstance(t, Struct):
        return base_name(t)
    head = f"struct {t.tag} " if t.tag else "struct "
    if t.fields is None:
        return head + "{\n    <incomplete type>\n}"
    if not t.fields:
        return head + "{}"
    body = "".join(f"    {declare(f.type, f.name)};\n" for f in t.fields)
    return head + "{\n" + body + "}"


def ptype_name(t: CType) -> str:
    """What `ptype` prints: the whole declarator with its base type defined."""
    return declare(t, "", 1)


# --------------------------------------------------------------------------- base types

CHAR = IntType("char", 1, True)
SCHAR = IntType("signed char", 1, True)
UCHAR = IntType("unsigned char", 1, False)
SHORT = IntType("short", 2, True)
USHORT = IntType("unsigned short", 2, False)
INT = IntType("int", 4, True)
UINT = IntType("unsigned int", 4, False)
LONG = IntType("long", 8, True)
ULONG = IntType("unsigned long", 8, False)
LONGLONG = IntType("long long", 8, True)
ULONGLONG = IntType("unsigned long long", 8, False)
BOOL = BoolType()
VOID = VoidType()

UINT8 = Typedef("uint8_t", Typedef("__uint8_t", UCHAR))
UINT16 = Typedef("uint16_t", Typedef("__uint16_t", USHORT))
UINT32 = Typedef("uint32_t", Typedef("__uint32_t", UINT))
UINT64 = Typedef("uint64_t", Typedef("__uint64_t", ULONG))
INT64 = Typedef("int64_t", Typedef("__int64_t", LONG))
UINTPTR = Typedef("uintptr_t", ULONG)
SIZE_T = Typedef("size_t", ULONG)
RAM_ADDR = Typedef("ram_addr_t", UINTPTR)  # include/exec/cpu-common.h, no Xen backend

CHAR_P = Pointer(CHAR)
CONST_CHAR_P = Pointer(Const(CHAR))


def opaque(tag: str) -> Typedef:
    """A QEMU type this path only points at (QOM objects, options, errors)."""
    return Typedef(tag, Struct(tag))


OBJECT_CLASS = opaque("ObjectClass")
# include/qom/object.h: only `class` (the first member) is known; object_new sets it
OBJECT = Typedef("Object", struct("Object", [(Pointer(OBJECT_CLASS), "class")]))
QEMU_OPTS = opaque("QemuOpts")
ERROR = opaque("Error")
VISITOR = opaque("Visitor")
NUMA_OPTIONS = opaque("NumaOptions")
NUMA_NODE_OPTIONS = opaque("NumaNodeOptions")
NUMA_DIST_OPTIONS = opaque("NumaDistOptions")
LOCATION = opaque("Location")

# --------------------------------------------------------------------------- QEMU's structs

_HOST_MEMORY_BACKEND = struct("HostMemoryBackend", [(UINT64, "size")])
_NODE_INFO = struct("NodeInfo", [            # include/sysemu/numa.h
    (UINT64, "node_mem"),
    (Pointer(_HOST_MEMORY_BACKEND), "node_memdev"),
    (BOOL, "present"),
    (Array(UINT8, MAX_NODES), "distance"),
])
NODE_INFO = Typedef("NodeInfo", _NODE_INFO)
_NUMA_STATE = struct("NumaState", [
    (INT, "num_nodes"),
    (BOOL, "have_numa_distance"),
    (Array(NODE_INFO, MAX_NODES), "nodes"),
])
NUMA_STATE = Typedef("NumaState", _NUMA_STATE)
_PROPS = struct("CpuInstanceProperties", [  # qapi-types-machine.h
    (BOOL, "has_node_id"), (INT64, "node_id"),
    (BOOL, "has_socket_id"), (INT64, "socket_id"),
    (BOOL, "has_die_id"), (INT64, "die_id"),
    (BOOL, "has_core_id"), (INT64, "core_id"),
    (BOOL, "has_thread_id"), (INT64, "thread_id"),
])
CPU_PROPS = Typedef("CpuInstanceProperties", _PROPS)
CPU_ARCH_ID = Typedef("CPUArchId", struct("CPUArchId", [  # include/hw/boards.h
    (UINT64, "arch_id"),
    (INT64, "vcpus_count"),
    (CPU_PROPS, "props"),
    (Pointer(OBJECT), "cpu"),
    (CONST_CHAR_P, "type"),
]))
CPU_ARCH_ID_LIST = Typedef("CPUArchIdList", struct(None, [
    (INT, "len"),
    (Array(CPU_ARCH_ID, 0), "cpus"),
]))
CPU_TOPOLOGY = Typedef("CpuTopology", struct("CpuTopology", [
    (UINT, "cpus"), (UINT, "cores"), (UINT, "threads"), (UINT, "max_cpus"),
]))
_MACHINE_STATE = struct("MachineState", [
    (OBJECT, "parent_obj"),
    (RAM_ADDR, "ram_size"),
    (RAM_ADDR, "maxram_size"),
    (UINT64, "ram_slots"),
    (CONST_CHAR_P, "cpu_type"),
    (Pointer(CPU_ARCH_ID_LIST), "possible_cpus"),
    (CPU_TOPOLOGY, "smp"),
    (Pointer(_NUMA_STATE), "numa_state"),
])
MACHINE_STATE = Typedef("MachineState", _MACHINE_STATE)
# include/hw/i386/x86.h: the machine object is an X86MachineState whose first member is
# MachineState; the trace keeps its smp_dies beside MachineState's fields (`ms.smp_dies`).
X86_MACHINE_STATE = Typedef("X86MachineState", struct(None, [
    (MACHINE_STATE, "parent"),
    (UINT, "smp_dies"),
], paths={"parent": ""}))

_MACHINE_CLASS = Struct("MachineClass")
MACHINE_CLASS = Typedef("MachineClass", _MACHINE_CLASS)
AUTO_ASSIGN_RAM = Func(VOID, (Pointer(MACHINE_CLASS), Pointer(NODE_INFO), INT, RAM_ADDR))
layout(_MACHINE_CLASS, [  # the members publish_machine_class writes, in boards.h's order
    (CHAR_P, "name"),
    (CONST_CHAR_P, "alias"),
    (CONST_CHAR_P, "desc"),
    (Pointer(Func(VOID, (Pointer(MACHINE_STATE), Pointer(QEMU_OPTS)))), "smp_parse"),
    (INT, "max_cpus"),
    (INT, "is_default"),
    (RAM_ADDR, "default_ram_size"),
    (CONST_CHAR_P, "default_cpu_type"),
    (INT, "numa_mem_align_shift"),
    (Pointer(CONST_CHAR_P), "valid_cpu_types"),
    (BOOL, "auto_enable_numa_with_memhp"),
    (Pointer(AUTO_ASSIGN_RAM), "numa_auto_assign_ram"),
    (BOOL, "numa_mem_supported"),
    (BOOL, "auto_enable_numa"),
    (Pointer(Func(CPU_PROPS, (Pointer(MACHINE_STATE), UINT))), "cpu_index_to_instance_props"),
    (Pointer(Func(Pointer(Const(CPU_ARCH_ID_LIST)), (Pointer(MACHINE_STATE),))),
     "possible_cpu_arch_ids"),
    (Pointer(Func(INT64, (Pointer(Const(MACHINE_STATE)), INT))), "get_default_cpu_node_id"),
])

_UINT16_LIST = Struct("uint16List")
UINT16_LIST = Typedef("uint16List", _UINT16_LIST)
layout(_UINT16_LIST, [(Pointer(_UINT16_LIST), "next"), (UINT16, "value")])
X86_TOPO = Typedef("X86CPUTopoInfo", struct("X86CPUTopoInfo", [
    (UINT, "pkg_id"), (UINT, "die_id"), (UINT, "core_id"), (UINT, "smt_id"),
]))

# Type names an expression may use (casts, sizeof, ptype/whatis).
TYPEDEFS: dict[str, CType] = {t.name: t for t in (
    UINT8, UINT16, UINT32, UINT64, INT64, UINTPTR, SIZE_T, RAM_ADDR, NODE_INFO, NUMA_STATE,
    CPU_PROPS, CPU_ARCH_ID, CPU_ARCH_ID_LIST, CPU_TOPOLOGY, MACHINE_STATE, X86_MACHINE_STATE,
    MACHINE_CLASS, UINT16_LIST, X86_TOPO, OBJECT, OBJECT_CLASS, QEMU_OPTS, ERROR, VISITOR, NUMA_OPTIONS,
    NUMA_NODE_OPTIONS, NUMA_DIST_OPTIONS, LOCATION,
    UINT8.target, UINT16.target, UINT32.target, UINT64.target, INT64.target)
    if isinstance(t, Typedef)}
STRUCT_TAGS: dict[str, Struct] = {}
for _t in list(TYPEDEFS.values()):
    _s = strip(_t)
    if isinstance(_s, Struct) and _s.tag:
        STRUCT_TAGS[_s.tag] = _s
STRUCT_TAGS["HostMemoryBackend"] = _HOST_MEMORY_BACKEND

# C's base type keywords, spelt the way gdb names the type.
BASE_TYPES: dict[str, CType] = {
    "char": CHAR, "signed char": SCHAR, "unsigned char": UCHAR,
    "short": SHORT, "short int": SHORT, "signed short": SHORT, "unsigned short": USHORT,
    "short unsigned int": USHORT, "unsigned short int": USHORT,
    "int": INT, "signed": INT, "signed int": INT, "unsigned": UINT, "unsigned int": UINT,
    "long": LONG, "long int": LONG, "signed long": LONG, "unsigned long": ULONG,
    "long unsigned int": ULONG, "unsigned long int": ULONG,
    "long long": LONGLONG, "unsigned long long": ULONGLONG, "_Bool": BOOL, "void": VOID,
}

# -g3 keeps the macros; gdb expands them in expressions (object-like ones only here).
MACROS: dict[str, str] = {
    "MAX_NODES": "128", "NUMA_NODE_UNASSIGNED": "128", "NUMA_DISTANCE_MIN": "10",
    "NUMA_DISTANCE_DEFAULT": "20", "NUMA_DISTANCE_MAX": "254",
    "NUMA_DISTANCE_UNREACHABLE": "255", "bool": "_Bool", "true": "1", "false": "0",
    "NULL": "((void *)0)", "KiB": "(1L << 10)", "MiB": "(1L << 20)", "GiB": "(1L << 30)",
}

# --------------------------------------------------------------------------- globals


@dataclass(frozen=True)
class Global:
    name: str
    type: CType
    address: int
    path: str | None  # its memory path; None: a constant (`fixed`)
    fixed: int = 0
    live_prefix: str = ""  # `fixed` holds once a path with this prefix was written


_BSS = 0x555556285000  # invented .bss addresses for the globals

GLOBALS: dict[str, Global] = {g.name: g for g in (
    Global("ram_size", RAM_ADDR, _BSS, "ram_size"),
    # main's locals (vl.c), whose addresses main passes to set_memory_options
    Global("maxram_size", RAM_ADDR, 0x7FFFFFFFDF98, "maxram_size"),
    Global("ram_slots", UINT64, 0x7FFFFFFFDFA0, "ram_slots"),
    Global("current_machine", Pointer(MACHINE_STATE), _BSS + 0x8, None, ADDR_MACHINE, "ms."),
    Global("have_memdevs", INT, _BSS + 0x10, "have_memdevs"),  # numa.c statics
    Global("have_mem", INT, _BSS + 0x14, "have_mem"),
    Global("max_numa_nodeid", INT, _BSS + 0x18, "max_numa_nodeid"),
)}

# --------------------------------------------------------------------------- objects


@dataclass(frozen=True)
class Root:
    """An object at a fixed address whose members the trace writes under `path`."""
    address: int
    type: CType
    path: str


# Memory the trace never writes because it is set before the traced path starts.
PRESET: dict[str, int] = {
    "ms.parent_obj.class": ADDR_MACHINE_CLASS,  # object_new(machine type)
}
BACKEND_STRIDE = 0x100
MAX_BACKENDS = 64
ROOTS: tuple[Root, ...] = (
    Root(ADDR_MACHINE, X86_MACHINE_STATE, "ms"),
    Root(ADDR_MACHINE_CLASS, MACHINE_CLASS, "mc"),
    Root(ADDR_NUMA_STATE, NUMA_STATE, "numa_state"),
    Root(ADDR_POSSIBLE_CPUS, CPU_ARCH_ID_LIST, "possible_cpus"),  # extent: its len
) + tuple(Root(g.address, g.type, g.path) for g in GLOBALS.values() if g.path)


def roots_at(address: int) -> list[Root]:
    """The objects whose storage may hold `address` (the caller bounds flexible arrays)."""
    found = [r for r in ROOTS if r.address <= address < r.address + max(r.type.size, 1)
             or (r.path == "possible_cpus" and address >= r.address)]
    if ADDR_BACKENDS <= address < ADDR_BACKENDS + BACKEND_STRIDE * MAX_BACKENDS:
        i = (address - ADDR_BACKENDS) // BACKEND_STRIDE
        found.append(Root(ADDR_BACKENDS + BACKEND_STRIDE * i, Typedef("HostMemoryBackend",
                                                                      _HOST_MEMORY_BACKEND),
                          f"backends[{i}]"))
    return found


# --------------------------------------------------------------------------- functions


@dataclass(frozen=True)
class Local:
    """A local variable. Unless the trace recorded it, it reads as garbage until the frame
    has passed line `after`, then as `init` (initialisers the model does not record)."""
    name: str
    type: CType
    after: int | None = None
    init: int = 0


@dataclass(frozen=True)
class Function:
    name: str
    file: str
    ret: CType
    params: tuple[tuple[str, CType], ...]
    locals: tuple[Local, ...]
    address: int

    @property
    def type(self) -> Func:
        return Func(self.ret, tuple(t for _, t in self.params))

    def symbol(self, name: str) -> CType | None:
        for pname, ptype in self.params:
            if pname == name:
                return ptype
        for local in self.locals:
            if local.name == name:
                return local.type
        return None

    def local(self, name: str) -> Local | None:
        return next((l for l in self.locals if l.name == name), None)


MS_P = Pointer(MACHINE_STATE)
MC_P = Pointer(MACHINE_CLASS)
X86_P = Pointer(X86_MACHINE_STATE)
NODES_P = Pointer(NODE_INFO)
ERRP = Pointer(Pointer(ERROR))
ARCH_IDS_P = Pointer(Const(CPU_ARCH_ID_LIST))
AUTO_ASSIGN_PARAMS = (("mc", MC_P), ("nodes", NODES_P), ("nb_nodes", INT), ("size", RAM_ADDR))
MC_LOCAL = Local("mc", MC_P)  # recorded by the model where it matters
NUMA_INFO = Local("numa_info", NODES_P)


def _fn(name: str, file: str, address: int, ret: CType, params: tuple[tuple[str, CType], ...],
        *locals: Local) -> Function:
    return Function(name, file, ret, params, tuple(locals), address)


FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    _fn("main", "vl.c", 0x555555A3F10B, INT,
        (("argc", INT), ("argv", Pointer(CHAR_P)), ("envp", Pointer(CHAR_P)))),
    _fn("set_memory_options", "vl.c", 0x555555A3A2C4, VOID,
        (("ram_slots", Pointer(UINT64)), ("maxram_size", Pointer(RAM_ADDR)), ("mc", MC_P)),
        Local("sz", UINT64), Local("mem_str", CONST_CHAR_P),
        Local("default_ram_size", Const(RAM_ADDR)), Local("opts", Pointer(QEMU_OPTS)),
        Local("overflow_check", UINT64), Local("slots", UINT64)),
    _fn("pc_smp_parse", "hw/i386/pc.c", 0x555555920F3B, VOID,
        (("ms", MS_P), ("opts", Pointer(QEMU_OPTS))),
        Local("x86ms", X86_P, 914, ADDR_MACHINE), Local("cpus", UINT), Local("sockets", UINT),
        Local("dies", UINT), Local("cores", UINT), Local("threads", UINT)),
    _fn("smp_parse", "hw/core/machine.c", 0x5555558E57A2, VOID,
        (("ms", MS_P), ("opts", Pointer(QEMU_OPTS))),
        Local("cpus", UINT), Local("sockets", UINT), Local("cores", UINT),
        Local("threads", UINT)),
    _fn("parse_numa_opts", "hw/core/numa.c", 0x55555587AFA5, VOID, (("ms", MS_P),)),
    _fn("parse_numa", "hw/core/numa.c", 0x55555587A7A1, INT,
        (("opaque", Pointer(VOID)), ("opts", Pointer(QEMU_OPTS)), ("errp", ERRP)),
        Local("object", Pointer(NUMA_OPTIONS), 226, 0),
        Local("ms", MS_P, 227, ADDR_MACHINE), Local("err", Pointer(ERROR), 228, 0),
        Local("v", Pointer(VISITOR)), Local("mem_str", CONST_CHAR_P)),
    _fn("set_numa_options", "hw/core/numa.c", 0x55555587A5B2, VOID,
        (("ms", MS_P), ("object", Pointer(NUMA_OPTIONS)), ("errp", ERRP)),
        Local("err", Pointer(ERROR), 180, 0), Local("mc", MC_P, 181, ADDR_MACHINE_CLASS)),
    _fn("parse_numa_node", "hw/core/numa.c", 0x555555879C3E, VOID,
        (("ms", MS_P), ("node", Pointer(NUMA_NODE_OPTIONS)), ("errp", ERRP)),
        Local("err", Pointer(ERROR), 62, 0), Local("nodenr", UINT16),
        Local("cpus", Pointer(UINT16_LIST)), MC_LOCAL, Local("max_cpus", UINT), NUMA_INFO,
        Local("props", CPU_PROPS), Local("o", Pointer(OBJECT))),
    _fn("parse_numa_distance", "hw/core/numa.c", 0x55555587A2B4, VOID,
        (("ms", MS_P), ("dist", Pointer(NUMA_DIST_OPTIONS)), ("errp", ERRP)),
        Local("src", UINT16), Local("dst", UINT16), Local("val", UINT8), NUMA_INFO),
    _fn("x86_cpu_index_to_props", "hw/i386/x86.c", 0x55555592C1D5, CPU_PROPS,
        (("ms", MS_P), ("cpu_index", UINT)),
        Local("mc", MC_P, 132, ADDR_MACHINE_CLASS), Local("possible_cpus", ARCH_IDS_P)),
    _fn("x86_possible_cpu_arch_ids", "hw/i386/x86.c", 0x55555592C3A9, ARCH_IDS_P,
        (("ms", MS_P),),
        Local("x86ms", X86_P, 153, ADDR_MACHINE), Local("i", INT), Local("max_cpus", UINT),
        Local("topo", X86_TOPO)),
    _fn("x86_get_default_cpu_node_id", "hw/i386/x86.c", 0x55555592C2B2, INT64,
        (("ms", Pointer(Const(MACHINE_STATE))), ("idx", INT)),
        Local("topo", X86_TOPO), Local("x86ms", X86_P, 142, ADDR_MACHINE)),
    _fn("machine_set_cpu_numa_node", "hw/core/machine.c", 0x5555558E5E4C, VOID,
        (("machine", MS_P), ("props", Pointer(Const(CPU_PROPS))), ("errp", ERRP)),
        Local("mc", MC_P, 647, ADDR_MACHINE_CLASS), Local("match", BOOL), Local("i", INT),
        Local("possible_cpus", ARCH_IDS_P), Local("slot", Pointer(CPU_ARCH_ID))),
    _fn("machine_run_board_init", "hw/core/machine.c", 0x5555558E7B1E, VOID,
        (("machine", MS_P),), Local("machine_class", MC_P)),
    _fn("numa_complete_configuration", "hw/core/numa.c", 0x55555587AB26, VOID,
        (("ms", MS_P),), Local("i", INT), MC_LOCAL, NUMA_INFO, Local("numa_total", UINT64)),
    _fn("numa_default_auto_assign_ram", "hw/core/numa.c", 0x55555587A96A, VOID,
        AUTO_ASSIGN_PARAMS, Local("i", INT), Local("usedmem", UINT64),
        Local("granularity", UINT64), Local("propagate", UINT64), Local("node_mem", UINT64)),
    _fn("numa_legacy_auto_assign_ram", "hw/core/numa.c", 0x55555587A8AB, VOID,
        AUTO_ASSIGN_PARAMS, Local("i", INT), Local("usedmem", UINT64)),
    _fn("validate_numa_distance", "hw/core/numa.c", 0x55555587A43E, VOID, (("ms", MS_P),),
        Local("src", INT), Local("dst", INT), Local("is_asymmetrical", BOOL),
        Local("nb_numa_nodes", INT), NUMA_INFO),
    _fn("complete_init_numa_distance", "hw/core/numa.c", 0x55555587A6D3, VOID,
        (("ms", MS_P),), Local("src", INT), Local("dst", INT), NUMA_INFO),
    # GString *s is modelled as its text (a char *): the trace records the string.
    _fn("machine_numa_finish_cpu_init", "hw/core/machine.c", 0x5555558E76C5, VOID,
        (("machine", MS_P),),
        Local("i", INT), Local("default_mapping", BOOL), Local("s", CHAR_P),
        Local("mc", MC_P, 1056, ADDR_MACHINE_CLASS), Local("possible_cpus", ARCH_IDS_P),
        Local("cpu_slot", Pointer(Const(CPU_ARCH_ID))), Local("props", CPU_PROPS),
        Local("cpu_str", CHAR_P)),
    _fn("cpu_slot_to_string", "hw/core/machine.c", 0x5555558E74A8, CHAR_P,
        (("cpu", Pointer(Const(CPU_ARCH_ID))),), Local("s", CHAR_P)),
)}

FUNCTION_ADDRESSES: dict[str, int] = {f.name: f.address for f in FUNCTIONS.values()}
_TEXT = 0x555555800000
_STACK = 0x7F0000000000  # main's locals live here: no symbol to print


def function_address(name: str) -> int:
    """Where a function's code starts (the observed address where known, else invented)."""
    return FUNCTION_ADDRESSES.get(name) or _TEXT + (zlib.crc32(name.encode()) & 0x7FFFF) * 2


def function_at(address: int) -> str | None:
    for name, start in FUNCTION_ADDRESSES.items():
        if start == address:
            return name
    return None


def symbol_at(address: int) -> tuple[str, int] | None:
    """The minimal symbol holding `address`, as gdb prints `<name+offset>`."""
    best: tuple[str, int] | None = None
    for name, start in FUNCTION_ADDRESSES.items():
        if start <= address < start + 0x400 and (best is None or address - start < best[1]):
            best = (name, address - start)
    for g in GLOBALS.values():
        if g.address <= address < g.address + g.type.size and g.address < _STACK:
            return g.name, address - g.address
    return best


# --------------------------------------------------------------------------- strings

_RODATA = 0x555555A80000
# Strings gdb showed at a known offset from their object (golden prints).
_STRING_OFFSETS = {"mc.name": ADDR_MACHINE_CLASS + 0x210}


def string_address(path: str, text: str) -> int:
    """A stable invented address for the char * stored at `path`: equal texts share one
    (ms->cpu_type and every slot's type point at the class's default_cpu_type)."""
    if path in _STRING_OFFSETS:
        return _STRING_OFFSETS[path]
    return _RODATA + (zlib.crc32(text.encode()) & 0x3FFFF) * 0x10


def garbage(t: CType) -> int:
    """What an uninitialised local reads as (observed: 21845 for int, 65535 for uint16_t)."""
    t = strip(t)
    if isinstance(t, IntType):
        return {4: 21845, 2: 65535}.get(t.size, 0)
    return 0
