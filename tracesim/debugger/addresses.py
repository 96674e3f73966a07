"""Code addresses for breakpoints and backtraces, as the observed QEMU binary had them.

gdb prints code addresses (`Breakpoint 1 at 0x326a6a: ...`, `#1 0x000055555587adc7 in ...`).
The known ones come from the golden gdb sessions; lines between them are interpolated so
addresses grow with the line as in a real build. Only their look matters: nothing reads them.
"""
from __future__ import annotations

import bisect

LOAD_BASE = 0x555555554000  # where the PIE binary was mapped under gdb

# (file, line) -> offset in the binary, from ../shared/golden/gdb-sessions
_ANCHORS: dict[str, list[tuple[int, int]]] = {
    "vl.c": [(2721, 0x43CDDE), (4346, 0x440D61)],
    "hw/core/machine.c": [(647, 0x4B8006), (725, 0x4B83C0), (1029, 0x4B9209),
                          (1052, 0x4B9349), (1103, 0x4B967C), (1106, 0x4B96CF)],
    "hw/i386/pc.c": [(913, 0x37CEE5)],
    "hw/i386/x86.c": [(132, 0x3796C0), (140, 0x3797CB), (152, 0x3798D8)],
    "hw/core/numa.c": [(61, 0x325958), (144, 0x325F7A), (179, 0x326192), (225, 0x3263B6),
                       (264, 0x3264F6), (307, 0x326749), (331, 0x32688A), (349, 0x32697D),
                       (364, 0x326A6A), (442, 0x326DC7), (469, 0x326E15)],
}
_BYTES_PER_LINE = 9
EXIT_OFFSET = 0x276450  # libc exit, Breakpoint 21 in the golden session


def code_offset(file: str, line: int) -> int:
    anchors = _ANCHORS.get(file)
    if not anchors:
        return 0x300000 + (sum(map(ord, file)) % 0x1000) * 0x100 + line * _BYTES_PER_LINE
    lines = [a for a, _ in anchors]
    k = bisect.bisect_right(lines, line) - 1
    if k < 0:
        base_line, base = anchors[0]
    else:
        base_line, base = anchors[k]
    return base + (line - base_line) * _BYTES_PER_LINE


def code_address(file: str, line: int) -> int:
    return LOAD_BASE + code_offset(file, line)
