"""Progress on a terminal for work that takes a while (issue 13, "Progress").

    with progress("Reading big.jsonl", total=size) as bar:
        for ...:
            bar.update(done)          # or bar.advance(n)

Nothing at all is shown unless stderr is a terminal and the work has run for more than
DELAY seconds: the bar (prompt_toolkit's ProgressBar, on stderr) starts then, with the first
update after the delay or, for a stretch of work that reports nothing (indexing, encoding),
from a timer. So a quick command prints nothing extra and never imports prompt_toolkit, and
one whose stderr is a pipe or a file shows nothing whatever its length (and starts no timer).
Callers update at their natural points (a trace block, a few thousand events, a piece); an
update is a comparison and, when a bar may be due, a clock reading. The bar reads no keys:
the terminal stays as it was, and Ctrl-C interrupts the work as it always does (the bar is
closed on the way out).
"""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import Any, Self


def _delay() -> float:
    """Seconds of work before a bar may appear: 1, or TRACESIM_PROGRESS_DELAY (0 to 60)."""
    try:
        value = float(os.environ.get("TRACESIM_PROGRESS_DELAY", "1"))
    except ValueError:
        return 1.0
    return value if 0 <= value <= 60 else 1.0


DELAY = _delay()
EVERY = 4096  # callers counting single events update at most this often


def wanted(stream: Any = None) -> bool:
    """Whether a bar may be shown at all: stderr is a terminal (and TERM is not dumb)."""
    stream = sys.stderr if stream is None else stream
    try:
        if stream is None or not stream.isatty():
            return False
    except (AttributeError, ValueError, OSError):
        return False
    return os.environ.get("TERM") != "dumb"


class Progress:
    """One piece of work's progress: `update(done)`, `advance(n)`, `stage(label, total)`.

    `enabled` is False when no bar can ever be shown (stderr is no terminal): callers may
    skip gathering counts then."""

    def __init__(self, label: str, total: int | None = None,
                 delay: float | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.enabled = wanted()
        self.started = time.monotonic()
        self.due = self.started + (DELAY if delay is None else delay)
        self._bar: Any = None  # the ProgressBar, once shown
        self._counter: Any = None
        self._closed = False
        self._lock: Any = None
        self._timer: Any = None
        if self.enabled:  # the bar comes at the first update after the delay, or without one
            import threading

            self._lock = threading.Lock()
            self._timer = threading.Timer(max(self.due - self.started, 0.0), self._show)
            self._timer.daemon = True
            self._timer.start()

    # --- what callers call -------------------------------------------------------------------
    def update(self, done: int, total: int | None = None) -> None:
        """The work done so far (in the units of total); total, when it becomes known."""
        self.done = done
        if total is not None:
            self.total = total
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() < self.due:
                return
            self._show()
        self._sync()

    def advance(self, n: int = 1) -> None:
        self.update(self.done + n)

    def stage(self, label: str, total: int | None = None) -> None:
        """The next part of the work: a new line under the finished one, if a bar is up."""
        if not self.enabled:
            self.label, self.total, self.done = label, total, 0
            return
        with self._lock:
            if self._counter is not None:
                self._finish_counter()
            self.label, self.total, self.done = label, total, 0
            if self._bar is not None:
                self._counter = self._bar(label=self._label(), total=total)

    # --- the bar ----------------------------------------------------------------------------
    def _label(self) -> str:
        return self.label + ": "

    def _show(self) -> None:
        """Put the bar up (from the work's thread at an update, or the timer's)."""
        with self._lock:
            if self._bar is None and not self._closed and self.enabled:
                self._start()

    def _start(self) -> None:
        try:
            from prompt_toolkit.output import create_output
            from prompt_toolkit.shortcuts import ProgressBar

            # the bar reads no keys, so the terminal is left in its own mode and Ctrl-C is
            # the usual SIGINT (KeyboardInterrupt in the work's thread)
            output = create_output(stdout=sys.stderr)
            output.enable_cpr = False  # nothing reads the terminal's answer
            bar = ProgressBar(formatters=_formatters(), output=output, input=_no_keys(),
                              cancel_callback=lambda: None)
            bar.__enter__()
        except Exception:  # noqa: BLE001  (no bar is worth failing the work for)
            self.enabled = False
            return
        self._bar = bar
        self._counter = bar(label=self._label(), total=self.total)
        import datetime

        # the work began before the bar did: its clock (elapsed, eta) from the start
        self._counter.start_time -= datetime.timedelta(seconds=time.monotonic() - self.started)

    def _sync(self) -> None:
        counter, bar = self._counter, self._bar
        if counter is None or bar is None:
            return
        done = self.done
        if self.total is not None:
            counter.total = self.total
            done = min(done, self.total)
        counter.items_completed = done
        bar.invalidate()

    def _finish_counter(self) -> None:
        counter = self._counter
        if self.total is not None:
            counter.total = self.total
            counter.items_completed = self.total
        counter.done = True
        self._counter = None

    def close(self, completed: bool = True) -> None:
        """Take the bar down (a finished one stays on the screen, at 100 %)."""
        if self._lock is None:
            return
        with self._lock:
            self._closed = True
            self._timer.cancel()
            bar = self._bar
        if bar is None:
            return
        try:
            if completed and self._counter is not None:
                self._sync()
                self._finish_counter()
        finally:
            self._bar = self._counter = None
            bar.__exit__(None, None, None)
            sys.stderr.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(completed=kind is None)


def _formatters() -> list[Any]:
    """prompt_toolkit's default line, with the percent and the total left out where the
    total is unknown (a running count and the time taken instead)."""
    from prompt_toolkit.layout.dimension import D
    from prompt_toolkit.shortcuts.progress_bar import formatters as f

    class Percent(f.Formatter):
        def format(self, progress_bar: Any, progress: Any, width: int) -> Any:
            if progress.total is None:
                return " " * 6
            return f"{progress.percentage:5.1f}%"

        def get_width(self, progress_bar: Any) -> Any:
            return D.exact(6)

    class Count(f.Formatter):
        def format(self, progress_bar: Any, progress: Any, width: int) -> Any:
            if progress.total is None:  # a count, if there is one
                return f"{progress.items_completed:,}" if progress.items_completed else ""
            return f"{progress.items_completed:,}/{progress.total:,}"

        def get_width(self, progress_bar: Any) -> Any:
            widths = [len(f"{c.items_completed:,}/{c.total or 0:,}") for c in
                      progress_bar.counters]
            return D.exact(max(widths, default=1))

    class Time(f.Formatter):
        def format(self, progress_bar: Any, progress: Any, width: int) -> Any:
            if progress.total is None or progress.done:
                return f"[{f._format_timedelta(progress.time_elapsed)}]"
            return f"eta [{f._format_timedelta(progress.time_left)}]" \
                if progress.time_left is not None else "eta [?]"

        def get_width(self, progress_bar: Any) -> Any:
            return D(min=9)

    return [f.Label(), f.Text(" "), Percent(), f.Text(" "), f.Bar(), f.Text(" "), Count(),
            f.Text(" "), Time()]


def _no_keys() -> Any:
    """An input that never has a key and never ends (prompt_toolkit's DummyInput ends the
    application at once)."""
    from contextlib import nullcontext

    from prompt_toolkit.input import DummyInput

    class NoKeys(DummyInput):
        @property
        def closed(self) -> bool:
            return False

        def attach(self, input_ready_callback: Any) -> Any:
            return nullcontext()

    return NoKeys()


def progress(label: str, total: int | None = None, delay: float | None = None) -> Progress:
    """A context manager: the Progress of one piece of work, shown only if it takes a while
    on a terminal."""
    return Progress(label, total, delay)
