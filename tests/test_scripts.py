"""Scripts drive the debugger as they drive gdb: commands piped on stdin are read line by
line (the plain prompt before each, no echo, no escape codes, no line lost however fast
the pipe), `-x FILE` and `source FILE` in any encoding, gdb's exit statuses."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = str(ROOT / "traces" / "seed-q35-2node.jsonl")
TRACESIM = [sys.executable, "-m", "tracesim"]
PROMPT = "(tracesim) "


def debug(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*TRACESIM, "debug", *args], input=stdin, capture_output=True,
                          timeout=120, cwd=ROOT)


def test_piped_commands_all_run_however_fast_the_pipe() -> None:
    # the whole script is in the pipe before tracesim starts: nothing may be lost
    proc = debug(SEED, stdin=b"break numa_complete_configuration\nrun\nbt\nnext\np ram_size\n"
                 b"continue\nquit\n")
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert out.startswith("tracesim 0.1.0: replaying ")
    assert "Breakpoint 1 at 0x326a6a: file hw/core/numa.c, line 364." in out
    assert "hit Breakpoint 1, numa_complete_configuration" in out
    assert "#1  0x0000555555a0d6cf in machine_run_board_init" in out
    assert "$1 = 1073741824" in out
    assert "The modelled path ends at hw/core/machine.c:1143: QEMU goes on into " in out
    assert out.count(PROMPT) == 7  # one per command read, as gdb prints "(gdb) "
    assert "\x1b" not in out and "\r" not in out  # no terminal decoration
    assert proc.stderr == b""


def test_piped_output_is_gdbs_form() -> None:
    proc = debug("-q", SEED, stdin=b"p 1\nfoo\n\np 2\n\n")
    # gdb: the prompt before each read, errors on stderr, an empty line repeats the last
    # command, the final prompt before end of input, no "quit"
    assert proc.stdout.decode() == (
        f"{PROMPT}$1 = 1\n{PROMPT}{PROMPT}{PROMPT}$2 = 2\n{PROMPT}$3 = 2\n{PROMPT}"
    )
    # even a line gdb could not run is repeated by an empty line
    assert proc.stderr.decode() == 'Undefined command: "foo".  Try "help".\n' * 2
    assert proc.returncode == 0  # gdb exits 0 at the end of its input, errors or not


@pytest.mark.skipif(shutil.which("gdb") is None, reason="no gdb")
def test_piped_output_matches_real_gdb() -> None:
    script = b"p 1\nfoo\n\np 2+3\n\n# a comment\np 7\nquit 3\n"
    ours = debug("-q", SEED, stdin=script)
    gdb = subprocess.run(["gdb", "-q", "-nx"], input=script, capture_output=True, timeout=60)
    assert gdb.returncode == ours.returncode == 3
    assert ours.stdout.decode().replace(PROMPT, "(gdb) ") == gdb.stdout.decode()
    assert ours.stderr == gdb.stderr


@pytest.mark.parametrize(
    "script, status",
    [(b"run\nquit 3\n", 3), (b"quit 259\n", 3), (b"quit -1\n", 255), (b"run\n", 0),
     (b"foo\n", 0), (b"run\nquit 99999999999999999999999\np 1\n", 0), (b"", 0)],
)
def test_exit_status_as_gdb(script: bytes, status: int) -> None:
    assert debug("-q", SEED, stdin=script).returncode == status


def test_batch_does_not_read_stdin() -> None:
    proc = debug("-batch", "-ex", "p 1", SEED, stdin=b"p 2\nquit 7\n")
    assert (proc.returncode, proc.stdout) == (0, b"$1 = 1\n")


def test_a_line_that_is_not_utf8_is_read_as_bytes() -> None:
    proc = debug("-q", SEED, stdin=b"p 1\n\xff\xfe\np \"\xe9\"\np 3\n")
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "$1 = 1\n" in out and '$2 = "\\351"\n' in out and "$3 = 3\n" in out
    assert err == 'Undefined command: "\\xff\\xfe".  Try "help".\n'


def test_x_file_stops_at_its_first_error_as_gdb(tmp_path: Path) -> None:
    script = tmp_path / "cmds.gdb"
    script.write_bytes(b"p 1\r\n  p 2\n\n# comment\nfoo\np 3\n")
    proc = debug("-batch", "-x", str(script), SEED)
    assert proc.stdout.decode() == "$1 = 1\n$2 = 2\n"  # no repeat of an empty line in a file
    assert proc.stderr.decode() == (
        f'{script}:5: Error in sourced command file:\nUndefined command: "foo".  Try "help".\n'
    )
    assert proc.returncode == 1
    proc = debug("-batch", "-x", str(script), "-ex", "p 9", SEED)
    assert proc.stdout.decode().endswith("$3 = 9\n") and proc.returncode == 0


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "binary"])
def test_x_file_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    script = tmp_path / "cmds.gdb"
    text = 'break numa_complete_configuration\nrun\np "é"\n'
    data = bytes(range(256)) if encoding == "binary" else text.encode(encoding)
    script.write_bytes(data)
    proc = debug("-batch", "-x", str(script), "-ex", "p 5", SEED)
    out, err = proc.stdout.decode(), proc.stderr.decode()  # valid UTF-8, whatever came in
    assert "Traceback" not in err and "internal error" not in err
    assert out.endswith("= 5\n") and proc.returncode == 0
    if encoding == "latin-1":
        assert "hit Breakpoint 1" in out and '$1 = "\\351"' in out
    else:
        assert "Error in sourced command file:" in err


def test_x_missing_file_is_gdbs_warning() -> None:
    proc = debug("-batch", "-x", "/nonexistent/cmds.gdb", "-ex", "p 1", SEED)
    assert proc.stderr.decode() == "warning: /nonexistent/cmds.gdb: No such file or directory\n"
    assert proc.returncode == 0
    proc = debug("-batch", "-x", str(ROOT), SEED)
    assert proc.stderr.decode() == f"warning: {ROOT}: Is a directory\n"


def test_source_nests_and_reports_the_chain(tmp_path: Path) -> None:
    inner = tmp_path / "inner.gdb"
    outer = tmp_path / "outer.gdb"
    inner.write_text("p 3\nfoo\np 4\n")
    outer.write_text(f"source {inner}\np 8\n")
    proc = debug("-q", SEED, stdin=f"source {outer}\np 9\nsource {tmp_path}/none\n".encode())
    assert proc.stdout.decode() == f"{PROMPT}$1 = 3\n{PROMPT}$2 = 9\n{PROMPT}{PROMPT}"
    assert proc.stderr.decode() == (
        f"{outer}:1: Error in sourced command file:\n"
        f"{inner}:2: Error in sourced command file:\n"
        'Undefined command: "foo".  Try "help".\n'
        f"{tmp_path}/none: No such file or directory.\n"
    )


def test_source_recursion_is_bounded(tmp_path: Path) -> None:
    loop = tmp_path / "loop.gdb"
    loop.write_text(f"p 1\nsource {loop}\nsource {loop}\n")
    proc = debug("-batch", "-x", str(loop), SEED)
    assert proc.returncode == 1
    assert proc.stdout.decode().count("= 1\n") == 32
    assert proc.stderr.decode().endswith("Max user call depth exceeded -- command aborted.\n")


def test_endless_input_lines_are_bounded(tmp_path: Path) -> None:
    proc = debug("-batch", "-x", "/dev/zero", "-ex", "p 2", SEED)
    assert "Line longer than 1048576 bytes." in proc.stderr.decode()
    assert proc.stdout == b"$1 = 2\n"


def test_ex_takes_a_value_that_starts_with_a_dash() -> None:
    proc = debug("-batch", "-ex", "-foo", "-ex", "p 1", SEED)  # as gdb's getopt reads it
    assert proc.stdout == b"$1 = 1\n"
    assert proc.stderr.decode() == 'Undefined command: "-foo".  Try "help".\n'
