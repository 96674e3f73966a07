"""tracesim: QEMU 4.2's board-init NUMA path, simulated as an event-sourced trace."""
from .version import __version__

__all__ = ["__version__"]
