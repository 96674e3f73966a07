"""gdb 13's value printing (valprint.c, c-valprint.c) with its defaults: print elements
200, print repeats 10, print symbol on. Also `ptype`/`whatis` text and the `print`
command's `$N = VALUE` line. Spec section 7 and the golden prints are the reference.
"""
from __future__ import annotations

import functools

import struct

from ..debuginfo.ctypes import (CHAR, SCHAR, UCHAR, Array, BoolType, Const, CType, Func, IntType,
                                Pointer, Struct, Typedef, VoidType, strip)
from ..debuginfo.program import DebugInfo
from ..trace.fold import State
from . import expr as ex
from .evaluate import MASK64, Evaluator, Memory, Value, ValueHistory, resolve_type, wrap
from .expr import GdbError
from .typenames import ptype_name, type_name

PRINT_ELEMENTS = 200  # `set print elements`
REPEAT_THRESHOLD = 10  # `set print repeats`: runs longer than this collapse
FORMATS = set("xduotacfsz")
C_ESCAPES = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}

# --------------------------------------------------------------------------- characters


def escape_char(code: int, quoter: str) -> str:
    """One byte as gdb's print_wchar writes it inside `quoter` quotes."""
    code &= 0xFF
    if code in C_ESCAPES:
        return C_ESCAPES[code]
    if 32 <= code < 127:
        c = chr(code)
        return "\\" + c if c in (quoter, "\\") else c
    return f"\\{code:03o}"


_IN_DOUBLE_QUOTES = [escape_char(code, '"') for code in range(256)]  # hot: distance rows


def char_literal(value: int, signed: bool) -> str:
    """A character-typed scalar: `10 '\\n'`."""
    number = wrap(value, SCHAR if signed else UCHAR)
    return f"{number} '{escape_char(value, chr(39))}'"


def print_chars(codes: list[int], force_ellipses: bool = False) -> str:
    """gdb's generic_printstr: quoted runs, `'c' <repeats N times>`, a dropped final NUL."""
    return _print_chars(tuple(codes), force_ellipses)


@functools.lru_cache(maxsize=1024)  # distance rows repeat across prints and displays
def _print_chars(codes: tuple[int, ...], force_ellipses: bool) -> str:
    length = len(codes)
    if not force_ellipses and length and codes[-1] == 0:
        length -= 1
    if length == 0:
        return '""'
    groups: list[tuple[int, int]] = []
    previous, count = -1, 0
    for code in codes[:length]:
        if code == previous:
            count += 1
        else:
            if count:
                groups.append((previous, count))
            previous, count = code, 1
    if count:
        groups.append((previous, count))
    taken, printed = [], 0
    for group in groups:
        if printed >= PRINT_ELEMENTS:
            break
        taken.append(group)
        printed += group[1]
    segments: list[str] = []
    quoted: list[str] | None = None
    for code, count in taken:
        if count > REPEAT_THRESHOLD:
            if quoted is not None:
                segments.append('"' + "".join(quoted) + '"')
                quoted = None
            segments.append(f"'{_IN_DOUBLE_QUOTES[code & 0xFF]}' <repeats {count} times>")
        else:
            if quoted is None:
                quoted = []
            quoted.append(_IN_DOUBLE_QUOTES[code & 0xFF] * count)
    if quoted is not None:
        segments.append('"' + "".join(quoted) + '"')
    text = ", ".join(segments)
    if force_ellipses or len(taken) < len(groups):
        text += "..."
    return text


# --------------------------------------------------------------------------- scalars


def int_format(debug: DebugInfo, value: int, t: CType, fmt: str) -> str:
    """print/FMT of a scalar: x d u o t c a z (as print_scalar_formatted)."""
    s = strip(t)
    size = s.size if isinstance(s, (IntType, BoolType, Pointer)) else 8
    bits = 8 * size
    unsigned = value & ((1 << bits) - 1)
    signed = unsigned - (1 << bits) if unsigned >> (bits - 1) else unsigned
    if fmt == "x":
        return f"{unsigned:#x}"
    if fmt == "z":
        return "0x" + format(unsigned, f"0{2 * size}x")
    if fmt == "o":
        return f"0{unsigned:o}" if unsigned else "0"
    if fmt == "t":
        return format(unsigned, "b")
    if fmt == "f" and size in (4, 8):  # the bits read as a float or double, %g
        kind, digits = ("<f", 9) if size == 4 else ("<d", 17)
        number = struct.unpack(kind, unsigned.to_bytes(size, "little"))[0]
        return f"{number:.{digits}g}"
    if fmt in ("d", "f"):
        return str(signed)
    if fmt == "u":
        return str(unsigned)
    if fmt == "c":
        char_signed = isinstance(s, IntType) and s.signed
        return char_literal(value, char_signed)
    if fmt == "a":
        return address_text(debug, signed & MASK64)  # sign-extended to 64 bits
    raise GdbError(f'Undefined output format "{fmt}".')


def address_text(debug: DebugInfo, address: int) -> str:
    """An address with gdb's `<symbol+offset>` when one holds it."""
    found = debug.symbol_at(address) if address else None
    if found is None:
        return f"{address:#x}"
    name, offset = found
    return f"{address:#x} <{name}+{offset}>" if offset else f"{address:#x} <{name}>"


# --------------------------------------------------------------------------- values


class Printer:
    """Formats one value; `memory` reads what char pointers point at."""

    def __init__(self, debug: DebugInfo, memory: Memory | None, fmt: str | None = None) -> None:
        self.debug = debug
        self.memory = memory
        self.fmt = None if fmt == "s" else fmt  # /s only changes how arrays of char print
        self.string_format = fmt in (None, "s")

    def top(self, value: Value) -> str:
        """The text after `$N = ` (c_value_print: a `(type) ` before most pointers)."""
        if self.fmt is None and isinstance(strip(value.type), Pointer) \
                and not points_at_char(value.type):
            return f"({type_name(value.type)}) {self.body(value)}"
        return self.body(value)

    def body(self, value: Value) -> str:
        s = strip(value.type)
        if isinstance(s, VoidType):
            return "void"
        if isinstance(s, Struct):
            if s.fields is None:
                return "<incomplete type>"
            value.data  # fetch the whole struct at once, as gdb does
            return "{" + ", ".join(f"{f.name} = {self.body(value.field(f.name))}"
                                   for f in s.fields) + "}"
        if isinstance(s, Array):
            return self.array(value, s)
        if isinstance(s, Func):
            return "{" + type_name(value.type) + "} " + address_text(self.debug, value.data)
        if self.fmt is not None:
            return int_format(self.debug, value.data, value.type, self.fmt)
        if isinstance(s, Pointer):
            return self.pointer(value, s)
        if isinstance(s, BoolType):
            return {0: "false", 1: "true"}.get(value.data, str(value.data))
        assert isinstance(s, IntType)
        if s.textual:
            return char_literal(value.data, s.signed)
        return str(value.data)

    def pointer(self, value: Value, s: Pointer) -> str:
        address = value.data
        target = strip(s.target)
        if isinstance(target, Func):
            return address_text(self.debug, address)
        text = address_text(self.debug, address)
        if isinstance(target, IntType) and target.textual and address and self.memory:
            data, more, error_at = self.memory.read_string(address, PRINT_ELEMENTS)
            if data or error_at is None:
                text += " " + print_chars(list(data), force_ellipses=more)
            if error_at is not None:
                text += f"<error: Cannot access memory at address {error_at:#x}>" if data \
                    else f" <error: Cannot access memory at address {error_at:#x}>"
        return text

    def array(self, value: Value, s: Array) -> str:
        element = strip(s.element)
        if s.length == 0:  # zero-length member: gdb shows where it starts
            return address_text(self.debug, value.address or 0)
        data = value.data
        if isinstance(element, IntType) and element.textual and self.string_format:
            return print_chars([c & 0xFF for c in data])
        parts: list[str] = []
        i, things = 0, 0
        while i < s.length and things < PRINT_ELEMENTS:
            reps = 1
            while i + reps < s.length and data[i + reps] == data[i]:
                reps += 1
            text = self.body(value.element(i))
            if reps > REPEAT_THRESHOLD:
                parts.append(f"{text} <repeats {reps} times>")
                i += reps
                things += REPEAT_THRESHOLD
            else:
                parts.append(text)
                i += 1
                things += 1
        return "{" + ", ".join(parts) + ("..." if i < s.length else "") + "}"


def points_at_char(t: CType) -> bool:
    """c_value_print omits `(type) ` for an unnamed pointer to something named `char`."""
    if not isinstance(t, Pointer):
        return False
    target = t.target
    while isinstance(target, Const):
        target = target.target
    return target is CHAR


def format_value(debug: DebugInfo, value: Value, memory: Memory | None = None,
                 fmt: str | None = None, top: bool = True) -> str:
    """The text gdb prints after `$N = ` for value under print/FMT. With top=False, as
    `info locals`, `info args` and `bt full` print a variable (common_val_print): no
    `(type) ` before a pointer (`mc = 0x0`, where `print mc` says `(MachineClass *) 0x0`)."""
    printer = Printer(debug, memory, fmt)
    return printer.top(value) if top else printer.body(value)


# --------------------------------------------------------------------------- commands


def check_format(fmt: str | None) -> str | None:
    """A print format as given (`x`, `/x`, None) checked the way gdb checks it."""
    if not fmt:
        return None
    letters = fmt.lstrip("/")
    if not letters:
        return None
    if any(c.isdigit() for c in letters):
        raise GdbError('Item count other than 1 is meaningless in "print" command.')
    size = [c for c in letters if c in "bhwg"]
    if size:
        raise GdbError('Size letters are meaningless in "print" command.')
    if letters[-1] == "i":
        raise GdbError('Format letter "i" is meaningless in "print" command.')
    for c in letters:
        if c not in FORMATS:
            raise GdbError(f'Undefined output format "{c}".')
    return letters[-1]


def split_format(argument: str) -> tuple[str | None, str]:
    """`/x ram_size` -> ("x", "ram_size"), as the print command reads its argument."""
    argument = argument.lstrip()
    if not argument.startswith("/"):
        return None, argument
    head, _, rest = argument.partition(" ")
    return check_format(head), rest.strip()


def print_command(debug: DebugInfo, state: State, frame_index: int, text: str,
                  fmt: str | None, history: ValueHistory) -> str:
    """gdb's `print/FMT TEXT` line, `$N = VALUE` (without the newline); records $N.
    Raises GdbError with gdb's message."""
    letter = check_format(fmt)
    ev = Evaluator(debug, state, frame_index, history)
    if text.strip():
        value = ev.evaluate(ev.parse(text))
    else:  # a bare `print` shows the last value again
        value = history.access(0)
    number = history.record(value)
    return f"${number} = {format_value(debug, history.values[-1], ev.memory, letter)}"


def expression_type(debug: DebugInfo, state: State, frame_index: int, text: str,
                    history: ValueHistory | None = None) -> tuple[CType, bool]:
    """The static type of TEXT (reading nothing) and whether TEXT named a type."""
    ev = Evaluator(debug, state, frame_index, history)
    node = ev.parse(text)
    if isinstance(node, ex.TypeExpr):
        return resolve_type(node.type, debug), True
    return ev.evaluate(node).type, False


def whatis_command(debug: DebugInfo, state: State, frame_index: int, text: str,
                   history: ValueHistory | None = None) -> str:
    """`whatis`: the type as declared; a typedef name is unrolled one level."""
    t, named = expression_type(debug, state, frame_index, text, history)
    if named and isinstance(t, Typedef):
        t = t.target
    return "type = " + type_name(t)


def ptype_command(debug: DebugInfo, state: State, frame_index: int, text: str,
                  history: ValueHistory | None = None) -> str:
    """`ptype`: the type with typedefs resolved and structs spelt out."""
    t, _ = expression_type(debug, state, frame_index, text, history)
    return "type = " + ptype_name(t)
