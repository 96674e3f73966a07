"""`-o` and the other outputs write only regular files, atomically, and leave nothing behind
on any exit Python sees; a temporary file of a killed run is cleaned by the next one."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TRACESIM = [sys.executable, "-m", "tracesim"]
SEED = ["-machine", "q35", "-m", "1024", "-smp", "4", "-numa", "node", "-numa", "node"]
# long enough to be interrupted while it writes (a few seconds of work, a million events)
LONG = ["-machine", "q35", "-m", "1G", "-smp", "240", "-numa", "node"] + [
    arg for i in range(240) for arg in ("-numa", f"cpu,node-id=0,socket-id={i}")
]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TRACESIM, *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink", "empty", "no-parent"])
def test_run_refuses_what_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "out"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "directory":
        target.mkdir()
    elif kind == "symlink":
        (tmp_path / "real").write_text("keep me")
        target.symlink_to(tmp_path / "real")
    name = {"empty": "", "no-parent": str(tmp_path / "nope" / "out")}.get(kind, str(target))
    proc = run("run", "-o", name, "--", *SEED)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("tracesim run: -o: ")
    if kind == "symlink":
        assert target.is_symlink() and (tmp_path / "real").read_text() == "keep me"
    if kind == "fifo":
        assert target.is_fifo()
    assert temp_files(tmp_path) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_device_is_never_replaced() -> None:
    before = os.stat("/dev/full")
    for args in (["run", "-o", "/dev/full", "--", *SEED],
                 ["export", "traces/seed-q35-2node.jsonl", "-o", "/dev/full"],
                 ["graph", "traces/seed-q35-2node.jsonl", "--format", "dot", "-o", "/dev/full"]):
        proc = run(*args, cwd=Path(__file__).resolve().parents[1])
        assert proc.returncode == 2, proc.stderr
        assert "is a character device" in proc.stderr
    after = os.stat("/dev/full")
    assert (after.st_mode, after.st_rdev, after.st_ino) == (before.st_mode, before.st_rdev,
                                                            before.st_ino)


def test_a_regular_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "t.jsonl"
    target.write_text("old")
    assert run("run", "-o", str(target), "--", *SEED).returncode == 0
    assert target.read_text().startswith('{"k":"header"')
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_leaves_no_temporary_file(tmp_path: Path, sig: signal.Signals) -> None:
    target = tmp_path / "t.jsonl"
    proc = subprocess.Popen([*TRACESIM, "run", "-o", str(target), "--", *LONG],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not temp_files(tmp_path) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert "Traceback" not in err
    if target.exists():  # the signal came after the rename: then the trace is whole
        from tracesim.trace.store import read_trace

        assert type(read_trace(target).events[-1]).__name__ == "Exit"
    assert temp_files(tmp_path) == []


def test_the_next_run_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    target = tmp_path / "t.jsonl"
    proc = subprocess.Popen([*TRACESIM, "run", "-o", str(target), "--", *LONG],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not temp_files(tmp_path) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    left = temp_files(tmp_path)
    if not left:
        pytest.skip("the run finished before it was killed")
    again = run("run", "-o", str(target), "--", *SEED)
    assert again.returncode == 0
    assert f"removed {tmp_path / left[0]}, left by an earlier run that was killed" in again.stderr
    assert temp_files(tmp_path) == []
