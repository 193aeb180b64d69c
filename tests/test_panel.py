"""The panel across the corpus bulletins: the headline figures a user asks for first, by region and
year, against values read from the texts by hand; and its wide, CSV, Excel and page forms."""

from __future__ import annotations

import shutil

import pytest

from pipeline.batch import Settings, collect_inputs, run_inline
from pipeline.panel import panel_page, panel_rows, to_csv, wide, write_report_xlsx, write_xlsx

from conftest import CORPUS, DATA

BULLETINS = [
    CORPUS / "zh-Hans_luoyang-2023-statistical-bulletin.txt",
    CORPUS / "zh-Hans_chengdu-2021-statistical-bulletin.ocr.md",
    CORPUS / "zh-Hans_zhoukou-2023-statistical-bulletin.pdf",
    CORPUS / "zh-Hans_qiandongnan-2023-statistical-bulletin.pdf",
    DATA / "heldout" / "nbs-2024-statistical-bulletin-excerpt.txt",
]

# (region, period, indicator) → (level, growth): read from each bulletin's text by hand.
HEADLINES = {
    ("洛阳市", "2023", "地区生产总值"): ("548160000000", "3.5"),
    ("洛阳市", "2023", "年末常住人口"): ("7079000", None),
    ("洛阳市", "2023", "常住人口城镇化率"): ("67.42", "0.94"),
    ("洛阳市", "2023", "社会消费品零售总额"): ("245430000000", "7"),
    ("洛阳市", "2023", "居民人均可支配收入"): ("33662", "6.6"),
    ("成都市", "2021", "地区生产总值"): ("1991700000000", "8.6"),
    ("成都市", "2021", "年末常住人口"): ("21192000", None),
    ("成都市", "2021", "常住人口城镇化率"): ("79.5", None),
    ("成都市", "2021", "社会消费品零售总额"): ("925180000000", "14"),
    ("成都市", "2021", "居民人均可支配收入"): ("45755", "8.7"),
    ("周口市", "2023", "地区生产总值"): (None, "4.8"),
    ("周口市", "2023", "年末常住人口"): ("8666000", None),
    ("周口市", "2023", "常住人口城镇化率"): ("45.31", "1.01"),
    ("周口市", "2023", "社会消费品零售总额"): ("195460000000", "6.4"),
    ("周口市", "2023", "居民人均可支配收入"): ("23102", "5.1"),
    ("黔东南州", "2023", "地区生产总值"): ("132965000000", "4"),
    ("黔东南州", "2023", "年末常住人口"): ("3757300", None),
    ("黔东南州", "2023", "社会消费品零售总额"): ("65836000000", "4.9"),
    ("全国", "2024", "地区生产总值"): ("134908400000000", "5"),
    ("全国", "2024", "年末常住人口"): ("1408280000", None),
    ("全国", "2024", "常住人口城镇化率"): ("67", None),
    ("全国", "2024", "社会消费品零售总额"): ("48334500000000", "3.5"),
}


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    missing = [p for p in BULLETINS if not p.exists()]
    assert not missing, f"corpus files missing: {missing}"
    raw = tmp_path_factory.mktemp("raw")
    for p in BULLETINS:
        shutil.copy(p, raw / p.name)
    out = tmp_path_factory.mktemp("out")
    results = run_inline(collect_inputs([raw]), str(out), Settings(isolate=False)).results
    assert [r.status for r in results] == ["ok"] * len(BULLETINS)
    return out


def _first(columns, rows, region, period, indicator):
    i = {c: n for n, c in enumerate(columns)}
    for r in rows:
        if (r[i["region"]], r[i["period"]], r[i["indicator"]]) == (region, period, indicator):
            yield {c: r[n] for c, n in i.items()}


def test_the_panel_answers_the_headline_questions(out):
    columns, rows = panel_rows(out)
    wrong = {}
    for (region, period, indicator), (level, growth) in HEADLINES.items():
        found = list(_first(columns, rows, region, period, indicator))
        got_level = next((f["value"] for f in found if f["value"]), None)
        got_growth = next((f["change_value"] for f in found if f["change_value"] and (f["value"] or not level)), None)
        if (got_level, got_growth if growth else None) != (level, growth):
            wrong[(region, period, indicator)] = ((level, growth), (got_level, got_growth))
    assert not wrong, wrong


def test_every_panel_value_keeps_its_claim(out):
    columns, rows = panel_rows(out)
    i = {c: n for n, c in enumerate(columns)}
    assert rows and all(r[i["claim_id"]].startswith("clm-") and r[i["report_id"]] for r in rows)


def test_wide_has_a_row_per_region_and_period(out):
    columns, rows = wide(*panel_rows(out))
    keys = [(r[0], r[1]) for r in rows]
    assert len(keys) == len(set(keys)) and ("洛阳市", "2023") in keys
    row = dict(zip(columns, rows[keys.index(("洛阳市", "2023"))], strict=True))
    assert row["地区生产总值（元）"] == "548160000000" and row["地区生产总值 增长（%）"] == "3.5"


def test_csv_on_request_starts_with_a_byte_order_mark(out):
    columns, rows = panel_rows(out)
    text = to_csv(columns, rows, bom=True)
    assert text.startswith("\ufeffregion,period,indicator,value,value_num,unit,change_value,change_value_num,"
                           "change_unit,basis,report_id,claim_id")
    assert not to_csv(columns, rows).startswith("\ufeff")


def test_excel_has_numbers_as_numbers_and_a_frozen_header(out, tmp_path):
    import openpyxl  # a dev dependency: reads the workbook back as a spreadsheet would
    columns, rows = panel_rows(out)
    path = tmp_path / "panel.xlsx"
    write_xlsx({"panel": (columns, rows), "wide": wide(columns, rows)}, path)
    book = openpyxl.load_workbook(path)
    sheet = book["panel"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    value_col = header.index("value") + 1
    numbers = [sheet.cell(r, value_col).value for r in range(2, sheet.max_row + 1)]
    assert any(isinstance(v, float | int) for v in numbers)
    assert not any(isinstance(v, str) for v in numbers)
    report = tmp_path / "report.xlsx"
    write_report_xlsx(out / "zh-Hans_luoyang-2023-statistical-bulletin", report)
    sheets = openpyxl.load_workbook(report).sheetnames
    assert {"claims", "indicators", "checks", "sections", "tables"} <= set(sheets)


def test_the_panel_page_links_points_to_claims(out):
    columns, rows = panel_rows(out)
    page = panel_page(columns, rows, {"zh-Hans_luoyang-2023-statistical-bulletin": "luoyang/review.html"}, "panel")
    assert "<svg" in page and 'href="luoyang/review.html#clm-' in page and "地区生产总值" in page


def test_the_panel_command_prints_csv_and_writes_workbooks(out, tmp_path):
    import subprocess
    import sys

    import openpyxl

    cmd = [sys.executable, "-m", "pipeline.cli"]
    done = subprocess.run(cmd + ["panel", "--out", str(out), "--format", "csv"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("region,period,indicator,value,value_num,unit,change_value,change_value_num,"
                                  "change_unit,basis,report_id,claim_id")
    assert "洛阳市,2023,地区生产总值,548160000000,548160000000.0,元,3.5,3.5,%" in done.stdout
    xlsx = tmp_path / "wide.xlsx"
    done = subprocess.run(cmd + ["panel", "--out", str(out), "--wide", "--format", "xlsx", "--to", str(xlsx)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(xlsx)["panel"].cell(1, 1).value == "region"
    no_file = subprocess.run(cmd + ["panel", "--out", str(out), "--format", "xlsx"], capture_output=True, text=True,
                             timeout=120)
    assert no_file.returncode == 2 and "--to" in no_file.stderr


def test_figures_are_numbers_in_parquet_duckdb_and_the_panel_file(out, tmp_path):
    """Beside the exact text of each figure, its float: summed in DuckDB and pyarrow without parsing
    text, equal to the text's value, missing where the text is empty."""
    from decimal import Decimal

    import duckdb
    import pyarrow.parquet as pq

    from pipeline.catalog import query
    from pipeline.panel import write_parquet

    claims = pq.read_table(out / "zh-Hans_luoyang-2023-statistical-bulletin" / "claims.parquet")
    assert str(claims.schema.field("value_num").type) == "double"
    assert str(claims.schema.field("value").type) == "string"
    texts, nums = claims.column("value").to_pylist(), claims.column("value_num").to_pylist()
    assert all(abs(float(Decimal(t)) - n) <= 1e-9 * max(1.0, abs(n)) for t, n in zip(texts, nums, strict=True))
    assert claims.column("value_max_num").null_count == sum(1 for v in claims.column("value_max").to_pylist() if not v)
    # DuckDB sums the levels of GDP of every bulletin, by region, as numbers
    names, rows = query(out, "SELECT region, sum(value_num) FROM panel WHERE indicator = '地区生产总值' "
                             "AND value_num IS NOT NULL GROUP BY region ORDER BY region")
    totals = dict(rows)
    assert totals["洛阳市"] >= 548160000000.0
    with duckdb.connect() as con:
        kind = con.execute("SELECT typeof(value_num) FROM read_parquet(?) LIMIT 1",
                           [str(out / "zh-Hans_luoyang-2023-statistical-bulletin" / "indicators.parquet")]).fetchall()
    assert kind == [("DOUBLE",)]
    columns, panel = panel_rows(out)
    path = tmp_path / "panel.parquet"
    write_parquet(columns, panel, path)
    table = pq.read_table(path)
    assert str(table.schema.field("value_num").type) == "double"
    assert str(table.schema.field("change_value_num").type) == "double"
    assert table.column("value_num").null_count == sum(1 for r in panel if r[columns.index("value")] in (None, ""))
