"""Claims against the contract's worked examples and the hand-made gold annotations."""

import dataclasses

import pytest

from pipeline.evaluate import load_gold, score
from pipeline.model import Document
from pipeline.process import process_document, process_file

from conftest import CORPUS, GOLD, ROOT, need


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
    assert s.f1 >= 0.97, s.misses + s.false_alarms
    for attr in ("kind", "qualifier", "change", "basis"):
        assert s.accuracy(attr) >= 0.95, attr
    assert s.accuracy("period") >= 0.90


def test_luoyang_bulletin_against_gold():
    doc = process_file(need(CORPUS / "zh-Hans_luoyang-2023-statistical-bulletin.txt"))
    s = _score(doc, GOLD / "luoyang-2023-statistical-bulletin.jsonl")
    assert s.f1 >= 0.95, s.misses + s.false_alarms
    assert s.accuracy("change") >= 0.95 and s.accuracy("basis") >= 0.95


def test_claim_ids_survive_edits_elsewhere(sample_text):
    base = process_document(Document("x", "x.txt", "", "utf-8", sample_text))
    edited_text = sample_text.replace("在突如其来的新冠肺炎疫情中", "\n\n新增的一段话，没有数字。\n\n在突如其来的新冠肺炎疫情中", 1)
    edited = process_document(Document("x", "x.txt", "", "utf-8", edited_text))
    assert [c.claim_id for c in base.claims] == [c.claim_id for c in edited.claims]
    assert [s.section_id for s in base.sections] == [s.section_id for s in edited.sections]
    assert [c.case_id for c in base.cases] == [c.case_id for c in edited.cases]


@pytest.mark.parametrize("source, gold, f1", [
    ("zh-Hans_chengdu-2021-statistical-bulletin.ocr.md", "chengdu-2021-statistical-bulletin.jsonl", 0.97),
    ("zh-Hans_state-council-2024-government-work-report.txt", "state-council-2024-government-work-report.jsonl", 0.95),
    ("zh-Hans_zhoukou-2023-statistical-bulletin.pdf", "zhoukou-2023-statistical-bulletin.pdf.jsonl", 0.99),
    ("zh-Hans_qiandongnan-2023-statistical-bulletin.pdf", "qiandongnan-2023-statistical-bulletin.pdf.jsonl", 0.99),
    ("tests/data/heldout/nbs-2024-statistical-bulletin-excerpt.txt", "nbs-2024-statistical-bulletin-excerpt.jsonl", 0.97),
])
def test_other_reports_against_gold(source, gold, f1):
    path = CORPUS / source if not source.startswith("tests/") else ROOT / source
    s = _score(process_file(need(path)), GOLD / gold)
    assert s.f1 >= f1, s.misses + s.false_alarms


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
