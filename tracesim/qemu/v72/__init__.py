"""QEMU 7.2.22 (Debian bookworm): the functions and data that changed since 4.2.

What 7.2 runs unchanged (QemuOpts, size parsing, the distance checks) comes from the 4.2
modules with 7.2's line numbers (`lines.py`).
"""
