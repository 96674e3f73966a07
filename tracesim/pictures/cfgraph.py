"""A modelled function's control-flow graph as DOT, from the model's own successor table
(tracesim/qemu/cfg.py), with runs drawn over it: one run's path with the times each step
was taken, two runs with where they part, or many runs as branch coverage.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from .cfgpath import ENTRY, EXIT, RETURN, FunctionPath, Key, Node, Parting
from .dot import FONT, MONO, attrs, clip, esc, wrap
from ..qemu.cfg import EXIT_IN_CALLEE, FunctionCFG

BLUE, ORANGE, PURPLE = "#1565c0", "#ef6c00", "#6a1b9a"
GREY, RED, INK = "#b0bec5", "#d32f2f", "#37474f"
PART = "#c2185b"


@dataclass
class EdgeMark:
    color: str = GREY
    width: float = 1.0
    style: str | None = None
    counts: str = ""  # a second label line: ×3, A×2 B×1, 4/11 scenarios
    note: str = ""  # added to the tooltip


@dataclass
class NodeMark:
    fill: str = "white"
    color: str = "#90a4ae"
    width: float = 1.0
    counts: str = ""
    note: str = ""


@dataclass
class Marks:
    edges: dict[Key, EdgeMark] = field(default_factory=dict)
    nodes: dict[Node, NodeMark] = field(default_factory=dict)
    caption: list[str] = field(default_factory=list)  # lines under the title
    legend: str = ""


Url = Callable[[str], "str | None"]


def static_edges(cfg: FunctionCFG) -> dict[Key, str]:
    """(from, to) -> condition, with the entry edge."""
    out: dict[Key, str] = {(ENTRY, cfg.entry): ""}
    for src, dst, cond in cfg.edges:
        out[(src, dst)] = cond
    return out


def _width(count: int) -> float:
    return round(1.6 + min(2.4, math.log10(count + 1) * 1.2), 1) if count else 1.0


def single_run(path: FunctionPath, label: str = "this run") -> Marks:
    """One run's path in blue, each step labelled with how often it was taken."""
    marks = Marks(legend=f"blue: {label}'s path (×n: times taken) · grey: not taken")
    for key, n in path.edges.items():
        marks.edges[key] = EdgeMark(BLUE, _width(n), counts=f"×{n}")
    for node, n in path.nodes.items():
        marks.nodes[node] = NodeMark("#e3f2fd", BLUE, 1.4, f"×{n}")
    return marks


def two_runs(a: FunctionPath, b: FunctionPath, parting: Parting | None) -> Marks:
    """Both paths: A-only blue, B-only orange, both purple; where they part marked."""
    marks = Marks(legend="blue: A only · orange: B only · purple: both · grey: neither")
    for key in set(a.edges) | set(b.edges):
        na, nb = a.edges.get(key, 0), b.edges.get(key, 0)
        color = PURPLE if na and nb else BLUE if na else ORANGE
        marks.edges[key] = EdgeMark(color, _width(na + nb), counts=_ab(na, nb))
    for node in set(a.nodes) | set(b.nodes):
        na, nb = a.nodes.get(node, 0), b.nodes.get(node, 0)
        fill = "#f3e5f5" if na and nb else "#e3f2fd" if na else "#fff3e0"
        color = PURPLE if na and nb else BLUE if na else ORANGE
        marks.nodes[node] = NodeMark(fill, color, 1.4, _ab(na, nb))
    if parting is not None:
        mark = marks.nodes[parting.node]
        mark.color, mark.width = PART, 3.0
        mark.note = f"A and B part here, in call {parting.call}"
        for nxt, who in ((parting.a_next, "A"), (parting.b_next, "B")):
            if nxt is not None and (parting.node, nxt) in marks.edges:
                edge = marks.edges[(parting.node, nxt)]
                edge.style = "bold"
                edge.note += f" {who} goes this way where they part."
    return marks


def _ab(na: int, nb: int) -> str:
    return " ".join(f"{who}×{n}" for who, n in (("A", na), ("B", nb)) if n)


def coverage(cfg: FunctionCFG, paths: Sequence[tuple[str, FunctionPath]]) -> Marks:
    """Branch coverage over many runs: each step with the runs that take it; steps no run
    takes in red, dashed."""
    total = len(paths)
    marks = Marks(
        legend=f"green: taken (k/{total}: by k of the {total} scenarios that run it) · "
        "red dashed: no scenario takes it"
    )
    for key in static_edges(cfg):
        who = [name for name, p in paths if p.edges.get(key)]
        if who:
            marks.edges[key] = EdgeMark(
                "#2e7d32",
                _width(len(who)),
                counts=f"{len(who)}/{total}",
                note=" Taken by: " + ", ".join(who),
            )
        else:
            marks.edges[key] = EdgeMark(
                RED, 1.2, "dashed", counts="never", note=" No scenario takes it."
            )
    reached = {node for _, p in paths for node in p.nodes}
    for node in _nodes(cfg):
        marks.nodes[node] = (
            NodeMark("#e8f5e9", "#2e7d32", 1.2)
            if node in reached
            else NodeMark("#ffebee", RED, 1.2, note="no scenario reaches it")
        )
    return marks


def _nodes(cfg: FunctionCFG) -> list[Node]:
    found: set[Node] = {ENTRY}
    for src, dst in static_edges(cfg):
        found |= {src, dst}
    return sorted(found, key=_order)


def _order(node: Node) -> tuple[int, int, str]:
    return (
        (0, node, "")
        if isinstance(node, int)
        else (1, 0, str(node))
        if node != ENTRY
        else (-1, 0, "")
    )


def _node_id(node: Node) -> str:
    return f"L{node}" if isinstance(node, int) else f"_{node}"


# --- how a statement reads in the picture -------------------------------------------------------
TEXT_WIDTH = 34  # characters of statement text per line of a node (DejaVu Sans Mono)
SHORT_CONDITION = 24  # a condition the box does not show is written out when this short
CONTINUATION_SPAN = 6  # lines a multi-line statement may span
NOTHING = "#78909c"  # what the model does not record, in grey
_DECISION = re.compile(r"^(?:if|while) \((.*)\)$|^for \(\.\.\.; (.*); \.\.\.\)$")


@dataclass
class Reading:
    """What the picture says about a function's lines beyond the model's table: which lines
    continue a statement begun above (gdb stops on each line of a multi-line condition or
    call), and which decisions are switches."""

    heads: dict[int, int]  # continuation line -> the line its statement starts on
    spans: dict[int, int]  # a multi-line statement's first line -> its last line
    switches: dict[int, str]  # line -> the value it switches on
    succ: dict[int, list[tuple[Node, str]]] = field(default_factory=dict)  # line -> steps


def decision_of(text: str) -> str | None:
    """The condition of `if (C)`, `while (C)` or `for (...; C; ...)`."""
    m = _DECISION.match(text)
    return None if m is None else (m.group(1) or m.group(2))


def reading(cfg: FunctionCFG) -> Reading:
    succ: dict[int, list[tuple[Node, str]]] = defaultdict(list)
    for src, dst, cond in cfg.edges:
        succ[src].append((dst, cond))
    heads: dict[int, int] = {}
    spans: dict[int, int] = {}
    for head in sorted(succ):
        if head in heads or not cfg.statements.get(head):
            continue
        decided = decision_of(cfg.statements[head])
        ends = {decided, f"!({decided})"} if decided else set()

        def part_of(line: int, ends: set[str | None] = ends) -> bool:
            """No statement of its own, or one that ends the head's decision (the model
            may record the loop's next step on the condition's last line)."""
            return not cfg.statements.get(line) or any(c in ends for _, c in succ[line])

        # the lines one steps to from `head` without a decision, close below it ...
        reach: set[int] = set()
        todo = [head]
        while todo:
            for dst, cond in succ[todo.pop()]:
                if (isinstance(dst, int) and head < dst <= head + CONTINUATION_SPAN and not cond
                        and dst not in reach and dst not in heads and part_of(dst)):
                    reach.add(dst)
                    todo.append(dst)
        # ... up to the last that steps back into the statement: gdb going to and fro over
        # the lines of one statement, as it evaluates a multi-line condition or call
        back = [x for x in reach
                if any(isinstance(d, int) and head <= d < x for d, _ in succ[x])]
        if not back:
            continue
        spans[head] = max(back)
        for line in reach:
            if line <= spans[head]:
                heads[line] = head
    switches: dict[int, str] = {}
    for line, out in succ.items():
        value = decision_of(cfg.statements.get(line, ""))
        cases = [c for _, c in out if c]
        if value and len(cases) > 1 and all(c.startswith(f"{value} == ") for c in cases):
            switches[line] = value
    return Reading(heads, spans, switches, dict(succ))


def _lines(text: str, width: int = TEXT_WIDTH) -> list[str]:
    """C text in lines of `width`, broken at spaces (a long word: anywhere), none lost."""
    out: list[str] = []
    words = []
    for word in text.split(" "):  # a long word parts after `->`, `.`, `[`, `(` or `,`
        while len(word) > width:
            cut = max(word.rfind(s, 0, width - len(s) + 1) + len(s) for s in ("->", ".", "[", "(", ","))
            if cut < width // 3:
                break
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    for word in words:
        while len(word) > width:
            room = width - len(out[-1]) - 1 if out and len(out[-1]) + 1 < width else 0
            if room > 8:
                out[-1] += " " + word[:room]
                word = word[room:]
            else:
                out.append(word[:width])
                word = word[width:]
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        elif word:
            out.append(word)
    return out or [""]


def _statement_label(cfg: FunctionCFG, node: int, read: Reading) -> tuple[str, str]:
    """A line's label (HTML, without its counts) and its tooltip text."""
    text = cfg.statements.get(node, "")
    head = read.heads.get(node)
    if head is not None:
        what = "condition" if decision_of(cfg.statements.get(head, "")) else "statement"
        tip = f"line {node - head + 1} of the {what} that starts on line {head}"
        note = f"⋯ {head}'s {what}, continued" + (f"; {text}" if text else "")
        return f'<B>{node}</B>  <FONT COLOR="{NOTHING}"><I>{esc(note)}</I></FONT>', tip
    if not text:
        tip = "gdb stops on this line; the model records nothing here"
        return f'<B>{node}</B>  <FONT COLOR="{NOTHING}"><I>(nothing recorded)</I></FONT>', tip
    if node in read.switches:
        text = f"switch ({read.switches[node]})"
    elif text.startswith("for (...; ") and text.endswith("; ...)"):
        text = f"for (…; {text[10:-6]}; …)"
    number = f"<B>{node}</B>" + (f"–{read.spans[node]}" if node in read.spans else "")
    body = _lines(text, TEXT_WIDTH)
    indent = " " * (len(str(node)) + (len(str(read.spans[node])) + 1 if node in read.spans
                                      else 0) + 2)
    rows = [f"{number}  {esc(body[0])}"] + [f"{indent}{esc(x)}" for x in body[1:]]
    return '<BR ALIGN="LEFT"/>'.join(rows), text


def _node_attrs(
    cfg: FunctionCFG, node: Node, mark: NodeMark, url: Url | None, read: Reading | None = None
) -> str:
    read = read or reading(cfg)
    counts = (
        f'<FONT FACE="{FONT}" POINT-SIZE="10" COLOR="{mark.color}"> {esc(mark.counts)}</FONT>'
        if mark.counts
        else ""
    )
    if node == ENTRY:
        return attrs(
            label=("html", f"<B>{esc(cfg.name)}</B>{counts}"),
            shape="box",
            style="rounded,filled,bold",
            fillcolor=mark.fill,
            color=mark.color,
            fontname=FONT,
            tooltip=f"{cfg.name} ({cfg.file}): entry",
        )
    if node in (RETURN, EXIT):
        shape = "octagon" if node == EXIT else "oval"
        return attrs(
            label=("html", f"{node}{counts}"),
            shape=shape,
            style="filled",
            fillcolor=mark.fill,
            color=RED if node == EXIT else mark.color,
            penwidth=str(mark.width),
            fontname=FONT,
            tooltip="the process exits (here or in a callee)" if node == EXIT else "return",
        )
    assert isinstance(node, int)
    text, tip_text = _statement_label(cfg, node, read)
    callees = cfg.calls.get(node, ())
    link = url(callees[0]) if url and callees else None
    multi = "<BR" in text
    label = text + counts + ('<BR ALIGN="LEFT"/>' if multi else "")
    if mark.note:
        label += (f'<BR/><FONT FACE="{FONT}" POINT-SIZE="10" COLOR="{PART}">'
                  f"{esc(mark.note)}</FONT>")
    tip = f"{cfg.file}:{node}  {tip_text}" + (f" ({mark.note})" if mark.note else "")
    return attrs(
        label=("html", label),
        fillcolor=mark.fill,
        color=mark.color,
        penwidth=str(mark.width),
        tooltip=tip,
        URL=link,
        target="_top" if link else None,
    )


def edge_text(cfg: FunctionCFG, key: Key, cond: str, read: Reading) -> str:
    """What an edge says: true or false out of a statement whose condition its box shows (or
    the case of a switch), else the condition itself; a step between the lines of one
    statement says so."""
    src, dst = key
    head = read.heads.get(src, src) if isinstance(src, int) else src
    if not cond:
        if isinstance(src, int) and isinstance(dst, int) and src != dst and \
                head == read.heads.get(dst, dst):
            return "next operand" if decision_of(cfg.statements.get(head, "")) else "continued"
        return _unconditional(cfg, src, dst, head, read)
    if head in read.switches and cond.startswith(f"{read.switches[head]} == "):
        return "case " + cond[len(read.switches[head]) + 4:]
    decided = decision_of(cfg.statements.get(head, "")) if isinstance(head, int) else None
    if decided is not None:  # the box holds the condition: the edge says which way
        if cond == decided:
            return "true"
        if cond in (f"!({decided})", _negated(decided)):
            return "false"
    if len(cond) <= SHORT_CONDITION:
        return cond
    return clip(cond, 60)


def _unconditional(cfg: FunctionCFG, src: Node, dst: Node, head: Node, read: Reading) -> str:
    """An edge the model records no decision for: nothing to say when it is the only way on;
    out of a call that may exit, the way on when it returns; out of a decision whose other
    way is recorded, the other outcome; else that the way is not recorded."""
    if not isinstance(src, int):
        return ""
    others = [(d, c) for d, c in read.succ.get(src, ())
              if d != dst and not (isinstance(d, int) and read.heads.get(d, d) == head)]
    if not others:
        return ""
    conds = {c for _, c in others}
    if EXIT_IN_CALLEE in conds and dst != EXIT:
        return "returns"
    decided = decision_of(cfg.statements.get(head, "")) if isinstance(head, int) else None
    if decided is not None:
        if decided in conds:
            return "false"
        if conds & {f"!({decided})", _negated(decided)}:
            return "true"
    return "no decision recorded"


def _negated(cond: str) -> str:
    from .cfg_build import negate

    return negate(cond)


def _edge_attrs(key: Key, cond: str, mark: EdgeMark, text: str | None = None) -> str:
    shown = cond if text is None else text
    lines = wrap(shown, SHORT_CONDITION) if shown else []
    if mark.counts:
        lines.append(mark.counts)
    tip = f"{key[0]} → {key[1]}" + (f" when {cond}" if cond else "") + "." + mark.note
    return attrs(
        label="\n".join(lines) or None,
        color=mark.color,
        fontcolor=INK if shown else mark.color,
        penwidth=str(mark.width),
        style=mark.style,
        tooltip=tip,
    )


def cfg_dot(
    cfg: FunctionCFG, marks: Marks | None = None, title: str | None = None, url: Url | None = None
) -> str:
    """DOT source of `cfg` with `marks` drawn over it (deterministic: nodes by line)."""
    marks = marks or Marks()
    edges = static_edges(cfg)
    extra = {k: "" for k in marks.edges if k not in edges}  # a trace from another model
    heading = title or f"{cfg.name} ({cfg.file}): control flow by QEMU line"
    caption = f'<B>{esc(heading)}</B><BR ALIGN="LEFT"/>' + "".join(
        f'{esc(x)}<BR ALIGN="LEFT"/>' for line in marks.caption for x in wrap(line, 100)
    )
    if marks.legend:
        caption += (
            f'<FONT POINT-SIZE="10" COLOR="#607d8b">{esc(marks.legend)}</FONT><BR ALIGN="LEFT"/>'
        )
    out = [
        "digraph cfg {\n",
        "  graph"
        + attrs(
            rankdir="TB",
            nodesep="0.3",
            ranksep="0.35",
            fontname=FONT,
            fontsize="12",
            label=("html", caption),
            labelloc="t",
            labeljust="l",
            fontcolor=INK,
            bgcolor="white",
        )
        + ";\n",
        "  node"
        + attrs(
            shape="box",
            style="rounded,filled",
            fontname=MONO,
            fontsize="10",
            margin="0.12,0.04",
            height="0.3",
        )
        + ";\n",
        "  edge" + attrs(fontname=FONT, fontsize="10", arrowsize="0.6") + ";\n",
    ]
    read = reading(cfg)
    nodes = set(_nodes(cfg)) | {n for k in extra for n in k}
    grouped = {line: head for line, head in read.heads.items() if line in nodes}
    for node in sorted(nodes, key=_order):
        if node in grouped:
            continue
        look = marks.nodes.get(node, NodeMark())
        line = f"{_node_id(node)}{_node_attrs(cfg, node, look, url, read)};\n"
        if node not in read.spans:
            out.append(f"  {line}")
            continue
        # a statement over several lines: its lines in one dashed box, side by side
        assert isinstance(node, int)
        parts = sorted(x for x, h in grouped.items() if h == node)
        what = "condition" if decision_of(cfg.statements.get(node, "")) else "statement"
        out.append(
            f"  subgraph cluster_{node}"
            + " {\n    graph"
            + attrs(
                label=f"one {what} over lines {node}–{read.spans[node]}; dashed: gdb's steps "
                "between its lines",
                labeljust="r",
                labelloc="b",
                style="dashed,rounded",
                color=GREY,
                fontcolor=NOTHING,
                fontsize="10",
            )
            + f";\n    {line}"
        )
        for part in parts:
            look = marks.nodes.get(part, NodeMark())
            out.append(f"    {_node_id(part)}{_node_attrs(cfg, part, look, url, read)};\n")
        out.append("  }\n")
    for key, cond in sorted(
        (edges | extra).items(), key=lambda kv: (_order(kv[0][0]), _order(kv[0][1]))
    ):
        mark = marks.edges.get(key, EdgeMark())
        if key in extra:
            mark.style, mark.note = "dotted", mark.note + " Not in the model's successor table."
        text = edge_text(cfg, key, cond, read)
        if text in ("next operand", "continued"):  # a step within one statement: the
            text = ""  # box around its lines says so
            mark = replace(mark, style=mark.style or "dashed")
        src, dst = key
        back = isinstance(src, int) and isinstance(dst, int) and dst <= src
        out.append(  # ranks follow the lines: a step back (a loop) does not push them
            f"  {_node_id(src)} -> {_node_id(dst)}{_edge_attrs(key, cond, mark, text)}"
            + (' [constraint="false"]' if back else "") + ";\n"
        )
    # the lines top to bottom in QEMU's order, as in the source (invisible steps)
    lines = sorted(n for n in nodes if isinstance(n, int))
    for up, down in itertools.pairwise(lines):
        out.append(f"  {_node_id(up)} -> {_node_id(down)} [style=\"invis\", weight=\"3\"];\n")
    out.append("}\n")
    return "".join(out)
