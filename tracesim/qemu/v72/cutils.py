"""util/cutils.c of QEMU 7.2: do_strtosz was rewritten in 6.0 (integers parsed exactly,
hex only without a fraction, a fraction only with a scale, a warning for a suffix on hex).
4.2 parsed sizes through strtod; this is not that."""

from __future__ import annotations

from typing import Callable

from ..cutils import ParseError

U64 = (1 << 64) - 1
SPACE = " \t\n\v\f\r"
_SCALE = {"B": 0, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
HEX_SUFFIX_WARNING = "Using a multiplier suffix on hex numbers is deprecated: "

Warn = Callable[[str], None]


def strtoull(text: str, start: int, base: int) -> tuple[int, int, bool]:
    """glibc strtoull from `start`: (value, end, ERANGE); end == start when nothing parsed."""
    i = start
    while i < len(text) and text[i] in SPACE:
        i += 1
    negative = False
    if i < len(text) and text[i] in "+-":
        negative = text[i] == "-"
        i += 1
    digits = "0123456789abcdef"[:base]
    if base == 16 and text[i : i + 2].lower() == "0x" and text[i + 2 : i + 3].lower() in (
        set(digits) - {""}
    ):
        i += 2
    first = i
    value = 0
    overflow = False
    while i < len(text) and text[i].lower() in digits and text[i] != "":
        if not overflow:
            value = value * base + digits.index(text[i].lower())
            overflow = value > U64
        i += 1
    if i == first:
        return 0, start, False
    if overflow:
        return U64, i, True
    return ((-value) & U64 if negative else value), i, False


def _strtod_fraction(text: str, start: int) -> tuple[float, int] | None:
    """strtod on the text from a '.', as do_strtosz uses it (decimal only: it starts at '.')."""
    i = start + 1
    while i < len(text) and text[i].isdigit():
        i += 1
    if i == start + 1:
        return None  # "." alone: no conversion
    end = i
    if i < len(text) and text[i] in "eE":
        j = i + 1
        if j < len(text) and text[j] in "+-":
            j += 1
        k = j
        while k < len(text) and text[k].isdigit():
            k += 1
        if k > j:
            end = k
    mantissa = text[start:i]
    return float(mantissa), end


def qemu_strtosz(text: str, default_suffix: str = "B", warn: Warn | None = None) -> int:
    """qemu_strtosz (default 'B') and qemu_strtosz_MiB ('M'); ParseError(erange) on failure.
    `warn` receives the hex-suffix deprecation warning QEMU prints."""
    value, end, erange = strtoull(text, 0, 10)
    if end == 0:
        raise ParseError()
    if erange:
        # goto out: text left after the digits turns ERANGE into EINVAL
        raise ParseError(erange=end == len(text))
    if "-" in text[:end]:
        raise ParseError()
    hex_ = False
    fraction = 0.0
    if value == 0 and text[end : end + 1] in ("x", "X"):
        value, end, erange = strtoull(text, 0, 16)
        if erange:
            raise ParseError(erange=end == len(text))
        if text[end : end + 1] == ".":
            raise ParseError()
        hex_ = True
    elif text[end : end + 1] == ".":
        parsed = _strtod_fraction(text, end)
        if parsed is None:
            end += 1
        else:
            fraction, stop = parsed
            if any(c in "eE" for c in text[end:stop]):
                raise ParseError()
            end = stop
    suffix = text[end : end + 1].upper()
    if suffix and suffix in _SCALE:
        if hex_ and warn is not None:
            warn(HEX_SUFFIX_WARNING + text)
        mul = 1 << (10 * _SCALE[suffix])
        end += 1
    else:
        mul = 1 << (10 * _SCALE[default_suffix])
    if end != len(text):
        raise ParseError()
    valf = int(fraction * 2.0**64) & U64  # 64-bit fixed-point fraction
    if mul == 1:
        if valf:
            raise ParseError()
        return value
    total = value * mul + ((valf * mul) >> 64) + (((valf * mul) >> 63) & 1)
    if total > U64:
        raise ParseError(erange=True)
    return total
