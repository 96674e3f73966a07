"""QEMU 10.0's -smp parsing (tracesim/qemu/v100/machine_smp.py): the gdb stops of the golden
cases, the stop shapes the golden cases do not show, and topologies and messages compared with
the -O0 10.0.13 build of .ci/build-qemu-10.0 (skipped while that binary is absent)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tracesim.qemu.options import Cmdline
from tracesim.qemu.process import Qemu, QemuError, QemuExit, render_report
from tracesim.qemu.v100.machine_smp import SMP_KEYS, ZERO_ERROR, machine_set_smp
from tracesim.qemu.v100.machines import MachineClass, find_machine
from tracesim.qemu.v100.state import MachineState
from tracesim.show import show_stops
from tracesim.trace import events as ev
from tracesim.trace.recorder import Recorder

ROOT = Path(__file__).resolve().parents[1]
GOLDEN10 = ROOT.parent / "shared" / "golden" / "qemu-10"
SMP_FUNCS = ("machine_set_smp", "machine_parse_smp_config", "cpu_hierarchy_to_string")
PROGRAM = "qemu-system-x86_64"


def _qemu10_bin() -> Path:
    """Where .ci/build-qemu-10.0 leaves its build (same cache-directory rule)."""
    cache = os.environ.get("TRACESIM_CACHE")
    if not cache:
        cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or
                             os.path.expanduser("~/.cache"), "tracesim")
    return Path(cache) / "qemu-10.0.13" / "build" / PROGRAM


QEMU10_BIN = _qemu10_bin()


def _have_qemu10() -> bool:
    if not os.access(QEMU10_BIN, os.X_OK):
        return False
    try:
        out = subprocess.run([str(QEMU10_BIN), "--version"], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "version 10.0.13" in out


HAVE_QEMU10 = _have_qemu10()


@dataclasses.dataclass
class SmpRun:
    events: list[Any]
    ms: MachineState
    q: Qemu
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
        return {"cpus": s.cpus, "drawers": s.drawers, "books": s.books, "sockets": s.sockets,
                "dies": s.dies, "clusters": s.clusters, "modules": s.modules,
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


def _machine(machine: str | MachineClass) -> MachineClass:
    mc = find_machine(machine) if isinstance(machine, str) else machine
    assert mc is not None, machine
    return mc


def run_smp(machine: str | MachineClass, config: dict[str, int]) -> SmpRun:
    """machine_initfn's defaults (cpus = max_cpus = default_cpus, the rest 1), then the
    smp property setter."""
    rec = Recorder()
    q = Qemu(rec, cmdline=Cmdline())
    mc = _machine(machine)
    q.mc = mc
    ms = MachineState(rec)
    q.ms = ms
    ms.smp.cpus = ms.smp.max_cpus = mc.default_cpus
    for name in ("drawers", "books", "sockets", "dies", "clusters", "modules", "cores",
                 "threads"):
        setattr(ms.smp, name, 1)
    error = None
    try:
        machine_set_smp(q, ms, config)
    except QemuError as e:
        error = e.text
    return SmpRun(rec.events, ms, q, error)


def _arg(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv else None


def _golden_cases() -> list[Any]:
    cases = []
    for path in sorted(GOLDEN10.glob("*.json")):
        data = json.loads(path.read_text())
        if "-smp" in data["argv"]:
            cases.append(pytest.param(data, id=data["id"]))
    return cases


GOLDEN_CASES = _golden_cases()


def test_golden_cases_found() -> None:
    assert len(GOLDEN_CASES) >= 13
    ids = {c.id for c in GOLDEN_CASES}
    assert {"smp-zero", "smp-clusters", "smp-maxcpus-lt-cpus"} <= ids


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
        # a deprecated machine type's warning would come first; none of these has one
        assert run.stderr == case["expect"]["stderr"]


def test_golden_without_smp_has_no_smp_stops() -> None:
    """Without -smp the setter never runs."""
    for path in sorted(GOLDEN10.glob("*.json")):
        data = json.loads(path.read_text())
        if "-smp" not in data["argv"]:
            assert not [s for s in data["gdb_stops"] if s[0] in SMP_FUNCS]


def test_smp_zero_is_an_error() -> None:
    """Spec 2.1 and 7.4: 105 -> 115 -> 117 -> 262, then 955, 962; no warning any more."""
    run = run_smp("q35", {"cpus": 0})
    assert run.error == ZERO_ERROR
    assert not [e for e in run.events if type(e) is ev.Report]
    assert _stop_lines(run) == f"{_HEAD} 105 115 117 262"


# machine_parse_smp_config and cpu_hierarchy_to_string (C) stop lines for shapes no golden case
# shows (given-but-1 levels, unsupported levels on `none`, every division, every error), each
# checked under gdb 13 (`next`, a breakpoint on each of the three functions) on the -O0 build
# of .ci/build-qemu-10.0; all of REAL_CASES below matched that way too.
_HEAD = "87 88 89 90 91 92 93 94 95 96 97 98 99"


def _zz(given: set[str], zero: str | None = None) -> str:
    """The zero test's stops for the members given (and the first one given as 0)."""
    out = []
    for i, key in enumerate(SMP_KEYS):
        line = 105 + i
        out.append(line)
        if i:
            out.append(line - 1)
            if key in given:
                out.append(line)
        if key == zero:
            return " ".join(map(str, out))
    return " ".join(map(str, out))


_PC_LEVELS = "124 130 132 133 132 138 140 146 148 149 148 154 156 157 156 162"
_NONE_LEVELS = "124 125 124 130 132 133 132 138 140 141 140 146 148 149 148 154 156 157 156 162"
_FILL_CORES = "165 170 172 188 189 190 192 193 191 203"
_TOTAL_WRITE = "210 211 210 212 213 215 216 217 218 219 220 221 222 223 224 226"
_OK = "229 238 247 255 262"
_HIER_PC = "C33 C34 C36 C40 C44 C46 C47 C50 C54 C55 C58 C59 C61 C62"
_HIER_NONE = "C33 C34 C36 C40 C44 C46 C50 C54 C58 C59 C61 C62"
CPUS = {"cpus"}
SHAPES: list[tuple[str, str, str]] = [
    ("q35", "4", f"{_zz(CPUS)} {_PC_LEVELS} {_FILL_CORES} {_TOTAL_WRITE} {_OK}"),
    ("q35", "sockets=0", f"{_zz({'sockets'}, 'sockets')} 115 117 262"),
    ("q35", "4,maxcpus=0", f"{_zz({'cpus', 'maxcpus'}, 'maxcpus')} 115 117 262"),
    ("q35", "4,drawers=0", f"{_zz({'cpus', 'drawers'}, 'drawers')} 115 117 262"),
    ("q35", "sockets=2", f"{_zz({'sockets'})} {_PC_LEVELS} 165 166 167 168 "
     f"{_TOTAL_WRITE} {_OK}"),
    ("q35", "4,sockets=3", f"{_zz({'cpus', 'sockets'})} {_PC_LEVELS} {_FILL_CORES} "
     f"{_TOTAL_WRITE} 229 230 {_HIER_PC} 230 231 230 262"),
    ("q35", "4,clusters=1", f"{_zz({'cpus', 'clusters'})} 124 130 132 133 132 133 138 140 146 "
     f"148 149 148 154 156 157 156 162 {_FILL_CORES} {_TOTAL_WRITE} {_OK}"),
    ("q35", "4,books=2", f"{_zz({'cpus', 'books'})} 124 130 132 133 132 138 140 146 "
     "148 149 148 149 150 152 262"),
    ("q35", "4,drawers=2", f"{_zz({'cpus', 'drawers'})} 124 130 132 133 132 138 140 146 "
     "148 149 148 154 156 157 156 157 158 160 262"),
    ("none", "4,modules=2", f"{_zz({'cpus', 'modules'})} 124 125 124 125 126 128 262"),
    ("none", "4,dies=2", f"{_zz({'cpus', 'dies'})} 124 125 124 130 132 133 132 138 "
     "140 141 140 141 142 144 262"),
    ("none", "1", f"{_zz(CPUS)} {_NONE_LEVELS} {_FILL_CORES} {_TOTAL_WRITE} {_OK}"),
    ("none", "2,maxcpus=1", f"{_zz({'cpus', 'maxcpus'})} {_NONE_LEVELS} {_FILL_CORES} "
     f"{_TOTAL_WRITE} 229 238 239 {_HIER_NONE} 239 240 239 262"),
    ("isapc", "2", f"{_zz(CPUS)} {_PC_LEVELS} {_FILL_CORES} {_TOTAL_WRITE} "
     "229 238 247 255 256 260 262"),
    ("q35", "8,sockets=2,cores=2", f"{_zz({'cpus', 'sockets', 'cores'})} {_PC_LEVELS} "
     f"165 170 172 188 194 203 205 206 204 {_TOTAL_WRITE} {_OK}"),
    ("q35", "8,cores=2", f"{_zz({'cpus', 'cores'})} {_PC_LEVELS} "
     f"165 170 172 188 194 195 197 198 196 203 {_TOTAL_WRITE} {_OK}"),
    ("pc-q35-6.1", "8,sockets=2", f"{_zz({'cpus', 'sockets'})} {_PC_LEVELS} "
     f"165 170 172 174 180 181 183 184 182 203 {_TOTAL_WRITE} {_OK}"),
    ("pc-q35-6.1", "4", f"{_zz(CPUS)} {_PC_LEVELS} "
     f"165 170 172 174 175 176 178 179 177 203 {_TOTAL_WRITE} {_OK}"),
    ("pc-q35-6.1", "8,sockets=2,cores=2", f"{_zz({'cpus', 'sockets', 'cores'})} "
     f"{_PC_LEVELS} 165 170 172 174 180 203 205 206 204 {_TOTAL_WRITE} {_OK}"),
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


@pytest.mark.parametrize(("machine", "smp", "want"), SHAPES,
                         ids=[f"{m}:{s}" for m, s, _ in SHAPES])
def test_stop_shapes(machine: str, smp: str, want: str) -> None:
    run = run_smp(machine, parse_smp(smp))
    assert _stop_lines(run) == f"{_HEAD} {want}"
    outer = [s for s in run.stops if s.startswith("machine_set_smp ")]
    assert [s.rsplit(":", 1)[1] for s in outer] == "953 954 955 957 961 955 962".split()


def test_zero_test_stop_counts() -> None:
    """Spec 7.4: 19 stops when only cpus is given, 20-23 with other members too."""
    assert len(_zz(CPUS).split()) == 19
    assert len(_zz({"cpus", "sockets", "cores", "threads"}).split()) == 22
    assert len(_zz({"cpus", "maxcpus"}).split()) == 20


def test_hierarchy_string_every_level() -> None:
    """cpu_hierarchy_to_string names every supported level, outermost first."""
    mc = _machine("q35")
    props = dataclasses.replace(mc.smp_props, drawers_supported=True, books_supported=True,
                                clusters_supported=True)
    run = run_smp(dataclasses.replace(mc, smp_props=props),
                  parse_smp("4,drawers=2,books=1,sockets=1,clusters=1,cores=4,threads=1"))
    assert run.error == (
        "Invalid CPU topology: product of the hierarchy must match maxcpus: drawers (2) "
        "* books (1) * sockets (1) * dies (1) * clusters (1) * modules (1) * cores (4) * "
        "threads (1) != maxcpus (4)"
    )
    assert "C33 C34 C36 C37 C40 C41 C44 C46 C47 C50 C51 C54 C55 C58 C59 C61 C62" in \
        _stop_lines(run)


def test_has_clusters_recorded_on_a_copy() -> None:
    """machine-smp.c:226 writes the class field; the catalogue entry is left alone."""
    mc = _machine("q35")
    run = run_smp(mc, {"cpus": 4, "clusters": 1})
    assert run.error is None
    assert run.q.mc is not None and run.q.mc.smp_props.has_clusters
    assert not mc.smp_props.has_clusters
    writes = [e.value for e in run.events
              if type(e) is ev.Write and e.path == "mc.smp_props.has_clusters"]
    assert writes == [True]
    assert run_smp(mc, {"cpus": 4}).q.mc is mc


def test_min_cpus() -> None:
    """No x86 machine has min_cpus; a made-up one takes the 247-252 path."""
    mc = dataclasses.replace(_machine("q35"), min_cpus=2)
    run = run_smp(mc, {"cpus": 1})
    assert run.error == (
        "Invalid SMP CPUs 1. The min CPUs supported by machine 'pc-q35-10.0' is 2"
    )
    assert _stop_lines(run).endswith("229 238 247 248 252 262")


def test_writes_are_events() -> None:
    run = run_smp("q35", {"cpus": 4})
    writes = [(e.path, e.value) for e in run.events
              if type(e) is ev.Write and e.path.startswith("ms.smp.")]
    assert writes[-10:] == [
        ("ms.smp.cpus", 4), ("ms.smp.drawers", 1), ("ms.smp.books", 1),
        ("ms.smp.sockets", 1), ("ms.smp.dies", 1), ("ms.smp.clusters", 1),
        ("ms.smp.modules", 1), ("ms.smp.cores", 4), ("ms.smp.threads", 1),
        ("ms.smp.max_cpus", 4),
    ]


SIGFPE_SMP = "4,sockets=65536,threads=65536"


def test_product_wraps_to_zero_is_sigfpe() -> None:
    """A divisor that wraps to 0 in 32 bits: the division at 191 raises SIGFPE (gdb on the
    10.0 build: ... 188 189 190 192 193 191, then the signal at 191)."""
    rec = Recorder()
    q = Qemu(rec, cmdline=Cmdline())
    q.mc = _machine("q35")
    ms = MachineState(rec)
    with pytest.raises(QemuExit) as exc:
        machine_set_smp(q, ms, parse_smp(SIGFPE_SMP))
    assert exc.value.status == 128 + 8
    lines = [s.rsplit(":", 1)[1] for s in show_stops(rec.events)]
    assert " ".join(lines).endswith("165 170 172 188 189 190 192 193 191")
    assert [e.data for e in rec.events if type(e) is ev.Fact and e.name == "signal"] == [
        {"signal": "SIGFPE"}
    ]


def test_unknown_member_rejected() -> None:
    with pytest.raises(ValueError):
        run_smp("q35", {"sockets": 1, "bogus": 2})


# Compared with the real 10.0 binary: (machine, -smp). Errors and topologies.
REAL_CASES: list[tuple[str, str]] = [
    # zero values, every member
    ("q35", "0"), ("q35", "cpus=0"), ("q35", "4,drawers=0"), ("q35", "4,books=0"),
    ("q35", "4,sockets=0"), ("q35", "4,dies=0"), ("q35", "4,clusters=0"),
    ("q35", "4,modules=0"), ("q35", "4,cores=0"), ("q35", "4,threads=0"),
    ("q35", "maxcpus=0"), ("q35", "4,maxcpus=0"), ("q35", "4294967296"),
    # each level: supported on PC (dies, modules) or "> 1 not supported"
    ("q35", "4"), ("q35", "cpus=4"), ("q35", "4,dies=2"), ("q35", "4,modules=2"),
    ("q35", "4,clusters=2"), ("q35", "4,clusters=1"), ("q35", "4,books=2"),
    ("q35", "4,books=1"), ("q35", "4,drawers=2"), ("q35", "4,drawers=1"),
    ("q35", "8,sockets=2,dies=2,modules=2"), ("none", "4,dies=2"), ("none", "4,modules=2"),
    ("none", "4,modules=1"), ("microvm", "4,dies=2"), ("microvm", "4,sockets=2"),
    ("q35", "4,clusters=-1"),
    # computing the omitted members
    ("q35", "sockets=2"), ("q35", "cores=2,threads=2"), ("q35", "8,sockets=2,cores=2"),
    ("q35", "8,cores=2"), ("q35", "6,cores=4"), ("q35", "4,threads=2"),
    ("pc-q35-6.1", "4"), ("pc-q35-6.1", "8,sockets=2"), ("pc-q35-6.2", "8,sockets=2"),
    ("pc-i440fx-6.1", "6,threads=3"), ("pc-q35-4.2", "8,cores=2"),
    # product mismatch, maxcpus < cpus
    ("q35", "4,sockets=3"), ("q35", "4,maxcpus=8,sockets=2,cores=2"), ("q35", "8,maxcpus=4"),
    ("q35", "2,maxcpus=4,dies=2"), ("none", "2,maxcpus=1"), ("q35", "4,modules=3"),
    # min/max CPUs: q35 10.0 allows 4096, pc-q35-8.0 288, isapc 1, pc 255 (288 in one
    # socket passes -smp but fails later on 8.0's SMBIOS 2.0 entry point: 255 cores at most)
    ("q35", "1,maxcpus=4096"), ("q35", "1,maxcpus=4097"), ("pc-q35-8.0", "1,maxcpus=288,sockets=2"),
    ("pc-q35-8.0", "1,maxcpus=289"), ("isapc", "1"), ("isapc", "2"), ("pc", "256"),
    ("pc", "1,maxcpus=255"), ("none", "1"), ("none", "2"), ("q35", "-1"),
    ("q35", "4294967297"),
]

QMP = (
    '{"execute":"qmp_capabilities"}\n'
    '{"execute":"qom-get","arguments":{"path":"/machine","property":"smp"}}\n'
    '{"execute":"quit"}\n'
)


# The build-tree binary looks for firmware next to itself (qemu-bundle), where there is none:
# point it at bookworm's seabios and qemu-system-data ROMs (loaded at board init, after -smp).
FIRMWARE = [a for d in ("/usr/share/seabios", "/usr/share/qemu") if os.path.isdir(d)
            for a in ("-L", d)]


def real_qemu(machine: str, smp: str) -> tuple[int, str, dict[str, int] | None]:
    """Exit status, stderr and /machine's smp property (QMP qom-get) of the real binary."""
    p = subprocess.run(
        [str(QEMU10_BIN), *FIRMWARE, "-S", "-display", "none", "-nodefaults", "-qmp", "stdio",
         "-machine", machine, "-smp", smp],
        input=QMP, capture_output=True, text=True, timeout=120,
    )
    topo = None
    for line in p.stdout.splitlines():
        ret = json.loads(line).get("return")
        if isinstance(ret, dict) and "cpus" in ret:
            topo = {k: int(v) for k, v in ret.items()}
    return p.returncode, p.stderr, topo


def deprecation_prefix(mc: MachineClass) -> str:
    """Spec 1: a deprecated versioned type warns first, before -smp is applied."""
    if not mc.deprecation_reason:
        return ""
    return render_report(
        "warning", f"Machine type '{mc.name}' is deprecated: {mc.deprecation_reason}", None
    )


@pytest.mark.skipif(not HAVE_QEMU10, reason=f"no QEMU 10.0.13 build at {QEMU10_BIN}")
@pytest.mark.parametrize(("machine", "smp"), REAL_CASES,
                         ids=[f"{m}:{s}" for m, s in REAL_CASES])
def test_against_real_binary(machine: str, smp: str) -> None:
    status, stderr, topo = real_qemu(machine, smp)
    run = run_smp(machine, parse_smp(smp))
    want_err = deprecation_prefix(_machine(machine)) + run.stderr
    if run.error is not None:
        assert status == 1
        assert stderr == want_err  # byte for byte, no location prefix
        assert topo is None
        return
    assert status == 0, stderr
    # Later code (x86 CPU realize) may warn after us, e.g. AMD and hyperthreading.
    assert stderr.startswith(want_err)
    assert topo == run.topology
    assert set(topo) == set(SMP_KEYS)


@pytest.mark.skipif(not HAVE_QEMU10, reason=f"no QEMU 10.0.13 build at {QEMU10_BIN}")
def test_sigfpe_against_real_binary() -> None:
    """The real process dies of SIGFPE with nothing on stderr."""
    p = subprocess.run(
        [str(QEMU10_BIN), *FIRMWARE, "-S", "-display", "none", "-nodefaults", "-qmp", "stdio",
         "-machine", "q35", "-smp", SIGFPE_SMP],
        input=QMP, capture_output=True, text=True, timeout=120,
    )
    assert p.returncode == -8
    assert p.stderr == ""
