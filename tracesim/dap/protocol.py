"""DAP's base protocol: `Content-Length: N\\r\\n\\r\\n` then N bytes of JSON, both ways.

Reading is bounded: a header line is at most MAX_HEADER bytes and a body at most MAX_BODY;
a bigger body is skipped in small chunks, so a client announcing a huge Content-Length
costs no memory. A malformed frame is a Problem (the server answers it with an error
response) and reading goes on from the next `Content-Length:` it finds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, BinaryIO

import msgspec

MAX_HEADER = 8 << 10  # one header line
MAX_BODY = 16 << 20  # one message: far above any request a client sends
_CHUNK = 64 << 10
_KEY = b"content-length:"

_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


@dataclass
class Problem:
    """A frame that is not a DAP message: what was wrong with it."""

    message: str
    seq: int = 0  # the request's seq when the JSON was readable
    command: str = ""


class Reader:
    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def read(self) -> dict[str, Any] | Problem | None:
        """The next message, a Problem, or None at the end of the input."""
        length, problem = self._header()
        if problem is not None or length is None:
            return problem
        if length > MAX_BODY:
            if not self._skip(length):
                return None
            return Problem(f"message of {length} bytes is over the {MAX_BODY >> 20} MiB limit")
        body = self.stream.read(length)
        if body is None or len(body) < length:
            return None  # the client went away mid-message
        try:
            message = _decoder.decode(body)
        except msgspec.DecodeError as err:
            return Problem(f"malformed JSON: {err}")
        if not isinstance(message, dict):
            return Problem("a DAP message is a JSON object")
        seq = message.get("seq")
        command = message.get("command")
        if message.get("type") != "request" or not isinstance(command, str):
            seq = seq if isinstance(seq, int) else 0
            return Problem("not a request (type 'request' with a 'command')", seq)
        if not isinstance(seq, int):
            return Problem("a request needs an integer 'seq'", 0, command)
        args = message.get("arguments")
        if args is not None and not isinstance(args, dict):
            return Problem("'arguments' must be an object", seq, command)
        return message

    def _header(self) -> tuple[int | None, Problem | None]:
        """Header lines up to the blank one: (Content-Length, None), (None, Problem), or
        (None, None) at the end of the input."""
        length: int | None = None
        bad: str | None = None
        seen = False
        while True:
            line = self.stream.readline(MAX_HEADER + 1)
            if not line:
                return None, None
            if len(line) > MAX_HEADER and not line.endswith(b"\n"):
                self._drop_line()
                bad = bad or f"header line over {MAX_HEADER} bytes"
                continue
            text = line.strip()
            if not text:
                if not seen:
                    continue  # stray blank lines between messages
                if bad is not None:
                    return None, Problem(f"malformed header: {bad}")
                if length is None:
                    return None, Problem("malformed header: no Content-Length")
                return length, None
            # after a broken frame its body runs into the next header: resynchronise
            at = text.lower().find(_KEY)
            if at > 0:
                text, length, bad, seen = text[at:], None, None, False
            seen = True
            name, colon, value = text.partition(b":")
            if not colon:
                bad = bad or f"not a header line: {text[:40]!r}"
            elif name.strip().lower() == b"content-length":
                value = value.strip()
                if value.isdigit() and len(value) <= 12:
                    length = int(value)
                else:
                    bad = bad or f"bad Content-Length {value[:20]!r}"

    def _drop_line(self) -> None:
        while True:
            rest = self.stream.readline(_CHUNK)
            if not rest or rest.endswith(b"\n"):
                return

    def _skip(self, length: int) -> bool:
        while length > 0:
            chunk = self.stream.read(min(length, _CHUNK))
            if not chunk:
                return False
            length -= len(chunk)
        return True


class Writer:
    """Writes messages with their seq; one lock, so output never interleaves."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.seq = 0
        self.lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        with self.lock:
            self.seq += 1
            message["seq"] = self.seq
            body = _encoder.encode(message)
            self.stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.stream.flush()

    def response(
        self,
        request_seq: int,
        command: str,
        body: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        msg: dict[str, Any] = {
            "type": "response",
            "request_seq": request_seq,
            "command": command,
            "success": error is None,
        }
        if error is not None:
            msg["message"] = error  # what clients show (the debug console, a hover)
        elif body is not None:
            msg["body"] = body
        self.send(msg)

    def event(self, name: str, body: dict[str, Any] | None = None) -> None:
        msg: dict[str, Any] = {"type": "event", "event": name}
        if body is not None:
            msg["body"] = body
        self.send(msg)
