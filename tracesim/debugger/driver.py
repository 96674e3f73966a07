"""Runs command lines against a Session the way gdb does: errors are messages, an empty
line repeats the last command, batch mode stops at the end. Shared by the REPL, -batch,
`-x FILE`, `source FILE` and commands piped on stdin.

Everything written goes through textsafe: text from the trace or the QEMU arguments never
reaches the terminal with its control characters raw.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator

from ..textsafe import safe_text
from ..trace.store import TraceError
from .breakpoints import CommandError
from .commands import execute, lookup, split_command
from .session import Session

MAX_SOURCE_DEPTH = 32  # `source` inside sourced files (gdb recurses until it crashes)
MAX_LINE = 1 << 20  # bytes in one command line of a script or of stdin


@dataclass
class Outcome:
    lines: list[str]
    error: str | None = None


def decode_line(raw: bytes) -> str:
    """One line of a script, in any encoding: bytes that are not UTF-8 are kept (as gdb
    keeps them) and shown as `\\xNN` if they are ever printed."""
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    return raw.decode("utf-8", "surrogateescape")


def read_lines(stream: BinaryIO) -> Iterator[str | None]:
    """The lines of a script; None for a line longer than MAX_LINE (skipped to its end)."""
    while True:
        raw = stream.readline(MAX_LINE + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            yield None
            # only a reader that goes on (stdin) skips the rest, in bounded pieces
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MAX_LINE)
            continue
        yield decode_line(raw)


class Driver:
    def __init__(
        self, session: Session, write: Callable[[str], None], write_error: Callable[[str], None]
    ) -> None:
        self.session = session
        self._write = write
        self._write_error = write_error
        self.last_line: str | None = None
        self.last_failed = False
        self.depth = 0  # `source` nesting
        # gdb's from_tty: a command typed or piped on stdin (or -ex without -batch) says a
        # missing `source` file as an error; scripts and -batch as a warning
        self._from_tty = True
        # called after each command line: `tracesim debug` keeps what a command leaves
        # alive (the value history grows with each print) out of the collector's passes
        self.settle: Callable[[], None] | None = None

    @property
    def from_tty(self) -> bool:
        return self._from_tty

    @from_tty.setter
    def from_tty(self, value: bool) -> None:
        """Assigned by a front end that reads the user's own commands (the command line's
        -ex/-x/stdin, the REPL): only then do `shell` and `pipe` run the user's shell. A
        Driver a program builds (tests, fuzzers, the DAP adapter) never runs one."""
        self._from_tty = value
        self.session.__dict__["user_shell"] = True

    # write/write_error escape whatever they are given; a front end may swap the sinks
    # (the DAP adapter collects lines per request) and keeps the escaping
    @property
    def write(self) -> Callable[[str], None]:
        return self._escaped_write

    @write.setter
    def write(self, sink: Callable[[str], None]) -> None:
        self._write = sink

    @property
    def write_error(self) -> Callable[[str], None]:
        return self._escaped_write_error

    @write_error.setter
    def write_error(self, sink: Callable[[str], None]) -> None:
        self._write_error = sink

    def _escaped_write(self, text: str) -> None:
        self._write(safe_text(text))

    def _escaped_write_error(self, text: str) -> None:
        self._write_error(safe_text(text))

    def run_line(self, line: str, interactive: bool = False) -> None:
        """One command line; raises SystemExit for quit."""
        if not line.strip():
            if not interactive or self.last_line is None:
                return
            line = self.last_line
        elif line.lstrip().startswith("#"):
            return
        outcome = self.evaluate(line)
        try:
            name, _ = split_command(line)
            repeats = lookup(name).repeats
        except CommandError:
            repeats = True  # gdb repeats even a line it could not run (none says dont_repeat)
        self.last_line = line if repeats else None
        self.show(outcome)
        self.last_failed = outcome.error is not None
        if self.settle is not None:
            self.settle()

    def show(self, outcome: Outcome) -> None:
        for text in outcome.lines:
            self.write(text)
        if outcome.error is not None:
            self.write_error(outcome.error)

    def evaluate(self, line: str) -> Outcome:
        try:
            name, _ = split_command(line)
            if lookup(name).name == "source":  # its argument is a path: no `/FMT` split
                return self.source(line.strip()[len(name):])
            return Outcome(execute(self.session, line))
        except CommandError as err:
            return Outcome([], str(err))
        except KeyboardInterrupt:
            return Outcome([], "Quit")
        except RecursionError:
            return Outcome([], "Expression too complex.")
        except TraceError:  # a damaged block of a trace read lazily: the reader's error
            raise
        except Exception as err:  # a bug of ours: say so in one line, keep the session
            return Outcome([], f"tracesim internal error: {type(err).__name__}: {err}")

    # --- scripts ----------------------------------------------------------------------------
    def source(self, rest: str) -> Outcome:
        """`source FILE`: its commands, stopping at the first error as gdb does."""
        path = rest.strip()
        if path.startswith("-v ") or path.startswith("-s "):  # gdb's options: accepted
            path = path[3:].strip()
        if not path:
            raise CommandError("source command requires file name of file to source.")
        self.source_file(path, self.from_tty and self.depth == 0)
        return Outcome([])

    def source_file(self, path: str, from_tty: bool = False) -> None:
        """Run FILE's commands; an unreadable FILE is gdb's warning, an error in it stops
        it and is raised as `FILE:N: Error in sourced command file:` and the message."""
        if self.depth >= MAX_SOURCE_DEPTH:
            raise CommandError("Max user call depth exceeded -- command aborted.")
        try:
            stream = open(os.path.expanduser(path), "rb")
        except (OSError, ValueError) as err:  # ValueError: a NUL in the name
            why = getattr(err, "strerror", None) or "No such file or directory"
            if from_tty:
                raise CommandError(f"{path}: {why}.") from None
            self.write_error(f"warning: {path}: {why}")
            return
        self.depth += 1
        try:
            with stream:
                number = 0
                for number, line in enumerate(read_lines(stream), 1):
                    if line is None:
                        error: str | None = f"Line longer than {MAX_LINE} bytes."
                    elif not line.strip() or line.lstrip().startswith("#"):
                        continue
                    else:
                        outcome = self.evaluate(line)
                        for text in outcome.lines:
                            self.write(text)
                        error = outcome.error
                    if error is not None:
                        raise CommandError(
                            f"{path}:{number}: Error in sourced command file:\n{error}"
                        )
        except OSError as err:  # a read error half-way (EIO, a directory on some systems)
            raise CommandError(f"{path}: {err.strerror or err}.") from None
        finally:
            self.depth -= 1

    def run_file(self, path: str) -> None:
        """`-x FILE`: as `source FILE`, its error printed and remembered for -batch."""
        try:
            self.source_file(path, self.from_tty)
        except CommandError as err:
            self.write_error(str(err))
            self.last_failed = True
            return
        self.last_failed = False

    def read_commands(self, stream: BinaryIO, prompt: Callable[[], None]) -> int:
        """Commands from a pipe or file on stdin, as gdb reads them when stdin is not a
        terminal: the prompt before each read, no echo, an empty line repeats the last
        command, exit status 0 at end of input and `quit N`'s N."""
        try:
            for line in _prompted(read_lines(stream), prompt):
                if line is None:
                    self.write_error(f"Line longer than {MAX_LINE} bytes.")
                    continue
                self.run_line(line, interactive=True)
        except SystemExit as done:
            return exit_status(done.code)
        return 0


def _prompted(lines: Iterator[str | None], prompt: Callable[[], None]) -> Iterator[str | None]:
    while True:
        prompt()
        try:
            yield next(lines)
        except StopIteration:
            return


def exit_status(code: object) -> int:
    """A SystemExit's code as the process's status (`quit N` exits with N & 0xff)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1
