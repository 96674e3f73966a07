"""Progress on a terminal (issue 13, "Progress"): a bar on stderr for work that takes more
than a second when stderr is a terminal, nothing at all otherwise.

The slow work is the largest configuration (bench/configs.py: 128 nodes, their full distance
table, 254 CPUs): its run takes a couple of seconds, its export a few more. The terminal is a
pseudo-terminal (os.openpty, or pty.fork where Ctrl-C must reach the process as a terminal's
SIGINT), read from the master side.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ["-machine", "q35", "-m", "1024", "-smp", "cpus=4", "-numa", "node,cpus=0-1",
        "-numa", "node,cpus=2-3"]
TRACESIM = [sys.executable, "-m", "tracesim"]
LIMIT = 30.0  # seconds any one command here may take


def largest_argv(nodes: int = 128, cpus: int = 254) -> list[str]:
    """bench/configs.py's largest configuration (the bench directory is no package)."""
    argv = ["-machine", "q35", "-m", f"{nodes * 64}M", "-smp", str(cpus)]
    argv += [a for i in range(nodes) for a in ("-numa", f"node,nodeid={i}")]
    for src in range(nodes):
        for dst in range(nodes):
            val = 10 if src == dst else 20 + (src * 7 + dst * 3) % 200
            argv += ["-numa", f"dist,src={src},dst={dst},val={val}"]
    argv += [a for i in range(cpus) for a in ("-numa", f"cpu,node-id={i % nodes},socket-id={i}")]
    return argv


# the slow cases run with a short delay, so that a faster machine still shows their bar
QUICK = "0.2"


def env(delay: str | None = None) -> dict[str, str]:
    out = dict(os.environ, TERM="xterm", COLUMNS="100", LINES="24")
    out.pop("TRACESIM_PROGRESS_DELAY", None)
    if delay is not None:
        out["TRACESIM_PROGRESS_DELAY"] = delay
    out["PYTHONPATH"] = str(ROOT) + os.pathsep + out.get("PYTHONPATH", "")
    return out


def piped(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, capture_output=True, cwd=cwd, env=env(), timeout=LIMIT,
                          check=False)


def _window(fd: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))


def _drain(master: int, done: Callable[[], bool], deadline: float) -> bytes:
    out = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"still running after {LIMIT} s; so far: {bytes(out[-300:])!r}")
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # EIO: every writer of the slave side has gone
                break
            if not data:
                break
            out += data
        elif done():
            break
    return bytes(out)


def on_pty(args: list[str], cwd: Path, delay: str | None = None
           ) -> tuple[int, bytes, bytes]:
    """Run with stderr on a pseudo-terminal (stdout piped): (status, terminal, stdout)."""
    master, slave = os.openpty()
    _window(slave)
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=slave, cwd=cwd, env=env(delay))
    os.close(slave)
    try:
        seen = _drain(master, lambda: proc.poll() is not None, time.monotonic() + LIMIT)
        stdout = proc.stdout.read() if proc.stdout else b""
        return proc.wait(timeout=LIMIT), seen, stdout
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
        os.close(master)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The largest configuration's trace (written with stderr piped)."""
    where = tmp_path_factory.mktemp("progress")
    proc = piped([*TRACESIM, "run", "-o", "big.jsonl", "--", *largest_argv()], where)
    assert proc.returncode == 0, proc.stderr[-500:]
    return where / "big.jsonl"


def test_piped_slow_run_prints_nothing_extra(tmp_path: Path) -> None:
    argv = largest_argv()
    plain = piped([*TRACESIM, "run", "-o", "a.jsonl", "--", *argv], tmp_path)
    # the same run with the progress module switched off, and with its delay at zero (a bar
    # would be due at once, were stderr a terminal)
    code = ("import sys, tracesim.progress as p; {}; from tracesim.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    off = piped([sys.executable, "-c", code.format("p.wanted = lambda stream=None: False"),
                 "run", "-o", "b.jsonl", "--", *argv], tmp_path)
    eager = piped([sys.executable, "-c", code.format("p.DELAY = 0"),
                   "run", "-o", "c.jsonl", "--", *argv], tmp_path)
    assert plain.returncode == off.returncode == eager.returncode == 0
    assert plain.stderr == off.stderr == eager.stderr
    assert plain.stdout == off.stdout == eager.stdout == b""
    # what is left is QEMU's own message, nothing of a bar
    assert plain.stderr.startswith(b"qemu-system-x86_64: warning: Default splitting of RAM")
    assert plain.stderr.count(b"\n") == 1
    assert b"\x1b" not in plain.stderr and b"\r" not in plain.stderr
    assert b"Simulating" not in plain.stderr
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_piped_slow_export_prints_nothing(big: Path, tmp_path: Path) -> None:
    proc = piped([*TRACESIM, "export", "-o", "out.json", str(big)], tmp_path)
    assert proc.returncode == 0
    assert proc.stderr == b"" and proc.stdout == b""


def test_terminal_slow_export_shows_a_bar(big: Path, tmp_path: Path) -> None:
    status, seen, stdout = on_pty([*TRACESIM, "export", "-o", "out.json", str(big)], tmp_path,
                                  QUICK)
    assert status == 0, seen[-500:]
    text = seen.decode("utf-8", "replace")
    assert "Exporting (events)" in text and "%" in text, text[-800:]
    assert "100.0%" in text  # a finished stage is left at 100 %
    assert stdout == b""
    # and the export is the same as without a terminal
    with (tmp_path / "out.json").open("rb") as fh:
        exported = json.load(fh)
    assert exported["displayTimeUnit"] == "ms" and exported["traceEvents"]


def test_terminal_slow_run_counts_records(tmp_path: Path) -> None:
    status, seen, _ = on_pty([*TRACESIM, "run", "-o", "t.jsonl", "--", *largest_argv()],
                             tmp_path, QUICK)
    assert status == 0
    text = seen.decode("utf-8", "replace")
    assert "Simulating (records)" in text, text[-800:]
    # QEMU's message still comes, after the bar
    assert text.rstrip().endswith("explictly define RAM allocation per node"), text[-300:]


def test_terminal_fast_seed_run_shows_nothing(tmp_path: Path) -> None:
    status, seen, stdout = on_pty([*TRACESIM, "run", "-o", "seed.jsonl", "--", *SEED],
                                  tmp_path)
    assert status == 0 and stdout == b""
    # QEMU's message and nothing else: what the same run says into a pipe (the terminal
    # ends its lines with \r\n)
    alone = piped([*TRACESIM, "run", "-o", "piped.jsonl", "--", *SEED], tmp_path)
    assert seen == alone.stderr.replace(b"\n", b"\r\n")
    assert b"\x1b" not in seen and b"%" not in seen
    assert (tmp_path / "seed.jsonl").stat().st_size > 0


def test_terminal_debug_open_of_a_fast_trace_shows_nothing(tmp_path: Path) -> None:
    assert piped([*TRACESIM, "run", "-o", "seed.jsonl", "--", *SEED], tmp_path).returncode == 0
    status, seen, stdout = on_pty([*TRACESIM, "debug", "-batch", "-ex", "info numa",
                                   "seed.jsonl"], tmp_path)
    assert status == 0
    assert seen == b"" and b"nodes" in stdout


def test_terminal_slow_debug_open_shows_a_bar_then_the_answers(big: Path, tmp_path: Path) -> None:
    """A trace read in full: without the index `run` wrote beside it (with it, the open is
    quick: the next test)."""
    index, aside = Path(f"{big}.idx"), tmp_path / "big.jsonl.idx"
    index.rename(aside)
    try:
        status, seen, stdout = on_pty([*TRACESIM, "debug", "-batch", "-ex", "info numa",
                                       str(big)], tmp_path, QUICK)
    finally:
        aside.rename(index)
    assert status == 0
    text = seen.decode("utf-8", "replace")
    # reading (bytes, with a percent) then indexing (no counts): whichever is under way
    # when the second is up; the bar's clock counts from the start of the work
    assert (f"Reading {big}" in text and "%" in text) or "Indexing the stops" in text, \
        text[-800:]
    assert b"nodes" in stdout and b"\x1b" not in stdout  # the bar is stderr's alone


def test_terminal_debug_open_through_the_index_shows_nothing(big: Path, tmp_path: Path) -> None:
    """The largest trace opened through its index (docs/trace-format.md, "Index") is quick:
    no bar, the same answers."""
    assert Path(f"{big}.idx").is_file()
    status, seen, stdout = on_pty([*TRACESIM, "debug", "-batch", "-ex", "info numa",
                                   str(big)], tmp_path)
    assert status == 0
    assert seen == b"" and b"nodes" in stdout


def test_ctrl_c_stops_a_slow_export_with_its_bar(big: Path, tmp_path: Path) -> None:
    """The bar reads no keys: Ctrl-C on the terminal is SIGINT, the export stops (130) and
    leaves no file, and the terminal is given back with its cursor shown."""
    pid, master = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal
        try:
            os.chdir(tmp_path)
            os.execve(sys.executable, [*TRACESIM, "export", "-o", "out.json", str(big)],
                      env(QUICK))
        finally:
            os._exit(127)
    _window(master)
    seen = bytearray()
    status: int | None = None
    try:
        deadline = time.monotonic() + LIMIT
        while b"%" not in seen:  # the bar is up
            ready, _, _ = select.select([master], [], [], 0.1)
            assert time.monotonic() < deadline, bytes(seen[-300:])
            if ready:
                try:
                    seen += os.read(master, 1 << 16)
                except OSError:
                    pytest.fail(f"the export ended before its bar showed: {bytes(seen)!r}")
        os.write(master, b"\x03")  # Ctrl-C
        ended: list[int] = []

        def done() -> bool:
            waited, raw = os.waitpid(pid, os.WNOHANG)
            if waited:
                ended.append(os.waitstatus_to_exitcode(raw))
            return bool(ended)

        seen += _drain(master, done, time.monotonic() + LIMIT)
        if not ended:
            ended.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
        status = ended[0]
    finally:
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(master)
    assert status == 130, bytes(seen[-500:])
    assert not (tmp_path / "out.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary file either
    assert bytes(seen).rfind(b"\x1b[?25h") > bytes(seen).rfind(b"\x1b[?25l")  # cursor shown
