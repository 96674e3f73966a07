"""gdb habits (issue 11), each as gdb 13.1 answers it: the wording below was checked against
real gdb 13.1 (Debian 13.1-3) on a small C program with the same shapes (structs, arrays,
strings, breakpoints), then asked of the replay of the seed's QEMU command line."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


from conftest import qemu
from seed_session import SEED, STOP, at_stop, run, session
from tracesim.debugger.driver import Driver
from tracesim.debugger.session import Session

ROOT = Path(__file__).resolve().parents[1]
SEED_TRACE = str(ROOT / "traces" / "seed-q35-2node.jsonl")


def batch(*commands: str, args: list[str] | None = None,
          stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """The real `tracesim debug -batch -ex ...`, as a user runs it."""
    argv = [sys.executable, "-m", "tracesim", "debug", "-batch"]
    for c in commands:
        argv += ["-ex", c]
    argv += [SEED_TRACE] if args is None else ["--", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=ROOT,
                          input=stdin.decode() if stdin else None)


# --------------------------------------------------------------------------- 1. set / show


def test_show_sentences_are_gdbs() -> None:
    s, d, out, err = session()
    expected = {
        "show listsize": "Number of source lines gdb will list by default is 10.",
        "show pagination": "State of pagination is on.",
        "show confirm": "Whether to confirm potentially dangerous operations is on.",
        "show print pretty": "Pretty formatting of structures is off.",
        "show print elements": "Limit on string chars or array elements to print is 200.",
        "show print repeats": "Threshold for repeated print elements is 10.",
        "show exec-direction": "Forward.",
    }
    for line, sentence in expected.items():
        assert run(d, out, err, line) == ([sentence], [])
    for line, sentence in [
        ("set listsize 5", "Number of source lines gdb will list by default is 5."),
        ("set listsize 0", "Number of source lines gdb will list by default is unlimited."),
        ("set listsize unlimited", "Number of source lines gdb will list by default is unlimited."),
        ("set pagination off", "State of pagination is off."),
        ("set confirm off", "Whether to confirm potentially dangerous operations is off."),
        ("set print pretty on", "Pretty formatting of structures is on."),
        ("set print elements 0", "Limit on string chars or array elements to print is unlimited."),
        ("set print repeats 0", "Threshold for repeated print elements is unlimited."),
    ]:
        assert run(d, out, err, line) == ([], [])
        assert run(d, out, err, "show " + line.split()[1] + (
            " " + line.split()[2] if line.split()[1] == "print" else "")) == ([sentence], [])


def test_set_errors_are_gdbs() -> None:
    s, d, out, err = session()
    assert run(d, out, err, "set foo 1") == ([], ["A syntax error in expression, near `1'."])
    assert run(d, out, err, "set foo = 1") == ([], ['No symbol "foo" in current context.'])
    assert run(d, out, err, "set print foo") == (
        [], ['Undefined set print command: "foo".  Try "help set print".'])
    assert run(d, out, err, "show foo") == ([], ['Undefined show command: "foo".  Try "help show".'])
    assert run(d, out, err, "set listsize abc") == ([], ['No symbol "abc" in current context.'])
    assert run(d, out, err, "set listsize") == (
        [], ['Argument required (integer to set it to, or "unlimited").'])
    assert run(d, out, err, "set pagination maybe") == ([], ['"on" or "off" expected.'])
    assert run(d, out, err, "set print elements -1") == ([], ["integer -1 out of range"])
    assert run(d, out, err, "set exec-direction sideways") == ([], ['Undefined item: "sideways".'])
    assert run(d, out, err, "set exec-direction") == (
        [], ["Requires an argument. Valid arguments are forward, reverse."])
    # no recording before `run`: gdb's target cannot go backwards
    assert run(d, out, err, "set exec-direction reverse") == (
        [], ["Target does not support this operation."])


def test_listsize_is_honoured_by_list() -> None:
    s, d, out, err = at_stop("set listsize 5")
    got, _ = run(d, out, err, "list 300")
    assert [line.split("\t")[0] for line in got] == ["298", "299", "300", "301", "302"]
    got, _ = run(d, out, err, "list")
    assert [line.split("\t")[0] for line in got] == ["303", "304", "305", "306", "307"]


def test_print_pretty_is_gdbs_form() -> None:
    s, d, out, err = at_stop("set print pretty on")
    assert run(d, out, err, "p ms->smp")[0] == [
        "$1 = {", "  cpus = 4,", "  cores = 1,", "  threads = 1,", "  max_cpus = 4", "}"]
    got, _ = run(d, out, err, "p *ms->numa_state")
    # gdb 13: structs inside an array open on the array's line, members 6 deep, `}, {`
    assert got[:9] == ["$2 = {", "  num_nodes = 2,", "  have_numa_distance = false,",
                       "  nodes = {{", "      node_mem = 0,", "      node_memdev = 0x0,",
                       "      present = true,", "      distance = '\\000' <repeats 127 times>",
                       "    }, {"]
    assert got[-2:] == ["    } <repeats 126 times>}", "}"]
    run(d, out, err, "set print pretty off")
    assert run(d, out, err, "p ms->smp")[0] == [
        "$3 = {cpus = 4, cores = 1, threads = 1, max_cpus = 4}"]


def test_print_elements_and_repeats() -> None:
    s, d, out, err = at_stop()
    run(d, out, err, "set print elements 3")
    assert run(d, out, err, "p ms->cpu_type")[0] == ['$1 = 0x555555c53a90 "qem"...']
    assert run(d, out, err, "p ms->numa_state->nodes[0].distance")[0] == [
        "$2 = '\\000' <repeats 127 times>"]
    run(d, out, err, "set print elements 1")
    got = run(d, out, err, "p ms->numa_state->nodes")[0][0]
    assert got == ("$3 = {{node_mem = 0, node_memdev = 0x0, present = true, "
                   "distance = '\\000' <repeats 127 times>}...}")
    run(d, out, err, "set print elements 200")
    run(d, out, err, "set print repeats 200")
    assert run(d, out, err, "p ms->numa_state->nodes[0].distance")[0] == [
        '$4 = "' + "\\000" * 127 + '"']
    run(d, out, err, "set print repeats 10")
    assert run(d, out, err, "p ms->numa_state->nodes[0].distance")[0] == [
        "$5 = '\\000' <repeats 127 times>"]


def test_exec_direction_reverse_turns_run_control_around() -> None:
    s, d, out, err = at_stop("next", "next")
    forward_line = s.frames()[0].line
    run(d, out, err, "set exec-direction reverse")
    assert run(d, out, err, "show exec-direction") == (["Reverse."], [])
    run(d, out, err, "next")
    assert s.frames()[0].line != forward_line and s.frames()[0].line is not None
    assert run(d, out, err, "reverse-next") == (
        [], ["Already in reverse mode.  Use 'next' or 'set exec-direction forward'."])
    got, _ = run(d, out, err, "finish")
    assert got[0].startswith("Run back to call of #0  numa_complete_configuration")
    got, _ = run(d, out, err, "continue")
    assert got[:3] == ["Continuing.", "", "No more reverse-execution history."]
    run(d, out, err, "set exec-direction forward")
    got, _ = run(d, out, err, "continue")
    assert got[0] == "Continuing." and f"hit Breakpoint 1, {STOP}" in got[2]


# --------------------------------------------------------------------------- 2. read-only


def test_assignments_and_calls_are_refused_in_one_line() -> None:
    refusal = "tracesim replays a recorded trace: the program's state cannot be changed."
    s, d, out, err = at_stop()
    for line in ("set var ms->ram_size = 5", "set ms->ram_size = 5", "print ms->ram_size = 5",
                 "set var $pc = 0"):
        assert run(d, out, err, line) == ([], [refusal])
    assert run(d, out, err, "call numa_complete_configuration(ms)") == (
        [], ["You can't do that without a process to debug."])
    # convenience variables are gdb's own: they take values
    assert run(d, out, err, "set $x = 3") == ([], [])
    assert run(d, out, err, "p $x") == (["$1 = 3"], [])
    assert run(d, out, err, "set var $y = $x + 1") == ([], [])
    assert run(d, out, err, "p $y") == (["$2 = 4"], [])


def test_batch_exit_status_is_the_last_commands() -> None:
    # gdb -batch goes on after an error and exits 1 only when the last command failed
    proc = batch("set var ram_size = 1", "p 1")
    assert proc.returncode == 0 and proc.stdout == "$1 = 1\n"
    assert proc.stderr == ("tracesim replays a recorded trace: the program's state cannot be "
                           "changed.\n")
    proc = batch("p 1", "set var ram_size = 1")
    assert proc.returncode == 1


# --------------------------------------------------------------------------- 3. printf, output, echo


def test_printf_output_echo() -> None:
    s, d, out, err = at_stop()
    assert run(d, out, err, 'printf "%d %u %x %lx %s %c %%\\n", 4, -1, 255, ms->ram_size, '
               'ms->cpu_type, 65') == (
        ["4 4294967295 ff 40000000 qemu64-x86_64-cpu A %"], [])
    assert run(d, out, err, 'printf "%5d|%-5d|%05x|%p|%p\\n", 1, 2, 3, ms, 0') == (
        ["    1|2    |00003|0x55555638e430|(nil)"], [])
    for line, error in [
        ('printf "%d\\n"', "Wrong number of arguments for specified format-string"),
        ('printf "%d\\n", 1, 2', "Wrong number of arguments for specified format-string"),
        ('printf "%q\\n", 1', "Unrecognized format specifier 'q' in printf"),
        ('printf "abc', "Bad format string, non-terminated '\"'"),
        ("printf abc", "Bad format string, missing '\"'"),
        ('printf "%s\\n", 5', "Cannot access memory at address 0x5"),
        ('printf "%*d\\n", 1', "`*' not supported for precision or width in printf"),
    ]:
        assert run(d, out, err, line) == ([], [error]), line
    # output and echo write no newline: the next text goes on the same line, as gdb's
    assert run(d, out, err, "output ms->smp") == ([], [])
    assert run(d, out, err, "echo \\n") == (["{cpus = 4, cores = 1, threads = 1, max_cpus = 4}"], [])
    run(d, out, err, "echo a\\tb")
    run(d, out, err, "output 5")
    assert run(d, out, err, 'printf "|\\101\\\\\\"\\n"') == (['a\tb5|A\\"'], [])


def test_output_without_newline_at_the_end_of_batch() -> None:
    proc = batch("echo hi\\n", "output 1+1", "echo \\101\\x41\\")
    assert proc.stdout == "hi\n2Ax41" and proc.returncode == 0  # gdb 13's very bytes


# --------------------------------------------------------------------------- 4. x


def test_x_on_modelled_memory() -> None:
    s, d, out, err = at_stop()
    assert run(d, out, err, "x/2xw &ms->smp") == (["0x55555638e460:\t0x00000004\t0x00000001"], [])
    assert run(d, out, err, "x/8xb &ms->smp") == (
        ["0x55555638e460:\t0x04\t0x00\t0x00\t0x00\t0x01\t0x00\t0x00\t0x00"], [])
    # node 0: node_mem = 0, node_memdev = NULL, present = true (one byte), distance[] = 0
    assert run(d, out, err, "x/4dg &ms->numa_state->nodes[0]") == (
        ["0x55555638eff8:\t0\t0", "0x55555638f008:\t1\t0"], [])
    assert run(d, out, err, "x/s ms->cpu_type") == (['0x555555c53a90:\t"qemu64-x86_64-cpu"'], [])
    assert run(d, out, err, "x/2ow &ms->smp") == (["0x55555638e460:\t04\t01"], [])
    assert run(d, out, err, "x/2c ms->cpu_type") == (["0x555555c53a90:\t113 'q'\t101 'e'"], [])
    assert run(d, out, err, "x/4xw 0") == ([], ["Cannot access memory at address 0x0"])
    # gdb wrote the address before failing: it starts the next line of output
    assert run(d, out, err, "p 1") == (["0x0:\t$1 = 1"], [])


# --------------------------------------------------------------------------- 5. info, kill, apropos


def test_registers_agree_with_info_frame() -> None:
    s, d, out, err = at_stop()
    frame, _ = run(d, out, err, "info frame")
    cfa = int(frame[0].split("frame at ")[1].rstrip(":"), 16)
    rip = frame[1].split("rip = ")[1].split()[0]
    arglist = frame[4].split("Arglist at ")[1].split(",")[0]
    regs, _ = run(d, out, err, "info registers")
    assert regs[0] == f"rbp            {arglist:<19} {arglist}"
    assert regs[1].startswith(f"rsp            {cfa - 0x30:#x}")
    assert regs[2].startswith(f"rip            {rip:<19} {rip} <{STOP}+")
    assert run(d, out, err, "info all-registers")[0][:3] == regs[:3]
    assert run(d, out, err, "p $pc")[0] == [f"$1 = (void (*)()) {regs[2].split(None, 2)[2]}"]
    assert run(d, out, err, "p $sp")[0] == [f"$2 = (void *) {cfa - 0x30:#x}"]
    assert run(d, out, err, "p $fp")[0] == [f"$3 = (void *) {arglist}"]
    assert run(d, out, err, "p $rip == $pc")[0] == ["$4 = 1"]
    assert run(d, out, err, "p $_exitcode")[0] == ["$5 = void"]
    assert run(d, out, err, "info registers foo") == ([], ["Invalid register `foo'"])


def test_exitcode_after_an_exit() -> None:
    s, d, out, err = session()
    bad = Session(qemu(["-machine", "q35", "-numa", "node,nodeid=0",
                        "-numa", "node,nodeid=0"]).trace)
    dd = Driver(bad, out.append, err.append)
    dd.run_line("run")
    out.clear()
    dd.run_line("p $_exitcode")
    assert out == ["$1 = 1"]
    err.clear()
    dd.run_line("p $pc")
    assert err == ["No registers."]


def test_threads_inferiors_libraries_symbols_checkpoints_kill() -> None:
    s, d, out, err = session()
    assert run(d, out, err, "info threads") == (["No threads."], [])
    assert run(d, out, err, "info sharedlibrary") == (
        ["No shared libraries loaded at this time."], [])
    assert run(d, out, err, "info inferiors")[0][1].startswith("* 1    <null>      ")
    assert run(d, out, err, "kill") == ([], ["The program is not being run."])
    assert run(d, out, err, "info registers") == ([], ["The program has no registers now."])
    for line in (f"break {STOP}", "run"):
        d.run_line(line)
    got, _ = run(d, out, err, "info threads")
    assert got[0] == "  Id   Target Id" + " " * 43 + "Frame "
    assert got[1] == ('* 1    Thread 0x7ffff7a8e2c0 (LWP 24304) "qemu-system-x86" '
                      f"{STOP} (ms=0x55555638e430) at hw/core/numa.c:364")
    assert len(got) == 3 and "call_rcu" in got[2]  # the thread not modelled is said, not made up
    assert run(d, out, err, "info thread")[0] == got
    assert run(d, out, err, "info inferiors")[0] == [
        "  Num  Description       Connection           Executable        ",
        "* 1    process 24304     1 (native)           /usr/bin/qemu-system-x86_64 "]
    assert "no shared-library map" in run(d, out, err, "info sharedlibrary")[0][0]
    assert run(d, out, err, f"info symbol {STOP}")[0] == [
        f"{STOP} in section .text of /usr/bin/qemu-system-x86_64"]
    assert run(d, out, err, "info symbol (char *)&ram_size + 4")[0] == [
        "ram_size + 4 in section .bss of /usr/bin/qemu-system-x86_64"]
    assert run(d, out, err, "info symbol 0") == (["No symbol matches 0."], [])
    assert run(d, out, err, "info checkpoints") == (["No checkpoints."], [])
    assert run(d, out, err, "kill") == (
        ["Kill the program being debugged? (y or n) [answered Y; input not from terminal]",
         "[Inferior 1 (process 24304) killed]"], [])
    assert not s.running
    run(d, out, err, "run")
    run(d, out, err, "set confirm off")
    assert run(d, out, err, "kill") == (["[Inferior 1 (process 24304) killed]"], [])


def test_apropos_searches_the_one_command_table() -> None:
    s, d, out, err = session()
    got, _ = run(d, out, err, "apropos listsize")
    assert "set listsize -- Set number of source lines gdb will list by default." in got
    assert "show listsize -- Show number of source lines gdb will list by default." in got
    got, _ = run(d, out, err, "apropos reverse")
    assert "reverse-step, rs -- Step backwards to the previous statement, entering functions." in got
    assert "show exec-direction -- Show direction of execution (forward/reverse)." in got
    assert run(d, out, err, "apropos") == ([], ["REGEXP string is empty"])


# --------------------------------------------------------------------------- 6. list, break, enable, commands, save, run


def test_list_ranges_and_the_end_of_the_file(tmp_path: Path) -> None:
    numa_c = tmp_path / "hw" / "core" / "numa.c"
    numa_c.parent.mkdir(parents=True)
    numa_c.write_text("".join(f"line {n}\n" for n in range(1, 481)))
    s = Session(qemu(SEED).trace, str(tmp_path))
    out: list[str] = []
    err: list[str] = []
    d = Driver(s, out.append, err.append)
    got, _ = run(d, out, err, "list hw/core/numa.c:470,472")
    assert got == ["470\tline 470", "471\tline 471", "472\tline 472"]
    got, _ = run(d, out, err, "list 476,")
    assert got == [f"{n}\tline {n}" for n in range(476, 481)]  # stops at the last line
    # gdb 13.1: `Line number 481 out of range; "t.c" has ...` is spelt without quotes
    assert run(d, out, err, "list") == (
        [], ["Line number 481 out of range; hw/core/numa.c has 480 lines."])
    assert run(d, out, err, "list 9999") == (
        [], ["Line number 9994 out of range; hw/core/numa.c has 480 lines."])
    got, _ = run(d, out, err, "list ,12")
    assert [line.split("\t")[0] for line in got] == [str(n) for n in range(3, 13)]


def test_break_past_the_end_of_a_file_is_gdbs_no_line() -> None:
    proc = batch("break numa.c:9999", "break hw/core/numa.c:9999", "info breakpoints")
    # gdb names the file as it was typed; the pending question is answered N in batch mode
    assert proc.stdout.splitlines()[:4] == [
        'No line 9999 in file "numa.c".',
        "Make breakpoint pending on future shared library load? (y or [n]) "
        "[answered N; input not from terminal]",
        'No line 9999 in file "hw/core/numa.c".',
        "Make breakpoint pending on future shared library load? (y or [n]) "
        "[answered N; input not from terminal]"]
    assert proc.stdout.splitlines()[4] == "No breakpoints or watchpoints."
    assert proc.returncode == 0  # not an error for gdb: the command returns after the query
    s, d, out, err = session()
    run(d, out, err, "set confirm off")
    assert run(d, out, err, "break 9999") == (["No line 9999 in the current file."], [])


def test_enable_once_count_delete() -> None:
    s, d, out, err = session()
    for line in ("break parse_numa_node", "break x86_cpu_index_to_props", f"break {STOP}"):
        d.run_line(line)
    run(d, out, err, "enable once 1")
    run(d, out, err, "enable count 2 2")
    run(d, out, err, "enable delete 3")
    got, _ = run(d, out, err, "info breakpoints")
    assert got[1].startswith("1       breakpoint     dis  y   ")
    assert got[2].startswith("2       breakpoint     dis  y   ")
    assert got[3] == "\tdisable after next 2 hits"
    assert got[4].startswith("3       breakpoint     del  y   ")
    run(d, out, err, "run")
    assert "hit Breakpoint 1, parse_numa_node" in out[2]
    assert not s.points.get(1).enabled  # enable once: disabled when it stopped
    run(d, out, err, "continue")
    run(d, out, err, "continue")
    assert "hit Breakpoint 2, x86_cpu_index_to_props" in out[2]
    assert not s.points.get(2).enabled  # after its 2 hits
    got, _ = run(d, out, err, "continue")
    assert f"Temporary breakpoint 3, {STOP}" in got[2]  # enable delete: gdb's temporary
    assert 3 not in s.points.points


def test_delete_display() -> None:
    s, d, out, err = at_stop("display ram_size", "display max_numa_nodeid")
    assert run(d, out, err, "delete display 1") == ([], [])
    assert run(d, out, err, "delete display 5") == (["No display number 5."], [])
    got, _ = run(d, out, err, "info display")
    assert got == ["Auto-display expressions now in effect:", "Num Enb Expression",
                   "2:   y  max_numa_nodeid"]


def test_commands_from_a_script_and_from_stdin(tmp_path: Path) -> None:
    script = tmp_path / "cmds.gdb"
    script.write_text(f"break {STOP}\ncommands\nsilent\np ram_size\necho in commands\\n\nend\n"
                      "break parse_numa_node\ncommands 2\np 7\nend\n")
    argv = [sys.executable, "-m", "tracesim", "debug", "-batch", "-x", str(script),
            "-ex", "info breakpoints", "-ex", "run", "-ex", "delete 2", "-ex", "continue",
            SEED_TRACE]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=ROOT)
    lines = proc.stdout.splitlines()
    assert lines[2:8] == [
        "Num     Type           Disp Enb Address            What",
        f"1       breakpoint     keep y   0x0000000000326a6a in {STOP} at hw/core/numa.c:364",
        "        silent", "        p ram_size", "        echo in commands\\n",
        "2       breakpoint     keep y   0x0000000000325958 in parse_numa_node at hw/core/numa.c:61"]
    hit = lines.index(next(l for l in lines if "hit Breakpoint 2" in l))
    assert lines[hit + 2] == "$1 = 7"
    assert lines[-3:] == ["Continuing.", "$2 = 1073741824", "in commands"]  # silent: no report
    assert proc.stderr == "" and proc.returncode == 0
    piped = subprocess.run([sys.executable, "-m", "tracesim", "debug", "-q", SEED_TRACE],
                           input=f"break {STOP}\ncommands\np 5\nend\nrun\n", text=True,
                           capture_output=True, timeout=120, cwd=ROOT)
    assert "$1 = 5\n" in piped.stdout and piped.stderr == ""


def test_save_breakpoints_writes_a_script_that_sets_them_again(tmp_path: Path) -> None:
    s, d, out, err = session()
    for line in (f"break {STOP}", "condition 1 ram_size > 0", "commands", "p 1", "end",
                 "tbreak hw/core/numa.c:61", "break parse_numa", "disable 3", "watch ram_size"):
        d.run_line(line)
    target = tmp_path / "bps.gdb"
    assert run(d, out, err, f"save breakpoints {target}") == ([], [])
    assert target.read_text() == (
        f"break {STOP}\n  condition $bpnum ram_size > 0\n  commands\n    p 1\n  end\n"
        "tbreak hw/core/numa.c:61\nbreak parse_numa\ndisable $bpnum\nwatch ram_size\n")
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    s2, d2, out2, err2 = session()
    d2.run_line(f"source {target}")
    assert err2 == []
    assert [p.condition for p in s2.points.points.values()] == ["ram_size > 0", None, None, None]
    assert [p.enabled for p in s2.points.points.values()] == [True, True, False, True]
    assert getattr(s2.points.get(1), "commands") == ["p 1"]
    # only regular files are written, as tracesim's other outputs
    assert run(d, out, err, f"save breakpoints {tmp_path}")[1][0].startswith(
        f"Unable to open file '{tmp_path}' for saving ({tmp_path} is a directory")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert "is a FIFO" in run(d, out, err, f"save breakpoints {fifo}")[1][0]


def test_run_resets_hit_counts() -> None:
    s, d, out, err = at_stop("continue")
    assert s.points.get(1).hits == 1
    run(d, out, err, "run")
    assert s.points.get(1).hits == 1  # counted again from zero
    got, _ = run(d, out, err, "info breakpoints")
    assert got[2] == "\tbreakpoint already hit 1 time"


def test_new_commands_are_in_the_one_table() -> None:
    from tracesim.debugger.commands import COMMANDS, INFO, lookup

    for name in ("set", "printf", "x", "kill", "apropos", "commands", "save", "output", "echo"):
        assert name in COMMANDS and COMMANDS[name].help
    for name in ("threads", "inferiors", "sharedlibrary", "symbol", "checkpoints",
                 "all-registers"):
        assert name in INFO
    assert lookup("k").name == "kill"
