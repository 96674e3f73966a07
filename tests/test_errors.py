"""Every error path of spec sections 2-5: QEMU's exact message, location prefix and status."""
from __future__ import annotations

import pytest

from conftest import qemu

P = "qemu-system-x86_64: "
SPLIT = (P + "warning: Default splitting of RAM between nodes is deprecated, Use '-numa "
         "node,memdev' to explictly define RAM allocation per node\n")
Q35 = "-machine q35 -m 1024 -smp 4 "

ERRORS = [
    # -m (set_memory_options, vl.c:2719-2796), location of the -m option
    ("-m size=", P + "-m size=: missing 'size' option value\n"),
    ("-m 17179869184T", P + "-m 17179869184T: Value '17179869184T' is out of range for "
     "parameter 'size'\n"),
    ("-m 17592186044416", P + "-m 17592186044416: too large 'size' option value\n"),
    ("-m 1024,maxmem=512M", P + "-m 1024,maxmem=512M: invalid value of -m option maxmem: maximum "
     "memory size (0x20000000) must be at least the initial memory size (0x40000000)\n"),
    ("-m 1024,slots=4,maxmem=1G", P + "-m 1024,slots=4,maxmem=1G: invalid value of -m option "
     "maxmem: memory slots were specified but maximum memory size (0x40000000) is equal to the "
     "initial memory size (0x40000000)\n"),
    ("-m 1024,slots=4", P + "-m 1024,slots=4: invalid -m option value: missing 'maxmem' option\n"),
    # -smp (pc_smp_parse): no location prefix
    ("-smp 4,sockets=1,cores=1,threads=1", P + "cpu topology: sockets (1) * dies (1) * cores (1) "
     "* threads (1) < smp_cpus (4)\n"),
    ("-smp 4,maxcpus=2", P + "maxcpus must be equal to or greater than smp\n"),
    ("-smp 2,sockets=2,cores=2,threads=1,maxcpus=2", P + "cpu topology: sockets (2) * dies (1) "
     "* cores (2) * threads (1) > maxcpus (2)\n"),
    ("-machine none -smp 2,sockets=1,cores=1,threads=1", P + "cpu topology: sockets (1) * cores "
     "(1) * threads (1) < smp_cpus (2)\n"),
    # -numa syntax (the opts visitor at numa.c:231), location of the -numa option
    ("-numa bogus,cpus=0", P + "-numa bogus,cpus=0: Invalid parameter 'bogus'\n"),
    ("-numa node,foo=1", P + "-numa node,foo=1: Invalid parameter 'foo'\n"),
    ("-numa nodeid=1", P + "-numa nodeid=1: Parameter 'type' is missing\n"),
    ("-numa node,mem=12Q", P + "-numa node,mem=12Q: Parameter 'mem' expects a size value\n"),
    ("-numa node,cpus=x", P + "-numa node,cpus=x: Parameter 'cpus' expects a uint64 value or "
     "range\n"),
    ("-numa node,cpus=3-1", P + "-numa node,cpus=3-1: Parameter 'cpus' expects a uint64 value or "
     "range\n"),
    ("-numa node,cpus=65536", P + "-numa node,cpus=65536: Parameter 'cpus' expects uint16_t\n"),
    ("-numa node,nodeid=65536", P + "-numa node,nodeid=65536: Parameter 'nodeid' expects "
     "uint16_t\n"),
    ("-numa node -numa dist,src=0,dst=0,val=256", P + "-numa dist,src=0,dst=0,val=256: "
     "Parameter 'val' expects uint8_t\n"),
    ("-numa node -numa dist,src=0,val=10", P + "-numa dist,src=0,val=10: Parameter 'dst' is "
     "missing\n"),
    ("-numa node -numa cpu,node-id=x", P + "-numa cpu,node-id=x: Parameter 'node-id' expects an "
     "int64 value\n"),
    # parse_numa_node (numa.c:59-139)
    (Q35 + "-numa node,nodeid=128", P + "-numa node,nodeid=128: Max number of NUMA nodes "
     "reached: 128\n"),
    (Q35 + "-numa node,nodeid=1 -numa node,nodeid=1", P + "-numa node,nodeid=1: Duplicate NUMA "
     "nodeid: 1\n"),
    (Q35 + "-numa node,cpus=4", P + "-numa node,cpus=4: CPU index (4) should be smaller than "
     "maxcpus (4)\n"),
    (Q35 + "-numa node,cpus=0-1 -numa node,cpus=1", P + "-numa node,cpus=1: CPU is already "
     "assigned to node-id: 0\n"),
    (Q35 + "-numa node,mem=512M,memdev=m0", P + "-numa node,mem=512M,memdev=m0: numa "
     "configuration should use either mem= or memdev=,mixing both is not allowed\n"),
    (Q35 + "-numa node,memdev=nope", P + "-numa node,memdev=nope: memdev=nope is ambiguous\n"),
    ("-machine none -m 512 -numa node", P + "-numa node: NUMA is not supported by this "
     "machine-type\n"),
    ("-machine microvm -numa node", P + "-numa node: NUMA is not supported by this "
     "machine-type\n"),
    # parse_numa_distance (numa.c:141-176)
    (Q35 + "-numa node -numa dist,src=128,dst=0,val=10", P + "-numa dist,src=128,dst=0,val=10: "
     "Parameter 'src' expects an integer between 0 and 127\n"),
    (Q35 + "-numa node -numa dist,src=0,dst=200,val=20", P + "-numa dist,src=0,dst=200,val=20: "
     "Parameter 'dst' expects an integer between 0 and 127\n"),
    (Q35 + "-numa node -numa dist,src=0,dst=1,val=20", P + "-numa dist,src=0,dst=1,val=20: "
     "Source/Destination NUMA node is missing. Please use '-numa node' option to declare it "
     "first.\n"),
    (Q35 + "-numa node -numa node -numa dist,src=0,dst=1,val=5", P + "-numa "
     "dist,src=0,dst=1,val=5: NUMA distance (5) is invalid, it shouldn't be less than 10.\n"),
    (Q35 + "-numa node -numa dist,src=0,dst=0,val=20", P + "-numa dist,src=0,dst=0,val=20: Local "
     "distance of node 0 should be 10.\n"),
    # the cpu case of set_numa_options and machine_set_cpu_numa_node
    (Q35 + "-numa node -numa cpu,socket-id=0", P + "-numa cpu,socket-id=0: Missing mandatory "
     "node-id property\n"),
    (Q35 + "-numa node -numa cpu,node-id=3", P + "-numa cpu,node-id=3: Invalid node-id=3, NUMA "
     "node must be defined with -numa node,nodeid=ID before it's used with -numa "
     "cpu,node-id=ID\n"),
    (Q35 + "-numa node -numa cpu,node-id=500", P + "-numa cpu,node-id=500: Invalid node-id=500, "
     "NUMA node must be defined with -numa node,nodeid=ID before it's used with -numa "
     "cpu,node-id=ID\n"),
    (Q35 + "-numa node -numa cpu,node-id=0,socket-id=7", P + "-numa cpu,node-id=0,socket-id=7: "
     "no match found\n"),
    (Q35 + "-numa node -numa cpu,node-id=0,die-id=0", P + "-numa cpu,node-id=0,die-id=0: die-id "
     "is not supported\n"),
    (Q35 + "-numa node,cpus=0 -numa node -numa cpu,node-id=1,socket-id=0", P + "-numa "
     "cpu,node-id=1,socket-id=0: CPU is already assigned to node-id: 0\n"),
    # numa_complete_configuration (no location)
    (Q35 + "-numa node,nodeid=0,cpus=0-1 -numa node,nodeid=2,cpus=2-3", P + "numa: Node ID "
     "missing: 1\n"),
    (Q35 + "-numa node,nodeid=1 -numa node,nodeid=3", P + "numa: Node ID missing: 2\n"),
    (Q35 + "-numa node,nodeid=127", P + "numa: Node ID missing: 126\n"),
    (Q35 + "-numa node,mem=256M,cpus=0-1 -numa node,mem=512M,cpus=2-3",
     P + "-numa node,mem=256M,cpus=0-1: warning: Parameter -numa node,mem is deprecated, use "
     "-numa node,memdev instead\n" + P + "-numa node,mem=512M,cpus=2-3: warning: Parameter -numa "
     "node,mem is deprecated, use -numa node,memdev instead\n" + P + "total memory for NUMA nodes "
     "(0x30000000) should equal RAM size (0x40000000)\n"),
    ("-machine q35 -m 1536 -smp 3 -numa node,cpus=0 -numa node,cpus=1 -numa node,cpus=2 "
     "-numa dist,src=0,dst=1,val=20 -numa dist,src=0,dst=2,val=30", SPLIT + P + "The distance "
     "between node 1 and 2 is missing, at least one distance value between each nodes should be "
     "provided.\n"),
    ("-machine q35 -m 1536 -smp 3 -numa node,cpus=0 -numa node,cpus=1 -numa node,cpus=2 "
     "-numa dist,src=0,dst=1,val=20 -numa dist,src=1,dst=0,val=30 -numa dist,src=0,dst=2,val=30 "
     "-numa dist,src=1,dst=2,val=40", SPLIT + P + "At least one asymmetrical pair of distances is "
     "given, please provide distances for both directions of all node pairs.\n"),
    # the first pass over argv and select_machine
    ("-frobnicate", P + "-frobnicate: invalid option\n"),
    ("-m", P + "-m: requires an argument\n"),
    ("-machine foo", P + "-machine foo: unsupported machine type\n"
     "Use -machine help to list supported machines\n"),
    ("-smp cpus=x", P + "-smp cpus=x: Parameter 'cpus' expects a number\n"),
    ("-smp 2,foo=1", P + "-smp 2,foo=1: Invalid parameter 'foo'\n"),
]


@pytest.mark.parametrize("args,stderr", ERRORS, ids=[a for a, _ in ERRORS])
def test_error_message_and_exit_status(args: str, stderr: str) -> None:
    run = qemu(args)
    assert run.stderr == stderr
    assert run.status == 1


def test_fatal_exit_is_the_last_event_and_names_its_line() -> None:
    run = qemu(Q35 + "-numa node,nodeid=0,cpus=0-1 -numa node,nodeid=2,cpus=2-3")
    last = run.trace.events[-1]
    assert type(last).__name__ == "Exit" and last.status == 1 and last.line == 401
    assert run.stops[-2:] == ["numa_complete_configuration hw/core/numa.c:400",
                              "numa_complete_configuration hw/core/numa.c:401"]


def test_max_cpus_of_the_machine_type() -> None:
    run = qemu("-machine q35 -smp 300")
    assert run.stderr == (P + "Number of SMP CPUs requested (300) exceeds max CPUs supported by "
                          "machine 'pc-q35-4.2' (288)\n")
    run = qemu("-machine q35 -smp 2,maxcpus=300")
    assert run.stderr == (P + "Invalid SMP CPUs 300. The max CPUs supported by machine "
                          "'pc-q35-4.2' is 288\n")
