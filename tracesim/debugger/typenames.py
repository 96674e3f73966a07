"""How gdb 13 spells a C type: `whatis` keeps typedef names, `ptype` spells the named type
out (its typedefs resolved, a struct with its members)."""
from __future__ import annotations

from ..debuginfo.ctypes import (Array, BoolType, Const, CType, Func, IntType, Pointer, Struct,
                                Typedef, VoidType)


def base_name(t: CType) -> str:
    if isinstance(t, Typedef):
        return t.name
    if isinstance(t, Struct):
        return f"struct {t.tag}" if t.tag else "struct {...}"
    if isinstance(t, (IntType, BoolType, VoidType)):
        return t.name
    raise TypeError(t)


def declare(t: CType, inner: str = "", expand: int = 0) -> str:
    """C declaration syntax for `inner` of type t: `void (*)(MachineClass *, ...)`,
    `uint8_t distance[128]`. expand=1 shows the innermost named type's definition
    (ptype), with its typedefs resolved."""
    if isinstance(t, Pointer):
        target = t.target
        inner = "*" + inner
        if isinstance(target, (Array, Func)):
            inner = f"({inner})"
        return declare(target, inner, expand)
    if isinstance(t, Array):
        return declare(t.element, f"{inner}[{t.length}]", expand)
    if isinstance(t, Func):
        params = ", ".join(declare(p) for p in t.params) if t.params else "void"
        return declare(t.ret, f"{inner}({params})", expand)
    if isinstance(t, Const):
        return "const " + declare(t.target, inner, expand)
    text = definition(t) if expand else base_name(t)
    return f"{text} {inner}" if inner else text


def type_name(t: CType) -> str:
    """What `whatis` prints: the declared type, typedef names kept."""
    return declare(t)


def definition(t: CType) -> str:
    """The named type spelt out: typedefs resolved, a struct with its members (ptype)."""
    while isinstance(t, Typedef):
        t = t.target
    if isinstance(t, (Const, Pointer, Array, Func)):
        return declare(t, "", 1)
    if not isinstance(t, Struct):
        return base_name(t)
    head = f"struct {t.tag} " if t.tag else "struct "
    if t.fields is None:
        return head + "{\n    <incomplete type>\n}"
    if not t.fields:
        return head + "{}"
    body = "".join(f"    {declare(f.type, f.name)};\n" for f in t.fields)
    return head + "{\n" + body + "}"


def ptype_name(t: CType) -> str:
    """What `ptype` prints: the whole declarator with its base type defined."""
    return declare(t, "", 1)
