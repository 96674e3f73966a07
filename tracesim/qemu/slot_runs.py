"""Which iterations of machine_set_cpu_numa_node's slot loop repeat alike.

QEMU binds each CPU of a `cpus=` list by scanning every possible-CPU slot (machine.c's
loop over possible_cpus), so `-numa node,cpus=0-287` costs 288 x 288 iterations, most of
them skipping a slot at the same id test. Runs of slots skipped alike (the same test, the
addresses and ids advancing by a constant step, over a period of a few slots for thread or
core patterns) are recorded as one Repeat record (trace/recorder.py), which readers expand
event for event.
"""

from __future__ import annotations

from typing import Any, Sequence

MAX_PERIOD = 8  # slots in one repetition: the smallest topology levels (threads, cores)
MIN_TIMES = 3  # repetitions worth a record

Plan = dict[int, tuple[int, int]]  # first slot -> (period, repetitions)


def _signature(slot: Any, props: dict[str, Any], support: Sequence[str],
               match: Sequence[str]) -> tuple[int, tuple[int, ...]] | None:
    """(the id test that skips this slot, the values its events show) or None when the
    slot is not simply skipped (an unsupported id, or the slot that matches)."""
    sp = slot.props
    for key in support:
        if props[f"has_{key}"] and not getattr(sp, f"has_{key}"):
            return None
    values = [slot.address]
    for m, key in enumerate(match):
        value = getattr(sp, key)
        values.append(value)
        if props[f"has_{key}"] and props[key] != value:
            return m, tuple(values)
    return None


def _delta(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(y - x for x, y in zip(a, b))


def plan_skips(slots: Sequence[Any], props: dict[str, Any], support: Sequence[str],
               match: Sequence[str]) -> Plan:
    """The runs of slots skipped alike: each run is `repetitions` periods of `period`
    slots whose tests match period to period and whose values advance by a constant."""
    sig = [_signature(s, props, support, match) for s in slots]
    n = len(sig)
    plan: Plan = {}
    s = 0
    while s < n:
        found = None
        if sig[s] is not None:
            for p in range(1, MAX_PERIOD + 1):
                if s + MIN_TIMES * p > n:
                    break
                base = sig[s:s + p]
                nxt = sig[s + p:s + 2 * p]
                if None in base or None in nxt or any(a[0] != b[0] for a, b in zip(base, nxt)):
                    continue
                steps = [_delta(a[1], b[1]) for a, b in zip(base, nxt)]
                times = 2
                while s + (times + 1) * p <= n:
                    here = sig[s + times * p:s + (times + 1) * p]
                    before = sig[s + (times - 1) * p:s + times * p]
                    if None in here or any(
                        h[0] != b[0] or _delta(b[1], h[1]) != d
                        for h, b, d in zip(here, before, steps)
                    ):
                        break
                    times += 1
                if times >= MIN_TIMES:
                    found = (p, times)
                    break
        if found is not None:
            plan[s] = found
            s += found[0] * found[1]
        else:
            s += 1
    return plan


def skip_plan(q: Any, slots: Sequence[Any], props: dict[str, Any], support: Sequence[str],
              match: Sequence[str]) -> Plan:
    """plan_skips, kept per run for each CPU's ids: a `cpus=` range given ten times plans
    each CPU once (the slots' ids never change; their node binding does not take part)."""
    key = (len(slots), tuple(props.get(f"has_{k}") for k in support),
           tuple((props.get(f"has_{k}"), props.get(k)) for k in match))
    plan = q.skip_plans.get(key)
    if plan is None:
        plan = q.skip_plans[key] = plan_skips(slots, props, support, match)
    return plan


def scan_slots(rec: Any, plan: Plan, count: int, one_slot: Any) -> bool:
    """The slot loop: one_slot(i) records slot i's iteration and says whether it bound the
    CPU; a planned run is recorded as one Repeat (Recorder.repeat). Whether any slot bound."""
    bound = False
    i = 0
    while i < count:
        run = plan.get(i)
        if run is not None:
            period, times = run
            start = i
            i += period * rec.repeat(
                times, lambda k: [one_slot(start + k * period + j) for j in range(period)])
            continue
        bound = one_slot(i) or bound
        i += 1
    return bound
