"""The replay debugger on QEMU 7.2 traces: 7.2's structures, files and lines, as gdb 13 shows
them on the -O0 -g3 rebuild of Debian's 7.2.22 (../shared/golden/qemu-7.2 and the recorded
session ../shared/golden/gdb-sessions/qemu-7.2-author-memdev.txt)."""
from __future__ import annotations

import json
import re
import sys
from typing import Any

import pytest

from conftest import SHARED
from tracesim.cli import main, simulate_trace
from tracesim.debugger.driver import Driver
from tracesim.debugger.session import Session
from tracesim.debuginfo import debug_info

GOLDEN = SHARED / "golden" / "qemu-7.2"
SESSION = SHARED / "golden" / "gdb-sessions" / "qemu-7.2-author-memdev.txt"
ADDR = re.compile(r"0x[0-9a-f]{6,}")
MEMDEV = ["-machine", "q35", "-m", "1024", "-smp", "cpus=4",
          "-object", "memory-backend-ram,id=m0,size=512M",
          "-object", "memory-backend-ram,id=m1,size=512M",
          "-numa", "node,memdev=m0,cpus=0-1", "-numa", "node,memdev=m1,cpus=2-3"]


def golden_cases() -> list[dict[str, Any]]:
    if not GOLDEN.is_dir():
        return []
    cases = [json.loads(p.read_text()) for p in sorted(GOLDEN.glob("*.json"))]
    return [c for c in cases if c.get("gdb_prints")]


def batch(capsys: pytest.CaptureFixture[str], *commands: str, args: list[str] = MEMDEV
          ) -> tuple[int, list[str], str]:
    """`tracesim debug --profile 7.2 -batch -ex CMD... -- ARGS`: status, stdout lines, stderr."""
    argv = ["debug", "--profile", "7.2", "-batch"]
    for c in commands:
        argv += ["-ex", c]
    status = main(argv + ["--"] + args)
    out = capsys.readouterr()
    return status, out.out.splitlines(), out.err


def same_but_heap(got: str, want: str) -> bool:
    """Heap addresses differ from run to run of QEMU: compare everything else."""
    return ADDR.sub("ADDR", got) == ADDR.sub("ADDR", want)


CASES = golden_cases()


@pytest.mark.skipif(not CASES, reason="../shared/golden is not beside the repo")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_prints_in_batch_mode(case: dict, capsys: pytest.CaptureFixture[str]) -> None:
    """break numa.c:728 and machine.c:1415, run, print: the values gdb printed on 7.2."""
    commands = [f"break {block['stop']}" for block in case["gdb_prints"]] + ["run"]
    expected: list[str] = []
    for k, block in enumerate(case["gdb_prints"]):
        if k:
            commands.append("continue")
        for command, answer in block["prints"]:
            commands.append(command)
            expected.append(answer.rstrip("\n").split(" = ", 1)[1])
    status, out, err = batch(capsys, *commands, args=case["argv"])
    assert err == ""
    hits = [line for line in out if " hit Breakpoint " in line]
    assert [h.split(", ", 1)[1].split(" (")[0] for h in hits] == \
        [block["frame"] for block in case["gdb_prints"]]
    got = [line.split(" = ", 1)[1] for line in out if line.startswith("$")]
    wrong = [f"{c}\n  got  {g}\n  want {w}" for c, g, w in
             zip([c for c in commands if c.startswith("p")], got, expected)
             if not same_but_heap(g, w)]
    assert len(got) == len(expected) and not wrong, "\n".join(wrong)


# --------------------------------------------------------------------------- the session


def session_text() -> str:
    return SESSION.read_text()


@pytest.mark.skipif(not SESSION.is_file(), reason="../shared/golden is not beside the repo")
def test_breakpoints_and_hits_as_in_the_recorded_7_2_session(
        capsys: pytest.CaptureFixture[str]) -> None:
    text = session_text()
    sets = re.findall(r"^((?:Temporary )?[Bb]reakpoint \d+ at 0x[0-9a-f]+: file \S+, line \d+\.)$",
                      text, re.M)
    hits = re.findall(r'^Thread 1 "qemu-system-x86" hit (?:Temporary b|B)reakpoint .*$', text, re.M)
    status, out, err = batch(capsys, "break numa_complete_configuration",
                             "tbreak hw/core/numa.c:690", "break nosuchfunc", "run", "continue")
    assert [l for l in out if re.match(r"(Temporary b|B)reakpoint \d+ at", l)] == sets
    assert 'Function "nosuchfunc" not defined.' in err
    ours = [l for l in out if " hit " in l]
    assert len(ours) == len(hits) == 2
    assert all(same_but_heap(o, t) for o, t in zip(ours, hits)), (ours, hits)


@pytest.mark.skipif(not SESSION.is_file(), reason="../shared/golden is not beside the repo")
def test_the_sessions_prints_at_its_first_stop(capsys: pytest.CaptureFixture[str]) -> None:
    """$1..$8 were printed at numa.c:638 before anything ran there; $10 one frame up."""
    lines = session_text().splitlines()
    prints = [(lines[k][len("(gdb) "):], lines[k + 1]) for k in range(len(lines) - 1)
              if re.match(r"\(gdb\) p(/\w)? ", lines[k])]
    prints = [(c, w) for c, w in prints if w.startswith("$")]  # not the errors
    first = [(c, w) for c, w in prints if int(w[1:w.index(" ")]) <= 8]
    up = [(c, w) for c, w in prints if w.startswith("$10 ")]
    commands = ["break numa_complete_configuration", "run"] + [c for c, _ in first]
    commands += ["frame 1"] + [c for c, _ in up]
    status, out, err = batch(capsys, *commands)
    assert err == ""
    got = [l for l in out if l.startswith("$")]
    want = [w for _, w in first + up]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert same_but_heap(g.split(" = ", 1)[1], w.split(" = ", 1)[1]), (g, w)


@pytest.mark.skipif(not SESSION.is_file(), reason="../shared/golden is not beside the repo")
def test_ptype_as_in_the_recorded_7_2_session(capsys: pytest.CaptureFixture[str]) -> None:
    text = session_text()
    for command in ("ptype ms", "ptype NodeInfo", "whatis ms->numa_state->nodes"):
        start = text.index(f"(gdb) {command}\n") + len(f"(gdb) {command}\n")
        want = text[start:text.index("(gdb) ", start)].rstrip("\n").splitlines()
        status, out, err = batch(capsys, "break numa_complete_configuration", "run", command)
        assert out[-len(want):] == want, command


# --------------------------------------------------------------------------- frames and lines


def test_backtrace_shows_7_2s_files_and_lines(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = batch(capsys, "break numa_complete_configuration", "run", "bt")
    frames = [l for l in out if l.startswith("#")]
    assert frames[0].startswith("#0  numa_complete_configuration (ms=0x")
    assert frames[0].endswith(" at hw/core/numa.c:638")
    assert re.match(r"#1  0x000055555587a594 in machine_run_board_init \(machine=0x\w+, "
                    r"mem_path=0x0, errp=0x\w+ <error_fatal>\) at hw/core/machine.c:1347$",
                    frames[1])
    # board init runs under qemu_init_board, qmp_x_exit_preconfig and qemu_init
    assert frames[2] == "#2  0x0000555555a542c0 in qemu_init_board () at softmmu/vl.c:2515"
    # main(argc, argv) on 7.2: no envp, and it stands at its call of qemu_init
    assert re.match(r"#5  0x0000555555cad329 in main \(argc=15, argv=0x\w+\) "
                    r"at softmmu/main.c:47$", frames[5])


def args_aside(line: str) -> str:
    """A frame line with its argument values aside (heap and argv addresses, and argc: the
    recorded session ran QEMU with 12 more runner arguments); code addresses stay."""
    return re.sub(r"argc=\d+", "argc=N", re.sub(r"=0x[0-9a-f]+", "=ADDR", line))


def session_answer(command: str, after: str = "") -> list[str]:
    """What gdb printed for `command` in the recorded session (the first time after `after`)."""
    text = session_text()
    start = text.index(f"(gdb) {command}\n", text.index(after) if after else 0)
    start += len(f"(gdb) {command}\n")
    return text[start:text.index("(gdb) ", start)].rstrip("\n").splitlines()


@pytest.mark.skipif(not SESSION.is_file(), reason="../shared/golden is not beside the repo")
def test_bt_shows_the_recorded_sessions_six_frames(capsys: pytest.CaptureFixture[str]) -> None:
    """main -> qemu_init -> qmp_x_exit_preconfig -> qemu_init_board -> machine_run_board_init
    -> numa_complete_configuration, with gdb's code addresses and lines."""
    want = session_answer("bt")
    assert len(want) == 6
    status, out, err = batch(capsys, "break numa_complete_configuration", "run", "bt", "bt 1")
    assert err == ""
    frames = [l for l in out if l.startswith("#")]
    assert [args_aside(l) for l in frames[:6]] == [args_aside(l) for l in want]
    assert frames[6:] == [want[0]] or args_aside(frames[6]) == args_aside(want[0])
    assert out[-1] == "(More stack frames follow...)"


@pytest.mark.skipif(not SESSION.is_file(), reason="../shared/golden is not beside the repo")
def test_up_down_and_frame_over_the_unstepped_frames(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    """`frame 1`, `up` to qemu_init_board, `down`, `frame 4` (qemu_init), `frame 5` (main,
    where finish is not meaningful) as the recorded session showed them."""
    status, out, err = batch(capsys, "break numa_complete_configuration", "run", "frame 1",
                             "up", "down", "frame 4", "info frame", "frame 5", "finish",
                             "frame 0")
    heads = [l for l in out if l.startswith("#")]
    sources = [l.split("\t")[0] for l in out if re.match(r"\d+\t", l)]
    want_up = session_answer("up")
    want_down = session_answer("down", "(gdb) up\n")
    want_main = session_answer("frame function main")
    assert args_aside(heads[0]) == args_aside(want_down[0])  # frame 1
    assert heads[1] == want_up[0]  # up: qemu_init_board ()
    assert args_aside(heads[2]) == args_aside(want_down[0])
    assert args_aside(heads[3]) == ("#4  0x0000555555a56dbc in qemu_init (argc=N, argv=ADDR) "
                                    "at softmmu/vl.c:3609")
    assert args_aside(heads[4]) == args_aside(want_main[0])
    assert heads[5].startswith("#0  numa_complete_configuration (ms=0x")
    assert sources == ["638", "1347", "2515", "1347", "3609", "47", "638"]
    assert " rip = 0x555555a56dbc in qemu_init (softmmu/vl.c:3609); saved rip = 0x555555cad329" \
        in out
    assert err.strip() == session_answer("finish", "(gdb) frame function main\n")[0]


def test_finish_and_next_out_of_parse_numa_opts_land_in_qemu_init(
        capsys: pytest.CaptureFixture[str]) -> None:
    """parse_numa_opts(current_machine) is a void call ending its statement (vl.c:3599): the
    return address starts vl.c:3601, where gdb's finish and next both stop, without `0x… in`."""
    status, out, err = batch(capsys, "break parse_numa_opts", "run", "bt", "finish", "bt")
    assert err == ""
    k = out.index(next(l for l in out if l.startswith("Run till exit")))
    assert re.match(r"Run till exit from #0  parse_numa_opts \(ms=0x\w+\) "
                    r"at hw/core/numa.c:732$", out[k])
    assert args_aside(out[k + 1]) == "qemu_init (argc=N, argv=ADDR) at softmmu/vl.c:3601"
    assert out[k + 2].startswith("3601\t")
    assert "Value returned" not in "\n".join(out)  # void
    before = [l for l in out[:k] if l.startswith("#")]
    assert [args_aside(l) for l in before] == [
        "#0  parse_numa_opts (ms=ADDR) at hw/core/numa.c:732",
        "#1  0x0000555555a56d77 in qemu_init (argc=N, argv=ADDR) at softmmu/vl.c:3599",
        "#2  0x0000555555cad329 in main (argc=N, argv=ADDR) at softmmu/main.c:47"]
    after = [l for l in out[k:] if l.startswith("#")]
    assert [args_aside(l) for l in after] == [
        "#0  qemu_init (argc=N, argv=ADDR) at softmmu/vl.c:3601",
        "#1  0x0000555555cad329 in main (argc=N, argv=ADDR) at softmmu/main.c:47"]
    # `next` from parse_numa_opts's last stop (its one, vl.c:732) steps out to the same line
    status, out, err = batch(capsys, "break parse_numa_opts", "run", "next")
    assert args_aside(out[-2]) == "qemu_init (argc=N, argv=ADDR) at softmmu/vl.c:3601"
    assert out[-1].startswith("3601\t")


def test_a_4_2_main_keeps_its_lines() -> None:
    """4.2's main (and QEMU's option iterator) are the frames its model does not step, with
    the lines gdb showed."""
    q42 = debug_info("4.2")
    assert [u.fn for u in q42.unstepped] == ["main", "qemu_opts_foreach"]
    assert q42.unstepped_frame("qemu_opts_foreach").return_line("parse_numa") == 1171
    assert q42.main.file == "vl.c" and q42.main.return_line("parse_numa_opts") == 4339
    assert q42.main.call_line("machine_run_board_init") == 4346
    assert q42.main.finish_line("parse_numa_opts") is None  # finish: mid-line at 4338
    q72 = debug_info("7.2")
    assert [u.fn for u in q72.unstepped] == ["main", "qemu_init", "qmp_x_exit_preconfig",
                                             "qemu_init_board", "qemu_opts_foreach"]


@pytest.mark.parametrize("function, line", [
    ("numa_complete_configuration", "hw/core/numa.c, line 638"),
    ("machine_set_mem", "hw/core/machine.c, line 560"),
    ("set_numa_options", "hw/core/numa.c, line 465"),
    ("parse_memory_options", "softmmu/vl.c, line 1981"),
    ("machine_parse_smp_config", "hw/core/machine-smp.c, line 73"),
])
def test_break_function_stops_at_7_2s_entry_line(capsys: pytest.CaptureFixture[str],
                                                 function: str, line: str) -> None:
    """Entry lines come from 7.2's line table (the first golden stop of each function)."""
    status, out, err = batch(capsys, f"break {function}", "run")
    assert out[0].endswith(f": file {line}.")
    hit = next(l for l in out if " hit Breakpoint 1, " in l)
    assert hit.split(", ", 1)[1].startswith(f"{function} (")
    assert hit.endswith(line.replace(", line ", ":"))


def test_list_and_info_line_on_a_7_2_trace(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = batch(capsys, "list numa_complete_configuration",
                             "info line hw/core/numa.c:690", "break numa_complete_configuration",
                             "run", "info line")
    assert err == ""
    assert any(l.startswith("690\t") or l.startswith("638\t") for l in out)
    assert any(l.startswith('Line 690 of "hw/core/numa.c" starts at address 0x') for l in out)
    assert out[-1].startswith('Line 638 of "hw/core/numa.c" starts at address 0x555555b927')


def test_ptype_and_whatis_of_7_2s_types(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = batch(capsys, "break hw/core/numa.c:728", "run", "ptype ms->smp",
                             "whatis mc->smp_props", "p sizeof(NodeInfo)",
                             "p sizeof(CPUArchId)", "p/x ms->numa_state->nodes[0].initiator",
                             "p &ms->numa_state->nodes[1]", "p numa_info + 1")
    assert err == ""
    text = "\n".join(out)
    assert ("type = struct CpuTopology {\n    unsigned int cpus;\n    unsigned int sockets;\n"
            "    unsigned int dies;\n    unsigned int clusters;\n    unsigned int cores;\n"
            "    unsigned int threads;\n    unsigned int max_cpus;\n}") in text
    assert "type = SMPCompatProps" in out
    assert "$1 = 152" in out and "$2 = 128" in out and "$3 = 0x80" in out
    assert out[-1].split(" = ")[1] == out[-2].split(" = ")[1]  # numa_info + 1 is node 1


def test_a_4_2_replay_never_loads_7_2s_debug_info() -> None:
    import subprocess

    code = ("import sys; from tracesim.cli import simulate_trace; "
            "from tracesim.debugger.session import Session; "
            "s = Session(simulate_trace(['-m', '1024'])); "
            "s.inspect.print_value(s.state(), 0, 'ram_size', None, False); "
            "print(sorted(m for m in sys.modules if 'v72' in m))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_each_profile_has_its_own_debug_info() -> None:
    q42, q72 = debug_info("4.2"), debug_info("7.2")
    assert q42.entry_lines["numa_complete_configuration"] == ("hw/core/numa.c", 364)
    assert q72.entry_lines["numa_complete_configuration"] == ("hw/core/numa.c", 638)
    assert q72.entry_lines["main"] == ("softmmu/main.c", 47)
    assert "hmat_enabled" not in {f.name for f in q42.struct_tags["NumaState"].fields or []}
    assert "hmat_enabled" in {f.name for f in q72.struct_tags["NumaState"].fields or []}
    with pytest.raises(ValueError):
        debug_info("9.2")  # no such profile (10.0 has its own: test_v100_debugger)


def test_session_reads_the_profile_from_the_trace_header() -> None:
    trace = simulate_trace(MEMDEV, "7.2")
    out: list[str] = []
    err: list[str] = []
    d = Driver(Session(trace), out.append, err.append)
    for line in ("break numa_complete_configuration", "run", "p ms->smp"):
        d.run_line(line)
    assert out[-1] == ("$1 = {cpus = 4, sockets = 1, dies = 1, clusters = 1, cores = 4, "
                       "threads = 1, max_cpus = 4}")


@pytest.mark.skipif(not GOLDEN.is_dir(), reason="../shared/golden is not beside the repo")
def test_entry_lines_are_the_first_golden_stop_of_each_function() -> None:
    entries = debug_info("7.2").entry_lines
    for path in sorted(GOLDEN.glob("*.json")):
        seen: set[str] = set()
        for fn, file, line in json.loads(path.read_text()).get("gdb_stops", []):
            if fn not in seen:
                seen.add(fn)
                assert entries.get(fn, (file, line)) == (file, line), (path.name, fn)
