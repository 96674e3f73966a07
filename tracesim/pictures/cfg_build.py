"""Generate tracesim/qemu/cfg.py: each modelled function's control-flow graph as data.

    python -m tracesim.pictures.cfg_build [--profile 4.2|7.2|10.0] [--check] [--spec SPEC.md]

Each profile has its own table (4.2: tracesim/qemu/cfg.py, 7.2: tracesim/qemu/v72/cfg.py,
10.0: tracesim/qemu/v100/cfg.py),
the debug information's line table for `break FUNC`, `list` and `tracesim graph --cfg`.

The successor table is the union of the stepping transitions of the QEMU spec's
Appendix A (what real QEMU did under gdb) and of what the model does on a large corpus
of command lines that reaches every error path (so paths the appendix never saw, such as
error returns, are in it too). Edge conditions come from the model's Branch events.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import shlex
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..trace import events as ev

ROOT = Path(__file__).resolve().parents[2]  # the repository
TARGET = Path(__file__).resolve().parents[1] / "qemu" / "cfg.py"
SPEC = ROOT.parent / "shared" / "spec" / "qemu-4.2-numa-board-init.md"
TARGET_72 = Path(__file__).resolve().parents[1] / "qemu" / "v72" / "cfg.py"
SPEC_72 = ROOT.parent / "shared" / "spec" / "qemu-7.2-numa-board-init.md"
TARGET_100 = Path(__file__).resolve().parents[1] / "qemu" / "v100" / "cfg.py"
SPEC_100 = ROOT.parent / "shared" / "spec" / "qemu-10.0-numa-board-init.md"

Q35 = "-machine q35 -m 1024 -smp 4 "
# Every error path of the spec (tests/test_errors.py keeps their expected messages).
ERROR_LINES = [
    "-m size=",
    "-m 17179869184T",
    "-m 17592186044416",
    "-m 1024,maxmem=512M",
    "-m 1024,slots=4,maxmem=1G",
    "-m 1024,slots=4",
    "-smp 4,sockets=1,cores=1,threads=1",
    "-smp 4,maxcpus=2",
    "-smp 2,sockets=2,cores=2,threads=1,maxcpus=2",
    "-machine none -smp 2,sockets=1,cores=1,threads=1",
    "-numa bogus,cpus=0",
    "-numa node,foo=1",
    "-numa nodeid=1",
    "-numa node,mem=12Q",
    "-numa node,cpus=x",
    "-numa node,cpus=3-1",
    "-numa node,cpus=65536",
    "-numa node,nodeid=65536",
    "-numa node -numa dist,src=0,dst=0,val=256",
    "-numa node -numa dist,src=0,val=10",
    "-numa node -numa cpu,node-id=x",
    Q35 + "-numa node,nodeid=128",
    Q35 + "-numa node,nodeid=1 -numa node,nodeid=1",
    Q35 + "-numa node,cpus=4",
    Q35 + "-numa node,cpus=0-1 -numa node,cpus=1",
    Q35 + "-numa node,mem=512M,memdev=m0",
    Q35 + "-numa node,memdev=nope",
    "-machine none -m 512 -numa node",
    "-machine microvm -numa node",
    Q35 + "-numa node -numa dist,src=128,dst=0,val=10",
    Q35 + "-numa node -numa dist,src=0,dst=200,val=20",
    Q35 + "-numa node -numa dist,src=0,dst=1,val=20",
    Q35 + "-numa node -numa node -numa dist,src=0,dst=1,val=5",
    Q35 + "-numa node -numa dist,src=0,dst=0,val=20",
    Q35 + "-numa node -numa cpu,socket-id=0",
    Q35 + "-numa node -numa cpu,node-id=3",
    Q35 + "-numa node -numa cpu,node-id=500",
    Q35 + "-numa node -numa cpu,node-id=0,socket-id=7",
    Q35 + "-numa node -numa cpu,node-id=0,die-id=0",
    Q35 + "-numa node,cpus=0 -numa node -numa cpu,node-id=1,socket-id=0",
    Q35 + "-numa node,nodeid=0,cpus=0-1 -numa node,nodeid=2,cpus=2-3",
    Q35 + "-numa node,nodeid=1 -numa node,nodeid=3",
    Q35 + "-numa node,nodeid=127",
    Q35 + "-numa node,mem=256M,cpus=0-1 -numa node,mem=512M,cpus=2-3",
    (
        "-machine q35 -m 1536 -smp 3 -numa node,cpus=0 -numa node,cpus=1 -numa node,cpus=2 "
        "-numa dist,src=0,dst=1,val=20 -numa dist,src=0,dst=2,val=30"
    ),
    (
        "-machine q35 -m 1536 -smp 3 -numa node,cpus=0 -numa node,cpus=1 -numa node,cpus=2 "
        "-numa dist,src=0,dst=1,val=20 -numa dist,src=1,dst=0,val=30 -numa dist,src=0,dst=2,val=30 "
        "-numa dist,src=1,dst=2,val=40"
    ),
    "-frobnicate",
    "-m",
    "-machine foo",
    "-smp cpus=x",
    "-smp 2,foo=1",
    "-machine q35 -smp 300",
    "-machine q35 -smp 2,maxcpus=300",
    "-machine help",
]

MACHINES = ["q35", "pc", "pc-i440fx-2.9", "pc-q35-2.10", "pc-1.3", "isapc", "microvm", "none"]
MEMS = ["", "-m 1024", "-m 1000", "-m 1G", "-m 1024,slots=4,maxmem=4G", "-m 0", "-m 1000K"]
SMPS = [
    "",
    "-smp 4",
    "-smp cpus=4",
    "-smp 4,sockets=2,cores=2,threads=1",
    "-smp 4,sockets=1,dies=2,cores=2,threads=1",
    "-smp 2,maxcpus=4",
    "-smp 8,sockets=2",
    "-smp 8,sockets=2,cores=2",
    "-smp 4,cores=2",
    "-smp sockets=2",
    "-smp 6,threads=2",
    "-smp 4,sockets=4,cores=1,threads=1,maxcpus=8",
    "-smp 1",
]
NUMAS = [
    "",
    "-numa node",
    "-numa node -numa node",
    "-numa node,cpus=0-1 -numa node,cpus=2-3",
    "-numa node,cpus=0 -numa node,cpus=1",
    "-numa node,mem=256M,cpus=0-1 -numa node,mem=768M,cpus=2-3",
    (
        "-numa node,nodeid=0 -numa node,nodeid=1 -numa cpu,node-id=0,socket-id=0 "
        "-numa cpu,node-id=1,socket-id=1"
    ),
    "-numa node,nodeid=0 -numa cpu,node-id=0,socket-id=0,core-id=0,thread-id=0",
    "-numa node,nodeid=0 -numa cpu,node-id=0,core-id=1",
    "-numa node,nodeid=0 -numa cpu,node-id=0,thread-id=0",
    "-numa node,nodeid=0 -numa cpu,node-id=0,die-id=1",
    (
        "-numa node -numa node -numa node -numa dist,src=0,dst=1,val=20 "
        "-numa dist,src=0,dst=2,val=30 -numa dist,src=1,dst=2,val=40"
    ),
    "-numa node -numa node -numa dist,src=0,dst=1,val=20 -numa dist,src=1,dst=0,val=30",
    "-numa node -numa node -numa dist,src=0,dst=0,val=10 -numa dist,src=0,dst=1,val=20",
    (
        "-object memory-backend-ram,id=m0,size=512M -object memory-backend-ram,id=m1,size=512M "
        "-numa node,memdev=m0 -numa node,memdev=m1"
    ),
    "-numa node,mem=0,cpus=0-1 -numa node,mem=0,cpus=2-3",
    "-numa node,nodeid=1 -numa node,nodeid=0",
    "-numa node,cpus=0,cpus=2 -numa node,cpus=1",
]


def corpus(fuzz: int = 1500, seed: int = 42) -> list[list[str]]:
    """Command lines in a fixed order: the teaching scenarios, every error path, a cross
    product of machines, sizes, topologies and -numa sets, and a seeded fuzz."""
    from ..scenarios import TEACHING

    lines = [args for _, args in TEACHING.values()] + list(ERROR_LINES)
    for machine, mem, smp, numa in itertools.product(MACHINES, MEMS[:4], SMPS[:5], NUMAS):
        lines.append(f"-machine {machine} {mem} {smp} {numa}")
    for mem, smp, numa in itertools.product(MEMS, SMPS, NUMAS[:5]):
        lines.append(f"-machine q35 {mem} {smp} {numa}")
    rng = random.Random(seed)
    numa_words = [w for n in NUMAS for w in re.findall(r"-(?:numa|object) \S+", n)]
    for _ in range(fuzz):
        words = [f"-machine {rng.choice(MACHINES)}", rng.choice(MEMS), rng.choice(SMPS)]
        words += rng.sample(numa_words, rng.randint(0, 6))
        lines.append(" ".join(words))
    return [shlex.split(line) for line in lines]


MEMDEV2 = ("-object memory-backend-ram,id=m0,size=512M -object memory-backend-ram,id=m1,size=512M "
           "-numa node,memdev=m0 -numa node,memdev=m1")
# 7.2's own paths: memdev= nodes, HMAT, -machine memory-backend=, the default RAM backend,
# smp's dies and clusters, the machine versions that change NUMA defaults
LINES_72 = [
    "-machine q35 -m 1024 -smp cpus=4 -object memory-backend-ram,id=m0,size=512M "
    "-object memory-backend-ram,id=m1,size=512M -numa node,memdev=m0,cpus=0-1 "
    "-numa node,memdev=m1,cpus=2-3",
    "-machine q35 -m 1024 -smp 4 -object memory-backend-ram,id=m0,size=512M "
    "-object memory-backend-ram,id=m1,size=512M -numa node,memdev=m0,cpus=0 "
    "-numa node,memdev=m1,cpus=1",
    "-machine q35 -m 1536 -smp 3 -object memory-backend-ram,id=m0,size=512M "
    "-object memory-backend-ram,id=m1,size=512M -object memory-backend-ram,id=m2,size=512M "
    "-numa node,memdev=m0,cpus=0 -numa node,memdev=m1,cpus=1 -numa node,memdev=m2,cpus=2 "
    "-numa dist,src=0,dst=1,val=20 -numa dist,src=0,dst=2,val=30 -numa dist,src=1,dst=2,val=40",
    "-machine q35,hmat=on -m 1G -smp 2 -object memory-backend-ram,id=m0,size=1G "
    "-numa node,memdev=m0,initiator=0 -numa hmat-lb,initiator=0,target=0,hierarchy=memory,"
    "data-type=access-latency,latency=10",
    "-machine q35,hmat=on -m 1G -smp 2 -object memory-backend-ram,id=m0,size=1G "
    "-numa node,memdev=m0,cpus=0-1,initiator=0 -numa hmat-lb,initiator=0,target=0,"
    "hierarchy=memory,data-type=access-latency,latency=10 -numa hmat-cache,node-id=0,size=10K,"
    "level=1,associativity=direct,policy=write-back,line=8",
    "-machine q35,hmat=on -m 1G -smp 2 -object memory-backend-ram,id=m0,size=1G "
    "-numa node,memdev=m0,cpus=0-1",
    "-machine q35 -m 1G -smp 2 -object memory-backend-ram,id=m0,size=1G "
    "-numa node,memdev=m0,cpus=0-1,initiator=0",
    "-machine q35,memory-backend=mem0 -object memory-backend-ram,id=mem0,size=1G -m 1G "
    + MEMDEV2,
    "-machine q35,memory-backend=mem0 -object memory-backend-ram,id=mem0,size=1G -m 1G",
    "-machine q35,memory-backend=mem0 -object memory-backend-ram,id=mem0,size=1G -m 2G",
    "-machine q35 -m 1G,maxmem=4G -smp 2",
    "-machine pc-q35-5.0 -m 1024 -smp 4 -numa node,mem=256M,cpus=0-1 "
    "-numa node,mem=768M,cpus=2-3",
    "-machine pc-q35-5.0 -m 1G,maxmem=4G -smp 2",
    "-machine q35 -m 1024,slots=4,maxmem=4G -smp 2",
    "-machine q35 -m 1024 -smp 4,sockets=2,cores=2,threads=1 " + MEMDEV2
    + " -numa cpu,node-id=0,socket-id=0 -numa cpu,node-id=1,socket-id=1",
    "-machine q35 -m 1G -object memory-backend-ram,id=pc.ram,size=1G",
    "-machine q35 -m 1G -smp 4,clusters=2",
    "-machine q35 -m 1G -smp 8,dies=2",
    "-machine pc-q35-6.1 -m 1G -smp 4",
    "-machine q35 -m 1G -smp 4 " + MEMDEV2,
    "-machine q35 -m 1024 -smp 4 -numa node,nodeid=0,cpus=0-1 -numa node,nodeid=2,cpus=2-3",
]


def corpus_72(fuzz: int = 500, seed: int = 42) -> list[list[str]]:
    """7.2's own lines, the memdev NUMA sets over machines and topologies, and the 4.2
    corpus (most of whose -numa lines end at 7.2's total-memory check)."""
    lines = list(LINES_72)
    for machine, mem, smp in itertools.product(MACHINES + ["pc-q35-5.0", "pc-i440fx-5.1"],
                                               ["-m 1024", "-m 1G,maxmem=4G"], SMPS[:6]):
        lines.append(f"-machine {machine} {mem} {smp} {MEMDEV2}")
    return [shlex.split(line) for line in lines] + corpus(fuzz, seed)


# 10.0's own paths: -smp 0 and the topology levels it added (drawers, books, modules; the
# "> 1 not supported" checks), the deprecated machine types, the module-id test, the
# reworded pc.ram clash and mem= checks
LINES_100 = LINES_72 + [
    "-machine q35 -m 1G -smp 0",
    "-machine q35 -m 1G -smp 4,clusters=1",
    "-machine q35 -m 1G -smp 8,modules=2",
    "-machine q35 -m 1G -smp 8,books=2",
    "-machine q35 -m 1G -smp 8,drawers=2",
    "-machine q35 -m 1G -smp 8,drawers=1,books=1,sockets=2,dies=1,clusters=1,modules=2,"
    "cores=2,threads=1",
    "-machine q35 -m 1G -smp 8,sockets=1,dies=1,modules=1,cores=4,threads=1",
    "-machine q35 -m 1G -smp 4,modules=0",
    "-machine pc-q35-4.2 -m 1024 -smp 4 " + MEMDEV2,
    "-machine pc-i440fx-2.9 -m 1024 -smp 4 -numa node,mem=512M -numa node,mem=512M",
    "-machine pc-q35-2.10 -m 1024,slots=4,maxmem=4G -smp 2",
    "-machine pc-q35-6.1 -m 1G -smp 4 " + MEMDEV2,
    "-machine q35 -m 1G -smp 4 -numa node,cpus=0-3 -numa cpu,node-id=0,module-id=0",
    "-machine q35 -m 1G -smp 4 -numa node,mem=12Q",
    "-machine q35 -m 1G,maxmem=512M -smp 2",
    "-machine pc -m 1G -object memory-backend-ram,id=pc.ram,size=1G",
]


def corpus_100(fuzz: int = 500, seed: int = 42) -> list[list[str]]:
    """10.0's own lines, the memdev NUMA sets over machines and topologies (modules too),
    and the 4.2 corpus."""
    lines = list(LINES_100)
    smps = SMPS[:6] + ["-smp 8,modules=2", "-smp 4,clusters=1"]
    for machine, mem, smp in itertools.product(MACHINES + ["pc-q35-5.0", "pc-i440fx-5.1"],
                                               ["-m 1024", "-m 1G,maxmem=4G"], smps):
        lines.append(f"-machine {machine} {mem} {smp} {MEMDEV2}")
    return [shlex.split(line) for line in lines] + corpus(fuzz, seed)


@dataclass
class FunctionObs:
    file: str = ""
    entries: set[int] = field(default_factory=set)
    edges: dict[tuple[int, int | str], set[Any]] = field(default_factory=lambda: defaultdict(set))
    parts: dict[int, dict[str, tuple[int, int]]] = field(default_factory=lambda: defaultdict(dict))
    calls: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    branch_conds: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))

    def loop_cond(self, line: int) -> str | None:
        """A loop's condition: the Branch recorded at its header line (when it ends)."""
        conds = self.branch_conds.get(line, set())
        return next(iter(conds)) if len(conds) == 1 else None


@dataclass
class _Frame:
    fn: str
    last_stop: int | None = None
    pending: Any = None  # the decision since the last stop: ("branch", cond, taken, values)
    # or ("loop", line, var); ("callee",) marks an exit in a callee


EXIT_IN_CALLEE = "exit in a callee"  # as in the generated file
_INDEX = re.compile(r"\[\d+\]")


class Collector:
    """Folds traces into per-function observations (edges, their decisions, statements)."""

    def __init__(self) -> None:
        self.functions: dict[str, FunctionObs] = defaultdict(FunctionObs)
        self.order = 0

    def _part(self, fn: str, line: int | None, text: str, priority: int) -> None:
        """Note what `line` does; a message call keeps the first text seen (texts vary)."""
        if line is None:
            return
        parts = self.functions[fn].parts[line]
        head = text.split(" (", 1)[0] + " (" if priority == 2 else text
        if not any(t.startswith(head) for t in parts):
            self.order += 1
            parts[text] = (priority, self.order)

    def add(self, events: Sequence[Any]) -> None:
        stack: list[_Frame] = []
        for e in events:
            kind = type(e)
            top = stack[-1] if stack else None
            if kind is ev.Step:
                assert top is not None
                obs = self.functions[top.fn]
                if top.last_stop is None:
                    obs.entries.add(e.line)
                    self._part(top.fn, e.line, "{", 5)
                else:
                    obs.edges[(top.last_stop, e.line)].add(top.pending)
                top.last_stop, top.pending = e.line, None
            elif kind is ev.Call:
                if top is not None and top.last_stop is not None:
                    self.functions[top.fn].calls[top.last_stop].add(e.fn)
                    self._part(top.fn, top.last_stop, f"{e.fn} (...)", 0)
                self.functions[e.fn].file = e.file
                stack.append(_Frame(e.fn))
            elif kind is ev.Return:
                assert top is not None
                if top.last_stop is not None:
                    self.functions[top.fn].edges[(top.last_stop, "return")].add(top.pending)
                    self._part(top.fn, top.last_stop, "}", 4)
                stack.pop()
            elif top is None:
                continue
            elif kind is ev.Branch:
                values = tuple(sorted((k, repr(v)) for k, v in e.values.items()))
                top.pending = ("branch", e.cond, e.taken, values)
                self.functions[top.fn].branch_conds[e.line].add(e.cond)
                self._part(top.fn, e.line, f"if ({e.cond})", 1)
            elif kind is ev.Loop:
                top.pending = ("loop", e.line, e.var)
                self._part(top.fn, e.line, f"for (... {e.var} ...)", 1)
            elif kind is ev.Assert:
                self._part(top.fn, e.line, f"assert ({e.cond})", 1)
            elif kind is ev.Report:
                call = {
                    "error": "error_report",
                    "warning": "warn_report",
                    "info": "info_report",
                    "printf": "error_printf",
                    "stdout": "printf",
                }.get(e.kind, "report")
                self._part(top.fn, top.last_stop, f'{call} ("{_clip(e.text)}")', 2)
            elif kind is ev.Fact and e.name == "error.set":
                self._part(
                    top.fn, top.last_stop, f'error_setg (errp, "{_clip(e.data["text"])}")', 2
                )
            elif kind is ev.Exit:
                for k, frame in enumerate(stack):
                    if frame.last_stop is None:
                        continue
                    obs = self.functions[frame.fn]
                    if k == len(stack) - 1:
                        obs.edges[(frame.last_stop, "exit")].add(frame.pending)
                        self._part(frame.fn, frame.last_stop, f"exit ({e.status})", 2)
                    else:
                        obs.edges[(frame.last_stop, "exit")].add(("callee",))
            elif kind is ev.Write:
                self._part(top.fn, top.last_stop, f"{_INDEX.sub('[i]', e.path)} = ...", 3)
            elif kind is ev.Local:
                self._part(top.fn, top.last_stop, f"{e.name} = ...", 3)


def _clip(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


_FLIP = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "=="}
_SIMPLE = re.compile(r"^[\w>.\[\]-]+$")  # an lvalue: `err`, `ms->numa_state->num_nodes`
_COMPARE = re.compile(r"^([\w>.\[\]*/+ -]+?) (<|>=|>|<=|==|!=) ([\w>.\[\]*/+ -]+)$")
_CALL = re.compile(r"^[\w>.-]+\([^()]*\)$")


def negate(cond: str) -> str:
    """C text for `!(cond)`, read naturally: `!err`, `i >= n`, `mc->numa_mem_supported`."""
    if cond.startswith("!") and (_SIMPLE.match(cond[1:]) or _CALL.match(cond[1:])):
        return cond[1:]
    if _SIMPLE.match(cond) or _CALL.match(cond):
        return "!" + cond
    m = _COMPARE.match(cond)
    if m and "&&" not in cond and "||" not in cond:
        return f"{m.group(1)} {_FLIP[m.group(2)]} {m.group(3)}"
    return f"!({cond})"


def edge_conditions(fn: str, obs: FunctionObs, switches: set[tuple[str, str]]) -> dict[Any, str]:
    """Each edge's condition text: the decision recorded before it ('' when none)."""
    out: dict[Any, str] = {}
    for key, labels in obs.edges.items():
        texts = set()
        for lab in labels:
            if lab is None:
                continue
            if lab[0] == "callee":
                texts.add(EXIT_IN_CALLEE)
            elif lab[0] == "loop":
                texts.add(obs.loop_cond(lab[1]) or f"next {lab[2]}")
            elif (fn, lab[1]) in switches:
                texts.add(f"{lab[1]} == {', '.join(v.strip(chr(39)) for _, v in lab[3])}")
            else:
                texts.add(lab[1] if lab[2] else negate(lab[1]))
        both = {t for t in texts if negate(t) in texts}
        texts -= both  # a decision that goes the same way either way (a dead clamp)
        out[key] = " || ".join(sorted(texts))
    return out


def find_switches(collector: Collector) -> set[tuple[str, str]]:
    """Decisions always 'taken' that still lead to different lines: a C switch."""
    succ: dict[tuple[str, str], set[Any]] = defaultdict(set)
    taken: dict[tuple[str, str], set[bool]] = defaultdict(set)
    for fn, obs in collector.functions.items():
        for (_src, dst), labels in obs.edges.items():
            for lab in labels:
                if lab and lab[0] == "branch":
                    succ[(fn, lab[1])].add(dst)
                    taken[(fn, lab[1])].add(lab[2])
    return {k for k, v in succ.items() if len(v) > 1 and taken[k] == {True}}


APPENDIX_ITEM = re.compile(r"^- `(\w+)` \(([^)]*)\), entry (\d+): (.*)$")


def appendix(spec: Path) -> dict[str, tuple[int, set[tuple[int, int]]]]:
    """fn -> (entry line, observed transitions) from the spec's Appendix A."""
    out: dict[str, tuple[int, set[tuple[int, int]]]] = {}
    if not spec.exists():
        return out
    text = spec.read_text()
    start = text.find("## Appendix A")
    for line in text[start:].splitlines()[1:]:
        if line.startswith("## "):
            break
        m = APPENDIX_ITEM.match(line)
        if not m:
            continue
        pairs: set[tuple[int, int]] = set()
        for item in m.group(4).split(";"):
            src, dsts = item.strip().split("→")
            pairs |= {(int(src), int(d)) for d in dsts.split("/")}
        out[m.group(1)] = (int(m.group(3)), pairs)
    return out


def statements(obs: FunctionObs, lines: Iterable[int]) -> dict[int, str]:
    """One short line per QEMU line: its calls, decisions and messages, else its stores."""
    out = {}
    for line in sorted(lines):
        parts = sorted(obs.parts.get(line, {}).items(), key=lambda kv: kv[1])
        texts = [t for t, (prio, _) in parts if t not in ("{", "}")]
        if any(prio <= 2 for t, (prio, _) in parts if t not in ("{", "}")):
            texts = [t for t, (prio, _) in parts if prio <= 2]
        loop = next((t for t in texts if t.startswith("for (")), None)
        cond = next((t for t in texts if t.startswith("if (")), None)
        if loop and cond:  # a loop header: its test is the decision recorded there
            texts = [f"for (...; {cond[4:-1]}; ...)"] + [t for t in texts if t not in (loop, cond)]
        if not texts:
            texts = [t for t, _ in parts][:1]
        out[line] = "; ".join(texts[:2])
    return out


def build(spec: Path = SPEC, fuzz: int = 1500, profile: str = "4.2") -> tuple[str, list[str]]:
    """The source of the profile's cfg.py, and notes on what the appendix and model differ in."""
    from ..cli import simulate_trace

    collector = Collector()
    notes: list[str] = []
    lines = {"4.2": lambda: corpus(fuzz), "7.2": corpus_72, "10.0": corpus_100}[profile]()
    for argv in lines:
        try:
            collector.add(simulate_trace(argv, profile).events)
        except Exception as err:  # a model bug must not hide the rest of the table
            notes.append(f"the model fails on {shlex.join(argv)}: {type(err).__name__} {err}")
    switches = find_switches(collector)
    observed = appendix(spec)
    functions: dict[str, tuple[str, int]] = {}
    edges: dict[str, list[tuple[int, int | str, str]]] = {}
    stmts: dict[str, dict[int, str]] = {}
    calls: dict[str, dict[int, tuple[str, ...]]] = {}
    for fn in sorted(collector.functions):
        obs = collector.functions[fn]
        if not obs.entries:
            continue  # main: no statement stops of its own
        (entry,) = obs.entries
        conds = edge_conditions(fn, obs, switches)
        table = {key: conds[key] for key in obs.edges}
        if fn in observed:
            seen_entry, pairs = observed[fn]
            if seen_entry != entry:
                notes.append(f"{fn}: appendix entry {seen_entry}, model entry {entry}")
            for pair in sorted(pairs - {k for k in table if isinstance(k[1], int)}):
                notes.append(
                    f"{fn}: appendix transition {pair[0]}->{pair[1]} not made by the model"
                )
                table[pair] = ""
        functions[fn] = (obs.file, entry)
        edges[fn] = sorted(((s, d, c) for (s, d), c in table.items()), key=_edge_key)
        lines = (
            {entry}
            | {s for s, _, _ in edges[fn]}
            | {d for _, d, _ in edges[fn] if isinstance(d, int)}
        )
        stmts[fn] = statements(obs, lines)
        calls[fn] = {line: tuple(sorted(c)) for line, c in sorted(obs.calls.items())}
    for fn in sorted(set(observed) - set(functions)):
        notes.append(f"{fn}: in the appendix, never run by the model on the corpus")
    return render(functions, edges, stmts, calls), notes


def _edge_key(edge: tuple[int, int | str, str]) -> tuple[int, int, str, str]:
    src, dst, cond = edge
    return (src, dst if isinstance(dst, int) else 1 << 30, str(dst), cond)


HEAD = '''"""Each modelled function's control-flow graph, by QEMU line: generated data.

Generated by `python -m tracesim.pictures.cfg_build` (do not edit by hand): the union of the spec's
Appendix A stepping transitions and the transitions the model makes on a corpus of command
lines that reaches every error path. An edge's condition is the C text of the decision the
model records before taking it ("" when the step is unconditional). A successor is a QEMU
line, "return" or "exit" (the process ends there, or in a callee: "exit in a callee").
"""
from __future__ import annotations

from typing import NamedTuple

Edge = tuple[int, "int | str", str]  # (line, next line | "return" | "exit", condition)
EXIT_IN_CALLEE = "exit in a callee"  # the condition of a call line's edge to "exit"

'''

TAIL = '''

class FunctionCFG(NamedTuple):
    name: str
    file: str
    entry: int
    edges: tuple[Edge, ...]
    statements: dict[int, str]  # line -> what the model does there, in C-like words
    calls: dict[int, tuple[str, ...]]  # line -> the functions called from it


def function_cfg(name: str) -> FunctionCFG | None:
    """The control-flow graph of a modelled function, or None if it has no statement stops."""
    if name not in FUNCTIONS:
        return None
    file, entry = FUNCTIONS[name]
    return FunctionCFG(name, file, entry, EDGES[name], STATEMENTS[name], CALLS.get(name, {}))
'''


def render(
    functions: dict[str, tuple[str, int]],
    edges: dict[str, list[Any]],
    stmts: dict[str, dict[int, str]],
    calls: dict[str, dict[int, tuple[str, ...]]],
) -> str:
    out = [
        HEAD,
        "# function -> (QEMU file, entry line)\nFUNCTIONS: dict[str, tuple[str, int]] = {\n",
    ]
    out += [f"    {fn!r}: {v!r},\n" for fn, v in functions.items()]
    out.append("}\n\nEDGES: dict[str, tuple[Edge, ...]] = {\n")
    for fn, items in edges.items():
        out.append(f"    {fn!r}: (\n")
        out += [f"        {e!r},\n" for e in items]
        out.append("    ),\n")
    out.append("}\n\nSTATEMENTS: dict[str, dict[int, str]] = {\n")
    for fn, lines in stmts.items():
        out.append(f"    {fn!r}: {{\n")
        out += [f"        {line}: {text!r},\n" for line, text in lines.items()]
        out.append("    },\n")
    out.append("}\n\nCALLS: dict[str, dict[int, tuple[str, ...]]] = {\n")
    for fn, called in calls.items():
        if called:
            out.append(f"    {fn!r}: {{\n")
            out += [f"        {line}: {callees!r},\n" for line, callees in called.items()]
            out.append("    },\n")
    out.append("}\n")
    out.append(TAIL)
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tracesim.pictures.cfg_build", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--profile", choices=("4.2", "7.2", "10.0"), default="4.2",
                    help="the QEMU version whose table to build")
    ap.add_argument("--check", action="store_true", help="exit 1 if the table is stale")
    ap.add_argument("--spec", type=Path, default=None, help="the QEMU spec (for Appendix A)")
    args = ap.parse_args(argv)
    target, spec = {"4.2": (TARGET, SPEC), "7.2": (TARGET_72, SPEC_72),
                    "10.0": (TARGET_100, SPEC_100)}[args.profile]
    source, notes = build(args.spec or spec, profile=args.profile)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if args.check:
        if not target.exists() or target.read_text() != source:
            print(f"{target} is stale; run 'python -m tracesim.pictures.cfg_build "
                  f"--profile {args.profile}'", file=sys.stderr)
            return 1
        return 0
    target.write_text(source)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
