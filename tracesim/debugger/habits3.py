"""More gdb habits over a Session (issue 11): watch -location and the read/access watchpoints
the trace cannot serve, record / record stop, checkpoints, shell and pipe, frame function|level,
info line *ADDR, `list` centred again after a stop, $_siginfo.

State between commands lives in the session's __dict__ under names of its own (as habits.py
does), or in the Session fields the run control reads (recording, record_floor).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any, Callable

from ..debuginfo.ctypes import INT
from ..textsafe import safe_text
from .breakpoints import CommandError
from .evaluate import FrameLoc, MemLoc, int_value
from .habits import MAIN_THREAD
from .typenames import declare

# --------------------------------------------------------------------------- watchpoints

LOCATION_FLAG = re.compile(r"-l(?:o(?:c(?:a(?:t(?:i(?:o(?:n)?)?)?)?)?)?)?(?=\s|$)")
CONSTANT = re.compile(r"\s*(?:[-+]?\s*(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*|'(?:\\.|[^\\'])+')\s*")
NO_READS = ("the trace records QEMU's stores, not its loads (reads are known only among a "
            "decision's operands)")


def split_location_flag(rest: str) -> tuple[bool, str]:
    """`-l EXPR` / `-location EXPR` (any prefix of -location, as gdb's option parser)."""
    text = rest.strip()
    m = LOCATION_FLAG.match(text)
    if m is None:
        return False, text
    return True, text[m.end():].strip()


def _check_watchable(s: Any, expr: str) -> None:
    if not expr:
        raise CommandError("Argument required (expression to compute).")
    if CONSTANT.fullmatch(expr):
        raise CommandError(f"Cannot watch constant value `{expr}'.")


def watch_location(s: Any, expr: str) -> list[str]:
    """`watch -l EXPR`: watch the object EXPR designates now, whatever the frame later (gdb
    watches `* (TYPE *) ADDRESS`; a local's storage only lives as long as its frame)."""
    _check_watchable(s, expr)
    st = s.state()
    fi = s.frame_index_for_eval()
    value, _ = s.inspect.value(st, fi, expr)
    local = isinstance(value.loc, FrameLoc) and s.running
    if not local and (value.loc is None or value.address is None):
        raise CommandError("Attempt to take address of value not located in memory.")
    internal, scope = expr, None
    if isinstance(value.loc, MemLoc):
        candidate = f"*({declare(value.type, '*')}) {value.address:#x}"
        try:
            if s.inspect.value_text(st, fi, candidate) == s.inspect.value_text(st, fi, expr):
                internal = candidate
        except CommandError:
            pass
    elif local:  # the local of this frame: read there (gdb goes on watching its stack
        frames = s.frames()  # slot once the frame is gone; the model does not have it)
        scope = frames[min(s.selected, len(frames) - 1)].call_index
    text = s.inspect.value_text(st, fi, internal) if s.running else None
    paths, local_keys = s.inspect.reads(st, fi, internal)
    if internal != expr:
        local_keys = set()  # the address is fixed: the pointers leading to it do not matter
    p = s.points.add(kind="watchpoint", expression=f"-location {expr}", scope_frame=scope,
                     deps=(paths, local_keys))
    p.watch_expr = internal  # type: ignore[attr-defined]
    p.outlives_scope = True  # type: ignore[attr-defined]  # never "deleted ... left the block"
    p.old_value = text
    return [f"Hardware watchpoint {p.number}: -location {expr}"]


def refuse_read_watch(s: Any, rest: str, access: bool) -> list[str]:
    """rwatch / awatch: the expression is checked as gdb checks it, then refused: a read
    watchpoint would have to stop at every load, and the trace does not record loads."""
    _, expr = split_location_flag(rest)
    _check_watchable(s, expr)
    if s.running:
        s.inspect.value(s.state(), s.frame_index_for_eval(), expr)
    else:
        s.inspect.check_syntax(expr)
    what = "an access (read/write)" if access else "a read"
    raise CommandError(f"Cannot set {what} watchpoint: {NO_READS}.")


# --------------------------------------------------------------------------- record

MULTI_THREAD_REFUSAL = "Target multi-thread does not support this command."


def require_recording(s: Any) -> None:
    """Reverse execution after `record stop` (QEMU is multi-threaded: gdb's target name)."""
    if s.running and not s.recording:
        raise CommandError(MULTI_THREAD_REFUSAL)


def reset_run(s: Any) -> None:
    """A new run (run, start, kill): recorded from its start, no checkpoints."""
    s.recording = True
    s.record_floor = None
    s.__dict__.pop("checkpoints", None)


def record_command(s: Any, rest: str) -> list[str]:
    words = rest.split()
    sub = words[0] if words else "full"
    if sub in ("s", "stop"):
        if not s.running or not s.recording:
            raise CommandError('No recording is currently active.\n'
                               'Use the "record full" or "record btrace" command first.')
        s.recording = False
        s.record_floor = None
        return ["Process record is stopped and all execution logs are deleted."]
    if sub in ("full", "btrace", "bts", "pt", "b"):
        if not s.running:
            raise CommandError("Process record: the program is not being run.")
        if s.recording:
            raise CommandError('The process is already being recorded.  Use "record stop" to '
                               "stop recording first.")
        if sub != "full":
            raise CommandError("Target does not support branch tracing.")
        s.recording = True
        s.record_floor = s.pos
        return []
    raise CommandError(f'Undefined record command: "{sub}".  Try "help record".')


def record_lowest(s: Any) -> int:
    """The number of the first recorded statement stop."""
    if s.record_floor is None:
        return 1
    return s.index.stop_number(s.record_floor) + 1


# --------------------------------------------------------------------------- checkpoints


def _forks(s: Any) -> dict[str, Any] | None:
    return s.__dict__.get("checkpoints")


def _pid(n: int) -> int:
    from .session import PID

    return PID if n == 0 else PID + 3 + n  # the forks' pids follow the process's


def checkpoint(s: Any, rest: str) -> list[str]:
    """A checkpoint is a position: gdb's fork, without the fork."""
    if not s.running:
        raise CommandError("The program is not being run.")
    forks = _forks(s)
    if forks is None:  # the process itself becomes checkpoint 0 (its position saved later)
        forks = s.__dict__["checkpoints"] = {"table": {0: [_pid(0), None]}, "current": 0,
                                             "highest": 0}
    forks["highest"] += 1
    n = forks["highest"]
    forks["table"][n] = [_pid(n), s.pos]
    if s.__dict__.get("from_tty"):
        return [f"checkpoint {n}: fork returned pid {forks['table'][n][0]}."]
    return []


def _checkpoint_id(s: Any, rest: str, what: str) -> int:
    from .commands import count_arg

    if not rest.strip():
        raise CommandError(f"Requires argument (checkpoint id to {what})")
    return count_arg(rest)


def restart(s: Any, rest: str) -> list[str]:
    n = _checkpoint_id(s, rest, "restart")
    forks = _forks(s)
    if forks is None or n not in forks["table"]:
        raise CommandError(f"Not found: checkpoint id {n}")
    forks["table"][forks["current"]][1] = s.pos  # the process left keeps its place
    forks["current"] = n
    pid, pos = forks["table"][n]
    if pos is not None:
        s.goto(pos)
        s.refresh_watch_values()
    top = s.frames()[0]
    return [f"Switching to process {pid}", f"#0  {s.frame_line(top)}", s.source_line(top)]


def delete_checkpoint(s: Any, rest: str) -> list[str]:
    n = _checkpoint_id(s, rest, "delete")
    forks = _forks(s)
    if forks is None or n not in forks["table"]:
        raise CommandError(f"No such checkpoint id, {n}")
    if n == forks["current"]:
        raise CommandError("Please switch to another checkpoint before deleting the current one")
    pid, _ = forks["table"].pop(n)
    if len(forks["table"]) == 1:  # one process left: gdb is back to a single process
        del s.__dict__["checkpoints"]
    return [f"Killed process {pid}"]


def info_checkpoints(s: Any, arg: str) -> list[str]:
    forks = _forks(s)
    if forks is None:
        return ["No checkpoints."]
    out = []
    saved = (s.pos, s.exited, s._state_cache, s.selected)
    try:
        for n, (pid, pos) in sorted(forks["table"].items()):
            mark = "* " if n == forks["current"] else "  "
            # the main process is QEMU's (threaded) inferior, which gdb names by its thread
            who = f"Thread {MAIN_THREAD:#x} (LWP {pid})" if n == 0 else f"process {pid}"
            head = f"{mark}{n} {who}{' (main process)' if n == 0 else ''}"
            if pos is None:  # gdb shows the process it never switched away from at 0x0
                out.append(f"{head} at 0x0")
                continue
            s.goto(pos)
            top = s.frames()[0]
            pc = s.frame_pc(0)
            out.append(f"{head} at {pc:#x}, file {top.file}, line {top.line}")
    finally:
        s.pos, s.exited, s._state_cache, s.selected = saved
    return out


# --------------------------------------------------------------------------- shell and pipe


def _shell() -> str:
    return os.environ.get("SHELL") or "/bin/sh"  # gdb's get_shell()


def _own_stdout() -> bool:
    """The debugger writes to this process's own stdout (the terminal, or the pipe of a
    tracesim process), where the shell's output goes straight as in gdb: not a stream a
    program put in its place (a test capturing it, the DAP adapter's protocol)."""
    return sys.stdout is sys.__stdout__ and sys.stdout is not None \
        and "tracesim.dap" not in sys.modules


def require_user_shell(s: Any) -> None:
    """Only the user's own commands start their shell: a front end reading them assigned
    Driver.from_tty (the command line, the REPL) and the output is the process's own. A
    program driving the debugger (a fuzzer feeding it junk, the DAP adapter) never does."""
    if not (s.__dict__.get("user_shell") and _own_stdout()):
        raise CommandError("Shell commands run only for a user's own commands (typed, -ex, -x "
                           "or stdin of a tracesim process), not for a program driving the "
                           "debugger.")


def _run_shell(s: Any, command: str, stdin_text: str | None) -> None:
    """COMMAND through the user's shell ($SHELL, else /bin/sh, as gdb's get_shell), its
    output straight to ours, as gdb's `shell` and `pipe` run it; sets $_shell_exitcode or
    $_shell_exitsignal."""
    require_user_shell(s)
    shell = _shell()
    argv = [shell, "-c", command] if command else [shell]
    data = None if stdin_text is None else stdin_text.encode("utf-8", "surrogateescape")
    try:
        sys.stdout.flush()
        done = subprocess.run(argv, input=data, check=False)
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the command
        raise CommandError(f"Cannot execute {shell}: {getattr(err, 'strerror', None) or err}")
    conv = s.inspect.history.convenience
    if done.returncode < 0:
        conv.pop("_shell_exitcode", None)
        conv["_shell_exitsignal"] = int_value(-done.returncode, INT)
    else:
        conv.pop("_shell_exitsignal", None)
        conv["_shell_exitcode"] = int_value(done.returncode, INT)


def shell_command(s: Any, rest: str) -> list[str]:
    from . import habits

    require_user_shell(s)
    pending = habits.take_partial(s)  # text written without its newline goes first
    if pending:
        sys.stdout.write(safe_text(pending))
    _run_shell(s, rest.strip(), None)
    return []


def pipe_command(s: Any, rest: str, execute: Callable[[Any, str], list[str]]) -> list[str]:
    """`pipe COMMAND | SHELL_COMMAND`, `| COMMAND | SHELL_COMMAND`, `pipe -d DELIM ...`:
    COMMAND's output is SHELL_COMMAND's standard input."""
    from . import habits

    text = rest.strip()
    delim = "|"
    if not text:
        raise CommandError("Missing COMMAND")
    if text.startswith("-d") and (len(text) == 2 or text[2].isspace()):
        parts = text[2:].split(None, 1)
        if not parts:
            raise CommandError("-d requires an argument")
        delim = parts[0]
        text = parts[1] if len(parts) > 1 else ""
    cut = text.find(delim)
    if cut < 0:
        raise CommandError("Missing delimiter before SHELL_COMMAND")
    command, shell_command = text[:cut].strip(), text[cut + len(delim):].strip()
    if not command:
        command = s.__dict__.get("last_command_line") or ""
        if not command:
            raise CommandError("No previous command to relaunch")
    if not shell_command:
        raise CommandError("Missing SHELL_COMMAND")
    require_user_shell(s)
    early = s.__dict__.pop("early_write", None)  # all of COMMAND's output goes to the pipe
    failure: CommandError | None = None
    try:
        lines = execute(s, command)
    except CommandError as err:
        lines, failure = [], err
    finally:
        if early is not None:
            s.__dict__["early_write"] = early
    fed = "".join(line + "\n" for line in lines) + habits.take_partial(s)
    _run_shell(s, shell_command, fed)
    if failure is not None:  # the shell's output, then the command's error, as gdb
        raise failure
    return []


# --------------------------------------------------------------------------- frames


def frame_command(s: Any, rest: str, select: Callable[..., list[str]]) -> list[str] | None:
    """`frame level N` and `frame function NAME`; None for the other forms."""
    word, _, arg = rest.strip().partition(" ")
    arg = arg.strip()
    if word == "level":
        from .commands import count_arg

        if not arg:
            raise CommandError("Argument required (expression to compute).")
        return select(s, count_arg(arg), level=True)  # type: ignore[no-any-return]
    if word == "function":
        if not arg:
            raise CommandError("Missing function name argument")
        if arg not in s.inspect.known_functions() and arg not in s.index.entries:
            raise CommandError(f'Function "{arg}" not defined.')
        frames = s.frames()
        if not frames:
            raise CommandError("No stack.")
        for k, f in enumerate(frames):
            if f.fn == arg:
                return select(s, k, level=True)  # type: ignore[no-any-return]
        raise CommandError(f'No frame for function "{arg}".')
    return None


def backtrace_slice(frames: list[Any], count: int | None) -> tuple[list[tuple[int, Any]], bool]:
    """bt N: the innermost N frames (and whether more follow); bt -N: the outermost N."""
    numbered = list(enumerate(frames))
    if count is None:
        return numbered, False
    if count < 0:
        return numbered[max(len(numbered) + count, 0):], False
    return numbered[:count], count < len(numbered)


# --------------------------------------------------------------------------- info line


def known_length(s: Any, file: str) -> int:
    """FILE's length where QEMU's tree is given (--qemu-src); else 0: the model knows a
    file only as far as its last traced line, not where it ends."""
    from . import habits

    return habits.file_lines(s, file) if s.source.qemu_src is not None else 0


def line_at_address(s: Any, address: int) -> tuple[str, int] | None:
    """The source line whose code holds `address`, by the code map `info line` and `break`
    use (the current file first), or None."""
    code = s.debug.code
    offset = address - code.load_base
    if offset <= 0:
        return None
    for name, (low, end) in s.debug.prologues.items():  # a prologue of the entry line's
        if low <= address < end:
            return s.debug.entry_lines[name]
    files: list[str] = []
    frames = s.frames()
    if frames and frames[0].call_index is not None:
        files.append(frames[0].file)
    files += sorted(code.anchors)
    files += sorted({f for f, _ in s.debug.entry_lines.values()})
    found: list[tuple[bool, str, int]] = []
    for file in dict.fromkeys(files):
        line = code.line_at(file, address, known_length(s, file) or 100000)
        if line is not None:
            found.append((code.address(file, line) != address, file, line))
    if not found:
        return None
    _, file, line = min(found, key=lambda c: c[0])  # a line that starts there first
    return file, line


def info_line(s: Any, arg: str,
              sentence: Callable[[Any, str, int, int | None], list[str]]) -> list[str] | None:
    """`info line *ADDRESS`, and LINE / FILE:LINE past the end of the file; None: the
    caller answers."""
    from .examine import start_address

    text = arg.strip()
    if text.startswith("*"):
        address = start_address(s, text[1:])
        where = line_at_address(s, address)
        if where is None:
            if address == 0:
                return ["No line number information available."]
            symbol = s.debug.symbol_at(address)
            name = ""
            if symbol is not None:
                name = f" <{symbol[0]}+{symbol[1]}>" if symbol[1] else f" <{symbol[0]}>"
            return [f"No line number information available for address {address:#x}{name}"]
        return sentence(s, *where, address)
    m = re.fullmatch(r"(?:(.+):)?(\d+)", text)
    if m is not None:
        loc = s.resolve_location(text)
        if loc.file and loc.line:
            total = known_length(s, loc.file)
            if total and loc.line > total:
                raise CommandError(f'Line number {loc.line} is out of range for "{loc.file}".')
    return None


# --------------------------------------------------------------------------- convenience

SIGINFO = re.compile(r"\$_siginfo\b")


def check_siginfo(s: Any, text: str) -> None:
    """$_siginfo is void with no process (as in gdb); stopped, gdb reads the kernel's
    siginfo, which a replay does not have: gdb's error where it cannot read it."""
    if s.running and SIGINFO.search(text):
        raise CommandError("Unable to read siginfo")


# --------------------------------------------------------------------------- list after a stop


def where_listing(s: Any) -> tuple[Any, ...]:
    return (s.pos, s.exited, s.selected)


def after_command(s: Any, before: tuple[Any, ...], name: str) -> None:
    """A stop or a frame selection makes `list` centre on that line again (gdb sets the
    default source line there)."""
    if name == "list":
        return
    if where_listing(s) != before or name in ("frame", "up", "down", "restart"):
        s.list_next = None
        s.__dict__.pop("list_first", None)
