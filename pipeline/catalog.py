"""One DuckDB catalog over every report of an output folder, and a data package per report.

``DIR/catalog.duckdb`` holds views, not copies: each view reads the reports' Parquet files, so
the catalog is refreshed (the views re-created) after every run in milliseconds and can never
disagree with the files. Besides a view per table, ``panel`` lists every indicator by region, period
and canonical name, and ``editions`` pairs an indicator across editions of one report series.

The catalog is a cache of the report folders, so it is rebuilt rather than trusted:

- the views name their files relative to the catalog (``sample/claims.parquet``), so a moved or
  copied output folder still works; DuckDB resolves such paths against the working directory, so
  ``query`` runs in the output folder (``cd DIR && duckdb catalog.duckdb`` does the same);
- a new catalog is written to a temporary file and swapped in, so a reader never sees half of
  one, and a damaged or missing catalog is simply rebuilt;
- a report whose Parquet file is missing or does not read is left out of its view (with a
  warning) instead of breaking the view for every report; a table with no file at all is an
  empty view with the contract's columns, so a view never disappears;
- a catalog that another program holds open for writing is left alone: the run succeeds with a
  warning, and the next run (or query) refreshes it.

``query`` opens the catalog read-only on a connection that can read only the files of the
output folder the views name, cannot write files, install or load extensions, and cannot change
those settings; only SELECT (and EXPLAIN) statements run.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import logging
import os
import secrets
import threading
from pathlib import Path

from . import lock
from .errors import UsageError
from .names import CATALOG, FAILURE_COLUMNS, FAILURES, package_name
from .validate import QUARANTINE_COLUMNS, TABLES, load_contract

log = logging.getLogger("reportpipe")

VIEW_TABLES = TABLES + ("quarantine",)
# Version of the views' layout; a catalog of an older layout (absolute paths) is rebuilt.
CATALOG_LAYOUT = 4  # 3: panel, editions and edition_checks views; 4: float twins of the figures
_SQL_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN"}
# The statement types ``query`` runs: reading only (COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA,
# CREATE and the rest are refused before DuckDB sees them).
_QUERY_STATEMENTS = ("SELECT", "EXPLAIN")
_CWD_GUARD = threading.Lock()


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _readable_parquet(path: Path) -> bool:
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
        return True
    except Exception:  # pyarrow's errors for a damaged file vary by version
        return False


def _report_folders(out_dir: Path) -> list[Path]:
    return sorted(p for p in out_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def _empty_view_sql(name: str) -> str:
    if name == "quarantine":
        cols = [(c, "VARCHAR") for c in QUARANTINE_COLUMNS]
    else:
        cols = [(f["name"], _SQL_TYPES.get(f.get("type", "string"), "VARCHAR"))
                for f in load_contract(name)["fields"]]
    listing = ", ".join(f'CAST(NULL AS {t}) AS "{c}"' for c, t in cols)
    return f"SELECT {listing} WHERE false"


def view_sources(out_dir: str | Path, warn: bool = True) -> dict[str, list[str]]:
    """The files each view reads, relative to ``out_dir``: every report's table files that read,
    its document.json, and the failure list. Damaged or missing files are left out (with a
    warning naming them, if ``warn``)."""
    out_dir = Path(out_dir)
    folders = _report_folders(out_dir)
    sources: dict[str, list[str]] = {}
    skipped = []
    for name in VIEW_TABLES:
        files = []
        for folder in folders:
            f = folder / f"{name}.parquet"
            if not (folder / "document.json").exists():
                continue
            if _readable_parquet(f):
                files.append(f"{folder.name}/{name}.parquet")
            else:
                skipped.append(f"{folder.name}/{name}.parquet")
        sources[name] = files
    sources["documents"] = [f"{f.name}/document.json" for f in folders if (f / "document.json").is_file()]
    sources["failures"] = [FAILURES] if (out_dir / FAILURES).is_file() else []
    if skipped and warn:
        log.warning("reportpipe: warning: the catalog of %s leaves out %s (missing or damaged); the "
                    "next `reportpipe run` writes those reports again.", out_dir, ", ".join(skipped))
    return sources


PANEL_COLUMNS = ("region", "period", "indicator", "value", "value_num", "unit", "change_value", "change_value_num",
                 "change_unit", "basis",
                 "report_id", "claim_id", "name_in_report", "scope", "kind", "qualifier", "period_source",
                 "claim_ids", "section_id", "page")


def derived_views(con) -> list[tuple[str, str]]:
    """Views over the per-report views: (name, SQL), SQL empty where the tables they read are absent.

    ``panel``: every indicator of every report, by region, period and canonical name, the shape a
    dataset across reports and years wants. ``editions``: the same indicator in two editions of
    one series (the report id without its years), for a quick look across years in SQL.
    ``edition_checks``: a report's growth rates against the previous edition's levels of the same
    region, and the same period stated in two editions (a revision: ``soft``); ``soft`` also where
    the growth is at comparable prices and so need not match the levels' ratio.
    """
    have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "indicators" not in have:
        return [("panel", ""), ("editions", ""), ("edition_checks", "")]
    panel = """
        SELECT region, period, canonical AS indicator, value, value_num, unit, change_value, change_value_num,
               change_unit, basis,
               report_id, split_part(claim_ids, ';', 1) AS claim_id, indicator AS name_in_report, scope,
               kind, qualifier, period_source, claim_ids, section_id, page
        FROM indicators
        ORDER BY region, indicator, period, report_id, raw_start
    """
    editions = """
        WITH i AS (
            SELECT *, trim(regexp_replace(report_id, '(19|20)[0-9]{2}', '', 'g'), '-_. ') AS series
            FROM indicators WHERE value IS NOT NULL AND value <> ''
        )
        SELECT a.series, a.report_id AS old_report, b.report_id AS new_report, a.canonical AS indicator,
               a.unit, a.kind, a.period AS old_period, b.period AS new_period,
               a.value AS old_value, b.value AS new_value,
               round((CAST(b.value AS DOUBLE) - CAST(a.value AS DOUBLE))
                     / nullif(abs(CAST(a.value AS DOUBLE)), 0) * 100, 2) AS change_percent,
               split_part(a.claim_ids, ';', 1) AS old_claim_id, split_part(b.claim_ids, ';', 1) AS new_claim_id
        FROM i a JOIN i b
          ON a.series = b.series AND a.report_id < b.report_id AND a.canonical = b.canonical
         AND a.unit = b.unit AND a.kind = b.kind AND a.canonical <> ''
    """
    # A growth printed to 0.1 point is exact to ±0.05; the two levels' rounding (four or five
    # significant digits) moves the growth they imply by up to about ±0.1 point more.
    growth_tolerance = 0.15
    edition_checks = f"""
        WITH i AS (
            SELECT * FROM indicators
            WHERE length(period) = 4 AND value IS NOT NULL AND value <> '' AND region <> ''
        )
        SELECT 'growth_against_previous_edition' AS "check", n.region, n.canonical AS indicator, n.unit,
               o.report_id AS old_report, n.report_id AS new_report, o.period AS old_period, n.period AS new_period,
               o.value AS old_value, n.value AS new_value, n.change_value AS stated,
               CAST(round((CAST(n.value AS DOUBLE) / nullif(CAST(o.value AS DOUBLE), 0) - 1) * 100, 2) AS VARCHAR) AS expected,
               '{growth_tolerance}' AS tolerance,
               CASE WHEN abs((CAST(n.value AS DOUBLE) / nullif(CAST(o.value AS DOUBLE), 0) - 1) * 100
                             - CAST(n.change_value AS DOUBLE)) <= {growth_tolerance} THEN 'ok'
                    WHEN n.comparable_prices THEN 'soft' ELSE 'flag' END AS status,
               o.claim_ids AS old_claim_ids, n.claim_ids AS new_claim_ids
        FROM i n JOIN i o
          ON n.region = o.region AND n.canonical = o.canonical AND n.unit = o.unit AND n.report_id <> o.report_id
         AND CAST(n.period AS INTEGER) = CAST(o.period AS INTEGER) + 1
        WHERE n.change_unit = '%' AND n.change_value IS NOT NULL AND n.change_value <> '' AND n.basis <> 'mom'
        UNION ALL
        SELECT 'same_period_in_two_editions', n.region, n.canonical, n.unit, o.report_id, n.report_id,
               o.period, n.period, o.value, n.value, n.value, o.value, '0',
               CASE WHEN CAST(n.value AS DECIMAL(38, 6)) = CAST(o.value AS DECIMAL(38, 6)) THEN 'ok' ELSE 'soft' END,
               o.claim_ids, n.claim_ids
        FROM i n JOIN i o
          ON n.region = o.region AND n.canonical = o.canonical AND n.unit = o.unit AND n.period = o.period
         AND n.report_id > o.report_id
    """
    return [("panel", panel), ("editions", editions), ("edition_checks", edition_checks)]


def _create_views(con, sources: dict[str, list[str]]) -> None:
    for name in VIEW_TABLES:
        files = sources[name]
        if files:
            listing = ", ".join(_sql_str(f) for f in files)
            select = f"SELECT * FROM read_parquet([{listing}], union_by_name = true)"
        else:
            select = _empty_view_sql(name)
        con.execute(f'CREATE VIEW "{name}" AS {select}')
    if sources["documents"]:
        listing = ", ".join(_sql_str(f) for f in sources["documents"])
        con.execute(f"CREATE VIEW documents AS SELECT * FROM read_json([{listing}], union_by_name = true)")
    else:
        con.execute('CREATE VIEW documents AS SELECT CAST(NULL AS VARCHAR) AS "report_id" WHERE false')
    if sources["failures"]:
        con.execute(f"CREATE VIEW failures AS SELECT * FROM read_csv({_sql_str(FAILURES)}, header = true, "
                    "all_varchar = true)")
    else:
        listing = ", ".join(f'CAST(NULL AS VARCHAR) AS "{c}"' for c in FAILURE_COLUMNS)
        con.execute(f"CREATE VIEW failures AS SELECT {listing} WHERE false")
    for view, sql in derived_views(con):
        if sql:
            con.execute(f'CREATE VIEW "{view}" AS {sql}')
    con.execute("CREATE TABLE _reportpipe_catalog AS SELECT ? AS layout, ? AS sources",
                [CATALOG_LAYOUT, json.dumps(sources, sort_keys=True)])


def locked_by_another(path: Path) -> bool:
    """True when another process holds ``path`` open for writing (DuckDB takes an exclusive
    ``fcntl`` lock on a database it opens read-write; a shared probe lock then fails)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def refresh_catalog(out_dir: str | Path, sources: dict[str, list[str]] | None = None) -> Path | None:
    """Write the catalog of ``out_dir`` afresh (a temporary file swapped into place); None, with a
    warning, when another program holds the catalog open for writing."""
    import duckdb

    out_dir = Path(out_dir).resolve()
    path = out_dir / CATALOG
    if locked_by_another(path):
        log.warning("reportpipe: warning: %s is open in another program, so it was not refreshed; "
                    "the reports are written, and the next `reportpipe run` or `query` refreshes it.",
                    path)
        return None
    if sources is None:
        sources = view_sources(out_dir)
    tmp = out_dir / f".catalog-{secrets.token_hex(4)}.duckdb"
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute("SET file_search_path = ?", [str(out_dir)])  # binds the relative paths
            _create_views(con, sources)
        wal = out_dir / f"{CATALOG}.wal"
        if wal.exists():
            wal.unlink()  # a log of the old file would be replayed onto the new one
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            if leftover.exists():
                leftover.unlink()
    return path


def catalog_problem(out_dir: str | Path, sources: dict[str, list[str]] | None = None) -> str:
    """Why the catalog needs rebuilding ("" when it does not): missing, unreadable, of an older
    layout, or naming other files than the report folders now hold (a report added, removed or
    damaged since, or a run that could not refresh it). A catalog another program holds open for
    writing cannot be rebuilt now and counts as current."""
    import duckdb

    out_dir = Path(out_dir)
    path = out_dir / CATALOG
    if not path.is_file():
        return "is missing"
    if locked_by_another(path):
        return ""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute("SELECT max(layout), max(sources) FROM _reportpipe_catalog").fetchone()
    except Exception as exc:  # duckdb raises several kinds for a damaged or foreign file
        return f"does not read ({type(exc).__name__}: {str(exc).splitlines()[0]})"
    layout, recorded = row if row else (None, None)
    if layout != CATALOG_LAYOUT:
        return "has an older layout"
    if sources is None:
        sources = view_sources(out_dir, warn=False)
    if recorded != json.dumps(sources, sort_keys=True):
        return "does not match the report folders"
    return ""


def catalog_is_stale(out_dir: str | Path) -> bool:
    """True when the catalog is missing, damaged, of an older layout or behind the report
    folders; a damaged one is named in a warning."""
    problem = catalog_problem(out_dir)
    if problem.startswith("does not read"):
        log.warning("reportpipe: warning: %s %s; rebuilding it.", Path(out_dir) / CATALOG, problem)
    return bool(problem)


def refresh_if_stale(out_dir: str | Path) -> None:
    if catalog_is_stale(out_dir):
        refresh_catalog(out_dir)


@contextlib.contextmanager
def _inside(folder: Path):
    """Run in ``folder``: DuckDB resolves the views' relative paths against the working directory.
    One caller at a time, and the previous directory is restored."""
    with _CWD_GUARD:
        before = os.getcwd()
        os.chdir(folder)
        try:
            yield
        finally:
            os.chdir(before)


def check_query(sql: str) -> None:
    """Refuse anything but reading before DuckDB runs it."""
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise UsageError(f"the query failed: {exc}") from exc
    for st in statements:
        kind = st.type.name
        if kind not in _QUERY_STATEMENTS:
            raise UsageError(f"the query failed: only SELECT statements run here, not {kind} "
                             f"({st.query.strip()[:60]!r}); the catalog is read-only.")


def connect_readonly(out_dir: str | Path, sources: dict[str, list[str]] | None = None):
    """A read-only connection to the catalog of ``out_dir`` that can read only the files its views
    name: external access off after the allow-list is set, no extension installed or loaded
    (also not automatically), configuration locked. Use it inside the output folder (see
    ``query``)."""
    import duckdb

    out_dir = Path(out_dir).resolve()
    if sources is None:
        sources = view_sources(out_dir, warn=False)
    allowed = sorted(str(out_dir / f) for files in sources.values() for f in files)
    con = duckdb.connect(str(out_dir / CATALOG), read_only=True,
                         config={"autoinstall_known_extensions": False, "autoload_known_extensions": False,
                                 "allow_community_extensions": False})
    try:
        con.execute("SET allowed_paths = ?", [allowed])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def query(out_dir: str | Path, sql: str):
    """(column names, rows) of ``sql`` on the catalog of ``out_dir``, on a sandboxed read-only
    connection. A missing, damaged or stale catalog is rebuilt first, unless another run is
    writing the folder (it refreshes the catalog when it ends) or the folder cannot be written."""
    out_dir = Path(out_dir).resolve()
    check_query(sql)
    sources = view_sources(out_dir)
    problem = catalog_problem(out_dir, sources)
    if problem and lock.writer_pid(out_dir) is None:
        if problem.startswith("does not read"):
            log.warning("reportpipe: warning: %s %s; rebuilding it.", out_dir / CATALOG, problem)
        try:
            refresh_catalog(out_dir, sources)
        except OSError as exc:
            log.warning("reportpipe: warning: could not rebuild %s (%s); querying it as it is.",
                        out_dir / CATALOG, exc.strerror or exc)
    if not (out_dir / CATALOG).is_file():
        raise UsageError(f"{out_dir} has no catalog yet ({CATALOG}); run `reportpipe run` first.")
    with _inside(out_dir), connect_readonly(out_dir, sources) as con:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description] if cur.description else []
        return names, cur.fetchall()


def datapackage(report_id: str, tables: list[str]) -> dict:
    """A Frictionless Data Package describing one report's CSV files, derived from ``schemas/``."""
    resources = []
    for name in tables:
        contract = load_contract(name)
        schema = {"fields": [{k: v for k, v in f.items()} for f in contract["fields"]],
                  "missingValues": [""]}
        if contract.get("primaryKey"):
            schema["primaryKey"] = contract["primaryKey"]
        resources.append({
            "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "title": contract.get("title", name),
            "schema": schema,
        })
    return {"profile": "tabular-data-package", "name": package_name(report_id),
            "title": report_id, "resources": resources}


def datapackage_json(report_id: str, tables: list[str]) -> str:
    """The package as indented JSON. Only its name and title depend on the report, so the
    resources (the contracts, most of the text) are encoded once per process: Python's indented
    encoder is pure Python and cost a few milliseconds per report."""
    head = json.dumps({"profile": "tabular-data-package", "name": package_name(report_id), "title": report_id},
                      ensure_ascii=False, indent=2)
    return head[:-2] + ",\n" + _resources_json(tuple(tables)) + "\n}\n"


@functools.lru_cache(maxsize=8)
def _resources_json(tables: tuple[str, ...]) -> str:
    """The ``"resources": [...]`` member of the package, indented as a member of its top level."""
    whole = json.dumps({"resources": datapackage("", list(tables))["resources"]}, ensure_ascii=False, indent=2)
    return whole[2:-2]
