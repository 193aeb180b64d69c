"""A batch of reports: what to process, processing one report, and recording the outcome.

Each report is independent: one that fails becomes a failure record with a reason from a closed
set, and the batch goes on. A report is processed again only when its content key changed (see
``content_key``: its bytes, the extraction code, the vocabulary, the schemas or the settings),
which is this project's own cache key: Prefect's default cache key includes the flow run id and
never hits across runs.

``run_batch`` is the one batch loop (plan, skip, run, record, finish). How a report is run is the
caller's: in this process, in a worker, or as a Prefect task (``flows.py``), each given as a
``submit`` function.
"""

from __future__ import annotations

import hashlib
import os
import platform
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .content_key import changed_parts, describe_change, key_parts, pipeline_key
from .errors import ReportError, UsageError
from .ingest import DEFAULT_MAX_BYTES
from .isolation import DEFAULT_WORKERS, Limits, run_isolated
from .names import VANISHED_CHOICES
from .pdf import DEFAULT_MAX_PAGES
from .process import INPUT_SUFFIXES, process_file, report_id_for
from .store import (
    check_input,
    finish_output,
    input_files,
    prepare_output,
    read_failures,
    read_manifest,
    remove_report,
    report_damage,
    update_manifest,
    write_failures,
    write_report,
)

# Libraries whose versions go into every failure row: the ones whose behaviour decides a failure.
_REPORTED_LIBRARIES = ("opencc", "pandas", "pyarrow", "duckdb", "pymupdf", "pdfplumber")


@dataclass(frozen=True)
class Settings:
    """What a run may read and spend. Only ``max_bytes`` and ``max_pages`` change what is
    extracted, so only they go into the content key; the rest are the worker's limits."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    isolate: bool = True  # each report in a worker process that can be killed
    timeout_s: float = Limits.timeout_s
    seconds_per_page: float = Limits.seconds_per_page
    memory_mb: int = Limits.memory_mb
    recycle_after: int = Limits.recycle_after
    workers: int = DEFAULT_WORKERS  # reports at a time under a task runner (one worker each)

    def extraction(self) -> dict[str, int]:
        """The settings that change what is extracted."""
        return {"max_bytes": self.max_bytes, "max_pages": self.max_pages}

    def limits(self) -> Limits:
        return Limits(self.timeout_s, self.seconds_per_page, self.memory_mb, self.recycle_after, self.workers)

    def key(self) -> str:
        """What a report's tables are made with (every part of the content key but the input)."""
        return pipeline_key(key_parts("", self.extraction()))

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for a Prefect parameter or a Dask task."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class PlanItem:
    path: str
    report_id: str
    sha256: str
    state: str  # new, changed, up_to_date, failed (retried), not_retried (failed, input unchanged)
    why: str


@dataclass(frozen=True)
class Failure:
    """One row of ``_failures.csv``: which file, what went wrong, and what to do."""

    report_path: str
    report_id: str
    sha256: str
    size: int
    reason: str
    stage: str
    versions: str
    message: str
    time: str

    def as_row(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ReportResult:
    """The outcome of one report in a batch: ``ok`` (with its document record), ``failed`` (with
    its failure) or ``skipped`` (up to date)."""

    status: str
    report_id: str
    path: str
    sha256: str = ""
    record: dict[str, Any] = field(default_factory=dict)
    failure: Failure | None = None
    seconds: float = 0.0

    @classmethod
    def skipped(cls, item: PlanItem) -> ReportResult:
        return cls("skipped", item.report_id, item.path, item.sha256)


@dataclass(frozen=True)
class Batch:
    items: tuple[PlanItem, ...]
    results: tuple[ReportResult, ...]
    vanished: tuple[Vanished, ...] = ()


@dataclass(frozen=True)
class Vanished:
    """A report of the output folder whose input no longer exists, and what this run did with it."""

    report_id: str
    source_path: str
    action: str  # kept or removed


def vanished_reports(out_dir: str | Path) -> list[tuple[str, str]]:
    """(report id, source path) of every report in the manifest whose input file is gone. Only
    absolute source paths are judged (every run records one); a relative one says nothing."""
    manifest = read_manifest(out_dir)["reports"]
    gone = []
    for rid, entry in sorted(manifest.items()):
        source = entry.get("source_path") or ""
        if source and Path(source).is_absolute() and not os.path.lexists(source):
            gone.append((rid, source))
    return gone


def handle_vanished(out_dir: str | Path, choice: str) -> tuple[Vanished, ...]:
    """Apply the user's choice to the reports whose input vanished (see ``VANISHED_CHOICES``)."""
    if choice not in VANISHED_CHOICES:
        raise UsageError(f"--vanished must be one of {', '.join(VANISHED_CHOICES)}, not {choice!r}.")
    done = []
    for rid, source in vanished_reports(out_dir):
        if choice == "remove":
            remove_report(out_dir, rid)
        done.append(Vanished(rid, source, "removed" if choice == "remove" else "kept"))
    return tuple(done)


def collect_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Files named directly, and the report files inside named folders (not hidden ones)."""
    files: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            files.extend(input_files(p, INPUT_SUFFIXES))
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(f"{p}: no such file or folder.")
    ids: dict[str, Path] = {}
    for f in files:
        rid = report_id_for(f)
        if rid in ids and ids[rid].resolve() != f.resolve():
            raise UsageError(
                f"{ids[rid]} and {f} would both be written as report '{rid}'; rename one of them."
            )
        ids[rid] = f
    unique = list(dict.fromkeys(f.resolve() for f in files))
    return [Path(p) for p in unique]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _why_stale(entry: dict, parts: dict[str, str]) -> str | None:
    """Why a report's recorded key no longer holds, or None when it does."""
    recorded = entry.get("key_parts")
    if not recorded:  # written before the key had parts: only the whole can be compared
        if entry.get("sha256") != parts["input"]:
            return "the input's bytes changed"
        return None if entry.get("settings_key") == pipeline_key(parts) else "the pipeline or settings changed"
    changed = changed_parts(recorded, parts)
    return describe_change(changed) if changed else None


def plan(files: list[Path], out_dir: str | Path, settings: Settings, force: bool = False) -> list[PlanItem]:
    manifest = read_manifest(out_dir)["reports"]
    items = []
    for f in files:
        rid = report_id_for(f)
        try:
            check_input(f, out_dir, rid)
            sha = file_sha256(f)
        except (ReportError, OSError) as exc:
            items.append(PlanItem(str(f), rid, "", "failed", getattr(exc, "message", str(exc))))
            continue
        parts = key_parts(sha, settings.extraction())
        entry = manifest.get(rid)
        stale = _why_stale(entry, parts) if entry is not None else None
        if entry is None:
            state, why = "new", "not processed before"
        elif entry.get("status") == "failed":
            # The same bytes through the same pipeline fail the same way: retried only when the
            # input, the pipeline or a setting changed (or with --force), so a poll of `serve`
            # does not redo a broken report every interval.
            if stale is None and not force:
                state, why = "not_retried", (f"failed last time ({entry.get('reason', '')}) and the input is "
                                             "unchanged; a change to it, the pipeline or the settings, or "
                                             "--force, retries it")
            else:
                state, why = "failed", f"failed last time ({entry.get('reason', '')}); retried: {stale or '--force'}"
        elif stale is not None:
            state, why = "changed", stale
        elif damage := report_damage(out_dir, rid, entry):
            state, why = "changed", damage
        else:
            state, why = "up_to_date", "unchanged since the last run"
        items.append(PlanItem(str(f), rid, sha, state, why))
    return items


def needs_work(item: PlanItem, force: bool) -> bool:
    return force or item.state in ("new", "changed", "failed")


def versions() -> str:
    from importlib import metadata

    parts = [f"reportpipe {__version__}", f"python {platform.python_version()}"]
    for pkg in _REPORTED_LIBRARIES:
        try:
            parts.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            pass
    return "; ".join(parts)


def failed(p: Path, reason: str, message: str, stage: str, seconds: float) -> ReportResult:
    """A failure result whose message names the file."""
    rid = report_id_for(p)
    sha, size = "", 0
    try:
        sha, size = file_sha256(p), p.stat().st_size
    except OSError:
        pass
    if p.name not in message:
        message = f"{p.name}: {message}"
    failure = Failure(str(p), rid, sha, size, reason, stage, versions(), message,
                      time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    return ReportResult("failed", rid, str(p), sha, failure=failure, seconds=seconds)


def process_one(path: str, out_dir: str, settings: Settings) -> ReportResult:
    """Process and write one report in this process; never raises for a problem of the report."""
    t0 = time.perf_counter()
    p = Path(path)
    rid = report_id_for(p)
    try:
        check_input(p, out_dir, rid)
        doc = process_file(p, max_bytes=settings.max_bytes, max_pages=settings.max_pages)
        record = write_report(doc, out_dir, settings.key())
        return ReportResult("ok", rid, str(p), doc.sha256, record=record, seconds=time.perf_counter() - t0)
    except ReportError as exc:
        return failed(p, exc.reason, exc.message, exc.stage, time.perf_counter() - t0)
    except MemoryError:
        return failed(p, "memory_limit", f"processing ran out of memory (cap {settings.memory_mb} MiB "
                      "in a worker); raise --memory-mb if the report is genuinely large.",
                      "process", time.perf_counter() - t0)
    except Exception as exc:  # a bug: recorded as internal_error, the batch goes on
        return failed(p, "internal_error",
                      f"unexpected {type(exc).__name__}: {exc}; please report this with the input.",
                      "write", time.perf_counter() - t0)


def _ready() -> None:
    """Nothing: a worker that unpickles this has imported this module and every stage with it."""


def prestart_workers(settings: Settings, reports: int) -> None:
    """Workers for ``reports`` reports (one each, up to ``settings.workers``) started and importing
    the pipeline while the caller does its own start-up (the Prefect runner imports Prefect
    meanwhile, which takes about as long)."""
    if settings.isolate and reports > 0:
        from .isolation import prestart

        prestart(_ready, settings.limits(), reports)


def run_report(path: str, out_dir: str, settings: Settings) -> ReportResult:
    """One report, in a killable worker process unless isolation is off."""
    if not settings.isolate:
        return process_one(path, out_dir, settings)
    t0 = time.perf_counter()
    try:
        return run_isolated(process_one, (path, out_dir, settings), Path(path), settings.limits())
    except ReportError as exc:  # a limit was broken: the worker was replaced
        return failed(Path(path), exc.reason, exc.message, exc.stage, time.perf_counter() - t0)


def begin(out_dir: str | Path) -> None:
    prepare_output(out_dir)


def record_result(out_dir: str | Path, result: ReportResult, settings: Settings) -> None:
    """Add one finished report to the manifest (replaced atomically, after the report's folder)."""
    parts = key_parts(result.sha256, settings.extraction())
    entry: dict[str, Any] = {"sha256": result.sha256, "settings_key": pipeline_key(parts),
                             "key_parts": parts, "source_path": result.path,
                             "pipeline_version": __version__, "status": result.status,
                             "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if result.status == "ok":
        entry["row_counts"] = result.record["row_counts"]
    elif result.failure is not None:
        entry["reason"] = result.failure.reason
    update_manifest(out_dir, result.report_id, entry)


def finish(out_dir: str | Path, results: Iterable[ReportResult], changed: bool = False) -> None:
    """Record the run's failures and refresh the catalog over every report of the folder (also
    when ``changed``: reports were removed)."""
    results = list(results)
    write_failures(out_dir, [r.failure.as_row() for r in results if r.failure is not None])
    from .catalog import catalog_is_stale, refresh_catalog

    if changed or any(r.status != "skipped" for r in results) or catalog_is_stale(out_dir):
        refresh_catalog(out_dir)
    finish_output(out_dir)


# Starts one report and returns a function that waits for its result. In this process the run
# happens when the result is asked for; a Prefect task runner starts it at once.
Submit = Callable[[PlanItem], Callable[[], ReportResult]]


def in_this_process(out_dir: str, settings: Settings) -> Submit:
    """Each report run (in its worker unless isolation is off) when its result is asked for."""
    return lambda item: (lambda: run_report(item.path, out_dir, settings))


def run_batch(files: list[Path], out_dir: str | Path, settings: Settings, force: bool = False,
              submit: Submit | None = None,
              on_result: Callable[[ReportResult], None] | None = None,
              vanished: str = "keep") -> Batch:
    """The batch loop: the reports whose input vanished kept or removed (``vanished``), then
    plan, skip what is up to date, run the rest, record each result in the manifest as it comes,
    then write the failures and refresh the catalog."""
    out_dir = str(out_dir)
    begin(out_dir)
    gone = handle_vanished(out_dir, vanished)
    items = plan(files, out_dir, settings, force)
    start = submit or in_this_process(out_dir, settings)
    pending = {item.path: start(item) for item in items if needs_work(item, force)}
    earlier = {row["report_id"]: row for row in read_failures(out_dir)}
    results = []
    for item in items:
        wait = pending.get(item.path)
        if wait is None and item.state == "not_retried":
            result = _still_failed(item, earlier.get(item.report_id))
        elif wait is None:
            result = ReportResult.skipped(item)
        else:
            result = wait()
            record_result(out_dir, result, settings)
        results.append(result)
        if on_result:
            on_result(result)
    finish(out_dir, results, changed=any(v.action == "removed" for v in gone))
    return Batch(tuple(items), tuple(results), gone)


def _still_failed(item: PlanItem, row: dict | None) -> ReportResult:
    """A failure not retried, as the last run recorded it: it stays in ``_failures.csv``."""
    fields = {k: (row or {}).get(k, "") for k in Failure.__dataclass_fields__}
    fields.update(report_path=item.path, report_id=item.report_id, sha256=item.sha256,
                  reason=fields["reason"] or item.why.split("(", 1)[-1].split(")", 1)[0],
                  message=(fields["message"] + " (not retried: the input is unchanged; --force retries it)"
                           if fields["message"] else item.why))
    fields["size"] = int(fields["size"] or 0)
    return ReportResult("failed", item.report_id, item.path, item.sha256, failure=Failure(**fields))


def run_inline(files: list[Path], out_dir: str, settings: Settings, force: bool = False,
               on_result: Callable[[ReportResult], None] | None = None, vanished: str = "keep") -> Batch:
    """The whole batch in this process, without Prefect (tests, benchmarks, --runner inline)."""
    return run_batch(files, out_dir, settings, force, on_result=on_result, vanished=vanished)
