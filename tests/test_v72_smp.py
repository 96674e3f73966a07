"""QEMU 7.2's -smp parsing (tracesim/qemu/v72/machine_smp.py): the gdb stops of the golden
cases, stops from a -O0 rebuild of machine-smp.c, and topologies and messages compared with
the installed qemu-system-x86_64 7.2."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tracesim.qemu.options import Cmdline
from tracesim.qemu.process import Qemu, QemuError, render_report
from tracesim.qemu.v72.machine_smp import SMP_KEYS, machine_set_smp
from tracesim.qemu.v72.machines import MachineClass, find_machine
from tracesim.qemu.v72.state import MachineState
from tracesim.show import show_stops
from tracesim.trace import events as ev
from tracesim.trace.recorder import Recorder

ROOT = Path(__file__).resolve().parents[1]
GOLDEN72 = ROOT.parent / "shared" / "golden" / "qemu-7.2"
SMP_FUNCS = ("machine_set_smp", "machine_parse_smp_config", "cpu_hierarchy_to_string")
QEMU_BIN = shutil.which("qemu-system-x86_64")
PROGRAM = "qemu-system-x86_64"


@dataclasses.dataclass
class SmpRun:
    events: list[Any]
    ms: MachineState
    error: str | None

    @property
    def stops(self) -> list[str]:
        return list(show_stops(self.events))

    @property
    def stderr(self) -> str:
        """What the real process prints: the reports, then the error (reported by the
        caller with no location, as vl.c's &error_fatal does for the smp property)."""
        out = "".join(
            render_report(e.kind, e.text, e.location)
            for e in self.events
            if type(e) is ev.Report
        )
        if self.error is not None:
            out += render_report("error", self.error, None)
        return out

    @property
    def topology(self) -> dict[str, int]:
        s = self.ms.smp
        return {"cpus": s.cpus, "sockets": s.sockets, "dies": s.dies, "clusters": s.clusters,
                "cores": s.cores, "threads": s.threads, "maxcpus": s.max_cpus}


def parse_smp(arg: str) -> dict[str, int]:
    """-smp's value as keyval sees it: a leading bare number is `cpus`."""
    config: dict[str, int] = {}
    for i, part in enumerate(arg.split(",")):
        key, sep, value = part.partition("=")
        if not sep:
            assert i == 0, arg
            key, value = "cpus", part
        config[key] = int(value)
    return config


def run_smp(machine: str | MachineClass, config: dict[str, int]) -> SmpRun:
    """machine_initfn's defaults (cpus = max_cpus = default_cpus, the rest 1), then the
    smp property setter."""
    rec = Recorder()
    q = Qemu(rec, cmdline=Cmdline())
    mc = find_machine(machine) if isinstance(machine, str) else machine
    assert mc is not None, machine
    q.mc = mc
    ms = MachineState(rec)
    q.ms = ms
    ms.smp.cpus = ms.smp.max_cpus = mc.default_cpus
    ms.smp.sockets = ms.smp.dies = ms.smp.clusters = ms.smp.cores = ms.smp.threads = 1
    error = None
    try:
        machine_set_smp(q, ms, config)
    except QemuError as e:
        error = e.text
    return SmpRun(rec.events, ms, error)


def _arg(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv else None


def _golden_cases() -> list[Any]:
    cases = []
    for path in sorted(GOLDEN72.glob("*.json")):
        data = json.loads(path.read_text())
        if "-smp" in data["argv"]:
            cases.append(pytest.param(data, id=data["id"]))
    return cases


GOLDEN_CASES = _golden_cases()


def test_golden_cases_found() -> None:
    assert len(GOLDEN_CASES) >= 12


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_golden_stops(case: dict[str, Any]) -> None:
    argv = case["argv"]
    machine = (_arg(argv, "-machine") or "pc").split(",")[0]
    smp = _arg(argv, "-smp")
    assert smp is not None
    run = run_smp(machine, parse_smp(smp))
    want = [f"{fn} {file}:{line}" for fn, file, line in case["gdb_stops"] if fn in SMP_FUNCS]
    assert run.stops == want
    # The run went on past the setter (machine_set_mem next) unless -smp was the error.
    last = max(i for i, s in enumerate(case["gdb_stops"]) if s[0] == "machine_set_smp")
    went_on = last + 1 < len(case["gdb_stops"])
    assert (run.error is None) == went_on
    if run.error is not None:
        assert case["expect"]["exit_status"] == 1
        assert run.stderr == case["expect"]["stderr"]


def test_golden_without_smp_has_no_smp_stops() -> None:
    """Spec "Stepping on 7.2" 1: without -smp the setter never runs."""
    for path in sorted(GOLDEN72.glob("*.json")):
        data = json.loads(path.read_text())
        if "-smp" not in data["argv"]:
            assert not [s for s in data["gdb_stops"] if s[0] in SMP_FUNCS]


# Stops of machine_parse_smp_config (P) and cpu_hierarchy_to_string (C) observed under gdb 13
# on hw/core/machine-smp.c rebuilt by gcc 12.2 at -O0 -g3 with stub headers (the four golden
# shapes above were reproduced exactly by that build first). Lines only; machine_set_smp's
# stops around them are the golden 848 849 850 852 856 ... 850 857.
_HEAD = "73 74 75 76 77 78 79 80 81"
_ZZ = "87 88 87 89 88 90 89 91 90 92 91 93 92"  # no member given as zero, no maxcpus
_FILL_CORES = "102 106 111 112 115 120 122 134 135 136 137 145"
_WRITE = "150 151 153 154 155 156 157 158 159 162"
_HIER_DIES = "C31 C32 C34 C36 C37 C40 C44 C45 C47 C48"
_OK = "171 180 188 195"
REBUILD_STOPS: list[tuple[str, str, str]] = [
    ("q35", "0", "87 94 102 106 111 112 115 116 117 118 " + _WRITE + " " + _OK),
    ("q35", "sockets=0", "87 88 87 88 94 102 106 111 112 115 116 117 118 "
     + _WRITE + " " + _OK),
    ("q35", "maxcpus=0", _ZZ + " 93 94 102 106 111 112 115 116 117 118 "
     + _WRITE + " " + _OK),
    ("q35", "sockets=2", "87 88 87 88 89 88 90 89 91 90 92 91 93 92 "
     "102 106 111 112 115 116 117 118 " + _WRITE + " " + _OK),
    ("q35", "4,maxcpus=8", _ZZ + " 93 " + _FILL_CORES + " " + _WRITE + " " + _OK),
    ("q35", "4,sockets=3", "87 88 87 88 89 88 90 89 91 90 92 91 93 92 " + _FILL_CORES
     + " " + _WRITE + " 163 " + _HIER_DIES + " 163 164 163 195"),
    ("q35", "8,maxcpus=4", _ZZ + " 93 " + _FILL_CORES + " " + _WRITE
     + " 171 172 " + _HIER_DIES + " 172 173 172 195"),
    ("isapc", "2", _ZZ + " " + _FILL_CORES + " " + _WRITE + " 171 180 188 189 193 195"),
    ("none", "4,dies=2", "87 88 87 89 88 89 90 89 91 90 92 91 93 92 102 103 104 195"),
    ("q35", "8,sockets=2,cores=2", "87 88 87 88 89 88 90 89 91 90 91 92 91 93 92 "
     "102 106 111 112 115 120 122 134 138 145 146 " + _WRITE + " " + _OK),
    ("pc-q35-6.1", "8,sockets=2,cores=2", "87 88 87 88 89 88 90 89 91 90 91 92 91 93 92 "
     "102 106 111 112 115 120 122 124 128 145 146 " + _WRITE + " " + _OK),
    ("pc-q35-6.1", "4,cores=2", "87 88 87 89 88 90 89 91 90 91 92 91 93 92 "
     "102 106 111 112 115 120 122 124 125 126 127 145 " + _WRITE + " " + _OK),
    ("q35", "cores=2,threads=2", "87 88 87 89 88 90 89 91 90 91 92 91 92 93 92 "
     "102 106 111 112 115 116 117 118 " + _WRITE + " " + _OK),
    ("q35", "4,threads=2,cores=0", "87 88 87 89 88 90 89 91 90 91 94 "
     + _FILL_CORES + " " + _WRITE + " " + _OK),
    ("q35", "4,dies=1", "87 88 87 89 88 89 90 89 91 90 92 91 93 92 " + _FILL_CORES + " "
     + _WRITE + " " + _OK),
]


def _stop_lines(run: SmpRun) -> str:
    out = []
    for s in run.stops:
        fn, where = s.split(" ")
        line = where.rsplit(":", 1)[1]
        if fn == "machine_parse_smp_config":
            out.append(line)
        elif fn == "cpu_hierarchy_to_string":
            out.append("C" + line)
    return " ".join(out)


@pytest.mark.parametrize(("machine", "smp", "want"), REBUILD_STOPS,
                         ids=[f"{m}:{s}" for m, s, _ in REBUILD_STOPS])
def test_rebuild_stops(machine: str, smp: str, want: str) -> None:
    run = run_smp(machine, parse_smp(smp))
    assert _stop_lines(run) == f"{_HEAD} {want}"
    outer = [s for s in run.stops if s.startswith("machine_set_smp ")]
    assert [s.rsplit(":", 1)[1] for s in outer] == "848 849 850 852 856 850 857".split()


def test_hierarchy_string_without_dies_with_clusters() -> None:
    """cpu_hierarchy_to_string lists only what the machine supports (rebuild: C40 C41)."""
    mc = find_machine("q35")
    assert mc is not None
    props = dataclasses.replace(mc.smp_props, dies_supported=False, clusters_supported=True)
    run = run_smp(dataclasses.replace(mc, smp_props=props), parse_smp("4,sockets=3"))
    assert run.error == (
        "Invalid CPU topology: product of the hierarchy must match maxcpus: "
        "sockets (3) * clusters (1) * cores (1) * threads (1) != maxcpus (4)"
    )
    assert "C31 C32 C34 C36 C40 C41 C44 C45 C47 C48" in _stop_lines(run)


def test_min_cpus() -> None:
    """No x86 machine has min_cpus; a made-up one takes the 180-185 path."""
    mc = find_machine("q35")
    assert mc is not None
    run = run_smp(dataclasses.replace(mc, min_cpus=2), {"cpus": 1})
    assert run.error == "Invalid SMP CPUs 1. The min CPUs supported by machine 'pc-q35-7.2' is 2"
    assert _stop_lines(run).endswith("171 180 181 185 195")


def test_writes_are_events() -> None:
    run = run_smp("q35", {"cpus": 4})
    writes = [(e.path, e.value) for e in run.events if type(e) is ev.Write]
    assert writes[-7:] == [("ms.smp.cpus", 4), ("ms.smp.sockets", 1), ("ms.smp.dies", 1),
                           ("ms.smp.clusters", 1), ("ms.smp.cores", 4),
                           ("ms.smp.threads", 1), ("ms.smp.max_cpus", 4)]


def test_unknown_member_rejected() -> None:
    with pytest.raises(ValueError):
        run_smp("q35", {"books": 2})


# Compared with the installed binary: (machine, -smp). Errors, warnings and topologies.
REAL_CASES: list[tuple[str, str]] = [
    ("q35", "4"), ("q35", "cpus=4"), ("q35", "0"), ("q35", "4,sockets=0"),
    ("q35", "4,cpus=0"), ("q35", "maxcpus=0"), ("q35", "sockets=2"), ("q35", "4,dies=2"),
    ("none", "4,dies=2"), ("microvm", "4,dies=2"), ("q35", "4,clusters=2"),
    ("q35", "4,clusters=1"), ("q35", "4,sockets=3"), ("q35", "8,maxcpus=4"),
    ("q35", "4,maxcpus=8,sockets=2,cores=2"), ("q35", "2,maxcpus=4,dies=2"),
    ("isapc", "2"), ("isapc", "1"), ("q35", "300"), ("q35", "254"),
    ("pc-i440fx-7.2", "256"), ("pc-i440fx-7.2", "255"), ("q35", "-1"),
    ("q35", "4294967297"), ("pc-q35-6.1", "4"), ("pc-q35-4.2", "8,cores=2"),
    ("pc-q35-6.2", "8,sockets=2"), ("q35", "8,sockets=2,cores=2"), ("q35", "cores=2,threads=2"),
    ("pc-i440fx-6.1", "6,threads=3"), ("q35", "4,threads=2,cores=0"), ("q35", "6,cores=4"),
    ("none", "1"), ("none", "2"), ("microvm", "4,sockets=2"), ("q35", "4,sockets=2,dies=2"),
]

QMP = (
    '{"execute":"qmp_capabilities"}\n'
    '{"execute":"qom-get","arguments":{"path":"/machine","property":"smp"}}\n'
    '{"execute":"quit"}\n'
)


def real_qemu(machine: str, smp: str) -> tuple[int, str, dict[str, int] | None]:
    """Exit status, stderr and /machine's smp property (QMP qom-get) of the real binary."""
    assert QEMU_BIN is not None
    p = subprocess.run(
        [QEMU_BIN, "-S", "-display", "none", "-nodefaults", "-qmp", "stdio",
         "-machine", machine, "-smp", smp],
        input=QMP, capture_output=True, text=True, timeout=60,
    )
    topo = None
    for line in p.stdout.splitlines():
        ret = json.loads(line).get("return")
        if isinstance(ret, dict) and "cpus" in ret:
            topo = {k: int(v) for k, v in ret.items()}
    return p.returncode, p.stderr, topo


@pytest.mark.skipif(QEMU_BIN is None, reason="qemu-system-x86_64 not installed")
@pytest.mark.parametrize(("machine", "smp"), REAL_CASES,
                         ids=[f"{m}:{s}" for m, s in REAL_CASES])
def test_against_real_binary(machine: str, smp: str) -> None:
    status, stderr, topo = real_qemu(machine, smp)
    run = run_smp(machine, parse_smp(smp))
    if run.error is not None:
        assert status == 1
        assert stderr == run.stderr  # byte for byte, no location prefix
        assert topo is None
        return
    assert status == 0, stderr
    # Later code (x86 CPU realize) may warn after us, e.g. AMD and hyperthreading.
    assert stderr.startswith(run.stderr)
    if not run.stderr:
        assert PROGRAM + ": warning: Deprecated" not in stderr
    assert topo == run.topology
    assert set(topo) == set(SMP_KEYS)
