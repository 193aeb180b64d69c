"""Prefect over the plain pipeline: one flow run per batch, one task run per report, and the
local Prefect server those flow runs report to.

A flow run costs about a second with a server running, and a server costs seconds to start
(about 4 s with its database in place, 13 s the first time, when it creates it). So a batch is one
flow run, never a flow run per report, and the server is started once: the first `reportpipe run`
or `serve` without ``PREFECT_API_URL`` starts a background server (this module, run as
``python -m flows api-server``; its process is managed by ``pipeline.background_server``), later
invocations reuse it, and it stops itself after ``SERVER_IDLE_S`` without a user. ``reportpipe server start|stop|status`` controls it by hand. With
``PREFECT_API_URL`` set, runs go to that server and none is started. Caching across runs is this
project's own content key (see ``pipeline.content_key``), not Prefect's. Everything that knows
about Prefect is in this module.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any


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
from prefect.cache_policies import NO_CACHE  # noqa: E402

from pipeline import background_server, isolation  # noqa: E402

if TYPE_CHECKING:  # the batch (pandas, pyarrow) is imported where a flow runs, not by the server
    from pipeline.batch import PlanItem, ReportResult, Settings


@task(name="process_report", cache_policy=NO_CACHE, persist_result=False)
def process_report(path: str, out_dir: str, settings: dict) -> ReportResult:
    """One report through every stage and into its output folder, in a killable worker process;
    failures come back as data."""
    from pipeline.batch import ReportResult, Settings, run_report
    from pipeline.names import report_id_for

    try:
        return run_report(path, out_dir, Settings(**settings))
    except isolation.Abandoned:  # the batch was interrupted: this report is left for the next run
        return ReportResult("skipped", report_id_for(path), path)


def _as_tasks(out_dir: str, settings: Settings) -> Callable[[PlanItem], Callable[[], ReportResult]]:
    """Each report submitted as a task run at once; its result is waited for in plan order."""
    def submit(item: PlanItem) -> Callable[[], ReportResult]:
        return process_report.submit(item.path, out_dir, settings.as_dict()).result
    return submit


def dask_runner(address: str | None = None, workers: int = 2):
    """A Dask task runner: an existing cluster at ``address``, or a local one of ``workers``
    processes. Each Dask worker is its own process, so reports run there without a nested worker
    (daemonic Dask workers may not start processes of their own)."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})


def process_folder_on_dask(inputs: list[str], out_dir: str, force: bool, settings: dict,
                           address: str | None = None, vanished: str = "keep") -> dict:
    settings = {**settings, "isolate": False}
    runner = dask_runner(address, settings.get("workers") or 2)
    return process_folder.with_options(task_runner=runner)(inputs, out_dir, force, settings, vanished)


@flow(name="process_folder")
def process_folder(inputs: list[str], out_dir: str = "extracted", force: bool = False,
                   settings: dict | None = None, vanished: str = "keep") -> dict[str, Any]:
    """Every new or changed report among ``inputs`` (files or folders) into ``out_dir``; the
    reports whose input vanished kept or removed as ``vanished`` says."""
    from pipeline.batch import Settings, collect_inputs, run_batch

    chosen = Settings(**(settings or {}))
    isolation.resume()
    try:
        batch = run_batch(collect_inputs(inputs), str(out_dir), chosen, force,
                          submit=_as_tasks(str(out_dir), chosen), vanished=vanished)
    except BaseException:
        # Ctrl-C or SIGTERM (Prefect's TerminationSignal) while reports are queued as task runs:
        # the worker is killed and the queued runs end at once, so the process exits in seconds.
        isolation.abandon()
        raise
    finally:
        # The worker lives as long as the flow run: a served deployment runs each flow run in a
        # process of its own, which Prefect may end without running exit handlers.
        isolation.shutdown()
    return {"items": list(batch.items), "results": list(batch.results), "vanished": list(batch.vanished)}


def serve(inputs: list[str], out_dir: str, interval: float, settings: dict, vanished: str = "keep") -> None:
    """Process new or changed reports among ``inputs`` every ``interval`` seconds, as a Prefect
    deployment served by this process (Prefect has no file-arrival trigger: this is a poll, and a
    poll of an unchanged folder does no extraction work). Runs show in the Prefect UI of the
    server ``prefect_api`` chose; one flow run at a time (a poll while one runs is skipped)."""
    out = Path(out_dir).resolve()
    # One deployment per output folder (two `serve` of two folders share the server, never a
    # deployment), and none of the runs an earlier `serve` of it scheduled ahead: those would run
    # first, late, one at a time, before any run of this one.
    name = f"reportpipe-watch-{hashlib.sha1(str(out).encode()).hexdigest()[:10]}"
    _drop_scheduled_runs(f"process_folder/{name}")
    process_folder.serve(
        name=name,
        description=f"new or changed reports of {', '.join(inputs)} into {out}",
        interval=interval,
        parameters={"inputs": [str(Path(i).resolve()) for i in inputs],
                    "out_dir": str(Path(out_dir).resolve()), "force": False, "settings": settings,
                    "vanished": vanished},
        limit=1,
        print_starting_message=True,
    )


def _drop_scheduled_runs(deployment: str) -> int:
    """Delete the runs of ``deployment`` still waiting to start (scheduled or late)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            found = client.read_deployment_by_name(deployment)
        except ObjectNotFound:
            return 0
        waiting = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[found.id])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.SCHEDULED, StateType.PENDING]))))
        for run in waiting:
            client.delete_flow_run(run.id)
        return len(waiting)


def stop_temporary_servers() -> None:
    """Stop the temporary Prefect server a flow call in this process started (Prefect starts one
    when a flow runs with no API configured, and stops it at exit; a test session stops it before
    it checks that nothing it started is still running)."""
    from prefect.server.api import server

    for instance in list(server.SubprocessASGIServer._instances.values()):
        instance.stop()


@contextmanager
def prefect_api(announce: Callable[[str], None] | None = None) -> Iterator[str]:
    """The API URL flow runs in the block report to, and Prefect configured for it:
    PREFECT_API_URL when the user set one, else the background server, started if needed (then
    ``announce`` is told its URL) and held in use (so it does not idle out) until the block ends."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    users = background_server.server_files()[1]
    with open(users, "a") as hold:
        fcntl.flock(hold, fcntl.LOCK_SH)  # in use from here: the watchdog cannot count idle time
        state, started = background_server.ensure_server(background_server.SERVER_START_TIMEOUT_S)
        if started and announce is not None:
            announce(state.url)
        os.environ["PREFECT_API_URL"] = state.url  # for processes Prefect starts (served runs)
        try:
            with temporary_settings(updates={PREFECT_API_URL: state.url}):
                yield state.url
        finally:
            os.environ.pop("PREFECT_API_URL", None)
            os.utime(users)  # the last use, which the idle time counts from


def run_api_server(port: int) -> None:
    """The background server's process: Prefect's API and UI (its app, as `prefect server start`
    serves it) on 127.0.0.1:``port``, until SIGTERM or ``idle_limit()`` seconds without a user."""
    import uvicorn
    from prefect.server.api.server import create_app

    state_file, users, _lock, _log = background_server.server_files()
    limit = background_server.idle_limit()
    config = uvicorn.Config(create_app(final=True), host="127.0.0.1", port=port, log_level="warning",
                            timeout_keep_alive=5)
    server = uvicorn.Server(config)

    def watch() -> None:
        last_seen = time.time()
        with open(users, "a") as probe:
            while not server.should_exit:
                time.sleep(background_server.WATCH_INTERVAL_S)
                try:
                    fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    last_seen = time.time()  # a user holds it
                    continue
                fcntl.flock(probe, fcntl.LOCK_UN)
                last_seen = max(last_seen, os.stat(users).st_mtime)
                if time.time() - last_seen >= limit:
                    print(f"reportpipe: no use for {limit:.0f} s; the server stops", flush=True)
                    server.should_exit = True

    threading.Thread(target=watch, name="idle-watch", daemon=True).start()
    try:
        server.run()
    finally:
        state = background_server.read_state(state_file)
        if state is not None and state.pid == os.getpid():
            state_file.unlink(missing_ok=True)


def serve_under_signals(run: Callable[[], None]) -> int:
    """Run a served deployment until Ctrl-C or SIGTERM (a service manager stopping it); both end
    it through KeyboardInterrupt, which lets Prefect's runner stop its flow runs cleanly."""
    def interrupt(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)
    try:
        run()
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "api-server" and sys.argv[2] == "--port":
        run_api_server(int(sys.argv[3]))
    else:
        sys.exit("usage: python -m flows api-server --port PORT (the background server reportpipe starts)")
