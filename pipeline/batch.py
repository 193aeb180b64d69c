"""A batch of reports: what to process, processing one report, and recording the outcome.

Each report is independent: one that fails becomes a failure record with a reason from a closed
set, and the batch goes on. A report is processed again only when its content key changed (the
sha256 of its bytes, the pipeline version and the settings), which is this project's own cache
key: Prefect's default cache key includes the flow run id and never hits across runs.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .errors import ReportError, UsageError
from .ingest import DEFAULT_MAX_BYTES
from .pdf import DEFAULT_MAX_PAGES
from .process import INPUT_SUFFIXES, process_file, report_id_for
from .store import (check_input, finish_output, input_files, prepare_output, read_manifest, report_damage,
                    update_manifest, write_failures, write_report)



@dataclass(frozen=True)
class Settings:
    """What a run may read and spend. Only the first two change what is extracted, so only they
    (with the pipeline version) make up the content key."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    isolate: bool = True  # each report in a worker process that can be killed
    timeout_s: float = 60.0  # wall-clock limit per report, plus seconds_per_page for PDFs
    seconds_per_page: float = 2.0
    memory_mb: int = 2048  # address-space cap of the worker
    recycle_after: int = 25  # reports per worker before a fresh one

    def key(self) -> str:
        payload = json.dumps({"version": __version__, "max_bytes": self.max_bytes,
                              "max_pages": self.max_pages}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PlanItem:
    path: str
    report_id: str
    sha256: str
    state: str  # new, changed, up_to_date, failed
    why: str


def collect_inputs(inputs: list[str | Path]) -> list[Path]:
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


def plan(files: list[Path], out_dir: str | Path, settings: Settings, force: bool = False) -> list[PlanItem]:
    manifest = read_manifest(out_dir)["reports"]
    key = settings.key()
    items = []
    for f in files:
        rid = report_id_for(f)
        try:
            check_input(f, out_dir, rid)
            sha = file_sha256(f)
        except (ReportError, OSError) as exc:
            items.append(PlanItem(str(f), rid, "", "failed", getattr(exc, "message", str(exc))))
            continue
        entry = manifest.get(rid)
        if entry is None:
            state, why = "new", "not processed before"
        elif entry.get("status") == "failed":
            state, why = "failed", f"failed last time ({entry.get('reason', '')})"
            if entry.get("sha256") == sha and entry.get("settings_key") == key and not force:
                state, why = "failed", f"failed last time ({entry.get('reason', '')}); input unchanged"
        elif entry.get("sha256") != sha:
            state, why = "changed", "the input's bytes changed"
        elif entry.get("settings_key") != key:
            state, why = "changed", "the pipeline version or settings changed"
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
    for pkg in ("opencc", "pandas", "pyarrow", "pandera"):
        try:
            parts.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            pass
    return "; ".join(parts)


def process_one(path: str, out_dir: str, settings: Settings) -> dict:
    """Process and write one report in this process; never raises for a problem of the report."""
    t0 = time.perf_counter()
    p = Path(path)
    rid = report_id_for(p)
    try:
        check_input(p, out_dir, rid)
        doc = process_file(p, max_bytes=settings.max_bytes, max_pages=settings.max_pages)
        record = write_report(doc, out_dir, settings.key())
        return {"report_id": rid, "path": str(p), "status": "ok", "sha256": doc.sha256,
                "record": record, "seconds": time.perf_counter() - t0}
    except ReportError as exc:
        return failure_result(p, exc.reason, exc.message, exc.stage, time.perf_counter() - t0)
    except MemoryError:
        return failure_result(p, "memory_limit", f"processing ran out of memory (cap {settings.memory_mb} MiB "
                              "in a worker); raise --memory-mb if the report is genuinely large.",
                              "process", time.perf_counter() - t0)
    except Exception as exc:  # a bug: recorded as internal_error, the batch goes on
        return failure_result(p, "internal_error",
                              f"unexpected {type(exc).__name__}: {exc}; please report this with the input.",
                              "write", time.perf_counter() - t0)


def run_report(path: str, out_dir: str, settings: Settings) -> dict:
    """One report, in a killable worker process unless isolation is off."""
    if settings.isolate:
        from .isolation import run_isolated

        return run_isolated(path, out_dir, settings)
    return process_one(path, out_dir, settings)


def failure_result(p: Path, reason: str, message: str, stage: str, seconds: float) -> dict:
    rid = report_id_for(p)
    sha, size = "", 0
    try:
        sha, size = file_sha256(p), p.stat().st_size
    except OSError:
        pass
    return {
        "report_id": rid, "path": str(p), "status": "failed", "sha256": sha, "seconds": seconds,
        "failure": {"report_path": str(p), "report_id": rid, "sha256": sha, "size": size,
                    "reason": reason, "stage": stage, "versions": versions(),
                    "message": message, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")},
    }


def begin(out_dir: str | Path) -> None:
    prepare_output(out_dir)


def record_result(out_dir: str | Path, result: dict, settings: Settings) -> None:
    """Add one finished report to the manifest (replaced atomically, after the report's folder)."""
    entry = {"sha256": result.get("sha256", ""), "settings_key": settings.key(), "source_path": result["path"],
             "pipeline_version": __version__, "status": result["status"],
             "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if result["status"] == "ok":
        entry["row_counts"] = result["record"]["row_counts"]
    else:
        entry["reason"] = result["failure"]["reason"]
    update_manifest(out_dir, result["report_id"], entry)


def finish(out_dir: str | Path, results: list[dict]) -> None:
    """Record the run's failures and refresh the catalog over every report of the folder."""
    write_failures(out_dir, [r["failure"] for r in results if r["status"] == "failed"])
    from .catalog import catalog_is_stale, refresh_catalog

    if any(r["status"] != "skipped" for r in results) or catalog_is_stale(out_dir):
        refresh_catalog(out_dir)
    finish_output(out_dir)


def run_inline(files: list[Path], out_dir: str, settings: Settings, force: bool = False,
               on_result=None) -> tuple[list[PlanItem], list[dict]]:
    """The whole batch in this process, without Prefect (tests, benchmarks, --runner inline)."""
    begin(out_dir)
    items = plan(files, out_dir, settings, force)
    results = []
    for item in items:
        if not needs_work(item, force):
            results.append({"report_id": item.report_id, "path": item.path, "status": "skipped"})
        else:
            res = run_report(item.path, out_dir, settings)
            record_result(out_dir, res, settings)
            results.append(res)
        if on_result:
            on_result(results[-1])
    finish(out_dir, results)
    return items, results
