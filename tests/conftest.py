from __future__ import annotations

import ctypes
import os
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "raw" / "wechat-employment-2019-2020.txt"
GOLD = ROOT / "tests" / "gold"
DATA = ROOT / "tests" / "data"
CORPUS = DATA / "corpus"  # real reports, byte-exact copies with their SOURCES.md


def corpus_file(name: str) -> Path:
    """The repository's copy of a corpus report, else the shared corpus beside the checkout (or
    beside a worktree's parent); its absence is an error of the set-up, never a reason to skip."""
    for path in [CORPUS / name, *(base / "shared" / "corpus" / name for base in [ROOT, *ROOT.parents])]:
        if path.exists():
            return path
    pytest.fail(f"{name} is neither in tests/data/corpus nor in shared/corpus beside {ROOT}; "
                "the corpus is part of the test set-up")

os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")
# The background Prefect server that default-runner runs start is the session's own (its state in
# a folder of the session's), never the user's; it is stopped at the session's end.
STATE_DIR = Path(tempfile.mkdtemp(prefix="reportpipe-test-state-"))
os.environ["REPORTPIPE_STATE_DIR"] = str(STATE_DIR)
os.environ["PREFECT_HOME"] = str(STATE_DIR / "prefect")  # its database too: flow runs of this session only
os.environ.pop("PREFECT_API_URL", None)

# How long processes started by the tests get to exit at the end of the session (a CLI run's
# worker stops within a second of its parent; a Prefect server takes a few).
EXIT_GRACE_S = 20.0
_PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def _stop_workers() -> None:
    """The report worker and multiprocessing's resource tracker, if this process started them."""
    isolation = sys.modules.get("pipeline.isolation")
    if isolation is not None:
        isolation.shutdown()
        isolation.stop_resource_tracker()


def _stop_prefect() -> None:
    """The session's background Prefect server, and any temporary server of in-process flow runs
    (which Prefect itself stops at exit)."""
    flows = sys.modules.get("flows")
    if flows is not None:
        flows.stop_temporary_servers()
    if (STATE_DIR / "server.json").exists():
        from pipeline import background_server

        background_server.stop_server()


@pytest.fixture(scope="module", autouse=True)
def _workers_stopped_after_each_module():
    yield
    _stop_workers()


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind():
    """Fail the run if any process started during it is still alive at its end: this process's
    children and, since it is made their subreaper, the orphans of the commands it ran (a worker
    whose CLI process exited is reparented here instead of to init)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    yield
    _stop_workers()
    _stop_prefect()
    me = psutil.Process()
    deadline = time.monotonic() + EXIT_GRACE_S
    alive: list[psutil.Process] = []
    while True:
        alive = []
        for child in me.children(recursive=True):
            try:
                if child.status() == psutil.STATUS_ZOMBIE:
                    os.waitpid(child.pid, os.WNOHANG)  # an orphan that already ended: reap it
                else:
                    alive.append(child)
            except (psutil.NoSuchProcess, ChildProcessError):
                pass
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    described = []
    for child in alive:
        try:
            described.append(f"{child.pid}: {' '.join(child.cmdline())[:160]}")
            child.kill()
        except psutil.NoSuchProcess:
            pass
    assert not described, "processes left behind by the tests (now killed):\n" + "\n".join(described)


def need(path: Path) -> Path:
    """``path``, or a failure naming it: a test whose data is missing fails, never skips."""
    if not path.is_file():
        pytest.fail(f"{path}: test data missing; it belongs to the repository (tests/data), restore it "
                    "from version control", pytrace=False)
    return path


@pytest.fixture(scope="session")
def sample_doc():
    from pipeline.process import process_file

    return process_file(SAMPLE)


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")
