"""What a profile built on the 7.2 model supplies: its catalogue, its structs, and the
functions it rewrote. The 7.2 code calls these through `q.impl`, so 10.0 changes data and
a few functions, not copies of the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class SetCpuNumaNodeLines:
    """machine_set_cpu_numa_node's lines: the per-slot tests differ between versions."""

    support: tuple[tuple[int, str], ...]  # (line, key) of "<key> is not supported"
    match: tuple[tuple[int, str, int], ...]  # (line, key, line of its `continue`)


@dataclass(frozen=True)
class Impl:
    profile: str
    find_machine: Callable[[str], Any]
    default_machine: Callable[[], Any]
    help_text: Callable[[], str]
    machine_state: type
    numa_state: type
    possible_cpus: type  # CPUArchIdList of the profile
    smp_levels: tuple[str, ...]  # CpuTopology members machine_initfn sets to 1
    machine_set_smp: Callable[..., None]
    machine_set_mem: Callable[..., None]
    machine_run_board_init: Callable[..., None]
    parse_numa: Callable[..., int]
    set_cpu_numa_node: SetCpuNumaNodeLines
    # cpu_slot_to_string: its first line, the socket-id test, the other ids' tests, `return`
    slot_lines: tuple[int, int, tuple[tuple[int, str], ...], int]
    cpu_ids: tuple[str, ...]  # CpuInstanceProperties' optional ids besides node-id
    x86_module_test: int | None  # x86_possible_cpu_arch_ids' `modules > 1` test (10.0)
    warn_deprecated: Callable[..., None]  # after the machine options: a deprecated type
    hmat_generic_initiator: int | None  # parse_numa_hmat_lb's has_gi operand line (10.0)
    strtosz: Callable[..., int]  # util/cutils.c's qemu_strtosz of the version
    smp_keys: tuple[str, ...]  # SMPConfiguration's members (the -smp keys)
    unsupported_machine: str  # select_machine's error, {name} the -machine type given


def impl_72() -> Impl:
    from . import machines, state
    from .cutils import qemu_strtosz
    from .machine import machine_run_board_init
    from .machine_smp import SMP_KEYS, machine_set_smp
    from .numa import parse_numa
    from .vl import machine_set_mem

    return Impl(
        "7.2", machines.find_machine, machines.default_machine, machines.help_text,
        state.MachineState, state.NumaState, state.CPUArchIdList72,
        ("sockets", "dies", "clusters", "cores", "threads"),
        machine_set_smp, machine_set_mem, machine_run_board_init, parse_numa,
        SetCpuNumaNodeLines(
            support=((747, "thread_id"), (752, "core_id"), (757, "cluster_id"),
                     (762, "socket_id"), (767, "die_id")),
            match=((773, "thread_id", 774), (777, "core_id", 778), (781, "cluster_id", 783),
                   (786, "die_id", 787), (790, "socket_id", 791)),
        ),
        (1147, 1148, ((1151, "die_id"), (1157, "cluster_id"), (1163, "core_id"),
                      (1169, "thread_id")), 1175),
        ("socket_id", "die_id", "cluster_id", "core_id", "thread_id"),
        None, lambda q, mc: None, None, qemu_strtosz, SMP_KEYS, "unsupported machine type",
    )
