"""tracesim as a debug adapter: `tracesim debug -i=dap` speaks the Debug Adapter Protocol
on stdin/stdout, so VS Code, nvim-dap and the other DAP clients replay a trace as they
debug a program, backwards too.

protocol.py frames messages, server.py is the loop, adapter.py answers the requests over
the debugger's Session and command table with its parts (breakpoints.py, runcontrol.py,
frames.py, inspection.py, console.py; common.py is their shared state), variables.py keeps
the variables' references.
"""

from __future__ import annotations

import os
import sys

USAGE = "usage: tracesim debug -i=dap [--profile P] [--qemu-src DIR]"
DAP_FLAGS = ("-i=dap", "--interpreter=dap", "-interpreter=dap")


def main(argv: list[str]) -> int:
    """Serve DAP on this process's stdin and stdout until the client disconnects."""
    from ..profiles import PROFILES
    from .server import serve

    options: dict[str, str] = {}
    words = [w for w in argv if w not in DAP_FLAGS]
    i = 0
    while i < len(words):
        word = words[i]
        name, eq, value = word.partition("=")
        if name in ("--profile", "--qemu-src"):
            if not eq:
                if i + 1 >= len(words):
                    print(f"tracesim debug: {name} needs a value\n{USAGE}", file=sys.stderr)
                    return 2
                value = words[i + 1]
                i += 1
            options["profile" if name == "--profile" else "qemu_src"] = value
        elif word in ("-i", "--interpreter") and i + 1 < len(words) and words[i + 1] == "dap":
            i += 1
        else:
            print(f"tracesim debug -i=dap: unexpected {word!r} (the launch request names the "
                  f"trace or QEMU's arguments)\n{USAGE}", file=sys.stderr)
            return 2
        i += 1
    if options.get("profile") not in (None, *PROFILES):
        print(f"tracesim debug: --profile: one of {', '.join(PROFILES)}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    # the protocol gets its own copy of stdout; anything else printed goes to stderr
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    try:
        return serve(sys.stdin.buffer, out, **options)
    finally:
        try:
            out.close()
        except OSError:
            pass
