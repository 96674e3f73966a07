"""A modelled function's control-flow graph as DOT, from the model's own successor table
(tracesim/qemu/cfg.py), with runs drawn over it: one run's path with the times each step
was taken, two runs with where they part, or many runs as branch coverage.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .cfgpath import ENTRY, EXIT, RETURN, FunctionPath, Key, Node, Parting
from .dot import FONT, MONO, attrs, clip, esc, wrap
from ..qemu.cfg import FunctionCFG

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


def _node_attrs(cfg: FunctionCFG, node: Node, mark: NodeMark, url: Url | None) -> str:
    counts = (
        f'<FONT FACE="{FONT}" POINT-SIZE="9" COLOR="{mark.color}"> {esc(mark.counts)}</FONT>'
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
    text = cfg.statements.get(node, "")
    callees = cfg.calls.get(node, ())
    link = url(callees[0]) if url and callees else None
    label = f"<B>{node}</B>  {esc(clip(text, 40))}{counts}"
    if mark.note:
        label += f'<BR/><FONT FACE="{FONT}" POINT-SIZE="9" COLOR="{PART}">{esc(mark.note)}</FONT>'
    tip = f"{cfg.file}:{node}  {text}" + (f" ({mark.note})" if mark.note else "")
    return attrs(
        label=("html", label),
        fillcolor=mark.fill,
        color=mark.color,
        penwidth=str(mark.width),
        tooltip=tip,
        URL=link,
        target="_top" if link else None,
    )


def _edge_attrs(key: Key, cond: str, mark: EdgeMark) -> str:
    lines = wrap(clip(cond, 60), 30) if cond else []
    if mark.counts:
        lines.append(mark.counts)
    tip = f"{key[0]} → {key[1]}" + (f" when {cond}" if cond else "") + "." + mark.note
    return attrs(
        label="\n".join(lines) or None,
        color=mark.color,
        fontcolor=INK if cond else mark.color,
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
            f'<FONT POINT-SIZE="9" COLOR="#607d8b">{esc(marks.legend)}</FONT><BR ALIGN="LEFT"/>'
        )
    out = [
        "digraph cfg {\n",
        "  graph"
        + attrs(
            rankdir="TB",
            nodesep="0.3",
            ranksep="0.35",
            fontname=FONT,
            fontsize="11",
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
        "  edge" + attrs(fontname=FONT, fontsize="8", arrowsize="0.6") + ";\n",
    ]
    nodes = set(_nodes(cfg)) | {n for k in extra for n in k}
    for node in sorted(nodes, key=_order):
        look = marks.nodes.get(node, NodeMark())
        out.append(f"  {_node_id(node)}{_node_attrs(cfg, node, look, url)};\n")
    for key, cond in sorted(
        (edges | extra).items(), key=lambda kv: (_order(kv[0][0]), _order(kv[0][1]))
    ):
        mark = marks.edges.get(key, EdgeMark())
        if key in extra:
            mark.style, mark.note = "dotted", mark.note + " Not in the model's successor table."
        out.append(f"  {_node_id(key[0])} -> {_node_id(key[1])}{_edge_attrs(key, cond, mark)};\n")
    out.append("}\n")
    return "".join(out)
