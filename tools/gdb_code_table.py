"""Read a profile's code table from its -O0 build, inside gdb (numbers only, no QEMU text).

    gdb -batch -ex 'python FUNCTIONS = "main ..."; PROFILE = "7.2"; SOURCE = "/path/to/qemu"' \
        -x tools/gdb_code_table.py BINARY > tracesim/qemu/v72/code.py

prints a Python module (tracesim.debuginfo.program.CodeMap's tables): each function's low
and high pc, where each of its source lines' code starts (what `info line` and a stop there
show), and the return address of every call it makes, by line and callee (what `bt` shows
for a caller's frame). Offsets are unrelocated (the PIE's own addresses); the debugger adds
the load base.
"""
import re

import gdb  # type: ignore[import-not-found]  # gdb's embedded Python

# set by the caller before this file runs: gdb -ex 'python FUNCTIONS = "..."; ...'
FUNCTIONS: str = globals()["FUNCTIONS"]  # the functions to read, by name
PROFILE: str = globals()["PROFILE"]  # the profile the table is for ("7.2")
SOURCE: str = globals()["SOURCE"]  # the build's source tree (file names become relative to it)

INSN = re.compile(r"^\s+(0x[0-9a-f]+) <[^>]*>:\s+(.*)$", re.M)
# a direct call names its callee; an indirect one (through a function pointer) is "*"
CALL = re.compile(r"call\s+(?:0x[0-9a-f]+ <([A-Za-z_][\w.]*?)(?:@plt)?(?:\+\d+)?>|\*)")


def function_table(name: str) -> dict:
    symbol = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
    if symbol is None:
        raise gdb.GdbError(f"no function {name}")
    low = int(symbol.value().address)
    block = gdb.block_for_pc(low)
    while block.function is None:
        block = block.superblock
    start, end = block.start, block.end
    lines: dict[int, tuple[int, int]] = {}  # line -> its (first) entry's start and end
    returns: dict[int, dict[str, int]] = {}
    file = None
    entry_line = 0
    pending = None  # the line whose kept entry has not ended yet
    text = gdb.execute(f"disassemble {start:#x},{end:#x}", to_string=True)
    insns = [(int(m.group(1), 16), m.group(2)) for m in INSN.finditer(text)]
    for k, (pc, asm) in enumerate(insns):
        sal = gdb.find_pc_line(pc)
        if sal.symtab is None or not sal.line:
            continue
        file = file or sal.symtab.filename
        if sal.pc == pc:  # a line-table entry starts here, and ends the one before
            if pending is not None:
                lines[pending] = (lines[pending][0], pc)
                pending = None
            if sal.line not in lines or (sal.line == entry_line and lines[sal.line][0] == low):
                # the entry line's second entry ends the prologue: where `break FN` stops
                lines[sal.line], pending = (pc, end), sal.line
            entry_line = entry_line or sal.line
        call = CALL.search(asm)
        if call:
            after = insns[k + 1][0] if k + 1 < len(insns) else end
            returns.setdefault(sal.line, {})[call.group(1) or "*"] = after
    # relative to the source root, however the build named it (absolute or ../SRC/...)
    root = SOURCE.rstrip("/").rsplit("/", 1)[-1] + "/"
    file = file[file.rindex(root) + len(root):] if file and root in file else file
    return {"file": file, "low_pc": low, "end": end,
            "lines": sorted(lines.items()),
            "returns": {line: calls for line, calls in sorted(returns.items())}}


def _per_file(files: list[str], table: dict, column: int) -> dict[str, list[tuple[int, int]]]:
    """file -> [(line, start or end of its code)] of the functions in that file."""
    return {file: sorted({ln: span[column] for t in table.values() if t["file"] == file
                          for ln, span in t["lines"]}.items()) for file in files}


def _rows(pairs: list[str], width: int) -> list[str]:
    return [f"        {', '.join(pairs[k:k + width])}," for k in range(0, len(pairs), width)]


def module(table: dict) -> str:
    files = sorted({t["file"] for t in table.values()})
    quotes = '"' * 3
    out = [f"{quotes}QEMU {PROFILE}'s code addresses, read from its -O0 build by",
           f"tools/gdb_code_table.py (generated: do not edit; numbers only).{quotes}", "",
           "from __future__ import annotations", "",
           "# function -> (low pc, high pc)", "EXTENTS: dict[str, tuple[int, int]] = {"]
    out += [f"    {name!r}: ({t['low_pc']:#x}, {t['end']:#x}),"
            for name, t in sorted(table.items())]
    out += ["}", "", "# file -> [(line, where its code starts)]",
            "LINES: dict[str, list[tuple[int, int]]] = {"]
    for file, lines in _per_file(files, table, 0).items():
        out += [f"    {file!r}: ["] + _rows([f"({ln}, {pc:#x})" for ln, pc in lines], 5)
        out.append("    ],")
    out += ["}", "", "# file -> line -> where the code LINES starts it at ends (the next entry)",
            "ENDS: dict[str, dict[int, int]] = {"]
    for file, ends in _per_file(files, table, 1).items():
        out += [f"    {file!r}: {{"] + _rows([f"{ln}: {end:#x}" for ln, end in ends], 6)
        out.append("    },")
    out += ["}", "", "# file -> line -> callee -> return address (\"*\": through a pointer)",
            "RETURNS: dict[str, dict[int, dict[str, int]]] = {"]
    for file in files:
        out.append(f"    {file!r}: {{")
        for t in sorted((t for t in table.values() if t["file"] == file),
                        key=lambda t: t["low_pc"]):
            for line, calls in sorted(t["returns"].items()):
                body = ", ".join(f"{c!r}: {pc:#x}" for c, pc in calls.items())
                out.append(f"        {line}: {{{body}}},")
        out.append("    },")
    out.append("}")
    return "\n".join(out) + "\n"


print(module({name: function_table(name) for name in FUNCTIONS.split()}), end="")
