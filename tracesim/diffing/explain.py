"""Hunks explained in QEMU's terms.

This module holds the `Explainer`, which turns the aligner's hunks into the report's data:
where the runs part or differ, the branch or assert that came out differently and its operands
(`decision_pair`, `operand_text`), the store that set a differing operand in each run, the
command-line option QEMU was handling, what each event of a shared unit changed
(`event_changes`) and what a run does on its own (`side_story`).
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

import msgspec

from ..trace import events as ev
from .align import Aligner, Hunk, Side, Unit
from .describe import _c, _kv, _ordinal, _step_words, describe_event, unit_summary
from .options import _OPTION_OF, argv_option, option_difference

JSON_UNITS = 200  # units shown per side of a hunk in the JSON (render.SHOW_UNITS: in the text)


def unit_info(u: Unit | None) -> dict[str, Any] | None:
    if u is None:
        return None
    f = u.frame
    return {"step": u.step, "kind": u.kind, "function": f.fn if f else None,
            "file": f.file if f else None, "line": u.line, "call": f.ordinal if f else None,
            "summary": unit_summary(u)}


class Explainer:
    """Hunks in QEMU's terms: the decision, its operands, who stored them, the option."""

    def __init__(self, al: Aligner) -> None:
        self.a, self.b = al.a, al.b
        self.parted_in: dict[int, tuple[int, Unit, Any]] = {}  # id(A's frame) -> first parting
        self.anchors: dict[int, tuple[Unit | None, Unit | None]] = {}  # hunk -> its shared units

    def hunk(self, n: int, h: Hunk, deep: bool = True) -> dict[str, Any]:
        items = []
        per_op = {"~": 0, "-": 0, "+": 0}
        for op, ua, ub in h.items:
            per_op[op] += 1
            if per_op[op] > JSON_UNITS:
                continue
            item: dict[str, Any] = {"op": op, "a": unit_info(ua), "b": unit_info(ub)}
            if op == "~":
                assert ua is not None and ub is not None
                item["changes"] = [_public(c) for c in event_changes(ua, ub)]
            items.append(item)
        anchor = h.common if h.common else (h.items[0][1], h.items[0][2]) if h.items else None
        ua, ub = anchor if anchor else (None, None)
        self.anchors[n] = (ua, ub)
        where = ua or ub
        out: dict[str, Any] = {
            "index": n,
            "kind": "path" if h.parts_ways else "value",
            "where": _where(where) if where else "the start",
            "function": where.frame.fn if where and where.frame else None,
            "file": where.frame.file if where and where.frame else None,
            "line": where.line if where else None,
            "call": where.frame.ordinal if where and where.frame else None,
            "a": {"steps": h.steps_a or None, "only": h.counts["-"]},
            "b": {"steps": h.steps_b or None, "only": h.counts["+"]},
            "common": {"a": unit_info(ua), "b": unit_info(ub)} if h.common else None,
            "rejoin": {"a": unit_info(h.rejoin[0]), "b": unit_info(h.rejoin[1])}
            if h.rejoin else None,
            "items": items,
            "more_items": max(0, sum(h.counts.values()) - len(items)),
        }
        out.update(self._path(n, h, deep) if h.parts_ways else self._value(h))
        _decided_elsewhere(out)
        if where is not None and where.kind != "step" and items and items[0].get("changes"):
            out["line"] = items[0]["changes"][0]["line"] or out["line"]  # e.g. vl.c:3035
        parts = [out["said"]] + [c["text"] for c in out["causes"]]
        parts += [out["option"]["text"] if out["option"] else "", out["earlier"] or ""]
        if out["story"]:  # the run that does something of its own first
            first, second = ("b", "a") if h.counts["-"] == 0 else ("a", "b")
            parts += [out["story"][first], out["story"][second]]
        out["reason"] = " ".join(x for x in parts if x)
        return out

    # --- a parting of the ways
    def _path(self, n: int, h: Hunk, deep: bool) -> dict[str, Any]:
        only_a = [u for op, u, _ in h.items if op == "-" and u is not None]
        only_b = [u for op, _, u in h.items if op == "+" and u is not None]
        decision = option = earlier = same = None
        causes: list[dict[str, Any]] = []
        if h.common is not None:
            ca, cb = h.common
            here = f"{_where(ca)}, {_step_words(ca.step, cb.step, ca.kind)}"
            decision = decision_pair(ca, cb, only_a, only_b)
            same = None if decision is not None else same_decision(ca, cb, only_a, only_b)
            if same is not None:
                said = f"At {here}, {same}."
            elif decision is not None:
                said = f"At {here}, {decision['text']}."
                causes = self.causes(ca, cb, decision) if deep else []
            else:
                said = f"After {here}, {_goes(only_a, 'A')}, while {_goes(only_b, 'B')}."
                causes = self.pointer_causes(only_a, only_b) if deep else []
            option = self.options(ca, cb)
            new = self.new_options(only_a, only_b, option)
            if new is not None:
                option = new
            first = (n, ca, decision) if same is not None else \
                self.parted_in.setdefault(id(ca.frame), (n, ca, decision))
            if first[0] != n:
                earlier = (f"The runs already parted in this call of {ca.frame.fn} "
                           f"at {_where(first[1], with_fn=False)} (hunk {first[0]})"
                           + (f", where {first[2]['text_past']}." if first[2] else "."))
        else:
            said = f"From the start, {_goes(only_a, 'A')}, while {_goes(only_b, 'B')}."
        story = {"a": side_story(only_a, h.counts["-"], "A", h.rejoin[0] if h.rejoin else None),
                 "b": side_story(only_b, h.counts["+"], "B", h.rejoin[1] if h.rejoin else None)}
        if h.common is not None and same is not None:  # not a parting: one line, no story
            return {"said": said, "decision": None, "option": option, "causes": [],
                    "earlier": None, "story": None, "kind": "operands"}
        return {"said": said, "decision": decision, "option": option, "causes": causes,
                "earlier": earlier, "story": story}

    # --- same path, other values
    def _value(self, h: Hunk) -> dict[str, Any]:
        _, ua, ub = h.items[0]
        assert ua is not None and ub is not None
        changes = event_changes(ua, ub)
        said = (f"Same path; at {_where(ua)}, {_step_words(ua.step, ub.step, ua.kind)}, the runs "
                "differ in " + ("; ".join(c["text"] for c in changes[:3]) or "the events") + ".")
        option = self.options(ua, ub) or _option_from_changes(changes)
        return {"said": said, "decision": None, "option": option, "causes": [],
                "earlier": None, "story": None}

    def options(self, ua: Unit, ub: Unit) -> dict[str, Any] | None:
        oa, ob = self.option_at(self.a, ua), self.option_at(self.b, ub)
        if oa is None and ob is None:
            return None
        f = ua.frame.parent if ua.kind == "ret" and ua.frame else ua.frame
        fn = f.fn if f else "QEMU"
        if oa == ob:
            return {"a": oa, "b": ob, "text": f"{fn} is handling {oa} in both runs."}
        return {"a": oa, "b": ob, "text": f"{fn} is handling {oa or '(no option)'} in A and "
                f"{ob or '(no option)'} in B: {option_difference(oa, ob)}."}

    def new_options(self, only_a: list[Unit], only_b: list[Unit],
                    shared: dict[str, Any] | None) -> dict[str, Any] | None:
        """An option one run handles in a call the other does not make (one more -numa)."""
        oa = self.option_at(self.a, only_a[0]) if only_a else None
        ob = self.option_at(self.b, only_b[0]) if only_b else None
        old = (shared or {}).get("a"), (shared or {}).get("b")
        oa, ob = (None if oa == old[0] else oa), (None if ob == old[1] else ob)
        if oa is None and ob is None:
            return None
        bits = [f"{label}'s {u[0].frame.fn} handles {o}" for label, o, u in
                (("A", oa, only_a), ("B", ob, only_b)) if o and u[0].frame]
        missing = [label for label, o in (("A", oa), ("B", ob)) if o is None]
        text = "; ".join(bits) + (f", an option {missing[0]} does not have" if missing else "")
        return {"a": oa, "b": ob, "text": _sentence(text) + "."}

    @staticmethod
    def option_at(side: Side, u: Unit) -> str | None:
        """The command-line option QEMU is handling at a unit (after a return: the caller's)."""
        f = u.frame.parent if u.kind == "ret" and u.frame is not None else u.frame
        if f is None:
            return None
        opt = f.nearest_option()
        if opt:
            return opt
        while f is not None:
            if f.fn in _OPTION_OF:
                return argv_option(side.header.argv, _OPTION_OF[f.fn])
            f = f.parent
        return None

    def causes(self, ua: Unit, ub: Unit, decision: dict[str, Any]) -> list[dict[str, Any]]:
        """For each operand that differs: the store that set it in each run."""
        out = []
        va, vb = decision["a"]["values"], decision["b"]["values"]
        for name in va.keys() | vb.keys():
            if va.get(name) == vb.get(name):
                continue
            set_a = self.store_of(self.a, ua, name, va)
            set_b = self.store_of(self.b, ub, name, vb)
            if set_a is None and set_b is None:
                continue
            bits = []
            for label, s, v in (("A", set_a, va.get(name)), ("B", set_b, vb.get(name))):
                if s is None:
                    continue
                if s.get("never"):
                    bits.append(f"in {label} {s['path']} was never set (it reads {_c(v)})")
                else:
                    bits.append(f"{label} set {s['path']} = {_c(s['value'])} {_set_where(s)}")
            out.append({"operand": name, "a": va.get(name), "b": vb.get(name), "a_set": set_a,
                        "b_set": set_b, "text": _sentence("; ".join(bits)) + "."})
        return out

    def pointer_causes(self, only_a: list[Unit], only_b: list[Unit]) -> list[dict[str, Any]]:
        """The runs call different functions: through which function pointer, set where."""
        ua = next((u for u in only_a[:1] if u.kind == "call"), None)
        ub = next((u for u in only_b[:1] if u.kind == "call"), None)
        if ua is None or ub is None or ua.frame is None or ub.frame is None:
            return []
        fa, fb = ua.frame.fn, ub.frame.fn
        path = next((p for p, v in self.a.memory.items() if v == fa and self.b.memory.get(p) == fb),
                    None)
        if path is None:
            return []
        set_a = self._stored(self.a, path, ua.pos)
        set_b = self._stored(self.b, path, ub.pos)
        where = "; ".join(f"{label}: set {_set_where(s)}" for label, s in
                          (("A", set_a), ("B", set_b)) if s)
        text = f"The call goes through {path}" + (f" ({where})" if where else "")
        return [{"operand": path, "a": fa, "b": fb, "a_set": set_a, "b_set": set_b,
                 "text": text + "."}]

    @staticmethod
    def _stored(side: Side, path: str, before: int) -> dict[str, Any] | None:
        w = side.last_writer(path, before)
        if w is None:
            return None
        if not w.get("option"):
            fn = w.get("function") or ""
            name = _OPTION_OF.get(fn) or ("-machine" if path.startswith("mc.") else None)
            w["option"] = argv_option(side.header.argv, name) if name else None
        w["path"] = path
        w["value"] = _value_at(side, path, w["pos"])
        w.pop("pos", None)
        return w

    @staticmethod
    def store_of(side: Side, u: Unit, name: str, values: dict[str, Any]) -> dict[str, Any] | None:
        path = _memory_path(side, name, values)
        if path is None:
            return None
        for e in u.events:  # stored in this very statement, before the decision
            if type(e) is ev.Write and e.path == path:
                f = u.frame
                return {"path": path, "value": e.value, "step": u.step, "function": f and f.fn,
                        "file": f and f.file, "line": u.line,
                        "option": f and f.nearest_option()}
        return Explainer._stored(side, path, u.pos) or {"path": path, "never": True}

    def first(self, hunk: dict[str, Any]) -> dict[str, Any]:
        """The lead: where the runs first part (or first differ), in the JSON's shape."""
        common = hunk["common"] or {"a": hunk["items"][0]["a"], "b": hunk["items"][0]["b"]}
        ca, cb = common["a"], common["b"]
        src = ca or cb
        out = {
            "hunk": hunk["index"],
            "kind": hunk["kind"],
            "common": None if src is None else {
                "step": src["step"], "step_b": (cb or src)["step"], "function": src["function"],
                "file": src["file"], "line": src["line"] if hunk["common"] else hunk["line"],
                "call": src["call"]},
            "a": self._next_stop(self.a, self.anchors[hunk["index"]][0]),
            "b": self._next_stop(self.b, self.anchors[hunk["index"]][1]),
            "reason": hunk["reason"],
            "decision": hunk["decision"],
            "option": hunk["option"],
            "causes": hunk["causes"],
            "earlier": hunk["earlier"],
        }
        return out

    @staticmethod
    def _next_stop(side: Side, unit: Unit | None) -> dict[str, Any] | None:
        """Each run's next stop after the shared one (read forward in its trace)."""
        return side.next_stop(unit) if unit is not None else None


def _decided_elsewhere(out: dict[str, Any]) -> None:
    """A run that records the decision on another line of a multi-line condition: its row at
    the shared stop says where, instead of reading as no decision at all."""
    d = out.get("decision")
    if not d or not out["items"] or out["items"][0]["op"] != "~":
        return
    for side, other in (("a", "b"), ("b", "a")):
        at = d[side].get("at")
        if not at:
            continue
        for ch in out["items"][0].get("changes", []):
            if ch[side] is None and (ch[other] or "").startswith(("if (", "assert (")) and \
                    d["cond"] in ch[other]:
                ch[side] = (f"(decided at line {at['line']}, step {at['step']}: "
                            f"{_c(d[side]['taken'])})")
                break


def _public(change: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in change.items() if not k.endswith("_event")}


def _where(u: Unit, with_fn: bool = True) -> str:
    """`hw/core/numa.c:238 in parse_numa (1st call)`, or the entry or return of a call."""
    f = u.frame
    if f is None:
        return "the start"
    if u.kind == "call":
        return f"the entry of {f.fn} ({f.file})"
    if u.kind == "ret":
        return f"the return from {f.fn} ({f.file})"
    loc = f"{f.file}:{u.line}"
    return f"{loc} in {f.fn} ({_ordinal(f.ordinal)} call)" if with_fn else loc


def _goes(units: list[Unit], label: str) -> str:
    first = next((u for u in units), None)
    if first is None:
        return f"{label} goes straight on"
    if first.kind == "call" and first.frame:
        return f"{label} calls {first.frame.fn}"
    return f"{label} goes to {_where(first)}"


def _set_where(s: dict[str, Any]) -> str:
    """`at step 315, hw/core/numa.c:118 in parse_numa_node, from -numa ...`"""
    if s.get("step") and s.get("line"):
        text = f"at step {s['step']}, {s['file']}:{s['line']} in {s['function']}"
    else:
        text = f"in {s['function']} before its first stop"
    return text + (f", from {s['option']}" if s.get("option") else "")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text

# --- decisions and operands --------------------------------------------------------------------
def decision_pair(ua: Unit, ub: Unit, only_a: list[Unit] | None = None,
                  only_b: list[Unit] | None = None) -> dict[str, Any] | None:
    """The branch or assert of the shared statement that came out differently.

    A condition over several lines (`a &&` on one, `b` on the next) is decided on whichever of
    its lines gdb stops at last, so one run may record it a stop later than the other: the
    same decision is looked for in the units only that run has, in the same call, before it
    leaves the statement. A `for` or `while` condition that holds is recorded as the loop's
    next iteration, not as a branch: that is the condition true."""
    da = {e.line: e for e in ua.events if type(e) in (ev.Branch, ev.Assert)}
    db = {e.line: e for e in ub.events if type(e) in (ev.Branch, ev.Assert)}
    for line in sorted(da.keys() | db.keys()):
        x, y = da.get(line), db.get(line)
        some = x if x is not None else y
        assert some is not None
        later: dict[str, Any] = {}
        if x is None:
            x = _decided_later(ua, only_a or [], some, later, "a") or _loop_taken(ua, some)
        if y is None:
            y = _decided_later(ub, only_b or [], some, later, "b") or _loop_taken(ub, some)
        ra = None if x is None else x.taken if type(x) is ev.Branch else x.ok
        rb = None if y is None else y.taken if type(y) is ev.Branch else y.ok
        if ra == rb:
            continue
        head = f"if ({some.cond})" if type(some) is ev.Branch else f"assert ({some.cond})"
        va = x.values if x is not None else {}
        vb = y.values if y is not None else {}
        if x is None or y is None:
            label, r, vals = ("B", rb, vb) if x is None else ("A", ra, va)
            other = "A" if x is None else "B"
            ops = _kv(vals)
            tail = f"{_c(r)} in {label}" + (f" ({ops})" if ops else "") + \
                f"; {other} records no decision there and goes the other way"
        else:
            ops = operand_text(va, vb)
            tail = f"{_c(ra)} in A and {_c(rb)} in B" + (f" ({ops})" if ops else "")
        out = {"line": line, "cond": some.cond,
               "kind": "branch" if type(some) is ev.Branch else "assert",
               "a": {"taken": ra, "values": va}, "b": {"taken": rb, "values": vb},
               "text": f"`{head}` is {tail}", "text_past": f"`{head}` was {tail}"}
        for side, (v, at_line) in later.items():  # decided on another line of the condition
            out[side]["at"] = {"step": v.step, "line": at_line}
        return out
    return None


CONDITION_SPAN = 6  # lines one C condition may span (a decision recorded on a later line)


def same_decision(ua: Unit, ub: Unit, only_a: list[Unit], only_b: list[Unit]) -> str | None:
    """Runs that take the same decision on a condition over several lines, but stop on other
    lines of it: `&&` and `||` stop at the first operand that decides, and gdb stops on the
    line of each operand it evaluates. Not a parting of the ways: what to say instead, or None
    when the runs do part (another outcome, a call, a store or a message on the way)."""
    if ua.frame is None or ub.frame is None or ua.kind != "step" or ub.kind != "step":
        return None
    if not only_a and not only_b:
        return None
    decided: dict[str, Any] = {}
    lines: dict[str, list[int]] = {}
    low = min(u.line for u in [*only_a, *only_b])
    for side, u, only in (("A", ua, only_a), ("B", ub, only_b)):
        lines[side] = [u.line]
        for v in only:
            if v.frame is not u.frame or v.kind != "step" or \
                    not low <= v.line <= low + CONDITION_SPAN:
                return None
            lines[side].append(v.line)
            for e in v.events:
                kind = type(e)
                if kind in (ev.Write, ev.Report, ev.Exit, ev.Call, ev.Loop):
                    return None
                if kind in (ev.Branch, ev.Assert):
                    if side in decided:
                        return None  # two decisions: more than one condition
                    decided[side] = e
    for side, u, other in (("A", ua, "B"), ("B", ub, "A")):  # decided at the shared stop
        if side not in decided and other in decided and low <= u.line:
            decided[side] = next((e for e in u.events if type(e) is type(decided[other])
                                  and e.cond == decided[other].cond), None)
    x, y = decided.get("A"), decided.get("B")
    stops = "; ".join(f"{side} stops on line{'s' if len(ls) > 1 else ''} "
                      + ", ".join(str(n) for n in ls) for side, ls in lines.items())
    if x is None and y is None:  # the decision is further on, where the runs line up again
        return ("the runs do not part: they stop on other lines of one statement "
                f"({stops}) and record nothing different there")
    if x is None or y is None or type(x) is not type(y) or x.cond != y.cond:
        return None
    rx = x.taken if type(x) is ev.Branch else x.ok
    ry = y.taken if type(y) is ev.Branch else y.ok
    if rx != ry:
        return None
    head = f"if ({x.cond})" if type(x) is ev.Branch else f"assert ({x.cond})"
    ops = operand_text(x.values, y.values)
    return (f"`{head}` is {_c(rx)} in both runs" + (f" ({ops})" if ops else "")
            + f": the runs do not part. Only the lines gdb stops on differ ({stops}): `&&` and "
            "`||` stop at the first operand that decides, and each operand is on its own line")


def _decided_later(u: Unit, later: list[Unit], decision: Any, found: dict[str, Any],
                   side: str) -> Any:
    """The same decision, recorded on another line of its condition by a stop of `u`'s call
    soon after `u` (before the call leaves the condition's lines); `found[side]` says where."""
    for v in later:
        if v.frame is not u.frame or v.kind != "step":
            if v.frame is u.frame:
                return None
            continue  # a callee's stop
        if not u.line <= v.line <= u.line + CONDITION_SPAN:
            return None
        for e in v.events:
            if type(e) is type(decision) and e.cond == decision.cond:
                found[side] = (v, v.line)
                return e
    return None


def _loop_taken(u: Unit, decision: Any) -> Any:
    """A loop condition that holds: the stop records the next iteration (`loop: var = v`),
    read as the branch taken, with the iteration's values as its operands."""
    if type(decision) is not ev.Branch:
        return None
    loops = [e for e in u.events if type(e) is ev.Loop and e.line == decision.line]
    if not loops:
        return None
    return ev.Branch(line=decision.line, cond=decision.cond, taken=True,
                     values={e.var: e.value for e in loops})


def operand_text(va: dict[str, Any], vb: dict[str, Any]) -> str:
    bits = []
    for name in list(va) + [k for k in vb if k not in va]:
        x, y = va.get(name), vb.get(name)
        if name not in va or name not in vb:  # an operand one run's record alone names
            bits.append(f"{name} = {_c(x if name in va else y)} in {'A' if name in va else 'B'}")
        elif x == y:
            bits.append(f"{name} = {_c(x)} in both")
        else:
            bits.append(f"{name} = {_c(x)} in A, {_c(y)} in B")
    return "; ".join(bits)


_INDEXES = ("i", "nodenr", "src", "dst", "node", "index", "cpu")


def _memory_path(side: Side, name: str, values: dict[str, Any]) -> str | None:
    """The memory path an operand named in a condition reads: a global of that name, or a
    member of that name, preferring the element the other operands index. An operand named
    by its C expression (`slot->props.node_id`) reads the member it ends with."""
    member = re.search(r"(?:->|\.)([A-Za-z_]\w*)$", name)
    if member is not None:
        name = member.group(1)
    if name in side.writers:
        return name
    suffix = "." + name
    candidates = [p for p in side.writers if p.endswith(suffix)]
    if not candidates:
        return None
    indexes = [f"[{v}]" for k, v in values.items() if k in _INDEXES and isinstance(v, int)]
    for p in candidates:
        if indexes and all(ix in p for ix in indexes):
            return p
    return candidates[0] if len(candidates) == 1 else None


def _value_at(side: Side, path: str, pos: int) -> Any:
    w = side.win.read_at(pos, 4096)
    line = w[:w.find(b"\n")] if b"\n" in w else w
    try:
        e = msgspec.json.decode(line)
        return e.get("value") if isinstance(e, dict) else None
    except msgspec.DecodeError:
        return side.memory.get(path)


def _option_from_changes(changes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """An opt.parsed or numa.options fact that differs names the option itself."""
    for c in changes:
        ea, eb = c.get("a_event"), c.get("b_event")
        facts = type(ea) is ev.Fact and type(eb) is ev.Fact
        if facts and ea.name in ("opt.parsed", "numa.options"):
            kind = ea.data.get("kind") or "numa"
            oa, ob = f"-{kind} {ea.data.get('arg')}", f"-{kind} {eb.data.get('arg')}"
            return {"a": oa, "b": ob, "text": f"The option is {oa} in A and {ob} in B: "
                    f"{option_difference(oa, ob)}."}
    return None


MAX_CHANGES = 50  # changes listed per pair of units


def event_changes(ua: Unit, ub: Unit) -> list[dict[str, Any]]:
    """What differs between the events of two units both runs have: events paired where the
    two lists line up, the rest as only-A or only-B."""
    xs = ([ua.head] if ua.head is not None else []) + ua.events
    ys = ([ub.head] if ub.head is not None else []) + ub.events
    if len(xs) == len(ys):
        pairs = [(x, y) for x, y in zip(xs, ys) if x != y]
    else:
        enc = msgspec.json.encode
        pairs = []
        matcher = SequenceMatcher(None, [enc(x) for x in xs], [enc(y) for y in ys], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            pairs += list(zip(xs[i1:i2], ys[j1:j2]))
            pairs += [(x, None) for x in xs[i1 + (j2 - j1):i2]]
            pairs += [(None, y) for y in ys[j1 + (i2 - i1):j2]]
    return [_change(x, y) for x, y in pairs[:MAX_CHANGES]]


def _change(x: Any, y: Any) -> dict[str, Any]:
    if y is None:
        text = f"only A: {describe_event(x)}"
    elif x is None:
        text = f"only B: {describe_event(y)}"
    elif type(x) is type(y):
        text = _change_text(x, y)
    else:
        text = f"{describe_event(x)} in A, {describe_event(y)} in B"
    some = x if x is not None else y
    return {"a": None if x is None else describe_event(x),
            "b": None if y is None else describe_event(y),
            "line": getattr(some, "line", None), "text": text, "a_event": x, "b_event": y}


def _change_text(x: Any, y: Any) -> str:
    kind = type(x)
    if kind is ev.Branch:
        if x.taken != y.taken:
            return f"if ({x.cond}) is {_c(x.taken)} in A, {_c(y.taken)} in B"
        return f"if ({x.cond}): {operand_text(x.values, y.values)}"
    if kind is ev.Assert:
        if x.ok != y.ok:
            return f"assert ({x.cond}) {'holds' if x.ok else 'fails'} in A, " \
                f"{'holds' if y.ok else 'fails'} in B"
        return f"assert ({x.cond}): {operand_text(x.values, y.values)}"
    if kind is ev.Write and x.path == y.path:
        return f"{x.path} = {_c(x.value)} in A, {_c(y.value)} in B"
    if kind is ev.Local and x.name == y.name:
        return f"{x.name} = {_c(x.value)} in A, {_c(y.value)} in B"
    if kind is ev.Fact and x.name == y.name:
        keys = [k for k in x.data.keys() | y.data.keys() if x.data.get(k) != y.data.get(k)]
        return f"{x.name}: " + ", ".join(f"{k} = {_c(x.data.get(k))} in A, {_c(y.data.get(k))} in B"
                                         for k in sorted(keys))
    if kind is ev.Call:
        keys = [k for k in x.args.keys() | y.args.keys() if x.args.get(k) != y.args.get(k)]
        return f"{x.fn} called with " + ", ".join(
            f"{k} = {_c(x.args.get(k))} in A, {_c(y.args.get(k))} in B" for k in sorted(keys))
    return f"{describe_event(x)} in A, {describe_event(y)} in B"


def side_story(units: list[Unit], count: int, label: str, rejoin: Unit | None) -> str:
    """What only one run does in a hunk: where it stops, what it calls, stores and prints."""
    if count == 0:
        where = f" on to {_where(rejoin)}" if rejoin is not None else ""
        return f"{label} skips all that and goes straight{where}."
    stops = sum(1 for u in units if u.kind == "step")
    spans: list[list[Any]] = []
    calls: list[str] = []
    stores: list[str] = []
    messages: list[str] = []
    for u in units:
        f = u.frame
        if u.kind == "call" and f is not None and f.fn not in calls:
            calls.append(f.fn)
        if u.kind == "step" and f is not None:
            if spans and spans[-1][0] is f:
                spans[-1][2] = min(spans[-1][2], u.line)
                spans[-1][3] = max(spans[-1][3], u.line)
            else:
                spans.append([f, f.fn, u.line, u.line])
        for e in u.events:
            if type(e) is ev.Write:
                stores.append(f"{e.path} = {_c(e.value)}")
            elif type(e) in (ev.Report, ev.Exit):
                messages.append(describe_event(e))
    places: list[str] = []
    for f, fn, lo, hi in spans:
        text = f"{f.file}:{lo}" + (f"-{hi}" if hi != lo else "") + f" in {fn}"
        if text not in places:
            places.append(text)
    whole = len(units) >= count  # else only the first units were kept
    counted = f"{stops} stop{'s' if stops != 1 else ''}" if whole else f"{count} units"
    text = f"Only {label} ({counted}) goes through " + ", ".join(places[:6])
    if len(places) > 6 or not whole:
        text += " and on"
    if calls:
        text += "; it calls " + ", ".join(calls[:6])
    if stores:
        text += "; stores " + ", ".join(stores[:4])
        text += f" and {len(stores) - 4} more" if len(stores) > 4 else ""
    if messages:
        text += "; prints " + "; ".join(messages[:3])
    return text + "."
