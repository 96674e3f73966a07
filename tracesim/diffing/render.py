"""The report laid out as text, for a terminal or a pipe.

This module holds the text rendering of the report that `tracesim diff` composes: the two
command lines and the options they differ in, the first divergence with its decision, option
and causes, each hunk as `@@ ... @@` with its units, and the outcomes side by side, what
differs marked (`render_text`), coloured on a terminal by `Paint`.
"""
from __future__ import annotations

import shlex
from typing import Any

from .describe import _c, _kv, _ordinal, _step_words
from .options import option_difference
from .outcome import _at

SHOW_UNITS = 12  # units shown per side of a hunk in the text report

SHOW_HUNKS = 200  # hunks in the text report

SMALL_TABLE = 16  # outcome tables up to this size are shown whole



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
            groups = r.get("groups") or []
            add(paint(f"{total} hunk{'s' if total != 1 else ''}", "head")
                + f" (A {r['a']['stops']} stops, B {r['b']['stops']} stops)"
                + (f", from {len(groups)} cause{'s' if len(groups) != 1 else ''}:"
                   if groups else ""))
            _render_groups(groups, paint, add)
            for h in r["hunks"][:SHOW_HUNKS]:
                _render_hunk(h, paint, add, groups)
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


SHOW_GROUPS = 12  # causes listed before the hunks
FOLLOW_UNITS = 3  # units shown per side of a hunk that follows from an earlier one's cause


def _render_groups(groups: list[dict[str, Any]], paint: Paint, add: Any) -> None:
    """One line per cause: what it is and the hunks that follow from it."""
    for g in groups[:SHOW_GROUPS]:
        n = len(g["hunks"])
        which = f"hunk {g['ranges']}" if n == 1 else f"hunks {g['ranges']}"
        add(f"   cause {g['index']:<3} {which:<18} " + _wrap(g["text"], 78, " " * 29))
    if len(groups) > SHOW_GROUPS:
        add(f"   … {len(groups) - SHOW_GROUPS} more causes (--json lists them all)")


def _brief_reason(h: dict[str, Any], group: dict[str, Any] | None) -> str:
    """A follow-on hunk's explanation: without the option its cause already names, and for
    a value hunk only what differs first."""
    if h["kind"] == "value":
        return h["said"]
    parts = [h["said"]] + [c["text"] for c in h["causes"]]
    opt = h.get("option")
    if opt and not (group and group.get("option") and
                    (opt.get("a"), opt.get("b")) == (group["option"]["a"], group["option"]["b"])):
        parts.append(opt["text"])
    parts.append(h.get("earlier") or "")
    story = h.get("story")
    if story:
        first, second = ("b", "a") if h["a"]["only"] == 0 else ("a", "b")
        parts += [story[first], story[second]]
    return " ".join(x for x in parts if x)


def _render_hunk(h: dict[str, Any], paint: Paint, add: Any,
                 groups: list[dict[str, Any]] | None = None) -> None:
    sa, sb = h["a"]["steps"], h["b"]["steps"]
    steps = f"A steps {_span(sa)}, B steps {_span(sb)}" if sa or sb else "before the first stop"
    kind = {"path": "the runs part", "operands": "the same way, other lines"}.get(
        h["kind"], "values differ")
    group = (groups or [None])[h["group"] - 1] if h.get("group") and groups else None
    follows = h.get("follows")
    tag = ""
    if group is not None and len(group["hunks"]) > 1:
        tag = f"  cause {group['index']}" + (f", after hunk {follows}" if follows else "")
    add("")
    add(paint(f"@@ hunk {h['index']}: {h['where']} — {kind}; {steps} @@", "head") + tag)
    if follows and h["kind"] == "operands":
        add("   " + _wrap(h["said"], 100, "   "))
        return
    if follows and h["kind"] == "value":  # a follow-on: what differs, in a line or two
        texts = [ch["text"] for item in h["items"][:3] for ch in item.get("changes", [])[:2]]
        line, texts = "", list(dict.fromkeys(texts))
        for k, text in enumerate(texts):
            if line and len(line) + len(text) > 200:
                line += f"; and {len(texts) - k} more"
                break
            line = f"{line}; {text}" if line else text
        add("   " + _wrap(line or h["said"], 100, "   "))
        return
    reason = _brief_reason(h, group) if follows else h["reason"]
    add("   " + _wrap(reason, 100, "   "))
    limit = FOLLOW_UNITS if follows and h["kind"] == "value" else SHOW_UNITS
    shown = {"-": 0, "+": 0, "~": 0}
    for item in h["items"]:
        op = item["op"]
        shown[op] += 1
        if shown[op] > limit:
            continue
        ua, ub = item["a"], item["b"]
        u = ua or ub
        step_a = str(ua["step"]) if ua and ua["kind"] == "step" else ""
        step_b = str(ub["step"]) if ub and ub["kind"] == "step" else ""
        loc = f"{u['file']}:{u['line']}" if u["kind"] == "step" else (u["file"] or "")
        head = f" {op} {step_a:>8} {step_b:>8}  {u['function'] or '':<28} {loc:<22}"
        if op == "~":
            add(paint(head.rstrip(), "mark"))
            for ch in item.get("changes", [])[:2 if limit == FOLLOW_UNITS else 4]:
                add("      " + paint("A", "a") + " " + (ch["a"] or "(nothing)"))
                add("      " + paint("B", "b") + " " + (ch["b"] or "(nothing)"))
        else:
            add(paint(f"{head} {u['summary']}".rstrip(), "a" if op == "-" else "b"))
    counts = {"-": h["a"]["only"], "+": h["b"]["only"]}
    for op, what in (("-", "units only in A"), ("+", "units only in B")):
        hidden = counts[op] - min(shown[op], limit)
        if hidden > 0:
            add(f"   … {hidden} more {what}")
    if shown["~"] > limit:
        add(f"   … {shown['~'] - limit} more units with other values")
    if h["rejoin"]:
        ra, rb = h["rejoin"]["a"], h["rejoin"]["b"]
        where = f"{ra['file']}:{ra['line']} in {ra['function']}" if ra["kind"] == "step" else \
            f"{'the entry of' if ra['kind'] == 'call' else 'the return from'} {ra['function']}"
        add(f"   the runs line up again at A step {ra['step']}, B step {rb['step']}: {where}")


def _render_outcome(o: dict[str, Any], paint: Paint, add: Any,
                    labels: tuple[str, str] = ("A", "B")) -> None:
    la, lb = labels
    add(paint("Outcome", "head") + ("  (the same)" if o["same"]
                                    else "  (" + ", ".join(o["differs"]) + " differ)"))
    width = 30

    def row(label: str, a: Any, b: Any, same: bool) -> None:
        cell_a = f"{a!s:<{width}}"
        mark = " " if same else paint("!", "mark")
        add(f" {mark} {label:<18} {cell_a if same else paint(cell_a, 'a')}   "
            f"{b if same else paint(str(b), 'b')}".rstrip())

    add(f"   {'':<18} {la:<{width}}   {lb}")
    status = o["exit_status"]
    row("exit status", _c(status["a"]), _c(status["b"]), status["same"])
    row("machine", o["machine"]["a"], o["machine"]["b"], o["machine"]["same"])
    if o["machine"].get("note"):
        add(f"     ({o['machine']['note']})")
    row("ram_size", _mb(o["ram_size"]["a"]), _mb(o["ram_size"]["b"]), o["ram_size"]["same"])
    st = o["stderr"]
    add(f" {' ' if st['same'] else paint('!', 'mark')} stderr")
    for line in st["a"]:
        add(f"     = {line}" if line in st["b"] else f"     {paint(la, 'a')} {paint(line, 'a')}")
    for line in st["only_b"]:
        add(f"     {paint(lb, 'b')} {paint(line, 'b')}")
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


# --- two QEMU versions ---------------------------------------------------------------------------
SHOW_DIFFERENCES = 40  # differences listed in the text report


def render_cross_text(r: dict[str, Any], paint: Paint, outcome_only: bool = False) -> str:
    """A cross-version report: the decision that changed, the others, the noise summed up."""
    lines: list[str] = []
    add = lines.append
    pa, pb = r["profiles"]["a"], r["profiles"]["b"]
    for label, p in (("a", pa), ("b", pb)):
        add(paint(label.upper(), label) + f"  QEMU {p:<4} {r[label]['trace']}: "
            f"{_cmdline(r[label]['argv'])}")
    changes = r.get("command_line_changes", [])
    if not changes:
        add(f"   the same command line on QEMU {pa} and QEMU {pb}")
    for ch in changes[:6]:
        add(f"   option {ch['position']}: " + paint(" ".join(ch["a"]) or "(none)", "a") + "  →  "
            + paint(" ".join(ch["b"]) or "(none)", "b"))
    if len(changes) > 6:
        add(f"   … and {len(changes) - 6} more changed options")
    add("")
    if not outcome_only:
        _render_cross_lead(r, paint, add)
        _render_differences(r, paint, add)
        _render_noise(r, paint, add)
        add("")
    _render_outcome(r["outcome"], paint, add, (pa, pb))
    return "\n".join(lines) + "\n"


def _render_cross_lead(r: dict[str, Any], paint: Paint, add: Any) -> None:
    pa, pb = r["profiles"]["a"], r["profiles"]["b"]
    fd = r["first_divergence"]
    same = r["outcome"]["same"]
    if fd is None:
        add(paint(f"QEMU {pa} and {pb} decide the same on this command line"
                  + (" and end the same." if same else "."), "head")
            + " What differs is cross-version noise (below).")
        add("")
        return
    where = f" in {fd['function']}" if fd["function"] else ""
    if same:
        add(paint(f"The outcome is the same on {pa} and {pb}; the first decision that differs "
                  f"on the way{where}:", "head"))
    else:
        add(paint(f"Where {pa} and {pb} part{where}:", "head"))
    add("    " + _wrap(fd["text"], 96, "    "))
    for label in ("a", "b"):
        side = fd[label]
        name = paint(f"{r['profiles'][label]:<4}", label)
        if side is None or not side.get("what"):
            then = (side or {}).get("then")
            if then is None:
                add(f"    {name} no such step")
                continue
            add(f"    {name} no such step; then {then['file']}:{then['line']} in "
                f"{then['function']}")
            _render_side(then, add)
            continue
        add(f"    {name} {side['file']}:{side['line']} in {side['function']}")
        _render_side(side, add)
    opt = fd.get("option")
    if opt and (opt.get("a") or opt.get("b")):
        if opt.get("a") == opt.get("b"):
            note = f" ({opt['note']})" if opt.get("note") else ""
            add("    " + _wrap(f"the options behind it: {opt['a']}{note}", 96, "      "))
        else:
            add(f"    the option behind it: {opt.get('a') or '(none)'} on {pa}, "
                f"{opt.get('b') or '(none)'} on {pb}")
    add("")


def _render_side(side: dict[str, Any], add: Any) -> None:
    d = side.get("decision")
    if d:
        head = "if" if d["kind"] == "branch" else "assert"
        add(f"           {head} ({d['cond']})  {_c(d['taken'])}"
            + (f"   [{_kv(d['values'])}]" if d["values"] else ""))
    for text in side["events"][:5]:
        add("           " + _wrap(text, 90, "             "))
    more = len(side["events"]) - 5 + side.get("more_events", 0)
    if more > 0:
        add(f"           … {more} more")


def _render_differences(r: dict[str, Any], paint: Paint, add: Any) -> None:
    total = r["differences_total"]
    if not total:
        return
    what = "decisions that matter differ" if total != 1 else "decision that matters differs"
    add(paint(f"{total} {what}", "head") + " (! changes the outcome)")
    for d in r["differences"][:SHOW_DIFFERENCES]:
        mark = paint("!", "mark") if d["changes_outcome"] else " "
        add(f"  {mark} {d['index']:>3}. " + _wrap(d["text"], 92, "         "))
    if total > SHOW_DIFFERENCES:
        add(f"    … {total - SHOW_DIFFERENCES} more (--json has {len(r['differences'])}; "
            "--only FUNCTION narrows them down)")
    add("")


def _render_noise(r: dict[str, Any], paint: Paint, add: Any) -> None:
    n = r["noise"]
    pa, pb = r["profiles"]["a"], r["profiles"]["b"]
    add(paint("Cross-version noise", "head") + " (summed up, not listed step by step)")
    shifts = n["line_shifts"]
    if shifts["count"]:
        eg = "; ".join(f"{e['function']}: {e['a']} → {e['b']}" for e in shifts["examples"])
        add("    " + _wrap(f"{shifts['count']} decisions line up at other lines"
                           + (f" (e.g. {eg})" if eg else ""), 96, "      "))
    for label, p in (("a", pa), ("b", pb)):
        fns = n[f"functions_only_{label}"]
        if fns:
            add("    " + _wrap(f"functions only {p} runs: {', '.join(fns)}", 96, "      "))
    oa, ob = n["decisions_only_a"], n["decisions_only_b"]
    if oa or ob:
        top = ", ".join(list(n["only_by_function"])[:4])
        add("    " + _wrap(f"decisions only one version's code makes: {oa} in {pa}, {ob} in {pb}"
                           + (f" (most in {top})" if top else ""), 96, "      "))
    decided = n["decided_otherwise"]
    if decided:
        bits = ", ".join(f"{k} in {fn}" for fn, k in list(decided.items())[:4])
        add("    " + _wrap(f"branches decided otherwise on the way to the same facts: {bits}",
                           96, "      "))
    if n["moved"]:
        add(f"    {n['moved']} event{'s' if n['moved'] != 1 else ''} the same, in another order")
