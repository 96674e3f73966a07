"""The public cases observed on real QEMU 4.2, compared in-process and with check-golden."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import GOLDEN, SHARED, golden_cases, qemu

CASES = golden_cases()
pytestmark = pytest.mark.skipif(not CASES, reason="../shared/golden is not beside the repo")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_outcome_matches_real_qemu(case: dict) -> None:
    run = qemu(case["argv"])
    want = case["expect"]
    assert run.status == want["exit_status"]
    assert run.stderr == want["stderr"]
    s = run.summary
    nodes = s["numa"]["nodes"]
    if "node_mem" in want:
        assert [n["mem"] for n in nodes] == want["node_mem"]
    if "distance" in want:
        assert [n["distance"] for n in nodes] == want["distance"]
    if "cpu_node" in want:
        assert [c["node_id"] for c in s["cpus"]] == want["cpu_node"]


@pytest.mark.parametrize("case", [c for c in CASES if c.get("gdb_stops")],
                         ids=[c["id"] for c in CASES if c.get("gdb_stops")])
def test_every_stop_is_where_gdb_stopped(case: dict) -> None:
    want = [f"{fn} {file}:{line}" for fn, file, line in case["gdb_stops"]]
    assert qemu(case["argv"]).stops == want


@pytest.mark.parametrize("case", [c for c in CASES if c.get("info_numa")],
                         ids=[c["id"] for c in CASES if c.get("info_numa")])
def test_monitor_info_numa(case: dict) -> None:
    from tracesim.debugger.outcome import info_numa
    from tracesim.trace.fold import fold

    assert info_numa(fold(qemu(case["argv"]).trace.events)) == case["info_numa"]


# The profiles tracesim models, and the golden folder each one is checked against.
MODELLED_PROFILES = {"4.2": "qemu-4.2", "7.2": "qemu-7.2", "10.0": "qemu-10"}


@pytest.mark.parametrize("profile", sorted(MODELLED_PROFILES))
def test_check_golden_tool_agrees(profile: str) -> None:
    """The shared tool, run the way the before-stop hook and CI run it, on each modelled profile."""
    exe = shutil.which("tracesim", path=os.path.dirname(sys.executable)) or shutil.which("tracesim")
    if exe is None:
        pytest.skip("tracesim is not installed as a command")
    folder = GOLDEN.parent / MODELLED_PROFILES[profile]
    count = len(list(folder.glob("*.json")))
    proc = subprocess.run([sys.executable, str(SHARED / "tools" / "check-golden"), "--tracesim",
                           exe, str(folder)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{count} agree, 0 disagree" in proc.stdout


CASES_NEWER = [json.loads(p.read_text()) for folder in ("qemu-7.2", "qemu-10")
               for p in sorted((GOLDEN.parent / folder).glob("*.json"))]


@pytest.mark.parametrize("case", [c for c in CASES_NEWER if c.get("gdb_stops")],
                         ids=[f"{c['profile']}:{c['id']}" for c in CASES_NEWER
                              if c.get("gdb_stops")])
def test_every_stop_is_where_gdb_stopped_on_72_and_100(case: dict) -> None:
    """Every stop, option parsing included, as gdb 13 stepped the -O0 builds of 7.2 and
    10.0."""
    from tracesim.cli import simulate_trace
    from tracesim.show import show_stops

    want = [f"{fn} {file}:{line}" for fn, file, line in case["gdb_stops"]]
    assert list(show_stops(simulate_trace(case["argv"], case["profile"]).events)) == want
