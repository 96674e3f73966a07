"""The QEMU versions tracesim models: each trace's header names one of them."""

from __future__ import annotations

DEFAULT_PROFILE = "4.2"  # the seed's QEMU
PROFILES: tuple[str, ...] = ("4.2", "7.2", "10.0")


def known_profiles() -> str:
    return ", ".join(PROFILES)
