"""A real editor's DAP client: Emacs's dap-mode drives `tracesim debug -i=dap` through
editors/emacs/tracesim-dap.el, as a user would (tests/emacs/drive-seed.el: the seed's
template, a breakpoint on numa.c:399, frames, ram_size, a step and a step back, the end).
.ci/run installs emacs-nox and elpa-dap-mode; without them the test is skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "editors" / "emacs" / "tracesim-dap.el"
DRIVER = ROOT / "tests" / "emacs" / "drive-seed.el"


def _dap_mode_installed(emacs: str) -> bool:
    # the configuration finds Debian's elpa-dap-mode even under -Q
    probe = ("(progn (require 'package) (add-to-list 'package-directory-list "
             "\"/usr/share/emacs/site-lisp/elpa\") (package-activate-all) "
             "(kill-emacs (if (locate-library \"dap-mode\") 0 1)))")
    try:
        return subprocess.run([emacs, "--batch", "-Q", "--eval", probe],
                              capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def test_dap_mode_drives_the_seed(tmp_path: Path) -> None:
    emacs = shutil.which("emacs")
    if emacs is None:
        pytest.skip("emacs is not installed (.ci/run installs emacs-nox)")
    if not _dap_mode_installed(emacs):
        pytest.skip("dap-mode is not installed (.ci/run installs elpa-dap-mode)")
    bindir = Path(sys.executable).parent
    env = dict(os.environ, HOME=str(tmp_path), TMPDIR=str(tmp_path),
               TRACESIM=str(bindir / "tracesim"),
               PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run([emacs, "--batch", "-Q", "-l", str(CONFIG), "-l", str(DRIVER)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=55)
    log = proc.stdout + proc.stderr[-4000:]
    assert proc.returncode == 0, log
    got = {}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            key, _, value = line[7:].partition(": ")
            got[key] = value
    assert got.get("entry") == "set_memory_options:2721 shown vl.c:2721", log
    assert got.get("breakpoint") == "verified=t line=399", log
    # the stop, and the source dap-mode opened there (the model's text, by reference)
    assert got.get("stop") == "numa_complete_configuration:399 shown hw/core/numa.c:399", log
    assert got.get("frames", "").startswith(
        "numa_complete_configuration:399 < machine_run_board_init:"), log
    assert got.get("eval ram_size") == "1073741824", log
    assert got.get("repl p ram_size") == "$1 = 1073741824", log
    assert "ram_size=1073741824" in got.get("scope Globals", ""), log
    assert got.get("scope Locals", "").startswith("i=1 "), log
    assert got.get("next") == "numa_complete_configuration:397 shown hw/core/numa.c:397", log
    assert got.get("step back") == "numa_complete_configuration:399 shown hw/core/numa.c:399", log
    assert got.get("exit") == "0", log
    assert "The modelled path ends here" in got.get("output", ""), log
    stderr = got.get("adapter stderr", "")
    assert "Traceback" not in stderr and "internal error" not in stderr, log
