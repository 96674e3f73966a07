"""The docs site's upgrade page: the seed's line on QEMU 4.2 and on 7.2, where the two
versions part and why, and the line `tracesim port` writes for 7.2 with its outcome."""

from __future__ import annotations

import io
import shlex

from .pictures.docs_html import e, page, status, table

UPGRADE_PAGE = "upgrade-4.2-to-7.2.html"
PROGRAM = "qemu-system-x86_64"


def _outcome(argv: list[str], profile: str) -> tuple[int | None, str, str]:
    """(exit status, stderr, info numa) of a simulated line."""
    from .cli import simulate_trace
    from .debugger.outcome import info_numa, stdout_stderr
    from .trace.fold import fold

    trace = simulate_trace(argv, profile)
    state = fold(trace.events)
    numa = info_numa(state) if state.exit_status == 0 else ""
    return state.exit_status, stdout_stderr(trace.events)[1], numa


def _cross_report(argv: list[str]) -> str:
    """`tracesim diff --a-profile 4.2 --b-profile 7.2 -- ARGS`, as text."""
    from .cli import simulate_trace
    from .diffing.align import Side
    from .diffing.crossver import cross_diff
    from .diffing.render import Paint, render_cross_text
    from .trace.store import encode_lines

    sides = []
    for label, profile in (("A", "4.2"), ("B", "7.2")):
        trace = simulate_trace(argv, profile)
        sides.append(Side("(simulated)",
                          io.BytesIO(encode_lines(trace.header, trace.events))))
    return render_cross_text(cross_diff(sides[0], sides[1]), Paint(False))


def _pre(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<pre{attr}>{e(text)}</pre>\n" if text else '<p class="muted">nothing</p>\n'


def upgrade_page(footer: str) -> str:
    from .port import PortFailed, port_line
    from .scenarios import default_argv

    seed = default_argv()
    s42, err42, numa42 = _outcome(seed, "4.2")
    s72, err72, _ = _outcome(seed, "7.2")
    body = [
        "<h1>Upgrading the seed's line from QEMU 4.2 to 7.2</h1>\n",
        f"<pre>{e(shlex.join([PROGRAM, *seed]))}</pre>\n",
        table(["", "QEMU 4.2", "QEMU 7.2"], [
            ["outcome", status(s42), status(s72)],
            ["stderr", _pre(err42, "stderr"), _pre(err72, "stderr")],
        ]),
        "<h2>Where the versions part, and why</h2>\n",
        f"<pre>tracesim diff --a-profile 4.2 --b-profile 7.2 -- {e(shlex.join(seed))}</pre>\n",
        _pre(_cross_report(seed)),
        "<h2>The same layout on 7.2</h2>\n",
        f"<pre>tracesim port --from 4.2 --to 7.2 -- {e(shlex.join(seed))}</pre>\n",
    ]
    try:
        line, notes = port_line(seed)
    except PortFailed as failed:
        body.append(_pre("\n".join(failed.lines)))
    else:
        ported, nported, numa72 = _outcome(line, "7.2")
        body += [
            f"<pre>{e(shlex.join([PROGRAM, *line]))}</pre>\n",
            "<p>Each rewrite and its reason:</p>\n",
            _pre("\n".join(n.removeprefix("tracesim port: ") for n in notes)),
            table(["", "the line on QEMU 4.2", "the ported line on QEMU 7.2"], [
                ["outcome", status(s42), status(ported)],
                ["stderr", _pre(err42, "stderr"), _pre(nported, "stderr")],
                ["<code>info numa</code>", _pre(numa42), _pre(numa72)],
            ]),
        ]
    return page("tracesim: upgrading from QEMU 4.2 to 7.2", "", "".join(body), footer, "4.2")
