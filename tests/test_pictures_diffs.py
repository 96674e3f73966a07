"""Pictures and diffs that read well (issue 11): the control-flow pictures, the diff's grouping
of hunks by their cause, and the front ends' small consistencies.

Read as what a person sees: the SVG a browser shows, the PNG at 100%, the text of a report.
"""
from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from tracesim import cli

SVG_NS = "{http://www.w3.org/2000/svg}"
SEED = "-machine q35 -m 1024 -smp cpus=4 -numa node,cpus=0-1 -numa node,cpus=2-3"
TRACES = {"4.2": ROOT / "traces" / "seed-q35-2node.jsonl",
          "7.2": ROOT / "traces" / "qemu-7.2" / "seed-q35-2node.jsonl"}
PNG_DPI = 110  # tracesim.pictures.dot.render draws PNGs at this resolution
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


# --- the control-flow pictures -------------------------------------------------------------------
def _functions(profile: str) -> list[str]:
    from tracesim.debuginfo import debug_info

    return sorted(debug_info(profile).cfg.FUNCTIONS)


@cache
def _cfg(profile: str, fn: str) -> Any:
    from tracesim.debuginfo import debug_info

    return debug_info(profile).cfg.function_cfg(fn)


@cache
def _picture(profile: str, fn: str, fmt: str) -> bytes:
    from tracesim.graph import cfg_source
    from tracesim.pictures.dot import render

    return render(cfg_source([str(TRACES[profile])], fn), fmt)


def _groups(svg: bytes) -> dict[str, dict[str, ET.Element]]:
    root = ET.fromstring(svg)
    out: dict[str, dict[str, ET.Element]] = {"node": {}, "edge": {}, "cluster": {}}
    for g in root.iter(SVG_NS + "g"):
        kind = g.get("class")
        if kind in out:
            title = g.find(SVG_NS + "title")
            assert title is not None and title.text
            out[kind][title.text] = g
    return out


def _texts(g: ET.Element) -> list[str]:
    return [t.text or "" for t in g.iter(SVG_NS + "text")]


def _joined(g: ET.Element) -> str:
    return " ".join(" ".join(_texts(g)).split())


PROFILE_FUNCTIONS = [(p, fn) for p in TRACES for fn in _functions(p)]


@needs_dot
@pytest.mark.parametrize("profile,fn", PROFILE_FUNCTIONS,
                         ids=[f"{p}-{fn}" for p, fn in PROFILE_FUNCTIONS])
def test_every_cfg_picture_labels_its_lines_and_branches(profile: str, fn: str) -> None:
    from tracesim.pictures.cfgraph import reading

    cfg = _cfg(profile, fn)
    svg = _picture(profile, fn, "svg")
    shapes = _groups(svg)
    # no empty boxes: every line says what is there (a continuation line says whose it is)
    for title, g in shapes["node"].items():
        words = _joined(g)
        if title.startswith("L"):
            words = words.removeprefix(title[1:]).strip()
        assert re.search(r"[A-Za-z{}]", words), (fn, title, _texts(g))
    # every step out of a line that goes more than one way says which way
    read = reading(cfg)
    out: dict[str, list[str]] = {}
    for title in shapes["edge"]:
        src, dst = title.split("->")
        same = (src.startswith("L") and dst.startswith("L")
                and read.heads.get(int(src[1:]), int(src[1:]))
                == read.heads.get(int(dst[1:]), int(dst[1:])))
        if not same:  # a step between the lines of one statement is inside its box
            out.setdefault(src, []).append(title)
    for src, titles in out.items():
        if len({t.split("->")[1] for t in titles}) < 2:
            continue
        for title in titles:
            words = [t for t in _texts(shapes["edge"][title]) if not re.fullmatch(r"[AB]?×\d+.*", t)]
            assert words, (fn, title, "an edge out of a branch without its condition")
    # text at least 12 px when the SVG is shown at 100% (1 pt = 4/3 px)
    sizes = {float(t.get("font-size", "0")) for t in ET.fromstring(svg).iter(SVG_NS + "text")}
    assert min(sizes) * 4 / 3 >= 12, (fn, sorted(sizes))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


LARGE = [(p, fn) for p in TRACES for fn in
         ("numa_complete_configuration", "machine_set_cpu_numa_node", "parse_numa_node")]


@needs_dot
@pytest.mark.parametrize("profile,fn", LARGE, ids=[f"{p}-{fn}" for p, fn in LARGE])
def test_a_large_function_is_readable_at_100_percent(profile: str, fn: str) -> None:
    """Before: numa_complete_configuration was 1382x2885 with 8 pt labels (and parse_numa_node
    on 7.2 2394 px wide): a viewer fitting it to a screen made the text a few pixels high."""
    width, height = _png_size(_picture(profile, fn, "png"))
    assert width <= 1800, (fn, width, height)  # fits a 1920 px screen at 100%, scrolls down
    svg = _picture(profile, fn, "svg")
    smallest = min(float(t.get("font-size", "0")) for t in ET.fromstring(svg).iter(SVG_NS + "text"))
    assert smallest * PNG_DPI / 72 >= 12  # px in the PNG


@needs_dot
def test_a_condition_over_several_lines_is_one_statement_in_one_box() -> None:
    shapes = _groups(_picture("4.2", "numa_complete_configuration", "svg"))
    head = _joined(shapes["node"]["L385"])
    # the whole condition, wrapped, not cut
    assert head.startswith(("385 –388 if (", "385–388 if (")), head
    assert head.replace(" ", "").endswith(
        "if(ms->numa_state->num_nodes==0&&((ms->ram_slots>0&&mc->auto_enable_numa_with_memhp)"
        "||mc->auto_enable_numa))×1")
    for line in (386, 387, 388):
        assert "385's condition, continued" in _joined(shapes["node"][f"L{line}"])
    box = [c for c in shapes["cluster"].values() if "385–388" in _joined(c)]
    assert box and "one condition over lines 385–388" in _joined(box[0])
    # which way each exit of the condition goes, not its text cut in two
    assert _texts(shapes["edge"]["L385->L394"])[0] == "false"
    assert _texts(shapes["edge"]["L386->L389"])[0] == "true"
    assert "next operand" not in svg_text(shapes)  # the box says so once
    # a line the model records nothing on says so
    assert "(nothing recorded)" in _joined(shapes["node"]["L420"])
    # 4.2's validate_numa_distance: 281-284 is one condition (the distance symmetry check)
    shapes = _groups(_picture("4.2", "validate_numa_distance", "svg"))
    assert _joined(shapes["node"]["L281"]).startswith(("281–284", "281 –284"))
    assert _texts(shapes["edge"]["L282->L285"])[0] == "true"


def svg_text(shapes: dict[str, dict[str, ET.Element]]) -> str:
    return " ".join(_joined(g) for kind in shapes.values() for g in kind.values())


@needs_dot
def test_a_switch_says_its_cases() -> None:
    shapes = _groups(_picture("4.2", "set_numa_options", "svg"))
    assert "switch (object->type)" in _joined(shapes["node"]["L188"])
    assert {_texts(shapes["edge"][f"L188->L{d}"])[0] for d in (190, 196, 202)} == {
        "case node", "case dist", "case cpu"}


@needs_dot
@pytest.mark.parametrize("profile", list(TRACES))
def test_the_lines_run_top_to_bottom_in_source_order(profile: str) -> None:
    """Ranks follow QEMU's lines (invisible steps line to line), loops go back up: the
    picture reads like the source, one column, not spread sideways."""
    from tracesim.graph import cfg_source

    dot = cfg_source([str(TRACES[profile])], "numa_complete_configuration")
    back = re.search(r"  L(\d+) -> L(\d+) \[[^\n]*\];", dot)
    for m in re.finditer(r"  L(\d+) -> L(\d+) \[([^\n]*)\];", dot):
        if int(m.group(2)) <= int(m.group(1)) and "invis" not in m.group(3):
            assert 'constraint="false"' in m.group(0), m.group(0)
            back = m
    assert back is not None
    shapes = _groups(_picture(profile, "numa_complete_configuration", "svg"))
    tops = sorted((int(t[1:]), -float(next(g.iter(SVG_NS + "text")).get("y", "0")))
                  for t, g in shapes["node"].items() if t.startswith("L"))
    ys = [-y for _, y in tops]
    assert ys == sorted(ys), "a later line drawn above an earlier one"


# --- front ends ---------------------------------------------------------------------------------
def test_summary_json_ends_with_a_newline(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["summary", "--json", str(TRACES["4.2"])]) == 0
    out = capsys.readouterr().out
    assert out.endswith("}\n") and out.count("\n") == 1
    assert json.loads(out)["exit_status"] == 0


@needs_dot
def test_docs_takes_o_dir_like_the_other_commands(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    scenarios = tmp_path / "s.toml"
    scenarios.write_text(f'[two-nodes]\nteaches = "two nodes"\nargs = "{SEED}"\n')
    site = tmp_path / "site"
    assert cli.main(["docs", "-o", str(site), str(scenarios)]) == 0
    assert capsys.readouterr().out.startswith("wrote ")
    assert (site / "index.html").exists() and (site / "scenarios" / "two-nodes.html").exists()
    assert cli.main(["docs", "--output", str(site), str(scenarios), "--check"]) == 0
    (site / "index.html").write_text("old")
    assert cli.main(["docs", "-o", str(site), str(scenarios), "--check"]) == 1
    err = capsys.readouterr().err
    assert f"run 'tracesim docs -o {site} {scenarios}'" in err  # the fix, spelled with -o
    # the old spelling still works; -o and a directory word both is a usage error
    assert cli.main(["docs", str(site), str(scenarios)]) == 0
    capsys.readouterr()
    assert cli.main(["docs", "-o", str(site), str(site), str(scenarios)]) == 2
    assert capsys.readouterr().err.startswith("tracesim docs: ")


def _readme_commands(flag: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:sh|console)\n(.*?)```", text, re.DOTALL)
    return [line.strip() for b in blocks for line in b.splitlines()
            if line.strip().startswith("tracesim ") and f" {flag} " in line]


def test_the_readmes_command_file_example_runs() -> None:
    commands = _readme_commands("-x")
    assert commands, "README.md shows `tracesim debug -x FILE`"
    for command in commands:
        argv = shlex.split(command)
        script = argv[argv.index("-x") + 1]
        assert (ROOT / script).is_file(), f"README.md runs {script}, which the repository lacks"
        proc = subprocess.run([sys.executable, "-m", "tracesim", *argv[1:]], cwd=ROOT,
                              capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
        assert "Breakpoint 1, complete_init_numa_distance" in proc.stdout
        assert "$1 = {0, 0, 0}" in proc.stdout and "$2 = {30, 40, 10}" in proc.stdout


# --- set-up ---------------------------------------------------------------------------------------
def test_setup_waits_for_the_dpkg_lock_and_the_readme_says_what_it_installs() -> None:
    setup = (ROOT / ".ci" / "setup").read_text()
    apt = [line for line in setup.splitlines() if "apt-get" in line and not
           line.lstrip().startswith("#")]
    assert apt and all('"${lock[@]}"' in line for line in apt), apt
    assert "lock=(-o DPkg::Lock::Timeout=600)" in setup
    packages = re.findall(r"need\+=\(([\w.-]+)\)", setup)
    assert set(packages) == {"graphviz", "tmux", "chromium", "qemu-system-x86",
                             "fonts-dejavu-core", "python3-venv", "nodejs", "npm"}
    readme = (ROOT / "README.md").read_text()
    for name in packages:
        assert f"`{name}`" in readme, name
    if shutil.which("bash"):
        assert subprocess.run(["bash", "-n", str(ROOT / ".ci" / "setup")], check=False
                              ).returncode == 0


# --- the diff: decisions over several lines, hunks grouped by their cause -----------------------
TWO = "-numa node -numa node -numa dist,src=0,dst=1,val=20"
ASYMMETRIC = TWO + " -numa dist,src=1,dst=0,val=30"
SWAPPED = "-numa node -numa node -numa dist,src=1,dst=0,val=20"
MORE = "-machine q35 -m 2048 -smp cpus=4 -numa node,cpus=0-2 -numa node,cpus=3"


def diff(a: str, b: str, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    from tracesim.diff import cmd_diff

    status = cmd_diff([*flags, "--color", "never", "--a", a, "--b", b])
    return status, capsys.readouterr().out


def _hunk(out: str, n: int) -> str:
    start = out.index(f"@@ hunk {n}:")
    end = out.find("\n@@ hunk ", start + 1)
    return out[start:end if end >= 0 else out.index("\nOutcome")]


def test_a_condition_decided_on_its_second_line_is_no_phantom_decision(
        capsys: pytest.CaptureFixture[str]) -> None:
    """validate_numa_distance's symmetry check spans hw/core/numa.c:281-284: with back = 0,
    `&&` stops at line 281 (A); with back = 30 gdb steps on to 283, 284 and the decision is
    recorded at 282 (B). Before: "B records no decision there and goes the other way"."""
    _, out = diff(TWO, ASYMMETRIC, capsys)
    assert "records no decision" not in out and "(not recorded)" not in out
    hunk = " ".join(_hunk(out, 4).split())
    assert "hw/core/numa.c:281 in validate_numa_distance" in hunk
    assert ("!= numa_info[dst].distance[src])` is false in A and true in B "
            "(numa_info[src].distance[dst] = 20 in both; numa_info[dst].distance[src] = 0 in A, "
            "30 in B)") in hunk
    assert re.search(r"B \(decided at line 282, step \d+: true\)", hunk)
    _, out = diff(TWO, ASYMMETRIC, capsys, "--json")
    d = json.loads(out)["hunks"][3]["decision"]
    assert (d["a"]["taken"], d["b"]["taken"], d["b"]["at"]["line"]) == (False, True, 282)


def test_the_same_decision_on_other_lines_is_not_a_parting(
        capsys: pytest.CaptureFixture[str]) -> None:
    """dist 0->1 against dist 1->0: 270-271's `==0 && ==0` is false in both runs, decided by
    the first operand in one and the second in the other. The runs part only where the
    matrix is completed (complete_init_numa_distance)."""
    _, out = diff(TWO, SWAPPED, capsys)
    assert "records no decision" not in out
    lead = out.split("\n\n")[1]
    assert lead.startswith("The runs part ways at hw/core/numa.c:316 in complete_init_numa_distance")
    h6 = " ".join(_hunk(out, 6).split())
    assert "— the same way, other lines;" in h6
    assert ("== 0)` is false in both runs (numa_info[src].distance[dst] = 20 in A, 0 in B; "
            "numa_info[dst].distance[src] = 0 in A, 20 in B): the runs do not part") in h6
    _, out = diff(TWO, SWAPPED, capsys, "--json")
    r = json.loads(out)
    kinds = {h["index"]: h["kind"] for h in r["hunks"]}
    assert kinds[6] == kinds[7] == "operands" and r["first_divergence"]["hunk"] == 11


def test_a_loop_condition_that_holds_is_true_not_unrecorded(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, out = diff(SEED, MORE, capsys)
    lead = out.split("\n\n")[1]
    assert "if (cpus)\n      A  false  \n      B  true   cpus->value = 2" in lead
    assert "`if (cpus)` is false in A and true in B (cpus->value = 2 in B)" in \
        " ".join(_hunk(out, 7).split())


def test_follow_on_hunks_are_grouped_by_their_cause(capsys: pytest.CaptureFixture[str]) -> None:
    """Three changed options (-m, the nodes' CPUs) give 26 hunks: 4 causes."""
    status, out = diff(SEED, MORE, capsys, "--json")
    r = json.loads(out)
    assert status == 1 and r["hunks_total"] == 26
    assert [(g["ranges"], g["text"]) for g in r["groups"]] == [
        ("1", "the command lines, as main reads them"),
        ("2-5, 19-26", "-m 1024  →  -m 2048"),
        ("6-7", "-numa node,cpus=0-1  →  -numa node,cpus=0-2"),
        ("8-18", "-numa node,cpus=2-3  →  -numa node,cpus=3"),
    ]
    by = {h["index"]: (h["group"], h["follows"]) for h in r["hunks"]}
    assert by[2] == (2, None) and by[19] == (2, 2) and by[26] == (2, 2)  # the RAM split: -m
    assert by[17] == (4, 8)  # machine_set_cpu_numa_node's slot loop: cpus=3
    # swapping the runs swaps nothing in the grouping
    _, out = diff(MORE, SEED, capsys, "--json")
    assert [g["ranges"] for g in json.loads(out)["groups"]] == [g["ranges"] for g in r["groups"]]
    # the text: the causes first, and a follow-on value hunk in two lines
    _, text = diff(SEED, MORE, capsys)
    assert "26 hunks (A 618 stops, B 618 stops), from 4 causes:\n" \
           "   cause 1   hunk 1             the command lines, as main reads them\n" \
           "   cause 2   hunks 2-5, 19-26   -m 1024  →  -m 2048\n" in text
    h20 = _hunk(text, 20)
    assert h20.rstrip("\n").count("\n") == 1 and h20.endswith(
        "cause 2, after hunk 2\n   granularity = 536870912 in A, 1073741824 in B\n")
    assert len(text.splitlines()) <= 280  # 363 lines with every follow-on hunk in full


def test_a_decision_reading_what_one_run_alone_stored_follows_its_option(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, out = diff(TWO, "-numa node -numa node", capsys, "--json")
    r = json.loads(out)
    assert [(g["ranges"], g["text"]) for g in r["groups"]] == [
        ("1", "the command lines, as main reads them"),
        ("2-3", "only A has -numa dist,src=0,dst=1,val=20")]
    _, out = diff(TWO, ASYMMETRIC, capsys, "--json")
    assert [g["ranges"] for g in json.loads(out)["groups"]] == ["1", "2-7"]
