"""Structure: headings scored against hand-made heading annotations, and the rules behind them."""

import json
import subprocess
import sys

import pytest
from conftest import CORPUS, GOLD, ROOT, need

from pipeline.errors import GoldFileError
from pipeline.evaluate import (
    document_sections,
    is_headings_gold,
    load_heading_gold,
    score_headings,
)
from pipeline.model import Document
from pipeline.process import process_document, process_file

HEADING_F1 = 0.95  # the bar every annotated report's headings must clear


def doc_of(text: str) -> Document:
    return process_document(Document("x", "x.txt", "", "utf-8", text))


def sections_of(text: str) -> list[tuple[str, str, str]]:
    return [(s.level, s.number, s.title) for s in doc_of(text).sections]


# --- scoring ------------------------------------------------------------------------------------

def _gold(line, level, number, title, required=True, page=None):
    return {"line": line, "page": page, "level": level, "number": number, "title": title, "required": required}


def _pred(line, level, number, title, page=None):
    return {"line": line, "page": page, "level": level, "number": number, "title": title}


def test_headings_match_by_number_title_and_place():
    gold = [_gold(5, "section", "一", "综合"), _gold(9, "subsection", "一", "农 业"), _gold(20, "section", "二", "工业"),
            _gold(30, "section", "", "附注", required=False)]
    preds = [_pred(5, "section", "一", "综合"),      # exact
             _pred(10, "section", "一", "农业"),      # a line off, white space aside, level wrong
             _pred(60, "section", "二", "工业"),      # same heading far from its line: not a match
             _pred(30, "section", "", "附注"),        # a borderline heading: neither way
             _pred(40, "subsection", "三", "表格一行")]  # a false alarm
    s = score_headings(gold, preds)
    assert (s.tp, s.fn, s.fp) == (2, 1, 2)
    assert s.level_accuracy == 0.5 and s.level_errors[0]["gold"] == "subsection"
    assert [m["title"] for m in s.misses] == ["工业"]
    assert sorted(f["title"] for f in s.false_alarms) == ["工业", "表格一行"]
    assert round(s.f1, 4) == round(2 * (2 / 4) * (2 / 3) / (2 / 4 + 2 / 3), 4)


def test_pdf_headings_match_on_the_same_page_and_traditional_titles_fold():
    gold = [_gold(None, "section", "貳", "社會篇", page=3), _gold(None, "section", "三", "工业", page=4)]
    preds = [_pred(400, "section", "贰", "社会篇", page=3), _pred(500, "section", "三", "工业", page=5)]
    s = score_headings(gold, preds)
    assert (s.tp, s.fn, s.fp) == (1, 1, 1)


def test_a_number_that_differs_is_another_heading():
    s = score_headings([_gold(3, "section", "一", "综合")], [_pred(3, "section", "二", "综合")])
    assert (s.tp, s.fn, s.fp) == (0, 1, 1)


def test_heading_gold_files_are_checked(tmp_path):
    bad = tmp_path / "x.headings.jsonl"
    bad.write_text('{"line": 3, "level": "chapter", "number": "一", "title": "综合"}\n', encoding="utf-8")
    with pytest.raises(GoldFileError, match=r"x.headings.jsonl:1: level 'chapter'"):
        load_heading_gold(bad)
    bad.write_text('{"level": "section", "number": "一", "title": "综合"}\n', encoding="utf-8")
    with pytest.raises(GoldFileError, match="needs a line"):
        load_heading_gold(bad)
    assert is_headings_gold(bad) and not is_headings_gold(GOLD / "luoyang-2023-statistical-bulletin.jsonl")


def test_eval_command_scores_headings_of_an_extraction(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "city.txt").write_text(
        "某市2023年统计公报\n\n某市统计局\n\n2024年4月30日\n\n一、综合\n\n全年生产总值5481.6亿元，比上年增长5.2%。\n\n"
        "（一）农业\n\n粮食产量300万吨。\n\n二、工业\n\n工业增加值增长6%。\n", encoding="utf-8")
    gold = tmp_path / "city.headings.jsonl"
    rows = [_gold(7, "section", "一", "综合"), _gold(11, "subsection", "一", "农业"), _gold(15, "section", "二", "工业"),
            _gold(17, "section", "三", "服务业")]
    gold.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    exe = [sys.executable, "-m", "pipeline.cli"]
    r = subprocess.run([*exe, "run", str(raw), "--out", str(out), "--runner", "inline", "--no-isolation"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*exe, "eval", str(gold), str(out / "city")], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "headings: precision 1.000  recall 0.750" in r.stdout
    assert "line 17: section 三 服务业" in r.stdout
    r = subprocess.run([*exe, "eval", str(gold), str(out / "city"), "--json"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert json.loads(r.stdout)["level_accuracy"] == 1.0


# --- every annotated report ----------------------------------------------------------------------

GBK = CORPUS / "gbk"
DEV = ROOT / "tests" / "data" / "corpus"
HEADING_GOLD = [
    (ROOT / "raw" / "wechat-employment-2019-2020.txt", "wechat-employment-2019-2020"),
    (CORPUS / "zh-Hans_luoyang-2023-statistical-bulletin.txt", "luoyang-2023-statistical-bulletin"),
    (CORPUS / "zh-Hans_state-council-2024-government-work-report.txt", "state-council-2024-government-work-report"),
    (CORPUS / "zh-Hans_chengdu-2021-statistical-bulletin.ocr.md", "chengdu-2021-statistical-bulletin"),
    (CORPUS / "zh-Hant_taipei-neihu-urban-plan-ch3-1-socioeconomic.md", "taipei-neihu-urban-plan-ch3-1-socioeconomic"),
    (GBK / "zh-Hans_agri-census-1997-bulletin-1_gbk.txt", "agri-census-1997-bulletin-1"),
    (GBK / "zh-Hans_agri-census-1997-bulletin-2_gbk.txt", "agri-census-1997-bulletin-2"),
    (GBK / "zh-Hans_key-state-enterprises-analysis_gbk.txt", "key-state-enterprises-analysis"),
    (GBK / "zh-Hans_taiwan-economy-1999-review_gbk.txt", "taiwan-economy-1999-review"),
    (ROOT / "tests/data/heldout/nbs-2024-statistical-bulletin-excerpt.txt", "nbs-2024-statistical-bulletin-excerpt"),
    (CORPUS / "zh-Hans_zhoukou-2023-statistical-bulletin.pdf", "zhoukou-2023-statistical-bulletin.pdf"),
    (CORPUS / "zh-Hans_qiandongnan-2023-statistical-bulletin.pdf", "qiandongnan-2023-statistical-bulletin.pdf"),
    # development reports of tests/data/corpus, annotated by others
    (DEV / "zh-Hans_hebei-2002-government-work-report.txt", "zh-Hans_hebei-2002-government-work-report"),
    (DEV / "zh-Hant_executive-yuan-2025-oral-policy-report.pdf", "zh-Hant_executive-yuan-2025-oral-policy-report"),
]


@pytest.mark.parametrize("source, stem", HEADING_GOLD, ids=[s for _, s in HEADING_GOLD])
def test_headings_against_gold(source, stem):
    gold = load_heading_gold(GOLD / f"{stem}.headings.jsonl")
    assert sum(g["required"] for g in gold) >= 2  # an annotation, not an empty file
    s = score_headings(gold, document_sections(process_file(need(source))))
    assert s.f1 >= HEADING_F1, (s.f1, s.misses, s.false_alarms)


# --- clipping metadata ---------------------------------------------------------------------------

CLIPPING = (
    "【 文献号 】3-21\n【原文出处】某省日报\n【原刊地名】某市\n【原刊期号】19990315\n【分 类 号】F104\n"
    "【 标  题 】某省一九九八年国民经济和社会发展统计公报\n    （第二号）\n【 作  者 】某省统计局\n【 正  文 】\n"
    "    全省经济继续保持增长，全年生产总值比上年增长8.3％。\n"
    "            一、农业\n"
    "    全年粮食产量2510万吨，比上年增长3.1％。\n"
    "【责任编辑】张某\n"
)


def test_clipping_metadata_is_the_title_page_and_never_a_heading():
    doc = doc_of(CLIPPING)
    tp = doc.title_page
    assert (tp.title, tp.subtitle, tp.organisation) == ("某省一九九八年国民经济和社会发展统计公报", "（第二号）", "某省统计局")
    assert tp.date == "19990315" and tp.year == 1999
    kinds = [b.kind for b in doc.blocks]
    assert kinds[:9] == ["metadata"] * 9 and kinds[-1] == "metadata"
    assert [(s.level, s.number, s.title) for s in doc.sections] == [("section", "一", "农业")]


def test_clipping_without_author_takes_its_source_as_organisation_and_a_stated_date():
    doc = doc_of("【原文出处】某某日报\n【原刊日期】1997年12月31日\n【标题】某县农村经济调查\n【正文】\n"
                 "    全县农民人均纯收入比上年增长5.6％，达到1850元。\n")
    tp = doc.title_page
    assert (tp.title, tp.organisation, tp.date, tp.year) == ("某县农村经济调查", "某某日报", "1997年12月31日", 1997)
    assert [b.kind for b in doc.blocks] == ["metadata"] * 4 + ["paragraph"]


# --- tables aligned with spaces ------------------------------------------------------------------

SPACED_TABLE = (
    "某市2023年统计公报\n\n某市统计局\n\n2024年4月30日\n\n二、农业\n\n全年主要畜产品产量如下。\n\n"
    "表1  主要畜产品产量\n"
    "指标名称        单位      数量      比上年增长%\n"
    "猪出栏          万头      152.3        -12.4\n"
    "牛  出  栏      万头       20.1          3.5\n"
    "手机\u3000\u3000\u3000\u3000万部\u3000\u3000\u300088.6\u3000\u3000\u3000\u300015.0\n"
    "\n全年肉类总产量增长。\n"
)


def test_a_table_aligned_with_spaces_is_a_table_with_cells():
    doc = doc_of(SPACED_TABLE)
    (table,) = [b for b in doc.blocks if b.kind == "table"]
    assert table.cells == (("指标名称", "单位", "数量", "比上年增长%"), ("猪出栏", "万头", "152.3", "-12.4"),
                           ("牛出栏", "万头", "20.1", "3.5"), ("手机", "万部", "88.6", "15.0"))
    cells = [c for c in doc.table_cells if c.table_id == table.block_id]
    assert [c.is_header for c in cells if c.col == 0] == [True, False, False, False]
    for c in cells:
        raw = doc.raw[c.raw_start:c.raw_end]
        assert "".join(raw.split()) == c.text
    assert [(s.level, s.number, s.title) for s in doc.sections] == [("section", "二", "农业")]


def test_claims_of_a_spaced_table_take_unit_and_change_from_its_columns():
    doc = doc_of(SPACED_TABLE)
    got = {c.surface: c for c in doc.claims if c.line in (13, 14, 15)}
    assert (got["152.3"].value, got["152.3"].unit, got["152.3"].change) == ("1523000", "头", "")
    assert (got["88.6"].value, got["88.6"].unit) == ("886000", "部")
    assert got["-12.4"].unit == "%" and got["-12.4"].change  # a growth column


def test_header_cells_sit_under_the_columns_of_the_numbers():
    doc = doc_of("说明文字。\n"
                 "              数    量        平均每个单位\n"
                 "从业人员(人)     9750902           27.36\n"
                 "耕地面积(公顷)   6470438           18.15\n")
    (table,) = [b for b in doc.blocks if b.kind == "table"]
    assert table.cells[0] == ("", "数量", "平均每个单位")
    assert table.cells[2] == ("耕地面积(公顷)", "6470438", "18.15")


def test_spaced_columns_in_running_text_are_no_table():
    doc = doc_of("某报告\n\n甲方  乙方  丙方\n\n这是一段正文，没有数字，也不是表格。\n")
    assert not [b for b in doc.blocks if b.kind == "table"]


# --- run-in headings, and a section with its first subsection on one line ------------------------

def test_run_in_subsection_heading_and_its_paragraph():
    doc = doc_of("政府工作报告\n\n三、2024年政府工作任务\n\n"
                 "（一）大力推进现代化产业体系建设，加快发展新质生产力。充分发挥创新主导作用，以科技创新推动产业创新。\n\n"
                 "一是加大宏观调控力度。二是依靠创新引领产业升级。\n\n"
                 "（二）深入实施科教兴国战略。坚持教育强国、科技强国、人才强国建设一体统筹推进。\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "三", "2024年政府工作任务"),
        ("subsection", "一", "大力推进现代化产业体系建设，加快发展新质生产力"),
        ("subsection", "二", "深入实施科教兴国战略")]
    heading = next(b for b in doc.blocks if b.text.startswith("（一）"))
    assert heading.kind == "subsection_heading" and heading.text.endswith("新质生产力。")
    body = doc.blocks[doc.blocks.index(heading) + 1]
    assert body.kind == "paragraph" and body.text.startswith("充分发挥") and body.line == heading.line
    assert doc.raw[body.raw_start:body.raw_end] == body.text


def test_a_list_of_numbered_sentences_is_no_run_in_heading():
    doc = doc_of("某报告\n\n一、综合\n\n（一）按时缴纳各项费用。\n\n（二）遵守各项管理规定。\n\n（三）及时报送统计数据。\n\n"
                 "全年生产总值增长5%，各项指标完成良好。\n")
    assert [(s.level, s.title) for s in doc.sections] == [("section", "综合")]


def test_a_numbered_heading_sentence_on_its_own_line_before_its_paragraph():
    doc = doc_of("某区预算报告\n\n一、2023年财政预算执行情况\n\n（一）一般公共预算收支情况。\n\n"
                 "全区一般公共预算收入3083.4亿元，为预算的108.2%，增长9.2%。\n\n2023年全区一般公共预算总收支情况\n\n"
                 "自治区本级一般公共预算收入966.6亿元，增长11.3%。\n\n（二）政府性基金预算收支情况。\n\n全区政府性基金预算收入478.3亿元。\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "一", "2023年财政预算执行情况"), ("subsection", "一", "一般公共预算收支情况"),
        ("subsection", "二", "政府性基金预算收支情况")]


def test_run_in_headings_ending_in_a_colon_or_joining_clauses_with_a_semicolon():
    """"（一）标题：正文……" is a run-in heading like "（一）标题。正文……"; its title may be as long as a
    numbered heading and may join two clauses with a semicolon. A "（四）标题：" line alone before
    its numbered items is a heading too; the items stay below the tree."""
    doc = doc_of("某院预算覆议报告\n\n一、岁出删减总数有争议，有违权力分立原则\n\n"
                 "（一）删减总数未宣读，审查后岁出总数有争议：往年总预算案三读内容，均包含总删减数及审查后岁出总额。\n\n"
                 "（二）一般事务费通删10%，为往年的2倍至3倍，且未考虑各机关实际业务差异及办理必要性，影响机关基本业务运作："
                 "一般事务费主要是机关基本业务运作所需的经费。\n\n"
                 "（三）部分通删项目设有不得流用之限制；且指定删减项目未授权科目自行调整︰这将造成预算执行失去弹性，影响业务推动。\n\n"
                 "（四）删减集中特定项目，弱化与民众权益信息之传达：\n\n"
                 "1、大陆地区旅费统删80%：严重影响两岸交流与各项业务之推动，也使执行失去弹性。\n\n"
                 "2、特别费统删60%：将影响对基层员工奖赏与慰劳，不利员工士气与业务推展。\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "一", "岁出删减总数有争议，有违权力分立原则"),
        ("subsection", "一", "删减总数未宣读，审查后岁出总数有争议"),
        ("subsection", "二", "一般事务费通删10%，为往年的2倍至3倍，且未考虑各机关实际业务差异及办理必要性，影响机关基本业务运作"),
        ("subsection", "三", "部分通删项目设有不得流用之限制；且指定删减项目未授权科目自行调整"),
        ("subsection", "四", "删减集中特定项目，弱化与民众权益信息之传达")]
    body = next(b for b in doc.blocks if b.text.startswith("往年"))
    assert body.kind == "paragraph" and doc.raw[body.raw_start:body.raw_end] == body.text


def test_a_heading_that_fills_its_numbering_sequence_may_join_clauses_with_a_semicolon():
    """"三、……；……" between the sections 二、 and 四、 is the third section, and stays apart from the
    paragraph under it; the same line without both neighbours, or ending in a semicolon (a list
    item), is none."""
    body = "\n\n大院对于预算之冻结，参照司法院解释意旨，也同样不应影响法定机关之正常运作，以下举例说明。\n\n"
    third = "三、预算冻结金额比前3年平均增加9倍，解冻条件难以达成；部分主决议内容亦有窒碍难行"
    doc = doc_of("某院报告" + body + "一、岁出删减总数有争议" + body + "二、预算删减幅度创历史新高" + body + third + body
                 + "四、删除拨补台电1000亿元，敬请再次审议" + body)
    assert [(s.number, s.title) for s in doc.sections] == [
        ("一", "岁出删减总数有争议"), ("二", "预算删减幅度创历史新高"),
        ("三", "预算冻结金额比前3年平均增加9倍，解冻条件难以达成；部分主决议内容亦有窒碍难行"),
        ("四", "删除拨补台电1000亿元，敬请再次审议")]
    assert [s[1] for s in sections_of("某院报告" + body + "一、岁出删减总数有争议" + body + "二、预算删减幅度创历史新高"
                                      + body + third + body)] == ["一", "二"]
    assert [s[1] for s in sections_of("某院报告" + body + "一、岁出删减总数有争议" + body + "二、预算删减幅度创历史新高"
                                      + body + third + "；" + body + "四、删除拨补台电1000亿元" + body)] == ["一", "二", "四"]


def test_an_unnumbered_heading_after_the_reports_dateline():
    """A research note's title block ends with its date alone on a line; the short line after it,
    before a body paragraph, is a heading. A year alone (a chart's axis label) is no such line."""
    body = "\n\n公告：公司发布2023年年报，全年实现营业收入45.2亿元，同比增长12.3%，归母净利润增长31.6%。\n"
    head = "某公司点评报告\n\n汽车基本盘稳固\n\n增持\n\n"
    assert sections_of(head + "2024年03月01日\n\n投资要点" + body) == [("section", "", "投资要点")]
    assert sections_of(head + "2024年\n\n投资要点" + body) == []


def test_section_title_with_its_first_subsection_on_one_line():
    doc = doc_of("某市统计公报\n\n某市统计局\n\n2024年3月1日\n\n二、农业（一）种植业\n\n全年粮食产量300万吨。\n\n"
                 "（二）畜牧业\n\n肉类产量20万吨。\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "二", "农业"), ("subsection", "一", "种植业"), ("subsection", "二", "畜牧业")]
    by_id = {s.section_id: s for s in doc.sections}
    assert by_id[doc.sections[1].parent_id].title == "农业"


# --- headings only on evidence -------------------------------------------------------------------

def test_short_lines_alone_are_not_headings():
    doc = doc_of("某报告\n\n一、综合\n\n城市\n\n农村\n\n合计\n\n全年居民消费价格比上年上涨0.2%。\n")
    assert [(s.level, s.title) for s in doc.sections] == [("section", "综合")]


def test_a_charts_legend_and_spaced_letters_before_a_paragraph_are_not_headings():
    body = "注释：统计口径为规模以上企业，历史数据已按最新掌握的情况修正，部分数据经四舍五入，分项之和与合计略有出入。"
    for line in ("增加值增速（%）", "营业收入（亿元）", "A P P"):
        doc = doc_of(f"某报告\n\n市场规模继续扩大，企业经营状况总体向好。\n\n{line}\n\n{body}\n")
        assert doc.sections == (), line
    doc = doc_of(f"某报告\n\n市场规模继续扩大，企业经营状况总体向好。\n\n市场规模（续）\n\n{body}\n")
    assert [s.title for s in doc.sections] == ["市场规模（续）"]


def test_a_topic_with_a_statement_of_clauses_after_its_colon_opens_a_summary_paragraph():
    body = "全年新能源汽车销量达到120万辆，比上年增长35.2%，渗透率继续提高，充电设施建设明显加快。"
    doc = doc_of(f"某报告\n\n摘要\n\n新能源汽车：销量快速增长，渗透率继续提高\n{body}\n\n"
                 f"发展展望：市场空间广阔\n{body}\n")
    assert [s.title for s in doc.sections] == ["摘要", "发展展望：市场空间广阔"]


def test_a_slide_title_with_its_lead_line_before_the_body_is_one_heading():
    body = "2022年全国快递业务量完成1105.8亿件，同比增长2.1%，业务收入完成10566.7亿元，同比增长2.3%，行业规模稳步扩大。"
    doc = doc_of("某行业数据报告\n\n某研究院\n\n2023年3月\n\n"
                 f"快递业务规模\n\n业务量增速放缓，收入保持增长\n\n{body}\n\n"
                 f"快递市场格局\n\n头部企业份额继续提高，第二梯队企业在细分\n\n领域发力\n\n{body}\n")
    assert [s.title for s in doc.sections] == ["快递业务规模", "快递市场格局"]
    # a run of short labels is no title with a lead
    assert doc_of(f"某报告\n\n一、综合\n\n城市\n\n农村\n\n合计\n\n{body}\n").sections[1:] == ()


def test_the_kth_chapter_divider_of_a_slide_deck_opens_the_kth_chapter():
    chapters = ["中国快递行业发展概况", "快递细分市场发展分析", "快递行业发展趋势展望"]
    topics = ["快递业务规模", "同城快递市场", "智能快递设施"]
    leads = ["业务量增速放缓，收入保持较快增长", "同城业务占比下降，时效持续提升", "智能快递柜覆盖面扩大，使用率提高"]
    body = "2022年全国快递业务量完成1105.8亿件，同比增长2.1%，业务收入完成10566.7亿元，同比增长2.3%，行业规模稳步扩大。"
    raw = "某行业数据报告\n\n某研究院\n\n2023年3月\n\n"
    for k in range(3):
        raw += f"{chapters[0]}\n\n" + ("• 业务规模\n\n• 市场格局\n\n" if k == 0 else "")
        raw += "".join(f"{c}\n\n" for c in chapters[1:])
        raw += f"{topics[k]}\n\n{leads[k]}\n\n{body}\n\n"
    doc = doc_of(raw)
    got = [(s.level, s.title, s.line) for s in doc.sections]
    assert [g[:2] for g in got] == [("section", chapters[0]), ("subsection", topics[0]),
                                    ("section", chapters[1]), ("subsection", topics[1]),
                                    ("section", chapters[2]), ("subsection", topics[2])]
    # each chapter opens at its own divider: the second chapter's title line in the second divider
    second = raw.split("\n").index(chapters[1], raw.split("\n").index(topics[0])) + 1
    assert got[2][2] == second


def test_the_stages_of_a_plan_are_numbered_in_their_headings():
    body = "近期以控制车辆总量为主，每年新增车辆配额设定为11万辆，同时提高中心城区停车收费标准。"
    doc = doc_of(f"某市交通研究\n\n## 政策建议\n\n{body}\n\n### 阶段1：总量控制+停车管理\n\n{body}\n\n"
                 f"### 第二阶段：经济手段\n\n{body}\n")
    assert [(s.number, s.title) for s in doc.sections][1:] == [("1", "总量控制+停车管理"), ("二", "经济手段")]


def test_unnumbered_headings_the_contents_does_not_list_are_subsections():
    body = "全市机动车保有量达到304万辆，比上年增长12.5%，其中私人小汽车占比超过八成，增长速度明显快于道路里程。"
    doc = doc_of("某市交通研究\n\n## 目录\n\n现状 ... 2\n\n政策建议 ... 8\n\n参考资料 ... 12\n\n"
                 f"## 现状\n\n{body}\n\n## 私家车使用的激增\n\n{body}\n\n## 政策建议\n\n{body}\n\n"
                 f"## 参考资料\n\n{body}\n")
    got = [(s.level, s.title) for s in doc.sections]
    assert got[1:] == [("section", "现状"), ("subsection", "私家车使用的激增"), ("section", "政策建议"),
                       ("section", "参考资料")]


def test_an_unnumbered_heading_before_its_paragraph_and_a_table_title_before_its_table():
    doc = doc_of("    全年经济保持增长，各项指标好于预期，结构继续优化，效益明显提高。\n"
                 "            经济增长势头强劲\n"
                 "    全年实现工业总产值16095.6亿元，增长12.9％，增速比上年提高1.6个百分点。\n"
                 "            重点企业销售收入前3名\n"
                 "名次        企业名称                销售收入(万元)\n"
                 "1           甲集团公司                35012970\n"
                 "2           乙集团公司                34677600\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [("section", "", "经济增长势头强劲")]
    assert next(b.kind for b in doc.blocks if b.text == "重点企业销售收入前3名") == "figure_caption"


# --- chapters and ordinal parts ------------------------------------------------------------------

def test_chapters_are_sections_and_their_numbered_headings_subsections():
    doc = doc_of("某省数字经济发展白皮书\n\n某省经济研究院\n\n2023年6月\n\n"
                 "第一部分 总论\n\n第一章 发展现状\n\n全省数字经济规模达到2.1万亿元，比上年增长12.3%。\n\n"
                 "一、产业规模\n\n核心产业增加值4200亿元。\n\n（一）电子信息制造业\n\n营业收入增长8.5%。\n\n"
                 "第二章\n\n主要问题\n\n区域发展不平衡，中小企业数字化水平较低。\n\n"
                 "第二部分 展望\n\n第三章 发展目标\n\n到2025年，数字经济规模超过3万亿元。\n")
    got = [(s.level, s.number, s.title) for s in doc.sections]
    assert got == [("part", "一", "总论"), ("section", "一", "发展现状"), ("subsection", "一", "产业规模"),
                   ("section", "二", "主要问题"), ("part", "二", "展望"), ("section", "三", "发展目标")]
    by_id = {s.section_id: s for s in doc.sections}
    assert [by_id[s.parent_id].title if s.parent_id else None for s in doc.sections] == [
        None, "总论", "发展现状", "总论", None, "展望"]
    assert doc.title_page.title == "某省数字经济发展白皮书" and doc.title_page.organisation == "某省经济研究院"


def test_upper_numeral_sections_push_the_other_numbering_down():
    doc = doc_of("臺北市某區計畫書\n\n臺北市政府\n\n2013年1月\n\n壹、計畫緣起\n\n本計畫依都市計畫法辦理，計畫面積為120公頃。\n\n"
                 "一、計畫範圍\n\n計畫範圍包括內湖區全部。\n\n（一）人口\n\n人口數為280025人。\n\n貳、現況分析\n\n區內人口持續增加。\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "壹", "计划缘起"), ("subsection", "一", "计划范围"), ("section", "贰", "现况分析")]
    assert next(b.kind for b in doc.blocks if b.text.startswith("（一）")) == "paragraph"


def test_sections_of_a_chapter():
    doc = doc_of("某行业年鉴\n\n第三章 工业\n\n第一节 主要产品\n\n钢材产量1520万吨，比上年增长3.5%。\n\n"
                 "第二节 能源消费\n\n规模以上工业综合能源消费量下降1.2%。\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "三", "工业"), ("subsection", "一", "主要产品"), ("subsection", "二", "能源消费")]


def test_a_bracketed_label_in_a_report_is_no_catalogue_record():
    doc = doc_of("【专栏】数字乡村建设\n\n全省建成益农信息社1.2万个，覆盖全部行政村。\n\n一、综合\n\n"
                 "【案例】某县电商\n\n全县网络零售额增长20%。\n")
    assert "metadata" not in {b.kind for b in doc.blocks}
    assert [(s.level, s.title) for s in doc.sections] == [("section", "综合")]


def test_a_catalogue_record_without_a_body_label_ends_at_its_last_label():
    doc = doc_of("【标题】某县统计公报\n【作者】某县统计局\n一、综合\n全县生产总值增长6.5%，达到120亿元。\n")
    assert [b.kind for b in doc.blocks][:2] == ["metadata", "metadata"]
    assert doc.title_page.organisation == "某县统计局"
    assert [(s.level, s.number, s.title) for s in doc.sections] == [("section", "一", "综合")]


def test_a_markdown_heading_mark_is_evidence_enough():
    doc = doc_of("# 某区发展概况\n\n## 人口\n\n| 年份 | 人口 |\n\n## 产业\n\n全区生产总值增长5%。\n")
    assert [(s.level, s.title) for s in doc.sections] == [("section", "人口"), ("section", "产业")]


def test_decimal_numbering_of_a_research_note():
    doc = doc_of("某行业深度研究报告\n\n某证券研究所\n\n2023年5月\n\n1. 行业概况\n\n行业规模持续扩大，集中度提升。\n\n"
                 "1.1 市场规模\n\n2022年市场规模达到1200亿元，同比增长15.2%。\n\n1.2 竞争格局\n\n前五家企业份额合计为62%。\n\n"
                 "2. 投资建议\n\n维持行业推荐评级。\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "1", "行业概况"), ("subsection", "1.1", "市场规模"), ("subsection", "1.2", "竞争格局"),
        ("section", "2", "投资建议")]


def test_numbered_list_items_of_a_bulletin_stay_list_items():
    doc = doc_of("某市统计公报\n\n一、综合\n\n全年生产总值增长5%。\n\n注释：\n\n1.本公报数据为初步统计数。\n\n"
                 "2.部分数据因四舍五入的原因，存在总计与分项合计不等的情况。\n")
    assert [(s.level, s.title) for s in doc.sections] == [("section", "综合")]
    assert [b.kind for b in doc.blocks if b.text.startswith(("1.", "2."))] == ["list_item", "list_item"]


def test_a_double_spaced_table_with_a_label_row_is_one_table():
    doc = doc_of("说明文字。\n\n"
                 "指标名称        单位      数量      比上年增长%\n\n"
                 "粮食总产量      万吨     1523.0        -2.1\n\n"
                 "其中：\n"
                 "  小麦          万吨      612.5         3.4\n\n"
                 "  玉米          万吨      480.2        -6.0\n\n"
                 "全年肉类总产量增长。\n")
    (table,) = [b for b in doc.blocks if b.kind == "table"]
    assert table.cells == (("指标名称", "单位", "数量", "比上年增长%"), ("粮食总产量", "万吨", "1523.0", "-2.1"),
                           ("其中：", ""), ("小麦", "万吨", "612.5", "3.4"), ("玉米", "万吨", "480.2", "-6.0"))
    cells = [c for c in doc.table_cells if c.table_id == table.block_id]
    assert all(doc.raw[c.raw_start:c.raw_end] == c.text for c in cells if c.text)


def test_arabic_run_in_headings_in_a_report_that_has_several():
    body = "全省完成国内生产总值5578亿元，增长8.7%，全部财政收入448.7亿元，增长12.1%，各项指标好于预期，经济运行质量明显提高。"
    doc = doc_of(f"政府工作报告\n\n一、2001年工作的回顾\n\n1、国民经济稳步增长。{body}\n\n2、结构调整步伐加快。以发展龙型经济为切入点，取得了明显成效。\n\n"
                 f"二、2002年的主要任务\n\n1、保持经济较快增长。{body}\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "一", "2001年工作的回顾"), ("subsection", "1", "国民经济稳步增长"), ("subsection", "2", "结构调整步伐加快"),
        ("section", "二", "2002年的主要任务"), ("subsection", "1", "保持经济较快增长")]


def test_numbered_notes_are_no_run_in_headings():
    doc = doc_of("某市统计公报\n\n一、综合\n\n全年生产总值增长5%。\n\n1、本公报数据为初步统计数。部分数据因四舍五入的原因，存在总计与分项合计不等的情况。\n\n"
                 "2、地区生产总值按当年价格计算。增长速度按可比价格计算。\n")
    assert [(s.level, s.title) for s in doc.sections] == [("section", "综合")]


def test_words_cut_out_of_a_sentence_are_no_headings():
    doc = doc_of("某省政府工作报告\n\n一、综合\n\n优化投融资环境，拓宽投融资渠道，加强金融证券工作，加强审计和财政监督，严格\n\n项目稽察\n\n"
                 "，确保资金合理使用和工程质量提高。\n\n5、政治安定，社会稳定。民主\n\n法制\n\n建设进一步加强。\n")
    assert [(s.level, s.title) for s in doc.sections] == [("section", "综合")]


def test_a_heading_with_the_first_heading_below_it_on_one_line():
    doc = doc_of("施政報告\n\n貳、為下一階段的臺灣做好準備一、為青年擴大社會照顧\n\n政府將推動青年住宅方案，興建社會住宅10萬戶。\n\n"
                 "二、打造安全韌性臺灣\n\n強化防災體系建設。\n\n參、結語\n\n感謝各位委員。\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "贰", "为下一阶段的台湾做好准备"), ("subsection", "一", "为青年扩大社会照顾"),
        ("subsection", "二", "打造安全韧性台湾"), ("section", "叁", "结语")]


def test_a_saved_pages_record_with_colon_labels_is_metadata():
    doc = doc_of("标题：某县2017年政府工作报告\n发文单位：某县人民政府\n发文时间：2017-02-23\n报告人：某县县长\n"
                 "来源URL：https://example.gov.cn/info\n\n正文：\n\n各位代表：\n\n一、过去五年主要工作\n\n全县生产总值年均增长8%。\n")
    tp = doc.title_page
    assert (tp.title, tp.organisation, tp.date, tp.year) == ("某县2017年政府工作报告", "某县人民政府", "2017-02-23", 2017)
    assert [b.kind for b in doc.blocks][:6] == ["metadata"] * 6
    assert [(s.level, s.title) for s in doc.sections] == [("section", "过去五年主要工作")]


def test_a_report_opening_with_a_note_label_has_no_record():
    doc = doc_of("说明：本报告数据为初步统计数。\n\n某市统计公报\n\n一、综合\n\n全年生产总值增长5%。\n")
    assert "metadata" not in {b.kind for b in doc.blocks}


def test_a_subsection_with_its_first_numbered_item_on_one_line():
    doc = doc_of("关于2023年预算执行情况的报告\n\n一、2023年预算执行情况\n\n"
                 "（一）全省及省级预算执行情况1. 一般公共预算完成情况。全省收入4286.1亿元，增长5.7%。\n\n"
                 "2. 政府性基金预算完成情况。全省收入1526.3亿元。\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "一", "2023年预算执行情况"), ("subsection", "一", "全省及省级预算执行情况")]
    item = next(b for b in doc.blocks if b.text.startswith("1."))
    assert item.text.startswith("1. 一般公共预算完成情况。全省收入")


def test_a_ruled_table_with_crlf_line_ends():
    raw = ("    全年主要农产品产量如下，粮食产量继续增长，油料和棉花产量有所下降，蔬菜产量稳定增长。\r\n"
           "────────────────────────────────\r\n"
           "指标名称        单位      产量      比上年增长%\r\n"
           "────────────────────────────────\r\n"
           "粮食            万吨     1523.0        -2.1\r\n"
           "油料            万吨       85.2         3.4\r\n"
           "────────────────────────────────\r\n"
           "    全年肉类总产量增长。\r\n")
    doc = doc_of(raw)
    (table,) = [b for b in doc.blocks if b.kind == "table"]
    assert table.cells == (("指标名称", "单位", "产量", "比上年增长%"), ("粮食", "万吨", "1523.0", "-2.1"),
                           ("油料", "万吨", "85.2", "3.4"))
    assert [b.kind for b in doc.blocks] == ["paragraph", "table", "paragraph"]
    cells = [c for c in doc.table_cells if c.table_id == table.block_id]
    assert all(doc.raw[c.raw_start:c.raw_end] == c.text for c in cells)


def test_decimal_headings_written_with_a_comma_and_a_bullet_glyph():
    doc = doc_of("某证券研究报告\n\n1、A股市场中动量效应难寻踪迹\n\n动量效应在A股市场并不显著，反转效应更为常见。\n\n"
                 "2、涨跌幅因子的切割\n\n2.1、涨跌幅因子时间维度的切割效果不佳\n\n按时间维度切割以后，涨跌幅因子的选股表现没有明显改善。\n\n"
                 "2.2、涨跌幅因子交易行为维度的切割\n\n按交易行为维度切割以后，涨跌幅因子的选股表现明显改善。\n\n\uf0d8\n\n明确界定与适用范围，清晰定义了相关概念。\n")
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "1", "A股市场中动量效应难寻踪迹"), ("section", "2", "涨跌幅因子的切割"),
        ("subsection", "2.1", "涨跌幅因子时间维度的切割效果不佳"), ("subsection", "2.2", "涨跌幅因子交易行为维度的切割")]


def test_a_numbered_heading_is_never_joined_to_the_paragraph_after_it():
    # a heading with commas but no full stop, then a bold numbered item and a body paragraph after
    # blank lines: three paragraphs, not one paragraph cut by page breaks
    doc = doc_of("某公司年度报告\n\n一、服务体验\n\n（一）持续优化线上服务流程，多渠道解决用户办理业务的各种困难\n\n"
                 "**1.上线远程视频办理功能，方便行动不便的用户**\n\n为方便行动不便的用户，公司在手机客户端上线远程视频办理功能，"
                 "用户无需前往网点即可完成业务，累计服务超过十万人次。\n")
    assert sections_of_doc(doc) == [("section", "一", "服务体验"),
                                    ("subsection", "一", "持续优化线上服务流程，多渠道解决用户办理业务的各种困难")]
    assert any(b.text.startswith("为方便") for b in doc.blocks)


def sections_of_doc(doc) -> list[tuple[str, str, str]]:
    return [(s.level, s.number, s.title) for s in doc.sections]




def test_a_markdown_quote_mark_is_no_part_of_a_heading():
    assert sections_of("某公司年度报告\n\n一、服务体验\n\n> （二）客户服务持续升级，人工服务更有温度\n\n"
                       "公司开通老年人专线，六十岁以上用户拨打客服电话将优先接入人工服务，全年接听电话超过五万次。\n") == [
        ("section", "一", "服务体验"), ("subsection", "二", "客户服务持续升级，人工服务更有温度")]



def test_a_numbered_heading_of_several_clauses_up_to_sixty_characters():
    title = "恳请主管部门协调有关机构，尽快批复跨境业务合作方案，进一步提升境外来访人士办理业务的便利性"
    assert len(title) > 40
    assert sections_of(f"某公司年度报告\n\n六、下一步工作计划\n\n（一）{title}\n\n"
                       "目前境外来访人士办理业务仍需多次核验身份，流程较长，建议简化有关手续，提升办理效率。\n") == [
        ("section", "六", "下一步工作计划"), ("subsection", "一", title)]


def test_sections_numbered_by_a_bare_numeral_on_its_own_line():
    body = "这一年里，全县粮食生产获得丰收，水利建设取得很大成绩，各项事业都有了新的发展。"
    doc = doc_of(f"关于发展农业生产的报告\n\n各位代表：\n\n{body}\n\n一\n\n{body}\n\n二\n\n{body}\n\n三\n\n以下分别说明。\n\n{body}\n")
    assert sections_of_doc(doc) == [("section", "一", ""), ("section", "二", ""), ("section", "三", "")]


def test_a_lone_numeral_line_without_its_successor_is_no_section():
    body = "这一年里，全县粮食生产获得丰收，水利建设取得很大成绩，各项事业都有了新的发展。"
    assert sections_of(f"关于发展农业生产的报告\n\n{body}\n\n三\n\n{body}\n\n一\n\n{body}\n") == []


def test_topic_sentences_numbered_di_yi_on_lines_of_their_own_are_subsections():
    body = "农业生产连续增产，粮食总产量比上年增加较多，经济作物和多种经营也有较快的发展，农民收入明显增加。"
    doc = doc_of(f"关于经济工作的报告\n\n一、经济工作取得新的进展\n\n{body}\n\n第一，农业生产稳定增长，农村经济更加活跃。\n\n{body}\n\n"
                 f"第二，工业生产在调整中继续发展。\n\n主要措施如下：\n\n{body}\n\n二、今后的任务\n\n{body}第一，要稳定物价。第二，要扩大就业。\n")
    assert sections_of_doc(doc) == [("section", "一", "经济工作取得新的进展"),
                                    ("subsection", "一", "农业生产稳定增长，农村经济更加活跃"),
                                    ("subsection", "二", "工业生产在调整中继续发展"), ("section", "二", "今后的任务")]


def test_a_lone_di_san_sentence_is_no_heading():
    body = "农业生产连续增产，粮食总产量比上年增加较多，经济作物和多种经营也有较快的发展，农民收入明显增加。"
    assert sections_of(f"关于经济工作的报告\n\n一、经济工作\n\n{body}\n\n第三，农业生产稳定增长。\n\n{body}\n") == [
        ("section", "一", "经济工作")]


def test_an_arabic_run_in_heading_sentence_alone_on_its_line():
    body = "全市完成地区生产总值3520亿元，增长7.5%，地方财政收入286亿元，增长9.2%，主要指标好于预期，经济运行质量进一步提高。"
    doc = doc_of(f"某市政府工作报告\n\n一、过去一年的工作\n\n1、经济平稳增长。{body}\n\n2、改革持续深化。\n\n"
                 f"国有企业改革取得新进展，一批企业完成股份制改造，多家企业上市融资，非公有制经济比重继续提高。\n\n3、社会事业全面进步。{body}\n")
    assert sections_of_doc(doc) == [("section", "一", "过去一年的工作"), ("subsection", "1", "经济平稳增长"),
                                    ("subsection", "2", "改革持续深化"), ("subsection", "3", "社会事业全面进步")]


def test_a_markdown_pipe_table_is_a_table_whose_cells_take_the_headers_unit():
    doc = doc_of("某市统计公报\n\n一、农业\n\n全年粮食生产保持稳定，主要农产品产量如下表所示，其中油料增长较快。\n\n"
                 "| 品种 | 产量（万吨） |\n| --- | --- |\n| 粮食 | 1523.0 |\n| 油料 | 85.2 |\n")
    (table,) = [b for b in doc.blocks if b.kind == "table"]
    assert table.cells == (("品种", "产量（万吨）"), ("粮食", "1523.0"), ("油料", "85.2"))
    assert [(c.surface, str(c.value), c.unit, c.subject) for c in doc.claims] == [
        ("1523.0", "15230000", "吨", "粮食"), ("85.2", "852000", "吨", "油料")]


def test_a_running_footer_with_a_changing_page_number_is_furniture():
    body = "本市机动车保有量增长较快，道路拥堵问题逐步显现，需要尽早采取交通需求管理措施加以应对。"
    doc = doc_of(f"某市交通研究报告\n\n## 现状\n\n{body}\n\n研究报告 | 2014年9月 | 3\n\n{body}\n\n"
                 f"研究报告 | 2014年9月 | 5\n\n{body}\n\n研究报告 | 2014年9月 | 7\n\n{body}\n")
    assert [b.kind for b in doc.blocks if b.text.startswith("研究报告")] == ["furniture"] * 3
    assert sections_of_doc(doc) == [("section", "", "现状")]


def test_a_markdown_heading_after_a_chart_is_no_chart_label():
    body = "近几年私家车使用量增长很快，高峰时段主要道路的车速明显下降，公共交通出行比例有所减少。"
    assert sections_of(f"某市交通研究报告\n\n## 现状\n\n{body}\n\n■ 图例：机动车保有量\n\n## 私家车使用的激增\n\n{body}\n") == [
        ("section", "", "现状"), ("section", "", "私家车使用的激增")]


def test_a_caption_numbered_by_chapter_with_a_separator_is_no_heading():
    body = "各城市实施的交通需求管理政策不尽相同，下表汇总了主要案例城市的政策及其实施时间。"
    doc = doc_of(f"某市交通研究报告\n\n## 经验\n\n{body}\n\n表 2-2 | 各城市政策实施情况汇总表（续表）\n\n{body}\n")
    assert sections_of_doc(doc) == [("section", "", "经验")]
    assert [b.kind for b in doc.blocks if b.text.startswith("表")] == ["figure_caption"]


def test_a_named_part_alone_on_its_line_is_a_heading_without_a_body_after_it():
    assert sections_of("某行业研究报告\n\n摘 要\n\n市场规模：一季度下降\n\n一、市场概况\n\n"
                       "今年一季度市场交易规模下降明显，主要原因是线下消费受到较大影响，预计二季度将逐步恢复。\n\n"
                       "（一）交易规模\n\n一季度交易规模约为五十万亿元，同比有所下降，但降幅小于预期。\n") == [
        ("section", "", "摘要"), ("section", "一", "市场概况"), ("subsection", "一", "交易规模")]


def test_contents_entries_with_leader_dots_are_no_claims_nor_headings():
    doc = doc_of("某市交通研究报告\n\n目录\n\n前言 ... 1\n\n成都现状 ... 2\n\n政策建议……………12\n\n## 前言\n\n"
                 "本研究分析了机动车保有量增长带来的交通拥堵问题，并提出了分阶段的交通需求管理政策建议。\n")
    assert [b.kind for b in doc.blocks if b.text[-1:].isdigit()] == ["furniture"] * 3
    assert not [c for c in doc.claims if c.surface in ("1", "2", "12")]


def test_a_subsection_title_closed_by_its_full_stop_fills_its_numbering_sequence():
    """"（三）…安排情况。" alone on its line over "详见预算报表5说明。" (too short a paragraph to
    confirm a heading), between "（二）举借债务情况" and "（四）重大政策…", with "1." and "2." items
    under （二）: the third subsection, its title without the stop."""
    body = "\n\n2026年对下级税收返还和转移支付预算85553万元，比上年增加16191万元，增长23.34%。\n\n"
    text = ("某市预算报告" + body + "一、相关说明" + body + "（一）税收返还和转移支付情况" + body
            + "（二）举借债务情况" + body + "1.地方政府债务限额余额情况" + body + "2.地方政府债券发行情况" + body
            + "（三）本级汇总的一般公共预算“三公”经费预算安排情况。\n\n详见预算报表5说明。\n\n"
            + "（四）重大政策和重点项目等绩效目标" + body)
    assert [(s[1], s[2]) for s in sections_of(text) if s[0] == "subsection"] == [
        ("一", "税收返还和转移支付情况"), ("二", "举借债务情况"), ("三", "本级汇总的一般公共预算“三公”经费预算安排情况"),
        ("四", "重大政策和重点项目等绩效目标")]


def test_a_report_of_parts_with_nothing_numbered_under_them_has_them_as_its_sections():
    """Budget tables grouped in "第一部分 一般公共预算报表", "第二部分 …": its parts are its main
    numbered level, so its sections; under a part that holds 一、 sections they stay parts."""
    tables = "\n\n表1 收入表\n\n单位：万元\n\n项目\t金额\n税收收入\t100\n\n"
    got = sections_of("某市预算报表" + tables + "第一部分 一般公共预算报表" + tables + "第二部分 政府性基金预算报表" + tables)
    assert got == [("section", "一", "一般公共预算报表"), ("section", "二", "政府性基金预算报表")]
    body = "\n\n全年一般公共预算收入123亿元，比上年增长5%，完成预算的101%。\n\n"
    got = sections_of("某市预算报告" + body + "第一部分 总体情况" + body + "一、收入" + body + "二、支出" + body)
    assert [s[0] for s in got] == ["part", "section", "section"]
