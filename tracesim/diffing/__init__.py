"""The parts of `tracesim diff`, one responsibility per module.

`align` lines two traces up by execution index and cuts them into hunks; `options` compares
QEMU command lines and their options; `outcome` compares what the runs ended with; `describe`
puts values and events in C's words; `explain` turns hunks into QEMU's terms (the decision,
its operands, the stores and options behind them); `crossver` compares runs of two QEMU
versions by what they decide rather than by line, and sums up the cross-version noise;
`render` lays a report out as text. The front end, `tracesim.diff`, parses the arguments,
composes the report and prints it.
"""
