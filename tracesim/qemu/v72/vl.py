"""softmmu/vl.c of QEMU 7.2: qemu_init's path from argv to machine_run_board_init.

-m and -smp become the machine's `memory` and `smp` properties (parse_memory_options,
qemu_apply_machine_options), memory backends are created late, `-machine memory-backend=`
is resolved, then -numa is parsed and the board initialised.
"""

from __future__ import annotations

from typing import Any, Callable

from ..cutils import ParseError
from ..options import (OPTS_DESC, Cmdline, CmdlineError, QemuOpts, is_help_option,
                       parse_cmdline)
from ..process import Qemu, QemuError, QemuExit, Recorder
from ..state import Globals
from ..x86 import parse_cpu_option
from .cutils import qemu_strtosz
from .machine import ERROR_FATAL, MACHINE_C
from .machine_smp import SMP_KEYS
from .machines import MachineClass
from .numa import parse_numa_opts
from .state import MachineState, create_backend

VL = "softmmu/vl.c"
RAM_ADDR_MAX = (1 << 64) - 1
MEMORY_BACKENDS = ("memory-backend-ram", "memory-backend-file", "memory-backend-memfd")
# Properties every machine has (`-machine TYPE,help`); PC types add the rest, and machines
# with NUMA hooks get `hmat` at instance init (machine.c:1086-1094).
COMMON_PROPS = {"append", "boot", "confidential-guest-support", "dt-compatible", "dtb",
                "dump-guest-core", "dumpdtb", "firmware", "graphics", "initrd", "kernel",
                "mem-merge", "memory-backend", "memory-encryption", "memory", "phandle-start",
                "smp", "suppress-vmdesc", "usb", "type",
                # qemu_apply_legacy_machine_options takes these off first
                "accel", "kernel-irqchip", "kvm-shadow-mem"}
PC_PROPS = {"acpi", "bus-lock-ratelimit", "default-bus-bypass-iommu", "hpet", "i8042",
            "max-fw-size", "max-ram-below-4g", "pic", "pit", "sata", "sgx-epc",
            "smbios-entry-point-type", "smbus", "smm", "vmport", "x-oem-id", "x-oem-table-id"}


def qemu_main(argv: list[str], rec: Recorder, impl: Any = None) -> tuple[int, Qemu | None]:
    """The simulated process: its exit status (0: it goes on into board init). `impl` is
    the profile's own data and functions (7.2's when not given).

    main (main.c:47) only calls qemu_init(argc, argv), which does everything below; the
    model records both frames but steps neither (their lines are in the debug info)."""
    from .impl import impl_72

    impl = impl or impl_72()
    argc, argv_address = len(argv) + 1, 0x7FFFFFFFE268
    rec.call("main", "softmmu/main.c", argc=argc, argv=argv_address,
             envp=argv_address + 8 * (argc + 1))  # envp follows argv's NULL
    rec.call("qemu_init", VL, argc=argc, argv=argv_address)
    q: Qemu | None = None
    try:
        q = Qemu(rec, cmdline=read_cmdline(rec, argv, impl.strtosz, impl.smp_keys), impl=impl)
        qemu_init(q)
    except QemuExit as done:
        return done.status, q
    raise AssertionError("the model always ends in exit()")


def read_cmdline(rec: Recorder, argv: list[str], strtosz: Any = qemu_strtosz,
                 smp_keys: tuple[str, ...] = SMP_KEYS) -> Cmdline:
    """The first pass of qemu_init; a syntax error is reported in the option's location."""
    def sizes(value: str, location: str) -> int:
        return strtosz(value, warn=lambda text: rec.report(2713, "warning", text, location))

    try:
        cmdline = parse_cmdline(argv, OPTS_DESC | {"smp": dict.fromkeys(smp_keys, "number")},
                                sizes)
        check_objects(cmdline, sizes)
    except CmdlineError as err:
        rec.report(2713, "error", err.text, err.location)
        if err.hint:
            rec.report(2713, "printf", err.hint)
        rec.exit(2713, 1)
        raise QemuExit(1)
    for name, stored in cmdline.opts.items():
        for opts in stored:
            rec.fact(2713, "opt.parsed", kind=name, arg=opts.arg)
    for word in cmdline.ignored:
        rec.fact(2713, "opt.ignored", arg=word)
    return cmdline


def check_objects(cmdline: Cmdline, sizes: Callable[[str, str], int]) -> None:
    """object_option_parse (vl.c:1733-1764): each -object is parsed into the `object`
    QemuOpts list (ids unique) and visited as the option is read, members in the QAPI
    schema's order (the base backend's `size` before memory-backend-file's `mem-path`)."""
    seen: set[str] = set()
    for opts in cmdline.opts.get("object", []):
        ident = opts.get("id")
        if ident is not None:
            if ident in seen:
                raise CmdlineError(opts.location, f"Duplicate ID '{ident}' for object")
            seen.add(ident)
        qom_type = opts.get("qom-type")
        if qom_type not in MEMORY_BACKENDS:
            continue
        if ident is None:
            raise CmdlineError(opts.location, "Parameter 'id' is missing")
        raw = opts.get("size")
        if raw is None:
            raise CmdlineError(opts.location, "Parameter 'size' is missing")
        try:
            opts.numbers["size"] = sizes(raw, opts.location)
        except ParseError:
            raise CmdlineError(opts.location, "Parameter 'size' expects a size value")
        if qom_type == "memory-backend-file" and opts.get("mem-path") is None:
            raise CmdlineError(opts.location, "Parameter 'mem-path' is missing")


def qemu_init(q: Qemu) -> None:
    rec = q.rec
    machine_opts = q.cmdline.last("machine")
    mem = parse_memory_options(q)
    mc = select_machine(q, machine_opts)
    q.mc = mc
    publish_machine_class(q, mc)
    q.g = Globals(rec)
    # qemu_create_machine: machine_initfn (machine.c:1060-1106)
    impl = q.impl
    ms = impl.machine_state(rec)
    q.ms = ms
    rec.fact(2022, "machine.created", type=mc.name)
    if mc.x86_cpu_props:
        ms.numa_state = impl.numa_state(rec)
    ms.smp.cpus = mc.default_cpus
    ms.smp.max_cpus = mc.default_cpus
    for name in impl.smp_levels:
        setattr(ms.smp, name, 1)
    memdev_id = qemu_apply_machine_options(q, ms, machine_opts, mem)
    q.impl.warn_deprecated(q, mc)  # 10.0 deprecates old machine versions
    create_memory_backends(q)
    ms.cpu_type = mc.default_cpu_type  # vl.c:3592
    cpu_option = q.cmdline.cpu_option
    if cpu_option is not None and not is_help_option(cpu_option):  # vl.c:3593-3594
        ms.cpu_type = parse_cpu_option(q, cpu_option, 3594)
    qemu_resolve_machine_memdev(q, ms, memdev_id, custom_size="size" in mem)
    parse_numa_opts(q, ms)
    qmp_x_exit_preconfig(q, ms)


def qmp_x_exit_preconfig(q: Qemu, ms: MachineState) -> None:
    """vl.c:3609 (no -preconfig): qmp_x_exit_preconfig(&error_fatal) calls qemu_init_board
    (vl.c:2611), which calls machine_run_board_init (vl.c:2515). Frames the model records but
    does not step; board init ends the simulated run, so neither returns."""
    q.rec.call("qmp_x_exit_preconfig", VL, errp=ERROR_FATAL)
    q.rec.call("qemu_init_board", VL)
    q.impl.machine_run_board_init(q, ms)


def parse_memory_options(q: Qemu) -> dict[str, str]:
    """vl.c:1980-2015: -m rewritten as the machine's `memory` property."""
    rec = q.rec
    rec.call("parse_memory_options", VL)
    rec.step(1981)
    rec.step(1982)
    opts = q.cmdline.last("m")
    rec.step(1987)
    saved = q.location
    q.location = None
    rec.step(1988)
    q.location = opts.location if opts else None
    rec.step(1990)
    prop: dict[str, str] = {}
    rec.step(1992)
    has_size = bool(opts and opts.numbers.get("size", 0))
    rec.branch(1992, 'qemu_opt_get_size(opts, "size", 0) != 0', has_size)
    if has_size:
        assert opts is not None
        rec.step(1994)
        mem_str = opts.get("size") or ""
        rec.local("mem_str", mem_str)
        rec.step(1995)
        digit = mem_str[-1].isdigit()
        rec.branch(1995, "g_ascii_isdigit(mem_str[strlen(mem_str) - 1])", digit,
                   last=mem_str[-1])
        if digit:
            rec.step(1996)
            rec.step(1997)
            prop["size"] = f"{mem_str}M"  # a plain number means MiB
            rec.step(1996)
        else:
            rec.step(1999)
            prop["size"] = mem_str
    rec.step(2003)
    if opts and opts.get("maxmem") is not None:
        rec.step(2004)
        prop["max-size"] = opts.get("maxmem") or ""
    rec.step(2006)
    if opts and opts.get("slots") is not None:
        rec.step(2007)
        prop["slots"] = opts.get("slots") or ""
    for line in (2010, 2011, 2012, 2013, 2014):
        rec.step(line)
    q.location = saved
    rec.step(2015)
    rec.ret()
    return prop


def select_machine(q: Qemu, opts: QemuOpts | None) -> MachineClass:
    """select_machine (vl.c:1612-1650): -machine type= or the default."""
    name = opts.get("type") if opts else None
    if q.cmdline.help_machine:
        q.rec.report(1627, "stdout", q.impl.help_text())
        q.exit(1627, 0)
    if name is None:
        return q.impl.default_machine()
    mc = q.impl.find_machine(name)
    if mc is None:
        q.error_report(1638, q.impl.unsupported_machine.format(name=name))
        q.error_printf(1638, "Use -machine help to list supported machines\n")
        q.exit(1638, 1)
    assert mc is not None
    return mc


def publish_machine_class(q: Qemu, mc: MachineClass) -> None:
    """The class's fields as the machine's memory holds them (read by gdb as mc->...)."""
    fields: dict[str, Any] = {
        "name": mc.name, "desc": mc.desc, "alias": mc.alias, "is_default": mc.is_default,
        "max_cpus": mc.max_cpus, "min_cpus": mc.min_cpus, "default_cpus": mc.default_cpus,
        "default_cpu_type": mc.default_cpu_type, "default_ram_size": mc.default_ram_size,
        "default_ram_id": mc.default_ram_id, "numa_mem_supported": mc.numa_mem_supported,
        "auto_enable_numa": mc.auto_enable_numa,
        "auto_enable_numa_with_memhp": mc.auto_enable_numa_with_memhp,
        "auto_enable_numa_with_memdev": mc.auto_enable_numa_with_memdev,
        "numa_mem_align_shift": mc.numa_mem_align_shift,
        "smp_props.prefer_sockets": mc.smp_props.prefer_sockets,
        "smp_props.dies_supported": mc.smp_props.dies_supported,
        "smp_props.clusters_supported": mc.smp_props.clusters_supported,
        "cpu_index_to_instance_props": "x86_cpu_index_to_props" if mc.x86_cpu_props else None,
        "get_default_cpu_node_id": "x86_get_default_cpu_node_id" if mc.x86_cpu_props else None,
        "possible_cpu_arch_ids": "x86_possible_cpu_arch_ids" if mc.x86_cpu_props else None,
    }
    for name, value in fields.items():
        q.rec.write(f"mc.{name}", value)


def _bool_property(value: str) -> bool | None:
    return {"on": True, "yes": True, "true": True, "y": True,
            "off": False, "no": False, "false": False, "n": False}.get(value)


def qemu_apply_machine_options(q: Qemu, ms: MachineState, opts: QemuOpts | None,
                               mem: dict[str, str]) -> str | None:
    """vl.c:1849-1863: -machine properties, then `smp` and `memory` (smp first: spec 7.2,
    stepping item 1). Returns the `memory-backend` id."""
    mc = q.mc
    assert mc is not None
    known = COMMON_PROPS | (PC_PROPS if mc.default_ram_id == "pc.ram" else set())
    if ms.numa_state is not None:
        known = known | {"hmat"}
    memdev_id: str | None = None
    for key, value in opts.params if opts else []:
        if key not in known:
            q.fatal(1853, f"Property '{mc.name}-machine.{key}' not found")
        if key == "hmat":
            enabled = _bool_property(value)
            if enabled is None:
                q.fatal(1853, "Parameter 'hmat' expects 'on' or 'off'")
            assert ms.numa_state is not None
            ms.numa_state.hmat_enabled = bool(enabled)  # machine_set_hmat
        elif key == "memory-backend":
            memdev_id = value
    smp = q.cmdline.last("smp")
    if smp is not None:
        config = {k: v for k, v in smp.numbers.items() if k in q.impl.smp_keys}
        try:
            q.impl.machine_set_smp(q, ms, config)
        except QemuError as err:
            q.fatal(1853, err.text)
    try:
        q.impl.machine_set_mem(q, ms, mem)
    except QemuError as err:
        q.fatal(1853, err.text)
    return memdev_id


def machine_set_mem(q: Qemu, ms: MachineState, mem: dict[str, str]) -> None:
    """machine.c:558-611, the `memory` property setter; raises QemuError."""
    rec, mc = q.rec, q.mc
    assert mc is not None
    rec.call("machine_set_mem", MACHINE_C, obj=0x555556A2C430, v=0x555556A47A00,
             name="memory", opaque=0, errp=0x7FFFFFFFDB98)
    rec.step(560)
    rec.step(561)
    rec.step(562)
    rec.step(565)
    rec.step(567)
    # the keyval visitor parses the strings parse_memory_options built
    parsed, bad = parse_memory_sizes(mem, qemu_strtosz, lambda text: q.warn_report(567, text))
    if bad is not None:
        text = f"Parameter 'memory.{bad}' expects size"
        rec.fact(567, "error.set", text=text)
        rec.step(568)
        rec.step(565)  # ERRP_GUARD's cleanup
        rec.step(611)
        rec.ret()
        raise QemuError(text) from None
    size = parsed.get("size")
    rec.step(571)
    rec.branch(571, "!mem->has_size", size is None)
    if size is None:
        rec.step(572)
        rec.step(573)
        size = mc.default_ram_size
    rec.local("mem->size", size)
    rec.step(575)
    size = (size + 8191) & ~8191 & RAM_ADDR_MAX  # QEMU_ALIGN_UP(size, 8192)
    rec.local("mem->size", size)
    rec.step(576)
    rec.branch(576, "mc->fixup_ram_size", False)
    err: str | None = None
    rec.step(584)
    rec.branch(584, "mem->has_max_size", "max-size" in mem)
    if "max-size" in mem:
        max_size = parsed["max-size"]
        slots = int(mem.get("slots", "0"), 0)
        rec.step(585)
        rec.branch(585, "mem->max_size < mem->size", max_size < size, max_size=max_size,
                   size=size)
        if max_size < size:
            rec.step(586)
            err = (f"invalid value of maxmem: maximum memory size (0x{max_size:x}) must be at "
                   f"least the initial memory size (0x{size:x})")
        else:
            rec.step(592)
            equal = bool(slots) and max_size == size
            rec.branch(592, "mem->has_slots && mem->slots && mem->max_size == mem->size",
                       equal, slots=slots, max_size=max_size, size=size)
            if equal:
                rec.step(593)
                err = (f"invalid value of maxmem: memory slots were specified but maximum "
                       f"memory size (0x{max_size:x}) is equal to the initial memory size "
                       f"(0x{size:x})")
            else:
                rec.step(599)
                ms.maxram_size = max_size
    else:
        rec.step(601)
        rec.branch(601, "mem->has_slots", "slots" in mem)
        if "slots" in mem:
            rec.step(602)
            err = "slots specified but no max-size"
        else:
            rec.step(605)
            ms.maxram_size = size
    if err is None:
        rec.step(607)
        ms.ram_size = size
        rec.step(608)
        ms.ram_slots = int(mem["slots"], 0) if "slots" in mem and "max-size" in mem else 0
        rec.fact(608, "mem.set", ram_size=ms.ram_size, maxram_size=ms.maxram_size,
                 ram_slots=ms.ram_slots)
    else:
        rec.fact(602, "error.set", text=err)
    rec.step(610)
    rec.step(565)  # ERRP_GUARD's cleanup
    rec.step(611)
    rec.ret()
    if err is not None:
        raise QemuError(err)


def parse_memory_sizes(mem: dict[str, str], strtosz: Any,
                       warn: Any = None) -> tuple[dict[str, int], str | None]:
    """The keyval visitor's pass over `memory`: the sizes parsed in order, and the first key
    whose size does not parse (None when all do)."""
    parsed: dict[str, int] = {}
    for key, value in mem.items():
        if key in ("size", "max-size"):
            try:
                parsed[key] = strtosz(value, warn=warn)
            except ParseError:
                return parsed, key
    return parsed, None


def create_memory_backends(q: Qemu) -> None:
    """qemu_create_late_backends (vl.c:1931-1939): memory backends are created late."""
    for opts in q.cmdline.opts.get("object", []):
        qom_type = opts.get("qom-type")
        if qom_type not in MEMORY_BACKENDS:
            q.rec.fact(1939, "object.ignored", arg=opts.arg)
            continue
        ident = opts.get("id") or ""
        size = opts.numbers.get("size", 0)
        if size == 0:
            q.fatal(1939, f"property 'size' of {qom_type} doesn't take value '0'")
        create_backend(q, ident, qom_type, size)
        q.rec.fact(1939, "object.created", id=ident, type=qom_type, size=size)


def qemu_resolve_machine_memdev(q: Qemu, ms: MachineState, memdev_id: str | None,
                                custom_size: bool) -> None:
    """vl.c:1959-1978: `-machine memory-backend=ID` becomes ms->memdev."""
    rec = q.rec
    rec.call("qemu_resolve_machine_memdev", VL)
    rec.step(1961)
    rec.branch(1961, "ram_memdev_id", memdev_id is not None, ram_memdev_id=memdev_id)
    if memdev_id is not None:
        rec.step(1965)
        backend = q.backends.get(memdev_id)
        rec.step(1967)
        rec.branch(1967, "!backend", backend is None, id=memdev_id)
        if backend is None:
            rec.step(1968)
            q.error_report(1968, f"Memory backend '{memdev_id}' not found")
            rec.step(1969)
            q.exit(1969, 1)
        assert backend is not None
        rec.step(1971)
        rec.branch(1971, "!have_custom_ram_size", not custom_size)
        if not custom_size:
            rec.step(1972)
            rec.step(1973)
            ms.ram_size = backend.size
        rec.step(1975)
        ms.memdev = backend
    rec.step(1978)
    rec.ret()
