"""One writer at a time per output folder.

Two runs writing one folder at once would sweep each other's temporary folders and race on the
manifest and the catalog. So a writer takes an exclusive ``flock`` on the output folder itself
before it touches anything, and keeps it until the batch is finished or the process ends: the
kernel drops the lock of a process that dies, so a killed run never leaves the folder locked, and
no lock file is left in the folder or rewritten by a run that has nothing to do. The message to a
second writer names the holder's pid, which the kernel lists in ``/proc/locks`` (Linux; elsewhere
the pid is "unknown"). Readers (``status``, ``query``, ``review``, ``diff``) never take the lock:
every file they read is replaced atomically.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path

from .errors import UsageError


class OutputBusy(UsageError):
    """Another process is writing the output folder."""


# flock belongs to an open file: a process that opened the lock file twice would lock itself
# out, so the locks this process holds are kept here, by folder, and taking one again is a no-op.
_HELD: dict[str, int] = {}
_GUARD = threading.Lock()


def _key(out_dir: str | Path) -> str:
    return str(Path(out_dir).resolve())


def _holder_pid(fd: int) -> str:
    """The pid holding a flock on the file open as ``fd``, from the kernel's list of locks."""
    st = os.fstat(fd)
    ident = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5] == ident and parts[4] != str(os.getpid()):
                    return parts[4]
    except OSError:
        pass
    return "unknown"


def acquire(out_dir: str | Path) -> None:
    """Take the folder's write lock, or raise ``OutputBusy`` naming the process that holds it.
    ``out_dir`` must exist (``store.check_output_dir``)."""
    key = _key(out_dir)
    with _GUARD:
        if key in _HELD:
            return
        fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder_pid(fd)
            os.close(fd)
            raise OutputBusy(
                f"another reportpipe run is writing {out_dir} (pid {pid}); wait for it to finish, "
                "or give another --out."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        _HELD[key] = fd


def release(out_dir: str | Path) -> None:
    """Give the lock back (closing the folder drops it); nothing happens if it is not held."""
    with _GUARD:
        fd = _HELD.pop(_key(out_dir), None)
    if fd is not None:
        os.close(fd)


def held_here(out_dir: str | Path) -> bool:
    return _key(out_dir) in _HELD


def writer_pid(out_dir: str | Path) -> int | None:
    """The pid of another process writing ``out_dir`` now (-1 when it cannot be told), or None
    when no other process writes it."""
    if held_here(out_dir):
        return None
    try:
        fd = os.open(_key(out_dir), os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder_pid(fd)
            return int(pid) if pid.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@contextlib.contextmanager
def writing(out_dir: str | Path):
    """The write lock of ``out_dir`` for the duration of a ``with`` block."""
    already = held_here(out_dir)
    acquire(out_dir)
    try:
        yield
    finally:
        if not already:
            release(out_dir)
