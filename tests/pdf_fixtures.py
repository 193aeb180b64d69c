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


def _height(text: str, width: float, size: float) -> float:
    length = pymupdf.get_text_length(text, fontname=FONT, fontsize=size) if text else size
    lines = max(1, math.ceil(length / (0.8 * width - 2))) + 1  # word wrapping wastes room
    return lines * size * 1.45 + 2


def make_pdf(text: str, path: Path, columns: int = 1, size: float = 10.0) -> Path:
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
        put(line.strip().replace(" ", "\u00a0"))
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
