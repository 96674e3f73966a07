"""Generated QEMU command lines aimed at the board-init NUMA path's boundaries.

Deterministic from a seed. Each line picks one focus (machine, -m, -smp, nodes, node memory,
cpus=, -numa cpu, distances, HMAT, -machine memory-backend, pc.ram) and pushes it to an edge:
the other parts are mostly valid, so the line gets far enough for the focus to matter.
Lines are argv lists without the program name, usable without a shell.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Iterator

from .profiles import PROFILES

# The compat chain: each of these changes a default somewhere on the modelled path.
MACHINE_VERSIONS: tuple[str, ...] = ("7.2", "6.2", "6.1", "5.1", "5.0", "4.2", "2.11", "2.10",
                                     "2.9")
OTHER_MACHINES: tuple[str, ...] = ("isapc", "none", "microvm")
FOCI: tuple[str, ...] = ("machine", "memory", "smp", "nodes", "node_mem", "cpus", "numa_cpu",
                         "dist", "hmat", "memory_backend", "pc_ram")
MIB = 1 << 20


def machines(profile: str | None = None) -> list[str]:
    """Machine names to try: aliases, both chipsets across the compat chain, the odd ones."""
    versions = list(MACHINE_VERSIONS)
    if profile and profile not in versions:
        versions.insert(0, profile)
    return (["q35", "pc"] + [f"pc-q35-{v}" for v in versions]
            + [f"pc-i440fx-{v}" for v in versions] + list(OTHER_MACHINES))


@dataclass
class _Line:
    machine: str = "q35"
    machine_props: list[str] = field(default_factory=list)
    mem: str | None = None  # the -m value
    ram_mib: int = 128  # what RAM the line means to have (QEMU's default is 128 MiB)
    smp: str | None = None
    cpus: int = 1  # possible CPUs the line means to have (for cpus= ranges)
    sockets: int = 1
    objects: list[str] = field(default_factory=list)
    numa: list[str] = field(default_factory=list)

    def argv(self) -> list[str]:
        out = ["-machine", ",".join([self.machine, *self.machine_props])]
        if self.mem is not None:
            out += ["-m", self.mem]
        if self.smp is not None:
            out += ["-smp", self.smp]
        for obj in self.objects:
            out += ["-object", obj]
        for opt in self.numa:
            out += ["-numa", opt]
        return out


class Generator:
    """Command lines from one random.Random(seed); `lines(n)` or iterate."""

    def __init__(self, seed: int = 0, profile: str | None = None) -> None:
        self.rng = random.Random(seed)
        self.machines = machines(profile)
        self.decks: dict[str, list[str]] = {}

    def deal(self, name: str, kinds: list[str]) -> str:
        """One of `kinds`, each once per round in a seeded order: every boundary comes up
        within a few rounds instead of when luck allows."""
        deck = self.decks.get(name)
        if not deck:
            deck = self.decks[name] = list(kinds)
            self.rng.shuffle(deck)
        return deck.pop()

    # -- small pieces -------------------------------------------------------------------

    def size_mib(self, mib: int, unit_default: str = "M") -> str:
        """MiB as QEMU size text, in one of the spellings QEMU accepts."""
        r = self.rng
        forms = [f"{mib}{unit_default}" if unit_default != "M" else f"{mib}", f"{mib}M",
                 f"{mib * 1024}K", f"{mib * MIB}B"]
        if mib % 1024 == 0:
            forms += [f"{mib // 1024}G"] * 2
        if mib % 512 == 0:  # a fraction: 4.2 parsed it with strtod, 7.2 in fixed point
            forms.append(f"{mib / 1024:g}G")
        forms.append(f"{hex(mib)}M")  # a suffix on hex: deprecated (and warned) on 7.2
        return r.choice(forms)

    def object_size(self, mib: int) -> str:
        # memory-backend size: a plain number is bytes
        r = self.rng
        forms = [f"{mib}M", f"{mib * MIB}", hex(mib * MIB)]
        if mib % 1024 == 0:
            forms.append(f"{mib // 1024}G")
        if mib % 512 == 0:
            forms.append(f"{mib / 1024:g}G")
        return r.choice(forms)

    def split(self, total: int, parts: int, exact: bool) -> list[int]:
        """`parts` sizes in MiB summing to `total` (or deliberately not, when not exact)."""
        r = self.rng
        if parts <= 0:
            return []
        if r.random() < 0.5 and total % parts == 0:
            sizes = [total // parts] * parts
        else:
            cuts = sorted(r.randint(0, total) for _ in range(parts - 1))
            sizes = [b - a for a, b in zip([0, *cuts], [*cuts, total])]
        if not exact:
            i = r.randrange(parts)
            sizes[i] = max(0, sizes[i] + r.choice([-1, 1, -128, 128, 1024]))
            if sum(sizes) == total:  # could not move it; add one MiB elsewhere
                sizes[(i + 1) % parts] += 1
        return sizes

    # -- the parts of a line -------------------------------------------------------------

    def pick_machine(self, ln: _Line, focus: bool) -> None:
        r = self.rng
        if focus:
            ln.machine = r.choice(self.machines)
        else:
            ln.machine = r.choice(["q35", "q35", "pc", "pc-q35-7.2", "pc-i440fx-7.2",
                                   r.choice(self.machines)])

    def pick_memory(self, ln: _Line, focus: bool) -> None:
        r = self.rng
        ram = r.choice([1024, 1024, 2048, 512, 1536, 3072, 4096, 768, 1023, 1025, 129, 64,
                        8191, 2, 1])
        ln.ram_mib = ram
        if not focus:
            ln.mem = r.choice([str(ram), self.size_mib(ram)])
            return
        kind = self.deal("memory", ["plain", "suffix", "size=", "slots", "maxmem-lt", "maxmem-eq",
                         "slots-only", "maxmem-only", "none", "huge", "zero"])
        if kind == "plain":
            ln.mem = str(ram)
        elif kind == "suffix":
            ln.mem = self.size_mib(ram, r.choice(["M", "G", "K"]))
        elif kind == "size=":
            ln.mem = f"size={self.size_mib(ram)}"
        elif kind == "slots":
            ln.mem = f"{ram},slots={r.choice([1, 2, 4, 256, 257])},maxmem={ram * 4}M"
        elif kind == "maxmem-lt":
            ln.mem = f"{ram},slots=2,maxmem={max(1, ram // 2)}M"
        elif kind == "maxmem-eq":
            ln.mem = f"{self.size_mib(ram)},slots={r.choice([1, 4])},maxmem={ram}M"
        elif kind == "slots-only":
            ln.mem = f"{ram},slots={r.choice([0, 1, 4])}"
        elif kind == "maxmem-only":
            ln.mem = f"{ram},maxmem={r.choice([ram * 2, ram, ram // 2 or 1])}M"
        elif kind == "none":
            ln.mem, ln.ram_mib = None, 128
        elif kind == "huge":
            ln.ram_mib = r.choice([65536, 1 << 20])
            ln.mem = self.size_mib(ln.ram_mib)
        else:
            ln.mem = r.choice(["0", "size=0", "0M"])
            ln.ram_mib = 0

    def pick_smp(self, ln: _Line, focus: bool) -> None:
        r = self.rng
        if not focus:
            n = r.choice([1, 2, 2, 4, 4, 4, 6, 8])
            ln.cpus, ln.sockets = n, 1
            ln.smp = r.choice([str(n), f"cpus={n}", f"{n},sockets=1,cores={n},threads=1"])
            return
        kind = self.deal("smp", ["N", "cpus=", "topo", "dies", "clusters", "maxcpus", "zero",
                         "mismatch", "maxcpus-lt", "too-many", "topo-only", "prefix"])
        s, d, c, t = r.choice([1, 2, 4]), r.choice([1, 1, 2]), r.choice([1, 2]), r.choice([1, 2])
        n = s * d * c * t
        ln.cpus, ln.sockets = n, s
        if kind == "N":
            n = r.choice([1, 2, 3, 4, 8, 16])
            ln.cpus, ln.sockets, ln.smp = n, 1, str(n)
        elif kind == "cpus=":
            n = r.choice([1, 2, 4, 7])
            ln.cpus, ln.sockets, ln.smp = n, 1, f"cpus={n}"
        elif kind == "topo":
            ln.smp = f"{n},sockets={s},cores={c * d},threads={t}"
        elif kind == "dies":
            ln.smp = f"{n},sockets={s},dies={d},cores={c},threads={t}"
        elif kind == "clusters":
            ln.smp = f"{n},sockets={s},clusters={d},cores={c},threads={t}"
        elif kind == "maxcpus":
            m = n * 2
            ln.cpus = m
            ln.smp = f"{n},sockets={s * 2},cores={c * d},threads={t},maxcpus={m}"
        elif kind == "zero":
            ln.smp = r.choice(["0", "cpus=0", f"{n},sockets=0", f"{n},cores=0",
                               f"{n},threads=0", f"{n},dies=0", f"{n},maxcpus=0",
                               f"0,sockets={s},cores={c},threads={t}"])
        elif kind == "mismatch":
            ln.smp = f"{n + r.choice([1, -1 if n > 1 else 2])},sockets={s},cores={c * d}," \
                     f"threads={t}"
        elif kind == "maxcpus-lt":
            ln.smp = f"{n + 2},maxcpus={n}"
        elif kind == "too-many":
            n = r.choice([255, 256, 288, 289, 300, 1024])
            ln.cpus, ln.sockets, ln.smp = min(n, 8), 1, str(n)
        elif kind == "topo-only":
            ln.smp = f"sockets={s},cores={c},threads={t}"
            ln.cpus = s * c * t
        else:
            ln.smp = f"{n},sockets={s},cores={c * d}"

    def pick_nodes(self, ln: _Line, focus: str) -> int:
        """-numa node options (and the memory objects they use); returns the node count."""
        r = self.rng
        if focus == "nodes":
            k = int(self.deal("nodes", ["0", "1", "2", "2", "3", "4", "5", "6", "7", "8"]))
        else:
            k = r.choice([1, 2, 2, 3, 4])
        if k == 0:
            return 0
        ids = list(range(k))
        if focus == "nodes" and r.random() < 0.4:
            kind = self.deal("ids", ["sparse", "dup", "shuffled", "high"])
            if kind == "sparse":
                ids = sorted(r.sample(range(k + 2), k))
            elif kind == "dup" and k > 1:
                ids[-1] = ids[0]
            elif kind == "shuffled":
                r.shuffle(ids)
            elif kind == "high":
                ids[-1] = r.choice([127, 128, 65535])
        explicit_ids = focus == "nodes" or r.random() < 0.5 or ids != list(range(k))
        # node memory: memdev, mem=, none, or a mix
        if focus == "node_mem":
            mode = self.deal("node_mem", ["memdev", "mem", "none", "mixed", "mixed"])
        else:
            mode = r.choice(["memdev", "memdev", "memdev", "none", "mem"])
        exact = not (focus == "node_mem" and r.random() < 0.4)
        sizes = self.split(ln.ram_mib, k, exact)
        # cpus= ranges
        ranges = self.cpu_ranges(ln.cpus, k, focus == "cpus")
        for i in range(k):
            parts = ["node"]
            if explicit_ids:
                parts.append(f"nodeid={ids[i]}")
            m = mode if mode != "mixed" else r.choice(["memdev", "mem", "none"])
            if m == "memdev":
                oid = f"m{i}"
                ln.objects.append(f"memory-backend-ram,id={oid},size={self.object_size(sizes[i])}")
                parts.append(f"memdev={oid}")
                if focus == "node_mem" and r.random() < 0.1:
                    parts.append(f"mem={sizes[i]}M")  # both at once
            elif m == "mem":
                parts.append(f"mem={self.size_mib(sizes[i])}")
            parts += [f"cpus={c}" for c in ranges[i]]
            ln.numa.append(",".join(parts))
        if focus == "node_mem" and mode == "memdev" and r.random() < 0.2:
            ln.objects.append("memory-backend-ram,id=unused,size=64M")  # an extra object
        return k

    def cpu_ranges(self, cpus: int, k: int, focus: bool) -> list[list[str]]:
        """Per node, its cpus= values: a partition, a partial one, overlaps or out of range."""
        r = self.rng
        out: list[list[str]] = [[] for _ in range(k)]
        if focus:
            kind = self.deal("cpus", ["partition", "partial", "overlap", "out", "multi",
                                      "reversed", "single"])
        else:
            kind = r.choice(["none", "partition", "partition"])
        if kind == "none":
            return out
        if kind == "single":
            out[r.randrange(k)].append(str(r.randrange(max(cpus, 1))))
            return out
        bounds = sorted(r.sample(range(1, cpus), min(k - 1, cpus - 1))) if cpus > 1 else []
        chunks = [(a, b - 1) for a, b in zip([0, *bounds], [*bounds, cpus])]
        for i, (a, b) in enumerate(chunks):
            out[i].append(f"{a}" if a == b else f"{a}-{b}")
        if kind == "partial" and chunks:
            out[len(chunks) - 1] = []
        elif kind == "overlap":
            out[k - 1].append("0")
        elif kind == "out":
            out[r.randrange(k)].append(r.choice([str(cpus), f"{max(cpus - 1, 0)}-{cpus}",
                                                 "255", "288"]))
        elif kind == "multi" and cpus > 2:
            out[0] = ["0", f"2-{cpus - 1}"]
            out[1 % k] = ["1"]
        elif kind == "reversed" and cpus > 1:
            out[0] = [f"{cpus - 1}-0"]
        return out

    def pick_numa_cpu(self, ln: _Line, k: int) -> None:
        """-numa cpu,node-id=,socket-id= (needs a topology with sockets)."""
        r = self.rng
        s = r.choice([2, 2, 4])
        ln.sockets, ln.cpus = s, s * 2
        ln.smp = f"{s * 2},sockets={s},cores=2,threads=1"
        # sockets are placed here, not by cpus=
        ln.numa = [",".join(p for p in o.split(",") if not p.startswith("cpus=")) for o in ln.numa]
        for sock in range(s):
            if r.random() < 0.15:
                continue  # leave a socket unplaced
            node = sock % max(k, 1)
            if r.random() < 0.1:
                node = k + 1  # a node that does not exist
            opt = f"cpu,node-id={node},socket-id={sock if r.random() > 0.1 else s}"
            if r.random() < 0.2:
                opt += f",core-id={r.choice([0, 1, 2])}"
            if r.random() < 0.1:
                opt += ",thread-id=0"
            ln.numa.append(opt)

    def pick_dist(self, ln: _Line, k: int) -> None:
        r = self.rng
        if k < 1:
            return
        kind = self.deal("dist", ["sym", "asym", "missing", "low", "local", "unreachable",
                                  "badnode", "sym", "asym"])
        entries: list[tuple[int, int, int]] = []
        for i in range(k):
            for j in range(k):
                if i == j:
                    continue
                v = r.choice([20, 21, 30, 40, 17])
                if kind in ("sym", "missing", "low", "local", "unreachable", "badnode") and i > j:
                    continue
                entries.append((i, j, v))
        if kind == "missing" and len(entries) > 1:
            entries.pop(r.randrange(len(entries)))
        elif kind == "low" and entries:
            i, j, _ = entries[0]
            entries[0] = (i, j, r.choice([9, 0, 1]))
        elif kind == "local":
            n = r.randrange(k)
            entries.append((n, n, r.choice([20, 11, 0])))
        elif kind == "unreachable" and entries:
            i, j, _ = entries[-1]
            entries[-1] = (i, j, 255)
        elif kind == "badnode":
            entries.append((0, k + r.choice([0, 1, 127]), 20))
        if r.random() < 0.2 and k:
            entries.insert(0, (0, 0, 10))  # an explicit local distance
        ln.numa += [f"dist,src={i},dst={j},val={v}" for i, j, v in entries]

    def pick_hmat(self, ln: _Line, k: int) -> None:
        r = self.rng
        if r.random() < 0.8:
            ln.machine_props.append("hmat=on")
        if k == 0:
            return
        # initiators: each node names a node with CPUs (node 0 gets them all if unplaced)
        kind = self.deal("hmat", ["self", "zero", "missing", "cpuless", "high"])
        for i in range(k):
            if kind == "missing" and i == k - 1:
                continue
            opt = ln.numa[i]
            if kind == "self":
                ini = i if "cpus=" in opt else 0
            elif kind == "zero":
                ini = 0
            elif kind == "cpuless":
                ini = k - 1
            else:
                ini = r.choice([k, 128])
            ln.numa[i] = f"{opt},initiator={ini}"
        for tgt in range(k):
            if r.random() < 0.3:
                continue
            if r.random() < 0.5:
                ln.numa.append(f"hmat-lb,initiator=0,target={tgt},hierarchy=memory,"
                               f"data-type=access-latency,latency={r.choice([0, 5, 10])}")
            else:
                ln.numa.append(f"hmat-lb,initiator=0,target={tgt},hierarchy=memory,"
                               f"data-type=access-bandwidth,bandwidth="
                               f"{r.choice(['0', '200M', '1G'])}")
        if r.random() < 0.6:
            level = r.choice([0, 1, 1, 2, 3, 4])
            ln.numa.append(f"hmat-cache,node-id={r.randrange(k)},size={r.choice(['10K', '0'])},"
                           f"level={level},associativity={r.choice(['direct', 'complex'])},"
                           f"policy={r.choice(['write-back', 'write-through'])},"
                           f"line={r.choice([8, 64])}")

    def pick_memory_backend(self, ln: _Line, k: int) -> None:
        """-machine memory-backend=ID: its object matching -m, mismatching, or absent."""
        r = self.rng
        oid = r.choice(["mem0", "ram0"])
        kind = self.deal("backend", ["match", "match", "size", "absent"])
        if ln.mem is None or ln.ram_mib == 0:
            ln.mem, ln.ram_mib = "1G", 1024
        ln.machine_props.append(f"memory-backend={oid}")
        if kind != "absent":
            size = ln.ram_mib + (r.choice([1, 512]) if kind == "size" else 0)
            ln.objects.insert(0, f"memory-backend-ram,id={oid},size={self.object_size(size)}")
        if k and r.random() < 0.5:  # nodes without memdev: the machine's backend alone
            ln.numa = [",".join(p for p in o.split(",") if not p.startswith("memdev="))
                       for o in ln.numa]
        if r.random() < 0.3:
            ln.mem = None  # the size then comes from the backend

    def pick_pc_ram(self, ln: _Line) -> None:
        r = self.rng
        size = self.object_size(ln.ram_mib or 128)
        ln.objects.insert(0, f"memory-backend-ram,id=pc.ram,size={size}")
        if r.random() < 0.4:
            ln.machine_props.append("memory-backend=pc.ram")

    # -- a whole line --------------------------------------------------------------------

    def line(self) -> list[str]:
        r = self.rng
        focus = self.deal("focus", list(FOCI))
        ln = _Line()
        self.pick_machine(ln, focus == "machine")
        self.pick_memory(ln, focus == "memory")
        self.pick_smp(ln, focus == "smp")
        numa_foci = ("nodes", "node_mem", "cpus", "numa_cpu", "dist", "hmat")
        k = 0
        if focus in numa_foci or r.random() < 0.5:
            if ln.ram_mib == 0 or ln.ram_mib > 4096:
                # backends are allocated before board init: keep them small enough for any host
                ln.mem, ln.ram_mib = "1024", 1024
            k = self.pick_nodes(ln, focus)
        if focus == "numa_cpu":
            self.pick_numa_cpu(ln, k)
        elif focus == "dist" or (k > 1 and r.random() < 0.15):
            self.pick_dist(ln, k)
        if focus == "hmat":
            self.pick_hmat(ln, k)
        elif focus == "memory_backend":
            self.pick_memory_backend(ln, k)
        elif focus == "pc_ram":
            self.pick_pc_ram(ln)
        return ln.argv()

    def __iter__(self) -> Iterator[list[str]]:
        while True:
            yield self.line()

    def lines(self, n: int) -> list[list[str]]:
        return [self.line() for _ in range(n)]


def generate(n: int, seed: int = 0, profile: str | None = None) -> list[list[str]]:
    """`n` command lines from `seed` (the same seed always gives the same lines)."""
    return Generator(seed, profile).lines(n)


def lines_for_profile(profile: str, n: int, seed: int = 0) -> list[list[str]]:
    """The lines to verify a profile with: the profile's own machine versions are added to the
    chain; options the profile does not know are generated all the same (QEMU's answer to
    them is part of what is verified)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
    return generate(n, seed, profile)
