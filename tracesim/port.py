"""`tracesim port`: rewrite a QEMU 4.2 NUMA command line so QEMU 7.2 builds the same layout.

The 4.2 line is simulated first; every number the port writes (node sizes, the CPU topology)
is read from that simulated run, never recomputed. The rewritten line is then simulated with
the 7.2 profile and compared with the 4.2 run: node sizes, CPU-to-node mapping, CPU topology,
distances, `info numa`, and 7.2's messages (no deprecation warning).

Exit: 0 the layout is kept, 1 it cannot be (or the line already fails on 4.2), 2 usage.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from typing import Any

from .cli import Parser, UsageError, simulate_trace, split_qemu_args
from .debugger.outcome import info_numa, summarize
from .profiles import PROFILES, known_profiles
from .qemu.cutils import ParseError, qemu_strtou64
from .qemu.machines import find_machine as find_machine_42
from .qemu.options import ALIASES, QEMU_OPTIONS
from .qemu.simulate import strip_program
from .qemu.v72.machines import MachineClass as MachineClass72
from .qemu.v72.machines import find_machine as find_machine_72
from .trace import events as ev
from .trace.fold import fold

PROGRAM = "qemu-system-x86_64"
FROM, TO = "4.2", "7.2"  # the one pair of profiles a port exists for
RESERVED_IDS = {"pc.ram"}  # 7.2's default RAM backend of PC machines
SPLIT_FUNCTIONS = ("numa_default_auto_assign_ram", "numa_legacy_auto_assign_ram")
MEM_DEPRECATION = ("Default splitting of RAM between nodes is deprecated",
                   "Parameter -numa node,mem is deprecated")
MIB = 1 << 20


class PortFailed(Exception):
    """The layout cannot be kept: the lines of the explanation, exit 1."""

    def __init__(self, *lines: str) -> None:
        super().__init__(lines[0] if lines else "")
        self.lines = list(lines)


# -- the command line as written -------------------------------------------------------------


@dataclass
class Opt:
    """One option as written (`-numa node,cpus=0`), or a bare word (arg is None, no dash)."""

    word: str
    arg: str | None = None

    @property
    def name(self) -> str:
        if not self.word.startswith("-"):
            return ""
        bare = self.word[2:] if self.word.startswith("--") else self.word[1:]
        return ALIASES.get(bare, bare)

    def words(self) -> list[str]:
        return [self.word] if self.arg is None else [self.word, self.arg]

    def text(self) -> str:
        return shlex.join(self.words())


def tokenize(argv: list[str]) -> list[Opt]:
    """vl.c's split of argv into options (the 4.2 run has already accepted every word)."""
    out: list[Opt] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        opt = Opt(word)
        if QEMU_OPTIONS.get(opt.name) and i + 1 < len(argv):
            opt.arg = argv[i + 1]
            i += 1
        out.append(opt)
        i += 1
    return out


def flatten(opts: list[Opt]) -> list[str]:
    return [w for o in opts for w in o.words()]


def segments(arg: str) -> list[str]:
    """An option argument cut at single commas (`,,` is an escaped comma and stays)."""
    out: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(arg):
        if arg[i] == ",":
            if arg[i + 1 : i + 2] == ",":
                cur.append(",,")
                i += 2
                continue
            out.append("".join(cur))
            cur = []
        else:
            cur.append(arg[i])
        i += 1
    out.append("".join(cur))
    return out


def seg_key(seg: str, first: bool, implied: str) -> str:
    """QemuOpts' reading of a segment: `key=value`, the implied key first, else a flag."""
    if "=" in seg:
        return seg.split("=", 1)[0]
    return implied if first else seg


def seg_value(seg: str) -> str:
    return seg.split("=", 1)[1].replace(",,", ",") if "=" in seg else seg


def params(opt: Opt, implied: str) -> list[tuple[str, str]]:
    if opt.arg is None:
        return []
    segs = segments(opt.arg)
    return [(seg_key(s, i == 0, implied), seg_value(s)) for i, s in enumerate(segs)]


def get(opt: Opt, key: str, implied: str) -> str | None:
    """The last value of KEY (QemuOpts: the last occurrence wins)."""
    found = [v for k, v in params(opt, implied) if k == key]
    return found[-1] if found else None


def set_segment(arg: str, key: str, implied: str, new: str | None) -> str:
    """Replace every KEY segment by NEW (or drop it when NEW is None)."""
    segs = segments(arg)
    out = []
    for i, s in enumerate(segs):
        if seg_key(s, i == 0, implied) == key:
            if new is not None:
                out.append(new if "=" in s or key != implied else new.split("=", 1)[1])
        else:
            out.append(s)
    return ",".join(out)


def numa_type(opt: Opt) -> str | None:
    return get(opt, "type", "type") if opt.name == "numa" else None


def used_ids(opts: list[Opt]) -> set[str]:
    """Every id (and memdev reference) already on the line, so new ids never clash."""
    ids: set[str] = set(RESERVED_IDS)
    for opt in opts:
        for key, value in params(opt, "") if opt.arg and opt.name else []:
            if key in ("id", "memdev"):
                ids.add(value)
    return ids


def fresh_id(taken: set[str], stem: str = "ram") -> str:
    n = 0
    while f"{stem}{n}" in taken:
        n += 1
    taken.add(f"{stem}{n}")
    return f"{stem}{n}"


def size_text(size: int) -> str:
    return f"{size // MIB}M" if size % MIB == 0 else str(size)


# -- simulated runs --------------------------------------------------------------------------


@dataclass
class Run:
    """One simulated run and what the comparison reads from it."""

    args: list[str]
    profile: str
    summary: dict[str, Any]
    info: str
    calls: set[str]

    @property
    def ok(self) -> bool:
        return self.summary["exit_status"] == 0

    @property
    def stderr_lines(self) -> list[str]:
        return self.summary["stderr"].splitlines()


def simulate(args: list[str], profile: str) -> Run:
    trace = simulate_trace(args, profile)
    state = fold(trace.events)
    calls = {e.fn for e in trace.events if type(e) is ev.Call}
    return Run(args, profile, summarize(trace, state), info_numa(state), calls)


def same_topology(a: Run, b: Run) -> bool:
    """The same -smp numbers and, where possible CPUs were listed, the same ids."""
    ta, tb = topology(a), topology(b)
    return a.summary["smp"] == b.summary["smp"] and (ta == tb or not ta or not tb)


def topology(run: Run) -> list[tuple[int, int, int]]:
    return [(c["socket_id"], c["core_id"], c["thread_id"]) for c in run.summary["cpus"]]


def sockets(run: Run) -> int:
    smp = run.summary["smp"]
    per_socket = max(1, (smp["dies"] or 1) * (smp["cores"] or 1) * (smp["threads"] or 1))
    return -(-smp["max_cpus"] // per_socket)  # 4.2 numbers CPUs past a short last socket


# -- the rewrites ----------------------------------------------------------------------------


@dataclass
class Port:
    """The line being rewritten and one note per rewrite (what changed, and why)."""

    opts: list[Opt]
    keep_machine: bool
    notes: list[str] = field(default_factory=list)

    def note(self, before: str, after: str, why: str) -> None:
        self.notes.append(f"tracesim port: {before} -> {after}: {why}")


def target_machine(name42: str, keep: bool) -> str:
    """The 7.2 machine type of the 4.2 one: its family's 7.2 version, or itself if kept."""
    if keep:
        return name42
    mc = find_machine_42(name42)
    family = mc.family if mc else None
    if family == "pc_q35":
        return "pc-q35-7.2"
    if family == "pc_piix":
        return "pc-i440fx-7.2"
    return name42


def port_machine(port: Port, run42: Run) -> MachineClass72:
    name42 = run42.summary["machine"]
    target = target_machine(name42, port.keep_machine)
    mc = find_machine_72(target)
    if mc is None:
        raise PortFailed(f"tracesim port: QEMU 7.2 has no machine type {target} "
                         f"(the 4.2 line runs on {name42})")
    machines = [o for o in port.opts if o.name == "machine" and o.arg is not None]
    typed = [o for o in machines if get(o, "type", "type") is not None]
    why = (f"{name42} is kept (--keep-machine); the line must name it, as 7.2 reads "
           "aliases and the default as its own 7.2 types" if port.keep_machine
           else f"4.2 ran {name42}; the 7.2 machine of the same family is {target} "
           "(--keep-machine keeps the old one)")
    if not typed:
        new = Opt("-machine", target if not machines else f"{target},{machines[0].arg}")
        at = port.opts.index(machines[0]) if machines else 0
        if machines:
            port.opts[at] = new
        else:
            port.opts.insert(0, new)
        before = machines[0].text() if machines else "(no -machine: 4.2's default)"
        port.note(before, new.text(), why)
        return mc
    for opt in typed:
        if get(opt, "type", "type") != target:
            before = opt.text()
            opt.arg = set_segment(opt.arg or "", "type", "type", f"type={target}")
            port.note(before, opt.text(), why)
    return mc


def rename_reserved(port: Port) -> None:
    """7.2 keeps `pc.ram` for its default RAM backend (create_default_memdev)."""
    objects = [o for o in port.opts if o.name == "object" and get(o, "id", "qom-type") == "pc.ram"]
    if not objects:
        return
    new_id = fresh_id(used_ids(port.opts), "pc-ram")
    for opt in port.opts:
        for key in ("id", "memdev"):
            implied = "qom-type" if opt.name == "object" else "type"
            if opt.arg and opt.name and get(opt, key, implied) == "pc.ram":
                before = opt.text()
                opt.arg = set_segment(opt.arg, key, implied, f"{key}={new_id}")
                port.note(before, opt.text(), "7.2 reserves the id 'pc.ram' for the default "
                          "RAM backend of PC machines (create_default_memdev)")


def node_options(opts: list[Opt]) -> list[tuple[int, Opt]]:
    """Each `-numa node` with the node id 4.2's parse_numa_node gave it."""
    out: list[tuple[int, Opt]] = []
    for opt in opts:
        if numa_type(opt) != "node":
            continue
        raw = get(opt, "nodeid", "type")
        try:
            nid = qemu_strtou64(raw) if raw is not None else len(out)
        except ParseError:
            nid = len(out)
        out.append((nid, opt))
    return out


def memory_reason(run42: Run, mc: MachineClass72, had_mem: bool, ram_size: int) -> str:
    if not had_mem:
        split = next((f for f in SPLIT_FUNCTIONS if f in run42.calls), SPLIT_FUNCTIONS[0])
        return (f"4.2 split the RAM itself ({split}, with a deprecation warning); 7.2 has no "
                "automatic split, so numa_complete_configuration would fail with 'total "
                f"memory for NUMA nodes (0x0) should equal RAM size ({ram_size:#x})'")
    if not mc.numa_mem_supported:
        return (f"7.2's parse_numa_node refuses -numa node,mem on {mc.name} (5.1+ machine "
                "types): 'Parameter -numa node,mem is not supported by this machine type'")
    return (f"7.2 still takes -numa node,mem on {mc.name} (up to 5.0) but warns that it is "
            "deprecated; memdev gives the same size without a warning")


def port_memory(port: Port, run42: Run, mc: MachineClass72) -> None:
    """Give every node the size 4.2 gave it, as a memory-backend-ram object of its own."""
    nodes = run42.summary["numa"]["nodes"]
    taken = used_ids(port.opts)
    objects: list[Opt] = []
    ram_size = run42.summary["ram_size"]
    for nid, opt in sorted(node_options(port.opts), key=lambda n: n[0]):
        if get(opt, "memdev", "type") is not None or nid >= len(nodes):
            continue  # already a backend (7.2 reads it as 4.2 did)
        had_mem = get(opt, "mem", "type") is not None
        size = nodes[nid]["mem"]
        before = opt.text()
        if size == 0:
            if not had_mem:
                continue
            opt.arg = set_segment(opt.arg or "", "mem", "type", None)  # a node without RAM
            port.note(before, opt.text(), "4.2 gave this node no RAM; 7.2 takes a node "
                      "without memory as such, and refuses or deprecates mem=")
            continue
        ram_id = fresh_id(taken)
        obj = Opt("-object", f"memory-backend-ram,id={ram_id},size={size_text(size)}")
        objects.append(obj)
        memdev = f"memdev={ram_id}"
        if had_mem:
            opt.arg = set_segment(opt.arg or "", "mem", "type", memdev)
        else:
            opt.arg = f"{opt.arg},{memdev}" if opt.arg else f"node,{memdev}"
        why = memory_reason(run42, mc, had_mem, ram_size)
        port.note(before, f"{opt.text()} with {obj.text()}", why)
    if objects:
        first = next(i for i, o in enumerate(port.opts) if o.name == "numa")
        port.opts[first:first] = objects  # the backends before the -numa options


def smp_spelled(run42: Run) -> str:
    """4.2's topology in full, so no parser can read it differently."""
    smp = run42.summary["smp"]
    parts = [str(smp["cpus"]), f"sockets={sockets(run42)}"]
    if (smp["dies"] or 1) != 1:
        parts.append(f"dies={smp['dies']}")
    parts += [f"cores={smp['cores']}", f"threads={smp['threads']}"]
    if smp["max_cpus"] != smp["cpus"]:
        parts.append(f"maxcpus={smp['max_cpus']}")
    return ",".join(parts)


def smp_warnings(run: Run) -> list[str]:
    return [line for line in run.stderr_lines if "CPU topology" in line]


def smp_reason(run42: Run, trial: Run, mc: MachineClass72, opts: list[Opt]) -> str:
    keys = {k for o in opts if o.name == "smp" for k, _ in params(o, "cpus")}
    if not trial.ok:
        return ("7.2's machine_parse_smp_config does not take it as 4.2's pc_smp_parse did: "
                + (trial.stderr_lines[-1] if trial.stderr_lines else "it fails"))
    if smp_warnings(trial) and same_topology(run42, trial):
        return "7.2's machine_parse_smp_config warns: " + smp_warnings(trial)[0]
    moved = [c["index"] for c, d in zip(run42.summary["cpus"], trial.summary["cpus"])
             if c["node_id"] != d["node_id"]]
    if moved:
        effect = f"CPU(s) {', '.join(map(str, moved))} would change node"
    elif run42.summary["numa"]["num_nodes"]:
        effect = ("the CPUs keep their nodes, but their socket/core ids (in the 'CPU(s) not "
                  "present' warning and hotpluggable-cpus) would change")
    else:
        effect = "the guest would see another topology"
    if "sockets" not in keys and "cores" not in keys and not mc.smp_props.prefer_sockets:
        n = trial.summary["smp"]["max_cpus"]
        return (f"on {mc.name} (6.2+ machine types) -smp {n} means {n} cores in one socket, "
                f"4.2 made {sockets(run42)} sockets, and the default CPU-to-node mapping "
                "follows sockets (x86_get_default_cpu_node_id: socket-id % nodes); " + effect)
    return "7.2 derives another topology from it than 4.2 did; " + effect


def port_smp(port: Port, run42: Run, mc: MachineClass72) -> None:
    """Spell the 4.2 topology out when 7.2 would read the -smp option differently."""
    trial = simulate(flatten(port.opts), TO)
    if trial.ok and same_topology(run42, trial) and not smp_warnings(trial):
        return
    spelled = smp_spelled(run42)
    smps = [o for o in port.opts if o.name == "smp"]
    why = smp_reason(run42, trial, mc, port.opts)
    if smps:
        before = " ".join(o.text() for o in smps)
        smps[0].arg = spelled
        port.opts = [o for o in port.opts if o.name != "smp" or o is smps[0]]
    else:
        before = "(no -smp)"
        port.opts.insert(1, Opt("-smp", spelled))
    port.note(before, shlex.join(["-smp", spelled]), why)


# -- the comparison --------------------------------------------------------------------------


def allowed_warnings(run42: Run) -> set[str]:
    """What 7.2 may print: 4.2's own messages less the RAM deprecations the port removes."""
    return {line for line in run42.stderr_lines if not any(d in line for d in MEM_DEPRECATION)}


def differences(run42: Run, run72: Run) -> list[str]:
    a, b = run42.summary, run72.summary
    out: list[str] = []
    na, nb = a["numa"]["nodes"], b["numa"]["nodes"]
    if len(na) != len(nb):
        out.append(f"4.2 has {len(na)} NUMA node(s), 7.2 would have {len(nb)}")
        if not na and run72.summary["maxram_size"] > run72.summary["ram_size"]:
            out.append(f"({run72.summary['machine']} makes a node for maxmem > RAM size, "
                       "auto_enable_numa_with_memdev, from 5.1 on; --keep-machine keeps "
                       f"{a['machine']})")
    for x, y in zip(na, nb):
        if x["mem"] != y["mem"]:
            out.append(f"node {x['id']}: {x['mem']} bytes on 4.2, {y['mem']} on 7.2")
    if a["numa"]["have_numa_distance"] and [n["distance"] for n in na] != \
            [n["distance"] for n in nb]:
        out.append("the distance tables differ")
    if not same_topology(run42, run72):
        out.append("the CPU topology (-smp numbers or socket/core/thread ids) differs")
    nodes_a = [c["node_id"] for c in a["cpus"]]
    nodes_b = [c["node_id"] for c in b["cpus"]]
    if nodes_a != nodes_b:
        out.append(f"CPU nodes: {nodes_a} on 4.2, {nodes_b} on 7.2")
    if a["ram_size"] != b["ram_size"]:
        out.append(f"RAM size: {a['ram_size']} on 4.2, {b['ram_size']} on 7.2")
    if not out and run42.info != run72.info:
        out.append("`info numa` differs")
    allowed = allowed_warnings(run42)
    for line in run72.stderr_lines:
        if "deprecated" in line.lower() or line not in allowed:
            out.append(f"7.2 prints: {line}")
    return out


def check(run42: Run, run72: Run, line: str) -> None:
    if not run72.ok:
        raise PortFailed("tracesim port: the ported line fails on QEMU 7.2 "
                         f"(exit {run72.summary['exit_status']}):",
                         *[f"  {m}" for m in run72.stderr_lines], f"  tried: {line}")
    diffs = differences(run42, run72)
    if diffs:
        raise PortFailed("tracesim port: QEMU 7.2 would not keep the 4.2 layout:",
                         *[f"  {d}" for d in diffs], f"  tried: {line}")


# -- the command ------------------------------------------------------------------------------


def port_line(args: list[str], keep_machine: bool = False) -> tuple[list[str], list[str]]:
    """The 7.2 line (without the program name) and the rewrite notes; PortFailed if none."""
    run42 = simulate(args, FROM)
    if not run42.ok:
        errors = [m for m in run42.stderr_lines if ": warning: " not in m] or run42.stderr_lines
        raise PortFailed(f"tracesim port: the line already fails on QEMU 4.2 "
                         f"(exit {run42.summary['exit_status']}):", *[f"  {m}" for m in errors])
    if run42.summary["machine"] is None:
        raise PortFailed("tracesim port: QEMU 4.2 builds no machine for this line "
                         "(a help request?): nothing to port")
    port = Port(tokenize(args), keep_machine)
    mc = port_machine(port, run42)
    rename_reserved(port)
    port_memory(port, run42, mc)
    port_smp(port, run42, mc)
    out = flatten(port.opts)
    check(run42, simulate(out, TO), shlex.join([PROGRAM, *out]))
    return out, port.notes


def check_profiles(source: str, target: str) -> None:
    for flag, value in (("--from", source), ("--to", target)):
        if value not in PROFILES:
            raise UsageError(f"tracesim port: unknown profile '{value}' for {flag} "
                             f"(profiles: {known_profiles()})")
    if (source, target) != (FROM, TO):
        raise UsageError(f"tracesim port: only --from {FROM} --to {TO} is supported")


def cmd_port(argv: list[str]) -> int:
    p = Parser(
        prog="tracesim port",
        description=f"Rewrite a QEMU {FROM} command line for QEMU {TO} with the same NUMA "
        "layout (node sizes, CPU-to-node mapping, distances) and no deprecation warning. "
        "The line goes to stdout, one line per rewrite with its reason to stderr.",
        usage="tracesim port [--from 4.2] [--to 7.2] [--keep-machine] -- QEMU_ARGS...",
    )
    p.add_argument("--from", dest="source", default=FROM, help="the QEMU version it ran on")
    p.add_argument("--to", dest="target", default=TO, help="the QEMU version to run it on")
    p.add_argument("--keep-machine", action="store_true",
                   help="keep the 4.2 machine type (pc-q35-4.2, ...) instead of its 7.2 one")
    ours, qemu_args = split_qemu_args(
        argv, {"--from", "--to"}, {"-h", "--help", "--keep-machine"}
    )
    args = p.parse_args(ours)
    check_profiles(args.source, args.target)
    qemu_args = strip_program(qemu_args)
    if not qemu_args:
        raise UsageError("tracesim port: give the QEMU command line after --")
    try:
        line, notes = port_line(qemu_args, args.keep_machine)
    except PortFailed as failed:
        sys.stderr.write("".join(f"{m}\n" for m in failed.lines))
        return 1
    sys.stderr.write("".join(f"{n}\n" for n in notes))
    sys.stdout.write(shlex.join([PROGRAM, *line]) + "\n")
    return 0
