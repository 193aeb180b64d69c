"""PDFs made from a text report with PyMuPDF: one or two columns, running header, page numbers,
and tab-separated tables drawn as tables with ruling lines. The tests compare what the PDF path
reads back with what the text path reads from the same report."""

from __future__ import annotations

import math
from pathlib import Path

import pymupdf

FONT = "china-s"
W, H = 595, 842
MARGIN = 56
HEADER = "微信就业影响力报告（全文）"
DISPLAY = 1.25  # headings are set this much larger than the running text


def _height(text: str, width: float, size: float) -> float:
    length = pymupdf.get_text_length(text, fontname=FONT, fontsize=size) if text else size
    lines = max(1, math.ceil(length / (0.8 * width - 2))) + 1  # word wrapping wastes room
    return lines * size * 1.45 + 2


def make_pdf(text: str, path: Path, columns: int = 1, size: float = 10.0, display: frozenset = frozenset()) -> Path:
    """``display``: lines set as headings are, larger than the running text."""
    doc = pymupdf.open()
    gutter = 20
    col_w = (W - 2 * MARGIN - (columns - 1) * gutter) / columns
    top, bottom = MARGIN + 10, H - MARGIN

    state = {"page": None, "col": 0, "y": top}

    def new_page():
        page = doc.new_page(width=W, height=H)
        n = doc.page_count
        page.insert_text((MARGIN, 34), HEADER, fontname=FONT, fontsize=8)
        page.insert_text((W / 2 - 12, H - 24), f"- {n} -", fontname=FONT, fontsize=8)
        state.update(page=page, col=0, y=top)

    def advance():
        if state["col"] + 1 < columns:
            state.update(col=state["col"] + 1, y=top)
        else:
            new_page()

    def put(text: str, fontsize: float = size) -> None:
        """Write a paragraph where the column has room, else at the top of the next column."""
        if state["page"] is None:
            new_page()
        for _ in range(3):
            if state["y"] > bottom - 3 * size:
                advance()
            x = MARGIN + state["col"] * (col_w + gutter)
            rect = pymupdf.Rect(x, state["y"], x + col_w, bottom)
            rc = state["page"].insert_textbox(rect, text, fontname=FONT, fontsize=fontsize, lineheight=1.45)
            if rc >= 0:
                state["y"] += rect.height - rc + size * 1.45  # a blank line between paragraphs
                return
            advance()
        raise AssertionError(f"paragraph does not fit a column: {text[:20]}")

    def place(height: float) -> tuple[float, float]:
        if state["page"] is None:
            new_page()
        if state["y"] + height > bottom:
            advance()
        x = MARGIN + state["col"] * (col_w + gutter)
        y = state["y"]
        state["y"] += height + size * 1.2
        return x, y

    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if "\t" in line:
            rows = []
            while i < len(lines) and "\t" in lines[i]:
                rows.append(lines[i].split("\t"))
                i += 1
            _table(doc, rows, place, state, col_w, size)
            continue
        # PyMuPDF wraps text boxes at spaces only, which would cut CJK lines short at every stray
        # space; a typesetter wraps CJK anywhere. No-break spaces keep the lines full.
        put(line.strip().replace(" ", "\u00a0"), size * DISPLAY if line.strip() in display else size)
        i += 1
    doc.save(path)
    return path


def _table(doc, rows, place, state, col_w, size):
    ncol = max(len(r) for r in rows)
    cell_size = size * 0.7
    cw = col_w / ncol
    for r, row in enumerate(rows):
        row = row + [""] * (ncol - len(row))
        h = max(_height(c.strip(), cw - 4, cell_size) for c in row) + 4
        x, y = place(h)
        state["y"] -= size * 1.2  # rows touch
        page = state["page"]
        for c, cell in enumerate(row):
            rect = pymupdf.Rect(x + c * cw, y, x + (c + 1) * cw, y + h)
            page.draw_rect(rect, color=(0, 0, 0), width=0.5)
            if cell.strip():
                page.insert_textbox(rect + (2, 2, -2, 0), cell.strip(), fontname=FONT, fontsize=cell_size,
                                    lineheight=1.45)
    state["y"] += size * 1.2


# A broker's research note: a sidebar of contacts and a small vector chart beside the body, a
# running header and footer, a hidden tracking code along the page's foot.
NOTE_SIDEBAR = ("分析师", "张三", "电话：021-12345678", "执业证书编号：S0000000000001", "联系人", "李四")
NOTE_BODY = (
    "公司2023年实现营业收入123.4亿元，同比增长15.2%；归母净利润12.3亿元，同比增长8.1%。"
    "毛利率为32.5%，较上年提升1.2个百分点，主要受益于产品结构优化和原材料价格回落。",
    "分业务看，汽车电子收入45.6亿元，占比37%；通信设备收入30.2亿元，同比下降3.4%。"
    "公司在手订单充足，预计全年出货量将达到1200万片，产能利用率维持在90%以上。",
    "我们预计公司2024-2025年归母净利润分别为15.1亿元和18.2亿元，对应市盈率20倍和17倍，"
    "维持“买入”评级。风险提示：下游需求不及预期，原材料价格大幅波动。",
)
NOTE_TICKS = ("40", "30", "20", "10", "0")
NOTE_YEARS = ("2019", "2020", "2021", "2022")
NOTE_LEGEND = "营业收入"
NOTE_TRACKING = "pXqRsT9uVwXyZ0aBcDeF"


def make_note_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    page.insert_text((40, 30), "证券研究报告 | 2024年03月01日", fontname=FONT, fontsize=8)
    page.insert_text((200, 70), "业绩稳健增长，盈利能力持续提升", fontname=FONT, fontsize=16)
    # the sidebar: contacts, then a chart of four bars with ticks, years and a legend
    y = 120.0
    for text in NOTE_SIDEBAR:
        page.insert_text((40, y), text, fontname=FONT, fontsize=9)
        y += 16
    top, left, bottom, right = 250.0, 70.0, 350.0, 175.0
    page.draw_rect(pymupdf.Rect(40, 235, 182, 385), color=(0.5, 0.5, 0.5), width=0.5)  # the chart's frame
    for k, height in enumerate((40, 55, 70, 90)):
        x = left + 8 + k * 25
        page.draw_rect(pymupdf.Rect(x, bottom - height, x + 14, bottom), color=None, fill=(0.2, 0.4, 0.8))
    page.draw_line((left, bottom), (right, bottom), color=(0.5, 0.5, 0.5), width=0.5)
    for k, tick in enumerate(NOTE_TICKS):
        page.insert_text((50, top + 4 + k * 25), tick, fontname=FONT, fontsize=7)
    for k, year in enumerate(NOTE_YEARS):
        page.insert_text((left + 4 + k * 25, bottom + 11), year, fontname=FONT, fontsize=7)
    page.draw_rect(pymupdf.Rect(95, 370, 103, 376), color=None, fill=(0.2, 0.4, 0.8))
    page.insert_text((106, 376), NOTE_LEGEND, fontname=FONT, fontsize=7)
    # the body, beside the sidebar
    y = 110.0
    for text in NOTE_BODY:
        rect = pymupdf.Rect(200, y, 555, y + 200)
        rc = page.insert_textbox(rect, "\u3000\u3000" + text, fontname=FONT, fontsize=10, lineheight=1.5)
        y += 200 - rc + 10
    page.insert_text((40, H - 30), "请务必阅读正文之后的免责声明", fontname=FONT, fontsize=8)
    page.insert_text((W / 2 - 4, H - 30), "1", fontname=FONT, fontsize=8)
    page.insert_text((400, H - 2), NOTE_TRACKING, fontname="helv", fontsize=3, fill_opacity=0)
    doc.save(path)
    return path
