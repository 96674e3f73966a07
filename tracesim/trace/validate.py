"""Typed reading: what a trace's events may do, checked as they are read.

The decoder checks each record's shape and scalar bounds (events.py). This adds what needs
the events before it and the profile's C types: a frame for every stop, store and return,
calls nested no deeper than the model ever goes, and every store into machine state at a
path the profile's debug information declares, with a value its C type can hold and array
indices inside the array. Sizes the readers loop over (`numa_state.num_nodes`,
`possible_cpus.len`) are bounded by what the profile allows, so no reader allocates in
proportion to a number a trace contains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import events as ev

MAX_DEPTH = 64  # nested calls; the model never goes deeper than about 12
MAX_NODES = 128  # include/sysemu/numa.h
MAX_CPUS = 288  # the largest mc->max_cpus of any modelled machine (q35)
# Sizes readers loop over, bounded by what QEMU allows (inclusive).
SIZES = {"numa_state.num_nodes": MAX_NODES, "possible_cpus.len": MAX_CPUS,
         "max_numa_nodeid": MAX_NODES}

_INDEX = re.compile(r"\[(\d{1,6})\]")


class Invalid(Exception):
    """An event a trace may not contain; the reader adds the file and line."""


@dataclass(frozen=True)
class Slot:
    """A scalar the trace may store into: what its C type holds, and its arrays' lengths."""

    kind: str  # "int", "bool" or "ptr"
    lo: int
    hi: int
    bounds: tuple[int, ...]


@lru_cache(maxsize=None)
def memory_slots(profile: str) -> dict[str, Slot]:
    """Every scalar path of the profile's state, array indices as `[]`."""
    from ..debuginfo import debug_info
    from ..debuginfo.ctypes import Array, BoolType, IntType, Pointer, Struct, strip

    slots: dict[str, Slot] = {}

    def walk(t: Any, path: str, bounds: tuple[int, ...]) -> None:
        s = strip(t)
        if isinstance(s, Struct):
            for f in s.fields or ():
                walk(f.type, f"{path}.{f.path}" if f.path else path, bounds)
        elif isinstance(s, Array):  # a zero-length trailing array holds up to MAX_CPUS
            walk(s.element, path + "[]", bounds + (s.length or MAX_CPUS,))
        elif isinstance(s, IntType):
            bits = 8 * s.size  # either signedness: the model stores C's values as written
            slots[path] = Slot("int", -(1 << (bits - 1)), (1 << bits) - 1, bounds)
        elif isinstance(s, BoolType):
            slots[path] = Slot("bool", 0, 255, bounds)
        elif isinstance(s, Pointer):
            slots[path] = Slot("ptr", 0, (1 << 64) - 1, bounds)

    try:
        info = debug_info(profile)
    except ValueError:  # a profile without its own debug information yet: the newest one's
        from ..debuginfo import _MODULES

        info = debug_info(list(_MODULES)[-1])
    for root in info.roots:
        walk(root.type, root.path, ())
    for region in info.regions:
        walk(region.type, region.path.replace("[{}]", "[]"), (region.count,))
    for path, top in SIZES.items():
        if path in slots:
            s = slots[path]
            slots[path] = Slot(s.kind, 0, top, s.bounds)
    return slots


def check_store(slots: dict[str, Slot], path: str, value: Any) -> None:
    """A store the profile's types allow, or Invalid saying why not."""
    indices = _INDEX.findall(path)
    slot = slots.get(_INDEX.sub("[]", path) if indices else path)
    if slot is None:
        raise Invalid(f"a store into {path!r}, which the profile's state does not have")
    if len(indices) != len(slot.bounds):
        raise Invalid(f"a store into {path!r}: malformed index")
    for i, n in zip(indices, slot.bounds):
        if int(i) >= n or (len(i) > 1 and i[0] == "0"):
            raise Invalid(f"a store into {path!r}: index {i} outside [0, {n})")
    kind = type(value)
    if slot.kind == "ptr" and (value is None or kind is str):
        return  # NULL, a string or a function name
    if kind is bool:
        if slot.kind != "ptr":
            return
    elif kind is int:
        if slot.lo <= value <= slot.hi:
            return
        raise Invalid(f"a store of {value} into {path!r}, outside [{slot.lo}, {slot.hi}]")
    raise Invalid(f"a store of {type(value).__name__} {value!r:.40} into {path!r}, "
                  f"which holds {'a pointer' if slot.kind == 'ptr' else 'an integer'}")


class Validator:
    """Follows a trace's events in order: the depth of the call stack, the exit and the
    reports (which its end record restates)."""

    def __init__(self, profile: str) -> None:
        self.slots = memory_slots(profile)
        self.depth = 0
        self.exit: int | None = None
        self.reports = 0
        self.events = 0

    def check(self, events: list[Any]) -> int | None:
        """Check a block's events in order; the index of the first bad one (the reason in
        `self.why`), or None."""
        depth = self.depth
        slots = self.slots
        Step, Call, Return, Write, Local = ev.Step, ev.Call, ev.Return, ev.Write, ev.Local
        for i, e in enumerate(events):
            kind = type(e)
            if kind is Step or kind is Local or kind is ev.Repeat:
                if not depth:
                    what = {Step: "stop", Local: "local"}.get(kind, "repeat")
                    self.why = f"a {what} outside any call"
                    return self._stop(i, depth)
            elif kind is Call:
                depth += 1
                if depth > MAX_DEPTH:
                    self.why = f"calls nested deeper than {MAX_DEPTH}"
                    return self._stop(i, depth)
            elif kind is Return:
                if not depth:
                    self.why = "a return outside any call"
                    return self._stop(i, depth)
                depth -= 1
            elif kind is Write:
                try:
                    check_store(slots, e.path, e.value)
                except Invalid as err:
                    self.why = str(err)
                    return self._stop(i, depth)
            elif kind is ev.Report:
                self.reports += 1
            elif kind is ev.Exit:
                if self.exit is not None:
                    self.why = "a second exit"
                    return self._stop(i, depth)
                self.exit = e.status
        self.depth = depth
        self.events += len(events)
        return None

    def _stop(self, i: int, depth: int) -> int:
        self.depth = depth
        return i

    def check_end(self, end: ev.End, outcome: bool = True) -> str | None:
        """What the end record says that the events do not (with `outcome`: also the exit
        status and the messages, which only a reader that decodes every event knows)."""
        if end.events != self.events:
            return f"the end record counts {end.events} events, the trace has {self.events}"
        if not outcome:
            return None
        if end.exit != self.exit:
            return f"the end record says exit status {end.exit}, the events {self.exit}"
        if end.reports != self.reports:
            return f"the end record counts {end.reports} messages, the events {self.reports}"
        return None
