"""Diffs between runs and editions, the catalog across reports, and data packages."""

import csv
import json
import subprocess
import sys

import pandas as pd
import pytest

from pipeline.batch import Settings, collect_inputs, run_inline
from pipeline.diff import diff_extractions

from conftest import ROOT, SAMPLE

EXE = [sys.executable, "-m", "pipeline.cli"]

CASE = ("★ 案例\n\n国家政务服务平台\n\n2019年6月5日，“国家政务服务平台”微信小程序上线试运行。截至目前，累计访问量突破10亿次，"
        "总访问用户超过1.6亿，实名注册用户超过1600万，累计业务办理量超过9700万，成为实名注册用户最多，访问量、办事量最高的"
        "国家级政务服务微信小程序。\n\n陪伴用户从1到10亿，全年24小时“不打烊”，“国家政务服务平台”始终用心服务，满足每一个用户"
        "的办事需求。\n\n")


def edited(text: str) -> str:
    assert CASE in text
    text = text.replace(CASE, "")  # a case box removed
    text = text.replace("小程序有 15430 个", "小程序有 15431 个")  # values changed
    text = text.replace("就业、招聘相关的公众号有 178822 个", "就业、招聘相关的公众号有 178900 个")
    text = text.replace("目前，我国政务微信公众号超过 14 万", "目前，我国政务微信公众号约 14 万")  # a qualifier
    text = text.replace("微信就业三大趋势\n\n", "微信就业三大趋势\n\n新增的一段：今年共举办线上招聘会 36 场。\n\n")  # a paragraph
    return "\n\n\n" + text  # every line shifted


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("diff")
    (d / "a").mkdir(), (d / "b").mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    (d / "a" / "report.txt").write_text(text, encoding="utf-8")
    (d / "b" / "report.txt").write_text(edited(text), encoding="utf-8")
    s = Settings(isolate=False)
    run_inline(collect_inputs([d / "a"]), str(d / "out-a"), s)
    run_inline(collect_inputs([d / "b"]), str(d / "out-b"), s)
    return d / "out-a" / "report", d / "out-b" / "report"


def test_diff_lists_exactly_the_edits(two_runs):
    old, new = two_runs
    rows = diff_extractions(old, new)
    got = sorted((r.status, r.kind, r.field, r.old, r.new) for r in rows)
    removed_case_claims = {"1000000000", "160000000", "16000000", "97000000", "1"}
    expected = sorted(
        [("changed", "claim", "value", "15430", "15431"),
         ("changed", "claim", "value", "178822", "178900"),
         ("changed", "claim", "qualifier", "at_least", "approx"),
         ("removed", "case", "title", "国家政务服务平台", ""),
         ("added", "claim", "value", "", "36")]
        + [("removed", "claim", "value", v, "") for v in removed_case_claims]
        + [("removed", "claim", "value", "24", "")]
    )
    assert got == expected
    pct = next(r for r in rows if r.old == "15430")
    assert pct.percent == "+0.0%" and pct.subject


def test_diff_cli_formats(two_runs, tmp_path):
    old, new = two_runs
    out = tmp_path / "diff.csv"
    r = subprocess.run([*EXE, "diff", str(old), str(new), "--format", "md", "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("| status | kind |") and "15431" in r.stdout
    with open(out, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["status", "kind", "old_id", "new_id", "subject", "field", "old", "new"]
    assert len(rows) == 11
    r = subprocess.run([*EXE, "diff", str(old), str(old)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and "0 change(s)" in r.stdout


def test_catalog_answers_money_over_one_yi_by_report(two_runs):
    old, _ = two_runs
    out_dir = old.parent
    r = subprocess.run(
        [*EXE, "query", "SELECT report_id, count(*) AS n, max(CAST(value AS DECIMAL(38,4))) AS top FROM claims "
         "WHERE unit = '元' AND CAST(value AS DECIMAL(38,4)) > 100000000 GROUP BY report_id",
         "--out", str(out_dir), "--format", "json"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (row,) = json.loads(r.stdout)
    claims = pd.read_csv(old / "claims.csv", dtype=str, keep_default_na=False)
    big = claims[(claims.unit == "元") & (claims.value.astype(float) > 1e8)]
    assert row["report_id"] == "report" and row["n"] == len(big) > 5
    r = subprocess.run([*EXE, "query", "SELECT nope FROM claims", "--out", str(out_dir)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and "the query failed" in r.stderr


def test_indicators_pair_editions_of_a_series(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "wechat-2019.txt").write_text("2019年报告\n\n某研究所\n\n2019年5月\n\n微信月活跃用户11.5亿。\n", encoding="utf-8")
    (raw / "wechat-2020.txt").write_text("2020年报告\n\n某研究所\n\n2020年5月\n\n微信月活跃用户12.025亿。\n", encoding="utf-8")
    run_inline(collect_inputs([raw]), str(tmp_path / "out"), Settings(isolate=False))
    from pipeline.catalog import query

    names, rows = query(tmp_path / "out", "SELECT old_report, new_report, old_value, new_value, change_percent FROM editions")
    assert rows == [("wechat-2019", "wechat-2020", "1150000000", "1202500000", 4.57)]
    rows = diff_extractions(tmp_path / "out" / "wechat-2019", tmp_path / "out" / "wechat-2020")
    value = [r for r in rows if r.kind == "claim" and r.field == "value"]
    assert [(r.old, r.new, r.percent) for r in value] == [("1150000000", "1202500000", "+4.6%")]


def test_each_report_has_a_datapackage(two_runs):
    old, _ = two_runs
    pkg = json.loads((old / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in pkg["resources"]]
    assert names == ["sections", "cases", "blocks", "claims", "tables", "indicators", "checks", "quarantine"]
    claims = next(r for r in pkg["resources"] if r["name"] == "claims")
    header = (old / "claims.csv").read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    assert [f["name"] for f in claims["schema"]["fields"]] == header
    assert claims["schema"]["primaryKey"] == ["claim_id"]


def test_editions_by_indicator(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    head = "{y}年某市国民经济和社会发展统计公报\n\n某市统计局\n\n{p}年4月30日\n\n"
    (raw / "city-2022.txt").write_text(head.format(y=2022, p=2023) + "全年全市生产总值100.0亿元，比上年增长5.0%。"
                                       "城镇化率为60.50%。\n", encoding="utf-8")
    (raw / "city-2023.txt").write_text(head.format(y=2023, p=2024) + "全年全市生产总值110.0亿元，比上年增长6.5%。"
                                       "城镇化率为61.20%。\n", encoding="utf-8")
    run_inline(collect_inputs([raw]), str(tmp_path / "out"), Settings(isolate=False))
    from pipeline.diff import diff_indicators

    rows = {r.indicator: r for r in diff_indicators(tmp_path / "out" / "city-2022", tmp_path / "out" / "city-2023")}
    gdp = rows["地区生产总值"]
    assert (gdp.status, gdp.old_period, gdp.new_period, gdp.old_value, gdp.new_value, gdp.value_change) == (
        "changed", "2022", "2023", "10000000000", "11000000000", "+10.0%")
    assert (gdp.old_change, gdp.new_change, gdp.change_difference) == ("5", "6.5", "+1.5 pp")
    urban = rows["常住人口城镇化率"]
    assert urban.value_change == "+0.70 pp"  # a rate moves in points, not in percent of itself
    # the claims diff of the same editions: no "period changed 2022 → 2023", rates in points
    claim_rows = diff_extractions(tmp_path / "out" / "city-2022", tmp_path / "out" / "city-2023")
    assert not [r for r in claim_rows if r.field == "period"]
    assert {r.percent for r in claim_rows if r.field == "value"} == {"+10.0%", "+1.50 pp", "+0.70 pp"}


def test_growth_rates_against_the_previous_edition(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    head = "{y}年某市国民经济和社会发展统计公报\n\n某市统计局\n\n{p}年4月30日\n\n"
    (raw / "city-2022.txt").write_text(head.format(y=2022, p=2023) + "全年全市社会消费品零售总额200.0亿元。"
                                       "全市一般公共预算收入50.0亿元。全年全市生产总值1000.0亿元。\n", encoding="utf-8")
    (raw / "city-2023.txt").write_text(head.format(y=2023, p=2024) + "全年全市社会消费品零售总额210.0亿元，比上年增长5.0%。"
                                       "全市一般公共预算收入60.0亿元，比上年增长5.0%。"
                                       "全年全市生产总值1100.0亿元，按可比价格计算，比上年增长5.0%。"
                                       "2022年全市生产总值为1010.0亿元。\n", encoding="utf-8")
    run_inline(collect_inputs([raw]), str(tmp_path / "out"), Settings(isolate=False))
    from pipeline.catalog import query

    _, rows = query(tmp_path / "out", 'SELECT "check", indicator, stated, expected, status FROM edition_checks ORDER BY 1, 2')
    assert rows == [
        ("growth_against_previous_edition", "一般公共预算收入", "5", "20.0", "flag"),
        ("growth_against_previous_edition", "地区生产总值", "5", "10.0", "soft"),   # at comparable prices
        ("growth_against_previous_edition", "社会消费品零售总额", "5", "5.0", "ok"),
        ("same_period_in_two_editions", "地区生产总值", "101000000000", "100000000000", "soft"),  # a revision
    ]
