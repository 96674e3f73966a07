"""C types as DWARF describes them: what the compiler laid out, read by the debugger.

Neutral ground between a program's debug information (tracesim/qemu/symbols.py for QEMU
4.2, tracesim/qemu/v72/symbols.py for 7.2) and the debugger that reads it, so neither
imports the other: types, gcc's x86_64 layout, C's base types and the C library's typedefs.
How gdb spells a type is the debugger's business (tracesim/debugger/typenames.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class IntType:
    name: str
    size: int
    signed: bool

    @property
    def textual(self) -> bool:
        """gdb prints any one-byte integer as a character (uint8_t distance[] as a string)."""
        return self.size == 1


@dataclass(frozen=True)
class BoolType:
    name: str = "_Bool"
    size: int = 1


@dataclass(frozen=True)
class VoidType:
    name: str = "void"
    size: int = 1  # gdb's sizeof(void)


@dataclass(frozen=True)
class Typedef:
    name: str
    target: "CType"

    @property
    def size(self) -> int:
        return self.target.size


@dataclass(frozen=True)
class Const:
    target: "CType"

    @property
    def size(self) -> int:
        return self.target.size


@dataclass(frozen=True)
class Pointer:
    target: "CType"
    size: int = 8


@dataclass(frozen=True)
class Array:
    element: "CType"
    length: int  # 0: a GNU zero-length trailing array (CPUArchIdList.cpus[0])

    @property
    def size(self) -> int:
        return self.element.size * self.length


@dataclass(frozen=True)
class Func:
    ret: "CType"
    params: tuple["CType", ...]
    size: int = 1  # gdb's sizeof of a function


@dataclass(frozen=True)
class Field:
    name: str
    type: "CType"
    offset: int
    path: str  # the member's segment in memory paths; "" folds into the parent's path


class Struct:
    """A struct type; compared by identity, as gdb does. `fields is None`: incomplete."""

    def __init__(self, tag: str | None, fields: list[Field] | None = None, size: int = 0,
                 align: int = 1) -> None:
        self.tag = tag
        self.fields = fields
        self.size = size
        self.align = align

    def field(self, name: str) -> Field | None:
        for f in self.fields or ():
            if f.name == name:
                return f
        return None

    def __repr__(self) -> str:
        return f"Struct({self.tag or '<anonymous>'})"


CType = Union[IntType, BoolType, VoidType, Typedef, Const, Pointer, Array, Func, Struct]


def strip(t: CType) -> CType:
    """The type under typedefs and qualifiers (gdb's check_typedef)."""
    while isinstance(t, (Typedef, Const)):
        t = t.target
    return t


def alignment(t: CType) -> int:
    t = strip(t)
    if isinstance(t, Struct):
        return t.align
    if isinstance(t, Array):
        return alignment(t.element)
    return max(1, min(t.size, 8))


def layout(s: Struct, members: list[tuple[CType, str]], paths: dict[str, str] | None = None
           ) -> Struct:
    """Lay members out as gcc does on x86_64 and complete the struct."""
    offset, align, fields = 0, 1, []
    for ctype, name in members:
        a = alignment(ctype)
        offset = (offset + a - 1) // a * a
        fields.append(Field(name, ctype, offset, (paths or {}).get(name, name)))
        offset += ctype.size
        align = max(align, a)
    s.fields, s.align, s.size = fields, align, (offset + align - 1) // align * align
    return s


def struct(tag: str | None, members: list[tuple[CType, str]],
           paths: dict[str, str] | None = None) -> Struct:
    return layout(Struct(tag), members, paths)


# --------------------------------------------------------------------------- C's base types (LP64)

CHAR = IntType("char", 1, True)
SCHAR = IntType("signed char", 1, True)
UCHAR = IntType("unsigned char", 1, False)
SHORT = IntType("short", 2, True)
USHORT = IntType("unsigned short", 2, False)
INT = IntType("int", 4, True)
UINT = IntType("unsigned int", 4, False)
LONG = IntType("long", 8, True)
ULONG = IntType("unsigned long", 8, False)
LONGLONG = IntType("long long", 8, True)
ULONGLONG = IntType("unsigned long long", 8, False)
BOOL = BoolType()
VOID = VoidType()

# C's base type keywords, spelt the way gdb names the type.
BASE_TYPES: dict[str, CType] = {
    "char": CHAR, "signed char": SCHAR, "unsigned char": UCHAR,
    "short": SHORT, "short int": SHORT, "signed short": SHORT, "unsigned short": USHORT,
    "short unsigned int": USHORT, "unsigned short int": USHORT,
    "int": INT, "signed": INT, "signed int": INT, "unsigned": UINT, "unsigned int": UINT,
    "long": LONG, "long int": LONG, "signed long": LONG, "unsigned long": ULONG,
    "long unsigned int": ULONG, "unsigned long int": ULONG,
    "long long": LONGLONG, "unsigned long long": ULONGLONG, "_Bool": BOOL, "void": VOID,
}

# --------------------------------------------------------------------------- glibc's typedefs

UINT8 = Typedef("uint8_t", Typedef("__uint8_t", UCHAR))
UINT16 = Typedef("uint16_t", Typedef("__uint16_t", USHORT))
UINT32 = Typedef("uint32_t", Typedef("__uint32_t", UINT))
UINT64 = Typedef("uint64_t", Typedef("__uint64_t", ULONG))
INT64 = Typedef("int64_t", Typedef("__int64_t", LONG))
UINTPTR = Typedef("uintptr_t", ULONG)
SIZE_T = Typedef("size_t", ULONG)

CHAR_P = Pointer(CHAR)
CONST_CHAR_P = Pointer(Const(CHAR))


def opaque(tag: str) -> Typedef:
    """A type a program only points at: declared, never completed (gdb: <incomplete type>)."""
    return Typedef(tag, Struct(tag))
