"""`tracesim graph`: the call-flow graph and the control-flow graphs, checked through the DOT
source and through the drawn SVG's elements, as a reader of the picture would see them."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT, SHARED, qemu

from tracesim import cli
from tracesim.pictures.callflow import callflow_of_events, callflow_of_file
from tracesim.pictures.cfgpath import function_path
from tracesim.pictures.cfgraph import BLUE, GREY, ORANGE, PART, PURPLE
from tracesim.pictures.flowgraph import RED
from tracesim.graph import cmd_graph
from tracesim.qemu.cfg import EDGES, FUNCTIONS, function_cfg
from tracesim.trace.store import encode_lines

cli.COMMANDS.setdefault("graph", (cmd_graph, "draw a trace"))

SEED = "-machine q35 -m 1024 -smp cpus=4 -numa node,cpus=0-1 -numa node,cpus=2-3"
SPARSE = "-machine q35 -m 1024 -smp 4 -numa node,nodeid=0,cpus=0-1 -numa node,nodeid=2,cpus=2-3"
CPU_TAKEN = "-machine q35 -m 1024 -smp 4 -numa node,cpus=0-1 -numa node,cpus=1"
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)
SVG_NS = "{http://www.w3.org/2000/svg}"


def write_trace(path: Path, args: str) -> Path:
    trace = qemu(args).trace
    path.write_bytes(encode_lines(trace.header, trace.events))
    return path


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("traces")
    return {
        name: write_trace(d / f"{name}.jsonl", args)
        for name, args in (("seed", SEED), ("sparse", SPARSE), ("taken", CPU_TAKEN))
    }


def graph(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> tuple[int, str, str]:
    status = cli.main(["graph", *args])
    out, err = capsysbinary.readouterr()
    return status, out.decode(), err.decode()


# --- reading a drawn SVG ---------------------------------------------------------------
@dataclass
class Shape:
    texts: list[str]
    stroke: str = ""
    fill: str = ""
    box: tuple[float, float, float, float] = (0, 0, 0, 0)
    href: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _box(el: ET.Element) -> tuple[float, float, float, float]:
    nums: list[float] = []
    for shape in el.iter():
        if shape.tag in (SVG_NS + "path", SVG_NS + "polygon", SVG_NS + "ellipse"):
            raw = shape.get("d") or shape.get("points") or ""
            nums += [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", raw)]
            if shape.tag == SVG_NS + "ellipse":
                cx, cy, rx, ry = (float(shape.get(k, "0")) for k in ("cx", "cy", "rx", "ry"))
                nums += [cx - rx, cy - ry, cx + rx, cy + ry]
    xs, ys = nums[0::2], nums[1::2]
    return (min(xs), min(ys), max(xs), max(ys))


def svg_shapes(svg: str) -> dict[str, dict[str, Shape]]:
    """class (node, edge, cluster) -> title -> what is drawn for it."""
    root = ET.fromstring(svg)
    out: dict[str, dict[str, Shape]] = {"node": {}, "edge": {}, "cluster": {}}
    for g in root.iter(SVG_NS + "g"):
        kind = g.get("class")
        if kind not in out:
            continue
        title = g.find(SVG_NS + "title")
        assert title is not None and title.text
        first = next(
            (
                s
                for s in g.iter()
                if s.tag in (SVG_NS + "path", SVG_NS + "polygon", SVG_NS + "ellipse")
            ),
            None,
        )
        link = next(
            (a for a in g.iter(SVG_NS + "a") if a.get("{http://www.w3.org/1999/xlink}href")), None
        )
        out[kind][title.text] = Shape(
            [t.text or "" for t in g.iter(SVG_NS + "text")],
            first.get("stroke", "") if first is not None else "",
            first.get("fill", "") if first is not None else "",
            _box(g),
            link.get("{http://www.w3.org/1999/xlink}href") if link is not None else None,
        )
    return out


def inside(inner: Shape, outer: Shape) -> bool:
    a, b = inner.box, outer.box
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


# --- the call-flow graph ----------------------------------------------------------------
SEED_CALLS = {  # caller -> callee: calls, as the seed's run makes them
    ("main", "set_memory_options"): 1,
    ("main", "pc_smp_parse"): 1,
    ("main", "parse_numa_opts"): 1,
    ("parse_numa_opts", "qemu_opts_foreach"): 1,
    ("qemu_opts_foreach", "parse_numa"): 2,
    ("parse_numa", "set_numa_options"): 2,
    ("set_numa_options", "parse_numa_node"): 2,
    ("parse_numa_node", "x86_cpu_index_to_props"): 4,
    ("x86_cpu_index_to_props", "x86_possible_cpu_arch_ids"): 4,
    ("parse_numa_node", "machine_set_cpu_numa_node"): 4,
    ("machine_set_cpu_numa_node", "x86_possible_cpu_arch_ids"): 4,
    ("main", "machine_run_board_init"): 1,
    ("machine_run_board_init", "numa_complete_configuration"): 1,
    ("numa_complete_configuration", "numa_default_auto_assign_ram"): 1,
    ("machine_run_board_init", "machine_numa_finish_cpu_init"): 1,
    ("machine_numa_finish_cpu_init", "x86_possible_cpu_arch_ids"): 1,
}


def test_seed_call_flow_dot_has_every_function_and_call(capsysbinary, traces) -> None:
    status, dot, err = graph(capsysbinary, str(traces["seed"]), "--format", "dot")
    assert (status, err) == (0, "")
    for (caller, callee), n in SEED_CALLS.items():
        assert re.search(rf'"{caller}" -> "{callee}" \[label="#\d+ ×{n}"', dot), (caller, callee)
    assert dot.count(" -> ") == len(SEED_CALLS) + 1  # and the edge to how the run ended
    assert "entered 9 times" in dot  # x86_possible_cpu_arch_ids
    assert "machine_class-&gt;init: board init goes on" in dot
    assert RED not in dot  # nothing failed
    # the order of first call: option parsing first, board init after
    order = {
        m[0] + "->" + m[1]: int(m[2])
        for m in re.findall(r'"(\w+)" -> "(\w+)" \[label="#(\d+)', dot)
    }
    assert order["main->set_memory_options"] == 1
    assert (
        order["main->parse_numa_opts"]
        < order["main->machine_run_board_init"]
        < order["machine_run_board_init->numa_complete_configuration"]
    )


def test_seed_call_flow_svg_draws_the_groups_nodes_and_counts(
    capsysbinary, traces, tmp_path
) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    out = tmp_path / "seed.svg"
    status, _, err = graph(capsysbinary, str(traces["seed"]), "-o", str(out))
    assert (status, err) == (0, "")
    shapes = svg_shapes(out.read_text())
    nodes, edges, clusters = shapes["node"], shapes["edge"], shapes["cluster"]
    ran = {f for pair in SEED_CALLS for f in pair}
    assert ran <= set(nodes)
    assert nodes["parse_numa_node"].texts == [
        "parse_numa_node",
        "hw/core/numa.c",
        "entered 2 times",
    ]
    assert nodes["numa_complete_configuration"].texts[-1] == "1 warning"
    for (caller, callee), n in SEED_CALLS.items():
        assert edges[f"{caller}->{callee}"].texts[0].endswith(f"×{n}")
    # board init apart from option parsing; the helper both use in neither
    board, options = clusters["cluster_board"], clusters["cluster_options"]
    for fn in (
        "machine_run_board_init",
        "numa_complete_configuration",
        "machine_numa_finish_cpu_init",
    ):
        assert inside(nodes[fn], board) and not inside(nodes[fn], options), fn
    for fn in ("set_memory_options", "pc_smp_parse", "parse_numa", "parse_numa_node"):
        assert inside(nodes[fn], options) and not inside(nodes[fn], board), fn
    assert inside(nodes["x86_possible_cpu_arch_ids"], clusters["cluster_both"])
    assert not any(e.stroke == RED for e in edges.values())


def test_the_path_that_ended_in_an_error_is_red_with_the_error_text(
    capsysbinary, traces, tmp_path
) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    out = tmp_path / "sparse.svg"
    assert graph(capsysbinary, str(traces["sparse"]), "-o", str(out))[0] == 0
    shapes = svg_shapes(out.read_text())
    red = {t for t, e in shapes["edge"].items() if e.stroke == RED}
    assert red == {
        "main->machine_run_board_init",
        "machine_run_board_init->numa_complete_configuration",
        "numa_complete_configuration->_end",
    }
    end = shapes["node"]["_end"]
    assert end.texts[:2] == ["exit(1)", " at hw/core/numa.c:401"]
    assert "qemu-system-x86_64: numa: Node ID missing: 1" in end.texts
    assert shapes["node"]["numa_complete_configuration"].stroke == RED
    assert shapes["node"]["parse_numa"].stroke != RED


def test_an_error_set_deeper_than_where_it_is_reported_is_on_the_red_path(
    capsysbinary, traces
) -> None:
    _, dot, _ = graph(capsysbinary, str(traces["taken"]))
    red = set(re.findall(rf'"(\w+)" -> "?(\w+)"? \[[^\n]*color="{RED}"', dot))
    assert red == {
        ("main", "parse_numa_opts"),
        ("parse_numa_opts", "qemu_opts_foreach"),
        ("qemu_opts_foreach", "parse_numa"),
        ("parse_numa", "set_numa_options"),
        ("set_numa_options", "parse_numa_node"),
        ("parse_numa_node", "machine_set_cpu_numa_node"),
        ("parse_numa", "_end"),
    }
    assert "error set here" in dot  # machine_set_cpu_numa_node's error_setg
    note = dot.replace('<BR ALIGN="LEFT"/>', " ")  # the note wraps the message
    assert "qemu-system-x86_64: -numa node,cpus=1: CPU is already assigned to node-id: 0" in note


def test_the_raw_line_scan_agrees_with_decoding_every_event(traces) -> None:
    for path in traces.values():
        run = qemu(SEED if path.stem == "seed" else SPARSE if path.stem == "sparse" else CPU_TAKEN)
        assert callflow_of_file(path) == callflow_of_events(run.trace.argv, run.trace.events)


def test_a_damaged_trace_is_one_line_and_status_2(capsysbinary, traces, tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    lines = traces["seed"].read_bytes().split(b"\n")
    lines[5] = b'{"k":"report","line":3'
    bad.write_bytes(b"\n".join(lines))
    status, out, err = graph(capsysbinary, str(bad))
    assert status == 2 and out == ""
    assert err == f"tracesim: {bad}:6: damaged event (Input data was truncated)\n"  # as `show` says


# --- the control-flow graph ---------------------------------------------------------------
def test_cfg_of_the_seed_highlights_its_path_with_counts(capsysbinary, traces, tmp_path) -> None:
    status, dot, err = graph(
        capsysbinary, str(traces["seed"]), "--cfg", "numa_complete_configuration"
    )
    assert (status, err) == (0, "")

    def edge(src: str, dst: str) -> str:
        m = re.search(rf"  {src} -> {dst} \[([^\n]*)\];", dot)
        assert m, (src, dst)
        return m.group(1)

    # the loop over nodes at 397 (two nodes: twice round, then out) and the RAM split
    # the box holds the loop's condition; its edges say which way (the tooltip names it)
    assert f'label="true\\n×2", color="{BLUE}"' in edge("L397", "L399")
    assert "when i >= 0." in edge("L397", "L399")
    assert f'label="false\\n×1", color="{BLUE}"' in edge("L397", "L406")
    assert "×2" in edge("L399", "L397") and "×2" in edge("L435", "L436")
    assert f'color="{BLUE}"' in edge("L428", "L434")
    # error paths and branches this run did not take are drawn too, in grey
    assert f'label="true", color="{GREY}"' in edge("L399", "L400")
    assert f'color="{GREY}"' in edge("L401", "_exit")
    assert f'color="{GREY}"' in edge("L459", "L462")
    assert "×1" in edge("L465", "_return")
    if shutil.which("dot") is None:
        return
    out = tmp_path / "cfg.svg"
    assert (
        graph(
            capsysbinary,
            str(traces["seed"]),
            "--cfg",
            "numa_complete_configuration",
            "-o",
            str(out),
        )[0]
        == 0
    )
    shapes = svg_shapes(out.read_text())
    blue = {t for t, e in shapes["edge"].items() if e.stroke == BLUE}
    assert {"L397->L399", "L399->L397", "L397->L406", "L424->L425", "L465->_return"} <= blue
    assert "L399->L400" not in blue and "L438->L439" not in blue
    assert shapes["edge"]["L397->L399"].texts == ["true", "×2"]
    assert shapes["node"]["L399"].texts[0] == "399" and shapes["node"]["L399"].texts[-1] == " ×2"
    lines = {int(t[1:]) for t in shapes["node"] if t.startswith("L")}
    static = {s for s, _, _ in EDGES["numa_complete_configuration"]}
    assert static <= lines  # every line of the model's table is drawn, run or not


def test_two_runs_on_one_cfg_marked_where_they_part(capsysbinary, traces) -> None:
    status, dot, err = graph(
        capsysbinary,
        str(traces["seed"]),
        str(traces["sparse"]),
        "--cfg",
        "numa_complete_configuration",
    )
    assert (status, err) == (0, "")
    assert (
        "They part at 399 in call 1 of numa_complete_configuration: A goes to 397, B goes to 400."
        in dot
    )
    assert re.search(
        rf'L399 \[label=<<B>399</B>.*A and B part here, in call 1.*color="{PART}"', dot
    )
    assert re.search(rf'L364 -> L366 \[label="A×1 B×1", color="{PURPLE}"', dot)  # both
    assert re.search(rf'L397 -> L406 \[label="false\\nA×1", color="{BLUE}"', dot)  # A only
    assert re.search(
        rf'L399 -> L400 \[label="true\\nB×1", color="{ORANGE}", '
        rf'fontcolor="[^"]+", penwidth="[\d.]+", style="bold"',
        dot,
    )  # B, where they part


def test_the_successor_table_covers_every_transition_the_model_makes() -> None:
    from tracesim.pictures.cfg_build import ERROR_LINES
    from tracesim.scenarios import TEACHING

    table = {fn: {(s, d) for s, d, _ in edges} for fn, edges in EDGES.items()}
    for args in [a for _, a in TEACHING.values()] + ERROR_LINES:
        events = qemu(args).trace.events
        for fn in FUNCTIONS:
            path = function_path(events, fn)
            assert {k for k in path.edges if k[0] != "entry"} <= table[fn], (fn, args)


def test_the_successor_table_holds_every_transition_of_the_spec_appendix() -> None:
    from tracesim.pictures.cfg_build import appendix

    spec = SHARED / "spec" / "qemu-4.2-numa-board-init.md"
    if not spec.exists():
        pytest.skip("the QEMU spec is not beside the repository")
    observed = appendix(spec)
    assert observed
    for fn, (entry, pairs) in observed.items():
        cfg = function_cfg(fn)
        assert cfg is not None and cfg.entry == entry, fn
        assert pairs <= {(s, d) for s, d, _ in cfg.edges}, fn


# --- the command line -----------------------------------------------------------------------
def test_formats_from_the_output_name_or_the_flag(capsysbinary, traces, tmp_path) -> None:
    assert graph(capsysbinary, str(traces["seed"]), "-o", str(tmp_path / "g.dot"))[0] == 0
    assert (tmp_path / "g.dot").read_text().startswith("digraph callflow {")
    status, out, err = graph(capsysbinary, str(traces["seed"]), "-o", str(tmp_path / "g.txt"))
    assert status == 2 and err == (
        f"tracesim graph: cannot tell the format of {tmp_path / 'g.txt'}; "
        "give --format (dot|svg|png|pdf)\n"
    )
    if shutil.which("dot") is None:
        return
    for fmt, magic in (("png", b"\x89PNG"), ("pdf", b"%PDF"), ("svg", b"<?xml")):
        target = tmp_path / f"g.{fmt}"
        assert graph(capsysbinary, str(traces["seed"]), "-o", str(target))[0] == 0
        assert target.read_bytes().startswith(magic)
    status, out, _ = graph(capsysbinary, str(traces["seed"]), "--format", "svg")
    assert status == 0 and "<svg" in out


def test_without_dot_only_dot_source_works(capsysbinary, traces, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no Graphviz here
    status, out, err = graph(capsysbinary, str(traces["seed"]), "-o", str(tmp_path / "g.svg"))
    assert status == 2 and out == ""
    assert err == (
        "tracesim graph: Graphviz's `dot` is not on PATH: install Graphviz (Debian: "
        "apt-get install graphviz) or use --format dot\n"
    )
    status, out, err = graph(capsysbinary, str(traces["seed"]), "--format", "dot")
    assert status == 0 and out.startswith("digraph callflow {") and err == ""


def test_usage_errors(capsysbinary, traces) -> None:
    seed, sparse = str(traces["seed"]), str(traces["sparse"])
    assert graph(capsysbinary, seed, sparse) == (
        2,
        "",
        "tracesim graph: comparing two traces needs --cfg FUNCTION\n",
    )
    status, _, err = graph(capsysbinary, seed, "--cfg", "main")
    assert status == 2 and err.startswith(
        "tracesim graph: no modelled function 'main' (modelled: complete_init_numa_distance, "
    )
    assert graph(capsysbinary, seed, seed, seed, "--cfg", "parse_numa")[0] == 2
    status, _, err = graph(capsysbinary, "missing.jsonl")
    assert (status, err) == (2, "tracesim: missing.jsonl: No such file or directory\n")


def test_a_function_that_did_not_run_shows_the_models_graph_alone(capsysbinary, traces) -> None:
    status, dot, _ = graph(capsysbinary, str(traces["seed"]), "--cfg", "validate_numa_distance")
    assert status == 0 and "validate_numa_distance did not run" in dot
    assert BLUE not in dot and "L290 -> L302" in dot


def test_the_generated_table_is_committed_next_to_its_generator() -> None:
    source = (ROOT / "tracesim" / "qemu" / "cfg.py").read_text()
    assert "Generated by `python -m tracesim.pictures.cfg_build`" in source
    assert "import" not in source.split('"""', 2)[2].replace(
        "from __future__ import annotations", ""
    ).replace("from typing import NamedTuple", "")


@pytest.mark.parametrize("profile", ["4.2", "7.2"])
def test_the_generated_cfg_table_is_current(profile: str) -> None:
    """qemu/cfg.py and qemu/v72/cfg.py are generated from the model: a model change that
    moves a step must come with `python -m tracesim.pictures.cfg_build --profile P`."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "tracesim.pictures.cfg_build", "--profile",
                           profile, "--check"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
