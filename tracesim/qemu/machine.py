"""hw/core/machine.c: smp_parse, machine_set_cpu_numa_node, machine_run_board_init,
machine_numa_finish_cpu_init and cpu_slot_to_string."""

from __future__ import annotations

from typing import Any

from .options import QemuOpts
from .process import Qemu, QemuError, error_setg_return
from .slot_runs import scan_slots, skip_plan
from .state import ADDR_MACHINE, ADDR_MACHINE_CLASS, CPUArchId, MachineState

MACHINE_C = "hw/core/machine.c"
U32 = 0xFFFFFFFF

Props = dict[str, Any]  # a CpuInstanceProperties value (has_node_id, node_id, ...)


def smp_parse(q: Qemu, ms: MachineState, opts: QemuOpts | None, at: int) -> None:
    """machine.c:724-793, used by `none` and `microvm`. Only 725, 726, 789 and 794 were
    observed under gdb; the body's lines follow the function's layout."""
    rec = q.rec
    rec.call("smp_parse", MACHINE_C, ms=ADDR_MACHINE, opts=0x5555562D4B80 if opts else 0)
    rec.step(725)
    rec.step(726)
    rec.branch(726, "opts", opts is not None)
    if opts is not None:
        num = opts.numbers
        rec.step(727)
        cpus = num.get("cpus", 0) & U32
        rec.step(728)
        sockets = num.get("sockets", 0) & U32
        rec.step(729)
        cores = num.get("cores", 0) & U32
        rec.step(730)
        threads = num.get("threads", 0) & U32
        rec.step(733)
        if cpus == 0 or sockets == 0:
            cores = cores if cores > 0 else 1
            threads = threads if threads > 0 else 1
            if cpus == 0:
                sockets = sockets if sockets > 0 else 1
                cpus = (cores * threads * sockets) & U32
            else:
                ms.smp.max_cpus = num.get("maxcpus", cpus) & U32
                sockets = ms.smp.max_cpus // (cores * threads)
        elif cores == 0:
            threads = threads if threads > 0 else 1
            cores = cpus // (sockets * threads) if sockets * threads else 0
        elif threads == 0:
            threads = cpus // (cores * sockets) if cores * sockets else 0
        elif sockets * cores * threads < cpus:
            rec.step(750)
            q.error_report(
                750,
                f"cpu topology: sockets ({sockets}) * cores ({cores}) * threads "
                f"({threads}) < smp_cpus ({cpus})",
            )
            rec.step(754)
            q.exit(754, 1)
        rec.step(757)
        ms.smp.max_cpus = num.get("maxcpus", cpus) & U32
        max_cpus = ms.smp.max_cpus
        if max_cpus < cpus:
            rec.step(760)
            q.error_report(760, "maxcpus must be equal to or greater than smp")
            rec.step(761)
            q.exit(761, 1)
        if sockets * cores * threads > max_cpus:
            rec.step(765)
            q.error_report(
                765,
                f"cpu topology: sockets ({sockets}) * cores ({cores}) * threads "
                f"({threads}) > maxcpus ({max_cpus})",
            )
            rec.step(769)
            q.exit(769, 1)
        if sockets * cores * threads != max_cpus:
            rec.step(773)
            q.warn_report(
                773,
                f"Invalid CPU topology deprecated: sockets ({sockets}) * cores "
                f"({cores}) * threads ({threads}) != maxcpus ({max_cpus})",
            )
        rec.step(780)
        ms.smp.cpus = cpus
        rec.step(781)
        ms.smp.cores = cores
        rec.step(782)
        ms.smp.threads = threads
        rec.fact(782, "smp.set", cpus=cpus, cores=cores, threads=threads, dies=1, max_cpus=max_cpus)
    rec.step(789)
    rec.branch(789, "ms->smp.cpus > 1", ms.smp.cpus > 1, cpus=ms.smp.cpus)
    if ms.smp.cpus > 1:
        rec.step(790)
        rec.step(791)
        rec.step(792)
    rec.step(794)
    rec.ret()


# machine.c:666-684: a property the slots do not have; then 687-700: a slot that differs.
_SUPPORT_CHECKS = tuple(
    (
        line,
        f"has_{key}",
        f"{key.replace('_', '-')} is not supported",
        f"props->has_{key} && !slot->props.has_{key}",
    )
    for line, key in ((666, "thread_id"), (671, "core_id"), (676, "socket_id"), (681, "die_id"))
)
_MATCH_CHECKS = tuple(
    (line, f"has_{key}", key, f"props->has_{key} && props->{key} != slot->props.{key}")
    for line, key in ((687, "thread_id"), (691, "core_id"), (695, "die_id"), (699, "socket_id"))
)
_SUPPORT_KEYS = ("thread_id", "core_id", "socket_id", "die_id")
_MATCH_KEYS = tuple(key for _, _, key, _ in _MATCH_CHECKS)


def machine_set_cpu_numa_node(
    q: Qemu, ms: MachineState, props: Props, errp: int = 0x7FFFFFFFDD68
) -> None:
    """machine.c:644-722; raises QemuError with the Error it sets."""
    from .x86 import x86_possible_cpu_arch_ids

    rec = q.rec
    rec.call(
        "machine_set_cpu_numa_node",
        MACHINE_C,
        machine=ADDR_MACHINE,
        props=0x7FFFFFFFDD90,
        errp=errp,
    )
    for name, value in props.items():
        rec.local(f"props->{name}", value)

    rec.step(647)
    rec.step(648)
    match = False
    rec.local("match", False)
    rec.step(651)
    rec.branch(651, "!mc->possible_cpu_arch_ids", False)
    rec.step(657)
    rec.check(657, "props->has_node_id", props["has_node_id"])
    rec.step(660)
    possible = x86_possible_cpu_arch_ids(q, ms)
    rec.local("possible_cpus", possible.address)
    rec.step(662)
    i = 0
    rec.local("i", i)
    plan = skip_plan(q, possible.cpus[:possible.len], props, _SUPPORT_KEYS, _MATCH_KEYS)

    def one_slot(i: int) -> bool:
        """One iteration for slot i (its events); whether it bound the CPU."""
        rec.loop(662, "i", i)
        slot: CPUArchId = possible.cpus[i]
        sp = slot.props
        rec.step(663)
        rec.local("slot", slot.address)
        for line, has_key, text, cond in _SUPPORT_CHECKS:
            rec.step(line)
            unsupported = props[has_key] and not getattr(sp, has_key)
            rec.branch(line, cond, unsupported)
            if unsupported:
                error_setg_return(rec, line + 1, line + 2, 722, text)
        bound = False
        for line, has_key, key, cond in _MATCH_CHECKS:
            rec.step(line)
            differs = props[has_key] and props[key] != getattr(sp, key)
            rec.branch(line, cond, differs,
                       **{f"props->{key}": props[key], f"slot->props.{key}": getattr(sp, key)})
            if differs:
                rec.step(line + 1)  # continue
                break
        else:
            rec.step(706)
            clash = sp.has_node_id and sp.node_id != props["node_id"]
            rec.branch(
                706,
                "slot->props.has_node_id && slot->props.node_id != props->node_id",
                clash,
                **{"slot->props.node_id": sp.node_id, "props->node_id": props["node_id"]},
            )
            if clash:
                error_setg_return(
                    rec, 708, 710, 722, f"CPU is already assigned to node-id: {sp.node_id}"
                )
            rec.step(714)
            bound = True
            rec.local("match", True)
            rec.step(715)
            sp.node_id = props["node_id"]
            rec.fact(715, "cpu.bound", index=i, node=props["node_id"])
            rec.step(716)
            sp.has_node_id = props["has_node_id"]
        rec.local("i", i + 1)
        rec.step(662)
        return bound

    match = scan_slots(rec, plan, possible.len, one_slot) or match
    i = possible.len
    rec.branch(662, "i < possible_cpus->len", False, i=i)
    rec.step(719)
    rec.branch(719, "!match", not match)
    if not match:
        error_setg_return(rec, 720, 721, 722, "no match found")
    rec.step(722)
    rec.ret()


def machine_run_board_init(q: Qemu, ms: MachineState, at: int) -> None:
    """machine.c:1101-1144, up to machine_class->init (not stepped into)."""
    from .numa import numa_complete_configuration

    rec, mc = q.rec, q.mc
    assert mc is not None
    rec.call("machine_run_board_init", MACHINE_C, machine=ADDR_MACHINE)
    rec.step(1103)
    rec.local("machine_class", ADDR_MACHINE_CLASS)
    rec.step(1105)
    rec.branch(1105, "machine_class->numa_mem_supported", mc.numa_mem_supported)
    if mc.numa_mem_supported:
        assert ms.numa_state is not None
        rec.step(1106)
        numa_complete_configuration(q, ms)
        rec.step(1107)
        rec.branch(
            1107,
            "machine->numa_state->num_nodes",
            ms.numa_state.num_nodes != 0,
            num_nodes=ms.numa_state.num_nodes,
        )
        if ms.numa_state.num_nodes:
            rec.step(1108)
            machine_numa_finish_cpu_init(q, ms)
    rec.step(1115)
    rec.branch(1115, "machine_class->valid_cpu_types && machine->cpu_type", False)
    rec.step(1143)
    # machine_class->init(machine): QEMU goes on building the board; the model ends here.
    rec.fact(1143, "board.init", machine=mc.name)
    q.exit(1143, 0)


def machine_numa_finish_cpu_init(q: Qemu, ms: MachineState) -> None:
    """machine.c:1051-1099: CPUs no -numa option placed get a node."""
    from .x86 import x86_get_default_cpu_node_id, x86_possible_cpu_arch_ids

    rec = q.rec
    rec.call("machine_numa_finish_cpu_init", MACHINE_C, machine=ADDR_MACHINE)
    rec.step(1052)
    rec.step(1055)
    s = ""
    rec.local("s", s)
    rec.step(1056)
    rec.step(1057)
    possible = x86_possible_cpu_arch_ids(q, ms)
    rec.local("possible_cpus", possible.address)
    rec.step(1059)
    assert ms.numa_state is not None
    rec.check(
        1059,
        "machine->numa_state->num_nodes",
        ms.numa_state.num_nodes != 0,
        num_nodes=ms.numa_state.num_nodes,
    )
    rec.step(1060)
    i = 0
    rec.local("i", i)
    while i < possible.len:
        rec.loop(1060, "i", i)
        rec.step(1061)
        bound = possible.cpus[i].props.has_node_id
        rec.branch(1061, "possible_cpus->cpus[i].props.has_node_id", bound, i=i)
        if bound:
            rec.step(1062)
            break
        i += 1
        rec.local("i", i)
        rec.step(1060)
    rec.step(1065)
    default_mapping = i == possible.len
    rec.local("default_mapping", default_mapping)
    rec.step(1067)
    i = 0
    rec.local("i", i)
    while i < possible.len:
        rec.loop(1067, "i", i)
        rec.step(1068)
        slot = possible.cpus[i]
        rec.local("cpu_slot", slot.address)
        rec.step(1070)
        unbound = not slot.props.has_node_id
        rec.branch(1070, "!cpu_slot->props.has_node_id", unbound, i=i)
        if unbound:
            rec.step(1072)
            props = {f: getattr(slot.props, f) for f in type(slot.props)._fields}
            for name, value in props.items():
                rec.local(f"props.{name}", value)
            rec.step(1074)
            node = x86_get_default_cpu_node_id(q, ms, i)
            rec.step(1074)
            props["node_id"] = node
            rec.local("props.node_id", node)
            rec.step(1075)
            rec.branch(1075, "!default_mapping", not default_mapping)
            if not default_mapping:
                rec.step(1078)
                cpu_str = cpu_slot_to_string(q, slot)
                rec.local("cpu_str", cpu_str)
                rec.step(1080)
                rec.step(1079)
                s = f"{s}{', ' if s else ''}CPU {i} [{cpu_str}]"
                rec.local("s", s)
                rec.step(1081)
                rec.step(1084)
                props["node_id"] = 0
                rec.local("props.node_id", 0)
            rec.fact(
                1084, "cpu.default", i=i, node=props["node_id"], default_mapping=default_mapping
            )
            rec.step(1087)
            props["has_node_id"] = True
            rec.local("props.has_node_id", True)
            rec.step(1088)
            try:
                machine_set_cpu_numa_node(q, ms, props, errp=0x5555562784D0)  # &error_fatal
            except QemuError as err:  # no location here
                q.fatal(1088, err.text)
        i += 1
        rec.local("i", i)
        rec.step(1067)
    rec.branch(1067, "i < possible_cpus->len", False, i=i)
    rec.step(1091)
    rec.branch(1091, "s->len && !qtest_enabled()", bool(s), s=s)
    if s:
        rec.step(1092)
        q.warn_report(1092, f"CPU(s) not present in any NUMA nodes: {s}")
        rec.step(1094)
        q.warn_report(
            1094,
            "All CPU(s) up to maxcpus should be described in NUMA config, "
            "ability to start up with partial NUMA mappings is obsoleted and will be "
            "removed in future",
        )
    rec.step(1098)
    rec.step(1099)
    rec.ret()


def cpu_slot_to_string(q: Qemu, slot: CPUArchId) -> str:
    """machine.c:1027-1049 (QEMU puts no separator before die-id)."""
    rec = q.rec
    p = slot.props
    rec.call("cpu_slot_to_string", MACHINE_C, cpu=slot.address)
    rec.step(1029)
    s = ""
    rec.step(1030)
    if p.has_socket_id:
        rec.step(1031)
        s += f"socket-id: {p.socket_id}"
    rec.step(1033)
    if p.has_die_id:
        rec.step(1034)
        s += f"die-id: {p.die_id}"
    rec.step(1036)
    if p.has_core_id:
        rec.step(1037)
        if s:
            rec.step(1038)
            s += ", "
        rec.step(1040)
        s += f"core-id: {p.core_id}"
    rec.step(1042)
    if p.has_thread_id:
        rec.step(1043)
        if s:
            rec.step(1044)
            s += ", "
        rec.step(1046)
        s += f"thread-id: {p.thread_id}"
    rec.local("s", s)
    rec.step(1048)
    rec.step(1049)
    rec.ret(s)
    return s
