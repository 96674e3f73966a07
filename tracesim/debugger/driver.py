"""Runs command lines against a Session the way gdb does: errors are messages, an empty
line repeats the last command, batch mode stops at the end. Shared by the REPL and -batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .breakpoints import CommandError
from .commands import execute, lookup, split_command
from .session import Session


@dataclass
class Outcome:
    lines: list[str]
    error: str | None = None


class Driver:
    def __init__(
        self, session: Session, write: Callable[[str], None], write_error: Callable[[str], None]
    ) -> None:
        self.session = session
        self.write = write
        self.write_error = write_error
        self.last_line: str | None = None
        self.last_failed = False

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
            repeats = False
        self.last_line = line if repeats else None
        for text in outcome.lines:
            self.write(text)
        if outcome.error is not None:
            self.write_error(outcome.error)
        self.last_failed = outcome.error is not None

    def evaluate(self, line: str) -> Outcome:
        try:
            return Outcome(execute(self.session, line))
        except CommandError as err:
            return Outcome([], str(err))
        except KeyboardInterrupt:
            return Outcome([], "Quit")
        except RecursionError:
            return Outcome([], "Expression too complex.")
        except Exception as err:  # a bug of ours: say so in one line, keep the session
            return Outcome([], f"tracesim internal error: {type(err).__name__}: {err}")

