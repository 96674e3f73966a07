"""util/cutils.c of QEMU 10.0: do_strtosz changed again after 7.2 (a negative number is out
of range, a suffix on hex is refused instead of warned about, `.5G` is a size)."""

from __future__ import annotations

import math

from ..cutils import ParseError, _strtod
from ..v72.cutils import U64, Warn, strtoull

_SCALE = {"B": 0, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
EINVAL, ERANGE = 1, 2


def _parse_uint(text: str, base: int) -> tuple[int, int, int]:
    """parse_uint: (error, value, end); a '-' sign is ERANGE."""
    value, end, erange = strtoull(text, 0, base)
    if erange:
        return ERANGE, U64, end
    if end == 0:
        return EINVAL, 0, 0
    if text.lstrip(" \t\n\v\f\r").startswith("-"):
        return ERANGE, 0, end
    return 0, value, end


def _scale(c: str) -> int:
    c = c.upper()
    return 1 << (10 * _SCALE[c]) if c and c in _SCALE else -1


def qemu_strtosz(text: str, default_suffix: str = "B", warn: Warn | None = None) -> int:
    """qemu_strtosz / qemu_strtosz_MiB of 10.0; ParseError(erange) on failure."""
    err, val, end = _parse_uint(text, 10)
    valf = 0
    if err == ERANGE:
        raise ParseError(erange=end == len(text))  # trailing text makes it EINVAL
    if err == 0 and val == 0 and text[end:end + 1] in ("x", "X"):
        val, end, erange = strtoull(text, 0, 16)
        if erange:
            raise ParseError(erange=end == len(text))
        if text[end:end + 1] == "." or _scale(text[end:end + 1]) > 0:
            raise ParseError()
    elif text[end:end + 1] == "." or (end == 0 and "." in text):
        fraction = 0.0
        if err == 0 and text[end:end + 1] == "." and not text[end + 1:end + 2].isdigit():
            end += 1
        else:
            copy = text[end:]
            for mark in ("e", "E"):  # an exponent is cut off: what is left is at most 1.0
                copy = copy.split(mark, 1)[0]
            try:
                fraction, tail = _strtod(copy)
                err = 0
            except ParseError as e:
                err, tail = (ERANGE if e.erange else EINVAL), 0
            end += tail
            if math.copysign(1.0, fraction) < 0:
                raise ParseError(erange=end == len(text))
        if fraction == 1.0:
            if val == U64:
                raise ParseError(erange=True)
            val += 1
        elif err == ERANGE:
            valf, err = 1, 0  # underflow: a tiny fraction rounds up
        else:
            valf = int(fraction * 2.0**64) & U64
            if valf == 0 and fraction > 0.0:
                valf = 1
    if err:
        raise ParseError(erange=err == ERANGE and end == len(text))
    mul = _scale(text[end:end + 1])
    if mul > 0:
        end += 1
    else:
        mul = _scale(default_suffix)
    if mul == 1:
        if valf:
            raise ParseError()
        total = val
    else:
        total = val * mul + ((valf * mul) >> 64) + (((valf * mul) >> 63) & 1)
        if total > U64:
            raise ParseError(erange=end == len(text))
    if end != len(text):
        raise ParseError()
    return total
