"""Prefect over the plain pipeline: one flow run per batch, one task run per report, and the
local Prefect server that ``reportpipe serve`` needs when none is configured.

A flow run costs about a second even with a server running, and the first flow call in a process
without a configured API starts a temporary local server (seconds); so a batch is one flow run,
never a flow run per report. With ``PREFECT_API_URL`` set (a long-running ``prefect server
start``), runs go to that server and show in its UI, and no temporary server is started.
Caching across runs is this project's own content key (see ``pipeline.content_key``), not
Prefect's. Everything that knows about Prefect is in this module.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _configure_prefect() -> None:
    """Keep Prefect's state in one user cache folder and its telemetry off, unless set already."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "reportpipe" / "prefect"
    os.environ.setdefault("PREFECT_HOME", str(cache))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


_configure_prefect()

from prefect import flow, task  # noqa: E402

from pipeline import isolation  # noqa: E402
from pipeline.batch import PlanItem, ReportResult, Settings, collect_inputs, run_batch, run_report  # noqa: E402
from pipeline.errors import ReportpipeError  # noqa: E402

# How long a local server may take to answer its health check: a cold start on a busy machine
# migrates its database first (tens of seconds seen on two shared cores).
SERVER_START_TIMEOUT_S = 120.0
# How long a served child and the server get to stop cleanly before they are killed.
CHILD_STOP_TIMEOUT_S = 30.0
SERVER_STOP_TIMEOUT_S = 20.0


@task(name="process_report")
def process_report(path: str, out_dir: str, settings: dict) -> ReportResult:
    """One report through every stage and into its output folder, in a killable worker process;
    failures come back as data."""
    return run_report(path, out_dir, Settings(**settings))


def _as_tasks(out_dir: str, settings: Settings) -> Callable[[PlanItem], Callable[[], ReportResult]]:
    """Each report submitted as a task run at once; its result is waited for in plan order."""
    def submit(item: PlanItem) -> Callable[[], ReportResult]:
        return process_report.submit(item.path, out_dir, settings.as_dict()).result
    return submit


def dask_runner(address: str | None = None):
    """A Dask task runner: an existing cluster at ``address``, or a local one of two worker
    processes. Each Dask worker is its own process, so reports run there without a nested worker
    (daemonic Dask workers may not start processes of their own)."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True})


def process_folder_on_dask(inputs: list[str], out_dir: str, force: bool, settings: dict,
                           address: str | None = None) -> dict:
    settings = {**settings, "isolate": False}
    return process_folder.with_options(task_runner=dask_runner(address))(inputs, out_dir, force, settings)


@flow(name="process_folder")
def process_folder(inputs: list[str], out_dir: str = "extracted", force: bool = False,
                   settings: dict | None = None) -> dict[str, Any]:
    """Every new or changed report among ``inputs`` (files or folders) into ``out_dir``."""
    chosen = Settings(**(settings or {}))
    try:
        batch = run_batch(collect_inputs(inputs), str(out_dir), chosen, force,
                          submit=_as_tasks(str(out_dir), chosen))
    finally:
        # The worker lives as long as the flow run: a served deployment runs each flow run in a
        # process of its own, which Prefect may end without running exit handlers.
        isolation.shutdown()
    return {"items": list(batch.items), "results": list(batch.results)}


def serve(inputs: list[str], out_dir: str, interval: float, settings: dict) -> None:
    """Process new or changed reports among ``inputs`` every ``interval`` seconds, as a Prefect
    deployment served by this process (Prefect has no file-arrival trigger: this is a poll, and a
    poll of an unchanged folder does no extraction work). With a Prefect server running, the
    deployment and its runs show in the Prefect UI."""
    process_folder.serve(
        name="reportpipe-watch",
        interval=interval,
        parameters={"inputs": [str(Path(i).resolve()) for i in inputs],
                    "out_dir": str(Path(out_dir).resolve()), "force": False, "settings": settings},
        print_starting_message=True,
    )


def stop_temporary_servers() -> None:
    """Stop the temporary Prefect server a flow call in this process started (Prefect stops it at
    exit; a test session stops it before it checks that nothing it started is still running)."""
    from prefect.server.api import server

    for instance in list(server.SubprocessASGIServer._instances.values()):
        instance.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_prefect_server(timeout: float = SERVER_START_TIMEOUT_S) -> Iterator[str]:
    """A Prefect server on a free local port for as long as the block runs; yields its API URL.
    (An ephemeral server, which Prefect starts by itself, cannot schedule runs.)"""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    # In a session of its own: `prefect server start` runs the server (uvicorn) as a child, which
    # must be stopped with it, so the whole group is signalled.
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        _wait_healthy(server, url, timeout)
        yield url
    finally:
        _stop_group(server, SERVER_STOP_TIMEOUT_S)


def _stop_group(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM to the process group led by ``proc``, SIGKILL to what is left after ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            continue
        # the leader is gone; give the rest of its group a moment, then make sure
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def _wait_healthy(server: subprocess.Popen, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ReportpipeError("the local Prefect server stopped at once; run `prefect server start` "
                                  "yourself and set PREFECT_API_URL.")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise ReportpipeError(f"the local Prefect server did not answer within {timeout:.0f} s.")


def serve_with_local_server(command: list[str]) -> int:
    """Run ``command`` (a ``reportpipe serve``) against a local Prefect server started for it, and
    stop both on Ctrl-C or SIGTERM (a service manager stopping us must stop the server too)."""
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with local_prefect_server() as url:
        print(f"started a local Prefect server for the schedule: UI at {url[:-4]}", flush=True)
        # Its own process group, so that the flow runs it starts are stopped with it.
        child = subprocess.Popen(command, env={**os.environ, "PREFECT_API_URL": url}, start_new_session=True)
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.send_signal(signal.SIGINT)  # lets Prefect's runner stop its flow runs cleanly
            try:
                child.wait(timeout=CHILD_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                pass
            return 130
        finally:
            _stop_group(child, CHILD_STOP_TIMEOUT_S)
