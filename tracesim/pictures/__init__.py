"""What the picture front ends (graph, docs, export) are built from: call-flow and
control-flow models of a run, their DOT drawings, the HTML pieces of the docs site, and the
generator of the model's control-flow table (`python -m tracesim.pictures.cfg_build`)."""
