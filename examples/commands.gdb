# A gdb command file for tracesim's replay debugger, as README.md runs it:
#   tracesim debug -batch -x examples/commands.gdb traces/dist-sym3.jsonl
# Node 2's distances before and after QEMU completes the matrix (the line gives only 0->1,
# 0->2 and 1->2; complete_init_numa_distance mirrors them and sets the local distance 10).
break complete_init_numa_distance
run
bt
p/d ms->numa_state->nodes[2].distance[0]@3
finish
p/d ms->numa_state->nodes[2].distance[0]@3
info numa
