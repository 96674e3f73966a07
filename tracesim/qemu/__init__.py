"""The simulated program: QEMU 4.2's path from argv to machine_class->init, re-enacted.

It knows nothing of files, REPLs or graphs: it reports each modelled step to a recorder.
Entry point: `tracesim.qemu.simulate.simulate`. (Nothing is imported here, so that reading
a trace does not load the model.)
"""
