"""Trace files and the command line, used as a person would from a shell."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracesim.cli import main
from tracesim.trace.store import TraceError, read_trace, write_trace
from tracesim.trace import events as ev

SEED = ["-machine", "q35", "-m", "1024", "-smp", "cpus=4", "-numa", "node,cpus=0-1",
        "-numa", "node,cpus=2-3"]


def tracesim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracesim", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_run_writes_trace_prints_qemu_stderr_and_exits_as_qemu(tmp_path: Path) -> None:
    out = tmp_path / "seed.jsonl"
    proc = tracesim("run", "-o", str(out), "--", *SEED)
    assert proc.returncode == 0
    assert proc.stderr.startswith("qemu-system-x86_64: warning: Default splitting of RAM")
    header = json.loads(out.read_text().splitlines()[0])
    assert header == {"k": "header", "schema": ev.SCHEMA_VERSION, "tracesim": header["tracesim"],
                      "profile": "4.2", "argv": SEED}
    summary = json.loads(tracesim("summary", str(out), "--json").stdout)
    assert summary["exit_status"] == 0 and summary["machine"] == "pc-q35-4.2"
    assert [n["mem"] for n in summary["numa"]["nodes"]] == [1 << 29, 1 << 29]
    assert [c["node_id"] for c in summary["cpus"]] == [0, 0, 1, 1]


def test_run_without_double_dash_and_failing_status(tmp_path: Path) -> None:
    out = tmp_path / "bad.jsonl"
    proc = tracesim("run", "-o", str(out), "-machine", "q35", "-numa", "node,nodeid=1",
                    "-numa", "node,nodeid=1")
    assert proc.returncode == 1
    assert proc.stderr == "qemu-system-x86_64: -numa node,nodeid=1: Duplicate NUMA nodeid: 1\n"
    assert json.loads(tracesim("summary", str(out), "--json").stdout)["exit_status"] == 1


def test_summary_human_form_is_info_numa(tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    tracesim("run", "-o", str(out), "--", *SEED)
    text = tracesim("summary", str(out)).stdout
    assert "(qemu) info numa\n2 nodes\nnode 0 cpus: 0 1\nnode 0 size: 512 MB\n" in text
    assert "exit status: 0" in text


def test_show_stops_and_events(tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    tracesim("run", "-o", str(out), "--", *SEED)
    stops = tracesim("show", str(out), "--stops").stdout.splitlines()
    assert len(stops) == 618
    assert stops[0] == "set_memory_options vl.c:2721"
    assert "numa_complete_configuration hw/core/numa.c:364" in stops
    assert stops[-1] == "machine_run_board_init hw/core/machine.c:1143"
    events = tracesim("show", str(out), "--kind", "report").stdout
    assert "warning 428:" in events and "Default splitting" in events


def test_write_is_atomic_and_leaves_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "t.jsonl"
    target.write_text("old\n")
    header = ev.Header(schema=ev.SCHEMA_VERSION, tracesim="t", profile="4.2", argv=[])

    def broken_events():
        yield ev.Step(line=1)
        raise KeyboardInterrupt  # interrupted while encoding

    with pytest.raises(KeyboardInterrupt):
        write_trace(target, header, broken_events())
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["t.jsonl"]


@pytest.mark.parametrize("content,where", [
    (b"", ":1: empty file"),
    (b"hello\n", ":1: not a tracesim trace header"),
    (b'{"k":"header","schema":99,"tracesim":"x","profile":"4.2","argv":[]}\n', ":1: trace schema 99"),
    (b'{"k":"header","schema":2,"tracesim":"x","profile":"4.2","argv":[]}\n{"k":"step","line":3}\n'
     b'{"k":"step","li', ":3: damaged event"),
    (b'{"k":"header","schema":2,"tracesim":"x","profile":"4.2","argv":[]}\n{"k":"nope"}\n',
     ":2: damaged event"),
])
def test_damaged_trace_is_one_line_with_its_line_number(tmp_path: Path, content: bytes, where: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content)
    with pytest.raises(TraceError, match=where):
        read_trace(bad)
    proc = tracesim("summary", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and f"bad.jsonl{where}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_errors_are_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert main(["summary"]) == 2
    assert main(["summary", str(tmp_path / "missing.jsonl")]) == 2
    assert main(["run", "--profile", "9.9", "--", "-m", "1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 4 and all(line.startswith("tracesim") for line in err)
    assert "No such file" in err[2]


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("tracesim ")
    for cmd in ("run", "summary", "show", "examples"):
        with pytest.raises(SystemExit) as done:
            main([cmd, "--help"])
        assert done.value.code == 0
        assert "usage: tracesim " + cmd in capsys.readouterr().out


def test_example_traces_are_up_to_date() -> None:
    root = Path(__file__).resolve().parents[1]
    assert main(["examples", "--check", "--dir", str(root / "traces")]) == 0
