"""`tracesim port --to 10.0`: 4.2 and 7.2 lines rewritten for QEMU 10.0, checked against a real
QEMU 10.0.13 build (.ci/build-qemu-10.0 keeps it in a cache directory).

Every public 4.2 golden case that 4.2 accepts, and every public 7.2 golden case that 7.2 accepts,
is ported and run on the real 10.0 binary: exit 0, no deprecation warning (10.0's machine-type
one included), and `info numa` equal to the source profile's simulation.
"""

from __future__ import annotations

import json
import os
import random
import shlex
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, golden_cases
from test_port import BEYOND_MODEL, EXTRA_LINES, SEED, WORDS, object_sizes, port, sim
from test_v72_real_binary import QEMU as QEMU_72
from test_v72_real_binary import real_qemu

from tracesim.qemu.v100.machines import find_machine as find_machine_100

CACHE = Path(os.environ.get("TRACESIM_CACHE") or
             Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tracesim")
QEMU_10 = CACHE / "qemu-10.0.13" / "bin" / "qemu-system-x86_64"  # the build, with firmware
needs_qemu_10 = pytest.mark.skipif(not QEMU_10.exists(),
                                   reason="no QEMU 10.0 build (bash .ci/build-qemu-10.0)")
needs_qemu_72 = pytest.mark.skipif(QEMU_72 is None, reason="qemu-system-x86_64 is not installed")

GOLDEN_72 = SHARED / "golden" / "qemu-7.2"
CASES_72 = ([json.loads(p.read_text()) for p in sorted(GOLDEN_72.glob("*.json"))]
            if GOLDEN_72.is_dir() else [])
ACCEPTED_42 = [c for c in golden_cases() if c["expect"]["exit_status"] == 0]
REFUSED_42 = [c for c in golden_cases() if c["expect"]["exit_status"] != 0]
ACCEPTED_72 = [c for c in CASES_72 if c["expect"]["exit_status"] == 0]
REFUSED_72 = [c for c in CASES_72 if c["expect"]["exit_status"] != 0]

# 7.2 lines beyond its golden cases: zero -smp members (7.2 warns and reads them as not given,
# 10.0 refuses them), mem= on a machine 10.0 deprecates, a machine type 10.0 still runs.
LINES_72 = [
    "-machine q35 -m 1G -smp 0 -object memory-backend-ram,id=m0,size=1G -numa node,memdev=m0",
    "-m 1G -smp 0",
    "-machine pc-q35-6.1 -m 1G -smp 4,cores=0,threads=2 -object memory-backend-ram,id=m0,"
    "size=512M -object memory-backend-ram,id=m1,size=512M -numa node,memdev=m0 "
    "-numa node,memdev=m1",
    "-machine q35 -m 2G -smp 8,sockets=2,cores=0,threads=2 -object memory-backend-ram,id=m0,"
    "size=1G -object memory-backend-ram,id=m1,size=1G -numa node,memdev=m0 -numa node,memdev=m1 "
    "-numa dist,src=0,dst=1,val=21",
    "-machine q35 -m 1G -smp 4,sockets=0,dies=0 -object memory-backend-ram,id=m0,size=1G "
    "-numa node,memdev=m0",
    "-machine pc-i440fx-5.0 -m 1G -smp 4 -numa node,mem=512M -numa node,mem=512M",
    "-machine pc-q35-5.0 -m 1G -smp 2 -numa node,mem=0 -numa node,mem=1G",
    "-machine pc-q35-7.1 -m 1G -smp 2,maxcpus=4 -object memory-backend-ram,id=m0,size=1G "
    "-numa node,memdev=m0,cpus=0-1 -numa node,cpus=2-3",
]
SMP_ZERO_LINES_72 = LINES_72[:5]  # a zero -smp member each
SMP_ZERO_72 = LINES_72[0]


def deprecated_on_10(machine: str) -> bool:
    """10.0 deprecates the PC types up to 7.0 (its catalogue, which test_v100_real_binary checks
    against the real `-machine help`)."""
    mc = find_machine_100(machine)
    return mc is not None and mc.deprecation_reason is not None


def machine_of(argv: list[str]) -> str:
    """The machine type a ported line names (it always names one)."""
    at = next(i for i, w in enumerate(argv) if w in ("-machine", "-M"))
    first = argv[at + 1].split(",")[0]
    return first.removeprefix("type=")


def assert_same_on_real_10(original: list[str], source: str, ported: list[str]) -> None:
    """The ported line on the real 10.0 build gives the source simulation's layout, with the
    source's messages less its deprecation warnings, and no warning of its own."""
    summary, info = sim(original, source)
    status, stderr, numa = real_qemu(ported, str(QEMU_10))
    assert status == 0, stderr
    assert "deprecated" not in stderr.lower(), stderr
    lines = [ln for ln in stderr.splitlines() if not any(b in ln for b in BEYOND_MODEL)]
    assert lines == [ln for ln in summary["stderr"].splitlines()
                     if "deprecated" not in ln.lower()]
    assert numa == info


def assert_numbers_kept(original: list[str], source: str, ported: list[str]) -> None:
    """Without a binary: the 10.0 simulation of the port has the source run's numbers."""
    a, _ = sim(original, source)
    b, _ = sim(ported, "10.0")
    assert b["exit_status"] == 0 and "deprecated" not in b["stderr"].lower(), b["stderr"]
    assert [n["mem"] for n in b["numa"]["nodes"]] == [n["mem"] for n in a["numa"]["nodes"]]
    assert [n["distance"] for n in b["numa"]["nodes"]] == \
        [n["distance"] for n in a["numa"]["nodes"]]
    assert [c["node_id"] for c in b["cpus"]] == [c["node_id"] for c in a["cpus"]]
    assert b["smp"] == a["smp"]
    assert [(c["socket_id"], c["core_id"], c["thread_id"]) for c in b["cpus"]] == \
        [(c["socket_id"], c["core_id"], c["thread_id"]) for c in a["cpus"]]


def test_the_golden_cases_are_there() -> None:
    assert len(ACCEPTED_42) >= 5 and len(ACCEPTED_72) >= 5


# -- 4.2 -> 10.0, every public golden case on the real binary --------------------------------


@needs_qemu_10
@pytest.mark.parametrize("case", ACCEPTED_42, ids=[c["id"] for c in ACCEPTED_42])
def test_golden_42_case_ports_to_real_qemu_10(case: dict[str, Any], capsys: Any) -> None:
    got = port(case["argv"], "--from", "4.2", "--to", "10.0", capsys=capsys)
    assert got.status == 0, got.stderr
    assert got.stdout.count("\n") == 1
    assert machine_of(got.argv) in ("pc-q35-10.0", "pc-i440fx-10.0")
    assert_same_on_real_10(case["argv"], "4.2", got.argv)


@pytest.mark.parametrize("case", ACCEPTED_42, ids=[c["id"] for c in ACCEPTED_42])
def test_golden_42_case_keeps_the_numbers_on_10(case: dict[str, Any], capsys: Any) -> None:
    got = port(case["argv"], "--from", "4.2", "--to", "10.0", capsys=capsys)
    assert got.status == 0, got.stderr
    assert_numbers_kept(case["argv"], "4.2", got.argv)
    summary, _ = sim(got.argv, "10.0")
    assert [n["mem"] for n in summary["numa"]["nodes"]] == case["expect"]["node_mem"]
    assert [c["node_id"] for c in summary["cpus"]] == case["expect"]["cpu_node"]


@needs_qemu_10
@pytest.mark.parametrize("case", ACCEPTED_42, ids=[c["id"] for c in ACCEPTED_42])
def test_golden_42_case_keep_machine_is_refused_with_reason(case: dict[str, Any],
                                                             capsys: Any) -> None:
    """Every 4.2 machine type is one 10.0 deprecates: --keep-machine cannot be honoured without
    the warning, which the real 10.0 binary indeed prints for the kept type."""
    got = port(case["argv"], "--from", "4.2", "--to", "10.0", "--keep-machine", capsys=capsys)
    assert got.status == 1 and got.stdout == ""
    kept = sim(case["argv"], "4.2")[0]["machine"]
    assert f"--keep-machine cannot keep {kept} on QEMU 10.0" in got.stderr
    assert f"Machine type '{kept}' is deprecated" in got.stderr
    assert "Traceback" not in got.stderr
    # what the port would have had to write: the same line with the 4.2 type kept
    moved = port(case["argv"], "--from", "4.2", "--to", "10.0", capsys=capsys).argv
    at = moved.index(next(w for w in moved if w in ("-machine", "-M"))) + 1
    moved[at] = moved[at].replace(machine_of(moved), kept, 1)
    status, stderr, _ = real_qemu(moved, str(QEMU_10))
    assert stderr.startswith(f"qemu-system-x86_64: warning: Machine type '{kept}' is deprecated")


@needs_qemu_10
@pytest.mark.parametrize("line", EXTRA_LINES)
def test_more_42_lines_port_to_real_qemu_10(line: str, capsys: Any) -> None:
    got = port(line, "--from", "4.2", "--to", "10.0", capsys=capsys)
    assert got.status == 0, got.stderr
    assert_same_on_real_10(shlex.split(line), "4.2", got.argv)
    assert_numbers_kept(shlex.split(line), "4.2", got.argv)


@pytest.mark.parametrize("case", REFUSED_42, ids=[c["id"] for c in REFUSED_42])
def test_golden_42_refused_is_reported_for_10(case: dict[str, Any], capsys: Any) -> None:
    got = port(case["argv"], "--from", "4.2", "--to", "10.0", capsys=capsys)
    assert got.status == 1 and got.stdout == ""
    assert "already fails on QEMU 4.2" in got.stderr
    assert case["expect"]["stderr"].splitlines()[-1] in got.stderr


# -- 7.2 -> 10.0 -------------------------------------------------------------------------------


@needs_qemu_10
@pytest.mark.parametrize("keep", [False, True], ids=["10.0-machine", "keep-machine"])
@pytest.mark.parametrize("case", ACCEPTED_72, ids=[c["id"] for c in ACCEPTED_72])
def test_golden_72_case_ports_to_real_qemu_10(case: dict[str, Any], keep: bool,
                                              capsys: Any) -> None:
    flags = ["--keep-machine"] if keep else []
    got = port(case["argv"], "--from", "7.2", "--to", "10.0", *flags, capsys=capsys)
    kept = sim(case["argv"], "7.2")[0]["machine"]
    if keep and deprecated_on_10(kept):
        assert got.status == 1 and got.stdout == ""
        assert f"--keep-machine cannot keep {kept} on QEMU 10.0" in got.stderr
        return
    assert got.status == 0, got.stderr
    assert got.stdout.count("\n") == 1
    assert machine_of(got.argv) == (kept if keep else "pc-q35-10.0")
    assert_same_on_real_10(case["argv"], "7.2", got.argv)
    assert_numbers_kept(case["argv"], "7.2", got.argv)


@needs_qemu_10
@pytest.mark.parametrize("keep", [False, True], ids=["10.0-machine", "keep-machine"])
@pytest.mark.parametrize("line", LINES_72)
def test_more_72_lines_port_to_real_qemu_10(line: str, keep: bool, capsys: Any) -> None:
    flags = ["--keep-machine"] if keep else []
    got = port(line, "--from", "7.2", "--to", "10.0", *flags, capsys=capsys)
    kept = sim(shlex.split(line), "7.2")[0]["machine"]
    if keep and deprecated_on_10(kept):
        assert got.status == 1 and "cannot keep" in got.stderr
        return
    assert got.status == 0, got.stderr
    assert_same_on_real_10(shlex.split(line), "7.2", got.argv)
    assert_numbers_kept(shlex.split(line), "7.2", got.argv)


@needs_qemu_72
@needs_qemu_10
@pytest.mark.parametrize("line", SMP_ZERO_LINES_72)
def test_72_lines_really_warn_on_72_and_are_refused_on_10(line: str) -> None:
    """What the port removes is real: Debian's 7.2 warns and runs, the 10.0 build refuses the
    line or warns about it."""
    argv = shlex.split(line)
    status, stderr, _ = real_qemu(argv)
    assert status == 0 and "deprecated" in stderr.lower(), stderr
    status, stderr, _ = real_qemu(argv, str(QEMU_10))
    assert status == 1, stderr
    assert "CPU topology parameters must be greater than zero" in stderr


@pytest.mark.parametrize("case", REFUSED_72, ids=[c["id"] for c in REFUSED_72])
def test_golden_72_refused_is_reported(case: dict[str, Any], capsys: Any) -> None:
    got = port(case["argv"], "--from", "7.2", "--to", "10.0", capsys=capsys)
    assert got.status == 1 and got.stdout == ""
    assert "already fails on QEMU 7.2" in got.stderr
    assert case["expect"]["stderr"].splitlines()[0] in got.stderr
    assert "Traceback" not in got.stderr


# -- what the rewrites look like ---------------------------------------------------------------


def test_seed_42_to_10(capsys: Any) -> None:
    got = port(SEED, "--from", "4.2", "--to", "10.0", capsys=capsys)
    assert got.status == 0, got.stderr
    assert got.stdout == (
        "qemu-system-x86_64 -machine pc-q35-10.0 -m 1024 -smp 4,sockets=4,cores=1,threads=1 "
        "-object memory-backend-ram,id=ram0,size=512M -object memory-backend-ram,id=ram1,size=512M "
        "-numa node,cpus=0-1,memdev=ram0 -numa node,cpus=2-3,memdev=ram1\n"
    )
    notes = got.stderr.splitlines()
    assert len(notes) == 4 and all(n.startswith("tracesim port: ") for n in notes)
    machine = notes[0]
    # the choice, explained: 10.0 deprecates pc-q35-4.2; the newest, not the oldest non-deprecated
    assert "10.0 deprecates ('Machine type 'pc-q35-4.2' is deprecated: machines more than 3 " \
        "years old are subject to deletion after 6 years')" in machine
    assert "pc-q35-10.0" in machine and "rather than pc-q35-7.1" in machine
    assert "what q35 means on 10.0" in machine and "--keep-machine refuses" in machine
    assert sum("10.0 has no automatic split" in n for n in notes) == 2
    assert any("on pc-q35-10.0 (6.2+ machine types) -smp 4 means 4 cores" in n for n in notes)


def test_smp_zero_72_to_10_spells_what_72_used(capsys: Any) -> None:
    got = port(SMP_ZERO_72, "--from", "7.2", "--to", "10.0", capsys=capsys)
    assert got.status == 0, got.stderr
    assert got.stdout == (
        "qemu-system-x86_64 -machine pc-q35-10.0 -m 1G -smp 1,sockets=1,cores=1,threads=1 "
        "-object memory-backend-ram,id=m0,size=1G -numa node,memdev=m0\n"
    )
    notes = got.stderr.splitlines()
    assert len(notes) == 2  # the machine, -smp
    assert notes[1] == (
        "tracesim port: -smp 0 -> -smp 1,sockets=1,cores=1,threads=1: 7.2 warned 'Deprecated CPU "
        "topology (considered invalid): CPU topology parameters must be greater than zero' and "
        "read a zero member as not given; 10.0's machine_parse_smp_config refuses it: 'Invalid "
        "CPU topology: CPU topology parameters must be greater than zero'; the values 7.2 used, "
        "spelled out"
    )
    assert "which 10.0 runs without a warning" in notes[0]


def test_smp_zero_member_keeps_the_72_topology(capsys: Any) -> None:
    line = LINES_72[2]  # pc-q35-6.1 (sockets first), cores=0 read as not given: 2 sockets
    got = port(line, "--from", "7.2", "--to", "10.0", capsys=capsys)
    assert "-smp 4,sockets=2,cores=1,threads=2 " in got.stdout
    assert "pc-q35-10.0" in got.stdout


def test_72_mem_on_50_becomes_memdev(capsys: Any) -> None:
    got = port("-machine pc-q35-5.0 -m 1024 -smp 4 -numa node,mem=256M,cpus=0-1 "
               "-numa node,mem=768M,cpus=2-3", "--from", "7.2", "--to", "10.0", capsys=capsys)
    assert got.status == 0, got.stderr
    assert object_sizes(got.argv) == ["256M", "768M"]
    assert "10.0's parse_numa_node refuses -numa node,mem on pc-q35-10.0" in got.stderr
    assert "7.2 made 4 sockets" in got.stderr


def test_keep_machine_72_type_10_still_runs(capsys: Any) -> None:
    got = port("-m 1G -smp 2 -object memory-backend-ram,id=m0,size=1G -numa node,memdev=m0",
               "--from", "7.2", "--to", "10.0", "--keep-machine", capsys=capsys)
    assert got.status == 0, got.stderr
    assert got.argv[:2] == ["-machine", "pc-i440fx-7.2"]  # the default is 10.0's own there
    assert "(no -machine: 7.2's default)" in got.stderr


def test_keep_machine_refused_names_both_ways_out(capsys: Any) -> None:
    got = port("-machine pc-q35-6.1 -m 1G -smp 2", "--from", "7.2", "--to", "10.0",
               "--keep-machine", capsys=capsys)
    assert got.status == 1 and got.stdout == ""
    lines = got.stderr.splitlines()
    assert lines[0] == (
        "tracesim port: --keep-machine cannot keep pc-q35-6.1 on QEMU 10.0 without a "
        "deprecation warning: 10.0 prints first 'qemu-system-x86_64: warning: Machine type "
        "'pc-q35-6.1' is deprecated: machines more than 3 years old are subject to deletion "
        "after 6 years'"
    )
    assert "without --keep-machine the port moves the line to pc-q35-10.0" in lines[1]
    assert "pc-q35-7.1 is the oldest 10.0 does not deprecate" in lines[2]


def test_maxmem_auto_node_cannot_be_kept_on_10(capsys: Any) -> None:
    got = port("-machine q35 -m 1G,maxmem=4G", "--from", "4.2", "--to", "10.0", capsys=capsys)
    assert got.status == 1 and got.stdout == ""
    assert "4.2 has 0 NUMA node(s), 10.0 would have 1" in got.stderr
    assert "no 10.0 machine type keeps this layout without a warning" in got.stderr
    assert "tried: qemu-system-x86_64 -machine pc-q35-10.0 -m 1G,maxmem=4G" in got.stderr


def test_pc_ram_rename_names_10(capsys: Any) -> None:
    got = port("-machine q35 -m 1G -object memory-backend-ram,id=pc.ram,size=1G "
               "-numa node,memdev=pc.ram", "--from", "4.2", "--to", "10.0", capsys=capsys)
    assert got.status == 0, got.stderr
    assert "pc.ram" not in got.stdout
    assert "10.0 reserves the id 'pc.ram'" in got.stderr


def test_to_defaults_to_the_next_profile(capsys: Any) -> None:
    line = "-machine q35 -m 1G -smp 2"
    assert port(line, "--from", "7.2", capsys=capsys) == \
        port(line, "--from", "7.2", "--to", "10.0", capsys=capsys)
    assert port(line, capsys=capsys) == port(line, "--from", "4.2", "--to", "7.2", capsys=capsys)


@pytest.mark.parametrize("flags", [["--from", "10.0", "--to", "7.2"], ["--from", "7.2", "--to",
                                   "4.2"], ["--from", "10.0"], ["--from", "7.2", "--to", "7.2"]])
def test_backward_or_same_is_a_usage_error(flags: list[str], capsys: Any) -> None:
    got = port("-m 1G", *flags, capsys=capsys)
    assert got.status == 2 and got.stdout == ""
    assert got.stderr == ("tracesim port: only --from 4.2 --to 7.2, --from 4.2 --to 10.0 or "
                          "--from 7.2 --to 10.0 is supported (a port goes to a newer QEMU)\n")


@pytest.mark.parametrize("source", ["4.2", "7.2"])
def test_any_line_gets_an_answer_on_10(source: str, capsys: Any) -> None:
    rng = random.Random(1000 + int(float(source) * 10))
    words = [*WORDS, "pc-q35-7.2", "pc-q35-6.1", "clusters=1", "4,cores=0", "0", "q35,hmat=on"]
    for _ in range(200):
        argv = [rng.choice(words) for _ in range(rng.randint(1, 10))]
        flags = rng.choice([[], ["--keep-machine"]])
        got = port(argv, "--from", source, "--to", "10.0", *flags, capsys=capsys)
        assert got.status in (0, 1, 2), argv
        assert "Traceback" not in got.stderr, argv
        if got.status == 0:
            assert got.stdout.count("\n") == 1
            assert_numbers_kept(argv, source, got.argv)
        else:
            assert got.stdout == "" and got.stderr, argv
