"""visit_type_NumaOptions of QEMU 7.2 (qapi/machine.json): node gains `initiator`, cpu
gains `cluster-id`, and the HMAT types `hmat-lb` and `hmat-cache` appear."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..options import QemuOpts
from ..cutils import ParseError
from ..opts_visitor import (
    NumaCpuOptions,
    NumaDistOptions,
    NumaNodeOptions,
    VisitError,
    _int64,
    _uint,
    _uint16_list,
)
from .cutils import Warn, qemu_strtosz

HMAT_LB_HIERARCHY = ("memory", "first-level", "second-level", "third-level")
HMAT_LB_DATA_TYPE = ("access-latency", "read-latency", "write-latency",
                     "access-bandwidth", "read-bandwidth", "write-bandwidth")
HMAT_CACHE_ASSOCIATIVITY = ("none", "direct", "complex")
HMAT_CACHE_WRITE_POLICY = ("none", "write-back", "write-through")


@dataclass
class NumaNodeOptions72(NumaNodeOptions):
    initiator: int | None = None

    @property
    def has_initiator(self) -> bool:
        return self.initiator is not None


@dataclass
class NumaCpuOptions72(NumaCpuOptions):
    cluster_id: int | None = None


@dataclass
class NumaHmatLBOptions:
    initiator: int
    target: int
    hierarchy: int  # index into HMAT_LB_HIERARCHY
    data_type: int  # index into HMAT_LB_DATA_TYPE
    latency: int | None = None
    bandwidth: int | None = None


@dataclass
class NumaHmatCacheOptions:
    node_id: int
    size: int
    level: int
    associativity: int
    policy: int
    line: int


NumaOptions72 = (NumaNodeOptions72 | NumaDistOptions | NumaCpuOptions72 | NumaHmatLBOptions
                 | NumaHmatCacheOptions)


def _required(opts: QemuOpts, key: str) -> str:
    raw = opts.get(key)
    if raw is None:
        raise VisitError(f"Parameter '{key}' is missing")
    return raw


def _enum(opts: QemuOpts, key: str, values: tuple[str, ...]) -> int:
    raw = _required(opts, key)
    if raw not in values:
        raise VisitError(f"Parameter '{key}' does not accept value '{raw}'")
    return values.index(raw)


CPU_IDS = ("socket_id", "die_id", "cluster_id", "core_id", "thread_id")


def visit_numa_options(opts: QemuOpts, warn: Warn | None = None,
                       cpu_ids: tuple[str, ...] = CPU_IDS,
                       strtosz: Any = qemu_strtosz) -> NumaOptions72:
    """Members in the schema's order; keys nobody visited give `Invalid parameter`.
    Sizes go through 7.2's qemu_strtosz (`warn` gets its hex-suffix warning)."""

    def _size(name: str, raw: str) -> int:
        try:
            return strtosz(raw, warn=warn)
        except ParseError:
            raise VisitError(f"Parameter '{name}' expects a size value") from None

    visited = {"type", "id"}
    kind = opts.get("type")
    if kind is None:
        raise VisitError("Parameter 'type' is missing")
    result: NumaOptions72
    if kind == "node":
        node = NumaNodeOptions72()
        if (raw := opts.get("nodeid")) is not None:
            node.nodeid = _uint("nodeid", raw, 16)
        node.cpus = _uint16_list("cpus", opts.all("cpus"))
        if (raw := opts.get("mem")) is not None:
            node.mem = _size("mem", raw)
        node.memdev = opts.get("memdev")
        if (raw := opts.get("initiator")) is not None:
            node.initiator = _uint("initiator", raw, 16)
        visited |= {"nodeid", "cpus", "mem", "memdev", "initiator"}
        result = node
    elif kind == "dist":
        values = [_uint(key, _required(opts, key), bits)
                  for key, bits in (("src", 16), ("dst", 16), ("val", 8))]
        visited |= {"src", "dst", "val"}
        result = NumaDistOptions(*values)
    elif kind == "cpu":
        cpu = NumaCpuOptions72()
        keys = ("node-id",) + tuple(k.replace("_", "-") for k in cpu_ids)
        for key in keys:
            if (raw := opts.get(key)) is not None:
                setattr(cpu, key.replace("-", "_"), _int64(key, raw))
        visited |= set(keys)
        result = cpu
    elif kind == "hmat-lb":
        lb = NumaHmatLBOptions(
            _uint("initiator", _required(opts, "initiator"), 16),
            _uint("target", _required(opts, "target"), 16),
            _enum(opts, "hierarchy", HMAT_LB_HIERARCHY),
            _enum(opts, "data-type", HMAT_LB_DATA_TYPE),
        )
        if (raw := opts.get("latency")) is not None:
            lb.latency = _uint("latency", raw, 64)
        if (raw := opts.get("bandwidth")) is not None:
            lb.bandwidth = _size("bandwidth", raw)
        visited |= {"initiator", "target", "hierarchy", "data-type", "latency", "bandwidth"}
        result = lb
    elif kind == "hmat-cache":
        result = NumaHmatCacheOptions(
            _uint("node-id", _required(opts, "node-id"), 32),
            _size("size", _required(opts, "size")),
            _uint("level", _required(opts, "level"), 8),
            _enum(opts, "associativity", HMAT_CACHE_ASSOCIATIVITY),
            _enum(opts, "policy", HMAT_CACHE_WRITE_POLICY),
            _uint("line", _required(opts, "line"), 16),
        )
        visited |= {"node-id", "size", "level", "associativity", "policy", "line"}
    else:
        raise VisitError(f"Parameter 'type' does not accept value '{kind}'")
    for key, _ in opts.params:
        if key not in visited:
            raise VisitError(f"Invalid parameter '{key}'")
    return result
