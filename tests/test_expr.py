"""gdb's C expression grammar: what each expression parses to, and gdb's syntax errors."""
from __future__ import annotations

from typing import Callable

import pytest

from tracesim.debugger.evaluate import parse as parse_in
from tracesim.debugger.expr import (Assign, Binary, BraceCast, Call, Cast, ConvVar, GdbError,
                                    History, Ident, Index, IntLit, Member, SizeOf, StrLit,
                                    Node, Ternary, TypeExpr, TypeName, Unary, tokenize)
from tracesim.debuginfo import debug_info


def parse(text: str, is_symbol: Callable[[str], bool] | None = None) -> Node:
    """Parse as `print` does on QEMU 4.2: its typedefs and -g3 macros are known."""
    return parse_in(debug_info("4.2"), text, is_symbol)


def test_member_access_chains_left_to_right() -> None:
    assert parse("ms->numa_state->nodes[1].node_mem") == Member(
        Index(Member(Member(Ident("ms"), "numa_state", True), "nodes", True), IntLit(1, "int")),
        "node_mem", False)


def test_whitespace_between_tokens_is_ignored() -> None:
    assert parse("  ms -> smp . cpus ") == parse("ms->smp.cpus")


def test_c_precedence() -> None:
    one, two, three = IntLit(1, "int"), IntLit(2, "int"), IntLit(3, "int")
    assert parse("1 + 2 * 3") == Binary("+", one, Binary("*", two, three))
    assert parse("1 - 2 - 3") == Binary("-", Binary("-", one, two), three)
    assert parse("1 << 2 + 3") == Binary("<<", one, Binary("+", two, three))
    assert parse("1 == 2 < 3") == Binary("==", one, Binary("<", two, three))
    assert parse("1 || 2 && 3") == Binary("||", one, Binary("&&", two, three))
    assert parse("1 | 2 ^ 3 & 1") == Binary("|", one, Binary("^", two, Binary("&", three, one)))
    assert parse("1 ? 2 : 3 ? 1 : 2") == Ternary(one, two, Ternary(three, one, two))
    assert parse("1, 2") == Binary(",", one, two)


def test_at_binds_looser_than_plus_tighter_than_shift() -> None:
    """c-exp.y: %left '@' sits between LSH/RSH and '+' '-'."""
    x = Ident("x")
    assert parse("x@1+1") == Binary("@", x, Binary("+", IntLit(1, "int"), IntLit(1, "int")))
    assert parse("x@2<<1") == Binary("<<", Binary("@", x, IntLit(2, "int")), IntLit(1, "int"))
    assert parse("*mc->name@3") == Binary("@", Unary("*", Member(Ident("mc"), "name", True)),
                                          IntLit(3, "int"))


def test_unary_operators_bind_tighter_than_binary_ones() -> None:
    assert parse("-x * ~y") == Binary("*", Unary("-", Ident("x")), Unary("~", Ident("y")))
    assert parse("!*&x") == Unary("!", Unary("*", Unary("&", Ident("x"))))
    assert parse("*ms->numa_state") == Unary("*", Member(Ident("ms"), "numa_state", True))


def test_casts_need_a_type_name() -> None:
    assert parse("((X86MachineState *)ms)->smp_dies") == Member(
        Cast(TypeName("X86MachineState", pointers=1), Ident("ms")), "smp_dies", True)
    assert parse("(int)x") == Cast(TypeName("int"), Ident("x"))
    assert parse("(unsigned long)x") == Cast(TypeName("unsigned long"), Ident("x"))
    assert parse("(long unsigned int)x") == Cast(TypeName("unsigned long"), Ident("x"))
    assert parse("(const char *)p") == Cast(TypeName("char", const=True, pointers=1), Ident("p"))
    assert parse("(struct NumaState *)0") == Cast(TypeName("struct NumaState", pointers=1),
                                                   IntLit(0, "int"))
    assert parse("(x)") == Ident("x")  # not a type: parentheses
    assert parse("{int} 0x10") == BraceCast(TypeName("int"), IntLit(16, "int"))


def test_type_names_alone_are_type_expressions() -> None:
    assert parse("NodeInfo") == TypeExpr(TypeName("NodeInfo"))
    assert parse("struct NodeInfo *") == TypeExpr(TypeName("struct NodeInfo", pointers=1))
    assert parse("uint8_t [4]") == TypeExpr(TypeName("uint8_t", arrays=(4,)))
    assert parse("sizeof(NodeInfo)") == SizeOf(TypeName("NodeInfo"))
    assert parse("sizeof numa_info[0]") == SizeOf(Index(Ident("numa_info"), IntLit(0, "int")))


def test_integer_literals_take_gdbs_types() -> None:
    assert parse("10") == IntLit(10, "int")
    assert parse("0x1F") == IntLit(31, "int")
    assert parse("017") == IntLit(15, "int")
    assert parse("0") == IntLit(0, "int")
    assert parse("2147483648") == IntLit(2147483648, "long")
    assert parse("0xffffffff") == IntLit(0xFFFFFFFF, "unsigned int")
    assert parse("4294967296") == IntLit(4294967296, "long")
    assert parse("10u") == IntLit(10, "unsigned int")
    assert parse("1L") == IntLit(1, "long")
    assert parse("1ul") == IntLit(1, "unsigned long")
    assert parse("0xffffffffffffffff") == IntLit(2 ** 64 - 1, "unsigned long")


def test_character_and_string_literals() -> None:
    assert parse("'a'") == IntLit(97, "char")
    assert parse("'\\n'") == IntLit(10, "char")
    assert parse("'\\0'") == IntLit(0, "char")
    assert parse("'\\033'") == IntLit(27, "char")
    assert parse("'\\x41'") == IntLit(65, "char")
    assert parse("'\\310'") == IntLit(-56, "char")  # char is signed on x86
    assert parse("'\\''") == IntLit(39, "char")
    assert parse('"a\\"b"') == StrLit(b'a"b')
    assert parse('"ab" "cd"') == StrLit(b"abcd")


def test_value_history_and_convenience_variables() -> None:
    assert parse("$") == History(0, True)
    assert parse("$$") == History(1, True)
    assert parse("$$3") == History(3, True)
    assert parse("$7") == History(7, False)
    assert parse("$foo") == ConvVar("foo")
    assert parse("$$$") == ConvVar("$$")
    assert parse("$1.node_mem") == Member(History(1, False), "node_mem", False)
    assert parse("$x = 5") == Assign("=", ConvVar("x"), IntLit(5, "int"))
    assert parse("$x += 1") == Assign("+=", ConvVar("x"), IntLit(1, "int"))


def test_macros_expand_as_with_g3() -> None:
    assert parse("MAX_NODES") == IntLit(128, "int")
    assert parse("true") == IntLit(1, "int")
    assert parse("(bool)x") == Cast(TypeName("_Bool"), Ident("x"))
    assert parse("NULL") == Cast(TypeName("void", pointers=1), IntLit(0, "int"))


def test_calls_parse_but_are_not_made_here() -> None:
    assert parse("f(1, x)") == Call(Ident("f"), (IntLit(1, "int"), Ident("x")))


@pytest.mark.parametrize("text, near", [
    ("1 +", ""),
    (")", ")"),
    ("1 2", "2"),
    ("ms->", ""),
    ("(", ""),
    ("ms->numa_state->", ""),
    ("numa_info[0", ""),
    ("1 + + )", ")"),
    ("a ? b", ""),
    ("x.1", ".1"),
    ("ram_size 1.5", "1.5"),
    ("", ""),
])
def test_syntax_errors_name_the_rest_of_the_text(text: str, near: str) -> None:
    with pytest.raises(GdbError) as err:
        parse(text)
    assert str(err.value) == f"A syntax error in expression, near `{near}'."


@pytest.mark.parametrize("text, message", [
    ("08", 'Invalid number "08".'),
    ("0x", 'Invalid number "0x".'),
    ("12abc", 'Invalid number "12abc".'),
    ("'ab'", "Invalid character constant."),
    ("''", "Empty character constant."),
    ("'a", "Unmatched single quote."),
    ('"abc', "Unterminated string in expression."),
    ("1 # 2", "Invalid character '#' in expression."),
    ("1.5", "tracesim has no floating-point values (1.5)."),
])
def test_lexical_errors(text: str, message: str) -> None:
    with pytest.raises(GdbError) as err:
        parse(text)
    assert str(err.value) == message


def test_unknown_names_fail_while_parsing_when_a_scope_is_given() -> None:
    known = {"ms"}.__contains__
    with pytest.raises(GdbError) as err:
        parse("(NoSuchType *)ms", is_symbol=known)
    assert str(err.value) == 'No symbol "NoSuchType" in current context.'
    assert parse("ms->anything", is_symbol=known) == Member(Ident("ms"), "anything", True)


def test_tokens_remember_where_they_start() -> None:
    tokens = tokenize("ms -> smp")
    assert [(t.kind, t.text, t.pos) for t in tokens] == [
        ("ident", "ms", 0), ("op", "->", 3), ("ident", "smp", 6), ("end", "", 9)]
