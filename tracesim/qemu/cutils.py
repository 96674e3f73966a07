"""Number and size parsing as util/cutils.c does it (qemu_strtosz, qemu_strtou64, parse_uint)."""

from __future__ import annotations

import math
import re

U64 = (1 << 64) - 1
_SUFFIX = {"B": 0, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
# strtod's decimal and hexadecimal forms (after optional leading white space).
_FLOAT = re.compile(
    r"[ \t\n\v\f\r]*([+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
    r"|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))",
    re.IGNORECASE,
)
_INT = re.compile(r"[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
_NEXT_BELOW_2_64 = math.nextafter(2.0**64, 0)


class ParseError(ValueError):
    """-EINVAL or -ERANGE from a cutils parser."""

    def __init__(self, erange: bool = False) -> None:
        super().__init__("ERANGE" if erange else "EINVAL")
        self.erange = erange


def _strtod(text: str) -> tuple[float, int]:
    m = _FLOAT.match(text)
    if not m:
        raise ParseError()
    body = m.group(1)
    low = body.lower().lstrip("+-")
    if low.startswith(("inf", "nan")):
        raise ParseError()  # qemu_strtod_finite rejects them
    try:
        if low.startswith("0x"):
            sign = -1.0 if body.startswith("-") else 1.0
            hexpart = body.lstrip("+-")
            if "p" not in hexpart.lower():
                hexpart += "p0"
            value = sign * float.fromhex(hexpart)
        else:
            value = float(body)
    except OverflowError:  # strtod: HUGE_VAL with ERANGE
        raise ParseError(erange=True) from None
    if math.isinf(value):
        raise ParseError(erange=True)
    return value, m.end()


def qemu_strtosz(text: str, default_suffix: str = "B") -> int:
    """qemu_strtosz / qemu_strtosz_MiB: a size with an optional B/K/M/G/T/P/E suffix."""
    value, end = _strtod(text)
    integral = math.floor(value) if value >= 0 else math.ceil(value)
    fractional = value != integral
    suffix = text[end : end + 1].upper()
    if suffix and suffix in _SUFFIX:
        mul = 1 << (10 * _SUFFIX[suffix])
        end += 1
    else:
        mul = 1 << (10 * _SUFFIX[default_suffix])
    if mul == 1 and fractional:
        raise ParseError()
    if value * mul > _NEXT_BELOW_2_64 or value < 0:
        raise ParseError(erange=True)
    if end != len(text):
        raise ParseError()
    if fractional:
        return int(value * mul)
    return int(value) * mul


# More digits than any value up to 2**64 has: the number overflows whatever they are
# (and Python would refuse to convert a string of over 4,300 digits).
_MAX_DIGITS = {16: 16, 8: 22, 10: 20}


def _base0(digits: str) -> int:
    """strtoull's base 0: 0x hexadecimal, a leading 0 octal, else decimal; a value past
    2**64 comes back as U64 + 1 (the caller reports ERANGE)."""
    if digits[:2].lower() == "0x":
        base, body = 16, digits[2:]
    elif digits[0] == "0":
        base, body = 8, digits
    else:
        base, body = 10, digits
    body = body.lstrip("0") or "0"
    if len(body) > _MAX_DIGITS[base]:
        return U64 + 1
    return int(body, base)


def qemu_strtou64(text: str) -> int:
    """qemu_strtou64 with base 0: strtoull, a leading '-' negates modulo 2**64."""
    m = _INT.match(text)
    if not m or m.end() != len(text):
        raise ParseError()
    digits = m.group(2)
    value = _base0(digits)
    if value > U64:
        raise ParseError(erange=True)
    return (-value) & U64 if m.group(1) == "-" else value


def qemu_strtoi64(text: str) -> int:
    """qemu_strtoi64 with base 0."""
    m = _INT.match(text)
    if not m or m.end() != len(text):
        raise ParseError()
    digits = m.group(2)
    value = _base0(digits)
    value = -value if m.group(1) == "-" else value
    if not -(1 << 63) <= value < (1 << 63):
        raise ParseError(erange=True)
    return value


def parse_uint(text: str) -> tuple[int, str]:
    """parse_uint: an unsigned number (no sign allowed) and the rest of the string."""
    m = _INT.match(text)
    if not m or m.group(1):
        raise ParseError()
    digits = m.group(2)
    value = _base0(digits)
    if value > U64:
        raise ParseError(erange=True)
    return value, text[m.end() :]
