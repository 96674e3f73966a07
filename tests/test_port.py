"""`tracesim port`: a 4.2 line rewritten for 7.2, checked against the real QEMU 7.2 binary.

Every public 4.2 golden case that QEMU 4.2 accepts is ported and run on the real
qemu-system-x86_64 (Debian's 7.2); its `info numa` must equal tracesim's 4.2 simulation and its
stderr must carry no deprecation warning.
"""

from __future__ import annotations

import random
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import golden_cases
from tracesim.cli import main, simulate_trace
from tracesim.debugger.outcome import info_numa, summarize
from tracesim.trace.fold import fold

SEED = "-machine q35 -m 1024 -smp cpus=4 -numa node,cpus=0-1 -numa node,cpus=2-3"
THREE_NODE_1000 = (
    "-machine q35 -m 1000 -smp 3 -numa node,cpus=0 -numa node,cpus=1 -numa node,cpus=2"
)
QEMU = shutil.which("qemu-system-x86_64")
needs_qemu = pytest.mark.skipif(QEMU is None, reason="qemu-system-x86_64 is not installed")
# 4.2's deprecation warnings (RAM given by mem= or split by QEMU, a short -smp topology): the
# port exists to remove them.
DEPRECATIONS = ("Default splitting of RAM between nodes", "deprecated")
# Printed by the real binary after the modelled path (TCG's CPU model), on 4.2 as on 7.2.
BEYOND_MODEL = ("doesn't support hyperthreading", "topoext feature")

ACCEPTED = [c for c in golden_cases() if c["expect"]["exit_status"] == 0]
REFUSED = [c for c in golden_cases() if c["expect"]["exit_status"] != 0]

# Lines beyond the golden cases, also checked on the real binary.
EXTRA_LINES = [
    "-m 1024 -smp 4 -numa node -numa node",  # default machine, default CPU mapping by socket
    "-machine pc-q35-2.9 -m 1023 -smp 4 -numa node -numa node,cpus=1 -numa node",
    "-machine q35 -m 1G -smp 4,sockets=2,cores=2 -numa node,mem=0 -numa node,mem=1G",
    "-M pc-i440fx-2.9 -m 2G -smp 8,sockets=2,cores=2,threads=2 -numa node -numa node "
    "-numa dist,src=0,dst=1,val=21",
    "-machine q35 -m 1024 -object memory-backend-ram,id=ram0,size=64M -numa node -numa node",
    "-machine type=q35,accel=tcg -m 1G,slots=2,maxmem=4G -smp 2 -numa node,cpus=0 "
    "-numa node,cpus=1",
    "-machine q35 -m 1G -smp 3,sockets=1,cores=2,maxcpus=4 -numa node,cpus=0-1 -numa node",
]


@dataclass
class Ported:
    status: int
    stdout: str
    stderr: str

    @property
    def argv(self) -> list[str]:
        words = shlex.split(self.stdout)
        assert words[0] == "qemu-system-x86_64"
        return words[1:]


def port(args: str | list[str], *flags: str, capsys: Any) -> Ported:
    argv = shlex.split(args) if isinstance(args, str) else list(args)
    capsys.readouterr()
    status = main(["port", *flags, "--", *argv])
    out, err = capsys.readouterr()
    return Ported(status, out, err)


def sim(argv: list[str], profile: str) -> tuple[dict[str, Any], str]:
    trace = simulate_trace(argv, profile)
    return summarize(trace), info_numa(fold(trace.events))


def run_real(argv: list[str]) -> tuple[int, str, str | None]:
    """The real binary to its monitor: exit status, stderr and the `info numa` answer."""
    assert QEMU is not None
    done = subprocess.run(
        [QEMU, "-S", "-display", "none", "-nodefaults", "-monitor", "stdio", *argv],
        input=b"info numa\nquit\n", capture_output=True, timeout=120,
    )
    out = done.stdout.decode(errors="replace")
    # the monitor echoes the command with terminal escapes; the answer ends at the next prompt
    found = re.search(r"info numa\x1b\[K\r\n(.*?)\(qemu\)", out, re.S)
    answer = found.group(1).replace("\r\n", "\n") if found else None
    return done.returncode, done.stderr.decode(errors="replace"), answer


def expected_stderr_lines(summary42: dict[str, Any]) -> list[str]:
    return [line for line in summary42["stderr"].splitlines()
            if not any(w in line for w in DEPRECATIONS)]


def assert_same_on_real_qemu(original: list[str], ported: list[str]) -> None:
    summary42, info42 = sim(original, "4.2")
    status, stderr, info = run_real(ported)
    assert status == 0, stderr
    assert "deprecated" not in stderr.lower(), stderr
    lines = [ln for ln in stderr.splitlines() if not any(b in ln for b in BEYOND_MODEL)]
    assert lines == expected_stderr_lines(summary42)
    assert info == info42


def object_sizes(argv: list[str]) -> list[str]:
    objs = [argv[i + 1] for i, w in enumerate(argv[:-1]) if w == "-object"]
    return [o.split("size=")[1] for o in objs if o.startswith("memory-backend-ram,id=ram")]


# -- every public golden case, on the real binary --------------------------------------------


@needs_qemu
@pytest.mark.parametrize("keep", [False, True], ids=["7.2-machine", "keep-machine"])
@pytest.mark.parametrize("case", ACCEPTED, ids=[c["id"] for c in ACCEPTED])
def test_golden_case_ports_to_real_qemu_72(case: dict[str, Any], keep: bool, capsys: Any) -> None:
    flags = ["--keep-machine"] if keep else []
    got = port(case["argv"], "--from", "4.2", "--to", "7.2", *flags, capsys=capsys)
    assert got.status == 0, got.stderr
    assert got.stdout.count("\n") == 1
    assert_same_on_real_qemu(case["argv"], got.argv)


@pytest.mark.parametrize("case", ACCEPTED, ids=[c["id"] for c in ACCEPTED])
def test_golden_case_keeps_the_42_numbers(case: dict[str, Any], capsys: Any) -> None:
    """Without the binary too: the 7.2 simulation of the port matches the golden 4.2 run."""
    got = port(case["argv"], capsys=capsys)
    assert got.status == 0, got.stderr
    summary72, _ = sim(got.argv, "7.2")
    assert [n["mem"] for n in summary72["numa"]["nodes"]] == case["expect"]["node_mem"]
    assert [c["node_id"] for c in summary72["cpus"]] == case["expect"]["cpu_node"]
    if "distance" in case["expect"]:
        assert [n["distance"] for n in summary72["numa"]["nodes"]] == case["expect"]["distance"]


@pytest.mark.parametrize("case", REFUSED, ids=[c["id"] for c in REFUSED])
def test_golden_case_refused_by_42_is_reported(case: dict[str, Any], capsys: Any) -> None:
    got = port(case["argv"], capsys=capsys)
    assert got.status == 1
    assert got.stdout == ""
    assert "already fails on QEMU 4.2" in got.stderr
    error = case["expect"]["stderr"].splitlines()[-1]  # QEMU 4.2's own message, quoted
    assert error in got.stderr
    assert "Traceback" not in got.stderr


@needs_qemu
@pytest.mark.parametrize("line", EXTRA_LINES)
def test_more_lines_port_to_real_qemu_72(line: str, capsys: Any) -> None:
    got = port(line, capsys=capsys)
    assert got.status == 0, got.stderr
    assert_same_on_real_qemu(shlex.split(line), got.argv)


# -- what the rewrites look like --------------------------------------------------------------


def test_seed_gets_two_512m_backends(capsys: Any) -> None:
    got = port(SEED, capsys=capsys)
    assert got.status == 0, got.stderr
    assert got.stdout == (
        "qemu-system-x86_64 -machine pc-q35-7.2 -m 1024 -smp 4,sockets=4,cores=1,threads=1 "
        "-object memory-backend-ram,id=ram0,size=512M -object memory-backend-ram,id=ram1,size=512M "
        "-numa node,cpus=0-1,memdev=ram0 -numa node,cpus=2-3,memdev=ram1\n"
    )
    notes = got.stderr.splitlines()
    assert len(notes) == 4  # machine, two nodes, -smp: one line per rewrite
    assert all(n.startswith("tracesim port: ") for n in notes)
    assert sum("should equal RAM size (0x40000000)" in n for n in notes) == 2
    assert any("pc-q35-7.2" in n and "--keep-machine" in n for n in notes)
    assert any("x86_get_default_cpu_node_id" in n for n in notes)


def test_three_nodes_of_1000m_keep_the_42_split(capsys: Any) -> None:
    got = port(THREE_NODE_1000, capsys=capsys)
    assert got.status == 0, got.stderr
    summary42, _ = sim(shlex.split(THREE_NODE_1000), "4.2")
    split = [n["mem"] for n in summary42["numa"]["nodes"]]
    assert object_sizes(got.argv) == [f"{m >> 20}M" for m in split] == ["328M", "336M", "336M"]
    assert "numa_default_auto_assign_ram" in got.stderr


def test_legacy_split_names_its_function(capsys: Any) -> None:
    got = port("-machine pc-i440fx-2.9 -m 1000 -smp 3 -numa node -numa node -numa node",
               capsys=capsys)
    assert got.status == 0, got.stderr
    assert object_sizes(got.argv) == ["328M", "328M", "344M"]
    assert "numa_legacy_auto_assign_ram" in got.stderr
    assert got.argv[:2] == ["-machine", "pc-i440fx-7.2"]


def test_explicit_mem_becomes_memdev(capsys: Any) -> None:
    got = port("-machine q35 -m 1024 -smp 4 -numa node,mem=256M,cpus=0-1 "
               "-numa node,mem=768M,cpus=2-3", capsys=capsys)
    assert got.status == 0, got.stderr
    assert "-numa node,memdev=ram0,cpus=0-1 -numa node,memdev=ram1,cpus=2-3" in got.stdout
    assert object_sizes(got.argv) == ["256M", "768M"]
    assert "not supported by this machine type" in got.stderr


def test_unaligned_size_is_exact_bytes(capsys: Any) -> None:
    got = port("-machine q35 -m 1024 -numa node,mem=1048575K -numa node,mem=1K", capsys=capsys)
    assert got.status == 0, got.stderr
    assert object_sizes(got.argv) == [str(1048575 << 10), "1024"]


def test_keep_machine(capsys: Any) -> None:
    got = port("-machine q35 -m 1024 -smp 4 -numa node,mem=512M -numa node,mem=512M",
               "--keep-machine", capsys=capsys)
    assert got.status == 0, got.stderr
    argv = got.argv
    assert argv[:2] == ["-machine", "pc-q35-4.2"]  # q35 would mean pc-q35-7.2 there
    assert "-smp 4 " in got.stdout  # pc-q35-4.2 still reads -smp 4 as 4 sockets
    assert "mem=" not in got.stdout.replace("memdev=", "")  # accepted but deprecated: converted
    assert "deprecated" in got.stderr
    summary72, _ = sim(argv, "7.2")
    assert summary72["machine"] == "pc-q35-4.2"
    assert summary72["stderr"] == ""


def test_keep_machine_names_the_default(capsys: Any) -> None:
    got = port("-m 1024 -numa node", "--keep-machine", capsys=capsys)
    assert got.status == 0, got.stderr
    assert got.argv[:2] == ["-machine", "pc-i440fx-4.2"]


def test_smp_spelled_out_only_when_needed(capsys: Any) -> None:
    got = port("-m 1024 -smp 4 -numa node -numa node", capsys=capsys)
    assert "-smp 4,sockets=4,cores=1,threads=1" in got.stdout
    assert "CPU(s) 1, 3 would change node" in got.stderr
    summary72, _ = sim(got.argv, "7.2")
    assert [c["node_id"] for c in summary72["cpus"]] == [0, 1, 0, 1]
    kept = port("-machine q35 -m 1024 -smp 4,sockets=2,cores=2 -numa node -numa node",
                capsys=capsys)
    assert kept.status == 0, kept.stderr
    assert "-smp 4,sockets=2,cores=2 " in kept.stdout
    assert "-smp" not in kept.stderr


def test_new_ids_avoid_the_line_and_pc_ram(capsys: Any) -> None:
    got = port("-machine q35 -m 1G -object memory-backend-ram,id=ram0,size=64M "
               "-object memory-backend-ram,id=pc.ram,size=64M -numa node -numa node",
               capsys=capsys)
    assert got.status == 0, got.stderr
    assert "memdev=ram1" in got.stdout and "memdev=ram2" in got.stdout
    assert "id=pc.ram" not in got.stdout
    assert "create_default_memdev" in got.stderr
    numa = got.argv.index("-numa")
    assert got.argv[numa - 1].startswith("memory-backend-ram,id=ram2")  # objects before -numa


def test_unmodelled_options_pass_through(capsys: Any) -> None:
    got = port("qemu-system-x86_64 -machine q35 -m 1G -numa node -drive file=a\\ b.img,if=virtio "
               "-vnc :1", capsys=capsys)
    assert got.status == 0, got.stderr
    assert got.argv[-4:] == ["-drive", "file=a b.img,if=virtio", "-vnc", ":1"]
    assert "'file=a b.img,if=virtio'" in got.stdout  # shell-quoted


def test_same_line_twice_same_output(capsys: Any) -> None:
    assert port(SEED, capsys=capsys) == port(SEED, capsys=capsys)


def test_auto_node_of_maxmem_cannot_be_kept(capsys: Any) -> None:
    got = port("-machine q35 -m 1G,maxmem=4G", capsys=capsys)
    assert got.status == 1
    assert got.stdout == ""
    assert "4.2 has 0 NUMA node(s), 7.2 would have 1" in got.stderr
    assert "auto_enable_numa_with_memdev" in got.stderr
    assert port("-machine q35 -m 1G,maxmem=4G", "--keep-machine", capsys=capsys).status == 0


def test_failure_on_72_is_explained(capsys: Any) -> None:
    # 4.2 only warns that 4 CPUs in sockets of 3 cores is an invalid topology; 7.2 refuses it
    got = port("-machine q35 -m 1G -smp 4,cores=3 -numa node", capsys=capsys)
    assert got.status == 1
    assert got.stdout == ""
    assert "fails on QEMU 7.2" in got.stderr
    assert "product of the hierarchy must match maxcpus" in got.stderr
    assert "tried: qemu-system-x86_64 -machine pc-q35-7.2 -m 1G -smp 4,sockets=2,cores=3" \
        in got.stderr


# -- usage and robustness ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--from", "5.0"], "profiles: 4.2, 7.2, 10.0"),
        (["--to", "9.9"], "profiles: 4.2, 7.2, 10.0"),
        (["--from", "7.2", "--to", "4.2"], "only --from 4.2 --to 7.2"),
        (["--from", "4.2", "--to", "4.2"], "only --from 4.2 --to 7.2"),
        (["--to"], "needs a value"),
    ],
)
def test_usage_errors(flags: list[str], says: str, capsys: Any) -> None:
    status = main(["port", *flags, "--", "-m", "1G"] if flags != ["--to"] else ["port", "--to"])
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and says in err


def test_no_qemu_arguments_is_a_usage_error(capsys: Any) -> None:
    assert main(["port"]) == 2
    assert main(["port", "--", "qemu-system-x86_64"]) == 2
    _, err = capsys.readouterr()
    assert err.splitlines() == ["tracesim port: give the QEMU command line after --"] * 2


def test_help_request_is_not_ported(capsys: Any) -> None:
    got = port("-machine help", capsys=capsys)
    assert got.status == 1 and got.stdout == ""


WORDS = [
    "-machine", "-M", "q35", "pc", "isapc", "none", "microvm", "pc-q35-2.9", "type=pc",
    "q35,accel=tcg", "-m", "1024", "1000", "0", "1G,slots=2,maxmem=4G", "-smp", "4", "cpus=3",
    "4,sockets=2", "8,maxcpus=16", "4,cores=2,threads=2", "-numa", "node", "node,cpus=0",
    "node,cpus=1-3", "node,mem=512M", "node,mem=0", "node,nodeid=1", "node,memdev=m0",
    "dist,src=0,dst=1,val=20", "cpu,node-id=0,socket-id=1", "-object",
    "memory-backend-ram,id=m0,size=512M", "memory-backend-ram,id=pc.ram,size=1G", ",", ",,",
    "=", "node,,", "-enable-kvm", "-drive", "--", "-nosuch",
]


def test_any_line_gets_an_answer_not_a_traceback(capsys: Any) -> None:
    rng = random.Random(4242)
    for _ in range(300):
        argv = [rng.choice(WORDS) for _ in range(rng.randint(1, 10))]
        flags = rng.choice([[], ["--keep-machine"]])
        got = port(argv, *flags, capsys=capsys)
        assert got.status in (0, 1, 2), argv
        assert "Traceback" not in got.stderr, argv
        if got.status == 0:
            assert got.stdout.count("\n") == 1 and got.argv is not None
            assert sim(got.argv, "7.2")[0]["exit_status"] == 0
        else:
            assert got.stdout == "" and got.stderr, argv


def test_registered_in_top_help(capsys: Any) -> None:
    assert main(["--help"]) == 0
    assert "\n  port " in capsys.readouterr().out
