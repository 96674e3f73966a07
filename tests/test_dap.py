"""The Debug Adapter Protocol: VS Code's own client drives `tracesim debug -i=dap`
(tests/dap, mocha + @vscode/debugadapter-testsupport), and a few protocol checks over a pipe
with tracesim's minimal client."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracesim.dap.client import Client

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "tests" / "dap"
SEED = ["-machine", "q35", "-m", "1024", "-smp", "cpus=4",
        "-numa", "node,cpus=0-1", "-numa", "node,cpus=2-3"]


def test_mocha_suite_with_vscode_client() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (.ci/setup installs it)")
    mocha = SUITE / "node_modules" / ".bin" / "mocha"
    assert mocha.exists(), "tests/dap/node_modules is missing: run .ci/setup (npm ci)"
    bindir = Path(sys.executable).parent
    env = dict(os.environ, TRACESIM=str(bindir / "tracesim"),
               PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run([node, str(mocha), "--timeout", "30000", "dap.test.js"],
                          cwd=SUITE, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]


@pytest.fixture
def dap() -> Client:
    client = Client([sys.executable, "-m", "tracesim", "debug", "-i=dap"])
    yield client
    client.close()


def test_launch_runs_and_reports_exit(dap: Client) -> None:
    assert dap.request("initialize", {"adapterID": "tracesim"})["success"]
    assert dap.request("launch", {"args": SEED})["success"]
    dap.event("initialized")
    assert dap.request("configurationDone")["success"]
    assert dap.event("exited")["body"] == {"exitCode": 0}
    dap.event("terminated")
    assert dap.request("disconnect")["success"]


def test_bad_frames_are_error_responses(dap: Client) -> None:
    dap.write_raw(b"Content-Length: nope\r\n\r\n")
    dap.write_raw(b"Content-Length: 5\r\n\r\n{oops")
    dap.write_raw(b"Content-Length: 40\r\n\r\n" + b'{"seq": 3, "type": "event", "x": 1}'.ljust(40))
    for _ in range(3):
        msg = dap.read()
        assert msg is not None and msg["success"] is False, msg
    assert dap.request("initialize")["success"]
    assert dap.request("nosuch")["message"] == "tracesim's debug adapter has no request 'nosuch'"
    assert "before 'launch'" in dap.request("variables", {"variablesReference": 1})["message"]


def test_huge_content_length_then_eof_is_a_clean_exit(dap: Client) -> None:
    dap.write_raw(b"Content-Length: 99999999999\r\n\r\n" + b"x" * 100_000)
    assert dap.proc.stdin is not None
    dap.proc.stdin.close()
    assert dap.proc.wait(timeout=30) == 0
    assert dap.proc.stderr is not None and b"Traceback" not in dap.proc.stderr.read()


def test_interpreter_flag_in_cli_usage() -> None:
    proc = subprocess.run([sys.executable, "-m", "tracesim", "debug", "-i=dap", "--bogus"],
                          capture_output=True, text=True, input="")
    assert proc.returncode == 2
    assert "usage: tracesim debug -i=dap" in proc.stderr
