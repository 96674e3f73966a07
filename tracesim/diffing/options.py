"""QEMU command lines and their options, compared.

This module holds what `tracesim diff` knows of the command line: the last occurrence of an
option and its argument (`argv_option`), a command line cut into options (`argv_options`),
the options two command lines differ in (`argv_changes`), what one option has that the other
has not, key by key (`option_difference`), and which QEMU functions handle which option.
"""
from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

_OPTION_OF = {"set_memory_options": "-m", "pc_smp_parse": "-smp", "smp_parse": "-smp"}


def argv_option(argv: list[str], name: str) -> str | None:
    """`-m 1024`: the last occurrence of an option and its argument."""
    found = None
    for i, word in enumerate(argv[:-1]):
        if word in (name, "-" + name):
            found = f"{name} {argv[i + 1]}"
    return found


def argv_options(argv: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i].startswith("-") and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            out.append(f"{argv[i]} {argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def argv_changes(a: list[str], b: list[str]) -> list[dict[str, Any]]:
    """The options the two command lines differ in, in order (1-based option positions)."""
    if a == b:
        return []
    oa, ob = argv_options(a), argv_options(b)
    lo = 0  # what both start and end with needs no matching
    while lo < min(len(oa), len(ob)) and oa[lo] == ob[lo]:
        lo += 1
    hi = 0
    while hi < min(len(oa), len(ob)) - lo and oa[-1 - hi] == ob[-1 - hi]:
        hi += 1
    out: list[dict[str, Any]] = []
    matcher = SequenceMatcher(None, oa[lo:len(oa) - hi], ob[lo:len(ob) - hi], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + lo, i2 + lo, j1 + lo, j2 + lo
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:  # option by option
            out += [{"position": i + 1, "a": [oa[i]], "b": [ob[j]]}
                    for i, j in zip(range(i1, i2), range(j1, j2))]
        else:
            out.append({"position": i1 + 1, "a": oa[i1:i2], "b": ob[j1:j2]})
    return out


def _option_keys(option: str | None) -> dict[str, list[str]]:
    """`-numa node,mem=256M,cpus=0-1` as {type: [node], mem: [256M], cpus: [0-1]}."""
    if not option:
        return {}
    name, _, arg = option.partition(" ")
    keys: dict[str, list[str]] = {}
    for k, item in enumerate(arg.split(",")):
        key, eq, value = item.partition("=")
        if not eq and k == 0:  # the implied first key (type for -numa, numa.c:48)
            key, value = ("type" if name == "-numa" else "value"), key
        keys.setdefault(key, []).append(value)
    return keys


def option_difference(a: str | None, b: str | None) -> str:
    """What one option has that the other has not: `mem=256M only in B`."""
    if not a or not b:
        return f"only {'B' if b else 'A'} has this option"
    ka, kb = _option_keys(a), _option_keys(b)
    bits = []
    for key in list(ka) + [k for k in kb if k not in ka]:
        x, y = ka.get(key), kb.get(key)
        if x == y:
            continue
        if x is None:
            bits.append(f"{key}={','.join(y or [])} only in B")
        elif y is None:
            bits.append(f"{key}={','.join(x)} only in A")
        else:
            bits.append(f"{key}={','.join(x)} in A, {key}={','.join(y)} in B")
    return "; ".join(bits) or "the same keys and values"
