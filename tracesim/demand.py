"""Demand loading (as Mercurial's demandimport does it): a module some dependency imports
at start-up but this path never calls is bound to a stand-in that imports the real module on
first use. structlog's package import pulls in asyncio (and with it ssl) for its async
loggers, which tracesim never uses: deferring it keeps `tracesim run` from paying for it.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from typing import Any


class _Deferred(types.ModuleType):
    """Stands in sys.modules for a module not imported yet; any attribute imports it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        # the import system reads __spec__ of a module found in sys.modules: a settled one
        spec = importlib.machinery.ModuleSpec(name, None)
        spec._initializing = False  # type: ignore[attr-defined]
        object.__setattr__(self, "__spec__", spec)

    def _real(self) -> types.ModuleType:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        return importlib.import_module(name)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._real(), attr)

    def __dir__(self) -> list[str]:
        return dir(self._real())


def defer(*names: str) -> None:
    """Bind each module not imported yet to a stand-in until first use."""
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = _Deferred(name)
