"""The sample report's structure, read exactly."""

from pipeline.model import Document
from pipeline.process import process_document


def test_title_page(sample_doc):
    tp = sample_doc.title_page
    assert tp.title == "2019-2020微信就业影响力报告"
    assert tp.subtitle == "全民数字化就业时代来临"
    assert tp.organisation == "政策与经济研究所"
    assert tp.date == "2020年5月" and tp.year == 2020


def test_parts_and_numbered_sections(sample_doc):
    parts = [s for s in sample_doc.sections if s.level == "part"]
    assert [(p.number, p.title) for p in parts] == [("贰", "社会篇"), ("叁", "经济篇")]
    numbered = [s for s in sample_doc.sections if s.level == "section"]
    assert [s.number for s in numbered] == ["肆", "壹", "贰", "叁", "肆", "壹", "贰", "叁"]
    by_id = {s.section_id: s for s in sample_doc.sections}
    assert [by_id[s.parent_id].title if s.parent_id else None for s in numbered] == [
        None] + ["社会篇"] * 4 + ["经济篇"] * 3
    assert numbered[0].title.startswith("疫情期间稳就业“组合拳”")
    assert numbered[5].title == "微信帮助商家打造商业闭环成为驱动数字经济发展的“助燃剂”"


def test_fourteen_case_boxes_one_without_its_star(sample_doc):
    cases = sample_doc.cases
    assert len(cases) == 14
    assert [c.marker for c in cases].count(False) == 1
    lost = next(c for c in cases if not c.marker)
    assert lost.title == "企业微信7大能力升级助力企业抗击疫情"
    assert cases[0].title == "当了8年开锁师傅，他转型做起了小程序产品经理"
    assert cases[-1].title == "微信到家服务成零售行业“标配”"
    for c in cases:
        assert sample_doc.raw[c.raw_start:c.raw_end].lstrip("★ ").startswith("案例")


def test_captions_notes_infographic_and_table(sample_doc):
    kinds = {}
    for b in sample_doc.blocks:
        kinds.setdefault(b.kind, []).append(b)
    assert len(kinds["figure_caption"]) == 8
    assert [b.text for b in kinds["source_note"]] == ["数据来源：脉脉", "数据截至2020年4月"]
    info = [b.text for b in kinds["infographic"]]
    assert "19273个" in info and "2019年新增4282个，增幅31%" in info
    assert all(b.period_hint == "数据截至2020年4月" for b in kinds["infographic"][:6])
    (table,) = kinds["table"]
    assert len(table.cells) == 10 and table.cells[0][0] == "直接带动 (亿元)"
    cells = [c for c in sample_doc.table_cells if c.table_id == table.block_id]
    assert {c.row for c in cells} == set(range(10))
    code = next(c for c in cells if c.text == "64123")
    assert sample_doc.raw[code.raw_start:code.raw_end] == "64123"


def test_blocks_cover_the_text_in_order(sample_doc):
    starts = [b.raw_start for b in sample_doc.blocks]
    assert starts == sorted(starts)
    for b in sample_doc.blocks:
        assert b.raw_start < b.raw_end
        assert sample_doc.raw[b.raw_start:b.raw_end].strip()


def test_numbered_styles_of_other_reports():
    raw = ("某市2023年统计公报\n\n某市统计局\n\n2024年4月30日\n\n一、综合\n\n全年生产总值5481.6亿元，比上年增长5.2%。\n\n"
           "（一）农业\n\n粮食产量300万吨。\n\n  二、工业\n\n工业增加值增长6%。\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    got = [(s.level, s.number, s.title) for s in doc.sections]
    assert got == [("section", "一", "综合"), ("subsection", "一", "农业"), ("section", "二", "工业")]
    assert doc.title_page.organisation == "某市统计局"


def test_lone_page_numbers_that_count_up_are_page_furniture():
    page = "某行业规模持续扩大，企业数量达到{n}家，比上年增加{m}家，市场集中度进一步提高。\n\n{p}\n\n"
    raw = "某行业研究报告\n\n某研究院\n\n2021年3月\n\n" + "".join(
        page.format(n=100 + k, m=k + 10, p=p) for k, p in enumerate((12, 13, 15, 16)))
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    assert [b.text for b in doc.blocks if b.kind == "furniture"] == ["12", "13", "15", "16"]
    assert [c.value for c in doc.claims] == ["100", "10", "101", "11", "102", "12", "103", "13"]
    # two lone numbers are no pattern: they stay text
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw.replace("\n\n15\n\n", "\n\n").replace("\n\n16\n\n", "\n\n")))
    assert not [b for b in doc.blocks if b.kind == "furniture"]


def test_markdown_front_matter_is_the_reports_metadata():
    raw = ("---\ntitle: 某市交通发展报告\npublisher: 某研究院\nyear_published: 2019\nword_count: 35120\n---\n\n"
           "## 现状\n\n全市机动车保有量达到304万辆，比上年增长12.5%，增长速度明显快于道路里程。\n")
    doc = process_document(Document("x", "x.md", "", "utf-8", raw))
    tp = doc.title_page
    assert (tp.title, tp.organisation, tp.date, tp.year) == ("某市交通发展报告", "某研究院", "2019", 2019)
    assert [c.surface for c in doc.claims] == ["304万辆", "12.5%"]
    assert [s.title for s in doc.sections] == ["现状"]


def test_a_running_footer_with_the_page_number_first_is_furniture():
    para = "全市机动车保有量达到{n}万辆，比上年增长12.5%，增长速度明显快于道路里程。\n\n{p} | 某研究院工作论文\n\n"
    raw = "某市交通研究\n\n某研究院\n\n2014年9月\n\n" + "".join(para.format(n=300 + k, p=p) for k, p in enumerate((12, 14, 16)))
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    assert [b.text for b in doc.blocks if b.kind == "furniture"] == [f"{p} | 某研究院工作论文" for p in (12, 14, 16)]
    assert [c.surface for c in doc.claims] == ["300万辆", "12.5%", "301万辆", "12.5%", "302万辆", "12.5%"]


def test_a_title_set_on_two_lines_is_one_title():
    raw = ("2025年某市国民经济和社会发展\n\n统计公报\n\n"
           "2025年，全市上下坚持稳中求进工作总基调，经济运行总体平稳，全年全市地区生产总值2479.6亿元。\n\n"
           "一、综合\n\n初步核算，全年全市地区生产总值2479.6亿元，同比增长6.5%。\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    assert doc.title_page.title == "2025年某市国民经济和社会发展统计公报"
    assert [(s.number, s.title) for s in doc.sections] == [("一", "综合")]


def test_a_run_in_heading_above_its_first_numbered_child_is_a_heading():
    body = "按照现行财政体制测算，加上上级财力性补助收入等，预计市级可实现财力72.6亿元，同比增长1.3%。"
    raw = ("某市2025年预算执行情况的报告\n\n某市财政局\n\n2025年12月\n\n一、2026年预算草案\n\n"
           f"（一）收入预期。\n\n{body}\n\n（二）市级预算安排。\n\n1.一般公共预算。\n\n{body}\n\n"
           f"2.政府性基金预算。\n\n{body}\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    subs = [(s.number, s.title) for s in doc.sections if s.level == "subsection"]
    assert ("二", "市级预算安排") in subs and ("一", "收入预期") in subs


def test_page_numbers_between_double_dashes_are_furniture():
    para = "全市一般公共预算收入{n}亿元，比上年增长2.1%，其中税收收入占比保持稳定。\n\n—— {p} ——\n\n"
    raw = "某市预算报告\n\n某市财政局\n\n2026年1月\n\n" + "".join(para.format(n=300 + k, p=p) for k, p in enumerate((10, 11, 12)))
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    assert [b.text for b in doc.blocks if b.kind == "furniture"] == [f"——{p}——" for p in (10, 11, 12)]  # spaces normalised
    assert not [c for c in doc.claims if c.unit == ""]


def test_a_footnote_mark_in_a_heading_is_not_part_of_its_title():
    from pipeline.model import Document
    from pipeline.process import process_document

    text = "某市2025年国民经济和社会发展统计公报\n\n一、综合\n\n全年地区生产总值100亿元。\n\n二、财政、金融[9]、证券和保险\n\n全年财政收入10亿元。\n"
    doc = process_document(Document("x", "x.txt", "", "utf-8", text))
    assert [(s.number, s.title) for s in doc.sections] == [("一", "综合"), ("二", "财政、金融、证券和保险")]


def test_numbered_lines_each_opening_a_body_are_headings():
    """"1、区域环境" on its line over its paragraph, twice in the report: the report numbers its
    headings so, where a list's items would follow one another."""
    body = "湖北省地处我国中部，长江中游地区，是我国重要的交通枢纽地带，拥有较为丰富的自然资源和科教资源。"
    raw = (f"某省专项债券信用评级报告\n\n某评级公司\n\n区域信用分析\n\n1、区域环境\n\n{body}\n\n2、经济发展\n\n{body}\n\n"
           f"3、面临的挑战\n\n{body}\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    assert [(s.number, s.title) for s in doc.sections if s.number] == [("1", "区域环境"), ("2", "经济发展"), ("3", "面临的挑战")]


def test_appendix_headings_are_headings_whatever_follows_them():
    """"附一：", "附件二：", "附录三 ", "附件2-1 ": an appendix's marker and number, then its title,
    over a table, a chart's labels or its text; 附表 stays a table's caption."""
    body = "本报告所引用资料的真实性、准确性由资料提供方负责，评级结论仅为本机构的预测性观点。"
    table = "指标\t2024年\t2025年\n资产总额（亿元）\t120.5\t130.2\n"
    raw = (f"某公司2026年跟踪评级报告\n\n某评级公司\n\n一、跟踪评级说明\n\n{body}\n\n二、结论\n\n{body}\n\n"
           f"附一：公司主要财务数据概况\n\n{table}\n附件二：主要财务指标计算公式\n\n{table}\n"
           f"附录三 担保方评级模型结果\n\n{body}\n\n附件2-1 主要财务数据及指标（公司本部口径）\n\n{table}\n"
           f"附表1 债务余额情况\n\n{table}")
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    titles = [s.title for s in doc.sections]
    for t in ("附一：公司主要财务数据概况", "附件二：主要财务指标计算公式", "附录三担保方评级模型结果",
              "附件2-1主要财务数据及指标（公司本部口径）"):
        assert t in titles, (t, titles)
    assert not [t for t in titles if t.startswith("附表")]


def test_roman_page_numbers_of_the_front_matter_are_page_furniture():
    """Front matter numbered I, II, III, the body from 1: the Roman ones are page numbers too, and
    the heading after the last of them is a heading."""
    page = "本次评级结果是考虑到区域经济实力较强，公司业务具有较强的区域专营性，获得了较大力度的支持。\n\n{p}\n\n"
    raw = ("某公司2026年度跟踪评级报告\n\n某评级公司\n\n2026年6月\n\n" + "".join(page.format(p=p) for p in ("I", "II", "III"))
           + "跟踪评级说明\n\n根据相关监管要求及公司相关债项的跟踪评级安排，本公司进行了本次跟踪评级。\n\n"
           + "名词解释\n\n一般公共预算：以税收为主体的财政收入，安排用于保障和改善民生的收支预算。\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    assert [b.text for b in doc.blocks if b.kind == "furniture"] == ["I", "II", "III"]
    assert [s.title for s in doc.sections] == ["跟踪评级说明", "名词解释"]


def test_a_glossary_after_the_parts_of_a_report_is_a_part_beside_them():
    """"有关缩略语及名词解释" after 第三部分: a glossary named by what it explains is a named part,
    and in a report organised in parts it stands beside them, not as a section of the last."""
    raw = ("宿迁市2026年预算报告\n\n第一部分　2025年预算执行情况\n\n一、一般公共预算\n\n"
           "全市一般公共预算收入300亿元，增长2.1%。\n\n第二部分　2026年预算草案\n\n一、收入预算\n\n"
           "全市一般公共预算收入安排306亿元。\n\n有关缩略语及名词解释\n\n"
           "“619”产业体系：六大产业集群和十九条产业链。\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    got = [(s.level, s.title) for s in doc.sections]
    assert ("part", "有关缩略语及名词解释") in got, got
    assert not any(t == "有关缩略语及名词解释" and lv != "part" for lv, t in got), got


def test_a_part_line_in_the_contents_and_on_two_divider_pages_is_a_heading_each_time():
    """A budget book prints "第一部分 一般公共预算" in its contents, on the divider page of the
    year's execution tables and again on that of the draft's: three times is no running head
    (one comes back over every page of its part, many more times)."""
    raw = ("朝阳市2026年预算\n\n目录\n\n第一部分 一般公共预算\n\n第二部分 政府性基金预算\n\n"
           "第一部分 一般公共预算\n\n全市一般公共预算收入执行情况表\n\n全市一般公共预算收入930000万元，增长3%。\n\n"
           "第二部分 政府性基金预算\n\n全市政府性基金预算收入420000万元。\n\n"
           "第一部分 一般公共预算\n\n全市一般公共预算收入安排958000万元。\n\n"
           "第二部分 政府性基金预算\n\n全市政府性基金预算收入安排430000万元。\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    got = [(s.number, s.title) for s in doc.sections]  # parts with nothing numbered under them: sections
    assert got.count(("一", "一般公共预算")) >= 2 and got.count(("二", "政府性基金预算")) >= 2, got


def test_an_appendix_marker_alone_on_its_line_heads_the_title_under_it():
    """"附件2" on its line, its title on the next two ("关于…2025年执行" over "及2026年预算有关情况的
    说明"): one appendix heading titled by all of it, a title opening with 关于 running on to the
    kind of document it is; a glossary's marker takes its one-line title ("附件1" over "名词注释")."""
    raw = ("威海市2026年预算报告\n\n一、2025年预算执行情况\n\n全市一般公共预算收入300亿元。\n\n附件1\n\n名词注释\n\n"
           "1.一般公共预算：指对以税收为主体的财政收入安排的收支预算。\n\n附件2\n\n关于全市地方政府债务2025年执行\n\n"
           "及2026年预算有关情况的说明\n\n一、2025年地方政府债务限额情况\n\n核定债务限额1539.4亿元。\n")
    doc = process_document(Document("x", "x.txt", "", "utf-8", raw))
    titles = [s.title for s in doc.sections]
    assert "附件1名词注释" in titles and "附件2关于全市地方政府债务2025年执行及2026年预算有关情况的说明" in titles, titles
    assert "名词注释" not in titles, titles
    assert [(c.surface, doc.raw[c.raw_start:c.raw_end]) for c in doc.claims if c.surface.startswith("1539")] == [
        ("1539.4亿元", "1539.4亿元")]
