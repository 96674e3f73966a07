"""Values, events and step numbers in C's words, for the explanations and the text report.

This module holds the small vocabulary the rest of `tracesim diff` speaks in: a value as C
shows it (`true`, `NULL`, `"q35"`), operands as `name = value` lists, ordinals, step numbers
of both runs, a trace event in a line (`describe_event`) and the notable things a unit does
(`unit_summary`). It knows nothing of hunks, options or outcomes.
"""
from __future__ import annotations

from typing import Any

from ..qemu.process import render_report
from ..trace import events as ev
from .align import Unit


def _c(v: Any) -> str:
    """A value as C shows it."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return f'"{v}"'
    return str(v)


def _kv(d: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {_c(v)}" for k, v in d.items())


def describe_event(e: Any) -> str:
    kind = type(e)
    if kind is ev.Branch:
        return f"if ({e.cond}) is {_c(e.taken)}" + (f" [{_kv(e.values)}]" if e.values else "")
    if kind is ev.Assert:
        return f"assert ({e.cond}) {'holds' if e.ok else 'FAILS'}" + \
            (f" [{_kv(e.values)}]" if e.values else "")
    if kind is ev.Write:
        return f"{e.path} = {_c(e.value)}"
    if kind is ev.Local:
        return f"{e.name} = {_c(e.value)}"
    if kind is ev.Loop:
        return f"loop: {e.var} = {_c(e.value)}"
    if kind is ev.Report:
        return render_report(e.kind, e.text, e.location).rstrip("\n")
    if kind is ev.Exit:
        return f"exit({e.status})"
    if kind is ev.Fact:
        return f"{e.name} {_kv(e.data)}"
    if kind is ev.Call:
        return f"calls {e.fn} ({_kv(e.args)})"
    if kind is ev.Return:
        return "returns" + ("" if e.value is None else f" {_c(e.value)}")
    return repr(e)


def unit_summary(u: Unit, width: int = 110) -> str:
    """The notable things a unit does, in a line: its decision, stores, messages, the call."""
    bits = []
    if u.kind == "call" and u.frame is not None:
        bits.append(f"→ {u.frame.fn}")
    elif u.kind == "ret" and u.frame is not None:
        bits.append(f"← return from {u.frame.fn}"
                    + ("" if u.head is None or u.head.value is None else f" {_c(u.head.value)}"))
    for e in u.events:
        kind = type(e)
        if kind in (ev.Branch, ev.Assert, ev.Report, ev.Exit, ev.Write):
            bits.append(describe_event(e))
        elif kind is ev.Fact and e.name in ("error.set",):
            bits.append(describe_event(e))
    text = "; ".join(bits)
    return text if len(text) <= width else text[:width - 1] + "…"


def _step_words(a: int, b: int, kind: str = "step") -> str:
    if a == b == 0:
        return "before the first stop"
    return f"step {_steps(a, b)}" if kind == "step" else f"after step {_steps(a, b)}"


def _steps(a: int, b: int) -> str:
    if a == b:
        return f"{a} of both runs" if a else "before the first stop"
    return f"{a} of A, {b} of B"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
