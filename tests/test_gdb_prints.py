"""`print`, `ptype` and `whatis` as gdb 13 answers them at a stop of the replayed trace.

The golden cases hold what real gdb printed on QEMU 4.2; the other expectations here were
observed with gdb 13.1 on a -O0 -g3 build of the same struct declarations.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from tracesim.cli import simulate_trace
from tracesim.debugger.evaluate import (Value, ValueHistory, evaluate, evaluate_with_reads,
                                        void_value)
from tracesim.debugger.expr import GdbError
from tracesim.debugger.format import (format_value, print_chars, print_command, ptype_command,
                                      split_format, whatis_command)
from tracesim.debugger.typenames import type_name
from tracesim.debuginfo import ctypes as ct
from tracesim.debuginfo import debug_info
from tracesim.qemu.state import ADDR_NODES, ADDR_NUMA_STATE
from tracesim.trace import events as ev
from tracesim.trace.fold import State, apply_event

GOLDEN = Path(__file__).resolve().parents[1].parent / "shared" / "golden" / "qemu-4.2"
SEED = "-machine q35 -m 1024 -smp cpus=4 -numa node,cpus=0-1 -numa node,cpus=2-3"
ADDRESS = re.compile(r"0x[0-9a-f]{6,}")
QEMU_42 = debug_info("4.2")


def golden_cases() -> list[dict[str, Any]]:
    if not GOLDEN.is_dir():
        return []
    cases = [json.loads(p.read_text()) for p in sorted(GOLDEN.glob("*.json"))]
    return [c for c in cases if c.get("gdb_prints")]


@lru_cache(maxsize=None)
def trace_events(argv: tuple[str, ...]) -> list[Any]:
    return simulate_trace(list(argv)).events


def stop(argv: str | list[str], where: str, nth: int = 1) -> State:
    """The state at the nth gdb stop on file:line (before that line runs)."""
    words = tuple(argv.split() if isinstance(argv, str) else argv)
    state, seen = State(), 0
    for index, event in enumerate(trace_events(words)):
        apply_event(state, event, index)
        if type(event) is ev.Step and state.frame is not None \
                and f"{state.frame.file}:{state.frame.line}" == where:
            seen += 1
            if seen == nth:
                return state
    raise AssertionError(f"no stop {nth} at {where}")


def gdb(state: State, command: str, history: ValueHistory | None = None,
        frame: int = 0) -> str:
    """One gdb command's output (or its error text) at `state`."""
    history = history if history is not None else ValueHistory()
    name, _, argument = command.partition(" ")
    try:
        if name == "ptype":
            return ptype_command(QEMU_42, state, frame, argument, history)
        if name == "whatis":
            return whatis_command(QEMU_42, state, frame, argument, history)
        fmt, text = split_format(command[len(name.split("/")[0]):])
        return print_command(QEMU_42, state, frame, text, fmt, history)
    except GdbError as err:
        return str(err)


def normalise(text: str) -> str:
    """Heap addresses differ from run to run of QEMU: compare everything else."""
    return ADDRESS.sub("0xADDR", text)


# --------------------------------------------------------------------------- golden

CASES = golden_cases()


@pytest.mark.skipif(not CASES, reason="../shared/golden is not beside the repo")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_prints(case: dict[str, Any]) -> None:
    history = ValueHistory()  # one gdb session per case: $N runs on across its stops
    wrong = []
    for block in case["gdb_prints"]:
        state = stop(case["argv"], block["stop"])
        assert state.frame is not None and state.frame.fn == block["frame"]
        numbers = [int(want[1:want.index(" = ")]) for _, want in block["prints"]]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        assert len(history) < numbers[0]
        while len(history) < numbers[0] - 1:  # prints the golden file does not show
            history.record(void_value())
        for command, want in block["prints"]:
            got = gdb(state, command, history)
            if normalise(got) != normalise(want.rstrip("\n")):
                wrong.append(f"{block['stop']} {command}\n  got  {got}\n  want {want}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.skipif(not CASES, reason="../shared/golden is not beside the repo")
def test_golden_addresses_match_where_the_model_keeps_them() -> None:
    """The seed case's objects sit where the observed binary had them."""
    case = next(c for c in CASES if c["id"] == "author-q35-2node")
    state = stop(case["argv"], "hw/core/numa.c:465")
    prints = dict(case["gdb_prints"][0]["prints"])
    for command in ("p ms->numa_state", "p mc->name", "p mc->numa_auto_assign_ram"):
        got = gdb(state, command)
        assert got.split(" = ", 1)[1] == prints[command].rstrip("\n").split(" = ", 1)[1]


SESSION = GOLDEN.parent / "gdb-sessions" / "author-q35-2node.txt"
# Where the session's prints were issued: numbers from $N on (its header names the stops;
# $39.. read machine_numa_finish_cpu_init's locals, so they ran at its closing brace)
SESSION_STOPS = [(1, "hw/core/numa.c:465"), (39, "hw/core/machine.c:1099"),
                 (46, "hw/core/machine.c:1143")]


def session_prints(text: str) -> list[tuple[str, str]]:
    """(command, answer) for every print in a recorded gdb session."""
    lines = text.splitlines()
    return [(line[len("(gdb) "):], lines[k + 1]) for k, line in enumerate(lines)
            if line.startswith("(gdb) p") and k + 1 < len(lines)]


@pytest.mark.skipif(not SESSION.is_file(), reason="../shared/golden is not beside the repo")
def test_every_print_of_the_recorded_gdb_session() -> None:
    prints = session_prints(SESSION.read_text())
    assert len(prints) > 100
    history, wrong = ValueHistory(), []
    for command, want in prints:
        number = int(want[1:want.index(" ")])
        where = [stop_at for first, stop_at in SESSION_STOPS if number >= first][-1]
        got = gdb(stop(SEED, where), command, history)
        if got != want:  # the seed's objects sit where the observed binary had them
            wrong.append(f"{command}\n  got  {got}\n  want {want}")
    assert not wrong, "\n".join(wrong)


# --------------------------------------------------------------------------- the model's frames


def test_uninitialised_locals_read_as_the_garbage_gdb_showed() -> None:
    state = stop(SEED, "hw/core/numa.c:62")  # parse_numa_node, before its declarations run
    history = ValueHistory()
    assert gdb(state, "p nodenr", history) == "$1 = 65535"  # uint16_t
    assert gdb(state, "p max_cpus", history) == "$2 = 21845"  # unsigned int
    assert gdb(state, "p ms->smp.max_cpus", history) == "$3 = 4"
    assert gdb(state, "p i", history) == 'No symbol "i" in current context.'


def test_recorded_locals_and_initialisers_the_model_does_not_record() -> None:
    state = stop(SEED, "hw/core/numa.c:229")  # parse_numa: object, ms, err are set
    assert gdb(state, "p ms") == "$1 = (MachineState *) 0x55555638e430"
    assert gdb(state, "p object") == "$1 = (NumaOptions *) 0x0"
    assert gdb(state, "p opaque") == "$1 = (void *) 0x55555638e430"
    before = stop(SEED, "hw/core/numa.c:181")  # set_numa_options: mc set on this line
    assert gdb(before, "p mc") == "$1 = (MachineClass *) 0x0"
    after = stop(SEED, "hw/core/numa.c:183")
    assert gdb(after, "p mc->name") == '$1 = 0x5555562ed7c0 "pc-q35-4.2"'


def test_struct_locals_and_what_pointer_arguments_point_at() -> None:
    state = stop(SEED, "hw/core/numa.c:100")  # props copied from the slot, node not yet set
    assert gdb(state, "p props") == (
        "$1 = {has_node_id = false, node_id = 0, has_socket_id = true, socket_id = 0, "
        "has_die_id = false, die_id = 0, has_core_id = true, core_id = 0, "
        "has_thread_id = true, thread_id = 0}")
    assert gdb(state, "p cpus->value") == "$1 = 0"
    assert gdb(state, "p cpus") == "$1 = (uint16List *) 0x5555563a7db0"
    callee = stop(SEED, "hw/core/machine.c:666")  # machine_set_cpu_numa_node(ms, &props, ..)
    assert gdb(callee, "p props") == "$1 = (const CpuInstanceProperties *) 0x7fffffffdd90"
    assert gdb(callee, "p props->node_id") == "$1 = 0"
    assert gdb(callee, "p *props").startswith("$1 = {has_node_id = true, node_id = 0, ")
    assert gdb(callee, "p slot->props.socket_id") == "$1 = 0"
    assert gdb(callee, "p slot == &possible_cpus->cpus[i]") == "$1 = 1"


def test_frames_up_the_stack() -> None:
    state = stop(SEED, "hw/core/numa.c:465")
    assert gdb(state, "p machine_class->name", frame=1) == '$1 = 0x5555562ed7c0 "pc-q35-4.2"'
    assert gdb(state, "p numa_info", frame=1) == 'No symbol "numa_info" in current context.'
    assert gdb(state, "p argc", frame=2) == "$1 = 11"  # the program name and 10 words
    assert gdb(state, "p ram_size", frame=5) == "No frame at level 5."


def test_pointers_arrays_and_strings() -> None:
    state = stop(SEED, "hw/core/numa.c:465")
    history = ValueHistory()
    want = [
        ("p numa_info + 1", "$1 = (NodeInfo *) 0x55555638f090"),
        ("p &numa_info[1]", "$2 = (NodeInfo *) 0x55555638f090"),
        ("p numa_info[1].node_mem == (numa_info + 1)->node_mem", "$3 = 1"),
        ("p &numa_info[0].distance", "$4 = (uint8_t (*)[128]) 0x55555638f009"),
        ("p numa_info[0].distance[5]", "$5 = 0 '\\000'"),
        ("p *ms->cpu_type@4", '$6 = "qemu"'),
        ("p ms->cpu_type[1]", "$7 = 101 'e'"),
        ("p ms->cpu_type + 6", '$8 = 0x555555c53a96 "-x86_64-cpu"'),
        ("p *ms->possible_cpus", "$9 = {len = 4, cpus = 0x5555563a7e88}"),
        ("p ms->possible_cpus->cpus[3].props.socket_id", "$10 = 3"),
        ("p ms->possible_cpus->cpus[4]", "Cannot access memory at address 0x5555563a8048"),
        ("p ((X86MachineState *)ms)->parent.smp.cores", "$11 = 1"),
        ("p &have_mem", "$12 = (int *) 0x555556285014 <have_mem>"),
        ("p current_machine == ms", "$13 = 1"),
        ("p {int} &max_numa_nodeid", "$14 = 2"),
        ("p (char *)ms->cpu_type + 100",
         "$15 = 0x555555c53af4 <error: Cannot access memory at address 0x555555c53af4>"),
        ("p *numa_info@2", None),
    ]
    for command, expected in want:
        got = gdb(state, command, history)
        if expected is None:
            assert got.startswith("$16 = {{node_mem = 536870912, ") and got.endswith("}}")
        else:
            assert got == expected, command


def test_function_pointers_and_functions() -> None:
    state = stop(SEED, "hw/core/numa.c:465")
    assert gdb(state, "p numa_default_auto_assign_ram") == (
        "$1 = {void (MachineClass *, NodeInfo *, int, ram_addr_t)} 0x55555587a96a "
        "<numa_default_auto_assign_ram>")
    assert gdb(state, "p *mc->numa_auto_assign_ram") == gdb(state, "p numa_default_auto_assign_ram")
    assert gdb(state, "p mc->numa_auto_assign_ram == numa_default_auto_assign_ram") == "$1 = 1"
    assert gdb(state, "p/a mc->numa_auto_assign_ram") == \
        "$1 = 0x55555587a96a <numa_default_auto_assign_ram>"
    assert gdb(state, "p/a 0x55555587a96b") == "$1 = 0x55555587a96b <numa_default_auto_assign_ram+1>"
    assert gdb(state, "p mc->smp_parse") == \
        "$1 = (void (*)(MachineState *, QemuOpts *)) 0x5555558d0ed5 <pc_smp_parse>"
    assert gdb(state, "p numa_complete_configuration(ms)") == \
        "You can't do that without a process to debug."


def test_print_formats_on_scalars_and_structs() -> None:
    state = stop(SEED, "hw/core/numa.c:465")
    history = ValueHistory()
    want = [  # each observed with gdb 13.1
        ("p/x ms->smp", "{cpus = 0x4, cores = 0x1, threads = 0x1, max_cpus = 0x4}"),
        ("p/o ms->smp", "{cpus = 04, cores = 01, threads = 01, max_cpus = 04}"),
        ("p/c ms->smp", "{cpus = 4 '\\004', cores = 1 '\\001', threads = 1 '\\001', "
                        "max_cpus = 4 '\\004'}"),
        ("p/t ms->smp.cpus", "100"),
        ("p/d mc->numa_mem_supported", "1"),
        ("p/x mc->name", "0x5555562ed7c0"),
        ("p/z ram_size", "0x0000000040000000"),
        ("p/x numa_info[0].distance", "{0x0 <repeats 128 times>}"),
        ("p/x -1", "0xffffffff"),
        ("p/o 8", "010"),
        ("p/o 0", "0"),
        ("p/t 0", "0"),
        ("p/z 1", "0x00000001"),
        ("p/c 65", "65 'A'"),
        ("p/c 321", "65 'A'"),
        ("p/c 200", "-56 '\\310'"),
        ("p/c 200u", "200 '\\310'"),
        ("p/x (char)-56", "0xc8"),
        ("p/a (signed char)-56", "0xffffffffffffffc8"),
        ("p/d 0xffffffff", "-1"),
        ("p/u -1", "4294967295"),
        ("p/f 3", "4.20389539e-45"),
        ("p/x ms", "0x55555638e430"),
        ("p/x", "0x55555638e430"),  # a bare print shows the last value again
        ("p", "(MachineState *) 0x55555638e430"),
    ]
    for number, (command, expected) in enumerate(want, start=1):
        assert gdb(state, command, history) == f"${number} = {expected}", command
    assert gdb(state, "p/y 1") == 'Undefined output format "y".'
    assert gdb(state, "p/2x 1") == 'Item count other than 1 is meaningless in "print" command.'


def test_ptype_and_whatis() -> None:
    state = stop(SEED, "hw/core/numa.c:465")
    assert gdb(state, "ptype numa_info") == (
        "type = struct NodeInfo {\n    uint64_t node_mem;\n"
        "    struct HostMemoryBackend *node_memdev;\n    _Bool present;\n"
        "    uint8_t distance[128];\n} *")
    assert gdb(state, "whatis numa_info") == "type = NodeInfo *"
    assert gdb(state, "whatis NodeInfo") == "type = struct NodeInfo"
    assert gdb(state, "ptype CPUArchIdList") == \
        "type = struct {\n    int len;\n    CPUArchId cpus[0];\n}"
    assert gdb(state, "whatis ms->possible_cpus") == "type = CPUArchIdList *"
    assert gdb(state, "ptype ms->smp") == (
        "type = struct CpuTopology {\n    unsigned int cpus;\n    unsigned int cores;\n"
        "    unsigned int threads;\n    unsigned int max_cpus;\n}")
    assert gdb(state, "whatis ms->smp") == "type = CpuTopology"
    assert gdb(state, "whatis ram_size") == "type = ram_addr_t"
    assert gdb(state, "ptype ram_size") == "type = unsigned long"
    assert gdb(state, "whatis ram_addr_t") == "type = uintptr_t"
    assert gdb(state, "whatis ram_size + 1") == "type = unsigned long"
    assert gdb(state, "whatis mc->numa_auto_assign_ram") == \
        "type = void (*)(MachineClass *, NodeInfo *, int, ram_addr_t)"
    assert gdb(state, "whatis numa_info[0].distance[0]@2") == "type = uint8_t [2]"
    assert gdb(state, "whatis &numa_info[0].distance") == "type = uint8_t (*)[128]"
    assert gdb(state, "whatis numa_info[0].present") == "type = _Bool"
    assert gdb(state, "whatis 0xffffffff") == "type = unsigned int"
    assert gdb(state, "whatis 2147483648") == "type = long"
    assert gdb(state, "whatis 'a'") == "type = char"
    assert gdb(state, "whatis ms - ms") == "type = long"
    assert gdb(state, "ptype unsigned") == "type = unsigned int"
    assert gdb(state, "ptype struct Foo") == "No struct type named Foo."
    # ptype reads nothing: an unreadable pointer still has a type
    assert gdb(state, "ptype *(NodeInfo *)0").startswith("type = struct NodeInfo {")


def test_errors_carry_gdbs_text() -> None:
    state = stop(SEED, "hw/core/numa.c:465")
    for command, message in [
        ("p foo", 'No symbol "foo" in current context.'),
        ("p ms->foo", "There is no member named foo."),
        ("p *ms->possible_cpus->cpus[0].cpu", None),
        ("p ram_size.x", "Attempt to extract a component of a value that is not a structure."),
        ("p ram_size->x",
         "Attempt to extract a component of a value that is not a structure pointer."),
        ("p ram_size[0]", "cannot subscript something of type `unsigned long'"),
        ("p *ram_size", "Cannot access memory at address 0x40000000"),
        ("p *numa_info[0].node_memdev", "Cannot access memory at address 0x0"),
        ("p ((uint16List *)0)->value", "Cannot access memory at address 0x8"),
        ("p *numa_info[0].present", "Attempt to take contents of a non-pointer value."),
        ("p *(void *)ms", "Attempt to dereference a generic pointer."),
        ("p 1/0", "Division by zero"),
        ("p 5 % (ram_size - ram_size)", "Division by zero"),
        ("p NodeInfo", "Attempt to use a type name as an expression"),
        ("p ms->smp + 1", "Structure has no component named operator+."),
        ("p *ms->smp", "Structure has no component named operator*."),
        ("p numa_info[0][0]", "Structure has no component named operator[]."),
        ("p -ms", "Argument to negate operation not a number."),
        ("p +ms", "Argument to positive operation not a number."),
        ("p ~ms", "Argument to complement operation not an integer, boolean."),
        ("p ms * 2", "Argument to arithmetic operation not a number or boolean."),
        ("p numa_info - ms", "First argument of `-' is a pointer and second argument is "
                             "neither\nan integer nor a pointer of the same type."),
        ("p &1", "Attempt to take address of value not located in memory."),
        ("p 1@2", "Only values in memory can be extended with '@'."),
        ("p ram_size@0", "Invalid number 0 of repetitions."),
        ("p (NodeInfo)1", "Invalid cast."),
        ("p (NoSuchType *)ms", 'No symbol "NoSuchType" in current context.'),
        ("p (struct Foo *)ms", "No struct type named Foo."),
        ("p 1 +", "A syntax error in expression, near `'."),
        ("p 1 2", "A syntax error in expression, near `2'."),
        ("p 08", 'Invalid number "08".'),
        ("p $", "The history is empty."),
        ("p $$", "History does not go back to $$1."),
        ("p $5", "History has not yet reached $5."),
    ]:
        got = gdb(state, command)
        if message is None:  # Object is opaque here: no members to show, nothing read
            assert got == "$1 = <incomplete type>" or got.startswith("Cannot access memory")
        else:
            assert got == message, command


# --------------------------------------------------------------------------- the history


def test_history_numbers_and_back_references() -> None:
    state = stop(SEED, "hw/core/numa.c:465")
    history = ValueHistory()
    assert gdb(state, "p 1", history) == "$1 = 1"
    assert gdb(state, "p $", history) == "$2 = 1"
    assert gdb(state, "p $$", history) == "$3 = 1"
    assert gdb(state, "p numa_info[1]", history).startswith("$4 = {node_mem = 536870912")
    assert gdb(state, "p $.node_mem", history) == "$5 = 536870912"
    assert gdb(state, "p $$1 + 1", history) == "Structure has no component named operator+."
    assert gdb(state, "p $$1.node_mem + 1", history) == "$6 = 536870913"
    assert gdb(state, "p $4.present", history) == "$7 = true"
    assert gdb(state, "p $$0", history) == "$8 = true"
    assert gdb(state, "p $9", history) == "History has not yet reached $9."
    assert gdb(state, "p $$20", history) == "History does not go back to $$20."
    assert gdb(state, "p $x = 5", history) == "$9 = 5"
    assert gdb(state, "p $x * 2", history) == "$10 = 10"
    assert gdb(state, "whatis $x", history) == "type = int"
    assert gdb(state, "p $unset", history) == "$11 = void"
    assert gdb(state, "p ms->smp.cpus = 3", history).startswith("tracesim replays")
    assert len(history) == 11


def test_history_keeps_the_value_printed_not_the_current_one() -> None:
    history = ValueHistory()
    early = stop(SEED, "hw/core/numa.c:138")  # node 0 about to be counted
    assert gdb(early, "p ms->numa_state->num_nodes", history) == "$1 = 0"
    assert gdb(early, "p *ms->numa_state", history).startswith("$2 = {num_nodes = 0, ")
    late = stop(SEED, "hw/core/numa.c:465")
    assert gdb(late, "p $1", history) == "$3 = 0"
    assert gdb(late, "p $2.num_nodes", history) == "$4 = 0"
    assert gdb(late, "p ms->numa_state->num_nodes", history) == "$5 = 2"


# --------------------------------------------------------------------------- reads


def test_evaluation_reports_what_it_read() -> None:
    state = stop(SEED, "hw/core/numa.c:465")
    value, reads = evaluate_with_reads(QEMU_42, state, 0,
                                        "numa_info[i - 1].node_mem + ms->ram_size")
    assert value.data == 536870912 + 1073741824
    assert reads.paths == {"numa_state.nodes[1].node_mem", "ms.ram_size"}
    depth = len(state.frames) - 1
    assert reads.locals == {(depth, "numa_info"), (depth, "i"), (depth, "ms")}
    _, reads = evaluate_with_reads(QEMU_42, state, 0, "ms->smp")
    assert reads.paths == {f"ms.smp.{f}" for f in ("cpus", "cores", "threads", "max_cpus")}
    _, reads = evaluate_with_reads(QEMU_42, state, 0, "&ms->smp")
    assert reads.paths == set()


def test_evaluate_gives_typed_values() -> None:
    state = stop(SEED, "hw/core/numa.c:465")
    value = evaluate(QEMU_42, state, 0, "ms->numa_state")
    assert type_name(value.type) == "struct NumaState *"
    assert value.data == ADDR_NUMA_STATE
    node = evaluate(QEMU_42, state, 0, "numa_info[1]")
    assert node.address == ADDR_NODES + 152 and node.data["node_mem"] == 536870912
    assert evaluate(QEMU_42, state, 0, "ms->smp.cpus").type is ct.UINT


# --------------------------------------------------------------------------- printing rules


def array(element: ct.CType, data: list[Any]) -> Value:
    return Value(ct.Array(element, len(data)), data)


def test_repeats_collapse_runs_longer_than_ten() -> None:
    assert format_value(QEMU_42, array(ct.INT, [1] + [7] * 10 + [2])) == \
        "{1, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 2}"
    assert format_value(QEMU_42, array(ct.INT, [1] + [7] * 11 + [2])) == \
        "{1, 7 <repeats 11 times>, 2}"
    assert format_value(QEMU_42, array(ct.INT, [1] + [7] * 11 + [2]), fmt="x") == \
        "{0x1, 0x7 <repeats 11 times>, 0x2}"
    assert format_value(QEMU_42, array(ct.INT, [0] * 300)) == "{0 <repeats 300 times>}"


def test_two_hundred_elements_at_most() -> None:
    text = format_value(QEMU_42, array(ct.INT, list(range(300))))
    assert text.endswith(", 198, 199...}") and text.count(",") == 199


def test_char_arrays_print_as_strings() -> None:
    assert print_chars([0] * 300) == "'\\000' <repeats 299 times>"
    assert print_chars([10, 20, 30] + [0] * 125) == "\"\\n\\024\\036\", '\\000' <repeats 124 times>"
    mixed = [65] * 11 + [66] + [0] * 12 + [67] + [0] * 15
    assert print_chars(mixed) == \
        "'A' <repeats 11 times>, \"B\", '\\000' <repeats 12 times>, \"C\", " \
        "'\\000' <repeats 14 times>"
    quoted = [ord(c) for c in "ab\"c'\\"] + [0x1B, 0x7F, 0x80, 9, 13, 7] + [0] * 8
    assert print_chars(quoted) == "\"ab\\\"c'\\\\\\033\\177\\200\\t\\r\\a" + "\\000" * 7 + '"'
    assert print_chars([(k % 90) + 33 for k in range(300)]).endswith('01234"...')
    assert print_chars([0]) == '""'
    assert print_chars([0, 0]) == '"\\000"'
    # groups are taken whole until 200 characters are reached
    sample = [10, 20, 30] + [0] * 135 + [32] + [0] * 12 + [1, 20, 10, 40] + [0] * 135 + [9] * 10
    assert print_chars(sample) == "\"\\n\\024\\036\", '\\000' <repeats 135 times>, \" \", " \
        "'\\000' <repeats 12 times>, \"\\001\\024\\n(\", '\\000' <repeats 135 times>..."


def test_nested_char_arrays_and_bools() -> None:
    rows = array(ct.Array(ct.UINT8, 4), [[10, 20, 0, 0], [0, 0, 0, 0]])
    assert format_value(QEMU_42, rows) == '{"\\n\\024\\000", "\\000\\000\\000"}'
    assert format_value(QEMU_42, array(ct.BOOL, [1, 0, 1])) == "{true, false, true}"
    assert format_value(QEMU_42, array(ct.BOOL, [1, 10])) == "{true, 10}"
    assert format_value(QEMU_42, array(ct.BOOL, [1, 0, 1]), fmt="x") == "{0x1, 0x0, 0x1}"
    assert format_value(QEMU_42, array(ct.UINT8, [10, 20, 30]), fmt="c") == \
        "{10 '\\n', 20 '\\024', 30 '\\036'}"
    assert format_value(QEMU_42, array(ct.UINT8, [10, 20, 30]), fmt="d") == "{10, 20, 30}"
