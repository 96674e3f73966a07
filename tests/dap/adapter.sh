#!/bin/sh
# What the editor runs: `tracesim debug -i=dap` (TRACESIM: which tracesim; TRACESIM_DAP_FLAG:
# the spelling of the interpreter flag, -i=dap or --interpreter=dap).
exec "${TRACESIM:-tracesim}" debug "${TRACESIM_DAP_FLAG:--i=dap}"
