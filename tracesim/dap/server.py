"""The adapter's loop: one request at a time, its response, then the events it caused.

A request that fails is an error response with the reason; a bug of ours is an error
response naming it (and one line on stderr), never a traceback on the protocol stream. The
end of the input, a `disconnect`, or a client gone mid-reply (a broken pipe) end the loop.
"""

from __future__ import annotations

import sys
from typing import Any, BinaryIO

from .adapter import Adapter, RequestError
from .protocol import Problem, Reader, Writer


def serve(stream_in: BinaryIO, stream_out: BinaryIO, **options: Any) -> int:
    reader, writer = Reader(stream_in), Writer(stream_out)
    adapter = Adapter(writer.event, **options)
    try:
        while not adapter.done:
            message = reader.read()
            if message is None:
                return 0
            if isinstance(message, Problem):
                writer.response(message.seq, message.command, error=message.message)
                continue
            command, seq = message["command"], message["seq"]
            try:
                body = adapter.handle(command, message.get("arguments") or {})
            except RequestError as err:
                writer.response(seq, command, error=str(err))
            except RecursionError:
                writer.response(seq, command, error="Expression too complex.")
            except Exception as err:  # a bug of ours: say so, keep serving
                text = f"tracesim internal error: {type(err).__name__}: {err}"
                print(text, file=sys.stderr, flush=True)
                writer.response(seq, command, error=text)
            else:
                writer.response(seq, command, body)
            adapter.flush()
        return 0
    except (BrokenPipeError, ConnectionResetError):
        return 0  # the client went away: nothing left to tell it
    except KeyboardInterrupt:
        return 130
