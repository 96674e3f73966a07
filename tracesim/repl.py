"""The interactive front end: a prompt_toolkit REPL over the debugger's command table."""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.styles import Style
from pygments.lexers.c_cpp import CLexer

from .debugger import habits
from .debugger.breakpoints import CATCH_KINDS
from .debugger.commands import ALIASES, COMMANDS, INFO, CommandError, lookup
from .debugger.driver import Driver, exit_status
from .debugger.session import Session
from .textsafe import safe_line, safe_text

PROMPT = "(tracesim) "
STYLE = Style.from_dict({"bottom-toolbar": "bg:#222222 #aaaaaa"})


def history_path() -> Path:
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "tracesim" / "history"


class GdbCompleter(Completer):
    """Completes command names, then each command's argument as its table entry says."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        text = document.text_before_cursor
        words = text.split()
        if not words or (len(words) == 1 and not text.endswith(" ")):
            prefix = words[0] if words else ""
            for name in sorted(set(COMMANDS) | set(ALIASES)):
                if name.startswith(prefix):
                    yield Completion(name, -len(prefix))
            return
        try:
            cmd = lookup(words[0])
        except CommandError:
            return
        arg = text[len(text) - len(text.lstrip()) :].split(None, 1)
        rest = arg[1] if len(arg) > 1 else ""
        word = "" if text.endswith(" ") else words[-1]
        for candidate in self.candidates(cmd.completes, rest, word):
            # names come from the trace: shown escaped in the menu
            yield Completion(candidate, -len(word), display=safe_line(candidate))

    def candidates(self, kinds: tuple[str, ...], rest: str, word: str) -> list[str]:
        s = self.session
        out: list[str] = []
        for kind in kinds:
            if kind == "command":
                out += sorted(COMMANDS)
            elif kind == "info":
                out += sorted(INFO)
            elif kind == "catch":
                out += sorted(CATCH_KINDS)
            elif kind == "location":
                out += s.index.functions() + [f"{f}:{l}" for f, l in s.index.locations()]
            elif kind == "expression":
                out += s.inspect.complete(s.state(), s.frame_index_for_eval(), word)
        return [c for c in dict.fromkeys(out) if c.startswith(word)]


def toolbar(session: Session) -> Any:
    def text() -> str:
        total = len(session.index.stops)
        if session.pos is None:
            return f" not started: {total} statement stops recorded; `run` or `start` "
        if session.exited:
            return f" exited ({total} stops); reverse-continue or goto N to go back "
        frames = session.frames()
        top = frames[0] if frames else None
        where = f"{top.fn}  {top.file}:{top.line}" if top else ""
        return safe_line(f" step {session.current_stop_number()} of {total}   {where} ")

    return text


@contextmanager
def interruptible(session: Session) -> Iterator[None]:
    """Ctrl-C while a command runs: a search under way (continue, reverse-continue) stops
    where it got to, as gdb's record target stops a replay on SIGINT; anything else is
    interrupted at once ("Quit")."""

    def on_sigint(signum: int, frame: Any) -> None:
        if session.searching:
            session.interrupted = True
        else:
            raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread: Python's own handling stays
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        session.interrupted = False


def interact(session: Session, driver: Driver) -> int:
    """Read commands until quit or Ctrl-D."""
    # take the trace's checkpoints while the user reads and types: positions are then cheap
    if not getattr(session.timeline, "lazy", False):  # (read through its index: no need)
        threading.Thread(target=lambda: session.timeline.final, daemon=True).start()
    try:
        path = history_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        history: Any = FileHistory(str(path))
    except OSError:
        history = InMemoryHistory()
    prompt: PromptSession[str] = PromptSession(
        history=history,
        completer=GdbCompleter(session),
        lexer=PygmentsLexer(CLexer),
        bottom_toolbar=toolbar(session),
        style=STYLE,
        complete_while_typing=False,
    )
    session.__dict__["from_tty"] = True  # gdb's from_tty: typed at a terminal
    session.__dict__["user_shell"] = True  # the user's own commands: shell and pipe run
    session.__dict__["early_write"] = driver.write  # "Continuing." before a long search
    while True:
        try:
            # the body of `commands N` is read at gdb's ">" prompt
            line = prompt.prompt(">" if habits.reading_commands(session) else PROMPT)
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt clears the line, as in gdb
        except EOFError:
            print("quit")
            return 0
        try:
            with interruptible(session):
                driver.run_line(line, interactive=True)
        except SystemExit as done:
            return exit_status(done.code)
        except KeyboardInterrupt:
            print("Quit")
        waiting = habits.flush_partial(session)  # echo/output text without its newline
        if waiting:
            sys.stdout.write(safe_text(waiting))
        sys.stdout.flush()
