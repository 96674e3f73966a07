"""gdb habits, third part (issue 11): watch -location and the read/access watchpoints a trace
cannot serve, record / record stop, checkpoints, shell and pipe, bt -N / frame function|level /
info line *ADDR, `list` centred again after a stop, $_siginfo, and Ctrl-C during a search.

Each expected text was copied from real gdb 13.1 (Debian 13.1-3) on a small -O0 C program put
in the same situation (and, for rwatch -l / awatch -l, from the golden QEMU 7.2 session in
/work/shared/golden/gdb-sessions), then asked of the replay of the seed's QEMU command line.
"""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import qemu
from seed_session import STOP, at_stop, run, session
from tracesim.debugger.driver import Driver
from tracesim.debugger.session import Session

ROOT = Path(__file__).resolve().parents[1]
SEED_TRACE = str(ROOT / "traces" / "seed-q35-2node.jsonl")
FRAME0 = f"{STOP} (ms=0x55555638e430) at hw/core/numa.c:364"
FRAME1 = "0x0000555555a0d6cf in machine_run_board_init (machine=0x55555638e430) at " \
         "hw/core/machine.c:1106"
FRAME2 = "0x0000555555994d61 in main (argc=11, argv=0x7fffffffe278, envp=0x7fffffffe2d8) at " \
         "vl.c:4346"


def batch(*commands: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The real `tracesim debug -batch -ex ...`, as a user runs it."""
    argv = [sys.executable, "-m", "tracesim", "debug", "-batch"]
    for c in commands:
        argv += ["-ex", c]
    argv.append(SEED_TRACE)
    env = dict(os.environ, PYTHONPATH=str(ROOT), SHELL="/bin/sh")
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


# --------------------------------------------------------------------------- 1. watchpoints

NO_LOADS = ("the trace records QEMU's stores, not its loads (reads are known only among a "
            "decision's operands).")


def test_rwatch_and_awatch_are_refused_in_one_line_saying_why() -> None:
    """gdb accepts them (`Hardware read watchpoint 2: g.num`), but a read watchpoint must stop
    at every load and the trace records stores only (a branch's `values` are the operands of
    one decision, not every read): refused, after gdb's own checks of the expression."""
    s, d, out, err = at_stop()
    assert run(d, out, err, "rwatch ms->numa_state->num_nodes") == (
        [], [f"Cannot set a read watchpoint: {NO_LOADS}"])
    assert run(d, out, err, "awatch -l ms->numa_state->have_numa_distance") == (
        [], [f"Cannot set an access (read/write) watchpoint: {NO_LOADS}"])
    # gdb 13.1's answers before it would set one
    assert run(d, out, err, "rwatch") == ([], ["Argument required (expression to compute)."])
    assert run(d, out, err, "awatch") == ([], ["Argument required (expression to compute)."])
    assert run(d, out, err, "rwatch 5") == ([], ["Cannot watch constant value `5'."])
    assert run(d, out, err, "rwatch nosuch") == ([], ['No symbol "nosuch" in current context.'])
    assert run(d, out, err, "info watchpoints") == (["No watchpoints."], [])
    assert s.points.next_number == 2  # no number taken


def test_watch_location_watches_the_address_in_every_frame() -> None:
    s, d, out, err = session()
    for line in ("break parse_numa_opts", "run"):
        d.run_line(line)
    # gdb 13.1: `watch -l g.num` -> `Hardware watchpoint 4: -location g.num`
    assert run(d, out, err, "watch -l ms->numa_state->num_nodes") == (
        ["Hardware watchpoint 2: -location ms->numa_state->num_nodes"], [])
    assert run(d, out, err, "watch -location ms->numa_state->have_numa_distance") == (
        ["Hardware watchpoint 3: -location ms->numa_state->have_numa_distance"], [])
    assert run(d, out, err, "info watchpoints") == ([
        "Num     Type           Disp Enb Address            What",
        "2       hw watchpoint  keep y                      -location ms->numa_state->num_nodes",
        "3       hw watchpoint  keep y                      "
        "-location ms->numa_state->have_numa_distance"], [])
    # the store happens in parse_numa_node, a frame of its own: still the same object
    got, _ = run(d, out, err, "continue")
    assert got == [
        "Continuing.", "",
        "Hardware watchpoint 2: -location ms->numa_state->num_nodes", "",
        "Old value = 0", "New value = 1",
        "parse_numa_node (ms=0x55555638e430, node=0x5555563a7d88, errp=0x7fffffffde38) at "
        "hw/core/numa.c:139",
        "139\t/* } */"]
    got, _ = run(d, out, err, "continue")
    assert got[4:6] == ["Old value = 1", "New value = 2"]
    got, _ = run(d, out, err, "reverse-continue")
    assert got[2:5] == ["Hardware watchpoint 2: -location ms->numa_state->num_nodes", "",
                        "Old value = 2"]


def test_watchpoints_changed_by_one_store_are_reported_together() -> None:
    """gdb 13.1, `watch total` and `watch -l total`, one store: both blocks, then the place
    once (`Hardware watchpoint 2: total` ... `Hardware watchpoint 3: -location total` ...)."""
    s, d, out, err = at_stop("watch ms->numa_state->nodes[0].node_mem",
                             "watch -l ms->numa_state->nodes[0].node_mem",
                             "watch ms->numa_state->nodes[1].node_mem")
    got, _ = run(d, out, err, "continue")
    assert got == [
        "Continuing.", "",
        "Hardware watchpoint 2: ms->numa_state->nodes[0].node_mem", "",
        "Old value = 0", "New value = 536870912", "",
        "Hardware watchpoint 3: -location ms->numa_state->nodes[0].node_mem", "",
        "Old value = 0", "New value = 536870912",
        "numa_default_auto_assign_ram (mc=0x5555562ed5b0, nodes=0x55555638eff8, nb_nodes=2, "
        "size=1073741824) at hw/core/numa.c:358",
        "358\t/* usedmem = ...; i = ... */"]
    got, _ = run(d, out, err, "continue")
    assert got[2:6] == ["Hardware watchpoint 4: ms->numa_state->nodes[1].node_mem", "",
                        "Old value = 0", "New value = 536870912"] and len(got) == 8
    run(d, out, err, "reverse-continue")
    got, _ = run(d, out, err, "reverse-continue")
    assert [line for line in got if line.startswith("Hardware")] == [
        "Hardware watchpoint 2: ms->numa_state->nodes[0].node_mem",
        "Hardware watchpoint 3: -location ms->numa_state->nodes[0].node_mem"]


def test_watch_location_errors_are_gdbs() -> None:
    s, d, out, err = at_stop()
    # gdb 13.1 on `watch -l x+1`, `watch -location`, `watch -l 5`
    assert run(d, out, err, "watch -l ms->numa_state->num_nodes + 1") == (
        [], ["Attempt to take address of value not located in memory."])
    assert run(d, out, err, "watch -location") == (
        [], ["Argument required (expression to compute)."])
    assert run(d, out, err, "watch -l 5") == ([], ["Cannot watch constant value `5'."])
    # a local: gdb 13.1 `watch -l y` -> `Hardware watchpoint 5: -location y`, then stops on
    # its stores (after the frame returns gdb watches the dead stack slot: not modelled)
    assert run(d, out, err, "watch -l i") == (["Hardware watchpoint 2: -location i"], [])
    got, _ = run(d, out, err, "continue")
    assert got[2:6] == ["Hardware watchpoint 2: -location i", "", "Old value = 21845",
                        "New value = 1"]
    for _ in range(10):
        got, _ = run(d, out, err, "continue")
        assert not any("deleted because" in line for line in got)


# --------------------------------------------------------------------------- 2. record, checkpoints


def test_record_and_record_stop_are_gdbs() -> None:
    s, d, out, err = session()
    # gdb 13.1 with no process
    assert run(d, out, err, "record") == ([], ["Process record: the program is not being run."])
    assert run(d, out, err, "record stop") == ([], [
        'No recording is currently active.\nUse the "record full" or "record btrace" command '
        "first."])
    for line in (f"break {STOP}", "run"):
        d.run_line(line)
    already = ('The process is already being recorded.  Use "record stop" to stop recording '
               "first.")
    assert run(d, out, err, "record") == ([], [already])  # a replay is always recorded
    assert run(d, out, err, "record full") == ([], [already])
    assert run(d, out, err, "record btrace") == ([], [already])
    assert run(d, out, err, "record foo") == (
        [], ['Undefined record command: "foo".  Try "help record".'])
    run(d, out, err, "next")
    assert run(d, out, err, "record stop") == (
        ["Process record is stopped and all execution logs are deleted."], [])
    # gdb 13.1 on a threaded program (QEMU's target is multi-thread, as the sessions show)
    for line in ("reverse-next", "reverse-step", "reverse-continue", "reverse-finish"):
        assert run(d, out, err, line) == (
            [], ["Target multi-thread does not support this command."])
    assert run(d, out, err, "info record") == (["No recording is currently active."], [])
    assert run(d, out, err, "set exec-direction reverse") == (
        [], ["Target does not support this operation."])
    # `record` again: the log starts here; going back past it is gdb's end of history
    assert run(d, out, err, "record") == ([], [])
    here = s.pos
    run(d, out, err, "next")
    run(d, out, err, "next")
    got, _ = run(d, out, err, "info record")
    assert f"Lowest recorded instruction number is {s.index.stop_number(here) + 1}." in got
    run(d, out, err, "reverse-next")
    assert run(d, out, err, "reverse-next") == (["366\t/* mc = ... */"], []) and s.pos == here
    # gdb 13.1 (record, next, next, reverse-next twice, then once more)
    assert run(d, out, err, "reverse-next") == (
        ["", "No more reverse-execution history.", "numa_complete_configuration "
         "(ms=0x55555638e430) at hw/core/numa.c:366", "366\t/* mc = ... */"], [])
    assert s.pos == here
    # a new run is recorded from its start again
    run(d, out, err, "run")
    assert run(d, out, err, "reverse-step")[1] == []


def test_checkpoints_are_positions_in_gdbs_words() -> None:
    s, d, out, err = session()
    assert run(d, out, err, "checkpoint") == ([], ["The program is not being run."])
    for line in (f"break {STOP}", "run"):
        d.run_line(line)
    assert run(d, out, err, "info checkpoints") == (["No checkpoints."], [])
    assert run(d, out, err, "restart 1") == ([], ["Not found: checkpoint id 1"])
    assert run(d, out, err, "checkpoint") == ([], [])  # -batch: gdb says nothing (!from_tty)
    s.__dict__["from_tty"] = True
    run(d, out, err, "next")
    run(d, out, err, "next")
    assert run(d, out, err, "checkpoint") == (["checkpoint 2: fork returned pid 24309."], [])
    # gdb 13.1: the process it never switched away from shows at 0x0
    assert run(d, out, err, "info checkpoints") == ([
        "* 0 Thread 0x7ffff7a8e2c0 (LWP 24304) (main process) at 0x0",
        "  1 process 24308 at 0x55555587aa6a, file hw/core/numa.c, line 364",
        "  2 process 24309 at 0x55555587aa8a, file hw/core/numa.c, line 367"], [])
    assert run(d, out, err, "restart 1") == ([
        "Switching to process 24308", f"#0  {FRAME0}",
        "364\t/* { (entry of numa_complete_configuration) */"], [])
    assert s.frames()[0].line == 364
    assert run(d, out, err, "info checkpoints") == ([
        "  0 Thread 0x7ffff7a8e2c0 (LWP 24304) (main process) at 0x55555587aa8a, file hw/core/numa.c, line 367",
        "* 1 process 24308 at 0x55555587aa6a, file hw/core/numa.c, line 364",
        "  2 process 24309 at 0x55555587aa8a, file hw/core/numa.c, line 367"], [])
    assert run(d, out, err, "restart") == ([], ["Requires argument (checkpoint id to restart)"])
    assert run(d, out, err, "delete checkpoint") == (
        [], ["Requires argument (checkpoint id to delete)"])
    assert run(d, out, err, "delete checkpoint 7") == ([], ["No such checkpoint id, 7"])
    assert run(d, out, err, "delete checkpoint 1") == (
        [], ["Please switch to another checkpoint before deleting the current one"])
    assert run(d, out, err, "delete checkpoint 2") == (["Killed process 24309"], [])
    assert run(d, out, err, "restart 0")[0][0] == "Switching to process 24304"
    assert s.frames()[0].line == 367
    assert run(d, out, err, "delete checkpoint 1") == (["Killed process 24308"], [])
    assert run(d, out, err, "info checkpoints") == (["No checkpoints."], [])  # one process


def test_info_catch_is_not_a_gdb_13_command() -> None:
    s, d, out, err = at_stop()
    assert run(d, out, err, "info catch") == (
        [], ['Undefined info command: "catch".  Try "help info".'])


# --------------------------------------------------------------------------- 3. shell and pipe


def test_shell_and_pipe_in_batch_mode_pass_the_output_through(tmp_path: Path) -> None:
    proc = batch("echo before\\n", "shell echo hello", "!echo bang", "! echo bang2",
                 "shell false", "p $_shell_exitcode", "p $_shell_exitsignal",
                 "shell kill -9 $$", "p $_shell_exitcode", "p $_shell_exitsignal",
                 f"break {STOP}", "run", "pipe bt | wc -l", "| bt | head -1", "|bt|head -2",
                 "pipe -d XX bt XX wc -l", "pipe p 1+1 | cat", "pipe bt | false",
                 "p $_shell_exitcode", "shell pwd", cwd=tmp_path)
    lines = proc.stdout.splitlines()
    assert lines[:9] == ["before", "hello", "bang", "bang2", "$1 = 1", "$2 = void",
                         "$3 = void", "$4 = 9",
                         "Breakpoint 1 at 0x326a6a: file hw/core/numa.c, line 364."]
    assert lines[-8:] == ["3", f"#0  {FRAME0}", f"#0  {FRAME0}", f"#1  {FRAME1}", "3",
                          "$5 = 2", "$6 = 1", str(tmp_path)]
    assert proc.stderr == "" and proc.returncode == 0


def test_pipe_errors_are_gdbs() -> None:
    proc = batch("pipe", "pipe bt", "pipe | wc", "pipe -d", "pipe -d X",
                 "pipe p nosuch | cat", "pipe -x bt | cat")
    assert proc.stderr.splitlines() == [
        "Missing COMMAND", "Missing delimiter before SHELL_COMMAND",
        "No previous command to relaunch", "-d requires an argument",
        "Missing delimiter before SHELL_COMMAND", 'No symbol "nosuch" in current context.',
        'Undefined command: "-x".  Try "help".']


def test_shell_runs_only_for_the_users_own_commands(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """A program driving the debugger (tests and fuzzers feeding it junk, the DAP adapter)
    never starts a shell: only a front end reading the user's commands (it assigns
    Driver.from_tty), writing to the process's own stdout, does."""
    monkeypatch.chdir(tmp_path)
    s, d, out, err = at_stop()
    refusal = ("Shell commands run only for a user's own commands (typed, -ex, -x or stdin of "
               "a tracesim process), not for a program driving the debugger.")
    assert run(d, out, err, "!echo hi > made") == ([], [refusal])
    assert run(d, out, err, "pipe bt | cat > made") == ([], [refusal])
    d.from_tty = True  # as the command line does, but this output is captured (pytest's)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert run(d, out, err, "shell echo hi > made") == ([], [refusal])
    assert not (tmp_path / "made").exists()


def test_echo_without_newline_comes_before_the_shells_output() -> None:
    proc = batch("echo abc", "shell echo x", "output 5", "pipe p 1 | cat")
    assert proc.stdout == "abcx\n5$1 = 1\n"


# --------------------------------------------------------------------------- 4. frames, lines


def test_backtrace_counts_and_frame_function_level() -> None:
    s, d, out, err = at_stop()
    assert run(d, out, err, "bt -1") == ([f"#2  {FRAME2}"], [])  # the outermost, no "More"
    assert run(d, out, err, "bt -2") == ([f"#1  {FRAME1}", f"#2  {FRAME2}"], [])
    assert run(d, out, err, "bt 1") == ([f"#0  {FRAME0}", "(More stack frames follow...)"], [])
    assert run(d, out, err, "bt 0") == (["(More stack frames follow...)"], [])
    got, _ = run(d, out, err, "bt full 1")
    assert got[0] == f"#0  {FRAME0}" and got[-1] == "(More stack frames follow...)"
    assert got[1].startswith("        ")
    assert run(d, out, err, "bt full -1") == ([f"#2  {FRAME2}", "No locals."], [])
    assert run(d, out, err, "frame function main") == (
        [f"#2  {FRAME2}", "4346\t/* in main: not modelled statement by statement */"], [])
    assert run(d, out, err, "frame level 1")[0][0] == f"#1  {FRAME1}"
    assert s.selected == 1
    assert run(d, out, err, f"frame function {STOP}")[0][0] == f"#0  {FRAME0}"
    # gdb 13.1's errors
    assert run(d, out, err, "frame function nosuch") == ([], ['Function "nosuch" not defined.'])
    assert run(d, out, err, "frame function") == ([], ["Missing function name argument"])
    assert run(d, out, err, "frame level 5") == ([], ["No frame at level 5."])
    assert run(d, out, err, "frame level") == ([], ["Argument required (expression to compute)."])
    assert run(d, out, err, "frame function parse_numa_opts") == (
        [], ['No frame for function "parse_numa_opts".'])


def test_info_line_star_address_and_other_files(tmp_path: Path) -> None:
    s, d, out, err = at_stop()
    # gdb 13.1 at a function's first stop: by line, the line's code from the function's
    # low pc to the end of the prologue; by address, the part after the prologue
    line364 = ('Line 364 of "hw/core/numa.c" starts at address 0x55555587aa5e '
               "<numa_complete_configuration> and ends at 0x55555587aa6a "
               "<numa_complete_configuration+12>.")
    body364 = ('Line 364 of "hw/core/numa.c" starts at address 0x55555587aa6a '
               "<numa_complete_configuration+12> and ends at 0x55555587aa74 "
               "<numa_complete_configuration+22>.")
    assert run(d, out, err, "info line") == ([line364], [])
    assert run(d, out, err, "info line *0x55555587aa6a") == ([body364], [])
    assert run(d, out, err, "info line *0x55555587aa70") == ([body364], [])  # mid-line
    assert run(d, out, err, "info line *$pc") == ([body364], [])
    assert run(d, out, err, "info line *0x55555587aa5e") == ([line364], [])  # the low pc
    # a line of another file, and its address back
    # the line of a call bt showed: its code ends at the call's return address
    other = ('Line 1106 of "hw/core/machine.c" starts at address 0x555555a0d6ba '
             "<machine_run_board_init+74> and ends at 0x555555a0d6cf "
             "<machine_run_board_init+95>.")
    assert run(d, out, err, "info line hw/core/machine.c:1106") == ([other], [])
    assert run(d, out, err, "info line *0x555555a0d6ce") == ([other], [])
    # the return address starts the next line, as on the real 7.2 build
    assert run(d, out, err, "info line *0x555555a0d6cf")[0][0].startswith(
        'Line 1107 of "hw/core/machine.c" starts at address 0x555555a0d6cf ')
    # gdb 13.1: `info line *0`, `info line *0x1234`
    assert run(d, out, err, "info line *0") == (["No line number information available."], [])
    assert run(d, out, err, "info line *0x1234") == (
        ["No line number information available for address 0x1234"], [])
    # past the end of the file (known with QEMU's tree): gdb's `Line number 999 is out of range`
    numa_c = tmp_path / "hw" / "core" / "numa.c"
    numa_c.parent.mkdir(parents=True)
    numa_c.write_text("".join(f"line {n}\n" for n in range(1, 892)))
    s2, d2, out2, err2 = session(str(tmp_path))
    for line in (f"break {STOP}", "run"):
        d2.run_line(line)
    assert run(d2, out2, err2, "info line 99999") == (
        [], ['Line number 99999 is out of range for "hw/core/numa.c".'])


# --------------------------------------------------------------------------- 5. list after a stop


def test_list_is_centred_on_each_new_stop() -> None:
    s, d, out, err = at_stop()

    def first(line: str) -> int:
        got, _ = run(d, out, err, line)
        return int(got[0].split("\t")[0])

    assert first("list") == 359  # gdb 13.1: a stop at line 10 lists 5-14
    assert first("list") == 369  # then on from there
    run(d, out, err, "next")  # at 366
    assert first("list") == 361
    assert first("list") == 371
    assert first("list -") == 361  # the ten before the last printed
    run(d, out, err, "frame 1")  # a frame selected: centred on its line
    assert first("list") == 1101
    run(d, out, err, "down")
    run(d, out, err, "print 1")  # not a stop: the listing goes on
    assert first("list") == 361
    assert first("list") == 371


# --------------------------------------------------------------------------- 6. $_ variables


def test_exitsignal_siginfo_exitcode_as_gdb() -> None:
    s, d, out, err = session()
    # gdb 13.1 before the program runs
    assert run(d, out, err, "p $_exitsignal") == (["$1 = void"], [])
    assert run(d, out, err, "p $_siginfo") == (["$2 = void"], [])
    assert run(d, out, err, "p $_exitcode") == (["$3 = void"], [])
    for line in (f"break {STOP}", "run"):
        d.run_line(line)
    assert run(d, out, err, "p $_exitsignal") == (["$4 = void"], [])
    # stopped, gdb reads the kernel's siginfo: a replay has none (gdb's words when it can't)
    assert run(d, out, err, "p $_siginfo") == ([], ["Unable to read siginfo"])
    assert run(d, out, err, "p $_exitcode") == (["$5 = void"], [])
    bad = Session(qemu(["-machine", "q35", "-numa", "node,nodeid=0",
                        "-numa", "node,nodeid=0"]).trace)
    dd = Driver(bad, out.append, err.append)
    dd.run_line("run")
    assert run(dd, out, err, "p $_exitcode") == (["$1 = 1"], [])
    assert run(dd, out, err, "p $_exitsignal") == (["$2 = void"], [])
    assert run(dd, out, err, "p $_siginfo") == (["$3 = void"], [])


# --------------------------------------------------------------------------- 7. long searches


def test_continuing_is_written_before_the_search() -> None:
    s, d, out, err = at_stop()
    early: list[str] = []

    def write_now(text: str) -> None:
        assert s.searching == 0 and not out  # before the search and before its result
        early.append(text)

    s.__dict__["early_write"] = write_now
    got, _ = run(d, out, err, "continue")
    assert early == ["Continuing."] and got[0] != "Continuing."
    early.clear()
    got, _ = run(d, out, err, "reverse-continue")
    assert early == ["Continuing."] and got[:2] == ["", "Thread 1 \"qemu-system-x86\" hit "
                                                    f"Breakpoint 1, {FRAME0}"]


def test_ctrl_c_stops_a_search_where_it_got_to() -> None:
    """gdb 13.1, record-full, SIGINT during reverse-continue: `Continuing.`, then
    `Program received signal SIGINT, Interrupt.` and the frame (QEMU's threads: `Thread 1
    "qemu-system-x86" received signal ...`, as its breakpoint hits say `Thread 1 ... hit`)."""
    s, d, out, err = session()
    for line in (f"break {STOP} if ms == 0", "break hw/core/machine.c:1143 if 0", "start"):
        d.run_line(line)
    start = s.pos
    s.interrupted = True  # what the REPL's SIGINT handler sets
    got, _ = run(d, out, err, "continue")
    assert got[:3] == ["Continuing.", "",
                       'Thread 1 "qemu-system-x86" received signal SIGINT, Interrupt.']
    assert got[3].startswith("set_memory_options (") and got[4].startswith("2724\t")
    assert s.pos is not None and s.pos > start and s.running and not s.interrupted
    run(d, out, err, "continue")  # no Ctrl-C: the search runs to the end
    assert s.exited
    s.interrupted = True
    got, _ = run(d, out, err, "reverse-continue")
    assert got[2] == 'Thread 1 "qemu-system-x86" received signal SIGINT, Interrupt.'
    assert s.running and not s.interrupted


def test_the_repls_sigint_handler_sets_the_flag_only_during_a_search() -> None:
    from tracesim.repl import interruptible

    s, d, out, err = session()
    with interruptible(s):
        s.searching = 1
        os.kill(os.getpid(), signal.SIGINT)
        assert s.interrupted
        s.searching = 0
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert not s.interrupted
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# --------------------------------------------------------------------------- the one table


def test_new_commands_are_in_the_one_table() -> None:
    from tracesim.debugger.commands import COMMANDS, lookup

    for name in ("rwatch", "awatch", "record", "checkpoint", "restart", "shell", "pipe"):
        assert COMMANDS[name].help and COMMANDS[name].usage
    assert lookup("!").name == "shell" and lookup("|").name == "pipe"
    assert lookup("rec").name == "record"
    with pytest.raises(Exception, match='Ambiguous command "sh": shell, show.'):
        lookup("sh")  # gdb 13.1: `Ambiguous command "sh": sharedlibrary, shell, show.`
