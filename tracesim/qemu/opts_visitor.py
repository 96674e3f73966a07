"""visit_type_NumaOptions over a -numa QemuOpts (qapi/opts-visitor.c, qapi/machine.json).

Members are visited in the schema's order; the first bad one fails the visit with the
visitor's message, then keys nobody visited give `Invalid parameter`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .cutils import ParseError, parse_uint, qemu_strtoi64, qemu_strtosz
from .options import QemuOpts

RANGE_MAX = 65536  # OPTS_VISITOR_RANGE_MAX


class VisitError(Exception):
    pass


@dataclass
class NumaNodeOptions:
    nodeid: int | None = None
    cpus: list[int] = field(default_factory=list)
    mem: int | None = None
    memdev: str | None = None

    @property
    def has_mem(self) -> bool:
        return self.mem is not None

    @property
    def has_memdev(self) -> bool:
        return self.memdev is not None


@dataclass
class NumaDistOptions:
    src: int
    dst: int
    val: int


@dataclass
class NumaCpuOptions:
    """CpuInstanceProperties as given: None where a key is absent."""

    node_id: int | None = None
    socket_id: int | None = None
    die_id: int | None = None
    core_id: int | None = None
    thread_id: int | None = None


NumaOptions = NumaNodeOptions | NumaDistOptions | NumaCpuOptions


def _uint(name: str, raw: str, bits: int) -> int:
    try:
        value, rest = parse_uint(raw)
        if rest:
            raise ParseError()
    except ParseError:
        raise VisitError(f"Parameter '{name}' expects a uint64 value")
    if value >= 1 << bits:
        raise VisitError(f"Parameter '{name}' expects uint{bits}_t")
    return value


def _uint16_list(name: str, raws: list[str]) -> list[int]:
    out: list[int] = []
    for raw in raws:
        try:
            lo, rest = parse_uint(raw)
            hi = lo
            if rest.startswith("-"):
                hi, tail = parse_uint(rest[1:])
                if tail or not (lo <= hi and hi - lo < RANGE_MAX):
                    raise ParseError()
            elif rest:
                raise ParseError()
        except ParseError:
            raise VisitError(f"Parameter '{name}' expects a uint64 value or range")
        for value in range(lo, hi + 1):
            if value > 0xFFFF:
                raise VisitError(f"Parameter '{name}' expects uint16_t")
            out.append(value)
    return out


def _int64(name: str, raw: str) -> int:
    try:
        return qemu_strtoi64(raw)
    except ParseError:
        raise VisitError(f"Parameter '{name}' expects an int64 value")


def _size(name: str, raw: str) -> int:
    try:
        return qemu_strtosz(raw)
    except ParseError:
        raise VisitError(f"Parameter '{name}' expects a size value")


def visit_numa_options(opts: QemuOpts) -> NumaOptions:
    visited = {"type", "id"}
    kind = opts.get("type")
    if kind is None:
        raise VisitError("Parameter 'type' is missing")
    result: NumaOptions
    if kind == "node":
        node = NumaNodeOptions()
        if (raw := opts.get("nodeid")) is not None:
            node.nodeid = _uint("nodeid", raw, 16)
        node.cpus = _uint16_list("cpus", opts.all("cpus"))
        if (raw := opts.get("mem")) is not None:
            node.mem = _size("mem", raw)
        node.memdev = opts.get("memdev")
        visited |= {"nodeid", "cpus", "mem", "memdev"}
        result = node
    elif kind == "dist":
        values = []
        for key, bits in (("src", 16), ("dst", 16), ("val", 8)):
            raw = opts.get(key)
            if raw is None:
                raise VisitError(f"Parameter '{key}' is missing")
            values.append(_uint(key, raw, bits))
        visited |= {"src", "dst", "val"}
        result = NumaDistOptions(*values)
    elif kind == "cpu":
        cpu = NumaCpuOptions()
        for key in ("node-id", "socket-id", "die-id", "core-id", "thread-id"):
            if (raw := opts.get(key)) is not None:
                setattr(cpu, key.replace("-", "_"), _int64(key, raw))
        visited |= {"node-id", "socket-id", "die-id", "core-id", "thread-id"}
        result = cpu
    else:
        raise VisitError(f"Invalid parameter '{kind}'")
    for key, _ in opts.params:
        if key not in visited:
            raise VisitError(f"Invalid parameter '{key}'")
    return result
