"""hw/core/numa.c of QEMU 10.0 where it changed: parse_numa reports an unparsable mem= size
itself and calls set_numa_options only when that went well."""

from __future__ import annotations

from ..opts_visitor import VisitError
from ..options import QemuOpts
from ..process import Qemu, QemuError
from ..state import ADDR_MACHINE
from ..v72.numa import ERROR_FATAL, NUMA, TYPE_NAMES, set_numa_options
from ..v72.opts_visitor import NumaNodeOptions72, visit_numa_options
from ..cutils import ParseError
from .state import MachineState


def parse_numa(q: Qemu, ms: MachineState, opts: QemuOpts, opts_address: int) -> int:
    """numa.c:517-552."""
    rec = q.rec
    rec.call("parse_numa", NUMA, opaque=ADDR_MACHINE, opts=opts_address, errp=ERROR_FATAL)
    for line in (518, 519, 520, 521, 522, 524):
        rec.step(line)
    try:
        obj = visit_numa_options(opts, warn=lambda text: q.warn_report(524, text),
                                 cpu_ids=q.impl.cpu_ids, strtosz=q.impl.strtosz)
    except VisitError as e:
        q.fatal(524, str(e))
        raise AssertionError("unreachable")
    rec.fact(524, "numa.options", type=TYPE_NAMES[type(obj)], arg=opts.arg)
    rec.step(525)
    rec.step(526)
    rec.step(531)
    has_mem = isinstance(obj, NumaNodeOptions72) and obj.has_mem
    rec.branch(531, "object->type == NUMA_OPTIONS_TYPE_NODE && object->u.node.has_mem",
               has_mem, type=TYPE_NAMES[type(obj)])
    err: QemuError | None = None
    if has_mem:
        assert isinstance(obj, NumaNodeOptions72)
        rec.step(532)
        mem_str = opts.get("mem") or ""
        rec.local("mem_str", mem_str)
        rec.step(533)
        try:
            obj.mem = q.impl.strtosz(mem_str, "M")
            bad = False
        except ParseError:
            bad = True
        rec.step(535)
        rec.branch(535, "ret < 0", bad)
        if bad:
            rec.step(536)
            err = QemuError(f"could not parse memory size '{mem_str}': Invalid argument")
    rec.step(541)
    rec.branch(541, "!err", err is None)
    if err is None:
        rec.step(542)
        try:
            set_numa_options(q, ms, obj)
        except QemuError as e:
            err = e
    rec.step(545)
    rec.step(546)
    rec.branch(546, "err", err is not None)
    if err is not None:
        rec.step(547)
        q.fatal(547, err.text, err.hint)
    rec.step(551)
    rec.step(552)
    rec.ret(0)
    return 0
