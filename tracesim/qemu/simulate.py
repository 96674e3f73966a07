"""Entry point of the model: a QEMU command line in, the run's exit status out."""
from __future__ import annotations

from dataclasses import dataclass

from ..profiles import DEFAULT_PROFILE, PROFILES
from .process import Qemu, Recorder
from .vl import qemu_main

PROGRAM_NAMES = ("qemu-system-x86_64", "qemu-system-i386", "qemu-kvm", "qemu")


@dataclass
class Simulation:
    argv: list[str]
    exit_status: int
    process: Qemu | None  # the model's own objects as the run ended (tests compare the fold)


def strip_program(argv: list[str]) -> list[str]:
    """A pasted command line may start with the program (or a path to it)."""
    if argv and not argv[0].startswith("-") and argv[0].rsplit("/", 1)[-1] in PROGRAM_NAMES:
        return argv[1:]
    return argv


def simulate(argv: list[str], recorder: Recorder, profile: str = DEFAULT_PROFILE) -> Simulation:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
    args = strip_program(list(argv))
    if profile == "7.2":
        from .v72.vl import qemu_main as qemu_main_72

        status, process = qemu_main_72(args, recorder)
    elif profile == "10.0":
        from .v100.vl import qemu_main as qemu_main_100

        status, process = qemu_main_100(args, recorder)
    else:
        status, process = qemu_main(args, recorder)
    return Simulation(args, status, process)
