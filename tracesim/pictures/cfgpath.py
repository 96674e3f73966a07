"""The path one run took through a modelled function: how often each of its statement
stops was reached and each step from one to the next was taken, over all its calls.

Nodes are QEMU lines plus "entry", "return" and "exit" (the process ended while the
function was running, in it or in a callee), as in tracesim/qemu/cfg.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..trace import events as ev

Node = int | str
Key = tuple[Node, Node]
ENTRY, RETURN, EXIT = "entry", "return", "exit"


@dataclass
class FunctionPath:
    fn: str
    calls: int = 0
    nodes: Counter[Node] = field(default_factory=Counter)
    edges: Counter[Key] = field(default_factory=Counter)
    sequence: list[Node] = field(default_factory=list)  # every call's nodes, in order

    def step(self, src: Node, dst: Node) -> None:
        self.edges[(src, dst)] += 1
        self.nodes[dst] += 1
        self.sequence.append(dst)


def function_paths(
    events: Iterable[Any], names: Iterable[str] | None = None
) -> dict[str, FunctionPath]:
    """Fold a trace's events, in one pass, into the path each function took (all its calls
    together): every function that ran, or only `names`."""
    wanted = set(names) if names is not None else None
    paths: dict[str, FunctionPath] = {}
    stack: list[list[Any]] = []  # [path or None, last node] per frame
    for e in events:
        kind = type(e)
        if kind is ev.Step:
            frame = stack[-1]
            if frame[0] is not None:
                frame[0].step(frame[1], e.line)
                frame[1] = e.line
        elif kind is ev.Call:
            path = None
            if wanted is None or e.fn in wanted:
                path = paths.get(e.fn)
                if path is None:
                    path = paths[e.fn] = FunctionPath(e.fn)
                path.calls += 1
                path.nodes[ENTRY] += 1
                path.sequence.append(ENTRY)
            stack.append([path, ENTRY])
        elif kind is ev.Return:
            path, last = stack.pop()
            if path is not None and last != ENTRY:
                path.step(last, RETURN)
        elif kind is ev.Exit:
            for path, last in stack:
                if path is not None and last != ENTRY:
                    path.step(last, EXIT)
    return paths


def function_path(events: Iterable[Any], fn: str) -> FunctionPath:
    """The path `fn` took in a run (empty if it never ran)."""
    return function_paths(events, [fn]).get(fn) or FunctionPath(fn)


@dataclass
class Parting:
    """Where two runs' paths through a function first differ."""

    node: Node  # the last node both reached
    call: int  # which call of the function (1-based)
    a_next: Node | None  # where each goes next (None: that run's path ends there)
    b_next: Node | None


def first_divergence(a: FunctionPath, b: FunctionPath) -> Parting | None:
    """None when both runs take the very same path (or neither runs the function)."""
    sa, sb = a.sequence, b.sequence
    n = min(len(sa), len(sb))
    i = next((k for k in range(n) if sa[k] != sb[k]), n)
    if i == len(sa) == len(sb) or i == 0:
        return None
    calls = sum(1 for node in sa[:i] if node == ENTRY)
    return Parting(sa[i - 1], calls, sa[i] if i < len(sa) else None, sb[i] if i < len(sb) else None)
