"""QEMU 10.0's debug information: what gdb 13 reads from DWARF on the -O0 -g3 rebuild of
Debian trixie's 10.0.13 (../shared/golden/qemu-10; layouts, lines and code addresses as
`ptype /o`, `break`, `info line` and `bt` showed them on that build).

10.0's include/hw/boards.h and include/system/numa.h as far as this path touches them:
CpuTopology gains drawers, books and modules (outermost first: drawers, books, sockets,
dies, clusters, modules, cores, threads); CpuInstanceProperties gains drawer, book and
module ids (so a CPUArchId is 176 bytes); NodeInfo gains `has_gi`; MachineClass's
`smp_props` gains has_clusters, books/drawers/modules_supported, cache_supported[] and
has_caches, and the class has `cpu_cluster_has_numa_boundary` and the
`create_default_memdev` hook; MachineState gains `aux_ram_share`, `audiodev`,
`shim_filename` and `smp_cache`, and its QOM header is the whole 40-byte Object (so
sizeof(MachineState) is 392, as gdb says). The model writes these objects at 4.2's
addresses (tracesim/qemu/state.py), so the roots are the same. The debugger finds this
through tracesim.debuginfo.debug_info("10.0").
"""
from __future__ import annotations

from ...debuginfo.ctypes import (BOOL, CHAR_P, CONST_CHAR_P, INT, INT64, UINT, UINT8, UINT16,
                                 UINT32, UINT64, UINTPTR, SIZE_T, VOID, Array, Const, CType,
                                 Func, Pointer, Struct, Typedef, layout, opaque, struct)
from ...debuginfo.program import (CodeMap, DebugInfo, Function, Global, Local, Region, Root,
                                  UnsteppedFrame, struct_table, typedef_table)
from ..state import (ADDR_BACKENDS, ADDR_MACHINE, ADDR_MACHINE_CLASS, ADDR_NUMA_STATE,
                     ADDR_POSSIBLE_CPUS, MAX_NODES)
from ..v72.state import HMAT_CACHE_LEVELS, HMAT_LB_LEVELS, HMAT_LB_TYPES
# &error_fatal as the model passes it: 10.0 runs 7.2's functions (v72/machine.py, numa.py)
from ..symbols import opts_foreach_frame, opts_foreach_params
from . import code
from ..v72.symbols import ADDR_NUMA_OPTS, ERROR_ABORT, ERROR_FATAL

RAM_ADDR = Typedef("ram_addr_t", UINTPTR)
LOAD_BASE = 0x555555554000  # where gdb maps the PIE binary

OBJECT_CLASS = opaque("ObjectClass")
QEMU_OPTS = opaque("QemuOpts")
QDICT = opaque("QDict")
ERROR = opaque("Error")
VISITOR = opaque("Visitor")
MEMORY_REGION = opaque("MemoryRegion")
NUMA_OPTIONS = opaque("NumaOptions")
NUMA_NODE_OPTIONS = opaque("NumaNodeOptions")
NUMA_DIST_OPTIONS = opaque("NumaDistOptions")
NUMA_HMAT_LB_OPTIONS = opaque("NumaHmatLBOptions")
NUMA_HMAT_CACHE_OPTIONS = opaque("NumaHmatCacheOptions")
HMAT_LB_INFO = opaque("HMAT_LB_Info")
HMAT_LB_DATA = opaque("HMAT_LB_Data")
CPU_CLASS = opaque("CPUClass")
CPU_STATE = opaque("CPUState")
GSTRING = opaque("GString")
LOCATION = opaque("Location")
OBJECT_FREE = Typedef("ObjectFree", Func(VOID, (Pointer(VOID),)))

# --------------------------------------------------------------------------- QEMU's structs

_OBJECT = Struct("Object")
OBJECT = Typedef("Object", _OBJECT)
layout(_OBJECT, [  # include/qom/object.h
    (Pointer(OBJECT_CLASS), "class"), (Pointer(OBJECT_FREE), "free"),
    (Pointer(opaque("GHashTable")), "properties"), (UINT32, "ref"), (Pointer(OBJECT), "parent"),
])
# include/system/hostmem.h up to `policy` (the model writes size and is_mapped: `mapped`);
# each backend the model numbers sits 0x100 apart, so the MemoryRegion `mr` is left out
_HOST_MEMORY_BACKEND = struct("HostMemoryBackend", [
    (OBJECT, "parent"), (UINT64, "size"), (BOOL, "merge"), (BOOL, "dump"),
    (BOOL, "use_canonical_path"), (BOOL, "prealloc"), (BOOL, "is_mapped"), (BOOL, "share"),
    (BOOL, "reserve"), (BOOL, "guest_memfd"), (BOOL, "aligned"), (UINT32, "prealloc_threads"),
], paths={"is_mapped": "mapped"})
HOST_MEMORY_BACKEND = Typedef("HostMemoryBackend", _HOST_MEMORY_BACKEND)
_NODE_INFO = struct("NodeInfo", [  # include/system/numa.h
    (UINT64, "node_mem"),
    (Pointer(_HOST_MEMORY_BACKEND), "node_memdev"),
    (BOOL, "present"),
    (BOOL, "has_cpu"),
    (BOOL, "has_gi"),
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
    (BOOL, "has_drawer_id"), (INT64, "drawer_id"),
    (BOOL, "has_book_id"), (INT64, "book_id"),
    (BOOL, "has_socket_id"), (INT64, "socket_id"),
    (BOOL, "has_die_id"), (INT64, "die_id"),
    (BOOL, "has_cluster_id"), (INT64, "cluster_id"),
    (BOOL, "has_module_id"), (INT64, "module_id"),
    (BOOL, "has_core_id"), (INT64, "core_id"),
    (BOOL, "has_thread_id"), (INT64, "thread_id"),
])
CPU_PROPS = Typedef("CpuInstanceProperties", _PROPS)
CPU_ARCH_ID = Typedef("CPUArchId", struct("CPUArchId", [  # include/hw/boards.h: 176 bytes
    (UINT64, "arch_id"),
    (INT64, "vcpus_count"),
    (CPU_PROPS, "props"),
    (Pointer(CPU_STATE), "cpu"),
    (CONST_CHAR_P, "type"),
]))
CPU_ARCH_ID_LIST = Typedef("CPUArchIdList", struct(None, [
    (INT, "len"),
    (Array(CPU_ARCH_ID, 0), "cpus"),
]))
CPU_TOPOLOGY = Typedef("CpuTopology", struct("CpuTopology", [
    (UINT, "cpus"), (UINT, "drawers"), (UINT, "books"), (UINT, "sockets"), (UINT, "dies"),
    (UINT, "clusters"), (UINT, "modules"), (UINT, "cores"), (UINT, "threads"),
    (UINT, "max_cpus"),
]))
# SmpCacheProperties holds two enums (CacheLevelAndType, CpuTopologyLevel): 4 bytes each
SMP_CACHE_PROPERTIES = Typedef("SmpCacheProperties", struct("SmpCacheProperties", [
    (Typedef("CacheLevelAndType", UINT), "cache"), (Typedef("CpuTopologyLevel", UINT), "topology"),
]))
SMP_CACHE = Typedef("SmpCache", struct("SmpCache", [(Array(SMP_CACHE_PROPERTIES, 4), "props")]))
# QAPI no longer gives pointer members a has_ flag (order, once, splash)
BOOT_CONFIGURATION = Typedef("BootConfiguration", struct("BootConfiguration", [
    (CHAR_P, "order"), (CHAR_P, "once"), (BOOL, "has_menu"), (BOOL, "menu"),
    (CHAR_P, "splash"), (BOOL, "has_splash_time"), (INT64, "splash_time"),
    (BOOL, "has_reboot_timeout"), (INT64, "reboot_timeout"), (BOOL, "has_strict"),
    (BOOL, "strict"),
]))
_MACHINE_STATE = struct("MachineState", [  # `ptype /o struct MachineState`: 392 bytes
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
    (BOOL, "aux_ram_share"),
    (Pointer(MEMORY_REGION), "ram"),
    (Pointer(opaque("DeviceMemoryState")), "device_memory"),
    (CHAR_P, "audiodev"),
    (RAM_ADDR, "ram_size"),
    (RAM_ADDR, "maxram_size"),
    (UINT64, "ram_slots"),
    (BOOT_CONFIGURATION, "boot_config"),
    (CHAR_P, "kernel_filename"),
    (CHAR_P, "kernel_cmdline"),
    (CHAR_P, "shim_filename"),
    (CHAR_P, "initrd_filename"),
    (CONST_CHAR_P, "cpu_type"),
    (Pointer(opaque("AccelState")), "accelerator"),
    (Pointer(CPU_ARCH_ID_LIST), "possible_cpus"),
    (CPU_TOPOLOGY, "smp"),
    (SMP_CACHE, "smp_cache"),
    (Pointer(Struct("NVDIMMState")), "nvdimms_state"),
    (Pointer(_NUMA_STATE), "numa_state"),
])
MACHINE_STATE = Typedef("MachineState", _MACHINE_STATE)
# include/hw/i386/x86.h: MachineState first (the rest of its 1088 bytes is not on this path)
X86_MACHINE_STATE = Typedef("X86MachineState", struct("X86MachineState", [
    (MACHINE_STATE, "parent"),
], paths={"parent": ""}))
SMP_COMPAT_PROPS = Typedef("SMPCompatProps", struct(None, [  # 12 bytes
    (BOOL, "prefer_sockets"), (BOOL, "dies_supported"), (BOOL, "clusters_supported"),
    (BOOL, "has_clusters"), (BOOL, "books_supported"), (BOOL, "drawers_supported"),
    (BOOL, "modules_supported"), (Array(BOOL, 4), "cache_supported"), (BOOL, "has_caches"),
]))
MEMORY_SIZE_CONFIGURATION = Typedef("MemorySizeConfiguration", struct(
    "MemorySizeConfiguration", [
        (BOOL, "has_size"), (UINT64, "size"), (BOOL, "has_max_size"), (UINT64, "max_size"),
        (BOOL, "has_slots"), (UINT64, "slots"),
    ]))
SMP_CONFIGURATION = Typedef("SMPConfiguration", struct("SMPConfiguration", [
    member for name in ("cpus", "drawers", "books", "sockets", "dies", "clusters", "modules",
                        "cores", "threads", "maxcpus")
    for member in ((BOOL, f"has_{name}"), (INT64, name))
]))

_MACHINE_CLASS = Struct("MachineClass")
MACHINE_CLASS = Typedef("MachineClass", _MACHINE_CLASS)
MS_P = Pointer(MACHINE_STATE)
ERRP = Pointer(Pointer(ERROR))
layout(_MACHINE_CLASS, [  # the members on this path, in boards.h's order
    (CONST_CHAR_P, "family"),
    (CHAR_P, "name"),
    (CONST_CHAR_P, "alias"),
    (CONST_CHAR_P, "desc"),
    (CONST_CHAR_P, "deprecation_reason"),
    (INT, "max_cpus"),
    (INT, "min_cpus"),
    (INT, "default_cpus"),
    (BOOL, "is_default"),
    (RAM_ADDR, "default_ram_size"),
    (CONST_CHAR_P, "default_cpu_type"),
    (INT, "numa_mem_align_shift"),
    (Pointer(Const(CONST_CHAR_P)), "valid_cpu_types"),
    (BOOL, "auto_enable_numa_with_memhp"),
    (BOOL, "auto_enable_numa_with_memdev"),
    (BOOL, "numa_mem_supported"),
    (BOOL, "auto_enable_numa"),
    (BOOL, "cpu_cluster_has_numa_boundary"),
    (SMP_COMPAT_PROPS, "smp_props"),
    (CONST_CHAR_P, "default_ram_id"),
    (Pointer(Func(CPU_PROPS, (MS_P, UINT))), "cpu_index_to_instance_props"),
    (Pointer(Func(Pointer(Const(CPU_ARCH_ID_LIST)), (MS_P,))), "possible_cpu_arch_ids"),
    (Pointer(Func(INT64, (Pointer(Const(MACHINE_STATE)), INT))), "get_default_cpu_node_id"),
    (Pointer(Func(RAM_ADDR, (RAM_ADDR,))), "fixup_ram_size"),
    (Pointer(Func(BOOL, (MS_P, CONST_CHAR_P, ERRP))), "create_default_memdev"),
])

ERROR_PROPAGATOR = Typedef("ErrorPropagator", struct(None, [  # ERRP_GUARD's local
    (Pointer(ERROR), "local_err"), (ERRP, "errp"),
]))

_UINT16_LIST = Struct("uint16List")
UINT16_LIST = Typedef("uint16List", _UINT16_LIST)
layout(_UINT16_LIST, [(Pointer(_UINT16_LIST), "next"), (UINT16, "value")])
X86_TOPO_IDS = Typedef("X86CPUTopoIDs", struct("X86CPUTopoIDs", [
    (UINT, "pkg_id"), (UINT, "die_id"), (UINT, "module_id"), (UINT, "core_id"), (UINT, "smt_id"),
]))
X86_TOPO_INFO = Typedef("X86CPUTopoInfo", struct("X86CPUTopoInfo", [
    (UINT, "dies_per_pkg"), (UINT, "modules_per_die"), (UINT, "cores_per_module"),
    (UINT, "threads_per_core"),
]))

# Type names an expression may use (casts, sizeof, ptype/whatis).
TYPEDEFS: dict[str, CType] = typedef_table(
    UINT8, UINT16, UINT32, UINT64, INT64, UINTPTR, SIZE_T, RAM_ADDR, NODE_INFO, NUMA_STATE,
    CPU_PROPS, CPU_ARCH_ID, CPU_ARCH_ID_LIST, CPU_TOPOLOGY, SMP_CACHE, SMP_CACHE_PROPERTIES,
    MACHINE_STATE, X86_MACHINE_STATE, MACHINE_CLASS, SMP_COMPAT_PROPS, BOOT_CONFIGURATION,
    MEMORY_SIZE_CONFIGURATION, SMP_CONFIGURATION, HOST_MEMORY_BACKEND, MEMORY_REGION,
    UINT16_LIST, X86_TOPO_IDS, X86_TOPO_INFO, OBJECT, OBJECT_CLASS, OBJECT_FREE, QEMU_OPTS, QDICT,
    ERROR, VISITOR, NUMA_OPTIONS, NUMA_NODE_OPTIONS, NUMA_DIST_OPTIONS, NUMA_HMAT_LB_OPTIONS,
    NUMA_HMAT_CACHE_OPTIONS, HMAT_LB_INFO, HMAT_LB_DATA, CPU_CLASS, CPU_STATE, GSTRING, ERROR_PROPAGATOR,
    LOCATION, UINT8.target, UINT16.target, UINT32.target, UINT64.target, INT64.target)
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

GLOBALS: dict[str, Global] = {g.name: g for g in (  # .bss addresses as gdb printed them
    Global("current_machine", MS_P, LOAD_BASE + 0x1B29C28, None, ADDR_MACHINE, "ms."),
    Global("have_memdevs", INT, LOAD_BASE + 0x1B29C38, "have_memdevs"),  # numa.c statics
    Global("have_mem", INT, LOAD_BASE + 0x1B29C3C, "have_mem"),
    Global("max_numa_nodeid", INT, LOAD_BASE + 0x1B29C40, "max_numa_nodeid"),
)}

# --------------------------------------------------------------------------- objects

PRESET: dict[str, object] = {
    "ms.parent_obj.class": ADDR_MACHINE_CLASS,  # object_new(machine type)
    # machine_class_init points every machine at the one default-RAM hook
    "mc.create_default_memdev": "create_default_memdev",
}
# pc_machine_class_init (hw/i386/pc.c): every PC machine supports modules and all four
# cache levels; only PC machines have "pc.ram" as their default RAM id
PC_CLASS_PRESET: dict[str, object] = {
    "mc.smp_props.modules_supported": True,
    **{f"mc.smp_props.cache_supported[{i}]": True for i in range(4)},
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
ARCH_IDS_P = Pointer(Const(CPU_ARCH_ID_LIST))
PROPERTY_SETTER = (("obj", Pointer(OBJECT)), ("v", Pointer(VISITOR)), ("name", CONST_CHAR_P),
                   ("opaque", Pointer(VOID)), ("errp", ERRP))
MC = Local("mc", MC_P)
NUMA_INFO = Local("numa_info", NODES_P)


def _zeroed(name: str, ctype: CType, line: int) -> Local:
    """A declaration without an initializer: -ftrivial-auto-var-init=zero stores 0 there,
    so it reads as stack garbage until its line has run, then 0 (spec 10.0, 7.2-7.3)."""
    return Local(name, ctype, after=line, init=0)


def _fn(name: str, file: str, ret: CType, params: tuple[tuple[str, CType], ...],
        *locals: Local, address: int = 0) -> Function:
    return Function(name, file, ret, params, tuple(locals), LOAD_BASE + address)


NUMA_C, MACHINE_C, SMP_C, X86_C = ("hw/core/numa.c", "hw/core/machine.c",
                                   "hw/core/machine-smp.c", "hw/i386/x86.c")
VL_C, MAIN_C = "system/vl.c", "system/main.c"
# code addresses: each function's low pc (`info line FUNC`) on the observed build
FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    _fn("qemu_opts_foreach", "util/qemu-option.c", INT, opts_foreach_params(QEMU_OPTS, ERRP),
        address=0xA7CD7D),
    _fn("main", MAIN_C, INT, (("argc", INT), ("argv", Pointer(CHAR_P))), address=0x9A040F),
    # main calls qemu_init, whose board init runs under qmp_x_exit_preconfig and
    # qemu_init_board: frames the model records but does not step
    _fn("qemu_init", VL_C, VOID, (("argc", INT), ("argv", Pointer(CHAR_P))),
        Local("machine_class", MC_P), address=0x61C809),
    _fn("qmp_x_exit_preconfig", VL_C, VOID, (("errp", ERRP),), address=0x61C626),
    _fn("qemu_init_board", VL_C, VOID, (), Local("machine_class", MC_P), address=0x61C27F),
    _fn("parse_memory_options", VL_C, VOID, (),
        Local("opts", Pointer(QEMU_OPTS)), _zeroed("dict", Pointer(QDICT), 2141),
        _zeroed("prop", Pointer(QDICT), 2141), _zeroed("mem_str", CONST_CHAR_P, 2142),
        _zeroed("loc", LOCATION, 2143), address=0x61A8A6),
    _fn("qemu_resolve_machine_memdev", VL_C, VOID, (), address=0x61A7BE),
    _fn("machine_set_mem", MACHINE_C, VOID, PROPERTY_SETTER,
        Local("ms", MS_P), MC, _zeroed("mem", Pointer(MEMORY_SIZE_CONFIGURATION), 630),
        address=0x398FB7),
    _fn("machine_set_smp", MACHINE_C, VOID, PROPERTY_SETTER,
        Local("ms", MS_P), Local("config", Pointer(SMP_CONFIGURATION)), address=0x39A032),
    _fn("machine_parse_smp_config", SMP_C, VOID,
        (("ms", MS_P), ("config", Pointer(Const(SMP_CONFIGURATION))), ("errp", ERRP)),
        MC, Local("cpus", UINT), Local("drawers", UINT), Local("books", UINT),
        Local("sockets", UINT), Local("dies", UINT), Local("clusters", UINT),
        Local("modules", UINT), Local("cores", UINT), Local("threads", UINT),
        Local("maxcpus", UINT), _zeroed("total_cpus", UINT, 99), Local("topo_msg", CHAR_P),
        address=0x2FFEDB),
    _fn("cpu_hierarchy_to_string", SMP_C, CHAR_P, (("ms", MS_P),),
        MC, Local("s", CHAR_P), address=0x2FFD23),
    _fn("parse_numa_opts", NUMA_C, VOID, (("ms", MS_P),), address=0x39F62E),
    _fn("parse_numa", NUMA_C, INT,
        (("opaque", Pointer(VOID)), ("opts", Pointer(QEMU_OPTS)), ("errp", ERRP)),
        Local("object", Pointer(NUMA_OPTIONS)), Local("ms", MS_P), Local("err", Pointer(ERROR)),
        Local("v", Pointer(VISITOR)), Local("mem_str", CONST_CHAR_P), Local("ret", INT),
        address=0x39EC61),
    _fn("set_numa_options", NUMA_C, VOID,
        (("ms", MS_P), ("object", Pointer(NUMA_OPTIONS)), ("errp", ERRP)), address=0x39E9CF),
    _fn("parse_numa_node", NUMA_C, VOID,
        (("ms", MS_P), ("node", Pointer(NUMA_NODE_OPTIONS)), ("errp", ERRP)),
        Local("err", Pointer(ERROR)), _zeroed("nodenr", UINT16, 66),
        Local("cpus", Pointer(UINT16_LIST)), MC, Local("max_cpus", UINT), NUMA_INFO,
        Local("props", CPU_PROPS), Local("o", Pointer(OBJECT)), address=0x39CEEB),
    _fn("parse_numa_distance", NUMA_C, VOID,
        (("ms", MS_P), ("dist", Pointer(NUMA_DIST_OPTIONS)), ("errp", ERRP)),
        Local("src", UINT16), Local("dst", UINT16), Local("val", UINT8), NUMA_INFO,
        address=0x39D6F9),
    _fn("parse_numa_hmat_lb", NUMA_C, VOID,
        (("numa_state", Pointer(NUMA_STATE)), ("node", Pointer(NUMA_HMAT_LB_OPTIONS)),
         ("errp", ERRP)),
        _zeroed("i", INT, 211), _zeroed("first_bit", INT, 211), _zeroed("last_bit", INT, 211),
        _zeroed("max_entry", UINT64, 212), _zeroed("temp_base", UINT64, 212),
        _zeroed("bitmap_copy", UINT64, 212), NUMA_INFO, Local("hmat_lb", Pointer(HMAT_LB_INFO)),
        Local("lb_data", HMAT_LB_DATA), _zeroed("lb_temp", Pointer(HMAT_LB_DATA), 217),
        address=0x39D921),
    _fn("parse_numa_hmat_cache", NUMA_C, VOID,
        (("ms", MS_P), ("node", Pointer(NUMA_HMAT_CACHE_OPTIONS)), ("errp", ERRP)),
        Local("nb_numa_nodes", INT), NUMA_INFO,
        Local("hmat_cache", Pointer(NUMA_HMAT_CACHE_OPTIONS)), address=0x39E44E),
    _fn("numa_uses_legacy_mem", NUMA_C, BOOL, (), address=0x39CEDA),
    _fn("numa_complete_configuration", NUMA_C, VOID, (("ms", MS_P),),
        _zeroed("i", INT, 645), MC, NUMA_INFO, _zeroed("numa_total", UINT64, 690),
        address=0x39F2B3),
    _fn("numa_init_memdev_container", NUMA_C, VOID,
        (("ms", MS_P), ("ram", Pointer(MEMORY_REGION))),
        _zeroed("i", INT, 628), Local("addr", UINT64), Local("size", UINT64),
        Local("backend", Pointer(HOST_MEMORY_BACKEND)), Local("seg", Pointer(MEMORY_REGION)),
        address=0x39F1BA),
    _fn("validate_numa_distance", NUMA_C, VOID, (("ms", MS_P),),
        _zeroed("src", INT, 562), _zeroed("dst", INT, 562), Local("is_asymmetrical", BOOL),
        Local("nb_numa_nodes", INT), NUMA_INFO, address=0x39EDFD),
    _fn("complete_init_numa_distance", NUMA_C, VOID, (("ms", MS_P),),
        _zeroed("src", INT, 605), _zeroed("dst", INT, 605), NUMA_INFO, address=0x39F06C),
    _fn("numa_validate_initiator", MACHINE_C, VOID, (("numa_state", Pointer(NUMA_STATE)),),
        _zeroed("i", INT, 1403), NUMA_INFO, address=0x39B614),
    _fn("machine_set_cpu_numa_node", MACHINE_C, VOID,
        (("machine", MS_P), ("props", Pointer(Const(CPU_PROPS))), ("errp", ERRP)),
        MC, NUMA_INFO, Local("match", BOOL), _zeroed("i", INT, 822),
        Local("slot", Pointer(CPU_ARCH_ID)), address=0x3997C2),
    _fn("x86_cpu_index_to_props", X86_C, CPU_PROPS,
        (("ms", MS_P), ("cpu_index", UINT)), MC, Local("possible_cpus", ARCH_IDS_P),
        address=0x6B13E0),
    _fn("x86_possible_cpu_arch_ids", X86_C, ARCH_IDS_P, (("ms", MS_P),),
        Local("x86ms", Pointer(X86_MACHINE_STATE)), Local("max_cpus", UINT),
        _zeroed("topo_info", X86_TOPO_INFO, 105), _zeroed("i", INT, 106),
        _zeroed("topo_ids", X86_TOPO_IDS, 124), address=0x6B1639),
    _fn("x86_get_default_cpu_node_id", X86_C, INT64,
        (("ms", Pointer(Const(MACHINE_STATE))), ("idx", INT)),
        _zeroed("topo_ids", X86_TOPO_IDS, 89), Local("x86ms", Pointer(X86_MACHINE_STATE)),
        _zeroed("topo_info", X86_TOPO_INFO, 91), address=0x6B1525),
    # GString *s is modelled as its text (a char *): the trace records the string.
    _fn("machine_numa_finish_cpu_init", MACHINE_C, VOID, (("machine", MS_P),),
        _zeroed("i", INT, 1427), _zeroed("default_mapping", BOOL, 1428), Local("s", CHAR_P), MC,
        Local("possible_cpus", ARCH_IDS_P), Local("cpu_slot", Pointer(Const(CPU_ARCH_ID))),
        Local("props", CPU_PROPS), Local("cpu_str", CHAR_P), address=0x39B7A7),
    _fn("cpu_slot_to_string", MACHINE_C, CHAR_P, (("cpu", Pointer(Const(CPU_ARCH_ID))),),
        Local("s", CHAR_P), address=0x39B3F1),
    _fn("machine_consume_memdev", MACHINE_C, Pointer(MEMORY_REGION),
        (("machine", MS_P), ("backend", Pointer(HOST_MEMORY_BACKEND))),
        Local("ret", Pointer(MEMORY_REGION)), address=0x39BF65),
    _fn("create_default_memdev", MACHINE_C, BOOL,
        (("ms", MS_P), ("path", CONST_CHAR_P), ("errp", ERRP)),
        _zeroed("obj", Pointer(OBJECT), 1070), MC, Local("r", BOOL), address=0x39A632),
    _fn("is_cpu_type_supported", MACHINE_C, BOOL,
        (("machine", Pointer(Const(MACHINE_STATE))), ("errp", ERRP)),
        MC, Local("oc", Pointer(OBJECT_CLASS)), _zeroed("cc", Pointer(CPU_CLASS), 1547),
        _zeroed("i", INT, 1548), address=0x39C037),
    # never entered on x86 (MachineClass::cpu_cluster_has_numa_boundary is never set)
    _fn("validate_cpu_cluster_to_numa_boundary", MACHINE_C, VOID, (("ms", MS_P),),
        MC, Local("state", Pointer(NUMA_STATE)), Local("possible_cpus", ARCH_IDS_P),
        Local("cpus", Pointer(CPU_ARCH_ID)), Local("i", INT), Local("j", INT),
        address=0x39BB92),
    _fn("machine_run_board_init", MACHINE_C, VOID,
        (("machine", MS_P), ("mem_path", CONST_CHAR_P), ("errp", ERRP)),
        Local("_auto_errp_prop", ERROR_PROPAGATOR), Local("machine_class", MC_P),
        Local("backend_size", RAM_ADDR), address=0x39C3BC),
)}
# Functions of the binary the model never runs: `break` still finds them (gdb's line).
UNRUN_ENTRIES: dict[str, tuple[str, int]] = {
    "validate_cpu_cluster_to_numa_boundary": (MACHINE_C, 1482),
}

# --------------------------------------------------------------------------- lines

# main (system/main.c) calls qemu_init (system/vl.c), which runs option parsing and, under
# qmp_x_exit_preconfig and qemu_init_board, board init. The model records these frames but
# does not step them: their lines while a callee runs are the calls' lines in 10.0's
# source; each of these calls is a void call that ends its statement and its return
# address starts the next line, so `next` and `finish` out of it both land there.
MAIN = UnsteppedFrame(fn="main", file=MAIN_C, entry=70, last=83,
                      call_lines={"qemu_init": 71}, return_lines={"qemu_init": 72},
                      finish_lines={"qemu_init": 72}, default_line=71, lines_from_events=True)
_QEMU_INIT_RETURNS = {"parse_memory_options": 3774, "qemu_resolve_machine_memdev": 3845,
                      "parse_numa_opts": 3847, "qmp_x_exit_preconfig": 3857}
QEMU_INIT = UnsteppedFrame(
    fn="qemu_init", file=VL_C, entry=2843, last=3861,
    # the smp and memory property setters run under qemu_apply_machine_options
    call_lines={"parse_memory_options": 3772, "machine_set_smp": 3790, "machine_set_mem": 3790,
                "qemu_resolve_machine_memdev": 3844, "parse_numa_opts": 3845,
                "qmp_x_exit_preconfig": 3855},
    return_lines=_QEMU_INIT_RETURNS, finish_lines=_QEMU_INIT_RETURNS, default_line=3855,
    lines_from_events=True,
    # static helpers the model runs in qemu_init's frame: select_machine and
    # qemu_create_machine (3774), qemu_apply_machine_options (3790),
    # qemu_create_late_backends (3828)
    helpers=((1674, 1699, 3774), (2188, 2228, 3774), (2003, 2015, 3790), (2084, 2115, 3828)),
)
QMP_X_EXIT_PRECONFIG = UnsteppedFrame(
    fn="qmp_x_exit_preconfig", file=VL_C, entry=2803, last=2840,
    call_lines={"qemu_init_board": 2809}, return_lines={"qemu_init_board": 2810},
    finish_lines={"qemu_init_board": 2810}, default_line=2809, lines_from_events=True)
QEMU_INIT_BOARD = UnsteppedFrame(
    fn="qemu_init_board", file=VL_C, entry=2706, last=2731,
    call_lines={"machine_run_board_init": 2713}, return_lines={"machine_run_board_init": 2715},
    finish_lines={"machine_run_board_init": 2715}, default_line=2713, lines_from_events=True)
# where each line's code starts, each call returns to and each function's code lies, read
# from the -O0 build (.ci/build-qemu-10.0) by tools/gdb_code_table.py
CODE = CodeMap(code.LINES, returns=code.RETURNS, extents=code.EXTENTS, ends=code.ENDS)

DEBUG_INFO = DebugInfo(
    profile="10.0",
    typedefs=TYPEDEFS,
    struct_tags=STRUCT_TAGS,
    macros=MACROS,
    globals=GLOBALS,
    functions=FUNCTIONS,
    roots=ROOTS,
    regions=(BACKENDS,),
    preset=PRESET,  # type: ignore[arg-type]
    class_presets=(("mc.default_ram_id", "pc.ram", PC_CLASS_PRESET),),
    unstepped=(MAIN, QEMU_INIT, QMP_X_EXIT_PRECONFIG, QEMU_INIT_BOARD, opts_foreach_frame(1135)),
    code=CODE,
    cfg_module="tracesim.qemu.v100.cfg",
    extra_entries=UNRUN_ENTRIES,
    data_symbols={ERROR_FATAL: "error_fatal", ERROR_ABORT: "error_abort",
                  ADDR_NUMA_OPTS: "qemu_numa_opts"},
    # uninitialised stack slots as gdb showed them (numa_complete_configuration's i at its
    # `{` in most calls: spec 10.0, stepping item 3)
    garbage_by_size={4: 32767},
)
