"""Output tables of one report, validated and written so that a reader never sees half a report.

A report's files are written into a temporary folder beside the target, re-read and checked, then
swapped into place; the manifest that lists finished reports is replaced last. A run killed at any
moment leaves the previous outputs complete, and the next run sweeps what it left behind.

An output folder is also a cache that users and other programs can damage: the manifest is
rebuilt from the report folders when it is missing or unreadable (each report folder's
``document.json`` holds its source sha256 and row counts), and a report whose files are missing
or of another size than when they were written counts as changed, so the next run writes it
again. Only one process writes a folder at a time (``pipeline.lock``).

The CSV copy of each table is for people and spreadsheets: a text cell that a spreadsheet would
run as a formula (it begins with ``= + - @``, a tab or a carriage return and is not a number) is
written with a ``'`` in front, as is a cell that begins with ``'``, so ``read_csv_rows`` gives the
exact text back. Parquet keeps the exact text.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import re
import secrets
import shutil
import time
from operator import attrgetter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api.types import infer_dtype

from . import __version__, lock
from .catalog import datapackage_json
from .errors import ReportError, UsageError
from .indicators import OPENING_CHARS, region_of, report_year
from .model import BBox, Document
from .names import FAILURE_COLUMNS, FAILURES, JOURNAL, MANIFEST
from .validate import QUARANTINE_COLUMNS, TABLES, columns, schema_version, validate_table

log = logging.getLogger("reportpipe")

_TMP_PREFIX = ".tmp-"
_OLD_PREFIX = ".old-"
OUTPUT_TABLES = TABLES + ("quarantine",)
# Every file a finished report folder holds; the manifest keeps their sizes.
REPORT_FILES = tuple(f"{t}.{ext}" for t in OUTPUT_TABLES for ext in ("parquet", "csv")) + (
    "source.txt", "document.json", "datapackage.json")
# Cells a spreadsheet would evaluate: = + - @ start a formula, a leading tab or carriage return
# hides one; a leading ' is escaped too, so that removing one ' on reading is exact.
_FORMULA_CHARS = frozenset("=+-@\t\r'")
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def bbox_text(bbox: BBox | None) -> str:
    """A box as the tables store it: "x0,y0,x1,y1" in points to 0.1, "" for none."""
    return "" if bbox is None else f"{bbox.x0:.1f},{bbox.y0:.1f},{bbox.x1:.1f},{bbox.y1:.1f}"


# Columns that hold a float copy of an exact decimal column, so that Parquet readers, DuckDB and
# spreadsheets can add and chart figures without parsing text; the text stays the figure of record.
NUMERIC_TWINS = {"value_num": "value", "value_max_num": "value_max", "change_value_num": "change_value"}


def _float_or_missing(text: str) -> float:
    """The float of an exact decimal text; NaN for an empty or unparsable one."""
    try:
        return float(text) if text else math.nan
    except ValueError:
        return math.nan


def _column(objs: tuple, c: str, rid: str, derived: dict):
    """One column of a table, typed as its contract says, from the model's objects."""
    if c == "report_id":
        return _typed_array([rid] * len(objs))
    if c in derived:
        return _typed_array([derived[c](o) for o in objs])
    if c in NUMERIC_TWINS:  # the exact text's float, or missing where the text is empty
        return np.array([_float_or_missing(getattr(o, NUMERIC_TWINS[c])) for o in objs], dtype="float64")
    values = list(map(attrgetter(c), objs))
    if c == "page":
        return pd.array(values, dtype="Int64")
    if c == "ocr_confidence":  # a number or missing (text not read by OCR)
        return np.array(values, dtype="float64")
    return _typed_array(values)


def _typed_array(values: list):
    """A column of text, integers or booleans only as the array pandas would make of the list
    (given a list, pandas infers its type through several layers per column, which cost more than
    the rest of building the tables); any other column stays a list for pandas to infer."""
    first = type(values[0]) if values else None
    if first is str or first is int or first is bool:
        array = np.fromiter(values, dtype=object, count=len(values))
        kind = infer_dtype(array, skipna=False)
        if kind == "string":
            return array
        if kind == "boolean":
            return array.astype(bool)
        if kind == "integer":
            try:
                return array.astype(np.int64)  # what pandas makes of integers that fit
            except OverflowError:
                pass
    return values


_BOX = {"bbox": lambda o: bbox_text(o.bbox)}
_IDS = {"claim_ids": lambda o: ";".join(o.claim_ids)}


def _empty_frame(cols: list[str]) -> pd.DataFrame:
    """A table without rows: untyped text columns, and the typed ones as their contract says."""
    df = pd.DataFrame([], columns=cols)
    for c in cols:
        if c == "page":
            df[c] = df[c].astype("Int64")
        elif c in NUMERIC_TWINS or c == "ocr_confidence":
            df[c] = df[c].astype("float64")
    return df


def document_frames(doc: Document) -> dict[str, pd.DataFrame]:
    """The content tables of a document, in their contract's column order, built a column at a
    time from the model's objects (a dict per row, let alone ``dataclasses.asdict``'s deep copy,
    cost more than all extraction)."""
    objects = {"sections": (doc.sections, {}), "cases": (doc.cases, {}), "blocks": (doc.blocks, _BOX),
               "claims": (doc.claims, _BOX), "tables": (doc.table_cells, _BOX),
               "indicators": (doc.indicators, _IDS), "checks": (doc.checks, _IDS)}
    frames = {}
    for name in TABLES:
        cols = columns(name)
        objs, derived = objects[name]
        if not objs:
            frames[name] = _empty_frame(cols)
            continue
        frames[name] = pd.DataFrame({c: _column(objs, c, doc.report_id, derived) for c in cols}, columns=cols)
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
        "region": region_of(tp, doc.raw[:OPENING_CHARS]),
        "report_year": report_year(tp, doc.claims),
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
    check_id_free(out_dir, doc.report_id, doc.source_path)
    tmp = _new_dir(out_dir, f"{_TMP_PREFIX}{doc.report_id}-")
    files = _DurableFiles()
    try:
        for i, (name, df) in enumerate(frames.items()):
            _write_table(df, tmp / f"{name}.parquet", tmp / f"{name}.csv", files)
            if i == 1:
                _fault("tables_half_written")
        files.write(tmp / "source.txt", doc.raw.encode("utf-8"))
        files.write(tmp / "document.json", (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        files.write(tmp / "datapackage.json", datapackage_json(doc.report_id, list(frames)).encode("utf-8"))
        files.sync()
        _check_written(tmp, frames)
        _fsync_dir(tmp)
        _fault("before_swap")
        _swap_into_place(tmp, target)
        _fault("after_swap")
    except BaseException:
        files.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return record


def _fault(point: str) -> None:
    """Fault injection for the crash-safety tests: REPORTPIPE_KILL_AT=<point> kills this process
    there with SIGKILL, as a power cut or the OOM killer would."""
    if os.environ.get("REPORTPIPE_KILL_AT") == point:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _new_dir(parent: Path, prefix: str) -> Path:
    """A new folder with a unique name, with the permissions the umask gives (``tempfile`` makes
    them 0700, which would leave finished report folders unreadable to other users)."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            path.mkdir(mode=0o777)
            return path
        except FileExistsError:
            continue


def _new_file(parent: Path, prefix: str):
    """A new file with a unique name, opened for writing text (umask permissions, not 0600)."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            return path, open(path, "x", encoding="utf-8", newline="")
        except FileExistsError:
            continue


def _text_scan(df: pd.DataFrame) -> tuple[dict[str, list[int]], bool]:
    """One pass over the text columns: the rows of each column whose cell a spreadsheet would run
    as a formula (a first-character test, the number pattern only for the few it keeps), and
    whether any cell holds a carriage return."""
    return _scan(df)[1:]


def _scan(df: pd.DataFrame) -> tuple[dict[str, list], dict[str, list[int]], bool]:
    """``_text_scan`` with the cells of each text column it read (lists the caller may change).
    A column of text only is first searched whole, its cells joined each after a NUL: where no
    NUL is followed by one of those characters, no cell starts with one (most columns), and the
    cells are looked at one by one only where one is."""
    cells: dict[str, list] = {}
    risky: dict[str, list[int]] = {}
    carriage = False
    for c in df.columns:
        if df[c].dtype != object:
            continue
        values = cells[c] = df[c].tolist()
        try:
            whole = "\0" + "\0".join(values)
        except TypeError:  # a missing cell among the text
            whole = None
        if whole is not None:
            carriage = carriage or "\r" in whole
            if not any("\0" + ch in whole for ch in _FORMULA_CHARS):
                continue
        rows = [i for i, v in enumerate(values)
                if isinstance(v, str) and v[:1] in _FORMULA_CHARS and not _NUMBER.fullmatch(v)]
        if rows:
            risky[c] = rows
        if whole is None:
            carriage = carriage or any(isinstance(v, str) and "\r" in v for v in values)
    return cells, risky, carriage


def _escaped(df: pd.DataFrame, risky: dict[str, list[int]]) -> pd.DataFrame:
    if not risky:
        return df
    out = df.copy()
    for c, rows in risky.items():
        values = df[c].tolist()
        out.iloc[rows, out.columns.get_loc(c)] = ["'" + values[i] for i in rows]
    return out


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """The table as written to CSV: text cells a spreadsheet would run as a formula get a ``'`` in
    front; numbers written as text ("-12.4", "+5%") stay as they are."""
    return _escaped(df, _text_scan(df)[0])


def read_csv_rows(path: str | Path) -> list[dict]:
    """Rows of a CSV file this module wrote, with the exact text of every cell (the ``'`` put in
    front of formula-like cells removed)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [{k: (v[1:] if v.startswith("'") else v) for k, v in row.items()}
                for row in csv.DictReader(fh)]


def _write_table(df: pd.DataFrame, parquet_path: Path, csv_path: Path,
                 files: _DurableFiles | None = None) -> None:
    """A table's Parquet file and CSV copy, each made in memory and written in one call (the
    writers' own file handling cost more than the encoding); synced at once, or with the rest of
    the report's files when ``files`` collects them."""
    sink = pa.BufferOutputStream()
    pq.write_table(_arrow_table(df), sink)
    # Python's csv writer quotes only the characters of the line terminator ("\n"): a cell with a
    # carriage return would end its row early for a reader, so such a table quotes every text cell.
    cells, risky, carriage = _scan(df)
    if carriage:
        text = _escaped(df, risky).to_csv(None, index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    else:
        for c, rows in risky.items():  # what _escaped does, on the cells already read
            for i in rows:
                cells[c][i] = "'" + cells[c][i]
        text = _csv_text(df, cells)
    own = files is None
    files = _DurableFiles() if files is None else files
    try:
        files.write(parquet_path, sink.getvalue().to_pybytes())
        files.write(csv_path, text.encode("utf-8"))
        if own:
            files.sync()
    finally:
        if own:
            files.close()


# The schema ``pa.Table.from_pandas`` gives a table, pandas metadata included, by its columns'
# names, dtypes and Arrow types: the same for every report, and building it (the metadata most of
# all) cost as much as converting the columns. A handful of layouts exist; the bound is a guard.
_SCHEMAS: dict[tuple, pa.Schema] = {}
MAX_SCHEMAS = 256


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    """``pa.Table.from_pandas(df, preserve_index=False)``: each column converted as that call
    converts it (``pa.array(..., from_pandas=True)``), the schema made once per layout."""
    series = [s for _, s in df.items()]
    try:
        arrays = [pa.array(s.array if isinstance(s.dtype, pd.api.extensions.ExtensionDtype) else s.to_numpy(),
                           from_pandas=True) for s in series]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return pa.Table.from_pandas(df, preserve_index=False)  # with pyarrow's message naming the column
    key = tuple((c, str(s.dtype), a.type) for c, s, a in zip(df.columns, series, arrays, strict=True))
    schema = _SCHEMAS.get(key)
    if schema is None:
        table = pa.Table.from_pandas(df, preserve_index=False)
        if len(_SCHEMAS) >= MAX_SCHEMAS:
            _SCHEMAS.clear()
        _SCHEMAS[key] = table.schema
        return table
    return pa.Table.from_arrays(arrays, schema=schema)


def _csv_cells(s: pd.Series, values: list | None = None) -> list:
    """A column's cells (``values``: as ``s.tolist()`` gives them) as ``csv.writer`` writes them
    the way pandas' ``to_csv`` does: missing values (None, NaN, NA) empty, numbers and booleans as
    Python prints them. A column of text only, or of floats without NaN, is taken as it is (one
    C-level test instead of one per cell)."""
    values = s.tolist() if values is None else values
    if s.dtype == object:
        try:
            "".join(values)
            return values  # text only: nothing missing
        except TypeError:
            pass
    elif s.dtype.kind == "f" and not np.isnan(s.to_numpy()).any():
        return values
    if s.dtype == object or str(s.dtype) == "Int64" or s.dtype.kind == "f":
        return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for v in values]
    return values


def _csv_text(df: pd.DataFrame, cells: dict[str, list] | None = None) -> str:
    """A table as CSV through the standard library's C writer: the text pandas' ``to_csv``
    writes (minimal quoting, "\n" rows; ``tests/test_outputs.py`` holds them to that), at a fifth
    of its cost, which was a fifth of a small report's whole run. ``cells``: columns already
    read (and escaped), by name."""
    cells = cells or {}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(df.columns)
    w.writerows(zip(*(_csv_cells(df[c], cells.get(c)) for c in df.columns), strict=True))
    return buf.getvalue()


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(_csv_text(df))


class _DurableFiles:
    """The files of a report folder, each written whole in one call and then all synced: every
    file is on disk (its own fsync) before the folder is checked and published, but the syncs
    come after all the writes, so the kernel writes the data out together instead of the writer
    waiting for the disk once per file in between."""

    def __init__(self) -> None:
        self._fds: list[int] = []

    def write(self, path: Path, data: bytes) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)  # the umask decides
        self._fds.append(fd)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]

    def sync(self) -> None:
        while self._fds:
            os.fsync(self._fds[0])
            os.close(self._fds.pop(0))

    def close(self) -> None:
        while self._fds:
            os.close(self._fds.pop())


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
    swept: list[str] = []
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
        elif p.name.startswith((".manifest-", ".failures-", ".catalog-")) and p.is_file():
            p.unlink()  # a manifest, failure list or catalog that was never swapped in
            swept.append(p.name)
        elif p.name.startswith(".probe-") and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
            swept.append(p.name)
    return swept


def remove_report(out_dir: str | Path, report_id: str) -> None:
    """Delete one report: its folder first (renamed out of the way in one step, then deleted, so
    the catalog never reads half a folder), then its manifest entry. A crash between the two leaves
    an entry whose folder is missing, which the next run sees and removes again."""
    out_dir = Path(out_dir)
    folder = out_dir / report_id
    if folder.exists():
        doomed = out_dir / f"{_TMP_PREFIX}removed-{secrets.token_hex(6)}"
        os.replace(folder, doomed)
        _fsync_dir(out_dir)
        shutil.rmtree(doomed, ignore_errors=True)
    compact_manifest(out_dir)
    manifest = read_manifest(out_dir)
    if manifest["reports"].pop(report_id, None) is not None:
        write_manifest(out_dir, manifest)


def report_files(folder: Path) -> dict[str, int]:
    """Size in bytes of each file of a report folder that exists."""
    sizes = {}
    for name in REPORT_FILES:
        try:
            sizes[name] = (folder / name).stat().st_size
        except OSError:
            continue
    return sizes


def report_damage(out_dir: str | Path, report_id: str, entry: dict) -> str:
    """Why a report the manifest lists as written cannot be trusted, or "" when its files are
    whole: a missing folder, a missing file, a file of another size than when it was written, or
    (for an entry without sizes) a Parquet file that does not read back with its row count."""
    folder = Path(out_dir) / report_id
    if not (folder / "document.json").is_file():
        return "its output folder is missing" if not folder.exists() else \
            "its files are damaged (document.json missing)"
    sizes = entry.get("files")
    now = report_files(folder)
    if sizes:
        for name, size in sizes.items():
            if name not in now:
                return f"its files are damaged ({name} missing)"
            if now[name] != size:
                return f"its files are damaged ({name} is {now[name]:,} bytes, was {size:,})"
        return ""
    for name in REPORT_FILES:
        if name not in now:
            return f"its files are damaged ({name} missing)"
    counts = entry.get("row_counts") or {}
    for name in OUTPUT_TABLES:
        try:
            rows = pq.read_metadata(folder / f"{name}.parquet").num_rows
        except Exception:  # pyarrow's errors for a damaged file vary by version
            return f"its files are damaged ({name}.parquet does not read)"
        if name in counts and rows != counts[name]:
            return f"its files are damaged ({name}.parquet has {rows} rows, was {counts[name]})"
    return ""


def _report_folders(out_dir: Path) -> list[Path]:
    if not out_dir.is_dir():
        return []
    return sorted(p for p in out_dir.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and (p / "document.json").exists())


def rebuild_manifest(out_dir: str | Path) -> dict:
    """A manifest made from the report folders: one entry per folder whose document.json reads
    and whose tables read back with the row counts it records (others are left out, so the next
    run writes them again)."""
    out_dir = Path(out_dir)
    reports = {}
    for folder in _report_folders(out_dir):
        try:
            record = json.loads((folder / "document.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(record, dict) or record.get("report_id") != folder.name:
            continue
        entry = {"sha256": record.get("source_sha256", ""), "settings_key": record.get("settings_key", ""),
                 "source_path": record.get("source_path", ""),
                 "pipeline_version": record.get("pipeline_version", ""), "status": "ok",
                 "row_counts": record.get("row_counts", {}),
                 "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z",
                                           time.localtime((folder / "document.json").stat().st_mtime))}
        if report_damage(out_dir, folder.name, entry):
            continue
        entry["files"] = report_files(folder)
        reports[folder.name] = entry
    return {"reports": reports}


def _load_manifest(path: Path) -> tuple[dict | None, str]:
    """(the manifest, "") when it reads; (None, what is wrong) when it does not."""
    try:
        with open(path, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except FileNotFoundError:
        return None, "is missing"
    except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None, f"is damaged ({type(exc).__name__}: {exc})"
    if not isinstance(manifest, dict) or not isinstance(manifest.get("reports"), dict):
        return None, "is damaged (not a reportpipe manifest)"
    return manifest, ""


def read_manifest(out_dir: str | Path) -> dict:
    """The manifest of ``out_dir`` with the entries of its journal applied; when the manifest is
    missing or damaged but report folders exist, one rebuilt from them, with a warning naming the
    file (``repair_manifest`` also writes it)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return {"reports": {}}  # nothing written yet (a path that is a file is refused by writers)
    path = out_dir / MANIFEST
    manifest, problem = _load_manifest(path)
    journal = _journal_entries(out_dir)
    if manifest is None and problem == "is missing" and not {p.name for p in _report_folders(out_dir)} - set(journal):
        manifest = {"reports": {}}  # a new output folder (its first reports are in the journal)
    elif manifest is None:
        manifest = rebuild_manifest(out_dir)
        log.warning("reportpipe: warning: %s %s; rebuilt it from %d report folder(s)%s.", path, problem,
                    len(manifest["reports"]), "" if lock.held_here(out_dir) else
                    " (the next `reportpipe run` writes it)")
    manifest["reports"].update(journal)
    return manifest


# Reports finished since the manifest was last written: one JSON line each, appended and synced
# as each report finishes, so that recording a report costs the same whatever the batch's size
# (rewriting the whole manifest per report made a 2,000-file batch 30% slower per file by its
# end). The journal is folded into the manifest at the end of a batch and at the start of the
# next writer, so a killed batch loses none of the reports it finished.


def _journal_entries(out_dir: Path) -> dict:
    path = out_dir / JOURNAL
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        log.warning("reportpipe: warning: %s cannot be read (%s); its reports run again.", path, exc.strerror)
        return {}
    entries = {}
    lines = data.split(b"\n")
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            entries[record["report_id"]] = record["entry"]
        except (ValueError, KeyError, TypeError):
            last = all(not rest.strip() for rest in lines[n:])
            log.warning("reportpipe: warning: %s line %d is %s; it is ignored (that report runs again).",
                        path, n, "cut short (the run was killed while writing it)" if last else "damaged")
    return entries


def _append_journal(out_dir: Path, report_id: str, entry: dict) -> None:
    line = json.dumps({"report_id": report_id, "entry": entry}, ensure_ascii=False, sort_keys=True)
    fd = os.open(out_dir / JOURNAL, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def compact_manifest(out_dir: str | Path) -> None:
    """Fold the journal into the manifest (written atomically), then remove the journal; a crash
    in between leaves both, and the journal's entries are the same ones again (writers only)."""
    out_dir = Path(out_dir)
    if not (out_dir / JOURNAL).exists():
        return
    write_manifest(out_dir, read_manifest(out_dir))
    (out_dir / JOURNAL).unlink(missing_ok=True)
    _fsync_dir(out_dir)


def repair_manifest(out_dir: str | Path) -> None:
    """Write a rebuilt manifest when the present one is missing or damaged (writers only)."""
    out_dir = Path(out_dir)
    if _load_manifest(out_dir / MANIFEST)[0] is None and _report_folders(out_dir):
        write_manifest(out_dir, read_manifest(out_dir))
    compact_manifest(out_dir)  # what a killed batch finished


def write_manifest(out_dir: str | Path, manifest: dict) -> None:
    out_dir = Path(out_dir)
    tmp, fh = _new_file(out_dir, ".manifest-")
    with fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    _fault("before_manifest")
    os.replace(tmp, out_dir / MANIFEST)
    _fsync_dir(out_dir)


def update_manifest(out_dir: str | Path, report_id: str, entry: dict) -> None:
    """Record one finished report in the manifest, with the sizes of its files (so that a later
    ``status`` or ``run`` sees a deleted or truncated file). A report refused because its id
    belongs to another input leaves that input's entry alone."""
    if entry.get("status") == "failed" and entry.get("reason") == "id_conflict":
        return
    if entry.get("status") == "ok":
        entry = {**entry, "files": report_files(Path(out_dir) / report_id)}
    _fault("before_manifest")
    _append_journal(Path(out_dir), report_id, entry)


def read_failures(out_dir: str | Path) -> list[dict]:
    """The rows of ``_failures.csv`` (none when it is missing or unreadable: it is rewritten at
    the end of every run)."""
    try:
        return read_csv_rows(Path(out_dir) / FAILURES)
    except (OSError, ValueError, csv.Error):
        return []


def write_failures(out_dir: str | Path, failures: list[dict]) -> None:
    """``_failures.csv`` lists the reports of the last run that failed (none: the file is removed)."""
    out_dir = Path(out_dir)
    path = out_dir / FAILURES
    if not failures:
        if path.exists():
            path.unlink()
        return
    tmp, fh = _new_file(out_dir, ".failures-")
    with fh:
        w = csv.DictWriter(fh, fieldnames=FAILURE_COLUMNS, lineterminator="\n")
        w.writeheader()
        for f in failures:
            w.writerow({k: f.get(k, "") for k in FAILURE_COLUMNS})
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def check_output_dir(out_dir: str | Path) -> Path:
    """Create the output folder if needed; a path that is a file, or a folder this user cannot
    write, is a usage error that says so (not an error deep inside the first report)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file, not a folder; give --out a folder (it is created "
                         "when missing).")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the output folder {out_dir} ({exc.strerror}); give --out a "
                         "folder you can write.") from None
    probe = out_dir / f".probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise UsageError(f"cannot write into the output folder {out_dir} ({exc.strerror}); fix its "
                         "permissions or give another --out.") from None
    return out_dir


def prepare_output(out_dir: str | Path) -> None:
    """What a writer does before its first report: check the folder, take its write lock (one
    writer at a time), sweep what a killed run left and repair a damaged manifest."""
    check_output_dir(out_dir)
    lock.acquire(out_dir)
    sweep(out_dir)
    repair_manifest(out_dir)


def finish_output(out_dir: str | Path) -> None:
    """The batch is recorded: its journal folded into the manifest; let the next writer in."""
    try:
        compact_manifest(out_dir)
    finally:
        lock.release(out_dir)


def input_files(folder: Path, suffixes: set[str] | frozenset[str]) -> list[Path]:
    """The report files of a folder (regular files with one of ``suffixes``, not hidden), sorted.
    A folder that cannot be listed is a usage error naming it; an entry that vanishes while it is
    listed is skipped, and one that cannot be read is kept, to fail alone as that report."""
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise UsageError(f"cannot list the input folder {folder} ({exc.strerror}); check its "
                         "permissions.") from None
    files = []
    for f in entries:
        if f.name.startswith(".") or f.suffix.lower() not in suffixes:
            continue
        try:
            if f.is_file():
                files.append(f)
        except OSError:
            continue
    return sorted(files)


def check_input(path: str | Path, out_dir: str | Path, report_id: str) -> None:
    """Raise a ``ReportError`` for an input that cannot be read now (unreadable, vanished) or
    whose report id already belongs to another input; the batch records it and goes on."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            fh.read(1)
    except FileNotFoundError:
        raise ReportError(str(p), "unreadable_input", "the file vanished before it could be read "
                          "(moved or deleted during the run); run again once it is back.") from None
    except PermissionError:
        raise ReportError(str(p), "unreadable_input", "cannot read the file (permission denied); "
                          "give the user running reportpipe read access, or move it out of the "
                          "input folder.") from None
    except OSError as exc:
        raise ReportError(str(p), "unreadable_input", f"cannot read the file ({exc.strerror}).") from None
    check_id_free(out_dir, report_id, str(p))


def id_owner(out_dir: str | Path, report_id: str) -> str | None:
    """The source path of the report already written as ``report_id`` in ``out_dir``, if any."""
    try:
        record = json.loads((Path(out_dir) / report_id / "document.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    owner = record.get("source_path") if isinstance(record, dict) else None
    return owner or None


def check_id_free(out_dir: str | Path, report_id: str, source_path: str) -> None:
    """A report folder belongs to the input that wrote it: another input with the same id is
    refused rather than written over it, as long as the first input still exists (a report whose
    source was moved or deleted may be taken over)."""
    owner = id_owner(out_dir, report_id)
    if owner is None or Path(owner).resolve() == Path(source_path).resolve():
        return
    if Path(owner).exists():
        raise ReportError(source_path, "id_conflict",
                          f"report id {report_id!r} is already used by {owner}; rename one of the two "
                          f"files (or remove {Path(out_dir) / report_id} if that report is no longer "
                          "wanted).", stage="plan")
