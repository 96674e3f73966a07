"""tracesim verify against the real qemu-system-x86_64, and the command-line generator."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tracesim.qemu.v72.cutils import qemu_strtosz

from tracesim.cli import main
from tracesim.cmdgen import generate, lines_for_profile
from tracesim.profiles import PROFILES
from tracesim.verify import MONITOR_ARGS, MONITOR_INPUT, monitor_answer, render_line

QEMU = shutil.which("qemu-system-x86_64")
needs_qemu = pytest.mark.skipif(QEMU is None, reason="qemu-system-x86_64 is not installed")


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["verify", *args])
    out, err = capsys.readouterr()
    return status, out, err


# -- against the real binary -----------------------------------------------------------------


@needs_qemu
def test_42_profile_disagrees_with_real_72(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = verify(capsys, "--profile", "4.2", "--", "-machine", "q35", "-m", "1024",
                              "-smp", "4", "-numa", "node", "-numa", "node")
    assert status == 1, out + err
    assert "exit status: differ (QEMU 1, tracesim 0)" in out
    # 7.2 refuses the default split; 4.2 only warns that it is deprecated
    assert ("-qemu-system-x86_64: total memory for NUMA nodes (0x0) should equal RAM size "
            "(0x40000000)\n") in out
    assert "+qemu-system-x86_64: warning: Default splitting of RAM between nodes is deprecated" \
        in out
    assert "info numa: not compared (QEMU exited with status 1)" in out
    assert out.rstrip().endswith("DISAGREE")


@needs_qemu
def test_agreeing_line_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = verify(capsys, "--profile", "4.2", "--", "-machine", "q35", "-m", "1024",
                            "-smp", "4")
    assert status == 0
    assert "info numa: agree" in out and out.rstrip().endswith("agree")


@needs_qemu
def test_failure_after_the_model_is_beyond_the_path(capsys: pytest.CaptureFixture[str]) -> None:
    # 289 CPUs pass the model's checks (exit 0); real QEMU then refuses them in board code
    status, out, _ = verify(capsys, "--profile", "4.2", "--", "-machine", "q35", "-smp", "288")
    assert status == 0
    assert "beyond the modelled path" in out
    assert "kernel irqchip" in out


def test_missing_binary_is_one_line_trouble(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = verify(capsys, "--qemu", "/nonexistent", "--", "-m", "1024")
    assert status == 2
    assert out == ""
    assert err == "tracesim verify: /nonexistent: no such file\n"


def test_unknown_version_names_the_profiles(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    fake = tmp_path / "qemu-system-x86_64"
    fake.write_text("#!/bin/sh\necho 'QEMU emulator version 9.9.9'\n")
    fake.chmod(0o755)
    status, out, err = verify(capsys, "--qemu", str(fake), "--", "-m", "1024")
    assert status == 2
    assert len(err.splitlines()) == 1
    assert "QEMU 9.9.9" in err and "no profile 9.9" in err
    assert f"(profiles: {', '.join(PROFILES)})" in err


def test_hanging_binary_is_trouble(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fake = tmp_path / "qemu-system-x86_64"
    fake.write_text("#!/bin/sh\ncase \"$1\" in --version) echo 'QEMU emulator version 4.2.1';;"
                    " *) exec sleep 30;; esac\n")
    fake.chmod(0o755)
    status, _, err = verify(capsys, "--qemu", str(fake), "--timeout", "0.5", "--", "-m", "1")
    assert status == 2
    assert "did not finish in 0.5 s" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("args", [[], ["--generate", "x"], ["--generate", "0"],
                                  ["--profile", "1.0", "--", "-m", "1"],
                                  ["--generate", "3", "--", "-m", "1"]])
def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str],
                                   args: list[str]) -> None:
    status, out, err = verify(capsys, *args)
    assert status == 2
    assert len(err.splitlines()) == 1 and "Traceback" not in err


@needs_qemu
def test_generate_counts_and_lists(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = verify(capsys, "--generate", "40", "--seed", "3", "--profile", "4.2")
    m = re.search(r"^40 lines: (\d+) agree, (\d+) disagree, (\d+) beyond the modelled path",
                  out, re.M)
    assert m, out
    agree, disagree, beyond = map(int, m.groups())
    assert agree + disagree + beyond == 40
    assert out.count("\nDISAGREE: ") == disagree
    assert status == (1 if disagree else 0)


@pytest.mark.skipif("7.2" not in PROFILES, reason="the 7.2 profile has not landed yet")
@needs_qemu
def test_generated_lines_agree_with_real_qemu_72(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = verify(capsys, "--generate", "500", "--seed", "1", "--profile", "7.2")
    assert " 0 disagree," in out, out
    assert status == 0, out


# -- reading the monitor ---------------------------------------------------------------------


def real_monitor(*args: str) -> subprocess.CompletedProcess[bytes]:
    assert QEMU is not None
    return subprocess.run([QEMU, *MONITOR_ARGS, *args], input=MONITOR_INPUT,
                          capture_output=True, timeout=30)


@needs_qemu
def test_monitor_answer_from_real_output() -> None:
    done = real_monitor("-machine", "q35", "-m", "1024", "-smp", "4",
                        "-object", "memory-backend-ram,id=m0,size=256M",
                        "-object", "memory-backend-ram,id=m1,size=768M",
                        "-numa", "node,memdev=m0,cpus=0-1", "-numa", "node,memdev=m1,cpus=2-3")
    assert done.returncode == 0, done.stderr
    assert b"\x1b[" in done.stdout and b"\r\n" in done.stdout  # the echo really is escaped
    assert monitor_answer(done.stdout) == (
        "2 nodes\nnode 0 cpus: 0 1\nnode 0 size: 256 MB\nnode 0 plugged: 0 MB\n"
        "node 1 cpus: 2 3\nnode 1 size: 768 MB\nnode 1 plugged: 0 MB\n")
    # the echoed command line renders as the terminal shows it
    echo = done.stdout.split(b"\n")[1].decode()
    assert render_line(echo) == "(qemu) info numa"


@needs_qemu
def test_monitor_answer_without_numa_and_after_failure() -> None:
    done = real_monitor("-machine", "q35", "-m", "512")
    assert monitor_answer(done.stdout) == "0 nodes\n"
    failed = real_monitor("-machine", "q35", "-smp", "4,maxcpus=2")
    assert failed.returncode == 1
    assert monitor_answer(failed.stdout) is None  # banner and a prompt, no answer


def test_monitor_answer_without_echo_or_banner() -> None:
    no_echo = b"(qemu) 1 nodes\r\nnode 0 cpus: 0\r\n(qemu) "
    assert monitor_answer(no_echo) == "1 nodes\nnode 0 cpus: 0\n"
    assert monitor_answer("(qemu) info numa\n0 nodes\n") == "0 nodes\n"
    assert monitor_answer(b"") is None


# -- the generator ---------------------------------------------------------------------------

MACHINE_NAMES = {"q35", "pc", "isapc", "none", "microvm"} | {
    f"pc-{c}-{v}" for c in ("q35", "i440fx")
    for v in ("7.2", "6.2", "6.1", "5.1", "5.0", "4.2", "2.11", "2.10", "2.9")}


def opts(argv: list[str], name: str) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == name]


def size_mib(text: str) -> float:
    """A size as QEMU 7.2 reads it (hex, fractions and suffixes included), in MiB."""
    return qemu_strtosz(text) / (1 << 20)


def ram_mib(text: str) -> float:
    """-m sizes: a plain number (hex too) is MiB."""
    return qemu_strtosz(text, "M") / (1 << 20)


def kinds(argv: list[str]) -> set[str]:
    """What boundaries one line touches, read from the argv alone."""
    out: set[str] = set()
    machine = opts(argv, "-machine")[0].split(",")
    out.add("machine:" + machine[0])
    if "hmat=on" in machine:
        out.add("hmat=on")
    backend = next((p.split("=", 1)[1] for p in machine if p.startswith("memory-backend=")), None)
    objects = {dict(kv.split("=", 1) for kv in o.split(",")[1:])["id"]: o
               for o in opts(argv, "-object")}
    if backend is not None:
        out.add("memory-backend:" + ("match" if backend in objects else "missing"))
    if "pc.ram" in objects:
        out.add("object pc.ram")
    for m in opts(argv, "-m"):
        if re.fullmatch(r"\d+", m):
            out.add("-m plain")
        if re.fullmatch(r"\d+[KMGB]", m):
            out.add("-m suffix")
        if m.split(",")[0] == "1023":
            out.add("-m 1023")
        p = dict(kv.split("=", 1) for kv in m.split(",")[1:] if "=" in kv)
        size = m.split(",")[0]
        if "slots" in p and "maxmem" in p:
            mx, sz = ram_mib(p["maxmem"]), ram_mib(size)
            out.add("slots+maxmem" if mx > sz else ("maxmem==size" if mx == sz else "maxmem<size"))
        elif "slots" in p:
            out.add("slots without maxmem")
    for s in opts(argv, "-smp"):
        fields = dict(kv.split("=", 1) if "=" in kv else ("cpus", kv) for kv in s.split(","))
        out.add("smp:" + ("N" if re.fullmatch(r"\d+", s) else "cpus=" if s.startswith("cpus=")
                          else "topology"))
        out.update(f"smp {k}" for k in ("dies", "clusters", "maxcpus") if k in fields)
        if "0" in fields.values():
            out.add("smp zero")
        if int(fields.get("cpus", "1") or 1) > 255:
            out.add("smp too many")
        if "maxcpus" in fields and int(fields["maxcpus"]) < int(fields.get("cpus", "0")):
            out.add("maxcpus<cpus")
        if {"sockets", "cores", "threads"} <= fields.keys() and "cpus" in fields:
            prod = 1
            for k in ("sockets", "dies", "clusters", "cores", "threads"):
                prod *= int(fields.get(k, 1))
            if prod != int(fields.get("maxcpus", fields["cpus"])):
                out.add("smp product mismatch")
    numa = opts(argv, "-numa")
    nodes = [n for n in numa if n.startswith("node")]
    out.add(f"nodes:{len(nodes)}")
    mems = {("memdev" if "memdev=" in n else "mem" if "mem=" in n else "none") for n in nodes}
    if len(mems) > 1:
        out.add("node memory mixed")
    out.update(f"node {m}" for m in mems)
    ids = [int(re.search(r"nodeid=(\d+)", n).group(1)) for n in nodes if "nodeid=" in n]
    if ids and sorted(ids) != list(range(len(ids))):
        out.add("sparse node ids")
    if any(n.startswith("node") and "memdev=" in n for n in nodes):
        want = sum(size_mib(objects[re.search(r"memdev=([^,]+)", n).group(1)]
                            .split("size=")[1]) for n in nodes if "memdev=" in n)
        m = opts(argv, "-m")
        if m and len(mems) == 1 and "," not in m[0]:
            try:
                total = ram_mib(m[0])
            except ValueError:  # a deliberately bad -m: no sum to compare with
                total = None
            if total is not None:
                out.add("memdev sizes sum to RAM" if want == total
                        else "memdev sizes do not sum")
    for n in nodes:
        for c in re.findall(r"cpus=([^,]+)", n):
            out.add("cpus= range" if "-" in c else "cpus= single")
    if any(n.startswith("cpu,") and "socket-id=" in n for n in numa):
        out.add("-numa cpu socket-id")
    dist = [tuple(int(x) for x in re.findall(r"=(\d+)", d)) for d in numa if d.startswith("dist")]
    if dist:
        table = {(s, d): v for s, d, v in dist}
        k = len(nodes)
        if any(v < 10 for (s, d), v in table.items() if s != d):
            out.add("dist val<10")
        if any(v != 10 for (s, d), v in table.items() if s == d):
            out.add("dist local!=10")
        pairs = {(i, j) for i in range(k) for j in range(k) if i < j}
        have = {(min(s, d), max(s, d)) for s, d in table if s != d}
        if have >= pairs and all((d, s) not in table for s, d in table if s != d):
            out.add("dist symmetric")
        elif all((i, j) in table and (j, i) in table for i, j in pairs):
            out.add("dist asymmetric complete")
        if not have >= pairs:
            out.add("dist missing pair")
    if any("initiator=" in n for n in nodes):
        out.add("initiator=")
    out.update(o.split(",")[0] for o in numa if o.startswith("hmat-"))
    return out


def test_generator_is_deterministic() -> None:
    assert generate(200, seed=7) == generate(200, seed=7)
    assert generate(50, seed=7) == generate(200, seed=7)[:50]
    assert generate(50, seed=7) != generate(50, seed=8)
    lines = generate(300, seed=1)
    assert all(isinstance(a, str) and a for ln in lines for a in ln)  # shell-free argv
    assert all(ln[0] == "-machine" for ln in lines)


@pytest.mark.parametrize("seed", [1, 2])
def test_generator_covers_the_boundaries(seed: int) -> None:
    seen: set[str] = set()
    for ln in generate(500, seed=seed):
        seen |= kinds(ln)
    want = {f"machine:{m}" for m in MACHINE_NAMES} | {f"nodes:{k}" for k in range(9)} | {
        "-m plain", "-m suffix", "-m 1023", "slots+maxmem", "maxmem<size", "maxmem==size",
        "slots without maxmem", "smp:N", "smp:cpus=", "smp:topology", "smp dies",
        "smp clusters", "smp maxcpus", "smp zero", "smp product mismatch", "maxcpus<cpus",
        "smp too many", "node memdev", "node mem", "node none", "node memory mixed",
        "memdev sizes sum to RAM", "memdev sizes do not sum", "sparse node ids",
        "cpus= range", "cpus= single", "-numa cpu socket-id", "dist symmetric",
        "dist asymmetric complete", "dist missing pair", "dist val<10", "dist local!=10",
        "hmat=on", "initiator=", "hmat-lb", "hmat-cache", "memory-backend:match",
        "memory-backend:missing", "object pc.ram"}
    assert want - seen == set()


def test_lines_for_profile() -> None:
    assert lines_for_profile("4.2", 20, seed=2) == generate(20, seed=2, profile="4.2")
    with pytest.raises(ValueError):
        lines_for_profile("0.1", 5)
