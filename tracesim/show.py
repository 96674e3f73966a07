"""`tracesim show`: a trace's events as text, or its statement stops.

Every line is one event: text from the trace (names, report texts, values) is escaped so
that neither a control character nor a newline reaches the terminal raw.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from .textsafe import safe_line
from .trace import events as ev


def show_stops(events: Sequence[Any]) -> Iterator[str]:
    """One line per statement stop: FUNCTION FILE:LINE (what gdb's `next` showed)."""
    stack: list[tuple[str, str]] = []
    for e in events:
        kind = type(e)
        if kind is ev.Step:
            fn, file = stack[-1]
            yield safe_line(f"{fn} {file}:{e.line}")
        elif kind is ev.Call:
            stack.append((e.fn, e.file))
        elif kind is ev.Return:
            stack.pop()


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


def show_events(events: Sequence[Any], kinds: list[str] | None = None) -> Iterator[str]:
    """Every event with its index, the step count and the frame it happened in."""
    wanted = set(kinds) if kinds else None
    stack: list[tuple[str, str]] = []
    stops = 0
    for index, e in enumerate(events):
        kind = type(e)
        if kind is ev.Call:
            stack.append((e.fn, e.file))
        if kind is ev.Step:
            stops += 1
        if wanted is None or e.__struct_config__.tag in wanted:
            fn, file = stack[-1] if stack else ("-", "-")
            yield safe_line(f"{index:>7} {stops:>6}  {fn:<30} {describe(e)}")
        if kind is ev.Return:
            stack.pop()
