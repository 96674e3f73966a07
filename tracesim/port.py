"""`tracesim port`: rewrite a QEMU NUMA command line so a newer QEMU builds the same layout.

Every forward pair of profiles: 4.2 -> 7.2, 4.2 -> 10.0 and 7.2 -> 10.0. The line is simulated
on the source profile first; every number the port writes (node sizes, the CPU topology) is read
from that simulated run, never recomputed. The rewritten line is then simulated with the target
profile and compared with the source run: node sizes, CPU-to-node mapping, CPU topology,
distances, `info numa`, and the target's messages (no deprecation warning of any kind, 10.0's
machine-type deprecation included).

Exit: 0 the layout is kept, 1 it cannot be (or the line already fails on the source), 2 usage.
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
from .qemu.v100.machines import MACHINES as MACHINES_100
from .qemu.v100.machines import MachineClass as MachineClass100
from .qemu.v100.machines import find_machine as find_machine_100
from .qemu.v72.machines import MachineClass as MachineClass72
from .qemu.v72.machines import find_machine as find_machine_72
from .trace import events as ev
from .trace.fold import fold

PROGRAM = "qemu-system-x86_64"
FROM, TO = "4.2", "7.2"  # the defaults: the first pair of profiles a port existed for
PAIRS = (("4.2", "7.2"), ("4.2", "10.0"), ("7.2", "10.0"))  # every forward pair
FIND_MACHINE = {"4.2": find_machine_42, "7.2": find_machine_72, "10.0": find_machine_100}
SMP_PARSER = {"4.2": "pc_smp_parse", "7.2": "machine_parse_smp_config",
              "10.0": "machine_parse_smp_config"}
RESERVED_IDS = {"pc.ram"}  # 7.2's and 10.0's default RAM backend of PC machines
SPLIT_FUNCTIONS = ("numa_default_auto_assign_ram", "numa_legacy_auto_assign_ram")
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
    """vl.c's split of argv into options (the source run has already accepted every word)."""
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
    source: str = FROM
    target: str = TO
    notes: list[str] = field(default_factory=list)

    def note(self, before: str, after: str, why: str) -> None:
        self.notes.append(f"tracesim port: {before} -> {after}: {why}")


FAMILY_PREFIX = {"pc_q35": "pc-q35-", "pc_piix": "pc-i440fx-"}


def family_of(name: str, profile: str) -> str | None:
    mc = FIND_MACHINE[profile](name)
    return mc.family if mc else None


def target_machine(name42: str, keep: bool, source: str = FROM, target: str = TO) -> str:
    """The target machine type of the source one: its family's target version, or itself if
    kept."""
    if keep:
        return name42
    prefix = FAMILY_PREFIX.get(family_of(name42, source) or "")
    return f"{prefix}{target}" if prefix else name42


def oldest_supported(family: str | None, target: str) -> str | None:
    """The oldest version of FAMILY the target runs without a deprecation warning."""
    if target != "10.0" or family not in FAMILY_PREFIX:
        return None
    prefix = FAMILY_PREFIX[family]
    ok = [m.name for m in MACHINES_100 if m.family == family and not m.deprecation_reason]
    return min(ok, key=lambda n: tuple(int(p) for p in n.removeprefix(prefix).split(".")),
               default=None)


def deprecation(mc: MachineClass72 | MachineClass100 | None) -> str | None:
    """The warning the target prints for a machine type, if it deprecates it (10.0)."""
    reason = getattr(mc, "deprecation_reason", None)
    if mc is None or reason is None:
        return None
    return f"Machine type '{mc.name}' is deprecated: {reason}"


def cannot_keep(port: Port, name: str, warning: str) -> PortFailed:
    family = family_of(name, port.target)
    newest = target_machine(name, False, port.target, port.target)
    oldest = oldest_supported(family, port.target)
    lines = [f"tracesim port: --keep-machine cannot keep {name} on QEMU {port.target} without "
             f"a deprecation warning: {port.target} prints first '{PROGRAM}: warning: "
             f"{warning}'"]
    if newest != name:
        lines.append(f"  without --keep-machine the port moves the line to {newest}, the "
                     f"{port.target} machine of the same family")
    if oldest and oldest != newest:
        lines.append(f"  {oldest} is the oldest {port.target} does not deprecate; the port does "
                     "not pick it for you: it is a different machine version too (another "
                     "guest ABI), and the next to be deprecated")
    return PortFailed(*lines)


def machine_reason(port: Port, name: str, target: str) -> str:
    s, t = port.source, port.target
    if port.keep_machine:
        return (f"{name} is kept (--keep-machine); the line must name it, as {t} reads "
                f"aliases and the default as its own {t} types")
    why = f"{s} ran {name}; the {t} machine of the same family is {target} "
    if (s, t) == (FROM, TO):
        return why + "(--keep-machine keeps the old one)"
    warning = deprecation(FIND_MACHINE[t](name))
    if warning:
        alias = getattr(FIND_MACHINE[t](target), "alias", None)
        means = f" (what {alias} means on {t})" if alias else ""
        oldest = oldest_supported(family_of(name, t), t)
        older = (f", rather than {oldest}, the oldest one {t} does not deprecate: either is a "
                 "new guest ABI, and the newest stays supported longest" if oldest else "")
        return (f"{s} ran {name}, which {t} deprecates ('{warning}'); the port moves to "
                f"{target}, the {t} machine of the same family{means}{older} (--keep-machine "
                f"refuses: {t} cannot run {name} without the warning)")
    return why + f"(--keep-machine keeps the old one, which {t} runs without a warning)"


def port_machine(port: Port, run42: Run) -> MachineClass72:
    name42 = run42.summary["machine"]
    target = target_machine(name42, port.keep_machine, port.source, port.target)
    mc = FIND_MACHINE[port.target](target)
    if mc is None:
        raise PortFailed(f"tracesim port: QEMU {port.target} has no machine type {target} "
                         f"(the {port.source} line runs on {name42})")
    warning = deprecation(mc)
    if warning:
        raise cannot_keep(port, target, warning)
    machines = [o for o in port.opts if o.name == "machine" and o.arg is not None]
    typed = [o for o in machines if get(o, "type", "type") is not None]
    why = machine_reason(port, name42, target)
    if not typed:
        new = Opt("-machine", target if not machines else f"{target},{machines[0].arg}")
        at = port.opts.index(machines[0]) if machines else 0
        if machines:
            port.opts[at] = new
        else:
            port.opts.insert(0, new)
        before = machines[0].text() if machines else f"(no -machine: {port.source}'s default)"
        port.note(before, new.text(), why)
        return mc
    for opt in typed:
        if get(opt, "type", "type") != target:
            before = opt.text()
            opt.arg = set_segment(opt.arg or "", "type", "type", f"type={target}")
            port.note(before, opt.text(), why)
    return mc


def rename_reserved(port: Port) -> None:
    """7.2 and 10.0 keep `pc.ram` for their default RAM backend (create_default_memdev)."""
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
                port.note(before, opt.text(), f"{port.target} reserves the id 'pc.ram' for "
                          "the default RAM backend of PC machines (create_default_memdev)")


def node_options(opts: list[Opt]) -> list[tuple[int, Opt]]:
    """Each `-numa node` with the node id the source's parse_numa_node gave it."""
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


def memory_reason(run42: Run, mc: MachineClass72, had_mem: bool, ram_size: int,
                  target: str = TO) -> str:
    s, t = run42.profile, target
    if not had_mem:
        split = next((f for f in SPLIT_FUNCTIONS if f in run42.calls), None)
        if split is None and s != FROM:
            return (f"{s} gave this node RAM without mem= or memdev=; {t} would not: the "
                    "memdev gives the node the same size")
        split = split or SPLIT_FUNCTIONS[0]
        return (f"{s} split the RAM itself ({split}, with a deprecation warning); {t} has no "
                "automatic split, so numa_complete_configuration would fail with 'total "
                f"memory for NUMA nodes (0x0) should equal RAM size ({ram_size:#x})'")
    if not mc.numa_mem_supported:
        return (f"{t}'s parse_numa_node refuses -numa node,mem on {mc.name} (5.1+ machine "
                "types): 'Parameter -numa node,mem is not supported by this machine type'")
    return (f"{t} still takes -numa node,mem on {mc.name} (up to 5.0) but warns that it is "
            "deprecated; memdev gives the same size without a warning")


def port_memory(port: Port, run42: Run, mc: MachineClass72) -> None:
    """Give every node the size the source gave it, as a memory-backend-ram object of its own."""
    nodes = run42.summary["numa"]["nodes"]
    taken = used_ids(port.opts)
    objects: list[Opt] = []
    ram_size = run42.summary["ram_size"]
    for nid, opt in sorted(node_options(port.opts), key=lambda n: n[0]):
        if get(opt, "memdev", "type") is not None or nid >= len(nodes):
            continue  # already a backend (the target reads it as the source did)
        had_mem = get(opt, "mem", "type") is not None
        size = nodes[nid]["mem"]
        before = opt.text()
        if size == 0:
            if not had_mem:
                continue
            opt.arg = set_segment(opt.arg or "", "mem", "type", None)  # a node without RAM
            port.note(before, opt.text(), f"{port.source} gave this node no RAM; "
                      f"{port.target} takes a node without memory as such, and refuses or "
                      "deprecates mem=")
            continue
        ram_id = fresh_id(taken)
        obj = Opt("-object", f"memory-backend-ram,id={ram_id},size={size_text(size)}")
        objects.append(obj)
        memdev = f"memdev={ram_id}"
        if had_mem:
            opt.arg = set_segment(opt.arg or "", "mem", "type", memdev)
        else:
            opt.arg = f"{opt.arg},{memdev}" if opt.arg else f"node,{memdev}"
        why = memory_reason(run42, mc, had_mem, ram_size, port.target)
        port.note(before, f"{opt.text()} with {obj.text()}", why)
    if objects:
        first = next(i for i, o in enumerate(port.opts) if o.name == "numa")
        port.opts[first:first] = objects  # the backends before the -numa options


def smp_spelled(run42: Run) -> str:
    """The source's topology in full, so no parser can read it differently."""
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


def zero_members(run: Run) -> list[str]:
    """7.2's warning for a zero -smp member, which it read as not given."""
    return [line for line in run.stderr_lines if "Deprecated CPU topology" in line]


def smp_reason(run42: Run, trial: Run, mc: MachineClass72, opts: list[Opt]) -> str:
    keys = {k for o in opts if o.name == "smp" for k, _ in params(o, "cpus")}
    s, t = run42.profile, trial.profile
    if not trial.ok and zero_members(run42):
        warned = zero_members(run42)[0].split(": warning: ", 1)[-1]
        error = trial.stderr_lines[-1].split(": ", 1)[-1] if trial.stderr_lines else "it fails"
        return (f"{s} warned '{warned}' and read a zero member as not given; {t}'s "
                f"machine_parse_smp_config refuses it: '{error}'; the values {s} used, spelled "
                "out")
    if not trial.ok:
        return (f"{t}'s machine_parse_smp_config does not take it as {s}'s {SMP_PARSER[s]} did: "
                + (trial.stderr_lines[-1] if trial.stderr_lines else "it fails"))
    if smp_warnings(trial) and same_topology(run42, trial):
        return f"{t}'s machine_parse_smp_config warns: " + smp_warnings(trial)[0]
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
                f"{s} made {sockets(run42)} sockets, and the default CPU-to-node mapping "
                "follows sockets (x86_get_default_cpu_node_id: socket-id % nodes); " + effect)
    return f"{t} derives another topology from it than {s} did; " + effect


def port_smp(port: Port, run42: Run, mc: MachineClass72) -> None:
    """Spell the source topology out when the target would read the -smp option differently."""
    trial = simulate(flatten(port.opts), port.target)
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
    """What the target may print: the source's own messages less the deprecations the port
    removes (RAM given by mem= or split by QEMU, 7.2's zero -smp member)."""
    return {line for line in run42.stderr_lines if "deprecated" not in line.lower()}


def keep_hint(run42: Run, run72: Run) -> str:
    machine = run42.summary["machine"]
    warning = deprecation(FIND_MACHINE[run72.profile](machine))
    if not warning:
        return f"--keep-machine keeps {machine}"
    return (f"{run72.profile} deprecates {machine} and every machine type it does not "
            f"deprecate is 5.1+, so no {run72.profile} machine type keeps this layout without "
            "a warning")


def differences(run42: Run, run72: Run) -> list[str]:
    a, b = run42.summary, run72.summary
    s, t = run42.profile, run72.profile
    out: list[str] = []
    na, nb = a["numa"]["nodes"], b["numa"]["nodes"]
    if len(na) != len(nb):
        out.append(f"{s} has {len(na)} NUMA node(s), {t} would have {len(nb)}")
        if not na and run72.summary["maxram_size"] > run72.summary["ram_size"]:
            out.append(f"({run72.summary['machine']} makes a node for maxmem > RAM size, "
                       "auto_enable_numa_with_memdev, from 5.1 on; "
                       f"{keep_hint(run42, run72)})")
    for x, y in zip(na, nb):
        if x["mem"] != y["mem"]:
            out.append(f"node {x['id']}: {x['mem']} bytes on {s}, {y['mem']} on {t}")
    if a["numa"]["have_numa_distance"] and [n["distance"] for n in na] != \
            [n["distance"] for n in nb]:
        out.append("the distance tables differ")
    if not same_topology(run42, run72):
        out.append("the CPU topology (-smp numbers or socket/core/thread ids) differs")
    nodes_a = [c["node_id"] for c in a["cpus"]]
    nodes_b = [c["node_id"] for c in b["cpus"]]
    if nodes_a != nodes_b:
        out.append(f"CPU nodes: {nodes_a} on {s}, {nodes_b} on {t}")
    if a["ram_size"] != b["ram_size"]:
        out.append(f"RAM size: {a['ram_size']} on {s}, {b['ram_size']} on {t}")
    if not out and run42.info != run72.info:
        out.append("`info numa` differs")
    allowed = allowed_warnings(run42)
    for line in run72.stderr_lines:
        if "deprecated" in line.lower() or line not in allowed:
            out.append(f"{t} prints: {line}")
    return out


def check(run42: Run, run72: Run, line: str) -> None:
    s, t = run42.profile, run72.profile
    if not run72.ok:
        raise PortFailed(f"tracesim port: the ported line fails on QEMU {t} "
                         f"(exit {run72.summary['exit_status']}):",
                         *[f"  {m}" for m in run72.stderr_lines], f"  tried: {line}")
    diffs = differences(run42, run72)
    if diffs:
        raise PortFailed(f"tracesim port: QEMU {t} would not keep the {s} layout:",
                         *[f"  {d}" for d in diffs], f"  tried: {line}")


# -- the command ------------------------------------------------------------------------------


def port_line(args: list[str], keep_machine: bool = False, source: str = FROM,
              target: str = TO) -> tuple[list[str], list[str]]:
    """The target line (without the program name) and the rewrite notes; PortFailed if none."""
    run42 = simulate(args, source)
    if not run42.ok:
        errors = [m for m in run42.stderr_lines if ": warning: " not in m] or run42.stderr_lines
        raise PortFailed(f"tracesim port: the line already fails on QEMU {source} "
                         f"(exit {run42.summary['exit_status']}):", *[f"  {m}" for m in errors])
    if run42.summary["machine"] is None:
        raise PortFailed(f"tracesim port: QEMU {source} builds no machine for this line "
                         "(a help request?): nothing to port")
    port = Port(tokenize(args), keep_machine, source, target)
    mc = port_machine(port, run42)
    rename_reserved(port)
    port_memory(port, run42, mc)
    port_smp(port, run42, mc)
    out = flatten(port.opts)
    check(run42, simulate(out, target), shlex.join([PROGRAM, *out]))
    return out, port.notes


def default_target(source: str) -> str:
    """--to when not given: the profile after --from (7.2 after 4.2, 10.0 after 7.2)."""
    later = [t for s, t in PAIRS if s == source]
    return later[0] if later else TO


def check_profiles(source: str, target: str) -> None:
    for flag, value in (("--from", source), ("--to", target)):
        if value not in PROFILES:
            raise UsageError(f"tracesim port: unknown profile '{value}' for {flag} "
                             f"(profiles: {known_profiles()})")
    if (source, target) not in PAIRS:
        pairs = [f"--from {s} --to {t}" for s, t in PAIRS]
        raise UsageError(f"tracesim port: only {', '.join(pairs[:-1])} or {pairs[-1]} is "
                         "supported (a port goes to a newer QEMU)")


def cmd_port(argv: list[str]) -> int:
    p = Parser(
        prog="tracesim port",
        description="Rewrite a QEMU command line for a newer QEMU (4.2 to 7.2, 4.2 to 10.0, "
        "7.2 to 10.0) with the same NUMA layout (node sizes, CPU-to-node mapping, topology, "
        "distances) and no deprecation warning. The line goes to stdout, one line per rewrite "
        "with its reason to stderr.",
        usage="tracesim port [--from 4.2|7.2] [--to 7.2|10.0] [--keep-machine] -- "
        "QEMU_ARGS...",
    )
    p.add_argument("--from", dest="source", default=FROM,
                   help=f"the QEMU version it ran on (default {FROM})")
    p.add_argument("--to", dest="target", default=None,
                   help="the QEMU version to run it on (default: the next one, 7.2 after 4.2, "
                   "10.0 after 7.2)")
    p.add_argument("--keep-machine", action="store_true",
                   help="keep the machine type the line ran on (pc-q35-4.2, ...) instead of "
                   "its family's target version; refused where the target deprecates it")
    ours, qemu_args = split_qemu_args(
        argv, {"--from", "--to"}, {"-h", "--help", "--keep-machine"}
    )
    args = p.parse_args(ours)
    target = args.target if args.target is not None else default_target(args.source)
    check_profiles(args.source, target)
    qemu_args = strip_program(qemu_args)
    if not qemu_args:
        raise UsageError("tracesim port: give the QEMU command line after --")
    try:
        line, notes = port_line(qemu_args, args.keep_machine, args.source, target)
    except PortFailed as failed:
        sys.stderr.write("".join(f"{m}\n" for m in failed.lines))
        return 1
    sys.stderr.write("".join(f"{n}\n" for n in notes))
    sys.stdout.write(shlex.join([PROGRAM, *line]) + "\n")
    return 0
