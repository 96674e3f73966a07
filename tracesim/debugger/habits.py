"""gdb habits over a Session: text without a newline (echo, output, printf), registers and
$pc/$sp/$fp/$_exitcode, info threads|inferiors|sharedlibrary|symbol|checkpoints|registers,
kill, apropos, list with ranges and the file's end, `No line N in file`, enable once|count|
delete, breakpoint command lists and save breakpoints.

State a command needs between lines lives in the session's __dict__ under names of its own
(`partial`, `bp_commands_reading`, ...), so the Session needs no new fields.
"""

from __future__ import annotations

import os
import re
import weakref
from typing import Any

from ..debuginfo.ctypes import INT, VOID, Func, Pointer, Typedef
from .breakpoints import CommandError
from .evaluate import Value, int_value
from . import settings as settings_mod

PROGRAM_PATH = "/usr/bin/qemu-system-x86_64"
THREAD_NAME = "qemu-system-x86"  # the 15 characters of the comm name gdb shows
MAIN_THREAD = 0x7FFFF7A8E2C0


# --------------------------------------------------------------------------- partial lines


def _flush(box: dict[str, str]) -> None:
    """When the session ends (the process exits, or it is collected): write what waits,
    as gdb's stdout holds it. Only to the terminal's own stdout: never into a protocol
    stream (the DAP adapter's) or a captured one."""
    import sys

    from ..textsafe import safe_text

    text = box.pop("text", "")
    if text and sys.stdout is sys.__stdout__ and sys.stdout is not None \
            and "tracesim.dap" not in sys.modules:
        try:
            sys.stdout.write(safe_text(text))
            sys.stdout.flush()
        except (OSError, ValueError):
            pass


def _box(session: Any) -> dict[str, str]:
    box = session.__dict__.get("partial_box")
    if box is None:
        box = session.__dict__["partial_box"] = {}
        weakref.finalize(session, _flush, box)  # holds the box, not the session
    return box


def set_partial(session: Any, text: str) -> None:
    box = _box(session)
    if text:
        box["text"] = text
    else:
        box.pop("text", None)


def take_partial(session: Any) -> str:
    box = session.__dict__.get("partial_box")
    return box.pop("text", "") if box is not None else ""


def text_lines(session: Any, text: str) -> list[str]:
    """TEXT as gdb writes it: whole lines now, a last line without newline kept for the
    next output (or the end of the session)."""
    full = take_partial(session) + text
    lines = full.split("\n")
    set_partial(session, lines.pop())
    return lines


def flush_partial(session: Any) -> str:
    """What is waiting to be written without its newline (the REPL writes it at once)."""
    return take_partial(session)


# --------------------------------------------------------------------------- registers

REGISTER_NAMES = ("rbp", "rsp", "rip")


def registers(session: Any) -> dict[str, int] | None:
    """The modelled registers of the selected frame, as `info frame` places the frame:
    its CFA (`frame at`), rbp = CFA - 0x10 (`Arglist at`), rsp = CFA - 0x30."""
    frames = session.frames()
    if not frames:
        return None
    from .inspect import frame_registers  # one stack geometry with `info frame`

    n = min(session.selected, len(frames) - 1)
    return frame_registers(len(frames), n, session.frame_pc(n))


# gdb's type of $pc, `void (*)()`: an unprototyped function (a parameter that declares
# as nothing, since Func(VOID, ()) spells `void (*)(void)`)
CODE_POINTER = Pointer(Func(VOID, (Typedef("", VOID),)))
DATA_POINTER = Pointer(VOID)


def refresh_convenience(session: Any) -> None:
    """$pc $rip $sp $rsp $fp $rbp from the selected frame, $_exitcode once QEMU exited,
    $bpnum: gdb's own convenience variables, set before each command."""
    conv = session.inspect.history.convenience
    regs = registers(session)
    names = {"pc": "rip", "rip": "rip", "sp": "rsp", "rsp": "rsp", "fp": "rbp", "rbp": "rbp"}
    for name, reg in names.items():
        if regs is None:
            conv.pop(name, None)
        else:
            t = CODE_POINTER if reg == "rip" else DATA_POINTER
            conv[name] = Value(t, regs[reg])
    status = None
    if session.exited and session.index.exit_index is not None:
        status = session.events[session.index.exit_index].status
        if status == 0 and session.modelled_path_end() is not None:
            status = None  # not an exit: QEMU goes on into machine_class->init
    if status is None:
        conv.pop("_exitcode", None)
    else:
        conv["_exitcode"] = int_value(status, INT)
    if session.points.next_number > 1:
        conv["bpnum"] = int_value(session.points.next_number - 1, INT)


REGISTER_REF = re.compile(r"\$(pc|sp|fp|rip|rsp|rbp)\b")


def check_registers(session: Any, text: str) -> None:
    if not session.running and REGISTER_REF.search(text):
        raise CommandError("No registers.")


def natural_pc(session: Any, pc: int) -> str:
    """An address with the function holding it, as `info line` and `p $pc` name one."""
    found = session.debug.symbol_at(pc)
    if found is None:
        return f"{pc:#x}"
    name, offset = found
    return f"{pc:#x} <{name}+{offset}>" if offset else f"{pc:#x} <{name}>"


def print_pc(session: Any, expr: str, fmt: str | None) -> str | None:
    """`print $pc` (or $rip): the frame's function named as `info registers` names it."""
    if fmt is not None or expr.strip() not in ("$pc", "$rip") or not session.running:
        return None
    regs = registers(session)
    assert regs is not None
    number = session.inspect.history.record(Value(CODE_POINTER, regs["rip"]))
    return f"${number} = (void (*)()) {natural_pc(session, regs['rip'])}"


def info_registers(session: Any, arg: str) -> list[str]:
    regs = registers(session)
    if regs is None:
        raise CommandError("The program has no registers now.")
    aliases = {"pc": "rip", "sp": "rsp", "fp": "rbp"}
    wanted = [w.lstrip("$") for w in arg.split()] or list(REGISTER_NAMES)
    out = []
    for name in wanted:
        reg = aliases.get(name, name)
        if reg not in regs:
            if reg in ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "eflags", "cs", "ss", "ds",
                       "es", "fs", "gs", "fs_base", "gs_base") or re.fullmatch(r"r(8|9|1[0-5])",
                                                                               reg):
                raise CommandError(f"Register {name} is not modelled: tracesim knows the "
                                   "frame's rip, rsp and rbp only.")
            raise CommandError(f"Invalid register `{name}'")
        value = regs[reg]
        natural = natural_pc(session, value) if reg == "rip" else f"{value:#x}"
        out.append(f"{name:<15}{value:<#19x} {natural}")
    if not arg.split():
        out.append("(only rbp, rsp and rip are modelled)")
    return out


# --------------------------------------------------------------------------- info ...


def _thread_rows(session: Any) -> list[tuple[str, str]]:
    frames = session.frames()
    top = frames[0]
    main = (f'Thread {MAIN_THREAD:#x} (LWP {_pid()}) "{THREAD_NAME}"', session.frame_line(top))
    return [main]


def _pid() -> int:
    from .session import PID

    return PID


def info_threads(session: Any, arg: str) -> list[str]:
    if not session.running:
        return ["No threads."]
    rows = _thread_rows(session)
    width = max(len("Target Id"), *(len(t) for t, _ in rows))
    out = ["  Id   " + "Target Id".ljust(width) + " Frame "]
    for k, (target, frame) in enumerate(rows, 1):
        out.append(f"{'*' if k == 1 else ' '} {k:<4} {target.ljust(width)} {frame}")
    # real QEMU also runs its call_rcu thread by now; its state is not recorded
    out.append("(QEMU's call_rcu thread runs too; tracesim models the main thread only)")
    return out


def info_inferiors(session: Any, arg: str) -> list[str]:
    head = "  Num  Description       Connection           Executable        "
    if session.running:
        row = f"* 1    {'process ' + str(_pid()):<17} {'1 (native)':<20} {PROGRAM_PATH:<17} "
    else:
        row = f"* 1    {'<null>':<17} {'':<20} {PROGRAM_PATH:<17} "
    return [head, row]


def info_sharedlibrary(session: Any, arg: str) -> list[str]:
    if not session.running:
        return ["No shared libraries loaded at this time."]
    return ["The replay has no shared-library map: tracesim models QEMU's own code, not the "
            "libraries it loads."]


def info_symbol(session: Any, arg: str) -> list[str]:
    from .examine import start_address

    text = arg.strip()
    if not text:
        raise CommandError("Argument required (address).")
    address = start_address(session, text)
    found = session.debug.symbol_at(address)
    if found is None:
        return [f"No symbol matches {text}."]
    name, offset = found
    section = ".text" if name in session.debug.functions else ".bss"
    where = f" of {PROGRAM_PATH}" if session.running else ""
    head = f"{name} + {offset}" if offset else name
    return [f"{head} in section {section}{where}"]


def kill(session: Any, rest: str) -> list[str]:
    if not session.running:
        raise CommandError("The program is not being run.")
    out = []
    if settings_mod.of(session).confirm and not session.__dict__.get("from_tty"):
        out.append("Kill the program being debugged? (y or n) [answered Y; input not from "
                   "terminal]")
    session.pos = None
    session.exited = False
    session.selected = 0
    session._state_cache = None
    return out + [f"[Inferior 1 (process {_pid()}) killed]"]


def apropos(commands: dict[str, Any], rest: str) -> list[str]:
    pattern = rest.strip()
    if pattern.startswith("-v "):
        pattern = pattern[3:].strip()
    if not pattern:
        raise CommandError("REGEXP string is empty")
    try:
        regex = re.compile(pattern, re.I)
    except re.error as err:
        raise CommandError(f"Invalid regexp({err}): {pattern}")
    found: list[tuple[str, str]] = []
    for c in commands.values():
        names = ", ".join((c.name,) + tuple(c.aliases))
        first = c.help.splitlines()[0] if c.help else ""
        if regex.search(c.name) or regex.search(c.help) or any(regex.search(a) for a in c.aliases):
            found.append((names, first))
    for name, text in settings_mod.help_lines():
        if regex.search(name) or regex.search(text):
            found.append((name, text))
    return [f"{n} -- {t}" for n, t in sorted(found)]


# --------------------------------------------------------------------------- source lines


def file_lines(session: Any, file: str) -> int:
    """How many lines FILE has: the tree's with --qemu-src, else as far as the model knows
    the file (its last statement, function entry or code line); 0 when unknown."""
    src = session.source
    if src.qemu_src is not None:
        src.real_line(file, 1)
        lines = src._files.get(file)
        if lines is not None:
            return len(lines)
    known = src.known_lines(file, session.debug.entry_lines)
    known.update(l for l, _ in session.debug.code.anchors.get(file, []))
    known.update(u.last for u in session.debug.unstepped if u.file == file and u.last is not None)
    return max(known, default=0)


def out_of_range(file: str, line: int, total: int) -> CommandError:
    return CommandError(f"Line number {line} out of range; {file} has {total} lines.")


def _location_line(session: Any, text: str) -> tuple[str, int]:
    if text.isascii() and text.isdigit() and session.list_next:  # in the file listed last
        return session.list_next[0], int(text[:18])
    loc = session.resolve_location(text)
    if loc.function:
        return session.inspect.function_entry(loc.function, session.index)
    return loc.file or "", loc.line or 1


def list_command(session: Any, rest: str) -> list[str]:
    size = settings_mod.of(session).listsize
    size = (1 << 31) - 1 if size is None else size
    arg = rest.strip()
    last_first = session.__dict__.get("list_first")
    if arg == "-":
        if last_first is None:
            raise CommandError("No default source file.") if not session.list_next else \
                CommandError("Already at the start of the file.")
        file, shown = last_first
        if shown <= 1:
            raise CommandError(f"Already at the start of {file}.")
        first, last = max(1, shown - size), shown - 1
    elif "," in arg:
        left, _, right = arg.partition(",")
        left, right = left.strip(), right.strip()
        if left:
            file, first = _location_line(session, left)
            if right:
                if right.isdigit():
                    last = int(right[:18])
                else:
                    _, last = _location_line(session, right)
            else:
                last = first + size - 1
        else:
            if not right:
                raise CommandError("Junk at end of line specification.")
            file, last = _location_line(session, right)
            first = max(1, last - size + 1)
    elif arg:
        file, line = _location_line(session, arg)
        first = max(1, line - size // 2)
        last = first + size - 1
    elif session.list_next:
        file, first = session.list_next
        last = first + size - 1
    else:
        frames = session.frames()
        chosen = frames[min(session.selected, len(frames) - 1)] if frames else None
        if chosen is not None and chosen.call_index is not None:  # the selected frame's line
            file, line = chosen.file, chosen.line or 1
        else:
            file, line = session.debug.main.file, session.debug.main.entry
        first = max(1, line - size // 2)
        last = first + size - 1
    total = file_lines(session, file)
    if total and first > total:
        session.list_next = (file, first)
        raise out_of_range(file, first, total)
    if total:
        last = min(last, total)
    else:
        last = min(last, first + 9999)  # a file the model does not know: bounded
    out = [f"{n}\t{session.source.listing(file, n)}" for n in range(first, last + 1)]
    session.__dict__["list_first"] = (file, first)
    session.list_next = (file, last + 1)
    return out


def missing_line(session: Any, where: str) -> list[str] | None:
    """gdb's answer to `break FILE:LINE` past the file's end (None: the line is there)."""
    loc_text = where.strip()
    m = re.fullmatch(r"(?:(.+):)?(\d+)", loc_text)
    if m is None:
        return None
    loc = session.resolve_location(loc_text)
    if loc.function or not loc.file:
        return None
    total = file_lines(session, loc.file)
    if not total or (loc.line or 0) <= total:
        return None
    if m.group(1):
        lines = [f'No line {loc.line} in file "{m.group(1)}".']
    else:
        lines = [f"No line {loc.line} in the current file."]
    if settings_mod.of(session).confirm:
        lines.append("Make breakpoint pending on future shared library load? (y or [n]) "
                     "[answered N; input not from terminal]")
    return lines


# --------------------------------------------------------------------------- breakpoints


def enable_command(session: Any, rest: str, map_numbers: Any) -> list[str]:
    """enable [once|count N|delete] [NUMBERS]; plain enable keeps the disposition."""
    words = rest.split(None, 1)
    head = words[0] if words else ""
    tail = words[1] if len(words) > 1 else ""
    points = session.points

    def set_disp(n: int, disp: str, count: int) -> None:
        p = points.get(n)
        p.enabled = True
        p.temporary = disp == "del"
        p.disp_disable = disp == "dis"  # type: ignore[attr-defined]
        p.enable_count = count if disp == "dis" else 0  # type: ignore[attr-defined]

    if head in ("once", "delete", "count") and not head.isdigit():
        if head == "count":
            parts = tail.split(None, 1)
            if not parts:
                raise CommandError("Argument required (hit count).")
            from .commands import count_arg

            count = count_arg(parts[0])
            numbers = parts[1] if len(parts) > 1 else ""
            return map_numbers(numbers, list(points.points), lambda n: set_disp(n, "dis", count))
        disp = "dis" if head == "once" else "del"
        return map_numbers(tail, list(points.points), lambda n: set_disp(n, disp, 1))
    if head in ("breakpoints", "br", "b"):
        rest = tail

    def on(n: int) -> None:
        points.get(n).enabled = True

    return map_numbers(rest, list(points.points), on)


def disposition(p: Any) -> str:
    if p.temporary:
        return "del "
    return "dis " if getattr(p, "disp_disable", False) else "keep"


def extra_info_lines(p: Any) -> list[str]:
    out = []
    count = getattr(p, "enable_count", 0)
    if getattr(p, "disp_disable", False) and count > 1:
        out.append(f"\tdisable after {'additional' if p.ignore_count else 'next'} {count} hits")
    out += [f"        {line}" for line in getattr(p, "commands", [])]
    return out


def after_stop(p: Any) -> None:
    """A breakpoint stops: enable once / count N disable it when the count runs out."""
    if getattr(p, "disp_disable", False):
        p.enable_count = getattr(p, "enable_count", 1) - 1
        if p.enable_count <= 0:
            p.enabled = False


# breakpoint command lists ------------------------------------------------------------------


def start_commands(session: Any, rest: str) -> list[str]:
    text = rest.strip().replace("$bpnum", str(session.points.next_number - 1))
    if not text:
        if session.points.next_number <= 1:
            raise CommandError("No breakpoints specified.")
        numbers = [session.points.next_number - 1]
    else:
        from .commands import parse_number_ranges

        numbers = []
        for lo, hi in parse_number_ranges(text):
            for n in range(lo, min(hi, lo + 10000) + 1):
                if n not in session.points.points:
                    raise CommandError(f"No breakpoint number {n}.")
                numbers.append(n)
    session.__dict__["bp_commands_reading"] = (numbers, [])
    if session.__dict__.get("from_tty"):
        listed = ",".join(str(n) for n in numbers)
        return [f"Type commands for breakpoint(s) {listed}, one per line.",
                'End with a line saying just "end".']
    return []


def reading_commands(session: Any) -> bool:
    return "bp_commands_reading" in session.__dict__


def read_command_line(session: Any, line: str) -> list[str]:
    numbers, body = session.__dict__["bp_commands_reading"]
    text = line.strip()
    if text == "end":
        del session.__dict__["bp_commands_reading"]
        for n in numbers:
            if n in session.points.points:
                session.points.points[n].commands = list(body)  # type: ignore[attr-defined]
        return []
    body.append(text)
    return []


def save_breakpoints(session: Any, rest: str) -> list[str]:
    from ..trace.output import OutputError, checked_target, replace_target, temp_beside

    path = rest.strip()
    if not path:
        raise CommandError("Argument required (file name in which to save).")
    if not session.points.points:
        raise CommandError("Nothing to save.")
    lines: list[str] = []
    for p in session.points.points.values():
        if p.kind == "breakpoint":
            assert p.location is not None
            where = p.location.describe()
            lines.append(f"{'tbreak' if p.temporary else 'break'} {where}")
        elif p.kind == "watchpoint":
            lines.append(f"watch {p.expression}")
        else:
            lines.append(f"catch {p.catch}")
        if p.condition:
            lines.append(f"  condition $bpnum {p.condition}")
        if p.ignore_count:
            lines.append(f"  ignore $bpnum {p.ignore_count}")
        body = getattr(p, "commands", [])
        if body:
            lines += ["  commands"] + [f"    {b}" for b in body] + ["  end"]
        if not p.enabled:
            lines.append("disable $bpnum")
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")
    try:
        target = checked_target(os.path.expanduser(path))
        fd, tmp = temp_beside(target)
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
            replace_target(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OutputError as err:
        raise CommandError(f"Unable to open file '{path}' for saving ({err})")
    except OSError as err:
        raise CommandError(f"Unable to open file '{path}' for saving ({err.strerror or err})")
    if session.__dict__.get("from_tty"):
        return [f"Saved to file '{path}'."]
    return []
