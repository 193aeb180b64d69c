"""Each report in a worker process with a wall-clock limit and a memory cap.

PDF parsers are C code: a decompression bomb can burn CPU for minutes, a hostile file can exhaust
memory or crash the process, and neither a Prefect task timeout nor a thread can interrupt a C
call. So a report runs in a worker process that the parent can kill. The worker is kept warm and
reused across reports (imports cost more than most reports), recycled after a number of reports,
and replaced when it had to be killed. A report that fails this way is a failure row like any
other; the batch goes on.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import resource
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

_POOL: ProcessPoolExecutor | None = None
_POOL_KEY: tuple | None = None
_LOCK = threading.Lock()


def _init_worker(memory_mb: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker_run(path: str, out_dir: str, settings) -> dict:
    from .batch import process_one

    try:
        return process_one(path, out_dir, settings)
    except MemoryError:
        return {"memory_error": True}


def estimate_pages(path: Path) -> int:
    """Pages of a PDF from a byte scan (no parsing, so a hostile file cannot hang it); 1 for text."""
    if path.suffix.lower() != ".pdf":
        return 1
    try:
        with open(path, "rb") as fh:
            data = fh.read(64 * 1024 * 1024)
    except OSError:
        return 1
    return max(1, len(re.findall(rb"/Type\s*/Page(?!s)", data)))


# A page that is a picture (a scan) is read by OCR: 7-10 s a page on two shared cores, where a
# text layer takes a fraction of a second. Each image-holding page gets this much more time.
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


def time_limit(path: Path, settings) -> float:
    return (settings.timeout_s + settings.seconds_per_page * estimate_pages(path)
            + OCR_SECONDS_PER_PAGE * estimate_image_pages(path))


def _pool(settings) -> ProcessPoolExecutor:
    global _POOL, _POOL_KEY
    key = (settings.memory_mb, settings.recycle_after)
    if _POOL is None or _POOL_KEY != key:
        shutdown()
        _POOL = ProcessPoolExecutor(
            max_workers=1,
            mp_context=mp.get_context("spawn"),
            initializer=_init_worker,
            initargs=(settings.memory_mb,),
            max_tasks_per_child=settings.recycle_after,
        )
        _POOL_KEY = key
    return _POOL


def shutdown(kill: bool = False) -> None:
    """Stop the worker; ``kill`` ends it at once (a task that ran over its time)."""
    global _POOL
    pool, _POOL = _POOL, None
    if pool is None:
        return
    if kill:
        for proc in list(getattr(pool, "_processes", {}).values()):
            try:
                proc.kill()
            except (OSError, AttributeError):
                pass
    pool.shutdown(wait=not kill, cancel_futures=True)


def run_isolated(path: str, out_dir: str, settings) -> dict:
    """``batch.process_one`` in the worker; limits turn into failure results, never exceptions."""
    from .batch import failure_result

    p = Path(path)
    limit = time_limit(p, settings)
    with _LOCK:  # one report at a time per worker; Prefect's threads queue here
        t0 = time.perf_counter()
        try:
            future = _pool(settings).submit(_worker_run, str(p), str(out_dir), settings)
            result = future.result(timeout=limit)
        except FutureTimeout:
            shutdown(kill=True)
            return failure_result(p, "timeout", f"processing took longer than {limit:.0f} s and was stopped "
                                  "(a decompression bomb or a pathological file?); raise --timeout if the "
                                  "report is just very long.", "worker", time.perf_counter() - t0)
        except BrokenProcessPool:
            shutdown(kill=True)
            return failure_result(p, "worker_crashed", "the worker process died while reading this file "
                                  "(a crash in the PDF library, or killed by the system); the file is "
                                  "probably damaged.", "worker", time.perf_counter() - t0)
        if result.get("memory_error"):
            shutdown(kill=True)
            return failure_result(p, "memory_limit", f"processing needed more than the {settings.memory_mb} MiB "
                                  "memory cap; raise --memory-mb if the report is genuinely large.",
                                  "worker", time.perf_counter() - t0)
        return result


def worker_pid() -> int | None:
    """The current worker's process id (tests use it to kill a worker on purpose)."""
    if _POOL is None:
        return None
    procs = list(getattr(_POOL, "_processes", {}).values())
    return procs[0].pid if procs else None


def _at_exit() -> None:
    shutdown()


import atexit  # noqa: E402

atexit.register(_at_exit)
