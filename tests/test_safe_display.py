"""Control characters from a trace or from QEMU's arguments never reach the terminal raw:
summary, show and every debugger output (stop lines, print, info, messages, the banner,
list) escape them as gdb escapes a string."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import msgspec
import pytest

from tracesim.cli import main, simulate_trace
from tracesim.debugger.driver import Driver
from tracesim.debugger.session import Session
from tracesim.textsafe import is_safe, safe_line, safe_text
from tracesim.trace import events as ev
from tracesim.trace.store import Trace, write_trace

EVIL = "\x1b]0;pwned\x07\x1b[2J"  # retitle the terminal, then clear it
SHOWN = "\\033]0;pwned\\a\\033[2J"
SEED = ["-machine", "q35", "-m", "1024", "-smp", "4", "-numa", "node", "-numa", "node"]


def test_the_helper_escapes_as_gdb_and_keeps_plain_text() -> None:
    assert safe_text(EVIL) == SHOWN
    assert safe_text("a\tb\nc") == "a\tb\nc"
    assert safe_line("a\nb") == "a\\nb"
    assert safe_text("\x00\x08\x0b\x0c\r\x7f") == "\\000\\b\\v\\f\\r\\177"
    assert safe_text("\x9b31m") == "\\302\\23331m"  # C1 CSI: its UTF-8 bytes in octal
    assert safe_text(b"x\xff\xfey".decode("utf-8", "surrogateescape")) == "x\\xff\\xfey"
    assert safe_text("\ud800") == "\\ud800"
    assert safe_text("naïve 1024 MB — ok \\033") == "naïve 1024 MB — ok \\033"
    plain = "numa_complete_configuration hw/core/numa.c:364"
    assert safe_text(plain) is plain  # nothing to do costs nothing


def hostile_trace() -> Trace:
    """The seed's run with a report text and the machine name carrying escape codes."""
    trace = simulate_trace(SEED)
    events = [
        msgspec.structs.replace(e, text=f"{EVIL}{e.text}") if type(e) is ev.Report else e
        for e in trace.events
    ]
    header = msgspec.structs.replace(trace.header, argv=[*SEED, "-name", f"vm{EVIL}\udcff"])
    return Trace(header, events)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    trace = hostile_trace()
    path = tmp_path_factory.mktemp("evil") / "evil.jsonl"
    try:
        write_trace(path, trace.header, trace.events)
    except UnicodeEncodeError:  # a trace cannot hold lone surrogates: keep the escapes
        header = msgspec.structs.replace(trace.header, argv=[*SEED, "-name", f"vm{EVIL}"])
        write_trace(path, header, trace.events)
    return path


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_safe(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    assert is_safe(text), [c for c in text if not safe_text(c) == c]


def test_summary_escapes_report_text(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(capsys, "summary", str(hostile))
    assert status == 0, err
    assert_safe(out)
    assert f"qemu-system-x86_64: warning: {SHOWN}Default splitting" in out


def test_summary_json_is_json_escaped(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "summary", "--json", str(hostile))
    assert status == 0 and "\x1b" not in out and "\\u001b]0;pwned" in out
    assert EVIL + "Default splitting" in msgspec.json.decode(out)["stderr"]


@pytest.mark.parametrize("flags", [[], ["--stops"], ["--kind", "report"]])
def test_show_escapes_everything(
    hostile: Path, capsys: pytest.CaptureFixture[str], flags: list[str]
) -> None:
    status, out, _ = run_main(capsys, "show", str(hostile), *flags)
    assert status == 0
    assert_safe(out)
    if flags != ["--stops"]:
        assert SHOWN in out


def debug_lines(trace: Trace, *commands: str) -> tuple[list[str], list[str]]:
    out: list[str] = []
    err: list[str] = []
    driver = Driver(Session(trace), out.append, err.append)
    for line in commands:
        driver.run_line(line)
    return out, err


def test_debugger_output_is_escaped() -> None:
    trace = hostile_trace()
    out, err = debug_lines(
        trace, "catch warning", "run", "messages", "info record", "bt", "list", "info frame",
        "why", "p \"\\033]0;x\\007\"", "echo \x1b[2J\\n", "continue", "messages",
    )
    text = "\n".join(out + err)
    assert_safe(text)
    assert SHOWN in text  # the report, as `messages` shows it
    assert "vm" + SHOWN + "\\xff" in text  # the argv in `run` and `info record`
    assert '$1 = "\\033]0;x\\a"' in out  # print: gdb's own escapes
    assert "\\033[2J" in text


def test_batch_and_banner_escape_the_argv(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["-machine", f"q35{EVIL}", "-m", "1G", "-name", "\udcfe"]
    status, out, err = run_main(capsys, "debug", "-batch", "-ex", "run", "-ex", "messages",
                                "-ex", "info record", "--", *argv)
    assert status == 0, err
    assert_safe(out + err)
    assert f"-machine q35{SHOWN}: unsupported machine type" in out
    assert "\\xfe" in out


def test_the_banner_of_piped_mode_is_escaped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"run\ninfo source\n")))
    status, out, err = run_main(capsys, "debug", "--", "-machine", f"pc{EVIL}", "-m", "1G")
    assert status == 0
    assert_safe(out + err)
    assert out.startswith(f"tracesim 0.1.0: replaying qemu-system-x86_64 -machine pc{SHOWN} ")


def test_list_and_stop_lines_of_a_trace_with_odd_names() -> None:
    """Function and file names are the trace's too: a damaged name is shown escaped."""
    trace = simulate_trace(SEED)
    events = [
        msgspec.structs.replace(e, file=f"hw/core/numa{EVIL}.c")
        if type(e) is ev.Call and e.fn == "numa_complete_configuration" else e
        for e in trace.events
    ]
    out, err = debug_lines(Trace(trace.header, events), "break numa_complete_configuration",
                           "run", "list", "info source", "info line", "bt", "finish")
    text = "\n".join(out + err)
    assert_safe(text)
    assert f"hw/core/numa{SHOWN}.c" in text
