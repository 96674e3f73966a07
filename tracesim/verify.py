"""`tracesim verify`: run a real QEMU and the model on the same command line and compare.

The real binary runs to its monitor (`-S -display none -nodefaults -monitor stdio`), answers
`info numa` and quits; the model simulates the line. Exit status, stderr (byte for byte) and
`info numa` must agree. The model ends where QEMU goes on into machine_class->init: when the
model exits 0 and real QEMU fails or warns after the model's own messages, the line is
"beyond the modelled path" (not a disagreement, counted apart).

Exit: 0 agree (or beyond), 1 disagree, 2 trouble (no binary, no profile, a hang, a usage error).
"""

from __future__ import annotations

import ast
import difflib
import functools
import multiprocessing
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

from .cli import Parser, UsageError, simulate_trace, split_qemu_args
from .profiles import PROFILES, known_profiles

DEFAULT_QEMU = "qemu-system-x86_64"
DEFAULT_TIMEOUT = 30.0
MONITOR_ARGS = ["-S", "-display", "none", "-nodefaults", "-monitor", "stdio"]
MONITOR_INPUT = b"info numa\nquit\n"
PROMPT = "(qemu)"

Kind = Literal["agree", "disagree", "beyond", "trouble"]


class Trouble(Exception):
    """Verification could not be done: one line, exit 2."""


# -- the real binary -------------------------------------------------------------------------


@dataclass
class RealRun:
    status: int  # negative: killed by that signal
    stdout: bytes
    stderr: bytes


def find_qemu(path: str | None) -> str:
    """The binary to run: PATH, or QEMU's default name looked up on $PATH."""
    name = path or DEFAULT_QEMU
    found = shutil.which(name)
    if found is None:
        if os.sep in name:
            why = "no such file" if not os.path.exists(name) else "not an executable file"
        else:
            why = "not found on PATH"
        raise Trouble(f"tracesim verify: {name}: {why}")
    return found


def qemu_version(binary: str, timeout: float) -> str | None:
    """The version `BINARY --version` reports ("7.2.22"), or None if it names none."""
    try:
        done = subprocess.run([binary, "--version"], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Trouble(f"tracesim verify: {binary} --version did not finish in {timeout:g} s")
    except OSError as err:
        raise Trouble(f"tracesim verify: cannot run {binary}: {err.strerror or err}")
    m = re.search(rb"QEMU emulator version (\d+\.\d+(?:\.\d+)*)", done.stdout)
    return m.group(1).decode() if m else None


def profile_for(version: str | None, binary: str) -> str:
    """The profile a QEMU version is verified against: its major.minor."""
    if version is None:
        raise Trouble(f"tracesim verify: {binary} --version names no QEMU version; "
                      f"give --profile ({known_profiles()})")
    major_minor = ".".join(version.split(".")[:2])
    if major_minor not in PROFILES:
        raise Trouble(f"tracesim verify: {binary} is QEMU {version}; tracesim has no profile "
                      f"{major_minor} (profiles: {known_profiles()})")
    return major_minor


def start_real(binary: str, argv: list[str]) -> subprocess.Popen[bytes]:
    """Start QEMU to its monitor; `finish_real` asks `info numa` and quits."""
    try:
        return subprocess.Popen([binary, *MONITOR_ARGS, *argv], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as err:
        raise Trouble(f"tracesim verify: cannot run {binary}: {err.strerror or err}")


def finish_real(proc: subprocess.Popen[bytes], argv: list[str], timeout: float) -> RealRun:
    try:
        out, err = proc.communicate(MONITOR_INPUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise Trouble(f"tracesim verify: {proc.args[0]!s} did not finish in {timeout:g} s "
                      f"on: {shlex.join(argv)}")
    # a process killed by signal N is what a shell reports as 128 + N (the model's exit)
    status = 128 - proc.returncode if proc.returncode < 0 else proc.returncode
    return RealRun(status, out, err)


def run_real(binary: str, argv: list[str], timeout: float) -> RealRun:
    """Run QEMU to its monitor, ask `info numa`, quit."""
    return finish_real(start_real(binary, argv), argv, timeout)


# -- reading the monitor ---------------------------------------------------------------------

_CSI = re.compile(r"\x1b\[([0-9;?]*)([ -/]*[@-~])")
_ESC_OTHER = re.compile(r"\x1b[@-Z\\-_]?")


def render_line(line: str) -> str:
    """What a terminal shows for one line of output: cursor moves and erases applied."""
    buf: list[str] = []
    col = 0
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\x1b":
            m = _CSI.match(line, i)
            if m:
                params, final = m.group(1), m.group(2)[-1]
                n = int(params.split(";")[0]) if params[:1].isdigit() else 0
                if final == "D":
                    col = max(0, col - max(n, 1))
                elif final == "C":
                    col += max(n, 1)
                elif final == "K":
                    if n == 0:
                        del buf[col:]
                    elif n == 1:
                        buf[: col + 1] = [" "] * min(col + 1, len(buf))
                    else:
                        buf = []
                elif final == "G":
                    col = max(n, 1) - 1
                i = m.end()
            else:
                i = _ESC_OTHER.match(line, i).end()  # type: ignore[union-attr]
            continue
        if ch == "\r":
            col = 0
        elif ch == "\b":
            col = max(0, col - 1)
        elif ch >= " " or ch == "\t":
            if col > len(buf):
                buf += [" "] * (col - len(buf))
            if col == len(buf):
                buf.append(ch)
            else:
                buf[col] = ch
            col += 1
        i += 1
    return "".join(buf).rstrip()


def monitor_answer(stdout: bytes | str, command: str = "info numa") -> str | None:
    """The monitor's answer to `command` in the stdout of `-monitor stdio`, lines ending
    in "\\n"; None when the monitor never answered. Handles the banner, "(qemu) " prompts,
    the echo with its terminal escapes, CR LF line ends, and a monitor that does not echo."""
    text = stdout.decode("utf-8", "replace") if isinstance(stdout, bytes) else stdout
    lines = [render_line(raw) for raw in text.split("\n")]
    start = next((i for i, ln in enumerate(lines) if ln.startswith(PROMPT)), None)
    if start is None:
        return None
    rest = lines[start][len(PROMPT):].strip()
    answer: list[str] = []
    if rest and rest != command:
        answer.append(rest)  # no echo: the answer follows the prompt
    prompted = False
    for ln in lines[start + 1 :]:
        if ln.startswith(PROMPT):
            prompted = True
            break
        answer.append(ln)
    if not prompted:
        while answer and not answer[-1]:
            answer.pop()
    if not answer and not rest:
        return None
    return "".join(ln + "\n" for ln in answer)


# -- the model -------------------------------------------------------------------------------


@dataclass
class SimRun:
    status: int
    stderr: str
    info_numa: str


def run_model(argv: list[str], profile: str) -> SimRun:
    from .debugger.outcome import info_numa, stdout_stderr
    from .trace.fold import fold

    try:
        trace = simulate_trace(argv, profile)
        state = fold(trace.events)
        _, err = stdout_stderr(trace.events)
    except Exception as exc:  # a model bug must not end the whole run
        raise Trouble(f"tracesim verify: the model failed ({type(exc).__name__}: {exc}) on: "
                      f"{shlex.join(argv)}")
    status = state.exit_status if state.exit_status is not None else 0
    return SimRun(status, err, info_numa(state))


# -- comparing -------------------------------------------------------------------------------


@dataclass
class Verdict:
    argv: list[str]
    kind: Kind
    facts: list[str] = field(default_factory=list)  # per aspect: a line (and its diff)
    first: str = ""  # the first difference, briefly
    beyond: list[str] = field(default_factory=list)  # real QEMU's lines past the model


def _status(status: int) -> str:
    if status > 128:
        try:
            return f"{status} (killed by {signal.Signals(status - 128).name})"
        except ValueError:
            return str(status)
    return str(status)


def _udiff(real: str, sim: str, what: str, version: str, profile: str) -> str:
    a, b = real.splitlines(keepends=True), sim.splitlines(keepends=True)
    out: list[str] = []
    for line in difflib.unified_diff(a, b, f"QEMU {version} {what}", f"tracesim {profile} {what}",
                                     lineterm="\n"):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _first_pair(diff: str) -> str:
    """The first removed/added line of a unified diff, as 'QEMU: ... / tracesim: ...'."""
    minus = plus = None
    for line in diff.splitlines()[2:]:
        if line.startswith("-") and minus is None and plus is None:
            minus = line[1:]
        elif line.startswith("+") and plus is None:
            plus = line[1:]
        elif minus is not None or plus is not None:
            if line.startswith("-") or line.startswith("+"):
                continue
            break
    parts = []
    parts.append(f"QEMU:     {minus}" if minus is not None else "QEMU:     (nothing)")
    parts.append(f"tracesim: {plus}" if plus is not None else "tracesim: (nothing)")
    return "\n".join(parts)


@functools.lru_cache(maxsize=1)
def model_messages() -> tuple[re.Pattern[str], ...]:
    """The messages the model can print (any profile), as patterns: every string and f-string
    in tracesim/qemu with enough literal text, its {fields} matching anything."""
    root = Path(__file__).parent / "qemu"
    found: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text())
        except (OSError, SyntaxError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                parts = [(v.value if isinstance(v, ast.Constant) else None) for v in node.values]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                parts = [node.value]
            else:
                continue
            literal = [x for x in parts if isinstance(x, str)]
            if sum(len(x.strip()) for x in literal) < 16:
                continue
            found.add("".join(re.escape(x) if isinstance(x, str) else ".*?" for x in parts))
    return tuple(re.compile(rf"(?:{t})\Z") for t in sorted(found) if "\n" not in t)


def known_message(line: str) -> bool:
    """Whether the model has a message that can end this stderr line."""
    return any(p.search(line) for p in model_messages())


def compare(argv: list[str], real: RealRun, sim: SimRun, version: str,
            profile: str) -> Verdict:
    real_err = real.stderr.decode("utf-8", "surrogateescape")
    v = Verdict(argv, "agree")
    firsts: list[str] = []
    if real.status == sim.status:
        v.facts.append(f"exit status: agree ({_status(real.status)})")
    else:
        v.facts.append(f"exit status: differ (QEMU {_status(real.status)}, "
                       f"tracesim {sim.status})")
        firsts.append(f"exit status: QEMU {_status(real.status)}, tracesim {sim.status}")
    if real.stderr == sim.stderr.encode("utf-8", "surrogateescape"):
        v.facts.append("stderr: agree" + ("" if real.stderr else " (empty)"))
    else:
        d = _udiff(real_err, sim.stderr, "stderr", version, profile)
        v.facts.append("stderr: differ\n" + d.rstrip("\n"))
        firsts.append("stderr:\n" + _first_pair(d))
    numa_differs = False
    if real.status != 0 or sim.status != 0:
        who = "QEMU" if real.status != 0 else "tracesim"
        st = real.status if real.status != 0 else sim.status
        v.facts.append(f"info numa: not compared ({who} exited with status {_status(st)})")
    else:
        answer = monitor_answer(real.stdout)
        if answer is None:
            numa_differs = True
            v.facts.append("info numa: differ (QEMU's monitor gave no answer)")
            firsts.append("info numa: QEMU's monitor gave no answer")
        elif answer == sim.info_numa:
            v.facts.append("info numa: agree")
        else:
            numa_differs = True
            d = _udiff(answer, sim.info_numa, "info numa", version, profile)
            v.facts.append("info numa: differ\n" + d.rstrip("\n"))
            firsts.append("info numa:\n" + _first_pair(d))
    if not firsts:
        return v
    # Past the model: it went on into machine_class->init (status 0, its messages all
    # printed first) and real QEMU then failed or warned with messages of its own.
    # A message the model knows (from any profile) is on the modelled path: not beyond.
    extra = real_err[len(sim.stderr):].splitlines()
    if (sim.status == 0 and not numa_differs and real_err.startswith(sim.stderr)
            and (real.status != 0 or extra) and not any(map(known_message, extra))):
        v.kind = "beyond"
        v.beyond = extra
        if real.status != 0 and not v.beyond:
            v.beyond = [f"(QEMU exited with status {_status(real.status)}, no message)"]
        return v
    v.kind = "disagree"
    v.first = "\n".join(firsts)
    return v


def verify_line(binary: str, argv: list[str], version: str, profile: str,
                timeout: float) -> Verdict:
    """One line: QEMU runs (on another core) while the model simulates."""
    proc = start_real(binary, argv)
    try:
        sim = run_model(argv, profile)
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    return compare(argv, finish_real(proc, argv, timeout), sim, version, profile)


def _check(job: tuple[str, list[str], str, str, float]) -> Verdict | str:
    """verify_line for a pool worker: trouble comes back as its one-line text."""
    try:
        return verify_line(*job)
    except Trouble as err:
        return str(err)


# -- the command -----------------------------------------------------------------------------


def _indent(text: str, by: str = "    ") -> str:
    return "".join(by + ln + "\n" for ln in text.splitlines())


def _one(binary: str, argv: list[str], version: str, profile: str, timeout: float) -> int:
    from .qemu.simulate import strip_program

    argv = strip_program(argv)
    v = verify_line(binary, argv, version, profile, timeout)
    out = sys.stdout
    out.write(f"QEMU {version} ({binary}) against tracesim profile {profile}\n")
    out.write(f"line: {shlex.join(argv)}\n")
    for fact in v.facts:
        out.write(fact + "\n")
    if v.kind == "agree":
        out.write("agree\n")
        return 0
    if v.kind == "beyond":
        out.write("beyond the modelled path: the model goes on into machine_class->init "
                  "(exit 0); real QEMU then says:\n")
        out.write(_indent("\n".join(v.beyond)))
        return 0
    out.write("DISAGREE\n")
    return 1


def _many(binary: str, n: int, seed: int, version: str, profile: str, timeout: float,
          jobs: int) -> int:
    from .cmdgen import lines_for_profile

    started = time.perf_counter()
    lines = lines_for_profile(profile, n, seed)
    model_messages()  # once, before the workers fork
    out = sys.stdout
    out.write(f"QEMU {version} ({binary}) against tracesim profile {profile}: "
              f"{n} generated lines, seed {seed}\n")
    verdicts: list[Verdict] = []
    troubles: list[str] = []
    jobs_ = [(binary, ln, version, profile, timeout) for ln in lines]
    if jobs == 1:
        results: Iterable[Verdict | str] = map(_check, jobs_)
        pool = None
    else:
        # worker processes: each runs a QEMU while simulating, so both cores stay busy
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx)
        results = pool.map(_check, jobs_, chunksize=max(1, min(16, n // (jobs * 8))))
    from .progress import progress

    out.flush()  # the line above before any bar
    bar = progress("Verifying (lines)", n)
    try:
        for res in results:
            bar.advance()
            if isinstance(res, str):
                troubles.append(res)
                if "did not finish" in res:  # a hanging binary: stop here
                    break
            else:
                verdicts.append(res)
    finally:
        bar.close()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    done = verdicts
    agree = sum(v.kind == "agree" for v in done)
    disagree = [v for v in done if v.kind == "disagree"]
    beyond = [v for v in done if v.kind == "beyond"]
    for v in disagree:
        out.write(f"\nDISAGREE: {shlex.join(v.argv)}\n")
        out.write(_indent(v.first))
    if beyond:
        out.write(f"\nbeyond the modelled path ({len(beyond)}): the model goes on into "
                  "machine_class->init, real QEMU then fails or warns:\n")
        for v in beyond:
            out.write(f"  {shlex.join(v.argv)}\n")
            out.write(_indent(v.beyond[0] if v.beyond else ""))
    for t in troubles:
        out.write(f"\ntrouble: {t}\n")
    took = time.perf_counter() - started
    out.write(f"\n{len(done)} lines: {agree} agree, {len(disagree)} disagree, "
              f"{len(beyond)} beyond the modelled path"
              + (f", {len(troubles)} trouble" if troubles else "") + f" ({took:.1f} s)\n")
    if troubles:
        return 2
    return 1 if disagree else 0


def cmd_verify(argv: list[str]) -> int:
    p = Parser(
        prog="tracesim verify",
        description="Run a real QEMU to its monitor (info numa, quit) and the model on the "
        "same command line; say whether exit status, stderr and info numa agree. With "
        "--generate N, the same for N generated lines. Exit 0 agree, 1 disagree, 2 trouble.",
        usage="tracesim verify [--qemu PATH] [--profile P] [--timeout S] -- QEMU_ARGS...\n"
        "       tracesim verify --generate N [--seed S] [--jobs J] [--qemu PATH] [--profile P]",
    )
    p.add_argument("--qemu", metavar="PATH", help=f"the QEMU binary (default: {DEFAULT_QEMU})")
    p.add_argument("--profile", choices=PROFILES,
                   help="profile to compare with (default: the binary's --version)")
    p.add_argument("--generate", type=int, metavar="N", help="verify N generated lines")
    p.add_argument("--seed", type=int, default=0, help="the generator's seed (default 0)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                   help=f"seconds one QEMU run may take (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 2, metavar="J",
                   help="QEMUs run at once (default: the CPU count)")
    ours, qemu_args = split_qemu_args(
        argv, {"--qemu", "--profile", "--generate", "--seed", "--timeout", "--jobs", "-j"},
        {"-h", "--help"})
    args = p.parse_args(ours)
    if args.generate is None and not qemu_args:
        raise UsageError("tracesim verify: give QEMU arguments after --, or --generate N")
    if args.generate is not None and qemu_args:
        raise UsageError("tracesim verify: --generate N takes no QEMU arguments")
    if args.generate is not None and args.generate < 1:
        raise UsageError("tracesim verify: --generate needs a positive number of lines")
    if args.timeout <= 0 or args.jobs < 1:
        raise UsageError("tracesim verify: --timeout and --jobs must be positive")
    try:
        binary = find_qemu(args.qemu)
        version = qemu_version(binary, args.timeout)
        profile = args.profile or profile_for(version, binary)
        shown = version or "(unknown version)"
        if args.generate is not None:
            return _many(binary, args.generate, args.seed, shown, profile, args.timeout,
                         args.jobs)
        return _one(binary, qemu_args, shown, profile, args.timeout)
    except Trouble as err:
        sys.stdout.flush()
        sys.stderr.write(f"{err}\n")
        return 2
