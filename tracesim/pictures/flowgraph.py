"""The call-flow graph of a run as DOT: one node per function that ran, caller -> callee
edges with their call counts and the order of their first call, option parsing and board
init drawn as separate groups, and the path that ended in an error in red with its text.
"""

from __future__ import annotations

from collections.abc import Callable

from .callflow import BOARD, BOTH, MAIN, OPTIONS, CallFlow, FunctionNode
from .dot import FONT, MONO, attrs, esc, quote, wrap

RED = "#c62828"
RED_FILL = "#fdecea"
INK = "#37474f"
FILL = {MAIN: "#eceff1", OPTIONS: "#e3f2fd", BOARD: "#e8f5e9", BOTH: "#fff8e1"}
CLUSTERS = (
    (OPTIONS, "option parsing: -m, -smp and -numa handling", "#90caf9"),
    (BOARD, "board init: machine_run_board_init → numa_complete_configuration", "#a5d6a7"),
    (BOTH, "called in both", "#ffe082"),
)

Url = Callable[[str], "str | None"]  # function name -> a link for its node (docs), or None


def _times(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _node_label(node: FunctionNode, flow: CallFlow) -> str:
    rows = [
        f"<B>{esc(node.name)}</B>",
        f'<FONT POINT-SIZE="9" COLOR="#546e7a">{esc(node.file)}</FONT>',
        f'<FONT POINT-SIZE="9">entered {_times(node.entered, "time", "times")}</FONT>',
    ]
    if node.warnings:
        rows.append(
            f'<FONT POINT-SIZE="9" COLOR="#e65100">'
            f"{_times(node.warnings, 'warning', 'warnings')}</FONT>"
        )
    if flow.error_origin == node.name and flow.exit_fn != node.name:
        rows.append(f'<FONT POINT-SIZE="9" COLOR="{RED}">error set here</FONT>')
    return "<BR/>".join(rows)


def _end_node(flow: CallFlow) -> tuple[str, str]:
    """The node that says how the run ended, and the label of the edge to it."""
    where = f"{flow.exit_file}:{flow.exit_line}" if flow.exit_file else f"line {flow.exit_line}"
    if not flow.failed:
        text = (
            "machine_class-&gt;init: board init goes on"
            if flow.exit_fn == "machine_run_board_init"
            else "the process ends"
        )
        label = f"{text}<BR/>exit status {flow.exit_status}"
        return (
            "_end"
            + attrs(
                label=("html", label),
                shape="box",
                style="rounded,dashed",
                color=INK,
                fontcolor=INK,
                fontsize="10",
            ),
            where,
        )
    lines = []
    for err in flow.errors or ["(no message)"]:
        lines += wrap(err, 58)
    body = '<BR ALIGN="LEFT"/>'.join(esc(x) for x in lines)
    label = (
        f'<B>exit({flow.exit_status})</B> at {esc(where)}<BR ALIGN="LEFT"/>'
        f'<FONT FACE="{MONO}" POINT-SIZE="9">{body}</FONT><BR ALIGN="LEFT"/>'
    )
    return (
        "_end"
        + attrs(
            label=("html", label),
            shape="note",
            style="filled",
            fillcolor=RED_FILL,
            color=RED,
            fontcolor=RED,
        ),
        "",
    )


def callflow_dot(flow: CallFlow, url: Url | None = None, title: str | None = None) -> str:
    """DOT source of the call-flow graph (deterministic: first-entry and first-call order)."""
    command = "qemu-system-x86_64 " + " ".join(flow.argv)
    lines = [title] if title is not None else wrap(command, 110)
    caption = "".join(f'{esc(x)}<BR ALIGN="LEFT"/>' for x in lines) + (
        '<FONT POINT-SIZE="9" COLOR="#607d8b">edges: #n = order of first call, '
        '×n = number of calls</FONT><BR ALIGN="LEFT"/>'
    )
    out = [
        "digraph callflow {\n",
        "  graph"
        + attrs(
            rankdir="TB",
            newrank="true",
            nodesep="0.25",
            ranksep="0.45",
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
            fontname=FONT,
            fontsize="11",
            color="#78909c",
            penwidth="1",
        )
        + ";\n",
        "  edge"
        + attrs(fontname=FONT, fontsize="9", color="#607d8b", fontcolor=INK, arrowsize="0.7")
        + ";\n",
    ]
    on_error = {n for e in flow.error_edges for n in e} | (
        {flow.exit_fn} if flow.failed and flow.exit_fn else set()
    )

    def node_line(node: FunctionNode, indent: str) -> str:
        red = node.name in on_error
        link = url(node.name) if url else None
        return (
            f"{indent}{quote(node.name)}"
            + attrs(
                label=("html", _node_label(node, flow)),
                fillcolor=RED_FILL if red else FILL[node.phase],
                color=RED if red else None,
                penwidth="2" if red else None,
                URL=link,
                tooltip=f"{node.name} ({node.file}): entered {node.entered}×",
                target="_top" if link else None,
            )
            + ";\n"
        )

    nodes = sorted(flow.functions.values(), key=lambda n: n.order)
    for node in nodes:
        if node.phase == MAIN:
            out.append(node_line(node, "  "))
    for phase, label, color in CLUSTERS:
        members = [n for n in nodes if n.phase == phase]
        if not members:
            continue
        out.append(f"  subgraph cluster_{phase} {{\n")
        out.append(
            "    graph"
            + attrs(
                label=label,
                style="rounded,dashed" if phase == BOTH else "rounded",
                color=color,
                fontcolor=INK,
                fontsize="10",
                labeljust="l",
                labelloc="b",
            )
            + ";\n"
        )
        out += [node_line(n, "    ") for n in members]
        out.append("  }\n")
    for edge in sorted(flow.edges.values(), key=lambda e: e.order):
        red = (edge.caller, edge.callee) in flow.error_edges
        out.append(
            f"  {quote(edge.caller)} -> {quote(edge.callee)}"
            + attrs(
                label=f"#{edge.order} ×{edge.calls}",
                color=RED if red else None,
                fontcolor=RED if red else None,
                penwidth="2.2" if red else None,
                tooltip=f"{edge.caller} → {edge.callee}: first call #{edge.order}, "
                f"{edge.calls} call{'s' if edge.calls != 1 else ''}",
            )
            + ";\n"
        )
    if flow.exit_status is not None and flow.exit_fn:
        end, label = _end_node(flow)
        out.append(f"  {end};\n")
        out.append(
            f"  {quote(flow.exit_fn)} -> _end"
            + attrs(
                label=label or None,
                style="dashed" if not flow.failed else None,
                color=RED if flow.failed else INK,
                fontcolor=RED if flow.failed else INK,
                penwidth="2.2" if flow.failed else None,
            )
            + ";\n"
        )
    out.append("}\n")
    return "".join(out)
