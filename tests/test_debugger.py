"""The replay debugger used as a gdb user would: batch mode, golden prints, reverse stepping."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHARED, golden_cases, qemu
from tracesim.cli import main
from tracesim.debugger.driver import Driver
from tracesim.debugger.session import Session

SEED = ["-machine", "q35", "-m", "1024", "-smp", "cpus=4", "-numa", "node,cpus=0-1",
        "-numa", "node,cpus=2-3"]
ADDR = re.compile(r"0x[0-9a-f]{6,}")


def batch(capsys: pytest.CaptureFixture[str], *commands: str, args: list[str] = SEED
          ) -> tuple[int, list[str], str]:
    argv = ["debug", "-batch"]
    for c in commands:
        argv += ["-ex", c]
    status = main(argv + ["--"] + args)
    out = capsys.readouterr()
    return status, out.out.splitlines(), out.err


def session(args: list[str] = SEED) -> tuple[Session, Driver, list[str], list[str]]:
    out: list[str] = []
    err: list[str] = []
    s = Session(qemu(args).trace)
    return s, Driver(s, out.append, err.append), out, err


CASES = [c for c in golden_cases() if c.get("gdb_prints")]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_prints_in_batch_mode(case: dict, capsys: pytest.CaptureFixture[str]) -> None:
    """tracesim debug -batch -ex 'break FILE:LINE' -ex run -ex 'p ...' answers as gdb did."""
    commands: list[str] = []
    expected: list[str] = []
    for block in case["gdb_prints"]:
        commands.append(f"break {block['stop']}")
    commands.append("run")
    for k, block in enumerate(case["gdb_prints"]):
        if k:
            commands.append("continue")
        for cmd, answer in block["prints"]:
            commands.append(cmd)
            expected.append(answer.rstrip("\n"))
    status, out, err = batch(capsys, *commands, args=case["argv"])
    assert err == ""
    got = [line for line in out if line.startswith("$")]
    assert len(got) == len(expected)
    for n, (g, w) in enumerate(zip(got, expected), start=1):
        assert g.startswith(f"${n} = ")  # gdb numbers the history from 1, one per print
        assert ADDR.sub("ADDR", g.split(" = ", 1)[1]) == ADDR.sub("ADDR", w.split(" = ", 1)[1])


def test_breakpoint_stop_lines_as_in_the_gdb_session(capsys: pytest.CaptureFixture[str]) -> None:
    """The session in ../shared/golden/gdb-sessions: same breakpoints, same hit lines."""
    text = (SHARED / "golden" / "gdb-sessions" / "author-q35-2node.txt").read_text()
    sets = re.findall(r"^Breakpoint (\d+) at 0x[0-9a-f]+: file (\S+), line (\d+)\.$", text, re.M)
    hits = re.findall(r'^Thread 1 "qemu-system-x86" hit Breakpoint (\d+), (.*)$', text, re.M)
    functions = {"vl.c:2721": "set_memory_options", "hw/core/machine.c:725": "smp_parse",
                 "hw/core/machine.c:1103": "machine_run_board_init",
                 "hw/core/machine.c:1052": "machine_numa_finish_cpu_init",
                 "hw/core/machine.c:647": "machine_set_cpu_numa_node",
                 "hw/core/machine.c:1029": "cpu_slot_to_string", "hw/i386/pc.c:913": "pc_smp_parse",
                 "hw/i386/x86.c:132": "x86_cpu_index_to_props",
                 "hw/i386/x86.c:140": "x86_get_default_cpu_node_id",
                 "hw/i386/x86.c:152": "x86_possible_cpu_arch_ids",
                 "hw/core/numa.c:469": "parse_numa_opts", "hw/core/numa.c:225": "parse_numa",
                 "hw/core/numa.c:179": "set_numa_options", "hw/core/numa.c:61": "parse_numa_node",
                 "hw/core/numa.c:144": "parse_numa_distance",
                 "hw/core/numa.c:364": "numa_complete_configuration",
                 "hw/core/numa.c:264": "validate_numa_distance",
                 "hw/core/numa.c:307": "complete_init_numa_distance",
                 "hw/core/numa.c:349": "numa_default_auto_assign_ram",
                 "hw/core/numa.c:331": "numa_legacy_auto_assign_ram"}
    commands = [f"break {functions[f'{file}:{line}']}" for _, file, line in sets] + ["break exit"]
    commands += ["run"] + ["continue"] * (len(hits) - 1)
    status, out, err = batch(capsys, *commands)
    ours = [line for line in out if " hit Breakpoint " in line]
    theirs = [f'Thread 1 "qemu-system-x86" hit Breakpoint {n}, {rest}' for n, rest in hits]
    # argc differs: the session's QEMU had more (unmodelled) options on its command line
    norm = lambda l: re.sub(r"argc=\d+", "argc=N", l)
    assert [norm(l) for l in ours] == [norm(l) for l in theirs]
    for n, file, line in sets:
        assert any(l.startswith(f"Breakpoint {n} at 0x") and l.endswith(f": file {file}, line {line}.")
                   for l in out)


def test_backtrace_at_the_exit_as_gdb_printed_it(capsys: pytest.CaptureFixture[str]) -> None:
    text = (SHARED / "golden" / "gdb-sessions" / "mem-mismatch-bt.txt").read_text()
    want = [l for l in text.splitlines() if re.match(r"#\d", l)]
    status, out, err = batch(capsys, "catch exit", "run", "bt", args=[
        "-machine", "q35", "-m", "1024", "-smp", "4", "-numa", "node,mem=256M,cpus=0-1",
        "-numa", "node,mem=512M,cpus=2-3"])
    got = [l for l in out if re.match(r"#\d", l)]
    norm = lambda l: re.sub(r"argc=\d+|ms=0x[0-9a-f]+|machine=0x[0-9a-f]+|argv=0x[0-9a-f]+|envp=0x[0-9a-f]+",
                            "X", l)
    assert [norm(l) for l in got] == [norm(l) for l in want]
    assert "total memory for NUMA nodes (0x30000000) should equal RAM size (0x40000000)" in "\n".join(out)


def test_seed_authors_session_step_by_step(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = batch(
        capsys, "break numa_complete_configuration", "run", "next", "next", "next",
        "p ms->numa_state->num_nodes", "watch numa_info[1].node_mem", "continue",
        "bt", "finish", "p/x numa_info[1].node_mem", "info breakpoints")
    assert status == 0 and err == ""
    text = "\n".join(out)
    assert "hit Breakpoint 1, numa_complete_configuration (ms=0x55555638e430) at hw/core/numa.c:364" in text
    assert out[out.index("$1 = 2") - 1].startswith("385\t")
    assert "Hardware watchpoint 2: numa_info[1].node_mem\n\nOld value = 0\nNew value = 536870912" in text
    assert "numa_default_auto_assign_ram (mc=0x5555562ed5b0, nodes=0x55555638eff8, nb_nodes=2, " \
           "size=1073741824) at hw/core/numa.c:361" in text
    assert "#1  0x000055555587a" in text and "in numa_complete_configuration (ms=0x55555638e430) at hw/core/numa.c:425" in text
    assert "Run till exit from #0  numa_default_auto_assign_ram" in text
    assert "$2 = 0x20000000" in text
    assert "\tbreakpoint already hit 1 time" in text


def test_reverse_step_lands_where_forward_step_was() -> None:
    """For every stop N: reverse-step from N+1 gives the state forward stepping had at N."""
    s, d, out, err = session(["-machine", "q35", "-m", "1536", "-smp", "3", "-numa", "node,cpus=0",
                              "-numa", "node,cpus=1", "-numa", "node,cpus=2",
                              "-numa", "dist,src=0,dst=1,val=20", "-numa", "dist,src=0,dst=2,val=30",
                              "-numa", "dist,src=1,dst=2,val=40"])
    d.run_line("start")
    forward = []
    stops = set(s.index.stops)
    while s.running and s.pos is not None:
        if s.pos in stops:  # (stepping out into main also stops between statements)
            forward.append((s.pos, dict(s.state().memory), [f.line for f in s.state().frames]))
        d.run_line("step")
        if s.exited:
            break
    assert len(forward) == len(s.index.stops)
    s.goto(forward[-1][0])
    for pos, memory, lines in reversed(forward[:-1]):
        d.run_line("reverse-step")
        assert s.pos == pos
        assert s.state().memory == memory
        assert [f.line for f in s.state().frames] == lines
    assert not err


def test_next_and_reverse_next_skip_calls() -> None:
    s, d, out, err = session()
    d.run_line("break 426")
    d.run_line("run")
    d.run_line("next")
    assert out[-1].startswith("425\t")  # the call's line again (spec R4: 425 426 425)
    d.run_line("next")
    assert out[-1].startswith("427\t")  # numa_default_auto_assign_ram ran through
    d.run_line("reverse-next")
    assert out[-1].startswith("425\t") and s.frames()[0].fn == "numa_complete_configuration"
    d.run_line("reverse-step")
    assert s.frames()[0].fn == "numa_complete_configuration" and s.frames()[0].line == 426
    d.run_line("next")
    d.run_line("step")
    assert s.frames()[0].fn == "numa_default_auto_assign_ram" and s.frames()[0].line == 349


def test_conditions_ignore_counts_tbreak_and_catchpoints(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = batch(
        capsys, "break machine_set_cpu_numa_node if props->node_id == 1", "tbreak parse_numa",
        "catch warning", "run", "continue", "p props->node_id", "info breakpoints", "continue",
        "catch split", "continue")
    text = "\n".join(out)
    assert "Temporary breakpoint 2, parse_numa (" in text
    assert "$1 = 1" in text
    assert "stop only if props->node_id == 1" in text
    assert "Catchpoint 3 (warning: Default splitting of RAM" in text or \
           "Catchpoint 4 (split:" in text


def test_goto_marks_last_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = batch(
        capsys, "start", "goto 560", "mark here", "goto 1", "goto here", "info record",
        "break 438", "continue", "why", "last ram_size", args=SEED)
    text = "\n".join(out)
    assert "Current instruction number is 560." in text
    assert "if (numa_total != ram_size) is false" in text
    assert "numa_total = 1073741824" in text and "ram_size = 1073741824" in text
    assert "last changed at stop" in text and "set_memory_options" in text


def test_errors_are_gdb_one_liners_and_batch_status(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = batch(capsys, "frobnicate", "p foo", "p 1 +", "break nosuch", "next",
                             "info frobs", "frame 9")
    assert err.splitlines() == [
        'Undefined command: "frobnicate".  Try "help".',
        'No symbol "foo" in current context.',
        "A syntax error in expression, near `'.",
        'Function "nosuch" not defined.',
        "The program is not being run.",
        'Undefined info command: "frobs".  Try "help info".',
        "No stack.",
    ]
    assert status == 1  # gdb -batch: the last command failed
    status, out, err = batch(capsys, "run")
    assert status == 0


def test_monitor_info_numa_follows_the_position(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = batch(capsys, "break numa_complete_configuration", "run", "monitor info numa",
                             "break 1143", "continue", "monitor info numa")
    text = "\n".join(out)
    assert "node 0 size: 0 MB" in text  # before the split
    assert "node 0 size: 512 MB" in text  # after it


def test_help_and_completion_read_the_one_table() -> None:
    from tracesim.debugger.commands import COMMANDS
    from tracesim.repl import GdbCompleter
    from prompt_toolkit.document import Document

    s, d, out, err = session()
    d.run_line("help")
    assert all(any(line.startswith(name) for line in out) for name in COMMANDS)
    d.run_line("break numa_complete_configuration")
    d.run_line("run")
    comp = GdbCompleter(s)
    got = [c.text for c in comp.get_completions(Document("p ms->numa_st"), None)]  # type: ignore[arg-type]
    assert got == ["ms->numa_state"]
    got = [c.text for c in comp.get_completions(Document("rev"), None)]  # type: ignore[arg-type]
    assert "reverse-step" in got and "reverse-continue" in got
    got = [c.text for c in comp.get_completions(Document("break numa_com"), None)]  # type: ignore[arg-type]
    assert got == ["numa_complete_configuration"]


hostile = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
words = st.sampled_from(["p", "print", "break", "watch", "x", "info", "frame", "up", "down", "n",
                         "s", "c", "rc", "rs", "finish", "goto", "list", "display", "ptype",
                         "why", "last", "catch", "until", "advance", "tbreak", "condition", "ignore",
                         "delete", "disable", "p/x", "output", "monitor", "mark", "help", "bt"])
exprs = st.sampled_from(["ms->numa_state", "*ms", "numa_info[", "i+", "$", "$$9", "(int)",
                         "ram_size/0", "numa_info[1000000]", "((Object *)0)->class", "&&", "@",
                         "'a", "\"x", "1 ? 2", "sizeof", ")", "numa_info[0].distance[0]@300"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(hostile, st.builds(lambda w, e, t: f"{w} {e}{t}", words, exprs, hostile)),
                max_size=12))
def test_hostile_lines_never_end_the_session(lines: list[str]) -> None:
    s, d, out, err = session()
    d.run_line("break 465")
    d.run_line("run")
    for line in lines:
        if line.strip().split(" ")[0] in ("q", "quit", "exit") or line.startswith(("quit", "exit")):
            continue
        d.run_line(line)
    assert not [e for e in err if "internal error" in e or "Traceback" in e]


def test_repl_through_prompt_toolkit_pipe_input() -> None:
    """The real REPL loop, fed keystrokes through prompt_toolkit's pipe input."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from tracesim.repl import interact

    s, d, out, err = session()
    with create_pipe_input() as inp:
        inp.send_text("break numa_complete_configuration\nrun\nnext\n\np i\nquit\n")
        with create_app_session(input=inp, output=DummyOutput()):
            status = interact(s, d)
    assert status == 0
    assert out[-1].startswith("$1 = ")  # `p i` answered
    assert any(line.startswith("366\t") for line in out)
    assert any(line.startswith("367\t") for line in out)  # the empty line repeated `next`


def test_debug_reads_a_trace_file_and_damaged_ones_fail_cleanly(tmp_path: Path) -> None:
    good = tmp_path / "t.jsonl"
    assert main(["run", "-o", str(good), "--"] + SEED) == 0
    proc = subprocess.run([sys.executable, "-m", "tracesim", "debug", "-batch", "-ex", "run", str(good)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "The modelled path ends at hw/core/machine.c:1143" in proc.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text().replace('"step"', '"stpe"', 3))
    proc = subprocess.run([sys.executable, "-m", "tracesim", "debug", "-batch", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "bad.jsonl:" in proc.stderr and "Traceback" not in proc.stderr


def test_ten_thousand_seeded_hostile_lines() -> None:
    """10,000 lines from a seeded generator: commands with junk, bare junk, control bytes."""
    import random

    from tracesim.debugger.commands import ALIASES, COMMANDS

    rng = random.Random(20261125)
    names = sorted(set(COMMANDS) | set(ALIASES)) + ["info", "p/x", "p/z", "x/4x", "frame"]
    names = [n for n in names if n not in ("quit", "q", "exit")]
    atoms = ["ms", "->", ".", "[", "]", "(", ")", "*", "&", "numa_info", "0", "1", "-1",
             "999999999999999999999", "@", "$", "$$", "$1", "'", '"', "\\", "if", "==", "+",
             "/", "%", "<<", "?", ":", "(char)", "(struct NumaState *)", "sizeof", "ram_size",
             "i", "props", "possible_cpus", "cpus", "\x00", "\x1b[A", "é", "\t", "hw/core/numa.c:",
             "numa_complete_configuration", "exit", "error", "split"]
    s, d, out, err = session()
    d.run_line("break numa_complete_configuration")
    d.run_line("run")
    for _ in range(10_000):
        words = [rng.choice(atoms) for _ in range(rng.randrange(0, 6))]
        joiner = rng.choice(["", " "])
        line = (rng.choice(names) + " " if rng.random() < 0.8 else "") + joiner.join(words)
        if line.split()[:1] in (["exit"], ["q"], ["quit"]):
            continue  # a real quit is no hostile input
        try:
            d.run_line(line)
        except SystemExit:
            raise AssertionError(f"{line!r} ended the session")
        if s.exited and rng.random() < 0.05:
            d.run_line("run")
    assert not [e for e in err if "internal error" in e or "Traceback" in e]


def test_list_shows_the_real_source_from_a_qemu_tree(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """With --qemu-src the lines are the tree's (a stand-in tree here: QEMU is not shipped)."""
    numa_c = tmp_path / "hw" / "core" / "numa.c"
    numa_c.parent.mkdir(parents=True)
    numa_c.write_text("".join(f"stand-in text of line {n}\n" for n in range(1, 600)))
    (tmp_path / "VERSION").write_text("4.2.1\n")  # --qemu-src checks the tree's version
    main(["debug", "-batch", "--qemu-src", str(tmp_path), "-ex", "break 465", "-ex", "run",
                   "-ex", "list", "-ex", "info source", "--"] + SEED)
    out = capsys.readouterr().out.splitlines()
    assert "465\tstand-in text of line 465" in out
    assert "460\tstand-in text of line 460" in out and "469\tstand-in text of line 469" in out
    assert any(l.startswith("Current source file is hw/core/numa.c (from ") for l in out)
    main(["debug", "-batch", "-ex", "break 465", "-ex", "run", "-ex", "list", "--"] + SEED)
    out = capsys.readouterr().out.splitlines()
    assert "465\t/* } */" in out  # without a tree: the model's own description
