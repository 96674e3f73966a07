"""What QEMU 4.2 decides on successful runs: RAM splits, distances, CPU nodes (spec 4-5, 9)."""
from __future__ import annotations

import pytest

from conftest import qemu

MiB = 1 << 20


def nodes_mib(args: str) -> list[float]:
    run = qemu(args)
    assert run.status == 0, run.stderr
    return [n["mem"] / MiB for n in run.summary["numa"]["nodes"]]


def bare_nodes(n: int) -> str:
    return " ".join(f"-numa node,cpus={i}" for i in range(n))


@pytest.mark.parametrize("machine,mem,n,want", [
    ("q35", 1000, 3, [328, 336, 336]),
    ("pc-i440fx-2.9", 1000, 3, [328, 328, 344]),
    ("pc-q35-2.9", 1000, 3, [328, 328, 344]),
    ("q35", 1023, 3, [336, 344, 343]),
    ("pc-i440fx-2.9", 1023, 3, [336, 336, 351]),
    ("q35", 1024, 2, [512, 512]),
    ("q35", 1536, 3, [512, 512, 512]),
    ("pc-q35-2.10", 1000, 3, [328, 328, 344]),   # legacy up to pc-q35-2.10
    ("pc-q35-2.11", 1000, 3, [328, 336, 336]),
    ("pc-i440fx-2.10", 1000, 3, [328, 336, 336]),  # default from pc-i440fx-2.10
    ("pc-1.0", 1000, 3, [328, 328, 344]),
])
def test_auto_split_table(machine: str, mem: int, n: int, want: list[int]) -> None:
    assert nodes_mib(f"-machine {machine} -m {mem} -smp {n} {bare_nodes(n)}") == want


def test_worked_default_split_in_bytes() -> None:
    run = qemu("-machine q35 -m 1000 -smp 3 " + bare_nodes(3))
    assert [n["mem"] for n in run.summary["numa"]["nodes"]] == [343932928, 352321536, 352321536]


def test_isapc_two_nodes() -> None:
    run = qemu("-machine isapc -m 512 -smp 1 -numa node -numa node")
    assert [n["mem"] for n in run.summary["numa"]["nodes"]] == [256 * MiB, 256 * MiB]
    assert [c["node_id"] for c in run.summary["cpus"]] == [0]
    assert "Default splitting" in run.stderr and run.status == 0


def test_mem_zero_still_auto_splits_after_two_warnings() -> None:
    run = qemu("-machine q35 -m 1024 -smp 4 -numa node,mem=0,cpus=0-1 -numa node,mem=0,cpus=2-3")
    assert run.stderr.count("Parameter -numa node,mem is deprecated") == 2
    assert run.stderr.endswith("explictly define RAM allocation per node\n")
    assert [n["mem"] for n in run.summary["numa"]["nodes"]] == [512 * MiB, 512 * MiB]


def test_plain_mem_number_is_mib() -> None:
    run = qemu("-machine q35 -m 1024 -smp 2 -numa node,mem=256,cpus=0 -numa node,mem=768,cpus=1")
    assert [n["mem"] for n in run.summary["numa"]["nodes"]] == [256 * MiB, 768 * MiB]


def test_memdev_sizes_come_from_the_backends() -> None:
    run = qemu("-machine q35 -m 1G -smp 2 -object memory-backend-ram,id=m0,size=256M "
               "-object memory-backend-ram,id=m1,size=768M "
               "-numa node,memdev=m0,cpus=0 -numa node,memdev=m1,cpus=1")
    assert run.status == 0 and run.stderr == ""
    assert [n["mem"] for n in run.summary["numa"]["nodes"]] == [256 * MiB, 768 * MiB]


def test_symmetric_distances_completed() -> None:
    run = qemu("-machine q35 -m 1536 -smp 3 " + bare_nodes(3) + " -numa dist,src=0,dst=1,val=20 "
               "-numa dist,src=0,dst=2,val=30 -numa dist,src=1,dst=2,val=40")
    assert [n["distance"] for n in run.summary["numa"]["nodes"]] == [
        [10, 20, 30], [20, 10, 40], [30, 40, 10]]


def test_full_asymmetric_table_kept_as_given() -> None:
    run = qemu("-machine q35 -m 1536 -smp 3 " + bare_nodes(3) + " -numa dist,src=0,dst=1,val=20 "
               "-numa dist,src=1,dst=0,val=30 -numa dist,src=0,dst=2,val=30 "
               "-numa dist,src=2,dst=0,val=35 -numa dist,src=1,dst=2,val=40 "
               "-numa dist,src=2,dst=1,val=45")
    assert run.status == 0
    assert [n["distance"] for n in run.summary["numa"]["nodes"]] == [
        [10, 20, 30], [30, 10, 40], [35, 45, 10]]


def test_no_dist_leaves_distance_unset() -> None:
    run = qemu("-machine q35 -m 1024 -smp 4 -numa node,cpus=0-1 -numa node,cpus=2-3")
    numa = run.summary["numa"]
    assert numa["have_numa_distance"] is False
    assert [n["distance"] for n in numa["nodes"]] == [None, None]


def test_nothing_bound_means_socket_modulo_nodes_without_warning() -> None:
    run = qemu("-machine q35 -m 1024 -smp 4 -numa node -numa node")
    assert [c["node_id"] for c in run.summary["cpus"]] == [0, 1, 0, 1]
    assert "CPU(s) not present" not in run.stderr


def test_partly_bound_rest_go_to_node_0_with_two_warnings() -> None:
    run = qemu("-machine q35 -m 1024 -smp 4 -numa node,cpus=0 -numa node,cpus=1")
    assert [c["node_id"] for c in run.summary["cpus"]] == [0, 1, 0, 0]
    assert ("CPU(s) not present in any NUMA nodes: CPU 2 [socket-id: 2, core-id: 0, thread-id: 0]"
            ", CPU 3 [socket-id: 3, core-id: 0, thread-id: 0]\n") in run.stderr


def test_die_id_printed_without_separator_as_qemu_does() -> None:
    run = qemu("-machine q35 -m 1024 -smp 4,sockets=1,dies=2,cores=2,threads=1 -numa node,cpus=0")
    assert "CPU 1 [socket-id: 0die-id: 0, core-id: 1, thread-id: 0]" in run.stderr
    assert "CPU 2 [socket-id: 0die-id: 1, core-id: 0, thread-id: 0]" in run.stderr


def test_numa_cpu_binds_whole_sockets() -> None:
    run = qemu("-machine q35 -m 1024 -smp 4,sockets=2,cores=2,threads=1 -numa node,nodeid=0 "
               "-numa node,nodeid=1 -numa cpu,node-id=0,socket-id=0 -numa cpu,node-id=1,socket-id=1")
    assert [c["node_id"] for c in run.summary["cpus"]] == [0, 0, 1, 1]
    assert [c["core_id"] for c in run.summary["cpus"]] == [0, 1, 0, 1]


def test_memory_hotplug_slots_auto_enable_one_node() -> None:
    run = qemu("-machine q35 -m 1024,slots=4,maxmem=4G -smp 2")
    s = run.summary
    assert (s["numa"]["num_nodes"], s["numa"]["nodes"][0]["mem"]) == (1, 1024 * MiB)
    assert [c["node_id"] for c in s["cpus"]] == [0, 0] and run.stderr == ""
    assert (s["maxram_size"], s["ram_slots"]) == (4 << 30, 4)


def test_old_machine_does_not_auto_enable_with_slots() -> None:
    run = qemu("-machine pc-i440fx-2.9 -m 1024,slots=4,maxmem=4G -smp 2")
    assert run.summary["numa"]["num_nodes"] == 0 and run.status == 0


def test_not_present_cpus_are_possible_but_not_listed_by_info_numa() -> None:
    from tracesim.debugger.outcome import info_numa
    from tracesim.trace.fold import fold

    run = qemu("-machine q35 -m 1024 -smp 2,maxcpus=4 -numa node,cpus=0-1 -numa node,cpus=2-3")
    assert len(run.summary["cpus"]) == 4
    assert "node 1 cpus:\n" in info_numa(fold(run.trace.events))


def test_default_machine_and_ram() -> None:
    run = qemu("")
    s = run.summary
    assert (s["machine"], s["ram_size"], s["numa"]["num_nodes"]) == ("pc-i440fx-4.2", 128 * MiB, 0)
    assert run.status == 0 and run.stderr == ""


def test_ram_size_rounded_up_to_8k() -> None:
    assert qemu("-m 1000K").summary["ram_size"] == 1024000  # already a multiple
    assert qemu("-m 1001K").summary["ram_size"] == 1032192


def test_smp_topology_derivations() -> None:
    s = qemu("-smp 2,maxcpus=4 -numa node").summary
    assert s["smp"] == {"cpus": 2, "cores": 1, "threads": 1, "max_cpus": 4, "dies": 1}
    assert len(s["cpus"]) == 4  # possible CPUs are built on demand, here by -numa
    assert qemu("-smp 2,maxcpus=4").summary["cpus"] == []
    s = qemu("-smp 8,sockets=2").summary
    assert (s["smp"]["cores"], s["smp"]["threads"]) == (4, 1)
    s = qemu("-smp 8,sockets=2,cores=2").summary
    assert s["smp"]["threads"] == 2


def test_invalid_topology_only_warns() -> None:
    run = qemu("-smp 2,sockets=2,cores=2,threads=1,maxcpus=8")
    assert run.status == 0
    assert run.stderr == ("qemu-system-x86_64: warning: Invalid CPU topology deprecated: sockets "
                          "(2) * dies (1) * cores (2) * threads (1) != maxcpus (8)\n")


def test_apic_ids_follow_the_topology_bit_widths() -> None:
    s = qemu("-machine q35 -smp 6,sockets=2,cores=3,threads=1 -numa node").trace
    from tracesim.trace.fold import fold
    mem = fold(s.events).memory
    assert [mem.get(f"possible_cpus.cpus[{i}].arch_id", 0) for i in range(6)] == [0, 1, 2, 4, 5, 6]


def test_machine_help_lists_the_catalogue() -> None:
    run = qemu("-machine help")
    assert run.status == 0 and run.stderr == ""
    lines = run.stdout.splitlines()
    assert lines[0] == "Supported machines are:"
    assert lines[1] == "microvm              microvm (i386)"
    assert lines[2] == "pc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-4.2)"
    assert lines[3] == "pc-i440fx-4.2        Standard PC (i440FX + PIIX, 1996) (default)"
    assert "pc-0.12              Standard PC (i440FX + PIIX, 1996) (deprecated)" in lines
    assert lines[-2:] == ["isapc                ISA-only PC", "none                 empty machine"]
    names = [l.split()[0] for l in lines[1:]]
    assert names.index("pc-i440fx-2.2") < names.index("pc-i440fx-2.12") < names.index("pc-i440fx-2.1")


def test_pasted_command_line_with_unmodelled_options() -> None:
    run = qemu("/usr/bin/qemu-system-x86_64 -enable-kvm -machine q35 -m 1024 -smp cpus=4 "
               "-drive file=disk.img,if=virtio -vnc :0 -display none -monitor stdio -cpu host -S "
               "-numa node,cpus=0-1 -numa node,cpus=2-3")
    assert run.status == 0
    assert [c["node_id"] for c in run.summary["cpus"]] == [0, 0, 1, 1]
    ignored = [e.data["arg"] for e in run.trace.events
               if type(e).__name__ == "Fact" and e.name == "opt.ignored"]
    assert "-drive file=disk.img,if=virtio" in ignored and "-enable-kvm" in ignored


def test_repeated_cpus_append_and_last_scalar_wins() -> None:
    run = qemu("-machine q35 -m 1024 -smp 4 -numa node,cpus=0,cpus=2,nodeid=5,nodeid=0 "
               "-numa node,cpus=1,cpus=3")
    assert [c["node_id"] for c in run.summary["cpus"]] == [0, 1, 0, 1]
