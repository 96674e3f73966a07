"""QEMU 7.2's debug information: what gdb 13 reads from DWARF on the -O0 -g3 rebuild of
Debian's 7.2.22 (../shared/golden/qemu-7.2, ../shared/golden/gdb-sessions/qemu-7.2-*).

7.2's include/hw/boards.h and include/sysemu/numa.h as far as this path touches them:
MachineState keeps RAM sizes and the memory backends (`memdev`, `ram`), CpuTopology has
sockets, dies and clusters, NodeInfo has `has_cpu`, `lb_info_provided` and `initiator`,
NumaState has HMAT's tables, CpuInstanceProperties has cluster ids, MachineClass has
`smp_props` and `default_ram_id`. The model writes these objects at 4.2's addresses
(tracesim/qemu/state.py), so the roots are the same. The debugger finds this through
tracesim.debuginfo.debug_info("7.2").
"""
from __future__ import annotations

from ...debuginfo.ctypes import (BOOL, CHAR_P, CONST_CHAR_P, INT, INT64, UINT, UINT8, UINT16,
                                 UINT32, UINT64, UINTPTR, SIZE_T, VOID, Array, Const, CType,
                                 Func, Pointer, Struct, Typedef, layout, opaque, struct)
from ...debuginfo.program import (CodeMap, DebugInfo, Function, Global, Local, Region, Root,
                                  UnsteppedFrame, struct_table, typedef_table)
from ..state import (ADDR_BACKENDS, ADDR_MACHINE, ADDR_MACHINE_CLASS, ADDR_NUMA_STATE,
                     ADDR_POSSIBLE_CPUS, MAX_NODES)
from ..symbols import opts_foreach_frame, opts_foreach_params
from . import code
from .state import HMAT_CACHE_LEVELS, HMAT_LB_LEVELS, HMAT_LB_TYPES

RAM_ADDR = Typedef("ram_addr_t", UINTPTR)
ERROR_FATAL = 0x555556A0E5F0  # &error_fatal as the model passes it (v72/numa.py)
ADDR_NUMA_OPTS = ERROR_FATAL - 0xD8F00  # &qemu_numa_opts as the model passes it (v72/numa.py)
ERROR_ABORT = ERROR_FATAL + 8

OBJECT_CLASS = opaque("ObjectClass")
OBJECT = Typedef("Object", struct("Object", [(Pointer(OBJECT_CLASS), "class")]))
QEMU_OPTS = opaque("QemuOpts")
ERROR = opaque("Error")
VISITOR = opaque("Visitor")
MEMORY_REGION = opaque("MemoryRegion")
NUMA_OPTIONS = opaque("NumaOptions")
NUMA_NODE_OPTIONS = opaque("NumaNodeOptions")
NUMA_DIST_OPTIONS = opaque("NumaDistOptions")
NUMA_HMAT_LB_OPTIONS = opaque("NumaHmatLBOptions")
NUMA_HMAT_CACHE_OPTIONS = opaque("NumaHmatCacheOptions")
HMAT_LB_INFO = opaque("HMAT_LB_Info")
SMP_CONFIGURATION = opaque("SMPConfiguration")
CPU_CLASS = opaque("CPUClass")

# --------------------------------------------------------------------------- QEMU's structs

# include/sysemu/hostmem.h: the members the model writes (is_mapped: `backends[i].mapped`)
_HOST_MEMORY_BACKEND = struct("HostMemoryBackend", [
    (OBJECT, "parent"), (CHAR_P, "id"), (UINT64, "size"), (BOOL, "merge"), (BOOL, "dump"),
    (BOOL, "use_canonical_path"), (BOOL, "prealloc"), (BOOL, "is_mapped"),
], paths={"is_mapped": "mapped"})
HOST_MEMORY_BACKEND = Typedef("HostMemoryBackend", _HOST_MEMORY_BACKEND)
_NODE_INFO = struct("NodeInfo", [  # include/sysemu/numa.h
    (UINT64, "node_mem"),
    (Pointer(_HOST_MEMORY_BACKEND), "node_memdev"),
    (BOOL, "present"),
    (BOOL, "has_cpu"),
    (UINT8, "lb_info_provided"),
    (UINT16, "initiator"),
    (Array(UINT8, MAX_NODES), "distance"),
])
NODE_INFO = Typedef("NodeInfo", _NODE_INFO)
_NUMA_STATE = struct("NumaState", [
    (INT, "num_nodes"),
    (BOOL, "have_numa_distance"),
    (BOOL, "hmat_enabled"),
    (Array(NODE_INFO, MAX_NODES), "nodes"),
    (Array(Array(Pointer(HMAT_LB_INFO), HMAT_LB_TYPES), HMAT_LB_LEVELS), "hmat_lb"),
    (Array(Array(Pointer(NUMA_HMAT_CACHE_OPTIONS), HMAT_CACHE_LEVELS), MAX_NODES), "hmat_cache"),
])
NUMA_STATE = Typedef("NumaState", _NUMA_STATE)
_PROPS = struct("CpuInstanceProperties", [  # qapi-types-machine.h
    (BOOL, "has_node_id"), (INT64, "node_id"),
    (BOOL, "has_socket_id"), (INT64, "socket_id"),
    (BOOL, "has_die_id"), (INT64, "die_id"),
    (BOOL, "has_cluster_id"), (INT64, "cluster_id"),
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
    (UINT, "cpus"), (UINT, "sockets"), (UINT, "dies"), (UINT, "clusters"), (UINT, "cores"),
    (UINT, "threads"), (UINT, "max_cpus"),
]))
BOOT_CONFIGURATION = Typedef("BootConfiguration", struct("BootConfiguration", [
    (BOOL, "has_order"), (CHAR_P, "order"), (BOOL, "has_once"), (CHAR_P, "once"),
    (BOOL, "has_menu"), (BOOL, "menu"), (BOOL, "has_splash"), (CHAR_P, "splash"),
    (BOOL, "has_splash_time"), (INT64, "splash_time"),
    (BOOL, "has_reboot_timeout"), (INT64, "reboot_timeout"),
    (BOOL, "has_strict"), (BOOL, "strict"),
]))
_MACHINE_STATE = struct("MachineState", [  # `ptype ms` in the 7.2 gdb session
    (OBJECT, "parent_obj"),
    (Pointer(VOID), "fdt"),
    (CHAR_P, "dtb"),
    (CHAR_P, "dumpdtb"),
    (INT, "phandle_start"),
    (CHAR_P, "dt_compatible"),
    (BOOL, "dump_guest_core"),
    (BOOL, "mem_merge"),
    (BOOL, "usb"),
    (BOOL, "usb_disabled"),
    (CHAR_P, "firmware"),
    (BOOL, "iommu"),
    (BOOL, "suppress_vmdesc"),
    (BOOL, "enable_graphics"),
    (Pointer(opaque("ConfidentialGuestSupport")), "cgs"),
    (Pointer(HOST_MEMORY_BACKEND), "memdev"),
    (Pointer(MEMORY_REGION), "ram"),
    (Pointer(opaque("DeviceMemoryState")), "device_memory"),
    (RAM_ADDR, "ram_size"),
    (RAM_ADDR, "maxram_size"),
    (UINT64, "ram_slots"),
    (BOOT_CONFIGURATION, "boot_config"),
    (CHAR_P, "kernel_filename"),
    (CHAR_P, "kernel_cmdline"),
    (CHAR_P, "initrd_filename"),
    (CONST_CHAR_P, "cpu_type"),
    (Pointer(opaque("AccelState")), "accelerator"),
    (Pointer(CPU_ARCH_ID_LIST), "possible_cpus"),
    (CPU_TOPOLOGY, "smp"),
    (Pointer(Struct("NVDIMMState")), "nvdimms_state"),
    (Pointer(_NUMA_STATE), "numa_state"),
])
MACHINE_STATE = Typedef("MachineState", _MACHINE_STATE)
# include/hw/i386/x86.h: MachineState first (7.2 keeps the dies in ms->smp)
X86_MACHINE_STATE = Typedef("X86MachineState", struct(None, [
    (MACHINE_STATE, "parent"),
], paths={"parent": ""}))
SMP_COMPAT_PROPS = Typedef("SMPCompatProps", struct(None, [
    (BOOL, "prefer_sockets"), (BOOL, "dies_supported"), (BOOL, "clusters_supported"),
]))
MEMORY_SIZE_CONFIGURATION = Typedef("MemorySizeConfiguration", struct(
    "MemorySizeConfiguration", [
        (BOOL, "has_size"), (UINT64, "size"), (BOOL, "has_max_size"), (UINT64, "max_size"),
        (BOOL, "has_slots"), (UINT64, "slots"),
    ]))

_MACHINE_CLASS = Struct("MachineClass")
MACHINE_CLASS = Typedef("MachineClass", _MACHINE_CLASS)
MS_P = Pointer(MACHINE_STATE)
layout(_MACHINE_CLASS, [  # the members publish_machine_class writes, in boards.h's order
    (CHAR_P, "name"),
    (CONST_CHAR_P, "alias"),
    (CONST_CHAR_P, "desc"),
    (INT, "max_cpus"),
    (INT, "min_cpus"),
    (INT, "default_cpus"),
    (INT, "is_default"),
    (RAM_ADDR, "default_ram_size"),
    (CONST_CHAR_P, "default_cpu_type"),
    (BOOL, "auto_enable_numa_with_memhp"),
    (BOOL, "auto_enable_numa_with_memdev"),
    (BOOL, "numa_mem_supported"),
    (BOOL, "auto_enable_numa"),
    (SMP_COMPAT_PROPS, "smp_props"),
    (CONST_CHAR_P, "default_ram_id"),
    (INT, "numa_mem_align_shift"),
    (Pointer(Func(CPU_PROPS, (MS_P, UINT))), "cpu_index_to_instance_props"),
    (Pointer(Func(Pointer(Const(CPU_ARCH_ID_LIST)), (MS_P,))), "possible_cpu_arch_ids"),
    (Pointer(Func(INT64, (Pointer(Const(MACHINE_STATE)), INT))), "get_default_cpu_node_id"),
])

_UINT16_LIST = Struct("uint16List")
UINT16_LIST = Typedef("uint16List", _UINT16_LIST)
layout(_UINT16_LIST, [(Pointer(_UINT16_LIST), "next"), (UINT16, "value")])
X86_TOPO_IDS = Typedef("X86CPUTopoIDs", struct("X86CPUTopoIDs", [
    (UINT, "pkg_id"), (UINT, "die_id"), (UINT, "core_id"), (UINT, "smt_id"),
]))
X86_TOPO_INFO = Typedef("X86CPUTopoInfo", struct("X86CPUTopoInfo", [
    (UINT, "dies_per_pkg"), (UINT, "cores_per_die"), (UINT, "threads_per_core"),
]))

# Type names an expression may use (casts, sizeof, ptype/whatis).
TYPEDEFS: dict[str, CType] = typedef_table(
    UINT8, UINT16, UINT32, UINT64, INT64, UINTPTR, SIZE_T, RAM_ADDR, NODE_INFO, NUMA_STATE,
    CPU_PROPS, CPU_ARCH_ID, CPU_ARCH_ID_LIST, CPU_TOPOLOGY, MACHINE_STATE, X86_MACHINE_STATE,
    MACHINE_CLASS, SMP_COMPAT_PROPS, BOOT_CONFIGURATION, MEMORY_SIZE_CONFIGURATION,
    HOST_MEMORY_BACKEND, MEMORY_REGION, UINT16_LIST, X86_TOPO_IDS, X86_TOPO_INFO, OBJECT,
    OBJECT_CLASS, QEMU_OPTS, ERROR, VISITOR, NUMA_OPTIONS, NUMA_NODE_OPTIONS, NUMA_DIST_OPTIONS,
    NUMA_HMAT_LB_OPTIONS, NUMA_HMAT_CACHE_OPTIONS, HMAT_LB_INFO, SMP_CONFIGURATION,
    UINT8.target, UINT16.target, UINT32.target, UINT64.target, INT64.target)
STRUCT_TAGS: dict[str, Struct] = struct_table(TYPEDEFS)

# -g3 keeps the macros; gdb expands them in expressions (object-like ones only here).
MACROS: dict[str, str] = {
    "MAX_NODES": "128", "NUMA_NODE_UNASSIGNED": "128", "NUMA_DISTANCE_MIN": "10",
    "NUMA_DISTANCE_DEFAULT": "20", "NUMA_DISTANCE_MAX": "254",
    "NUMA_DISTANCE_UNREACHABLE": "255", "HMAT_LB_LEVELS": str(HMAT_LB_LEVELS),
    "HMAT_LB_TYPES": str(HMAT_LB_TYPES), "bool": "_Bool", "true": "1", "false": "0",
    "NULL": "((void *)0)", "KiB": "(1L << 10)", "MiB": "(1L << 20)", "GiB": "(1L << 30)",
}

# --------------------------------------------------------------------------- globals

_BSS = 0x555556A0E000  # invented .bss addresses, beside the model's &error_fatal

GLOBALS: dict[str, Global] = {g.name: g for g in (
    Global("current_machine", MS_P, _BSS + 0x8, None, ADDR_MACHINE, "ms."),
    Global("have_memdevs", INT, _BSS + 0x10, "have_memdevs"),  # numa.c statics
    Global("have_mem", INT, _BSS + 0x14, "have_mem"),
    Global("max_numa_nodeid", INT, _BSS + 0x18, "max_numa_nodeid"),
)}

# --------------------------------------------------------------------------- objects

PRESET: dict[str, int] = {
    "ms.parent_obj.class": ADDR_MACHINE_CLASS,  # object_new(machine type)
}
ROOTS: tuple[Root, ...] = (
    Root(ADDR_MACHINE, X86_MACHINE_STATE, "ms"),
    Root(ADDR_MACHINE_CLASS, MACHINE_CLASS, "mc"),
    Root(ADDR_NUMA_STATE, NUMA_STATE, "numa_state"),
    Root(ADDR_POSSIBLE_CPUS, CPU_ARCH_ID_LIST, "possible_cpus", "possible_cpus.len"),
) + tuple(Root(g.address, g.type, g.path) for g in GLOBALS.values() if g.path)
BACKENDS = Region(ADDR_BACKENDS, 0x100, 64, HOST_MEMORY_BACKEND, "backends[{}]")

# --------------------------------------------------------------------------- functions

MC_P = Pointer(MACHINE_CLASS)
NODES_P = Pointer(NODE_INFO)
ERRP = Pointer(Pointer(ERROR))
ARCH_IDS_P = Pointer(Const(CPU_ARCH_ID_LIST))
PROPERTY_SETTER = (("obj", Pointer(OBJECT)), ("v", Pointer(VISITOR)), ("name", CONST_CHAR_P),
                   ("opaque", Pointer(VOID)), ("errp", ERRP))
MC = Local("mc", MC_P)
NUMA_INFO = Local("numa_info", NODES_P)


def _fn(name: str, file: str, ret: CType, params: tuple[tuple[str, CType], ...],
        *locals: Local, address: int = 0) -> Function:
    return Function(name, file, ret, params, tuple(locals), address)


NUMA_C, MACHINE_C, VL_C = "hw/core/numa.c", "hw/core/machine.c", "softmmu/vl.c"
FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    _fn("qemu_opts_foreach", "util/qemu-option.c", INT, opts_foreach_params(QEMU_OPTS, ERRP)),
    _fn("main", "softmmu/main.c", INT, (("argc", INT), ("argv", Pointer(CHAR_P)))),
    # main calls qemu_init, whose board init runs under qmp_x_exit_preconfig and
    # qemu_init_board: frames the model records but does not step
    _fn("qemu_init", VL_C, VOID, (("argc", INT), ("argv", Pointer(CHAR_P)))),
    _fn("qmp_x_exit_preconfig", VL_C, VOID, (("errp", ERRP),)),
    _fn("qemu_init_board", VL_C, VOID, ()),
    _fn("parse_memory_options", VL_C, VOID, (),
        Local("opts", Pointer(QEMU_OPTS)), Local("mem_str", CONST_CHAR_P)),
    _fn("qemu_resolve_machine_memdev", VL_C, VOID, ()),
    _fn("machine_set_mem", MACHINE_C, VOID, PROPERTY_SETTER,
        Local("ms", MS_P), MC, Local("mem", Pointer(MEMORY_SIZE_CONFIGURATION))),
    _fn("machine_set_smp", MACHINE_C, VOID, PROPERTY_SETTER,
        Local("ms", MS_P), Local("config", Pointer(SMP_CONFIGURATION))),
    _fn("machine_parse_smp_config", "hw/core/machine-smp.c", VOID,
        (("ms", MS_P), ("config", Pointer(Const(SMP_CONFIGURATION))), ("errp", ERRP)),
        MC, Local("cpus", UINT), Local("sockets", UINT), Local("dies", UINT),
        Local("clusters", UINT), Local("cores", UINT), Local("threads", UINT),
        Local("maxcpus", UINT), Local("topo_msg", CHAR_P)),
    _fn("cpu_hierarchy_to_string", "hw/core/machine-smp.c", CHAR_P, (("ms", MS_P),),
        MC, Local("s", CHAR_P)),
    _fn("parse_numa_opts", NUMA_C, VOID, (("ms", MS_P),)),
    _fn("parse_numa", NUMA_C, INT,
        (("opaque", Pointer(VOID)), ("opts", Pointer(QEMU_OPTS)), ("errp", ERRP)),
        Local("object", Pointer(NUMA_OPTIONS)), Local("ms", MS_P), Local("err", Pointer(ERROR)),
        Local("v", Pointer(VISITOR)), Local("mem_str", CONST_CHAR_P)),
    _fn("set_numa_options", NUMA_C, VOID,
        (("ms", MS_P), ("object", Pointer(NUMA_OPTIONS)), ("errp", ERRP)), MC),
    _fn("parse_numa_node", NUMA_C, VOID,
        (("ms", MS_P), ("node", Pointer(NUMA_NODE_OPTIONS)), ("errp", ERRP)),
        Local("nodenr", UINT16), Local("cpus", Pointer(UINT16_LIST)), MC,
        Local("max_cpus", UINT), NUMA_INFO, Local("props", CPU_PROPS), Local("o", Pointer(OBJECT))),
    _fn("parse_numa_distance", NUMA_C, VOID,
        (("ms", MS_P), ("dist", Pointer(NUMA_DIST_OPTIONS)), ("errp", ERRP)),
        Local("src", UINT16), Local("dst", UINT16), Local("val", UINT8), NUMA_INFO),
    _fn("parse_numa_hmat_lb", NUMA_C, VOID,
        (("numa_state", Pointer(NUMA_STATE)), ("node", Pointer(NUMA_HMAT_LB_OPTIONS)),
         ("errp", ERRP)),
        Local("i", INT), Local("hmat_lb", Pointer(HMAT_LB_INFO))),
    _fn("parse_numa_hmat_cache", NUMA_C, VOID,
        (("ms", MS_P), ("node", Pointer(NUMA_HMAT_CACHE_OPTIONS)), ("errp", ERRP)),
        Local("level", INT)),
    _fn("numa_uses_legacy_mem", NUMA_C, BOOL, ()),
    _fn("numa_complete_configuration", NUMA_C, VOID, (("ms", MS_P),),
        Local("i", INT), MC, NUMA_INFO, Local("numa_total", UINT64), address=0x555555B92739),
    _fn("numa_init_memdev_container", NUMA_C, VOID,
        (("ms", MS_P), ("ram", Pointer(MEMORY_REGION))),
        Local("i", INT), Local("addr", UINT64), Local("seg", Pointer(MEMORY_REGION)),
        Local("size", UINT64), Local("backend", Pointer(HOST_MEMORY_BACKEND))),
    _fn("validate_numa_distance", NUMA_C, VOID, (("ms", MS_P),),
        Local("src", INT), Local("dst", INT), Local("is_asymmetrical", BOOL),
        Local("nb_numa_nodes", INT), NUMA_INFO),
    _fn("complete_init_numa_distance", NUMA_C, VOID, (("ms", MS_P),),
        Local("src", INT), Local("dst", INT), NUMA_INFO),
    _fn("numa_validate_initiator", MACHINE_C, VOID, (("numa_state", Pointer(NUMA_STATE)),),
        Local("i", INT), NUMA_INFO),
    _fn("machine_set_cpu_numa_node", MACHINE_C, VOID,
        (("machine", MS_P), ("props", Pointer(Const(CPU_PROPS))), ("errp", ERRP)),
        MC, NUMA_INFO, Local("match", BOOL), Local("i", INT),
        Local("possible_cpus", ARCH_IDS_P), Local("slot", Pointer(CPU_ARCH_ID))),
    _fn("x86_cpu_index_to_props", "hw/i386/x86.c", CPU_PROPS,
        (("ms", MS_P), ("cpu_index", UINT)), MC, Local("possible_cpus", ARCH_IDS_P)),
    _fn("x86_possible_cpu_arch_ids", "hw/i386/x86.c", ARCH_IDS_P, (("ms", MS_P),),
        Local("x86ms", Pointer(X86_MACHINE_STATE)), Local("i", INT), Local("max_cpus", UINT),
        Local("topo_info", X86_TOPO_INFO), Local("topo_ids", X86_TOPO_IDS)),
    _fn("x86_get_default_cpu_node_id", "hw/i386/x86.c", INT64,
        (("ms", Pointer(Const(MACHINE_STATE))), ("idx", INT)),
        Local("topo_ids", X86_TOPO_IDS), Local("x86ms", Pointer(X86_MACHINE_STATE))),
    # GString *s is modelled as its text (a char *): the trace records the string.
    _fn("machine_numa_finish_cpu_init", MACHINE_C, VOID, (("machine", MS_P),),
        Local("i", INT), Local("default_mapping", BOOL), Local("s", CHAR_P), MC,
        Local("possible_cpus", ARCH_IDS_P), Local("cpu_slot", Pointer(Const(CPU_ARCH_ID))),
        Local("props", CPU_PROPS), Local("cpu_str", CHAR_P)),
    _fn("cpu_slot_to_string", MACHINE_C, CHAR_P, (("cpu", Pointer(Const(CPU_ARCH_ID))),),
        Local("s", CHAR_P)),
    _fn("machine_consume_memdev", MACHINE_C, Pointer(MEMORY_REGION),
        (("machine", MS_P), ("backend", Pointer(HOST_MEMORY_BACKEND))),
        Local("ret", Pointer(MEMORY_REGION))),
    _fn("create_default_memdev", MACHINE_C, VOID,
        (("ms", MS_P), ("path", CONST_CHAR_P), ("errp", ERRP)),
        Local("obj", Pointer(OBJECT)), Local("oc", Pointer(OBJECT_CLASS))),
    _fn("machine_run_board_init", MACHINE_C, VOID,
        (("machine", MS_P), ("mem_path", CONST_CHAR_P), ("errp", ERRP)),
        Local("machine_class", MC_P), Local("oc", Pointer(OBJECT_CLASS)),
        Local("cc", Pointer(CPU_CLASS)), Local("backend_size", RAM_ADDR)),
)}

# --------------------------------------------------------------------------- lines

# main (softmmu/main.c) calls qemu_init (softmmu/vl.c), which runs option parsing and, under
# qmp_x_exit_preconfig and qemu_init_board, board init. The model records these frames but
# does not step them: their lines while a callee runs are the calls' lines in 7.2's
# source, `next` out of a callee lands on the next statement, and so does `finish` out of a
# void call that ends its statement (the return address starts the next line).
MAIN = UnsteppedFrame(fn="main", file="softmmu/main.c", entry=47, last=49,
                      call_lines={"qemu_init": 47}, return_lines={"qemu_init": 48},
                      finish_lines={"qemu_init": 48}, default_line=47, lines_from_events=True)
_QEMU_INIT_RETURNS = {"parse_memory_options": 3541, "qemu_resolve_machine_memdev": 3599,
                      "parse_numa_opts": 3601, "qmp_x_exit_preconfig": 3611}
QEMU_INIT = UnsteppedFrame(
    fn="qemu_init", file=VL_C, entry=2639, last=3615,
    # the smp and memory property setters run under qemu_apply_machine_options
    call_lines={"parse_memory_options": 3539, "machine_set_smp": 3550, "machine_set_mem": 3550,
                "qemu_resolve_machine_memdev": 3598, "parse_numa_opts": 3599,
                "qmp_x_exit_preconfig": 3609},
    return_lines=_QEMU_INIT_RETURNS, finish_lines=_QEMU_INIT_RETURNS, default_line=3609,
    lines_from_events=True,
    # static helpers the model runs in qemu_init's frame: select_machine and
    # qemu_create_machine (3541), qemu_apply_machine_options (3550), qemu_create_late_backends
    # (3589)
    helpers=((1581, 1660, 3541), (2017, 2058, 3541), (1849, 1863, 3550), (1931, 1957, 3589)),
)
QMP_X_EXIT_PRECONFIG = UnsteppedFrame(
    fn="qmp_x_exit_preconfig", file=VL_C, entry=2606, last=2634,
    call_lines={"qemu_init_board": 2611}, return_lines={"qemu_init_board": 2612},
    finish_lines={"qemu_init_board": 2612}, default_line=2611, lines_from_events=True)
QEMU_INIT_BOARD = UnsteppedFrame(
    fn="qemu_init_board", file=VL_C, entry=2512, last=2525,
    call_lines={"machine_run_board_init": 2515}, return_lines={"machine_run_board_init": 2517},
    finish_lines={"machine_run_board_init": 2517}, default_line=2515, lines_from_events=True)
# where each line's code starts, each call returns to and each function's code lies, read
# from the -O0 build the golden cases were observed on (its recipe: spec 7.2)
CODE = CodeMap(code.LINES, returns=code.RETURNS, extents=code.EXTENTS, ends=code.ENDS)

DEBUG_INFO = DebugInfo(
    profile="7.2",
    typedefs=TYPEDEFS,
    struct_tags=STRUCT_TAGS,
    macros=MACROS,
    globals=GLOBALS,
    functions=FUNCTIONS,
    roots=ROOTS,
    regions=(BACKENDS,),
    preset=PRESET,
    unstepped=(MAIN, QEMU_INIT, QMP_X_EXIT_PRECONFIG, QEMU_INIT_BOARD, opts_foreach_frame(1135)),
    code=CODE,
    cfg_module="tracesim.qemu.v72.cfg",
    data_symbols={ERROR_FATAL: "error_fatal", ERROR_ABORT: "error_abort",
                  ADDR_NUMA_OPTS: "qemu_numa_opts"},
    # uninitialised stack slots as gdb showed them on 7.2 (numa_complete_configuration's i)
    garbage_by_size={4: 32767},
)
