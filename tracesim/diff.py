"""`tracesim diff`: where two runs of QEMU part ways, and why.

The traces are aligned by execution index (diff_align.py); this module turns the hunks into
QEMU's terms (the condition at the QEMU line, its operands on both sides, the store and the
command-line option behind a differing operand) and compares the outcomes.
"""
from __future__ import annotations

import io
import shlex
import sys
from difflib import SequenceMatcher
from typing import Any, BinaryIO

import msgspec

from .diff_align import Aligner, Hunk, Side, Unit, align
from .qemu.process import render_report
from .trace import events as ev
from .trace.store import TraceError

SHOW_UNITS = 12  # units shown per side of a hunk in the text report
JSON_UNITS = 200  # ... and in the JSON
SHOW_HUNKS = 200  # hunks in the text report
MAX_HUNKS = 2000  # ... and in the JSON (the rest are counted)
DEEP = 50  # hunks whose differing operands are traced back to their stores (reads the files)
SMALL_TABLE = 16  # outcome tables up to this size are shown whole

_OPTION_OF = {"set_memory_options": "-m", "pc_smp_parse": "-smp", "smp_parse": "-smp"}


# --- the command ------------------------------------------------------------------------------
def cmd_diff(argv: list[str]) -> int:
    # the traces are streamed, not loaded: Side raises TraceError as load() would (file:line)
    from .cli import Parser, UsageError

    p = Parser(prog="tracesim diff", description="Where two runs of QEMU part ways, and why: the "
               "first divergence in QEMU's terms, every later one as a hunk, and the outcomes "
               "side by side. Exit status as diff(1): 0 the same, 1 different, 2 trouble.",
               usage="tracesim diff [options] A.jsonl B.jsonl | --a 'QEMU ARGS' --b 'QEMU ARGS'")
    p.add_argument("traces", nargs="*", metavar="TRACE", help="two traces (tracesim run -o)")
    p.add_argument("--a", dest="args_a", metavar="'QEMU ARGS'",
                   help="simulate A from a QEMU command line")
    p.add_argument("--b", dest="args_b", metavar="'QEMU ARGS'",
                   help="simulate B from a QEMU command line")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--only", action="append", default=[], metavar="FUNCTION",
                   help="only differences inside FUNCTION (or what it calls); repeatable")
    p.add_argument("--ignore", action="append", default=[], metavar="FUNCTION",
                   help="leave out differences inside FUNCTION (or what it calls); repeatable")
    p.add_argument("--outcome", action="store_true",
                   help="only the outcomes (exit status, messages, nodes, distances, CPUs)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the report (auto: when stdout is a terminal)")
    args = p.parse_args(argv)
    wanted = 2 - (args.args_a is not None) - (args.args_b is not None)
    if len(args.traces) != wanted:
        raise UsageError("tracesim diff: give two traces, or --a and --b with QEMU command lines"
                         " (or one trace and one of --a/--b)")
    traces = list(args.traces)
    sources = []
    for label, qemu_args in (("A", args.args_a), ("B", args.args_b)):
        if qemu_args is None:
            sources.append(_open_trace(traces.pop(0)))
        else:
            sources.append(_simulated(label, qemu_args))
    try:  # the explanations look back into the files
        report = build_report(align(Side(*sources[0]), Side(*sources[1])), args.only, args.ignore)
    finally:
        for _, stream in sources:
            stream.close()
    if args.outcome:
        report = {k: report[k] for k in ("identical", "a", "b", "outcome")}
    if args.json:
        sys.stdout.write(msgspec.json.encode(report).decode() + "\n")
    else:
        color = args.color == "always" or args.color == "auto" and sys.stdout.isatty()
        sys.stdout.write(render_text(report, Paint(color), outcome_only=args.outcome))
    if args.outcome:
        return 0 if report["outcome"]["same"] else 1
    return 0 if not report["hunks"] and report["outcome"]["same"] else 1


def _open_trace(path: str) -> tuple[str, BinaryIO]:
    try:
        return path, open(path, "rb")
    except OSError as err:
        raise TraceError(f"{path}: {err.strerror or err}") from None


def _simulated(label: str, text: str) -> tuple[str, BinaryIO]:
    from .cli import UsageError, simulate_trace
    from .qemu.simulate import strip_program
    from .trace.store import encode_lines

    try:
        qemu_args = strip_program(shlex.split(text))
    except ValueError as err:
        raise UsageError(f"tracesim diff: --{label.lower()}: {err}") from None
    trace = simulate_trace(qemu_args)
    return f"{label} (simulated)", io.BytesIO(encode_lines(trace.header, trace.events))


# --- the report, as data ----------------------------------------------------------------------
def build_report(al: Aligner, only: list[str] | None = None,
                 ignore: list[str] | None = None) -> dict[str, Any]:
    A, B = al.a, al.b
    kept = [(n, h) for n, h in enumerate(al.hunks, 1) if _wanted(h, only or [], ignore or [])]
    explained = Explainer(al)
    hunks = [explained.hunk(n, h, deep=k < DEEP) for k, (n, h) in enumerate(kept[:MAX_HUNKS])]
    first = next((x for x in hunks if x["kind"] == "path"), hunks[0] if hunks else None)
    return {
        "identical": not al.hunks,
        "a": _side_info(A),
        "b": _side_info(B),
        "command_line_changes": argv_changes(A.header.argv, B.header.argv),
        "first_divergence": explained.first(first) if first else None,
        "hunks": hunks,
        "hunks_total": len(kept),
        "outcome": compare_outcomes(outcome_of(A), outcome_of(B)),
    }


def _side_info(side: Side) -> dict[str, Any]:
    return {"trace": side.name, "argv": side.header.argv, "stops": side.steps,
            "exit_status": side.exit_status}


def _wanted(h: Hunk, only: list[str], ignore: list[str]) -> bool:
    paths = [u.frame.call_path() for _, ua, ub in h.items for u in (ua, ub)
             if u is not None and u.frame is not None]
    if only and not any(fn in path for path in paths for fn in only):
        return False
    if ignore and paths and all(any(fn in path for fn in ignore) for path in paths):
        return False
    return True


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
        decision = option = earlier = None
        causes: list[dict[str, Any]] = []
        if h.common is not None:
            ca, cb = h.common
            here = f"{_where(ca)}, {_step_words(ca.step, cb.step, ca.kind)}"
            decision = decision_pair(ca, cb)
            if decision is not None:
                said = f"At {here}, {decision['text']}."
                causes = self.causes(ca, cb, decision) if deep else []
            else:
                said = f"After {here}, {_goes(only_a, 'A')}, while {_goes(only_b, 'B')}."
                causes = self.pointer_causes(only_a, only_b) if deep else []
            option = self.options(ca, cb)
            new = self.new_options(only_a, only_b, option)
            if new is not None:
                option = new
            first = self.parted_in.setdefault(id(ca.frame), (n, ca, decision))
            if first[0] != n:
                earlier = (f"The runs already parted in this call of {ca.frame.fn} "
                           f"at {_where(first[1], with_fn=False)} (hunk {first[0]})"
                           + (f", where {first[2]['text_past']}." if first[2] else "."))
        else:
            said = f"From the start, {_goes(only_a, 'A')}, while {_goes(only_b, 'B')}."
        story = {"a": side_story(only_a, h.counts["-"], "A", h.rejoin[0] if h.rejoin else None),
                 "b": side_story(only_b, h.counts["+"], "B", h.rejoin[1] if h.rejoin else None)}
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


def _step_words(a: int, b: int, kind: str = "step") -> str:
    if a == b == 0:
        return "before the first stop"
    return f"step {_steps(a, b)}" if kind == "step" else f"after step {_steps(a, b)}"


def _steps(a: int, b: int) -> str:
    if a == b:
        return f"{a} of both runs" if a else "before the first stop"
    return f"{a} of A, {b} of B"


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


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


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
def decision_pair(ua: Unit, ub: Unit) -> dict[str, Any] | None:
    """The branch or assert of the shared statement that came out differently (or that only
    one run recorded)."""
    da = {e.line: e for e in ua.events if type(e) in (ev.Branch, ev.Assert)}
    db = {e.line: e for e in ub.events if type(e) in (ev.Branch, ev.Assert)}
    for line in sorted(da.keys() | db.keys()):
        x, y = da.get(line), db.get(line)
        some = x if x is not None else y
        assert some is not None
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
        return {"line": line, "cond": some.cond,
                "kind": "branch" if type(some) is ev.Branch else "assert",
                "a": {"taken": ra, "values": va}, "b": {"taken": rb, "values": vb},
                "text": f"`{head}` is {tail}", "text_past": f"`{head}` was {tail}"}
    return None


def operand_text(va: dict[str, Any], vb: dict[str, Any]) -> str:
    bits = []
    for name in list(va) + [k for k in vb if k not in va]:
        x, y = va.get(name), vb.get(name)
        if x == y:
            bits.append(f"{name} = {_c(x)} in both")
        else:
            bits.append(f"{name} = {_c(x)} in A, {_c(y)} in B")
    return "; ".join(bits)


_INDEXES = ("i", "nodenr", "src", "dst", "node", "index", "cpu")


def _memory_path(side: Side, name: str, values: dict[str, Any]) -> str | None:
    """The memory path an operand named in a condition reads: a global of that name, or a
    member of that name, preferring the element the other operands index."""
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


# --- options on the command line ----------------------------------------------------------------
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


# --- events, readably --------------------------------------------------------------------------
def _c(v: Any) -> str:
    """A value as C shows it."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return f'"{v}"'
    return str(v)


def _kv(d: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {_c(v)}" for k, v in d.items())


def describe_event(e: Any) -> str:
    kind = type(e)
    if kind is ev.Branch:
        return f"if ({e.cond}) is {_c(e.taken)}" + (f" [{_kv(e.values)}]" if e.values else "")
    if kind is ev.Assert:
        return f"assert ({e.cond}) {'holds' if e.ok else 'FAILS'}" + \
            (f" [{_kv(e.values)}]" if e.values else "")
    if kind is ev.Write:
        return f"{e.path} = {_c(e.value)}"
    if kind is ev.Local:
        return f"{e.name} = {_c(e.value)}"
    if kind is ev.Loop:
        return f"loop: {e.var} = {_c(e.value)}"
    if kind is ev.Report:
        return render_report(e.kind, e.text, e.location).rstrip("\n")
    if kind is ev.Exit:
        return f"exit({e.status})"
    if kind is ev.Fact:
        return f"{e.name} {_kv(e.data)}"
    if kind is ev.Call:
        return f"calls {e.fn} ({_kv(e.args)})"
    if kind is ev.Return:
        return "returns" + ("" if e.value is None else f" {_c(e.value)}")
    return repr(e)


def unit_summary(u: Unit, width: int = 110) -> str:
    """The notable things a unit does, in a line: its decision, stores, messages, the call."""
    bits = []
    if u.kind == "call" and u.frame is not None:
        bits.append(f"→ {u.frame.fn}")
    elif u.kind == "ret" and u.frame is not None:
        bits.append(f"← return from {u.frame.fn}"
                    + ("" if u.head is None or u.head.value is None else f" {_c(u.head.value)}"))
    for e in u.events:
        kind = type(e)
        if kind in (ev.Branch, ev.Assert, ev.Report, ev.Exit, ev.Write):
            bits.append(describe_event(e))
        elif kind is ev.Fact and e.name in ("error.set",):
            bits.append(describe_event(e))
    text = "; ".join(bits)
    return text if len(text) <= width else text[:width - 1] + "…"


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


# --- outcomes ---------------------------------------------------------------------------------
def outcome_of(side: Side) -> dict[str, Any]:
    """What `tracesim summary --json` reports, from the stores the diff kept."""
    get = side.memory.get
    num_nodes = get("numa_state.num_nodes", 0) or 0
    have_dist = bool(get("numa_state.have_numa_distance", False))
    nodes = [{"id": i, "present": bool(get(f"numa_state.nodes[{i}].present", False)),
              "mem": get(f"numa_state.nodes[{i}].node_mem", 0),
              "distance": [get(f"numa_state.nodes[{i}].distance[{j}]", 0) for j in range(num_nodes)]
              if have_dist else None} for i in range(num_nodes)]
    cpus = []
    for i in range(get("possible_cpus.len", 0) or 0):
        base = f"possible_cpus.cpus[{i}].props"
        cpus.append(get(f"{base}.node_id", 0) if get(f"{base}.has_node_id") else None)
    stderr = [render_report(k, t, loc) for k, t, loc in side.reports if k != "stdout"]
    return {"exit_status": side.exit_status, "stderr": "".join(stderr).splitlines(),
            "machine": get("mc.name"), "ram_size": get("ram_size", 0), "num_nodes": num_nodes,
            "have_numa_distance": have_dist, "nodes": nodes, "cpu_node": cpus}


def compare_outcomes(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("exit_status", "machine", "ram_size", "num_nodes"):
        out[key] = {"a": a[key], "b": b[key], "same": a[key] == b[key]}
    sa, sb = a["stderr"], b["stderr"]
    out["stderr"] = {"a": sa, "b": sb, "same": sa == sb, "only_a": [x for x in sa if x not in sb],
                     "only_b": [x for x in sb if x not in sa]}
    ma = [n["mem"] for n in a["nodes"]]
    mb = [n["mem"] for n in b["nodes"]]
    out["node_mem"] = {"a": ma, "b": mb, "same": ma == mb, "changes": _changes(ma, mb, "node")}
    da = [n["distance"] for n in a["nodes"]] if a["have_numa_distance"] else None
    db = [n["distance"] for n in b["nodes"]] if b["have_numa_distance"] else None
    changes = []
    if da is not None or db is not None:
        size = max(len(da or []), len(db or []))
        for i in range(size):
            for j in range(size):
                x, y = _at2(da, i, j), _at2(db, i, j)
                if x != y:
                    changes.append({"src": i, "dst": j, "a": x, "b": y})
    out["distance"] = {"a": da, "b": db, "same": da == db, "changes": changes}
    ca, cb = a["cpu_node"], b["cpu_node"]
    out["cpu_node"] = {"a": ca, "b": cb, "same": ca == cb, "changes": _changes(ca, cb, "cpu")}
    out["differs"] = [k for k, v in out.items() if not v["same"]]
    out["same"] = not out["differs"]
    return out


def _changes(xs: list[Any], ys: list[Any], key: str) -> list[dict[str, Any]]:
    return [{key: i, "a": _at(xs, i), "b": _at(ys, i)}
            for i in range(max(len(xs), len(ys))) if _at(xs, i) != _at(ys, i)]


def _at(xs: list[Any], i: int) -> Any:
    return xs[i] if i < len(xs) else None


def _at2(rows: list[list[Any]] | None, i: int, j: int) -> Any:
    if rows is None or i >= len(rows) or rows[i] is None or j >= len(rows[i]):
        return None
    return rows[i][j]


# --- the text report ---------------------------------------------------------------------------
class Paint:
    """ANSI colour on a terminal, nothing when piped: A red, B green, marks yellow."""
    CODES = {"a": "31", "b": "32", "mark": "33", "head": "1;36", "bold": "1"}

    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, text: str, what: str) -> str:
        return f"\x1b[{self.CODES[what]}m{text}\x1b[0m" if self.on and text else text


def _mb(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool) and v % (1 << 20) == 0:
        return f"{v >> 20} MB"
    return "-" if v is None else str(v)


def _cmdline(argv: list[str], limit: int = 160) -> str:
    text = "qemu-system-x86_64"
    for word in argv:
        text += " " + shlex.quote(word)
        if len(text) > limit:
            return text[:limit - 1] + f"… ({len(argv)} words)"
    return text


def _span(steps: list[int] | None) -> str:
    if not steps:
        return "-"
    return str(steps[0]) if steps[0] == steps[-1] else f"{steps[0]}-{steps[-1]}"


def _wrap(text: str, width: int, indent: str) -> str:
    out, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    return ("\n" + indent).join(out)


def render_text(r: dict[str, Any], paint: Paint, outcome_only: bool = False) -> str:
    lines: list[str] = []
    add = lines.append
    add(paint("A", "a") + f"  {r['a']['trace']}: {_cmdline(r['a']['argv'])}")
    add(paint("B", "b") + f"  {r['b']['trace']}: {_cmdline(r['b']['argv'])}")
    changes = r.get("command_line_changes", [])
    for ch in changes[:6]:
        add(f"   option {ch['position']}: " + paint(" ".join(ch["a"]) or "(none)", "a") + "  →  "
            + paint(" ".join(ch["b"]) or "(none)", "b"))
    if len(changes) > 6:
        add(f"   … and {len(changes) - 6} more changed options")
    add("")
    if not outcome_only:
        if r["identical"]:
            add(paint(f"The runs are the same: {r['a']['stops']} stops, the same events.", "bold"))
        else:
            _render_first(r, paint, add)
            total = r["hunks_total"]
            add(paint(f"{total} hunk{'s' if total != 1 else ''}", "head")
                + f" (A {r['a']['stops']} stops, B {r['b']['stops']} stops)")
            for h in r["hunks"][:SHOW_HUNKS]:
                _render_hunk(h, paint, add)
            if total > SHOW_HUNKS:
                add(f"\n… {total - SHOW_HUNKS} more hunks (--json has {len(r['hunks'])}; "
                    "--only FUNCTION narrows them down)")
        add("")
    _render_outcome(r["outcome"], paint, add)
    return "\n".join(lines) + "\n"


def _render_first(r: dict[str, Any], paint: Paint, add: Any) -> None:
    fd = r["first_divergence"]
    if fd is None:
        add("No difference in the runs passes the filters.")
        add("")
        return
    c = fd["common"]
    where = f"{c['file']}:{c['line']} in {c['function']} ({_ordinal(c['call'])} call)" \
        if c and c["function"] else "the start"
    steps = _step_words(c["step"], c["step_b"]) if c else ""
    if fd["kind"] == "path":
        add(paint(f"The runs part ways at {where}, {steps}:", "head"))
    else:
        add(paint(f"The runs take the same path; they first differ at {where}, {steps}:", "head"))
    d = fd["decision"]
    if d:
        add(f"    {'if' if d['kind'] == 'branch' else 'assert'} ({d['cond']})")
        for label in ("a", "b"):
            side = d[label]
            taken = "(not recorded)" if side["taken"] is None else _c(side["taken"])
            add(f"      {paint(label.upper(), label)}  {taken:<6} {_kv(side['values'])}")
    opt = fd["option"]
    if opt and (opt.get("a") or opt.get("b")):
        add("    the option being handled:")
        add(f"      {paint('A', 'a')}  {opt.get('a') or '(none)'}")
        note = f"      ({option_difference(opt.get('a'), opt.get('b'))})" \
            if opt.get("a") != opt.get("b") else ""
        add(f"      {paint('B', 'b')}  {opt.get('b') or '(none)'}{note}")
    for cause in fd["causes"]:
        add("    " + _wrap(cause["text"], 96, "    "))
    if fd["earlier"]:
        add("    " + _wrap(fd["earlier"], 96, "    "))
    if fd["kind"] == "path":
        add("    next stop:")
        for label in ("a", "b"):
            nxt = fd[label]
            text = f"step {nxt['step']}  {nxt['file']}:{nxt['line']} in {nxt['function']}" \
                if nxt else "(the trace ends)"
            add(f"      {paint(label.upper(), label)}  {text}")
    add("")


def _render_hunk(h: dict[str, Any], paint: Paint, add: Any) -> None:
    sa, sb = h["a"]["steps"], h["b"]["steps"]
    steps = f"A steps {_span(sa)}, B steps {_span(sb)}" if sa or sb else "before the first stop"
    kind = "the runs part" if h["kind"] == "path" else "values differ"
    add("")
    add(paint(f"@@ hunk {h['index']}: {h['where']} — {kind}; {steps} @@", "head"))
    add("   " + _wrap(h["reason"], 100, "   "))
    shown = {"-": 0, "+": 0, "~": 0}
    for item in h["items"]:
        op = item["op"]
        shown[op] += 1
        if shown[op] > SHOW_UNITS:
            continue
        ua, ub = item["a"], item["b"]
        u = ua or ub
        step_a = str(ua["step"]) if ua and ua["kind"] == "step" else ""
        step_b = str(ub["step"]) if ub and ub["kind"] == "step" else ""
        loc = f"{u['file']}:{u['line']}" if u["kind"] == "step" else (u["file"] or "")
        head = f" {op} {step_a:>8} {step_b:>8}  {u['function'] or '':<28} {loc:<22}"
        if op == "~":
            add(paint(head.rstrip(), "mark"))
            for ch in item.get("changes", [])[:4]:
                add("      " + paint("A", "a") + " " + (ch["a"] or "(nothing)"))
                add("      " + paint("B", "b") + " " + (ch["b"] or "(nothing)"))
        else:
            add(paint(f"{head} {u['summary']}".rstrip(), "a" if op == "-" else "b"))
    counts = {"-": h["a"]["only"], "+": h["b"]["only"]}
    for op, what in (("-", "units only in A"), ("+", "units only in B")):
        hidden = counts[op] - min(shown[op], SHOW_UNITS)
        if hidden > 0:
            add(f"   … {hidden} more {what}")
    if shown["~"] > SHOW_UNITS:
        add(f"   … {shown['~'] - SHOW_UNITS} more units with other values")
    if h["rejoin"]:
        ra, rb = h["rejoin"]["a"], h["rejoin"]["b"]
        where = f"{ra['file']}:{ra['line']} in {ra['function']}" if ra["kind"] == "step" else \
            f"{'the entry of' if ra['kind'] == 'call' else 'the return from'} {ra['function']}"
        add(f"   the runs line up again at A step {ra['step']}, B step {rb['step']}: {where}")


def _render_outcome(o: dict[str, Any], paint: Paint, add: Any) -> None:
    add(paint("Outcome", "head") + ("  (the same)" if o["same"]
                                    else "  (" + ", ".join(o["differs"]) + " differ)"))
    width = 30

    def row(label: str, a: Any, b: Any, same: bool) -> None:
        cell_a = f"{a!s:<{width}}"
        mark = " " if same else paint("!", "mark")
        add(f" {mark} {label:<18} {cell_a if same else paint(cell_a, 'a')}   "
            f"{b if same else paint(str(b), 'b')}".rstrip())

    add(f"   {'':<18} {'A':<{width}}   B")
    status = o["exit_status"]
    row("exit status", _c(status["a"]), _c(status["b"]), status["same"])
    row("machine", o["machine"]["a"], o["machine"]["b"], o["machine"]["same"])
    row("ram_size", _mb(o["ram_size"]["a"]), _mb(o["ram_size"]["b"]), o["ram_size"]["same"])
    st = o["stderr"]
    add(f" {' ' if st['same'] else paint('!', 'mark')} stderr")
    for line in st["a"]:
        add(f"     = {line}" if line in st["b"] else f"     {paint('A', 'a')} {paint(line, 'a')}")
    for line in st["only_b"]:
        add(f"     {paint('B', 'b')} {paint(line, 'b')}")
    if not st["a"] and not st["b"]:
        add("     (nothing)")
    _table(o["node_mem"], "node", "node sizes", lambda i: f"node {i} size", _mb, row, add)
    dist = o["distance"]
    if dist["a"] is None and dist["b"] is None:
        row("distances", "(none given)", "(none given)", True)
    elif dist["same"]:
        row("distances", "the same", "the same", True)
    else:
        size = max(len(dist["a"] or []), len(dist["b"] or []))
        if size <= 8:
            for i in range(size):
                ra, rb = _at(dist["a"] or [], i), _at(dist["b"] or [], i)
                row(f"distance {i}→", " ".join(f"{x:>3}" for x in ra or []) or "(none)",
                    " ".join(f"{x:>3}" for x in rb or []) or "(none)", ra == rb)
        else:
            for ch in dist["changes"][:SMALL_TABLE]:
                row(f"distance {ch['src']}→{ch['dst']}", _c(ch["a"]), _c(ch["b"]), False)
            more = len(dist["changes"]) - SMALL_TABLE
            add(f"     distances: {len(dist['changes'])} of {size * size} entries differ"
                + (f" ({more} not shown)" if more > 0 else ""))
    _table(o["cpu_node"], "cpu", "CPU → node", lambda i: f"CPU {i} → node", _c, row, add)


def _table(t: dict[str, Any], key: str, name: str, label: Any, fmt: Any, row: Any,
           add: Any) -> None:
    """A list per node or per CPU: whole when short, else only what differs."""
    size = max(len(t["a"]), len(t["b"]))
    if size <= SMALL_TABLE:
        for i in range(size):
            x, y = _at(t["a"], i), _at(t["b"], i)
            row(label(i), fmt(x), fmt(y), x == y)
        return
    for ch in t["changes"][:SMALL_TABLE]:
        row(label(ch[key]), fmt(ch["a"]), fmt(ch["b"]), False)
    more = len(t["changes"]) - SMALL_TABLE
    if not t["changes"]:
        add(f"     {name}: all {size} the same")
    else:
        add(f"     {name}: {len(t['changes'])} of {size} differ"
            + (f" ({more} not shown)" if more > 0 else ""))
