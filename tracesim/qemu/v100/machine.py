"""hw/core/machine.c of QEMU 10.0 where it was rewritten: the `memory` property setter (it
range-checks max-size and words the too-large error anew), and machine_run_board_init (an
ERRP_GUARD, the default RAM backend through a class hook, the reworded pc.ram clash, and the
-cpu check moved into is_cpu_type_supported)."""

from __future__ import annotations

from ..process import Qemu, QemuError
from ..state import ADDR_MACHINE, ADDR_MACHINE_CLASS
from .cutils import qemu_strtosz
from ..v72.machine import (
    ERROR_FATAL,
    MACHINE_C,
    create_default_memdev,
    machine_consume_memdev,
    machine_numa_finish_cpu_init,
)
from ..v72.vl import parse_memory_sizes
from .state import MachineState

RAM_ADDR_MAX = (1 << 64) - 1


def machine_set_mem(q: Qemu, ms: MachineState, mem: dict[str, str]) -> None:
    """machine.c:624-684; raises QemuError."""
    rec, mc = q.rec, q.mc
    assert mc is not None
    rec.call("machine_set_mem", MACHINE_C, obj=0x555556A2C430, v=0x555556A47A00,
             name="memory", opaque=0, errp=0x7FFFFFFFDB98)
    for line in (626, 627, 628, 629, 630, 632):
        rec.step(line)
    parsed, bad = parse_memory_sizes(mem, qemu_strtosz)  # 10.0 warns about no size
    if bad is not None:
        text = f"Parameter 'memory.{bad}' expects size"
        rec.fact(632, "error.set", text=text)
        rec.step(633)
        rec.step(627)  # ERRP_GUARD's cleanup
        rec.step(684)
        rec.ret()
        raise QemuError(text) from None
    size = parsed.get("size")
    rec.step(636)
    rec.branch(636, "!mem->has_size", size is None)
    if size is None:
        rec.step(637)
        rec.step(638)
        size = mc.default_ram_size
    rec.step(640)
    size = (size + 8191) & ~8191 & RAM_ADDR_MAX
    rec.local("mem->size", size)
    rec.step(641)
    rec.branch(641, "mc->fixup_ram_size", False)
    err: str | None = None
    rec.step(651)
    rec.branch(651, "mem->has_max_size", "max-size" in mem)
    if "max-size" in mem:
        max_size = parsed["max-size"]
        slots = int(mem.get("slots", "0"), 0)
        rec.step(658)
        rec.branch(658, "mem->max_size < mem->size", max_size < size, max_size=max_size,
                   size=size)
        if max_size < size:
            rec.step(659)
            err = (f"invalid value of maxmem: maximum memory size (0x{max_size:x}) must be at "
                   f"least the initial memory size (0x{size:x})")
        else:
            rec.step(665)
            equal = bool(slots) and max_size == size
            rec.branch(665, "mem->has_slots && mem->slots && mem->max_size == mem->size",
                       equal, slots=slots, max_size=max_size, size=size)
            if equal:
                rec.step(666)
                err = (f"invalid value of maxmem: memory slots were specified but maximum "
                       f"memory size (0x{max_size:x}) is equal to the initial memory size "
                       f"(0x{size:x})")
            else:
                rec.step(672)
                ms.maxram_size = max_size
    else:
        rec.step(674)
        rec.branch(674, "mem->has_slots", "slots" in mem)
        if "slots" in mem:
            rec.step(675)
            err = "slots specified but no max-size"
        else:
            rec.step(678)
            ms.maxram_size = size
    if err is None:
        rec.step(680)
        ms.ram_size = size
        rec.step(681)
        ms.ram_slots = int(mem["slots"], 0) if "slots" in mem and "max-size" in mem else 0
        rec.fact(681, "mem.set", ram_size=ms.ram_size, maxram_size=ms.maxram_size,
                 ram_slots=ms.ram_slots)
    else:
        rec.fact(675, "error.set", text=err)
    rec.step(683)
    rec.step(627)  # ERRP_GUARD's cleanup
    rec.step(684)
    rec.ret()
    if err is not None:
        raise QemuError(err)


def is_cpu_type_supported(q: Qemu, ms: MachineState) -> bool:
    """machine.c:1543-1596: PC has no valid_cpu_types list; the CPU model is not deprecated."""
    rec = q.rec
    rec.call("is_cpu_type_supported", MACHINE_C, machine=ADDR_MACHINE, errp=0x7FFFFFFFDC98)
    for line in (1544, 1545, 1546, 1547, 1548, 1555):
        rec.step(line)
    rec.branch(1555, "mc->valid_cpu_types", False)
    rec.step(1588)
    rec.step(1589)
    rec.step(1590)
    rec.branch(1590, "cc->deprecation_note", False, cpu_type=ms.cpu_type)
    rec.step(1595)
    rec.step(1596)
    rec.ret(True)
    return True


def machine_run_board_init(q: Qemu, ms: MachineState) -> None:
    """machine.c:1598-1684, up to machine_class->init (not stepped into). Errors go to the
    ERRP_GUARD's local and reach &error_fatal when the function returns."""
    from ..v72.numa import numa_complete_configuration, numa_uses_legacy_mem

    rec, mc = q.rec, q.mc
    assert mc is not None
    rec.call("machine_run_board_init", MACHINE_C, machine=ADDR_MACHINE, mem_path=0,
             errp=ERROR_FATAL)
    rec.step(1599)
    rec.step(1600)
    rec.step(1601)
    rec.local("machine_class", ADDR_MACHINE_CLASS)
    rec.step(1606)
    rec.step(1616)
    rec.branch(1616, "machine->memdev", ms.memdev is not None)
    if ms.memdev is not None:
        rec.step(1617)
        backend_size = ms.memdev.size
        rec.local("backend_size", backend_size)
        rec.step(1619)
        rec.branch(1619, "backend_size != machine->ram_size", backend_size != ms.ram_size,
                   backend_size=backend_size, ram_size=ms.ram_size)
        if backend_size != ms.ram_size:
            rec.step(1620)
            rec.step(1621)
            q.fatal(1621, "Machine memory size does not match the size of the memory backend")
    else:
        rec.step(1623)
        legacy = False
        if mc.default_ram_id and ms.ram_size:
            rec.step(1624)
            legacy = numa_uses_legacy_mem(q)
            rec.step(1623)
        rec.branch(1623, "machine_class->default_ram_id && machine->ram_size && "
                   "numa_uses_legacy_mem()", legacy, default_ram_id=mc.default_ram_id,
                   ram_size=ms.ram_size)
        if legacy:
            assert mc.default_ram_id is not None
            rec.step(1625)
            taken = mc.default_ram_id in q.backends
            rec.branch(1625, "object_property_find(object_get_objects_root(), "
                       "machine_class->default_ram_id)", taken, id=mc.default_ram_id)
            if taken:
                rec.step(1627)
                rec.step(1630)
                rec.step(1635)
                q.fatal(1635, f"object's id '{mc.default_ram_id}' is reserved for the default "
                        "RAM backend, it can't be used for any other purposes",
                        hint="Change the object's 'id' to something else or disable automatic "
                        "creation of the default RAM backend by setting "
                        f"'memory-backend={mc.default_ram_id}' with '-machine'.\n")
            rec.step(1638)
            create_default_memdev(q, ms)  # through machine_class->create_default_memdev
            rec.step(1638)
    rec.step(1644)
    rec.branch(1644, "machine->numa_state", ms.numa_state is not None)
    if ms.numa_state is not None:
        rec.step(1645)
        numa_complete_configuration(q, ms)
        rec.step(1646)
        rec.branch(1646, "machine->numa_state->num_nodes", ms.numa_state.num_nodes != 0,
                   num_nodes=ms.numa_state.num_nodes)
        if ms.numa_state.num_nodes:
            rec.step(1647)
            machine_numa_finish_cpu_init(q, ms)
            rec.step(1648)
            rec.branch(1648, "machine_class->cpu_cluster_has_numa_boundary", False)
    rec.step(1654)
    consume = ms.ram is None and ms.memdev is not None
    rec.branch(1654, "!machine->ram && machine->memdev", consume)
    if consume:
        rec.step(1655)
        ms.ram = machine_consume_memdev(q, ms, ms.memdev)
        rec.step(1655)
    rec.step(1659)
    if ms.cpu_type:
        is_cpu_type_supported(q, ms)
    rec.step(1663)
    rec.branch(1663, "machine->cgs", False)
    rec.step(1683)
    rec.step(1684)
    # machine_class->init(machine): QEMU goes on building the board; the model ends here.
    rec.fact(1684, "board.init", machine=mc.name)
    q.exit(1684, 0)
