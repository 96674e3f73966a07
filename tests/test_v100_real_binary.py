"""The 10.0 model against a real QEMU 10.0.13 built from Debian trixie's source
(.ci/build-qemu-10.0 keeps it in a cache directory): exit status, stderr byte for byte and
`info numa` on the edge lines the 7.2 profile is checked on, and `-machine help`."""
from __future__ import annotations

import os
import shlex
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_v72_real_binary import LINES, real_qemu

from tracesim.cli import simulate_trace
from tracesim.debugger.outcome import info_numa, stdout_stderr
from tracesim.trace.fold import fold

CACHE = Path(os.environ.get("TRACESIM_CACHE") or
             Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tracesim")
QEMU_10 = CACHE / "qemu-10.0.13" / "bin" / "qemu-system-x86_64"  # the build, with firmware
pytestmark = pytest.mark.skipif(not QEMU_10.exists(),
                                reason="no QEMU 10.0 build (bash .ci/build-qemu-10.0)")


LINES_100 = [line for line in (Path(__file__).parent / "data" / "v100-edge-lines.txt")
             .read_text().splitlines() if line.strip() and not line.startswith("#")]
ALL_LINES = LINES + LINES_100


@pytest.fixture(scope="module")
def real_runs() -> dict[str, tuple[int, str, str]]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = pool.map(lambda line: real_qemu(shlex.split(line), str(QEMU_10)), ALL_LINES)
        return dict(zip(ALL_LINES, runs))


@pytest.mark.parametrize("line", ALL_LINES)
def test_model_agrees_with_the_real_10_binary(line: str, real_runs: dict) -> None:
    status, stderr, numa = real_runs[line]
    trace = simulate_trace(shlex.split(line), "10.0")
    state = fold(trace.events)
    assert (state.exit_status, stdout_stderr(trace.events)[1]) == (status, stderr)
    if status == 0:
        assert info_numa(state) == numa


def test_machine_help_lists_what_the_build_has() -> None:
    """Debian's build also has x-remote (multiprocess); the -O0 build here is made without
    default features, so it lacks that one line and nothing else."""
    from tracesim.qemu.v100.machines import help_text

    real = subprocess.run([str(QEMU_10), "-machine", "help"], capture_output=True, text=True,
                          timeout=60).stdout
    ours = help_text().replace("x-remote             Experimental remote machine\n", "")
    assert ours == real


def test_generated_lines_agree_with_the_real_10_binary(capsys: pytest.CaptureFixture[str]) -> None:
    from tracesim.cli import main

    status = main(["verify", "--qemu", str(QEMU_10), "--generate", "500", "--seed", "1"])
    out = capsys.readouterr().out
    assert "against tracesim profile 10.0" in out
    summary = out.strip().splitlines()[-1]
    assert " 0 disagree," in summary and "trouble" not in summary, out
    assert status == 0, out
