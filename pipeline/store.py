"""Output tables of one report, validated and written so that a reader never sees half a report.

A report's files are written into a temporary folder beside the target, re-read and checked, then
swapped into place; the manifest that lists finished reports is replaced last. A run killed at any
moment leaves the previous outputs complete, and the next run sweeps what it left behind.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .catalog import datapackage_json
from .model import BBox, Document
from .validate import QUARANTINE_COLUMNS, TABLES, columns, schema_version, validate_table

MANIFEST = "manifest.json"
FAILURES = "_failures.csv"
FAILURE_COLUMNS = ["report_path", "report_id", "sha256", "size", "reason", "stage", "versions",
                   "message", "time"]
_TMP_PREFIX = ".tmp-"
_OLD_PREFIX = ".old-"


def bbox_text(bbox: BBox | None) -> str:
    """A box as the tables store it: "x0,y0,x1,y1" in points to 0.1, "" for none."""
    return "" if bbox is None else f"{bbox.x0:.1f},{bbox.y0:.1f},{bbox.x1:.1f},{bbox.y1:.1f}"


def document_frames(doc: Document) -> dict[str, pd.DataFrame]:
    """The five content tables of a document, in their contract's column order."""
    rid = doc.report_id
    rows = {
        "sections": [
            {"report_id": rid, **{k: getattr(s, k) for k in ("section_id", "parent_id", "level", "number",
                                                               "title", "raw_start", "raw_end", "line")}}
            for s in doc.sections
        ],
        "cases": [{"report_id": rid, **{k: v for k, v in asdict(c).items()}} for c in doc.cases],
        "blocks": [
            {"report_id": rid, **{k: getattr(b, k) for k in ("block_id", "kind", "section_id", "case_id",
                                                               "text", "raw_start", "raw_end", "line",
                                                               "page", "locator", "ocr", "ocr_confidence")},
             "bbox": bbox_text(b.bbox)}
            for b in doc.blocks
        ],
        "claims": [{"report_id": rid, **asdict(c), "bbox": bbox_text(c.bbox)} for c in doc.claims],
        "tables": [{"report_id": rid, **asdict(c), "bbox": bbox_text(c.bbox)} for c in doc.table_cells],
    }
    frames = {}
    for name in TABLES:
        cols = columns(name)
        df = pd.DataFrame(rows[name], columns=cols)
        for c in cols:
            if c == "page":
                df[c] = df[c].astype("Int64")
            elif c == "ocr_confidence":  # a number or missing (text not read by OCR)
                df[c] = df[c].astype("float64")
            elif df[c].dtype == object:
                df[c] = df[c].where(df[c].notna(), None)
        frames[name] = df
    return frames


def validated_frames(doc: Document) -> dict[str, pd.DataFrame]:
    frames = document_frames(doc)
    quarantine: list[dict] = []
    for name in TABLES:
        frames[name], bad = validate_table(name, frames[name], doc.raw, doc.report_id)
        quarantine.extend(bad)
    frames["quarantine"] = pd.DataFrame(quarantine, columns=QUARANTINE_COLUMNS)
    return frames


def document_record(doc: Document, frames: dict[str, pd.DataFrame], settings_key: str) -> dict:
    tp = doc.title_page
    return {
        "report_id": doc.report_id,
        "source_path": doc.source_path,
        "source_sha256": doc.sha256,
        "encoding": doc.encoding,
        "title": tp.title,
        "subtitle": tp.subtitle,
        "organisation": tp.organisation,
        "date": tp.date,
        "pipeline_version": __version__,
        "schema_version": schema_version(),
        "settings_key": settings_key,
        "row_counts": {name: int(len(df)) for name, df in frames.items()},
        "pages": doc.pages,
        "pdf_metadata": doc.source_info.get("metadata", {}),
        "page_info": doc.source_info.get("page_info", []),
    }


def write_report(doc: Document, out_dir: str | Path, settings_key: str = "") -> dict:
    """Validate and write one report's folder atomically; returns its document record."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = validated_frames(doc)
    record = document_record(doc, frames, settings_key)
    target = out_dir / doc.report_id
    if target.resolve().parent != out_dir.resolve():
        raise ValueError(f"report id {doc.report_id!r} would escape {out_dir}")
    tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{doc.report_id}-", dir=out_dir))
    try:
        for i, (name, df) in enumerate(frames.items()):
            _write_table(df, tmp / f"{name}.parquet", tmp / f"{name}.csv")
            if i == 1:
                _fault("tables_half_written")
        _write_text(tmp / "source.txt", doc.raw)
        _write_text(tmp / "document.json", json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        _write_text(tmp / "datapackage.json", datapackage_json(doc.report_id, list(frames)))
        _check_written(tmp, frames)
        _fsync_dir(tmp)
        _fault("before_swap")
        _swap_into_place(tmp, target)
        _fault("after_swap")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return record


def _fault(point: str) -> None:
    """Fault injection for the crash-safety tests: REPORTPIPE_KILL_AT=<point> kills this process
    there with SIGKILL, as a power cut or the OOM killer would."""
    if os.environ.get("REPORTPIPE_KILL_AT") == point:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _write_table(df: pd.DataFrame, parquet_path: Path, csv_path: Path) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, parquet_path)
    df.to_csv(csv_path, index=False, encoding="utf-8", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    for p in (parquet_path, csv_path):
        with open(p, "rb") as fh:
            os.fsync(fh.fileno())


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _check_written(folder: Path, frames: dict[str, pd.DataFrame]) -> None:
    """Re-open what was written: a table that does not read back whole is never published."""
    for name, df in frames.items():
        n = pq.ParquetFile(folder / f"{name}.parquet").metadata.num_rows
        if n != len(df):
            raise OSError(f"{name}.parquet holds {n} rows after writing, expected {len(df)}")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_into_place(tmp: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f"{_OLD_PREFIX}{target.name}-{os.getpid()}-{time.time_ns()}")
        os.replace(target, old)
        _fault("between_renames")
    os.replace(tmp, target)
    _fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def sweep(out_dir: str | Path) -> list[str]:
    """Remove temporary folders a killed run left; restore a report caught between two renames."""
    out_dir = Path(out_dir)
    swept = []
    if not out_dir.is_dir():
        return swept
    for p in sorted(out_dir.iterdir()):
        if p.name.startswith(_OLD_PREFIX) and p.is_dir():
            name = p.name[len(_OLD_PREFIX):].rsplit("-", 2)[0]
            target = out_dir / name
            if not target.exists():
                os.replace(p, target)  # the new folder never arrived: keep the old one
            else:
                shutil.rmtree(p, ignore_errors=True)
            swept.append(p.name)
        elif p.name.startswith(_TMP_PREFIX) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
            swept.append(p.name)
        elif p.name.startswith((".manifest-", ".failures-")) and p.is_file():
            p.unlink()  # a manifest or failure list that was never swapped in
            swept.append(p.name)
    return swept


def read_manifest(out_dir: str | Path) -> dict:
    path = Path(out_dir) / MANIFEST
    if not path.exists():
        return {"reports": {}}
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def write_manifest(out_dir: str | Path, manifest: dict) -> None:
    out_dir = Path(out_dir)
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=out_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    _fault("before_manifest")
    os.replace(tmp, out_dir / MANIFEST)
    _fsync_dir(out_dir)


def write_failures(out_dir: str | Path, failures: list[dict]) -> None:
    """``_failures.csv`` lists the reports of the last run that failed (none: the file is removed)."""
    out_dir = Path(out_dir)
    path = out_dir / FAILURES
    if not failures:
        if path.exists():
            path.unlink()
        return
    fd, tmp = tempfile.mkstemp(prefix=".failures-", dir=out_dir)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FAILURE_COLUMNS, lineterminator="\n")
        w.writeheader()
        for f in failures:
            w.writerow({k: f.get(k, "") for k in FAILURE_COLUMNS})
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
