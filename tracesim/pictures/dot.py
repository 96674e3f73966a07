"""Writing Graphviz DOT and running `dot`: quoting, HTML-like labels, rendering.

Fonts are named explicitly (DejaVu, which fontconfig itself depends on in Debian) so the
layout, and with it every generated SVG, does not change with whatever other fonts a
machine has installed.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import textwrap

FORMATS = ("dot", "svg", "png", "pdf")
FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"
DOT_MISSING = (
    "Graphviz's `dot` is not on PATH: install Graphviz (Debian: apt-get install "
    "graphviz) or use --format dot"
)


class RenderError(Exception):
    """`dot` is missing or failed: one line for the user."""


def quote(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def attrs(**values: object) -> str:
    """` [a="1", b=<html>]`: values that are HTML-like labels come as ("html", text)."""
    items = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, tuple) and value[0] == "html":
            items.append(f"{key}=<{value[1]}>")
        else:
            items.append(f"{key}={quote(str(value))}")
    return f" [{', '.join(items)}]" if items else ""


def esc(text: str) -> str:
    """Text inside an HTML-like label."""
    return html.escape(text, quote=True)


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def have_dot() -> bool:
    return shutil.which("dot") is not None


def dot_version() -> str:
    """`dot -V`'s version, e.g. '2.43.0' ('' without Graphviz)."""
    if not have_dot():
        return ""
    out = subprocess.run(["dot", "-V"], check=False, capture_output=True, text=True).stderr
    m = re.search(r"version (\S+)", out)
    return m.group(1) if m else out.strip()


def render(source: str, fmt: str) -> bytes:
    """Lay out and draw a DOT graph with `dot` (svg, png or pdf; dot is the source)."""
    if fmt == "dot":
        return source.encode()
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if not have_dot():
        raise RenderError(DOT_MISSING)
    args = ["dot", f"-T{fmt}"] + (["-Gdpi=110"] if fmt == "png" else [])
    proc = subprocess.run(args, check=False, input=source.encode(), capture_output=True)
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        raise RenderError(f"dot failed: {err[0] if err else f'exit status {proc.returncode}'}")
    return proc.stdout


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)


def inline_svg(svg: bytes) -> str:
    """An SVG document as an element to put inside HTML: no XML prolog, doctype or
    comments (Graphviz's version comment would make the page depend on the machine)."""
    text = _COMMENT.sub("", _PROLOG.sub("", svg.decode()))
    return text.strip() + "\n"
