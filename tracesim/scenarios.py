"""Built-in scenarios: the seed's command line and the teaching cases kept in traces/."""

from __future__ import annotations

import shlex

DEFAULT_NAME = "seed-q35-2node"
DEFAULT_ARGS = "-machine q35 -m 1024 -smp cpus=4 -numa node,cpus=0-1 -numa node,cpus=2-3"

# name -> (what it teaches, QEMU arguments)
TEACHING: dict[str, tuple[str, str]] = {
    DEFAULT_NAME: ("the seed's line: two nodes, RAM split 512/512", DEFAULT_ARGS),
    "three-node-uneven": (
        "default (propagating) RAM split of 1000 MiB over 3 nodes",
        "-machine q35 -m 1000 -smp 3 -numa node,cpus=0 -numa node,cpus=1 -numa node,cpus=2",
    ),
    "i440fx-legacy-split": (
        "legacy RAM split on pc-i440fx-2.9",
        "-machine pc-i440fx-2.9 -m 1000 -smp 3 -numa node,cpus=0 "
        "-numa node,cpus=1 -numa node,cpus=2",
    ),
    "explicit-mem": (
        "sizes given with mem=: no auto split, two deprecation warnings",
        "-machine q35 -m 1024 -smp 4 -numa node,mem=256M,cpus=0-1 -numa node,mem=768M,cpus=2-3",
    ),
    "mem-mismatch": (
        "node sizes that do not add up to -m: exit 1",
        "-machine q35 -m 1024 -smp 4 -numa node,mem=256M,cpus=0-1 -numa node,mem=512M,cpus=2-3",
    ),
    "dist-sym3": (
        "a distance table completed from one direction",
        "-machine q35 -m 1536 -smp 3 -numa node,cpus=0 -numa node,cpus=1 "
        "-numa node,cpus=2 -numa dist,src=0,dst=1,val=20 -numa dist,src=0,dst=2,val=30 "
        "-numa dist,src=1,dst=2,val=40",
    ),
    "dist-missing": (
        "a missing distance pair: exit 1",
        "-machine q35 -m 1536 -smp 3 -numa node,cpus=0 -numa node,cpus=1 "
        "-numa node,cpus=2 -numa dist,src=0,dst=1,val=20 "
        "-numa dist,src=0,dst=2,val=30",
    ),
    "sparse-ids": (
        "node ids 0 and 2 without 1: exit 1",
        "-machine q35 -m 1024 -smp 4 -numa node,nodeid=0,cpus=0-1 -numa node,nodeid=2,cpus=2-3",
    ),
    "cpus-unassigned": (
        "CPUs no node names go to node 0, with two warnings",
        "-machine q35 -m 1024 -smp 4 -numa node,cpus=0 -numa node,cpus=1",
    ),
    "numa-cpu-socket": (
        "-numa cpu binds whole sockets",
        "-machine q35 -m 1024 -smp 4,sockets=2,cores=2,threads=1 "
        "-numa node,nodeid=0 -numa node,nodeid=1 "
        "-numa cpu,node-id=0,socket-id=0 -numa cpu,node-id=1,socket-id=1",
    ),
    "memhp-auto": (
        "memory hotplug slots switch NUMA on with one node",
        "-machine q35 -m 1024,slots=4,maxmem=4G -smp 2",
    ),
}


# The same lessons on QEMU 7.2, and what an upgrade from 4.2 meets (traces/qemu-7.2/).
MEMDEV_2x512 = ("-object memory-backend-ram,id=m0,size=512M "
                "-object memory-backend-ram,id=m1,size=512M")
TEACHING_72: dict[str, tuple[str, str]] = {
    DEFAULT_NAME: ("the seed's line on 7.2: no automatic split any more, exit 1", DEFAULT_ARGS),
    "seed-memdev": (
        "the seed's layout as 7.2 wants it: a RAM backend per node",
        f"-machine q35 -m 1024 -smp cpus=4 {MEMDEV_2x512} "
        "-numa node,memdev=m0,cpus=0-1 -numa node,memdev=m1,cpus=2-3",
    ),
    "explicit-mem": (
        "-numa node,mem= refused on 5.1+ machine types",
        "-machine q35 -m 1024 -smp 4 -numa node,mem=256M,cpus=0-1 -numa node,mem=768M,cpus=2-3",
    ),
    "mem-q35-5.0": (
        "pc-q35-5.0 still takes mem=, with the deprecation warning",
        "-machine pc-q35-5.0 -m 1024 -smp 4 -numa node,mem=256M,cpus=0-1 "
        "-numa node,mem=768M,cpus=2-3",
    ),
    "smp-cores": (
        "-smp 4 means 4 cores of one socket on 6.2+ types: every CPU on node 0",
        f"-machine q35 -m 1G -smp 4 {MEMDEV_2x512} -numa node,memdev=m0 -numa node,memdev=m1",
    ),
    "smp-sockets-6.1": (
        "pc-q35-6.1 still fills sockets: CPUs 0,1,0,1",
        f"-machine pc-q35-6.1 -m 1G -smp 4 {MEMDEV_2x512} -numa node,memdev=m0 "
        "-numa node,memdev=m1",
    ),
    "dist-sym3-memdev": (
        "a distance table completed from one direction",
        "-machine q35 -m 1536 -smp 3 -object memory-backend-ram,id=m0,size=512M "
        "-object memory-backend-ram,id=m1,size=512M -object memory-backend-ram,id=m2,size=512M "
        "-numa node,memdev=m0,cpus=0 -numa node,memdev=m1,cpus=1 -numa node,memdev=m2,cpus=2 "
        "-numa dist,src=0,dst=1,val=20 -numa dist,src=0,dst=2,val=30 "
        "-numa dist,src=1,dst=2,val=40",
    ),
    "cpus-unassigned-memdev": (
        "CPUs no node names go to node 0, with the two warnings",
        f"-machine q35 -m 1024 -smp 4 {MEMDEV_2x512} -numa node,memdev=m0,cpus=0 "
        "-numa node,memdev=m1,cpus=1",
    ),
    "maxmem-auto-node": (
        "maxmem above -m without slots makes one node on 5.1+ types",
        "-machine q35 -m 1G,maxmem=4G -smp 2",
    ),
    "hmat-initiator": (
        "HMAT: an initiator node with CPUs, a memory-only node it serves",
        "-machine q35,hmat=on -m 1G -smp 2 -object memory-backend-ram,id=m0,size=512M "
        "-object memory-backend-ram,id=m1,size=512M -numa node,memdev=m0,cpus=0-1 "
        "-numa node,memdev=m1,initiator=0",
    ),
    "hmat-lb-cache": (
        "HMAT latency, bandwidth and a memory-side cache for one node",
        "-machine q35,hmat=on -m 1G -smp 2 -object memory-backend-ram,id=m0,size=1G "
        "-numa node,memdev=m0,cpus=0-1 -numa hmat-lb,initiator=0,target=0,hierarchy=memory,"
        "data-type=access-latency,latency=5 -numa hmat-lb,initiator=0,target=0,"
        "hierarchy=memory,data-type=access-bandwidth,bandwidth=1G -numa hmat-cache,node-id=0,"
        "size=10K,level=1,associativity=direct,policy=write-back,line=8",
    ),
    "pc-ram-clash": (
        "the id pc.ram is reserved for the default RAM backend: exit 1",
        "-machine q35 -m 1G -object memory-backend-ram,id=pc.ram,size=1G",
    ),
}
# What changes again on 10.0 (traces/qemu-10.0/)
TEACHING_100: dict[str, tuple[str, str]] = {
    DEFAULT_NAME: ("the seed's line on 10.0: still no automatic split, exit 1", DEFAULT_ARGS),
    "seed-memdev": TEACHING_72["seed-memdev"],
    "mem-q35-5.0": (
        "pc-q35-5.0 still takes mem=, but 10.0 first warns that the machine type is deprecated",
        TEACHING_72["mem-q35-5.0"][1],
    ),
    "smp-zero": (
        "-smp 0 is an error on 10.0 (7.2 warned and used 1 CPU)",
        "-machine q35 -m 1G -smp 0",
    ),
    "smp-modules": (
        "10.0's new module level: 2 modules of 2 cores, APIC ids and CPU nodes follow it",
        f"-machine q35 -m 1G -smp 8,sockets=2,modules=2,cores=2 {MEMDEV_2x512} "
        "-numa node,memdev=m0 -numa node,memdev=m1",
    ),
    "cpus-unassigned-memdev": TEACHING_72["cpus-unassigned-memdev"],
    "dist-sym3-memdev": TEACHING_72["dist-sym3-memdev"],
    "pc-ram-clash": (
        "the pc.ram clash, reworded with a hint on 10.0: exit 1",
        TEACHING_72["pc-ram-clash"][1],
    ),
}
SCENARIOS: dict[str, dict[str, tuple[str, str]]] = {
    "4.2": TEACHING, "7.2": TEACHING_72, "10.0": TEACHING_100,
}


def default_argv() -> list[str]:
    return shlex.split(DEFAULT_ARGS)


def scenario_argv(name: str, profile: str = "4.2") -> list[str]:
    return shlex.split(SCENARIOS[profile][name][1])
