"""hw/core/machine.c of QEMU 7.2: CPU-to-node binding, board init with the default RAM
backend, the NUMA CPU defaults and the HMAT initiator check."""

from __future__ import annotations

from typing import Any

from ..process import Qemu, QemuError, error_setg_return
from ..state import ADDR_MACHINE, ADDR_MACHINE_CLASS, ADDR_NODES, MAX_NODES
from ..slot_runs import scan_slots, skip_plan
from .state import CPUArchId72, MachineState, create_backend

MACHINE_C = "hw/core/machine.c"
ERROR_FATAL = 0x555556A0E5F0  # &error_fatal

Props = dict[str, Any]


def machine_set_cpu_numa_node(q: Qemu, ms: MachineState, props: Props,
                              errp: int = 0x7FFFFFFFDC18) -> None:
    """machine.c:724-825; raises QemuError with the Error it sets."""
    from .x86 import x86_possible_cpu_arch_ids

    rec, mc = q.rec, q.mc
    assert mc is not None and ms.numa_state is not None
    rec.call("machine_set_cpu_numa_node", MACHINE_C, machine=ADDR_MACHINE,
             props=0x7FFFFFFFDC40, errp=errp)
    for name, value in props.items():
        rec.local(f"props->{name}", value)
    nodes = ms.numa_state.nodes
    rec.step(727)
    rec.local("mc", ADDR_MACHINE_CLASS)
    rec.step(728)
    rec.local("numa_info", ADDR_NODES)
    rec.step(729)
    match = False
    rec.local("match", False)
    rec.step(732)
    rec.branch(732, "!mc->possible_cpu_arch_ids", not mc.x86_cpu_props)
    if not mc.x86_cpu_props:
        error_setg_return(rec, 733, 734, 825, "mapping of CPUs to NUMA node is not supported")
    rec.step(738)
    rec.check(738, "props->has_node_id", props["has_node_id"])
    rec.step(741)
    possible = x86_possible_cpu_arch_ids(q, ms)
    rec.step(743)
    i = 0
    rec.local("i", i)
    impl_lines = q.impl.set_cpu_numa_node
    plan = skip_plan(q, possible.cpus[:possible.len], props,
                     [key for _, key in impl_lines.support],
                     [key for _, key, _ in impl_lines.match])

    def one_slot(i: int) -> bool:
        """One iteration for slot i (its events); whether it bound the CPU."""
        match = False
        rec.loop(743, "i", i)
        slot: CPUArchId72 = possible.cpus[i]
        sp = slot.props
        rec.step(744)
        rec.local("slot", slot.address)
        for line, key in q.impl.set_cpu_numa_node.support:  # a property no slot has
            rec.step(line)
            unsupported = props[f"has_{key}"] and not getattr(sp, f"has_{key}")
            rec.branch(line, f"props->has_{key} && !slot->props.has_{key}", unsupported)
            if unsupported:
                text = f"{key.replace('_', '-')} is not supported"
                error_setg_return(rec, line + 1, line + 2, 825, text)
        skipped = False
        for line, key, continue_line in q.impl.set_cpu_numa_node.match:  # skip a slot
            rec.step(line)
            differs = props[f"has_{key}"] and props[key] != getattr(sp, key)
            rec.branch(line, f"props->has_{key} && props->{key} != slot->props.{key}",
                       differs, **{f"props->{key}": props[key],
                                   f"slot->props.{key}": getattr(sp, key)})
            if differs:
                rec.step(continue_line)
                skipped = True
                break
        if not skipped:
            rec.step(797)
            if sp.has_node_id:
                rec.step(798)
            clash = sp.has_node_id and sp.node_id != props["node_id"]
            rec.branch(797, "slot->props.has_node_id && slot->props.node_id != props->node_id",
                       clash, **{"slot->props.node_id": sp.node_id,
                                 "props->node_id": props["node_id"]})
            if clash:
                error_setg_return(rec, 799, 801, 825,
                                  f"CPU is already assigned to node-id: {sp.node_id}")
            rec.step(805)
            match = True
            rec.local("match", True)
            rec.step(806)
            sp.node_id = props["node_id"]
            rec.fact(806, "cpu.bound", index=i, node=props["node_id"])
            rec.step(807)
            sp.has_node_id = props["has_node_id"]
            rec.step(809)
            hmat = ms.numa_state.hmat_enabled
            rec.branch(809, "machine->numa_state->hmat_enabled", hmat)
            if hmat:
                node = nodes[props["node_id"]]
                rec.step(810)
                if node.initiator < MAX_NODES:
                    rec.step(811)
                bad = node.initiator < MAX_NODES and props["node_id"] != node.initiator
                rec.branch(810, "numa_info[props->node_id].initiator < MAX_NODES && "
                           "props->node_id != numa_info[props->node_id].initiator", bad,
                           node_id=props["node_id"], initiator=node.initiator)
                if bad:
                    error_setg_return(
                        rec, 812, 815, 825,
                        f"The initiator of CPU NUMA node {props['node_id']} should be itself "
                        f"(got {node.initiator})")
                rec.step(817)
                node.has_cpu = True
                rec.step(818)
                node.initiator = props["node_id"]
        rec.local("i", i + 1)
        rec.step(743)
        return match

    match = scan_slots(rec, plan, possible.len, one_slot) or match
    i = possible.len
    rec.branch(743, "i < machine->possible_cpus->len", False, i=i)
    rec.step(822)
    rec.branch(822, "!match", not match)
    if not match:
        error_setg_return(rec, 823, 825, 825, "no match found")
    rec.step(825)
    rec.ret()


def cpu_slot_to_string(q: Qemu, slot: CPUArchId72) -> str:
    """machine.c:1145-1176: the slot's ids, comma separated (7.2 puts one before die-id);
    which ids and where is the profile's (10.0 adds module-id)."""
    rec = q.rec
    p = slot.props
    first, socket_line, blocks, last = q.impl.slot_lines
    rec.call("cpu_slot_to_string", MACHINE_C, cpu=slot.address)
    rec.step(first)
    parts: list[str] = []
    rec.step(socket_line)
    if p.has_socket_id:
        rec.step(socket_line + 1)
        parts.append(f"socket-id: {p.socket_id}")
    for line, key in blocks:
        rec.step(line)
        if getattr(p, f"has_{key}"):
            rec.step(line + 1)
            if parts:
                rec.step(line + 2)
            rec.step(line + 4)
            parts.append(f"{key.replace('_', '-')}: {getattr(p, key)}")
    s = ", ".join(parts)
    rec.local("s", s)
    rec.step(last)
    rec.step(last + 1)
    rec.ret(s)
    return s


def numa_validate_initiator(q: Qemu, ms: MachineState) -> None:
    """machine.c:1178-1200: every declared initiator is a present node with CPUs."""
    rec = q.rec
    assert ms.numa_state is not None
    nodes = ms.numa_state.nodes
    rec.call("numa_validate_initiator", MACHINE_C, numa_state=0x555556A2D160)
    rec.step(1181)
    rec.step(1183)
    i = 0
    rec.local("i", i)
    while i < ms.numa_state.num_nodes:
        rec.loop(1183, "i", i)
        initiator = nodes[i].initiator
        rec.step(1184)
        rec.branch(1184, "numa_info[i].initiator == MAX_NODES", initiator == MAX_NODES,
                   i=i, initiator=initiator)
        if initiator != MAX_NODES:
            rec.step(1188)
            target = nodes[initiator] if initiator < MAX_NODES else None
            present = target is not None and target.present
            rec.branch(1188, "!numa_info[numa_info[i].initiator].present", not present,
                       initiator=initiator)
            if not present:
                rec.step(1189)
                q.error_report(1189, f"NUMA node {initiator} is missing, use '-numa node' "
                               "option to declare it first")
                rec.step(1192)
                q.exit(1192, 1)
            assert target is not None
            rec.step(1195)
            rec.branch(1195, "!numa_info[numa_info[i].initiator].has_cpu", not target.has_cpu,
                       initiator=initiator)
            if not target.has_cpu:
                rec.step(1196)
                q.error_report(1196, f"The initiator of NUMA node {i} is invalid")
                rec.step(1197)
                q.exit(1197, 1)
        else:
            rec.step(1185)
        i += 1
        rec.local("i", i)
        rec.step(1183)
    rec.branch(1183, "i < numa_state->num_nodes", False, i=i)
    rec.step(1200)
    rec.ret()


def machine_numa_finish_cpu_init(q: Qemu, ms: MachineState) -> None:
    """machine.c:1202-1255: CPUs no -numa option placed get a node."""
    from .x86 import x86_get_default_cpu_node_id, x86_possible_cpu_arch_ids

    rec = q.rec
    assert ms.numa_state is not None
    rec.call("machine_numa_finish_cpu_init", MACHINE_C, machine=ADDR_MACHINE)
    rec.step(1203)
    rec.local("default_mapping", 255)  # uninitialised at -O0 (spec 7.2, stepping item 10)
    rec.local("i", 32767)
    rec.step(1206)
    s = ""
    rec.local("s", s)
    rec.step(1207)
    rec.step(1208)
    possible = x86_possible_cpu_arch_ids(q, ms)
    rec.local("possible_cpus", possible.address)
    rec.step(1210)
    rec.check(1210, "machine->numa_state->num_nodes", ms.numa_state.num_nodes != 0,
              num_nodes=ms.numa_state.num_nodes)
    rec.step(1211)
    i = 0
    rec.local("i", i)
    while i < possible.len:
        rec.loop(1211, "i", i)
        rec.step(1212)
        bound = possible.cpus[i].props.has_node_id
        rec.branch(1212, "possible_cpus->cpus[i].props.has_node_id", bound, i=i)
        if bound:
            rec.step(1213)
            break
        i += 1
        rec.local("i", i)
        rec.step(1211)
    rec.step(1216)
    default_mapping = i == possible.len
    rec.local("default_mapping", default_mapping)
    rec.step(1218)
    i = 0
    rec.local("i", i)
    while i < possible.len:
        rec.loop(1218, "i", i)
        rec.step(1219)
        slot = possible.cpus[i]
        rec.local("cpu_slot", slot.address)
        rec.step(1221)
        unbound = not slot.props.has_node_id
        rec.branch(1221, "!cpu_slot->props.has_node_id", unbound, i=i)
        if unbound:
            rec.step(1223)
            props = {f: getattr(slot.props, f) for f in type(slot.props)._fields}
            for name, value in props.items():
                rec.local(f"props.{name}", value)
            rec.step(1225)
            node = x86_get_default_cpu_node_id(q, ms, i)
            rec.step(1225)
            props["node_id"] = node
            rec.local("props.node_id", node)
            rec.step(1226)
            rec.branch(1226, "!default_mapping", not default_mapping)
            if not default_mapping:
                rec.step(1229)
                cpu_str = cpu_slot_to_string(q, slot)
                rec.local("cpu_str", cpu_str)
                rec.step(1231)
                rec.step(1230)
                s = f"{s}{', ' if s else ''}CPU {i} [{cpu_str}]"
                rec.local("s", s)
                rec.step(1232)
                rec.step(1235)
                props["node_id"] = 0
                rec.local("props.node_id", 0)
            rec.fact(1235, "cpu.default", i=i, node=props["node_id"],
                     default_mapping=default_mapping)
            rec.step(1238)
            props["has_node_id"] = True
            rec.local("props.has_node_id", True)
            rec.step(1239)
            try:
                machine_set_cpu_numa_node(q, ms, props, errp=ERROR_FATAL)
            except QemuError as err:  # &error_fatal: reported with no location
                q.fatal(1239, err.text)
        i += 1
        rec.local("i", i)
        rec.step(1218)
    rec.branch(1218, "i < possible_cpus->len", False, i=i)
    rec.step(1243)
    rec.branch(1243, "machine->numa_state->hmat_enabled", ms.numa_state.hmat_enabled)
    if ms.numa_state.hmat_enabled:
        rec.step(1244)
        numa_validate_initiator(q, ms)
    rec.step(1247)
    rec.branch(1247, "s->len && !qtest_enabled()", bool(s), s=s)
    if s:
        rec.step(1248)
        q.warn_report(1248, f"CPU(s) not present in any NUMA nodes: {s}")
        rec.step(1250)
        q.warn_report(1250, "All CPU(s) up to maxcpus should be described in NUMA config, "
                      "ability to start up with partial NUMA mappings is obsoleted and will "
                      "be removed in future")
    rec.step(1254)
    rec.step(1255)
    rec.ret()


def machine_consume_memdev(q: Qemu, ms: MachineState, backend: Any) -> int:
    """machine.c:1257-1270: a backend's memory region, mapped once only."""
    rec = q.rec
    rec.call("machine_consume_memdev", MACHINE_C, machine=ADDR_MACHINE, backend=backend.address)
    rec.step(1260)
    rec.step(1262)
    mapped = backend.mapped
    rec.branch(1262, "host_memory_backend_is_mapped(backend)", mapped, id=backend.ident)
    if mapped:
        rec.step(1263)
        q.error_report(1263, f"memory backend {backend.ident} can't be used multiple times.")
        rec.step(1265)
        q.exit(1265, 1)
    rec.step(1267)
    backend.mapped = True
    rec.step(1268)
    rec.step(1269)
    region = backend.address + 0x40
    rec.step(1270)
    rec.ret(region)
    return region


def create_default_memdev(q: Qemu, ms: MachineState) -> None:
    """machine.c:1272-1302: the RAM backend named mc->default_ram_id, of ms->ram_size."""
    rec, mc = q.rec, q.mc
    assert mc is not None
    rec.call("create_default_memdev", MACHINE_C, ms=ADDR_MACHINE, path=0, errp=ERROR_FATAL)
    rec.step(1275)
    rec.step(1276)
    rec.step(1278)
    rec.step(1279)
    rec.branch(1279, "path", False)
    rec.step(1284)
    rec.step(1287)
    rec.fact(1287, "object.created", id=mc.default_ram_id, type="memory-backend-ram",
             size=ms.ram_size)
    rec.step(1290)
    rec.step(1294)
    rec.step(1297)
    ms.memdev = create_backend(q, mc.default_ram_id, "memory-backend-ram", ms.ram_size)
    rec.step(1300)
    rec.step(1301)
    rec.step(1302)
    rec.ret(True)


def machine_run_board_init(q: Qemu, ms: MachineState) -> None:
    """machine.c:1305-1415, up to machine_class->init (not stepped into)."""
    from .numa import numa_complete_configuration, numa_uses_legacy_mem

    rec, mc = q.rec, q.mc
    assert mc is not None
    rec.call("machine_run_board_init", MACHINE_C, machine=ADDR_MACHINE, mem_path=0,
             errp=ERROR_FATAL)
    rec.step(1307)
    rec.local("machine_class", ADDR_MACHINE_CLASS)
    rec.step(1308)
    rec.step(1314)
    rec.step(1324)
    rec.branch(1324, "machine->memdev", ms.memdev is not None)
    if ms.memdev is not None:
        rec.step(1325)
        backend_size = ms.memdev.size
        rec.local("backend_size", backend_size)
        rec.step(1327)
        rec.branch(1327, "backend_size != machine->ram_size", backend_size != ms.ram_size,
                   backend_size=backend_size, ram_size=ms.ram_size)
        if backend_size != ms.ram_size:
            rec.step(1328)
            q.fatal(1328, "Machine memory size does not match the size of the memory backend")
    else:
        rec.step(1331)
        legacy = False
        if mc.default_ram_id and ms.ram_size:
            rec.step(1332)
            legacy = numa_uses_legacy_mem(q)
            rec.step(1331)
        rec.branch(1331, "machine_class->default_ram_id && machine->ram_size && "
                   "numa_uses_legacy_mem()", legacy, default_ram_id=mc.default_ram_id,
                   ram_size=ms.ram_size)
        if legacy:
            assert mc.default_ram_id is not None
            rec.step(1333)
            taken = mc.default_ram_id in q.backends
            rec.branch(1333, "object_property_find(object_get_objects_root(), "
                       "machine_class->default_ram_id)", taken, id=mc.default_ram_id)
            if taken:
                rec.step(1335)
                q.fatal(1335, f"object name '{mc.default_ram_id}' is reserved for the default "
                        "RAM backend, it can't be used for any other purposes. Change the "
                        "object's 'id' to something else")
            rec.step(1341)
            create_default_memdev(q, ms)
            rec.step(1341)
    rec.step(1346)
    rec.branch(1346, "machine->numa_state", ms.numa_state is not None)
    if ms.numa_state is not None:
        rec.step(1347)
        numa_complete_configuration(q, ms)
        rec.step(1348)
        rec.branch(1348, "machine->numa_state->num_nodes", ms.numa_state.num_nodes != 0,
                   num_nodes=ms.numa_state.num_nodes)
        if ms.numa_state.num_nodes:
            rec.step(1349)
            machine_numa_finish_cpu_init(q, ms)
    rec.step(1353)
    consume = ms.ram is None and ms.memdev is not None
    rec.branch(1353, "!machine->ram && machine->memdev", consume)
    if consume:
        rec.step(1354)
        ms.ram = machine_consume_memdev(q, ms, ms.memdev)
        rec.step(1354)
    rec.step(1360)
    rec.branch(1360, "machine_class->valid_cpu_types && machine->cpu_type", False)
    rec.step(1388)
    rec.step(1389)
    rec.step(1394)
    rec.step(1414)
    rec.step(1415)
    # machine_class->init(machine): QEMU goes on building the board; the model ends here.
    rec.fact(1415, "board.init", machine=mc.name)
    q.exit(1415, 0)
