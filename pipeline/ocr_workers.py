"""Whole-page OCR in engine worker processes, one per core, while the reader goes on with the
pages that have a text layer.

The threads of one onnxruntime session meet at every operator, and the recogniser's operators on
one text line are small, so a second thread costs more CPU than it saves time. Sessions of one
thread each, in processes of their own, never wait for each other (the figures are in
``tests/data/forms/SOURCES.md``). So the pages that need OCR as a whole are sent to workers (the
report's bytes once, then page numbers), and their lines and rules come back keyed by page; the
reader takes them in page order, and what it writes is what in-process OCR gives. A worker
renders its page itself: rendering a 200 dpi page costs 0.03 CPU seconds, sending its 11.6 MB of
pixels through a pipe 0.006 in the sender and as much in the receiver, both within the noise of
a page's seconds of OCR, so the choice is the one that keeps page images out of the pipes and out
of the reader's memory.

The cores are shared with the other reports being read on the machine. Each worker holds a
core's lock file (``flock``, in the user's state folder) for as long as it lives, so that two
reports read at once do not start four engines on two cores: a report that finds no core free
waits for one before its first page, and takes more cores as they free up while its pages wait;
a report running on more than one core gives one up, once that worker has read the pages in
hand, when another report waits (so that a short scan is not held up for the length of a long
one, and its time limit is not spent waiting). Workers start at the first page that needs them
(a report with a text layer on every page starts none), are reused for the rest of the report
and stopped when it has been read, also when reading fails or is interrupted (KeyboardInterrupt,
the CLI's SIGTERM). A worker whose parent dies without stopping it (a report worker killed for
its time limit) is killed by the kernel (``PR_SET_PDEATHSIG``), and its lock goes with it.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .errors import ReportError

# Pages sent ahead to a worker: the next page waits in its pipe while it reads one, so that it
# never idles while the reader is busy with a text-layer page.
PAGES_AHEAD = 2
# How often a report waiting for a free core tries the locks again (seconds): a page takes 1.8 s
# or more of wall clock (SOURCES.md), so a freed core is taken within a twentieth of a page.
CORE_POLL_S = 0.1
# Seconds a worker gets to exit once its pipe is closed before it is killed: it exits as soon as
# it reads the end of its pipe, or after the page it is reading is done.
STOP_GRACE_S = 2.0


def cores() -> int:
    """The cores this process may run on (its CPU affinity), which the lock files count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def count() -> int:
    """Engine workers for a report's whole pages (``ocr.OCR_WORKERS``); 0 on one core, where a
    worker would only add its start-up to the same sequential work."""
    from . import ocr

    n = cores() if ocr.OCR_WORKERS is None else ocr.OCR_WORKERS
    return n if n >= 2 else 0


def lock_dir() -> Path:
    """Where the cores' lock files live: in the state folder that every run of the user shares
    (``$REPORTPIPE_STATE_DIR``, else ~/.local/state/reportpipe), or in the temporary folder when
    that cannot be written."""
    from .background_server import state_dir

    folder = state_dir() / "ocr-cores"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder
    except OSError:
        folder = Path(tempfile.gettempdir()) / f"reportpipe-ocr-cores-{os.getuid()}"
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder


def _take_core(count: int) -> int | None:
    """An open file holding the lock of a free core (of ``count``), or None when all are taken."""
    folder = lock_dir()
    for i in range(count):
        fd = os.open(folder / f"core-{i}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd
    return None


class _Waiting:
    """The sign that a report waits for a core: waiters hold a shared lock on one file, and a
    report running on more than one core asks for the exclusive lock, which it cannot get
    while anyone waits."""

    def __init__(self) -> None:
        self.fd = os.open(lock_dir() / "waiting.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self.held = False

    def wait(self) -> None:
        if not self.held:
            fcntl.flock(self.fd, fcntl.LOCK_SH)
            self.held = True

    def done(self) -> None:
        if self.held:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            self.held = False

    def others(self) -> bool:
        """Whether another report waits for a core now."""
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        return False

    def close(self) -> None:
        os.close(self.fd)


class _Worker:
    """One engine process, the core lock it runs under and the pages sent to it."""

    def __init__(self, lock_fd: int, settings: dict, data: bytes) -> None:
        """Start the process under the core lock ``lock_fd``, which it owns from now on."""
        self.lock_fd = lock_fd
        self.retiring = False  # its core goes to a report that waits, once its pages are read
        self.proc: subprocess.Popen
        self.pages: deque[int] = deque()
        task_r, task_w = os.pipe()
        result_r, result_w = os.pipe()
        # the reader's own import path, so that the worker runs the same pipeline
        paths = [p for p in [*sys.path, *os.environ.get("PYTHONPATH", "").split(os.pathsep)] if p]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(dict.fromkeys(paths)))
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from pipeline.ocr_workers import serve; serve()",
                 str(task_r), str(result_w), str(os.getpid())],
                pass_fds=(task_r, result_w), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        except BaseException:
            for fd in (task_w, result_r, lock_fd):
                os.close(fd)
            raise
        finally:
            os.close(task_r)
            os.close(result_w)
        self.tasks = Connection(task_w, readable=False)
        self.results = Connection(result_r, writable=False)
        try:
            # the worker reads both before it loads the models, so this waits only for its start
            self.tasks.send(("settings", settings))
            self.tasks.send(("document", data))
        except BaseException:
            self.stop(kill=True)
            raise

    def stop(self, kill: bool = False) -> None:
        """End the process, reap it and give its core back. An idle worker ends when its pipe
        is closed; one still reading a page (an interrupted report, or a page that turned out to
        have a text layer after all) is killed, as is one that has not ended ``STOP_GRACE_S``
        after its pipe was closed."""
        try:
            if kill or self.pages:
                self.proc.kill()
            for conn in (self.tasks, self.results):
                conn.close()
            try:
                self.proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        finally:
            os.close(self.lock_fd)


class PagePool:
    """Engine workers for one report: ``submit`` a page as soon as it is known to need OCR as a
    whole, ``result`` takes its ``OcrPage`` (in any order; a page not submitted before is
    submitted then). Use it as a context manager: leaving it stops every worker."""

    def __init__(self, path: str | Path, data: bytes, workers: int) -> None:
        self.path = str(path)
        self.data = data
        self.limit = workers
        self.workers: list[_Worker] = []
        self.waiting: deque[int] = deque()
        self.known: set[int] = set()
        self.done: dict[int, object] = {}
        self.failed: dict[int, tuple[str, str]] = {}
        self.unavailable: str | None = None
        self.waiting_sign: _Waiting | None = None

    def __enter__(self) -> PagePool:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(kill=exc_type is not None)

    def submit(self, pno: int) -> None:
        if pno in self.known:
            return
        self.known.add(pno)
        self.waiting.append(pno)
        self._pump(block=False)

    def result(self, pno: int):
        """The page's ``OcrPage``; ``OcrUnavailable`` when the engine is not installed, a
        ``ReportError`` when the worker reading it died or ran out of memory."""
        from .ocr import OcrUnavailable

        self.submit(pno)
        while pno not in self.done and pno not in self.failed and self.unavailable is None:
            self._pump(block=True)
        if pno in self.done:
            return self.done.pop(pno)
        if self.unavailable is not None:
            raise OcrUnavailable(self.unavailable)
        kind, detail = self.failed[pno]
        if kind == "memory":
            raise ReportError(self.path, "memory_limit", f"reading page {pno} by OCR needed more memory than the "
                              "worker's cap; raise --memory-mb if the scan is genuinely large.", stage="worker")
        raise ReportError(self.path, "worker_crashed", f"the OCR worker reading page {pno} failed ({detail}); the "
                          "page's image is probably damaged.", stage="worker")

    def close(self, kill: bool = False) -> None:
        """Stop every worker; ``kill`` ends them at once (reading failed or was interrupted)."""
        workers, self.workers = self.workers, []
        try:
            for worker in workers:
                if kill:
                    worker.proc.kill()
        finally:
            for worker in workers:
                worker.stop(kill)
            if self.waiting_sign is not None:
                self.waiting_sign.close()
                self.waiting_sign = None

    def _settings(self) -> dict:
        from . import ocr

        return {name: getattr(ocr, name) for name in ocr.ENGINE_SETTINGS}

    def _start(self, block: bool) -> bool:
        """Start one more worker if a core is free (waiting for one when ``block``)."""
        from . import ocr

        if self.unavailable is None and not ocr.engine_installed():
            self.unavailable = ocr.missing_engine()
        if self.unavailable is not None:
            return False
        sign = self._sign()
        try:
            while True:
                if block or not sign.others():  # a freed core is for the report that waits
                    fd = _take_core(cores())
                    if fd is not None:
                        # the worker owns the lock from here, and gives it back if it fails to start
                        self.workers.append(_Worker(fd, self._settings(), self.data))
                        return True
                if not block:
                    return False
                sign.wait()
                time.sleep(CORE_POLL_S)
        finally:
            sign.done()

    def _sign(self) -> _Waiting:
        if self.waiting_sign is None:
            self.waiting_sign = _Waiting()
        return self.waiting_sign

    def _share(self) -> None:
        """Give a core to a report that waits for one: a report on more than one core lets the
        worker with the fewest pages in hand finish them and stop. Every report keeps one."""
        active = [w for w in self.workers if not w.retiring]
        if len(active) > 1 and self._sign().others():
            min(active, key=lambda w: len(w.pages)).retiring = True
        for worker in [w for w in self.workers if w.retiring and not w.pages]:
            self.workers.remove(worker)
            worker.stop()

    def _pump(self, block: bool) -> None:
        """Take the results that have come back, start workers for waiting pages while cores are
        free, and send the waiting pages out; with ``block``, wait until a result comes back."""
        self._collect(timeout=0)
        self._share()
        # a worker per page not yet done, up to the limit and as long as cores are free
        while (self.waiting and len(self.workers) < self.limit
               and len(self.waiting) + sum(len(w.pages) for w in self.workers) > len(self.workers)):
            if not self._start(block=block and not self.workers):
                break
        if self.unavailable is not None:
            return
        for depth in range(1, PAGES_AHEAD + 1):  # a page to every worker before a second to any
            for worker in self.workers:
                if self.waiting and len(worker.pages) < depth and not worker.retiring:
                    pno = self.waiting.popleft()
                    worker.pages.append(pno)
                    worker.tasks.send(("page", pno))
        if block:
            # wake up now and then to take a core another report has freed
            self._collect(timeout=CORE_POLL_S * 10 if len(self.workers) < self.limit else None)

    def _collect(self, timeout: float | None) -> None:
        busy = {w.results: w for w in self.workers if w.pages}
        if not busy:
            return
        for conn in wait(list(busy), timeout=timeout):
            worker = busy[conn]  # type: ignore[index]
            try:
                kind, pno, payload = worker.results.recv()
            except (EOFError, OSError):
                code = worker.proc.wait()
                for lost in worker.pages:
                    self.failed[lost] = ("crashed", f"exit status {code}")
                worker.pages.clear()
                self.workers.remove(worker)
                worker.stop()
                continue
            if kind == "unavailable":
                self.unavailable = payload
                continue
            worker.pages.remove(pno)
            if kind == "page":
                self.done[pno] = payload
            else:
                self.failed[pno] = (kind, payload)


def serve() -> None:
    """The worker's loop: engine settings, the report's bytes, then page numbers, each answered
    with the page's ``OcrPage`` (or what went wrong), until the parent closes the pipe."""
    from .isolation import _exit_with_parent

    task_fd, result_fd, parent = (int(a) for a in sys.argv[1:4])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is the parent's to handle
    _exit_with_parent(parent)
    tasks = Connection(task_fd, writable=False)
    results = Connection(result_fd, readable=False)
    from . import ocr

    doc: Any = None
    try:
        while True:
            try:
                kind, payload = tasks.recv()
            except EOFError:
                return
            if kind == "settings":
                for name, value in payload.items():
                    setattr(ocr, name, value)
            elif kind == "document":
                import pymupdf

                # MuPDF's messages: the reader has seen the same ones and said what matters
                pymupdf.TOOLS.mupdf_display_errors(False)
                pymupdf.TOOLS.mupdf_display_warnings(False)
                doc = pymupdf.open(stream=payload, filetype="pdf")
                if doc.needs_pass:
                    doc.authenticate("")
                try:
                    ocr._engine()  # load the models before the first page comes
                except ocr.OcrUnavailable as exc:
                    results.send(("unavailable", 0, str(exc)))
                    return
            elif kind == "page":
                try:
                    results.send(("page", payload, ocr.ocr_page(doc[payload - 1])))
                except MemoryError:
                    results.send(("memory", payload, ""))
                except Exception as exc:  # the parent names the page and the fault
                    results.send(("error", payload, f"{type(exc).__name__}: {exc}"))
    except (BrokenPipeError, EOFError):
        return
