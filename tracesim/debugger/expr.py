"""C expressions as gdb's `print` reads them: a tokenizer and a precedence-climbing parser
producing a small AST of dataclasses. Nothing here is ever handed to eval/exec.

Grammar and precedence follow gdb 13's c-exp.y (`@` binds tighter than the shifts, looser
than `+`); `$N`, `$`, `$$`, `$$N` name the value history and `$name` a convenience variable.
Object-like macros kept by -g3 (MAX_NODES, true, NULL, ...) are expanded as gdb does; the
program's debug information supplies them and its type names (the parser knows only C's).
Errors carry gdb's own text, e.g. ``A syntax error in expression, near `2'.``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union


class GdbError(Exception):
    """An error whose message is what gdb prints for it."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class IntLit:
    value: int
    type: str  # a C base type name: "int", "unsigned long", "char"


@dataclass(frozen=True)
class StrLit:
    value: bytes


@dataclass(frozen=True)
class Ident:
    name: str


@dataclass(frozen=True)
class History:
    """`$N` (relative=False) or `$`, `$$`, `$$N` (relative=True: N back from the last)."""
    number: int
    relative: bool


@dataclass(frozen=True)
class ConvVar:
    name: str  # without the `$`


@dataclass(frozen=True)
class TypeName:
    """A type as written: `struct NumaState *`, `unsigned int`, `uint8_t [4]`."""
    base: str  # "int", "NodeInfo", "struct NodeInfo"
    const: bool = False
    pointers: int = 0
    arrays: tuple[int, ...] = ()


@dataclass(frozen=True)
class TypeExpr:
    type: TypeName


@dataclass(frozen=True)
class Unary:
    op: str  # - + ! ~ * &
    operand: "Node"


@dataclass(frozen=True)
class Binary:
    op: str  # arithmetic, bitwise, comparison, logical, `@`, `,`
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Assign:
    op: str  # = += -= ...
    target: "Node"
    value: "Node"


@dataclass(frozen=True)
class Ternary:
    cond: "Node"
    then: "Node"
    other: "Node"


@dataclass(frozen=True)
class Cast:
    type: TypeName
    operand: "Node"


@dataclass(frozen=True)
class BraceCast:
    """gdb's `{type} addr`: the object of that type at that address."""
    type: TypeName
    operand: "Node"


@dataclass(frozen=True)
class SizeOf:
    operand: Union["Node", TypeName]


@dataclass(frozen=True)
class Member:
    obj: "Node"
    name: str
    arrow: bool


@dataclass(frozen=True)
class Index:
    obj: "Node"
    index: "Node"


@dataclass(frozen=True)
class Call:
    fn: "Node"
    args: tuple["Node", ...]


Node = Union[IntLit, StrLit, Ident, History, ConvVar, TypeExpr, Unary, Binary, Assign, Ternary,
             Cast, BraceCast, SizeOf, Member, Index, Call]

# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: str  # num, char, str, ident, dollar, op, end
    text: str
    pos: int  # offset in the source text: a syntax error shows the text from here
    value: "IntLit | bytes | None" = None


OPERATORS = sorted("""-> <<= >>= << >> <= >= == != && || ++ -- += -= *= /= %= &= |= ^=
+ - * / % & | ^ ! ~ < > = ? : , . [ ] ( ) @ { }""".split(), key=len, reverse=True)
ASSIGN_OPS = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="}
TYPE_WORDS = {"unsigned", "signed", "int", "char", "long", "short", "void", "_Bool",
              "float", "double"}
QUALIFIERS = {"const", "volatile"}
TAG_WORDS = {"struct", "union", "enum"}
ESCAPES = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11, "e": 27,
           "\\": 92, "'": 39, '"': 34, "?": 63}
INT_MAX, UINT_MAX, LONG_MAX = (1 << 31) - 1, (1 << 32) - 1, (1 << 63) - 1


def _is_ident_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        start = i
        if c in _DIGITS or (c == "." and i + 1 < n and text[i + 1] in _DIGITS):
            # gdb takes the whole alphanumeric run, then judges it (`08`, `0x` are invalid)
            while i < n and (_is_ident_char(text[i]) or text[i] == "."):
                i += 1
            word = text[start:i]
            if is_float(word):  # lexed like gdb, so `x.1` is a syntax error near `.1'
                tokens.append(Token("float", word, start))
            else:
                tokens.append(Token("num", word, start, parse_number(word)))
        elif c == "'":
            i, value = _char_literal(text, i)
            tokens.append(Token("char", text[start:i], start, value))
        elif c == '"':
            i, data = _string_literal(text, i)
            tokens.append(Token("str", text[start:i], start, data))
        elif c == "$":
            i += 1
            while i < n and (_is_ident_char(text[i]) or text[i] == "$"):
                i += 1
            tokens.append(Token("dollar", text[start:i], start))
        elif c.isalpha() or c == "_":
            while i < n and _is_ident_char(text[i]):
                i += 1
            tokens.append(Token("ident", text[start:i], start))
        else:
            op = next((o for o in OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise GdbError(f"Invalid character '{c}' in expression.")
            i += len(op)
            tokens.append(Token("op", op, start))
    tokens.append(Token("end", "", n))
    return tokens


_DIGITS = "0123456789"  # not str.isdigit: it takes `²` and `٣`, which int() refuses


def is_float(word: str) -> bool:
    lower = word.lower()
    return "." in word or (not lower.startswith("0x") and "e" in lower.rstrip("uUlL")
                           and lower[0] in _DIGITS and lower.isascii()
                           and lower.replace("e", "", 1).isdigit())


def _is_hex(digits: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in digits)


def parse_number(word: str) -> IntLit:
    """A C integer literal with gdb's choice of type (c-exp.y parse_number)."""
    body = word.rstrip("uUlL")
    suffix = word[len(body):].lower()
    if len(body) > 66 and body.isascii() and body.isalnum():  # beyond 64 bits in any base
        if body.isdigit() or body.lower().startswith("0x") and _is_hex(body[2:]):
            raise GdbError("Numeric constant too large.")
    try:
        if suffix.count("u") > 1 or suffix.replace("u", "") not in ("", "l", "ll"):
            raise ValueError
        if body.lower().startswith("0x"):
            value, decimal = int(body[2:], 16), False
        elif body.startswith("0") and len(body) > 1:
            value, decimal = int(body[1:], 8), False
        else:
            value, decimal = int(body, 10), True
    except ValueError:
        raise GdbError(f'Invalid number "{word}".') from None
    unsigned, longs = "u" in suffix, suffix.count("l")
    if value > (1 << 64) - 1:
        raise GdbError("Numeric constant too large.")
    if not longs and value <= (UINT_MAX if unsigned else INT_MAX):
        return IntLit(value, "unsigned int" if unsigned else "int")
    if not longs and not decimal and not unsigned and value <= UINT_MAX:
        return IntLit(value, "unsigned int")
    if not unsigned and value <= LONG_MAX:
        return IntLit(value, "long")
    return IntLit(value, "unsigned long")


def _escape(text: str, i: int) -> tuple[int, int]:
    """The escape sequence after the backslash at text[i-1]: (next index, byte value)."""
    if i >= len(text):
        raise GdbError("Unmatched single quote.")
    c = text[i]
    if c in "01234567":
        j = i
        while j < len(text) and j < i + 3 and text[j] in "01234567":
            j += 1
        return j, int(text[i:j], 8) & 0xFF
    if c == "x":
        j = i + 1
        while j < len(text) and text[j] in "0123456789abcdefABCDEF":
            j += 1
        if j == i + 1:
            raise GdbError("\\x escape without a following hex digit")
        return j, int(text[i + 1:j], 16) & 0xFF
    return i + 1, ESCAPES.get(c, ord(c))


def _char_literal(text: str, i: int) -> tuple[int, IntLit]:
    i += 1
    values: list[int] = []
    while i < len(text) and text[i] != "'":
        if text[i] == "\\":
            i, v = _escape(text, i + 1)
        else:
            v, i = ord(text[i]), i + 1
        values.append(v)
    if i >= len(text):
        raise GdbError("Unmatched single quote.")
    if len(values) != 1:
        raise GdbError("Empty character constant." if not values
                       else "Invalid character constant.")
    v = values[0] & 0xFF if values[0] < 0x100 else values[0]
    return i + 1, IntLit(v - 256 if 127 < v < 256 else v, "char" if v < 256 else "int")


def _utf8(ch: str) -> bytes:
    """A character's bytes; a byte that was not UTF-8 in a script (surrogateescape) is that
    byte again, any other lone surrogate its UTF-8-like form, as C would hold it."""
    try:
        return ch.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return ch.encode("utf-8", "surrogatepass")


def _string_literal(text: str, i: int) -> tuple[int, bytes]:
    i += 1
    out = bytearray()
    while i < len(text) and text[i] != '"':
        if text[i] == "\\":
            i, v = _escape(text, i + 1)
            if v > 0xFF:  # an escaped non-ASCII character: its UTF-8 bytes
                out += _utf8(chr(v))
            else:
                out.append(v)
        else:
            out += _utf8(text[i])
            i += 1
    if i >= len(text):
        raise GdbError("Unterminated string in expression.")
    return i + 1, bytes(out)


def expand_macros(tokens: list[Token], macros: dict[str, str]) -> list[Token]:
    """Replace object-like macros; their tokens keep the macro name's position."""
    out: list[Token] = []

    def expand(tok: Token, active: frozenset[str]) -> None:
        if tok.kind == "ident" and tok.text in macros and tok.text not in active:
            for sub in tokenize(macros[tok.text])[:-1]:
                expand(Token(sub.kind, sub.text, tok.pos, sub.value), active | {tok.text})
        else:
            out.append(tok)

    for tok in tokens:
        expand(tok, frozenset())
    return out


# --------------------------------------------------------------------------- parser

BINARY_PRECEDENCE = {
    "||": 4, "&&": 5, "|": 6, "^": 7, "&": 8, "==": 9, "!=": 9,
    "<": 10, ">": 10, "<=": 10, ">=": 10, "<<": 11, ">>": 11, "@": 12,
    "+": 13, "-": 13, "*": 14, "/": 14, "%": 14,
}


def default_is_type(name: str) -> bool:
    """Without a program, no name is a typedef (C's base type keywords still are types)."""
    return False


class Parser:
    def __init__(self, text: str, is_type: Callable[[str], bool] = default_is_type,
                 macros: dict[str, str] | None = None,
                 is_symbol: Callable[[str], bool] | None = None) -> None:
        self.text = text
        self.tokens = expand_macros(tokenize(text), macros or {})
        self.at = 0
        self.is_type = is_type
        self.is_symbol = is_symbol

    # helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.at]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.at + k, len(self.tokens) - 1)]

    def next(self) -> Token:
        tok = self.tok
        self.at = min(self.at + 1, len(self.tokens) - 1)
        return tok

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def error(self, tok: Token | None = None) -> GdbError:
        tok = tok or self.tok
        return GdbError(f"A syntax error in expression, near `{self.text[tok.pos:]}'.")

    def expect(self, op: str) -> None:
        if not self.is_op(op):
            raise self.error()
        self.next()

    # grammar
    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.error()
        node = self.comma()
        if self.tok.kind != "end":
            raise self.error()
        return node

    def comma(self) -> Node:
        node = self.assignment()
        while self.is_op(","):
            self.next()
            node = Binary(",", node, self.assignment())
        return node

    def assignment(self) -> Node:
        node = self.ternary()
        if self.tok.kind == "op" and self.tok.text in ASSIGN_OPS:
            op = self.next().text
            return Assign(op, node, self.assignment())
        return node

    def ternary(self) -> Node:
        cond = self.binary(4)
        if not self.is_op("?"):
            return cond
        self.next()
        then = self.comma()
        self.expect(":")
        return Ternary(cond, then, self.ternary())

    def binary(self, min_prec: int) -> Node:
        left = self.unary()
        while self.tok.kind == "op" and BINARY_PRECEDENCE.get(self.tok.text, 0) >= min_prec:
            op = self.next().text
            right = self.binary(BINARY_PRECEDENCE[op] + 1)  # all left-associative
            left = Binary(op, left, right)
        return left

    def unary(self) -> Node:
        tok = self.tok
        if tok.kind == "op" and tok.text in ("-", "+", "!", "~", "*", "&"):
            self.next()
            return Unary(tok.text, self.unary())
        if tok.kind == "op" and tok.text in ("++", "--"):
            raise GdbError("tracesim cannot modify the traced program (++/--).")
        if tok.kind == "ident" and tok.text == "sizeof":
            self.next()
            if self.is_op("(") and self.starts_type(self.peek()):
                self.next()
                t = self.type_name()
                self.expect(")")
                return SizeOf(t)
            return SizeOf(self.unary())
        if self.is_op("(") and self.starts_type(self.peek()):
            self.next()
            t = self.type_name()
            self.expect(")")
            if self.tok.kind == "end" or self.is_op(")", ",", "]", ":"):
                return TypeExpr(t)  # `whatis (NodeInfo *)`
            return Cast(t, self.unary())
        if self.is_op("{") and self.starts_type(self.peek()):
            self.next()
            t = self.type_name()
            self.expect("}")
            return BraceCast(t, self.unary())
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.is_op("["):
                self.next()
                index = self.comma()
                self.expect("]")
                node = Index(node, index)
            elif self.is_op(".", "->"):
                arrow = self.next().text == "->"
                if self.tok.kind != "ident":
                    raise self.error()
                node = Member(node, self.next().text, arrow)
            elif self.is_op("("):
                self.next()
                args: list[Node] = []
                if not self.is_op(")"):
                    args.append(self.assignment())
                    while self.is_op(","):
                        self.next()
                        args.append(self.assignment())
                self.expect(")")
                node = Call(node, tuple(args))
            elif self.is_op("++", "--"):
                raise GdbError("tracesim cannot modify the traced program (++/--).")
            else:
                return node

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind in ("num", "char"):
            self.next()
            assert isinstance(tok.value, IntLit)
            return tok.value
        if tok.kind == "str":
            data = b""
            while self.tok.kind == "str":  # "a" "b" concatenates
                value = self.next().value
                assert isinstance(value, bytes)
                data += value
            return StrLit(data)
        if tok.kind == "dollar":
            self.next()
            return dollar(tok.text)
        if tok.kind == "float":
            raise GdbError(f"tracesim has no floating-point values ({tok.text}).")
        if self.starts_type(tok):
            return TypeExpr(self.type_name())
        if tok.kind == "ident" and tok.text != "sizeof":
            self.next()
            # gdb looks a name up as it parses it: an unknown one fails before a later
            # syntax error (`(NoSuchType *)ms`)
            if self.is_symbol is not None and not self.is_symbol(tok.text):
                raise GdbError(f'No symbol "{tok.text}" in current context.')
            return Ident(tok.text)
        if self.is_op("("):
            self.next()
            node = self.comma()
            self.expect(")")
            return node
        raise self.error()

    # types
    def starts_type(self, tok: Token) -> bool:
        if tok.kind != "ident":
            return False
        word = tok.text
        return (word in TYPE_WORDS or word in QUALIFIERS or word in TAG_WORDS
                or self.is_type(word))

    def type_name(self) -> TypeName:
        const = False
        words: list[str] = []
        base = ""
        while self.tok.kind == "ident":
            word = self.tok.text
            if word in QUALIFIERS:
                const = const or word == "const"
                self.next()
            elif word in TAG_WORDS and not words and not base:
                self.next()
                if self.tok.kind != "ident":
                    raise self.error()
                base = f"{word} {self.next().text}"
            elif word in TYPE_WORDS and not base:
                words.append(word)
                self.next()
            elif not words and not base and self.is_type(word):
                base = word
                self.next()
            else:
                break
        if words:
            base = normalize_base(words)
        if not base:
            raise self.error()
        pointers = 0
        while self.is_op("*") or (self.tok.kind == "ident" and self.tok.text in QUALIFIERS):
            if self.is_op("*"):
                pointers += 1
            self.next()
        arrays: list[int] = []
        while self.is_op("["):
            self.next()
            if self.tok.kind != "num":
                raise self.error()
            lit = self.next().value
            assert isinstance(lit, IntLit)
            arrays.append(lit.value)
            self.expect("]")
        return TypeName(base, const, pointers, tuple(arrays))


def normalize_base(words: list[str]) -> str:
    """`long unsigned int` -> `unsigned long`: gdb's names for C's base types."""
    if "float" in words or "double" in words:
        raise GdbError("tracesim has no floating-point types.")
    for only in ("void", "_Bool"):
        if only in words:
            return only
    longs = words.count("long")
    sign = "unsigned " if "unsigned" in words else ""
    if "char" in words:
        return ("signed char" if "signed" in words else f"{sign}char")
    if "short" in words:
        return f"{sign}short"
    if longs:
        return sign + " ".join(["long"] * min(longs, 2))
    return f"{sign}int"


def dollar(text: str) -> Node:
    """gdb's write_dollar_variable: `$`=$$0, `$$`=$$1, `$N`, `$$N`, else `$name`."""
    rest = text[1:]
    if rest == "":
        return History(0, True)
    if rest == "$":
        return History(1, True)
    digits = rest[1:] if rest.startswith("$") else rest
    if digits.isascii() and digits.isdigit():  # not `$²`: str.isdigit takes more than 0-9
        if len(digits) > 64:  # beyond any history, and beyond Python's int() digit limit
            raise GdbError("Numeric constant too large.")
        return History(int(digits), rest.startswith("$"))
    return ConvVar(rest)


def parse(text: str, is_type: Callable[[str], bool] = default_is_type,
          is_symbol: Callable[[str], bool] | None = None,
          macros: dict[str, str] | None = None) -> Node:
    """Parse one C expression (a bare type name parses to TypeExpr, for ptype/whatis).
    `is_type` names the program's typedefs and `macros` its -g3 macros. With `is_symbol`,
    unknown names fail as gdb's parser fails them. Raises GdbError with gdb's message."""
    return Parser(text, is_type, macros, is_symbol).parse()
