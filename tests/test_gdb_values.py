"""Values the replay shows as gdb 13 shows them on real QEMU (issue 11): main's argc/argv,
`info frame` against `bt`/`info registers`/$pc $sp $fp, `info locals` without the `(type)`
prefix, what `finish` says a function returned, `-cpu` in ms->cpu_type, `why`'s operands as
C expressions, and the debug command line (--args, QEMU options without `--`, --qemu-src).

Reference formats were taken from real gdb 13.1 (Debian 13.1-3) on small -O0 C programs
(rebuilt here when gcc and gdb are installed: see the `real gdb` tests), from the golden
gdb sessions of real QEMU in /work/shared/golden, and from the real QEMU 7.2 binary."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED

from tracesim.cli import main, simulate_trace
from tracesim.debugger.driver import Driver
from tracesim.debugger.inspect import LIBC_START_CALL_MAIN_RETURN
from tracesim.debugger.session import Session
from tracesim.trace.fold import Timeline
from tracesim.trace.store import read_trace

ROOT = Path(__file__).resolve().parents[1]
SEED = ["-machine", "q35", "-m", "1024", "-smp", "cpus=4", "-numa", "node,cpus=0-1",
        "-numa", "node,cpus=2-3"]
PROGRAM = "/usr/bin/qemu-system-x86_64"
PROFILES = ("4.2", "7.2", "10.0")
_TRACES: dict[tuple[str, tuple[str, ...]], Any] = {}


def trace_of(argv: list[str], profile: str = "4.2") -> Any:
    key = (profile, tuple(argv))
    if key not in _TRACES:
        _TRACES[key] = simulate_trace(argv, profile)
    return _TRACES[key]


def debug(trace: Any, *commands: str, whole: bool = False) -> tuple[list[str], list[str]]:
    """Run COMMANDS on a fresh session of TRACE: (the last command's stdout lines, or every
    command's with whole=True; the error lines)."""
    out: list[str] = []
    err: list[str] = []
    d = Driver(Session(trace), out.append, err.append)
    for k, c in enumerate(commands):
        if k == len(commands) - 1 and not whole:
            out.clear()
        d.run_line(c)
    return "\n".join(out).split("\n") if out else [], err


def last(trace: Any, *commands: str) -> str:
    out, err = debug(trace, *commands)
    assert not err, err
    return out[-1]


# --------------------------------------------------------------------------- 1. main's argv


def test_main_frame_argc_argv_as_the_command_line() -> None:
    """argc counts the program: 1 + the 10 words of the seed's line (the golden session's
    argc=17 is its 6 runner words + the same 10); argv[0] is the program gdb started."""
    t = trace_of(SEED)
    at_main = ("break x86_cpu_index_to_props", "run", "frame 6")
    assert last(t, *at_main, "p argc") == "$1 = 11"
    assert re.fullmatch(r'\$1 = 0x7fffffff[0-9a-f]{4} "-machine"', last(t, *at_main, "p argv[1]"))
    whole = last(t, *at_main, "p *argv@argc")
    words = re.findall(r'0x7fffffff[0-9a-f]{4} "([^"]*)"', whole)
    assert words == [PROGRAM] + SEED
    assert whole.startswith("$1 = {0x") and whole.endswith('"node,cpus=2-3"}')
    assert last(t, *at_main, "p argv[argc]") == "$1 = 0x0"
    assert last(t, *at_main, "p argv[0]").endswith(f' "{PROGRAM}"')
    # the strings lie one after the other, each with its NUL, as the kernel leaves them
    starts = [int(a, 16) for a in re.findall(r"(0x7fffffff[0-9a-f]{4}) \"", whole)]
    assert all(b - a == len(w) + 1 for a, b, w in zip(starts, starts[1:], words))
    assert last(t, *at_main, "x/s argv[2]").endswith(':\t"q35"')


def test_main_frame_line_argc_and_envp_follow_argv() -> None:
    """envp starts after argv's NULL: the golden session's main (argc=17,
    argv=0x7fffffffe278, envp=0x7fffffffe308) has 0x7fffffffe308 = argv + 8 * (17 + 1)."""
    t = trace_of(SEED)
    bt, _ = debug(t, "break x86_cpu_index_to_props", "run", "bt")
    assert bt[-1].endswith("in main (argc=11, argv=0x7fffffffe278, envp=0x7fffffffe2d8) "
                           "at vl.c:4338")
    assert 0x7FFFFFFFE278 + 8 * (17 + 1) == 0x7FFFFFFFE308


@pytest.mark.parametrize("profile", ["7.2", "10.0"])
def test_main_and_qemu_init_argv_on_later_profiles(profile: str) -> None:
    t = trace_of(SEED, profile)
    out, err = debug(t, "break numa_complete_configuration", "run", "bt")
    assert not err
    assert out[-1].split(" in ", 1)[1].startswith("main (argc=11, argv=0x7fffffffe268) at ")
    assert last(t, "break numa_complete_configuration", "run", "frame 5",
                "p argv[10]") .endswith(' "node,cpus=2-3"')
    assert last(t, "break numa_complete_configuration", "run", "frame 4",
                "p *argv@2").endswith(f'"{PROGRAM}", 0x7fffffffef1c "-machine"}}'.replace(
                    "0x7fffffffef1c", last(t, "break numa_complete_configuration", "run",
                                           "frame 4", "p argv[1]").split()[2]))


def test_qemu_opts_foreach_is_a_frame_as_in_the_gdb_session() -> None:
    """QEMU's option iterator calls parse_numa through a pointer: gdb's session of real 4.2
    shows `next` out of parse_numa landing in it, and bt lists it between parse_numa_opts
    and parse_numa."""
    session = SHARED / "golden" / "gdb-sessions" / "author-q35-2node.txt"
    if not session.exists():
        pytest.skip("../shared/golden is not beside the repo")
    landing = next(line for line in session.read_text().splitlines()
                   if line.startswith("qemu_opts_foreach ("))
    t = trace_of(SEED)
    out, err = debug(t, "break numa.c:253", "run", "next", whole=True)
    assert not err and out[-2:] == [landing, "1171\t/* in qemu_opts_foreach: not modelled "
                                              "statement by statement */"]
    out, _ = debug(t, "break parse_numa_node", "run", "bt")
    assert [line.split(" (")[0].split()[-1] for line in out] == [
        "parse_numa_node", "set_numa_options", "parse_numa", "qemu_opts_foreach",
        "parse_numa_opts", "main"]
    assert out[3].startswith("#3  0x")  # a caller: at the return address of its call
    # reverse-finish out of the second parse_numa goes back into the iterator, which called
    # it, mid-line at that call (not to the end of the first parse_numa, nor to 1171)
    out, err = debug(t, "break parse_numa", "run", "continue", "delete", "reverse-finish",
                     whole=True)
    assert not err and out[-2].startswith("0x") and out[-2].endswith(
        " in qemu_opts_foreach (list=0x5555560966e0 <qemu_numa_opts>, func=0x55555587a3a2 "
        "<parse_numa>, opaque=0x55555638e430, errp=0x5555562784d0 <error_fatal>) at "
        "util/qemu-option.c:1170")


# --------------------------------------------------------------------------- 2. info frame


def frame_at(lines: list[str]) -> int:
    return int(lines[0].split("frame at ")[1].rstrip(":"), 16)


def test_info_frame_chains_with_bt_and_registers() -> None:
    t = trace_of(SEED)
    stop = ("break x86_cpu_index_to_props", "run")
    bt, _ = debug(t, *stop, "bt")
    depth = len([l for l in bt if l.startswith("#")])
    assert depth == 7  # main, parse_numa_opts, qemu_opts_foreach, parse_numa, ...
    frames = [debug(t, *stop, f"frame {n}", "info frame")[0] for n in range(depth)]
    cfas = [frame_at(f) for f in frames]
    # the stack grows down: each caller's frame is above its callee's, by one frame
    assert all(b > a for a, b in zip(cfas, cfas[1:]))
    for n, f in enumerate(frames):
        links = f[2]
        if 0 < n < depth - 1:  # gdb puts both on one line
            assert links == f" called by frame at {cfas[n + 1]:#x}, caller of frame at " \
                            f"{cfas[n - 1]:#x}"
        elif n == 0:
            assert links == f" called by frame at {cfas[1]:#x}"
        else:  # main: backtrace past-main is off, nothing calls it
            assert links == f" caller of frame at {cfas[n - 1]:#x}"
        saved = f[1].split("saved rip = ")[1]
        if n + 1 < depth:  # the caller's pc, as bt shows it
            assert bt[n + 1].startswith(f"#{n + 1}  0x{int(saved, 16):016x} in ")
        else:  # __libc_start_call_main+122, as the golden session's libc places it
            assert int(saved, 16) == LIBC_START_CALL_MAIN_RETURN == 0x7FFFF7AF724A
        arglist = int(f[4].split("Arglist at ")[1].split(",")[0], 16)
        assert arglist == cfas[n] - 0x10
        assert f[5] == f" Locals at {arglist:#x}, Previous frame's sp is {cfas[n]:#x}"
        assert f[7] == f"  rbp at {arglist:#x}, rip at {cfas[n] - 8:#x}"
        regs, _ = debug(t, *stop, f"frame {n}", "info registers rbp rsp rip")
        rbp, rsp, rip = (int(r.split()[1], 16) for r in regs[-3:])
        assert rbp == arglist
        rip_text = f[1].split("rip = ")[1].split()[0]
        assert rip == int(rip_text, 16)
        if n > 0:  # a callee's CFA is its caller's rsp at the call
            assert rsp == cfas[n - 1]
        assert last(t, *stop, f"frame {n}", "p $sp") == f"$1 = (void *) {rsp:#x}"
        assert last(t, *stop, f"frame {n}", "p $fp") == f"$1 = (void *) {rbp:#x}"
        assert last(t, *stop, f"frame {n}", "p $pc").startswith(f"$1 = (void (*)()) {rip:#x} <")


def test_info_frame_layout_of_a_middle_frame() -> None:
    """The exact lines gdb 13.1 printed for `up` then `info frame` in mid (t.c below)."""
    t = trace_of(SEED)
    f, _ = debug(t, "break x86_cpu_index_to_props", "run", "up", "info frame")
    assert re.fullmatch(r"Stack level 1, frame at 0x[0-9a-f]+:", f[0])
    assert re.fullmatch(r" rip = 0x[0-9a-f]+ in parse_numa_node \(hw/core/numa.c:99\); "
                        r"saved rip = 0x[0-9a-f]+", f[1])
    assert f[3] == " source language c."
    assert f[4].endswith(", args: ms=0x55555638e430, node=0x5555563a7d88, errp=0x7fffffffde38")
    assert f[6] == " Saved registers:" and len(f) == 8


# --------------------------------------------------------------------------- 3. info locals


@pytest.mark.parametrize("profile", PROFILES)
def test_info_locals_prints_pointers_without_their_type(profile: str) -> None:
    t = trace_of(SEED, profile)
    stop = ("break x86_cpu_index_to_props", "run")
    assert debug(t, *stop, "info locals")[0][-2:] == ["mc = 0x0", "possible_cpus = 0x0"]
    # print keeps c_value_print's `(type) ` before a pointer
    assert last(t, *stop, "p possible_cpus") == "$1 = (const CPUArchIdList *) 0x0"
    full, _ = debug(t, *stop, "bt full 2")
    assert "        possible_cpus = 0x0" in full
    assert not [l for l in full if re.search(r"^        \w+ = \(", l)]


# --------------------------------------------------------------------------- 4. finish


def slot_props(state: Any, index: int, fields: list[str]) -> dict[str, Any]:
    mem = state.memory
    return {f: mem.get(f"possible_cpus.cpus[{index}].props.{f}") or
            (False if f.startswith("has_") else 0) for f in fields}


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT))
                                        for p in (ROOT / "traces").rglob("*.jsonl")))
def test_recorded_returns_are_what_the_slot_held_then(path: str) -> None:
    """Every x86_cpu_index_to_props return in the example traces is the slot's props at
    the return, not the caller's later copy (the bug: has_node_id = true, node_id = 1
    returned for a cpu its node had not been bound to yet)."""
    trace = read_trace(str(ROOT / path))
    events = list(trace.events)
    timeline = Timeline(events)
    stack: list[Any] = []
    checked = 0
    for pos, e in enumerate(events):
        kind = type(e).__name__
        if kind == "Call":
            stack.append(e)
        elif kind == "Return" and stack:
            call = stack.pop()
            if call.fn == "x86_cpu_index_to_props":
                value = e.value
                want = slot_props(timeline.state_at(pos + 1), call.args["cpu_index"], list(value))
                assert value == want, (pos, call.args)
                checked += 1
    if "cpus=" in " ".join(trace.header.argv):
        assert checked


@pytest.mark.parametrize("profile", PROFILES)
def test_finish_returns_the_props_before_the_node_is_bound(profile: str) -> None:
    t = trace_of(SEED, profile)
    # the third call is cpu 2's, in node 1's -numa: node 1 is not bound yet
    out, err = debug(t, "break x86_cpu_index_to_props", "run", "continue", "continue",
                     "p cpu_index", "p ms->possible_cpus->cpus[2].props", "finish", whole=True)
    assert not err
    assert [l for l in out if l.startswith("$1 = ")] == ["$1 = 2"]
    slot = next(l for l in out if l.startswith("$2 = ")).split(" = ", 1)[1]
    returned = out[-1]
    assert returned.startswith("Value returned is $3 = {has_node_id = false, node_id = 0, ")
    assert returned.split(" = ", 1)[1] == slot
    # the caller's copy, once assigned, is what was returned, before it sets the node
    nxt, _ = debug(t, "break x86_cpu_index_to_props", "run", "continue", "continue", "finish",
                   "next", "p props")
    assert nxt[-1].split(" = ", 1)[1] == slot


# --------------------------------------------------------------------------- 5. --args, hint


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    got = capsys.readouterr()
    return status, got.out, got.err


def test_args_takes_the_program_then_its_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    for program in ("qemu-system-x86_64", PROGRAM):
        status, out, err = run_cli(["debug", "-batch", "-ex", "break numa_complete_configuration",
                                    "-ex", "run", "-ex", "p ms->smp.cpus",
                                    "--args", program, "-machine", "q35", "-smp", "3",
                                    "-numa", "node"], capsys)
        assert status == 0 and not err
        assert "Starting program: /usr/bin/qemu-system-x86_64 -machine q35 -smp 3 -numa node" \
            in out
        assert out.rstrip().endswith("$1 = 3")
    # after --args every word is QEMU's, as gdb passes them on (-batch here is QEMU's)
    status, out, err = run_cli(["debug", "-batch", "-ex", "run", "--args",
                                "qemu-system-x86_64", "-batch"], capsys)
    assert "qemu-system-x86_64: -batch: invalid option" in out + err


@pytest.mark.parametrize("argv, message", [
    (["--args"], "tracesim debug: --args needs the program, then its arguments"),
    (["--args", "ls", "-l"], "tracesim debug: --args: tracesim replays qemu-system-x86_64, "
                             "not 'ls'"),
    (["--args", "-machine", "q35"], "tracesim debug: --args: the first word is the program"),
    (["-machine", "q35"], "tracesim debug: -machine is QEMU's option: put QEMU's arguments "
                          "after '--'"),
    (["-batch", "-ex", "run", "-m", "1G"], "tracesim debug: -m is QEMU's option"),
])
def test_debug_command_line_mistakes_are_one_line(argv: list[str], message: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(["debug", *argv], capsys)
    assert status == 2 and not out
    assert err.startswith(message) and err.count("\n") == 1


def test_ex_values_are_not_qemu_options(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_cli(["debug", "-batch", "-ex", "-m", "--", "-m", "1G"], capsys)
    assert status == 1  # gdb ran the command "-m" (unknown); no usage error
    assert "QEMU's option" not in err


# --------------------------------------------------------------------------- 6. --qemu-src


def tree(tmp_path: Path, version: str | None) -> str:
    top = tmp_path / "qemu"
    (top / "hw" / "core").mkdir(parents=True)
    (top / "hw" / "core" / "numa.c").write_text("".join(f"text {n}\n" for n in range(1, 900)))
    if version is not None:
        (top / "VERSION").write_text(version + "\n")
    return str(top)


@pytest.mark.parametrize("profile, version, ok", [
    ("4.2", "4.2.1", True), ("4.2", "4.2.0", True), ("4.2", "7.2.22", False),
    ("7.2", "7.2.22", True), ("7.2", "7.20.1", False), ("10.0", "10.0.13", True),
    ("10.0", "10.1.0", False), ("4.2", None, False), ("4.2", "", False),
])
def test_qemu_src_must_be_a_tree_of_the_traces_version(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], profile: str, version: str | None,
        ok: bool) -> None:
    src = tree(tmp_path, version)
    status, out, err = run_cli(["debug", "-batch", "--profile", profile, "--qemu-src", src,
                                "-ex", "break numa_complete_configuration", "-ex", "run",
                                "-ex", "list", "--", "-m", "1G", "-numa", "node"], capsys)
    if ok:
        assert status == 0 and not err and "\ttext " in out
    else:
        assert status == 2 and not out and err.count("\n") == 1
        assert err.startswith(f"tracesim debug: --qemu-src {src}: ")
        if version:
            assert f"QEMU {version} there, but the trace is of QEMU {profile}" in err
        else:
            assert "not a QEMU source tree" in err


def test_qemu_src_missing_or_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = str(ROOT / "traces" / "seed-q35-2node.jsonl")
    status, out, err = run_cli(["debug", "--qemu-src", str(tmp_path / "nope"), trace], capsys)
    assert (status, out) == (2, "")
    assert err == f"tracesim debug: --qemu-src {tmp_path / 'nope'}: no such directory\n"
    (tmp_path / "f").write_text("x")
    status, out, err = run_cli(["debug", "--qemu-src", str(tmp_path / "f"), trace], capsys)
    assert (status, err) == (2, f"tracesim debug: --qemu-src {tmp_path / 'f'}: is not a "
                                "directory\n")


@pytest.mark.skipif(not Path("/work/src72/q72/VERSION").is_file(), reason="no QEMU 7.2 tree")
def test_the_real_72_tree_is_refused_for_a_42_trace(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_cli(["debug", "--qemu-src", "/work/src72/q72",
                              str(ROOT / "traces" / "seed-q35-2node.jsonl")], capsys)
    assert status == 2 and "QEMU 7.2.22 there, but the trace is of QEMU 4.2" in err


# --------------------------------------------------------------------------- 7. -cpu


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("cpu, type_name", [
    ("Skylake-Client", "Skylake-Client-x86_64-cpu"), ("host", "host-x86_64-cpu"),
    ("max,+x2apic", "max-x86_64-cpu"), (None, "qemu64-x86_64-cpu"),
])
def test_cpu_type_honours_the_cpu_option(profile: str, cpu: str | None,
                                         type_name: str) -> None:
    """parse_cpu_option: the model before the first comma, its class
    X86_CPU_TYPE_NAME(model); every possible CPU slot gets that type."""
    argv = ["-machine", "q35", "-smp", "2"] + (["-cpu", cpu] if cpu else []) + \
        ["-numa", "node,cpus=0-1"]
    t = trace_of(argv, profile)
    stop = ("break machine_set_cpu_numa_node", "run")
    assert re.fullmatch(rf'\$1 = 0x[0-9a-f]+ "{type_name}"',
                        last(t, *stop, "p machine->cpu_type"))
    assert last(t, *stop, "p machine->possible_cpus->cpus[1].type").endswith(f'"{type_name}"')


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("cpu, message", [
    ("", "-cpu option cannot be empty"), (",+x2apic", "unable to find CPU model ''"),
])
def test_an_empty_cpu_model_is_refused(profile: str, cpu: str, message: str) -> None:
    """What the real 7.2 binary printed: no option location, exit status 1, before -numa."""
    t = trace_of(["-machine", "q35", "-cpu", cpu, "-numa", "node,cpus=9"], profile)
    out, _ = debug(t, "run", whole=True)
    assert f"qemu-system-x86_64: {message}" in out
    assert out[-1] == "[Inferior 1 (process 24304) exited with code 01]"


def real_qemu_72() -> str | None:
    binary = shutil.which("qemu-system-x86_64")
    if binary is None:
        return None
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                                 timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return binary if "version 7.2." in version else None


@pytest.mark.skipif(real_qemu_72() is None, reason="no real QEMU 7.2 binary")
def test_the_real_72_binary_names_the_cpu_type_the_same() -> None:
    """The CPU object QEMU 7.2 creates has the type the replay puts in ms->cpu_type."""
    binary = real_qemu_72()
    assert binary is not None
    for cpu in ("Skylake-Client", "max"):
        proc = subprocess.run([binary, "-machine", "q35", "-accel", "tcg", "-cpu", cpu,
                               "-display", "none", "-S", "-nodefaults", "-monitor", "stdio"],
                              input="info qom-tree\nquit\n", capture_output=True, text=True,
                              timeout=60)
        real = re.findall(r"\(([^()]*-x86_64-cpu)\)", proc.stdout)
        t = trace_of(["-machine", "q35", "-cpu", cpu, "-numa", "node,cpus=0"], "7.2")
        replay = last(t, "break machine_set_cpu_numa_node", "run", "p machine->cpu_type")
        assert real and replay.endswith(f'"{real[0]}"')


# --------------------------------------------------------------------------- 8. why


DIST = ["-machine", "q35", "-smp", "2", "-numa", "node,nodeid=0", "-numa", "node,nodeid=1",
        "-numa", "dist,src=0,dst=1,val=20", "-numa", "dist,src=1,dst=0,val=30"]


def test_why_names_the_operands_as_c_expressions_with_their_writer() -> None:
    t = trace_of(DIST)
    # validate_numa_distance's asymmetry test (281) for src=0, dst=1: the decision is taken
    # at the last of the statement's stops
    out: list[str] = []
    err: list[str] = []
    d = Driver(Session(t), out.append, err.append)
    for c in ("break hw/core/numa.c:281", "run", "continue", "delete"):
        d.run_line(c)
    for _ in range(10):
        out.clear()
        d.run_line("why")
        if out:
            break
        err.clear()
        d.run_line("next")
    why = "\n".join(out).split("\n")
    assert re.match(r"validate_numa_distance at hw/core/numa.c:28[12]: if \(numa_info\[src\]\."
                    r"distance\[dst\] != 0 && ", why[0])
    assert re.fullmatch(r"  numa_info\[src\]\.distance\[dst\] = 20  \(written at stop \d+: "
                        r"parse_numa_distance at hw/core/numa\.c:\d+, .*\)", why[1]), why[1]
    assert re.fullmatch(r"  numa_info\[dst\]\.distance\[src\] = 30  \(written at stop \d+: "
                        r"parse_numa_distance at hw/core/numa\.c:\d+, .*\)", why[2]), why[2]
    assert "there" not in " ".join(why) and "back =" not in " ".join(why)


def test_why_at_the_slot_tests_of_machine_set_cpu_numa_node() -> None:
    t = trace_of(["-machine", "q35", "-smp", "2", "-numa", "node,cpus=1"])
    out, _ = debug(t, "break hw/core/machine.c:699", "run", "why")
    assert out[-2].startswith("  props->socket_id = 1  (written at stop ")
    assert re.fullmatch(r"  slot->props\.socket_id = 0  \(written at stop \d+: "
                        r"x86_possible_cpu_arch_ids at hw/i386/x86\.c:180, .*\)", out[-1])


INTERNAL = {"there", "back", "given", "slot", "slot_node", "src_present", "dst_present",
            "smp_dies"}


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT))
                                        for p in (ROOT / "traces").rglob("*.jsonl")))
def test_traces_record_no_internal_operand_names(path: str) -> None:
    for line in (ROOT / path).read_text().splitlines():
        e = json.loads(line)
        if e.get("k") in ("branch", "assert"):
            assert not INTERNAL & set(e.get("values") or {}), e


def test_diff_still_explains_a_distance_difference(capsys: pytest.CaptureFixture[str]) -> None:
    b = " ".join(DIST[:-1] + ["dist,src=1,dst=0,val=20"])
    status = main(["diff", "--a", " ".join(DIST), "--b", b])
    out = capsys.readouterr().out
    assert status in (0, 1) and out.strip()


# --------------------------------------------------------------------------- real gdb

C_PROGRAM = r"""
typedef struct L { int len; } L;
static L lst = {4};
static int leaf(int k)
{
    const L *possible_cpus = &lst;
    const L *mc = 0;
    return k + possible_cpus->len + (mc != 0);
}
static int mid(int k)
{
    int r = leaf(k);
    return r;
}
int main(int argc, char **argv)
{
    return mid(argc) > 100;
}
"""


@pytest.mark.skipif(shutil.which("gcc") is None or shutil.which("gdb") is None,
                    reason="needs gcc and gdb")
def test_real_gdb_formats_match(tmp_path: Path) -> None:
    """The same shapes on a real -O0 program under gdb: info locals without `(type)`, print
    with it, argv[1] and *argv@argc, info frame's one `called by ..., caller of ...` line,
    main's frame without `called by`."""
    src = tmp_path / "t.c"
    src.write_text(C_PROGRAM)
    exe = tmp_path / "t"
    subprocess.run(["gcc", "-O0", "-g", "-o", str(exe), str(src)], check=True, timeout=60)
    cmds = ["break 8", "run", "info locals", "p possible_cpus", "up",
            "info frame", "up", "info frame", "p argc", "p argv[1]", "p *argv@argc"]
    argv = ["gdb", "-q", "-nx", "-batch"]
    for c in cmds:
        argv += ["-ex", c]
    got = subprocess.run(argv + ["--args", str(exe), "-machine", "q35"], capture_output=True,
                         text=True, timeout=120).stdout.splitlines()
    assert re.search(r"^possible_cpus = 0x[0-9a-f]+ <lst>$", "\n".join(got), re.M)
    assert "mc = 0x0" in got
    assert any(re.fullmatch(r"\$1 = \(const L \*\) 0x[0-9a-f]+ <lst>", l) for l in got)
    links = [l for l in got if "called by" in l or "caller of" in l]
    assert re.fullmatch(r" called by frame at 0x[0-9a-f]+, caller of frame at 0x[0-9a-f]+",
                        links[0])
    assert re.fullmatch(r" caller of frame at 0x[0-9a-f]+", links[1])  # main
    assert "$2 = 3" in got
    assert any(re.fullmatch(r'\$3 = 0x[0-9a-f]+ "-machine"', l) for l in got)
    assert any(re.fullmatch(r'\$4 = \{0x[0-9a-f]+ ".*/t", 0x[0-9a-f]+ "-machine", '
                            r'0x[0-9a-f]+ "q35"\}', l) for l in got)
    # and the replay prints the same shapes
    t = trace_of(SEED)
    assert debug(t, "break x86_cpu_index_to_props", "run", "info locals")[0][-1] == \
        "possible_cpus = 0x0"
