"""hw/i386/x86.c of QEMU 7.2: possible CPUs, CPU props, default node.

The topology is read from ms->smp (7.2 keeps dies there; 4.2 had x86ms->smp_dies);
clusters do not enter the x86 APIC id (include/hw/i386/topology.h:init_topo_info).
"""

from __future__ import annotations

from ..process import Qemu
from ..state import ADDR_MACHINE
from ..x86 import apicid_from_index, topo_ids_from_apicid
from .state import CPUArchIdList72, MachineState

X86 = "hw/i386/x86.c"


def x86_possible_cpu_arch_ids(q: Qemu, ms: MachineState) -> CPUArchIdList72:
    """x86.c:456-499: built once, cached in ms->possible_cpus."""
    rec = q.rec
    rec.call("x86_possible_cpu_arch_ids", X86, ms=ADDR_MACHINE)
    rec.step(457)
    rec.step(458)
    rec.step(459)
    max_cpus = ms.smp.max_cpus
    rec.local("max_cpus", max_cpus)
    rec.step(463)
    rec.branch(463, "ms->possible_cpus", ms.possible_cpus is not None)
    if ms.possible_cpus is not None:
        possible: CPUArchIdList72 = ms.possible_cpus
        rec.step(468)
        rec.check(468, "ms->possible_cpus->len == max_cpus", possible.len == max_cpus,
                  len=possible.len, max_cpus=max_cpus)
        rec.step(469)
        rec.step(499)
        rec.ret(possible.address)
        return possible
    rec.step(473)  # the multi-line allocation steps its continuation first
    rec.step(472)
    ms.possible_cpus = q.impl.possible_cpus(rec, max_cpus)
    possible = ms.possible_cpus
    rec.step(474)
    possible.len = max_cpus
    rec.step(476)
    dies, cores, threads = ms.smp.dies, ms.smp.cores, ms.smp.threads
    modules = getattr(ms.smp, "modules", 1)  # 10.0 has a module level
    rec.step(478)
    i = 0
    rec.local("i", i)
    while i < possible.len:
        rec.loop(478, "i", i)
        slot = possible.cpus[i]
        rec.step(481)
        slot.type = ms.cpu_type
        rec.step(482)
        slot.vcpus_count = 1
        rec.step(484)
        rec.step(483)
        rec.step(484)
        rec.step(483)
        slot.arch_id = apicid_from_index(i, dies, cores, threads, modules)
        rec.step(485)
        pkg, die, module, core, smt = topo_ids_from_apicid(slot.arch_id, dies, cores, threads,
                                                           modules)
        rec.local("topo_ids.pkg_id", pkg)
        rec.local("topo_ids.die_id", die)
        rec.local("topo_ids.core_id", core)
        rec.local("topo_ids.smt_id", smt)
        rec.step(487)
        slot.props.has_socket_id = True
        rec.step(488)
        slot.props.socket_id = pkg
        rec.step(489)
        rec.branch(489, "ms->smp.dies > 1", dies > 1, dies=dies)
        if dies > 1:
            rec.step(490)
            slot.props.has_die_id = True
            rec.step(491)
            slot.props.die_id = die
        module_test = q.impl.x86_module_test
        if module_test is not None:
            rec.step(module_test)
            rec.branch(module_test, "ms->smp.modules > 1", modules > 1, modules=modules)
            if modules > 1:
                rec.step(module_test + 1)
                slot.props.has_module_id = True
                rec.step(module_test + 2)
                slot.props.module_id = module
        rec.step(493)
        slot.props.has_core_id = True
        rec.step(494)
        slot.props.core_id = core
        rec.step(495)
        slot.props.has_thread_id = True
        rec.step(496)
        slot.props.thread_id = smt
        i += 1
        rec.local("i", i)
        rec.step(478)
    rec.branch(478, "i < ms->possible_cpus->len", False, i=i, len=possible.len)
    rec.fact(474, "possible_cpus.built", len=possible.len)
    rec.step(498)
    rec.step(499)
    rec.ret(possible.address)
    return possible


def x86_cpu_index_to_props(q: Qemu, ms: MachineState, cpu_index: int) -> dict[str, int | bool]:
    """x86.c:432-440: a copy of the slot's props."""
    rec = q.rec
    rec.call("x86_cpu_index_to_props", X86, ms=ADDR_MACHINE, cpu_index=cpu_index)
    rec.step(435)
    rec.step(436)
    possible = x86_possible_cpu_arch_ids(q, ms)
    rec.local("possible_cpus", possible.address)
    rec.step(438)
    rec.check(438, "cpu_index < possible_cpus->len", cpu_index < possible.len,
              cpu_index=cpu_index, len=possible.len)
    rec.step(439)
    slot_props = possible.cpus[cpu_index].props
    props = {f: getattr(slot_props, f) for f in type(slot_props)._fields}
    rec.step(440)
    # a copy: the caller changes its own copy (props.node_id = nodenr) after the return,
    # and the event must keep what the callee's frame held when it returned
    rec.ret(dict(props))
    return props


def x86_get_default_cpu_node_id(q: Qemu, ms: MachineState, idx: int) -> int:
    """x86.c:442-454: the socket (package) id modulo the number of nodes."""
    rec = q.rec
    rec.call("x86_get_default_cpu_node_id", X86, ms=ADDR_MACHINE, idx=idx)
    rec.step(443)
    rec.step(445)
    rec.step(448)
    possible = ms.possible_cpus
    assert possible is not None and ms.numa_state is not None
    rec.step(450)
    rec.check(450, "idx < ms->possible_cpus->len", idx < possible.len, idx=idx, len=possible.len)
    rec.step(451)
    pkg = topo_ids_from_apicid(possible.cpus[idx].arch_id, ms.smp.dies, ms.smp.cores,
                               ms.smp.threads, getattr(ms.smp, "modules", 1))[0]
    rec.local("topo_ids.pkg_id", pkg)
    rec.step(453)
    node = pkg % ms.numa_state.num_nodes
    rec.step(454)
    rec.ret(node)
    return node
