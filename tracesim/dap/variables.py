"""Variables as DAP shows them: a table of references, each to a scope or to a value whose
members or elements the editor may expand, valid until the program moves again.

Values are the debugger's own (tracesim/debugger/evaluate.py): typed, lazy, read from the
folded state at the position, and printed by its gdb printer. An aggregate shows as gdb's
DAP shows one, `{...}`, and expands; arrays page by `start`/`count`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..debuginfo.ctypes import Array, Func, IntType, Pointer, Struct, VoidType, strip
from ..debugger.breakpoints import CommandError
from ..debugger.evaluate import GdbError, MemLoc, Value
from ..debugger.format import format_value
from ..debugger.typenames import type_name

_SIMPLE = re.compile(r"[A-Za-z_$]\w*(?:(?:\.|->)[A-Za-z_]\w*|\[\d+\])*\Z")


def member_expr(expr: str, sep: str, name: str) -> str:
    """`expr.name` / `expr->name`, with parentheses when expr is not a simple path."""
    return f"{expr}{sep}{name}" if _SIMPLE.match(expr) else f"({expr}){sep}{name}"


def element_expr(expr: str, index: int) -> str:
    return f"{expr}[{index}]" if _SIMPLE.match(expr) else f"({expr})[{index}]"


@dataclass
class Scope:
    kind: str  # args | locals | globals
    frame_number: int  # as bt numbers frames


@dataclass
class Node:
    """An expandable value, with the expression that names it (evaluateName)."""

    value: Value
    expr: str
    evaluator: Any  # the Evaluator the value came from (dereferences pointers)


class Refs:
    """variablesReference -> what it expands. Numbers are never reused, so a stale
    reference from an earlier stop is an error, not another value."""

    def __init__(self) -> None:
        self.table: dict[int, Scope | Node] = {}
        self.next = 1

    def clear(self) -> None:
        self.table.clear()

    def add(self, item: Scope | Node) -> int:
        ref = self.next
        self.next += 1
        self.table[ref] = item
        return ref

    def get(self, ref: Any) -> Scope | Node | None:
        return self.table.get(ref) if isinstance(ref, int) else None


def _pointee_struct(value: Value) -> Struct | None:
    s = strip(value.type)
    if isinstance(s, Pointer):
        t = strip(s.target)
        if isinstance(t, Struct) and t.fields:
            return t
    return None


def array_length(value: Value, debug: Any, state: Any) -> int:
    """Elements of an array; a GNU zero-length trailing array (cpus[0]) has as many as
    its object's length member says."""
    s = strip(value.type)
    assert isinstance(s, Array)
    if s.length or not isinstance(value.loc, MemLoc):
        return s.length
    for root in debug.roots:
        if root.length_path and value.loc.path.startswith(root.path + "."):
            n = state.memory.get(root.length_path, 0)
            return n if isinstance(n, int) and 0 <= n <= 1 << 16 else 0
    return 0


class Presenter:
    """Turns values into DAP variables for one stop (one debug info, one state)."""

    def __init__(self, debug: Any, state: Any, refs: Refs) -> None:
        self.debug = debug
        self.state = state
        self.refs = refs

    def text(self, value: Value, fmt: str | None, summary: bool = True) -> str:
        """gdb's text for the value; aggregates as `{...}` in a list of variables."""
        s = strip(value.type)
        textual = isinstance(s, Array) and isinstance(strip(s.element), IntType) \
            and strip(s.element).textual  # type: ignore[union-attr]
        if summary and (isinstance(s, Struct) or (isinstance(s, Array) and not textual)):
            return "{...}" if not (isinstance(s, Struct) and s.fields is None) \
                else "<incomplete type>"
        try:
            return format_value(self.debug, value, value.memory, fmt)
        except GdbError as err:
            return f"<error: {err.message}>"

    def variable(
        self, name: str, value: Value, expr: str, evaluator: Any, fmt: str | None
    ) -> dict[str, Any]:
        var: dict[str, Any] = {
            "name": name,
            "value": self.text(value, fmt),
            "type": type_name(value.type),
            "evaluateName": expr,
            "variablesReference": 0,
        }
        ref, named, indexed = self.expansion(value, expr, evaluator)
        if ref:
            var["variablesReference"] = ref
            if named:
                var["namedVariables"] = named
            if indexed:
                var["indexedVariables"] = indexed
        return var

    def expansion(self, value: Value, expr: str, evaluator: Any) -> tuple[int, int, int]:
        """(reference, named children, indexed children); reference 0: nothing to expand."""
        s = strip(value.type)
        if isinstance(s, Struct):
            if not s.fields:
                return 0, 0, 0
            return self.refs.add(Node(value, expr, evaluator)), len(s.fields), 0
        if isinstance(s, Array):
            n = array_length(value, self.debug, self.state)
            return (self.refs.add(Node(value, expr, evaluator)), 0, n) if n else (0, 0, 0)
        if isinstance(s, Pointer):
            target = strip(s.target)
            if isinstance(target, (VoidType, Func)) or (
                isinstance(target, IntType) and target.textual
            ):
                return 0, 0, 0  # void *, functions and strings do not expand
            try:
                if not value.data:
                    return 0, 0, 0  # NULL
            except GdbError:
                return 0, 0, 0
            struct = _pointee_struct(value)
            if struct is not None:
                return self.refs.add(Node(value, expr, evaluator)), len(struct.fields or ()), 0
            if isinstance(target, Struct):
                return 0, 0, 0  # an incomplete (opaque) type
            return self.refs.add(Node(value, expr, evaluator)), 1, 0
        return 0, 0, 0

    def children(
        self, node: Node, start: int, count: int | None, fmt: str | None
    ) -> list[dict[str, Any]]:
        value, expr, ev = node.value, node.expr, node.evaluator
        s = strip(value.type)
        out: list[dict[str, Any]] = []
        if isinstance(s, Array):
            n = array_length(value, self.debug, self.state)
            end = n if not count else min(n, start + count)
            for i in range(max(start, 0), end):
                out.append(self._child(f"[{i}]", lambda i=i: value.element(i),
                                       element_expr(expr, i), ev, fmt))
            return out
        if isinstance(s, Pointer):
            try:
                target = ev.deref(value)
            except GdbError as err:
                raise CommandError(err.message)
            struct = _pointee_struct(value)
            if struct is None:
                return [self._child("*" + expr, lambda: target, f"*{expr}"
                                    if _SIMPLE.match(expr) else f"*({expr})", ev, fmt)]
            value, sep = target, "->"
            s = struct
        else:
            sep = "."
        assert isinstance(s, Struct)
        for f in s.fields or ():
            out.append(self._child(f.name, lambda f=f: value.field(f.name),
                                   member_expr(expr, sep, f.name), ev, fmt))
        return out

    def _child(self, name: str, get: Any, expr: str, ev: Any, fmt: str | None) -> dict[str, Any]:
        try:
            child = get()
        except GdbError as err:
            return {"name": name, "value": f"<error: {err.message}>", "evaluateName": expr,
                    "variablesReference": 0}
        return self.variable(name, child, expr, ev, fmt)
