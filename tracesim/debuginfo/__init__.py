"""Debug information, as gdb reads it from a binary's DWARF: the C type vocabulary
(ctypes), one program's records (program.DebugInfo), and which program each profile is.

The debugger looks a trace's program up here by the profile its header names, as gdb
opens the binary it is given; a profile's debug info is imported only when first asked
for, so replaying a 4.2 trace never loads 7.2's.
"""
from __future__ import annotations

import importlib

from .program import DebugInfo

# profile -> the module whose DEBUG_INFO describes that QEMU build
_MODULES = {
    "4.2": "tracesim.qemu.symbols",
    "7.2": "tracesim.qemu.v72.symbols",
    "10.0": "tracesim.qemu.v100.symbols",
}


def debug_info(profile: str) -> DebugInfo:
    """The debug information of the QEMU build `profile` names ("4.2", "7.2", "10.0")."""
    if profile not in _MODULES:
        raise ValueError(f"no debug information for profile {profile!r} "
                         f"(known: {', '.join(_MODULES)})")
    info: DebugInfo = importlib.import_module(_MODULES[profile]).DEBUG_INFO
    return info


__all__ = ["DebugInfo", "debug_info"]
