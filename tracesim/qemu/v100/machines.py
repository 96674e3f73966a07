"""The x86_64 machine types of QEMU 10.0, their compat chain, and the versioned types 10.0
deprecates (hw/i386/pc_q35.c, pc_piix.c, include/hw/boards.h MACHINE_VER_DEPRECATION)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..machines import PC_CPU_TYPE, PIIX_DESC, Q35_DESC, machine_help
from ..v72.machines import DEFAULT_RAM_SIZE
from ..v72.machines import MachineClass as MachineClass72

DEPRECATED = "machines more than 3 years old are subject to deletion after 6 years"


@dataclass(frozen=True)
class SMPCompatProps:
    """MachineClass.smp_props of 10.0: books, drawers and modules appeared."""

    prefer_sockets: bool = False
    dies_supported: bool = False
    clusters_supported: bool = False
    has_clusters: bool = False
    books_supported: bool = False
    drawers_supported: bool = False
    modules_supported: bool = False


@dataclass(frozen=True)
class MachineClass(MachineClass72):
    smp_props: SMPCompatProps = field(default_factory=SMPCompatProps)  # type: ignore[assignment]
    deprecation_reason: str | None = None


def _key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


VERSIONS = ["10.0", "9.2", "9.1", "9.0", "8.2", "8.1", "8.0", "7.2", "7.1", "7.0", "6.2", "6.1",
            "6.0", "5.2", "5.1", "5.0", "4.2", "4.1", "4.0", "3.1", "3.0", "2.9", "2.8", "2.7",
            "2.6", "2.5", "2.4", "2.12", "2.11", "2.10"]


def _pc(name: str, desc: str, family: str | None, version: str | None, **kw: object) -> MachineClass:
    """pc_machine_class_init (hw/i386/pc.c) and the version's compat chain."""
    k = _key(version) if version else (99,)
    flags: dict[str, object] = dict(
        max_cpus=255,
        default_ram_id="pc.ram",
        auto_enable_numa_with_memhp=k >= (2, 11),
        auto_enable_numa_with_memdev=k >= (5, 1),
        numa_mem_supported=k <= (5, 0),
        smp_props=SMPCompatProps(prefer_sockets=k <= (6, 1), dies_supported=True,
                                 modules_supported=True),
        x86_cpu_props=True,
        deprecated=k <= (7, 0),
        deprecation_reason=DEPRECATED if k <= (7, 0) else None,
    )
    flags.update(kw)
    return MachineClass(name, desc, family, **flags)  # type: ignore[arg-type]


def _q35_max_cpus(k: tuple[int, ...]) -> int:
    """pc_q35.c: 4096 from 9.0, 1024 for 8.1-8.2, 288 from 2.8 to 8.0, 255 before."""
    if k >= (9, 0):
        return 4096
    if k >= (8, 1):
        return 1024
    return 288 if k >= (2, 8) else 255


def _catalogue() -> list[MachineClass]:
    out = [MachineClass("microvm", "microvm (i386)", "microvm_i386", max_cpus=288,
                        default_ram_id="microvm.ram", x86_cpu_props=True)]
    for v in VERSIONS:
        out.append(_pc(f"pc-i440fx-{v}", PIIX_DESC, "pc_piix", v,
                       alias="pc" if v == "10.0" else None, is_default=v == "10.0"))
    for v in VERSIONS[:18] + ["4.0.1"] + VERSIONS[18:]:
        out.append(_pc(f"pc-q35-{v}", Q35_DESC, "pc_q35", v, alias="q35" if v == "10.0" else None,
                       max_cpus=_q35_max_cpus(_key(v))))
    out.append(_pc("isapc", "ISA-only PC", None, None, max_cpus=1, numa_mem_supported=False,
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


__all__ = ["DEFAULT_RAM_SIZE", "PC_CPU_TYPE", "MachineClass", "find_machine", "replace"]
