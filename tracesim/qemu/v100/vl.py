"""system/vl.c of QEMU 10.0: the 7.2 path with 10.0's data, lines and rewritten functions."""

from __future__ import annotations

from ..process import Qemu, Recorder
from ..v72.vl import qemu_main as qemu_main_72
from .impl import impl_100
from .renumber import Renumbered


def qemu_main(argv: list[str], rec: Recorder) -> tuple[int, Qemu | None]:
    return qemu_main_72(argv, Renumbered(rec), impl_100())
