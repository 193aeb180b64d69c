"""Check every output table against its contract in ``schemas/``; failing rows go to quarantine.

The JSON files in ``schemas/`` are the one source of truth per table (Frictionless Table Schema
fields and constraints, plus named cross-column ``rules``). pandera checks are derived from them
and run lazily, so that every failure of every row is collected at once; a failing row leaves its
table whole, with the rule and reason, for the ``quarantine`` table. Nothing is dropped silently.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Callable

import pandas as pd
import pandera.pandas as pa

# Shipped inside the package (pipeline/schemas links to the top-level schemas/ folder), so an
# installed wheel reads the same contracts as a checkout.
SCHEMA_DIR = resources.files("pipeline") / "schemas"
TABLES = ("sections", "cases", "blocks", "claims", "tables")
QUARANTINE_COLUMNS = ["report_id", "table", "row_id", "rule", "column", "reason", "row_json"]


@lru_cache(maxsize=None)
def load_contract(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def schema_version() -> str:
    return ".".join(load_contract(t)["version"] for t in TABLES)


def columns(name: str) -> list[str]:
    return [f["name"] for f in load_contract(name)["fields"]]


_DTYPES = {"string": "object", "integer": "int64", "number": "float64", "boolean": "bool"}


def _rule_checks(source: str) -> dict[str, Callable[[pd.DataFrame], pd.Series]]:
    n = len(source)

    def span_in_source(df):
        return (df["raw_start"] >= 0) & (df["raw_end"] <= n)

    def end_after_start(df):
        return df["raw_end"] >= df["raw_start"]

    def surface_matches_source(df):
        return pd.Series(
            [source[a:b] == s for a, b, s in zip(df["raw_start"], df["raw_end"], df["surface"])],
            index=df.index,
        )

    def period_role_iff_period(df):
        return (df["period"].fillna("") == "") == (df["period_role"].fillna("") == "")

    def basis_needs_change(df):
        return (df["basis"].fillna("") == "") | (df["change"].fillna("") != "")

    def range_ordered(df):
        from decimal import Decimal

        return pd.Series(
            [not m or Decimal(m) >= Decimal(v) for v, m in zip(df["value"], df["value_max"].fillna(""))],
            index=df.index,
        )

    return {f.__name__: f for f in (span_in_source, end_after_start, surface_matches_source,
                                    period_role_iff_period, basis_needs_change, range_ordered)}


def build_schema(name: str, source: str) -> pa.DataFrameSchema:
    contract = load_contract(name)
    cols = {}
    for field in contract["fields"]:
        cons = field.get("constraints", {})
        checks = []
        if "enum" in cons:
            checks.append(pa.Check.isin(cons["enum"], name="enum"))
        if "pattern" in cons:
            checks.append(pa.Check.str_matches(cons["pattern"], name="pattern"))
        if "minimum" in cons:
            checks.append(pa.Check.ge(cons["minimum"], name="minimum"))
        required = cons.get("required", False)
        dtype = "Int64" if field["type"] == "integer" and not required else _DTYPES[field["type"]]
        cols[field["name"]] = pa.Column(
            dtype,
            checks=checks,
            nullable=not required,
            unique=cons.get("unique", False),
            required=True,
            coerce=False,
        )
    registry = _rule_checks(source)
    wide = [pa.Check(registry[r], name=r) for r in contract.get("rules", [])]
    return pa.DataFrameSchema(cols, checks=wide, strict=True, ordered=True)


def validate_table(name: str, df: pd.DataFrame, source: str, report_id: str) -> tuple[pd.DataFrame, list[dict]]:
    """(rows that pass, quarantine records for the rows that fail)."""
    if df.empty:
        return df, []
    # Empty strings stand for "not stated"; the contract treats them as missing.
    check_df = df.replace({"": None}) if len(df) else df
    schema = build_schema(name, source)
    try:
        schema.validate(check_df, lazy=True)
        return df, []
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    records = []
    bad_index: set = set()
    id_col = load_contract(name)["primaryKey"][:1]
    for _, f in failures.iterrows():
        idx = f.get("index")
        check = str(f.get("check"))
        column = f.get("column")
        column = "" if column is None or (isinstance(column, float) and pd.isna(column)) else str(column)
        if idx is None or (isinstance(idx, float) and pd.isna(idx)):
            # A column-level failure (wrong dtype, missing column) condemns the whole table.
            targets = list(df.index)
        else:
            targets = [idx]
        for t in targets:
            if t not in df.index:
                continue
            bad_index.add(t)
            row = df.loc[t]
            records.append(
                {
                    "report_id": report_id,
                    "table": name,
                    "row_id": str(row[id_col[0]]) if id_col else str(t),
                    "rule": _rule_name(check),
                    "column": column if column != name else "",
                    "reason": _reason(check, column, f.get("failure_case")),
                    "row_json": json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False),
                }
            )
    good = df.drop(index=sorted(bad_index))
    return good, records


def _rule_name(check: str) -> str:
    """The contract's name for a pandera check ("isin([...])" is the schema's "enum")."""
    for prefix, name in (("isin", "enum"), ("str_matches", "pattern"),
                         ("greater_than_or_equal_to", "minimum"), ("field_uniqueness", "unique"),
                         ("not_nullable", "required"), ("dtype", "type")):
        if check.startswith(prefix):
            return name
    return check


def _reason(check: str, column: str, case) -> str:
    if column and column not in TABLES:
        return f"column {column!r} failed {check} with value {case!r}"
    return f"row failed rule {check}"


def _jsonable(v):
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v
