"""Claims against the contract's worked examples and the hand-made gold annotations."""

import dataclasses
import os
from pathlib import Path

import pytest
from conftest import CORPUS as _DEFAULT_CORPUS
from conftest import GOLD, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.evaluate import load_gold, score
from pipeline.model import Document
from pipeline.numbers import format_decimal
from pipeline.process import process_document, process_file

# The shared corpus beside the repository, or where REPORTPIPE_CORPUS points (a second work tree).
CORPUS = Path(os.environ.get("REPORTPIPE_CORPUS") or _DEFAULT_CORPUS)
GOLD_F1 = 0.99  # every annotated report keeps its score: a drop below this is a regression


def corpus_file(name: str) -> Path:
    """A corpus report; its absence fails the test (a suite that skips would pass on less)."""
    path = CORPUS / name
    if not path.exists():
        pytest.fail(f"{path} is missing: the gold tests need the shared corpus beside the repository "
                    "(or REPORTPIPE_CORPUS pointing at it)")
    return path


def claims_of(text: str, title: str = "2020年报告\n\n某研究所\n\n2020年5月\n\n"):
    doc = process_document(Document("x", "x.txt", "", "utf-8", title + text))
    return [c for c in doc.claims]


def row(c):
    return (c.surface, c.value, c.value_max, c.unit, c.kind, c.qualifier, c.change, c.basis,
            c.period, c.period_role)


def test_worked_examples_of_the_contract():
    got = [row(c) for c in claims_of(
        "截至 2020 年 4 月，微信平台上就业、招聘相关的小程序有 15430 个，日活跃用户 150 万。"
        "其中，2019 年新增 3710 个，增幅 34%。\n\n"
        "2020 年春节期间，叮咚买菜 DAU 达 147 万，相比 2019 年春节增长了 274.6%。\n\n"
        "一天能挣八百元到一千元。\n\n累计减免手续费金额过亿。\n\n微信支付分已经为用户节省了近千亿押金。\n")]
    assert got == [
        ("15430 个", "15430", "", "个", "count", "exact", "", "", "2020-04", "as_of"),
        ("150 万", "1500000", "", "", "count", "exact", "", "", "2020-04", "as_of"),
        ("3710 个", "3710", "", "个", "count", "exact", "increase", "", "2019", "during"),
        ("34%", "34", "", "%", "percent", "exact", "increase", "", "2019", "during"),
        ("147 万", "1470000", "", "", "count", "exact", "", "", "2020-01-24/2020-01-30", "during"),
        ("274.6%", "274.6", "", "%", "percent", "exact", "increase", "yoy", "2020-01-24/2020-01-30", "during"),
        ("八百元到一千元", "800", "1000", "元", "money", "exact", "", "", "", ""),
        ("亿", "100000000", "", "", "money", "at_least", "", "", "", ""),
        ("千亿", "100000000000", "", "", "money", "at_most", "", "", "", ""),
    ]


@pytest.mark.parametrize(
    "text",
    ["2019年", "2020年5月", "1 月 24 日", "20:00后", "晚8点到10点", "第三次会议", "第十二届",
     "前三个行业", "5G网络", "80 后", "3A 景区", "“1+10”省级", "《2019 小商家经营大数据报告》", "壹",
     "表10 2023年限额以上法人企业商品零售额增长速度", "详见图3", "三次产业结构为2.9 : 30.7 : 66.4"],
)
def test_not_claims(text):
    assert claims_of(text + "。\n") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("疫情期间用户由 2 万+ 增长至 5 万+。", [("20000", "at_least", ""), ("50000", "at_least", "")]),
        ("订单量增长近 12 倍。", [("12", "at_most", "increase")]),
        ("发布岗位约 12 万个。", [("120000", "approx", "")]),
        ("覆盖超过 5000 万个体商户。", [("50000000", "at_least", "")]),
        ("有 60 多家企业。", [("60", "at_least", "")]),
        ("服务 20万人次以上。", [("200000", "at_least", "")]),
        ("社会消费品零售总额同比下降 19.0%。", [("19", "exact", "decrease")]),
    ],
)
def test_qualifiers_and_changes(text, expected):
    assert [(c.value, c.qualifier, c.change) for c in claims_of(text + "\n")] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("轿车保有量45.59万辆，增长5.3 %。", [("455900", "辆"), ("5.3", "%")]),
        ("高于规模以上工业增加值增速16.4 个、1.3 个百分点。", [("16.4", "百分点"), ("1.3", "百分点")]),
        ("铅酸蓄电池11937340千伏安时。", [("11937340", "千伏安时")]),
        ("集成电路23787.46万块。", [("237874600", "块")]),
        ("互联网出州宽带4160Gbps。", [("4160", "Gbps")]),
        ("人大代表300人。", [("300", "人")]),
    ],
)
def test_units(text, expected):
    assert [(c.value, c.unit) for c in claims_of(text + "\n")] == expected


def test_table_unit_column_names_what_is_measured():
    got = [(c.value, c.unit) for c in claims_of("产品名称\t单位\t产量\n工业锅炉\t蒸发量吨\t15262\n")]
    assert got == [("15262", "吨")]


def test_bases():
    got = [(c.value, c.basis) for c in claims_of(
        "五一期间，消费总额较3月环比增长30%。2019年信息消费较2018年增长了34.8%。"
        "全年生产总值比上年增长5.2%；服务业增加值增长6.1%。\n")]
    assert got == [("30", "mom"), ("34.8", "yoy"), ("5.2", "yoy"), ("6.1", "yoy")]


def test_claim_surfaces_are_exact_source_text(sample_doc):
    for c in sample_doc.claims:
        assert sample_doc.raw[c.raw_start:c.raw_end] == c.surface
        assert sample_doc.raw.count("\n", 0, c.raw_start) + 1 == c.line


def _score(doc, gold_path):
    return score(load_gold(gold_path), [dataclasses.asdict(c) for c in doc.claims])


def test_sample_report_against_gold(sample_doc):
    s = _score(sample_doc, GOLD / "wechat-employment-2019-2020.jsonl")
    assert s.f1 >= GOLD_F1, s.misses + s.false_alarms
    for attr in ("kind", "qualifier", "change", "basis"):
        assert s.accuracy(attr) >= 0.95, attr
    assert s.accuracy("period") >= 0.90


def test_luoyang_bulletin_against_gold():
    doc = process_file(corpus_file("zh-Hans_luoyang-2023-statistical-bulletin.txt"))
    s = _score(doc, GOLD / "luoyang-2023-statistical-bulletin.jsonl")
    assert s.f1 >= GOLD_F1, s.misses + s.false_alarms
    assert s.accuracy("change") >= 0.95
    assert s.accuracy("basis") >= 0.95


def test_claim_ids_survive_edits_elsewhere(sample_text):
    base = process_document(Document("x", "x.txt", "", "utf-8", sample_text))
    edited_text = sample_text.replace("在突如其来的新冠肺炎疫情中", "\n\n新增的一段话，没有数字。\n\n在突如其来的新冠肺炎疫情中", 1)
    edited = process_document(Document("x", "x.txt", "", "utf-8", edited_text))
    assert [c.claim_id for c in base.claims] == [c.claim_id for c in edited.claims]
    assert [s.section_id for s in base.sections] == [s.section_id for s in edited.sections]
    assert [c.case_id for c in base.cases] == [c.case_id for c in edited.cases]


@pytest.mark.parametrize("source, gold", [
    ("zh-Hans_chengdu-2021-statistical-bulletin.ocr.md", "chengdu-2021-statistical-bulletin.jsonl"),
    ("zh-Hans_state-council-2024-government-work-report.txt", "state-council-2024-government-work-report.jsonl"),
    ("zh-Hans_zhoukou-2023-statistical-bulletin.pdf", "zhoukou-2023-statistical-bulletin.pdf.jsonl"),
    ("zh-Hans_qiandongnan-2023-statistical-bulletin.pdf", "qiandongnan-2023-statistical-bulletin.pdf.jsonl"),
    ("tests/data/heldout/nbs-2024-statistical-bulletin-excerpt.txt", "nbs-2024-statistical-bulletin-excerpt.jsonl"),
])
def test_other_reports_against_gold(source, gold):
    path = ROOT / source if source.startswith("tests/") else corpus_file(source)
    s = _score(process_file(path), GOLD / gold)
    assert s.f1 >= GOLD_F1, s.misses + s.false_alarms


def test_pdf_gold_survives_offsets_that_drift_onto_a_neighbour():
    """A PDF annotation's offsets drift when the extracted text changes; a gold row then matches
    by page and surface before it takes an overlapping claim of another surface on another page."""
    from decimal import Decimal

    def g(page, start, surface):
        return {"page": page, "line": 1, "raw_start": start, "raw_end": start + 8, "surface": surface,
                "value": "149190", "_value": Decimal(149190), "unit": "人", "required": True}

    gold = [g(17, 9145, "149190 人"), g(18, 9551, "149190")]
    preds = [{"page": "17", "raw_start": 9545, "raw_end": 9553, "surface": "149190 人", "value": "149190", "unit": "人"},
             {"page": "18", "raw_start": 9969, "raw_end": 9975, "surface": "149190", "value": "149190", "unit": "人"}]
    s = score(gold, preds)
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("居民消费价格比上年上涨零点三个百分点。", [("零点三个百分点", "0.3", "", "百分点", "percent", "increase")]),
        ("城镇化率提高一点八个百分点。", [("一点八个百分点", "1.8", "", "百分点", "percent", "increase")]),
        ("第三产业占百分之三十五点六。", [("百分之三十五点六", "35.6", "", "%", "percent", "")]),
        ("约三分之一的企业开通了线上渠道。", [("三分之一", "33.3333", "", "%", "percent", "")]),
        ("五成半的受访者表示满意。", [("五成半", "55", "", "%", "percent", "")]),
        ("出口额增长一点五倍。", [("一点五倍", "1.5", "", "倍", "multiple", "increase")]),
        ("全年投资零点五亿元。", [("零点五亿元", "50000000", "", "元", "money", "")]),
        ("共招聘两千零五十人。", [("两千零五十人", "2050", "", "人", "count", "")]),
        ("接待游客十一点二万人次。", [("十一点二万人次", "112000", "", "人次", "count", "")]),
    ],
)
def test_chinese_decimals_and_fractions_as_claims(text, expected):
    got = [(c.surface, c.value, c.value_max, c.unit, c.kind, c.change) for c in claims_of(text + "\n")]
    assert got == expected


@pytest.mark.parametrize(
    "text",
    ["庆祝中国共产党成立一百周年", "迎来建党一百周年", "公司成立30周年", "喜迎新中国成立75年", "百年华诞",
     "向第二个百年奋斗目标进军", "世界百年未有之大变局加速演进", "百年大计，教育为本", "惠及上亿人口",
     "带动上万家企业", "成千上万的志愿者", "坚持“三个代表”重要思想", "统筹推进四个全面战略布局",
     "共建一带一路高质量发展", "深刻领悟两个确立的决定性意义", "严格落实中央八项规定精神"],
)
def test_names_anniversaries_idioms_and_vague_magnitudes_are_not_claims(text):
    assert claims_of(text + "。\n") == []


def test_rate_bases_and_average_spans_are_not_claims():
    got = [(c.surface, c.value) for c in claims_of("全年人民币平均汇率为1美元兑7.1217元人民币。两年平均增长3.1%。\n")]
    assert got == [("7.1217元", "7.1217"), ("3.1%", "3.1")]


def test_a_name_does_not_hide_the_numbers_beside_it():
    got = [(c.surface, c.value) for c in claims_of("共建一带一路国家达150个。\n")]
    assert got == [("150个", "150")]


@pytest.mark.parametrize("kind", ["metadata", "furniture"])
def test_metadata_and_furniture_blocks_hold_no_claims(kind):
    """Clipping headers (【原文出处】…) and page furniture are marked by segment; their numbers are
    never claims, whatever they look like."""
    from pipeline.claims import extract_claims

    doc = process_document(Document("x", "x.txt", "", "utf-8",
                                    "2020年报告\n\n某研究所\n\n2020年5月\n\n【原刊页号】共12页，印数3000份\n\n全年销售额120万元。\n"))
    marked = next(b for b in doc.blocks if "原刊页号" in b.text)
    assert [c.surface for c in doc.claims if c.block_id == marked.block_id]  # a paragraph: it has claims
    blocks = tuple(dataclasses.replace(b, kind=kind) if b is marked else b for b in doc.blocks)
    claims = extract_claims(doc.evolve(blocks=blocks, claims=())).claims
    assert [c.surface for c in claims] == ["120万元"]


def table_claims_of(text: str):
    return [(c.surface, c.value, c.value_max, c.unit, c.kind, c.change, c.period, c.subject)
            for c in claims_of(text, title="2023年报告\n\n某研究所\n\n2023年5月\n\n")]


def test_table_unit_line_above_applies_and_the_number_column_is_no_subject():
    got = table_claims_of("单位：万元\n\n序号\t项目\t2022年\t2021年\n1\t营业收入\t330,435.30\t287,000.10\n"
                          "2\t净利润\t12,000\t9,000\n")
    assert got == [
        ("330,435.30", "3304353000", "", "元", "money", "", "2022", "营业收入"),
        ("287,000.10", "2870001000", "", "元", "money", "", "2021", "营业收入"),
        ("12,000", "120000000", "", "元", "money", "", "2022", "净利润"),
        ("9,000", "90000000", "", "元", "money", "", "2021", "净利润"),
    ]


def test_table_cell_ranges_are_one_claim():
    got = table_claims_of("作物\t时长（小时）\n水稻\t4~12\n小麦\t1-6\n玉米\t3—5\n大豆\t4～12\n")
    assert [(s, v, vm, u, k) for s, v, vm, u, k, *_ in got] == [
        ("4~12", "4", "12", "小时", "duration"), ("1-6", "1", "6", "小时", "duration"),
        ("3—5", "3", "5", "小时", "duration"), ("4～12", "4", "12", "小时", "duration"),
    ]


def test_table_unit_list_in_the_caption_goes_to_the_columns_that_need_it():
    got = table_claims_of("表1 2023年主要指标（单位：亿元、%）\n\n指标\t2023年\t比上年增长\n生产总值\t1329.65\t4.0\n")
    assert got == [
        ("1329.65", "132965000000", "", "元", "money", "", "2023", "生产总值"),
        ("4.0", "4", "", "%", "percent", "increase", "2023", "生产总值"),
    ]


def test_table_unit_line_below_applies_unless_it_belongs_to_the_next_table():
    assert table_claims_of("指标\t数量\n从业人员\t12.5\n\n单位：万人\n") == [
        ("12.5", "125000", "", "人", "count", "", "2023", "从业人员")]
    got = table_claims_of("指标\t数量\n从业人员\t12.5\n\n单位：万元\n\n指标\t金额\n工资\t8\n")
    assert [(s, v, u) for s, v, _, u, *_ in got] == [("12.5", "12.5", ""), ("8", "80000", "元")]


def test_table_numbering_and_year_columns_are_not_claims():
    got = table_claims_of("\t项目\t金额\n1\t甲\t5\n2\t乙\t6\n\n（单位：千元）\n")
    assert got == [("5", "5000", "", "元", "money", "", "2023", "甲"), ("6", "6000", "", "元", "money", "", "2023", "乙")]
    got = table_claims_of("年份\t产量（万吨）\n2021\t12\n2022\t15\n")
    assert got == [("12", "120000", "", "吨", "other", "", "2021", "产量"),
                   ("15", "150000", "", "吨", "other", "", "2022", "产量")]


def test_festival_periods_hold_beyond_2030_and_say_so_beyond_the_table(caplog):
    from pipeline.lexicon import FestivalOutOfRange, load
    from pipeline.periods import find_time_expressions

    assert [t.period for t in find_time_expressions("2035年春节期间", None)] == ["2035-02-07/2035-02-13"]
    assert [t.period for t in find_time_expressions("今年除夕", 1901)] == ["1901-02-18"]
    with caplog.at_level("WARNING", logger="pipeline.periods"):
        assert find_time_expressions("今年春节期间", 2150) == []
    assert "2150" in caplog.text and "festival table" in caplog.text
    with pytest.raises(FestivalOutOfRange, match="2100"):
        load().festival_day(2100)


@pytest.mark.parametrize("text, report_year, expected", [
    ("一九九六年末，全国农村住户", None, [("1996", "as_of")]),
    ("二〇二四年三月五日", None, [("2024-03-05", "during")]),
    ("截至二〇二三年十二月底", None, [("2023-12", "as_of")]),
    ("一九九九年1—8月", None, [("1999-01/1999-08", "during")]),
    ("1-8月份", 2023, [("2023-01/2023-08", "during")]),
    ("一至三月", 2023, [("2023-01/2023-03", "during")]),
    ("今年三月", 2023, [("2023-03", "during")]),
    ("历时三个月", 2023, []),
    ("十二个月", 2023, []),
])
def test_periods_in_chinese_digits_and_month_ranges(text, report_year, expected):
    from pipeline.periods import find_time_expressions

    assert [(t.period, t.role) for t in find_time_expressions(text, report_year)] == expected


def test_a_signed_change_column():
    got = table_claims_of("项目\t2023年\t增减（%）\n生产总值（亿元）\t312.5\t-1.6\n")
    assert [(s, v, u, ch) for s, v, _, u, _, ch, *_ in got] == [
        ("312.5", "31250000000", "元", ""), ("-1.6", "-1.6", "%", "increase")]


def test_table_cells_that_write_their_own_unit():
    got = table_claims_of("作物\t光照\t产量（人）\t投资\n水稻\t4～12小时\t12.5万\t约3亿元\n")
    assert [(s, v, vm, u, k) for s, v, vm, u, k, *_ in got] == [
        ("4～12小时", "4", "12", "小时", "duration"), ("12.5万", "125000", "", "人", "count"),
        ("3亿元", "300000000", "", "元", "money")]
    assert [c.qualifier for c in claims_of("作物\t投资\n水稻\t约3亿元\n")] == ["approx"]


def test_republic_calendar_dates_and_repeated_doublings():
    from pipeline.periods import find_time_expressions

    assert [t.period for t in find_time_expressions("内湖区至民国 101 年 12 月人口数为", None)] == ["2012-12"]
    assert [t.period for t in find_time_expressions("民国89年", None)] == ["2000"]
    got = [(c.surface, c.value, c.unit, c.change) for c in claims_of("国内生产总值比2010年翻两番。\n")]
    assert got == [("翻两番", "4", "倍", "increase")]


def test_table_subjects_drop_units_and_of_which_marks():
    got = table_claims_of("指标\t2023年\n地区生产总值（亿元）\t312.5\n#第一产业（亿元）\t20.1\n其中：粮食（万吨）\t3.2\n")
    assert [(subject, unit) for _, _, _, unit, _, _, _, subject in got] == [
        ("地区生产总值", "元"), ("第一产业", "元"), ("粮食", "吨")]


def test_subjects_keep_clock_times_and_words_that_begin_with_a_trimmed_word():
    """"22:00-24:00的…": a colon between digits is no clause break; "有效…" is a word, not the verb 有."""
    got = {c.surface: c.subject for c in claims_of(
        "晚上22:00-24:00的客流占比为13.5%。年末有效发明专利1.2万件，有18个县。\n")}
    assert got["13.5%"] == "晚上22:00-24:00的客流占比"
    assert got["1.2万件"] == "年末有效发明专利"
    assert got["18个"] == "县"  # the verb 有 alone is still trimmed


def test_a_bracketed_remark_does_not_count_towards_a_subjects_length():
    got = {c.surface: c.subject for c in claims_of(
        "年末参加城镇职工基本养老保险人数（含离退休人员）120.5万人。某某支付在境外合规的国家和地区覆盖量增加至60个。\n")}
    assert got["120.5万人"] == "年末参加城镇职工基本养老保险人数（含离退休人员）"
    assert got["60个"] == "某某支付在境外合规的国家和地区覆盖量"


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99),
       st.integers(min_value=1, max_value=10**6))
def test_table_cells_with_separators_and_ranges_are_exact(whole, cents, width):
    """"330,435.30" and "4~12" under "单位：万元": exact values, the stated scale folded in."""
    from decimal import Decimal

    number = f"{whole:,}.{cents:02d}"
    low, high = whole % 1000, whole % 1000 + width
    got = table_claims_of(f"单位：万元\n\n项目\t金额\t区间\n甲\t{number}\t{low}~{high}\n")
    assert [(v, vm, u) for _, v, vm, u, *_ in got] == [
        (format_decimal(Decimal(f"{whole}.{cents:02d}") * 10000), "", "元"),
        (format_decimal(Decimal(low) * 10000), format_decimal(Decimal(high) * 10000), "元"),
    ]


@pytest.mark.parametrize("text, expected", [
    ("预计EPS分别为1.23/1.45/1.67元。", [("1.23", "1.23", "元"), ("1.45", "1.45", "元"), ("1.67元", "1.67", "元")]),
    ("工业、农业和服务业分别增长8.5、9.6和10.2%。", [("8.5", "8.5", "%"), ("9.6", "9.6", "%"), ("10.2%", "10.2", "%")]),
    ("三地分别为12、15和20万人。", [("12", "120000", "人"), ("15", "150000", "人"), ("20万人", "200000", "人")]),
    ("2019、2020年连续增长。", []),
])
def test_a_list_shares_the_unit_its_last_member_writes(text, expected):
    assert [(c.surface, c.value, c.unit) for c in claims_of(text + "\n")] == expected


def test_signed_changes_after_a_basis():
    """Research notes write "同比+15.6%", "环比-2.1%": a change with its sign, as growth columns do."""
    got = [(c.surface, c.value, c.change, c.basis) for c in claims_of(
        "归母净利润10.2亿元，同比+15.6%；毛利率同比-8.9%，环比-2.1%。\n")]
    assert got == [("10.2亿元", "1020000000", "", ""), ("+15.6%", "15.6", "increase", "yoy"),
                   ("-8.9%", "-8.9", "increase", "yoy"), ("-2.1%", "-2.1", "increase", "mom")]


def test_republic_years_without_the_era_name_are_not_claims():
    # a report that writes "98年3月" or "99年度" writes its years in the Republic calendar
    text = "本署于98年3月15日核定第1期（97-98年）计划，经费200亿元，执行至99年底，期程为100年。\n"
    got = [(c.surface, c.value, c.unit) for c in claims_of(text, title="99年度工作报告\n\n某署\n\n")]
    assert got == [("200亿元", "20000000000", "元")]
    # without such a date a number of years stays a duration
    assert [c.surface for c in claims_of("期程为105年。\n")] == ["105年"]


@pytest.mark.parametrize("text", [
    "用户可拨打客服热线96688咨询", "通过96688专线提供服务", "服务电话：12315", "推动12358“马上就办”改革",
    "咨询电话400-123-4567", "采集日期：2025-03-18", "详见http://www.example.cn/files/20230101/a.pdf",
    "doc_id: report_00213", "发展目标 ........ 17", "每百元营业收入中的成本", "市人大三次会议审议通过",
    "管网一期、二期全部完工", "感谢对第1、2、3期计划的支持", "排名倒15名", '坚持"四个一"原则',
    "坚持三位一体，统筹规划", "迈开两条腿"])
def test_service_numbers_codes_dates_and_labels_are_not_claims(text):
    assert claims_of(text + "。\n") == []


def test_a_decimal_before_a_list_comma_is_a_value():
    assert [c.surface for c in claims_of("综合指数3.817、下降4.2%。\n")] == ["3.817", "4.2%"]


@pytest.mark.parametrize("text, expected", [
    ("参保对象为年满65周岁的居民", ("65周岁", "65", "周岁")), ("新建220千伏变电站", ("220千伏", "220", "千伏")),
    ("新增动力3000马力", ("3000马力", "3000", "马力")), ("毛利率提升1.25pct", ("1.25pct", "1.25", "百分点")),
    ("罚款标准为200元/次", ("200元/次", "200", "元/次"))])
def test_units_of_age_power_and_points(text, expected):
    assert [(c.surface, c.value, c.unit) for c in claims_of(text + "。\n")] == [expected]


def test_a_rate_base_after_a_slash_is_no_claim():
    assert [(c.surface, c.unit) for c in claims_of("保有量为80车辆/千人。\n")] == [("80", "")]


def test_table_unit_statement_may_name_the_currency():
    got = claims_of("单位：新台币亿元\n\n项目\t预算数\n收入合计\t703\n")
    assert [(c.value, c.unit, c.kind) for c in got] == [("70300000000", "元", "money")]


def test_values_after_a_label_colon_and_in_a_list_of_places():
    got = [(c.surface, c.value) for c in claims_of("样本共3,020个（东区1,210、西区810、南区1,000）（席位：4 / 门槛：12%）。\n")]
    assert got == [("3,020个", "3020"), ("1,210", "1210"), ("810", "810"), ("1,000", "1000"),
                   ("4", "4"), ("12%", "12")]
    assert claims_of("会议于 14:30 开始，比例为 3 : 2。\n") == []


def test_telephone_numbers_after_a_latin_label_and_bracketed_republic_years():
    assert claims_of("联络人 (Tel / WhatsApp: 91234567)。\n") == []
    got = claims_of("执行至今（112）年6月底，执行率为88.1%。\n", title="112年度报告\n\n某部\n\n")
    assert [c.surface for c in got] == ["88.1%"]


def test_telephone_numbers_after_a_bracketed_english_label_and_area_code():
    """A rating agency's contact line: "电话（Tel）：（010）85679696|传真（Fax):(010)85679228"."""
    assert claims_of("电话（Tel）：（010）85679696|传真（Fax):(010)85679228|邮箱（Email）：a@b.com\n") == []
    assert [c.surface for c in claims_of("联系电话：（0756）8123456，服务企业120家。\n")] == ["120家"]


def test_a_tables_money_unit_is_not_given_to_a_column_that_measures_an_area():
    """"（单位：亿元）" over 开发面积, 总投资 and 已投资: the area has no unit of its own, and it is
    no money."""
    got = table_claims_of("图表4 在建项目情况（单位：亿元）\n\n项目\t开发面积\t总投资\t已投资\n甲区\t5.77\t86.00\t81.81\n")
    assert [(s, v, u) for s, v, _, u, *_ in got] == [
        ("5.77", "5.77", ""), ("86.00", "8600000000", "元"), ("81.81", "8181000000", "元")]


def test_a_first_table_row_of_shares_is_data_not_a_header():
    got = table_claims_of("甲党名单\t21.4%\n乙党名单\t16.2%\n")
    assert [(g[0], g[3]) for g in got] == [("21.4%", "%"), ("16.2%", "%")]


def test_a_data_label_alone_on_its_line_keeps_its_minus_sign():
    got = claims_of("某指标同比增长率\n\n12.5%\n\n-3.2%\n\n- 项目甲 8 个\n")
    assert [(c.surface, c.value) for c in got] == [("12.5%", "12.5"), ("-3.2%", "-3.2"), ("8 个", "8")]


def test_bare_chart_labels_take_the_unit_of_the_charts_legend():
    text = ("某市电子商务交易额逐年增长，线上消费成为拉动内需的重要力量，各类平台企业持续扩大服务范围，"
            "带动了大量中小商户实现数字化转型。\n\n"
            "2019-2022年某市电子商务交易额\n\n12.5%\n\n8.1%\n\n3.2\n\n3.6\n\n3.9\n\n"
            "2019年 2020年 2021年\n\n"
            "注：交易额按当年价格计算，数据经四舍五入处理，分项相加与合计略有出入，来自平台企业的统计报表汇总整理。\n\n"
            "交易额（亿元）\n\n同比增长率（%）\n\n"
            "全市网络零售额继续保持较快增长，农村电商发展势头良好，快递业务量稳步提升，全年新增网店数量较多。\n\n"
            "4.5\n\n4.8\n\n5.1\n")
    got = [(c.surface, c.value, c.unit, c.kind) for c in claims_of(text)]
    assert got == [("12.5%", "12.5", "%", "percent"), ("8.1%", "8.1", "%", "percent"),
                   ("3.2", "320000000", "元", "money"), ("3.6", "360000000", "元", "money"),
                   ("3.9", "390000000", "元", "money"),
                   # after the running text another chart begins, which names no unit
                   ("4.5", "4.5", "", "count"), ("4.8", "4.8", "", "count"), ("5.1", "5.1", "", "count")]


def test_a_charts_value_axis_is_no_claim():
    text = ("2021年某省各产业用电量占比\n\n31.2%\n\n45.6%\n\n23.2%\n\n100%\n\n75%\n\n50%\n\n25%\n\n0%\n\n"
            "第一产业\n\n第二产业\n\n第三产业\n")
    assert [c.surface for c in claims_of(text)] == ["31.2%", "45.6%", "23.2%"]
    # values that do not step evenly to zero are data
    assert [c.surface for c in claims_of("某项指标\n\n100%\n\n75%\n\n40%\n\n25%\n")] == ["100%", "75%", "40%", "25%"]


def test_a_column_of_months_gives_each_row_its_period_and_no_claims():
    got = table_claims_of("日期\t新增用户（万人）\n202403\t18.0\n202404\t47.8\n")
    assert [(g[0], g[1], g[3], g[6]) for g in got] == [("18.0", "180000", "人", "2024-03"),
                                                       ("47.8", "478000", "人", "2024-04")]
    got = table_claims_of("月份\t销量（万辆）\n2024年1月\t3.5\n2024年2月\t4.1\n")
    assert [(g[1], g[6]) for g in got] == [("35000", "2024-01"), ("41000", "2024-02")]


def test_a_currency_sign_before_a_number_is_its_unit():
    got = [(c.surface, c.value, c.unit, c.kind) for c in claims_of(
        "活动期间满HK\\$200可获赠礼券，全年营业额US$ 4.5亿，客单价￥86元。\n")]
    assert got == [("200", "200", "港元", "money"), ("4.5亿", "450000000", "美元", "money"),
                   ("86元", "86", "元", "money")]


def test_a_service_number_before_the_name_of_its_line_is_no_claim():
    assert [c.surface for c in claims_of("开通“12345老年人服务专线”，接听来电8600次。\n")] == ["8600次"]


def test_renminbi_after_a_number_is_money_and_renmin_counts_people():
    got = [(c.surface, c.value, c.unit, c.kind) for c in claims_of("吸引投资800万人民币，惠及三千万人民。\n")]
    assert got == [("800万人民币", "8000000", "元", "money"), ("三千万人", "30000000", "人", "count")]


def test_qian_that_ends_a_word_is_no_ordinal():
    got = [c.surface for c in claims_of("前三个行业增长较快，全省提前两年完成目标，目前3家企业已投产。\n")]
    assert got == ["两年", "3家"]


def test_a_half_after_a_measure_word():
    got = [(c.surface, c.value, c.unit) for c in claims_of(
        "平均每户养猪一头半，项目历时一年半，培训两个半小时，两家半导体企业投产。\n")]
    assert got == [("一头半", "1.5", "头"), ("一年半", "1.5", "年"), ("两个半小时", "2.5", "小时"), ("两家", "2", "家")]


def test_vague_multitudes_are_no_claims():
    assert claims_of("使成千成万的家庭妇女参加生产，成千累万的群众投入建设。\n") == []


def test_a_range_of_years_counted_is_one_duration_and_a_span_of_the_calendar_is_none():
    got = [(c.surface, c.value, c.value_max, c.unit) for c in claims_of(
        "储备足够一年到两年的粮食，用三至五年时间完成改造，贷款期限为1-3年。2019-2020年增长较快。\n")]
    assert got == [("一年到两年", "1", "2", "年"), ("三至五年", "3", "5", "年"), ("1-3年", "1", "3", "年")]


def test_a_measure_word_that_starts_a_noun_leaves_the_number_as_written():
    got = [(c.surface, c.value, c.unit) for c in claims_of("据统计，全省共有12 成都籍企业家参会，约六成企业增资。\n")]
    assert got == [("12", "12", ""), ("六成", "60", "%")]


def test_a_bare_order_word_with_people_before_a_noun_is_a_rate_base():
    got = [(c.surface, c.value, c.unit) for c in claims_of(
        "全市千人汽车拥有量为150辆，万人病床数明显增加，千人以上企业达到12家。\n")]
    assert got == [("150辆", "150", "辆"), ("千人", "1000", "人"), ("12家", "12", "家")]


def test_numbers_of_a_sentence_in_another_language_are_no_claims():
    text = ("全年接待游客3.5万人次。\n\nLicensed under the Creative Commons Attribution 4.0 License.\n\n"
            "88 Example Road, Suite 200 | Beijing 100020\n")
    assert [c.surface for c in claims_of(text)] == ["3.5万人次"]


def test_ge_before_renmin_is_the_measure_word():
    got = [(c.surface, c.unit) for c in claims_of("全县有三千多个人民调解组织，推出12个人民满意项目，5000万个人用户。\n")]
    assert got == [("三千多个", "个"), ("12个", "个"), ("5000万", "")]


def test_hundreds_written_with_their_digit_before_a_noun_are_a_count():
    got = [(c.surface, c.value, c.unit) for c in claims_of("平均每社拥有五千农户、一万个劳动力，千家万户受益，百花齐放。\n")]
    assert got == [("五千", "5000", ""), ("一万个", "10000", "个")]


def test_a_transaction_or_market_size_without_a_currency_is_money():
    got = [(c.surface, c.kind) for c in claims_of("第三方支付交易规模达到53.2万亿，收单市场规模约2.9万亿，用户规模8亿。\n")]
    assert got == [("53.2万亿", "money"), ("2.9万亿", "money"), ("8亿", "count")]


def test_a_charts_percentage_labels_are_the_rate_of_change_its_legend_names():
    text = ("2019-2022年某市快递业务量\n\n12.5%\n\n-3.1%\n\n3.2\n\n3.6\n\n3.9\n\n"
            "业务量（亿件）\n\n环比增长率（%）\n")
    got = [(c.surface, c.value, c.unit, c.change, c.basis) for c in claims_of(text)]
    assert got == [("12.5%", "12.5", "%", "increase", "mom"), ("-3.1%", "-3.1", "%", "increase", "mom"),
                   ("3.2", "320000000", "件", "", ""), ("3.6", "360000000", "件", "", ""),
                   ("3.9", "390000000", "件", "", "")]


def test_shares_are_a_unit_of_count():
    got = [(c.surface, c.value, c.unit, c.kind) for c in claims_of("公司回购500万股，股东人数增加。\n")]
    assert got == [("500万股", "5000000", "股", "count")]
    got = table_claims_of("指标\t数值\n总股本（百万股）\t532.18\n")
    assert [(g[1], g[3]) for g in got] == [("532180000", "股")]


def test_postcodes_and_addresses_are_no_claims():
    got = [c.surface for c in claims_of("公司地址：某市长柳路36号某大厦32层，邮编：200135，员工300人。\n")]
    assert got == ["300人"]


def test_a_number_with_a_leading_zero_is_a_code():
    assert [c.surface for c in claims_of("办公室位于15层01-08单元，编号007的设备运行正常，增长0.5%。\n")] == ["15层", "0.5%"]


def test_a_securities_code_in_brackets_is_no_claim():
    got = [c.surface for c in claims_of("某电路（603920）上半年营收增长18%，某银行(000001.SZ)净利润120亿元。\n")]
    assert got == ["18%", "120亿元"]


def test_a_cell_that_writes_its_own_percent_is_a_percentage():
    got = table_claims_of("项目\t2022\t2023\n存货周转率（元）\t691.6%\t771.1%\n每股收益（元）\t0.82\t0.94\n")
    assert [(g[0], g[3]) for g in got] == [("691.6%", "%"), ("771.1%", "%"), ("0.82", "元"), ("0.94", "元")]


def test_a_number_of_days_after_a_word_of_length_is_a_duration():
    got = [(c.surface, c.kind) for c in claims_of("自2024年11月30日起，免签停留期限延长至30日，活动为期15日。\n")]
    assert got == [("30日", "duration"), ("15日", "duration")]


def test_qian_before_a_number_of_places_is_a_rank():
    got = [c.surface for c in claims_of("人均收入不在全国城市的前30名，前100家企业营收增长8%。\n")]
    assert got == ["100家", "8%"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("综合融资成本下降54个BP。", [("54", "BP", "percent")]),
        ("贷款市场报价利率下行25个基点。", [("25", "BP", "percent")]),
        ("区域环境噪声等效声级均值53.8分贝。", [("53.8", "分贝", "other")]),
        ("邮政行业业务总量13.18亿标准量。", [("1318000000", "标准量", "other")]),
        ("强制检定计量器具34953台件。", [("34953", "台件", "count")]),
        ("开展全民健身项目116项次。", [("116", "项次", "count")]),
        ("已开放各类档案48.1万卷。", [("481000", "卷", "count")]),
        ("供水综合生产能力365.7万立方米/日。", [("3657000", "立方米/日", "other")]),
        ("本表在批准预算后二十日内公开。", [("20", "天", "duration")]),
        ("停留期限延长至30日。", [("30", "天", "duration")]),
        ("10个案例入选省级经典案例。", [("10", "个", "count")]),
    ],
)
def test_measures_of_bulletins_and_budget_notes(text, expected):
    assert [(c.value, c.unit, c.kind) for c in claims_of(text + "\n")] == expected


@pytest.mark.parametrize("text", [
    "三大产值千亿行业增加值合计增长", "营业收入超亿元企业", "计划总投资超亿元项目", "培育百亿产业集群", "于11月30日内完成",
])
def test_orders_of_magnitude_that_name_a_class_and_dates_are_not_claims(text):
    assert claims_of(text + "。\n") == []


def test_compound_units_of_a_unit_column():
    from pipeline.table_claims import unit_text
    assert unit_text("万千米") == (10000, "千米")  # 10⁴ 千米, not 万 × 千 × 米
    assert unit_text("万千瓦") == (10000, "千瓦")
    assert unit_text("千万元") == (10000000, "元")
    assert unit_text("万芯千米") == (10000, "芯千米")  # one character before a unit is part of it
    assert unit_text("蒸发量吨") == (1, "吨")  # a word before it names what is measured


def test_row_labels_state_their_year_and_sub_rows_inherit_it():
    got = {(c.subject, c.value): (c.period, c.period_role) for c in claims_of(
        "单位：亿元\n"
        "项目\t预算数\t执行数\n"
        "一、2023年末一般债务余额\t\t2,536.88\n"
        "二、2024年一般债务发行额\t\t345.89\n"
        "（一）新增债券\t\t150.00\n"
        "其中：再融资债券\t\t90.00\n"
        "财政预算安排\t\t40.00\n"
        "三、一般债务还本额\t\t212.64\n"
        "（一）到期还本\t\t12.00\n", title="某省2024年债务情况\n\n某省财政厅\n\n2025年1月\n\n")}
    assert got[("2023年末一般债务余额", "253688000000")] == ("2023", "as_of")
    assert got[("2024年一般债务发行额", "34589000000")] == ("2024", "during")
    assert got[("新增债券", "15000000000")] == ("2024", "during")
    assert got[("再融资债券", "9000000000")] == ("2024", "during")
    assert got[("财政预算安排", "4000000000")] == ("2024", "during")
    # a first-level row that states no year starts a new group: its rows take the report's year
    assert got[("一般债务还本额", "21264000000")] == ("2024", "during")
    assert got[("到期还本", "1200000000")] == ("2024", "during")


def test_a_caption_names_the_base_of_a_change_column():
    got = [(c.value, c.change, c.basis) for c in claims_of(
        "表1 2025年居民消费价格比上年涨跌幅度\n指标\t涨跌幅度（%）\n居民消费价格\t0.5\n食品烟酒\t-0.7\n")]
    assert got == [("0.5", "increase", "yoy"), ("-0.7", "increase", "yoy")]  # a signed rate keeps its sign


def test_pdf_gold_matches_the_same_surface_on_its_page_before_an_overlapping_neighbour():
    """A PDF's gold offsets are into the annotator's own text: on the same page the same surface
    wins over another number that happens to overlap them; a number whose unit heads the next page
    ("13.08" / "亿元", or "1.5 - 14 - 个百分点") matches the claim read with its unit."""
    from decimal import Decimal

    def g(start, surface, value, unit, required=True):
        return {"page": 2, "line": 1, "raw_start": start, "raw_end": start + len(surface), "surface": surface,
                "value": value, "_value": Decimal(value), "unit": unit, "required": required}

    gold = [g(873, "100", "100", "", required=False), g(892, "100.0", "100", ""),
            g(1508, "13.08", "1308000000", "元"), g(1600, "1.5\n\n- 14 -\n个百分点", "1.5", "百分点")]
    preds = [{"page": "2", "raw_start": 852, "raw_end": 855, "surface": "100", "value": "100", "unit": ""},
             {"page": "2", "raw_start": 872, "raw_end": 877, "surface": "100.0", "value": "100", "unit": ""},
             {"page": "2", "raw_start": 1400, "raw_end": 1407, "surface": "13.08亿元", "value": "1308000000", "unit": "元"},
             {"page": "2", "raw_start": 1500, "raw_end": 1507, "surface": "1.5个百分点", "value": "1.5", "unit": "百分点"}]
    s = score(gold, preds)
    assert (s.tp, s.fp, s.fn) == (3, 0, 0)


def test_pdf_gold_copied_with_a_private_use_point_matches_the_point_the_reader_wrote():
    """An annotator who copied a Founder-set page's raw text kept its private-use point; the PDF
    reader writes "." there, and its offsets differ: the surfaces still match."""
    from decimal import Decimal

    gold = [{"page": 3, "line": 58, "raw_start": 1208, "raw_end": 1214, "surface": "１０１\U001001b0１％",
             "value": "101.1", "_value": Decimal("101.1"), "unit": "%", "required": True}]
    preds = [{"page": "3", "raw_start": 990, "raw_end": 996, "surface": "１０１.１％", "value": "101.1", "unit": "%"},
             {"page": "3", "raw_start": 1300, "raw_end": 1305, "surface": "１０１.１", "value": "101.1", "unit": "%"}]
    s = score(gold, preds)
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)
    assert s.false_alarms[0]["surface"] == "１０１.１"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("國內生產毛額達25.4兆元。", [("25400000000000", "元")]),
        ("零售、餐飲營業額分別達4兆8,530億元、1兆378億元。", [("4853000000000", "元"), ("1037800000000", "元")]),
        ("新增装机容量300兆瓦。", [("300", "兆瓦")]),  # 兆 before 瓦 is the unit's prefix, no scale
        ("再生能源裝置容量已增加到21.05GW。", [("21.05", "GW")]),
    ],
)
def test_the_trillion_of_taiwan_reports_and_power_units(text, expected):
    assert [(c.value, c.unit) for c in claims_of(text + "\n")] == expected


@pytest.mark.parametrize("text", [
    "以「行動101策略」發揮創新思維", "啟動「智慧國家2.0」計畫", "推動「長照3.0」", "五花八門的新興毒品",
    "PP-10096巡防艇交船",
])
def test_names_in_corner_quotes_versions_idioms_and_model_numbers_are_not_claims(text):
    assert claims_of(text + "。\n") == []


def test_quantities_quoted_in_corner_brackets_are_claims():
    got = [(c.value, c.unit) for c in claims_of("減量目標從「24%加減1%」提升，並建立「100個文化基地」。\n")]
    assert got == [("24", "%"), ("1", "%"), ("100", "个")]


def test_a_short_unit_list_over_more_columns_goes_by_the_measure_each_names():
    got = [(c.value, c.unit) for c in claims_of(
        "单位：张、人\n年份\t床位数\t技术人员数\t每千人拥有床位数\t每千人技术人员数\n2025年\t4413\t5343\t5.8\t7.0\n")]
    assert got == [("4413", "张"), ("5343", "人"), ("5.8", "张"), ("7", "人")]


def test_ratio_signs_school_types_batches_and_intensities():
    assert claims_of("三次产业结构由18.6∶35.8∶45.6调整为17.9∶35.2∶46.9。\n") == []
    assert [(c.value, c.unit) for c in claims_of("九年一贯制学校73所，抽查526批次，能耗0.627吨标准煤/万元。\n")] == [
        ("73", "所"), ("526", "批次"), ("0.627", "吨标准煤/万元")]


@pytest.mark.parametrize("text, expected", [
    ("孕产妇死亡率2.95/10万，婴儿死亡率1.59‰。", [("2.95/10万", "2.95", "/10万"), ("1.59‰", "1.59", "‰")]),
    ("（详见附表22、23）", []),
    ("收支情况见表3至5。", []),
    ("（详见附表28、29、30），共安排资金30亿元。", [("30亿元", "3000000000", "元")]),
])
def test_rates_per_so_many_people_and_lists_of_table_numbers(text, expected):
    doc = process_document(Document("x", "x.txt", "", "utf-8", text + "\n"))
    assert [(c.surface, c.value, c.unit) for c in doc.claims] == expected


def test_a_header_of_two_rows_names_each_column_by_both():
    """The lower row of a two-row header ("| 绝对量 | 增速 | 绝对量 | 增速") is header, not body: the
    增速 columns are percentages, the 绝对量 columns take the unit statement's 人."""
    text = ("2025年各类学校招生和在校生情况\n单位：人、%\n指标\t招生\t\t在校生\t\n\t绝对量\t增速\t绝对量\t增速\n"
            "普通高校\t243966\t-2.3\t815486\t0.1\n普通高中\t53636\t1.5\t155910\t-0.5\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", text))
    cells = {(c.subject, c.surface): (c.value, c.unit, c.change) for c in doc.claims}
    assert cells[("普通高校", "243966")] == ("243966", "人", "")
    assert cells[("普通高校", "-2.3")] == ("-2.3", "%", "increase")
    assert cells[("普通高中", "-0.5")] == ("-0.5", "%", "increase")


def test_a_table_cell_written_as_a_paragraph_is_read_as_one():
    text = ("重点工作\t工作情况\n举借债务\t2024年，省级共转贷我市政府债券192.87亿元，其中：新增债券45.51亿元，"
            "再融资债券147.36亿元。\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", text))
    assert [(c.surface, c.value, c.period) for c in doc.claims] == [
        ("192.87亿元", "19287000000", "2024"), ("45.51亿元", "4551000000", "2024"), ("147.36亿元", "14736000000", "2024")]


@pytest.mark.parametrize("text, expected", [
    ("维持“22龙岩经发债01/22龙经01”和“23龙岩经发债/23龙经债”信用等级为AA。", []),
    ("（G21新庐1/21新庐陵绿色债）发行规模5亿元。", [("5亿元", "500000000", "元")]),
    ("支持310国道改扩建，共发行23个债券。", [("23个", "23", "个")]),
    ("深入实施财政绩效提升三年行动，做好五年规划、三年计划。", []),
    ("三个县在全省117个县区中分别排第1,2,9位。", [("三个", "3", "个"), ("117个", "117", "个")]),
])
def test_bond_short_names_road_names_programmes_and_rank_lists_are_no_claims(text, expected):
    doc = process_document(Document("x", "x.txt", "", "utf-8", text + "\n"))
    assert [(c.surface, c.value, c.unit) for c in doc.claims] == expected


def test_rows_naming_rates_take_the_percent_of_a_unit_list_and_a_unit_row_heads_the_rows_under_it():
    """Columns of years under "（单位：亿元、%）": 资产负债率 and GDP增速 are percentages, the other rows
    亿元; a row "主要财务指标（单位：%）" gives its unit to the rows below it."""
    text = ("图表10 主要经济及财务指标情况（单位：亿元、%）\n项目\t2023年\t2024年\n资产总额\t116.86\t132.13\n"
            "资产负债率\t47.68\t53.76\nGDP增速\t3.8\t5.0\n主要财务指标（单位：%）\t\t\n总资本收益率\t1.19\t0.28\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", text))
    cells = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert cells[("资产总额", "116.86")] == ("11686000000", "元")
    assert cells[("资产负债率", "53.76")] == ("53.76", "%")
    assert cells[("GDP增速", "3.8")] == ("3.8", "%")
    assert cells[("总资本收益率", "1.19")] == ("1.19", "%")


def test_a_header_cell_states_the_unit_and_months_in_the_header_are_periods():
    """"财务数据（单位：亿元）" heading the label column is the table's unit statement; "2026.3" over a
    column is a month, not a value of the header row."""
    text = "公司主要财务数据\n\n财务数据（单位：亿元）\t2026.3\t2025\n资产总计\t486.24\t473.14\n存货\t236.15\t235.33\n"
    doc = process_document(Document("x", "x.txt", "", "utf-8", text))
    assert [(c.subject, c.surface, c.value, c.unit) for c in doc.claims] == [
        ("资产总计", "486.24", "48624000000", "元"), ("资产总计", "473.14", "47314000000", "元"),
        ("存货", "236.15", "23615000000", "元"), ("存货", "235.33", "23533000000", "元")]


def test_a_rate_unit_in_a_unit_list_is_one_unit_and_columns_take_units_by_kind():
    """"单位：万平方米、元/平方米/月": two units, the second a rate (per 平方米 per 月); the area
    columns take the area, the rent column (money) the rate. And "万平方米、亿元" over investment
    columns first and an area column last: the money columns take 亿元 though it is listed last."""
    got = [(c.value, c.unit, c.kind) for c in claims_of(
        "图表6 截至2025年底公司主要已完工租赁资产情况（单位：万平方米、元/平方米/月）\n\n"
        "项目名称\t可出租面积\t已出租面积\t租金水平\n电子产业园\t9.87\t8.92\t17.00\n")]
    assert got == [("98700", "平方米", "other"), ("89200", "平方米", "other"), ("17", "元/平方米/月", "money")]
    got = [(c.value, c.unit) for c in claims_of(
        "图表7 截至2025年底公司在建自营项目情况（单位：万平方米、亿元）\n\n"
        "项目名称\t计划总投资\t已完成投资\t尚需投资\t建成后可出租面积\n光伏电池研发基地\t22.00\t16.23\t5.77\t14.20\n")]
    assert got == [("2200000000", "元"), ("1623000000", "元"), ("577000000", "元"), ("142000", "平方米")]


def test_telephone_numbers_with_a_country_code_are_no_claims():
    assert claims_of("联系电话：+86-10-67413300\n\n客服电话：+ 86-4008-84-4008传真：+86-10-67413555\n") == []
    assert [c.value for c in claims_of("增速在+5-6个百分点之间。\n")] == ["5"]


def test_sessions_counted_after_a_congress_are_ordinals():
    text = "按照市委十二届八次、九次全会和省委十一届九次、十次全会部署，全年召开会议3次。\n"
    assert [(c.surface, c.value, c.unit) for c in claims_of(text)] == [("3次", "3", "次")]


def test_a_list_items_number_of_two_digits_is_no_claim():
    text = "".join(f"{n}．加强管理，完善制度体系。\n\n" for n in ("９", "１０", "11")) + "10. 完成投资12.5亿元，增长10.2%。\n"
    assert [(c.surface, c.value) for c in claims_of(text)] == [("12.5亿元", "1250000000"), ("10.2%", "10.2")]


def test_rows_naming_multiples_and_quotients_do_not_take_the_tables_unit_of_amounts():
    """"EBITDA利息保障倍数" holds multiples (倍), "现金短期债务比" a quotient (no unit),
    "期间费用/营业收入" a share (the % of the unit list), whatever the 亿元 of the caption."""
    text = ("图表12 主要财务指标（单位：亿元、%）\n项目\t2024年\t2025年\n营业收入\t5.17\t5.19\n"
            "EBITDA利息保障倍数\t0.57\t0.49\n现金短期债务比\t0.04\t0.07\n期间费用/营业收入\t17.40\t14.67\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", text))
    cells = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert cells[("营业收入", "5.17")] == ("517000000", "元")
    assert cells[("EBITDA利息保障倍数", "0.57")] == ("0.57", "倍")
    assert cells[("现金短期债务比", "0.04")] == ("0.04", "")
    assert cells[("期间费用/营业收入", "17.40")] == ("17.4", "%")


@pytest.mark.parametrize("text, expected", [
    ("维持“23桐经开债/23桐经开”信用等级为AAA，剩余本金6.4亿元。", [("6.4亿元", "640000000", "元")]),
    ("电话：0755-8287 2897，传真：010-62299803，共3家。", [("3家", "3", "家")]),
    ("见图表11公司对外担保情况，担保余额38.72亿元。", [("38.72亿元", "3872000000", "元")]),
    ("推进国道108三期、国道230等公路建设，新建公路12公里。", [("12公里", "12", "公里")]),
    # a document's serial in 【】 and a table's number in brackets after its title
    ("中鹏信评【2025】跟踪第【1000】号01，发行规模5亿元。", [("5亿元", "500000000", "元")]),
    ("详见2024年全省国有资本经营收支决算总表（26），收入8亿元。", [("8亿元", "800000000", "元")]),
    # 陆, the formal six, inside a word
    ("及时登陆本公司网站查阅，陆续完成3项。", [("3项", "3", "项")]),
    # a credit code, a method's version
    ("根据企业信用报告（中征码：3507020000201455），共6笔。", [("6笔", "6", "笔")]),
    ("评级方法与模型（V4.1.202605），涉及6项。", [("6项", "6", "项")]),
])
def test_exchange_bond_names_phone_numbers_figure_numbers_and_roads_are_no_claims(text, expected):  # and serials
    doc = process_document(Document("x", "x.txt", "", "utf-8", text + "\n"))
    assert [(c.surface, c.value, c.unit) for c in doc.claims] == expected


def test_a_header_row_under_spanning_groups_names_the_columns_and_side_by_side_tables_keep_their_labels():
    """Budget tables set receipts and spending side by side under two groups ("一般公共预算收入 |
    … | 一般公共预算支出"), the column names in a second header row with years in them, each half
    with its own label column: 增长% is a rate, and the right half's rows are its own labels."""
    text = ("表十三\n2026年全市一般公共预算收支表\n单位：万元\n一般公共预算收入\t\t\t\t一般公共预算支出\t\t\t\n"
            "预算科目\t2025年完成数\t2026年预算数\t增长%\t预算科目\t2025年完成数\t2026年预算数\t增长%\n"
            "一、税收收入\t214,543\t222,483\t3.7\t一、一般公共服务支出\t101,261\t115,592\t14.2\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", text))
    got = [(c.subject, c.surface, c.value, c.unit, c.change) for c in doc.claims]
    assert ("税收收入", "3.7", "3.7", "%", "increase") in got, got
    assert ("一般公共服务支出", "115,592", "1155920000", "元", "") in got, got
    assert ("一般公共服务支出", "14.2", "14.2", "%", "increase") in got, got


def test_a_budget_subject_s_classification_level_is_no_unit():
    """"国有企业政策性补贴(款)": the bracket names the subject's level in the budget classification
    (类, 款, 项), not the unit of its figures, which the table's 单位：万元 states."""
    text = ("单位：万元\n项目\t预算数\t决算数\n国有企业政策性补贴(款)\t1,303\t4,000\n"
            "其他国有资本经营预算支出(项)\t213,411\t108,326\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", text))
    got = {c.surface: (c.value, c.unit) for c in doc.claims}
    assert got["1,303"] == ("13030000", "元"), got
    assert got["108,326"] == ("1083260000", "元"), got


def test_a_header_wrapped_onto_a_second_row_is_one_header():
    """"序 | 指标文件 | 指标 | 拨付" over "号 | | 金额 | 金额": the header's words wrapped onto a second
    line; 序号 is then the identifier column it is, and its numbers are no claims."""
    text = ("单位：万元\n序\t指标文件\t指标\t拨付\n号\t\t金额\t金额\n1\t关于下达2025年服务业发展引导资金的通知\t2,432\t2,432\n"
            "12\t关于下达2025年污染防治专项资金的通知\t4,100\t4,000\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", text))
    assert sorted(c.surface for c in doc.claims) == ["2,432", "2,432", "4,000", "4,100"]


@pytest.mark.parametrize("text, expected", [
    ("吉安市下辖2区10县1市。", [("2区", "2", "区"), ("10县", "10", "县"), ("1市", "1", "市")]),
    ("朔州市辖二区、三县。", [("二区", "2", "区"), ("三县", "3", "县")]),
    ("沪深两市交投活跃。", []),
    ("支持实施特岗教师计划、三区人才计划。", []),
])
def test_divisions_count_after_a_cue_or_beside_one_another(text, expected):
    """Counties, districts and cities counted without a measure word ("下辖2区10县1市") are counts;
    a number before 市 or 区 elsewhere names something ("沪深两市", "三区人才计划")."""
    doc = process_document(Document("x", "x.txt", "", "utf-8", text + "\n"))
    assert [(c.surface, c.value, c.unit) for c in doc.claims] == expected


def test_a_column_headed_with_when_something_happened_holds_dates():
    """"通车时间" over "2010.11", "2012.10" and a "--": when each road opened, no quantities; the
    column is no column of years in order, but its header ends in 时间."""
    text = ("单位：亿元\n路产名称\t通车时间\t收费里程（公里）\n武邵高速\t2010.11\t91.72\n宁武高速\t2012.10\t203.03\n"
            "松建高速\t--\t106.69\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", text))
    assert sorted(c.surface for c in doc.claims) == ["106.69", "203.03", "91.72"], [c.surface for c in doc.claims]


def test_a_caption_s_bracketed_unit_list_and_multiples_marked_x():
    """"表4:…构成情况（亿元、%）": a bracket listing units states them as "单位：亿元、%" would; a row
    label's "（X）" marks multiples (times); a row of years in order inside the body heads the
    next block of rows, its years no figures."""
    text = ("表4:2022~2024年公司营业收入构成情况（亿元、%）\n\n\t2023年\t\t2024年\t\n\t收入\t占比\t收入\t占比\n"
            "电力销售\t5.60\t31.74\t4.66\t13.08\n财务指标\t2022\t2023\t2024\t2025\n流动比率（X）\t1.38\t1.54\t1.90\t1.49\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", text))
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[("电力销售", "5.60")] == ("560000000", "元"), got
    assert got[("电力销售", "31.74")] == ("31.74", "%"), got
    assert got[("流动比率", "1.38")] == ("1.38", "倍"), got
    assert not any(c.surface in ("2022", "2025") for c in doc.claims), got


def test_a_change_column_against_a_year_in_chinese_digits_is_year_on_year():
    """Budget tables write their years in Chinese digits: "二○二五年执行数比二○二四年决算数增减%"
    compares with the year before, as "比2024年" does."""
    claims = claims_of("单位：万元\n\n支出项目\t二○二四年决算数\t二○二五年执行数\t二○二五年执行数比二○二四年决算数增减%\n"
                       "一般公共服务\t730043\t794993\t8.9\n", title="2025年报告\n\n某市财政局\n\n")
    assert [(c.surface, c.period, c.change, c.basis) for c in claims] == [
        ("730043", "2024", "", ""), ("794993", "2025", "", ""), ("8.9", "2025", "increase", "yoy")]


def test_a_row_labels_unit_is_its_last_bracket_that_names_one():
    """Rating reports qualify a balance-sheet item before its unit: "其他应收款（合计）（亿元）"
    is in 亿元 like "存货（亿元）"; a bracket that names no unit is passed over."""
    got = table_claims_of("项目\t2024年\t2025年\n存货（亿元）\t218.99\t210.67\n其他应收款（合计）（亿元）\t20.03\t28.17\n")
    assert [(s, v, u, subject) for s, v, _, u, _, _, _, subject in got] == [
        ("218.99", "21899000000", "元", "存货"), ("210.67", "21067000000", "元", "存货"),
        ("20.03", "2003000000", "元", "其他应收款"), ("28.17", "2817000000", "元", "其他应收款")]


def test_a_cell_listing_a_value_per_tranche_gives_a_claim_per_value_and_a_yearly_amount_is_no_year():
    """A bond table lists each tranche's term and rate in one cell ("30年、20年", "2.06%、2.07%"),
    and "年度付息金额" is the interest paid a year: an amount column, not a column of years."""
    got = table_claims_of("单位：万元\n\n项目名称\t专项债券合计\t期限\t发行利率\t年度付息金额\n"
                          "甲项目\t10,000.00\t30年、20年\t2.06%、2.07%\t0.00\n")
    assert [(s, v, u) for s, v, _, u, *_ in got] == [
        ("10,000.00", "100000000", "元"), ("30年", "30", "年"), ("20年", "20", "年"),
        ("2.06%", "2.06", "%"), ("2.07%", "2.07", "%"), ("0.00", "0", "元")]
    assert [(s, v) for s, v, *_ in table_claims_of("项目\t年度\t金额\n甲\t2023\t5\n")] == [("5", "5")]


def test_a_term_column_holds_years_and_money_heads_take_the_money_unit_of_a_list():
    """"债券期限" over bare whole numbers under "单位：亿元" holds terms in years, not 7亿元; under
    "（单位：立方米、元/立方米）" a column ending in 价, 费 or 税 is priced per cubic metre."""
    got = table_claims_of("单位：亿元\n\n项目名称\t债券期限\t债券利率\t债券发行额度\n甲\t7\t1.75%\t0.31\n乙\t15\t2.31%\t0.20\n")
    assert [(s, v, u) for s, v, _, u, *_ in got] == [
        ("7", "7", "年"), ("1.75%", "1.75", "%"), ("0.31", "31000000", "元"),
        ("15", "15", "年"), ("2.31%", "2.31", "%"), ("0.20", "20000000", "元")]
    got = table_claims_of("图表9 自来水价格（单位：立方米、元/立方米）\n\n用水性质\t每户每年用水量\t基本水价\t代收水资源税\t"
                          "代收污水处理费\t到户价\n居民用水\t240\t1.85\t0.09\t0.95\t3.09\n")
    assert [(s, u) for s, _, _, u, *_ in got] == [
        ("240", "立方米"), ("1.85", "元/立方米"), ("0.09", "元/立方米"), ("0.95", "元/立方米"), ("3.09", "元/立方米")]


def test_a_header_band_left_above_a_body_without_one_does_not_part_it_from_its_caption():
    """The header band of 图表5 at the foot of one page, read as lines of words, its body overleaf
    with no header: the caption's 亿元 above the band is the body's unit."""
    got = table_claims_of("图表5 截至2026年3月末公司在建基础设施项目（单位：亿元）\n\n项目名称\n\n预计总投资已投资金额\n\n"
                          "累计回款\n\n核算科目\n\n甲项目\t38.83\t38.05\t21.90\n乙项目\t48.89\t25.11\t6.12\n")
    assert [(s, v, u) for s, v, _, u, *_ in got][:2] == [("38.83", "3883000000", "元"), ("38.05", "3805000000", "元")]


def test_an_unheaded_column_of_nesting_classification_codes_is_no_figure_and_no_subject():
    """A budget table's first column without a header: the codes of the budget classification
    (类 201, 款 20101, 项 2010101), each longer code under a shorter one above it. They label
    the rows beside them; the row's subject is its name, never its code."""
    got = table_claims_of("单位：万元\n\n\t项目\t2025年预算数\t2026年预算数\n201\t一般公共服务\t31,319\t36,062\n"
                          "20101\t人大事务\t1,224\t1,367\n2010101\t行政运行\t869\t1,013\n"
                          "2010102\t一般行政管理事务\t28\t25\n")
    assert [(s, v, u, subject) for s, v, _vm, u, _k, _c, _p, subject in got] == [
        ("31,319", "313190000", "元", "一般公共服务"), ("36,062", "360620000", "元", "一般公共服务"),
        ("1,224", "12240000", "元", "人大事务"), ("1,367", "13670000", "元", "人大事务"),
        ("869", "8690000", "元", "行政运行"), ("1,013", "10130000", "元", "行政运行"),
        ("28", "280000", "元", "一般行政管理事务"), ("25", "250000", "元", "一般行政管理事务"),
    ]


def test_units_from_a_measure_column_a_multiple_head_in_a_unit_list_and_a_division_in_a_name():
    """A performance-target table writes each target's unit in a column "度量单位" beside it; a
    unit list "万元、倍" gives 倍 to the column headed "…倍数" and 万元 to those naming money
    (项目收益, 本息); "各县（区）" is part of a row's name, not a count of districts."""
    measured = table_claims_of("项目名称\t三级指标\t指标值\t度量单位\n航线开发补贴经费\t航班执飞数\t120\t班次\n"
                               "\t航线运营稳定率\t85\t%\n\t航线运行补贴成本\t780\t万元\n")
    assert [(s, v, u) for s, v, _vm, u, *_ in measured] == [("120", "120", "班次"), ("85", "85", "%"),
                                                            ("780", "7800000", "元")]
    listed = table_claims_of("单位：万元、倍\n\n项目名称\t项目收益\t应偿还债券本息\t项目收益覆盖应偿还债券本息总额倍数\n"
                             "轨道交通工程\t1,736,595.52\t1,529,440.00\t1.14\n")
    assert [(v, u) for _s, v, _vm, u, *_ in listed] == [("17365955200", "元"), ("15294400000", "元"), ("1.14", "倍")]
    named = table_claims_of("单位：万元\n\n项目\t预算数\n对各县（区）防火经费补助资金\t237\n")
    assert [(v, u, subject) for _s, v, _vm, u, _k, _c, _p, subject in named] == [
        ("2370000", "元", "对各县（区）防火经费补助资金")]


def test_columns_under_the_year_s_movements_hold_amounts_not_rates():
    """"当年增减变动情况" heads the year's repayments and new borrowing, each an amount in the
    table's 亿元: 增减 there names no growth rate and no change of a level."""
    got = table_claims_of("单位：亿元\n\n地区\t年初债务余额\t当年增减变动情况还本\t当年增减变动情况新增\t年底债务余额\n"
                          "固原市本级\t88.25\t10.50\t15.07\t92.82\n")
    assert [(v, u, k, c) for _s, v, _vm, u, k, c, _p, _subject in got] == [
        ("8825000000", "元", "money", ""), ("1050000000", "元", "money", ""),
        ("1507000000", "元", "money", ""), ("9282000000", "元", "money", "")]


def test_list_numbers_slogans_and_list_lengths_are_no_claims_and_units_after_a_bare_scale_count():
    got = [(c.surface, c.value, c.unit, c.qualifier) for c in claims_of(
        "（10）城乡社区特定目标类项目经费3,695万元，为市本级预算安排。\n\n"
        "社会消费品零售总额连续2年破万亿元，经营主体超万家。\n\n"
        "研发人员全时当量47.4万人年，建设筹集保障性住房4万套（间），建成12英寸产线。\n\n"
        "全面落实“一个尊重、五个统筹”要求，重点抓好以下十一个方面工作。\n")]
    assert got == [
        ("3,695万元", "36950000", "元", "exact"), ("2年", "2", "年", "exact"),
        ("万亿元", "1000000000000", "元", "at_least"), ("万家", "10000", "家", "at_least"),
        ("47.4万人年", "474000", "人年", "exact"), ("4万套（间）", "40000", "套（间）", "exact"),
        ("12英寸", "12", "英寸", "exact"),
    ]


def test_square_metres_by_their_sign_and_kilometres_in_latin_letters():
    got = [(c.surface, c.value, c.unit, c.kind) for c in claims_of(
        "项目新建校舍142.79万㎡，总建筑面积51007.2m²，新建道路20.43km。\n")]
    assert got == [("142.79万㎡", "1427900", "㎡", "other"), ("51007.2m²", "51007.2", "㎡", "other"),
                   ("20.43km", "20.43", "km", "length")]
