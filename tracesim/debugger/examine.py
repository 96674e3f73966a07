"""gdb's `x/NFU ADDR` over the modelled memory.

The bytes at an address are those of the object the debug information places there (a
root object, a global or a char * text the trace holds), read member by member through
the C types' layout (tracesim/debuginfo/ctypes.py): a scalar's bytes are its value in
little-endian order, padding reads as 0. An address no object holds is gdb's "Cannot
access memory at address 0x...". The replay has no machine code: `x/i` is refused.
"""

from __future__ import annotations

import re
from typing import Any

from ..debuginfo.ctypes import Array, BoolType, Func, IntType, Pointer, Struct, strip
from .breakpoints import CommandError
from .evaluate import _MISSING, MemLoc, Value
from .expr import GdbError
from .format import address_text, char_literal

SIZES = {"b": 1, "h": 2, "w": 4, "g": 8}
PER_LINE = {1: 8, 2: 8, 4: 4, 8: 2}
FORMATS = set("xduotaczsi")
MAX_UNITS = 1 << 16  # units one `x` reads at most (gdb reads until memory ends)


class Pending(CommandError):
    """An error after some lines: the lines so far and the line's start are printed."""

    def __init__(self, message: str, lines: list[str], partial: str) -> None:
        super().__init__(message)
        self.lines = lines
        self.partial = partial


def _state(session: Any) -> dict[str, Any]:
    found = session.__dict__.get("examine")
    if found is None:
        found = session.__dict__["examine"] = {"fmt": "x", "size": 4, "next": None}
    return found


def parse_fmt(text: str, last: dict[str, Any]) -> tuple[int, str, int]:
    """`/4xw` -> (count, format letter, unit size) with gdb's defaults and memory."""
    m = re.fullmatch(r"(-?\d*)([a-zA-Z]*)", text)
    if m is None:
        raise CommandError(f"Invalid number \"{text}\".")
    digits, letters = m.groups()
    if len(digits.lstrip("-")) > 18:
        raise CommandError("Numeric constant too large.")
    count = int(digits) if digits not in ("", "-") else 1
    fmt, size = last["fmt"], None
    for c in letters:
        if c in SIZES:
            size = SIZES[c]
        elif c in FORMATS:
            fmt = c
        else:
            raise CommandError(f'Undefined output format "{c}".')
    if size is None:
        size = 8 if fmt == "a" else 1 if fmt in ("c", "s") else last["size"]
    return count, fmt, size


class Bytes:
    """The modelled bytes of memory, read through the objects that hold them."""

    def __init__(self, session: Any, memory: Any) -> None:
        self.debug = session.debug
        self.memory = memory

    def object_at(self, address: int) -> tuple[Value, int] | None:
        """The object holding `address` and the offset in it."""
        mem = self.memory
        for root in self.debug.roots_at(address):
            if root.length_path is not None and not mem._within_length(root, address):
                continue
            if address - root.address >= max(root.type.size, 1) and root.length_path is None:
                continue
            return Value(root.type, _MISSING, root.address, MemLoc(root.path), mem), \
                address - root.address
        for g in self.debug.globals.values():
            if g.address <= address < g.address + max(g.type.size, 1):
                if g.path is not None:
                    value = Value(g.type, _MISSING, g.address, MemLoc(g.path), mem)
                else:
                    value = Value(g.type, g.fixed, g.address)
                return value, address - g.address
        return None

    def byte(self, address: int) -> int | None:
        found = self.object_at(address)
        if found is not None:
            try:
                return _byte_in(*found)
            except GdbError:
                return None
        text, offset = self.memory.string_holding(address)
        if offset >= 0:
            return (text + "\0").encode("latin-1", "replace")[offset]
        return None


def _byte_in(value: Value, offset: int) -> int | None:
    s = strip(value.type)
    if isinstance(s, Struct):
        for f in reversed(s.fields or []):
            size = f.type.size
            zero_length = isinstance(strip(f.type), Array) and size == 0
            if f.offset <= offset and (offset < f.offset + size or zero_length):
                return _byte_in(value.field(f.name), offset - f.offset)
        return 0 if offset < s.size else None  # padding
    if isinstance(s, Array):
        size = s.element.size
        index = offset // size if size else 0
        if s.length and index >= s.length:
            return None
        return _byte_in(value.element(index), offset - index * size)
    if isinstance(s, (IntType, BoolType, Pointer)):
        data = value.data
        number = int(data) if isinstance(data, (int, bool)) else 0
        return (number & ((1 << (8 * s.size)) - 1)).to_bytes(s.size, "little")[offset]
    if isinstance(s, Func):
        return None
    return None


def start_address(session: Any, text: str) -> int:
    value, _ = session.inspect.value(session.state(), session.frame_index_for_eval(), text)
    s = strip(value.type)
    if isinstance(s, Array) or isinstance(s, Func):
        if value.address is None:
            raise CommandError("Attempt to take address of value not located in memory.")
        return value.address
    if isinstance(s, Struct):
        raise CommandError("Invalid cast.")
    data = value.data
    if not isinstance(data, (int, bool)):
        raise CommandError("Invalid cast.")
    return int(data) & ((1 << 64) - 1)


def unit_text(session: Any, number: int, fmt: str, size: int) -> str:
    bits = 8 * size
    signed = number - (1 << bits) if number >> (bits - 1) else number
    if fmt in ("x", "z"):
        return "0x" + format(number, f"0{2 * size}x")
    if fmt == "d":
        return str(signed)
    if fmt == "u":
        return str(number)
    if fmt == "o":
        return f"0{number:o}" if number else "0"
    if fmt == "t":
        return format(number, f"0{bits}b")
    if fmt == "c":
        return char_literal(number, True)
    return address_text(session.debug, number)  # a


def examine(session: Any, rest: str) -> list[str]:
    last = _state(session)
    rest = rest.strip()
    count, fmt, size = 1, last["fmt"], last["size"]
    if rest.startswith("/"):
        head, _, rest = rest[1:].partition(" ")
        count, fmt, size = parse_fmt(head, last)
        rest = rest.strip()
    if fmt == "i":
        raise CommandError("Cannot disassemble: tracesim replays a recorded trace, which holds "
                           "no machine code.")
    if rest:
        address = start_address(session, rest)
    elif last["next"] is not None:
        address = last["next"]
    else:
        raise CommandError("Argument required (starting display address).")
    last["fmt"], last["size"] = fmt, size
    st = session.state()
    _, ev = session.inspect.value(st, session.frame_index_for_eval(), "0")
    reader = Bytes(session, ev.memory)
    count = max(0, min(count, MAX_UNITS))
    lines: list[str] = []
    if fmt == "s":
        from . import format as fmt_mod

        for _ in range(count):
            label = address_text(session.debug, address) + ":\t"
            data, more, error_at = ev.memory.read_string(address, fmt_mod.PRINT_ELEMENTS)
            if error_at is not None and not data:
                last["next"] = address
                raise Pending(f"Cannot access memory at address {error_at:#x}", lines, label)
            text = fmt_mod.print_chars(list(data), force_ellipses=more)
            lines.append(label + text)
            address += len(data) if data else 1
        last["next"] = address
        return lines
    per_line = PER_LINE[size]
    items: list[str] = []
    line_start = address
    for k in range(count):
        raw = []
        for i in range(size):
            b = reader.byte(address + i)
            if b is None:
                label = address_text(session.debug, line_start) + ":\t"
                partial = label + "".join(item + "\t" for item in items)
                last["next"] = address
                raise Pending(f"Cannot access memory at address {address:#x}", lines, partial)
            raw.append(b)
        number = int.from_bytes(bytes(raw), "little")
        items.append(unit_text(session, number, fmt, size))
        address += size
        if len(items) == per_line or k == count - 1:
            lines.append(address_text(session.debug, line_start) + ":\t" + "\t".join(items))
            items = []
            line_start = address
    last["next"] = address
    return lines
