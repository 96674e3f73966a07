"""What the run-control engine asks of expressions and values, over evaluate/format/symbols.

One Inspector per session: it owns gdb's value history, turns GdbError into the command
error the driver prints, and reads the functions' signatures and entry lines from the
program's debug information (the DebugInfo of the trace's profile).
"""

from __future__ import annotations

from typing import Any, Sequence

from ..debuginfo.ctypes import INT, BoolType, Func, IntType, Pointer, Struct, VoidType, strip
from ..debuginfo.program import DebugInfo
from ..trace.fold import State
from . import expr as ex
from .breakpoints import CommandError
from .evaluate import (
    Evaluator,
    GdbError,
    Value,
    ValueHistory,
    evaluate_with_reads,
    int_value,
    parse,
)
from .format import check_format, format_value, print_command, ptype_command, whatis_command


def _error(err: GdbError) -> CommandError:
    return CommandError(err.message)


# --------------------------------------------------------------------------- stack frames
#
# The modelled stack, one geometry for `info frame`, `info registers`, $pc/$sp/$fp and `bt`:
# main's frame is the outermost, at the highest address (its locals ram_slots/maxram_size at
# 0x7fffffffdfa0/0x7fffffffdf98 in the golden 4.2 session lie in it); each callee's frame
# lies below its caller's, as x86-64's stack grows down. Every frame is FRAME_SIZE bytes
# (-O0 code keeps rsp fixed in a body): a callee's CFA is its caller's rsp.
MAIN_CFA = 0x7FFFFFFFDFC0
FRAME_SIZE = 0x30
# where main returns to: __libc_start_call_main+122 (glibc 2.36, Debian 12: offset 0x2724a in
# libc.so.6), libc mapped at 0x7ffff7ad0000 as in the golden 4.2 session, whose bt at exit
# shows __libc_start_call_main's call of exit returning to 0x7ffff7af7251 (offset 0x27251)
LIBC_START_CALL_MAIN_RETURN = 0x7FFFF7AF724A


def frame_cfa(frame_count: int, level: int) -> int:
    """The CFA (`frame at`) of stack level `level` (0 = innermost) of `frame_count` frames."""
    depth = frame_count - 1 - level  # 0 = main
    return MAIN_CFA - FRAME_SIZE * depth


def frame_registers(frame_count: int, level: int, pc: int) -> dict[str, int]:
    """rbp, rsp and rip of stack level `level`: rbp = CFA - 0x10 (`Arglist at`, where the
    caller's rbp is saved), rsp = CFA - FRAME_SIZE (the next callee's CFA)."""
    cfa = frame_cfa(frame_count, level)
    return {"rbp": cfa - 0x10, "rsp": cfa - FRAME_SIZE, "rip": pc}


def info_frame_lines(session: Any) -> list[str]:
    """gdb 13's `info frame` for the selected frame (frame_info_to_uiout's layout): the
    caller's CFA (`called by`) and the callee's (`caller of`) on one line, none of
    `called by` for main (backtrace past-main is off), saved rip = the caller's pc as `bt`
    shows it."""
    frames = session.frames()
    if not frames:
        raise CommandError("No stack.")
    n = min(session.selected, len(frames) - 1)
    f = frames[n]
    cfa = frame_cfa(len(frames), n)
    pc = session.frame_pc(n)
    caller = frames[n + 1] if n + 1 < len(frames) else None
    saved = session.frame_pc(n + 1) if caller else LIBC_START_CALL_MAIN_RETURN
    out = [
        f"Stack level {n}, frame at {cfa:#x}:",
        f" rip = {pc:#x} in {f.fn} ({f.file}:{f.line}); saved rip = {saved:#x}",
    ]
    links = []
    if caller is not None:
        links.append(f"called by frame at {frame_cfa(len(frames), n + 1):#x}")
    if n > 0:
        links.append(f"caller of frame at {frame_cfa(len(frames), n - 1):#x}")
    if links:
        out.append(" " + ", ".join(links))
    args = ", ".join(f"{k}={session.inspect.arg_text(f.fn, k, v)}" for k, v in f.args.items())
    out += [
        " source language c.",
        f" Arglist at {cfa - 0x10:#x}, args: {args}",
        f" Locals at {cfa - 0x10:#x}, Previous frame's sp is {cfa:#x}",
        " Saved registers:",
        f"  rbp at {cfa - 0x10:#x}, rip at {cfa - 0x8:#x}",
    ]
    return out


def operand_writer(session: Any, expression: str) -> int | None:
    """The event that last wrote the operand a decision names by its C expression
    (`numa_info[src].distance[dst]`, `slot->props.node_id`) before the current position:
    the expression is evaluated in the innermost frame; when it reads memory, the last write
    of that memory (None if never written), not of the locals read on the way (the indexes,
    the pointer); else the last write of the locals it reads."""
    if session.pos is None or not session.running:
        return None
    try:
        paths, local_keys = session.inspect.reads(session.state(), 0, expression)
    except CommandError:
        return None
    index, end = session.index, session.pos + 1
    best: int | None = None
    for path in paths:
        w = index.last_before(index.writes.get(path, []), end)
        if w is not None and (best is None or w > best):
            best = w
    if paths:  # memory never written before here (zero since allocated): no step to name
        return best
    for key in local_keys:
        w = index.last_before(index.local_writes.get(key, []), end)
        if w is not None and (best is None or w > best):
            best = w
    return best


class Inspector:
    def __init__(self, debug: DebugInfo, argv: Sequence[str] = ()) -> None:
        """argv: the inferior's whole command line, argv[0] (the program) first."""
        self.debug = debug
        self.history = ValueHistory()
        self.history.program_argv = tuple(argv)

    # --- values ------------------------------------------------------------------------
    def print_value(
        self, state: State, frame_index: int, text: str, fmt: str | None, running: bool
    ) -> str:
        try:
            return print_command(self.debug, state, frame_index, text, fmt, self.history)
        except GdbError as err:
            raise _error(err)

    def value(self, state: State, frame_index: int, text: str) -> tuple[Value, Evaluator]:
        ev = Evaluator(self.debug, state, frame_index, self.history)
        try:
            value = ev.evaluate(ev.parse(text))
            _ = value.data  # read now, so a bad address fails here
        except GdbError as err:
            raise _error(err)
        return value, ev

    def value_text(self, state: State, frame_index: int, text: str, fmt: str | None = None,
                   top: bool = True) -> str:
        """TEXT's value as `print` shows it (top=False: as `info locals` shows a variable)."""
        value, ev = self.value(state, frame_index, text)
        try:
            return format_value(self.debug, value, ev.memory, check_format(fmt), top)
        except GdbError as err:
            raise _error(err)

    def truthy(self, state: State, frame_index: int, text: str) -> bool:
        value, _ = self.value(state, frame_index, text)
        data = value.data
        if isinstance(data, (dict, list)):
            raise CommandError("Attempt to use a struct or array as a condition.")
        return bool(data)

    def reads(
        self, state: State, frame_index: int, text: str
    ) -> tuple[set[str], set[tuple[int, str]]]:
        """Memory paths and (frame call index, local key) pairs the expression reads."""
        try:
            _, reads = evaluate_with_reads(self.debug, state, frame_index, text, self.history)
        except GdbError as err:
            raise _error(err)
        local_keys = set()
        for depth, key in reads.locals:
            if 0 <= depth < len(state.frames):
                local_keys.add((state.frames[depth].call_index, key))
        return set(reads.paths), local_keys

    def check_syntax(self, text: str) -> None:
        try:
            parse(self.debug, text)
        except GdbError as err:
            raise _error(err)

    def ptype(self, state: State, frame_index: int, text: str, expand: bool) -> list[str]:
        if not text:
            raise CommandError("Argument required (one or more choice items).")
        try:
            fn = ptype_command if expand else whatis_command
            return fn(self.debug, state, frame_index, text, self.history).split("\n")
        except GdbError as err:
            raise _error(err)

    def locals_text(self, state: State, frame_index: int) -> list[str]:
        if not state.frames:
            raise CommandError("No frame selected.")
        frame = state.frames[len(state.frames) - 1 - frame_index]
        fn = self.debug.functions.get(frame.fn)
        if fn is None:
            return []
        out = []
        for local in fn.locals:
            try:
                text = self.value_text(state, frame_index, local.name, top=False)
                out.append(f"{local.name} = {text}")
            except CommandError as err:
                out.append(f"{local.name} = <error: {err}>")
        return out

    # --- frames and functions ----------------------------------------------------------
    def arg_text(self, fn: str, name: str, value: Any) -> str:
        """An argument as gdb's frame line shows it: pointers in hex, with a data symbol."""
        f = self.debug.functions.get(fn)
        t = f.symbol(name) if f else None
        if t is not None and isinstance(strip(t), (IntType, BoolType)):
            try:
                return format_value(self.debug, int_value(int(value), t))
            except (GdbError, TypeError, ValueError):
                return str(value)
        if isinstance(value, str) and t is not None and isinstance(strip(t), Pointer) \
                and isinstance(strip(strip(t).target), Func):
            # a function pointer the trace names: gdb shows its address and symbol
            return f"{self.debug.function_address(value):#x} <{value}>"
        if isinstance(value, int) and (t is not None or value > 0xFFFF):
            symbol = self.debug.data_symbols.get(value)
            return f"{value:#x}" + (f" <{symbol}>" if symbol else "")
        return str(value)

    def return_text(self, fn: str, value: Any) -> str | None:
        """`$N = VALUE` for what a function returned (None for void), recorded as $N."""
        f = self.debug.functions.get(fn)
        if f is None or isinstance(strip(f.ret), VoidType) or value is None:
            return None
        t = f.ret
        if isinstance(value, str):  # a char * the trace holds as text
            number = self.history.record(int_value(0, INT))
            return f'${number} = {self.debug.string_address(fn, value):#x} "{value}"'
        if isinstance(value, dict):  # a struct returned by value
            v = Value(t, value)
        elif isinstance(strip(t), Pointer):
            v = Value(t, value)
        else:
            v = int_value(int(value), t)
        number = self.history.record(v)
        return f"${number} = {format_value(self.debug, self.history.values[-1])}"

    def known_functions(self) -> set[str]:
        return set(self.debug.functions)

    def function_entry(self, fn: str, index: Any) -> tuple[str, int]:
        stops = index.entries.get(fn)
        if stops:
            n = stops[0]
            return index.frames[index.stop_frame[n]].file, index.stop_line[n]
        if fn in self.debug.entry_lines:
            return self.debug.entry_lines[fn]
        raise CommandError(f'Function "{fn}" not defined.')

    def function_at(self, file: str, line: int, index: Any) -> str:
        best, best_line = "??", -1
        for fn, (f, entry) in self.debug.entry_lines.items():
            if f == file and best_line < entry <= line:
                best, best_line = fn, entry
        return best

    # --- completion ------------------------------------------------------------------------
    def complete(self, state: State, frame_index: int, word: str) -> list[str]:
        """Names and member paths for an expression being typed (`ms->numa_state->n`)."""
        cut = max(word.rfind("->"), word.rfind("."))
        if cut < 0:
            names = set(self.debug.globals)
            if state.frames:
                frame = state.frames[len(state.frames) - 1 - frame_index]
                fn = self.debug.functions.get(frame.fn)
                if fn:
                    names |= {p for p, _ in fn.params} | {l.name for l in fn.locals}
            return sorted(n for n in names if n.startswith(word))
        sep = "->" if word[cut : cut + 2] == "->" else "."
        left = word[:cut]
        try:
            value, _ = self._static(state, frame_index, left)
        except CommandError:
            return []
        t = strip(value.type)
        if sep == "->" and isinstance(t, Pointer):
            t = strip(t.target)
        if not isinstance(t, Struct) or not t.fields:
            return []
        head = word[:cut] + sep
        return [head + f.name for f in t.fields if (head + f.name).startswith(word)]

    def _static(self, state: State, frame_index: int, text: str) -> tuple[Value, Evaluator]:
        ev = Evaluator(self.debug, state, frame_index, self.history)
        try:
            return ev.evaluate(ev.parse(text)), ev
        except (GdbError, ex.GdbError) as err:
            raise _error(err)
