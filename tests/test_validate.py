"""The contracts' checks, one per kind of constraint, on the sample's real tables."""

from __future__ import annotations

import json

import pytest

from pipeline.store import document_frames
from pipeline.validate import TABLES, columns, load_contract, validate_table


@pytest.fixture(scope="module")
def frames(sample_doc):
    return document_frames(sample_doc)


def test_the_sample_passes_every_contract(sample_doc, frames):
    for name in TABLES:
        good, bad = validate_table(name, frames[name], sample_doc.raw, sample_doc.report_id)
        assert bad == [] and len(good) == len(frames[name])


@pytest.mark.parametrize("table, column, value, rule", [
    ("claims", "claim_id", None, "required"),
    ("claims", "claim_id", "", "required"),          # an empty string is "not stated"
    ("claims", "claim_id", "clm-XYZ", "pattern"),
    ("claims", "kind", "bogus", "enum"),
    ("claims", "raw_start", -1, "minimum"),
    ("blocks", "line", 0, "minimum"),
    ("sections", "level", "chapter", "enum"),
])
def test_each_constraint_quarantines_exactly_the_broken_row(sample_doc, frames, table, column, value, rule):
    df = frames[table].copy()
    target = df.index[3]
    df[column] = df[column].astype(object) if value is None or isinstance(value, str) else df[column]
    df.loc[target, column] = value
    good, bad = validate_table(table, df, sample_doc.raw, sample_doc.report_id)
    rules = {(r["rule"], r["column"]) for r in bad}
    assert (rule, column) in rules
    pk = load_contract(table)["primaryKey"][0]
    assert {r["row_id"] for r in bad} == {str(df.loc[target, pk])}
    assert len(good) == len(df) - 1
    row = json.loads(bad[0]["row_json"])
    assert list(row) == columns(table)


def test_duplicates_are_all_quarantined(sample_doc, frames):
    df = frames["claims"].copy()
    df.loc[df.index[5], "claim_id"] = df.loc[df.index[4], "claim_id"]
    good, bad = validate_table("claims", df, sample_doc.raw, sample_doc.report_id)
    assert [r["rule"] for r in bad] == ["unique", "unique"]
    assert len(good) == len(df) - 2


def test_cross_column_rules(sample_doc, frames):
    df = frames["claims"].copy()
    i, j, k = df.index[:3]
    df.loc[i, "raw_end"] = df.loc[i, "raw_start"] - 1        # end_after_start (and surface)
    df.loc[j, "period"], df.loc[j, "period_role"] = "2020", None  # period_role_iff_period
    df.loc[k, "value"], df.loc[k, "value_max"] = "10", "9"     # range_ordered
    good, bad = validate_table("claims", df, sample_doc.raw, sample_doc.report_id)
    by_rule = {r["rule"] for r in bad}
    assert {"end_after_start", "period_role_iff_period", "range_ordered"} <= by_rule
    assert len(good) == len(df) - 3


def test_a_column_level_failure_condemns_the_whole_table(sample_doc, frames):
    wrong_type = frames["cases"].copy()
    wrong_type["line"] = wrong_type["line"].astype(str)
    good, bad = validate_table("cases", wrong_type, sample_doc.raw, sample_doc.report_id)
    assert good.empty and {r["rule"] for r in bad} == {"type"} and len(bad) == len(wrong_type)
    missing = frames["cases"].drop(columns=["title"])
    good, bad = validate_table("cases", missing, sample_doc.raw, sample_doc.report_id)
    assert good.empty and {r["rule"] for r in bad} == {"columns"} and "title" in bad[0]["reason"]
