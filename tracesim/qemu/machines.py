"""The x86_64 machine-type catalogue of QEMU 4.2 (spec section 6) and `-machine help`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

PIIX_DESC = "Standard PC (i440FX + PIIX, 1996)"
Q35_DESC = "Standard PC (Q35 + ICH9, 2009)"
DEFAULT_RAM_SIZE = 128 << 20  # machine.c:801
PC_CPU_TYPE = "qemu64-x86_64-cpu"


@dataclass(frozen=True)
class MachineClass:
    name: str
    desc: str
    family: str | None
    alias: str | None = None
    is_default: bool = False
    deprecated: bool = False
    max_cpus: int = 255
    default_cpu_type: str | None = PC_CPU_TYPE
    default_ram_size: int = DEFAULT_RAM_SIZE
    pc_smp: bool = True  # smp_parse is pc_smp_parse (else machine.c's smp_parse)
    numa_mem_supported: bool = True
    auto_enable_numa: bool = False
    auto_enable_numa_with_memhp: bool = True
    numa_auto_assign_ram: str = "numa_default_auto_assign_ram"
    numa_mem_align_shift: int = 23
    x86_cpu_props: bool = True  # cpu_index_to_instance_props & co are the x86 ones


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


def _catalogue() -> list[MachineClass]:
    out: list[MachineClass] = [
        MachineClass(
            "microvm",
            "microvm (i386)",
            "microvm_i386",
            max_cpus=288,
            pc_smp=False,
            numa_mem_supported=False,
            auto_enable_numa_with_memhp=False,
            x86_cpu_props=False,
        )
    ]
    i440fx = [
        "4.2",
        "4.1",
        "4.0",
        "3.1",
        "3.0",
        "2.12",
        "2.11",
        "2.10",
        "2.9",
        "2.8",
        "2.7",
        "2.6",
        "2.5",
        "2.4",
        "2.3",
        "2.2",
        "2.1",
        "2.0",
        "1.7",
        "1.6",
        "1.5",
        "1.4",
    ]
    for v in i440fx:
        k = _version_key(v)
        out.append(
            MachineClass(
                f"pc-i440fx-{v}",
                PIIX_DESC,
                "pc_piix",
                alias="pc" if v == "4.2" else None,
                is_default=v == "4.2",
                auto_enable_numa_with_memhp=k >= (2, 11),
                numa_auto_assign_ram="numa_default_auto_assign_ram"
                if k >= (2, 10)
                else "numa_legacy_auto_assign_ram",
            )
        )
    for v in ["1.3", "1.2", "1.1", "1.0", "0.15", "0.14", "0.13", "0.12"]:
        out.append(
            MachineClass(
                f"pc-{v}",
                PIIX_DESC,
                "pc_piix",
                deprecated=v.startswith("0."),
                auto_enable_numa_with_memhp=False,
                numa_auto_assign_ram="numa_legacy_auto_assign_ram",
            )
        )
    for v in [
        "4.2",
        "4.1",
        "4.0.1",
        "4.0",
        "3.1",
        "3.0",
        "2.12",
        "2.11",
        "2.10",
        "2.9",
        "2.8",
        "2.7",
        "2.6",
        "2.5",
        "2.4",
    ]:
        k = _version_key(v)
        out.append(
            MachineClass(
                f"pc-q35-{v}",
                Q35_DESC,
                "pc_q35",
                alias="q35" if v == "4.2" else None,
                max_cpus=288 if k >= (2, 8) else 255,
                auto_enable_numa_with_memhp=k >= (2, 11),
                numa_auto_assign_ram="numa_default_auto_assign_ram"
                if k >= (2, 11)
                else "numa_legacy_auto_assign_ram",
            )
        )
    out.append(
        MachineClass("isapc", "ISA-only PC", None, max_cpus=1, default_cpu_type="486-x86_64-cpu")
    )
    out.append(
        MachineClass(
            "none",
            "empty machine",
            None,
            max_cpus=1,
            default_cpu_type=None,
            pc_smp=False,
            numa_mem_supported=False,
            auto_enable_numa_with_memhp=False,
            x86_cpu_props=False,
        )
    )
    return out


MACHINES: list[MachineClass] = _catalogue()
_BY_NAME = {m.name: m for m in MACHINES}
_BY_ALIAS = {m.alias: m for m in MACHINES if m.alias}


def find_machine(name: str) -> MachineClass | None:
    """find_machine (vl.c): a name or an alias."""
    return _BY_NAME.get(name) or _BY_ALIAS.get(name)


def default_machine() -> MachineClass:
    return next(m for m in MACHINES if m.is_default)


def _class_name(m: Any) -> str:
    """QEMU sorts by the QOM class name (pc-q35-10.0-machine), not the machine's name."""
    return f"{m.name}-machine"


def machine_help(machines: "Sequence[Any] | None" = None) -> str:
    """`-machine help`: families alphabetically, names in decreasing strcmp order within a
    family, then family-less machines in increasing order (any profile's catalogue)."""
    catalogue = MACHINES if machines is None else machines
    families = sorted({m.family for m in catalogue if m.family})
    ordered: list[Any] = []
    for fam in families:
        ordered += sorted(
            (m for m in catalogue if m.family == fam), key=_class_name, reverse=True
        )
    ordered += sorted((m for m in catalogue if not m.family), key=_class_name)
    lines = ["Supported machines are:"]
    for m in ordered:
        if m.alias:
            lines.append(f"{m.alias:<20} {m.desc} (alias of {m.name})")
        lines.append(
            f"{m.name:<20} {m.desc}{' (default)' if m.is_default else ''}"
            f"{' (deprecated)' if m.deprecated else ''}"
        )
    return "\n".join(lines) + "\n"
