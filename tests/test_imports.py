"""What the `run` path imports (issue 13's "Start"): nothing it never calls.

structlog's package import pulls in asyncio (and with it ssl) for its async loggers;
tracesim/demand.py defers it. A new import that puts asyncio, ssl or prompt_toolkit on the
path of `tracesim run` fails here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SEED = ["-machine", "q35", "-m", "1024", "-smp", "cpus=4", "-numa", "node,cpus=0-1",
        "-numa", "node,cpus=2-3"]
HEAVY = ("asyncio", "ssl", "prompt_toolkit", "pygments", "graphviz", "hypothesis")


def imported(args: list[str], tmp_path: Path) -> set[str]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "tracesim", *args],
                          capture_output=True, text=True, cwd=tmp_path)
    names = set()
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+\d+ \| +(\S+)$", line)
        if m:
            names.add(m.group(1))
    assert "tracesim.cli" in names, proc.stderr[-500:]
    return names


def test_run_imports_nothing_heavy(tmp_path: Path) -> None:
    names = imported(["run", "-o", "t.jsonl", "--", *SEED], tmp_path)
    assert "structlog" in names and "tracesim.trace.recorder" in names  # the emitter is used
    heavy = sorted(n for n in names if n.split(".")[0] in HEAVY)
    assert heavy == []


def test_the_deferred_module_still_works_when_used() -> None:
    code = ("import tracesim.trace.recorder, sys; import asyncio; "
            "assert type(sys.modules['asyncio']).__name__ == '_Deferred'; "
            "print(asyncio.run(asyncio.sleep(0, result=7))); "
            "assert type(sys.modules['asyncio']).__name__ == 'module'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "7", out.stderr
