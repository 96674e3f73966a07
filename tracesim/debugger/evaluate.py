"""Evaluate a parsed C expression over a folded State, the way gdb evaluates it.

Names resolve in the selected frame first (its arguments and locals, as the trace recorded
them), then among the globals and functions. Values are typed and lazy: an lvalue keeps
where it lives (a memory path, or a key in a frame's locals) and is read only when printed,
so evaluating `&ms->smp` reads nothing. Every path and local actually read is kept in
`Memory.reads` / `Memory.local_reads` (watchpoints, "which step last wrote this").
Pointers are integer addresses; the program's debug information (the DebugInfo the trace's
profile names) maps an address back to the path it points at, and types every name.
Errors are GdbError with gdb's text.
"""
from __future__ import annotations

import functools

from dataclasses import dataclass, field
from typing import Any, Callable, Union

from ..debuginfo.ctypes import (BASE_TYPES, BOOL, CHAR, CHAR_P, INT, LONG, UCHAR, UINT, ULONG,
                                VOID, Array, BoolType, Const, CType, Func, IntType, Pointer,
                                Struct, VoidType, strip)
from ..debuginfo.program import DebugInfo, Root
from ..trace.fold import Frame, State
from . import expr as ex
from .expr import GdbError
from .typenames import type_name

MASK64 = (1 << 64) - 1
_MISSING = object()

# --------------------------------------------------------------------------- locations


@dataclass(frozen=True)
class MemLoc:
    """A path in the folded memory (`numa_state.nodes[0].node_mem`)."""
    path: str


@dataclass(frozen=True)
class FrameLoc:
    """A key in the locals of frame number `depth` (0 = outermost): `i`, `props.node_id`,
    or `props->` for what a pointer argument points at (its members `props->node_id`)."""
    depth: int
    key: str

    def member(self, name: str) -> "FrameLoc":
        joiner = "" if self.key.endswith("->") else "."
        return FrameLoc(self.depth, f"{self.key}{joiner}{name}")


@dataclass(frozen=True)
class StrLoc:
    """A byte of a string the trace stores whole (a char * value), at `address`."""
    address: int


@dataclass(frozen=True)
class ArgvLoc:
    """Element `index` of main's argv array (argv[argc] is its NULL)."""
    index: int


Loc = Union[MemLoc, FrameLoc, StrLoc, ArgvLoc]

# Where the kernel leaves main's argv strings: one after the other, each with its NUL, the
# last ending here (the 7.2 golden session: its last argument at 0x7fffffffef1c, 23 bytes,
# the environment's strings from 0x7fffffffef34 on).
ARGV_STRINGS_END = 0x7FFFFFFFEF34


def is_scalar(t: CType) -> bool:
    return isinstance(strip(t), (IntType, BoolType, Pointer, Func, VoidType))


def wrap(value: int, t: CType) -> int:
    """An integer as type t holds it (two's complement wrap to its width)."""
    s = strip(t)
    if isinstance(s, BoolType):
        return value & 0xFF
    if isinstance(s, IntType):
        bits = 8 * s.size
        value &= (1 << bits) - 1
        if s.signed and value >> (bits - 1):
            value -= 1 << bits
        return value
    return value & MASK64


# --------------------------------------------------------------------------- values


class Value:
    """A typed value: `data` is an int for scalars (addresses for pointers and functions),
    a list / dict for a fetched array / struct; lazy values read through `memory`."""

    __slots__ = ("type", "address", "loc", "_data", "memory")

    def __init__(self, ctype: CType, data: Any = _MISSING, address: int | None = None,
                 loc: Loc | None = None, memory: "Memory | None" = None) -> None:
        self.type = ctype
        self.address = address
        self.loc = loc
        self._data = data
        self.memory = memory

    def __repr__(self) -> str:
        return f"Value({type_name(self.type)}, data={self._data!r}, loc={self.loc})"

    @property
    def data(self) -> Any:
        """The scalar (read now if lazy); for aggregates the whole fetched content."""
        if self._data is _MISSING:
            self._data = self._fetch()
        return self._data

    def _fetch(self) -> Any:
        s = strip(self.type)
        if isinstance(s, VoidType):
            return None
        if isinstance(s, Struct):
            if s.fields is None:
                return {}
            # an unreadable object fails on its first member, at its own address
            return {f.name: self.field(f.name).data for f in s.fields}
        if isinstance(s, Array):
            if isinstance(self.loc, MemLoc) and self.memory is not None and is_scalar(s.element):
                return self.memory.read_array(self.loc.path, s.element, s.length)
            return [self.element(i).data for i in range(s.length)]
        if self.loc is None or self.memory is None:
            raise memory_error(self.address or 0)
        return self.memory.read(self.loc, self.type)

    def field(self, name: str) -> "Value":
        s = strip(self.type)
        assert isinstance(s, Struct)
        f = s.field(name)
        if f is None:
            raise GdbError(f"There is no member named {name}.")
        address = None if self.address is None else self.address + f.offset
        if self._data is not _MISSING:
            return Value(f.type, self._data.get(name, 0), address, None, self.memory)
        loc: Loc | None = None
        if isinstance(self.loc, MemLoc):
            loc = MemLoc(f"{self.loc.path}.{f.path}" if f.path else self.loc.path)
        elif isinstance(self.loc, FrameLoc):
            loc = self.loc.member(f.name)
        elif address is not None and self.memory is not None:
            loc = self.memory.locate(address, f.type)
        return Value(f.type, _MISSING, address, loc, self.memory)

    def element(self, index: int) -> "Value":
        s = strip(self.type)
        assert isinstance(s, Array)
        size = s.element.size
        address = None if self.address is None else self.address + index * size
        if self._data is not _MISSING:
            if not 0 <= index < len(self._data):
                raise memory_error(address or 0)
            return Value(s.element, self._data[index], address, None, self.memory)
        in_bounds = 0 <= index < s.length
        loc: Loc | None = None
        if isinstance(self.loc, MemLoc) and in_bounds:
            loc = MemLoc(f"{self.loc.path}[{index}]")
        elif isinstance(self.loc, FrameLoc):
            loc = FrameLoc(self.loc.depth, f"{self.loc.key}[{index}]")
        elif address is not None and self.memory is not None:
            loc = self.memory.locate(address, s.element)  # C does not check bounds
        return Value(s.element, _MISSING, address, loc, self.memory)

    def snapshot(self) -> "Value":
        """The value fetched now and detached from the state (what the history keeps)."""
        return Value(self.type, self.data, self.address, None, None)


def memory_error(address: int) -> GdbError:
    return GdbError(f"Cannot access memory at address {address:#x}")


def void_value() -> Value:
    return Value(VOID, None)


def int_value(value: int, t: CType = INT) -> Value:
    return Value(t, wrap(value, t))


# --------------------------------------------------------------------------- memory


class Memory:
    """Reads the folded state for one selected frame and remembers what it read."""

    def __init__(self, debug: DebugInfo, state: State, frame_index: int = 0,
                 argv: tuple[str, ...] = ()) -> None:
        self.debug = debug
        self.state = state
        if state.frames and not 0 <= frame_index < len(state.frames):
            raise GdbError(f"No frame at level {frame_index}.")
        self.depth: int | None = len(state.frames) - 1 - frame_index if state.frames else None
        self.reads: set[str] = set()
        self.local_reads: set[tuple[int, str]] = set()
        self._strings: list[tuple[int, str, str]] | None = None
        self.preset = debug.preset_for(state.memory)  # set before the trace starts
        self.argv = argv  # the inferior's command line, argv[0] first
        self._argv_layout: tuple[int, list[int]] | None | bool = False

    @property
    def frame(self) -> Frame | None:
        return None if self.depth is None else self.state.frames[self.depth]

    def read(self, loc: Loc, t: CType) -> int:
        if isinstance(loc, MemLoc):
            self.reads.add(loc.path)
            raw = self.state.memory.get(loc.path, self.preset.get(loc.path))
            return coerce(self.debug, raw, t, loc.path)
        if isinstance(loc, FrameLoc):
            self.local_reads.add((loc.depth, loc.key))
            raw = self.frame_local(loc)
            if raw is _MISSING:  # uninitialised: what gdb showed for such stack slots
                return wrap(self.debug.garbage(t), t)
            return coerce(self.debug, raw, t, loc.key)
        if isinstance(loc, ArgvLoc):
            layout = self.argv_layout()
            assert layout is not None
            strings = layout[1]
            return strings[loc.index] if loc.index < len(strings) else 0  # argv[argc] = NULL
        text, offset = self.string_holding(loc.address)
        return wrap(ord(text[offset]) if offset < len(text) else 0, t)

    def argv_layout(self) -> tuple[int, list[int]] | None:
        """main's argv array (its address, as main's frame holds it) and the addresses of
        its strings; None when not running or the command line is unknown."""
        if self._argv_layout is False:
            layout = None
            outer = self.state.frames[0] if self.state.frames else None
            address = outer.args.get("argv") if outer is not None else None
            if self.argv and isinstance(address, int) and address:
                starts, at = [], ARGV_STRINGS_END - sum(len(a) + 1 for a in self.argv)
                for text in self.argv:
                    starts.append(at)
                    at += len(text) + 1  # one byte a character, as string_holding reads them
                layout = (address, starts)
            self._argv_layout = layout
        return self._argv_layout  # type: ignore[return-value]

    def read_array(self, path: str, t: CType, length: int) -> list[int]:
        """A whole array of scalars in one pass (a NodeInfo's distance row is 128 bytes and
        `p *ms->numa_state` prints 128 of them)."""
        memory, preset, debug = self.state.memory, self.preset, self.debug
        paths = _element_paths(path, length)
        self.reads.update(paths)
        s = strip(t)
        if isinstance(s, IntType) and not s.signed:  # the common case: plain bytes and words
            mask = (1 << (8 * s.size)) - 1
            return [(raw & mask if type(raw) is int else
                     0 if raw is None else coerce(debug, raw, t, p))
                    for p in paths for raw in (memory.get(p, preset.get(p)),)]
        return [0 if raw is None else coerce(debug, raw, t, p)
                for p in paths for raw in (memory.get(p, preset.get(p)),)]

    def frame_local(self, loc: FrameLoc) -> Any:
        frame = self.state.frames[loc.depth]
        raw = frame.locals.get(loc.key, _MISSING)
        if raw is not _MISSING:
            return raw
        fn = self.debug.functions.get(frame.fn)
        local = fn.local(loc.key) if fn else None
        if local is None and fn is not None and loc.key != _local_name(loc.key):
            # a member of a struct local zeroed as a whole (10.0's auto-var-init)
            whole = fn.local(_local_name(loc.key))
            local = whole if whole is not None and whole.after is not None else None
        # initialisers the model does not record hold once their line has run
        if local is not None and local.after is not None and frame.line is not None \
                and frame.line > local.after:
            return local.init
        return _MISSING

    def locate(self, address: int, t: CType) -> Loc | None:
        """Where the object of type t at `address` lives, if anywhere."""
        if address == 0:
            return None
        for root in self.debug.roots_at(address):
            if root.length_path is not None and not self._within_length(root, address):
                continue
            path = descend(root.type, root.path, address - root.address, t)
            if path is not None:
                return MemLoc(path)
        s = strip(t)
        layout = self.argv_layout()
        if layout is not None and isinstance(s, Pointer):
            base, strings = layout
            k, rest = divmod(address - base, s.size)
            if rest == 0 and 0 <= k <= len(strings):
                return ArgvLoc(k)
        if isinstance(s, IntType) and s.size == 1 and self.string_holding(address, False)[1] >= 0:
            return StrLoc(address)
        return None

    def _within_length(self, root: Root, address: int) -> bool:
        """Whether `address` is inside `root`, whose trailing zero-length array holds as
        many elements as its length member says (CPUArchIdList.cpus[len])."""
        s = strip(root.type)
        assert isinstance(s, Struct) and s.fields and root.length_path is not None
        tail = s.fields[-1]
        element = strip(tail.type)
        assert isinstance(element, Array)
        length = coerce(self.debug, self.state.memory.get(root.length_path), INT, "")
        return address < root.address + tail.offset + element.element.size * max(length, 0)

    def strings(self) -> list[tuple[int, str, str]]:
        """Every char * text in memory and in the frames, with its invented address."""
        if self._strings is None:
            found = [(p, v) for p, v in self.state.memory.items() if isinstance(v, str)]
            for frame in self.state.frames:
                found += [(f"{frame.fn}:{k}", v) for k, v in frame.locals.items()
                          if isinstance(v, str)]
            self._strings = [(self.debug.string_address(p, v), p, v) for p, v in found]
            layout = self.argv_layout()
            if layout is not None:  # main's argv strings: frame text, not memory paths
                self._strings += [(start, f"main:argv[{k}]", text)
                                  for k, (start, text) in enumerate(zip(layout[1], self.argv))]
        return self._strings

    def string_holding(self, address: int, record: bool = True) -> tuple[str, int]:
        for start, path, text in self.strings():
            if start <= address <= start + len(text):
                if record and ":" not in path:
                    self.reads.add(path)
                return text, address - start
        return "", -1

    def read_string(self, address: int, limit: int) -> tuple[bytes, bool, int | None]:
        """Up to `limit` bytes of the C string at `address`: (bytes incl. a NUL if one was
        found, whether more non-NUL bytes follow, address of an unreadable byte)."""
        text, offset = self.string_holding(address)
        if offset >= 0:
            data = (text[offset:] + "\0").encode("latin-1", "replace")
            return data[:limit], len(data) > limit and data[limit] != 0, None
        out = bytearray()
        for k in range(limit + 1):
            loc = self.locate(address + k, UCHAR)
            if loc is None:
                return bytes(out), False, address + k
            byte = self.read(loc, UCHAR)
            if k == limit:
                return bytes(out), byte != 0, None
            out.append(byte)
            if byte == 0:
                break
        return bytes(out), False, None


def _local_name(key: str) -> str:
    """The variable a frame-local key belongs to (`topo_ids.pkg_id` -> `topo_ids`)."""
    for sep in (".", "[", "->"):
        key = key.split(sep, 1)[0]
    return key


@functools.lru_cache(maxsize=4096)
def _element_paths(path: str, length: int) -> tuple[str, ...]:
    return tuple(f"{path}[{i}]" for i in range(length))


def descend(t: CType, path: str, offset: int, want: CType) -> str | None:
    """The path of the object of type `want` at `offset` inside an object of type t."""
    s = strip(t)
    if offset == 0 and same_type(s, strip(want)):
        return path
    if isinstance(s, Struct):
        for f in reversed(s.fields or []):
            size = f.type.size
            zero_length = isinstance(strip(f.type), Array) and size == 0
            if f.offset <= offset and (offset < f.offset + size or zero_length):
                sub = f"{path}.{f.path}" if f.path else path
                return descend(f.type, sub, offset - f.offset, want)
        return None
    if isinstance(s, Array):
        size = s.element.size
        index = offset // size
        if s.length and index >= s.length:
            return None
        return descend(s.element, f"{path}[{index}]", offset - index * size, want)
    # a scalar read as another scalar type (`*(int *)&ms->ram_size`)
    return path if offset == 0 and is_scalar(want) else None


def same_type(a: CType, b: CType) -> bool:
    return a is b or (not isinstance(a, Struct) and a == b)


def coerce(debug: DebugInfo, raw: Any, t: CType, path: str) -> int:
    """A raw trace value (int, bool, str, None) as the bits type t holds."""
    s = strip(t)
    if raw is None:  # NULL, or never written (zeroed memory)
        return 0
    if isinstance(s, Pointer):
        if isinstance(raw, str):
            if isinstance(strip(s.target), Func):
                return debug.function_address(raw)
            return debug.string_address(path, raw)
        return int(raw) & MASK64
    if isinstance(raw, str):
        return 0
    if isinstance(s, BoolType):  # a byte read as _Bool keeps its value (prints `10`)
        return int(raw) & 0xFF
    return wrap(int(raw), t)


# --------------------------------------------------------------------------- history


class ValueHistory:
    """gdb's value history ($1, $2, ... session-wide) and convenience variables."""

    def __init__(self) -> None:
        self.values: list[Value] = []
        self.convenience: dict[str, Value] = {}
        # the inferior's command line (main's argv strings), which every evaluation over this
        # session's history can read; the Inspector sets it
        self.program_argv: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.values)

    def record(self, value: Value) -> int:
        """Fetch the value, keep it, return its number N (printed as `$N`)."""
        self.values.append(value.snapshot())
        return len(self.values)

    def access(self, num: int) -> Value:
        """gdb's access_value_history: num > 0 is `$num`, num <= 0 counts back from the last."""
        absnum = num
        if absnum <= 0:
            absnum += len(self.values)
        if absnum <= 0:
            if num == 0:
                raise GdbError("The history is empty.")
            if num == 1:
                raise GdbError("There is only one value in the history.")
            raise GdbError(f"History does not go back to $${-num}.")
        if absnum > len(self.values):
            raise GdbError(f"History has not yet reached ${absnum}.")
        return self.values[absnum - 1]


# --------------------------------------------------------------------------- evaluator


@dataclass
class Reads:
    """What an evaluation read: memory paths and (frame depth, local key) pairs."""
    paths: set[str] = field(default_factory=set)
    locals: set[tuple[int, str]] = field(default_factory=set)


class Evaluator:
    def __init__(self, debug: DebugInfo, state: State, frame_index: int = 0,
                 history: ValueHistory | None = None) -> None:
        self.debug = debug
        self.history = history if history is not None else ValueHistory()
        self.memory = Memory(debug, state, frame_index, self.history.program_argv)

    @property
    def reads(self) -> Reads:
        return Reads(self.memory.reads, self.memory.local_reads)

    def has_symbol(self, name: str) -> bool:
        """Whether `name` names a local of the selected frame, a global or a function."""
        frame = self.memory.frame
        if frame is not None:
            fn = self.debug.functions.get(frame.fn)
            if (fn and fn.symbol(name) is not None) or name in frame.locals:
                return True
        return name in self.debug.globals or name in self.debug.functions

    def parse(self, text: str) -> ex.Node:
        """Parse TEXT in this evaluator's scope (unknown names fail while parsing)."""
        return parse(self.debug, text, self.has_symbol)

    def evaluate(self, node: ex.Node) -> Value:
        method = getattr(self, f"eval_{type(node).__name__}")
        return method(node)  # type: ignore[no-any-return]

    # ---- leaves
    def eval_IntLit(self, node: ex.IntLit) -> Value:
        return int_value(node.value, BASE_TYPES[node.type])

    def eval_StrLit(self, node: ex.StrLit) -> Value:
        data = [wrap(b, CHAR) for b in node.value] + [0]
        return Value(Array(CHAR, len(data)), data)

    def eval_Ident(self, node: ex.Ident) -> Value:
        mem = self.memory
        frame = mem.frame
        if frame is not None and mem.depth is not None:
            fn = self.debug.functions.get(frame.fn)
            t = fn.symbol(node.name) if fn else None
            if t is None:
                t = infer_local_type(frame, node.name)
            if t is not None:
                return Value(t, _MISSING, None, FrameLoc(mem.depth, node.name), mem)
        g = self.debug.globals.get(node.name)
        if g is not None:
            if g.path is not None:
                return Value(g.type, _MISSING, g.address, MemLoc(g.path), mem)
            live = any(p.startswith(g.live_prefix) for p in mem.state.memory)
            return Value(g.type, g.fixed if live else 0, g.address)
        if node.name in self.debug.functions:
            f = self.debug.functions[node.name]
            start = self.debug.function_address(node.name)
            return Value(f.type, start, start)
        raise GdbError(f'No symbol "{node.name}" in current context.')

    def eval_History(self, node: ex.History) -> Value:
        value = self.history.access(-node.number if node.relative else node.number)
        return Value(value.type, value.data, value.address, None, self.memory)

    def eval_ConvVar(self, node: ex.ConvVar) -> Value:
        value = self.history.convenience.get(node.name)
        if value is None:
            return void_value()
        return Value(value.type, value.data, value.address, None, self.memory)

    def eval_TypeExpr(self, node: ex.TypeExpr) -> Value:
        raise GdbError("Attempt to use a type name as an expression")

    def eval_Call(self, node: ex.Call) -> Value:
        raise GdbError("You can't do that without a process to debug.")

    def eval_Assign(self, node: ex.Assign) -> Value:
        if not isinstance(node.target, ex.ConvVar):
            raise GdbError("tracesim replays a recorded trace: the program's state cannot "
                           "be changed.")
        value = self.evaluate(node.value)
        if node.op != "=":
            value = self.binary(node.op[:-1], self.evaluate(node.target), value)
        self.history.convenience[node.target.name] = value.snapshot()
        return value

    # ---- postfix
    def eval_Member(self, node: ex.Member) -> Value:
        value = self.evaluate(node.obj)
        # gdb follows any pointers first, for `.` as for `->` (value_struct_elt)
        while isinstance(strip(value.type), Pointer):
            value = self.deref(value)
        if not isinstance(strip(value.type), Struct):
            what = "structure pointer" if node.arrow else "structure"
            raise GdbError(f"Attempt to extract a component of a value that is not a {what}.")
        return value.field(node.name)

    def eval_Index(self, node: ex.Index) -> Value:
        base = self.evaluate(node.obj)
        index = self.evaluate(node.index)
        s = strip(base.type)
        if isinstance(s, Struct):
            raise GdbError("Structure has no component named operator[].")
        if isinstance(s, Array):
            return base.element(self.as_int(index))
        if isinstance(s, Pointer):
            return self.deref(self.pointer_add(base, self.as_int(index)))
        raise GdbError(f"cannot subscript something of type `{type_name(s)}'")

    # ---- unary
    def eval_Unary(self, node: ex.Unary) -> Value:
        value = self.evaluate(node.operand)
        op = node.op
        if op == "&":
            return self.address_of(value)
        if op == "*":
            return self.deref(value, explicit=True)
        s = strip(value.type)
        if isinstance(s, Struct):
            raise GdbError(f"Structure has no component named operator{op}.")
        if op == "!":
            return int_value(0 if self.truth(value) else 1)
        if not isinstance(s, (IntType, BoolType)):
            raise GdbError({"-": "Argument to negate operation not a number.",
                            "+": "Argument to positive operation not a number.",
                            "~": "Argument to complement operation not an integer, boolean."
                            }[op])
        t = promote(value.type)
        v = value.data
        return int_value({"-": -v, "+": v, "~": ~v}[op], t)

    def eval_Cast(self, node: ex.Cast) -> Value:
        return self.cast(self.evaluate(node.operand), resolve_type(node.type, self.debug))

    def eval_BraceCast(self, node: ex.BraceCast) -> Value:
        t = resolve_type(node.type, self.debug)
        return self.deref(self.cast(self.evaluate(node.operand), Pointer(t)))

    def eval_SizeOf(self, node: ex.SizeOf) -> Value:
        if isinstance(node.operand, ex.TypeName):
            t = resolve_type(node.operand, self.debug)
        else:
            t = self.evaluate(node.operand).type  # lazy: sizeof reads nothing
        return int_value(t.size)

    # ---- binary
    def eval_Binary(self, node: ex.Binary) -> Value:
        op = node.op
        left = self.evaluate(node.left)
        if op == ",":
            return self.evaluate(node.right)
        if op in ("&&", "||"):
            if self.is_struct(left):
                raise GdbError(f"Structure has no component named operator{op}.")
            lt = self.truth(left)
            if (op == "&&" and not lt) or (op == "||" and lt):
                return int_value(0 if op == "&&" else 1)
            return int_value(1 if self.truth(self.evaluate(node.right)) else 0)
        right = self.evaluate(node.right)
        if op == "@":
            return self.repeat(left, right)
        return self.binary(op, left, right)

    def eval_Ternary(self, node: ex.Ternary) -> Value:
        cond = self.evaluate(node.cond)
        return self.evaluate(node.then if self.truth(cond) else node.other)

    # ---- operations
    def is_struct(self, value: Value) -> bool:
        return isinstance(strip(value.type), Struct)

    def as_int(self, value: Value) -> int:
        s = strip(value.type)
        if isinstance(s, Array):
            return self.decay(value).data  # type: ignore[no-any-return]
        if not isinstance(s, (IntType, BoolType, Pointer, Func)):
            raise GdbError("Value can't be converted to integer.")
        return value.data  # type: ignore[no-any-return]

    def truth(self, value: Value) -> bool:
        return self.as_int(value) != 0

    def decay(self, value: Value) -> Value:
        """An array used as a value: a pointer to its first element."""
        s = strip(value.type)
        if isinstance(s, Array):
            if value.address is None:
                raise GdbError("Attempt to take address of value not located in memory.")
            return Value(Pointer(s.element), value.address)
        if isinstance(s, Func):
            return Value(Pointer(value.type), value.data)
        return value

    def address_of(self, value: Value) -> Value:
        if isinstance(strip(value.type), Func):
            return Value(Pointer(value.type), value.data)
        if value.address is None:
            raise GdbError("Attempt to take address of value not located in memory.")
        return Value(Pointer(value.type), value.address)

    def deref(self, value: Value, explicit: bool = False) -> Value:
        s = strip(value.type)
        if isinstance(s, Array):
            return value.element(0)
        if isinstance(s, Func):
            return value
        if isinstance(s, Struct) and explicit:
            raise GdbError("Structure has no component named operator*.")
        if isinstance(s, IntType):
            target: CType = INT  # gdb: *int is shorthand for *(int *)int
        elif isinstance(s, Pointer):
            target = s.target
        else:
            raise GdbError("Attempt to take contents of a non-pointer value.")
        ts = strip(target)
        if isinstance(ts, VoidType):
            raise GdbError("Attempt to dereference a generic pointer.")
        address = value.data & MASK64
        if isinstance(ts, Func):
            return Value(target, address, address)
        loc = self.memory.locate(address, target)
        if loc is None and isinstance(value.loc, FrameLoc) and address:
            # a pointer argument whose pointee the trace records as `name->member`
            pointee = FrameLoc(value.loc.depth, value.loc.key + "->")
            frame = self.memory.state.frames[pointee.depth]
            if any(k.startswith(pointee.key) for k in frame.locals):
                loc = pointee
        return Value(target, _MISSING, address, loc, self.memory)

    def pointer_add(self, ptr: Value, n: int) -> Value:
        ptr = self.decay(ptr)
        s = strip(ptr.type)
        assert isinstance(s, Pointer)
        size = max(strip(s.target).size, 1) if not isinstance(strip(s.target), VoidType) else 1
        return Value(ptr.type, (ptr.data + n * size) & MASK64)

    def repeat(self, left: Value, right: Value) -> Value:
        """gdb's artificial array `x@n`: n objects of x's type from x's address on."""
        # frame locals have no addresses here (a deviation: on the -O0 build they do)
        if left.address is None or isinstance(left.loc, FrameLoc):
            raise GdbError("Only values in memory can be extended with '@'.")
        count = self.as_int(right)
        if count < 1:
            raise GdbError(f"Invalid number {count} of repetitions.")
        return Value(Array(left.type, count), _MISSING, left.address, None, self.memory)

    def cast(self, value: Value, t: CType) -> Value:
        s, vs = strip(t), strip(value.type)
        if isinstance(s, Struct):
            if vs is s:
                return Value(t, value._data, value.address, value.loc, value.memory)
            raise GdbError("Invalid cast.")
        if isinstance(s, VoidType):
            return void_value()
        if isinstance(s, Array) or isinstance(vs, (Struct, VoidType)):
            raise GdbError("Invalid cast.")
        raw = self.as_int(value)
        if isinstance(s, BoolType):
            return Value(t, 1 if raw else 0)
        return Value(t, wrap(raw, t))

    def binary(self, op: str, left: Value, right: Value) -> Value:
        if self.is_struct(left) or self.is_struct(right):
            raise GdbError(f"Structure has no component named operator{op}.")
        left, right = self.decay(left), self.decay(right)
        lp, rp = isinstance(strip(left.type), Pointer), isinstance(strip(right.type), Pointer)
        if lp or rp:
            return self.pointer_binary(op, left, right, lp, rp)
        for v in (left, right):
            if not isinstance(strip(v.type), (IntType, BoolType)):
                raise GdbError("Argument to arithmetic operation not a number or boolean.")
        a, b = left.data, right.data
        if op in ("==", "!=", "<", ">", "<=", ">="):
            t = arithmetic_type(left.type, right.type)
            a, b = wrap(a, t), wrap(b, t)
            return int_value(int(compare(op, a, b)))
        if op in ("<<", ">>"):
            t = promote(left.type)
            bits = 8 * t.size
            if not 0 <= b < bits:
                return int_value(0, t)
            return int_value(a << b if op == "<<" else a >> b, t)
        t = arithmetic_type(left.type, right.type)
        a, b = wrap(a, t), wrap(b, t)
        if op in ("/", "%"):
            if b == 0:
                raise GdbError("Division by zero")
            q = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)
            return int_value(q if op == "/" else a - q * b, t)
        result = {"+": a + b, "-": a - b, "*": a * b, "&": a & b, "|": a | b, "^": a ^ b}
        if op not in result:
            raise GdbError(f"tracesim does not know the operator {op}.")
        return int_value(result[op], t)

    def pointer_binary(self, op: str, left: Value, right: Value, lp: bool, rp: bool) -> Value:
        for v in (left, right):
            if not isinstance(strip(v.type), (IntType, BoolType, Pointer)):
                raise GdbError("Argument to arithmetic operation not a number or boolean.")
        if op in ("==", "!=", "<", ">", "<=", ">="):
            return int_value(int(compare(op, left.data & MASK64, right.data & MASK64)))
        if op == "+" and not (lp and rp):
            ptr, n = (left, right) if lp else (right, left)
            return self.pointer_add(ptr, n.data)
        if op == "-" and lp and not rp:
            return self.pointer_add(left, -right.data)
        if op == "-" and lp and rp:
            target = strip(strip(left.type).target)  # type: ignore[union-attr]
            if not same_type(target, strip(strip(right.type).target)):  # type: ignore[union-attr]
                raise GdbError("First argument of `-' is a pointer and second argument is "
                               "neither\nan integer nor a pointer of the same type.")
            size = max(target.size, 1)
            diff = wrap(left.data - right.data, LONG)
            return int_value(int(diff / size), LONG)
        raise GdbError("Argument to arithmetic operation not a number or boolean.")


def compare(op: str, a: int, b: int) -> bool:
    return {"==": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b,
            ">=": a >= b}[op]


def promote(t: CType) -> IntType:
    """C's integer promotion: anything narrower than int becomes int."""
    s = strip(t)
    if isinstance(s, IntType) and s.size >= 4:
        return s
    return INT


def arithmetic_type(a: CType, b: CType) -> IntType:
    """The usual arithmetic conversions, as gdb's binop_promote names the result."""
    pa, pb = promote(a), promote(b)
    if pa.size != pb.size:
        return pa if pa.size > pb.size else pb
    if pa.signed != pb.signed:
        return ULONG if pa.size == 8 else UINT
    return pa


def infer_local_type(frame: Frame, name: str) -> CType | None:
    """A local the symbol table does not declare but the trace recorded: type it from
    the Python value."""
    raw = frame.locals.get(name, _MISSING)
    if raw is _MISSING:
        return None
    if isinstance(raw, bool):
        return BOOL
    if isinstance(raw, str):
        return CHAR_P
    return LONG


def resolve_type(name: ex.TypeName, debug: DebugInfo) -> CType:
    """The CType a written type name denotes; gdb's errors for unknown names."""
    base = name.base
    t: CType
    if base.startswith(("struct ", "union ", "enum ")):
        kind, tag = base.split(" ", 1)
        if tag not in debug.struct_tags:
            raise GdbError(f"No {kind} type named {tag}.")
        t = debug.struct_tags[tag]
    elif base in BASE_TYPES:
        t = BASE_TYPES[base]
    elif base in debug.typedefs:
        t = debug.typedefs[base]
    else:
        raise GdbError(f'No symbol "{base}" in current context.')
    if name.const:
        t = Const(t)
    for _ in range(name.pointers):
        t = Pointer(t)
    for length in reversed(name.arrays):
        t = Array(t, length)
    return t


def parse(debug: DebugInfo, text: str,
          is_symbol: Callable[[str], bool] | None = None) -> ex.Node:
    """Parse TEXT with the program's type names and -g3 macros."""
    return ex.parse(text, debug.is_type_name, is_symbol, debug.macros)


def evaluate(debug: DebugInfo, state: State, frame_index: int, expression: str | ex.Node,
             history: ValueHistory | None = None) -> Value:
    """The value of `expression` in frame `frame_index` (0 = innermost) of `state`.
    Lazy: aggregates are read when printed or snapshotted."""
    ev = Evaluator(debug, state, frame_index, history)
    return ev.evaluate(ev.parse(expression) if isinstance(expression, str) else expression)


def evaluate_with_reads(debug: DebugInfo, state: State, frame_index: int,
                        expression: str | ex.Node,
                        history: ValueHistory | None = None) -> tuple[Value, Reads]:
    """The fully fetched value and everything reading it touched (for watchpoints)."""
    ev = Evaluator(debug, state, frame_index, history)
    value = ev.evaluate(ev.parse(expression) if isinstance(expression, str) else expression)
    value.data  # fetch now: the reads are what the printed value depends on
    return value, ev.reads

