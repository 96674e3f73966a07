"""Hunks grouped by what caused them: one changed option, or one decision, and its follow-ons.

Two command lines that differ in two options can give dozens of hunks: every later statement
that reads a value the option set differs too. A reader wants the few causes first, each with
the hunks that follow from it. A hunk's cause is, in this order:

1. the changed option QEMU is handling there (`-m 1024` in A, `-m 2048` in B), or the command
   lines themselves where main reads them;
2. for a parting of the ways in a call that already parted: that earlier hunk's cause;
3. for a decision whose differing operand was stored while handling an option: that option;
4. a differing value that an earlier cause already made differ (the same pair of values, A's
   and B's: `ram_size` 1 GiB and 2 GiB, then `size` 1 GiB and 2 GiB in a callee);
5. the cause of the hunk just before, when both are in one call (or a call and its callee);

else the hunk is a cause of its own.
"""
from __future__ import annotations

from typing import Any

import msgspec

from ..trace import events as ev
from .align import Frame, Hunk, Unit
from .explain import event_changes

_TRIVIAL = (True, False, None, 0, 1, -1, "")  # values too common to tell one cause from another


def group_hunks(kept: list[tuple[int, Hunk]], hunks: list[dict[str, Any]],
                anchors: dict[int, tuple[Unit | None, Unit | None]]) -> list[dict[str, Any]]:
    """Give each explained hunk its `group` (1-based: its cause), `follows` (the group's first
    hunk, None for that one) and `group_by` (why it is in the group); return the groups, in
    order of their first hunk: what caused each and its hunks."""
    causes: list[dict[str, Any]] = []
    by_key: dict[Any, int] = {}
    by_hunk: dict[int, int] = {}
    pairs: dict[bytes, int] = {}
    stored: dict[str, int] = {}  # memory one run alone stored (in a parting) -> its group
    alone: dict[bytes, int] = {}  # ["a"|"b", value] one run alone stored -> its group
    previous: tuple[Frame | None, int] | None = None
    raw = dict(kept)
    for h in hunks:
        n = h["index"]
        unit = anchors.get(n, (None, None))
        frame = (unit[0] or unit[1]).frame if (unit[0] or unit[1]) is not None else None
        mine = _value_pairs(raw[n]) if n in raw else set()
        key, why = _own_key(h)
        k = by_key.get(key) if key is not None else None
        if k is None and key is None:
            k, why = _follows(h, by_hunk, by_key, causes)
            if k is None:
                k = _read_alone(h, stored)
                why = "stored" if k is not None else why
            if k is None:
                k = next((pairs[p] for p in sorted(mine) if p in pairs and _both(p)), None)
                k = k if k is not None else next(
                    (alone[s] for p in sorted(mine) for s in _sides(p) if s in alone), None)
                why = "values" if k is not None else why
            if k is None and previous is not None and _one_call(frame, previous[0]):
                k = previous[1]
                why = "call"
        if k is None:
            k = len(causes) + 1
            causes.append({"index": k, "hunks": [], "key": key or ("hunk", n),
                           "text": _cause_text(key, h), "option": _option_of(key)})
            if key is not None:
                by_key[key] = k
        cause = causes[k - 1]
        h["group"] = k
        h["follows"] = cause["hunks"][0] if cause["hunks"] else None
        h["group_by"] = why if cause["hunks"] else "own"
        cause["hunks"].append(n)
        by_hunk[n] = k
        for p in mine:
            pairs.setdefault(p, k)
        if n in raw:
            for side, path, value in _one_sided_stores(raw[n]) + _other_stores(raw[n]):
                stored.setdefault(path, k)
                if _telling(value):
                    alone.setdefault(msgspec.json.encode([side, value]), k)
        previous = (frame, k)
    for cause in causes:
        cause["key"] = list(cause["key"])
        cause["ranges"] = _ranges(cause["hunks"])
    return causes


def _own_key(h: dict[str, Any]) -> tuple[Any, str]:
    opt = h.get("option") or {}
    if h["kind"] == "value" and h["where"].startswith("the entry of main "):
        return ("argv",), "argv"
    if opt and opt.get("a") != opt.get("b"):
        return ("option", opt.get("a"), opt.get("b")), "option"
    return None, "own"


def _follows(h: dict[str, Any], by_hunk: dict[int, int], by_key: dict[Any, int],
             causes: list[dict[str, Any]]) -> tuple[int | None, str]:
    """An earlier parting in the same call, or the option that stored a differing operand."""
    earlier = h.get("earlier")
    if earlier:
        for cause in causes:
            for n in cause["hunks"]:
                if f"(hunk {n})" in earlier:
                    return by_hunk[n], "parted"
    for c in h.get("causes") or []:
        for side in ("a_set", "b_set"):
            opt = (c.get(side) or {}).get("option")
            if not opt:
                continue
            for key, k in by_key.items():
                if key[0] == "option" and opt in key[1:]:
                    return k, "stored"
    return None, "own"


def _one_sided_stores(h: Hunk) -> list[tuple[str, str, Any]]:
    """The stores only one run makes in a parting: ("a"|"b", path, value)."""
    out = []
    for op, ua, ub in h.items:
        u = ua if op == "-" else ub if op == "+" else None
        if u is None:
            continue
        for e in u.events:
            if type(e) is ev.Write:
                out.append(("a" if op == "-" else "b", e.path, e.value))
    return out


def _both(pair: bytes) -> bool:
    a, b = msgspec.json.decode(pair)
    return a not in _TRIVIAL and b not in _TRIVIAL


def _other_stores(h: Hunk) -> list[tuple[str, str, Any]]:
    """Stores the runs make at one statement into different places (`distance[0][1]` in A,
    `distance[1][0]` in B): each is a value only that run has there."""
    out = []
    for op, ua, ub in h.items:
        if op != "~" or ua is None or ub is None:
            continue
        wa = {e.path: e.value for e in ua.events if type(e) is ev.Write}
        wb = {e.path: e.value for e in ub.events if type(e) is ev.Write}
        out += [("a", p, v) for p, v in wa.items() if p not in wb]
        out += [("b", p, v) for p, v in wb.items() if p not in wa]
    return out


def _sides(pair: bytes) -> list[bytes]:
    a, b = msgspec.json.decode(pair)
    return [msgspec.json.encode([side, v]) for side, v in (("a", a), ("b", b)) if _telling(v)]


def _telling(value: Any) -> bool:
    """A value rare enough to say where it came from (not 0, 1, true, a small count)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return abs(value) >= 8
    return isinstance(value, str) and len(value) >= 2


def _read_alone(h: dict[str, Any], stored: dict[str, int]) -> int | None:
    """A decision that reads memory one run alone stored in an earlier parting."""
    d = h.get("decision")
    if not d:
        return None
    cond = d["cond"].replace("->", ".").replace(" ", "")
    for path, k in stored.items():
        tail = ".".join(path.split(".")[-2:])
        if "[" not in tail and tail in cond:
            return k
    return None


def _one_call(f: Frame | None, g: Frame | None) -> bool:
    """The same call, or a call and one it makes directly, or two calls the same one makes."""
    if f is None or g is None:
        return False
    if f is g or f.parent is g or g.parent is f:
        return True
    return f.parent is not None and f.parent is g.parent and f.depth > 2


def _value_pairs(h: Hunk) -> set[bytes]:
    """(A's value, B's value) for everything the hunk's shared statements differ in."""
    out: set[bytes] = set()
    for op, ua, ub in h.items:
        if op != "~" or ua is None or ub is None:
            continue
        for ch in event_changes(ua, ub):
            x, y = ch.get("a_event"), ch.get("b_event")
            if x is None or y is None or type(x) is not type(y):
                continue
            for a, b in _differing(x, y):
                if a != b and (_telling(a) or _telling(b)):
                    out.add(msgspec.json.encode([a, b]))
    return out


def _differing(x: Any, y: Any) -> list[tuple[Any, Any]]:
    kind = type(x)
    if kind in (ev.Write, ev.Local, ev.Return, ev.Loop):
        return [(x.value, y.value)]
    if kind in (ev.Branch, ev.Assert):
        return [(x.values.get(k), y.values.get(k)) for k in x.values.keys() & y.values.keys()]
    if kind is ev.Fact:
        return [(x.data.get(k), y.data.get(k)) for k in x.data.keys() & y.data.keys()]
    if kind is ev.Call:
        return [(x.args.get(k), y.args.get(k)) for k in x.args.keys() & y.args.keys()]
    return []


def _option_of(key: Any) -> dict[str, Any] | None:
    if key and key[0] == "option":
        return {"a": key[1], "b": key[2]}
    return None


def _cause_text(key: Any, h: dict[str, Any]) -> str:
    if key == ("argv",):
        return "the command lines, as main reads them"
    if key and key[0] == "option":
        if key[1] is None or key[2] is None:
            return f"only {'B' if key[1] is None else 'A'} has {key[2] or key[1]}"
        return f"{key[1]}  →  {key[2]}"
    d = h.get("decision")
    where = f"{h['file']}:{h['line']} in {h['function']}" if h.get("function") else h["where"]
    if d:
        head = "if" if d["kind"] == "branch" else "assert"
        ra, rb = d["a"]["taken"], d["b"]["taken"]
        return _clip(f"{where}: `{head} ({d['cond']})` {_word(ra)} in A, {_word(rb)} in B")
    if h["kind"] == "path":
        said = h["said"].rstrip(".")
        k = said.find(", A ")
        return _clip(f"{where}: {said[k + 2:]}" if k >= 0 else f"{where}: the runs part")
    changes = h["items"][0].get("changes") if h["items"] else None
    return _clip(f"{where}: {changes[0]['text']}" if changes else where)


def _word(v: Any) -> str:
    return "not decided" if v is None else "true" if v is True else "false" if v is False \
        else str(v)


def _clip(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _ranges(ns: list[int]) -> str:
    out: list[str] = []
    start = prev = ns[0]
    for n in ns[1:] + [0]:
        if n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    return ", ".join(out)
