"""Loop iterations recorded as repeat records (trace/seq.py, qemu/slot_runs.py).

The compact trace must stand for exactly the events the model produces without compaction:
every reader (the fold, the debugger, show, diff) must see the same run. The reference is the
same model with `Recorder(compact=False)`, which records every iteration as plain events.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import measured as measured_child
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracesim import __version__
from tracesim.cli import main
from tracesim.qemu.simulate import simulate
from tracesim.trace import events as ev
from tracesim.trace.events import SCHEMA_VERSION, Header
from tracesim.trace.fold import Timeline, fold
from tracesim.trace.recorder import Recorder
from tracesim.trace.seq import EventSeq, event_sequence
from tracesim.trace.store import (TraceError, chain, header_digest, parse_trace, read_trace,
                                  write_trace)

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ("4.2", "7.2", "10.0")
LINES = [
    "-machine q35 -smp 8 -numa node,cpus=0-7",
    "-machine q35 -smp 16,threads=2,cores=2 -numa node,cpus=0-7 -numa node,cpus=8-15",
    "-machine q35 -smp 64,sockets=4,cores=4,threads=4 -numa node,cpus=0-31 -numa node,cpus=32-63",
    "-machine q35 -smp 8 -numa node,cpus=0-7 -numa node,cpus=3",  # already assigned: exit 1
    "-machine q35 -smp 8 -numa node -numa node -numa cpu,node-id=1,socket-id=3",
    "-smp 24,sockets=2,cores=3,threads=4 -numa node,cpus=0-23",
    "-machine q35 -smp 40 -numa node,cpus=0-39,cpus=0-39",
]


def recorded(argv: list[str], profile: str, compact: bool) -> list:
    rec = Recorder(compact=compact)
    simulate(argv, rec, profile)
    return rec.events


def header(argv: list[str], profile: str) -> Header:
    return Header(schema=SCHEMA_VERSION, tracesim=__version__, profile=profile, argv=argv)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("line", LINES)
def test_a_compact_run_stands_for_exactly_the_plain_events(line: str, profile: str) -> None:
    argv = line.split()
    compact, plain = recorded(argv, profile, True), recorded(argv, profile, False)
    assert not any(type(e) is ev.Repeat for e in plain)
    events = event_sequence(compact)
    assert len(events) == len(plain) and list(events) == plain
    # positions materialise the same events, one by one and from the end
    for i in range(0, len(plain), 7):
        assert events[i] == plain[i]
    assert events[-1] == plain[-1]


def test_the_slot_loop_is_compacted_where_it_repeats() -> None:
    argv = "-machine q35 -smp 64 -numa node,cpus=0-63".split()
    compact, plain = recorded(argv, "4.2", True), recorded(argv, "4.2", False)
    runs = [e for e in compact if type(e) is ev.Repeat]
    # CPU c skips the c slots before its own and the 63 - c after: a run where 3 or more
    expected = sum((c >= 3) + (63 - c >= 3) for c in range(64))
    assert len(runs) == expected == 122
    assert len(compact) * 4 < len(plain)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sockets=st.integers(1, 4), cores=st.integers(1, 4), threads=st.integers(1, 4),
       cuts=st.lists(st.integers(0, 63), max_size=3), profile=st.sampled_from(["4.2", "7.2"]))
def test_any_topology_and_cpu_lists_expand_exactly(sockets: int, cores: int, threads: int,
                                                   cuts: list[int], profile: str) -> None:
    n = sockets * cores * threads
    bounds = sorted({c % n for c in cuts} | {0, n})
    argv = ["-machine", "q35", "-smp", f"{n},sockets={sockets},cores={cores},threads={threads}"]
    for lo, hi in zip(bounds, bounds[1:]):
        argv += ["-numa", f"node,cpus={lo}-{hi - 1}"]
    compact, plain = recorded(argv, profile, True), recorded(argv, profile, False)
    assert list(event_sequence(compact)) == plain


@pytest.mark.parametrize("profile", PROFILES)
def test_a_trace_file_folds_to_the_same_state_everywhere(tmp_path: Path, profile: str) -> None:
    argv = LINES[1].split()
    path = tmp_path / "t.jsonl"
    write_trace(path, header(argv, profile), recorded(argv, profile, True))
    plain = recorded(argv, profile, False)
    trace = read_trace(path)
    assert type(trace.events) is EventSeq and list(trace.events) == plain
    compact_t, plain_t = Timeline(trace.events, every=97), Timeline(plain, every=97)
    for position in list(range(0, len(plain), 13)) + [len(plain)]:
        a, b = compact_t.state_at(position), plain_t.state_at(position)
        assert (a.memory, [f.__dict__ for f in a.frames], a.reports, a.exit_status) == \
               (b.memory, [f.__dict__ for f in b.frames], b.reports, b.exit_status), position
    assert fold(trace.events).__dict__ == fold(plain).__dict__


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


def _pair(tmp_path: Path, line: str, profile: str, tag: str = "") -> tuple[Path, Path]:
    """The same run as a compact and as a plain trace file, under the same name."""
    argv = line.split()
    (tmp_path / "compact").mkdir(exist_ok=True)
    (tmp_path / "plain").mkdir(exist_ok=True)
    a, b = tmp_path / "compact" / f"t{tag}.jsonl", tmp_path / "plain" / f"t{tag}.jsonl"
    write_trace(a, header(argv, profile), recorded(argv, profile, True))
    write_trace(b, header(argv, profile), recorded(argv, profile, False))
    return a, b


SCRIPT = [
    "break machine_set_cpu_numa_node", "run", "next", "next", "next", "p i", "p slot",
    "info locals", "watch i", "continue", "continue", "p i", "delete", "break 699", "continue",
    "continue", "bt", "info frame", "reverse-step", "reverse-step", "reverse-next", "p i",
    "reverse-continue", "p i", "until", "until", "finish", "goto 400", "p i", "list",
    "step", "step", "step", "info record", "goto 2000", "p slot", "reverse-finish",
    "last i", "why", "info breakpoints",
]


@pytest.mark.parametrize("profile", PROFILES)
def test_the_debugger_steps_through_runs_as_through_plain_events(tmp_path: Path,
                                                                 profile: str) -> None:
    a, b = _pair(tmp_path, LINES[1], profile)
    args = ["debug", "-batch"] + [x for c in SCRIPT for x in ("-ex", c)]
    got_a, got_b = _cli(*args, str(a)), _cli(*args, str(b))
    assert got_a[1].count("\n") > 60 and "$3 = " in got_a[1]
    assert got_a == got_b


@pytest.mark.parametrize("profile", ["4.2", "7.2"])
def test_show_and_diff_read_runs_as_plain_events(tmp_path: Path, profile: str) -> None:
    a1, b1 = _pair(tmp_path, LINES[1], profile, "1")
    a2, b2 = _pair(tmp_path, LINES[1].replace("threads=2,", ""), profile, "2")
    for args in (["show"], ["show", "--stops"]):
        assert _cli(*args, str(a1)) == _cli(*args, str(b1))
    diff_a = subprocess.run([sys.executable, "-m", "tracesim", "diff", "t1.jsonl", "t2.jsonl"],
                            cwd=a1.parent, capture_output=True, text=True)
    diff_b = subprocess.run([sys.executable, "-m", "tracesim", "diff", "t1.jsonl", "t2.jsonl"],
                            cwd=b1.parent, capture_output=True, text=True)
    assert diff_a.returncode == 1 and "hunk" in diff_a.stdout
    assert (diff_a.returncode, diff_a.stdout, diff_a.stderr) == \
           (diff_b.returncode, diff_b.stdout, diff_b.stderr)


def test_show_runs_abbreviates_and_counts_the_stops(tmp_path: Path) -> None:
    a, _ = _pair(tmp_path, "-machine q35 -smp 64 -numa node,cpus=0-63", "4.2")
    rc, full, _ = _cli("show", "--stops", str(a))
    rc2, short, _ = _cli("show", "--stops", "--runs", str(a))
    assert rc == rc2 == 0 and len(short) * 5 < len(full)
    more = [line for line in short.splitlines() if line.startswith("... ")]
    assert more and "more repetitions alike" in more[0]
    # the stops the abbreviations stand for add up to every stop
    counted = sum(1 for line in short.splitlines() if not line.startswith("... "))
    for line in more:
        lo, hi = line.split("stops ")[1].split(" ")[0].split("-")
        counted += int(hi) - int(lo) + 1
    assert counted == len(full.splitlines())


def reseal(lines: list[bytes]) -> bytes:
    """Lines sealed as a writer would: a made-up trace the digests cannot tell."""
    digest = chain(header_digest(lines[0]), b"".join(lines[1:]))
    end = {"k": "end", "n": len(lines) - 1, "digest": digest.hex(), "events": len(lines) - 1,
           "blocks": 1}
    return b"".join(lines) + json.dumps(end, separators=(",", ":")).encode() + b"\n"


HEADER = b'{"k":"header","schema":2,"tracesim":"0.1.0","profile":"4.2","argv":[]}\n'
MAIN = b'{"k":"call","fn":"main","file":"vl.c"}\n'


@pytest.mark.parametrize("record,why", [
    (b'{"k":"repeat","n":1,"body":[{"k":"step","line":1}]}', "Expected `int` >= 2"),
    (b'{"k":"repeat","n":3,"body":[]}', "length >= 1"),
    (b'{"k":"repeat","n":3,"body":[{"k":"call","fn":"f","file":"f.c"}]}', "Invalid value"),
    (b'{"k":"repeat","n":3,"body":[{"k":"local","name":"i","value":{"from":1}}]}',
     "missing required field"),
    (b'{"k":"repeat","n":99999999,"body":[{"k":"step","line":1}]}', "<= 65536"),
])
def test_a_bad_repeat_is_refused_with_its_line(tmp_path: Path, record: bytes, why: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(reseal([HEADER, MAIN, record + b"\n"]))
    for command in ("summary", "show", "check"):
        rc, out, err = _cli(command, str(path))
        assert rc == 2 and f"{path}:3: " in err and why in err and "Traceback" not in err


def test_a_repeat_outside_any_call_is_refused(tmp_path: Path) -> None:
    data = reseal([HEADER, b'{"k":"repeat","n":3,"body":[{"k":"step","line":1}]}\n'])
    with pytest.raises(TraceError, match=":2: a repeat outside any call"):
        parse_trace(data, "t.jsonl")


# --- bounded cost: the ten copies of one cpus= range ----------------------------------
TEN_COPIES = ["-machine", "q35", "-smp", "288", "-numa", "node" + ",cpus=0-287" * 10]
def measured(*args: str) -> tuple[int, float, int, str]:
    """Exit status, wall seconds, peak RSS (MiB) and the end of the output of tracesim."""
    return measured_child(*args, output="stdout")


@pytest.fixture(scope="module")
def ten(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, float, int]]:
    """The ten-copy line run on each profile: its trace, wall seconds and peak MiB."""
    out = {}
    for profile in PROFILES:
        path = tmp_path_factory.mktemp("ten") / f"ten-{profile}.jsonl"
        rc, wall, rss, _ = measured("run", "--profile", profile, "-o", str(path), "--",
                                    *TEN_COPIES)
        assert rc in (0, 1)
        out[profile] = (path, wall, rss)
    return out


@pytest.mark.parametrize("profile", PROFILES)
def test_ten_copies_of_a_cpus_range_cost_what_the_readme_says(
        tmp_path: Path, profile: str, ten: dict[str, tuple[Path, float, int]]) -> None:
    """README, "Resource bounds": under 30 s and 400 MiB for run and every reader, a trace
    under 64 MiB (the plain record of this run: 1 GB, 18.6 M events)."""
    path, wall, rss = ten[profile]
    assert wall < 30 and rss < 400, (wall, rss)
    assert path.stat().st_size < 64 << 20
    readers = [["summary", str(path)], ["check", str(path)],
               ["show", "--runs", str(path)],
               ["debug", "-batch", "-ex", "break machine_set_cpu_numa_node", "-ex", "run",
                "-ex", "goto 3000000", "-ex", "p i", "-ex", "reverse-step", "-ex", "p i",
                "-ex", "info record", str(path)]]
    if profile == "4.2":
        readers.append(["export", "-o", str(tmp_path / "ten.json"), str(path)])
    outs = {}
    for args in readers:
        rc, wall, rss, outs[args[0]] = measured(*args)
        assert rc == 0 and wall < 30 and rss < 400, (args[0], wall, rss, outs[args[0]])
    debug = outs["debug"]  # stop 3,000,000 is deep in the runs: i and one step back
    assert "$1 = " in debug and "$2 = " in debug and "Current instruction number is" in debug


@pytest.mark.parametrize("a,b", [("4.2", "7.2"), ("4.2", "4.2")])
def test_diffs_of_ten_copies_stay_bounded(a: str, b: str,
                                          ten: dict[str, tuple[Path, float, int]]) -> None:
    """Across versions the diff weighs each run's first repetition (diffing/crossver.py);
    within one it scans the lines the runs stand for as they are written out."""
    rc, wall, rss, out = measured("diff", str(ten[a][0]), str(ten[b][0]))
    assert rc == (1 if a != b else 0) and wall < 60 and rss < 400, (wall, rss, out)
    if a != b:
        assert "decisions line up at other lines" in out or "noise" in out


CROSS = [
    ("-machine q35 -smp 16,threads=2,cores=2 -numa node,cpus=0-7 -numa node,cpus=8-15",
     "-machine q35 -smp 16,threads=2,cores=2 -numa node,cpus=0-7 -numa node,cpus=8-15"),
    ("-machine q35 -smp 40 -numa node,cpus=0-39,cpus=0-39",
     "-machine q35 -smp 40,sockets=40 -numa node,cpus=0-39"),
]


@pytest.mark.parametrize("pa,pb", [("4.2", "7.2"), ("7.2", "10.0")])
@pytest.mark.parametrize("lines", CROSS)
def test_the_cross_version_diff_counts_runs_as_their_events(
        tmp_path: Path, lines: tuple[str, str], pa: str, pb: str) -> None:
    outs = []
    for compact in (True, False):
        d = tmp_path / str(compact)
        d.mkdir()
        for name, line, profile in (("A", lines[0], pa), ("B", lines[1], pb)):
            write_trace(d / f"{name}.jsonl", header(line.split(), profile),
                        recorded(line.split(), profile, compact))
        p = subprocess.run([sys.executable, "-m", "tracesim", "diff", "A.jsonl", "B.jsonl"],
                           cwd=d, capture_output=True, text=True)
        outs.append((p.returncode, p.stdout, p.stderr))
    assert outs[0][0] in (0, 1) and "Traceback" not in outs[0][2]
    assert outs[0] == outs[1]


def test_a_bad_store_after_a_run_is_named_by_its_file_line(tmp_path: Path) -> None:
    """The diff reads runs written out: line numbers must still be the file's."""
    lines = [line + b"\n" for line in (ROOT / "traces" / "seed-q35-2node.jsonl").read_bytes()
             .split(b"\n") if line]
    body = lines[1:-1]
    run = next(i for i, line in enumerate(body) if line.startswith(b'{"k":"repeat"'))
    w = next(i for i, line in enumerate(body) if i > run and line.startswith(b'{"k":"write"'))
    record = json.loads(body[w])
    record["value"] = "junk"
    body[w] = json.dumps(record, separators=(",", ":")).encode() + b"\n"
    path = tmp_path / "bad.jsonl"
    path.write_bytes(reseal([lines[0]] + body))
    for args in (["diff", str(path), str(ROOT / "traces" / "seed-q35-2node.jsonl")],
                 ["summary", str(path)]):
        rc, _, err = _cli(*args)
        assert rc == 2 and f"{path}:{w + 2}: a store of str 'junk'" in err, err
