"""hw/i386/x86.c (possible CPUs, CPU props, default node) and hw/i386/pc.c's pc_smp_parse,
with the APIC-id topology of include/hw/i386/topology.h."""

from __future__ import annotations

from .options import QemuOpts
from .process import Qemu
from .state import ADDR_MACHINE, CPUArchIdList, CpuInstanceProperties, MachineState

X86 = "hw/i386/x86.c"
PC = "hw/i386/pc.c"
U32 = 0xFFFFFFFF


X86_CPU_TYPE_SUFFIX = "-x86_64-cpu"  # X86_CPU_TYPE_NAME(model) = model "-x86_64-cpu"


def parse_cpu_option(q: Qemu, cpu_option: str, line: int) -> str:
    """cpu.c's parse_cpu_option with target/i386's x86_cpu_class_by_name: the model is the
    text before the first comma, its class the QOM type MODEL-x86_64-cpu, the name
    ms->cpu_type then points at (`-cpu Skylake-Client` -> "Skylake-Client-x86_64-cpu",
    `-cpu host` -> "host-x86_64-cpu"). Not modelled: which models exist (`-cpu help`; only
    an empty model is known to be missing) and the features after the comma."""
    model = cpu_option.split(",", 1)[0]
    if cpu_option == "" or model == "":
        q.location = None  # error_report without an option location, as QEMU prints it
        q.error_report(line, "-cpu option cannot be empty" if cpu_option == ""
                       else "unable to find CPU model ''")
        q.exit(line, 1)
    return model + X86_CPU_TYPE_SUFFIX


def apicid_bitwidth(count: int) -> int:
    """Bits for `count` ids: ceil(log2(count)), 0 for one."""
    return (count - 1).bit_length()


def apicid_from_index(
    index: int, dies: int, cores: int, threads: int, modules: int = 1
) -> int:
    """x86_apicid_from_cpu_idx: package, die, module (10.0), core and thread fields."""
    smt = index % threads
    core = (index // threads) % cores
    module = (index // (threads * cores)) % modules
    die = (index // (threads * cores * modules)) % dies
    pkg = index // (threads * cores * modules * dies)
    die_w, mod_w = apicid_bitwidth(dies), apicid_bitwidth(modules)
    core_w, smt_w = apicid_bitwidth(cores), apicid_bitwidth(threads)
    return ((((pkg << die_w | die) << mod_w | module) << core_w | core) << smt_w) | smt


def topo_from_apicid(
    apic: int, dies: int, cores: int, threads: int, modules: int = 1
) -> tuple[int, int, int, int]:
    """(pkg, die, core, smt) decoded from an APIC id."""
    pkg, die, _, core, smt = topo_ids_from_apicid(apic, dies, cores, threads, modules)
    return pkg, die, core, smt


def topo_ids_from_apicid(
    apic: int, dies: int, cores: int, threads: int, modules: int = 1
) -> tuple[int, int, int, int, int]:
    """(pkg, die, module, core, smt) decoded from an APIC id."""
    die_w, mod_w = apicid_bitwidth(dies), apicid_bitwidth(modules)
    core_w, smt_w = apicid_bitwidth(cores), apicid_bitwidth(threads)
    smt = apic & ((1 << smt_w) - 1)
    core = (apic >> smt_w) & ((1 << core_w) - 1)
    module = (apic >> (smt_w + core_w)) & ((1 << mod_w) - 1)
    die = (apic >> (smt_w + core_w + mod_w)) & ((1 << die_w) - 1)
    pkg = apic >> (smt_w + core_w + mod_w + die_w)
    return pkg, die, module, core, smt


def pc_smp_parse(q: Qemu, ms: MachineState, opts: QemuOpts | None, at: int) -> None:
    """pc.c:912-986."""
    rec = q.rec
    rec.call("pc_smp_parse", PC, ms=ADDR_MACHINE, opts=0x5555562D4B80 if opts else 0)
    rec.step(913)
    rec.step(914)
    rec.step(916)
    rec.branch(916, "opts", opts is not None)
    if opts is not None:
        num = opts.numbers
        rec.step(917)
        cpus = num.get("cpus", 0) & U32
        rec.local("cpus", cpus)
        rec.step(918)
        sockets = num.get("sockets", 0) & U32
        rec.local("sockets", sockets)
        rec.step(919)
        dies = num.get("dies", 1) & U32
        rec.local("dies", dies)
        rec.step(920)
        cores = num.get("cores", 0) & U32
        rec.local("cores", cores)
        rec.step(921)
        threads = num.get("threads", 0) & U32
        rec.local("threads", threads)
        rec.step(924)
        rec.branch(
            924, "cpus == 0 || sockets == 0", cpus == 0 or sockets == 0, cpus=cpus, sockets=sockets
        )
        if cpus == 0 or sockets == 0:
            rec.step(925)
            cores = cores if cores > 0 else 1
            rec.local("cores", cores)
            rec.step(926)
            threads = threads if threads > 0 else 1
            rec.local("threads", threads)
            rec.step(927)
            rec.branch(927, "cpus == 0", cpus == 0, cpus=cpus)
            if cpus == 0:
                rec.step(928)
                sockets = sockets if sockets > 0 else 1
                rec.local("sockets", sockets)
                rec.step(929)
                cpus = (cores * threads * dies * sockets) & U32
                rec.local("cpus", cpus)
            else:
                rec.step(932)
                rec.step(931)
                ms.smp.max_cpus = num.get("maxcpus", cpus) & U32
                rec.step(933)
                sockets = q.udiv(933, ms.smp.max_cpus, cores * threads * dies)
                rec.local("sockets", sockets)
                rec.step(927)
        else:
            rec.step(935)
            rec.branch(935, "cores == 0", cores == 0, cores=cores)
            if cores == 0:
                rec.step(936)
                threads = threads if threads > 0 else 1
                rec.local("threads", threads)
                rec.step(937)
                cores = q.udiv(937, cpus, sockets * dies * threads)
                rec.local("cores", cores)
                rec.step(938)
                cores = cores if cores > 0 else 1
                rec.local("cores", cores)
            else:
                rec.step(939)
                rec.branch(939, "threads == 0", threads == 0, threads=threads)
                if threads == 0:
                    rec.step(940)
                    threads = q.udiv(940, cpus, cores * dies * sockets)
                    rec.local("threads", threads)
                    rec.step(941)
                    threads = threads if threads > 0 else 1
                    rec.local("threads", threads)
                else:
                    rec.step(942)
                    product = sockets * dies * cores * threads
                    rec.branch(
                        942,
                        "sockets * dies * cores * threads < cpus",
                        product < cpus,
                        sockets=sockets,
                        dies=dies,
                        cores=cores,
                        threads=threads,
                        cpus=cpus,
                    )
                    if product < cpus:
                        rec.step(943)
                        q.error_report(
                            943,
                            f"cpu topology: sockets ({sockets}) * dies ({dies}) "
                            f"* cores ({cores}) * threads ({threads}) < smp_cpus "
                            f"({cpus})",
                        )
                        rec.step(947)
                        q.exit(947, 1)
        rec.step(951)
        rec.step(950)
        ms.smp.max_cpus = num.get("maxcpus", cpus) & U32
        max_cpus = ms.smp.max_cpus
        rec.step(953)
        rec.branch(953, "ms->smp.max_cpus < cpus", max_cpus < cpus, max_cpus=max_cpus, cpus=cpus)
        if max_cpus < cpus:
            rec.step(954)
            q.error_report(954, "maxcpus must be equal to or greater than smp")
            rec.step(955)
            q.exit(955, 1)
        product = sockets * dies * cores * threads
        rec.step(958)
        rec.branch(
            958,
            "sockets * dies * cores * threads > ms->smp.max_cpus",
            product > max_cpus,
            product=product,
            max_cpus=max_cpus,
        )
        if product > max_cpus:
            rec.step(959)
            q.error_report(
                959,
                f"cpu topology: sockets ({sockets}) * dies ({dies}) * cores "
                f"({cores}) * threads ({threads}) > maxcpus ({max_cpus})",
            )
            rec.step(964)
            q.exit(964, 1)
        rec.step(967)
        rec.branch(
            967,
            "sockets * dies * cores * threads != ms->smp.max_cpus",
            product != max_cpus,
            product=product,
            max_cpus=max_cpus,
        )
        if product != max_cpus:
            rec.step(968)
            q.warn_report(
                968,
                f"Invalid CPU topology deprecated: sockets ({sockets}) * dies "
                f"({dies}) * cores ({cores}) * threads ({threads}) != maxcpus "
                f"({max_cpus})",
            )
        rec.step(975)
        ms.smp.cpus = cpus
        rec.step(976)
        ms.smp.cores = cores
        rec.step(977)
        ms.smp.threads = threads
        rec.step(978)
        ms.smp_dies = dies
        rec.fact(
            978, "smp.set", cpus=cpus, cores=cores, threads=threads, dies=dies, max_cpus=max_cpus
        )
    rec.step(981)
    rec.branch(981, "ms->smp.cpus > 1", ms.smp.cpus > 1, cpus=ms.smp.cpus)
    if ms.smp.cpus > 1:
        rec.step(982)
        rec.step(983)
        rec.step(984)
    rec.step(986)
    rec.ret()


def x86_possible_cpu_arch_ids(q: Qemu, ms: MachineState) -> CPUArchIdList:
    """x86.c:150-191: built once, cached in ms->possible_cpus."""
    rec = q.rec
    rec.call("x86_possible_cpu_arch_ids", X86, ms=ADDR_MACHINE)
    rec.step(152)
    rec.step(153)
    rec.step(155)
    max_cpus = ms.smp.max_cpus
    rec.local("max_cpus", max_cpus)
    rec.step(157)
    rec.branch(157, "ms->possible_cpus", ms.possible_cpus is not None)
    if ms.possible_cpus is not None:
        rec.step(162)
        ok = ms.possible_cpus.len == max_cpus
        rec.check(
            162,
            "ms->possible_cpus->len == max_cpus",
            ok,
            len=ms.possible_cpus.len,
            max_cpus=max_cpus,
        )
        rec.step(163)
        rec.step(191)
        rec.ret(ms.possible_cpus.address)
        return ms.possible_cpus
    rec.step(167)
    rec.step(166)
    ms.possible_cpus = CPUArchIdList(rec, max_cpus)
    possible = ms.possible_cpus
    rec.step(168)
    possible.len = max_cpus
    dies, cores, threads = ms.smp_dies, ms.smp.cores, ms.smp.threads
    rec.step(169)
    i = 0
    rec.local("i", i)
    while i < possible.len:
        rec.loop(169, "i", i)
        slot = possible.cpus[i]
        rec.step(172)
        slot.type = ms.cpu_type
        rec.step(173)
        slot.vcpus_count = 1
        rec.step(175)
        rec.step(174)
        rec.step(175)
        rec.step(174)
        slot.arch_id = apicid_from_index(i, dies, cores, threads)
        rec.step(176)
        pkg, die, core, smt = topo_from_apicid(slot.arch_id, dies, cores, threads)
        rec.local("topo.pkg_id", pkg)
        rec.local("topo.die_id", die)
        rec.local("topo.core_id", core)
        rec.local("topo.smt_id", smt)
        rec.step(179)
        slot.props.has_socket_id = True
        rec.step(180)
        slot.props.socket_id = pkg
        rec.step(181)
        rec.branch(181, "x86ms->smp_dies > 1", dies > 1, **{"x86ms->smp_dies": dies})
        if dies > 1:
            rec.step(182)
            slot.props.has_die_id = True
            rec.step(183)
            slot.props.die_id = die
        rec.step(185)
        slot.props.has_core_id = True
        rec.step(186)
        slot.props.core_id = core
        rec.step(187)
        slot.props.has_thread_id = True
        rec.step(188)
        slot.props.thread_id = smt
        i += 1
        rec.local("i", i)
        rec.step(169)
    rec.branch(169, "i < ms->possible_cpus->len", False, i=i, len=possible.len)
    rec.fact(168, "possible_cpus.built", len=possible.len)
    rec.step(190)
    rec.step(191)
    rec.ret(possible.address)
    return possible


PROPS_FIELDS = CpuInstanceProperties._fields


def x86_cpu_index_to_props(q: Qemu, ms: MachineState, cpu_index: int) -> dict[str, int | bool]:
    """x86.c:129-136: a copy of the slot's props."""
    rec = q.rec
    rec.call("x86_cpu_index_to_props", X86, ms=ADDR_MACHINE, cpu_index=cpu_index)
    rec.step(132)
    rec.step(133)
    possible = x86_possible_cpu_arch_ids(q, ms)
    rec.local("possible_cpus", possible.address)
    rec.step(135)
    ok = cpu_index < possible.len
    rec.check(135, "cpu_index < possible_cpus->len", ok, cpu_index=cpu_index, len=possible.len)
    rec.step(136)
    props = {f: getattr(possible.cpus[cpu_index].props, f) for f in PROPS_FIELDS}
    rec.step(137)
    # a copy: the caller changes its own copy (props.node_id = nodenr) after the return,
    # and the event must keep what the callee's frame held when it returned
    rec.ret(dict(props))
    return props


def x86_get_default_cpu_node_id(q: Qemu, ms: MachineState, idx: int) -> int:
    """x86.c:138-149: the socket id modulo the number of nodes."""
    rec = q.rec
    rec.call("x86_get_default_cpu_node_id", X86, ms=ADDR_MACHINE, idx=idx)
    rec.step(140)
    rec.step(142)
    possible = ms.possible_cpus
    assert possible is not None
    rec.step(144)
    rec.check(144, "idx < possible_cpus->len", idx < possible.len, idx=idx, len=possible.len)
    rec.step(147)
    rec.step(146)
    rec.step(145)
    pkg, die, core, smt = topo_from_apicid(
        possible.cpus[idx].arch_id, ms.smp_dies, ms.smp.cores, ms.smp.threads
    )
    rec.local("topo.pkg_id", pkg)
    rec.step(148)
    assert ms.numa_state is not None
    node = pkg % ms.numa_state.num_nodes
    rec.step(149)
    rec.ret(node)
    return node
