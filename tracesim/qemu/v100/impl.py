"""QEMU 10.0 as data and the functions it rewrote, on the 7.2 model."""

from __future__ import annotations

from typing import Any

from ..v72.impl import Impl, SetCpuNumaNodeLines
from .lines_native import Line10, lines10


def impl_100() -> Impl:
    from . import machines, state
    from .cutils import qemu_strtosz
    from .machine import machine_run_board_init, machine_set_mem
    from .machine_smp import SMP_KEYS, machine_set_smp
    from .numa import parse_numa

    thread, core, module, cluster, socket, die = lines10(839, 844, 849, 854, 859, 864)
    return Impl(
        "10.0", machines.find_machine, machines.default_machine, machines.help_text,
        state.MachineState, state.NumaState, state.CPUArchIdList100,
        ("drawers", "books", "sockets", "dies", "clusters", "modules", "cores", "threads"),
        machine_set_smp, machine_set_mem, machine_run_board_init, parse_numa,
        SetCpuNumaNodeLines(  # machine.c:839-893: 10.0 tests module-id too
            support=((thread, "thread_id"), (core, "core_id"), (module, "module_id"),
                     (cluster, "cluster_id"), (socket, "socket_id"), (die, "die_id")),
            match=((Line10(870), "thread_id", Line10(871)), (Line10(874), "core_id", Line10(875)),
                   (Line10(878), "module_id", Line10(880)),
                   (Line10(883), "cluster_id", Line10(885)),
                   (Line10(888), "die_id", Line10(889)), (Line10(892), "socket_id", Line10(893))),
        ),
        (Line10(1364), Line10(1365),  # machine.c:1362-1399, module-id between cluster and core
         tuple(zip(lines10(1368, 1374, 1380, 1386, 1392),
                   ("die_id", "cluster_id", "module_id", "core_id", "thread_id"))),
         Line10(1398)),
        ("drawer_id", "book_id", "socket_id", "die_id", "cluster_id", "module_id", "core_id",
         "thread_id"),
        Line10(138), warn_deprecated, Line10(231),  # x86.c:138, numa.c:231
        qemu_strtosz, SMP_KEYS, 'unsupported machine type: "{name}"',
    )


def warn_deprecated(q: Any, mc: Any) -> None:
    """vl.c:3818-3821: once the machine's options are applied."""
    if mc.deprecation_reason:
        q.warn_report(Line10(3819), f"Machine type '{mc.name}' is deprecated: "
                      f"{mc.deprecation_reason}")
