"""One program's debug information, as gdb reads it from the binary: types and macros
(DWARF, -g3), globals and functions with their frames' parameters and locals, where
objects live, the code addresses of source lines, and each function's entry line.

A profile writes one DebugInfo (tracesim/qemu/symbols.py for QEMU 4.2,
tracesim/qemu/v72/symbols.py for 7.2); the debugger reads whichever the trace names.
Memory paths (`numa_state.nodes[1].node_mem`) are where the trace writes an object: a
pointer value (an address) leads back to one through `roots_at`.
"""
from __future__ import annotations

import bisect
import importlib
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType
from typing import Any, Sequence

from .ctypes import CType, Func, IntType, Struct, Typedef, strip


@dataclass(frozen=True)
class Global:
    name: str
    type: CType
    address: int
    path: str | None  # its memory path; None: a constant (`fixed`)
    fixed: int = 0
    live_prefix: str = ""  # `fixed` holds once a path with this prefix was written


@dataclass(frozen=True)
class Root:
    """An object at a fixed address whose members the trace writes under `path`.
    `length_path`: it ends in a zero-length array whose element count is stored there."""
    address: int
    type: CType
    path: str
    length_path: str | None = None


@dataclass(frozen=True)
class Region:
    """`count` objects of one type, `stride` bytes apart (QOM objects the model numbers)."""
    base: int
    stride: int
    count: int
    type: CType
    path: str  # with `{}` for the object's number: "backends[{}]"

    def root_at(self, address: int) -> Root | None:
        if not self.base <= address < self.base + self.stride * self.count:
            return None
        i = (address - self.base) // self.stride
        return Root(self.base + self.stride * i, self.type, self.path.format(i))


@dataclass(frozen=True)
class Local:
    """A local variable. Unless the trace recorded it, it reads as garbage until the frame
    has passed line `after`, then as `init` (initialisers the model does not record)."""
    name: str
    type: CType
    after: int | None = None
    init: int = 0


@dataclass(frozen=True)
class Function:
    name: str
    file: str
    ret: CType
    params: tuple[tuple[str, CType], ...]
    locals: tuple[Local, ...]
    address: int

    @property
    def type(self) -> Func:
        return Func(self.ret, tuple(t for _, t in self.params))

    def symbol(self, name: str) -> CType | None:
        for pname, ptype in self.params:
            if pname == name:
                return ptype
        for local in self.locals:
            if local.name == name:
                return local.type
        return None

    def local(self, name: str) -> Local | None:
        return next((l for l in self.locals if l.name == name), None)


@dataclass(frozen=True)
class UnsteppedFrame:
    """A function whose frame the model records but does not step (main; on 7.2 also
    qemu_init and the board-init callers): it has no statement stops of its own, so its line
    comes from here, as gdb showed it. While a callee runs the frame stands on the call's
    line; `next` out of a callee lands on `return_lines` (the next statement), `finish` out
    of one on `finish_lines` where the return address starts that line (a void call that
    ends its statement), else mid-line on the call's line."""
    fn: str
    file: str
    entry: int  # gdb's `break FN` line
    call_lines: dict[str, int]  # callee -> the line of its call
    return_lines: dict[str, int]  # callee -> where `next` out of it lands
    default_line: int  # any callee not in the tables
    last: int | None = None  # the function's closing line (None: the rest of the file)
    finish_lines: dict[str, int] = field(default_factory=dict)
    # whether the reports and exits the trace places in this frame stand on its own lines
    # (or its helpers' callers); else the frame stands on default_line there
    lines_from_events: bool = False
    # lines the model runs inside this frame on behalf of static helpers it does not
    # record as frames: (first, last, the line of this frame that calls the helper)
    helpers: tuple[tuple[int, int, int], ...] = ()

    def holds(self, file: str, line: int) -> bool:
        """Whether file:line is inside the function (whose statements are not modelled)."""
        return (file == self.file and line >= self.entry
                and (self.last is None or line <= self.last))

    def call_line(self, callee: str) -> int:
        return self.call_lines.get(callee, self.default_line)

    def return_line(self, callee: str) -> int:
        return self.return_lines.get(callee, self.call_line(callee))

    def finish_line(self, callee: str) -> int | None:
        """The line `finish` out of `callee` lands on when it lands at a line's start."""
        return self.finish_lines.get(callee)

    def line_of(self, file: str, line: int) -> int:
        """Its line while it runs code the trace places at file:line (a report, an exit)."""
        if not self.lines_from_events:
            return self.default_line
        if self.holds(file, line):
            return line
        for first, last, call in self.helpers:
            if file == self.file and first <= line <= last:
                return call
        return self.default_line


@dataclass(frozen=True)
class CodeMap:
    """Code addresses of source lines: read from the profile's build (tools/gdb_code_table.py)
    where there is one, else the ones its gdb sessions showed, with the lines between two of
    them interpolated and the lines outside extrapolated, so addresses grow with the line."""
    anchors: dict[str, list[tuple[int, int]]]  # file -> [(line, offset in the binary)]
    load_base: int = 0x555555554000  # where gdb maps the PIE binary (no ASLR)
    exit_offset: int = 0x276450  # libc's exit
    bytes_per_line: int = 9
    # read from a build (tools/gdb_code_table.py): file -> line -> callee -> the return
    # address of its call there ("*": through a function pointer), and function -> (low pc,
    # high pc); without them a caller's pc is its line's start and extents are estimated
    returns: dict[str, dict[int, dict[str, int]]] = field(default_factory=dict)
    extents: dict[str, tuple[int, int]] = field(default_factory=dict)
    ends: dict[str, dict[int, int]] = field(default_factory=dict)  # where a line's code ends

    def offset(self, file: str, line: int) -> int:
        anchors = self._placed.get(file)
        if not anchors:
            return (0x300000 + (sum(map(ord, file)) % 0x1000) * 0x100
                    + line * self.bytes_per_line)
        k = bisect.bisect_right([a for a, _ in anchors], line) - 1
        if 0 <= k < len(anchors) - 1:
            # between two observed lines: their code is spread evenly over the lines
            (line0, at0), (line1, at1) = anchors[k], anchors[k + 1]
            return at0 + (at1 - at0) * (line - line0) // (line1 - line0)
        base_line, base = anchors[max(k, 0)]
        return base + (line - base_line) * self.bytes_per_line

    def address(self, file: str, line: int) -> int:
        return self.load_base + self.offset(file, line)

    @cached_property
    def _placed(self) -> dict[str, list[tuple[int, int]]]:
        """The anchors, and where estimated the line after a call bt showed starting at its
        return address (the call ended its statement), so later lines follow the call."""
        placed = {file: list(anchors) for file, anchors in self.anchors.items()}
        for file, lines in self.returns.items():
            if file in self.ends:
                continue
            known = {line for line, _ in placed.get(file, [])}
            for line, calls in lines.items():
                if line + 1 not in known:
                    placed.setdefault(file, []).append((line + 1, max(calls.values())))
            placed[file].sort()
        return placed

    def line_end(self, file: str, line: int) -> int:
        """Where the code `address` starts the line at ends (the next line-table entry)."""
        end = self.ends.get(file, {}).get(line)
        if end is not None:
            return self.load_base + end
        # estimated: the next line's start, but not before a call the line is seen to make
        calls = self.returns.get(file, {}).get(line, {})
        return max([self.address(file, line + 1)] + [self.load_base + r for r in calls.values()])

    def line_at(self, file: str, address: int, last_line: int = 100000) -> int | None:
        """The line of `file` whose code holds `address`, or None."""
        offset = address - self.load_base
        ends = self.ends.get(file)
        if ends:  # read from the build: exactly the entries it lists
            return next((line for line, start in self.anchors.get(file, [])
                         if start <= offset < ends.get(line, start)), None)
        # estimated: a line seen to make a call holds the code up to its return address ...
        for line in self.returns.get(file, {}):
            if self.address(file, line) <= address < self.line_end(file, line):
                return line
        # ... and elsewhere addresses grow with the line, so search the line numbers
        lo, hi = 1, last_line
        if not lo <= hi or offset < self.offset(file, lo):
            return None
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.offset(file, mid) <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo if offset < self.offset(file, lo + 1) else None

    def return_address(self, file: str, line: int, callee: str) -> int:
        """A caller's pc while `callee` runs: the return address of the call on its line
        (the callee's own call, else the line's call through a pointer, else its last
        call: the model's callee may run under a static helper the line calls)."""
        calls = self.returns.get(file, {}).get(line)
        if not calls:
            return self.address(file, line)
        callee = callee.removeprefix("__GI_")  # libc's exit is called as exit
        offset = calls.get(callee, calls.get("*", list(calls.values())[-1]))
        return self.load_base + offset


_TEXT = 0x555555800000  # invented code addresses for functions without an observed one
_STACK = 0x7F0000000000  # above: stack slots, no symbol to print
_RODATA = 0x555555A80000


@dataclass
class DebugInfo:
    profile: str
    typedefs: dict[str, CType]  # names an expression may use as types
    struct_tags: dict[str, Struct]
    macros: dict[str, str]  # -g3's object-like macros
    globals: dict[str, Global]
    functions: dict[str, Function]
    roots: tuple[Root, ...]
    unstepped: tuple[UnsteppedFrame, ...]  # main first
    code: CodeMap
    cfg_module: str  # the generated control-flow table: entry lines, edges, statements
    regions: tuple[Region, ...] = ()
    preset: dict[str, Any] = field(default_factory=dict)  # memory set before the trace starts
    data_symbols: dict[int, str] = field(default_factory=dict)  # `<error_fatal>`
    string_offsets: dict[str, int] = field(default_factory=dict)  # char * seen at an address
    garbage_by_size: dict[int, int] = field(default_factory=dict)  # uninitialised scalars
    # memory a class init sets for some machines only: (path, value it must hold, preset)
    # applies `preset` when the trace wrote `value` at `path` (10.0: PC machines' smp_props)
    class_presets: tuple[tuple[str, Any, dict[str, Any]], ...] = ()
    # functions of the binary the model never runs: `break FUNC` still finds their line
    extra_entries: dict[str, tuple[str, int]] = field(default_factory=dict)

    def preset_for(self, memory: dict[str, Any]) -> dict[str, Any]:
        """The memory set before the trace starts, for the machine the trace's memory holds."""
        extra = [values for path, value, values in self.class_presets
                 if memory.get(path) == value]
        if not extra:
            return self.preset
        merged = dict(self.preset)
        for values in extra:
            merged.update(values)
        return merged

    # --- frames the model does not step -----------------------------------------------
    @cached_property
    def unstepped_frames(self) -> dict[str, UnsteppedFrame]:
        return {u.fn: u for u in self.unstepped}

    def unstepped_frame(self, fn: str) -> UnsteppedFrame | None:
        """The frame record of `fn` if the model does not step it, else None."""
        return self.unstepped_frames.get(fn)

    @property
    def main(self) -> UnsteppedFrame:
        return self.unstepped_frames["main"]

    # --- types -----------------------------------------------------------------------
    def is_type_name(self, name: str) -> bool:
        return name in self.typedefs

    # --- objects ---------------------------------------------------------------------
    def roots_at(self, address: int) -> list[Root]:
        """The objects whose storage may hold `address` (the caller bounds a root's
        trailing zero-length array by its length)."""
        found = [r for r in self.roots if r.address <= address < r.address + max(r.type.size, 1)
                 or (r.length_path is not None and address >= r.address)]
        for region in self.regions:
            root = region.root_at(address)
            if root is not None:
                found.append(root)
        return found

    def garbage(self, t: CType) -> int:
        """What an uninitialised local reads as (the values gdb showed on this binary)."""
        s = strip(t)
        if isinstance(s, IntType):
            return self.garbage_by_size.get(s.size, 0)
        return 0

    # --- code ------------------------------------------------------------------------
    @cached_property
    def low_pcs(self) -> dict[str, int]:
        """Where each function's code starts: the observed address where known, else its
        entry line's code less a prologue as gcc -O0 emits one (push rbp, mov rbp,rsp, sub
        rsp, then one spill per parameter), so every line's code lies in its function."""
        starts = {name: self.code.load_base + low for name, (low, _) in self.code.extents.items()}
        for name, f in self.functions.items():
            if name in starts:
                continue
            if f.address:
                starts[name] = f.address
            elif name in self.entry_lines:
                file, line = self.entry_lines[name]
                starts[name] = self.code.address(file, line) - 8 - 4 * len(f.params)
        for name, (file, line) in self.entry_lines.items():
            starts.setdefault(name, self.code.address(file, line) - 8)
        return starts

    @cached_property
    def _code_ranges(self) -> list[tuple[int, int, str]]:
        """(low pc, high pc, name) by address: a function's code ends where the next one's
        in the same file starts, or after its last line the tables know."""
        last_lines: dict[str, int] = {}
        edges: dict[str, Any] = getattr(self.cfg, "EDGES", {})
        for name, fn_edges in edges.items():
            last_lines[name] = max((e[0] for e in fn_edges), default=0)
        for u in self.unstepped:
            last_lines[u.fn] = max(u.last or 0, u.default_line, *u.call_lines.values(),
                                   *u.return_lines.values())
        by_file: dict[str, list[tuple[int, str]]] = {}
        for name, start in self.low_pcs.items():
            file = self.entry_lines[name][0] if name in self.entry_lines \
                else self.functions[name].file
            by_file.setdefault(file, []).append((start, name))
        ranges = []
        for file, starts in by_file.items():
            starts.sort()
            for k, (start, name) in enumerate(starts):
                entry = self.entry_lines.get(name, (file, 0))[1]
                end = self.code.address(file, max(last_lines.get(name, 0), entry) + 1)
                if k + 1 < len(starts):
                    end = starts[k + 1][0]
                elif name in self.unstepped_frames and self.unstepped_frames[name].last is None:
                    end = max(end, start + 0x10000)  # main runs on past the lines it models
                if name in self.code.extents:
                    end = self.code.load_base + self.code.extents[name][1]
                ranges.append((start, max(end, start + 1), name))
        ranges.sort()
        return ranges

    def prologue(self, name: str) -> tuple[int, int] | None:
        """The code from a function's low pc to its entry line's (where `break` stops), when
        it belongs to the entry line: gcc gives the prologue the line of the `{`, which is
        the entry line unless the code table lists the `{` line on its own."""
        return self.prologues.get(name)

    @cached_property
    def prologues(self) -> dict[str, tuple[int, int]]:
        """Function -> its prologue's (low pc, end), for those `prologue` says have one."""
        starts = {file: {self.code.load_base + at for _, at in anchors}
                  for file, anchors in self.code.anchors.items()}
        out = {}
        for name, low in self.low_pcs.items():
            where = self.entry_lines.get(name)
            if where is None:
                continue
            start = self.code.address(*where)
            if 0 < start - low < 0x40 and low not in starts.get(where[0], ()):
                out[name] = (low, start)
        return out

    def frame_pc(self, frames: Sequence[Any], n: int) -> int:
        """Frame `n`'s pc (frames innermost first): the innermost stands at its line's
        start, a caller at the return address of the call to the frame below it."""
        f = frames[n]
        if n == 0:
            return self.code.address(f.file, f.line or 0)
        return self.code.return_address(f.file, f.line or 0, frames[n - 1].fn)

    def function_address(self, name: str) -> int:
        """Where a function's code starts (invented for one the tables do not know)."""
        start = self.low_pcs.get(name)
        if start is not None:
            return start
        return _TEXT + (zlib.crc32(name.encode()) & 0x7FFFF) * 2

    def function_at(self, address: int) -> str | None:
        return next((name for name, start in self.low_pcs.items() if start == address), None)

    def symbol_at(self, address: int) -> tuple[str, int] | None:
        """The minimal symbol holding `address`, as gdb prints `<name+offset>`."""
        for g in self.globals.values():
            if g.address <= address < g.address + g.type.size and g.address < _STACK:
                return g.name, address - g.address
        ranges = self._code_ranges
        k = bisect.bisect_right(ranges, (address, float("inf"), "")) - 1
        if k >= 0 and ranges[k][0] <= address < ranges[k][1]:
            return ranges[k][2], address - ranges[k][0]
        return None

    def string_address(self, path: str, text: str) -> int:
        """A stable invented address for the char * stored at `path`: equal texts share one
        (ms->cpu_type and every slot's type point at the class's default_cpu_type)."""
        if path in self.string_offsets:
            return self.string_offsets[path]
        return _RODATA + (zlib.crc32(text.encode()) & 0x3FFFF) * 0x10

    # --- lines -----------------------------------------------------------------------
    @cached_property
    def cfg(self) -> ModuleType:
        """The profile's control-flow table (FUNCTIONS, EDGES, function_cfg, ...)."""
        return importlib.import_module(self.cfg_module)

    @cached_property
    def entry_lines(self) -> dict[str, tuple[str, int]]:
        """gdb's first stop in each traced function (`break FUNC`), and in the frames the
        model does not step (main's)."""
        table: dict[str, Any] = self.cfg.FUNCTIONS
        return {**self.extra_entries, **table,
                **{u.fn: (u.file, u.entry) for u in self.unstepped}}


def typedef_table(*types: CType) -> dict[str, CType]:
    """Name -> type for the typedefs among `types`."""
    return {t.name: t for t in types if isinstance(t, Typedef)}


def struct_table(typedefs: dict[str, CType], *extra: Struct) -> dict[str, Struct]:
    """Tag -> struct for every tagged struct the typedefs name, and `extra` ones."""
    tags: dict[str, Struct] = {}
    for t in typedefs.values():
        s = strip(t)
        if isinstance(s, Struct) and s.tag:
            tags[s.tag] = s
    for s in extra:
        if s.tag:
            tags[s.tag] = s
    return tags
