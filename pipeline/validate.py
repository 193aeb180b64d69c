"""Check every output table against its contract in ``schemas/``; failing rows go to quarantine.

The JSON files in ``schemas/`` are the one source of truth per table (Frictionless Table Schema
fields and constraints, plus named cross-column ``rules``). Each constraint is checked as one
vectorised pass over its column, and every failure of every row is collected at once (as a lazy
pandera validation would, at a fraction of its cost: validation used to take longer than all the
extraction stages together). A failing row leaves its table whole, with the rule and reason, for
the ``quarantine`` table. Nothing is dropped silently.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Callable

import numpy as np
import pandas as pd

# Shipped inside the package (pipeline/schemas links to the top-level schemas/ folder), so an
# installed wheel reads the same contracts as a checkout.
SCHEMA_DIR = resources.files("pipeline") / "schemas"
TABLES = ("sections", "cases", "blocks", "claims", "tables", "indicators", "checks")
QUARANTINE_COLUMNS = ["report_id", "table", "row_id", "rule", "column", "reason", "row_json"]


@lru_cache(maxsize=None)
def load_contract(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def schema_version() -> str:
    return ".".join(load_contract(t)["version"] for t in TABLES)


def columns(name: str) -> list[str]:
    return [f["name"] for f in load_contract(name)["fields"]]


_DTYPES = {"string": "object", "integer": "int64", "number": "float64", "boolean": "bool"}


def _stated(df: pd.DataFrame, col: str) -> np.ndarray:
    """True where a text column states something (neither missing nor empty)."""
    values = df[col].to_numpy(dtype=object)
    return ~pd.isna(values) & (values != "")


def _rule_checks(source: str) -> dict[str, Callable[[pd.DataFrame], np.ndarray]]:
    """The contracts' named cross-column rules, each a boolean array (True: the row passes)."""
    n = len(source)

    def span_in_source(df):
        return (df["raw_start"].to_numpy() >= 0) & (df["raw_end"].to_numpy() <= n)

    def end_after_start(df):
        return df["raw_end"].to_numpy() >= df["raw_start"].to_numpy()

    def surface_matches_source(df):
        return np.fromiter((source[a:b] == s for a, b, s in
                            zip(df["raw_start"].tolist(), df["raw_end"].tolist(), df["surface"].tolist())),
                           bool, len(df))

    def period_role_iff_period(df):
        return _stated(df, "period") == _stated(df, "period_role")

    def basis_needs_change(df):
        return ~_stated(df, "basis") | _stated(df, "change")

    def range_ordered(df):
        return np.fromiter((not m or Decimal(m) >= Decimal(v) for v, m in
                            zip(df["value"].tolist(), df["value_max"].fillna("").tolist())), bool, len(df))

    def level_or_change(df):
        return _stated(df, "value") | _stated(df, "change_value")

    return {f.__name__: f for f in (span_in_source, end_after_start, surface_matches_source,
                                    period_role_iff_period, basis_needs_change, range_ordered,
                                    level_or_change)}


def _violations(name: str, df: pd.DataFrame, source: str) -> list[tuple[object, str, str, str]]:
    """Every (row index, or None for the whole table; rule; column; reason) the table breaks.

    Each constraint is one pass over a column's array (numpy, or a set or compiled pattern applied
    along it), never a framework call per row; tables of a few hundred rows spend their time in
    per-call overheads, so this works on plain arrays rather than on pandas Series.
    """
    contract = load_contract(name)
    fields = contract["fields"]
    names = [f["name"] for f in fields]
    if list(df.columns) != names:
        missing = [n for n in names if n not in df.columns]
        extra = [c for c in df.columns if c not in names]
        what = (f"missing {missing}" if missing else "") + (f" unexpected {extra}" if extra else "")
        return [(None, "columns", "", f"columns differ from the contract: {what.strip() or 'order differs'}")]
    index = df.index.to_numpy()
    out: list[tuple[object, str, str, str]] = []

    def flag(mask: np.ndarray, values: np.ndarray, rule: str, col: str, say: Callable[..., str]) -> None:
        for i in np.flatnonzero(mask):
            out.append((index[i], rule, col, say(values[i])))

    for field in fields:
        col, cons = field["name"], field.get("constraints", {})
        s = df[col]
        required = cons.get("required", False)
        want = "Int64" if field["type"] == "integer" and not required else _DTYPES[field["type"]]
        if str(s.dtype) != want:
            out.append((None, "type", col, f"column {col!r} has type {s.dtype}, the contract says {want}"))
            continue
        values = s.to_numpy(dtype=object) if want in ("object", "Int64") else s.to_numpy()
        present = ~pd.isna(values)
        if want == "object":  # empty strings stand for "not stated": the contract's missing
            present &= values != ""
        if required:
            flag(~present, values, "required", col, lambda v, col=col: f"column {col!r} is required and is empty")
        if not present.any():
            continue
        if "enum" in cons:
            allowed = set(cons["enum"])
            inside = np.fromiter((v in allowed for v in values), bool, len(values))
            flag(present & ~inside, values, "enum", col,
                 lambda v, col=col, cons=cons: f"column {col!r} has {v!r}, not one of {cons['enum']}")
        if "pattern" in cons:
            rx = re.compile(cons["pattern"])
            ok = np.fromiter((not p or rx.match(str(v)) is not None for v, p in zip(values, present)),
                             bool, len(values))
            flag(~ok, values, "pattern", col, lambda v, col=col, cons=cons: f"column {col!r} has {v!r}, not matching {cons['pattern']}")
        if "minimum" in cons:
            low = np.zeros(len(values), bool)
            low[present] = values[present].astype(float) < cons["minimum"]
            flag(low, values, "minimum", col, lambda v, col=col, cons=cons: f"column {col!r} has {v!r}, below {cons['minimum']}")
        if cons.get("unique"):
            dup = np.zeros(len(values), bool)
            dup[present] = pd.Series(values[present]).duplicated(keep=False).to_numpy()
            flag(dup, values, "unique", col, lambda v, col=col: f"column {col!r} repeats {v!r}")
    rules = _rule_checks(source)
    for rule in contract.get("rules", []):
        ok = np.asarray(rules[rule](df), dtype=bool)
        flag(~ok, index, rule, "", lambda v, rule=rule: f"row failed rule {rule}")
    return out


def validate_table(name: str, df: pd.DataFrame, source: str, report_id: str) -> tuple[pd.DataFrame, list[dict]]:
    """(rows that pass, quarantine records for the rows that fail)."""
    if df.empty:
        return df, []
    violations = _violations(name, df, source)
    if not violations:
        return df, []
    id_col = load_contract(name)["primaryKey"][:1]
    records = []
    bad_index: set = set()
    for idx, rule, column, reason in violations:
        # A column-level failure (wrong type, missing column) condemns the whole table.
        for t in (list(df.index) if idx is None else [idx]):
            bad_index.add(t)
            row = df.loc[t]
            records.append({
                "report_id": report_id,
                "table": name,
                "row_id": str(row[id_col[0]]) if id_col and id_col[0] in row else str(t),
                "rule": rule,
                "column": column,
                "reason": reason,
                "row_json": json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False),
            })
    good = df.drop(index=sorted(bad_index))
    return good, records


def _jsonable(v):
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v
