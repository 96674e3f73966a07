"""hw/core/numa.c of QEMU 7.2: `-numa hmat-lb` and `-numa hmat-cache` (HMAT, ACPI 6.3).

The tables live beside the model (q.hmat); what the rest of the path reads
(numa_info[].lb_info_provided) is written into the state."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..process import Qemu, error_setg_return
from ..state import MiB
from .opts_visitor import NumaHmatCacheOptions, NumaHmatLBOptions
from .state import MachineState

NUMA = "hw/core/numa.c"
U16_MAX = 0xFFFF
U64_MAX = (1 << 64) - 1
UINT16_BITS = 16
HMAT_LB_LEVELS = 4
WRITE_LATENCY = 2  # HMATLB_DATA_TYPE_WRITE_LATENCY; bandwidths follow


@dataclass
class LBInfo:
    """HMAT_LB_Info: one (hierarchy, data type) table."""

    base: int = 0
    range_bitmap: int = 0
    entries: list[tuple[int, int, int]] = field(default_factory=list)  # initiator, target, data


@dataclass
class HmatTables:
    lb: dict[tuple[int, int], LBInfo] = field(default_factory=dict)
    cache: dict[tuple[int, int], NumaHmatCacheOptions] = field(default_factory=dict)


def tables(q: Qemu) -> HmatTables:
    found = getattr(q, "hmat", None)
    if found is None:
        found = HmatTables()
        q.hmat = found  # type: ignore[attr-defined]
    return found


def parse_numa_hmat_lb(q: Qemu, ms: MachineState, node: NumaHmatLBOptions) -> None:
    """numa.c:210-388: one latency or bandwidth entry; raises QemuError."""
    rec = q.rec
    assert ms.numa_state is not None
    state = ms.numa_state
    info = state.nodes
    rec.call("parse_numa_hmat_lb", NUMA, numa_state=0x555556A2D160, node=0x555556A3A1C0,
             errp=0x7FFFFFFFDC88)
    rec.step(212)
    rec.step(215)
    rec.step(217)
    rec.step(216)
    lb = tables(q).lb.get((node.hierarchy, node.data_type))
    rec.step(218)
    n = state.num_nodes
    rec.step(222)
    rec.branch(222, "node->initiator > numa_state->num_nodes", node.initiator > n,
               initiator=node.initiator, num_nodes=n)
    if node.initiator > n:
        error_setg_return(rec, 223, 225, 388,
                          f"Invalid initiator={node.initiator}, it should be less than {n}")
    rec.step(227)
    rec.branch(227, "node->target > numa_state->num_nodes", node.target > n,
               target=node.target, num_nodes=n)
    if node.target > n:
        error_setg_return(rec, 228, 230, 388,
                          f"Invalid target={node.target}, it should be less than {n}")
    rec.step(232)
    gi = q.impl.hmat_generic_initiator
    if gi is not None and not info[node.initiator].has_cpu:
        rec.step(gi)  # 10.0 also accepts a generic initiator (has_gi), never set here
        rec.step(gi - 1)
    rec.branch(232, "!numa_info[node->initiator].has_cpu", not info[node.initiator].has_cpu,
               initiator=node.initiator)
    if not info[node.initiator].has_cpu:
        error_setg_return(rec, 233, 235, 388, f"Invalid initiator={node.initiator}, it isn't "
                          "an initiator proximity domain")
    rec.step(237)
    rec.branch(237, "!numa_info[node->target].present", not info[node.target].present,
               target=node.target)
    if not info[node.target].present:
        error_setg_return(rec, 238, 240, 388,
                          f"The target={node.target} should point to an existing node")
    rec.step(243)
    if lb is None:
        rec.step(244)
        lb = LBInfo()
        rec.step(245)
        tables(q).lb[(node.hierarchy, node.data_type)] = lb
        rec.step(246)
    for line in (248, 249, 250, 251, 253):
        rec.step(line)
    duplicate = any(i == node.initiator and t == node.target for i, t, _ in lb.entries)
    if node.data_type <= WRITE_LATENCY:
        rec.branch(253, "node->data_type <= HMATLB_DATA_TYPE_WRITE_LATENCY", True)
        rec.step(256)
        if node.latency is None:
            error_setg_return(rec, 257, 258, 388, "Missing 'latency' option")
        rec.step(260)
        if node.bandwidth is not None:
            error_setg_return(rec, 261, 263, 388,
                              "Invalid option 'bandwidth' since the data type is latency")
        rec.step(267)
        if duplicate:
            error_setg_return(rec, 272, 275, 388, "Duplicate configuration of the latency for "
                              f"initiator={node.initiator} and target={node.target}")
        rec.step(279)
        lb.base = lb.base or U64_MAX
        rec.step(281)
        if node.latency:
            max_entry, temp_base = node.latency, 1
            while max_entry % 10 == 0:
                max_entry //= 10
                temp_base *= 10
            temp_base = min(lb.base, temp_base)
            max_entry = max(lb.range_bitmap, node.latency // lb.base)
            rec.step(299)
            if max_entry >= U16_MAX:
                error_setg_return(
                    rec, 300, 304, 388,
                    f"Latency {node.latency} between initiator={node.initiator} and "
                    f"target={node.target} should not differ from previously entered min or "
                    f"max values on more than {U16_MAX - 1}")
            rec.step(306)
            lb.base = temp_base
            rec.step(307)
            lb.range_bitmap = max_entry
            rec.step(314)
            info[node.target].lb_info_provided = info[node.target].lb_info_provided | 1
        rec.step(316)
        data = node.latency or 0
    else:
        rec.branch(253, "node->data_type <= HMATLB_DATA_TYPE_WRITE_LATENCY", False)
        rec.step(317)
        rec.step(319)
        if node.bandwidth is None:
            error_setg_return(rec, 320, 321, 388, "Missing 'bandwidth' option")
        rec.step(323)
        if node.latency is not None:
            error_setg_return(rec, 324, 326, 388,
                              "Invalid option 'latency' since the data type is bandwidth")
        rec.step(328)
        if node.bandwidth % MiB:
            error_setg_return(rec, 329, 332, 388,
                              f"Bandwidth {node.bandwidth} between initiator={node.initiator} "
                              f"and target={node.target} should be 1MB aligned")
        rec.step(336)
        if duplicate:
            error_setg_return(rec, 341, 344, 388, "Duplicate configuration of the bandwidth for "
                              f"initiator={node.initiator} and target={node.target}")
        rec.step(348)
        lb.base = lb.base or 1
        rec.step(350)
        if node.bandwidth:
            bitmap = lb.range_bitmap | node.bandwidth
            first_bit = (bitmap & -bitmap).bit_length() - 1
            temp_base = 1 << first_bit
            max_entry = node.bandwidth // temp_base
            last_bit = bitmap.bit_length()
            rec.step(364)
            if last_bit - first_bit > UINT16_BITS or max_entry >= U16_MAX:
                error_setg_return(
                    rec, 366, 370, 388,
                    f"Bandwidth {node.bandwidth} between initiator={node.initiator} and "
                    f"target={node.target} should not differ from previously entered values "
                    f"on more than {U16_MAX - 1}")
            rec.step(372)
            lb.base = temp_base
            rec.step(373)
            lb.range_bitmap = bitmap
            rec.step(380)
            info[node.target].lb_info_provided = info[node.target].lb_info_provided | 2
        rec.step(382)
        data = node.bandwidth or 0
    rec.step(387)
    lb.entries.append((node.initiator, node.target, data))
    rec.fact(387, "hmat.lb", initiator=node.initiator, target=node.target, data=data)
    rec.step(388)
    rec.ret()


def parse_numa_hmat_cache(q: Qemu, ms: MachineState, node: NumaHmatCacheOptions) -> None:
    """numa.c:390-461: one memory-side cache level; raises QemuError."""
    rec = q.rec
    assert ms.numa_state is not None
    caches = tables(q).cache
    rec.call("parse_numa_hmat_cache", NUMA, ms=0x555556A2C430, node=0x555556A3A1C0,
             errp=0x7FFFFFFFDC88)
    n = ms.numa_state.num_nodes
    rec.step(393)
    rec.step(394)
    rec.step(395)
    rec.step(397)
    if node.node_id >= n:
        error_setg_return(rec, 398, 400, 461,
                          f"Invalid node-id={node.node_id}, it should be less than {n}")
    rec.step(403)
    if ms.numa_state.nodes[node.node_id].lb_info_provided != 3:
        error_setg_return(rec, 404, 407, 461, "The latency and bandwidth information of "
                          f"node-id={node.node_id} should be provided before memory side "
                          "cache attributes")
    rec.step(410)
    if node.level < 1 or node.level >= HMAT_LB_LEVELS:
        error_setg_return(rec, 411, 414, 461, f"Invalid level={node.level}, it should be "
                          f"larger than 0 and less than or equal to {HMAT_LB_LEVELS - 1}")
    rec.step(417)
    rec.step(418)
    rec.step(419)
    if (node.node_id, node.level) in caches:
        error_setg_return(rec, 420, 423, 461, "Duplicate configuration of the side cache for "
                          f"node-id={node.node_id} and level={node.level}")
    below = caches.get((node.node_id, node.level - 1))
    above = caches.get((node.node_id, node.level + 1))
    rec.step(426)
    if node.level > 1 and below is None:
        error_setg_return(rec, 428, 430, 461, f"Cache level={node.level - 1} shall be "
                          "defined first")
    rec.step(433)
    if node.level > 1 and below is not None and node.size <= below.size:
        error_setg_return(rec, 436, 442, 461, f"Invalid size={node.size}, the size of "
                          f"level={node.level} should be larger than the size({below.size}) "
                          f"of level={node.level - 1}")
    rec.step(445)
    if node.level < HMAT_LB_LEVELS - 1 and above is not None and node.size >= above.size:
        error_setg_return(rec, 449, 455, 461, f"Invalid size={node.size}, the size of "
                          f"level={node.level} should be less than the size({above.size}) "
                          f"of level={node.level + 1}")
    rec.step(458)
    rec.step(459)
    rec.step(460)
    caches[(node.node_id, node.level)] = node
    rec.fact(460, "hmat.cache", node_id=node.node_id, level=node.level, size=node.size)
    rec.step(461)
    rec.ret()
