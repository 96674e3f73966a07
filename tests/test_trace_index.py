"""The index beside a trace (docs/trace-format.md, "Index"; issue 13, "Open").

`tracesim run -o T` writes `T.idx`; `tracesim debug T` opens through it without decoding the
events. Checked here: the stored tables are TraceIndex's and the checkpointed states the
fold's, value for value; debugger sessions print the same bytes with and without the index on
traces of every profile; an index that is damaged, stale or another trace's is never used;
a damaged block met lazily is the full reader's one-line error, exit 2; writers write the
index, or none (compressed, refused) and no stale one.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracesim.cli import main
from tracesim.debugger.index import TraceIndex
from tracesim.debugger.stored_index import stored_index
from tracesim.scenarios import default_argv
from tracesim.trace import events as ev
from tracesim.trace.fold import Timeline
from tracesim.trace.idxfile import index_path, open_index
from tracesim.trace.indexed import open_indexed
from tracesim.trace.store import read_trace, write_trace

ONE_LINE = re.compile(r"tracesim: [^\n]*:(\d+): [^\n]+\n")


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


def _grid(nodes: int, cpus: int) -> list[str]:
    """nodes, every distance given, CPUs spread over them by -numa cpu (the bench's shape)."""
    argv = ["-machine", "q35", "-m", f"{nodes * 64}M", "-smp", str(cpus)]
    for i in range(nodes):
        argv += ["-numa", f"node,nodeid={i}"]
    for src in range(nodes):
        for dst in range(nodes):
            argv += ["-numa", f"dist,src={src},dst={dst},val={10 if src == dst else 20 + src}"]
    for i in range(cpus):
        argv += ["-numa", f"cpu,node-id={i % nodes},socket-id={i}"]
    return argv


_MEMDEV = ["-machine", "q35", "-m", "1024", "-smp", "cpus=4",
           "-object", "memory-backend-ram,id=m0,size=512M",
           "-object", "memory-backend-ram,id=m1,size=512M",
           "-numa", "node,memdev=m0,cpus=0-1", "-numa", "node,memdev=m1,cpus=2-3"]
_RANGES = ["-machine", "q35", "-smp", "48", "-numa", "node,cpus=0-23,cpus=0-23",
           "-numa", "node,cpus=24-47"]

CONFIGS: dict[str, tuple[str, list[str]]] = {
    "seed-4.2": ("4.2", default_argv()),
    "grid-4.2": ("4.2", _grid(12, 24)),
    "ranges-4.2": ("4.2", _RANGES),  # slot loops: `repeat` records, stops kept as ramps
    "memdev-7.2": ("7.2", _MEMDEV),
    "ranges-7.2": ("7.2", ["-machine", "q35", "-smp", "32", "-numa", "node,cpus=0-31"]),
    "seed-10.0": ("10.0", _MEMDEV),
    "ranges-10.0": ("10.0", ["-machine", "q35", "-smp", "24", "-numa", "node,cpus=0-11",
                             "-numa", "node,cpus=12-23"]),
}


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each config run with `tracesim run -o` (index beside it), and one re-sealed in blocks
    of 50 events (many blocks, many checkpoints)."""
    where = tmp_path_factory.mktemp("indexed")
    out = {}
    for name, (profile, argv) in CONFIGS.items():
        path = where / f"{name}.jsonl"
        rc, _, err = cli("run", "--profile", profile, "-o", str(path), "--", *argv)
        assert rc in (0, 1), err
        assert index_path(path).is_file(), name
        out[name] = path
    small = where / "small-blocks.jsonl"
    trace = read_trace(out["grid-4.2"])
    h = trace.header
    write_trace(small, ev.Header(schema=h.schema, tracesim=h.tracesim, profile=h.profile,
                                 argv=h.argv, block=50), trace.events)
    assert index_path(small).is_file()
    out["small-blocks"] = small
    ranges = where / "ranges-small-blocks.jsonl"
    trace = read_trace(out["ranges-4.2"])
    h = trace.header
    write_trace(ranges, ev.Header(schema=h.schema, tracesim=h.tracesim, profile=h.profile,
                                  argv=h.argv, block=7), trace.events)
    out["ranges-small-blocks"] = ranges
    return out


def _without_index(path: Path) -> contextlib.AbstractContextManager[None]:
    @contextlib.contextmanager
    def aside() -> Any:
        index = index_path(path)
        held = index.with_name(index.name + ".aside")
        index.rename(held)
        try:
            yield
        finally:
            held.rename(index)
    return aside()


# --- the stored tables are TraceIndex's ---------------------------------------------------------
def _same(a: Any, b: Any, what: Any) -> None:
    la, lb = list(a), list(b)
    assert la == lb, (what, len(la), len(lb))


@pytest.mark.parametrize("name", [*CONFIGS, "small-blocks", "ranges-small-blocks"])
def test_the_stored_index_is_trace_index(traces: dict[str, Path], name: str) -> None:
    path = traces[name]
    full = read_trace(path)
    built = TraceIndex(full.events)
    opened = open_indexed(path)
    assert opened is not None
    stored = stored_index(opened.stored, opened.events)
    for table in ("stops", "stop_frame", "stop_depth", "stop_line", "boundaries", "tops_after"):
        _same(getattr(built, table), getattr(stored, table), table)
    for table in ("by_location", "entries", "writes", "by_kind"):
        a, b = getattr(built, table), getattr(stored, table)
        assert list(a) == list(b), table  # the keys, in the same order
        for key in a:
            _same(a[key], b[key], (table, key))
        assert b.get(("nowhere", 1)) is None and ("nowhere", 1) not in b
    a, b = built.local_writes, stored.local_writes
    assert sorted(a) == sorted(b)
    for key in a:
        _same(a[key], b[key], key)
    assert b.get((-5, "i")) is None and (10 ** 9, "x") not in b
    assert built.exit_index == stored.exit_index
    assert list(built.frames) == list(stored.frames)
    for call, f in built.frames.items():
        g = stored.frames[call]
        for field in ("call_index", "fn", "file", "args", "depth", "parent", "return_index",
                      "entry_stop"):
            assert getattr(f, field) == getattr(g, field), (call, field)
    assert stored.frames.get(-1) is None and -1 not in stored.frames
    assert built.functions() == stored.functions() and built.locations() == stored.locations()


@pytest.mark.parametrize("name", ["grid-4.2", "ranges-4.2", "small-blocks",
                                  "ranges-small-blocks", "ranges-10.0"])
def test_events_and_states_are_the_folds(traces: dict[str, Path], name: str) -> None:
    full = read_trace(traces[name])
    opened = open_indexed(traces[name])
    assert opened is not None
    events, lazy = full.events, opened.events
    assert len(lazy) == len(events)
    assert list(lazy) == list(events)
    rnd = random.Random(name)
    timeline, stored = Timeline(events), opened.timeline()
    n = len(events)
    for p in [0, 1, n - 1, n, *(rnd.randrange(n + 1) for _ in range(60))]:
        a, b = timeline.state_at(p), stored.state_at(p)
        assert list(a.memory.items()) == list(b.memory.items()), p
        assert [(f.fn, f.file, f.line, f.args, list(f.locals.items()), f.call_index)
                for f in a.frames] == [(f.fn, f.file, f.line, f.args, list(f.locals.items()),
                                        f.call_index) for f in b.frames], p
        assert (a.reports, a.exit_status, a.position) == (b.reports, b.exit_status, b.position)
        if p < n:
            assert lazy[p] == events[p] and lazy[p - n] == events[p - n]
            assert lazy[p:p + 40] == events[p:p + 40]
    assert lazy[::97] == events[::97]
    with pytest.raises(IndexError):
        lazy[n]
    final = stored.final
    assert final.memory == timeline.final.memory and final.position == n


# --- debugger sessions print the same with and without the index --------------------------------
def _script(path: Path) -> list[str]:
    trace = read_trace(path)
    index = TraceIndex(trace.events)
    stops = len(index.stops)
    fns = index.functions()
    loop_fn = "machine_set_cpu_numa_node" if "machine_set_cpu_numa_node" in fns else fns[-1]
    middle = index.stops[stops // 2]
    file, line = next(((f, ln) for (f, ln) in index.locations()
                       if index.by_location[(f, ln)][0] > stops // 3), index.locations()[0])
    commands = [
        "info record", "break numa_complete_configuration", f"break {file}:{line}",
        "info breakpoints", "run", "bt", "info locals", "next", "next", "step", "step",
        "finish", "p *ms->numa_state", "p ram_size", "p ms->numa_state->num_nodes",
        "watch ms->numa_state->num_nodes", "continue", "continue", "reverse-continue",
        "reverse-next", "reverse-step", "delete", f"goto {stops // 3}", "info frame", "why",
        "last ram_size", f"tbreak {loop_fn}", "continue", "p i", "next", "next",
        "reverse-finish", f"goto {stops}", "p *ms->numa_state", "info numa", "messages",
        "bt", "reverse-step", "reverse-next", "info record", "catch error", "catch exit",
        "run", "continue", "p $_exitcode", "start", "next 30", "step 40",
        f"goto {stops // 2}", "p $pc", "list", "up", "info args", "down",
        "watch -l ms->smp.cpus", "reverse-continue", "continue", "delete",
        f"goto {1 + (middle % max(stops, 1))}", "rwatch ram_size", "continue",
        "info checkpoints", "kill", "info numa",
    ]
    return [a for c in commands for a in ("-ex", c)]


@pytest.mark.parametrize("name", [*CONFIGS, "small-blocks", "ranges-small-blocks"])
def test_sessions_print_the_same_through_the_index(traces: dict[str, Path], name: str) -> None:
    path = traces[name]
    args = ["debug", "-batch", *_script(path), str(path)]
    assert open_indexed(path) is not None
    indexed = cli(*args)
    with _without_index(path):
        full = cli(*args)
    assert indexed == full
    assert "Traceback" not in indexed[2] and "internal error" not in indexed[1] + indexed[2]


def test_the_issue_command_through_the_index(traces: dict[str, Path]) -> None:
    path = traces["grid-4.2"]
    stops = len(TraceIndex(read_trace(path).events).stops)
    args = ["debug", "-batch", "-ex", "start", "-ex", f"goto {stops}", "-ex", "p ram_size",
            "-ex", "p *machine->numa_state", str(path)]
    indexed = cli(*args)
    with _without_index(path):
        assert cli(*args) == indexed
    assert indexed[0] == 0 and "$1 = 805306368" in indexed[1] and "$2 = {" in indexed[1]


_COMMANDS = ["next", "step", "finish", "continue", "reverse-next", "reverse-step",
             "reverse-continue", "reverse-finish", "bt", "info locals", "info args", "up",
             "down", "p ram_size", "p *ms->numa_state", "p ms->smp", "p i", "p slot",
             "watch ms->numa_state->num_nodes", "watch i", "rwatch ram_size", "delete",
             "break parse_numa", "break machine_set_cpu_numa_node", "tbreak numa_complete_configuration",
             "catch warning", "info record", "info numa", "messages", "why", "last ram_size",
             "x/4xg ms", "display ram_size", "list", "next 25", "step 60", "until", "run",
             "start", "kill", "mark here", "goto here"]


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_session_prints_the_same_through_the_index(traces: dict[str, Path],
                                                         data: Any) -> None:
    name = data.draw(st.sampled_from(["small-blocks", "ranges-small-blocks", "ranges-7.2",
                                      "seed-10.0"]), label="trace")
    path = traces[name]
    stops = len(TraceIndex(read_trace(path).events).stops)
    moves = st.builds(lambda n: f"goto {n}", st.integers(1, stops))
    script = data.draw(st.lists(st.one_of(st.sampled_from(_COMMANDS), moves), min_size=1,
                                max_size=25), label="commands")
    args = ["debug", "-batch", *[a for c in ["start", *script] for a in ("-ex", c)], str(path)]
    indexed = cli(*args)
    with _without_index(path):
        assert cli(*args) == indexed


@pytest.mark.parametrize("events", [
    [],
    [ev.Call(fn="main", file="vl.c")],
    [ev.Call(fn="main", file="vl.c"), ev.Call(fn="f", file="vl.c"), ev.Step(line=3)],
    [ev.Call(fn="main", file="vl.c"), ev.Step(line=3),
     ev.Report(line=3, kind="error", text="boom"), ev.Exit(line=4, status=1)],
], ids=["no events", "no stop", "one stop", "an exit"])
def test_degenerate_traces_print_the_same(tmp_path: Path, events: list[Any]) -> None:
    path = tmp_path / "t.jsonl"
    write_trace(path, ev.Header(schema=2, tracesim="0.1.0", profile="4.2", argv=["-m", "64"]),
                events)
    assert open_indexed(path) is not None
    script = ["start", "run", "next", "step", "bt", "info locals", "goto 1", "goto 2",
              "p ram_size", "messages", "info record", "reverse-step", "finish", "info numa",
              "break f", "run", "why"]
    args = ["debug", "-batch", *[a for c in script for a in ("-ex", c)], str(path)]
    indexed = cli(*args)
    with _without_index(path):
        assert cli(*args) == indexed


# --- an index that is not this trace's, or not whole, is not used --------------------------------
def _answers(path: Path) -> tuple[int, str, str]:
    return cli("debug", "-batch", "-ex", "start", "-ex", "next 5", "-ex", "p ram_size",
               "-ex", "goto 40", "-ex", "bt", "-ex", "info numa", str(path))


@pytest.fixture(params=["grid-4.2", "small-blocks"])
def copy(traces: dict[str, Path], tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A copy of a trace (5 blocks, or the same events in 331) and its index."""
    path = tmp_path / "t.jsonl"
    shutil.copyfile(traces[request.param], path)
    shutil.copyfile(index_path(traces[request.param]), index_path(path))
    assert open_indexed(path) is not None
    return path


def _other(copy: Path, traces: dict[str, Path]) -> Path:
    """The same run sealed in other blocks than the copy's."""
    small = traces["small-blocks"]
    return traces["grid-4.2"] if copy.read_bytes() == small.read_bytes() else small


_damage = settings(max_examples=60, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])


@_damage
@given(data=st.data())
def test_a_damaged_index_is_never_used(copy: Path, data: Any) -> None:
    index = index_path(copy)
    original = index.read_bytes()
    try:
        damaged = bytearray(original)
        if data.draw(st.booleans(), label="truncate"):
            damaged = damaged[:data.draw(st.integers(0, len(original) - 1), label="at")]
        else:
            at = data.draw(st.integers(0, len(original) - 1), label="at")
            damaged[at] ^= data.draw(st.integers(1, 255), label="xor")
        index.write_bytes(bytes(damaged))
        assert open_index(copy) is None and open_indexed(copy) is None
    finally:
        index.write_bytes(original)


def test_damaged_stale_and_foreign_indexes_change_no_answer(traces: dict[str, Path],
                                                            copy: Path) -> None:
    with _without_index(copy):
        truth = _answers(copy)
    assert truth[0] == 0 and "$1 = " in truth[1]
    index = index_path(copy)
    original = index.read_bytes()
    cases = {
        "truncated": original[:len(original) // 2],
        "flipped": original[:100] + bytes([original[100] ^ 1]) + original[101:],
        "empty": b"",
        "another trace's": index_path(_other(copy, traces)).read_bytes(),  # same events
        "another run's": index_path(traces["seed-4.2"]).read_bytes(),
        "not an index": b"hello\n" * 100,
    }
    for why, data in cases.items():
        index.write_bytes(data)
        assert open_indexed(copy) is None, why
        assert _answers(copy) == truth, why
    index.write_bytes(original)
    assert _answers(copy) == truth
    # the trace changed under its index: stale
    trace = copy.read_bytes()
    stale = {
        "longer": trace + b"\n",
        "another run": traces["seed-4.2"].read_bytes(),
        "re-sealed": _other(copy, traces).read_bytes(),
    }
    for why, data in stale.items():
        copy.write_bytes(data)
        assert open_indexed(copy) is None, why
        with _without_index(copy):
            expected = _answers(copy)
        assert _answers(copy) == expected, why
    copy.write_bytes(trace)


def test_a_directory_named_like_the_index_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    index_path(path).mkdir()
    rc, _, err = cli("run", "-o", str(path), "--", *default_argv())
    assert rc == 0 and index_path(path).is_dir() and open_indexed(path) is None
    assert _answers(path)[0] == 0


# --- the trace damaged under an intact index: an error when reached ------------------------------
def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_a_damaged_block_is_the_readers_error_when_reached(copy: Path) -> None:
    data = copy.read_bytes()
    lines = data.split(b"\n")
    # a distance stored late in the trace, in a block the first stops never read
    k = max(n for n, line in enumerate(lines) if b'"k":"write"' in line and b"distance" in line)
    at = sum(len(line) + 1 for line in lines[:k]) + lines[k].index(b'"value":') + 8
    copy.write_bytes(_flip(data, at))
    rc, out, err = cli("summary", str(copy))  # the full reader
    assert rc == 2 and ONE_LINE.fullmatch(err), err
    refused = err
    assert open_indexed(copy) is not None  # size, header and end record unchanged
    # the first stops read nothing of that block: the answers stand
    rc, out, err = cli("debug", "-batch", "-ex", "start", "-ex", "next", "-ex", "p ram_size",
                       str(copy))
    assert rc == 0 and err == "" and "$1 = " in out
    # going where it is (`messages` at the end reads every block): the full reader's line,
    # exit 2, after what was answered before
    rc, out, err = cli("debug", "-batch", "-ex", "start", "-ex", "p ram_size", "-ex", "run",
                       "-ex", "messages", "-ex", "p 1", str(copy))
    assert rc == 2 and err == refused, err
    assert "$1 = " in out and "$2" not in out


@_damage
@given(data=st.data())
def test_any_byte_flipped_in_the_trace_is_refused_when_reached(copy: Path, data: Any) -> None:
    original = copy.read_bytes()
    at = data.draw(st.integers(0, len(original) - 1), label="at")
    try:
        damaged = _flip(original, at)
        copy.write_bytes(damaged)
        rc, out, err = cli("check", str(copy))
        assert rc == 2 and ONE_LINE.fullmatch(err), err
        refused = err
        # `messages` at the end reads every block
        rc, out, err = cli("debug", "-batch", "-ex", "start", "-ex", "info record",
                           "-ex", "run", "-ex", "messages", str(copy))
        assert rc == 2 and err == refused, (at, err)
        assert "Traceback" not in out
    finally:
        copy.write_bytes(original)


# --- writers --------------------------------------------------------------------------------------
def test_writers_write_the_index_or_none(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    rc, _, _ = cli("run", "-o", str(path), "--", *default_argv())
    assert rc == 0 and open_indexed(path) is not None
    first = index_path(path).read_bytes()
    # the same path rewritten: its own index again
    rc, _, _ = cli("run", "-o", str(path), "--", "-m", "2048")
    assert rc == 0 and open_indexed(path) is not None and index_path(path).read_bytes() != first
    # compressed: read in full, no index
    zst = tmp_path / "t.jsonl.zst"
    rc, _, _ = cli("run", "-o", str(zst), "--", *default_argv())
    assert rc == 0 and not index_path(zst).exists() and open_indexed(zst) is None
    # a trace typed reading refuses gets no index, and loses an old one
    header = ev.Header(schema=ev.SCHEMA_VERSION, tracesim="0.1.0", profile="4.2", argv=[])
    write_trace(path, header, [ev.Call(fn="main", file="vl.c"),
                               ev.Write(path="numa_state.num_nodes", value=10 ** 9)])
    assert not index_path(path).exists()
    rc, out, err = cli("debug", "-batch", "-ex", "run", str(path))
    assert rc == 2 and ":3: a store of 1000000000" in err
    # nothing left behind but the trace and its index
    rc, _, _ = cli("run", "-o", str(path), "--", *default_argv())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.jsonl", "t.jsonl.idx",
                                                          "t.jsonl.zst"]


def test_text_that_is_not_utf8_is_indexed_as_it_reads(tmp_path: Path) -> None:
    """A command line with bytes that are not UTF-8 is stored as its \\xNN text: the index
    holds what a reader decodes, not what the model had."""
    path = tmp_path / "t.jsonl"
    argv = [*default_argv(), "-numa", "node,cpus=9\udcff"]
    rc, _, _ = cli("run", "-o", str(path), "--", *argv)
    assert open_indexed(path) is not None
    args = ["debug", "-batch", "-ex", "run", "-ex", "messages", "-ex", "bt", str(path)]
    indexed = cli(*args)
    with _without_index(path):
        assert cli(*args) == indexed
    assert rc == indexed[0] or indexed[0] == 0


def test_run_builds_the_index_on_another_core_byte_for_byte(traces: dict[str, Path],
                                                           tmp_path: Path) -> None:
    """`run -o` hands each sealed block to a forked child (trace/idxworker.py): the trace and
    index it leaves are byte for byte what the in-process writer makes of the same events."""
    for name in CONFIGS:
        trace = read_trace(traces[name])
        again = tmp_path / f"{name}.jsonl"
        write_trace(again, trace.header, trace.events)
        assert again.read_bytes() == traces[name].read_bytes(), name
        assert index_path(again).read_bytes() == index_path(traces[name]).read_bytes(), name


def test_a_run_whose_index_child_dies_is_written_without_an_index(traces: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    import os
    import signal

    from tracesim.trace.seq import records_of
    from tracesim.trace.store import StreamingTraceWriter

    trace = read_trace(traces["grid-4.2"])
    path = tmp_path / "orphan.jsonl"
    writer = StreamingTraceWriter(path, trace.header)
    child = writer.sealer.index.pid
    os.kill(child, signal.SIGKILL)
    for record in records_of(trace.events):  # as recorded: repeats stay one record
        writer.msg(record)
    writer.commit()
    assert path.read_bytes() == traces["grid-4.2"].read_bytes()
    assert not index_path(path).exists()
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped: no zombie left behind
    assert open_indexed(str(path)) is None  # readers read it in full, as before
