"""Text from traces and QEMU arguments, made safe for a terminal.

Anything a trace or a command line carries may hold control characters (`\\x1b]0;...\\x07`
retitles a terminal, `\\x1b[2J` clears it) or bytes that are not UTF-8 (read with
surrogateescape). Every front end prints such text through `safe_text`:

- C0 controls other than newline and tab, and DEL, as gdb's `print` writes them in a string:
  `\\a \\b \\f \\r \\v`, else three octal digits (`\\033`, `\\177`);
- C1 controls (U+0080..U+009F) as gdb shows a character it cannot print: the octal of its
  UTF-8 bytes (`\\302\\233`);
- bytes that were not valid UTF-8 (surrogateescape's U+DC80..U+DCFF) as `\\xNN`, other lone
  surrogates as `\\uXXXX`.

Backslashes are left alone: these are plain text lines, not C strings.
"""

from __future__ import annotations

import re
_C_ESCAPES = {7: "\\a", 8: "\\b", 12: "\\f", 13: "\\r", 11: "\\v", 10: "\\n", 9: "\\t"}

# what is never written raw; \n and \t are added per call
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
_UNSAFE_LINE = re.compile(f"[{_UNSAFE}]")
_UNSAFE_ONE_LINE = re.compile(f"[{_UNSAFE}\n]")  # also newlines: one event, one line
_UNSAFE_ALL = re.compile(f"[{_UNSAFE}\n\t]")


def escape_char(ch: str) -> str:
    """One unsafe character as it is shown."""
    code = ord(ch)
    if code < 0x20 or code == 0x7F:
        return _C_ESCAPES.get(code) or f"\\{code:03o}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return f"\\u{code:04x}"
    return "".join(f"\\{b:03o}" for b in ch.encode("utf-8"))  # C1, as gdb prints it


def _sub(match: re.Match[str]) -> str:
    return escape_char(match.group())


def safe_text(text: str, newlines: bool = True, tabs: bool = True) -> str:
    """`text` with every control character escaped (newlines and tabs kept unless asked)."""
    pattern = _UNSAFE_LINE if newlines else _UNSAFE_ONE_LINE if tabs else _UNSAFE_ALL
    if pattern.search(text) is None:  # the usual case: nothing to do
        return text
    return pattern.sub(_sub, text)


def safe_line(text: str) -> str:
    """One line: newlines escaped too (`\\n`), so a value can never start a new line."""
    return safe_text(text, newlines=False)


def is_safe(text: str) -> bool:
    """Nothing in `text` would reach a terminal raw (newlines and tabs allowed)."""
    return _UNSAFE_LINE.search(text) is None
