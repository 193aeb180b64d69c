"""Ruled tables drawn the ways bulletins draw them, read back from the drawings and the words:
three-line tables whose body rows have no rules, full grids, tables running on overleaf, and
frames that are not tables."""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf
import pytest

from pipeline.pdf_tables import _cell_paddings, find_grids, rulings
from pipeline.process import process_file

FONT = "china-s"
BODY = "全年全市地区生产总值1234.5亿元，比上年增长5.2%。其中，第一产业增加值100.2亿元，增长3.1%。"


def _text(page, x, y, text, size=9.0):
    page.insert_text((x, y), text, fontname=FONT, fontsize=size)


def _three_line_table(page, top, rows, cols=(100, 260, 380, 495), header=("指标", "绝对数（亿元）", "比上年增长（%）"),
                      close=True, open_top=False, pitch=16.0):
    """A rule above and below the header and one at the foot, column separators, unruled rows."""
    x0, x1 = cols[0], cols[-1]
    y = top
    if not open_top:
        page.draw_line((x0, y), (x1, y), width=1.4)
        for c, head in enumerate(header):
            _text(page, cols[c] + 4, y + 15, head)
        y += 22
        page.draw_line((x0, y), (x1, y), width=0.5)
    body_top = y
    for row in rows:
        y += pitch
        for c, cell in enumerate(row):
            _text(page, cols[c] + 4, y - 4, cell)
    bottom = y + 4
    for x in cols[1:-1]:
        page.draw_line((x, top), (x, bottom), width=0.5)
    if close:
        page.draw_line((x0, bottom), (x1, bottom), width=1.4)
    return body_top, bottom


ROWS = (("地区生产总值", "1234.5", "5.2"), ("第一产业", "100.2", "3.1"), ("第二产业", "500.1", "6.0"),
        ("第三产业", "634.2", "5.0"))


def _pdf(path, draw):
    doc = pymupdf.open()
    draw(doc)
    doc.save(path)
    return process_file(path)


def _tables(doc):
    return [b for b in doc.blocks if b.kind == "table"]


def test_three_line_table_rows_come_from_the_words(tmp_path):
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        page.insert_textbox(pymupdf.Rect(72, 60, 523, 120), BODY, fontname=FONT, fontsize=10.5)
        _text(page, 200, 150, "表1 2023年地区生产总值", 10.5)
        _three_line_table(page, 160, ROWS)
        page.insert_textbox(pymupdf.Rect(72, 300, 523, 360), BODY, fontname=FONT, fontsize=10.5)

    doc = _pdf(tmp_path / "three-line.pdf", draw)
    (table,) = _tables(doc)
    assert table.cells == (("指标", "绝对数（亿元）", "比上年增长（%）"),) + ROWS
    cell = next(c for c in doc.claims if c.surface == "634.2" and c.block_id == table.block_id)
    assert (cell.value, cell.unit, cell.page) == ("63420000000", "元", 1)
    b = cell.bbox
    assert 260 < b.x0 < b.x1 < 380 and 160 < b.y0 < b.y1 < 260  # the cell's own box, not the table's
    growth = next(c for c in doc.claims if c.surface == "6.0" and c.block_id == table.block_id)
    assert (growth.unit, growth.change) == ("%", "increase")
    # the paragraphs around the table stay paragraphs, and read once each
    assert doc.raw.count("全年全市地区生产总值1234.5亿元") == 2


def test_full_grid_keeps_wrapped_cells_whole(tmp_path):
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        xs = (100, 250, 380, 495)
        ys = (100, 124, 160, 184)
        for y in ys:
            page.draw_line((xs[0], y), (xs[-1], y), width=0.5)
        for x in xs:
            page.draw_line((x, ys[0]), (x, ys[-1]), width=0.5)
        for c, head in enumerate(("产品名称", "单位", "产量")):
            _text(page, xs[c] + 4, ys[0] + 16, head)
        _text(page, xs[0] + 4, ys[1] + 14, "移动通信手持")  # a name wrapped inside its cell
        _text(page, xs[0] + 4, ys[1] + 28, "机（手机）")
        _text(page, xs[1] + 4, ys[1] + 20, "万台")
        _text(page, xs[2] + 4, ys[1] + 20, "680.3")
        _text(page, xs[0] + 4, ys[2] + 16, "集成电路")
        _text(page, xs[1] + 4, ys[2] + 16, "亿块")
        _text(page, xs[2] + 4, ys[2] + 16, "90.3")

    doc = _pdf(tmp_path / "grid.pdf", draw)
    (table,) = _tables(doc)
    assert table.cells == (("产品名称", "单位", "产量"), ("移动通信手持机（手机）", "万台", "680.3"),
                           ("集成电路", "亿块", "90.3"))
    phones = next(c for c in doc.claims if c.surface == "680.3")
    assert (phones.value, phones.unit) == ("6803000", "台")


def test_a_table_running_on_overleaf_is_one_table(tmp_path):
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        page.insert_textbox(pymupdf.Rect(72, 60, 523, 640), BODY * 14, fontname=FONT, fontsize=10.5)
        _text(page, 200, 680, "表2 主要产品产量", 10.5)
        _three_line_table(page, 690, ROWS[:2], close=False)  # columns run to the page foot
        page = doc.new_page(width=595, height=842)
        _three_line_table(page, 72, ROWS[2:], open_top=True)  # columns start at the page head
        page.insert_textbox(pymupdf.Rect(72, 200, 523, 300), BODY, fontname=FONT, fontsize=10.5)

    doc = _pdf(tmp_path / "overleaf.pdf", draw)
    (table,) = _tables(doc)
    assert table.cells == (("指标", "绝对数（亿元）", "比上年增长（%）"),) + ROWS
    pages = {c.surface: c.page for c in doc.claims if c.block_id == table.block_id}
    assert pages["1234.5"] == 1 and pages["634.2"] == 2


def test_frames_and_panels_are_not_tables():
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.draw_rect(pymupdf.Rect(72, 100, 523, 200), width=0.8)  # a box around a paragraph
    page.draw_rect(pymupdf.Rect(0, 0, 595, 842), color=None, fill=(1, 1, 1))  # a white page panel
    page.draw_line((72, 300), (523, 300), width=0.5)  # a lone rule under a heading
    hs, vs = rulings(page.get_cdrawings())
    assert find_grids(hs, vs) == []


@pytest.mark.parametrize("gap", [0.0, 0.6, 2.5])
def test_rules_drawn_in_pieces_make_one_grid(gap):
    """Producers draw rules as thin filled rectangles in pieces, with tiny squares at the joints."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for y in (100, 124, 200):
        page.draw_rect(pymupdf.Rect(100, y, 250, y + 0.5), color=None, fill=(0, 0, 0))
        page.draw_rect(pymupdf.Rect(250 + gap, y, 495, y + 0.5), color=None, fill=(0, 0, 0))
    page.draw_rect(pymupdf.Rect(250, 100.5, 250.5, 199.5), color=None, fill=(0, 0, 0))
    hs, vs = rulings(page.get_cdrawings())
    (grid,) = find_grids(hs, vs)
    assert [round(x) for x in grid.xs] == [100, 250, 495]
    assert [round(y) for y in grid.ys] == [100, 124, 200]


def test_side_by_side_tables_are_two_tables(tmp_path):
    """Two ruled tables of the same shape beside each other (a research note's financial
    summary): two tables, each with its own rows, not one table continued."""
    left_rows = (("营业收入", "100.5", "12.1"), ("净利润", "20.3", "8.4"))
    right_rows = (("毛利率", "32.5", "1.2"), ("净利率", "20.2", "0.6"))

    def grid(page, x0, rows, header):
        xs = (x0, x0 + 90, x0 + 160, x0 + 230)
        ys = [100 + 20 * i for i in range(len(rows) + 2)]
        for y in ys:
            page.draw_line((xs[0], y), (xs[-1], y), width=0.5)
        for x in xs:
            page.draw_line((x, ys[0]), (x, ys[-1]), width=0.5)
        for r, row in enumerate((header, *rows)):
            for c, cell in enumerate(row):
                _text(page, xs[c] + 3, ys[r] + 14, cell)

    def draw(doc):
        page = doc.new_page(width=595, height=842)
        grid(page, 60, left_rows, ("指标", "2023年", "增长"))
        grid(page, 310, right_rows, ("比率", "2023年", "变动"))
        page.insert_textbox(pymupdf.Rect(60, 200, 540, 300), BODY, fontname=FONT, fontsize=10.5)

    doc = _pdf(tmp_path / "side.pdf", draw)
    tables = _tables(doc)
    assert [t.cells for t in tables] == [(("指标", "2023年", "增长"),) + left_rows,
                                         (("比率", "2023年", "变动"),) + right_rows]
    cell = next(c for c in doc.claims if c.surface == "32.5")
    assert cell.block_id == tables[1].block_id and 310 < cell.bbox.x0 < cell.bbox.x1 < 540


def test_three_line_table_without_column_rules(tmp_path):
    """A research note's table: a rule above and below the header and one at the foot, no column
    rules. The columns are the blank strips between the words; a chart's frame with gridlines
    and ticks nearby is no table."""
    rows = (("营业收入（亿元）", "100.5", "120.3", "141.8"), ("归母净利润（亿元）", "12.3", "15.1", "18.2"),
            ("每股收益（元）", "0.85", "1.04", "1.25"))

    def draw(doc):
        page = doc.new_page(width=595, height=842)
        page.insert_textbox(pymupdf.Rect(72, 60, 523, 120), BODY, fontname=FONT, fontsize=10.5)
        _text(page, 72, 150, "表1：盈利预测", 10.5)
        cols = (72, 250, 340, 430)
        for y, width in ((160, 1.2), (182, 0.5), (182 + 18 * len(rows) + 6, 1.2)):
            page.draw_line((72, y), (523, y), width=width)
        for c, head in enumerate(("指标", "2023A", "2024E", "2025E")):
            _text(page, cols[c] + 2, 176, head)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                _text(page, cols[c] + 2, 198 + 18 * r, cell)
        # a chart below: a plot frame with gridlines, ticks and a plotted series
        page.draw_rect(pymupdf.Rect(120, 320, 480, 460), width=0.5)
        for x in (210, 300, 390):
            page.draw_line((x, 320), (x, 460), width=0.3)
        for k, year in enumerate(("2021", "2022", "2023", "2024")):
            _text(page, 150 + 90 * k, 472, year, 8)
        points = [(120 + 12 * i, 440 - (i * 37) % 100) for i in range(31)]
        page.draw_polyline(points, color=(0.8, 0.2, 0.2), width=1)

    doc = _pdf(tmp_path / "open.pdf", draw)
    (table,) = _tables(doc)
    assert table.cells == (("指标", "2023A", "2024E", "2025E"),) + rows
    eps = next(c for c in doc.claims if c.surface == "1.04")
    assert eps.block_id == table.block_id and 340 < eps.bbox.x0 < eps.bbox.x1 < 430
    assert not any(c.surface in ("2021", "2022", "2023", "2024") for c in doc.claims)


def test_a_header_grid_runs_down_to_its_closing_rule_and_label_rows_head_groups(tmp_path):
    """A research note's forecast table: only its header row drawn as a grid, its body set in the
    running type and closed by a rule of the header's width. The body runs down to that rule; a
    label alone on a line after a shorter label names the group of rows below it, and after a
    label as wide as the widest it is the rest of that label, wrapped."""
    size = 10.5
    cols = (72, 250, 340, 430, 523)
    rows = (("成长性",), ("营业收入增长率(%)", "12.5", "15.1", "16.2"), ("净利润增长", "10.3", "11.2", "9.8"),
            ("每股资料(元)",), ("每股收益", "0.85", "1.04", "1.25"), ("每股经营活动现金流量", "1.10", "1.32", "1.51"),
            ("(摊薄)",), ("每股净资产", "5.20", "6.01", "6.90"))

    def draw(doc):
        page = doc.new_page(width=595, height=842)
        page.insert_textbox(pymupdf.Rect(72, 60, 523, 130), BODY * 2, fontname=FONT, fontsize=size)
        for y in (160, 182):
            page.draw_line((cols[0], y), (cols[-1], y), width=0.5)
        for x in cols:
            page.draw_line((x, 160), (x, 182), width=0.5)
        for c, head in enumerate(("指标", "2023A", "2024E", "2025E")):
            _text(page, cols[c] + 2, 176, head, size)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                _text(page, cols[c] + 2, 198 + 18 * r, cell, size)
        bottom = 198 + 18 * len(rows) - 8
        page.draw_line((cols[0], bottom), (cols[-1], bottom), width=0.8)
        page.insert_textbox(pymupdf.Rect(72, bottom + 20, 523, bottom + 90), BODY * 2, fontname=FONT, fontsize=size)

    doc = _pdf(tmp_path / "forecast.pdf", draw)
    (table,) = _tables(doc)
    assert table.cells == (
        ("指标", "2023A", "2024E", "2025E"), ("成长性", "", "", ""), ("营业收入增长率(%)", "12.5", "15.1", "16.2"),
        ("净利润增长", "10.3", "11.2", "9.8"), ("每股资料(元)", "", "", ""), ("每股收益", "0.85", "1.04", "1.25"),
        ("每股经营活动现金流量(摊薄)", "1.10", "1.32", "1.51"), ("每股净资产", "5.20", "6.01", "6.90"))
    assert doc.raw.count("全年全市地区生产总值1234.5亿元") == 4  # the paragraphs around it stay text


def _debt_table_page(doc, top=60.0):
    """A table exported from a spreadsheet: rules between its three header rows, then column rules
    down to the foot and one rule round each group of body rows: the rows inside a group are not
    ruled. Above it its number, its title with a region code glued on, and its unit line."""
    page = doc.new_page(width=595, height=842)
    cols = (60, 200, 300, 400, 500)
    _text(page, 60, top - 40, "表1-1")
    _text(page, 160, top - 24, "63某省2024年地方政府债务限额及余额情况表", size=12)
    _text(page, 440, top - 6, "单位：亿元")
    header = [("", "2024年债务限额", "", "2024年债务余额"), ("地区", "一般债务", "专项债务", "一般债务"),
              ("公式", "A", "B", "C")]
    y = top
    page.draw_line((cols[0], y), (cols[-1], y), width=1.0)
    for cells in header:
        for c, cell in enumerate(cells):
            if cell:
                _text(page, cols[c] + 4, y + 12, cell)
        y += 16
        page.draw_line((cols[0], y), (cols[-1], y), width=0.5)
    groups = [[("某省", "3,795.90", "2,716.50", "3,573.44"), ("某省本级", "2,160.02", "1,804.88", "1,983.39")],
              [("甲市", "500.10", "300.20", "480.30"), ("甲市本级", "100.40", "80.50", "90.60"),
               ("乙县", "20.70", "10.80", "19.90")]]
    for group in groups:
        for cells in group:
            y += 14
            for c, cell in enumerate(cells):
                _text(page, cols[c] + 4, y - 3, cell)
        y += 4
        page.draw_line((cols[0], y), (cols[-1], y), width=0.5)
    for x in cols:
        page.draw_line((x, top), (x, y), width=0.5)
    return page


def test_ruled_groups_of_unruled_rows_under_a_header_of_several_rows(tmp_path):
    doc = _pdf(tmp_path / "groups.pdf", lambda d: [_debt_table_page(d) for _ in range(3)])
    tables = _tables(doc)
    assert len(tables) == 3
    rows = [r.split("\t") for r in tables[0].text.split("\n")]
    assert rows[0][1] == "2024年债务限额" and rows[1][:3] == ["地区", "一般债务", "专项债务"]
    assert [r[0] for r in rows[3:]] == ["某省", "某省本级", "甲市", "甲市本级", "乙县"]
    assert rows[4] == ["某省本级", "2,160.02", "1,804.88", "1,983.39"]
    # the unit line and the table number come back on every page, and still belong to their table
    furniture = [b.text for b in doc.blocks if b.kind == "furniture"]
    assert not any("单位" in t or t.startswith("表") for t in furniture), furniture
    cells = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims if c.page == 1}
    assert cells[("某省本级", "2,160.02")] == ("216002000000", "元")
    # the region code glued to the front of the table's title is no claim
    assert not [c for c in doc.claims if c.surface == "63"]


def test_a_ruled_header_of_several_rows_over_an_unruled_body_that_runs_on(tmp_path):
    """Rules between the header's rows only; the column rules run down to the page foot and the body
    rows, one a line, have no rules of their own (the table goes on overleaf)."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        cols, top = (60, 200, 300, 400, 500), 80.0
        _text(page, 440, top - 6, "单位：亿元")
        y = top
        page.draw_line((cols[0], y), (cols[-1], y), width=1.0)
        for cells in (("", "2019年债务限额", "", "2019年债务余额"), ("地区", "一般债务", "专项债务", "一般债务")):
            for c, cell in enumerate(cells):
                if cell:
                    _text(page, cols[c] + 4, y + 12, cell)
            y += 16
            page.draw_line((cols[0], y), (cols[-1], y), width=0.5)
        for cells in (("甲省", "4,811.07", "3,184.18", "4,344.84"), ("甲省本级", "890.04", "789.48", "839.26"),
                      ("乙市", "1,466.19", "691.26", "1,283.78")):
            y += 14
            for c, cell in enumerate(cells):
                _text(page, cols[c] + 4, y - 3, cell)
        for x in cols:
            page.draw_line((x, top), (x, 800), width=0.5)
    doc = _pdf(tmp_path / "open.pdf", draw)
    tables = _tables(doc)
    assert len(tables) == 1
    rows = [r.split("\t") for r in tables[0].text.split("\n")]
    assert [r[0] for r in rows[2:]] == ["甲省", "甲省本级", "乙市"]
    assert not [b for b in doc.blocks if b.kind == "paragraph" and "甲省" in b.text]
    cells = {(c.subject, c.surface): c.value for c in doc.claims}
    assert cells[("甲省本级", "789.48")] == "78948000000"


def test_two_columns_under_one_ruled_cell_are_split_by_the_blank_strip_between_them(tmp_path):
    """Column rules between the label, the unit and the values only: 产量 and 比上年增长% share one
    ruled column, their numbers side by side on every line."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        x0, xu, xv, x1, top = 110.0, 240.0, 310.0, 530.0, 100.0
        _text(page, 180, top - 8, "2025年规模以上工业主要产品产量及增速", 10.5)
        page.draw_line((x0, top), (x1, top), width=0.7)
        for x, head in ((150, "产品名称"), (262, "单位"), (340, "产量"), (460, "比上年增长%")):
            _text(page, x, top + 13, head)
        page.draw_line((x0, top + 18), (x1, top + 18), width=0.5)
        y = top + 18
        for label, unit, amount, growth in (("工业机器人", "套", "21684", "105.3"), ("锂离子电池", "万只", "6173.8", "45.2"),
                                            ("汽车", "万辆", "187.2", "-2.9"), ("钢材", "万吨", "228.7", "5.5")):
            y += 18
            _text(page, x0 + 2, y - 5, label)
            _text(page, 265, y - 5, unit)
            _text(page, 340, y - 5, amount)  # digits of this face are 9 pt wide
            _text(page, 470, y - 5, growth)
        page.draw_line((x0, y + 4), (x1, y + 4), width=0.5)
        for x in (xu, xv):
            page.draw_line((x, top), (x, y + 4), width=0.5)
    doc = _pdf(tmp_path / "split.pdf", draw)
    (table,) = _tables(doc)
    rows = [r.split("\t") for r in table.text.split("\n")]
    assert rows[0] == ["产品名称", "单位", "产量", "比上年增长%"]
    assert rows[3] == ["汽车", "万辆", "187.2", "-2.9"]
    cells = {(c.subject, c.surface): (c.value, c.unit, c.change) for c in doc.claims}
    assert cells[("锂离子电池", "6173.8")] == ("61738000", "只", "")
    assert cells[("汽车", "-2.9")] == ("-2.9", "%", "increase")


def test_a_group_row_gives_its_unit_to_the_indented_rows_under_it(tmp_path):
    """"货物运输总量（万吨）" over 铁路 and 公路 set further right: their 绝对量 cells are 万吨 too; the next
    group row states its own unit."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        cols, top = (60, 300, 420, 540), 100.0
        page.draw_line((cols[0], top), (cols[-1], top), width=1.4)
        for c, head in enumerate(("指标", "绝对量", "增速（%）")):
            _text(page, cols[c] + 4, top + 15, head)
        page.draw_line((cols[0], top + 22), (cols[-1], top + 22), width=0.5)
        y = top + 22
        for indent, label, amount, growth in ((0, "货物运输总量（万吨）", "9976.0", "6.1"), (18, "铁路", "1162.4", "18.8"),
                                              (18, "公路", "8704.6", "3.5"), (0, "货物运输周转总量（亿吨公里）", "430.7", "0.8"),
                                              (18, "铁路", "231.1", "1.1")):
            y += 16
            for x, text in ((cols[0] + 4 + indent, label), (cols[1] + 4, amount), (cols[2] + 4, growth)):
                _text(page, x, y - 4, text)
        for x in cols[1:-1]:
            page.draw_line((x, top), (x, y + 4), width=0.5)
        page.draw_line((cols[0], y + 4), (cols[-1], y + 4), width=1.4)
    doc = _pdf(tmp_path / "groups.pdf", draw)
    cells = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert cells[("铁路", "1162.4")] == ("11624000", "吨")
    assert cells[("铁路", "231.1")] == ("23110000000", "吨公里")
    assert cells[("公路", "3.5")] == ("3.5", "%")


def test_a_run_printed_twice_to_look_bold_is_read_once(tmp_path):
    """Fake bold: the heading and a figure drawn a second time over themselves; a footnote mark set
    raised inside the heading stays on its line."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        for _ in range(2):
            _text(page, 100, 100, "（一）一般公共预算", 15.7)
        _text(page, 100 + 15.7 * 9, 96, "①", 7.9)
        for _ in range(2):
            _text(page, 100 + 15.7 * 9 + 7.9, 100, "执行情况", 15.7)
        page.insert_textbox(pymupdf.Rect(72, 120, 523, 200), "全市一般公共预算收入完成107.14亿元，为预算的97.9%。",
                            fontname=FONT, fontsize=15.7)
        for _ in range(2):
            _text(page, 72, 230, "总计169.59亿元", 15.7)
    doc = _pdf(tmp_path / "overprint.pdf", draw)
    assert doc.raw.count("一般公共预算") == 2 and "169.59亿元" in doc.raw and doc.raw.count("169.59") == 1
    assert "（一）一般公共预算①执行情况" in doc.raw
    assert [c.surface for c in doc.claims if "169" in c.surface] == ["169.59亿元"]


def _filled_header(page, cols, top, rows_of_heads, pitch=14.4):
    """A header drawn as coloured cells, one rectangle per cell, rows of (x, text)."""
    for r, heads in enumerate(rows_of_heads):
        y = top + r * pitch
        for a, b in zip(cols, cols[1:], strict=False):
            page.draw_rect(pymupdf.Rect(a, y, b, y + pitch), color=None, fill=(0, 0.32, 0.61))
        for x, text in heads:
            _text(page, x, y + pitch - 4, text)
    return top + len(rows_of_heads) * pitch


def test_a_filled_header_over_rows_ruled_one_by_one_is_one_table(tmp_path):
    """Rating reports draw the header as coloured cells and rule every body row across the table,
    with no column rules: the body runs down through the row rules, under the caption's unit list."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        cols = (112, 206, 319, 432, 546)
        _text(page, 118, 96, "图表4 公司资产主要构成情况（单位：亿元、%）", 10.4)
        page.draw_line((cols[0], 100), (cols[-1], 100), width=1.4)
        y = _filled_header(page, cols, 101, [[(150, "项目"), (243, "2023年末"), (356, "2024年末"), (469, "2025年末")]])
        page.draw_line((cols[0], y), (cols[-1], y), width=0.5)
        for label, values in (("资产总额", ("116.86", "132.13", "131.96")), ("流动资产合计", ("108.68", "115.42", "115.50")),
                              ("货币资金", ("2.46", "1.18", "1.58")), ("资产负债率", ("47.68", "53.76", "56.94"))):
            _text(page, 118, y + 12, label)
            for x, v in zip((287, 400, 513), values, strict=True):
                _text(page, x, y + 12, v)
            y += 16.1
            page.draw_line((cols[0], y), (cols[-1], y), width=0.5)
        _text(page, 118, y + 12, "资料来源：公司审计报告", 7.5)
    doc = _pdf(tmp_path / "rowruled.pdf", draw)
    (table,) = _tables(doc)
    assert table.text.count("\n") == 4
    cells = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert cells[("流动资产合计", "115.42")] == ("11542000000", "元")
    assert cells[("货币资金", "1.58")] == ("158000000", "元")
    assert cells[("资产负债率", "56.94")] == ("56.94", "%")


def test_a_header_of_two_cell_rows_and_a_second_header_band_share_the_caption(tmp_path):
    """"2023年" over "收入 占比" drawn as cells, a body ruled only at its end, then a second band of
    header cells (毛利润, 毛利率) and its body: one caption's "（单位：亿元、%）" serves both."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        cols = (60, 160, 230, 300, 370, 440)  # this face's digits are 9 pt wide
        _text(page, 66, 96, "图表2 公司营业收入及毛利率构成情况（单位：亿元、%）", 10.4)
        y = _filled_header(page, cols, 101, [[(66, "业务类别"), (200, "2024年"), (340, "2025年")],
                                             [(172, "收入"), (242, "占比"), (312, "收入"), (382, "占比")]])
        for label, values in (("贸易", ("17.12", "94.15", "16.60", "94.26")), ("合计", ("18.18", "100.00", "17.61", "100.00"))):
            for x, v in zip((162, 232, 302, 372), values, strict=True):
                _text(page, x, y + 12, v)
            _text(page, 66, y + 12, label)
            y += 16.1
        page.draw_line((cols[0], y), (cols[-1], y), width=0.5)
        y = _filled_header(page, cols, y, [[(66, "业务类别"), (162, "毛利润"), (232, "毛利率"), (302, "毛利润"), (372, "毛利率")]])
        for x, v in zip((162, 232, 302, 372), ("0.01", "0.03", "0.01", "0.04"), strict=True):
            _text(page, x, y + 12, v)
        _text(page, 66, y + 12, "贸易")
        page.draw_line((cols[0], y + 16.1), (cols[-1], y + 16.1), width=0.5)
    doc = _pdf(tmp_path / "bands.pdf", draw)
    cells = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert cells[("贸易", "17.12")] == ("1712000000", "元")
    assert cells[("贸易", "94.26")] == ("94.26", "%")
    assert cells[("合计", "100.00")] == ("100", "%")
    assert cells[("贸易", "0.04")] == ("0.04", "%")


def test_one_ruled_row_that_holds_the_whole_body_is_read_a_line_a_row(tmp_path):
    """A header ruled row by row, a first body row ruled on its own, then every other row in one
    ruled band: each line of the band is a row, not one cell of run-together labels."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        cols, top = (60, 200, 320, 440), 100.0
        _text(page, 470, top - 6, "单位：亿元")
        for y in (top, top + 18, top + 36, top + 54):
            page.draw_line((cols[0], y), (cols[-1], y), width=0.5)
        for x, head in ((90, "地区"), (230, "债务限额"), (350, "债务余额")):
            _text(page, x, top + 13, head)
        for x, text in ((64, "甲省"), (204, "10228.96"), (324, "10174.56")):
            _text(page, x, top + 31, text)
        for x, text in ((64, "公式"), (204, "A"), (324, "B")):
            _text(page, x, top + 49, text)
        y = top + 54
        for label, a, b in (("甲省本级", "1903.77", "1871.59"), ("市县小计", "8325.19", "8302.97"),
                            ("乙市", "1823.82", "1823.30"), ("乙市本级", "983.93", "983.78")):
            y += 14
            for x, text in ((64, label), (204, a), (324, b)):
                _text(page, x, y - 3, text)
        page.draw_line((cols[0], y + 4), (cols[-1], y + 4), width=0.5)
        for x in cols:
            page.draw_line((x, top), (x, y + 4), width=0.5)
    doc = _pdf(tmp_path / "band.pdf", draw)
    cells = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert cells[("市县小计", "8302.97")] == ("830297000000", "元")
    assert cells[("乙市本级", "983.93")] == ("98393000000", "元")


def test_squeezed_punctuation_and_stroked_bold_keep_a_heading_whole(tmp_path):
    """"二、" whose mark's box reaches over the next piece ("“十四五”…"), and headings made bold by
    stroking the outline (render mode 2) over body text that is not: both are headings, and a
    bold lead that runs on past the line's end stays in its paragraph. Two such titles one under the
    other over a paragraph are both headings."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        page.insert_text((111.5, 148), "二、", fontname=FONT, fontsize=15.7)
        page.insert_text((127.5, 148), "“十四五”财政工作回顾", fontname=FONT, fontsize=15.7)
        page.insert_textbox(pymupdf.Rect(79, 160, 522, 240), "　　“十四五”时期是转型发展的关键五年，全市一般公共预算收入累计完成"
                            "561.1亿元，年均增长5.2%。", fontname=FONT, fontsize=15.7)
        page.insert_text((72, 270), "财务分析", fontname=FONT, fontsize=10.4, render_mode=2, border_width=0.03)
        page.insert_text((72, 290), "财务质量", fontname=FONT, fontsize=10.4, render_mode=2, border_width=0.03)
        page.insert_textbox(pymupdf.Rect(72, 300, 522, 370), "　　公司提供了2025年的合并财务报表，资产总额131.96亿元，负债总额75.13亿元，"
                            "所有者权益56.83亿元。", fontname=FONT, fontsize=10.4)
    doc = _pdf(tmp_path / "headings.pdf", draw)
    titles = [(s.number, s.title) for s in doc.sections]
    assert ("二", "“十四五”财政工作回顾") in titles
    assert ("", "财务分析") in titles and ("", "财务质量") in titles  # a part's title right above its first section's
    assert "561.1亿元" in [c.surface for c in doc.claims]


def test_rows_shaded_in_turn_inside_a_row_ruled_body_are_read_once(tmp_path):
    """Every other body row on a shaded band (each band a frame of its own) under a filled header
    whose body runs down through the row rules: each figure is one claim, not one per band."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        cols = (112, 206, 319, 432, 546)
        _text(page, 118, 96, "公司主要财务数据及指标（单位：亿元）", 10.4)
        y = _filled_header(page, cols, 101, [[(150, "项目"), (243, "2025年"), (356, "2024年"), (469, "2023年")]])
        page.draw_line((cols[0], y), (cols[-1], y), width=0.5)
        for n, (label, values) in enumerate((("总资产", ("486.24", "473.14", "471.94")), ("所有者权益", ("232.82", "232.93", "232.32")),
                                             ("总债务", ("194.07", "181.25", "187.36")), ("营业收入", ("6.67", "7.31", "11.49")))):
            if n % 2:  # a shaded band drawn cell by cell
                for a, b in zip(cols, cols[1:], strict=False):
                    page.draw_rect(pymupdf.Rect(a, y, b, y + 16.1), color=None, fill=(0.9, 0.9, 0.9))
            _text(page, 118, y + 12, label)
            for x, v in zip((287, 400, 513), values, strict=True):
                _text(page, x, y + 12, v)
            y += 16.1
            page.draw_line((cols[0], y), (cols[-1], y), width=0.5)
    doc = _pdf(tmp_path / "zebra.pdf", draw)
    assert len(_tables(doc)) == 1
    assert len(doc.claims) == 12
    assert {(c.subject, c.surface): c.value for c in doc.claims}[("总债务", "181.25")] == "18125000000"


def _padded_cell(page, x0, y0, x1, y1, fill, pad=5.3):
    """A shaded cell as Word draws it: four padding strips and the middle, each a rectangle of
    the same fill, edge to edge."""
    for r in ((x0, y0, x1, y0 + 1), (x0, y1 - 1, x1, y1), (x0, y0 + 1, x0 + pad, y1 - 1),
              (x1 - pad, y0 + 1, x1, y1 - 1), (x0 + pad, y0 + 1, x1 - pad, y1 - 1)):
        page.draw_rect(pymupdf.Rect(*r), color=None, fill=fill)


def test_a_zebra_table_without_row_rules_is_one_table_of_whole_rows(tmp_path):
    """A summary table in a rating report's side column: a dark header band, every other row on a
    pale band of another hue (no rule between the rows, only the bands' edges), a closing rule;
    labels wrapped over two lines with their figures set between them, a row of sector ratios.
    The bands are rows of one table, not a chart, and each label stays whole with its unit."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        cols = (56, 134, 185, 235, 286)
        for a, b in zip(cols, cols[1:], strict=False):
            _padded_cell(page, a, 261, b, 275, (0.08, 0.25, 0.42))
        for x, head in ((60, "指标/年份"), (150, "2018"), (200, "2019"), (250, "2020")):
            _text(page, x, 271, head, 7)
        rows = [(("地区生产总值（亿元）",), ("42,021.95", "45,828.31", "43,443.46")),
                (("地区生产总值增速", "（%）"), ("7.8", "7.5", "-5.0")),
                (("三次产业结构",), ("8.5:41.8:49.7", "8.3:41.7:50.0", "9.5:39.2:51.3")),
                (("固定资产投资增速", "（%）"), ("11.0", "10.6", "-18.8")),
                (("地方政府债务余额",), ("6,675.70", "8,039.98", "10,078.68")),
                (("一般公共预算收入", "（亿元）"), ("3,307.08", "3,388.57", "2,511.54"))]
        y = 275.0
        for n, (label, values) in enumerate(rows):
            height = 9.5 * len(label) + 5  # one line 14.5 points, a wrapped label 24 (as printed)
            if n % 2:
                for a, b in zip(cols, cols[1:], strict=False):
                    _padded_cell(page, a, y, b, y + height, (0.8, 0.925, 1.0))
            for i, part in enumerate(label):
                _text(page, 60, y + 10 + 9.5 * i, part, 7)
            for x, v in zip((140, 190, 240), values, strict=True):
                _text(page, x, y + height / 2 + 3, v, 7)
            y += height
        page.draw_line((55, y), (286, y), width=0.4)
    doc = _pdf(tmp_path / "zebra-bands.pdf", draw)
    assert len(_tables(doc)) == 1
    cells = {c.surface: (c.value, c.unit) for c in doc.claims}
    assert len(doc.claims) == 15  # five rows of figures, three years each; the ratios are no claims
    assert cells["-5.0"] == ("-5", "%") and cells["10.6"] == ("10.6", "%")
    assert cells["2,511.54"] == ("251154000000", "元") and cells["42,021.95"] == ("4202195000000", "元")
    assert cells["6,675.70"] == ("6675.7", "")


def test_cells_drawn_in_padding_strips_and_a_caption_unit_in_brackets(tmp_path):
    """Header cells shaded in padding strips (which would split each header row in three), a
    label column's head "科目" set between two header rows, and the unit closing the caption in
    brackets: one header of two rows, the body's figures in 亿元 under year and level."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        _text(page, 150, 596, "表5：2018~2020年湖北省地方综合财力构成（亿元）", 9)
        cols = (53, 188, 253, 312, 377, 436, 489)
        years = ((188, 312, "2018"), (312, 436, "2019"), (436, 489, "2020"))
        _padded_cell(page, cols[0], 602, cols[1], 638, (0.08, 0.25, 0.42))
        _text(page, 105, 623, "科目", 9)
        for a, b, year in years:
            _padded_cell(page, a, 602, b, 617, (0.08, 0.25, 0.42))
            _text(page, (a + b) / 2 - 10, 613, year, 9)
        for a, b in zip(cols[1:], cols[2:], strict=False):
            _padded_cell(page, a, 617.5, b, 638, (0.08, 0.25, 0.42))
        for x, head in ((205, "全省"), (265, "省本级"), (330, "全省"), (390, "省本级"), (450, "全省")):
            _text(page, x, 631, head, 9)
        y = 641.0
        for label, values in (("一般公共预算收入", ("3,307.08", "144.27", "3,388.57", "143.96", "2,511.54")),
                              ("政府性基金收入", ("3,535.13", "153.63", "3,474.91", "162.71", "3,229.28"))):
            page.draw_line((cols[0], y), (cols[-1], y), width=0.6, color=(0.85, 0.85, 0.85))
            _text(page, 58, y + 9, label, 9)
            for x, v in zip((200, 262, 325, 387, 445), values, strict=True):
                _text(page, x, y + 9, v, 9)
            y += 12.5
        page.draw_line((cols[0], y), (cols[-1], y), width=0.6, color=(0.85, 0.85, 0.85))
        for x in cols:
            page.draw_line((x, 641), (x, y), width=0.6, color=(0.85, 0.85, 0.85))
    doc = _pdf(tmp_path / "padded.pdf", draw)
    assert len(_tables(doc)) == 1
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[("政府性基金收入", "3,474.91")] == ("347491000000", "元")
    assert got[("一般公共预算收入", "144.27")] == ("14427000000", "元")


def test_a_group_row_left_unshaded_over_a_table_continued_overleaf(tmp_path):
    """A table that runs to the foot of its page goes on overleaf without its header, a group's
    name ("各地市") on a line of its own just above the first ruled row there: that line is a row of
    the same table, so the rows overleaf keep the header's years and the caption's unit."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        _text(page, 150, 690, "表7：2017~2019年各地一般公共预算收入（亿元）", 9)
        cols = (53, 150, 216, 282, 348)
        y = 700.0
        rows = [("地区", "2017", "2018", "2019"), ("省本级", "231.55", "144.27", "143.95")]
        rows += [(f"甲{i}市", f"{100 + i}.10", f"{110 + i}.20", f"{120 + i}.30") for i in range(8)]
        for row in rows:
            page.draw_line((cols[0], y), (cols[-1], y), width=0.6)
            for x, text in zip((58, 160, 226, 292), row, strict=True):
                _text(page, x, y + 9, text, 9)
            y += 12.5
        page.draw_line((cols[0], y), (cols[-1], y), width=0.6)
        for x in cols:
            page.draw_line((x, 700), (x, y), width=0.6)
        page = doc.new_page(width=595, height=842)
        _text(page, 58, 92, "各地市", 9)
        y = 97.0
        for label, a, b, c in (("乙市", "314.91", "295.52", "300.24"), ("丙市", "242.08", "237.24", "240.79")):
            page.draw_line((cols[0], y), (cols[-1], y), width=0.6)
            for x, text in zip((58, 160, 226, 292), (label, a, b, c), strict=True):
                _text(page, x, y + 9, text, 9)
            y += 12.5
        page.draw_line((cols[0], y), (cols[-1], y), width=0.6)
        for x in cols:
            page.draw_line((x, 97), (x, y), width=0.6)
        page.insert_textbox(pymupdf.Rect(72, 200, 523, 260), BODY, fontname=FONT, fontsize=10.5)
    doc = _pdf(tmp_path / "overleaf.pdf", draw)
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims if c.page == 2}
    assert got[("乙市", "295.52")] == ("29552000000", "元")
    assert got[("丙市", "240.79")] == ("24079000000", "元")


def test_a_header_row_naming_every_column_under_spanning_groups(tmp_path):
    """"调整前 | 调整后" spanning groups, then a row naming every column from 序号 on, with its
    units ("债券发行金额（万元）"): the header's lower row, so 序号 is no figure and the amounts
    take 万元."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        cols = (50, 80, 200, 270, 360, 450)
        y = 100.0
        rows = [("", "", "调整前债券资金信息", "", "", "调整后"), ("序号", "项目名称", "债券期限", "发行金额（万元）", "调减金额（万元）")]
        rows = [("", "调整前债券资金信息", "", "", ""), ("序号", "项目名称", "债券期限", "发行金额（万元）", "调减金额（万元）"),
                ("1", "文化活动中心建设", "10年", "11000", "84.18"), ("2", "智慧城市建设", "10年", "16000", "2551.54")]
        for row in rows:
            page.draw_line((cols[0], y), (cols[-1], y), width=0.6)
            for x, text in zip((54, 84, 204, 274, 364), row, strict=True):
                if text:
                    _text(page, x, y + 11, text, 8)
            y += 16
        page.draw_line((cols[0], y), (cols[-1], y), width=0.6)
        for x in cols:
            page.draw_line((x, 100 if x in (cols[0], cols[-1]) else 116), (x, y), width=0.6)
    doc = _pdf(tmp_path / "named.pdf", draw)
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[("智慧城市建设", "16000")] == ("160000000", "元")
    assert got[("文化活动中心建设", "84.18")] == ("841800", "元")
    assert not any(c.surface in ("1", "2") for c in doc.claims)


def test_a_caption_row_inside_the_frame_and_a_date_header_spanning_two_columns(tmp_path):
    """A rating report's table: its number, title and unit in the frame's first row, the column
    rules running through it; a header row of dates each spanning 金额 | 占比 ("2026 年3 月末"),
    the rule between them cutting the date. The first row is the caption (its unit statement
    applies), the dates stay whole, and no year is a figure."""
    def draw(doc):
        page = doc.new_page(width=595, height=842)
        cols = (70, 160, 210, 260, 310, 360)
        y = 100.0
        page.draw_line((cols[0], y), (cols[-1], y), width=0.6)
        _text(page, 74, y + 11, "表9 2023～2025 年末及2026 年3 月末公司资产构成（单位：亿元、%）", 8)
        y += 16
        page.draw_line((cols[0], y), (cols[-1], y), width=0.6)
        for x, piece in ((168, "2026"), (203, "年3"), (221, "月末"), (268, "2025"), (303, "年末")):
            _text(page, x, y + 11, piece, 8)  # words a narrow space apart, as a typesetter sets a date
        y += 16
        page.draw_line((cols[0], y), (cols[-1], y), width=0.6)
        for x, head in zip((74, 164, 214, 264, 314), ("项目", "金额", "占比", "金额", "占比"), strict=True):
            _text(page, x, y + 11, head, 8)
        for label, *cells in (("货币资金", "18.63", "2.04", "15.70", "1.75"), ("应收账款", "43.38", "4.75", "50.66", "5.64")):
            y += 16
            page.draw_line((cols[0], y), (cols[-1], y), width=0.6)
            for x, text in zip((74, 164, 214, 264, 314), (label, *cells), strict=True):
                _text(page, x, y + 11, text, 8)
        y += 16
        page.draw_line((cols[0], y), (cols[-1], y), width=0.6)
        for x in cols:
            page.draw_line((x, 100), (x, y), width=0.6)
    doc = _pdf(tmp_path / "caption-row.pdf", draw)
    captions = [b.text for b in doc.blocks if b.kind == "figure_caption"]
    assert any(t.startswith("表9") and "单位：亿元、%" in t for t in captions), captions
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[("货币资金", "18.63")] == ("1863000000", "元")
    assert got[("货币资金", "2.04")] == ("2.04", "%")
    assert got[("应收账款", "50.66")] == ("5066000000", "元")
    assert not any(c.surface in ("2026", "2025", "2023～2025") for c in doc.claims)
    cells = {c.text for c in doc.table_cells}
    assert "2026年3月末" in cells and "2025年末" in cells, cells


HELDOUT = Path(__file__).parent / "data" / "heldout"


def test_a_column_no_row_writes_in_is_no_column(tmp_path):
    """表7 of the 大公 rating report on 开封发投 (page 16): each year spans 收入 | 毛利率, and Word drew
    every shaded cell twice, the cell and its text area inside it, so the grid holds strips between
    a cell's rule and its text that no row writes in. They are no columns: left in, they shift the
    header's names off the columns, and the margins took the caption's 亿元 instead of %."""
    src = pymupdf.open(HELDOUT / "zh-Hans_kaifeng-fatou-2026-credit-rating-report.pdf")
    one = pymupdf.open()
    one.insert_pdf(src, from_page=15, to_page=15)
    one.save(tmp_path / "table7.pdf")
    doc = process_file(tmp_path / "table7.pdf")
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims if c.page == 1}
    assert got[("资金使用费", "0.62")] == ("62000000", "元"), got
    assert got[("资金使用费", "85.30")] == ("85.3", "%"), got
    assert got[("房地产业务", "-8.90")] == ("-8.9", "%"), got
    assert got[("其他", "38.56")] == ("38.56", "%"), got
    assert got[("租赁业务", "1.64")] == ("164000000", "元"), got


def _pages(tmp_path, name: str, first: int, last: int | None = None):
    """Pages ``first``..``last`` (1-based) of a held-out report, processed on their own."""
    src = pymupdf.open(HELDOUT / name)
    part = pymupdf.open()
    part.insert_pdf(src, from_page=first - 1, to_page=(last or first) - 1)
    part.save(tmp_path / "part.pdf")
    return process_file(tmp_path / "part.pdf")


def test_rows_shaded_in_turn_are_rows_of_one_table(tmp_path):
    """表11 of the 中证鹏元 rating report on 马鞍山宁博投资 (page 14): the header and the first row
    are one frame, each shaded row after that a one-row frame of its own, the rows between them
    unruled. Read as headers of tables of their own, every shaded row began a table running to the
    foot, so the rows below it were read two, three and four times, and the unshaded row under the
    header was lost to the text. The heading set right under the table is no row of it."""
    doc = _pages(tmp_path, "zh-Hans_maanshan-ningbo-2025-credit-rating-report.pdf", 14)
    got = [(c.subject, c.surface) for c in doc.claims if c.surface in ("14.13", "179.10", "5.55")]
    assert sorted(got) == [("应收账款", "14.13"), ("投资性房地产", "5.55"), ("资产总计", "179.10")], got
    assert any(s.title == "偿债能力" for s in doc.sections), [s.title for s in doc.sections]


def test_columns_a_ruled_column_holds_under_a_title_row_are_columns(tmp_path):
    """东方金诚's summary pages (桐城经开建投, pages 3-4): three peers' figures, or three years', side
    by side in one ruled column, under a title row across the table ("同业比较") or a title that
    runs over the column rule ("公司财务指标（单位：亿元、%）"), and year headers, which are numbers
    too. Each figure is a cell of its own, with the table's unit."""
    doc = _pages(tmp_path, "zh-Hans_tongcheng-2026-credit-rating-report.pdf", 3, 4)
    got = {(c.page, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[(1, "832.90")] == ("83290000000", "元"), got  # 同业比较: GDP of the second peer
    assert got[(2, "135.33")] == ("13533000000", "元"), got  # 资产总额 2024
    assert got[(2, "61.93")] == ("61.93", "%"), got  # 资产负债率 2024
    assert not any(re.fullmatch(r"[0-9.,%]+\s+[0-9.,%]+", c.surface) for c in doc.claims)  # no two figures run together


def test_a_ruled_row_of_four_items_over_its_total_is_four_rows(tmp_path):
    """石家庄 2018 budget, 国有资本经营预算收入 (page 32): one ruled row holds four items, two of
    them with figures in every column, over the 合计 row. Read as one cell each, the figures ran
    together ("41265574")."""
    doc = _pages(tmp_path, "zh-Hans_shijiazhuang-2018-budget-report.pdf", 32)
    got = {(c.subject, c.surface): c.value for c in doc.claims}
    assert got[("利润收入", "4126")] == "41260000", got
    assert got[("股利、股息收入", "4013")] == "40130000", got
    assert got[("股利、股息收入", "-26.8")] == "-26.8", got
    assert not any(len(c.surface) > 6 and c.surface.isdigit() for c in doc.claims)


def test_one_fill_drawing_the_bars_of_a_series_is_that_many_marks_of_a_chart(tmp_path):
    """图1 of the 中证鹏元 rating report on 马鞍山宁博投资 (page 14): a stacked bar chart of two years
    whose series are each one drawing of two rectangles, with a second axis of percentages. Counted
    by drawings it had two marks, no chart, and its ticks (200, 150 …, 96%, 94% …) became claims."""
    doc = _pages(tmp_path, "zh-Hans_maanshan-ningbo-2025-credit-rating-report.pdf", 14)
    ticks = {"200", "150", "100", "50", "96%", "92%", "88%", "84%", "80%"}
    assert not [c.surface for c in doc.claims if c.surface in ticks]
    assert any(c.surface == "179.10" for c in doc.claims)  # the table beside it is read


def test_a_table_goes_on_overleaf_past_the_footnotes_at_its_page_foot(tmp_path):
    """表11 of the 中证鹏元 rating report on 渭南城投 (pages 14-15): the caption, its unit and the
    header at the foot of page 14, two footnotes under them, the rows on page 15. The footnotes
    broke the table in two, and the rows overleaf lost the caption's 亿元; they are written after
    the table now."""
    doc = _pages(tmp_path, "zh-Hans_weinan-chengtou-2025-credit-rating-report.pdf", 14, 15)
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[("货币资金", "40.38")] == ("4038000000", "元"), got
    assert got[("存货", "167.92")] == ("16792000000", "元"), got
    assert doc.raw.index("货币资金") < doc.raw.index("应收棚改款是根据")


def test_a_shaded_row_of_figures_first_on_its_page_is_the_rest_of_a_table_from_overleaf(tmp_path):
    """表3 of the 中证鹏元 rating report on 渭南城投 goes on from page 8 to page 9, where an unshaded row
    (固定资产投资) comes first and a shaded one-row frame of figures second. That frame is no header
    over a table of its own: the rows above and below it go on from page 8's table, under its
    caption's 亿元."""
    doc = _pages(tmp_path, "zh-Hans_weinan-chengtou-2025-credit-rating-report.pdf", 8, 9)
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims if c.page == 2}
    assert got[("固定资产投资", "-7.8%")] == ("-7.8", "%"), got
    assert got[("社会消费品零售总额", "816.50")] == ("81650000000", "元"), got


def test_a_fill_inside_a_fill_of_its_colour_draws_no_rule(tmp_path):
    """表4 of the 中证鹏元 rating report on 柳州龙建 (page 9): three periods of 金额 | 占比 | 毛利率
    side by side, every header cell filled twice in one colour (the cell, then its text area a few
    points inside). The inner fill's edges, read as rules, split each header cell in three and
    left a blank column in the header only, so the shaded rows below had one column fewer than
    it and became a table of their own, without the caption's units; the unshaded row between
    them (土地整理) was lost."""
    doc = _pages(tmp_path, "zh-Hans_liuzhou-longjian-2025-credit-rating-report.pdf", 9)
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[("土地整理", "20,160.69")] == ("201606900", "元"), got
    assert got[("房地产", "43.38")] == ("43.38", "%"), got
    assert got[("酒店经营", "-95.33")] == ("-95.33", "%"), got
    assert got[("合计", "59,749.35")] == ("597493500", "元"), got


def test_shaded_rows_joined_in_one_frame_first_on_a_page_go_on_from_overleaf(tmp_path):
    """表2 of the 中证鹏元 rating report on 吉安家庐陵 goes on from page 8 to page 9, where an unshaded
    row (抚州市) comes first and two shaded rows, drawn as one frame of several rows, below it: the
    rows above the frame are rows of the table from overleaf too, not text. (Each shaded row was a
    frame of its own while every cell's inner fill drew rules; without those, the two are one.)"""
    doc = _pages(tmp_path, "zh-Hans_jian-xinluling-2026-credit-rating-report.pdf", 8, 9)
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims if c.page == 2}
    assert got[("抚州市", "2,298.11")] == ("229811000000", "元"), got
    assert got[("景德镇市", "172.69")] == ("17269000000", "元"), got


def test_a_frame_of_shaded_rows_reaching_into_a_ruled_body_adds_only_the_rows_below_it(tmp_path):
    """附录一 of the 东方金诚 rating report on 徐州高新 (page 21): the header's row rules run down
    through the first rows, and the frame of the shaded rows starts inside them and runs on to
    the foot. Read as a table of its own, its first rows were read twice. (The header was a
    frame of several ruled rows while its cells' inner fills drew rules, and stopped above them.)"""
    doc = _pages(tmp_path, "zh-Hans_xuzhou-gaoxin-2026-credit-rating-report.pdf", 21)
    cash = [c for c in doc.claims if c.surface == "2.81"]
    assert len(cash) == 1 and cash[0].value == "281000000", cash
    assert sum(1 for c in doc.claims if c.surface == "173.46") == 1


def test_an_unshaded_last_row_under_rows_shaded_in_turn_is_a_row_of_the_table(tmp_path):
    """附录一 of the 中证鹏元 rating report on 柳州龙建 (page 16): every other row is a shaded frame,
    and the last row (EBITDA利息保障倍数) is an unshaded one under the last frame, with no rule
    below it. The table ended at the last frame, and the row's figures became text without a unit."""
    doc = _pages(tmp_path, "zh-Hans_liuzhou-longjian-2025-credit-rating-report.pdf", 16)
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[("EBITDA利息保障倍数", "-3.28")] == ("-3.28", "倍"), got
    assert got[("EBITDA", "-39.10")] == ("-3910000000", "元"), got


def test_a_level_under_an_amount_and_its_growth_takes_its_label_s_unit(tmp_path):
    """表2 of the 中证鹏元 rating report on 柳州龙建 (page 8): each year spans 金额 | 增长率, and the row
    人均GDP（元） has one figure per year set across both columns, where the growth column holds it.
    It is a level in yuan, as its label says, not a growth rate in per cent."""
    doc = _pages(tmp_path, "zh-Hans_liuzhou-longjian-2025-credit-rating-report.pdf", 8)
    got = {(c.subject, c.surface): (c.value, c.unit, c.change) for c in doc.claims}
    assert got[("人均GDP", "71,104")] == ("71104", "元", ""), got


def test_a_spreadsheet_printed_without_borders_is_read_from_its_white_cells(tmp_path):
    """河南 2024 final accounts, 表12 (pages 29-31): the header is ruled, the rows overleaf are not;
    WPS drew each cell as a white fill and nothing else, and the label column not even that. Read as
    text, each column became one paragraph of run-together figures. The white cells are the grid,
    the words left of it its label column, and the rows go on from the table's header."""
    doc = _pages(tmp_path, "zh-Hans_henan-2024-final-accounts-tables.pdf", 29, 31)
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims if c.page >= 2}
    assert got[("鹤壁市", "948,122")] == ("9481220000", "元"), got
    assert got[("渑池县", "-5,467")] == ("-54670000", "元"), got
    assert got[("南阳市", "5,831,420")] == ("58314200000", "元"), got
    assert not any(len(c.surface) > 12 for c in doc.claims)


def test_rows_stacked_in_two_tables_side_by_side_are_read_line_by_line(tmp_path):
    """河南 2024 final accounts, 表31 (pages 72-73): receipts and spending side by side, each ruled
    body cell holding many lines, the right half more than the left (and one left label beside six
    right ones). Each half's lines are rows under its own labels, not one cell of run-together figures."""
    doc = _pages(tmp_path, "zh-Hans_henan-2024-final-accounts-tables.pdf", 71, 73)
    got = {(c.page, c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[(3, "稳定岗位补贴支出", "125,901")] == ("1259010000", "元"), got
    assert got[(3, "年终滚存结余", "19,567,765")] == ("195677650000", "元"), got
    assert got[(1, "技能提升补贴支出", "220.8")] == ("220.8", "%"), got
    assert got[(1, "收入总计", "89,530,945")] == ("895309450000", "元"), got


def test_captions_side_by_side_on_one_text_line_are_two_captions(tmp_path):
    """联合资信's rating report on 南平武夷 (page 14): 图表12 and 图表13 stand side by side, their
    captions given by the text layer as one line ("图表12 • …（单位：亿元）      图表13 • …（单位：亿元）").
    As one paragraph it stated no unit; as two captions each table has its 亿元."""
    doc = _pages(tmp_path, "zh-Hans_nanping-wuyi-2026-credit-rating-report.pdf", 14)
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[("营业总收入", "21.32")] == ("2132000000", "元"), got
    assert got[("筹资活动现金流量净额", "-17.86")] == ("-1786000000", "元"), got
    texts = [b.text for b in doc.blocks]
    assert "图表12 • 公司盈利能力情况（单位：亿元）" in texts and "图表13 • 公司现金流情况（单位：亿元）" in texts, texts


def test_a_table_s_open_body_ends_at_the_next_heading(tmp_path):
    """联合资信's 附件4 (page 21): three tables, each a ruled header over ruled rows whose column rules
    run on to the next table; between them an appendix heading in larger type and a sentence. The
    body ran on through them, and the headings became rows."""
    doc = _pages(tmp_path, "zh-Hans_nanping-wuyi-2026-credit-rating-report.pdf", 21)
    titles = [s.title for s in doc.sections]
    assert any(t.startswith("附件4-2") for t in titles) and any(t.startswith("附件4-4") for t in titles), titles
    assert not any("附件4-3" in b.text for b in doc.blocks if b.kind == "table")


def test_a_budget_table_s_header_of_three_rows_and_its_column_numbers(tmp_path):
    """防城港 2026 budget tables (page 6): "2025年预算 | 2026年预算" over "项目 | 完成调整预算% | 比2025年
    年初预算增减" over "年初预算数 … 建议数 | 金额 | %", then the columns' numbers ("1 | 2 | 3 |
    4=3/2*100 | 5 | 6=5-1 | 7=6/1*100"). 项目 beside the groups' names is the label column's head in a
    lower header row; a group named with a year in it is a name, not a figure; a head ending in %
    spans no column after it; the change named 金额 is money in 万元, the one named % a rate; and the
    numbers row is no row of figures."""
    doc = _pages(tmp_path, "zh-Hans_fangchenggang-2026-budget-tables.pdf", 6)
    got = {(c.subject, c.surface): (c.value, c.unit, c.change) for c in doc.claims}
    assert got[("一般公共服务支出", "98.7")] == ("98.7", "%", ""), got
    assert got[("一般公共服务支出", "-731")] == ("-7310000", "元", "increase"), got
    assert got[("一般公共服务支出", "-0.7")] == ("-0.7", "%", "increase"), got
    assert got[("一般公共服务支出", "111,369")] == ("1113690000", "元", ""), got
    assert not any(c.surface in ("4=3/2*100", "6=5-1") or c.sentence.startswith("\t1\t2\t3") for c in doc.claims)


def test_a_header_repeated_overleaf_and_a_bare_contents_heading_are_no_rows_and_no_heading(tmp_path):
    """防城港 2026 budget tables (pages 2, 19-20): the contents page's "目 录" heads no part (its
    entries, some without page numbers, are titles); a table run on overleaf repeats its header and
    its columns' numbers, which are no rows of figures."""
    doc = _pages(tmp_path, "zh-Hans_fangchenggang-2026-budget-tables.pdf", 2)
    assert not [s.title for s in doc.sections], [s.title for s in doc.sections]
    doc = _pages(tmp_path, "zh-Hans_fangchenggang-2026-budget-tables.pdf", 19, 20)
    assert not any(c.sentence.startswith("\t1\t2\t3") for c in doc.claims)


def test_a_caption_over_header_cells_left_at_a_page_foot_still_states_the_unit(tmp_path):
    """表9 of the 中证鹏元 rating report on 临沧国资 (pages 15-16): the caption "（单位：亿元）" and the
    header's top row (项目 | 2024年 | 2023年) at the foot of page 15, read as lines, the rest overleaf.
    The header cells between the caption and the table are no blocks that stand between them."""
    doc = _pages(tmp_path, "zh-Hans_lincang-guozi-2025-credit-rating-report.pdf", 15, 16)
    got = {(c.subject, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[("短期借款", "1.68")] == ("168000000", "元"), got
    assert got[("长期债务", "55.87")] == ("5587000000", "元"), got


def test_a_row_of_figures_written_with_their_units_is_no_header_row(tmp_path):
    """联合资信's rating report on 南平武夷 (page 6): "债券简称 | 发行规模 | 债券余额 …" over
    "19南平武夷债/19武夷债 | 5.30亿元 | 1.06亿元 …": a figure with its unit is a figure, so the row is
    a row of the body, not a header's lower row naming its columns."""
    doc = _pages(tmp_path, "zh-Hans_nanping-wuyi-2026-credit-rating-report.pdf", 6)
    assert {c.surface.replace(" ", "") for c in doc.claims} >= {"5.30亿元", "1.06亿元"}


def test_a_text_area_sharing_its_cells_corner_or_off_by_rounding_draws_no_rule():
    """Word draws a cell's background and then its text area in the same colour. The text area
    may start at the cell's own corner (only its right edge is inset), or sit a hundredth of a
    point outside the cell where the two were rounded apart: either way it is the cell's own
    background, and its edges are no column rules. A fill of another colour inside a cell is."""
    blue, grey = (0.0, 0.353, 0.686), (0.949, 0.949, 0.949)

    def fill(x0, y0, x1, y1, colour):
        return {"items": [("re", (x0, y0, x1, y1), 1)], "fill": colour, "color": None}

    drawings = [fill(132.3, 305.3, 176.2, 320.9, grey), fill(132.3, 305.3, 178.8, 320.9, grey),
                fill(179.1, 258.63, 225.3, 289.7, blue), fill(184.2, 258.62, 220.1, 274.1, blue),
                fill(230.0, 258.6, 270.0, 289.7, blue), fill(235.0, 262.0, 265.0, 280.0, grey)]
    assert _cell_paddings(drawings) == {(132.3, 305.3, 176.2, 320.9, grey), (184.2, 258.62, 220.1, 274.1, blue)}
    _hs, vs = rulings(drawings)
    assert not {round(x) for x, *_ in vs} & {176, 184, 220} and {235, 265} <= {round(x) for x, *_ in vs}
