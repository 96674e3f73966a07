"""`tracesim diff` across QEMU versions: one command line on 4.2 and on 7.2.

Read as examples: what a QEMU user upgrading from 4.2 reads out: which decision changed, in
which function, what each version did there (file:line of each) and the outcomes side by side.
"""
from __future__ import annotations

import functools
import io
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from tracesim.cli import UsageError, simulate_trace
from tracesim.debugger.outcome import summarize
from tracesim.diff import cmd_diff
from tracesim.diffing.align import Side
from tracesim.diffing.crossver import cross_diff
from tracesim.trace.store import TraceError, encode_lines

GOLDEN = Path(__file__).resolve().parents[1].parent / "shared" / "golden"
SEED = "-machine q35 -m 1024 -smp cpus=4 -numa node,cpus=0-1 -numa node,cpus=2-3"
MEM = ("-machine q35 -m 1024 -smp 4 -numa node,mem=256M,cpus=0-1 "
       "-numa node,mem=768M,cpus=2-3")
MEMDEV = ("-machine q35 -m 1G -smp 4 -object memory-backend-ram,id=m0,size=512M "
          "-object memory-backend-ram,id=m1,size=512M -numa node,memdev=m0 -numa node,memdev=m1")
ALIKE = ("-machine q35 -m 1G -smp 2 -object memory-backend-ram,id=m0,size=512M "
         "-object memory-backend-ram,id=m1,size=512M -numa node,memdev=m0,cpus=0 "
         "-numa node,memdev=m1,cpus=1")


@functools.lru_cache(maxsize=None)
def trace_bytes(args: str, profile: str) -> bytes:
    trace = simulate_trace(shlex.split(args), profile)
    return encode_lines(trace.header, trace.events)


def cross(args: str, a: str = "4.2", b: str = "7.2") -> dict[str, Any]:
    return cross_diff(Side(a, io.BytesIO(trace_bytes(args, a))),
                      Side(b, io.BytesIO(trace_bytes(args, b))))


def tracesim_diff(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`tracesim diff ARGV` as the CLI runs it: usage and trace errors are exit 2."""
    try:
        status = cmd_diff(argv)
    except UsageError as err:
        print(err, file=sys.stderr)
        status = 2
    except TraceError as err:
        print(f"tracesim: {err}", file=sys.stderr)
        status = 2
    out, err = capsys.readouterr()
    return status, out, err


def words(text: str) -> str:
    return " ".join(text.split())


# --- the seed line -----------------------------------------------------------------------
def test_seed_leads_with_the_ram_split_4_2_does_and_7_2_does_not(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--a-profile", "4.2", "--b-profile", "7.2", "--",
                                    *shlex.split(SEED)], capsys)
    assert status == 1
    assert "the same command line on QEMU 4.2 and QEMU 7.2" in out
    lead = out.split("\n\n")[1]
    assert lead.startswith("Where 4.2 and 7.2 part in numa_complete_configuration:")
    assert ("4.2 splits RAM automatically at hw/core/numa.c:423; 7.2 has no such step and fails "
            "the total check at hw/core/numa.c:690.") in words(lead)
    assert "if (i == ms->numa_state->num_nodes)  true   [i = 2, num_nodes = 2]" in lead
    assert "node 0 gets 512 MiB of the split (hw/core/numa.c:357)" in lead
    assert "if (numa_total != ms->ram_size)  true   [numa_total = 0, ram_size = 1073741824]" in lead
    assert "error: total memory for NUMA nodes (0x0) should equal RAM size (0x40000000)" in lead
    assert "exit(1)" in lead
    assert "no -numa node has mem= or memdev=" in words(lead)
    # the outcomes side by side, each version by name
    outcome = out[out.index("Outcome"):]
    assert "Outcome  (exit_status, stderr, node_mem differ)" in outcome
    assert " ! exit status        0                                1" in outcome
    assert " ! node 0 size        512 MB                           0 MB" in outcome
    assert "     7.2 qemu-system-x86_64: total memory for NUMA nodes (0x0) should equal RAM size " \
           "(0x40000000)" in outcome
    assert "     4.2 qemu-system-x86_64: warning: Default splitting of RAM" in outcome
    assert "   machine            pc-q35-4.2                       pc-q35-7.2" in outcome
    assert "   CPU 3 → node       1                                1" in outcome


def test_seed_keeps_cross_version_noise_summed_up(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = tracesim_diff(["--b-profile", "7.2", "--", *shlex.split(SEED)], capsys)
    noise = words(out[out.index("Cross-version noise"):out.index("Outcome")])
    assert "decisions line up at other lines (e.g. parse_numa: hw/core/numa.c:238 → " \
           "hw/core/numa.c:532" in noise
    assert "functions only 7.2 runs: create_default_memdev," in noise
    assert "parse_memory_options" in noise
    assert "functions only 4.2 runs: machine_numa_finish_cpu_init, numa_default_auto_assign_ram" \
        in noise
    assert "branches decided otherwise on the way to the same facts: 12 in " \
           "machine_set_cpu_numa_node" in noise
    # no step-by-step listing: the differences are a handful of decisions, not hunks
    assert "@@" not in out
    listed = out[out.index("decisions that matter differ"):out.index("Cross-version noise")]
    assert len(listed.strip().splitlines()) < 15


def test_seed_json_has_the_same_structure(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--json", "--a", SEED, "--b", SEED, "--b-profile", "7.2"],
                                   capsys)
    assert status == 1
    r = json.loads(out)
    assert set(r) == {"cross_profile", "profiles", "identical", "a", "b", "command_line_changes",
                      "first_divergence", "differences", "differences_total", "noise", "outcome"}
    assert r["cross_profile"] is True and r["profiles"] == {"a": "4.2", "b": "7.2"}
    assert r["a"]["profile"] == "4.2" and r["b"]["profile"] == "7.2"
    assert r["command_line_changes"] == []
    fd = r["first_divergence"]
    assert fd["function"] == "numa_complete_configuration"
    assert fd["changes_outcome"] is True
    a, b = fd["a"], fd["b"]
    assert (a["what"], a["file"], a["line"]) == ("splits RAM automatically", "hw/core/numa.c", 423)
    assert a["decision"] == {"kind": "branch", "cond": "i == ms->numa_state->num_nodes",
                             "taken": True, "values": {"i": 2, "num_nodes": 2}}
    assert a["event"]["function"] == "numa_default_auto_assign_ram"
    assert b["what"] is None
    then = b["then"]
    assert (then["what"], then["file"], then["line"], then["function"]) == (
        "fails the total check", "hw/core/numa.c", 690, "numa_complete_configuration")
    assert then["decision"]["cond"] == "numa_total != ms->ram_size"
    assert [d["index"] for d in r["differences"]] == list(range(1, r["differences_total"] + 1))
    texts = [d["text"] for d in r["differences"]]
    assert any("7.2 stops with an error (total memory for NUMA nodes (0x0) should equal RAM size "
               "(0x40000000)) at hw/core/numa.c:691" in t for t in texts)
    assert {"line_shifts", "functions_only_a", "functions_only_b", "decisions_only_a",
            "decisions_only_b", "only_by_function", "decided_otherwise", "moved"} <= set(r["noise"])
    o = r["outcome"]
    assert o["same"] is False and set(o["differs"]) == {"exit_status", "stderr", "node_mem"}
    assert o["machine"]["same"] is True and o["machine"]["note"]
    assert o["node_mem"]["a"] == [1 << 29, 1 << 29] and o["node_mem"]["b"] == [0, 0]


# --- the other cases of the issue ----------------------------------------------------------------
def test_mem_is_refused_by_7_2_in_parse_numa_node(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--a", MEM, "--b", MEM, "--a-profile", "4.2",
                                    "--b-profile", "7.2"], capsys)
    assert status == 1
    lead = out.split("\n\n")[1]
    assert lead.startswith("Where 4.2 and 7.2 part in parse_numa_node:")
    assert ("4.2 gives node 0 256 MiB at hw/core/numa.c:118; 7.2 stops with an error (Parameter "
            "-numa node,mem is not supported by this machine type) at hw/core/numa.c:142.") \
        in words(lead)
    assert 'if (!mc->numa_mem_supported)  true   [machine = "pc-q35-7.2"]' in lead
    assert "warning: Parameter -numa node,mem is deprecated" in lead
    assert "the options behind it: -numa node,mem=256M,cpus=0-1" in lead
    r = cross(MEM)
    assert r["outcome"]["exit_status"] == {"a": 0, "b": 1, "same": False}


def test_memdev_nodes_alike_but_cpus_mapped_otherwise(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--b-profile", "7.2", "--", *shlex.split(MEMDEV)], capsys)
    assert status == 1
    lead = words(out.split("\n\n")[1])
    assert lead.startswith("Where 4.2 and 7.2 part in pc_smp_parse:")
    assert ("4.2 reads -smp 4 as 4 sockets of 1 core of 1 thread at hw/i386/pc.c:978; 7.2 reads "
            "-smp 4 as 1 socket of 4 cores of 1 thread at hw/core/machine-smp.c:195 in "
            "machine_parse_smp_config.") in lead
    assert "4.2 puts CPU 1 on node 1 by default at hw/core/machine.c:1084; 7.2 puts CPU 1 on " \
           "node 0 by default at hw/core/machine.c:1235." in words(out)
    r = cross(MEMDEV)
    o = r["outcome"]
    assert o["differs"] == ["cpu_node"]
    assert o["node_mem"]["same"] and o["node_mem"]["a"] == [1 << 29, 1 << 29]
    assert o["cpu_node"]["a"] == [0, 1, 0, 1] and o["cpu_node"]["b"] == [0, 0, 0, 0]


def test_a_line_alike_in_outcome_exits_0_and_stays_short(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--b-profile", "7.2", "--", *shlex.split(ALIKE)], capsys)
    assert status == 0
    assert "Outcome  (the same)" in out
    lead = out.split("\n\n")[1]
    assert lead.startswith("The outcome is the same on 4.2 and 7.2; the first decision that "
                           "differs on the way in pc_smp_parse:")
    assert "1 decision that matters differs" in out
    assert "machine_set_cpu_numa_node" in out[out.index("Cross-version noise"):]
    assert len(out.splitlines()) < 60
    status, out, _ = tracesim_diff(["--json", "--b-profile", "7.2", "--", *shlex.split(ALIKE)],
                                   capsys)
    r = json.loads(out)
    assert status == 0 and r["outcome"]["same"] is True
    assert [d["changes_outcome"] for d in r["differences"]] == [False]


def test_no_decision_differs_on_a_plain_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--b-profile", "7.2", "--", "-machine", "q35", "-m", "1024"],
                                   capsys)
    assert status == 0
    assert "QEMU 4.2 and 7.2 decide the same on this command line and end the same." in out
    r = cross("-machine q35 -m 1024")
    assert r["identical"] is True and r["first_divergence"] is None and r["differences"] == []


def test_outcome_only(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--outcome", "--json", "--b-profile", "7.2", "--",
                                    *shlex.split(SEED)], capsys)
    assert status == 1
    assert set(json.loads(out)) == {"cross_profile", "profiles", "identical", "a", "b", "outcome"}
    status, out, _ = tracesim_diff(["--outcome", "--b-profile", "7.2", "--",
                                    *shlex.split(ALIKE)], capsys)
    assert status == 0 and "Outcome  (the same)" in out and "Where" not in out


# --- trace files: the header's profile decides ---------------------------------------------------
def test_two_trace_files_of_different_profiles(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_bytes(trace_bytes(SEED, "4.2"))
    b.write_bytes(trace_bytes(SEED, "7.2"))
    status, out, _ = tracesim_diff([str(a), str(b)], capsys)
    assert status == 1
    assert f"A  QEMU 4.2  {a}:" in out and f"B  QEMU 7.2  {b}:" in out
    assert "4.2 splits RAM automatically at hw/core/numa.c:423" in words(out)
    # swapped: 7.2 is A now, and the lead says so
    status, out, _ = tracesim_diff([str(b), str(a)], capsys)
    assert status == 1
    assert "7.2 has no such step and fails the total check at hw/core/numa.c:690" in words(out)
    # a trace and a simulated command line
    status, out, _ = tracesim_diff([str(a), "--b", SEED, "--b-profile", "7.2"], capsys)
    assert status == 1 and "Where 4.2 and 7.2 part" in out
    # same profile in the headers: the step-by-step diff as before
    status, out, _ = tracesim_diff([str(a), str(a)], capsys)
    assert status == 0 and "The runs are the same" in out


def test_profiles_that_contradict_a_header_or_bad_usage_are_trouble(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a.jsonl"
    a.write_bytes(trace_bytes(SEED, "4.2"))
    status, _, err = tracesim_diff([str(a), "--a-profile", "7.2", "--b", SEED], capsys)
    assert status == 2 and "its header decides" in err
    status, _, err = tracesim_diff(["--b-profile", "9.9", "--", *shlex.split(SEED)], capsys)
    assert status == 2
    status, _, err = tracesim_diff(["--a", SEED, "--b-profile", "7.2", "--",
                                    *shlex.split(SEED)], capsys)
    assert status == 2 and "simulates both sides" in err
    status, _, err = tracesim_diff(["--b-profile", "7.2", "--"], capsys)
    assert status == 2


def test_same_profile_7_2_runs_diff_step_by_step(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = tracesim_diff(["--a", SEED, "--b", MEM, "--a-profile", "7.2",
                                    "--b-profile", "7.2"], capsys)
    assert status == 1
    assert "The runs part ways at" in out and "@@ hunk 1:" in out


def test_only_and_ignore_filter_the_differences() -> None:
    def filtered(only: list[str], ignore: list[str]) -> dict[str, Any]:
        return cross_diff(Side("4.2", io.BytesIO(trace_bytes(SEED, "4.2"))),
                          Side("7.2", io.BytesIO(trace_bytes(SEED, "7.2"))), only, ignore)

    r = filtered(["pc_smp_parse", "machine_parse_smp_config"], [])
    assert r["differences_total"] == 1 and r["first_divergence"]["function"] == "pc_smp_parse"
    r = filtered([], ["numa_complete_configuration"])
    assert all(d["function"] != "numa_complete_configuration" for d in r["differences"])


# --- every public 4.2 golden case, on 4.2 and on 7.2 ---------------------------------------------
def _golden() -> list[dict[str, Any]]:
    directory = GOLDEN / "qemu-4.2"
    if not directory.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))]


CASES = _golden()


def _summary(args: str, profile: str) -> dict[str, Any]:
    return summarize(simulate_trace(shlex.split(args), profile))


@pytest.mark.skipif(not CASES, reason="../shared/golden is not beside the repo")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_argv_across_versions(case: dict[str, Any],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    args = shlex.join(case["argv"])
    r = cross(args)
    o = r["outcome"]
    for label, profile in (("a", "4.2"), ("b", "7.2")):
        s = _summary(args, profile)
        assert o["exit_status"][label] == s["exit_status"]
        assert o["stderr"][label] == s["stderr"].splitlines()
        assert o["machine"][label] == s["machine"]
        assert o["ram_size"][label] == s["ram_size"]
        assert o["num_nodes"][label] == s["numa"]["num_nodes"]
        assert o["node_mem"][label] == [n["mem"] for n in s["numa"]["nodes"]]
        assert o["cpu_node"][label] == [c["node_id"] for c in s["cpus"]]
        dist = [n["distance"] for n in s["numa"]["nodes"]] \
            if s["numa"]["have_numa_distance"] else None
        assert o["distance"][label] == dist
    if not o["same"]:  # a changed outcome is led by a decision that changes it
        fd = r["first_divergence"]
        assert fd is not None and fd["changes_outcome"] is True
        assert all(fd[x] is None or fd[x].get("what") or fd[x].get("then") for x in "ab")
    status, out, _ = tracesim_diff(["--b-profile", "7.2", "--", *case["argv"]], capsys)
    assert status == (0 if o["same"] else 1)
    assert "Outcome" in out and "Traceback" not in out
    assert all(len(line) < 400 for line in out.splitlines())
