"""What must hold on any input."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import qemu

MASK = (1 << 23) - 1


@settings(max_examples=200, deadline=None)
@given(mem=st.integers(1, 1 << 20), n=st.integers(1, 16),
       machine=st.sampled_from(["q35", "pc-i440fx-2.9"]))
def test_auto_assigned_sizes_sum_to_ram_and_keep_the_alignment(mem: int, n: int, machine: str) -> None:
    run = qemu(["-machine", machine, "-m", f"{mem}M", "-smp", "1"] + ["-numa", "node"] * n)
    assert run.status == 0
    sizes = [node["mem"] for node in run.summary["numa"]["nodes"]]
    assert sum(sizes) == run.summary["ram_size"]
    assert all(size & MASK == 0 for size in sizes[:-1])  # every node but the last is aligned


option_words = st.sampled_from(["-machine", "-M", "-m", "-smp", "-numa", "-object", "-cpu",
                                "-enable-kvm", "--numa", "-bogus", "-S"])
text = st.text(alphabet=st.sampled_from(list("nodecpusmemdistvalrc=,-0123456789xMGKT.q35")),
               max_size=30)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(option_words, text), max_size=12))
def test_random_command_lines_never_raise(argv: list[str]) -> None:
    run = qemu(argv)  # any Python exception fails the test
    assert run.status in (0, 1)
    assert all(line.startswith("qemu-system-x86_64: ") or not line
               or line[0] in "UOa" for line in run.stderr.split("\n")), run.stderr
