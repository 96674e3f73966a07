"""Two runs of different QEMU versions, compared by what they decide.

Line numbers, condition texts and some functions differ between QEMU versions, so the
execution index the same-version aligner keys stops by cannot line two versions up. Here each
run is read whole into a sequence of decisions: branches and asserts (keyed by function and
condition text), facts (keyed by name and what they are about: a node, a CPU, a pair of
nodes), messages and the exit. The two sequences are aligned by key (difflib), and what
differs is sorted into the differences that matter (a fact, message or exit that differs:
what the run ends with hangs on those) and cross-version noise (other line numbers, code and
functions only one version has, branches decided otherwise on the way to the same facts),
which is only summarised. The lead is the first difference that touches the most important
part of the outcome that differs (exit status and messages, then nodes, CPUs, distances).
"""
from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from ..trace import events as ev
from .align import Frame, Side
from .describe import _c, _kv
from .options import _OPTION_OF, argv_changes, argv_option, argv_options
from .outcome import compare_outcomes, outcome_of

WINDOW = 40_000  # branch pairs a window is aligned by difflib up to; beyond, key by key
MAX_DIFFERENCES = 500  # differences in the JSON (render.SHOW_DIFFERENCES: in the text)

# what each fact is about: two facts of one name line up when these agree
_IDENTITY: dict[str, tuple[str, ...]] = {
    "cpu.bound": ("index",), "cpu.default": ("i",), "node.mem": ("nodenr",),
    "node.created": ("nodenr",), "autoassign.node": ("i",), "dist.set": ("src", "dst"),
    "dist.validate": ("src", "dst"), "dist.fill": ("src", "dst"), "sparse.check": ("i",),
    "opt.parsed": ("kind", "arg"), "numa.options": ("arg",), "object.created": ("id",),
    "ram.map": ("node",),
}
# the facts the outcome hangs on, and the part of the outcome each touches
_FIELDS: dict[str, tuple[str, ...]] = {
    "error.set": ("exit_status", "stderr"), "autoassign.node": ("node_mem",),
    "node.mem": ("node_mem",), "node.created": ("node_mem", "num_nodes"),
    "total.check": ("node_mem",), "sparse.check": ("num_nodes", "exit_status"),
    "autoenable": ("num_nodes", "node_mem"), "smp.set": ("cpu_node",),
    "cpu.bound": ("cpu_node",), "cpu.default": ("cpu_node",), "possible_cpus.built": ("cpu_node",),
    "dist.set": ("distance",), "dist.fill": ("distance",), "dist.validate": ("distance",),
    "mem.set": ("ram_size",), "machine.created": ("machine",),
}
# which differing part of the outcome leads: a changed exit or message first
_GROUPS = (("exit_status", "stderr"),
           ("node_mem", "num_nodes", "cpu_node", "distance", "ram_size"), ("machine",))
# which event of a run's side of a difference names it, most telling first
_RANK = ("error.set", "error", "assert", "total.check", "autoassign.node", "autoenable",
         "sparse.check", "node.mem", "node.created", "smp.set", "cpu.default", "cpu.bound",
         "dist.set", "dist.fill", "dist.validate", "mem.set", "possible_cpus.built", "warning",
         "exit", "report")
# 7.2 names what 4.2's pc.c and vl.c did in other functions: which option they handle
_MORE_OPTIONS = {"machine_parse_smp_config": "-smp", "machine_set_smp": "-smp",
                 "parse_memory_options": "-m", "machine_set_mem": "-m"}
_OWNER = re.compile(r"\b(?:x86ms|ms|machine)->")


@dataclass(eq=False)
class Item:
    """One decision of a run: a branch, an assert, a fact, a message, the exit or a call."""
    kind: str
    key: tuple[Any, ...]
    event: Any
    frame: Frame | None
    line: int
    pos: int  # its place in the run's sequence
    paired: Item | None = None
    weight: int = 1  # the events it stands for: a run's first repetition stands for all
    left: int = 1  # of those, how many are not paired yet


@dataclass(eq=False)
class Entry:
    """A difference: items of A and of B (one each when the same decision came out otherwise,
    else what only one run has at that point)."""
    kind: str  # "decided", "value" or "only"
    a: list[Item]
    b: list[Item]
    fields: set[str] = field(default_factory=set)


# --- reading a run into decisions ----------------------------------------------------------------
def read_items(side: Side) -> list[Item]:
    """A run's decisions in order. A run of repetitions alike (trace/expand.py) is read once:
    its first repetition's decisions weigh for all of them."""
    items: list[Item] = []
    add = items.append
    while True:
        unit = side.next_unit()
        if unit is None:
            return items
        f = unit.frame
        if unit.kind == "call" and f is not None:
            add(Item("call", ("call", f.fn), unit.head, f, 0, len(items)))
        if unit.kind == "start":
            for e in [unit.head] + unit.events:
                item = _item(e, f, len(items))
                if item is not None:
                    add(item)
        else:
            raw = unit.raw or b""
            body = at = side.pos - len(raw)  # where the unit's events' lines begin
            for e in unit.events:
                item = _item(e, f, len(items))
                if item is not None:
                    item.weight = item.left = side.weight_at(at)
                    add(item)
                at = raw.index(b"\n", at - body) + 1 + body
        side.skip_repetitions()


def _item(e: Any, f: Frame | None, pos: int) -> Item | None:
    kind = type(e)
    fn = f.fn if f is not None else None
    if kind is ev.Branch:
        return Item("branch", ("branch", fn, _norm(e.cond)), e, f, e.line, pos)
    if kind is ev.Assert:
        return Item("assert", ("assert", fn, _norm(e.cond)), e, f, e.line, pos)
    if kind is ev.Fact:
        ident = tuple(e.data.get(k) for k in _IDENTITY.get(e.name, ()))
        return Item("fact", ("fact", e.name, ident), e, f, e.line, pos)
    if kind is ev.Report:
        return Item("report", ("report", e.kind), e, f, e.line, pos)
    if kind is ev.Exit:
        return Item("exit", ("exit",), e, f, e.line, pos)
    return None


@lru_cache(maxsize=4096)
def _norm(cond: str) -> str:
    """`numa_total != ms->ram_size` (7.2) and `numa_total != ram_size` (4.2) are one test."""
    return " ".join(_OWNER.sub("", cond).split())


# --- comparing two decisions ---------------------------------------------------------------------
class Versions:
    def __init__(self, a: str, b: str) -> None:
        self.a, self.b = a, b

    def machine(self, x: Any, y: Any) -> bool:
        """`pc-q35-4.2` and `pc-q35-7.2`: `-machine q35` is each version's newest q35."""
        if x == y:
            return True
        if not isinstance(x, str) or not isinstance(y, str):
            return False
        return x.removesuffix("-" + self.a) == y.removesuffix("-" + self.b) != x

    def same(self, x: Item, y: Item) -> bool:
        ex, ey = x.event, y.event
        if x.kind == "branch":
            return bool(ex.taken == ey.taken)
        if x.kind == "assert":
            return bool(ex.ok == ey.ok)
        if x.kind == "fact":
            shared = ex.data.keys() & ey.data.keys()  # keys one version adds are not a change
            if ex.name == "smp.set":
                return _topology(ex.data) == _topology(ey.data)
            return all(ex.data[k] == ey.data[k] or k == "type" and self.machine(ex.data[k],
                       ey.data[k]) for k in shared)
        if x.kind == "report":
            return bool(ex.text == ey.text and ex.location == ey.location)
        if x.kind == "exit":
            return bool(ex.status == ey.status)
        return True


def _topology(d: dict[str, Any]) -> tuple[int, int, int, int]:
    """sockets, cores, threads, CPUs (4.2's fact leaves sockets out: it is the rest)."""
    cores, threads, dies = d.get("cores") or 1, d.get("threads") or 1, d.get("dies") or 1
    sockets = d.get("sockets") or (d.get("max_cpus") or 0) // max(1, cores * threads * dies)
    return sockets, cores, threads, d.get("cpus") or 0


def decisive(item: Item) -> bool:
    """Does the outcome hang on this event (not on the way there)?"""
    if item.kind in ("report", "exit"):
        return True
    if item.kind == "assert":
        return not item.event.ok
    if item.kind != "fact" or item.event.name not in _FIELDS:
        return False
    return item.event.name != "sparse.check" or not item.event.data.get("present")


def fields_of(item: Item) -> set[str]:
    e = item.event
    if item.kind == "report":
        return {"stderr", "exit_status"} if e.kind == "error" else {"stderr"}
    if item.kind in ("exit", "assert"):
        return {"exit_status"}
    if item.kind == "fact":
        out = set(_FIELDS.get(e.name, ()))
        if e.name == "total.check" and e.data.get("numa_total") != e.data.get("ram_size"):
            out |= {"exit_status", "stderr"}
        return out
    return set()


# --- the alignment -------------------------------------------------------------------------------
class CrossAlignment:
    """Both runs read whole, their decisions aligned, the differences sorted."""

    def __init__(self, a: Side, b: Side) -> None:
        self.a, self.b = a, b
        self.v = Versions(a.header.profile, b.header.profile)
        self.items_a, self.items_b = read_items(a), read_items(b)
        self.entries: list[Entry] = []
        self.noise: dict[str, Any] = {}
        self._align()

    def _align(self) -> None:
        """Two levels, so that long runs stay fast: the skeleton (calls, facts, messages, the
        exit) is aligned first; the branches and asserts between two skeleton events both runs
        share are aligned within that window only."""
        xs, ys = self.items_a, self.items_b
        sa = [x for x in xs if x.kind in _SKELETON]
        sb = [y for y in ys if y.kind in _SKELETON]
        sm = SequenceMatcher(None, [x.key for x in sa], [y.key for y in sb], autojunk=False)
        anchors = [(x, y) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag == "equal"
                   for x, y in zip(sa[i1:i2], sb[j1:j2])]
        shifts: list[tuple[Item, Item]] = []
        shifted = 0  # the events those pairs stand for
        decided: Counter[str] = Counter()
        only: list[tuple[list[Item], list[Item]]] = []
        entries: list[Entry] = []
        pa = pb = -1
        for x, y in anchors + [(None, None)]:
            qa = x.pos if x is not None else len(xs)
            qb = y.pos if y is not None else len(ys)
            wa, wb = xs[pa + 1:qa], ys[pb + 1:qb]
            matched = _match_window([i for i in wa if i.kind not in _SKELETON],
                                    [i for i in wb if i.kind not in _SKELETON])
            for u, w, m in matched:
                u.paired, w.paired = w, u
                u.left -= m
                w.left -= m
                if u.line != w.line or _file(u) != _file(w):
                    shifts.append((u, w))
                    shifted += m
                if not self.v.same(u, w):
                    if decisive(u) or decisive(w):
                        entries.append(Entry("value", [u], [w]))
                    else:
                        decided[_fn(u) or "(none)"] += m
            rest_a = [i for i in wa if i.left > 0]
            rest_b = [i for i in wb if i.left > 0]
            if rest_a or rest_b:
                only.append((rest_a, rest_b))
                if any(i.kind in _SKELETON for i in rest_a + rest_b):
                    entries.append(Entry("only", rest_a, rest_b))
            if x is None or y is None:
                break
            x.paired, y.paired = y, x
            x.left = y.left = 0
            if x.line != y.line or _file(x) != _file(y):
                shifts.append((x, y))
                shifted += 1
            if not self.v.same(x, y) and (decisive(x) or decisive(y)):
                entries.append(Entry("value", [x], [y]))
            pa, pb = qa, qb
        moved = self._pair_moved(only, entries)
        self.entries = [e for e in entries if self._keep(e)]
        for e in self.entries:
            e.fields = set().union(*(fields_of(i) for i in e.a + e.b if decisive(i)))
        self.noise = self._noise(shifts, decided, only, moved)
        self.noise["line_shifts"]["count"] = shifted

    def _pair_moved(self, only: list[tuple[list[Item], list[Item]]],
                    entries: list[Entry]) -> int:
        """The same fact or message at another place in the order (4.2 sets RAM before it
        parses -smp, 7.2 after): paired; a difference only when its data differ."""
        waiting: dict[tuple[Any, ...], list[Item]] = {}
        for _, bs in only:
            for y in bs:
                if y.kind in ("fact", "report", "exit"):
                    waiting.setdefault(y.key, []).append(y)
        moved = 0
        extra: list[tuple[int, Entry]] = []
        for xs, _ in only:
            for x in xs:
                ys = waiting.get(x.key)
                if x.kind not in ("fact", "report", "exit") or not ys:
                    continue
                y = ys.pop(0)
                x.paired, y.paired = y, x
                if self.v.same(x, y):
                    moved += 1
                elif decisive(x):
                    extra.append((x.pos, Entry("value", [x], [y])))
        for pos, entry in extra:  # at A's place in the order
            k = next((n for n, e in enumerate(entries) if (e.a or [None])[0] is not None
                      and e.a[0].pos > pos), len(entries))
            entries.insert(k, entry)
        return moved

    @staticmethod
    def _keep(e: Entry) -> bool:
        if e.kind == "value":
            return True
        return any(decisive(i) and i.paired is None for i in e.a + e.b)

    def _noise(self, shifts: list[tuple[Item, Item]], decided: Counter[str],
               only: list[tuple[list[Item], list[Item]]], moved: int) -> dict[str, Any]:
        fa = {i.frame.fn for i in self.items_a if i.kind == "call" and i.frame}
        fb = {i.frame.fn for i in self.items_b if i.kind == "call" and i.frame}
        by_fn: dict[str, dict[str, int]] = {}
        for xs, ys in only:
            for label, items in (("a", xs), ("b", ys)):
                for i in items:
                    if i.kind in ("branch", "assert") or i.kind == "fact" and not decisive(i):
                        row = by_fn.setdefault(_fn(i) or "(none)", {"a": 0, "b": 0})
                        row[label] += i.left
        examples = []
        for x, y in shifts:
            if x.kind == "branch" and len(examples) < 3 and all(
                    e["function"] != _fn(x) for e in examples):
                examples.append({"function": _fn(x), "cond": x.event.cond,
                                 "a": f"{_file(x)}:{x.line}", "b": f"{_file(y)}:{y.line}"})
        return {
            "line_shifts": {"count": len(shifts), "examples": examples},
            "functions_only_a": sorted(fa - fb),
            "functions_only_b": sorted(fb - fa),
            "decisions_only_a": sum(r["a"] for r in by_fn.values()),
            "decisions_only_b": sum(r["b"] for r in by_fn.values()),
            "only_by_function": dict(sorted(by_fn.items(), key=lambda kv: -sum(kv[1].values()))),
            "decided_otherwise": dict(decided.most_common()),
            "moved": moved,
        }


_SKELETON = ("call", "fact", "report", "exit")


def _match_window(xs: list[Item], ys: list[Item]) -> list[tuple[Item, Item, int]]:
    """The branches and asserts of one window both runs make, paired, with how many events
    each pair stands for (items weigh for a run's repetitions). A long window (a loop over
    many CPUs) pairs them key by key in order: linear, and what repeats pairs up."""
    if not xs or not ys:
        return []
    if sum(x.weight for x in xs) * sum(y.weight for y in ys) <= WINDOW:
        ex = [x for x in xs for _ in range(x.weight)]  # small: each event on its own
        ey = [y for y in ys for _ in range(y.weight)]
        sm = SequenceMatcher(None, [x.key for x in ex], [y.key for y in ey], autojunk=False)
        pairs: dict[tuple[int, int], list[Any]] = {}
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal":
                for x, y in zip(ex[i1:i2], ey[j1:j2]):
                    pairs.setdefault((id(x), id(y)), [x, y, 0])[2] += 1
        return [(x, y, m) for x, y, m in pairs.values()]
    by_key: dict[tuple[Any, ...], deque[list[Any]]] = {}
    for y in ys:
        by_key.setdefault(y.key, deque()).append([y, y.weight])
    out = []
    for x in xs:
        need, cands = x.weight, by_key.get(x.key)
        while need and cands:
            y, free = cands[0]
            m = min(need, free)
            out.append((x, y, m))
            need -= m
            if free == m:
                cands.popleft()
            else:
                cands[0][1] = free - m
    return out


def _fn(i: Item) -> str | None:
    return i.frame.fn if i.frame is not None else None


def _file(i: Item) -> str | None:
    return i.frame.file if i.frame is not None else None


# --- the report ----------------------------------------------------------------------------------
class CrossReport:
    """The differences in a QEMU user's terms: which decision changed, where in each version."""

    def __init__(self, al: CrossAlignment) -> None:
        self.al = al
        self.pa, self.pb = al.a.header.profile, al.b.header.profile

    def build(self, only: list[str], ignore: list[str]) -> dict[str, Any]:
        al = self.al
        outcome = cross_outcome(al.a, al.b, al.v)
        differs = set(outcome["differs"])
        entries = [e for e in al.entries if _wanted(e, only, ignore)]
        lead = self.lead(entries, differs)
        diffs = [self.difference(n, e, differs) for n, e in enumerate(entries[:MAX_DIFFERENCES], 1)]
        return {
            "cross_profile": True,
            "profiles": {"a": self.pa, "b": self.pb},
            "identical": outcome["same"] and not al.entries,
            "a": _side_info(al.a), "b": _side_info(al.b),
            "command_line_changes": argv_changes(al.a.header.argv, al.b.header.argv),
            "first_divergence": lead,
            "differences": diffs,
            "differences_total": len(entries),
            "noise": al.noise,
            "outcome": outcome,
        }

    # the lead: the first difference that touches the most important differing outcome
    def lead(self, entries: list[Entry], differs: set[str]) -> dict[str, Any] | None:
        if not entries:
            return None
        chosen, group = entries[0], set[str]()
        for g in _GROUPS:
            hit = differs & set(g)
            first = next((e for e in entries if e.fields & hit), None)
            if first is not None:
                chosen, group = first, hit
                break
        out = self.difference(entries.index(chosen) + 1, chosen, differs)
        later = entries[entries.index(chosen) + 1:]
        for label in ("a", "b"):
            side = out[label]
            if side is not None and side["what"]:
                continue
            # this version has no such step: say what it does instead, further on
            want = group or chosen.fields
            nxt = next((e for e in later if (e.a if label == "a" else e.b)
                        and e.fields & want and self._telling(e, label)), None)
            if nxt is not None:
                then = self.side(nxt, label)
                assert then is not None
                # and what follows from it there: the error, the exit
                for e in later[later.index(nxt) + 1:later.index(nxt) + 3]:
                    more = self.side(e, label)
                    if more is not None and e.fields & want:
                        then["events"] += [x for x in more["events"] if x not in then["events"]]
                if out[label] is None:
                    out[label] = {"profile": self.profile(label), "what": None}
                out[label]["then"] = then
        out["text"] = self.lead_text(out)
        out["group"] = sorted(group)
        return out

    def _telling(self, e: Entry, label: str) -> bool:
        return self.side(e, label) is not None

    def profile(self, label: str) -> str:
        return self.pa if label == "a" else self.pb

    def difference(self, n: int, e: Entry, differs: set[str]) -> dict[str, Any]:
        a, b = self.side(e, "a"), self.side(e, "b")
        some = a or b
        out = {"index": n, "kind": e.kind,
               "function": some["function"] if some else _fn((e.a or e.b)[0]),
               "fields": sorted(e.fields), "changes_outcome": bool(e.fields & differs),
               "a": a, "b": b, "option": self.option(e)}
        out["text"] = self.pair_text(out)
        return out

    def side(self, e: Entry, label: str) -> dict[str, Any] | None:
        """What one version does in a difference: its most telling event, where, and the
        decision that led there."""
        items = e.a if label == "a" else e.b
        if e.kind == "value":  # the same decision, come out otherwise
            telling = items
        else:  # what only this version does here (a moved event has an entry of its own)
            telling = [i for i in items if decisive(i) and i.paired is None]
        if not telling:
            return None
        # the most telling event of the call this version parts in, not of what comes later
        first = telling[0].frame
        scope = first.parent if first is not None and first.parent is not None else first
        near = [i for i in telling if scope is None or _within(i.frame, scope)]
        top = min(near or telling, key=_rank)
        decision = _decision_before(items, top)
        if decision is None:  # the test of the same statement: `if (numa_total != ram_size)`
            decision = _test_at(self.al.items_a if label == "a" else self.al.items_b, top)
        at = decision or top
        events = []
        home = at.frame
        for i in telling:
            message = i.kind in ("report", "exit") and i.frame is not None \
                and _within(home, i.frame)  # the caller reports the error
            if home is not None and not _within(i.frame, home) and not message:
                continue  # another call's doing (a later option, the next stage)
            text = _event_text(i)
            if text not in events:
                events.append(text)
        return {"profile": self.profile(label), "what": _phrase(top, self.al, label),
                "function": _fn(at), "file": _file(at), "line": at.line,
                "event": {"function": _fn(top), "file": _file(top), "line": top.line},
                "decision": None if decision is None else {
                    "kind": decision.kind, "cond": decision.event.cond,
                    "taken": decision.event.taken if decision.kind == "branch"
                    else decision.event.ok, "values": decision.event.values},
                "events": events[:8], "more_events": len(telling) - min(len(events), 8)}

    def option(self, e: Entry) -> dict[str, Any] | None:
        oa = _option(self.al.a, e.a)
        ob = _option(self.al.b, e.b)
        if oa is None and ob is None:
            fields = e.fields
            argv = self.al.a.header.argv
            if fields & {"node_mem", "num_nodes"}:
                nodes = [o for o in argv_options(argv) if o.startswith("-numa node")]
                ram = argv_option(argv, "-m")
                oa = ob = ", ".join(nodes + ([ram] if ram else [])) or None
                if nodes and not any("mem=" in o or "memdev=" in o for o in nodes):
                    # the case QEMU 5.1 stopped guessing for
                    return {"a": oa, "b": ob, "note": "no -numa node has mem= or memdev="}
            elif fields & {"cpu_node"}:
                oa = ob = argv_option(argv, "-smp")
        if oa is None and ob is None:
            return None
        return {"a": oa, "b": ob}

    def pair_text(self, d: dict[str, Any]) -> str:
        bits = []
        for label in ("a", "b"):
            s = d[label]
            name = self.profile(label)
            if s is None or not s.get("what"):
                bits.append(f"{name} has no such step")
            else:
                bits.append(f"{name} {s['what']} at {_loc(s, d['function'])}")
        return "; ".join(bits) + "."

    def lead_text(self, d: dict[str, Any]) -> str:
        bits = []
        for label in ("a", "b"):
            s = d[label]
            name = self.profile(label)
            if s is not None and s.get("what"):
                bits.append(f"{name} {s['what']} at {_loc(s, d['function'])}")
                continue
            text = f"{name} has no such step"
            then = (s or {}).get("then")
            if then:
                text += f" and {then['what']} at {_loc(then, d['function'])}"
            bits.append(text)
        return "; ".join(bits) + "."


def _loc(s: dict[str, Any], fn: str | None) -> str:
    where = f"{s['file']}:{s['line']}"
    return where if s.get("function") in (fn, None) else f"{where} in {s['function']}"


def _rank(i: Item) -> int:
    e = i.event
    name = {"report": e.kind if i.kind == "report" and e.kind in ("error", "warning")
            else "report", "exit": "exit", "assert": "assert"}.get(i.kind) \
        if i.kind != "fact" else e.name
    if i.kind == "fact" and e.name == "total.check" \
            and e.data.get("numa_total") == e.data.get("ram_size"):
        return len(_RANK)  # a total check that passes tells little
    return _RANK.index(name) if name in _RANK else len(_RANK)


def _decision_before(items: list[Item], top: Item) -> Item | None:
    """The branch that sent the run to `top`: the last one taken before it in its frame or
    a caller's, within the difference."""
    depth = top.frame.depth if top.frame is not None else 0
    for i in reversed(items[:items.index(top)]):
        if i.kind == "branch" and i.event.taken and (i.frame.depth if i.frame else 0) <= depth:
            return i
    return None


def _within(f: Frame | None, home: Frame) -> bool:
    while f is not None:
        if f is home:
            return True
        f = f.parent
    return False


def _test_at(items: list[Item], top: Item) -> Item | None:
    for i in items[max(0, top.pos - 2):top.pos + 3]:
        if i.kind == "branch" and i.frame is top.frame and i.line == top.line:
            return i
    return None


def _mb(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool) and v % (1 << 20) == 0:
        return f"{v >> 20} MiB"
    return _c(v)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _phrase(i: Item, al: CrossAlignment | None, label: str) -> str:
    """What a version does, as a verb phrase: `splits RAM automatically`."""
    e = i.event
    if i.kind == "report":
        if e.kind == "error":
            return f"stops with an error ({e.text})"
        return f"prints a {e.kind} ({e.text.strip()})"
    if i.kind == "exit":
        return f"exits with status {e.status}"
    if i.kind == "assert":
        return f"{'holds' if e.ok else 'fails'} assert ({e.cond})"
    d = e.data
    name = e.name
    if name == "error.set":
        return f"stops with an error ({d.get('text')})"
    if name == "autoassign.node":
        return "splits RAM automatically"
    if name == "total.check":
        ok = d.get("numa_total") == d.get("ram_size")
        return "passes the total check" if ok else "fails the total check"
    if name == "node.mem":
        return f"gives node {d.get('nodenr')} {_mb(d.get('bytes'))}"
    if name == "node.created":
        return f"creates node {d.get('nodenr')} with {_mb(d.get('mem'))}"
    if name == "smp.set":
        side = None if al is None else al.a if label == "a" else al.b
        sockets, cores, threads, _ = _topology(d)
        opt = (argv_option(side.header.argv, "-smp") if side else None) or "-smp"
        return (f"reads {opt} as {_plural(sockets, 'socket')} of {_plural(cores, 'core')} "
                f"of {_plural(threads, 'thread')}")
    if name == "cpu.default":
        return f"puts CPU {d.get('i')} on node {d.get('node')} by default"
    if name == "cpu.bound":
        return f"binds CPU {d.get('index')} to node {d.get('node')}"
    if name == "dist.set":
        return f"sets the distance {d.get('src')}→{d.get('dst')} to {d.get('val')}"
    if name == "dist.fill":
        return f"fills in the distance {d.get('src')}→{d.get('dst')} as {d.get('val')}"
    if name == "dist.validate":
        return f"checks the distance {d.get('src')}→{d.get('dst')}"
    if name == "mem.set":
        return f"sets RAM to {_mb(d.get('ram_size'))}"
    if name == "sparse.check":
        return f"finds node {d.get('i')} " + ("present" if d.get("present") else "missing")
    if name == "autoenable":
        return "turns NUMA on by itself"
    if name == "possible_cpus.built":
        return f"builds {d.get('len')} possible CPUs"
    if name == "machine.created":
        return f"creates machine {d.get('type')}"
    return f"records {name} ({_kv(d)})"


def _event_text(i: Item) -> str:
    e = i.event
    if i.kind == "report":
        return f"{e.kind}: {e.text.strip()}"
    if i.kind == "exit":
        return f"exit({e.status})"
    if i.kind == "assert":
        return f"assert ({e.cond}) fails"
    d = e.data
    if e.name == "autoassign.node":
        what = f"node {d.get('i')} gets {_mb(d.get('node_mem'))} of the split"
    elif e.name == "total.check":
        what = f"total check: the nodes hold {_mb(d.get('numa_total'))} of RAM " \
            f"{_mb(d.get('ram_size'))}"
    elif e.name in _FIELDS:
        what = _phrase(i, None, "a")
    else:
        what = f"{e.name} {_kv(d)}"
    return f"{what} ({_file(i)}:{i.line})"


def _option(side: Side, items: list[Item]) -> str | None:
    """The command-line option QEMU is handling where a version's side of a difference is."""
    for i in items[:1]:
        if i.kind == "report" and i.event.location:
            return str(i.event.location)
        f = i.frame
        opt = f.nearest_option() if f is not None else None
        if opt:
            return opt
        while f is not None:
            name = _OPTION_OF.get(f.fn) or _MORE_OPTIONS.get(f.fn)
            if name:
                return argv_option(side.header.argv, name)
            f = f.parent
    return None


def _wanted(e: Entry, only: list[str], ignore: list[str]) -> bool:
    """By where its facts, messages and exits are (the branches around them may be anywhere
    in the window)."""
    items = [i for i in e.a + e.b if decisive(i)] or e.a + e.b
    paths = [i.frame.call_path() for i in items if i.frame is not None]
    if only and not any(fn in path for path in paths for fn in only):
        return False
    if ignore and paths and all(any(fn in path for fn in ignore) for path in paths):
        return False
    return True


def _side_info(side: Side) -> dict[str, Any]:
    return {"trace": side.name, "profile": side.header.profile, "argv": side.header.argv,
            "stops": side.steps, "exit_status": side.exit_status}


def cross_outcome(a: Side, b: Side, v: Versions) -> dict[str, Any]:
    """The outcomes side by side; `-machine q35` naming each version's newest q35 is the
    same machine."""
    out = compare_outcomes(outcome_of(a), outcome_of(b))
    m = out["machine"]
    if not m["same"] and v.machine(m["a"], m["b"]):
        m["same"] = True
        m["note"] = "each version's newest machine type of that name"
    out["differs"] = [k for k, x in out.items() if isinstance(x, dict) and not x["same"]]
    out["same"] = not out["differs"]
    return out


def cross_diff(a: Side, b: Side, only: list[str] | None = None,
               ignore: list[str] | None = None) -> dict[str, Any]:
    """The cross-version report of two runs whose headers name different profiles."""
    return CrossReport(CrossAlignment(a, b)).build(only or [], ignore or [])

