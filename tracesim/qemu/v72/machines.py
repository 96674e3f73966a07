"""The x86_64 machine types of QEMU 7.2 and the compat chain that decides NUMA behaviour.

Each older version's options function calls the next newer one's (hw/i386/pc_q35.c,
pc_piix.c), so a flag cleared at version V stays cleared for every version below V.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..machines import PC_CPU_TYPE, PIIX_DESC, Q35_DESC, machine_help

DEFAULT_RAM_SIZE = 128 << 20  # hw/core/machine.c:machine_class_init


@dataclass(frozen=True)
class SMPCompatProps:
    """MachineClass.smp_props (include/hw/boards.h)."""

    prefer_sockets: bool = False
    dies_supported: bool = False
    clusters_supported: bool = False


@dataclass(frozen=True)
class MachineClass:
    name: str
    desc: str
    family: str | None
    alias: str | None = None
    is_default: bool = False
    deprecated: bool = False
    max_cpus: int = 1
    min_cpus: int = 0
    default_cpus: int = 1
    default_cpu_type: str | None = PC_CPU_TYPE
    default_ram_size: int = DEFAULT_RAM_SIZE
    default_ram_id: str | None = None
    numa_mem_supported: bool = False
    auto_enable_numa: bool = False
    auto_enable_numa_with_memhp: bool = False
    auto_enable_numa_with_memdev: bool = False
    numa_mem_align_shift: int = 23
    smp_props: SMPCompatProps = field(default_factory=SMPCompatProps)
    x86_cpu_props: bool = False  # cpu_index_to_instance_props & co are the x86 ones


def _key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


def _pc(name: str, desc: str, family: str | None, version: str | None, **kw: object) -> MachineClass:
    """pc_machine_class_init (hw/i386/pc.c:1905-1935) and the version's compat chain."""
    k = _key(version) if version else (99,)
    flags: dict[str, object] = dict(
        max_cpus=255,
        default_ram_id="pc.ram",
        auto_enable_numa_with_memhp=k >= (2, 11),  # pc_q35.c:586, pc_piix.c:650
        auto_enable_numa_with_memdev=k >= (5, 1),  # pc_q35.c:475, pc_piix.c:555
        numa_mem_supported=k <= (5, 0),  # pc_q35.c:472, pc_piix.c:552
        smp_props=SMPCompatProps(prefer_sockets=k <= (6, 1), dies_supported=True),
        x86_cpu_props=True,
    )
    flags.update(kw)
    return MachineClass(name, desc, family, **flags)  # type: ignore[arg-type]


I440FX = ["7.2", "7.1", "7.0", "6.2", "6.1", "6.0", "5.2", "5.1", "5.0", "4.2", "4.1", "4.0",
          "3.1", "3.0", "2.9", "2.8", "2.7", "2.6", "2.5", "2.4", "2.3", "2.2", "2.12", "2.11",
          "2.10", "2.1", "2.0", "1.7", "1.6", "1.5", "1.4"]
Q35 = ["7.2", "7.1", "7.0", "6.2", "6.1", "6.0", "5.2", "5.1", "5.0", "4.2", "4.1", "4.0.1",
       "4.0", "3.1", "3.0", "2.9", "2.8", "2.7", "2.6", "2.5", "2.4", "2.12", "2.11", "2.10"]


def _catalogue() -> list[MachineClass]:
    out = [
        MachineClass(
            "microvm", "microvm (i386)", "microvm_i386", max_cpus=288,
            default_ram_id="microvm.ram", x86_cpu_props=True,  # x86.c:1389-1391
        )
    ]
    for v in I440FX:
        out.append(_pc(f"pc-i440fx-{v}", PIIX_DESC, "pc_piix", v,
                       alias="pc" if v == "7.2" else None, is_default=v == "7.2",
                       deprecated=_key(v) <= (1, 7)))
    for v in Q35:
        out.append(_pc(f"pc-q35-{v}", Q35_DESC, "pc_q35", v,
                       alias="q35" if v == "7.2" else None,
                       max_cpus=288 if _key(v) >= (2, 8) else 255))  # pc_q35.c:370, 615
    # isapc: pc_machine_class_init without a versioned options function (pc_piix.c:855-862)
    out.append(_pc("isapc", "ISA-only PC", None, None, max_cpus=1, numa_mem_supported=False,
                   smp_props=SMPCompatProps(dies_supported=True),
                   default_cpu_type="486-x86_64-cpu"))
    out.append(MachineClass("none", "empty machine", None, default_cpu_type=None,
                            default_ram_id="ram"))
    out.append(MachineClass("x-remote", "Experimental remote machine", None,
                            default_cpu_type=None))
    return out


MACHINES: list[MachineClass] = _catalogue()
_BY_NAME = {m.name: m for m in MACHINES}
_BY_ALIAS = {m.alias: m for m in MACHINES if m.alias}


def find_machine(name: str) -> MachineClass | None:
    return _BY_NAME.get(name) or _BY_ALIAS.get(name)


def default_machine() -> MachineClass:
    return next(m for m in MACHINES if m.is_default)


def help_text() -> str:
    return machine_help(MACHINES)
