"""`tracesim show`: a trace's events as text, or its statement stops.

Every line is one event: text from the trace (names, report texts, values) is escaped so
that neither a control character nor a newline reaches the terminal raw.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from .textsafe import safe_line
from .trace import events as ev
from .trace.seq import EventSeq, Run


def _walk(events: Sequence[Any], expand: bool) -> Iterator[tuple[int, Any]]:
    """(position, event) in order; unless `expand`, a run of repetitions (trace/seq.py)
    gives its first repetition and then (position, the Run) for the rest of it."""
    if expand or type(events) is not EventSeq:
        yield from enumerate(events)
        return
    for at, piece in events.pieces(0, len(events)):
        if type(piece) is not Run:
            yield at, piece
            continue
        for j, e in enumerate(piece.repetition(0)):
            yield at + j, e
        yield at + piece.width, piece


def _more(run: Run, at: int, stops: int) -> tuple[str, int]:
    """The line that stands for a run's other repetitions, and the stops in them."""
    per = sum(type(e) is ev.Step for e in run.repetition(0))
    more = per * (run.times - 1)
    last = run.stop - 1
    return (f"... {run.times - 1} more repetitions alike: events {at}-{last}, stops "
            f"{stops + 1}-{stops + more} (without --runs: each)", more)


def show_stops(events: Sequence[Any], expand: bool = True) -> Iterator[str]:
    """One line per statement stop: FUNCTION FILE:LINE (what gdb's `next` showed)."""
    stack: list[tuple[str, str]] = []
    stops = 0
    for at, e in _walk(events, expand):
        kind = type(e)
        if kind is ev.Step:
            stops += 1
            fn, file = stack[-1]
            yield safe_line(f"{fn} {file}:{e.line}")
        elif kind is ev.Call:
            stack.append((e.fn, e.file))
        elif kind is ev.Return:
            stack.pop()
        elif kind is Run:
            text, more = _more(e, at, stops)
            stops += more
            yield text


def _values(d: dict[str, Any]) -> str:
    return " ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in d.items())


def describe(e: Any) -> str:
    """One event, readably."""
    kind = type(e)
    if kind is ev.Step:
        return f"step    line {e.line}"
    if kind is ev.Call:
        return f"call    {e.fn} ({_values(e.args)}) at {e.file}"
    if kind is ev.Return:
        return "return" + ("" if e.value is None else f"  value={e.value!r}")
    if kind is ev.Write:
        return f"write   {e.path} = {e.value!r}"
    if kind is ev.Local:
        return f"local   {e.name} = {e.value!r}"
    if kind is ev.Branch:
        return f"branch  {e.line}: if ({e.cond}) -> {'taken' if e.taken else 'not taken'}" + (
            f"  [{_values(e.values)}]" if e.values else ""
        )
    if kind is ev.Assert:
        return f"assert  {e.line}: {e.cond} {'holds' if e.ok else 'FAILS'}" + (
            f"  [{_values(e.values)}]" if e.values else ""
        )
    if kind is ev.Loop:
        return f"loop    {e.line}: {e.var} = {e.value}"
    if kind is ev.Report:
        where = f" [{e.location}]" if e.location else ""
        return f"{e.kind:<7} {e.line}:{where} {e.text.rstrip()}"
    if kind is ev.Exit:
        return f"exit    {e.line}: status {e.status}"
    if kind is ev.Fact:
        return f"fact    {e.line}: {e.name} {_values(e.data)}"
    return repr(e)


def show_events(events: Sequence[Any], kinds: list[str] | None = None,
                expand: bool = True) -> Iterator[str]:
    """Every event with its index, the step count and the frame it happened in (a run of
    repetitions alike: the first, then one line for the rest, unless `expand`)."""
    wanted = set(kinds) if kinds else None
    stack: list[tuple[str, str]] = []
    stops = 0
    for index, e in _walk(events, expand):
        kind = type(e)
        if kind is Run:
            text, more = _more(e, index, stops)
            fn = stack[-1][0] if stack else "-"
            yield safe_line(f"{index:>7} {stops:>6}  {fn:<30} {text}")
            stops += more
            continue
        if kind is ev.Call:
            stack.append((e.fn, e.file))
        if kind is ev.Step:
            stops += 1
        if wanted is None or e.__struct_config__.tag in wanted:
            fn, file = stack[-1] if stack else ("-", "-")
            yield safe_line(f"{index:>7} {stops:>6}  {fn:<30} {describe(e)}")
        if kind is ev.Return:
            stack.pop()
