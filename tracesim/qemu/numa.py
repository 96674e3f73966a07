"""hw/core/numa.c: -numa parsing, numa_complete_configuration, RAM auto-assign, distances."""

from __future__ import annotations

from typing import Callable

from .cutils import ParseError, qemu_strtosz
from .machine import machine_set_cpu_numa_node
from .opts_visitor import (
    NumaCpuOptions,
    NumaDistOptions,
    NumaNodeOptions,
    NumaOptions,
    VisitError,
    visit_numa_options,
)
from .options import QemuOpts
from .process import Qemu, QemuError, error_setg_return
from .state import (
    ADDR_MACHINE,
    ADDR_MACHINE_CLASS,
    ADDR_NODES,
    MAX_NODES,
    NUMA_DISTANCE_MIN,
    MachineState,
    NodeInfo,
)
from .x86 import x86_cpu_index_to_props

NUMA = "hw/core/numa.c"
QEMU_OPTION_C = "util/qemu-option.c"
ERROR_FATAL = 0x5555562784D0  # &error_fatal in the observed binary
ADDR_NUMA_OPTS = 0x5555560966E0  # &qemu_numa_opts in the observed binary
ERROR_ABORT = 0x5555562784D8
MEM_DEPRECATED = "Parameter -numa node,mem is deprecated, use -numa node,memdev instead"
SPLIT_DEPRECATED = (
    "Default splitting of RAM between nodes is deprecated, Use '-numa node,memdev' "
    "to explictly define RAM allocation per node"
)


def parse_numa_opts(q: Qemu, ms: MachineState, at: int) -> None:
    """numa.c:467-470: qemu_opts_foreach(numa, parse_numa, ms, &error_fatal)."""
    rec = q.rec
    rec.call("parse_numa_opts", NUMA, ms=ADDR_MACHINE)
    rec.step(469)
    if not foreach_numa_opts(q, ADDR_NUMA_OPTS, ERROR_FATAL,
                             lambda k, opts: parse_numa(q, ms, opts, 0x5555562D4C50 + 0x150 * k)):
        rec.step(470)  # with options, stepping out of parse_numa lands in qemu_opts_foreach
    rec.ret()


def foreach_numa_opts(q: Qemu, list_address: int, errp: int,
                      parse: Callable[[int, QemuOpts], object]) -> bool:
    """util/qemu-option.c's qemu_opts_foreach over the -numa options: a frame bt shows between
    parse_numa_opts and parse_numa, recorded but not stepped (the golden sessions never stop
    in it). Without -numa nothing is called and nothing recorded. Whether there were any."""
    all_opts = q.cmdline.opts.get("numa", [])
    if not all_opts:
        return False
    q.rec.call("qemu_opts_foreach", QEMU_OPTION_C, list=list_address, func="parse_numa",
               opaque=ADDR_MACHINE, errp=errp)
    for k, opts in enumerate(all_opts):
        q.location = opts.location  # it sets the option's location around each call
        parse(k, opts)
        q.location = None
    q.rec.ret(0)  # an error in parse_numa exits through &error_fatal: it never returns nonzero
    return True


def parse_numa(q: Qemu, ms: MachineState, opts: QemuOpts, opts_address: int) -> int:
    """numa.c:224-253."""
    rec = q.rec
    rec.call("parse_numa", NUMA, opaque=ADDR_MACHINE, opts=opts_address, errp=ERROR_FATAL)
    rec.step(225)
    rec.step(226)
    rec.step(227)
    rec.step(228)
    rec.step(229)
    rec.step(231)
    err: str | None = None
    obj: NumaOptions | None = None
    try:
        obj = visit_numa_options(opts)
    except VisitError as e:
        err = str(e)
        rec.fact(231, "error.set", text=err)
    rec.step(232)
    rec.step(233)
    rec.branch(233, "err", err is not None)
    if err is None:
        assert obj is not None
        rec.fact(231, "numa.options", type=_type_name(obj), arg=opts.arg)
        rec.step(238)
        has_mem = isinstance(obj, NumaNodeOptions) and obj.has_mem
        rec.branch(
            238,
            "object->type == NUMA_OPTIONS_TYPE_NODE && object->u.node.has_mem",
            has_mem,
            type=_type_name(obj),
        )
        if has_mem:
            assert isinstance(obj, NumaNodeOptions)
            rec.step(239)
            mem_str = opts.get("mem")
            rec.local("mem_str", mem_str)
            rec.step(240)
            try:
                obj.mem = qemu_strtosz(mem_str or "", "M")  # a plain number means MiB
            except ParseError:
                pass  # the visitor's byte value stays
        rec.step(243)
        try:
            set_numa_options(q, ms, obj)
        except QemuError as e:
            err = e.text
    else:
        rec.step(234)
    rec.step(246)
    rec.step(247)
    rec.branch(247, "err", err is not None)
    if err is not None:
        rec.step(248)
        q.fatal(248, err)  # error_propagate into &error_fatal
    rec.step(252)
    rec.step(253)
    rec.ret(0)
    return 0


def _type_name(obj: NumaOptions) -> str:
    return {NumaNodeOptions: "node", NumaDistOptions: "dist", NumaCpuOptions: "cpu"}[type(obj)]


def set_numa_options(q: Qemu, ms: MachineState, obj: NumaOptions) -> None:
    """numa.c:178-222; raises QemuError with the Error it propagates."""
    rec = q.rec
    mc = q.mc
    assert mc is not None
    rec.call("set_numa_options", NUMA, ms=ADDR_MACHINE, object=0x5555563A7D80, errp=0x7FFFFFFFDE88)
    rec.step(179)
    rec.step(180)
    rec.step(181)
    rec.step(183)
    err: str | None = None
    rec.branch(183, "!mc->numa_mem_supported", not mc.numa_mem_supported)
    if not mc.numa_mem_supported:
        rec.step(184)
        err = "NUMA is not supported by this machine-type"
        rec.fact(184, "error.set", text=err)
        rec.step(185)
    else:
        rec.step(188)
        rec.branch(188, "object->type", True, type=_type_name(obj))
        if isinstance(obj, NumaNodeOptions):
            rec.step(190)
            err = _catch(lambda: parse_numa_node(q, ms, obj))
            rec.step(191)
            rec.step(194)
        elif isinstance(obj, NumaDistOptions):
            rec.step(196)
            err = _catch(lambda: parse_numa_distance(q, ms, obj))
            rec.step(197)
            rec.step(200)
        else:
            err = _set_numa_cpu(q, ms, obj)
    rec.step(221)
    rec.step(222)
    rec.ret()
    if err is not None:
        raise QemuError(err)


def _catch(fn) -> str | None:  # type: ignore[no-untyped-def]
    try:
        fn()
    except QemuError as e:
        return e.text
    return None


def _set_numa_cpu(q: Qemu, ms: MachineState, cpu: NumaCpuOptions) -> str | None:
    """numa.c:201-215, the `-numa cpu` case of set_numa_options."""
    rec = q.rec
    assert ms.numa_state is not None
    rec.step(202)
    rec.branch(202, "!object->u.cpu.has_node_id", cpu.node_id is None)
    if cpu.node_id is None:
        rec.step(203)
        err = "Missing mandatory node-id property"
        rec.fact(203, "error.set", text=err)
        rec.step(204)
        return err
    rec.step(206)
    # the index is not range checked in QEMU; out-of-range ids read as not present
    present = 0 <= cpu.node_id < MAX_NODES and ms.numa_state.nodes[cpu.node_id].present
    rec.branch(
        206,
        "!ms->numa_state->nodes[object->u.cpu.node_id].present",
        not present,
        node_id=cpu.node_id,
    )
    if not present:
        rec.step(207)
        err = (
            f"Invalid node-id={cpu.node_id}, NUMA node must be defined with -numa "
            "node,nodeid=ID before it's used with -numa cpu,node-id=ID"
        )
        rec.fact(207, "error.set", text=err)
        rec.step(210)
        return err
    rec.step(213)
    props = {
        "has_node_id": True,
        "node_id": cpu.node_id,
        "has_socket_id": cpu.socket_id is not None,
        "socket_id": cpu.socket_id or 0,
        "has_die_id": cpu.die_id is not None,
        "die_id": cpu.die_id or 0,
        "has_core_id": cpu.core_id is not None,
        "core_id": cpu.core_id or 0,
        "has_thread_id": cpu.thread_id is not None,
        "thread_id": cpu.thread_id or 0,
    }
    err = _catch(lambda: machine_set_cpu_numa_node(q, ms, props))
    rec.step(215)
    return err


def parse_numa_node(
    q: Qemu, ms: MachineState, node: NumaNodeOptions, errp: int = 0x7FFFFFFFDE38
) -> None:
    """numa.c:59-139."""
    rec, g, mc = q.rec, q.g, q.mc
    assert g is not None and mc is not None and ms.numa_state is not None
    numa_state = ms.numa_state
    rec.call("parse_numa_node", NUMA, ms=ADDR_MACHINE, node=0x5555563A7D88, errp=errp)
    rec.step(61)
    rec.step(62)
    rec.step(64)
    rec.local("cpus", 0)
    rec.step(65)
    rec.local("mc", ADDR_MACHINE_CLASS)
    rec.step(66)
    max_cpus = ms.smp.max_cpus
    rec.local("max_cpus", max_cpus)
    rec.step(67)
    rec.local("numa_info", ADDR_NODES)
    rec.step(69)
    rec.branch(69, "node->has_nodeid", node.nodeid is not None, nodeid=node.nodeid)
    if node.nodeid is not None:
        rec.step(70)
        nodenr = node.nodeid
    else:
        rec.step(72)
        nodenr = numa_state.num_nodes & 0xFFFF
    rec.local("nodenr", nodenr)
    rec.step(75)
    rec.branch(75, "nodenr >= MAX_NODES", nodenr >= MAX_NODES, nodenr=nodenr)
    if nodenr >= MAX_NODES:
        error_setg_return(rec, 76, 78, 139, f"Max number of NUMA nodes reached: {nodenr}")
    info: NodeInfo = numa_state.nodes[nodenr]
    rec.step(81)
    rec.branch(81, "numa_info[nodenr].present", info.present, nodenr=nodenr)
    if info.present:
        error_setg_return(rec, 82, 83, 139, f"Duplicate NUMA nodeid: {nodenr}")
    rec.step(86)
    rec.branch(
        86, "!mc->cpu_index_to_instance_props || !mc->get_default_cpu_node_id", not mc.x86_cpu_props
    )
    if not mc.x86_cpu_props:
        error_setg_return(rec, 87, 88, 139, "NUMA is not supported by this machine-type")
    rec.step(90)
    for k, value in enumerate(node.cpus):
        rec.local("cpus", 0x5555563A7DB0 + 32 * k)
        rec.local("cpus->value", value)
        rec.loop(90, "cpus->value", value)
        rec.step(92)
        rec.branch(92, "cpus->value >= max_cpus", value >= max_cpus, value=value, max_cpus=max_cpus)
        if value >= max_cpus:
            error_setg_return(
                rec, 93, 97, 139, f"CPU index ({value}) should be smaller than maxcpus ({max_cpus})"
            )
        rec.step(99)
        props = x86_cpu_index_to_props(q, ms, value)
        for name, v in props.items():
            rec.local(f"props.{name}", v)
        rec.step(100)
        props["node_id"] = nodenr
        rec.local("props.node_id", nodenr)
        rec.step(101)
        props["has_node_id"] = True
        rec.local("props.has_node_id", True)
        rec.step(102)
        try:
            machine_set_cpu_numa_node(q, ms, props)
            err = None
        except QemuError as e:
            err = e.text
        rec.step(103)
        rec.branch(103, "err", err is not None)
        if err is not None:
            rec.step(104)
            rec.step(105)
            rec.step(139)
            rec.ret()
            raise QemuError(err)
        rec.step(90)
    rec.local("cpus", 0)
    rec.branch(90, "cpus", False)
    rec.step(109)
    g.have_memdevs = g.have_memdevs or int(node.has_memdev)
    rec.step(110)
    g.have_mem = g.have_mem or int(node.has_mem)
    rec.step(111)
    mixed = (node.has_mem and bool(g.have_memdevs)) or (node.has_memdev and bool(g.have_mem))
    rec.branch(
        111,
        "(node->has_mem && have_memdevs) || (node->has_memdev && have_mem)",
        mixed,
        has_mem=node.has_mem,
        have_memdevs=g.have_memdevs,
        has_memdev=node.has_memdev,
        have_mem=g.have_mem,
    )
    if mixed:
        error_setg_return(
            rec,
            112,
            114,
            139,
            "numa configuration should use either mem= or memdev=,mixing both is not allowed",
        )
    rec.step(117)
    rec.branch(117, "node->has_mem", node.has_mem)
    if node.has_mem:
        rec.step(118)
        info.node_mem = node.mem
        rec.fact(118, "node.mem", nodenr=nodenr, bytes=node.mem)
        rec.step(119)
        rec.branch(119, "!qtest_enabled()", True)
        rec.step(120)
        q.warn_report(120, MEM_DEPRECATED)
    rec.step(124)
    rec.branch(124, "node->has_memdev", node.has_memdev)
    if node.has_memdev:
        assert node.memdev is not None
        rec.step(126)
        backend = q.backends.get(node.memdev)
        rec.local("o", backend.address if backend else 0)
        rec.step(127)
        rec.branch(127, "!o", backend is None, memdev=node.memdev)
        if backend is None:
            error_setg_return(rec, 128, 129, 139, f"memdev={node.memdev} is ambiguous")
        assert backend is not None
        rec.step(132)
        rec.step(133)
        info.node_mem = backend.size
        rec.fact(133, "node.mem", nodenr=nodenr, bytes=backend.size)
        rec.step(134)
        info.node_memdev = backend
    rec.step(136)
    info.present = True
    rec.fact(136, "node.created", nodenr=nodenr, mem=info.node_mem, memdev=backend_id(info))
    rec.step(137)
    g.max_numa_nodeid = max(g.max_numa_nodeid, nodenr + 1)
    rec.step(138)
    numa_state.num_nodes = numa_state.num_nodes + 1
    rec.step(139)
    rec.ret()


def backend_id(info: NodeInfo) -> str | None:
    return info.node_memdev.ident if info.node_memdev is not None else None


def parse_numa_distance(q: Qemu, ms: MachineState, dist: NumaDistOptions) -> None:
    """numa.c:141-176."""
    rec = q.rec
    assert ms.numa_state is not None
    rec.call("parse_numa_distance", NUMA, ms=ADDR_MACHINE, dist=0x5555563A7D88, errp=0x7FFFFFFFDE38)
    src, dst, val = dist.src, dist.dst, dist.val
    rec.step(144)
    rec.local("src", src)
    rec.step(145)
    rec.local("dst", dst)
    rec.step(146)
    rec.local("val", val)
    rec.step(147)
    rec.local("numa_info", ADDR_NODES)

    rec.step(149)
    rec.branch(
        149,
        "src >= MAX_NODES || dst >= MAX_NODES",
        src >= MAX_NODES or dst >= MAX_NODES,
        src=src,
        dst=dst,
    )
    if src >= MAX_NODES or dst >= MAX_NODES:
        which = "src" if src >= MAX_NODES else "dst"
        error_setg_return(
            rec,
            150,
            152,
            176,
            f"Parameter '{which}' expects an integer between 0 and {MAX_NODES - 1}",
        )
    nodes = ms.numa_state.nodes
    rec.step(155)
    missing = not nodes[src].present or not nodes[dst].present
    rec.branch(
        155,
        "!numa_info[src].present || !numa_info[dst].present",
        missing,
        **{"numa_info[src].present": nodes[src].present,
           "numa_info[dst].present": nodes[dst].present},
    )
    if missing:
        error_setg_return(
            rec,
            156,
            158,
            176,
            "Source/Destination NUMA node is missing. Please use '-numa node' "
            "option to declare it first.",
        )
    rec.step(161)
    rec.branch(161, "val < NUMA_DISTANCE_MIN", val < NUMA_DISTANCE_MIN, val=val)
    if val < NUMA_DISTANCE_MIN:
        error_setg_return(
            rec,
            162,
            165,
            176,
            f"NUMA distance ({val}) is invalid, it shouldn't be less than {NUMA_DISTANCE_MIN}.",
        )
    rec.step(168)
    local_bad = src == dst and val != NUMA_DISTANCE_MIN
    rec.branch(168, "src == dst && val != NUMA_DISTANCE_MIN", local_bad, src=src, dst=dst, val=val)
    if local_bad:
        error_setg_return(
            rec, 169, 171, 176, f"Local distance of node {src} should be {NUMA_DISTANCE_MIN}."
        )
    rec.step(174)
    nodes[src].distance[dst] = val
    rec.fact(174, "dist.set", src=src, dst=dst, val=val)
    rec.step(175)
    ms.numa_state.have_numa_distance = True
    rec.step(176)
    rec.ret()


def numa_complete_configuration(q: Qemu, ms: MachineState) -> None:
    """numa.c:363-465."""
    rec, g, mc = q.rec, q.g, q.mc
    assert g is not None and mc is not None and ms.numa_state is not None
    numa_state = ms.numa_state
    nodes = numa_state.nodes
    rec.call("numa_complete_configuration", NUMA, ms=ADDR_MACHINE)
    rec.step(364)
    rec.step(366)
    rec.local("mc", ADDR_MACHINE_CLASS)
    rec.step(367)
    rec.local("numa_info", ADDR_NODES)

    # numa.c:385-388, stepped in the compiler's order
    rec.step(385)
    if numa_state.num_nodes == 0:
        rec.step(386)
        rec.step(385)
        if ms.ram_slots > 0:
            rec.step(387)
            if mc.auto_enable_numa_with_memhp:
                rec.step(386)
                auto = True
            else:
                rec.step(388)
                rec.step(387)
                auto = mc.auto_enable_numa
        else:
            rec.step(388)
            rec.step(387)
            auto = mc.auto_enable_numa
    else:
        auto = False
    rec.branch(
        385,
        "ms->numa_state->num_nodes == 0 && ((ms->ram_slots > 0 && "
        "mc->auto_enable_numa_with_memhp) || mc->auto_enable_numa)",
        auto,
        num_nodes=numa_state.num_nodes,
        ram_slots=ms.ram_slots,
        auto_enable_numa_with_memhp=mc.auto_enable_numa_with_memhp,
        auto_enable_numa=mc.auto_enable_numa,
    )
    if auto:
        rec.step(389)
        rec.fact(389, "autoenable", ram_slots=ms.ram_slots)
        rec.step(390)
        saved, q.location = q.location, None
        parse_numa_node(q, ms, NumaNodeOptions(), errp=ERROR_ABORT)  # cannot fail here
        q.location = saved
        rec.step(391)
        nodes[0].node_mem = g.ram_size
        rec.fact(391, "node.mem", nodenr=0, bytes=g.ram_size)

    rec.step(394)
    rec.check(
        394,
        "max_numa_nodeid <= MAX_NODES",
        g.max_numa_nodeid <= MAX_NODES,
        max_numa_nodeid=g.max_numa_nodeid,
    )

    rec.step(397)
    i = g.max_numa_nodeid - 1
    rec.local("i", i)
    while i >= 0:
        rec.loop(397, "i", i)
        rec.step(399)
        rec.fact(399, "sparse.check", i=i, present=nodes[i].present)
        rec.branch(399, "!numa_info[i].present", not nodes[i].present, i=i)
        if not nodes[i].present:
            rec.step(400)
            q.error_report(400, f"numa: Node ID missing: {i}")
            rec.step(401)
            q.exit(401, 1)
        i -= 1
        rec.local("i", i)
        rec.step(397)
    rec.branch(397, "i >= 0", False, i=i)

    rec.step(406)
    rec.check(
        406,
        "ms->numa_state->num_nodes == max_numa_nodeid",
        numa_state.num_nodes == g.max_numa_nodeid,
        num_nodes=numa_state.num_nodes,
        max_numa_nodeid=g.max_numa_nodeid,
    )
    rec.step(408)
    num_nodes = numa_state.num_nodes
    rec.branch(408, "ms->numa_state->num_nodes > 0", num_nodes > 0, num_nodes=num_nodes)
    if num_nodes > 0:
        rec.step(411)
        rec.branch(
            411, "ms->numa_state->num_nodes > MAX_NODES", num_nodes > MAX_NODES, num_nodes=num_nodes
        )  # dead clamp: parse_numa_node refuses id 128 first
        rec.step(418)
        i = 0
        rec.local("i", i)
        while i < num_nodes:
            rec.loop(418, "i", i)
            rec.step(419)
            sized = nodes[i].node_mem != 0
            rec.branch(419, "numa_info[i].node_mem != 0", sized, i=i, node_mem=nodes[i].node_mem)
            if sized:
                rec.step(420)
                break
            i += 1
            rec.local("i", i)
            rec.step(418)
        else:
            rec.branch(418, "i < ms->numa_state->num_nodes", False, i=i, num_nodes=num_nodes)

        rec.step(423)
        rec.branch(423, "i == ms->numa_state->num_nodes", i == num_nodes, i=i, num_nodes=num_nodes)
        if i == num_nodes:
            rec.step(424)
            rec.check(424, "mc->numa_auto_assign_ram", True, fn=mc.numa_auto_assign_ram)
            rec.step(425)
            rec.step(426)
            rec.step(425)
            auto_assign = (
                numa_default_auto_assign_ram
                if mc.numa_auto_assign_ram == "numa_default_auto_assign_ram"
                else numa_legacy_auto_assign_ram
            )
            auto_assign(q, ms, num_nodes, g.ram_size)
            rec.step(427)
            rec.branch(427, "!qtest_enabled()", True)
            rec.step(428)
            q.warn_report(428, SPLIT_DEPRECATED)

        rec.step(434)
        numa_total = 0
        rec.local("numa_total", numa_total)
        rec.step(435)
        i = 0
        rec.local("i", i)
        while i < num_nodes:
            rec.loop(435, "i", i)
            rec.step(436)
            numa_total += nodes[i].node_mem
            rec.local("numa_total", numa_total)
            i += 1
            rec.local("i", i)
            rec.step(435)
        rec.branch(435, "i < ms->numa_state->num_nodes", False, i=i, num_nodes=num_nodes)
        rec.step(438)
        rec.fact(438, "total.check", numa_total=numa_total, ram_size=g.ram_size)
        rec.branch(
            438,
            "numa_total != ram_size",
            numa_total != g.ram_size,
            numa_total=numa_total,
            ram_size=g.ram_size,
        )
        if numa_total != g.ram_size:
            rec.step(439)
            q.error_report(
                439,
                f"total memory for NUMA nodes (0x{numa_total:x}) should equal "
                f"RAM size (0x{g.ram_size:x})",
            )
            rec.step(442)
            q.exit(442, 1)

        rec.step(457)
        rec.branch(457, "ms->numa_state->have_numa_distance", numa_state.have_numa_distance)
        if numa_state.have_numa_distance:
            rec.step(459)
            validate_numa_distance(q, ms)
            rec.step(462)
            complete_init_numa_distance(q, ms)
    rec.step(465)
    rec.ret()


def numa_default_auto_assign_ram(q: Qemu, ms: MachineState, nb_nodes: int, size: int) -> None:
    """numa.c:345-361: the dropped remainder propagates into the next node."""
    rec, mc = q.rec, q.mc
    assert mc is not None and ms.numa_state is not None
    nodes = ms.numa_state.nodes
    rec.call(
        "numa_default_auto_assign_ram",
        NUMA,
        mc=ADDR_MACHINE_CLASS,
        nodes=ADDR_NODES,
        nb_nodes=nb_nodes,
        size=size,
    )
    mask = ~((1 << mc.numa_mem_align_shift) - 1)
    rec.step(349)
    usedmem = 0
    rec.local("usedmem", usedmem)
    rec.step(350)
    granularity = size // nb_nodes
    rec.local("granularity", granularity)
    rec.step(351)
    propagate = 0
    rec.local("propagate", propagate)
    rec.step(353)
    i = 0
    rec.local("i", i)
    while i < nb_nodes - 1:
        rec.loop(353, "i", i)
        rec.step(354)
        rec.step(355)
        rec.step(354)
        node_mem = (granularity + propagate) & mask
        rec.local("node_mem", node_mem)
        rec.step(356)
        propagate = granularity + propagate - node_mem
        rec.local("propagate", propagate)
        rec.step(357)
        nodes[i].node_mem = node_mem
        rec.fact(357, "autoassign.node", i=i, node_mem=node_mem, propagate=propagate)
        rec.step(358)
        usedmem += node_mem
        rec.local("usedmem", usedmem)
        i += 1
        rec.local("i", i)
        rec.step(353)
    rec.branch(353, "i < nb_nodes - 1", False, i=i, nb_nodes=nb_nodes)
    rec.step(360)
    nodes[i].node_mem = size - usedmem
    rec.fact(360, "autoassign.node", i=i, node_mem=size - usedmem, propagate=propagate)
    rec.step(361)
    rec.ret()


def numa_legacy_auto_assign_ram(q: Qemu, ms: MachineState, nb_nodes: int, size: int) -> None:
    """numa.c:327-343: every node but the last gets the aligned share."""
    rec, mc = q.rec, q.mc
    assert mc is not None and ms.numa_state is not None
    nodes = ms.numa_state.nodes
    rec.call(
        "numa_legacy_auto_assign_ram",
        NUMA,
        mc=ADDR_MACHINE_CLASS,
        nodes=ADDR_NODES,
        nb_nodes=nb_nodes,
        size=size,
    )
    mask = ~((1 << mc.numa_mem_align_shift) - 1)
    rec.step(331)
    usedmem = 0
    rec.local("usedmem", usedmem)
    rec.step(337)
    i = 0
    rec.local("i", i)
    while i < nb_nodes - 1:
        rec.loop(337, "i", i)
        rec.step(338)
        rec.step(339)
        rec.step(338)
        nodes[i].node_mem = (size // nb_nodes) & mask
        rec.fact(338, "autoassign.node", i=i, node_mem=nodes[i].node_mem, propagate=None)
        rec.step(340)
        usedmem += nodes[i].node_mem
        rec.local("usedmem", usedmem)
        i += 1
        rec.local("i", i)
        rec.step(337)
    rec.branch(337, "i < nb_nodes - 1", False, i=i, nb_nodes=nb_nodes)
    rec.step(342)
    nodes[i].node_mem = size - usedmem
    rec.fact(342, "autoassign.node", i=i, node_mem=size - usedmem, propagate=None)
    rec.step(343)
    rec.ret()


def validate_numa_distance(q: Qemu, ms: MachineState) -> None:
    """numa.c:261-302."""
    rec = q.rec
    assert ms.numa_state is not None
    nodes = ms.numa_state.nodes
    n = ms.numa_state.num_nodes
    rec.call("validate_numa_distance", NUMA, ms=ADDR_MACHINE)
    rec.step(264)
    is_asymmetrical = False
    rec.local("is_asymmetrical", False)
    rec.step(265)
    rec.local("nb_numa_nodes", n)
    rec.step(266)
    rec.local("numa_info", ADDR_NODES)
    rec.step(268)
    src = 0
    rec.local("src", src)
    while src < n:
        rec.loop(268, "src", src)
        rec.step(269)
        dst = src
        rec.local("dst", dst)
        while dst < n:
            rec.loop(269, "dst", dst)
            there, back = nodes[src].distance[dst], nodes[dst].distance[src]
            rec.fact(270, "dist.validate", src=src, dst=dst, there=there, back=back)
            rec.step(270)
            if there == 0:
                rec.step(271)
                rec.step(270)
            both_missing = there == 0 and back == 0
            rec.branch(
                270,
                "numa_info[src].distance[dst] == 0 && numa_info[dst].distance[src] == 0",
                both_missing,
                **{"numa_info[src].distance[dst]": there,
                   "numa_info[dst].distance[src]": back},
            )
            if both_missing:
                rec.step(272)
                rec.branch(272, "src != dst", src != dst, src=src, dst=dst)
                if src != dst:
                    rec.step(273)
                    q.error_report(
                        273,
                        f"The distance between node {src} and {dst} is missing, "
                        "at least one distance value between each nodes should be "
                        "provided.",
                    )
                    rec.step(277)
                    q.exit(277, 1)
            rec.step(281)
            if there != 0:
                rec.step(282)
                rec.step(281)
                if back != 0:
                    rec.step(283)
                    rec.step(284)
                    rec.step(282)
            asym = there != 0 and back != 0 and there != back
            rec.branch(
                281,
                "numa_info[src].distance[dst] != 0 && numa_info[dst].distance[src] "
                "!= 0 && numa_info[src].distance[dst] != numa_info[dst].distance[src]",
                asym,
                **{"numa_info[src].distance[dst]": there,
                   "numa_info[dst].distance[src]": back},
            )
            if asym:
                rec.step(285)
                is_asymmetrical = True
                rec.local("is_asymmetrical", True)
            dst += 1
            rec.local("dst", dst)
            rec.step(269)
        rec.branch(269, "dst < nb_numa_nodes", False, dst=dst)
        src += 1
        rec.local("src", src)
        rec.step(268)
    rec.branch(268, "src < nb_numa_nodes", False, src=src)

    rec.step(290)
    rec.branch(290, "is_asymmetrical", is_asymmetrical)
    if is_asymmetrical:
        rec.step(291)
        src = 0
        rec.local("src", src)
        while src < n:
            rec.loop(291, "src", src)
            rec.step(292)
            dst = 0
            rec.local("dst", dst)
            while dst < n:
                rec.loop(292, "dst", dst)
                rec.step(293)
                hole = src != dst and nodes[src].distance[dst] == 0
                rec.branch(
                    293,
                    "src != dst && numa_info[src].distance[dst] == 0",
                    hole,
                    src=src,
                    dst=dst,
                    distance=nodes[src].distance[dst],
                )
                if hole:
                    rec.step(294)
                    q.error_report(
                        294,
                        "At least one asymmetrical pair of distances is given, "
                        "please provide distances for both directions of all node "
                        "pairs.",
                    )
                    rec.step(297)
                    q.exit(297, 1)
                dst += 1
                rec.local("dst", dst)
                rec.step(292)
            rec.branch(292, "dst < nb_numa_nodes", False, dst=dst)
            src += 1
            rec.local("src", src)
            rec.step(291)
        rec.branch(291, "src < nb_numa_nodes", False, src=src)
    rec.step(302)
    rec.ret()


def complete_init_numa_distance(q: Qemu, ms: MachineState) -> None:
    """numa.c:304-325: diagonal zeros become 10, others copy their mirror."""
    rec = q.rec
    assert ms.numa_state is not None
    nodes = ms.numa_state.nodes
    n = ms.numa_state.num_nodes
    rec.call("complete_init_numa_distance", NUMA, ms=ADDR_MACHINE)
    rec.step(307)
    rec.local("numa_info", ADDR_NODES)
    rec.step(314)
    src = 0
    rec.local("src", src)
    while src < n:
        rec.loop(314, "src", src)
        rec.step(315)
        dst = 0
        rec.local("dst", dst)
        while dst < n:
            rec.loop(315, "dst", dst)
            rec.step(316)
            zero = nodes[src].distance[dst] == 0
            rec.branch(316, "numa_info[src].distance[dst] == 0", zero, src=src, dst=dst)
            if zero:
                rec.step(317)
                rec.branch(317, "src == dst", src == dst, src=src, dst=dst)
                if src == dst:
                    rec.step(318)
                    nodes[src].distance[dst] = NUMA_DISTANCE_MIN
                    rec.fact(318, "dist.fill", src=src, dst=dst, val=NUMA_DISTANCE_MIN)
                else:
                    rec.step(320)
                    nodes[src].distance[dst] = nodes[dst].distance[src]
                    rec.fact(320, "dist.fill", src=src, dst=dst, val=nodes[dst].distance[src])
            dst += 1
            rec.local("dst", dst)
            rec.step(315)
        rec.branch(315, "dst < nb_numa_nodes", False, dst=dst)
        src += 1
        rec.local("src", src)
        rec.step(314)
    rec.branch(314, "src < nb_numa_nodes", False, src=src)
    rec.step(325)
    rec.ret()
