"""gdb's commands over a Session, in one table: name, abbreviations, arguments, help.

Help, completion, batch mode and the REPL all read COMMANDS; each command is one small
function returning the lines gdb prints. gdb's unique-prefix rule applies to names.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Callable

from . import habits, habits3, settings
from .examine import Pending, examine
from .outcome import info_numa, stdout_stderr
from .printf import echo_text, printf_command
from .breakpoints import CATCH_KINDS, CommandError
from .expr import GdbError
from .format import split_format
from .session import PID, PROGRAM, Session

Handler = Callable[[Session, str], list[str]]


@dataclass
class Command:
    name: str
    handler: Handler
    usage: str
    help: str
    aliases: tuple[str, ...] = ()
    completes: tuple[str, ...] = field(default_factory=tuple)  # what its argument names
    repeats: bool = True  # an empty line repeats it


COMMANDS: dict[str, Command] = {}
ALIASES: dict[str, str] = {}


def command(
    name: str,
    usage: str,
    aliases: tuple[str, ...] = (),
    completes: tuple[str, ...] = (),
    repeats: bool = True,
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = Command(
            name, fn, usage, (fn.__doc__ or "").strip(), aliases, completes, repeats
        )
        for a in aliases:
            ALIASES[a] = name
        return fn

    return register


def lookup(word: str) -> Command:
    """Exact name, alias, then gdb's unique prefix."""
    if word in COMMANDS:
        return COMMANDS[word]
    if word in ALIASES:
        return COMMANDS[ALIASES[word]]
    matches = sorted(n for n in COMMANDS if n.startswith(word))
    if len(matches) == 1:
        return COMMANDS[matches[0]]
    if len(matches) > 1:
        raise CommandError(f'Ambiguous command "{word}": {", ".join(matches)}.')
    raise CommandError(f'Undefined command: "{word}".  Try "help".')


def split_command(line: str) -> tuple[str, str]:
    line = line.strip()
    m = re.match(r"([A-Za-z][\w-]*|[!/|])\s*(/\w+)?\s*(.*)$", line, re.S)
    if not m:
        raise CommandError(
            f'Undefined command: "{line.split()[0] if line.split() else line}".  Try "help".'
        )
    name, fmt, rest = m.group(1), m.group(2), m.group(3)
    if fmt:
        rest = fmt + " " + rest
    return name, rest


REVERSED = {"step": "reverse-step", "next": "reverse-next", "continue": "reverse-continue",
            "finish": "reverse-finish"}
MAX_BP_COMMAND_DEPTH = 64  # breakpoint commands that resume and hit again, nested
REGISTER_USERS = {"print", "output", "printf", "x", "call"}
RAW_ARGUMENT = {"shell", "pipe"}  # the rest of the line as typed (no /FMT split)


def execute(session: Session, line: str) -> list[str]:
    """One command line; text a command wrote without its newline waits for the next."""
    if habits.reading_commands(session):  # the body of `commands N`, up to `end`
        return habits.read_command_line(session, line)
    name, rest = split_command(line)
    cmd = lookup(name)
    if cmd.name in RAW_ARGUMENT:
        rest = line.strip()[len(name):].strip()
    else:
        session.__dict__["last_command_line"] = line  # what `pipe | SHELL_COMMAND` reruns
    if settings.of(session).reverse:
        if cmd.name in REVERSED:
            cmd = COMMANDS[REVERSED[cmd.name]]
        elif cmd.name in REVERSED.values():
            original = next(k for k, v in REVERSED.items() if v == cmd.name)
            raise CommandError(f"Already in reverse mode.  Use '{original}' or "
                               "'set exec-direction forward'.")
    pending = habits.take_partial(session)
    if cmd.name in RAW_ARGUMENT:  # the shell writes itself: what waits goes first
        habits.set_partial(session, pending)
        pending = ""
    session.__dict__["stopped_by"] = None
    try:
        with settings.applied(session):
            habits.refresh_convenience(session)
            if cmd.name in REGISTER_USERS:
                habits.check_registers(session, rest)
                habits3.check_siginfo(session, rest)
            before = habits3.where_listing(session)
            try:
                out = cmd.handler(session, rest)
            finally:
                habits3.after_command(session, before, cmd.name)
            out = _breakpoint_commands(session, out)
    except Pending as err:  # some lines, then an error at the start of the next
        habits.set_partial(session, pending + "".join(l + "\n" for l in err.lines) + err.partial)
        raise CommandError(str(err))
    except BaseException:
        habits.set_partial(session, pending + habits.take_partial(session))
        raise
    if settings.of(session).pretty:  # values over several lines: one line each
        out = [piece for text in out for piece in text.split("\n")]
    if out:
        out = [pending + out[0]] + out[1:]
    else:
        habits.set_partial(session, pending + habits.take_partial(session))
    return out


def _breakpoint_commands(session: Session, out: list[str]) -> list[str]:
    """After a stop at a breakpoint with commands: run them, as gdb does (`silent` first
    hides the stop's report)."""
    point = session.__dict__.get("stopped_by")
    body = list(getattr(point, "commands", []) or [])
    if not body:
        return out
    depth = session.__dict__.get("bp_command_depth", 0)
    if depth >= MAX_BP_COMMAND_DEPTH:
        return out
    if body[0] == "silent":
        body = body[1:]
        for k, text in enumerate(out):
            if re.match(r'(Thread 1 "qemu-system-x86" hit (Temporary )?Breakpoint|Catchpoint) '
                        rf"{point.number}[, ]", text):
                start = k - 1 if k and out[k - 1] == "" else k
                del out[start:k + 2]
                break
    session.__dict__["bp_command_depth"] = depth + 1
    try:
        for text in body:
            session.__dict__["stopped_by"] = None
            try:
                out += execute(session, text)
            except CommandError as err:  # gdb stops the list at an error
                out.append(str(err))
                break
    finally:
        session.__dict__["bp_command_depth"] = depth
    return out


MAX_LONGEST = (1 << 64) - 1  # gdb's LONGEST: a literal beyond it is "too large"
INT_MAX = (1 << 31) - 1
MAX_LISTED = 100  # missing breakpoint numbers named one by one in one command


def count_arg(text: str, default: int = 1) -> int:
    """A number argument as gdb parses it: C literals, 64 bits at most. Commands that repeat
    N times stop at the end of the trace, so N costs nothing beyond the trace's length."""
    text = text.strip()
    if not text:
        return default
    digits = text.lstrip("+-")
    if len(digits) > 64 and digits.isascii() and digits.isdigit():  # Python's digit limit
        raise CommandError("Numeric constant too large.")
    try:
        n = int(text, 0)
    except ValueError:
        raise CommandError(f'No symbol "{text}" in current context.')
    if abs(n) > MAX_LONGEST:
        raise CommandError("Numeric constant too large.")
    return n


def parse_number_ranges(text: str, what: str = "breakpoint") -> list[tuple[int, int]]:
    """`1 3-5` -> [(1, 1), (3, 5)], as gdb's number_or_range_parser reads them (ranges are
    kept as ranges: `1-99999999999` costs no more than `1-2`)."""
    out: list[tuple[int, int]] = []
    for word in text.split():
        lo_text, dash, hi_text = word.partition("-")
        if dash and not lo_text:
            raise CommandError("negative value")
        if dash and not hi_text:
            raise CommandError("inverted range")
        bounds = []
        for part in (lo_text, hi_text) if dash else (lo_text,):
            if not (part.isascii() and part.isdigit()) or len(part) > 64:
                raise CommandError(f"Bad {what} number '{word}'")
            bounds.append(int(part))
        lo, hi = bounds[0], bounds[-1]
        if hi < lo:
            raise CommandError(f"Inverted {what} range at '{word}'")
        if lo == 0 and hi == 0:
            raise CommandError(f"Bad {what} number at or near '0'")
        out.append((max(lo, 1), hi))
    return out


def map_numbers(
    text: str, existing: list[int], act: Callable[[int], None], what: str = "breakpoint"
) -> list[str]:
    """Apply `act` to each existing number TEXT names; name each missing number as gdb does
    ("No breakpoint number N."), the first MAX_LISTED one by one, the rest by range."""
    if not text.strip():
        for n in sorted(existing):
            act(n)
        return []
    out: list[str] = []
    have = sorted(set(existing))
    for lo, hi in parse_number_ranges(text, what):
        inside = [n for n in have if lo <= n <= hi]  # bounded by the breakpoints there are
        start = lo
        for n in inside + [hi + 1]:
            if start < n:  # the gap start..n-1 has no breakpoint
                gap_end = n - 1
                room = max(0, MAX_LISTED - len(out))
                named_end = min(gap_end, start + room - 1)
                out += [f"No {what} number {k}." for k in range(start, named_end + 1)]
                if named_end < gap_end:
                    first = max(start, named_end + 1)
                    out.append(
                        f"No {what} number {first}." if first == gap_end
                        else f"No {what} numbers {first}-{gap_end}."
                    )
            if n <= hi:
                act(n)
            start = n + 1
    return out


def parse_format(rest: str) -> tuple[str | None, str]:
    """`/x EXPR` -> ("x", "EXPR"), checked as gdb's print checks it."""
    try:
        return split_format(rest)
    except GdbError as err:
        raise CommandError(err.message)


# --- running ------------------------------------------------------------------------------
@command("run", "run", aliases=("r",), repeats=False)
def cmd_run(s: Session, rest: str) -> list[str]:
    """Start the program from its first statement; stop at the first breakpoint."""
    for p in s.points.points.values():  # gdb's run clears the hit counts
        p.hits = 0
    habits3.reset_run(s)
    s.pos = None
    s.exited = False
    s._state_cache = None
    s.refresh_watch_values()
    out = s.announce(  # before the search for the first breakpoint, as gdb prints it
        f"Starting program: /usr/bin/{PROGRAM} " + " ".join(shlex.quote(a) for a in s.trace.argv)
    )
    return out + s.run_to(None, None)


@command("start", "start", repeats=False)
def cmd_start(s: Session, rest: str) -> list[str]:
    """Start the program and stop at its first modelled statement."""
    for p in s.points.points.values():
        p.hits = 0
    habits3.reset_run(s)
    s.pos = None
    s.exited = False
    number = s.points.next_number  # gdb's start sets a temporary breakpoint: it takes a number
    s.points.next_number += 1
    first = s.index.stops[0]
    s.goto(first)
    s.refresh_watch_values()
    top = s.frames()[0]
    return [
        f"Starting program: /usr/bin/{PROGRAM} " + " ".join(shlex.quote(a) for a in s.trace.argv),
        "",
        f"Temporary breakpoint {number}, {s.frame_line(top)}",
        s.source_line(top),
    ] + s.show_displays()


def _step_forward(s: Session, rest: str, deep: bool) -> list[str]:
    s.require_running()
    out: list[str] = []
    for _ in range(count_arg(rest)):
        if not s.running:
            break
        assert s.pos is not None
        depth = s._depth()
        from_call = s._top_call()
        info = s.index.frame_at(s.pos)
        # main (and 7.2's qemu_init, ...) are frames the model does not step
        unstepped = info is not None and s.debug.unstepped_frame(info.fn) is not None
        target = s.index.next_stop(s.pos, None if deep or unstepped else depth)
        if info is not None and not unstepped and info.parent is not None:
            # stepping out into a frame that is not stepped: stop there as gdb does
            ret = info.return_index
            if (
                s.debug.unstepped_frame(s.index.frames[info.parent].fn) is not None
                and ret is not None
                and (target is None or ret < target)
            ):
                target = ret
        out = s.run_to(target, from_call)
        if s.exited or (out and out[0] == ""):  # stopped by a breakpoint or the end
            break
    return out


@command("step", "step [N]", aliases=("s",))
def cmd_step(s: Session, rest: str) -> list[str]:
    """Step to the next statement, entering functions."""
    return _step_forward(s, rest, deep=True)


@command("next", "next [N]", aliases=("n",))
def cmd_next(s: Session, rest: str) -> list[str]:
    """Step to the next statement in this function, running calls through."""
    return _step_forward(s, rest, deep=False)


@command("until", "until", aliases=("u",))
def cmd_until(s: Session, rest: str) -> list[str]:
    """Like next, but do not stop on a line before this one in the same frame (loops)."""
    if rest.strip():
        return cmd_advance(s, rest)
    s.require_running()
    assert s.pos is not None
    call, depth = s._top_call(), s._depth()
    line = s.frames()[0].line or 0
    pos = s.pos
    while True:
        nxt = s.index.next_stop(pos, depth)
        if nxt is None:
            return s.run_to(None, call)
        info = s.index.frame_at(nxt)
        if info is None or info.call_index != call or s.events[nxt].line > line:
            return s.run_to(nxt, call)
        pos = nxt


@command("advance", "advance LOCATION", completes=("location",))
def cmd_advance(s: Session, rest: str) -> list[str]:
    """Run until LOCATION (or until the current function returns)."""
    s.require_running()
    loc = s.resolve_location(rest)
    assert s.pos is not None
    idx = s.index
    if loc.function:
        cands = [idx.stops[n] for n in idx.entries.get(loc.function, [])]
    else:
        cands = [idx.stops[n] for n in idx.by_location.get((loc.file or "", loc.line or 0), [])]
    after = [c for c in cands if c > s.pos]
    info = idx.frame_at(s.pos)
    limit = info.return_index if info and info.return_index is not None else None
    target = after[0] if after else None
    if limit is not None and (target is None or limit < target):
        target = idx.next_stop(limit)
    return s.run_to(target, s._top_call())


@command("finish", "finish", aliases=("fin",))
def cmd_finish(s: Session, rest: str) -> list[str]:
    """Run until the selected frame returns; print the value it returns."""
    s.require_running()
    frames = s.frames()
    sel = frames[min(s.selected, len(frames) - 1)]
    if sel.call_index is None or s.index.frames[sel.call_index].parent is None:
        raise CommandError('"finish" not meaningful in the outermost frame.')
    info = s.index.frames[sel.call_index]
    head = s.announce(f"Run till exit from #{s.selected}  "
                      f"{s.frame_line(sel, with_pc=s.selected > 0, level=s.selected)}")
    if info.return_index is None:
        return head + s.run_to(None, None)
    out = s.run_to(info.return_index, None, line_start=False)
    if s.pos == info.return_index and not s.exited:
        value = s.events[info.return_index].value
        text = s.inspect.return_text(sel.fn, value)
        if text is not None:
            out.append(f"Value returned is {text}")
    return head + out


@command("continue", "continue [N]", aliases=("c", "cont", "fg"))
def cmd_continue(s: Session, rest: str) -> list[str]:
    """Run until a breakpoint, watchpoint or catchpoint triggers, or the program ends."""
    s.require_running()
    ignore = count_arg(rest) - 1
    if ignore > 0:
        for p in s.points.points.values():
            if p.kind == "breakpoint" and s.pos in s._positions_before(
                p, (s.pos or 0) + 1, s.pos or 0
            ):
                p.ignore_count = ignore
                return s.announce(
                    f"Will ignore next {ignore} crossings of breakpoint {p.number}.  Continuing."
                ) + s.run_to(None, None)
    return s.announce("Continuing.") + s.run_to(None, None)


@command("reverse-step", "reverse-step [N]", aliases=("rs",))
def cmd_reverse_step(s: Session, rest: str) -> list[str]:
    """Step backwards to the previous statement, entering functions."""
    return _step_back(s, rest, deep=True)


@command("reverse-next", "reverse-next [N]", aliases=("rn",))
def cmd_reverse_next(s: Session, rest: str) -> list[str]:
    """Step backwards to the previous statement in this function."""
    return _step_back(s, rest, deep=False)


def _step_back(s: Session, rest: str, deep: bool) -> list[str]:
    if s.pos is None:
        raise CommandError("The program is not being run.")
    habits3.require_recording(s)
    if s.exited:
        s.exited = False
        s.goto(s.index.exit_index if s.index.exit_index is not None else len(s.events) - 1)
    out: list[str] = []
    for _ in range(count_arg(rest)):
        assert s.pos is not None
        depth = s._depth()
        from_call = s._top_call()
        target = s.index.prev_stop(s.pos, None if deep else depth)
        out = s.reverse_to(target, from_call)
        if target is None or (out and out[0] == ""):
            break
    return out


@command("reverse-continue", "reverse-continue", aliases=("rc",))
def cmd_reverse_continue(s: Session, rest: str) -> list[str]:
    """Run backwards until a breakpoint, watchpoint or catchpoint, or the beginning."""
    if s.pos is None:
        raise CommandError("The program is not being run.")
    habits3.require_recording(s)
    if s.exited:
        s.goto(len(s.events) - 1)
    return s.announce("Continuing.") + s.reverse_to(None, s._top_call())


@command("reverse-finish", "reverse-finish")
def cmd_reverse_finish(s: Session, rest: str) -> list[str]:
    """Run backwards to where the selected function was called."""
    s.require_running()
    habits3.require_recording(s)
    frames = s.frames()
    sel = frames[min(s.selected, len(frames) - 1)]
    if sel.call_index is None or s.index.frames[sel.call_index].parent is None:
        raise CommandError('"finish" not meaningful in the outermost frame.')
    head = s.announce(f"Run back to call of #{s.selected}  "
                      f"{s.frame_line(sel, with_pc=s.selected > 0, level=s.selected)}")
    caller = s.index.frames[s.index.frames[sel.call_index].parent]
    if s.debug.unstepped_frame(caller.fn) is not None:
        # a caller with no stops of its own: mid-line at the call itself, as gdb stops there
        return head + s.reverse_to(sel.call_index - 1, None, line_start=False)
    return head + s.reverse_to(s.index.prev_stop(sel.call_index), None)


@command("goto", "goto N|MARK", repeats=False)
def cmd_goto(s: Session, rest: str) -> list[str]:
    """Jump to statement stop N (1 is the first) or to a mark."""
    name = rest.strip()
    if not name:
        raise CommandError("Argument required (stop number or mark name).")
    if name in s.marks:
        pos = s.marks[name]
    else:
        n = count_arg(name)
        if not 1 <= n <= len(s.index.stops):
            raise CommandError(f"Stop {n} is outside the recording (1 to {len(s.index.stops)}).")
        pos = s.index.stops[n - 1]
    s.goto(pos)
    s.refresh_watch_values()
    return [s.frame_line(s.frames()[0])] + [s.source_line(s.frames()[0])] + s.show_displays()


@command("mark", "mark NAME", repeats=False)
def cmd_mark(s: Session, rest: str) -> list[str]:
    """Name the current position, to come back with `goto NAME`."""
    s.require_running()
    name = rest.strip()
    if not name or name.isdigit():
        raise CommandError("A mark needs a name that is not a number.")
    assert s.pos is not None
    s.marks[name] = s.pos
    return [f"Mark {name} at stop {s.current_stop_number()}."]


@command("marks", "marks", repeats=False)
def cmd_marks(s: Session, rest: str) -> list[str]:
    """List the marks."""
    if not s.marks:
        return ["No marks."]
    out = []
    for name, pos in sorted(s.marks.items(), key=lambda kv: kv[1]):
        info = s.index.frame_at(pos)
        out.append(
            f"{name:<12} stop {s.index.stop_number(pos) + 1:<8} "
            f"{info.fn if info else '?'} at {info.file if info else '?'}:"
            f"{getattr(s.events[pos], 'line', '?')}"
        )
    return out


# --- breakpoints -----------------------------------------------------------------------------
def _split_if(rest: str) -> tuple[str, str | None]:
    """`LOCATION if COND` (either part may be empty)."""
    m = re.match(r"(.*?)(?:^|\s)if(?=[\s(])(.*)$", rest.strip(), re.S)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return rest.strip(), None


def _set_break(s: Session, rest: str, temporary: bool) -> list[str]:
    where, cond = _split_if(rest)
    missing = habits.missing_line(s, where)
    if missing is not None:  # gdb asks whether to make it pending; batch answers N
        return missing
    loc = s.resolve_location(where)
    if cond:
        s.inspect.check_syntax(cond)
    p = s.points.add(kind="breakpoint", location=loc, condition=cond, temporary=temporary)
    addr, file, line = s.location_address(loc)
    label = "Temporary breakpoint" if temporary else "Breakpoint"
    if loc.function == "exit":
        return [f"{label} {p.number} at 0x{addr:x}"]
    return [f"{label} {p.number} at 0x{addr:x}: file {file}, line {line}."]


@command(
    "break",
    "break [LOCATION] [if COND]",
    aliases=("b", "br", "brea"),
    completes=("location",),
    repeats=False,
)
def cmd_break(s: Session, rest: str) -> list[str]:
    """Set a breakpoint at FUNCTION, FILE:LINE or LINE, optionally with a condition."""
    return _set_break(s, rest, False)


@command("tbreak", "tbreak [LOCATION] [if COND]", completes=("location",), repeats=False)
def cmd_tbreak(s: Session, rest: str) -> list[str]:
    """Set a breakpoint that is deleted when it is hit."""
    return _set_break(s, rest, True)


@command("condition", "condition N [COND]", repeats=False)
def cmd_condition(s: Session, rest: str) -> list[str]:
    """Make breakpoint N conditional on COND (no COND: unconditional)."""
    num, _, cond = _bpnum(s, rest).strip().partition(" ")
    if not num:
        raise CommandError("Argument required (breakpoint number).")
    p = s.points.get(count_arg(num))
    if cond.strip():
        s.inspect.check_syntax(cond)
        p.condition = cond.strip()
        return []
    p.condition = None
    return [f"Breakpoint {p.number} now unconditional."]


@command("ignore", "ignore N COUNT", repeats=False)
def cmd_ignore(s: Session, rest: str) -> list[str]:
    """Ignore the next COUNT crossings of breakpoint N."""
    words = _bpnum(s, rest).split()
    if len(words) != 2:
        raise CommandError("Argument required (a breakpoint number).")
    p = s.points.get(count_arg(words[0]))
    count = count_arg(words[1])
    if count > INT_MAX:  # gdb keeps the count in an int
        raise CommandError("Value out of range.")
    p.ignore_count = max(count, 0)
    if p.ignore_count == 0:
        return [f"Will stop next time breakpoint {p.number} is reached."]
    if p.ignore_count == 1:
        return [f"Will ignore next crossing of breakpoint {p.number}."]
    return [f"Will ignore next {p.ignore_count} crossings of breakpoint {p.number}."]


@command("delete", "delete [N...]", aliases=("d",), repeats=False)
def cmd_delete(s: Session, rest: str) -> list[str]:
    """Delete breakpoints (all of them without arguments); `delete display N...`."""
    word, _, tail = rest.strip().partition(" ")
    if word and len(word) >= 2 and "checkpoint".startswith(word):
        return habits3.delete_checkpoint(s, tail)
    if word and "display".startswith(word) and not word.isdigit():
        return map_numbers(tail, list(s.displays), s.displays.pop, what="display")
    if word and "breakpoints".startswith(word) and not word.isdigit():
        rest = tail
    return map_numbers(_bpnum(s, rest), list(s.points.points), s.points.delete)


def _bpnum(s: Session, rest: str) -> str:
    """gdb's $bpnum (the last breakpoint set), as saved breakpoint files use it."""
    return re.sub(r"\$bpnum\b", str(s.points.next_number - 1), rest)


@command("disable", "disable [N...]", repeats=False)
def cmd_disable(s: Session, rest: str) -> list[str]:
    """Disable breakpoints."""

    def off(n: int) -> None:
        s.points.get(n).enabled = False

    return map_numbers(_bpnum(s, rest), list(s.points.points), off)


@command("enable", "enable [once|delete|count N] [N...]", repeats=False)
def cmd_enable(s: Session, rest: str) -> list[str]:
    """Enable breakpoints (once: disable again when hit; count N: after N hits; delete:
    delete when hit)."""
    return habits.enable_command(s, _bpnum(s, rest), map_numbers)


@command("commands", "commands [N...] ... end", repeats=False)
def cmd_commands(s: Session, rest: str) -> list[str]:
    """Give breakpoints commands to run when they stop the program (lines up to "end";
    "silent" first: no report of the stop)."""
    return habits.start_commands(s, rest)


@command("end", "end", repeats=False)
def cmd_end(s: Session, rest: str) -> list[str]:
    """End a list of breakpoint commands."""
    raise CommandError("This command cannot be used at the top level.")


@command("silent", "silent", repeats=False)
def cmd_silent(s: Session, rest: str) -> list[str]:
    """First in a breakpoint's commands: do not report the stop."""
    raise CommandError('Undefined command: "silent".  Try "help".')


@command("save", "save breakpoints FILE", repeats=False)
def cmd_save(s: Session, rest: str) -> list[str]:
    """Save the breakpoints as commands to FILE (`source FILE` sets them again)."""
    word, _, path = rest.strip().partition(" ")
    if not word:
        raise CommandError('"save" must be followed by the name of a save subcommand.')
    if not "breakpoints".startswith(word):
        raise CommandError(f'Undefined save command: "{word}".  Try "help save".')
    return habits.save_breakpoints(s, path)


@command("watch", "watch [-l|-location] EXPR", completes=("expression",), repeats=False)
def cmd_watch(s: Session, rest: str) -> list[str]:
    """Stop when the value of EXPR changes (forward and backward); -l: the object EXPR
    designates now."""
    location, expr = habits3.split_location_flag(rest)
    if location:
        return habits3.watch_location(s, expr)
    if not expr:
        raise CommandError("Argument required (expression to compute).")
    st = s.state()
    fi = s.frame_index_for_eval()
    value = s.inspect.value_text(st, fi, expr) if s.running else None
    paths, local_keys = s.inspect.reads(st, fi, expr)
    scope = None
    if local_keys and s.running:
        frames = s.frames()
        scope = frames[min(s.selected, len(frames) - 1)].call_index
    p = s.points.add(
        kind="watchpoint", expression=expr, scope_frame=scope, deps=(paths, local_keys)
    )
    p.old_value = value
    return [f"Hardware watchpoint {p.number}: {expr}"]


@command("rwatch", "rwatch [-l|-location] EXPR", completes=("expression",), repeats=False)
def cmd_rwatch(s: Session, rest: str) -> list[str]:
    """Stop when EXPR is read: refused, the trace records QEMU's stores, not its loads."""
    return habits3.refuse_read_watch(s, rest, access=False)


@command("awatch", "awatch [-l|-location] EXPR", completes=("expression",), repeats=False)
def cmd_awatch(s: Session, rest: str) -> list[str]:
    """Stop when EXPR is read or written: refused, the trace records stores, not loads."""
    return habits3.refuse_read_watch(s, rest, access=True)


@command("record", "record [full|stop]", aliases=("rec",), repeats=False)
def cmd_record(s: Session, rest: str) -> list[str]:
    """Every run is recorded: `record stop` deletes the log (no reverse execution), `record`
    starts it again from here."""
    return habits3.record_command(s, rest)


@command("checkpoint", "checkpoint", repeats=False)
def cmd_checkpoint(s: Session, rest: str) -> list[str]:
    """Save this position as a checkpoint (`restart N` comes back to it)."""
    return habits3.checkpoint(s, rest)


@command("restart", "restart N", repeats=False)
def cmd_restart(s: Session, rest: str) -> list[str]:
    """Restore program context from a checkpoint (`info checkpoints` lists them)."""
    return habits3.restart(s, rest)


@command("shell", "shell [COMMAND]", aliases=("!",), repeats=False)
def cmd_shell(s: Session, rest: str) -> list[str]:
    """Execute the rest of the line as a shell command (with none, run a shell)."""
    return habits3.shell_command(s, rest)


@command("pipe", "pipe [COMMAND] | SHELL_COMMAND | pipe -d DELIM COMMAND DELIM SHELL_COMMAND",
         aliases=("|",), repeats=False)
def cmd_pipe(s: Session, rest: str) -> list[str]:
    """Send the output of a command to a shell command."""
    return habits3.pipe_command(s, rest, execute)


@command("catch", "catch error|warning|exit|assert|split|dist", completes=("catch",), repeats=False)
def cmd_catch(s: Session, rest: str) -> list[str]:
    """Stop at QEMU's errors, warnings, exit, asserts, RAM splits or distance fills."""
    what = rest.strip()
    if what not in CATCH_KINDS:
        raise CommandError(f'Undefined catch command: "{what}".  Try "help catch".')
    p = s.points.add(kind="catchpoint", catch=what)
    return [f"Catchpoint {p.number} ({what})"]


# --- inspecting ----------------------------------------------------------------------------------
@command("backtrace", "backtrace [full] [N]", aliases=("bt", "where"))
def cmd_backtrace(s: Session, rest: str) -> list[str]:
    """Print the call stack, innermost first (`full`: each frame's locals too)."""
    frames = s.frames()
    if not frames:
        raise CommandError("No stack.")
    words = rest.split()
    full = any(w in ("full", "-full") for w in words)
    rest = " ".join(w for w in words if w not in ("full", "-full"))
    shown, more = habits3.backtrace_slice(frames, count_arg(rest) if rest.strip() else None)
    out = []
    for k, f in shown:
        if f.call_index is None:
            out.append(f"#{k}  {f.fn} ({s.frame_args(f)}) at {f.file}:{f.line}")
        else:
            with_pc = k > 0 or s.pos == s.index.exit_index or s.mid_call() is not None
            out.append(f"#{k}  {s.frame_line(f, with_pc, k)}")
        if full and f.call_index is not None:
            state = s.state()
            local_lines = s.inspect.locals_text(state, len(state.frames) - 1 - f.depth_index)
            out += [f"        {line}" for line in local_lines] or ["No locals."]
    if more:
        out.append("(More stack frames follow...)")
    return out


def _select(s: Session, n: int, level: bool = False) -> list[str]:
    """Select frame n; `level` when the user named the level (frame N), not a move."""
    frames = s.frames()
    if not frames:
        raise CommandError("No stack.")
    if level and not 0 <= n < len(frames):
        raise CommandError(f"No frame at level {n}.")
    if n < 0:
        raise CommandError("Bottom (innermost) frame selected; you cannot go down.")
    if n >= len(frames):
        raise CommandError("Initial frame selected; you cannot go up.")
    s.selected = n
    f = frames[n]
    return [f"#{n}  {s.frame_line(f, with_pc=n > 0, level=n)}", s.source_line(f)]


@command("frame", "frame [N | level N | function NAME]", aliases=("f",))
def cmd_frame(s: Session, rest: str) -> list[str]:
    """Select and print frame N (the selected one without N)."""
    chosen = habits3.frame_command(s, rest, _select)
    if chosen is not None:
        return chosen
    return _select(s, count_arg(rest, s.selected), level=bool(rest.strip()))


@command("up", "up [N]")
def cmd_up(s: Session, rest: str) -> list[str]:
    """Select the caller's frame."""
    return _select(s, s.selected + count_arg(rest))


@command("down", "down [N]")
def cmd_down(s: Session, rest: str) -> list[str]:
    """Select the callee's frame."""
    return _select(s, s.selected - count_arg(rest))


@command("print", "print[/FMT] EXPR", aliases=("p", "inspect", "call"), completes=("expression",))
def cmd_print(s: Session, rest: str) -> list[str]:
    """Print the value of a C expression over the simulated state (formats /x /d /u /o /t /c /a)."""
    fmt, expr = parse_format(rest)
    pc = habits.print_pc(s, expr, fmt)
    if pc is not None:
        return [pc]
    return [s.inspect.print_value(s.state(), s.frame_index_for_eval(), expr, fmt, s.running)]


@command("output", "output EXPR", completes=("expression",))
def cmd_output(s: Session, rest: str) -> list[str]:
    """Print a value without recording it in the history (and without a newline)."""
    fmt, expr = parse_format(rest)
    if not expr.strip():
        raise CommandError("Argument required (expression to compute).")
    text = s.inspect.value_text(s.state(), s.frame_index_for_eval(), expr, fmt)
    return habits.text_lines(s, text)


@command("printf", "printf \"FORMAT\", ARG...", completes=("expression",))
def cmd_printf(s: Session, rest: str) -> list[str]:
    """Print values under a C format (%d %i %u %x %X %o %c %s %p %%, widths, l/ll/h/hh)."""
    return habits.text_lines(s, printf_command(s, rest))


@command("x", "x[/NFU] ADDRESS", completes=("expression",))
def cmd_x(s: Session, rest: str) -> list[str]:
    """Examine memory: N units of size U (b h w g) in format F (x d u o t a c z s)."""
    return examine(s, rest)


@command("set", "set NAME VALUE | set var EXPR", repeats=False)
def cmd_set(s: Session, rest: str) -> list[str]:
    """Set a setting or a convenience variable (the program's memory is the recording's).
    Settings: listsize, pagination, confirm, print pretty|elements|repeats, exec-direction."""
    return settings.set_command(s, rest)


@command("kill", "kill", aliases=("k",), repeats=False)
def cmd_kill(s: Session, rest: str) -> list[str]:
    """Kill the program being debugged (run starts it again)."""
    out = habits.kill(s, rest)
    habits3.reset_run(s)
    return out


@command("apropos", "apropos REGEXP", repeats=False)
def cmd_apropos(s: Session, rest: str) -> list[str]:
    """Search the commands and settings whose name or help matches REGEXP."""
    return habits.apropos(COMMANDS, rest)


@command("ptype", "ptype EXPR|TYPE", completes=("expression",))
def cmd_ptype(s: Session, rest: str) -> list[str]:
    """Print the type of an expression, structs expanded."""
    return s.inspect.ptype(s.state(), s.frame_index_for_eval(), rest.strip(), expand=True)


@command("whatis", "whatis EXPR|TYPE", completes=("expression",))
def cmd_whatis(s: Session, rest: str) -> list[str]:
    """Print the type of an expression."""
    return s.inspect.ptype(s.state(), s.frame_index_for_eval(), rest.strip(), expand=False)


@command("display", "display[/FMT] [EXPR]", completes=("expression",), repeats=False)
def cmd_display(s: Session, rest: str) -> list[str]:
    """Print EXPR at every stop (without EXPR: show the displays now)."""
    fmt, expr = parse_format(rest)
    if not expr:
        return s.show_displays()
    number = s.next_display
    s.next_display += 1
    s.displays[number] = (expr, fmt)
    if not s.running:
        return []
    text = s.inspect.value_text(s.state(), s.frame_index_for_eval(), expr, fmt)
    return [f"{number}: {'/' + fmt + ' ' if fmt else ''}{expr} = {text}"]


@command("undisplay", "undisplay [N...]", repeats=False)
def cmd_undisplay(s: Session, rest: str) -> list[str]:
    """Stop displaying expressions (all without arguments)."""
    return map_numbers(rest, list(s.displays), s.displays.pop, what="display")


@command("list", "list [LOCATION|FIRST,LAST|FIRST,|,LAST|-]", aliases=("l",),
         completes=("location",))
def cmd_list(s: Session, rest: str) -> list[str]:
    """List source lines around a location (QEMU's text with --qemu-src, else the model's)."""
    return habits.list_command(s, rest)


@command("info", "info SUBCOMMAND", aliases=("i",), completes=("info",))
def cmd_info(s: Session, rest: str) -> list[str]:
    """info breakpoints|watchpoints|program|frame|locals|args|display|line|source|record|
    registers."""
    sub, _, arg = rest.strip().partition(" ")
    if not sub:
        raise CommandError(
            "List of info subcommands:\n\n"
            + "\n".join(f"info {n} -- {h}" for n, h in INFO_HELP.items())
        )
    names = sorted(n for n in INFO if n.startswith(sub))
    if sub in INFO:
        names = [sub]
    if sub in INFO_ALIASES:  # gdb's own one-letter aliases
        names = [INFO_ALIASES[sub]]
    if len(names) > 1:
        raise CommandError(f'Ambiguous info command "{sub}": {", ".join(names)}.')
    if not names:
        raise CommandError(f'Undefined info command: "{sub}".  Try "help info".')
    return INFO[names[0]](s, arg)


def info_watchpoints(s: Session, arg: str) -> list[str]:
    """Only the watchpoints, as gdb lists them."""
    if not any(p.kind == "watchpoint" for p in s.points.points.values()):
        return ["No watchpoints."]
    return info_breakpoints(s, arg, only="watchpoint")


def info_program(s: Session, arg: str) -> list[str]:
    """gdb's account of the process, and what of the command line the model did not follow."""
    ignored = [s.events[i].data.get("arg", "") for i in s.index.by_kind.get("opt.ignored", [])]
    note = ([f"Not modelled (QEMU handles them outside this path): {', '.join(ignored)}."]
            if ignored else [])
    if not s.running:
        return ["The program being debugged is not being run."] + note
    frames = s.frames()
    pc = s.debug.code.address(frames[0].file, frames[0].line or 0) if frames else 0
    return [f"\tUsing the running image of child process {PID}.",
            f"Program stopped at {pc:#x}.", "It stopped after being stepped."] + note


def info_breakpoints(s: Session, arg: str, only: str | None = None) -> list[str]:
    if not s.points.points:
        return ["No breakpoints or watchpoints."]
    out = ["Num     Type           Disp Enb Address            What"]
    for p in s.points.points.values():
        if only is not None and p.kind != only:
            continue
        disp = habits.disposition(p)
        enb = "y" if p.enabled else "n"
        if p.kind == "breakpoint":
            assert p.location is not None
            addr, file, line = s.location_address(p.location)
            what = (
                (
                    f"in {p.location.function or s.inspect.function_at(file, line, s.index)} "
                    f"at {file}:{line}"
                )
                if file
                else "<exit>"
            )
            out.append(f"{p.number:<7} {p.type_name:<14} {disp} {enb}   0x{addr:016x} {what}")
        elif p.kind == "watchpoint":
            out.append(
                f"{p.number:<7} {p.type_name:<14} {disp} {enb}                      {p.expression}"
            )
        else:
            out.append(
                f"{p.number:<7} {p.type_name:<14} {disp} {enb}                      {p.catch}"
            )
        if p.condition:
            out.append(f"\tstop only if {p.condition}")
        if p.hits:
            out.append(f"\tbreakpoint already hit {p.hits} time{'s' if p.hits != 1 else ''}")
        if p.ignore_count:
            out.append(f"\tWill ignore next {p.ignore_count} crossings of breakpoint.")
        out += habits.extra_info_lines(p)
    return out


def info_frame(s: Session, arg: str) -> list[str]:
    from .inspect import info_frame_lines  # the stack geometry lives there (habits shares it)

    return info_frame_lines(s)


def info_locals(s: Session, arg: str) -> list[str]:
    s.require_running()
    return s.inspect.locals_text(s.state(), s.frame_index_for_eval()) or ["No locals."]


def info_args(s: Session, arg: str) -> list[str]:
    frames = s.frames()
    if not frames:
        raise CommandError("No frame selected.")
    f = frames[min(s.selected, len(frames) - 1)]
    return [f"{k} = {s.inspect.arg_text(f.fn, k, v)}" for k, v in f.args.items()] or [
        "No arguments."
    ]


def info_display(s: Session, arg: str) -> list[str]:
    if not s.displays:
        return ["There are no auto-display expressions now."]
    return ["Auto-display expressions now in effect:", "Num Enb Expression"] + [
        f"{n}:   y  {'/' + f + ' ' if f else ''}{e}" for n, (e, f) in sorted(s.displays.items())
    ]


def info_line(s: Session, arg: str) -> list[str]:
    answered = habits3.info_line(s, arg, _line_sentence)
    if answered is not None:
        return answered
    if arg.strip():
        loc = s.resolve_location(arg)
        if loc.function:
            file, line = s.inspect.function_entry(loc.function, s.index)
        else:
            file, line = loc.file or "", loc.line or 0
    else:
        frames = s.frames()
        if not frames:
            raise CommandError("No line number information available.")
        f = frames[min(s.selected, len(frames) - 1)]  # the selected frame's line, as gdb
        file, line = f.file, f.line or 0
    return _line_sentence(s, file, line)


def _line_sentence(s: Session, file: str, line: int, at: int | None = None) -> list[str]:
    """`info line`: the line's code, or with `at` (`info line *ADDR`) the part holding it."""
    start, end = s.debug.code.address(file, line), s.debug.code.line_end(file, line)
    fn = s.inspect.function_at(file, line, s.index)
    prologue = s.debug.prologue(fn) if s.debug.entry_lines.get(fn) == (file, line) else None
    if prologue is not None and (at is None or at < start):
        # by line gdb names the line's first code: the prologue, which ends where it breaks
        start, end = prologue

    return [f'Line {line} of "{file}" starts at address {habits.natural_pc(s, start)} and '
            f'ends at {habits.natural_pc(s, end)}.']


def info_source(s: Session, arg: str) -> list[str]:
    frames = s.frames()
    if not frames or frames[0].call_index is None:
        return ["No current source file."]
    file = frames[0].file
    where = (
        f" (from {s.source.qemu_src})"
        if s.source.qemu_src
        else " (no QEMU tree given: lines are the model's descriptions; use --qemu-src DIR)"
    )
    return [
        f"Current source file is {file}{where}",
        "Compilation directory is /build/qemu-4.2.0-rc1",
        "Source language is c.",
        "Producer is GNU C17 12.2.0 -mtune=generic -march=x86-64 -g3 -O0.",
        "Compiled with DWARF 5 debugging format.",
        "Includes preprocessor macro info.",
    ]


def info_record(s: Session, arg: str) -> list[str]:
    total = len(s.index.stops)
    if s.pos is None:
        return [
            "No recording is currently active.",
            f"(the trace holds {total} statement stops; `run` or `start` to begin)",
        ]
    if not s.recording:
        return ["No recording is currently active."]
    cur = s.current_stop_number()
    return [
        "Active record target: tracesim replay of " + " ".join(s.trace.argv),
        "Record mode:",
        "Replay mode:" if cur < total else "Normal recording mode:",
        f"Lowest recorded instruction number is {habits3.record_lowest(s)}.",
        f"Highest recorded instruction number is {total}.",
        f"Log contains {total - habits3.record_lowest(s) + 1} instructions.",
        f"Current instruction number is {cur}.",
        f"(event {s.pos + 1} of {len(s.events)})",
    ]


def info_registers(s: Session, arg: str) -> list[str]:
    return habits.info_registers(s, arg)


def info_numa_here(s: Session, arg: str) -> list[str]:
    """QEMU's own `info numa` at this point (as `monitor info numa`)."""
    return info_numa(s.state()).rstrip("\n").split("\n")


INFO = {
    "breakpoints": info_breakpoints,
    "numa": info_numa_here,
    "watchpoints": info_watchpoints,
    "program": info_program,
    "frame": info_frame,
    "locals": info_locals,
    "args": info_args,
    "display": info_display,
    "line": info_line,
    "source": info_source,
    "record": info_record,
    "registers": info_registers,
    "all-registers": info_registers,
    "threads": habits.info_threads,
    "inferiors": habits.info_inferiors,
    "sharedlibrary": habits.info_sharedlibrary,
    "symbol": habits.info_symbol,
    "checkpoints": habits3.info_checkpoints,
    "stack": lambda s, arg: cmd_backtrace(s, arg),
}
INFO_ALIASES = {"b": "breakpoints", "s": "stack"}
INFO_HELP = {
    "args": "All argument variables of current stack frame.",
    "breakpoints": "Status of specified breakpoints (all user-settable breakpoints if no "
    "argument).",
    "display": "Expressions to display when program stops.",
    "frame": "All about the selected stack frame.",
    "line": "Core addresses of the code for a source line.",
    "program": "Execution status of the program.",
    "numa": "QEMU's `info numa` at this point (what the monitor would show).",
    "locals": "All local variables of current stack frame.",
    "record": "Info record options.",
    "registers": "List of integer registers and their contents, for selected stack frame.",
    "all-registers": "List of all registers and their contents, for selected stack frame.",
    "threads": "Display currently known threads.",
    "inferiors": "Print a list of inferiors being managed.",
    "sharedlibrary": "Status of loaded shared object libraries.",
    "symbol": "Describe what symbol is at location ADDR.",
    "checkpoints": "IDs of currently known checkpoints.",
    "source": "Information about the current source file.",
    "stack": "Backtrace of the stack, or innermost COUNT frames.",
    "watchpoints": "Status of specified watchpoints (all watchpoints if no argument).",
}


@command("show", "show version | show SETTING", repeats=False)
def cmd_show(s: Session, rest: str) -> list[str]:
    """Show a setting (`show listsize`, `show print pretty`) or what this debugger is."""
    from .. import __version__

    what = rest.strip()
    shown = settings.show_command(s, what) if what and not "version".startswith(what) else None
    if shown is not None or not what:
        return shown if shown is not None else settings.show_command(s, "") or []
    if what and "version".startswith(what):
        return [f"tracesim {__version__}: a replay of QEMU {s.trace.header.profile}'s board-init "
                "NUMA path with gdb's commands.",
                "The traced program is tracesim's model of QEMU, recorded as an event trace."]
    if not what:
        raise CommandError('"show" must be followed by the name of a show command.')
    raise CommandError(f'Undefined show command: "{what}".  Try "help show".')


@command("monitor", "monitor info numa", repeats=False)
def cmd_monitor(s: Session, rest: str) -> list[str]:
    """QEMU's monitor; `monitor info numa` prints what the HMP command shows at this point."""
    if rest.split() != ["info", "numa"]:
        raise CommandError(f'"monitor" command not supported by this target: {rest.strip()}')
    return info_numa(s.state()).rstrip("\n").split("\n")


# --- beyond gdb -----------------------------------------------------------------------------------
@command("why", "why", repeats=False)
def cmd_why(s: Session, rest: str) -> list[str]:
    """At a branch, assert, error or exit: the condition, its operands and who wrote them."""
    s.require_running()
    assert s.pos is not None
    decisions = s.decisions_here()
    if not decisions:
        raise CommandError(
            "No decision is taken at this statement (not a branch, assert, error or exit)."
        )
    out = []
    for e in decisions:
        out += s.explain(e)
    return out


@command("last", "last EXPR", completes=("expression",), repeats=False)
def cmd_last(s: Session, rest: str) -> list[str]:
    """The statement stop that last changed EXPR (what it read from), before this point."""
    s.require_running()
    expr = rest.strip()
    if not expr:
        raise CommandError("Argument required (expression).")
    return s.last_change(expr)


@command("help", "help [COMMAND]", aliases=("h",), completes=("command",), repeats=False)
def cmd_help(s: Session, rest: str) -> list[str]:
    """Describe a command, or list them all."""
    name = rest.strip()
    if name:
        cmd = lookup(name)
        aliases = f"  (aliases: {', '.join(cmd.aliases)})" if cmd.aliases else ""
        return [cmd.help, f"Usage: {cmd.usage}{aliases}"]
    width = max(len(c.name) for c in COMMANDS.values())
    lines = ["tracesim replays a trace of QEMU 4.2 with gdb's commands.", ""]
    for c in sorted(COMMANDS.values(), key=lambda c: c.name):
        first = c.help.splitlines()[0] if c.help else ""
        lines.append(f"{c.name:<{width}} -- {first}")
    lines += ["", 'Type "help" followed by a command name for its usage.']
    return lines


@command("quit", "quit", aliases=("q", "exit"), repeats=False)
def cmd_quit(s: Session, rest: str) -> list[str]:
    """Leave tracesim (with status N: N & 0xff, as exit(2) takes it)."""
    raise SystemExit(count_arg(rest, 0) & 0xFF)


@command("source", "source FILE", completes=(), repeats=False)
def cmd_source(s: Session, rest: str) -> list[str]:
    """Run the commands in FILE (stopping at the first error, as gdb does)."""
    # the driver runs it: it needs the driver's output and error handling
    raise CommandError("source: only a command line can source a file.")


@command("echo", "echo TEXT", repeats=False)
def cmd_echo(s: Session, rest: str) -> list[str]:
    """Print TEXT (C escapes as gdb's echo: \\n for a newline; none is added)."""
    return habits.text_lines(s, echo_text(rest))


@command("messages", "messages", repeats=False)
def cmd_messages(s: Session, rest: str) -> list[str]:
    """What QEMU printed so far (stdout and stderr) at this point of the run."""
    upto = (s.pos + 1) if s.pos is not None else 0
    out, err = stdout_stderr(s.events, upto)
    return (out + err).rstrip("\n").split("\n") if out or err else ["(nothing printed yet)"]
