"""Prefect flows over the plain pipeline: one flow run per batch, one task run per report.

A flow run costs about a second even with a server running, and the first flow call in a process
without a configured API starts a temporary local server (seconds); so a batch is one flow run,
never a flow run per report. With ``PREFECT_API_URL`` set (a long-running ``prefect server
start``), runs go to that server and show in its UI, and no temporary server is started.
Caching across runs is this project's own content key (see ``pipeline.batch``), not Prefect's.
"""

from __future__ import annotations

import os
from pathlib import Path


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

from pipeline.batch import (  # noqa: E402
    Settings,
    begin,
    collect_inputs,
    finish,
    needs_work,
    plan,
    record_result,
    run_report,
)


@task(name="process_report")
def process_report(path: str, out_dir: str, settings: dict) -> dict:
    """One report through every stage and into its output folder, in a killable worker process;
    failures come back as data."""
    return run_report(path, out_dir, Settings(**settings))


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
                   settings: dict | None = None) -> dict:
    """Every new or changed report among ``inputs`` (files or folders) into ``out_dir``."""
    settings = Settings(**(settings or {}))
    files = collect_inputs(inputs)
    begin(out_dir)
    items = plan(files, out_dir, settings, force)
    futures = {
        item.path: process_report.submit(item.path, str(out_dir), settings.__dict__)
        for item in items
        if needs_work(item, force)
    }
    results = []
    for item in items:
        future = futures.get(item.path)
        if future is None:
            results.append({"report_id": item.report_id, "path": item.path, "status": "skipped"})
            continue
        result = future.result()
        record_result(out_dir, result, settings)
        results.append(result)
    finish(out_dir, results)
    return {"items": [item.__dict__ for item in items], "results": results}


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
