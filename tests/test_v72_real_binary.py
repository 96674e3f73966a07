"""The 7.2 model against Debian's real qemu-system-x86_64 7.2 on hand-picked edge lines:
exit status, stderr byte for byte, and the monitor's `info numa`."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tracesim.cli import simulate_trace
from tracesim.debugger.outcome import info_numa, stdout_stderr
from tracesim.trace.fold import fold

QEMU = shutil.which("qemu-system-x86_64")
LINES = [line for line in (Path(__file__).parent / "data" / "v72-edge-lines.txt").read_text()
         .splitlines() if line.strip() and not line.startswith("#")]
pytestmark = pytest.mark.skipif(QEMU is None, reason="Debian's qemu-system-x86 is not installed")


def real_qemu(argv: list[str], binary: str | None = None) -> tuple[int, str, str]:
    """Run the binary to its monitor, ask `info numa`, quit."""
    binary = binary or QEMU
    assert binary is not None
    proc = subprocess.run([binary, "-S", "-display", "none", "-nodefaults", "-monitor", "stdio",
                           *argv], input="info numa\nquit\n", capture_output=True, text=True,
                          timeout=60)
    numa = ""
    if proc.returncode < 0:  # killed by a signal: what a shell reports
        return 128 - proc.returncode, proc.stderr, ""
    if proc.returncode == 0:
        # the monitor echoes what it reads with line-editing escapes
        found = re.search(r"info numa\x1b\[K\n(.*?)\(qemu\)", proc.stdout.replace("\r", ""),
                          re.S)
        assert found, proc.stdout
        numa = found.group(1)
    return proc.returncode, proc.stderr, numa


@pytest.fixture(scope="module")
def real_runs() -> dict[str, tuple[int, str, str]]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda line: real_qemu(shlex.split(line)), LINES)
        return dict(zip(LINES, results))


def test_the_edge_list_is_substantial() -> None:
    assert len(LINES) >= 80


@pytest.mark.parametrize("line", LINES)
def test_model_agrees_with_the_real_binary(line: str, real_runs: dict) -> None:
    status, stderr, numa = real_runs[line]
    trace = simulate_trace(shlex.split(line), "7.2")
    state = fold(trace.events)
    assert (state.exit_status, stdout_stderr(trace.events)[1]) == (status, stderr)
    if status == 0:
        assert info_numa(state) == numa
