"""Traces that prove they are whole, typed reading and bounded readers (issue 10).

Real traces from traces/, damaged every way hypothesis can think of, read through the real
command line (tracesim.cli.main in-process, or a child process where time and memory are
measured): either one line naming the file and the first bad line, exit 2, or the bytes are
the original's. Never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import measured
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracesim.cli import main, simulate_trace
from tracesim.trace import events as ev
from tracesim.trace.store import (TraceError, chain, encode_lines, header_digest, parse_trace,
                                  read_trace)
from tracesim.trace.validate import MAX_DEPTH

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "traces" / "seed-q35-2node.jsonl"
SEED72 = ROOT / "traces" / "qemu-7.2" / "seed-memdev.jsonl"
ONE_LINE = re.compile(r"tracesim: [^\n]*:(\d+): [^\n]+\n")
_TMP = Path(tempfile.mkdtemp(prefix="tracesim-integrity-"))


def _small_blocks(path: Path, block: int = 64) -> bytes:
    """The same run sealed every `block` events: many blocks to reorder and drop."""
    trace = read_trace(path)
    header = ev.Header(schema=trace.header.schema, tracesim=trace.header.tracesim,
                       profile=trace.header.profile, argv=trace.header.argv, block=block)
    return encode_lines(header, trace.events)


ORIGINALS = {"seed": SEED.read_bytes(), "seed72": SEED72.read_bytes(),
             "blocks": _small_blocks(SEED)}


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


def summary_of(data: bytes, name: str = "t.jsonl") -> tuple[int, str, str]:
    path = _TMP / name
    path.write_bytes(data)
    return cli("summary", str(path))


def refused(data: bytes) -> int:
    """The line number a reader names for `data`, asserting the one-line form."""
    rc, out, err = summary_of(data)
    assert rc == 2 and out == "", (rc, out, err)
    m = ONE_LINE.fullmatch(err)
    assert m, err
    return int(m.group(1))


def reported_or_same(data: bytes, original: bytes) -> None:
    rc, out, err = summary_of(data)
    assert "Traceback" not in err
    if data == original:
        assert rc == 0, err
        return
    assert rc == 2 and out == "", f"accepted a damaged trace: {rc} {err!r}"
    assert ONE_LINE.fullmatch(err), err


def reseal(lines: list[bytes]) -> bytes:
    """Lines (header, events) sealed as a writer would, whatever they hold: the digests
    are no defence against a made-up trace, typed reading is."""
    digest = header_digest(lines[0])
    body = b"".join(lines[1:])
    digest = chain(digest, body)
    end = {"k": "end", "n": len(lines) - 1, "digest": digest.hex(), "events": len(lines) - 1,
           "blocks": 1}
    return lines[0] + body + json.dumps(end, separators=(",", ":")).encode() + b"\n"


HEADER = b'{"k":"header","schema":2,"tracesim":"0.1.0","profile":"4.2","argv":[]}\n'
MAIN = b'{"k":"call","fn":"main","file":"vl.c"}\n'

_fuzz = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- every damage is reported, or the bytes are the original's ---------------------------------
def test_the_originals_are_read() -> None:
    for data in ORIGINALS.values():
        rc, out, err = summary_of(data)
        assert rc == 0 and err == "" and "exit status" in out


@_fuzz
@given(st.binary(max_size=2000))
def test_any_byte_string(data: bytes) -> None:
    reported_or_same(data, ORIGINALS["seed"])


@_fuzz
@given(st.sampled_from(sorted(ORIGINALS)), st.data())
def test_any_truncation(which: str, draw: Any) -> None:
    original = ORIGINALS[which]
    cut = draw.draw(st.integers(0, len(original)))
    reported_or_same(original[:cut], original)


@_fuzz
@given(st.sampled_from(sorted(ORIGINALS)), st.data())
def test_any_single_byte_flip(which: str, draw: Any) -> None:
    original = ORIGINALS[which]
    at = draw.draw(st.integers(0, len(original) - 1))
    bit = draw.draw(st.integers(0, 7))
    data = bytearray(original)
    data[at] ^= 1 << bit
    reported_or_same(bytes(data), original)


@_fuzz
@given(st.sampled_from(sorted(ORIGINALS)), st.data())
def test_any_byte_replaced(which: str, draw: Any) -> None:
    original = ORIGINALS[which]
    at = draw.draw(st.integers(0, len(original) - 1))
    data = bytearray(original)
    data[at] = draw.draw(st.sampled_from(b'0123456789"{}[],:\n \\\x00\xff\x80'))
    reported_or_same(bytes(data), original)


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


@_fuzz
@given(st.sampled_from(sorted(ORIGINALS)), st.data())
def test_any_line_deleted_or_duplicated(which: str, draw: Any) -> None:
    original = ORIGINALS[which]
    lines = _lines(original)
    i = draw.draw(st.integers(0, len(lines) - 1))
    j = draw.draw(st.integers(i, min(len(lines), i + 5)))
    if draw.draw(st.booleans()):
        mutated = lines[:i] + lines[j:]
    else:
        mutated = lines[:j] + lines[i:j] + lines[j:]
    reported_or_same(b"".join(mutated), original)


@_fuzz
@given(st.sampled_from(sorted(ORIGINALS)), st.data())
def test_any_lines_reordered(which: str, draw: Any) -> None:
    original = ORIGINALS[which]
    lines = _lines(original)
    i = draw.draw(st.integers(0, len(lines) - 1))
    j = draw.draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    reported_or_same(b"".join(lines), original)


def _blocks(data: bytes) -> tuple[bytes, list[bytes]]:
    """The header line and each block with its seal."""
    lines = _lines(data)
    blocks, current = [], b""
    for line in lines[1:]:
        current += line
        if line.startswith((b'{"k":"seal"', b'{"k":"end"')):
            blocks.append(current)
            current = b""
    return lines[0], blocks


def test_blocks_reordered_dropped_or_repeated_are_refused() -> None:
    head, blocks = _blocks(ORIGINALS["blocks"])
    assert len(blocks) > 10
    sealed = blocks[:-1]
    for mutated in (sealed[1:] + blocks[-1:],  # the first block gone
                    [sealed[1], sealed[0]] + sealed[2:] + blocks[-1:],  # two swapped
                    sealed[:3] + [sealed[2]] + sealed[3:] + blocks[-1:],  # one repeated
                    sealed[:5] + sealed[6:] + blocks[-1:],  # one in the middle gone
                    sealed):  # the end record gone
        line = refused(head + b"".join(mutated))
        assert line > 1


def test_the_first_bad_line_is_named() -> None:
    original = ORIGINALS["blocks"]
    lines = _lines(original)
    k = next(i for i, line in enumerate(lines) if b'"path":"numa_state.num_nodes"' in line)
    lines[k] = lines[k].replace(b'"value":', b'"value":1')  # still valid JSON, still typed
    assert refused(b"".join(lines)) <= k + 1  # its block, at or before it
    lines = _lines(original)
    lines[k] = lines[k][:10] + b"\n"  # a cut line: named exactly
    assert refused(b"".join(lines)) == k + 1


# --- the format ------------------------------------------------------------------------------
def test_seals_every_block_and_an_end_record() -> None:
    lines = _lines(ORIGINALS["blocks"])
    end = json.loads(lines[-1])
    assert end["k"] == "end" and end["exit"] == 0 and end["reports"] == 1
    seals = [json.loads(x) for x in lines if x.startswith(b'{"k":"seal"')]
    assert all(s["n"] == 64 for s in seals) and end["blocks"] == len(seals) + 1
    assert end["events"] == sum(s["n"] for s in seals) + end["n"] == len(lines) - len(seals) - 2


def test_streaming_writer_writes_what_encode_lines_writes(tmp_path: Path) -> None:
    argv = ["-machine", "q35", "-m", "4G", "-smp", "16"]
    for i in range(8):
        argv += ["-numa", f"node,cpus={2 * i}-{2 * i + 1}"]
    out = tmp_path / "t.jsonl"
    rc, _, _ = cli("run", "-o", str(out), "--", *argv)
    trace = simulate_trace(argv)
    assert len(trace.events) > 2 * ev.BLOCK_EVENTS  # three blocks at least
    assert out.read_bytes() == encode_lines(trace.header, trace.events)
    assert read_trace(out).events == trace.events


def test_schema_1_is_refused_saying_how_to_regenerate() -> None:
    old = ORIGINALS["seed"].replace(b'"schema":2', b'"schema":1', 1)
    rc, _, err = summary_of(old)
    assert rc == 2 and ":1: a schema-1 trace" in err and "tracesim run --profile 4.2" in err


@pytest.mark.parametrize("header,why", [
    (b'{"k":"header","schema":3,"tracesim":"9.0","profile":"4.2","argv":[]}', "upgrade"),
    (b'{"k":"header","schema":2,"tracesim":"0.1.0","profile":"1.0","argv":[]}', "not model"),
    (b'{"k":"header","schema":2,"tracesim":"","profile":"4.2","argv":[]}', "version"),
])
def test_foreign_headers_are_refused(header: bytes, why: str) -> None:
    rc, _, err = summary_of(reseal([header + b"\n", MAIN]))
    assert rc == 2 and why in err and ONE_LINE.fullmatch(err), err


# --- typed reading ---------------------------------------------------------------------------
@pytest.mark.parametrize("body,line,why", [
    ([b'{"k":"ret"}\n'], 2, "a return outside any call"),
    ([b'{"k":"step","line":3}\n'], 2, "a stop outside any call"),
    ([MAIN, b'{"k":"ret"}\n', b'{"k":"ret"}\n'], 4, "a return outside any call"),
    ([MAIN, b'{"k":"write","path":"numa_state.num_nodes","value":1000000000}\n'], 3, "outside"),
    ([MAIN, b'{"k":"write","path":"numa_state.num_nodes","value":"2"}\n'], 3, "str"),
    ([MAIN, b'{"k":"write","path":"numa_state.num_nodes","value":2.0}\n'], 3, "float"),
    ([MAIN, b'{"k":"write","path":"possible_cpus.len","value":289}\n'], 3, "outside"),
    ([MAIN, b'{"k":"write","path":"numa_state.nodes[128].node_mem","value":1}\n'], 3, "index"),
    ([MAIN, b'{"k":"write","path":"numa_state.nodes[0].distance[0]","value":256}\n'], 3,
     "outside"),
    ([MAIN, b'{"k":"write","path":"nowhere","value":1}\n'], 3, "does not have"),
    ([MAIN, b'{"k":"report","line":1,"kind":"error","text":"\xff\xfe"}\n'], 3, "UTF-8"),
    ([MAIN, b'{"k":"report","line":1,"kind":"shout","text":"x"}\n'], 3, "damaged event"),
    ([MAIN, b'{"k":"exit","line":1,"status":300}\n'], 3, "damaged event"),
    ([MAIN, b'{"k":"step","line":' + b"9" * 5000 + b"}\n"], 3, "damaged event"),
    ([MAIN, b'{"k":"local","name":"x","value":[1,2]}\n'], 3, "damaged event"),
])
def test_typed_reading_refuses(body: list[bytes], line: int, why: str) -> None:
    data = reseal([HEADER, *body])
    rc, out, err = summary_of(data)
    assert rc == 2 and out == "" and ONE_LINE.fullmatch(err), err
    assert f":{line}: " in err and why in err, err


def test_nested_calls_beyond_a_sane_depth_are_refused() -> None:
    data = encode_lines(ev.Header(schema=2, tracesim="0.1.0", profile="4.2", argv=[]),
                        [ev.Call(fn="main", file="vl.c")] * 200_000)
    rc, _, err = summary_of(data)
    assert rc == 2 and f":{MAX_DEPTH + 2}: calls nested deeper than {MAX_DEPTH}" in err


# --- every reader refuses the same way --------------------------------------------------------
def _damaged() -> Path:
    data = bytearray(ORIGINALS["blocks"])
    k = data.index(b'"node_mem","value":') + 19
    data[k] = ord("9") if data[k] != ord("9") else ord("8")
    path = _TMP / "damaged.jsonl"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("args", [
    ["summary", "{T}"], ["summary", "--json", "{T}"], ["show", "{T}"], ["show", "--stops", "{T}"],
    ["debug", "-batch", "-ex", "run", "{T}"], ["diff", "{T}", str(SEED)],
    ["diff", str(SEED), "{T}"], ["graph", "{T}"], ["graph", "{T}", "--cfg", "parse_numa"],
    ["export", "{T}"], ["check", "{T}"],
])
def test_every_reader_refuses_a_damaged_trace(args: list[str]) -> None:
    path = str(_damaged())
    rc, out, err = cli(*[a.replace("{T}", path) for a in args])
    assert rc == 2 and out == "", (rc, err)
    assert ONE_LINE.fullmatch(err) and path in err, err


def test_diff_of_two_intact_traces_still_works() -> None:
    rc, out, err = cli("diff", str(SEED), str(ROOT / "traces" / "explicit-mem.jsonl"))
    assert rc == 1 and err == "" and "part ways" in out
    blocks = _TMP / "blocks.jsonl"
    blocks.write_bytes(ORIGINALS["blocks"])  # sealed differently, the same events
    rc, out, err = cli("diff", str(SEED), str(blocks))
    assert rc == 0 and err == "", err


# --- tracesim check --------------------------------------------------------------------------
def test_check_says_intact_and_replays_to_its_outcome() -> None:
    rc, out, err = cli("check", str(SEED))
    assert rc == 0 and err == ""
    assert "intact" in out and "exit status 0, 1 message" in out and "profile 4.2" in out


def test_check_refuses_an_end_record_that_lies() -> None:
    lines = _lines(ORIGINALS["seed"])
    lines[-1] = lines[-1].replace(b'"exit":0', b'"exit":1')
    path = _TMP / "lies.jsonl"
    path.write_bytes(b"".join(lines))
    rc, out, err = cli("check", str(path))
    assert rc == 2 and f":{len(lines)}: the end record says exit status 1" in err


def test_parse_trace_is_typed() -> None:
    with pytest.raises(TraceError, match=":1: empty file"):
        parse_trace(b"")
    assert parse_trace(ORIGINALS["seed72"]).header.profile == "7.2"


# --- bounded time and memory -----------------------------------------------------------------
def test_a_billion_nodes_cost_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nodes.jsonl"
    path.write_bytes(reseal([HEADER, MAIN, b'{"k":"write","path":"numa_state.num_nodes",'
                                           b'"value":1000000000}\n']))
    for args in (["summary", str(path)], ["debug", "-batch", "-ex", "run", str(path)]):
        rc, wall, rss, err = measured(*args)
        assert rc == 2 and ":3: a store of 1000000000" in err
        assert wall < 10 and rss < 150, (wall, rss)


def test_a_gigabyte_of_zeros_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "zeros.jsonl"
    with open(path, "wb") as fh:
        fh.truncate(1 << 30)  # sparse: takes no disk
    for command in ("summary", "show", "check", "graph", "export"):
        rc, wall, rss, err = measured(command, str(path))
        assert rc == 2 and ":1: " in err and "Traceback" not in err, err
        assert wall < 10 and rss < 150, (command, wall, rss)
    rc, wall, rss, err = measured("diff", str(path), str(SEED))
    assert rc == 2 and ":1: " in err and wall < 10 and rss < 150, (err, wall, rss)


def test_a_gigabyte_trace_without_seals_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    step = b'{"k":"step","line":1}\n'
    with open(path, "wb") as fh:
        fh.write(HEADER + MAIN)
        fh.write(step * ((64 << 20) // len(step)))  # 64 MiB, and no seal
    rc, wall, rss, err = measured("summary", str(path))
    assert rc == 2 and ":2: no seal within 32 MiB" in err
    assert rss < 250, rss


def test_deep_nesting_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    header = ev.Header(schema=2, tracesim="0.1.0", profile="4.2", argv=[])
    path.write_bytes(encode_lines(header, [ev.Call(fn="main", file="vl.c")] * 200_000))
    for args in (["summary", str(path)], ["debug", "-batch", "-ex", "bt", str(path)],
                 ["diff", str(path), str(SEED)], ["graph", str(path)]):
        rc, wall, rss, err = measured(*args)
        assert rc == 2 and "calls nested deeper" in err, err
        assert wall < 10 and rss < 150, (args, wall, rss)


def test_no_reader_holds_the_whole_file(tmp_path: Path) -> None:
    """Readers stream: the bytes held at any time are a read chunk and a block, however
    long the trace (here 22 MiB of events in 4 MiB chunks)."""
    from tracesim.trace import store

    from tracesim.qemu.simulate import simulate
    from tracesim.trace.recorder import Recorder

    argv = ["-machine", "q35", "-m", "64G", "-smp", "128"]
    for i in range(64):
        argv += ["-numa", f"node,cpus={2 * i}"]
    rec = Recorder(compact=False)  # every slot-loop iteration a line: a long file
    simulate(argv, rec)
    data = encode_lines(simulate_trace(argv).header, rec.events)
    assert len(data) > 4 * store.CHUNK
    reader = store.TraceReader(io.BytesIO(data), "t.jsonl")
    held = count = 0
    for block in reader.blocks():
        held = max(held, len(reader.buf))
        count += block.count
    assert count == len(rec.events)
    assert held <= store.CHUNK + 2 * ev.BLOCK_EVENTS * 200, held
