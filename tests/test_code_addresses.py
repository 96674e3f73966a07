"""7.2's and 10.0's code addresses against real gdb 13 on their -O0 builds (.ci/build-qemu-7.2,
the build the golden cases were observed on, and .ci/build-qemu-10.0 keep them in a cache
directory): the generated tables are the builds', and at stops in several functions `bt`,
`info frame`, `p $pc`, `info symbol $pc` and `info line` print the same code addresses,
symbols and lines as gdb does on the real process."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("TRACESIM_CACHE")
             or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tracesim")
BUILDS = {"7.2": (CACHE / "qemu-7.2-O0", "v72"), "10.0": (CACHE / "qemu-10.0.13", "v100")}
FIRMWARE = ["-L", "/usr/share/qemu", "-L", "/usr/share/seabios", "-L", "/usr/lib/ipxe/qemu"]
SEED = ["-machine", "q35", "-m", "1024", "-smp", "cpus=4",
        "-object", "memory-backend-ram,id=m0,size=512M",
        "-object", "memory-backend-ram,id=m1,size=512M",
        "-numa", "node,memdev=m0,cpus=0-1", "-numa", "node,memdev=m1,cpus=2-3"]


def binary(profile: str) -> Path:
    path = BUILDS[profile][0] / "build" / "qemu-system-x86_64"
    if not path.exists() or shutil.which("gdb") is None:
        pytest.skip(f"no QEMU {profile} -O0 build (bash .ci/build-qemu-{profile}) or no gdb")
    return path


def source_root(profile: str) -> Path:
    return next(p for p in BUILDS[profile][0].iterdir()
                if p.is_dir() and (p / "VERSION").exists())


@pytest.mark.parametrize("profile", sorted(BUILDS))
def test_the_code_table_is_the_builds(profile: str) -> None:
    from tracesim.debuginfo import debug_info

    build = binary(profile)
    d = debug_info(profile)
    names = " ".join(sorted(set(d.functions) | set(d.entry_lines)))
    got = subprocess.run(
        ["gdb", "-nx", "-batch", "-ex",
         f"python FUNCTIONS = {names!r}; PROFILE = {profile!r}; "
         f"SOURCE = {str(source_root(profile))!r}",
         "-x", str(ROOT / "tools" / "gdb_code_table.py"), str(build)],
        capture_output=True, text=True, timeout=300)
    assert got.returncode == 0, got.stderr[-2000:]
    package = BUILDS[profile][1]
    assert got.stdout == (ROOT / "tracesim" / "qemu" / package / "code.py").read_text()


COMMANDS = ["bt", "info frame", "p $pc", "info symbol $pc", "info line", "info line *$pc",
            "up", "p $pc", "info line"]


def transcript(lines: list[str]) -> list[list[str]]:
    """The output of each command, split at the echoed markers."""
    parts: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("==="):
            parts.append([])
        else:
            parts[-1].append(line)
    return parts[1:]


def code_facts(outputs: list[str], build_path: str, root: str) -> list[str]:
    """What a command says about code: pcs, symbols, functions and lines; not the values of
    arguments (heap and stack addresses differ between the model and a real process)."""
    facts = []
    for line in outputs:
        line = line.replace(build_path, "/usr/bin/qemu-system-x86_64")
        line = re.sub(rf"[^\s(\"]*/{re.escape(root)}/", "", line)
        frame = re.match(r"#\d+\s+(?:(0x[0-9a-f]+) in )?(\w+) \(.*\) at (\S+)$", line)
        if frame:
            facts.append(f"frame {frame.group(1)} {frame.group(2)} {frame.group(3)}")
        elif re.match(r" rip = |\$\d+ = \(void|Line \d+ of|\w+ \+ \d+ in section|\w+ in section",
                      line):
            facts.append(re.sub(r"^\$\d+", "$", line))
    return facts


@pytest.mark.parametrize("start", [["break parse_numa_node", "run"],
                                   ["break numa_complete_configuration", "run"],
                                   ["break machine_set_cpu_numa_node", "run"],
                                   ["break x86_cpu_index_to_props", "run"],
                                   # mid-line in QEMU's option iterator, through a pointer
                                   ["break parse_numa", "run", "finish"]])
@pytest.mark.parametrize("profile", sorted(BUILDS))
def test_code_addresses_agree_with_gdb(tmp_path: Path, start: list[str], profile: str) -> None:
    build = binary(profile)
    script = list(start)
    for command in COMMANDS:
        script += ["echo ===\\n", command]
    real = subprocess.run(
        ["gdb", "-nx", "-batch", "-ex", "set pagination off", "-ex", "set width 0"]
        + [a for c in script for a in ("-ex", c)]
        + ["--args", str(build), *FIRMWARE, "-display", "none", "-S", *SEED],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    trace = tmp_path / "t.jsonl"
    subprocess.run([str(ROOT / ".venv" / "bin" / "tracesim"), "run", "--profile", profile,
                    "-o", str(trace), "--", *SEED], check=True, capture_output=True)
    model = subprocess.run([str(ROOT / ".venv" / "bin" / "tracesim"), "debug", "-batch"]
                           + [a for c in script for a in ("-ex", c)] + [str(trace)],
                           capture_output=True, text=True, timeout=120)
    root = source_root(profile).name
    want = [code_facts(part, str(build), root) for part in transcript(real.stdout.splitlines())]
    got = [code_facts(part, str(build), root) for part in transcript(model.stdout.splitlines())]
    assert len(want) == len(COMMANDS) and all(want), real.stdout[-3000:]
    assert got == want
