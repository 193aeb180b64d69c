"""One DuckDB catalog over every report of an output folder, and a data package per report.

``DIR/catalog.duckdb`` holds views, not copies: each view reads the reports' Parquet files, so
the catalog is refreshed (the views re-created) after every run in milliseconds and can never
disagree with the files. Besides a view per table, ``panel`` lists every indicator by region, period
and canonical name, and ``editions`` pairs an indicator across editions of one report series.
"""

from __future__ import annotations

import json
from pathlib import Path

from .validate import TABLES, load_contract

CATALOG = "catalog.duckdb"


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")


def refresh_catalog(out_dir: str | Path) -> Path | None:
    import duckdb

    out_dir = Path(out_dir).resolve()
    path = out_dir / CATALOG
    with duckdb.connect(str(path)) as con:
        for name in TABLES + ("quarantine",):
            files = sorted(out_dir.glob(f"*/{name}.parquet"))
            con.execute(f'DROP VIEW IF EXISTS "{name}"')
            if files:
                listing = ", ".join(f"'{_sql_path(f)}'" for f in files)
                con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet([{listing}], union_by_name = true)')
        con.execute("DROP VIEW IF EXISTS documents")
        docs = sorted(out_dir.glob("*/document.json"))
        if docs:
            listing = ", ".join(f"'{_sql_path(f)}'" for f in docs)
            con.execute(f"CREATE VIEW documents AS SELECT * FROM read_json([{listing}], union_by_name = true)")
        con.execute("DROP VIEW IF EXISTS failures")
        failures = out_dir / "_failures.csv"
        if failures.exists():
            con.execute(f"CREATE VIEW failures AS SELECT * FROM read_csv('{_sql_path(failures)}', header = true, all_varchar = true)")
        for view, sql in derived_views(con):
            con.execute(f'DROP VIEW IF EXISTS "{view}"')
            if sql:
                con.execute(f'CREATE VIEW "{view}" AS {sql}')
    return path


PANEL_COLUMNS = ("region", "period", "indicator", "value", "unit", "change_value", "change_unit", "basis",
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
        SELECT region, period, canonical AS indicator, value, unit, change_value, change_unit, basis,
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


def query(out_dir: str | Path, sql: str):
    """(column names, rows) of ``sql`` on the catalog of ``out_dir``."""
    import duckdb

    path = Path(out_dir) / CATALOG
    if not path.exists():
        refresh_catalog(out_dir)
    with duckdb.connect(str(path), read_only=True) as con:
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
    return {"profile": "tabular-data-package", "name": report_id.lower().replace("_", "-"),
            "title": report_id, "resources": resources}


def datapackage_json(report_id: str, tables: list[str]) -> str:
    return json.dumps(datapackage(report_id, tables), ensure_ascii=False, indent=2) + "\n"
