"""Fuzzing the command line and the debugger, seeded and bounded in time: thousands of
generated inputs, never a traceback, never over a time bound, exit statuses as documented.

`tracesim run` exits 0 (QEMU would go on), 1 (QEMU's error) or 2 (tracesim's usage error);
`tracesim debug -batch` 0, or 1 when the last command failed, or quit's N; commands piped on
stdin 0 at the end of input or quit's N (gdb's statuses). The generators are shared with
the larger campaign, bench/attack_campaign.py.
"""
from __future__ import annotations

import contextlib
import io
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tracesim.cli import main
from tracesim.debugger.commands import ALIASES, COMMANDS
from tracesim.textsafe import is_safe

ROOT = Path(__file__).resolve().parents[1]
TRACES = [ROOT / "traces" / "seed-q35-2node.jsonl",
          ROOT / "traces" / "qemu-7.2" / "seed-memdev.jsonl"]

# --------------------------------------------------------------------------- generators

CONTROL = "\x1b]0;x\x07\x1b[2J\r\x08\x7f\x9b"
HOSTILE_TEXT = ["", " ", "\udcff", "\udce9t\udcc3", CONTROL, "é", "\u202e", "１", "٣", ",", "=",
                "-", "--", "help", "?", "%s%n", "${x}", "\\", "'", '"', "\t"]


def number(rng: random.Random) -> str:
    """A number as a user or an attacker writes one."""
    pick = rng.randrange(16)
    if pick < 5:
        return str(rng.choice([0, 1, 2, 3, 4, 7, 8, 64, 128, 255, 256, 288, 1024]))
    if pick == 5:
        return str(-rng.randrange(1, 1 << 40))
    if pick == 6:
        return str(rng.choice([2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, 2**64 + 1]))
    if pick == 7:
        return "9" * rng.choice([20, 40, 300, 4301, 5000])
    if pick == 8:
        return rng.choice(["0x1p99999", "0x1p-99999", "1e18", "1e999", "nan", "inf", "-0",
                           "0x" + "f" * 40, "0b101", "0o17", "1_000", "1.5", ".5", "0x"])
    if pick == 9:
        return rng.choice(["1G", "1024M", "512k", "99999999999999T", "0.5G", "-1k", "16E",
                           "17E", "1GB", "1g", "1 G", "1x", "0x40000000", "1e3M"])
    if pick == 10:
        return rng.choice(["１", "٣", "²", "7\udcff", "3" + CONTROL])
    if pick == 11:
        return f"{rng.randrange(0, 300)}-{rng.choice(['1', '287', '288', '99999999999', 'x'])}"
    return str(rng.randrange(0, 1 << rng.choice([3, 8, 16, 32, 64])))


def text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(HOSTILE_TEXT)
    pool = "abcxyz019-=,.:/ \t" + CONTROL + "\udcff\udc80é"
    return "".join(rng.choice(pool) for _ in range(rng.randrange(1, 12)))


def _kv(rng: random.Random, keys: list[str], value: Callable[[], str]) -> str:
    return ",".join(f"{k}={value()}" for k in rng.sample(keys, rng.randrange(0, len(keys) + 1)))


def qemu_option(rng: random.Random) -> list[str]:
    """One QEMU option with a generated value (valid, odd or hostile)."""
    val = lambda: number(rng) if rng.random() < 0.8 else text(rng)  # noqa: E731
    kind = rng.randrange(12)
    if kind == 0:
        machine = rng.choice(["q35", "pc", "pc-i440fx-4.2", "pc-q35-2.11", "pc-q35-5.0",
                              "pc-q35-7.2", "isapc", "none", "microvm", text(rng)])
        extra = rng.choice(["", ",hmat=on", ",memory-backend=m0", ",accel=kvm", "," + text(rng)])
        return [rng.choice(["-machine", "-M"]), machine + extra]
    if kind == 1:
        return ["-m", rng.choice([number(rng), f"size={number(rng)},slots={number(rng)},"
                                  f"maxmem={number(rng)}", text(rng)])]
    if kind == 2:
        smp = _kv(rng, ["cpus", "sockets", "cores", "threads", "dies", "maxcpus"], val)
        return ["-smp", rng.choice([number(rng), smp, f"{number(rng)},{smp}"])]
    if kind in (3, 4, 5):
        sub = rng.choice(["node", "dist", "cpu", "hmat-lb", "hmat-cache", "bogus", ""])
        keys = {"node": ["nodeid", "cpus", "mem", "memdev", "initiator"],
                "dist": ["src", "dst", "val"],
                "cpu": ["node-id", "socket-id", "core-id", "thread-id", "die-id"],
                "hmat-lb": ["initiator", "target", "hierarchy", "data-type", "latency",
                            "bandwidth"],
                "hmat-cache": ["node-id", "size", "level", "associativity", "policy", "line"],
                }.get(sub, ["x"])
        body = _kv(rng, keys, val)
        return ["-numa", f"{sub},{body}" if body else sub]
    if kind == 6:
        return ["-object", f"memory-backend-ram,id=m{rng.randrange(3)},size={number(rng)}"]
    if kind == 7:
        return [rng.choice(["-enable-kvm", "-nographic", "-S", "-snapshot", "-no-hpet"])]
    if kind == 8:
        return [rng.choice(["-drive", "-vnc", "-name", "-cpu", "-accel", "-global"]), text(rng)]
    if kind == 9:
        return [rng.choice(["-foo", "--m", "-", "-numa", "-m", "-smp", "-machine", text(rng)])]
    if kind == 10:
        return ["-numa", f"node,cpus={number(rng)}"] * rng.randrange(1, 4)
    return [text(rng)]


def run_argv(rng: random.Random, out_path: str | None = None) -> list[str]:
    """`tracesim run` arguments: tracesim's options (sometimes odd), then QEMU's."""
    ours: list[str] = []
    profile = rng.choice(["4.2", "7.2"])
    if rng.random() < 0.95:
        ours += rng.choice([["--profile", profile], [f"--profile={profile}"]])
    else:
        ours += rng.choice([["--profile", text(rng)], ["--profile"], ["--bogus"], ["-h"]])
    if out_path is not None and rng.random() < 0.2:
        ours += ["-o", out_path]
    qemu: list[str] = []
    if rng.random() < 0.1:
        qemu.append(rng.choice(["qemu-system-x86_64", "/usr/bin/qemu-system-x86_64"]))
    for _ in range(rng.randrange(0, 7)):
        qemu += qemu_option(rng)
    return ours + (["--"] if rng.random() < 0.7 else []) + qemu


FUNCTIONS = ["numa_complete_configuration", "parse_numa", "main", "exit", "machine_run_board_init",
             "validate_numa_distance", "set_memory_options", "nope"]
PATHS = ["ram_size", "ms->ram_size", "ms->numa_state->num_nodes", "*ms->numa_state",
         "ms->numa_state->nodes[{n}].node_mem", "numa_info[{n}].distance[0]@{n}",
         "ms->possible_cpus->cpus[{n}].props", "ms->smp.cpus", "have_mem", "numa_info",
         "((X86MachineState *)ms)->smp_dies", "nb_numa_nodes", "$", "$$", "${n}", "$${n}",
         "$_siginfo", "$bogus", "ram_size@{n}", "*(int *){n}", "(char){n}", "sizeof(ram_size)",
         "{n}", "-{n}", "{n} * {n}", "{n} / 0", "{n} << {n}", "!{n}", "&ram_size", "ms[{n}]",
         "\"a\\033]0;x\\007b\"", "'\\033'", "\"{t}\"", "{t}", "(((((((((1)))))))))", "1 ? 2 : 3"]


def expression(rng: random.Random) -> str:
    return rng.choice(PATHS).format(n=number(rng), t=text(rng))


def location(rng: random.Random) -> str:
    return rng.choice([
        rng.choice(FUNCTIONS), f"hw/core/numa.c:{number(rng)}", number(rng), f"vl.c:{number(rng)}",
        f"{text(rng)}:{number(rng)}", f"*{number(rng)}", "", text(rng),
    ])


def debugger_line(rng: random.Random, allow_quit: bool = False) -> str:
    """One debugger command line: a real command with generated arguments, or garbage."""
    names = sorted(set(COMMANDS) | set(ALIASES) | {"x", "frog", "i", "dis", "del", "rev", "!"})
    names.remove("source")  # sourcing generated paths could read this process's stdin
    if not allow_quit:
        names = [n for n in names if n not in ("quit", "q", "exit")]
    name = rng.choice(names)
    if rng.random() < 0.05:
        return text(rng)
    if rng.random() < 0.05:
        return rng.choice(["", "#" + text(rng), "   ", "source /nonexistent/x.gdb",
                           "source /dev/null"])
    fmt = rng.choice(["", "", "", "/x ", "/1000000000x ", "/s ", "/i ", "/zz ", "/c ", "/a "])
    kind = rng.randrange(6)
    if kind == 0:
        arg = number(rng)
    elif kind == 1:
        arg = " ".join(number(rng) for _ in range(rng.randrange(1, 4)))
    elif kind == 2:
        arg = fmt + expression(rng)
    elif kind == 3:
        arg = location(rng) + (f" if {expression(rng)}" if rng.random() < 0.2 else "")
    elif kind == 4:
        arg = rng.choice(["", "full", "-full", "numa", "info numa", "breakpoints", "frame",
                          "locals", "args", "display", "line", "source", "record", "registers",
                          "error", "warning", "exit", "assert", "split", "dist"])
    else:
        arg = text(rng)
    return f"{name} {arg}".rstrip() if arg else name


# --------------------------------------------------------------------------- harness

class Hang(BaseException):
    """Raised by the alarm: an input ran over its time bound."""


@contextlib.contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise Hang(f"over {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def process_streams(stdin: bytes | None = None) -> Iterator[dict[str, str]]:
    """stdout/stderr (and stdin) as a real process has them under a UTF-8 locale: stdout
    strict (a lone surrogate would be a UnicodeEncodeError), stderr backslashreplace. The
    text written is in the dict once the block ends."""
    captured: dict[str, str] = {}
    out = io.TextIOWrapper(io.BytesIO(), "utf-8", "strict", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), "utf-8", "backslashreplace", write_through=True)
    saved = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr = out, err
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), "utf-8")
    try:
        yield captured
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved
        for name, stream in (("out", out), ("err", err)):
            stream.flush()
            raw = stream.detach()
            assert isinstance(raw, io.BytesIO)
            captured[name] = raw.getvalue().decode("utf-8", "replace")


def call_main(argv: list[str], stdin: bytes | None = None,
              seconds: float = 20.0) -> tuple[int, str, str]:
    """tracesim as a process runs it: the status main returns or SystemExit carries."""
    with process_streams(stdin) as captured, time_bound(seconds):
        try:
            status = main(argv)
        except SystemExit as done:  # argparse's --help
            status = done.code if isinstance(done.code, int) else 1
    return status, captured["out"], captured["err"]


def has_quit(lines: list[str]) -> bool:
    return any(line.split()[:1] in (["q"], ["quit"], ["exit"]) for line in lines)


# --------------------------------------------------------------------------- tests

@pytest.mark.parametrize("seed", range(4))
def test_fuzz_run_command_line(seed: int, tmp_path: Path) -> None:
    rng = random.Random(1000 + seed)
    out_path = str(tmp_path / "t.jsonl")
    start = time.monotonic()
    for _ in range(400):
        argv = ["run", *run_argv(rng, out_path)]
        try:
            status, _, err = call_main(argv, seconds=15)
        except Hang:
            pytest.fail(f"over the time bound: {argv!r}")
        except Exception as exc:  # a traceback
            pytest.fail(f"{type(exc).__name__}: {exc} on {argv!r}")
        assert status in (0, 1, 2), (status, argv)
        assert "Traceback" not in err, argv
    assert time.monotonic() - start < 120


@pytest.mark.parametrize("seed", range(4))
def test_fuzz_debugger_batch(seed: int) -> None:
    rng = random.Random(2000 + seed)
    for _ in range(12):
        lines = [debugger_line(rng, allow_quit=rng.random() < 0.2) for _ in range(30)]
        if rng.random() < 0.7:
            lines.insert(rng.randrange(0, 3), rng.choice(["run", "start", "break main"]))
        argv = ["debug", "-batch", *[a for line in lines for a in ("-ex", line)],
                str(rng.choice(TRACES))]
        try:
            status, out, err = call_main(argv, seconds=20)
        except Hang:
            pytest.fail(f"over the time bound: {lines!r}")
        except Exception as exc:
            pytest.fail(f"{type(exc).__name__}: {exc} on {lines!r}")
        assert "internal error" not in err and "Traceback" not in err, (err, lines)
        assert is_safe(out) and is_safe(err), lines
        if not has_quit(lines):
            assert status in (0, 1), (status, lines)


@pytest.mark.parametrize("seed", range(4))
def test_fuzz_debugger_piped_stdin(seed: int) -> None:
    rng = random.Random(3000 + seed)
    for _ in range(8):
        lines = [debugger_line(rng, allow_quit=rng.random() < 0.2) for _ in range(30)]
        lines.insert(0, rng.choice(["run", "start", "break numa_complete_configuration"]))
        data = "\n".join(lines).encode("utf-8", "surrogateescape")
        if rng.random() < 0.3:  # a script in another encoding, or with a binary line
            data += b"\n\xff\xfe\x00garbage\r\np \"\xe9\"\n"
        try:
            status, out, err = call_main(["debug", str(rng.choice(TRACES))], stdin=data,
                                         seconds=20)
        except Hang:
            pytest.fail(f"over the time bound: {lines!r}")
        except Exception as exc:
            pytest.fail(f"{type(exc).__name__}: {exc} on {lines!r}")
        assert "internal error" not in err and "Traceback" not in err, (err, lines)
        assert is_safe(out) and is_safe(err), lines
        assert out.count("(tracesim) ") >= 1
        if not has_quit(lines):
            assert status == 0, (status, lines)


# --------------------------------------------------------------------------- bounded commands

BOUNDED = [
    "delete 1-99999999999", "disable 1-1e18", "enable 1-18446744073709551616",
    "undisplay 1-9999999999",
    "x/1000000000 ram_size", "p numa_info[0].distance[0]@99999999", "p ram_size@99999999",
    "output ram_size@1000000000", "list 1,999999999", "list 999999999999",
    "ignore 1 99999999999999999999", "ignore 1 9999999999", "step 1000000000",
    "next 99999999999999999999", "reverse-step 1000000000", "rn 1000000000", "continue 1000000000",
    "up 99999999999999", "down 99999999999999", "frame 99999999999999", "bt 99999999999999",
    "bt -99999999999999", "goto 99999999999999", "p $99999999999999", "p $" + "9" * 5000,
    "step " + "9" * 5000, "info line 99999999999", "break 99999999999", "until", "advance 99999",
    "display/1000000000x ram_size", "p/x ram_size@100000", "watch ram_size@99999999",
    "delete " + " ".join(str(n) for n in range(1, 5000)),
]


@pytest.mark.parametrize("trace", TRACES, ids=["4.2", "7.2"])
def test_huge_numbers_in_commands_cost_nothing(trace: Path) -> None:
    import tracemalloc

    lines = ["break numa_complete_configuration", "display ram_size", "run",
             "ignore 1 99999999999999999999", "ignore 1 9999999999"]
    for line in BOUNDED:
        lines += [line, "run"]
    argv = ["debug", "-batch", *[a for line in lines for a in ("-ex", line)], str(trace)]
    tracemalloc.start()
    start = time.monotonic()
    try:
        status, out, err = call_main(argv, seconds=60)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.monotonic() - start < 30
    assert peak < 200 << 20, peak  # the trace and its index, not the numbers typed
    assert "internal error" not in err and "Traceback" not in err
    assert status in (0, 1)
    assert "Numeric constant too large." in err and "Value out of range." in err
    assert "No breakpoint numbers 102-99999999999." in out


def test_gdb_messages_for_breakpoint_numbers() -> None:
    trace = str(TRACES[0])
    status, out, err = call_main(["debug", "-batch", "-ex", "break main", "-ex", "break exit",
                                  "-ex", "disable 1-1e18", "-ex", "disable 5-3",
                                  "-ex", "delete -1", "-ex", "delete 2-4", "-ex", "info b",
                                  "-ex", "quit 4294967299", trace])
    assert status == 3  # exit(2) keeps the low byte, as gdb's quit does
    assert err.splitlines() == ["Bad breakpoint number '1-1e18'",
                                "Inverted breakpoint range at '5-3'", "negative value"]
    assert "No breakpoint number 3.\nNo breakpoint number 4." in out
    assert out.rstrip().splitlines()[-1].startswith("1       breakpoint     keep y")
