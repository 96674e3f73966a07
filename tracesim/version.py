"""tracesim's own version (the trace header records it)."""
__version__ = "0.1.0"
