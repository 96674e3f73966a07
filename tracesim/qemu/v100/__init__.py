"""QEMU 10.0.13 (Debian trixie): what changed since 7.2, on the 7.2 model.

The 7.2 functions run with 10.0's line numbers (`lines.py`: the line tables, numbers only);
the functions 10.0 rewrote have their own versions here.
"""
