"""vl.c: main's path from argv to machine_run_board_init, and set_memory_options."""

from __future__ import annotations

from .cutils import ParseError, qemu_strtosz
from .machine import machine_run_board_init, smp_parse
from .machines import MachineClass, default_machine, find_machine, machine_help
from .numa import parse_numa_opts
from .options import MODELLED, Cmdline, CmdlineError, is_help_option, parse_cmdline
from .process import Qemu, QemuExit, Recorder
from .state import ADDR_MACHINE_CLASS, Globals, HostMemoryBackend, MachineState, MiB, NumaState
from .x86 import parse_cpu_option, pc_smp_parse

VL = "vl.c"
RAM_ADDR_MAX = (1 << 64) - 1  # ram_addr_t is 64 bits on x86_64 hosts
MEMORY_BACKENDS = ("memory-backend-ram", "memory-backend-file", "memory-backend-memfd")


def qemu_main(argv: list[str], rec: Recorder) -> tuple[int, Qemu | None]:
    """Run the simulated process: its exit status (0: it goes on into board init) and the
    process as it ended (None when the command line did not parse)."""
    # envp follows argv's NULL (0x7fffffffe308 for the golden session's 17 words)
    argc, argv_address = len(argv) + 1, 0x7FFFFFFFE278
    rec.call("main", VL, argc=argc, argv=argv_address, envp=argv_address + 8 * (argc + 1))
    q: Qemu | None = None
    try:
        q = Qemu(rec, cmdline=read_cmdline(rec, argv))
        run_main(q)
    except QemuExit as done:
        return done.status, q
    raise AssertionError("the model always ends in exit()")


def read_cmdline(rec: Recorder, argv: list[str]) -> Cmdline:
    """The first pass; a syntax error is reported in the option's location, exit 1."""
    try:
        cmdline = parse_cmdline(argv)
    except CmdlineError as err:
        line = err.line or 3040
        rec.report(line, "error", err.text, err.location)
        if err.hint:
            rec.report(line, "printf", err.hint)
        rec.exit(line, 1)
        raise QemuExit(1)
    for name, stored in cmdline.opts.items():
        for opts in stored:
            rec.fact(MODELLED[name], "opt.parsed", kind=name, arg=opts.arg)
    for word in cmdline.ignored:
        rec.fact(3035, "opt.ignored", arg=word)
    return cmdline


def run_main(q: Qemu) -> None:
    rec = q.rec
    mc = select_machine(q)
    q.mc = mc
    publish_machine_class(q, mc)
    q.g = Globals(rec)
    ram_slots, maxram_size = set_memory_options(q, mc)

    # vl.c:3889 current_machine = MACHINE(object_new(...)); machine_initfn (machine.c:961)
    ms = MachineState(rec)
    q.ms = ms
    rec.fact(3889, "machine.created", type=mc.name)
    if mc.numa_mem_supported:
        ms.numa_state = NumaState(rec)
    if mc.pc_smp:
        ms.smp_dies = 1  # pc_machine_initfn
    ms.smp.cpus = 1  # vl.c:3974-3977: mc->default_cpus, cores = threads = 1
    ms.smp.max_cpus = 1
    ms.smp.cores = 1
    ms.smp.threads = 1
    smp = q.cmdline.last("smp")
    rec.fact(3978, "smp.parse", arg=smp.arg if smp else None)
    if mc.pc_smp:
        pc_smp_parse(q, ms, smp, at=3978)
    else:
        smp_parse(q, ms, smp, at=3978)
    check_max_cpus(q, mc, ms)

    create_memory_backends(q)
    ms.ram_size = q.g.ram_size  # vl.c:4296-4298
    ms.maxram_size = maxram_size
    ms.ram_slots = ram_slots
    ms.cpu_type = mc.default_cpu_type
    cpu_option = q.cmdline.cpu_option
    if cpu_option is not None and not is_help_option(cpu_option):
        ms.cpu_type = parse_cpu_option(q, cpu_option, 4336)
    parse_numa_opts(q, ms, at=4338)
    machine_run_board_init(q, ms, at=4346)


def select_machine(q: Qemu) -> MachineClass:
    """select_machine / machine_parse (vl.c): -machine type= or the default."""
    opts = q.cmdline.last("machine")
    name = opts.get("type") if opts else None
    if q.cmdline.help_machine:
        q.rec.report(3850, "stdout", machine_help())
        q.exit(3850, 0)
    if name is None:
        return default_machine()
    mc = find_machine(name)
    if mc is None:
        assert opts is not None
        q.location = opts.location
        q.error_report(3850, "unsupported machine type")
        q.error_printf(3850, "Use -machine help to list supported machines\n")
        q.exit(3850, 1)
    assert mc is not None
    return mc


def publish_machine_class(q: Qemu, mc: MachineClass) -> None:
    """The class's fields as the machine's memory holds them (read by gdb as mc->...)."""
    fields = {
        "name": mc.name,
        "desc": mc.desc,
        "alias": mc.alias,
        "is_default": mc.is_default,
        "max_cpus": mc.max_cpus,
        "default_cpu_type": mc.default_cpu_type,
        "default_ram_size": mc.default_ram_size,
        "numa_mem_supported": mc.numa_mem_supported,
        "auto_enable_numa": mc.auto_enable_numa,
        "auto_enable_numa_with_memhp": mc.auto_enable_numa_with_memhp,
        "numa_mem_align_shift": mc.numa_mem_align_shift,
        "numa_auto_assign_ram": mc.numa_auto_assign_ram,
        "smp_parse": "pc_smp_parse" if mc.pc_smp else "smp_parse",
        "cpu_index_to_instance_props": "x86_cpu_index_to_props" if mc.x86_cpu_props else None,
        "get_default_cpu_node_id": "x86_get_default_cpu_node_id" if mc.x86_cpu_props else None,
        "possible_cpu_arch_ids": "x86_possible_cpu_arch_ids" if mc.x86_cpu_props else None,
    }
    for name, value in fields.items():
        q.rec.write(f"mc.{name}", value)


def set_memory_options(q: Qemu, mc: MachineClass) -> tuple[int, int]:
    """vl.c:2719-2796. Returns (ram_slots, maxram_size); ram_size is the global."""
    rec, g = q.rec, q.g
    assert g is not None
    rec.call(
        "set_memory_options",
        VL,
        ram_slots=0x7FFFFFFFDFA0,
        maxram_size=0x7FFFFFFFDF98,
        mc=ADDR_MACHINE_CLASS,
    )
    rec.step(2721)
    rec.step(2724)
    default_ram_size = mc.default_ram_size
    rec.local("default_ram_size", default_ram_size)
    rec.step(2725)
    opts = q.cmdline.last("m")
    rec.step(2728)
    saved_location = q.location
    q.location = None
    rec.step(2729)
    q.location = opts.location if opts else None
    rec.step(2731)
    sz = 0
    rec.local("sz", sz)
    rec.step(2732)
    mem_str = opts.get("size") if opts else None
    rec.local("mem_str", mem_str)
    rec.step(2733)
    rec.branch(2733, "mem_str", mem_str is not None, mem_str=mem_str)
    if mem_str is not None:
        rec.step(2734)
        rec.branch(2734, "*mem_str == '\\0'", mem_str == "", mem_str=mem_str)
        if mem_str == "":
            rec.step(2735)
            q.error_report(2735, "missing 'size' option value")
            rec.step(2736)
            q.exit(2736, 1)
        rec.step(2739)
        assert opts is not None
        sz = opts.numbers.get("size", 0)
        rec.local("sz", sz)
        rec.step(2742)
        last_is_digit = mem_str[-1].isdigit()
        rec.branch(
            2742, "g_ascii_isdigit(mem_str[strlen(mem_str) - 1])", last_is_digit, last=mem_str[-1]
        )
        if last_is_digit:
            rec.step(2743)
            overflow_check = sz
            rec.local("overflow_check", overflow_check)
            rec.step(2745)
            sz = (sz * MiB) & RAM_ADDR_MAX
            rec.local("sz", sz)
            rec.step(2746)
            overflow = sz // MiB != overflow_check
            rec.branch(
                2746, "sz / MiB != overflow_check", overflow, sz=sz, overflow_check=overflow_check
            )
            if overflow:
                rec.step(2747)
                q.error_report(2747, "too large 'size' option value")
                rec.step(2748)
                q.exit(2748, 1)
    rec.step(2754)
    rec.branch(2754, "sz == 0", sz == 0, sz=sz)
    if sz == 0:
        rec.step(2755)
        sz = default_ram_size
        rec.local("sz", sz)
    rec.step(2758)
    sz = (sz + 8191) & ~8191  # QEMU_ALIGN_UP(sz, 8192)
    rec.local("sz", sz)
    rec.step(2759)
    g.ram_size = sz
    rec.step(2760)
    rec.branch(2760, "ram_size != sz", False, ram_size=sz, sz=sz)
    rec.step(2766)
    rec.step(2767)
    maxram_size = g.ram_size
    g.maxram_size = maxram_size
    rec.step(2769)
    has_maxmem = bool(opts and opts.get("maxmem") is not None)
    rec.branch(2769, 'qemu_opt_get(opts, "maxmem")', has_maxmem)
    ram_slots = 0
    if has_maxmem:
        assert opts is not None
        rec.step(2772)
        sz = opts.numbers.get("maxmem", 0)
        rec.local("sz", sz)
        rec.step(2773)
        slots = opts.numbers.get("slots", 0)
        rec.local("slots", slots)
        rec.step(2774)
        rec.branch(2774, "sz < ram_size", sz < g.ram_size, sz=sz, ram_size=g.ram_size)
        if sz < g.ram_size:
            rec.step(2775)
            q.error_report(
                2775,
                "invalid value of -m option maxmem: maximum memory size "
                f"(0x{sz:x}) must be at least the initial memory size "
                f"(0x{g.ram_size:x})",
            )
            rec.step(2779)
            q.exit(2779, 1)
        rec.step(2780)
        rec.branch(
            2780,
            "slots && sz == ram_size",
            bool(slots and sz == g.ram_size),
            slots=slots,
            sz=sz,
            ram_size=g.ram_size,
        )
        if slots and sz == g.ram_size:
            rec.step(2781)
            q.error_report(
                2781,
                "invalid value of -m option maxmem: memory slots were "
                f"specified but maximum memory size (0x{sz:x}) is equal to the "
                f"initial memory size (0x{g.ram_size:x})",
            )
            rec.step(2785)
            q.exit(2785, 1)
        rec.step(2788)
        maxram_size = sz
        g.maxram_size = sz
        rec.step(2789)
        ram_slots = slots
        g.ram_slots = slots
    else:
        rec.step(2790)
        has_slots = bool(opts and opts.get("slots") is not None)
        rec.branch(2790, 'qemu_opt_get(opts, "slots")', has_slots)
        if has_slots:
            rec.step(2791)
            q.error_report(2791, "invalid -m option value: missing 'maxmem' option")
            rec.step(2792)
            q.exit(2792, 1)
    rec.fact(2789, "mem.set", ram_size=g.ram_size, maxram_size=maxram_size, ram_slots=ram_slots)
    rec.step(2795)
    q.location = saved_location
    rec.step(2796)
    rec.ret()
    return ram_slots, maxram_size


def check_max_cpus(q: Qemu, mc: MachineClass, ms: MachineState) -> None:
    """vl.c after smp_parse: the machine's CPU limit (source-derived, spec section 2.3)."""
    if ms.smp.cpus > mc.max_cpus:
        q.error_report(
            3988,
            f"Number of SMP CPUs requested ({ms.smp.cpus}) exceeds max CPUs "
            f"supported by machine '{mc.name}' ({mc.max_cpus})",
        )
        q.exit(3991, 1)
    if ms.smp.max_cpus > mc.max_cpus:
        q.error_report(
            3994,
            f"Invalid SMP CPUs {ms.smp.max_cpus}. The max CPUs supported by "
            f"machine '{mc.name}' is {mc.max_cpus}",
        )
        q.exit(3997, 1)


def create_memory_backends(q: Qemu) -> None:
    """object_create_delayed (vl.c:4279-4281): memory backends exist before -numa runs."""
    for index, opts in enumerate(q.cmdline.opts.get("object", [])):
        qom_type = opts.get("qom-type")
        if qom_type not in MEMORY_BACKENDS:
            q.rec.fact(4279, "object.ignored", arg=opts.arg)
            continue
        ident = opts.get("id")
        size_raw = opts.get("size")
        q.location = opts.location
        size = 0
        if size_raw is not None:
            try:
                size = qemu_strtosz(size_raw)
            except ParseError:
                q.fatal(4281, "Parameter 'size' expects a size value")
        if ident is None:
            q.fatal(4281, "Parameter 'id' is missing")
        if size == 0:
            q.fatal(4281, "can't create backend with size 0")
        q.location = None
        q.backends[ident] = HostMemoryBackend(q.rec, index, qom_type, ident, size)
        q.rec.fact(4281, "object.created", id=ident, type=qom_type, size=size)
