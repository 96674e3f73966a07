"""gdb's `printf "FORMAT", ARGS...` and `echo TEXT`, checked as gdb checks them.

The format is parsed here piece by piece (gdb's format_pieces): each conversion is rebuilt
from the parts it was checked to have (flags, a bounded width and precision, a length, one
conversion letter) and applied to one value the expression evaluator computed. User text
never reaches Python's % operator as a format.
"""

from __future__ import annotations

import re
from typing import Any

from ..debuginfo.ctypes import Array, BoolType, IntType, Pointer, Struct, strip
from .breakpoints import CommandError

ESCAPES = {"n": "\n", "t": "\t", "a": "\a", "b": "\b", "f": "\f", "r": "\r", "v": "\v",
           "e": "\x1b", '"': '"', "\\": "\\", "'": "'"}
MAX_WIDTH = 1 << 16  # a width or precision beyond this is refused (gdb would allocate it)
STRING_LIMIT = 1 << 16  # bytes of a %s string read at most

CONVERSION = re.compile(
    r"%(?P<flags>[-+ #0']*)(?P<width>\*|\d*)(?:\.(?P<prec>\*|\d*))?"
    r"(?P<length>hh|h|ll|l|L|z|j|t)?(?P<conv>.?)", re.S)


def echo_text(text: str) -> str:
    """`echo`'s argument with C escapes (gdb's parse_escape): \\n \\t \\NNN (octal) ...;
    another escaped character is itself; a final lone backslash is dropped."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(text):
            break
        c = text[i]
        if c in "01234567":
            digits = re.match(r"[0-7]{1,3}", text[i:])
            assert digits is not None
            out.append(chr(int(digits.group(0), 8) & 0xFF))
            i += len(digits.group(0))
            continue
        out.append(ESCAPES.get(c, c))
        i += 1
    return "".join(out)


def _string_literal(text: str) -> tuple[str, str]:
    """The format string's text (escapes applied) and what follows its closing quote."""
    text = text.lstrip()
    if not text.startswith('"'):
        raise CommandError("Bad format string, missing '\"'")
    out: list[str] = []
    i = 1
    while True:
        if i >= len(text):
            raise CommandError("Bad format string, non-terminated '\"'")
        c = text[i]
        if c == '"':
            return "".join(out), text[i + 1:]
        if c == "\\":
            i += 1
            if i >= len(text):
                raise CommandError("Bad format string, non-terminated '\"'")
            e = text[i]
            if e in "01234567":
                digits = re.match(r"[0-7]{1,3}", text[i:])
                assert digits is not None
                out.append(chr(int(digits.group(0), 8) & 0xFF))
                i += len(digits.group(0))
                continue
            if e not in ESCAPES:
                raise CommandError(f"Unrecognized escape character \\{e} in format string.")
            out.append(ESCAPES[e])
            i += 1
            continue
        out.append(c)
        i += 1


def split_arguments(text: str) -> list[str]:
    """`a, f(b, c), "x,y"` -> three expressions (commas inside brackets and quotes kept)."""
    args: list[str] = []
    depth, quote, start = 0, "", 0
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
        i += 1
    args.append(text[start:])
    return [a.strip() for a in args]


def parse_format(fmt: str) -> list[tuple[str, dict[str, str] | None]]:
    """[(literal text, None) | (spec text, parts)] for each piece of FORMAT."""
    pieces: list[tuple[str, dict[str, str] | None]] = []
    literal: list[str] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            literal.append(c)
            i += 1
            continue
        if fmt.startswith("%%", i):
            literal.append("%")
            i += 2
            continue
        m = CONVERSION.match(fmt, i)
        assert m is not None
        parts = {k: v or "" for k, v in m.groupdict().items()}
        parts["dot"] = "." if m.group("prec") is not None else ""
        if parts["width"] == "*" or parts["prec"] == "*":
            raise CommandError("`*' not supported for precision or width in printf")
        conv = parts["conv"]
        if not conv:
            raise CommandError("Incomplete format specifier at end of format string")
        if conv not in "diouxXcsp" or (conv in "cs" and parts["length"] not in ("", "l")) \
                or (conv == "p" and parts["length"]):
            if conv in "fgeEGaA":
                raise CommandError("Floating-point conversions are not supported by "
                                   "tracesim's printf (the model holds no floats).")
            raise CommandError(f"Unrecognized format specifier '{conv}' in printf")
        for key in ("width", "prec"):
            if parts[key] and (len(parts[key]) > 6 or int(parts[key]) > MAX_WIDTH):
                raise CommandError(f"Width or precision {parts[key]} too large in printf.")
        if literal:
            pieces.append(("".join(literal), None))
            literal = []
        pieces.append((m.group(0), parts))
        i = m.end()
    if literal:
        pieces.append(("".join(literal), None))
    return pieces


def _spec(parts: dict[str, str], conv: str) -> str:
    """The conversion rebuilt from its checked parts (no length: Python has none)."""
    flags = "".join(sorted(set(parts["flags"]) - {"'"}))
    prec = "." + parts["prec"] if parts.get("dot") else ""
    return f"%{flags}{parts['width']}{prec}{conv}"


def printf_command(session: Any, rest: str) -> str:
    """The text gdb's printf writes (no newline added)."""
    if not rest.strip():
        raise CommandError("Argument required (format-control string and values to print).")
    fmt, after = _string_literal(rest)
    after = after.strip()
    if after and not after.startswith(","):
        raise CommandError("Invalid argument syntax")
    pieces = parse_format(fmt)
    args = split_arguments(after[1:]) if after else []
    if args and any(not a for a in args):
        raise CommandError("Invalid argument syntax" if len(args) > 1 else
                           "Wrong number of arguments for specified format-string")
    wanted = sum(1 for _, parts in pieces if parts is not None)
    if wanted != len(args):
        raise CommandError("Wrong number of arguments for specified format-string")
    out: list[str] = []
    k = 0
    for text, parts in pieces:
        if parts is None:
            out.append(text)
            continue
        out.append(_convert(session, parts, args[k]))
        k += 1
    return "".join(out)


def _convert(session: Any, parts: dict[str, str], arg: str) -> str:
    value, ev = session.inspect.value(session.state(), session.frame_index_for_eval(), arg)
    conv = parts["conv"]
    t = strip(value.type)
    if conv == "s":
        return _spec(parts, "s") % _string(value, t, ev)
    if isinstance(t, (Struct, Array)) and not (isinstance(t, Array) and value.address):
        raise CommandError("Value can't be converted to integer.")
    number = value.address if isinstance(t, Array) else value.data
    if not isinstance(t, (IntType, BoolType, Pointer)) and not isinstance(number, int):
        raise CommandError("Value can't be converted to integer.")
    number = int(number or 0)
    if conv == "p":
        if number == 0:
            return _spec(parts, "s") % "(nil)"
        return _spec({**parts, "flags": parts["flags"] + "#"}, "x") % (number & ((1 << 64) - 1))
    if conv == "c":
        code = number & (0xFFFFFFFF if parts["length"] == "l" else 0xFF)
        return _spec(parts, "s") % chr(code if code < 0x110000 else 0xFFFD)
    size = {"hh": 1, "h": 2, "l": 8, "ll": 8, "L": 8, "z": 8, "j": 8, "t": 8}.get(
        parts["length"], 4)
    bits = 8 * size
    unsigned = number & ((1 << bits) - 1)
    signed = unsigned - (1 << bits) if unsigned >> (bits - 1) else unsigned
    if conv in "di":
        return _spec(parts, "d") % signed
    return _spec(parts, conv if conv != "u" else "d") % unsigned


def _string(value: Any, t: Any, ev: Any) -> str:
    if isinstance(t, Array):
        data = value.data
        codes = [c & 0xFF for c in data]
        if 0 in codes:
            codes = codes[: codes.index(0)]
        return bytes(codes).decode("latin-1")
    if isinstance(t, (Pointer, IntType)):
        address = int(value.data or 0)
        if address == 0:
            return "(null)"
        data, _, error_at = ev.memory.read_string(address, STRING_LIMIT)
        if error_at is not None:
            raise CommandError(f"Cannot access memory at address {error_at:#x}")
        if b"\0" in data:
            data = data[: data.index(b"\0")]
        return data.decode("latin-1")
    raise CommandError("Value can't be converted to integer.")
