"""Written tables: golden files, contracts, quarantine, atomic folders and the manifest."""

import json
import os
from dataclasses import replace

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.store import document_frames, sweep, validated_frames, write_report
from pipeline.validate import TABLES, columns

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "wechat-employment-2019-2020"
UPDATE = os.environ.get("REPORTPIPE_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def written(sample_doc, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    write_report(sample_doc, out)
    return out / sample_doc.report_id


@pytest.mark.parametrize("table", ["sections", "cases", "claims", "blocks", "tables"])
def test_golden_tables(written, table):
    """Reviewed by eye once, then frozen; regenerate with REPORTPIPE_UPDATE_GOLDEN=1 only."""
    got = (written / f"{table}.csv").read_text(encoding="utf-8")
    golden = GOLDEN / f"{table}.csv"
    if UPDATE:
        assert not os.environ.get("CI"), "golden files are never regenerated in CI"
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_parquet_and_csv_agree(written):
    for table in TABLES + ("quarantine",):
        pq_df = pq.read_table(written / f"{table}.parquet").to_pandas()
        csv_df = pd.read_csv(written / f"{table}.csv", dtype=str, keep_default_na=False)
        assert list(pq_df.columns) == list(csv_df.columns)
        assert len(pq_df) == len(csv_df)


def test_document_json(written, sample_doc):
    record = json.loads((written / "document.json").read_text(encoding="utf-8"))
    assert record["title"] == "2019-2020微信就业影响力报告"
    assert record["organisation"] == "政策与经济研究所" and record["date"] == "2020年5月"
    assert record["source_sha256"] == sample_doc.sha256 and record["encoding"] == "utf-8"
    assert record["row_counts"]["cases"] == 14 and record["row_counts"]["quarantine"] == 0
    source = (written / "source.txt").read_text(encoding="utf-8")
    claims = pd.read_csv(written / "claims.csv", dtype=str, keep_default_na=False)
    for _, c in claims.iterrows():
        assert source[int(c.raw_start):int(c.raw_end)] == c.surface


def test_columns_follow_the_contracts(written):
    for table in TABLES:
        df = pd.read_csv(written / f"{table}.csv", nrows=0)
        assert list(df.columns) == columns(table)


def test_failing_rows_go_to_quarantine_with_their_reason(sample_doc):
    claims = list(sample_doc.claims)
    claims[0] = replace(claims[0], kind="bogus")
    claims[1] = replace(claims[1], surface="not the source text")
    claims[2] = replace(claims[2], basis="yoy", change="")
    doc = sample_doc.evolve(claims=tuple(claims))
    frames = validated_frames(doc)
    q = frames["quarantine"]
    assert len(frames["claims"]) == len(claims) - 3
    assert set(q["row_id"]) == {claims[0].claim_id, claims[1].claim_id, claims[2].claim_id}
    assert set(q["rule"]) == {"enum", "surface_matches_source", "basis_needs_change"}
    bad = q[q["rule"] == "enum"].iloc[0]
    assert "bogus" in bad["reason"] and json.loads(bad["row_json"])["kind"] == "bogus"
    # every other table is untouched
    assert len(frames["sections"]) == len(document_frames(doc)["sections"])


def test_rewrite_is_atomic_and_leftovers_are_swept(sample_doc, tmp_path):
    write_report(sample_doc, tmp_path)
    target = tmp_path / sample_doc.report_id
    before = (target / "claims.csv").read_bytes()
    # a run killed between the two renames leaves only ".old-…": the next run restores it
    os.replace(target, tmp_path / f".old-{sample_doc.report_id}-1-2")
    (tmp_path / f".tmp-{sample_doc.report_id}-xyz").mkdir()
    swept = sweep(tmp_path)
    assert len(swept) == 2 and (target / "claims.csv").read_bytes() == before
    write_report(sample_doc, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [sample_doc.report_id]


def test_report_ids_never_escape_the_output_folder():
    from pipeline.process import report_id_for

    for name in ["../evil.txt", "/etc/passwd", "..\\x.txt", "报告 2020.txt", "a/../../b.txt", "\u202e.txt"]:
        rid = report_id_for(name)
        assert "/" not in rid and "\\" not in rid and not rid.startswith(".") and rid
    assert report_id_for("raw/wechat-employment-2019-2020.txt") == "wechat-employment-2019-2020"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(
    st.one_of(st.none(), st.text(alphabet=st.sampled_from('a中,"\n \'=;'), max_size=6)),
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
    st.one_of(st.none(), st.integers(min_value=-10**12, max_value=10**12)),
    st.booleans()), min_size=1, max_size=8))
def test_csv_cells_are_written_as_pandas_writes_them(rows):
    """The report tables' CSV writer gives the bytes of pandas' to_csv (minimal quoting, "\\n"
    rows) for text with quotes, commas and newlines, missing values, floats, NA integers, booleans."""
    import io
    import tempfile
    from pathlib import Path

    from pipeline.store import _write_csv

    df = pd.DataFrame({"text": pd.Series([r[0] for r in rows], dtype=object),
                       "num": pd.Series([r[1] for r in rows], dtype="float64"),
                       "page": pd.array([r[2] for r in rows], dtype="Int64"),
                       "flag": [r[3] for r in rows]})
    expected = io.StringIO()
    df.to_csv(expected, index=False, lineterminator="\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        _write_csv(df, path)
        assert path.read_text(encoding="utf-8") == expected.getvalue()
