"""One DuckDB catalog over every report of an output folder, and a data package per report.

``DIR/catalog.duckdb`` holds views, not copies: each view reads the reports' Parquet files, so
the catalog is refreshed (the views re-created) after every run in milliseconds and can never
disagree with the files. ``indicators`` pairs claims across editions of one report series (the
report id without its years) by subject, unit and kind.
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
        con.execute("DROP VIEW IF EXISTS indicators")
        if any(out_dir.glob("*/claims.parquet")):
            con.execute(
                """
                CREATE VIEW indicators AS
                WITH c AS (
                    SELECT *, trim(regexp_replace(report_id, '(19|20)[0-9]{2}', '', 'g'), '-_. ') AS series
                    FROM claims
                )
                SELECT a.series, a.report_id AS old_report, b.report_id AS new_report, a.subject, a.unit,
                       a.kind, a.value AS old_value, b.value AS new_value,
                       round((CAST(b.value AS DOUBLE) - CAST(a.value AS DOUBLE))
                             / nullif(abs(CAST(a.value AS DOUBLE)), 0) * 100, 2) AS change_percent,
                       a.claim_id AS old_claim_id, b.claim_id AS new_claim_id
                FROM c a JOIN c b
                  ON a.series = b.series AND a.report_id < b.report_id
                 AND a.subject = b.subject AND a.unit = b.unit AND a.kind = b.kind AND a.subject <> ''
                """
            )
    return path


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
