"""The docs site's upgrade page: the seed's line on QEMU 4.2, 7.2 and 10.0 side by side,
where each version parts from the one before and why, and the lines `tracesim port` writes
for 7.2 and 10.0 with their outcomes."""

from __future__ import annotations

import io
import shlex

from .pictures.docs_html import e, page, status, table

UPGRADE_PAGE = "upgrading.html"
PROGRAM = "qemu-system-x86_64"
VERSIONS = ("4.2", "7.2", "10.0")


def _outcome(argv: list[str], profile: str) -> tuple[int | None, str, str]:
    """(exit status, stderr, info numa) of a simulated line."""
    from .cli import simulate_trace
    from .debugger.outcome import info_numa, stdout_stderr
    from .trace.fold import fold

    trace = simulate_trace(argv, profile)
    state = fold(trace.events)
    numa = info_numa(state) if state.exit_status == 0 else ""
    return state.exit_status, stdout_stderr(trace.events)[1], numa


def _cross_report(argv: list[str], a: str, b: str) -> str:
    """`tracesim diff --a-profile A --b-profile B -- ARGS`, as text."""
    from .cli import simulate_trace
    from .diffing.align import Side
    from .diffing.crossver import cross_diff
    from .diffing.render import Paint, render_cross_text
    from .trace.store import encode_lines

    sides = []
    for profile in (a, b):
        trace = simulate_trace(argv, profile)
        sides.append(Side("(simulated)", io.BytesIO(encode_lines(trace.header, trace.events))))
    return render_cross_text(cross_diff(sides[0], sides[1]), Paint(False))


def _pre(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<pre{attr}>{e(text)}</pre>\n" if text else '<p class="muted">nothing</p>\n'


def _ported(seed: list[str], target: str) -> list[str]:
    """The port section for one target version."""
    from .port import PortFailed, port_line

    body = [f"<h3>QEMU {e(target)}</h3>\n",
            f"<pre>tracesim port --from 4.2 --to {e(target)} -- {e(shlex.join(seed))}</pre>\n"]
    try:
        line, notes = port_line(seed, source="4.2", target=target)
    except PortFailed as failed:
        return body + [_pre("\n".join(failed.lines))]
    got, err, numa = _outcome(line, target)
    return body + [
        f"<pre>{e(shlex.join([PROGRAM, *line]))}</pre>\n",
        "<p>Each rewrite and its reason:</p>\n",
        _pre("\n".join(n.removeprefix("tracesim port: ") for n in notes)),
        table(["", f"the ported line on QEMU {e(target)}"], [
            ["outcome", status(got)], ["stderr", _pre(err, "stderr")],
            ["<code>info numa</code>", _pre(numa)],
        ]),
    ]


def upgrade_page(footer: str) -> str:
    from .scenarios import default_argv

    seed = default_argv()
    runs = {v: _outcome(seed, v) for v in VERSIONS}
    body = [
        "<h1>Upgrading the seed's line: QEMU 4.2, 7.2 and 10.0</h1>\n",
        f"<pre>{e(shlex.join([PROGRAM, *seed]))}</pre>\n",
        table([""] + [f"QEMU {e(v)}" for v in VERSIONS], [
            ["outcome"] + [status(runs[v][0]) for v in VERSIONS],
            ["stderr"] + [_pre(runs[v][1], "stderr") for v in VERSIONS],
            ["<code>info numa</code>"] + [_pre(runs[v][2]) for v in VERSIONS],
        ]),
        "<h2>Where each version parts from the one before, and why</h2>\n",
    ]
    for a, b in zip(VERSIONS, VERSIONS[1:]):
        body += [f"<h3>{e(a)} to {e(b)}</h3>\n",
                 f"<pre>tracesim diff --a-profile {e(a)} --b-profile {e(b)} -- "
                 f"{e(shlex.join(seed))}</pre>\n",
                 _pre(_cross_report(seed, a, b))]
    body.append("<h2>The same layout on the newer versions</h2>\n")
    for target in VERSIONS[1:]:
        body += _ported(seed, target)
    return page("tracesim: upgrading from QEMU 4.2 to 7.2 and 10.0", "", "".join(body), footer,
                "4.2")
