"""What the adapter's parts share: its one thread, the error a request is answered with,
and the state that the request handlers (the mixins Adapter is made of) read and write.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..debugger.driver import Driver
from ..debugger.session import Session
from .variables import Refs


if TYPE_CHECKING:
    from .breakpoints import PointMeta
    from .runcontrol import Stop

THREAD_ID = 1
THREAD_NAME = "qemu-system-x86"  # gdb: Thread 1 "qemu-system-x86"


class RequestError(Exception):
    """Answered as an error response with this message."""


class AdapterState:
    """The adapter's state (set by Adapter.__init__) and the helpers every part uses."""

    send_event: Callable[[str, dict[str, Any] | None], None]
    default_qemu_src: str | None
    default_profile: str | None
    session: Session | None
    driver: Driver | None
    launch_args: dict[str, Any]
    qemu_src: Path | None
    configured: bool
    terminated: bool
    no_debug: bool
    done: bool
    refs: Refs
    frame_ids: dict[int, int]
    next_frame_id: int
    source_refs: dict[str, int]
    files_of: tuple[Session, set[str]] | None
    ref_files: dict[int, str]
    meta: dict[int, PointMeta]
    source_points: dict[str, list[int]]
    function_points: list[int]
    data_points: list[int]
    catch_points: list[int]
    exception_stop: Stop | None
    config: dict[str, tuple[str, dict[str, Any]]]
    pending: list[tuple[str, dict[str, Any] | None]]

    def event(self, name: str, body: dict[str, Any] | None = None) -> None:
        self.pending.append((name, body))

    def _s(self) -> Session:
        if self.session is None:
            raise RequestError("no program is loaded yet: send 'launch' first")
        return self.session

    def _running(self) -> Session:
        s = self._s()
        if not s.running:
            raise RequestError("The program is not being run.")
        return s
