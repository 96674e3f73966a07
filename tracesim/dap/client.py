"""A minimal DAP client over a pipe to `tracesim debug -i=dap`: for the benchmark and the
protocol tests (the editor-facing suite uses VS Code's own client, tests/dap/)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import msgspec


class Client:
    def __init__(self, argv: list[str] | None = None) -> None:
        cmd = argv or [sys.executable, "-m", "tracesim", "debug", "-i=dap"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.seq = 0
        self.events: list[dict[str, Any]] = []

    def write_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, command: str, arguments: dict[str, Any] | None = None) -> int:
        self.seq += 1
        msg: dict[str, Any] = {"seq": self.seq, "type": "request", "command": command}
        if arguments is not None:
            msg["arguments"] = arguments
        body = msgspec.json.encode(msg)
        self.write_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return self.seq

    def read(self) -> dict[str, Any] | None:
        """The next message from the adapter, None at its end."""
        out = self.proc.stdout
        assert out is not None
        length = None
        while True:
            line = out.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        assert length is not None
        message: dict[str, Any] = msgspec.json.decode(out.read(length))
        return message

    def response(self, seq: int) -> dict[str, Any]:
        """Read up to the response to request `seq`, keeping the events on the way."""
        while True:
            msg = self.read()
            if msg is None:
                raise EOFError("the adapter closed its output")
            if msg.get("type") == "event":
                self.events.append(msg)
            elif msg.get("request_seq") == seq:
                return msg

    def request(self, command: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.response(self.send(command, arguments))

    def event(self, name: str) -> dict[str, Any]:
        """The first kept event named `name` (reading on if none yet), removed."""
        while True:
            for k, e in enumerate(self.events):
                if e.get("event") == name:
                    return self.events.pop(k)
            msg = self.read()
            if msg is None:
                raise EOFError(f"no {name} event before the adapter ended")
            if msg.get("type") == "event":
                self.events.append(msg)

    def close(self) -> int:
        for stream in (self.proc.stdin,):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()
        return code
