"""QEMU 4.2's debug information: what gdb reads from DWARF on the -O0 -g3 build.

The C types of include/hw/boards.h and include/sysemu/numa.h (only the members this path
touches), the globals, each traced function's parameters and locals, and where every
object lives, so a pointer value (an integer address) leads back to the memory path the
trace writes (`numa_state.nodes[1].node_mem`). The debugger finds it through
tracesim.debuginfo.debug_info("4.2"); the C type vocabulary is tracesim.debuginfo.ctypes.
"""
from __future__ import annotations

from ..debuginfo.ctypes import (BOOL, CHAR_P, CONST_CHAR_P, INT, INT64, UINT, UINT8, UINT16,
                                UINT32, UINT64, UINTPTR, SIZE_T, VOID, Array, Const, CType,
                                Func, Pointer, Struct, Typedef, layout, opaque, struct)
from ..debuginfo.program import (CodeMap, DebugInfo, Function, Global, Local, Region, Root,
                                 UnsteppedFrame, struct_table, typedef_table)
from .state import (ADDR_BACKENDS, ADDR_MACHINE, ADDR_MACHINE_CLASS, ADDR_NUMA_STATE,
                    ADDR_POSSIBLE_CPUS, MAX_NODES)

RAM_ADDR = Typedef("ram_addr_t", UINTPTR)  # include/exec/cpu-common.h, no Xen backend

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
TYPEDEFS: dict[str, CType] = typedef_table(
    UINT8, UINT16, UINT32, UINT64, INT64, UINTPTR, SIZE_T, RAM_ADDR, NODE_INFO, NUMA_STATE,
    CPU_PROPS, CPU_ARCH_ID, CPU_ARCH_ID_LIST, CPU_TOPOLOGY, MACHINE_STATE, X86_MACHINE_STATE,
    MACHINE_CLASS, UINT16_LIST, X86_TOPO, OBJECT, OBJECT_CLASS, QEMU_OPTS, ERROR, VISITOR,
    NUMA_OPTIONS, NUMA_NODE_OPTIONS, NUMA_DIST_OPTIONS, LOCATION,
    UINT8.target, UINT16.target, UINT32.target, UINT64.target, INT64.target)
STRUCT_TAGS: dict[str, Struct] = struct_table(TYPEDEFS, _HOST_MEMORY_BACKEND)

# -g3 keeps the macros; gdb expands them in expressions (object-like ones only here).
MACROS: dict[str, str] = {
    "MAX_NODES": "128", "NUMA_NODE_UNASSIGNED": "128", "NUMA_DISTANCE_MIN": "10",
    "NUMA_DISTANCE_DEFAULT": "20", "NUMA_DISTANCE_MAX": "254",
    "NUMA_DISTANCE_UNREACHABLE": "255", "bool": "_Bool", "true": "1", "false": "0",
    "NULL": "((void *)0)", "KiB": "(1L << 10)", "MiB": "(1L << 20)", "GiB": "(1L << 30)",
}

# --------------------------------------------------------------------------- globals

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

# Memory the trace never writes because it is set before the traced path starts.
PRESET: dict[str, int] = {
    "ms.parent_obj.class": ADDR_MACHINE_CLASS,  # object_new(machine type)
}
ROOTS: tuple[Root, ...] = (
    Root(ADDR_MACHINE, X86_MACHINE_STATE, "ms"),
    Root(ADDR_MACHINE_CLASS, MACHINE_CLASS, "mc"),
    Root(ADDR_NUMA_STATE, NUMA_STATE, "numa_state"),
    Root(ADDR_POSSIBLE_CPUS, CPU_ARCH_ID_LIST, "possible_cpus", "possible_cpus.len"),
) + tuple(Root(g.address, g.type, g.path) for g in GLOBALS.values() if g.path)
# the memory backends the model creates, one object per 0x100 bytes
BACKENDS = Region(ADDR_BACKENDS, 0x100, 64, Typedef("HostMemoryBackend", _HOST_MEMORY_BACKEND),
                  "backends[{}]")

# --------------------------------------------------------------------------- functions

MS_P = Pointer(MACHINE_STATE)
MC_P = Pointer(MACHINE_CLASS)
X86_P = Pointer(X86_MACHINE_STATE)
NODES_P = Pointer(NODE_INFO)
ERRP = Pointer(Pointer(ERROR))
ARCH_IDS_P = Pointer(Const(CPU_ARCH_ID_LIST))
AUTO_ASSIGN_PARAMS = (("mc", MC_P), ("nodes", NODES_P), ("nb_nodes", INT), ("size", RAM_ADDR))
QEMU_OPTS_LIST = opaque("QemuOptsList")


def opts_foreach_params(qemu_opts: CType, errp: CType) -> tuple[tuple[str, CType], ...]:
    """util/qemu-option.c's qemu_opts_foreach(list, func, opaque, errp)."""
    loopfunc = Typedef("qemu_opts_loopfunc",
                       Pointer(Func(INT, (Pointer(VOID), Pointer(qemu_opts), errp))))
    return (("list", Pointer(QEMU_OPTS_LIST)), ("func", loopfunc), ("opaque", Pointer(VOID)),
            ("errp", errp))


def opts_foreach_frame(call: int) -> UnsteppedFrame:
    """qemu_opts_foreach's frame, which the model records (bt shows it) but does not step:
    it stands on the line calling parse_numa through `func`; `next` out of parse_numa
    lands on the next line; the function is 16 lines long from the `{` gdb breaks on."""
    return UnsteppedFrame(fn="qemu_opts_foreach", file="util/qemu-option.c", entry=call - 8,
                          last=call + 8, call_lines={"parse_numa": call},
                          return_lines={"parse_numa": call + 1}, default_line=call)


OPTS_FOREACH_PARAMS = opts_foreach_params(QEMU_OPTS, ERRP)
MC_LOCAL = Local("mc", MC_P)  # recorded by the model where it matters
NUMA_INFO = Local("numa_info", NODES_P)


def _fn(name: str, file: str, address: int, ret: CType, params: tuple[tuple[str, CType], ...],
        *locals: Local) -> Function:
    return Function(name, file, ret, params, tuple(locals), address)


# code addresses: the low pcs gdb printed (`<main>`, `<parse_numa>`, a function pointer),
# 0 where no session showed one (DebugInfo.low_pcs places it before its entry line)
FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    _fn("qemu_opts_foreach", "util/qemu-option.c", 0, INT, OPTS_FOREACH_PARAMS),
    _fn("main", "vl.c", 0x5555559911DF, INT,
        (("argc", INT), ("argv", Pointer(CHAR_P)), ("envp", Pointer(CHAR_P)))),
    _fn("set_memory_options", "vl.c", 0, VOID,
        (("ram_slots", Pointer(UINT64)), ("maxram_size", Pointer(RAM_ADDR)), ("mc", MC_P)),
        Local("sz", UINT64), Local("mem_str", CONST_CHAR_P),
        Local("default_ram_size", Const(RAM_ADDR)), Local("opts", Pointer(QEMU_OPTS)),
        Local("overflow_check", UINT64), Local("slots", UINT64)),
    _fn("pc_smp_parse", "hw/i386/pc.c", 0, VOID,
        (("ms", MS_P), ("opts", Pointer(QEMU_OPTS))),
        Local("x86ms", X86_P, 914, ADDR_MACHINE), Local("cpus", UINT), Local("sockets", UINT),
        Local("dies", UINT), Local("cores", UINT), Local("threads", UINT)),
    _fn("smp_parse", "hw/core/machine.c", 0, VOID,
        (("ms", MS_P), ("opts", Pointer(QEMU_OPTS))),
        Local("cpus", UINT), Local("sockets", UINT), Local("cores", UINT),
        Local("threads", UINT)),
    _fn("parse_numa_opts", "hw/core/numa.c", 0, VOID, (("ms", MS_P),)),
    _fn("parse_numa", "hw/core/numa.c", 0x55555587A3A2, INT,
        (("opaque", Pointer(VOID)), ("opts", Pointer(QEMU_OPTS)), ("errp", ERRP)),
        Local("object", Pointer(NUMA_OPTIONS), 226, 0),
        Local("ms", MS_P, 227, ADDR_MACHINE), Local("err", Pointer(ERROR), 228, 0),
        Local("v", Pointer(VISITOR)), Local("mem_str", CONST_CHAR_P)),
    _fn("set_numa_options", "hw/core/numa.c", 0, VOID,
        (("ms", MS_P), ("object", Pointer(NUMA_OPTIONS)), ("errp", ERRP)),
        Local("err", Pointer(ERROR), 180, 0), Local("mc", MC_P, 181, ADDR_MACHINE_CLASS)),
    _fn("parse_numa_node", "hw/core/numa.c", 0, VOID,
        (("ms", MS_P), ("node", Pointer(NUMA_NODE_OPTIONS)), ("errp", ERRP)),
        Local("err", Pointer(ERROR), 62, 0), Local("nodenr", UINT16),
        Local("cpus", Pointer(UINT16_LIST)), MC_LOCAL, Local("max_cpus", UINT), NUMA_INFO,
        Local("props", CPU_PROPS), Local("o", Pointer(OBJECT))),
    _fn("parse_numa_distance", "hw/core/numa.c", 0, VOID,
        (("ms", MS_P), ("dist", Pointer(NUMA_DIST_OPTIONS)), ("errp", ERRP)),
        Local("src", UINT16), Local("dst", UINT16), Local("val", UINT8), NUMA_INFO),
    _fn("x86_cpu_index_to_props", "hw/i386/x86.c", 0, CPU_PROPS,
        (("ms", MS_P), ("cpu_index", UINT)),
        Local("mc", MC_P, 132, ADDR_MACHINE_CLASS), Local("possible_cpus", ARCH_IDS_P)),
    _fn("x86_possible_cpu_arch_ids", "hw/i386/x86.c", 0, ARCH_IDS_P,
        (("ms", MS_P),),
        Local("x86ms", X86_P, 153, ADDR_MACHINE), Local("i", INT), Local("max_cpus", UINT),
        Local("topo", X86_TOPO)),
    _fn("x86_get_default_cpu_node_id", "hw/i386/x86.c", 0, INT64,
        (("ms", Pointer(Const(MACHINE_STATE))), ("idx", INT)),
        Local("topo", X86_TOPO), Local("x86ms", X86_P, 142, ADDR_MACHINE)),
    _fn("machine_set_cpu_numa_node", "hw/core/machine.c", 0, VOID,
        (("machine", MS_P), ("props", Pointer(Const(CPU_PROPS))), ("errp", ERRP)),
        Local("mc", MC_P, 647, ADDR_MACHINE_CLASS), Local("match", BOOL), Local("i", INT),
        Local("possible_cpus", ARCH_IDS_P), Local("slot", Pointer(CPU_ARCH_ID))),
    _fn("machine_run_board_init", "hw/core/machine.c", 0, VOID,
        (("machine", MS_P),), Local("machine_class", MC_P)),
    _fn("numa_complete_configuration", "hw/core/numa.c", 0, VOID,
        (("ms", MS_P),), Local("i", INT), MC_LOCAL, NUMA_INFO, Local("numa_total", UINT64)),
    _fn("numa_default_auto_assign_ram", "hw/core/numa.c", 0x55555587A96A, VOID,
        AUTO_ASSIGN_PARAMS, Local("i", INT), Local("usedmem", UINT64),
        Local("granularity", UINT64), Local("propagate", UINT64), Local("node_mem", UINT64)),
    _fn("numa_legacy_auto_assign_ram", "hw/core/numa.c", 0, VOID,
        AUTO_ASSIGN_PARAMS, Local("i", INT), Local("usedmem", UINT64)),
    _fn("validate_numa_distance", "hw/core/numa.c", 0, VOID, (("ms", MS_P),),
        Local("src", INT), Local("dst", INT), Local("is_asymmetrical", BOOL),
        Local("nb_numa_nodes", INT), NUMA_INFO),
    _fn("complete_init_numa_distance", "hw/core/numa.c", 0, VOID,
        (("ms", MS_P),), Local("src", INT), Local("dst", INT), NUMA_INFO),
    # GString *s is modelled as its text (a char *): the trace records the string.
    _fn("machine_numa_finish_cpu_init", "hw/core/machine.c", 0, VOID,
        (("machine", MS_P),),
        Local("i", INT), Local("default_mapping", BOOL), Local("s", CHAR_P),
        Local("mc", MC_P, 1056, ADDR_MACHINE_CLASS), Local("possible_cpus", ARCH_IDS_P),
        Local("cpu_slot", Pointer(Const(CPU_ARCH_ID))), Local("props", CPU_PROPS),
        Local("cpu_str", CHAR_P)),
    _fn("cpu_slot_to_string", "hw/core/machine.c", 0, CHAR_P,
        (("cpu", Pointer(Const(CPU_ARCH_ID))),), Local("s", CHAR_P)),
)}

# --------------------------------------------------------------------------- lines

# main (vl.c) is not stepped: its line while each call runs, and where `next` out of one
# lands, as gdb showed them (vl.c:3855, 3982)
MAIN = UnsteppedFrame(
    fn="main", file="vl.c", entry=2829,
    call_lines={"set_memory_options": 3853, "pc_smp_parse": 3978, "smp_parse": 3978,
                "parse_numa_opts": 4338, "machine_run_board_init": 4346},
    return_lines={"set_memory_options": 3855, "pc_smp_parse": 3982, "smp_parse": 3982,
                  "parse_numa_opts": 4339},
    default_line=4346,
)
# (file, line) -> offset in the binary, from ../shared/golden/gdb-sessions: where `break`
# stopped; the return addresses `bt` showed for three calls (lines between are interpolated)
CODE = CodeMap({
    # 4346: the call's line starts a line's worth of code before its return address
    "vl.c": [(2721, 0x43CDDE), (4346, 0x440D61 - 9)],
    "hw/core/machine.c": [(647, 0x4B8006), (725, 0x4B83C0), (1029, 0x4B9209),
                          (1052, 0x4B9349), (1103, 0x4B967C)],
    "hw/i386/pc.c": [(913, 0x37CEE5)],
    "hw/i386/x86.c": [(132, 0x3796C0), (140, 0x3797CB), (152, 0x3798D8)],
    "hw/core/numa.c": [(61, 0x325958), (144, 0x325F7A), (179, 0x326192), (225, 0x3263B6),
                       (264, 0x3264F6), (307, 0x326749), (331, 0x32688A), (349, 0x32697D),
                       (364, 0x326A6A), (469, 0x326E15)],
}, returns={
    "vl.c": {4346: {"machine_run_board_init": 0x440D61}},
    "hw/core/machine.c": {1106: {"numa_complete_configuration": 0x4B96CF}},
    "hw/core/numa.c": {442: {"exit": 0x326DC7}},
})

DEBUG_INFO = DebugInfo(
    profile="4.2",
    typedefs=TYPEDEFS,
    struct_tags=STRUCT_TAGS,
    macros=MACROS,
    globals=GLOBALS,
    functions=FUNCTIONS,
    roots=ROOTS,
    regions=(BACKENDS,),
    preset=PRESET,
    # `next` out of parse_numa lands on util/qemu-option.c:1171 (the gdb session): the call
    # through `func` is on 1170
    unstepped=(MAIN, opts_foreach_frame(1170)),
    code=CODE,
    cfg_module="tracesim.qemu.cfg",
    data_symbols={0x5555562784D0: "error_fatal", 0x5555562784D8: "error_abort",
                  0x5555560966E0: "qemu_numa_opts"},
    # strings gdb showed at a known offset from their object (golden prints)
    string_offsets={"mc.name": ADDR_MACHINE_CLASS + 0x210},
    # uninitialised stack slots as gdb showed them: int 21845, uint16_t 65535
    garbage_by_size={4: 21845, 2: 65535},
)
