"""The trace is the truth: folding it gives the model's own state, at the end and anywhere."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import golden_cases
from tracesim.qemu.simulate import simulate
from tracesim.qemu.state import flat_state
from tracesim.scenarios import TEACHING, scenario_argv
from tracesim.trace.fold import Timeline, fold
from tracesim.trace.recorder import Recorder
from tracesim.trace.store import encode_lines, parse_trace
from tracesim.trace import events as ev

ARGVS = [scenario_argv(n) for n in TEACHING] + [c["argv"] for c in golden_cases()]


def folded_equals_model(argv: list[str]) -> None:
    rec = Recorder()
    sim = simulate(argv, rec)
    assert sim.process is not None and sim.process.ms is not None
    # through the file format, as a user's trace would be read back
    header = ev.Header(schema=ev.SCHEMA_VERSION, tracesim="test", profile="4.2", argv=argv)
    events = parse_trace(encode_lines(header, rec.events)).events
    memory = {k: v for k, v in fold(events).memory.items()
              if not k.startswith("mc.") and v not in (0, False, None)}
    assert memory == flat_state(sim.process.ms, sim.process.g, list(sim.process.backends.values()))


@pytest.mark.parametrize("argv", ARGVS, ids=[" ".join(a) for a in ARGVS])
def test_fold_of_whole_trace_is_model_state(argv: list[str]) -> None:
    folded_equals_model(argv)


def test_checkpoints_give_the_same_state_as_folding_from_scratch() -> None:
    events = parse_trace(encode_lines(
        ev.Header(schema=ev.SCHEMA_VERSION, tracesim="t", profile="4.2", argv=[]),
        Recorder_events(scenario_argv("dist-sym3")))).events
    tl = Timeline(events, every=97)
    for position in range(0, len(events) + 1, 13):
        a, b = tl.state_at(position), fold(events, position)
        assert a.memory == b.memory
        assert [(f.fn, f.line, f.locals) for f in a.frames] == [(f.fn, f.line, f.locals) for f in b.frames]


def Recorder_events(argv: list[str]) -> list:
    rec = Recorder()
    simulate(argv, rec)
    return rec.events


node = st.builds(lambda cpus, mem: "node" + (f",cpus={cpus}" if cpus is not None else "")
                 + (f",mem={mem}M" if mem is not None and mem % 7 else
                    ",memdev=m0" if mem is not None else ""),
                 st.one_of(st.none(), st.integers(0, 7)), st.one_of(st.none(), st.integers(0, 2048)))
dist = st.builds(lambda s, d, v: f"dist,src={s},dst={d},val={v}",
                 st.integers(0, 3), st.integers(0, 3), st.integers(5, 60))
config = st.builds(
    lambda machine, mem, smp, numas: ["-machine", machine, "-m", str(mem), "-smp", str(smp),
                                      "-object", "memory-backend-ram,id=m0,size=64M"]
    + [w for n in numas for w in ("-numa", n)],
    st.sampled_from(["q35", "pc", "pc-i440fx-2.9", "pc-q35-2.10", "isapc"]),
    st.integers(1, 4096), st.integers(1, 8), st.lists(st.one_of(node, node, dist), max_size=8))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config)
def test_fold_equals_model_on_any_configuration(argv: list[str]) -> None:
    folded_equals_model(argv)
