"""QEMU 7.2's -smp parsing: the `smp` property setter machine_set_smp (hw/core/machine.c:
845-858) and hw/core/machine-smp.c (cpu_hierarchy_to_string 29-48,
machine_parse_smp_config 71-195), the generic parser that replaced 4.2's pc_smp_parse.

The stops follow what gdb 13's `next` shows on the -O0 build (spec "Stepping on 7.2"):
`{` entry stops, the zig-zag of the seven-clause `||` test at 87-93, and the g_autoptr /
g_autofree cleanups that revisit their declaration lines on the way out.
"""

from __future__ import annotations

from ..process import Qemu, QemuError, error_setg_return
from ..state import ADDR_MACHINE
from .state import MachineState

MACHINE_C = "hw/core/machine.c"
SMP_C = "hw/core/machine-smp.c"
U32 = 0xFFFFFFFF
# The SMPConfiguration the visitor allocates: a heap pointer with no observed value, so a
# stable made-up one (the trace only needs it to be non-NULL and the same every run).
ADDR_SMP_CONFIG = 0x5555563A2F40

# SMPConfiguration's members in declaration order (qapi/machine.json), which is also the
# order of the locals (machine-smp.c:75-81) and of the `||` clauses (87-93).
SMP_KEYS = ("cpus", "sockets", "dies", "clusters", "cores", "threads", "maxcpus")
_FIRST_LOCAL_LINE = 75
_FIRST_CLAUSE_LINE = 87

ZERO_WARNING = (
    "Deprecated CPU topology (considered invalid): "
    "CPU topology parameters must be greater than zero"
)


def _signed(value: int) -> int:
    """An unsigned int printed with %d, as the min/max CPU messages do."""
    value &= U32
    return value - (1 << 32) if value & 0x80000000 else value


def cpu_hierarchy_to_string(q: Qemu, ms: MachineState) -> str:
    """machine-smp.c:29-48: the topology members the machine supports, largest first."""
    rec = q.rec
    mc = q.mc
    assert mc is not None
    rec.call("cpu_hierarchy_to_string", SMP_C, ms=ADDR_MACHINE)
    rec.step(31)
    rec.step(32)
    rec.step(34)
    text = f"sockets ({ms.smp.sockets})"
    rec.step(36)
    rec.branch(36, "mc->smp_props.dies_supported", mc.smp_props.dies_supported)
    if mc.smp_props.dies_supported:
        rec.step(37)
        text += f" * dies ({ms.smp.dies})"
    rec.step(40)
    rec.branch(40, "mc->smp_props.clusters_supported", mc.smp_props.clusters_supported)
    if mc.smp_props.clusters_supported:
        rec.step(41)
        text += f" * clusters ({ms.smp.clusters})"
    rec.step(44)
    text += f" * cores ({ms.smp.cores})"
    rec.step(45)
    text += f" * threads ({ms.smp.threads})"
    rec.step(47)
    rec.step(48)
    rec.ret(text)
    return text


def _hierarchy_error(q: Qemu, ms: MachineState, line: int, text_of: str, *args: int) -> None:
    """An error whose message embeds cpu_hierarchy_to_string (163-168, 172-177). The
    g_autofree declaration line is stopped at three times: the call, again after the callee
    returns (the store), and once more when the cleanup frees topo_msg at the `return`."""
    rec = q.rec
    rec.step(line)
    topo_msg = cpu_hierarchy_to_string(q, ms)
    rec.step(line)
    rec.local("topo_msg", topo_msg)
    rec.step(line + 1)
    text = text_of.format(topo_msg, *args)
    rec.fact(line + 1, "error.set", text=text)
    rec.step(line)  # g_autofree cleanup: g_free(topo_msg); the return itself has no stop
    rec.step(195)
    rec.ret()
    raise QemuError(text)


def _zero_test(q: Qemu, config: dict[str, int]) -> bool:
    """The `||` of seven `has_X && X == 0` clauses (87-93) as gdb steps it: clause 0 stops
    at 87; each later clause on line L stops at L then L-1 (the `||` jump is attributed to
    the previous line), and at L again when has_X is set (the X == 0 test). The first true
    clause jumps straight to the warning. Checked on a gcc-12 -O0 build under gdb 13."""
    rec = q.rec
    for i, key in enumerate(SMP_KEYS):
        line = _FIRST_CLAUSE_LINE + i
        given = key in config
        rec.step(line)
        if i:
            rec.step(line - 1)
            if given:
                rec.step(line)
        # The test is on the 64-bit QAPI int: 4294967296 is not zero here (but is below).
        zero = given and config[key] == 0
        rec.branch(line, f"config->has_{key} && config->{key} == 0", zero,
                   **{f"has_{key}": given, key: config.get(key, 0)})
        if zero:
            return True
    return False


def machine_parse_smp_config(q: Qemu, ms: MachineState, config: dict[str, int]) -> None:
    """machine-smp.c:71-195. `config` holds the members that were given (has_X set)."""
    rec = q.rec
    mc = q.mc
    assert mc is not None
    rec.call("machine_parse_smp_config", SMP_C, ms=ADDR_MACHINE, config=ADDR_SMP_CONFIG)
    rec.step(73)
    rec.step(74)
    # unsigned locals from the int64 members: truncated to 32 bits, omitted ones 0
    v: dict[str, int] = {}
    for i, key in enumerate(SMP_KEYS):
        rec.step(_FIRST_LOCAL_LINE + i)
        v[key] = config.get(key, 0) & U32
        rec.local(key, v[key])

    if _zero_test(q, config):
        rec.step(94)
        # No location prefix on the real binary: -smp is applied from the machine options,
        # outside any loc_push, so make sure none leaks in from the caller.
        saved, q.location = q.location, None
        q.warn_report(94, ZERO_WARNING)
        q.location = saved

    cpus, sockets, dies = v["cpus"], v["sockets"], v["dies"]
    clusters, cores, threads, maxcpus = v["clusters"], v["cores"], v["threads"], v["maxcpus"]

    rec.step(102)
    bad = not mc.smp_props.dies_supported and dies > 1
    rec.branch(102, "!mc->smp_props.dies_supported && dies > 1", bad,
               dies_supported=mc.smp_props.dies_supported, dies=dies)
    if bad:
        error_setg_return(rec, 103, 104, 195, "dies not supported by this machine's CPU topology")
    rec.step(106)
    bad = not mc.smp_props.clusters_supported and clusters > 1
    rec.branch(106, "!mc->smp_props.clusters_supported && clusters > 1", bad,
               clusters_supported=mc.smp_props.clusters_supported, clusters=clusters)
    if bad:
        error_setg_return(
            rec, 107, 108, 195, "clusters not supported by this machine's CPU topology"
        )

    rec.step(111)
    dies = dies if dies > 0 else 1
    rec.local("dies", dies)
    rec.step(112)
    clusters = clusters if clusters > 0 else 1
    rec.local("clusters", clusters)

    rec.step(115)
    neither = cpus == 0 and maxcpus == 0
    rec.branch(115, "cpus == 0 && maxcpus == 0", neither, cpus=cpus, maxcpus=maxcpus)
    if neither:
        # only the topology was given: its omitted members are 1
        rec.step(116)
        sockets = sockets if sockets > 0 else 1
        rec.local("sockets", sockets)
        rec.step(117)
        cores = cores if cores > 0 else 1
        rec.local("cores", cores)
        rec.step(118)
        threads = threads if threads > 0 else 1
        rec.local("threads", threads)
    else:
        rec.step(120)
        maxcpus = maxcpus if maxcpus > 0 else cpus
        rec.local("maxcpus", maxcpus)
        rec.step(122)
        prefer = mc.smp_props.prefer_sockets
        rec.branch(122, "mc->smp_props.prefer_sockets", prefer)
        if prefer:
            # machine types up to 6.1 fill sockets first (pc_q35.c/pc_piix.c compat)
            rec.step(124)
            rec.branch(124, "sockets == 0", sockets == 0, sockets=sockets)
            if sockets == 0:
                rec.step(125)
                cores = cores if cores > 0 else 1
                rec.local("cores", cores)
                rec.step(126)
                threads = threads if threads > 0 else 1
                rec.local("threads", threads)
                rec.step(127)
                sockets = q.udiv(127, maxcpus, dies * clusters * cores * threads)
                rec.local("sockets", sockets)
            else:
                rec.step(128)
                rec.branch(128, "cores == 0", cores == 0, cores=cores)
                if cores == 0:
                    rec.step(129)
                    threads = threads if threads > 0 else 1
                    rec.local("threads", threads)
                    rec.step(130)
                    cores = q.udiv(130, maxcpus, sockets * dies * clusters * threads)
                    rec.local("cores", cores)
        else:
            # 6.2 and newer fill cores first: `-smp 4` is 1 socket of 4 cores
            rec.step(134)
            rec.branch(134, "cores == 0", cores == 0, cores=cores)
            if cores == 0:
                rec.step(135)
                sockets = sockets if sockets > 0 else 1
                rec.local("sockets", sockets)
                rec.step(136)
                threads = threads if threads > 0 else 1
                rec.local("threads", threads)
                rec.step(137)
                cores = q.udiv(137, maxcpus, sockets * dies * clusters * threads)
                rec.local("cores", cores)
            else:
                rec.step(138)
                rec.branch(138, "sockets == 0", sockets == 0, sockets=sockets)
                if sockets == 0:
                    rec.step(139)
                    threads = threads if threads > 0 else 1
                    rec.local("threads", threads)
                    rec.step(140)
                    sockets = q.udiv(140, maxcpus, dies * clusters * cores * threads)
                    rec.local("sockets", sockets)
        rec.step(145)
        rec.branch(145, "threads == 0", threads == 0, threads=threads)
        if threads == 0:
            rec.step(146)
            threads = q.udiv(146, maxcpus, sockets * dies * clusters * cores)
            rec.local("threads", threads)

    product = (sockets * dies * clusters * cores * threads) & U32
    rec.step(150)
    maxcpus = maxcpus if maxcpus > 0 else product
    rec.local("maxcpus", maxcpus)
    rec.step(151)
    cpus = cpus if cpus > 0 else maxcpus
    rec.local("cpus", cpus)

    rec.step(153)
    ms.smp.cpus = cpus
    rec.step(154)
    ms.smp.sockets = sockets
    rec.step(155)
    ms.smp.dies = dies
    rec.step(156)
    ms.smp.clusters = clusters
    rec.step(157)
    ms.smp.cores = cores
    rec.step(158)
    ms.smp.threads = threads
    rec.step(159)
    ms.smp.max_cpus = maxcpus

    rec.step(162)
    rec.branch(162, "sockets * dies * clusters * cores * threads != maxcpus",
               product != maxcpus, product=product, maxcpus=maxcpus)
    if product != maxcpus:
        _hierarchy_error(
            q, ms, 163,
            "Invalid CPU topology: product of the hierarchy must match maxcpus: "
            "{} != maxcpus ({})",
            maxcpus,
        )
    rec.step(171)
    rec.branch(171, "maxcpus < cpus", maxcpus < cpus, maxcpus=maxcpus, cpus=cpus)
    if maxcpus < cpus:
        _hierarchy_error(
            q, ms, 172,
            "Invalid CPU topology: maxcpus must be equal to or greater than smp: "
            "{} == maxcpus ({}) < smp_cpus ({})",
            maxcpus, cpus,
        )

    # 4.2 checked mc->min_cpus/max_cpus in vl.c; 7.2 does it here
    rec.step(180)
    rec.branch(180, "ms->smp.cpus < mc->min_cpus", cpus < mc.min_cpus,
               cpus=cpus, min_cpus=mc.min_cpus)
    if cpus < mc.min_cpus:
        error_setg_return(
            rec, 181, 185, 195,
            f"Invalid SMP CPUs {_signed(cpus)}. The min CPUs supported by machine "
            f"'{mc.name}' is {mc.min_cpus}",
        )
    rec.step(188)
    rec.branch(188, "ms->smp.max_cpus > mc->max_cpus", maxcpus > mc.max_cpus,
               max_cpus=maxcpus, mc_max_cpus=mc.max_cpus)
    if maxcpus > mc.max_cpus:
        error_setg_return(
            rec, 189, 193, 195,
            f"Invalid SMP CPUs {_signed(maxcpus)}. The max CPUs supported by machine "
            f"'{mc.name}' is {mc.max_cpus}",
        )
    rec.step(195)
    rec.fact(195, "smp.set", cpus=cpus, sockets=sockets, dies=dies, clusters=clusters,
             cores=cores, threads=threads, max_cpus=maxcpus)
    rec.ret()


def machine_set_smp(q: Qemu, ms: MachineState, config: dict[str, int]) -> None:
    """machine.c:845-858, the `smp` property setter. `config` holds the -smp members that
    were given, as integers; an invalid topology raises QemuError (the caller reports it
    and exits 1). The visitor cannot fail for integer members, so 853 is never reached."""
    unknown = set(config) - set(SMP_KEYS)
    if unknown:
        raise ValueError(f"not SMPConfiguration members: {sorted(unknown)}")
    rec = q.rec
    rec.call("machine_set_smp", MACHINE_C, obj=ADDR_MACHINE, name="smp")
    rec.step(848)
    rec.step(849)
    rec.step(850)
    rec.local("config", 0)
    rec.step(852)
    rec.local("config", ADDR_SMP_CONFIG)
    rec.branch(852, "!visit_type_SMPConfiguration(v, name, &config, errp)", False)
    rec.step(856)
    try:
        machine_parse_smp_config(q, ms, config)
    except QemuError:
        _leave_set_smp(q)
        raise
    _leave_set_smp(q)


def _leave_set_smp(q: Qemu) -> None:
    """The g_autoptr cleanup frees config at 850 on the way out, then the closing brace;
    the same two stops whether machine_parse_smp_config set an error or not."""
    q.rec.step(850)
    q.rec.step(857)
    q.rec.ret()
