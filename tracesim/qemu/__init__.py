"""The simulated program: QEMU 4.2's path from argv to machine_class->init, re-enacted.

It knows nothing of files, REPLs or graphs: it reports each modelled step to a recorder.
"""
from .simulate import PROFILES, Simulation, simulate

__all__ = ["PROFILES", "Simulation", "simulate"]
