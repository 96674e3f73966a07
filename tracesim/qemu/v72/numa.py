"""hw/core/numa.c of QEMU 7.2: -numa parsing (with HMAT and initiators), the memdev
container, and numa_complete_configuration without the automatic RAM split."""

from __future__ import annotations

from typing import Any

from ..cutils import ParseError
from ..numa import (complete_init_numa_distance, foreach_numa_opts, parse_numa_distance,
                    validate_numa_distance)
from ..opts_visitor import NumaDistOptions, VisitError
from ..options import QemuOpts
from ..process import Qemu, QemuError, error_setg_return
from ..state import ADDR_MACHINE, ADDR_MACHINE_CLASS, ADDR_NODES, MAX_NODES
from .lines import lines_of_72
from .cutils import qemu_strtosz
from .machine import machine_consume_memdev, machine_set_cpu_numa_node
from .numa_hmat import parse_numa_hmat_cache, parse_numa_hmat_lb
from .opts_visitor import (
    NumaCpuOptions72,
    NumaHmatCacheOptions,
    NumaHmatLBOptions,
    NumaNodeOptions72,
    NumaOptions72,
    visit_numa_options,
)
from .state import MachineState
from .x86 import x86_cpu_index_to_props

NUMA = "hw/core/numa.c"
ERROR_FATAL = 0x555556A0E5F0
# &qemu_numa_opts: as far below &error_fatal as on the -O0 build (both addresses are the model's)
ADDR_NUMA_OPTS = ERROR_FATAL - 0xD8F00
ERROR_ABORT = 0x555556A0E5F8
MEM_DEPRECATED = "Parameter -numa node,mem is deprecated, use -numa node,memdev instead"
HMAT_DISABLED = ("ACPI Heterogeneous Memory Attribute Table (HMAT) is disabled, enable it with "
                 "-machine hmat=on before using any of hmat specific options")
TYPE_NAMES = {NumaNodeOptions72: "node", NumaDistOptions: "dist", NumaCpuOptions72: "cpu",
              NumaHmatLBOptions: "hmat-lb", NumaHmatCacheOptions: "hmat-cache"}


def numa_uses_legacy_mem(q: Qemu) -> bool:
    """numa.c:54-57: no node was given memdev=."""
    assert q.g is not None
    rec = q.rec
    rec.call("numa_uses_legacy_mem", NUMA)
    rec.step(56)
    legacy = not q.g.have_memdevs
    rec.step(57)
    rec.ret(legacy)
    return legacy


def parse_numa_opts(q: Qemu, ms: MachineState) -> None:
    """numa.c:730-733: qemu_opts_foreach(numa, parse_numa, ms, &error_fatal)."""
    rec = q.rec
    rec.call("parse_numa_opts", NUMA, ms=ADDR_MACHINE)
    rec.step(732)
    if not foreach_numa_opts(q, ADDR_NUMA_OPTS, ERROR_FATAL,
                             lambda k, opts: q.impl.parse_numa(q, ms, opts,
                                                               0x555556A3A0B0 + 0x150 * k)):
        rec.step(733)
    rec.ret()


def parse_numa(q: Qemu, ms: MachineState, opts: QemuOpts, opts_address: int) -> int:
    """numa.c:518-546: a visit error goes straight to &error_fatal."""
    rec = q.rec
    rec.call("parse_numa", NUMA, opaque=ADDR_MACHINE, opts=opts_address, errp=ERROR_FATAL)
    for line in (519, 520, 521, 522, 523, 525):
        rec.step(line)
    try:
        obj = visit_numa_options(opts, warn=lambda text: q.warn_report(525, text),
                                 cpu_ids=q.impl.cpu_ids, strtosz=q.impl.strtosz)
    except VisitError as e:
        q.fatal(525, str(e))
        raise AssertionError("unreachable")
    rec.fact(525, "numa.options", type=TYPE_NAMES[type(obj)], arg=opts.arg)
    rec.step(526)
    rec.step(527)
    rec.step(532)
    has_mem = isinstance(obj, NumaNodeOptions72) and obj.has_mem
    rec.branch(532, "object->type == NUMA_OPTIONS_TYPE_NODE && object->u.node.has_mem",
               has_mem, type=TYPE_NAMES[type(obj)])
    if has_mem:
        assert isinstance(obj, NumaNodeOptions72)
        rec.step(533)
        mem_str = opts.get("mem")
        rec.local("mem_str", mem_str)
        rec.step(534)
        try:
            # qemu_strtosz_MiB: a plain number means MiB (hex too: 0x400 is 1 GiB)
            obj.mem = qemu_strtosz(mem_str or "", "M", warn=lambda text: q.warn_report(534, text))
        except ParseError:
            pass
    rec.step(537)
    err: QemuError | None = None
    try:
        set_numa_options(q, ms, obj)
    except QemuError as e:
        err = e
    rec.step(539)
    rec.step(540)
    rec.branch(540, "err", err is not None)
    if err is not None:
        rec.step(541)
        q.fatal(541, err.text, err.hint)
    rec.step(545)
    rec.step(546)
    rec.ret(0)
    return 0


def set_numa_options(q: Qemu, ms: MachineState, obj: NumaOptions72) -> None:
    """numa.c:463-516; the Error goes up unchanged (errp is passed straight through)."""
    rec = q.rec
    rec.call("set_numa_options", NUMA, ms=ADDR_MACHINE, object=0x555556A3A1B0,
             errp=0x7FFFFFFFDD28)
    rec.step(465)
    rec.branch(465, "!ms->numa_state", ms.numa_state is None)
    if ms.numa_state is None:
        error_setg_return(rec, 466, 467, 516, "NUMA is not supported by this machine-type")
    assert ms.numa_state is not None
    rec.step(470)
    rec.branch(470, "object->type", True, type=TYPE_NAMES[type(obj)])
    try:
        if isinstance(obj, NumaNodeOptions72):
            rec.step(472)
            _then_break(q, 473, lambda: parse_numa_node(q, ms, obj))
        elif isinstance(obj, NumaDistOptions):
            rec.step(475)
            _then_break(q, 476, lambda: _parse_numa_distance_72(q, ms, obj))
        elif isinstance(obj, NumaCpuOptions72):
            _set_numa_cpu(q, ms, obj)
        elif isinstance(obj, NumaHmatLBOptions):
            _hmat_enabled(q, ms, 494)
            rec.step(501)
            _then_break(q, 502, lambda: parse_numa_hmat_lb(q, ms, obj))
        else:
            _hmat_enabled(q, ms, 504)
            rec.step(511)
            _then_break(q, 512, lambda: parse_numa_hmat_cache(q, ms, obj))
    except QemuError:
        rec.step(516)
        rec.ret()
        raise
    rec.step(516)
    rec.ret()


def _parse_numa_distance_72(q: Qemu, ms: MachineState, dist: NumaDistOptions) -> None:
    with lines_of_72(q, "parse_numa_distance"):
        parse_numa_distance(q, ms, dist)  # type: ignore[arg-type]


def _then_break(q: Qemu, break_line: int, parse: Any) -> None:
    """A case of set_numa_options' switch: errp goes straight through, so the `break`
    after the call is stepped whether or not the callee set an error (spec 7.2, item 9)."""
    try:
        parse()
    except QemuError:
        q.rec.step(break_line)
        raise
    q.rec.step(break_line)


def _hmat_enabled(q: Qemu, ms: MachineState, line: int) -> None:
    rec = q.rec
    assert ms.numa_state is not None
    rec.step(line)
    rec.branch(line, "!ms->numa_state->hmat_enabled", not ms.numa_state.hmat_enabled)
    if not ms.numa_state.hmat_enabled:
        rec.step(line + 1)
        rec.fact(line + 1, "error.set", text=HMAT_DISABLED)
        rec.step(line + 4)
        raise QemuError(HMAT_DISABLED)


def _set_numa_cpu(q: Qemu, ms: MachineState, cpu: NumaCpuOptions72) -> None:
    """numa.c:477-492, the `-numa cpu` case of set_numa_options."""
    rec = q.rec
    assert ms.numa_state is not None
    rec.step(478)
    rec.branch(478, "!object->u.cpu.has_node_id", cpu.node_id is None)
    if cpu.node_id is None:
        rec.step(479)
        rec.fact(479, "error.set", text="Missing mandatory node-id property")
        rec.step(480)
        raise QemuError("Missing mandatory node-id property")
    rec.step(482)
    # the index is not range checked in QEMU; out-of-range ids read as not present
    present = 0 <= cpu.node_id < MAX_NODES and ms.numa_state.nodes[cpu.node_id].present
    rec.branch(482, "!ms->numa_state->nodes[object->u.cpu.node_id].present", not present,
               node_id=cpu.node_id)
    if not present:
        text = (f"Invalid node-id={cpu.node_id}, NUMA node must be defined with -numa "
                "node,nodeid=ID before it's used with -numa cpu,node-id=ID")
        rec.step(483)
        rec.fact(483, "error.set", text=text)
        rec.step(486)
        raise QemuError(text)
    rec.step(490)
    rec.step(489)
    props: dict[str, Any] = {"has_node_id": True, "node_id": cpu.node_id}
    for key in q.impl.cpu_ids:  # every id of the profile's CpuInstanceProperties
        value = getattr(cpu, key, None)
        props[f"has_{key}"] = value is not None
        props[key] = value or 0
    _then_break(q, 492, lambda: machine_set_cpu_numa_node(q, ms, props, errp=0x7FFFFFFFDD28))


def parse_numa_node(q: Qemu, ms: MachineState, node: NumaNodeOptions72,
                    errp: int = 0x7FFFFFFFDD28) -> None:
    """numa.c:64-171."""
    rec, g, mc = q.rec, q.g, q.mc
    assert g is not None and mc is not None and ms.numa_state is not None
    state = ms.numa_state
    rec.call("parse_numa_node", NUMA, ms=ADDR_MACHINE, node=0x555556A3A1B8, errp=errp)
    rec.step(66)
    rec.step(67)
    rec.step(69)
    rec.local("cpus", 0)
    rec.step(70)
    rec.local("mc", ADDR_MACHINE_CLASS)
    rec.step(71)
    max_cpus = ms.smp.max_cpus
    rec.local("max_cpus", max_cpus)
    rec.step(72)
    rec.local("numa_info", ADDR_NODES)
    rec.step(74)
    rec.branch(74, "node->has_nodeid", node.nodeid is not None, nodeid=node.nodeid)
    if node.nodeid is not None:
        rec.step(75)
        nodenr = node.nodeid
    else:
        rec.step(77)
        nodenr = state.num_nodes & 0xFFFF
    rec.local("nodenr", nodenr)
    rec.step(80)
    rec.branch(80, "nodenr >= MAX_NODES", nodenr >= MAX_NODES, nodenr=nodenr)
    if nodenr >= MAX_NODES:
        error_setg_return(rec, 81, 83, 171, f"Max number of NUMA nodes reached: {nodenr}")
    info = state.nodes[nodenr]
    rec.step(86)
    rec.branch(86, "numa_info[nodenr].present", info.present, nodenr=nodenr)
    if info.present:
        error_setg_return(rec, 87, 88, 171, f"Duplicate NUMA nodeid: {nodenr}")
    rec.step(95)
    info.initiator = MAX_NODES
    rec.step(96)
    rec.branch(96, "node->has_initiator", node.has_initiator)
    if node.initiator is not None:
        rec.step(97)
        rec.branch(97, "!ms->numa_state->hmat_enabled", not state.hmat_enabled)
        if not state.hmat_enabled:
            error_setg_return(rec, 98, 101, 171, HMAT_DISABLED)
        rec.step(104)
        rec.branch(104, "node->initiator >= MAX_NODES", node.initiator >= MAX_NODES,
                   initiator=node.initiator)
        if node.initiator >= MAX_NODES:
            # QEMU reports and returns without setting errp: parsing goes on
            rec.step(105)
            q.error_report(105, f"The initiator id {node.initiator} expects an integer "
                           f"between 0 and {MAX_NODES - 1}")
            rec.step(108)
            rec.step(171)
            rec.ret()
            return
        rec.step(111)
        info.initiator = node.initiator
    rec.step(114)
    for k, value in enumerate(node.cpus):
        rec.local("cpus", 0x555556A3A200 + 32 * k)
        rec.loop(114, "cpus->value", value)
        rec.step(116)
        rec.branch(116, "cpus->value >= max_cpus", value >= max_cpus, value=value,
                   max_cpus=max_cpus)
        if value >= max_cpus:
            error_setg_return(rec, 117, 121, 171,
                              f"CPU index ({value}) should be smaller than maxcpus ({max_cpus})")
        rec.step(123)
        props = x86_cpu_index_to_props(q, ms, value)
        for name, v in props.items():
            rec.local(f"props.{name}", v)
        rec.step(124)
        props["node_id"] = nodenr
        rec.local("props.node_id", nodenr)
        rec.step(125)
        props["has_node_id"] = True
        rec.local("props.has_node_id", True)
        rec.step(126)
        try:
            machine_set_cpu_numa_node(q, ms, props)
            err = None
        except QemuError as e:
            err = e
        rec.step(127)
        rec.branch(127, "err", err is not None)
        if err is not None:
            rec.step(128)
            rec.step(129)
            rec.step(171)
            rec.ret()
            raise err
        rec.step(114)
    rec.local("cpus", 0)
    rec.branch(114, "cpus", False)
    rec.step(133)
    g.have_memdevs = g.have_memdevs or int(node.has_memdev)
    rec.step(134)
    g.have_mem = g.have_mem or int(node.has_mem)
    rec.step(135)
    mixed = (node.has_mem and bool(g.have_memdevs)) or (node.has_memdev and bool(g.have_mem))
    rec.branch(135, "(node->has_mem && have_memdevs) || (node->has_memdev && have_mem)", mixed,
               has_mem=node.has_mem, have_memdevs=g.have_memdevs, has_memdev=node.has_memdev,
               have_mem=g.have_mem)
    if mixed:
        error_setg_return(rec, 136, 138, 171, "numa configuration should use either mem= or "
                          "memdev=,mixing both is not allowed")
    rec.step(141)
    rec.branch(141, "node->has_mem", node.has_mem)
    if node.has_mem:
        rec.step(142)
        rec.branch(142, "!mc->numa_mem_supported", not mc.numa_mem_supported,
                   machine=mc.name)
        if not mc.numa_mem_supported:
            text = "Parameter -numa node,mem is not supported by this machine type"
            rec.step(143)
            rec.fact(143, "error.set", text=text)
            rec.step(145)
            rec.step(146)
            rec.step(171)
            rec.ret()
            raise QemuError(text, hint="Use -numa node,memdev instead\n")
        rec.step(149)
        info.node_mem = node.mem
        rec.fact(149, "node.mem", nodenr=nodenr, bytes=node.mem)
        rec.step(150)
        rec.branch(150, "!qtest_enabled()", True)
        rec.step(151)
        q.warn_report(151, MEM_DEPRECATED)
    rec.step(155)
    rec.branch(155, "node->has_memdev", node.has_memdev)
    if node.memdev is not None:
        rec.step(157)
        backend = q.backends.get(node.memdev)
        rec.local("o", backend.address if backend else 0)
        rec.step(158)
        rec.branch(158, "!o", backend is None, memdev=node.memdev)
        if backend is None:
            error_setg_return(rec, 159, 160, 171, f"memdev={node.memdev} is ambiguous")
        assert backend is not None
        rec.step(163)
        rec.step(164)
        info.node_mem = backend.size
        rec.fact(164, "node.mem", nodenr=nodenr, bytes=backend.size)
        rec.step(165)
        info.node_memdev = backend
    rec.step(168)
    info.present = True
    rec.fact(168, "node.created", nodenr=nodenr, mem=info.node_mem,
             memdev=info.node_memdev.ident if info.node_memdev else None)
    rec.step(169)
    g.max_numa_nodeid = max(g.max_numa_nodeid, nodenr + 1)
    rec.step(170)
    state.num_nodes = state.num_nodes + 1
    rec.step(171)
    rec.ret()


def numa_init_memdev_container(q: Qemu, ms: MachineState) -> None:
    """numa.c:620-635: the node backends mapped one after another into ms->ram."""
    rec = q.rec
    assert ms.numa_state is not None
    nodes = ms.numa_state.nodes
    rec.call("numa_init_memdev_container", NUMA, ms=ADDR_MACHINE, ram=ms.ram)
    rec.local("addr", 1 << 30)  # stale at -O0 (spec 7.2, stepping item 6)
    rec.step(623)
    addr = 0
    rec.local("addr", addr)
    rec.step(625)
    i = 0
    rec.local("i", i)
    while i < ms.numa_state.num_nodes:
        rec.loop(625, "i", i)
        rec.step(626)
        size = nodes[i].node_mem
        rec.local("size", size)
        rec.step(627)
        backend = nodes[i].node_memdev
        rec.local("backend", backend.address if backend else 0)
        rec.step(628)
        rec.branch(628, "!backend", backend is None, i=i)
        if backend is None:
            rec.step(629)
        else:
            rec.step(631)
            seg = machine_consume_memdev(q, ms, backend)
            rec.local("seg", seg)
            rec.step(632)
            rec.fact(632, "ram.map", node=i, addr=addr, size=size, memdev=backend.ident)
            rec.step(633)
            addr += size
            rec.local("addr", addr)
        i += 1
        rec.local("i", i)
        rec.step(625)
    rec.branch(625, "i < ms->numa_state->num_nodes", False, i=i)
    rec.step(635)
    rec.ret()


def _auto_node_condition(q: Qemu, ms: MachineState) -> bool:
    """numa.c:660-663, stepped as gdb steps the -O0 code: each clause stops at its line
    and then at the line above it (spec 7.2, stepping, "Unchanged")."""
    rec, mc = q.rec, q.mc
    assert mc is not None and ms.numa_state is not None
    rec.step(660)
    if ms.numa_state.num_nodes != 0:
        return False
    clauses = (
        (661, ms.ram_slots != 0, mc.auto_enable_numa_with_memhp),
        (662, ms.maxram_size > ms.ram_size, mc.auto_enable_numa_with_memdev),
    )
    for line, first, flag in clauses:
        rec.step(line)
        rec.step(line - 1)
        if first:
            rec.step(line)
            if flag:
                return True
    rec.step(663)
    rec.step(662)
    return mc.auto_enable_numa


def numa_complete_configuration(q: Qemu, ms: MachineState) -> None:
    """numa.c:637-728: no automatic split any more; the total must match ms->ram_size."""
    rec, g, mc = q.rec, q.g, q.mc
    assert g is not None and mc is not None and ms.numa_state is not None
    state = ms.numa_state
    nodes = state.nodes
    rec.call("numa_complete_configuration", NUMA, ms=ADDR_MACHINE)
    rec.local("i", 32767)  # uninitialised at -O0 (spec 7.2, stepping item 10)
    rec.step(638)
    rec.step(640)
    rec.local("mc", ADDR_MACHINE_CLASS)
    rec.step(641)
    rec.local("numa_info", ADDR_NODES)
    auto = _auto_node_condition(q, ms)
    rec.branch(660, "ms->numa_state->num_nodes == 0 && ((ms->ram_slots && "
               "mc->auto_enable_numa_with_memhp) || (ms->maxram_size > ms->ram_size && "
               "mc->auto_enable_numa_with_memdev) || mc->auto_enable_numa)", auto,
               num_nodes=state.num_nodes, ram_slots=ms.ram_slots,
               maxram_size=ms.maxram_size, ram_size=ms.ram_size,
               auto_enable_numa_with_memhp=mc.auto_enable_numa_with_memhp,
               auto_enable_numa_with_memdev=mc.auto_enable_numa_with_memdev,
               auto_enable_numa=mc.auto_enable_numa)
    if auto:
        rec.step(664)
        rec.fact(664, "autoenable", ram_slots=ms.ram_slots, maxram_size=ms.maxram_size)
        rec.step(665)
        saved, q.location = q.location, None
        parse_numa_node(q, ms, NumaNodeOptions72(), errp=ERROR_ABORT)  # cannot fail here
        q.location = saved
        rec.step(666)
        nodes[0].node_mem = ms.ram_size
        rec.fact(666, "node.mem", nodenr=0, bytes=ms.ram_size)
    rec.step(669)
    rec.check(669, "max_numa_nodeid <= MAX_NODES", g.max_numa_nodeid <= MAX_NODES,
              max_numa_nodeid=g.max_numa_nodeid)
    rec.step(672)
    i = g.max_numa_nodeid - 1
    rec.local("i", i)
    while i >= 0:
        rec.loop(672, "i", i)
        rec.step(674)
        rec.fact(674, "sparse.check", i=i, present=nodes[i].present)
        rec.branch(674, "!numa_info[i].present", not nodes[i].present, i=i)
        if not nodes[i].present:
            rec.step(675)
            q.error_report(675, f"numa: Node ID missing: {i}")
            rec.step(676)
            q.exit(676, 1)
        i -= 1
        rec.local("i", i)
        rec.step(672)
    rec.branch(672, "i >= 0", False, i=i)
    rec.step(681)
    rec.check(681, "ms->numa_state->num_nodes == max_numa_nodeid",
              state.num_nodes == g.max_numa_nodeid, num_nodes=state.num_nodes,
              max_numa_nodeid=g.max_numa_nodeid)
    rec.step(683)
    num_nodes = state.num_nodes
    rec.branch(683, "ms->numa_state->num_nodes > 0", num_nodes > 0, num_nodes=num_nodes)
    if num_nodes > 0:
        rec.step(686)
        numa_total = 0
        rec.local("numa_total", numa_total)
        rec.step(687)
        i = 0
        rec.local("i", i)
        while i < num_nodes:
            rec.loop(687, "i", i)
            rec.step(688)
            numa_total += nodes[i].node_mem
            rec.local("numa_total", numa_total)
            i += 1
            rec.local("i", i)
            rec.step(687)
        rec.branch(687, "i < ms->numa_state->num_nodes", False, i=i, num_nodes=num_nodes)
        rec.step(690)
        rec.fact(690, "total.check", numa_total=numa_total, ram_size=ms.ram_size)
        rec.branch(690, "numa_total != ms->ram_size", numa_total != ms.ram_size,
                   numa_total=numa_total, ram_size=ms.ram_size)
        if numa_total != ms.ram_size:
            rec.step(691)
            q.error_report(691, f"total memory for NUMA nodes (0x{numa_total:x}) should equal "
                           f"RAM size (0x{ms.ram_size:x})")
            rec.step(694)
            q.exit(694, 1)
        rec.step(697)
        legacy = numa_uses_legacy_mem(q)
        rec.step(697)
        container = not legacy and mc.default_ram_id is not None
        rec.branch(697, "!numa_uses_legacy_mem() && mc->default_ram_id", container,
                   default_ram_id=mc.default_ram_id)
        if container:
            rec.step(698)
            rec.branch(698, "ms->memdev", ms.memdev is not None)
            if ms.memdev is not None:
                rec.step(699)
                q.error_report(699, "'-machine memory-backend' and '-numa memdev' properties "
                               "are mutually exclusive")
                rec.step(701)
                q.exit(701, 1)
            rec.step(703)
            ms.ram = 0x555556A44380  # g_new(MemoryRegion, 1)
            rec.step(704)
            rec.step(706)
            numa_init_memdev_container(q, ms)
        rec.step(720)
        rec.branch(720, "ms->numa_state->have_numa_distance", state.have_numa_distance)
        if state.have_numa_distance:
            rec.step(722)
            with lines_of_72(q, "validate_numa_distance"):
                validate_numa_distance(q, ms)  # type: ignore[arg-type]
            rec.step(725)
            with lines_of_72(q, "complete_init_numa_distance"):
                complete_init_numa_distance(q, ms)  # type: ignore[arg-type]
    rec.step(728)
    rec.ret()
