"""The HTML of the generated docs site: one index, a page per scenario, a page per
modelled function. Plain HTML and one style sheet, no scripts; every link relative."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

STYLE = """\
body { font: 15px/1.5 "DejaVu Sans", system-ui, sans-serif; color: #263238; margin: 0;
       background: #fafafa; }
header { background: #263238; color: #eceff1; padding: 10px 24px; }
header a { color: #b3e5fc; text-decoration: none; margin-right: 18px; }
main { max-width: 1280px; margin: 0 auto; padding: 8px 24px 40px; }
h1 { font-size: 24px; margin: 18px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #cfd8dc; }
p.lead { color: #455a64; margin-top: 0; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
pre { background: #eceff1; padding: 10px 12px; overflow-x: auto; white-space: pre-wrap;
      border-radius: 4px; }
pre.stderr { background: #263238; color: #eceff1; }
table { border-collapse: collapse; margin: 8px 0; background: white; }
th, td { border: 1px solid #cfd8dc; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #eceff1; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #2e7d32; font-weight: bold; }
.fail { color: #c62828; font-weight: bold; }
.muted { color: #78909c; }
figure { margin: 12px 0; background: white; border: 1px solid #cfd8dc; border-radius: 4px;
         padding: 8px; overflow-x: auto; }
figure svg, figure img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figure.wide svg { max-width: none; }
td.name { white-space: nowrap; }
figcaption { color: #546e7a; font-size: 13px; margin-top: 6px; }
nav.pager { margin-top: 28px; display: flex; justify-content: space-between; }
footer { color: #78909c; font-size: 12px; max-width: 1280px; margin: 0 auto; padding: 0 24px 24px; }
"""


def e(text: object) -> str:
    return escape(str(text), quote=True)


def page(title: str, root: str, body: str, footer: str, version: str = "4.2") -> str:
    """A whole page; `root` is the relative way back to the site's top ('' or '../');
    `version` the QEMU the pages describe."""
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{e(title)}</title>\n<link rel="stylesheet" href="{root}style.css">\n'
        f'</head>\n<body>\n<header><a href="{root}index.html">tracesim: what QEMU {e(version)} runs'
        f'</a><a href="{root}index.html#scenarios">scenarios</a>'
        f'<a href="{root}index.html#functions">functions</a></header>\n'
        f"<main>\n{body}</main>\n<footer>{footer}</footer>\n</body>\n</html>\n"
    )


def table(head: Iterable[str], rows: Iterable[Iterable[str]], num: Iterable[int] = ()) -> str:
    """Cells are HTML already; columns in `num` are right-aligned numbers."""
    numeric = set(num)
    out = ["<table>\n<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>\n"]
    for row in rows:
        out.append(
            "<tr>"
            + "".join(
                f'<td class="num">{c}</td>'
                if i in numeric
                else f'<td class="name">{c}</td>'
                if i == 0
                else f"<td>{c}</td>"
                for i, c in enumerate(row)
            )
            + "</tr>\n"
        )
    out.append("</table>\n")
    return "".join(out)


def status(code: int | None) -> str:
    if code == 0:
        return '<span class="ok">exit 0</span>'
    return f'<span class="fail">exit {e(code)}</span>'


def figure(svg: str, caption: str, wide: bool = False) -> str:
    """A drawing with its caption; a wide one keeps its size and scrolls sideways."""
    cls = ' class="wide"' if wide else ""
    return f"<figure{cls}>\n{svg}<figcaption>{caption}</figcaption>\n</figure>\n"


def mib(n: int) -> str:
    return f"{n / (1 << 20):g} MiB"


def node_table(memory: dict[str, Any]) -> str:
    """The NUMA nodes as the run left them (every id up to max_numa_nodeid, so a missing
    id of a sparse set shows too): present, memory, CPUs and distances."""
    get = memory.get
    count = max(get("numa_state.num_nodes", 0), get("max_numa_nodeid", 0))
    if not count:
        return '<p class="muted">No NUMA nodes.</p>\n'
    cpus: dict[int, list[str]] = {}
    for c in range(get("possible_cpus.len", 0)):
        props = f"possible_cpus.cpus[{c}].props"
        if get(f"{props}.has_node_id"):
            cpus.setdefault(get(f"{props}.node_id", 0), []).append(str(c))
    have_dist = bool(get("numa_state.have_numa_distance"))
    head = ["node", "present", "memory", "CPUs"] + (
        [f"distance to {j}" for j in range(count)] if have_dist else []
    )
    rows = []
    for i in range(count):
        base = f"numa_state.nodes[{i}]"
        row = [
            str(i),
            "yes" if get(f"{base}.present") else '<span class="fail">no</span>',
            mib(get(f"{base}.node_mem", 0)),
            " ".join(cpus.get(i, [])) or '<span class="muted">none</span>',
        ]
        if have_dist:
            row += [str(get(f"{base}.distance[{j}]", 0)) for j in range(count)]
        rows.append(row)
    return table(head, rows, num=[2] + list(range(4, len(head))))
