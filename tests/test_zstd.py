"""zstd-compressed traces (`-o T.jsonl.zst`): the same lines, read by every reader, by zstdcat."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from tracesim.cli import main

SEED = ["-machine", "q35", "-m", "1024", "-smp", "cpus=4", "-numa", "node,cpus=0-1",
        "-numa", "node,cpus=2-3"]
BIG = ["-machine", "q35", "-smp", "64", "-numa", "node,cpus=0-31", "-numa", "node,cpus=32-63"]


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[Path, Path]:
    plain, packed = tmp_path / "t.jsonl", tmp_path / "t.jsonl.zst"
    for path in (plain, packed):
        assert cli("run", "-o", str(path), "--", *BIG)[0] == 0
    return plain, packed


def test_a_zst_trace_holds_the_same_lines_smaller(pair: tuple[Path, Path]) -> None:
    plain, packed = pair
    assert packed.read_bytes()[:4] == b"\x28\xb5\x2f\xfd"
    assert packed.stat().st_size * 10 < plain.stat().st_size
    if shutil.which("zstdcat"):
        lines = subprocess.run(["zstdcat", str(packed)], capture_output=True, check=True).stdout
        assert lines == plain.read_bytes()


@pytest.mark.parametrize("args", [["summary"], ["check"], ["show", "--stops"],
                                  ["debug", "-batch", "-ex", "break 699", "-ex", "run",
                                   "-ex", "p slot", "-ex", "info numa"]])
def test_every_reader_reads_it_as_the_plain_trace(pair: tuple[Path, Path], args: list[str]
                                                   ) -> None:
    plain, packed = pair
    a, b = cli(*args, str(plain)), cli(*args, str(packed))
    assert a[0] == 0 and a[1] == b[1].replace(str(packed), str(plain))


def test_diff_graph_and_export_read_it(pair: tuple[Path, Path], tmp_path: Path) -> None:
    plain, packed = pair
    other = tmp_path / "o.jsonl.zst"
    assert cli("run", "-o", str(other), "--", *SEED)[0] == 0
    rc, out, _ = cli("diff", str(packed), str(other))
    rc2, out2, _ = cli("diff", str(plain), str(other))
    assert rc == rc2 == 1 and out.replace(str(packed), str(plain)) == out2
    for fmt, ext in (("svg", "svg"),):
        assert cli("graph", "-o", str(tmp_path / f"g.{ext}"), str(packed))[0] == 0
        assert (tmp_path / f"g.{ext}").read_bytes().lstrip().startswith(b"<?xml")
    assert cli("export", "-o", str(tmp_path / "e.json"), str(packed))[0] == 0


def test_damaged_or_cut_compressed_data_is_one_line(pair: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    _, packed = pair
    data = packed.read_bytes()
    for name, bad in (("flipped", data[:200] + bytes([data[200] ^ 0x55]) + data[201:]),
                      ("cut", data[: len(data) // 2])):
        path = tmp_path / f"{name}.jsonl.zst"
        path.write_bytes(bad)
        rc, _, err = cli("summary", str(path))
        assert rc == 2 and err.count("\n") == 1 and str(path) in err, (name, err)
        assert "Traceback" not in err
