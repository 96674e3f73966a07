"""QEMU 10.0's -smp parsing: the `smp` property setter machine_set_smp (hw/core/machine.c:
951-962) and hw/core/machine-smp.c (cpu_hierarchy_to_string 31-62, machine_parse_smp_config
85-262).

What changed since 7.2 (spec qemu-10.0 section 2): any member given as 0 is an error (7.2 only
warned); drawers, books and modules join the topology; the "not supported" checks became
"> 1 not supported"; the hierarchy string can name drawers, books and modules.

The stops follow gdb 13's `next` on the -O0 build with -ftrivial-auto-var-init=zero (spec
section 7): `{` at 87, then every declaration including the uninitialised `total_cpus` (99),
the zig-zag of the ten-clause `||` zero test (105-114), the three-operand `&&` tests of the
"> 1" checks, multi-line divisions that step their continuation lines first, and the
g_autoptr / g_autofree cleanups that revisit their declaration lines on the way out.
"""

from __future__ import annotations

from dataclasses import replace

from ..process import Qemu, QemuError, error_setg_return
from ..state import ADDR_MACHINE
from ..v72.machine_smp import ADDR_SMP_CONFIG
from .state import MachineState

MACHINE_C = "hw/core/machine.c"
SMP_C = "hw/core/machine-smp.c"
U32 = 0xFFFFFFFF

# SMPConfiguration's members in declaration order (qapi/machine.json), which is also the
# order of the locals (machine-smp.c:89-98) and of the `||` clauses (105-114).
SMP_KEYS = ("cpus", "drawers", "books", "sockets", "dies", "clusters", "modules", "cores",
            "threads", "maxcpus")
_FIRST_LOCAL_LINE = 89
_FIRST_CLAUSE_LINE = 105
_CLOSING = 262  # machine_parse_smp_config's closing brace: every `return` stops here next

ZERO_ERROR = "Invalid CPU topology: CPU topology parameters must be greater than zero"

# The five "> 1 not supported" blocks (124-162), in source order: (member, first line).
# Each is 8 lines: `if (!supported &&` L, `has_X && X > 1)` L+1, error_setg L+2,
# `return` L+4, then the defaulting assignment `X = X > 0 ? X : 1` at L+6.
_LEVEL_CHECKS = (("modules", 124), ("clusters", 132), ("dies", 140), ("books", 148),
                 ("drawers", 156))


def _signed(value: int) -> int:
    """An unsigned int printed with %d, as the min/max CPU messages do."""
    value &= U32
    return value - (1 << 32) if value & 0x80000000 else value


def cpu_hierarchy_to_string(q: Qemu, ms: MachineState) -> str:
    """machine-smp.c:31-62: the topology members the machine supports, largest first. No
    stop at its `{`: the first is the mc declaration (spec 7.1)."""
    rec = q.rec
    mc = q.mc
    assert mc is not None
    props = mc.smp_props
    rec.call("cpu_hierarchy_to_string", SMP_C, ms=ADDR_MACHINE)
    rec.step(33)
    rec.step(34)
    text = ""
    # (test line, supported, member): the optional levels around sockets, largest first
    before = ((36, props.drawers_supported, "drawers"), (40, props.books_supported, "books"))
    after = ((46, props.dies_supported, "dies"), (50, props.clusters_supported, "clusters"),
             (54, props.modules_supported, "modules"))
    for line, supported, name in before:
        rec.step(line)
        rec.branch(line, f"mc->smp_props.{name}_supported", supported)
        if supported:
            rec.step(line + 1)
            text += f"{name} ({getattr(ms.smp, name)}) * "
    rec.step(44)
    text += f"sockets ({ms.smp.sockets})"
    for line, supported, name in after:
        rec.step(line)
        rec.branch(line, f"mc->smp_props.{name}_supported", supported)
        if supported:
            rec.step(line + 1)
            text += f" * {name} ({getattr(ms.smp, name)})"
    rec.step(58)
    text += f" * cores ({ms.smp.cores})"
    rec.step(59)
    text += f" * threads ({ms.smp.threads})"
    rec.step(61)
    rec.step(62)
    rec.ret(text)
    return text


def _hierarchy_error(q: Qemu, ms: MachineState, line: int, text_of: str, *args: int) -> None:
    """An error whose message embeds cpu_hierarchy_to_string (230-235, 239-244). The
    g_autofree declaration line is stopped at three times: the call, again after the callee
    returns (the store), and once more when the cleanup frees topo_msg at the `return`
    (golden smp-maxcpus-lt-cpus: 239, callee, 239, 240, 239, 262)."""
    rec = q.rec
    rec.step(line)
    topo_msg = cpu_hierarchy_to_string(q, ms)
    rec.step(line)
    rec.local("topo_msg", topo_msg)
    rec.step(line + 1)
    text = text_of.format(topo_msg, *args)
    rec.fact(line + 1, "error.set", text=text)
    rec.step(line)  # g_autofree cleanup: g_free(topo_msg); the return itself has no stop
    rec.step(_CLOSING)
    rec.ret()
    raise QemuError(text)


def _zero_test(q: Qemu, config: dict[str, int]) -> bool:
    """The `||` of ten `has_X && X == 0` clauses (105-114) as gdb steps it, the pattern 7.2
    showed on 87-93: clause 0 stops at 105; each later clause on line L stops at L then L-1
    (the `||` jump is attributed to the previous line), and at L again when has_X is set (the
    X == 0 test). The first true clause jumps straight to the error_setg (115)."""
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


def _level_check(q: Qemu, config: dict[str, int], key: str, line: int,
                 supported: bool, value: int) -> int:
    """One "> 1 not supported" block (see _LEVEL_CHECKS). A supported level short-circuits
    at L (golden: 124 -> 130 for modules on PC); otherwise L, L+1 (has_X), L again (the
    `&&` jump), and L+1 once more for the `X > 1` test when X was given (golden
    smp-clusters: 132 133 132 133 134 136 262; `clusters=1` goes 132 133 132 133 138 under
    gdb on the 10.0 build). Returns the defaulted local."""
    rec = q.rec
    given = key in config
    rec.step(line)
    if not supported:
        rec.step(line + 1)
        rec.step(line)
        if given:
            rec.step(line + 1)
    # `config->X > 1` compares the signed 64-bit member, not the truncated local: -1 passes
    bad = not supported and given and config[key] > 1
    rec.branch(line, f"!mc->smp_props.{key}_supported && config->has_{key} && "
               f"config->{key} > 1", bad,
               **{f"{key}_supported": supported, f"has_{key}": given, key: config.get(key, 0)})
    if bad:
        error_setg_return(rec, line + 2, line + 4, _CLOSING,
                          f"{key} > 1 not supported by this machine's CPU topology")
    rec.step(line + 6)
    value = value if value > 0 else 1
    rec.local(key, value)
    return value


def _divide(q: Qemu, line: int, name: str, dividend: int, divisor: int) -> int:
    """`X = maxcpus / (a * b * c *` + `d * e * f);` over three lines (line, line+1, line+2):
    gdb stops on the two continuation lines (the product) before the division and store on
    the first (spec 7.8; golden 192 193 191 and 178 179 177). The product wraps to 32 bits
    and a zero divisor raises SIGFPE."""
    rec = q.rec
    rec.step(line + 1)
    rec.step(line + 2)
    rec.step(line)
    result = q.udiv(line, dividend, divisor & U32)
    rec.local(name, result)
    return result


def machine_parse_smp_config(q: Qemu, ms: MachineState, config: dict[str, int]) -> None:
    """machine-smp.c:85-262. `config` holds the members that were given (has_X set)."""
    rec = q.rec
    mc = q.mc
    assert mc is not None
    props = mc.smp_props
    rec.call("machine_parse_smp_config", SMP_C, ms=ADDR_MACHINE, config=ADDR_SMP_CONFIG)
    rec.step(87)
    rec.step(88)
    # unsigned locals from the int64 members: truncated to 32 bits, omitted ones 0
    v: dict[str, int] = {}
    for i, key in enumerate(SMP_KEYS):
        rec.step(_FIRST_LOCAL_LINE + i)
        v[key] = config.get(key, 0) & U32
        rec.local(key, v[key])
    rec.step(99)  # `unsigned total_cpus;`: -ftrivial-auto-var-init=zero stores 0 here
    rec.local("total_cpus", 0)

    if _zero_test(q, config):
        # 10.0 made 7.2's deprecation warning an error (spec 2.1)
        error_setg_return(rec, 115, 117, _CLOSING, ZERO_ERROR)

    supported = {"modules": props.modules_supported, "clusters": props.clusters_supported,
                 "dies": props.dies_supported, "books": props.books_supported,
                 "drawers": props.drawers_supported}
    for key, line in _LEVEL_CHECKS:
        v[key] = _level_check(q, config, key, line, supported[key], v[key])

    cpus, drawers, books, sockets = v["cpus"], v["drawers"], v["books"], v["sockets"]
    dies, clusters, modules, cores = v["dies"], v["clusters"], v["modules"], v["cores"]
    threads, maxcpus = v["threads"], v["maxcpus"]

    rec.step(165)
    neither = cpus == 0 and maxcpus == 0
    rec.branch(165, "cpus == 0 && maxcpus == 0", neither, cpus=cpus, maxcpus=maxcpus)
    if neither:
        # only the topology was given: its omitted members are 1
        rec.step(166)
        sockets = sockets if sockets > 0 else 1
        rec.local("sockets", sockets)
        rec.step(167)
        cores = cores if cores > 0 else 1
        rec.local("cores", cores)
        rec.step(168)
        threads = threads if threads > 0 else 1
        rec.local("threads", threads)
    else:
        rec.step(170)
        maxcpus = maxcpus if maxcpus > 0 else cpus
        rec.local("maxcpus", maxcpus)
        outer = drawers * books  # the levels above sockets, first in every product
        inner = dies * clusters * modules  # the levels between sockets and cores
        rec.step(172)
        prefer = props.prefer_sockets
        rec.branch(172, "mc->smp_props.prefer_sockets", prefer)
        if prefer:
            # machine types up to 6.1 fill sockets first (pc_q35.c/pc_piix.c compat)
            rec.step(174)
            rec.branch(174, "sockets == 0", sockets == 0, sockets=sockets)
            if sockets == 0:
                rec.step(175)
                cores = cores if cores > 0 else 1
                rec.local("cores", cores)
                rec.step(176)
                threads = threads if threads > 0 else 1
                rec.local("threads", threads)
                sockets = _divide(q, 177, "sockets", maxcpus, outer * inner * cores * threads)
            else:
                rec.step(180)
                rec.branch(180, "cores == 0", cores == 0, cores=cores)
                if cores == 0:
                    rec.step(181)
                    threads = threads if threads > 0 else 1
                    rec.local("threads", threads)
                    cores = _divide(q, 182, "cores", maxcpus,
                                    outer * sockets * inner * threads)
        else:
            # 6.2 and newer fill cores first: `-smp 4` is 1 socket of 4 cores
            rec.step(188)
            rec.branch(188, "cores == 0", cores == 0, cores=cores)
            if cores == 0:
                rec.step(189)
                sockets = sockets if sockets > 0 else 1
                rec.local("sockets", sockets)
                rec.step(190)
                threads = threads if threads > 0 else 1
                rec.local("threads", threads)
                cores = _divide(q, 191, "cores", maxcpus, outer * sockets * inner * threads)
            else:
                rec.step(194)
                rec.branch(194, "sockets == 0", sockets == 0, sockets=sockets)
                if sockets == 0:
                    rec.step(195)
                    threads = threads if threads > 0 else 1
                    rec.local("threads", threads)
                    sockets = _divide(q, 196, "sockets", maxcpus,
                                      outer * inner * cores * threads)
        rec.step(203)
        rec.branch(203, "threads == 0", threads == 0, threads=threads)
        if threads == 0:
            threads = _divide(q, 204, "threads", maxcpus, outer * sockets * inner * cores)

    # total_cpus = ... over 210-211: the continuation line first, then the store on 210
    rec.step(210)
    rec.step(211)
    rec.step(210)
    total_cpus = (drawers * books * sockets * dies * clusters * modules * cores * threads) & U32
    rec.local("total_cpus", total_cpus)
    rec.step(212)
    maxcpus = maxcpus if maxcpus > 0 else total_cpus
    rec.local("maxcpus", maxcpus)
    rec.step(213)
    cpus = cpus if cpus > 0 else maxcpus
    rec.local("cpus", cpus)

    final = {"cpus": cpus, "drawers": drawers, "books": books, "sockets": sockets,
             "dies": dies, "clusters": clusters, "modules": modules, "cores": cores,
             "threads": threads, "max_cpus": maxcpus}
    for line, (field, value) in enumerate(final.items(), start=215):
        rec.step(line)
        setattr(ms.smp, field, value)

    rec.step(226)
    # A class field (read by ARM's ACPI PPTT only): the copy in q.mc carries it, so the
    # shared catalogue entry stays as registered for the next run.
    has_clusters = "clusters" in config
    rec.write("mc.smp_props.has_clusters", has_clusters)
    if props.has_clusters != has_clusters:
        q.mc = replace(mc, smp_props=replace(props, has_clusters=has_clusters))

    rec.step(229)
    rec.branch(229, "total_cpus != maxcpus", total_cpus != maxcpus,
               total_cpus=total_cpus, maxcpus=maxcpus)
    if total_cpus != maxcpus:
        _hierarchy_error(
            q, ms, 230,
            "Invalid CPU topology: product of the hierarchy must match maxcpus: "
            "{} != maxcpus ({})",
            maxcpus,
        )
    rec.step(238)
    rec.branch(238, "maxcpus < cpus", maxcpus < cpus, maxcpus=maxcpus, cpus=cpus)
    if maxcpus < cpus:
        _hierarchy_error(
            q, ms, 239,
            "Invalid CPU topology: maxcpus must be equal to or greater than smp: "
            "{} == maxcpus ({}) < smp_cpus ({})",
            maxcpus, cpus,
        )

    rec.step(247)
    rec.branch(247, "ms->smp.cpus < mc->min_cpus", cpus < mc.min_cpus,
               cpus=cpus, min_cpus=mc.min_cpus)
    if cpus < mc.min_cpus:
        error_setg_return(
            rec, 248, 252, _CLOSING,
            f"Invalid SMP CPUs {_signed(cpus)}. The min CPUs supported by machine "
            f"'{mc.name}' is {mc.min_cpus}",
        )
    rec.step(255)
    rec.branch(255, "ms->smp.max_cpus > mc->max_cpus", maxcpus > mc.max_cpus,
               max_cpus=maxcpus, mc_max_cpus=mc.max_cpus)
    if maxcpus > mc.max_cpus:
        error_setg_return(
            rec, 256, 260, _CLOSING,
            f"Invalid SMP CPUs {_signed(maxcpus)}. The max CPUs supported by machine "
            f"'{mc.name}' is {mc.max_cpus}",
        )
    rec.step(_CLOSING)
    rec.fact(_CLOSING, "smp.set", **final)
    rec.ret()


def machine_set_smp(q: Qemu, ms: MachineState, config: dict[str, int]) -> None:
    """machine.c:951-962, the `smp` property setter. `config` holds the -smp members that
    were given, as integers; an invalid topology raises QemuError (the caller reports it
    and exits 1). The visitor cannot fail for integer members, so 958 is never reached."""
    unknown = set(config) - set(SMP_KEYS)
    if unknown:
        raise ValueError(f"not SMPConfiguration members: {sorted(unknown)}")
    rec = q.rec
    rec.call("machine_set_smp", MACHINE_C, obj=ADDR_MACHINE, name="smp")
    rec.step(953)
    rec.step(954)
    rec.step(955)
    rec.local("config", 0)
    rec.step(957)
    rec.local("config", ADDR_SMP_CONFIG)
    rec.branch(957, "!visit_type_SMPConfiguration(v, name, &config, errp)", False)
    rec.step(961)
    try:
        machine_parse_smp_config(q, ms, config)
    except QemuError:
        # the Error goes up through errp; the cleanup stops come first
        # (a SIGFPE's QemuExit passes straight through: the process is dead)
        _leave_set_smp(q)
        raise
    _leave_set_smp(q)


def _leave_set_smp(q: Qemu) -> None:
    """The g_autoptr cleanup frees config at 955 on the way out, then the closing brace;
    the same two stops whether machine_parse_smp_config set an error or not (spec 7.5, 7.8;
    golden smp-zero)."""
    q.rec.step(955)
    q.rec.step(962)
    q.rec.ret()
