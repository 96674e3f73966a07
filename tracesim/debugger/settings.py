"""gdb's `set` and `show` for the settings a replay honours, with gdb 13's sentences.

listsize, pagination, confirm, print pretty|elements|repeats and exec-direction. A value
is read as gdb reads it (numbers through the expression evaluator, so `set listsize abc`
fails as gdb's does); `set EXPR` that names no setting is an expression (`set $x = 1`,
`set var ms->ram_size = 1` refused: the replay is read-only).

The value printer (format.py) reads its limits from module constants; `applied` sets them
from a session's settings for the time of one command and puts them back after.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any, Iterator

from ..debuginfo.ctypes import Array, Struct, strip
from . import format as fmt
from .breakpoints import CommandError

UNLIMITED = None
HUGE = 1 << 62  # "unlimited" as the printer's bound


@dataclass
class Settings:
    listsize: int | None = 10
    pagination: bool = True
    confirm: bool = True
    pretty: bool = False
    elements: int | None = 200
    repeats: int | None = 10
    reverse: bool = False


def of(session: Any) -> Settings:
    """The session's settings (made on first use)."""
    found = session.__dict__.get("settings")
    if found is None:
        found = session.__dict__["settings"] = Settings()
    return found


# name -> (attribute, kind, show sentence, help)
TOP: dict[str, tuple[str, str, str, str]] = {
    "confirm": ("confirm", "bool", "Whether to confirm potentially dangerous operations is {}.",
                "confirmation of potentially dangerous operations."),
    "exec-direction": ("reverse", "direction", "{}",
                       "direction of execution."),
    "listsize": ("listsize", "limit-listsize", "Number of source lines gdb will list by "
                 "default is {}.", "number of source lines gdb will list by default."),
    "pagination": ("pagination", "bool", "State of pagination is {}.",
                   "state of GDB output pagination."),
}
PRINT: dict[str, tuple[str, str, str, str]] = {
    "elements": ("elements", "limit", "Limit on string chars or array elements to print is {}.",
                 "limit on string chars or array elements to print."),
    "pretty": ("pretty", "bool", "Pretty formatting of structures is {}.",
               "pretty formatting of structures."),
    "repeats": ("repeats", "limit", "Threshold for repeated print elements is {}.",
                "threshold for repeated print elements."),
}
SHOW_HELP = {"exec-direction": "direction of execution (forward/reverse)."}


def help_lines() -> list[tuple[str, str]]:
    """(`set NAME`/`show NAME`, first help line) for apropos and help."""
    out = []
    for prefix, table in (("", TOP), ("print ", PRINT)):
        for name, (_, _, _, text) in table.items():
            out.append((f"set {prefix}{name}", f"Set {text}"))
            out.append((f"show {prefix}{name}", f"Show {SHOW_HELP.get(name, text)}"))
    return out


def _lookup(table: dict[str, Any], word: str, what: str) -> str | None:
    if word in table:
        return word
    matches = sorted(n for n in table if n.startswith(word))
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise CommandError(f'Ambiguous {what} command "{word}": {", ".join(matches)}.')
    return None


def _value_text(st: Settings, attr: str, kind: str) -> str:
    value = getattr(st, attr)
    if kind == "bool":
        return "on" if value else "off"
    if kind == "direction":
        return "Reverse." if value else "Forward."
    return "unlimited" if value is None else str(value)


def _integer(session: Any, text: str) -> int:
    """A number as gdb's `set` reads it: an expression of the program."""
    value, _ = session.inspect.value(session.state(), session.frame_index_for_eval(), text)
    data = value.data
    if isinstance(data, (dict, list)) or data is None:
        raise CommandError("Invalid cast.")
    return int(data)


def _parse(session: Any, kind: str, text: str) -> Any:
    text = text.strip()
    if kind == "bool":
        word = text.lower()
        if not word:
            return True
        for words, value in ((("on", "yes", "enable", "1"), True),
                             (("off", "no", "disable", "0"), False)):
            if word in words or any(w.startswith(word) for w in words if len(word) > 1):
                return value
        raise CommandError('"on" or "off" expected.')
    if kind == "direction":
        if not text:
            raise CommandError("Requires an argument. Valid arguments are forward, reverse.")
        matches = [d for d in ("forward", "reverse") if d.startswith(text)]
        if len(matches) != 1:
            raise CommandError(f'Undefined item: "{text}".')
        return matches[0] == "reverse"
    # limits: a count, 0 or "unlimited" for none
    if not text:
        raise CommandError('Argument required (integer to set it to, or "unlimited").')
    if "unlimited".startswith(text) and len(text) >= 1 and text.isalpha():
        return UNLIMITED
    n = _integer(session, text)
    if kind == "limit-listsize":  # an integer setting: -1 and 0 say unlimited
        if n in (0, -1):
            return UNLIMITED
        if not -1 <= n <= (1 << 31) - 1:
            raise CommandError(f"integer {n} out of range")
        return n
    if n < 0 or n > (1 << 32) - 2:
        raise CommandError(f"integer {n} out of range")
    return UNLIMITED if n == 0 else n


def _subcommand_list(prefix: str, table: dict[str, tuple[str, str, str, str]],
                     verb: str) -> list[str]:
    lines = [f"List of {verb} {prefix}subcommands:", ""]
    for name, (_, _, _, text) in sorted(table.items()):
        lines.append(f"{verb} {prefix}{name} -- {verb.capitalize()} {SHOW_HELP.get(name, text) if verb == 'show' else text}")
    lines += ["", f'Type "help {verb} {prefix.strip()}" followed by {verb} {prefix}subcommand '
              "name for full documentation.",
              'Type "apropos word" to search for commands related to "word".',
              'Type "apropos -v word" for full documentation of commands related to "word".',
              "Command name abbreviations are allowed if unambiguous."]
    return lines


def set_command(session: Any, rest: str) -> list[str]:
    """`set NAME VALUE`, `set print NAME VALUE`, else `set EXPR`."""
    text = rest.strip()
    if not text:
        raise CommandError("Argument required (expression to compute).")
    m = re.match(r"([A-Za-z][\w-]*)\s*(.*)$", text, re.S)
    if m:
        word, value = m.group(1), m.group(2)
        if not value.startswith("=") or value.startswith("=="):
            if word in ("var", "variable") or (len(word) >= 2 and "variable".startswith(word)
                                               and word != "v"):
                return assign(session, value)
            if word in ("p", "pr", "print"):
                return _set_print(session, value)
            name = _lookup(TOP, word, "set")
            if name is not None:
                attr, kind, _, _ = TOP[name]
                new = _parse(session, kind, value)
                if name == "exec-direction" and new and not (
                        session.running and session.recording):  # gdb: no record, no reverse
                    raise CommandError("Target does not support this operation.")
                setattr(of(session), attr, new)
                return []
    return assign(session, text)


def _set_print(session: Any, text: str) -> list[str]:
    word, _, value = text.strip().partition(" ")
    if not word:
        return _subcommand_list("print ", PRINT, "set")
    name = _lookup(PRINT, word, "set print")
    if name is None:
        raise CommandError(f'Undefined set print command: "{text.strip()}".  '
                           'Try "help set print".')
    attr, kind, _, _ = PRINT[name]
    setattr(of(session), attr, _parse(session, kind, value))
    return []


REGISTERS = re.compile(r"\$(pc|sp|fp|rip|rsp|rbp|eflags|rax|rbx|rcx|rdx|rsi|rdi|r[89]|r1[0-5])\b")


def assign(session: Any, text: str) -> list[str]:
    """`set var EXPR`: convenience variables take values; the program's state is the
    recording's and does not change (the evaluator refuses, in one line)."""
    from . import evaluate as ev_mod
    from . import expr as ex

    text = text.strip()
    if not text:
        raise CommandError("Argument required (expression to compute).")
    try:
        node = ev_mod.parse(session.debug, text)
    except ex.GdbError as err:
        raise CommandError(err.message)
    if isinstance(node, ex.Assign) and isinstance(node.target, ex.ConvVar) \
            and REGISTERS.fullmatch("$" + node.target.name):
        raise CommandError("tracesim replays a recorded trace: the program's state cannot "
                           "be changed.")
    session.inspect.value(session.state(), session.frame_index_for_eval(), text)
    if not isinstance(node, ex.Assign):
        return ["warning: Expression is not an assignment (and might have no effect)"]
    return []


def show_command(session: Any, rest: str) -> list[str] | None:
    """gdb's sentence for a setting; None when REST names none of ours."""
    text = rest.strip()
    st = of(session)
    if not text:
        return [f"{name}:  {sentence.format(_value_text(st, attr, kind))}"
                for name, (attr, kind, sentence, _) in sorted(TOP.items())] + \
               _show_print(st)
    word, _, more = text.partition(" ")
    if word in ("p", "pr", "print"):
        sub = more.strip()
        if not sub:
            return _show_print(st)
        name = _lookup(PRINT, sub.split()[0], "show print")
        if name is None:
            raise CommandError(f'Undefined show print command: "{sub}".  Try "help show print".')
        attr, kind, sentence, _ = PRINT[name]
        return [sentence.format(_value_text(st, attr, kind))]
    name = _lookup(TOP, word, "show")
    if name is None:
        return None
    attr, kind, sentence, _ = TOP[name]
    return [sentence.format(_value_text(st, attr, kind))]


def _show_print(st: Settings) -> list[str]:
    return [f"print {name}:  {sentence.format(_value_text(st, attr, kind))}"
            for name, (attr, kind, sentence, _) in sorted(PRINT.items())]


# --------------------------------------------------------------------------- the printer


class PrettyPrinter(fmt.Printer):
    """`set print pretty on`: one member a line, indented two spaces a level, as gdb."""

    depth = 0

    def body(self, value: Any) -> str:
        s = strip(value.type)
        if isinstance(s, Struct) and s.fields:
            value.data  # fetch the whole struct at once, as gdb does
            level = self.depth
            self.depth = level + 1
            try:
                parts = [" " * (2 * (level + 1)) + f"{f.name} = {self.body(value.field(f.name))}"
                         for f in s.fields]
            finally:
                self.depth = level
            return "{\n" + ",\n".join(parts) + "\n" + " " * (2 * level) + "}"
        if isinstance(s, Array):
            self.depth += 1
            try:
                return super().body(value)
            finally:
                self.depth -= 1
        return super().body(value)


@contextlib.contextmanager
def applied(session: Any) -> Iterator[None]:
    """The session's print settings in force in format.py for one command."""
    st = of(session)
    elements = HUGE if st.elements is None else st.elements
    repeats = HUGE if st.repeats is None else st.repeats
    printer = PrettyPrinter if st.pretty else fmt.Printer
    saved = (fmt.PRINT_ELEMENTS, fmt.REPEAT_THRESHOLD, fmt.Printer)
    base = saved[2] if not issubclass(saved[2], PrettyPrinter) else saved[2].__mro__[1]
    changed = (elements, repeats) != saved[:2]
    fmt.PRINT_ELEMENTS, fmt.REPEAT_THRESHOLD = elements, repeats
    fmt.Printer = printer if st.pretty else base  # type: ignore[misc]
    if changed:
        fmt._print_chars.cache_clear()  # its results depend on the two limits
    try:
        yield
    finally:
        fmt.PRINT_ELEMENTS, fmt.REPEAT_THRESHOLD, fmt.Printer = saved  # type: ignore[misc]
        if changed:
            fmt._print_chars.cache_clear()
