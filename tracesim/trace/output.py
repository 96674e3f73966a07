"""Where tracesim writes: only regular files, through a temporary file beside the target
that every exit path Python sees removes, and that the next run cleans if a kill left it."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket",
          stat.S_IFLNK: "a symbolic link"}


class OutputError(Exception):
    """An output path tracesim will not write: one line, exit 2."""


def checked_target(path: str | os.PathLike[str]) -> Path:
    """The target if tracesim may write it: a new name or an existing regular file (never
    through a symbolic link: replacing it would replace the link, not what it names)."""
    text = os.fspath(path)
    if not text:
        raise OutputError("an empty file name: say where to write")
    target = Path(text)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise OutputError(f"{text}: {err.strerror or err}") from None
    if mode is not None and not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise OutputError(f"{text} is {kind}; tracesim writes only regular files and "
                          "replaces nothing else")
    parent = target.parent
    if not parent.is_dir():
        raise OutputError(f"{text}: no directory {str(parent)!r} to write into")
    return target


def _temp_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.[A-Za-z0-9_]+\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(target: Path) -> list[str]:
    """Remove temporary files an earlier, killed run left for this target (their pid is in
    the name and no longer runs); the names removed."""
    removed = []
    pattern = _temp_pattern(target)
    try:
        names = os.listdir(target.parent or ".")
    except OSError:
        return removed
    for name in names:
        m = pattern.match(name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            try:
                os.unlink(target.parent / name)
                removed.append(str(target.parent / name))
            except OSError:
                pass
    return removed


# Temporary files this process has open: whatever way it leaves (an error, SIGTERM caught as
# SystemExit between two statements), `remove_live_temps` takes them away.
LIVE_TEMPS: set[str] = set()


def temp_beside(target: Path) -> tuple[int, str]:
    """A new temporary file next to the target (same file system, so the rename is atomic),
    named with this process's id so that a later run can tell it was left behind."""
    for name in clean_stale(target):
        sys.stderr.write(f"tracesim: removed {name}, left by an earlier run that was killed\n")
    # a signal between the file's creation and its entry in LIVE_TEMPS would leave it behind:
    # held until it is entered (a process descheduled there waits long enough to matter)
    held = _hold_signals()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                   dir=target.parent or ".")
        LIVE_TEMPS.add(tmp)
    finally:
        _release_signals(held)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a trace is an ordinary file
    return fd, tmp


_HELD = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP} if hasattr(signal, "SIGHUP") else set()


def _hold_signals() -> set[int] | None:
    """Block the signals that end a run (they stay pending); the mask before, to restore."""
    if not _HELD or not hasattr(signal, "pthread_sigmask"):
        return None
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, _HELD))


def _release_signals(previous: set[int] | None) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def replace_target(tmp: str, target: Path) -> None:
    """Rename into place, unless the target became something else meanwhile."""
    checked_target(target)
    os.replace(tmp, target)
    LIVE_TEMPS.discard(tmp)


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[BinaryIO]:
    """A file to write that appears at `target` whole or not at all: a temporary file beside
    it, synced and renamed into place when the block ends, removed if it raises."""
    fd, tmp = temp_beside(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        replace_target(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        LIVE_TEMPS.discard(tmp)
        raise


def remove_live_temps() -> None:
    for tmp in list(LIVE_TEMPS):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        LIVE_TEMPS.discard(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
