"""Run a function in a worker process with a wall-clock limit and a memory cap.

PDF parsers are C code: a decompression bomb can burn CPU for minutes, a hostile file can exhaust
memory or crash the process, and neither a Prefect task timeout nor a thread can interrupt a C
call. So a report runs in a worker process that the parent can kill. The worker is kept warm and
reused across reports (imports cost more than most reports), recycled after a number of reports,
and replaced when it had to be killed. Reports of a batch run side by side, one per core by
default (``Limits.workers``), each in a worker of its own, so that a report that has to be killed
takes no neighbour's work with it.

This module knows nothing of reports or batches: it runs the function it is given and turns a
broken limit into a ``ReportError`` (timeout, memory_limit, worker_crashed), which the caller
records like any other failure. The pool and multiprocessing's resource tracker are stopped at
exit, so no process outlives the one that started them.
"""

from __future__ import annotations

import atexit
import ctypes
import multiprocessing as mp
import os
import queue
import re
import resource
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .errors import ReportError

T = TypeVar("T")

# How much of a PDF the page estimate scans: enough for any real report's page tree, bounded so
# that a huge file cannot make the estimate itself slow.
_PAGE_SCAN_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one call in the worker may spend."""

    timeout_s: float = 60.0  # wall-clock seconds per report, before the per-page allowance
    seconds_per_page: float = 2.0  # a long PDF is allowed proportionally longer
    memory_mb: int = 2048  # address-space cap of the worker (RLIMIT_AS)
    recycle_after: int = 25  # calls per worker before a fresh one (bounds leaks in C libraries)
    workers: int = 1  # reports run side by side, each in a worker of its own


# Reports at a time by default: one per core (a report is one process's CPU work), at most four,
# since each warm worker holds about 150 MB and the whole batch should stay well under 1 GB.
DEFAULT_WORKERS = max(1, min(os.cpu_count() or 1, 4))


class _Slot:
    """One worker process (a single-process pool) and the call it runs: a broken limit kills
    only this slot's worker, never a neighbour's report."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None
        self.key: tuple[int, int] | None = None

    def executor(self, limits: Limits) -> ProcessPoolExecutor:
        key = (limits.memory_mb, limits.recycle_after)
        if self.pool is None or self.key != key:
            self.stop()
            self.pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=mp.get_context("spawn"),
                initializer=_init_worker,
                initargs=(limits.memory_mb, os.getpid()),
                max_tasks_per_child=limits.recycle_after,
            )
            self.key = key
        return self.pool

    def processes(self) -> list:
        return list((getattr(self.pool, "_processes", None) or {}).values())

    def stop(self, kill: bool = False) -> None:
        """Stop the worker; ``kill`` ends it at once (a call that ran over its time)."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        procs = list((getattr(pool, "_processes", None) or {}).values())
        if kill:
            for proc in procs:
                try:
                    proc.kill()
                except (OSError, AttributeError):
                    pass
        pool.shutdown(wait=not kill, cancel_futures=True)
        for proc in procs:  # reap them, so none is left as a zombie or still exiting
            proc.join(timeout=5)


_SLOTS: list[_Slot] = []
# Last freed, first taken: calls one after another keep using one warm worker, and a second
# worker starts only when two reports run at once.
_FREE: queue.LifoQueue[_Slot] = queue.LifoQueue()
_SETUP = threading.Lock()
_ABANDONED = threading.Event()


class Abandoned(RuntimeError):
    """The batch was interrupted: a call still queued for the worker is not run."""


def abandon() -> None:
    """The batch is interrupted: kill the worker now and refuse the calls still queued (a task
    runner's threads would otherwise run them one by one before the process could exit)."""
    _ABANDONED.set()
    shutdown(kill=True)


def resume() -> None:
    """A new batch: calls run again."""
    _ABANDONED.clear()


class _OutOfMemory:
    """What the worker sends back when the call raised MemoryError (the exception itself may not
    survive pickling when memory is short)."""


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _exit_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when its parent is gone (killed by a signal or the OOM
    killer, so that no exit handler of its ran): an orphaned worker would otherwise wait for work
    forever and keep multiprocessing's resource tracker alive with it. (A watching thread would
    do as well, but a second thread makes malloc thrash under the memory cap instead of failing.)
    The kernel means the thread that started the worker: the pool is started by the thread that
    submits first, and Prefect's task threads live until the flow run's end, which shuts the pool
    down first. Linux only; elsewhere the parent's exit handler is the only stop."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


# The OCR engine (onnxruntime and OpenCV) reserves about 0.5 GB of address space when it loads
# and a 200 dpi page's tensors up to 0.8 GB more, most of it never touched. The cap counts address
# space, not memory used, so a report that needs OCR may lift its cap by this much while the
# engine runs (``lift_cap``), as it gets more time per scanned page.
ALLOWANCE_MB = 1024


def _init_worker(memory_mb: int, parent: int) -> None:
    _exit_with_parent(parent)
    # One report at a time: BLAS thread pools would only reserve address space (about 40 MB each).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit + ALLOWANCE_MB * 1024 * 1024))


def lift_cap() -> None:
    """Lift this worker's address-space cap to its hard limit (the cap plus ``ALLOWANCE_MB``) for
    the rest of the current call; the worker is then replaced, so the next report starts under
    the cap again in a fresh process. Outside a worker, or without a cap, nothing changes."""
    global _LIFTED
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and hard != soft:
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        _LIFTED = True


_LIFTED = False  # in a worker: whether the current call lifted the cap


def _call(fn: Callable[..., T], args: tuple) -> tuple[T | _OutOfMemory, bool]:
    """``fn(*args)`` and whether it lifted the cap (the parent then replaces this worker)."""
    global _LIFTED
    _LIFTED = False
    try:
        return fn(*args), _LIFTED
    except MemoryError:
        return _OutOfMemory(), _LIFTED


def estimate_pages(path: Path) -> int:
    """Pages of a PDF from a byte scan (no parsing, so a hostile file cannot hang it); 1 for text."""
    if path.suffix.lower() != ".pdf":
        return 1
    try:
        with open(path, "rb") as fh:
            data = fh.read(_PAGE_SCAN_BYTES)
    except OSError:
        return 1
    return max(1, len(re.findall(rb"/Type\s*/Page(?!s)", data)))


# A page that is a picture (a scan) is read by OCR, where a text layer takes a fraction of a
# second: 1.8-2.4 s a page of wall clock on two shared cores at a load of 2-5 (two engine workers,
# 3.5 CPU seconds a page; benchmarks/ocr_speed.py), 7 s at a load of 7.6 and 11 s at the worst
# load measured (11). Each image-holding page gets this much more time: the worst, with room.
OCR_SECONDS_PER_PAGE = 15.0


def estimate_image_pages(path: Path) -> int:
    """Pages that may need OCR, from a byte scan: image XObjects, at most one per page."""
    if path.suffix.lower() != ".pdf":
        return 0
    try:
        with open(path, "rb") as fh:
            data = fh.read(64 * 1024 * 1024)
    except OSError:
        return 0
    images = len(re.findall(rb"/Subtype\s*/Image", data))
    return min(images, estimate_pages(path))


def time_limit(path: Path, limits: Limits) -> float:
    return (limits.timeout_s + limits.seconds_per_page * estimate_pages(path)
            + OCR_SECONDS_PER_PAGE * estimate_image_pages(path))


def _take_slot(workers: int) -> _Slot:
    """A free slot, waiting for one while ``workers`` reports run (Prefect's threads queue here).
    The number of slots follows the setting when none is busy (between batches)."""
    with _SETUP:
        if len(_SLOTS) != workers and _FREE.qsize() == len(_SLOTS):
            for slot in _SLOTS:
                slot.stop()
            while not _FREE.empty():
                _FREE.get_nowait()
            _SLOTS[:] = [_Slot() for _ in range(max(1, workers))]
            for slot in _SLOTS:
                _FREE.put(slot)
    return _FREE.get()


def prestart(fn: Callable[[], object], limits: Limits, count: int = 1) -> None:
    """Start ``count`` workers (at most ``limits.workers``) now and have each run ``fn`` (for its
    imports), without waiting for them: a caller about to spend seconds of its own (importing
    Prefect) finds warm workers for its first calls. The workers are started by the calling
    thread, which the kernel ties their lives to."""
    slots = [_take_slot(limits.workers) for _ in range(max(1, min(count, limits.workers)))]
    try:
        for slot in slots:
            slot.executor(limits).submit(fn)
    finally:
        for slot in slots:
            _FREE.put(slot)


def shutdown(kill: bool = False) -> None:
    """Stop every worker; ``kill`` ends them at once (an interrupted batch)."""
    for slot in list(_SLOTS):
        slot.stop(kill)


def stop_resource_tracker() -> None:
    """Stop multiprocessing's resource tracker process if this process started one (spawned
    workers start it; it would otherwise live until this process exits). Not while any process
    started through multiprocessing is alive (a Dask cluster's, say): the tracker waits for every
    holder of its pipe, so stopping it then would wait for them."""
    from multiprocessing import resource_tracker

    tracker = resource_tracker._resource_tracker
    if getattr(tracker, "_pid", None) is not None and not mp.active_children():
        tracker._stop()  # type: ignore[attr-defined]  # private, present since 3.8; no public stop


def run_isolated(fn: Callable[..., T], args: tuple, path: Path, limits: Limits) -> T:
    """``fn(*args)`` in the worker, for the report at ``path`` (named in the errors, and whose
    size sets the time limit). A broken limit raises ``ReportError``; the worker is replaced."""
    limit = time_limit(path, limits)
    slot = _take_slot(limits.workers)
    try:
        if _ABANDONED.is_set():
            raise Abandoned(f"{path.name}: not processed, the batch was interrupted")
        try:
            result, lifted = slot.executor(limits).submit(_call, fn, args).result(timeout=limit)
        except FutureTimeout:
            slot.stop(kill=True)
            raise ReportError(str(path), "timeout", f"{path.name}: processing took longer than {limit:.0f} s "
                              "and was stopped (a decompression bomb or a pathological file?); raise "
                              "--timeout if the report is just very long.", stage="worker") from None
        except BrokenProcessPool:
            slot.stop(kill=True)
            if _ABANDONED.is_set():  # killed by ``abandon``, not by the report
                raise Abandoned(f"{path.name}: not finished, the batch was interrupted") from None
            raise ReportError(str(path), "worker_crashed", f"{path.name}: the worker process died while "
                              "reading this file (a crash in the PDF library, or killed by the system); "
                              "the file is probably damaged.", stage="worker") from None
        if isinstance(result, _OutOfMemory):
            slot.stop(kill=True)
            raise ReportError(str(path), "memory_limit", f"{path.name}: processing needed more than the "
                              f"{limits.memory_mb} MiB memory cap; raise --memory-mb if the report is "
                              "genuinely large.", stage="worker")
        if lifted:  # the worker's heap grew past its cap: the next report gets a fresh one
            slot.stop()
        return result
    finally:
        _FREE.put(slot)


def worker_pid() -> int | None:
    """A current worker's process id (tests use it to kill a worker on purpose)."""
    for slot in _SLOTS:
        procs = slot.processes()
        if procs:
            return procs[0].pid
    return None


def _at_exit() -> None:
    shutdown()
    stop_resource_tracker()


atexit.register(_at_exit)
