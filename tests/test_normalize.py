"""Normalisation: clean text, and every normalised character traceable to the raw text."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline.normalize import MIN_WRAPPED_LINES, normalize_text


def _check_map(raw, tm):
    assert len(tm.starts) == len(tm.text) == len(tm.ends)
    prev = 0
    for s, e in zip(tm.starts, tm.ends):
        assert 0 <= s <= e <= len(raw)
        assert s >= prev or s == prev  # monotone: reading order is kept
        prev = s


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_normalises_with_a_valid_map(raw):
    tm = normalize_text(raw)
    _check_map(raw, tm)


_pieces = st.sampled_from(
    ["截至", " 2020 ", "年", "４", "月", "，", "**", "15430", " 个", "萬", "貳", "\n\n", "\r\n",
     "\u3000", "推", "出的", "%", "１２.５", "。", "\t", "★ 案例", "数据来源：", "a b"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=40).map("".join))
def test_report_like_text_normalises_with_a_valid_map(raw):
    tm = normalize_text(raw)
    _check_map(raw, tm)
    for i in range(len(tm.text)):
        a, b = tm.raw_span(i, i + 1)
        assert a < b or raw == ""


def test_markup_width_spaces_and_variants():
    raw = "2019年新增**4282**个，增幅**31%**；１２.５ 万 人；貳 萬；截至 2020 年 4 月"
    tm = normalize_text(raw)
    assert tm.text == "2019年新增4282个，增幅31%；12.5万人；贰万；截至2020年4月"
    i = tm.text.index("4282")
    a, b = tm.raw_span(i, i + 4)
    assert raw[a:b] == "4282"
    j = tm.text.index("12.5万人")
    a, b = tm.raw_span(j, j + len("12.5万人"))
    assert raw[a:b] == "１２.５ 万 人"


def test_paragraph_broken_mid_word_is_rejoined():
    raw = "随着公众号功能的创新演进和电子政务的推广升级，各级政府部门利用微信平台推\n\n出的公众号的作用早已突破最初的信息发布。\n\n下一段"
    tm = normalize_text(raw)
    assert "平台推出的公众号" in tm.text
    assert "\n\n下一段" in tm.text


def test_a_source_line_between_a_note_and_a_paragraph_is_no_cut_out_word():
    """A table's note that ends without a full stop, its short "资料来源：…整理" line, then the
    text: three paragraphs, not one sentence with a word cut out of it."""
    raw = ("注：某房地产开发有限公司原为某城投子公司，2023年股权划出，某城投拨付的安置房建设资金转入其他应收款\n\n"
           "资料来源：联合资信根据公司审计报告和公开资料整理\n\n"
           "非流动资产方面，公司投资性房地产较上年末增长20.90%，固定资产较上年末下降10.69%。")
    assert normalize_text(raw).text == raw


def test_a_line_in_another_language_is_no_half_of_a_chinese_paragraph():
    raw = "Add:17/F, PICC Building, 2, Jianguomenwai Street, Beijing PRC:100022\n\n地址：北京市朝阳区建国门外大街2号PICC大厦17层邮编：100022"
    assert normalize_text(raw).text == raw


def test_headings_are_not_joined_to_the_paragraph_after_them():
    raw = "以公众号、小程序、微信支付、企业微信为核心的 新生产工具将为数字经济就业带来增长机会\n\n当前，数字经济发展的重心正在转移。"
    tm = normalize_text(raw)
    assert "增长机会\n\n当前" in tm.text


def test_crlf_maps_back_to_both_characters():
    raw = "甲\r\n乙"
    tm = normalize_text(raw)
    assert tm.text == "甲\n乙"
    assert tm.raw_span(1, 2) == (1, 3)


# --- print-derived text: hard wraps -------------------------------------------------------------

def _display(ch: str) -> int:
    return 1 if ch.isascii() else 2


def _wrap(paragraph: str, width: int, indent: str = "    ") -> list[str]:
    """Lay a paragraph out as a printed page does: first line indented, every line filled to width."""
    lines, line, used = [], indent, len(indent)
    for ch in paragraph:
        if used + _display(ch) > width:
            lines.append(line)
            line, used = "", 0
        line += ch
        used += _display(ch)
    lines.append(line)
    return lines


_BODY = ("全年生产总值比上年增长", "3521.47亿元", "，", "粮食产量", "1.36个百分点", "增长2.6%", "。",
         "工业增加值", "农村居民人均纯收入", "12.5万吨", "其中", "城镇", "下降0.8%")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_BODY), min_size=12, max_size=40).map("".join), min_size=3, max_size=6),
       st.integers(min_value=44, max_value=100))
def test_hard_wrapped_paragraphs_are_rejoined_with_an_exact_map(paragraphs, width):
    raw_lines = []
    for n, p in enumerate(paragraphs):
        if n == 2:
            raw_lines.append("            二、工业")  # a heading between paragraphs is never joined
        raw_lines.extend(_wrap(p + "。", width))
    # a page with fewer full lines that run on into a next line shows no wrap width (the last line
    # of the text runs on into nothing, so it is no evidence)
    full = sum(1 for line, nxt in zip(raw_lines, raw_lines[1:]) if sum(map(_display, line)) >= width - 1 and nxt.strip())
    assume(full >= MIN_WRAPPED_LINES)
    raw = "\n".join(raw_lines) + "\n"
    tm = normalize_text(raw)
    _check_map(raw, tm)
    expected = [p + "。" for p in paragraphs]
    expected.insert(2, "二、工业")
    assert tm.text.rstrip("\n").split("\n") == expected
    for i, ch in enumerate(tm.text):
        if ch != "\n":
            a, b = tm.raw_span(i, i + 1)
            assert raw[a:b] == ch


def test_wraps_inside_numbers_and_units_are_rejoined():
    body = ("初步核算，全年全市地区生产总值达到3521.47亿元，比上年增长2.6%，增速比上年提高1.36个百分点，"
            "第一产业增加值增长2.0%，第二产业增加值增长6.0%，第三产业增加值增长5.1%。") * 2
    for cut_after in ("3521.4", "1.36个百分", "增长2."):
        # a page width that breaks the first line right inside the number or the unit
        width = sum(map(_display, "    " + body[: body.index(cut_after) + len(cut_after)]))
        raw_lines = _wrap(body, width) * 3
        assert raw_lines[0].endswith(cut_after)
        text = normalize_text("\n".join(raw_lines)).text
        assert text.split("\n") == [body] * 3, cut_after


def test_a_short_line_is_never_joined_to_the_next():
    raw = ("    全年生产总值比上年增长5.2%，第一产业增加值增长2.0%，第二产业增加值增长6.0%。\n"
           "    工业\n    全年规模以上工业增加值增长6.0%。\n") * 3
    assert normalize_text(raw).text.count("\n") == raw.count("\n")


def test_a_space_in_a_typeset_decimal_is_dropped():
    assert normalize_text("占全部乡镇个数的37. 4％，增长16. 4 ％").text == "占全部乡镇个数的37.4%，增长16.4%"


def test_compatibility_ideographs_fold_to_the_unified_ones():
    raw = "人口成長、密\ufa01及分佈"
    tm = normalize_text(raw)
    assert tm.text == "人口成长、密度及分布" and tm.raw_span(5, 6) == (5, 6)


def test_lines_wrapped_at_a_count_of_characters_are_rejoined():
    body = "初步核算，全年全市地区生产总值达到3521.47亿元，比上年增长2.6%，第一产业增加值增长2.0%，第二产业增加值增长6.0%。"
    lines = []
    for _ in range(3):
        lines += [body[i:i + 20] for i in range(0, len(body), 20)]
    assert normalize_text("\n".join(lines)).text.split("\n") == [body] * 3


def test_running_text_with_a_wide_space_is_no_table():
    raw = ("全年全市生产总值达到3521.47亿元，比上年增长2.6%，  第一产业增加值增长2.0%。\n"
           "全年规模以上工业增加值增长6.0%，  其中制造业增长6.3%，高技术制造业增长8.1%。\n")
    assert "\t" not in normalize_text(raw).text


def test_words_cut_out_onto_lines_of_their_own_are_put_back():
    raw = ("加强审计、财政监督，严格执行各项财务制度，加大监督检查力度，严格\n\n项目稽察\n\n，确保资金合理使用和工程质量提高。\n\n"
           "培养少数民族干部，加快发展教育、文化、卫生等各项社会事业，发展壮\n\n大民\n\n族经济。民政等项事业，都要力争取得新成绩。\n\n"
           "经济增长势头强劲\n\n全年实现工业总产值16095.6亿元，增长12.9%。\n")
    text = normalize_text(raw).text
    assert "严格项目稽察，确保资金" in text and "发展壮大民族经济。" in text
    assert "\n\n经济增长势头强劲\n\n全年" in text


def test_a_rule_on_the_first_line_of_a_table_at_the_top():
    raw = "──────────────\n指标    单位    数量\n粮食    万吨    1523\n油料    万吨    85.2\n"
    tm = normalize_text(raw)
    assert tm.text == "指标\t单位\t数量\n粮食\t万吨\t1523\n油料\t万吨\t85.2\n"
    _check_map(raw, tm)


_LABELS = st.sampled_from(["粮食", "猪出栏", "牛  出  栏", "手机", "集成电路", "合  计", "其他用品和服务"])
_NUMBERS = st.sampled_from(["152.3", "-12.4", "20", "1,523.0", "0.8", "３５.６"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_LABELS, st.lists(_NUMBERS, min_size=2, max_size=2)), min_size=2, max_size=6),
       st.sampled_from(["  ", "    ", "\u3000", "\u3000\u3000", "  \u3000"]))
def test_space_aligned_tables_become_tab_rows_with_an_exact_map(rows, gap):
    def cell(text, width):  # left-aligned in a column of the given display width
        return text + " " * (width - sum(map(_display, text)))
    lines = [cell("指标名称", 16) + gap + cell("数量", 10) + gap + "增长%"]
    for label, (a, b) in rows:
        lines.append(cell(label, 16) + gap + cell(a, 10) + gap + b)
    raw = "\n".join(lines) + "\n"
    tm = normalize_text(raw)
    _check_map(raw, tm)
    out = tm.text.rstrip("\n").split("\n")
    assert len(out) == len(lines) and all(line.count("\t") == 2 for line in out)
    for line in out[1:]:
        label = line.split("\t")[0]
        assert label == "".join(label.split()) and not label[-1:].isdigit()


def test_a_markdown_pipe_table_becomes_tab_rows_that_keep_their_raw_spans():
    raw = "前言\n\n| 地区 | 产量（万吨） |\n| --- | ---: |\n| 甲县 | 812.5 |\n|  | 12 |\n\n后记"
    tm = normalize_text(raw)
    assert tm.text == "前言\n\n地区\t产量（万吨）\n甲县\t812.5\n\t12\n\n后记"
    _check_map(raw, tm)
    i = tm.text.index("812.5")
    assert raw[slice(*tm.raw_span(i, i + 5))] == "812.5"


def test_a_grid_table_row_written_on_two_lines_is_one_row():
    raw = ("说明\n\n+------+----------+\n| **月份** | **金额** |\n|      | **（亿元）** |\n+======+==========+\n"
           "| 一月 | 18.0 |\n+------+----------+\n| 二月 | 47.8 |\n+------+----------+\n\n完")
    tm = normalize_text(raw)
    assert tm.text == "说明\n\n月份\t金额（亿元）\n一月\t18.0\n二月\t47.8\n\n完"
    _check_map(raw, tm)


def test_a_markdown_table_of_prose_or_compound_quantities_stays_text():
    raw = "| 时段 | 2011年 | 2012年 |\n| --- | --- | --- |\n| 畅通 | 14 小时 10 分钟 | 14 小时 15 分钟 |\n"
    assert "\t" not in normalize_text(raw).text


def test_a_paragraph_set_in_display_type_is_never_joined_to_its_neighbours():
    """A PDF's heading set larger ("基本观点") between a source note and a paragraph: the text
    alone reads like a word cut out of one sentence, the type says it is a heading."""
    note = "资料来源：湖北省统计年鉴、湖北省人民政府网站，中诚信国际整理"
    raw = f"{note}\n\n基本观点\n\n中诚信国际分别从项目基础信用、区域信用和相关增信措施方面综合分析每期债券的信用状况。\n"
    assert "整理基本观点中诚信" in normalize_text(raw).text  # the rule for cut-out words, without the type
    at = raw.index("基本观点")
    tm = normalize_text(raw, ((at, at + 4),))
    assert tm.text == raw
    _check_map(raw, tm)


def test_a_table_row_is_no_running_text_for_a_cut_out_word():
    raw = ("2021年某省政府专项债券（三期）\t25亿元\t20年\t利息按半年支付，到期一次性偿还本金并支付最后一次利息\n\n"
           "资料来源：某省财政厅提供\n\n偿债保障措施及募集资金投向\n\n根据相关规定，专项债券以对应的政府性基金或专项收入偿还。\n")
    assert normalize_text(raw).text == raw
