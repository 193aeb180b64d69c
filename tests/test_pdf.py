"""PDF reports read as well as the same report in text: structure, claims, pages and boxes."""


from pathlib import Path

import pymupdf
import pytest

from pipeline.errors import ReportError
from pipeline.process import process_file

from conftest import CORPUS, DATA, SAMPLE, need
from pdf_fixtures import HEADER, make_pdf
from test_equivalence import signature


HEADING_KINDS = {"part_number", "part_title", "section_number", "section_title", "section_heading",
                 "subsection_heading", "case_title"}


@pytest.fixture(scope="module", params=[1, 2], ids=["one-column", "two-columns"])
def pdf_doc(request, tmp_path_factory, sample_doc):
    """The sample typeset as a PDF, its headings (as the text path reads them) set larger."""
    path = tmp_path_factory.mktemp("pdf") / f"sample-{request.param}.pdf"
    headings = frozenset(sample_doc.raw[b.raw_start:b.raw_end].strip() for b in sample_doc.blocks
                         if b.kind in HEADING_KINDS)
    make_pdf(SAMPLE.read_text(encoding="utf-8"), path, columns=request.param, display=headings)
    return process_file(path)


def test_pdf_reads_like_the_text(pdf_doc, sample_doc):
    assert pdf_doc.pages > 10
    assert signature(pdf_doc) == signature(sample_doc)


def test_pdf_provenance(pdf_doc):
    for c in pdf_doc.claims:
        assert pdf_doc.raw[c.raw_start:c.raw_end] == c.surface
        assert c.page and 1 <= c.page <= pdf_doc.pages
        b = c.bbox
        assert 0 <= b.x0 <= b.x1 <= 595 and 0 <= b.y0 <= b.y1 <= 842
    assert all(b.page for b in pdf_doc.blocks)
    info = pdf_doc.source_info["page_info"]
    assert [p["page"] for p in info] == list(range(1, pdf_doc.pages + 1))
    assert {p["text_from"] for p in info} == {"pymupdf"} and sum(p["tables"] for p in info) >= 1
    assert all((p["width"], p["height"]) == (595, 842) for p in info)


def test_headers_footers_and_page_numbers_are_furniture(pdf_doc):
    furniture = [b for b in pdf_doc.blocks if b.kind == "furniture"]
    assert len(furniture) == 2 * pdf_doc.pages  # a running header and a page number per page
    assert {b.text for b in furniture if not b.text.startswith("-")} == {HEADER}
    spans = [(b.raw_start, b.raw_end) for b in furniture]
    for c in pdf_doc.claims:
        assert not any(a <= c.raw_start < b for a, b in spans)


@pytest.mark.parametrize(
    "name, reason",
    [
        ("qpdf_bad1_not-a-pdf.pdf", "not_pdf"),
        ("derived_truncated_crazyones_60pct.pdf", "truncated_or_corrupt"),
        ("qpdf_issue-146_deep-nested-array.pdf", "truncated_or_corrupt"),
        ("pdfjs_issue6010_2_utf8-password.pdf", "encrypted_needs_password"),
    ],
)
def test_bad_pdfs_fail_with_their_reason(name, reason):
    with pytest.raises(ReportError) as err:
        process_file(DATA / "bad_pdfs" / name)
    assert err.value.reason == reason
    assert name in str(err.value)


def test_an_empty_owner_password_is_no_password():
    """AES-256 R6 with a user password and an empty owner password: MuPDF asks for a password,
    pdfminer opens it with the empty one. No password is needed, so the report is read."""
    doc = process_file(DATA / "bad_pdfs" / "pypdf_r6-user-password_aes256.pdf")
    assert "pdfencryptiontest" in doc.raw
    assert [p["text_from"] for p in doc.source_info["page_info"]] == ["pdfplumber"]
    assert all(b.page == 1 for b in doc.blocks)


def test_a_page_pymupdf_cannot_decode_is_read_by_pdfplumber():
    from pipeline.pdf import read_pdf_report

    pdf = read_pdf_report(DATA / "bad_pdfs" / "pdfminer_issue-791_non-unicode-cmap.pdf", 10**8)
    assert [p["text_from"] for p in pdf.page_info] == ["pdfplumber"]
    assert pdf.text.startswith("Peněžní prostředky na účtech")
    first = pdf.boxes[0]
    assert first.page == 1 and len(first.chars) == 4 * (first.end - first.start)
    box = first.box(first.start, first.end)
    assert box.x1 > box.x0 and box.y1 > box.y0


def _pages_pdf(path, texts):
    """One page per text; None makes a page whose font has no Unicode map: control codes in a
    WinAnsi font, which PyMuPDF returns as control characters and pdfplumber as (cid:N)."""
    import pymupdf

    doc = pymupdf.open()
    for text in texts:
        page = doc.new_page(width=595, height=842)
        if text is None:
            page.insert_text((72, 72), "x", fontname="helv")
            codes = b"".join(b"\\%03o" % c for c in bytes(range(1, 31)) * 3)
            doc.update_stream(page.get_contents()[0], b"BT /helv 12 Tf 72 720 Td (" + codes + b") Tj ET")
        elif text:
            page.insert_textbox(pymupdf.Rect(56, 80, 540, 400), text, fontname="china-s", fontsize=10)
    doc.save(path)
    return path


def test_garbled_pages_that_ocr_cannot_read_are_named_and_image_pages_skipped(tmp_path):
    """A page of control codes: no Unicode map, and no glyph drawn for OCR to read."""
    body = "全年全市地区生产总值1234.5亿元，比上年增长5.2%。" * 3
    ok = process_file(_pages_pdf(tmp_path / "blank.pdf", [body, "", body]))
    assert ok.pages == 3 and {b.page for b in ok.blocks} == {1, 3}  # the empty page is no error
    with pytest.raises(ReportError) as err:
        process_file(_pages_pdf(tmp_path / "garbled.pdf", [body, None, body]))
    assert err.value.reason == "mojibake_suspected"
    assert "pages 2 " in str(err.value) and "garbled.pdf" in str(err.value)


@pytest.mark.parametrize("name, text", [
    ("pdfjs_issue3521_gbkp-euc-h-cmap.pdf", "我们都是黑体字"),
    ("pdfjs_xref_command_missing.pdf", None),
    ("qpdf_issue-149_xref-prev-loop.pdf", None),
    ("qpdf_pages-loop.pdf", None),
    ("pdfminer_issue-1113_circular-xobjects.pdf", None),
])
def test_damaged_but_readable_pdfs(name, text):
    doc = process_file(DATA / "bad_pdfs" / name)
    assert doc.raw.strip()
    if text:
        assert text in doc.raw


ZHOUKOU = CORPUS / "zh-Hans_zhoukou-2023-statistical-bulletin.pdf"


def test_real_bulletin_tables_units_and_headings():
    doc = process_file(need(ZHOUKOU))
    assert doc.title_page.title == "2023年周口市国民经济和社会发展统计公报"
    numbered = [s.title for s in doc.sections if s.level == "section"]
    assert numbered[:3] == ["综合", "农业", "工业和建筑业"]
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) >= 5
    first = tables[0].cells
    assert first[0] == ("指标", "年末数（万人）", "比重（%）")
    assert first[2][:2] == ("其中：城镇", "392.66")
    cell = next(c for c in doc.claims if c.surface == "392.66")
    assert (cell.value, cell.unit, cell.kind, cell.page) == ("3926600", "人", "count", 1)
    pct = next(c for c in doc.claims if c.surface == "45.31" and c.block_id == tables[0].block_id)
    assert pct.unit == "%" and pct.kind == "percent"
    assert not any(c.surface.strip("- ") == "1" for c in doc.claims)  # page numbers are furniture


CHENGDU = CORPUS / "zh-Hans_chengdu-2021-statistical-bulletin.pdf"


def test_the_pdf_and_the_markdown_of_one_bulletin_give_the_same_claims():
    """The Chengdu bulletin ships as a PDF and as Markdown (annotated by hand: F1 1.000). Its
    tables are full grids drawn as thin filled rectangles, and its page numbers sit above the
    bottom margin, in the middle of paragraphs that run on overleaf."""
    from collections import Counter

    pdf = process_file(need(CHENGDU))
    md = process_file(need(CHENGDU.with_suffix(".ocr.md")))
    a = Counter((c.value, c.unit, c.kind) for c in pdf.claims)
    b = Counter((c.value, c.unit, c.kind) for c in md.claims)
    common = sum((a & b).values())
    assert common / sum(a.values()) >= 0.98 and common / sum(b.values()) >= 0.98
    products = next(t for t in pdf.blocks if t.kind == "table" and t.cells[0][0] == "产品名称")
    assert products.cells[1] == ("汽车", "万辆", "62.6", "15.1")
    import re

    page_number = re.compile(r"— *[0-9]+ *—")
    assert sum(1 for b in pdf.blocks if b.kind == "furniture" and page_number.fullmatch(b.text)) == pdf.pages
    assert not any(page_number.search(b.text) for b in pdf.blocks if b.kind != "furniture")


# The bulletins of the shared corpus (tests/data/corpus also holds development reports, some of
# them broken on purpose, which other tests read).
CORPUS_PDFS = [CORPUS / f"zh-Hans_{name}-statistical-bulletin.pdf" for name in ("chengdu-2021", "qiandongnan-2023",
                                                                                 "zhoukou-2023")]
BOX_TOLERANCE = 2.0  # points, on each edge: a box this close covers the same characters


def _page_chars(page) -> list[tuple[str, tuple]]:
    """PyMuPDF's own characters of a page with their boxes, spaces left out, in its order."""
    return [(c["c"], c["bbox"]) for b in page.get_text("rawdict")["blocks"] for ln in b.get("lines", ())
            for s in ln["spans"] for c in s["chars"] if not c["c"].isspace()]


def _reference_box(chars, text, surface, near):
    """The box PyMuPDF gives the claim's surface: its characters on the line where it starts,
    at the occurrence nearest the claim's box (a surface can occur more than once on a page).
    A claim that runs on overleaf has only its first part on this page."""
    key = "".join(surface.split())
    while len(key) > 1 and key not in text:
        key = key[:-1]
    best = None
    i = text.find(key)
    while i != -1:
        first = chars[i][1]
        cy, half = (first[1] + first[3]) / 2, (first[3] - first[1]) / 2
        own = [b for _c, b in chars[i:i + len(key)] if abs((b[1] + b[3]) / 2 - cy) < half]
        ref = (min(b[0] for b in own), min(b[1] for b in own), max(b[2] for b in own), max(b[3] for b in own))
        off = max(abs(a - b) for a, b in zip(ref, near))
        best = off if best is None else min(best, off)
        i = text.find(key, i + 1)
    return best


def test_claim_boxes_are_the_boxes_of_their_characters():
    """On the corpus PDFs, at least 99% of claims have a box within 2 pt (each edge) of the box
    PyMuPDF itself gives their characters, and every claim has a box."""
    import pymupdf

    assert CORPUS_PDFS, f"no PDF in {CORPUS}: the shared corpus is needed for this check"
    for path in CORPUS_PDFS:
        doc = process_file(need(path))
        assert doc.claims, path.name
        assert all(len(p.chars) == 4 * (p.end - p.start) for p in doc.boxes)  # a box per character
        near, pages = 0, {}
        with pymupdf.open(path) as pdf:
            for c in doc.claims:
                assert c.page and c.bbox is not None, (path.name, c.surface)
                if c.page not in pages:
                    chars = _page_chars(pdf[c.page - 1])
                    pages[c.page] = (chars, "".join(ch for ch, _b in chars))
                b = c.bbox
                off = _reference_box(*pages[c.page], c.surface, (b.x0, b.y0, b.x1, b.y1))
                near += off is not None and off <= BOX_TOLERANCE
        share = near / len(doc.claims)
        print(f"{path.name}: {near}/{len(doc.claims)} claim boxes within {BOX_TOLERANCE} pt ({share:.1%})")
        assert share >= 0.99, (path.name, share)


def test_a_wrapped_claim_is_boxed_on_its_first_line(tmp_path):
    """A number wrapped across two lines gets the box of its part on the first line; the block
    gets the union of all its lines."""
    import pymupdf

    path = tmp_path / "wrapped.pdf"
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    text = "全年全市地区生产总值达到了" * 3 + "1234.5亿元，比上年增长5.2%。"
    page.insert_textbox(pymupdf.Rect(72, 72, 72 + 10.5 * 40.3, 300), text, fontname="china-s", fontsize=10.5)
    pdf.save(path)
    doc = process_file(path)
    claim = next(c for c in doc.claims if c.value == "123450000000")
    with pymupdf.open(path) as pdf:
        first, second = (ln for b in pdf[0].get_text("rawdict")["blocks"] for ln in b["lines"])
    one = first["spans"][-1]["chars"][-1]  # "1" ends the first line, "234.5亿元" starts the second
    assert one["c"] == "1" and second["spans"][0]["chars"][0]["c"] == "2"
    b = claim.bbox
    assert max(abs(a - r) for a, r in zip((b.x0, b.y0, b.x1, b.y1), one["bbox"])) <= 0.1
    block = next(bl for bl in doc.blocks if bl.raw_start <= claim.raw_start < bl.raw_end)
    assert block.bbox.contains(b) and block.bbox.y1 > b.y1 + 5


def test_headings_on_consecutive_lines_stay_two_headings(tmp_path):
    """"二、农业" above "（一）种植业", in the body's size and weight: two headings, not one
    section titled "农业（一）种植业"."""
    import pymupdf

    path = tmp_path / "headings.pdf"
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    body = "\u3000\u3000" + "全年粮食总产量123.4万吨，比上年增长1.2%。" * 6
    y = 80.0
    for text in ("二、农业", "（一）种植业", body, "（二）畜牧业", body, "三、工业和建筑业", "（一）工业", body):
        if text is body:
            rc = page.insert_textbox(pymupdf.Rect(72, y - 10, 523, y + 200), text, fontname="china-s",
                                     fontsize=10.5, lineheight=1.6)
            y += 200 - rc + 6
        else:
            page.insert_text((72, y), text, fontname="china-s", fontsize=10.5)
            y += 10.5 * 1.6
    pdf.save(path)
    doc = process_file(path)
    assert [(s.level, s.number, s.title) for s in doc.sections] == [
        ("section", "二", "农业"), ("subsection", "一", "种植业"), ("subsection", "二", "畜牧业"),
        ("section", "三", "工业和建筑业"), ("subsection", "一", "工业")]
    assert doc.raw.count("全年粮食总产量123.4万吨") == 18  # the paragraphs are whole


def test_a_research_note_reads_its_sidebar_and_body_apart(tmp_path):
    """A broker's note: contacts and a chart in a sidebar beside the body. The body's paragraphs
    come out whole (no sidebar line inside them), the chart's ticks, years and legend are figure
    text with no claims, a hidden tracking code is not read, and the body's claims have boxes in
    the body column."""
    from pdf_fixtures import NOTE_BODY, NOTE_LEGEND, NOTE_SIDEBAR, NOTE_TICKS, NOTE_TRACKING, NOTE_YEARS
    from pdf_fixtures import make_note_pdf

    doc = process_file(make_note_pdf(tmp_path / "note.pdf"))
    paragraphs = [b.text for b in doc.blocks if b.kind == "paragraph"]
    for text in NOTE_BODY:
        assert text in paragraphs, text[:20]
    for line in NOTE_SIDEBAR:
        assert not any(line in p for p in paragraphs if p in NOTE_BODY), line
    assert doc.raw.index(NOTE_SIDEBAR[0]) < doc.raw.index(NOTE_BODY[0])  # a column, then the next
    assert NOTE_TRACKING not in doc.raw
    figure_text = {b.text for b in doc.blocks if b.kind == "furniture"}
    assert set(NOTE_TICKS) <= figure_text and NOTE_LEGEND in figure_text
    assert any(all(y in t for y in NOTE_YEARS) for t in figure_text)
    ticks = [c for c in doc.claims if c.surface in NOTE_TICKS or c.surface in NOTE_YEARS]
    assert ticks == []
    assert not any(s.title in NOTE_SIDEBAR for s in doc.sections)  # labels in body type: no headings
    revenue = next(c for c in doc.claims if c.surface == "123.4亿元")
    assert (revenue.value, revenue.unit) == ("12340000000", "元")
    body = [c for c in doc.claims if any(c.sentence in t for t in NOTE_BODY)]
    assert len(body) >= 15 and all(c.bbox.x0 >= 200 for c in body)


def test_a_page_of_symbol_font_glyphs_is_read_from_its_image(tmp_path):
    """Private-use code points are a symbol font's bullets, left out of the text; a page whose
    whole text decodes to them is a font without a usable Unicode map. Its glyphs are drawn
    right, so OCR reads the page from its image, and the page is flagged as garbled."""
    import pymupdf

    path = tmp_path / "pua.pdf"
    pdf = pymupdf.open()
    first = pdf.new_page(width=595, height=842)
    first.insert_textbox(pymupdf.Rect(56, 80, 540, 400), "全年全市地区生产总值1234.5亿元，比上年增长5.2%。",
                         fontname="china-s", fontsize=10)
    page = pdf.new_page(width=595, height=842)
    page.insert_text((72, 100), "ABCDEFGHIJ" * 5, fontname="helv", fontsize=10)
    font = next(f[0] for f in page.get_fonts() if f[3] == "Helvetica")
    to_unicode = pdf.get_new_xref()  # every code maps into the private-use area
    pdf.update_object(to_unicode, "<<>>")
    pdf.update_stream(to_unicode, b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
                      b"/CMapName /PUA def /CMapType 2 def 1 begincodespacerange <00> <FF> endcodespacerange "
                      b"1 beginbfrange <20> <7E> <E020> endbfrange endcmap CMapName currentdict /CMap "
                      b"defineresource pop end end")
    pdf.xref_set_key(font, "ToUnicode", f"{to_unicode} 0 R")
    pdf.save(path)
    with pymupdf.open(path) as check:
        assert check[1].get_text().startswith("\ue041")
    doc = process_file(path)
    page2 = doc.source_info["page_info"][1]
    assert page2["garbled_text_layer"] is True and page2["text_from"] == "ocr"
    assert "ABCDEFGHIJABCDEFGHIJ" in doc.raw.replace(" ", "") and "\ue041" not in doc.raw
    assert doc.source_info["page_info"][0]["text_from"] == "pymupdf"


def test_contents_entries_are_no_text(tmp_path):
    """A table of contents ("2.1 核回归 ……… 4"): its entries point at headings; they are no
    headings and their numbers no claims."""
    import pymupdf

    path = tmp_path / "contents.pdf"
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    page.insert_text((72, 80), "内容目录", fontname="china-s", fontsize=14)
    for k, (entry, at) in enumerate((("一、引言", "3"), ("2.1 核回归", "- 4 -"), ("2.2 带宽的选择", "5"))):
        page.insert_text((72, 110 + 18 * k), entry + " " + "." * 40 + " " + at, fontname="china-s", fontsize=10)
    page = pdf.new_page(width=595, height=842)
    page.insert_text((72, 80), "一、引言", fontname="china-s", fontsize=14)
    page.insert_textbox(pymupdf.Rect(72, 95, 523, 300), "\u3000\u3000" + "全年全市地区生产总值1234.5亿元，比上年增长5.2%。" * 3,
                        fontname="china-s", fontsize=10)
    pdf.save(path)
    doc = process_file(path)
    assert [(s.number, s.title) for s in doc.sections] == [("一", "引言")]
    assert {c.page for c in doc.claims} == {2}


def test_a_contents_page_without_page_numbers_lists_titles_not_headings(tmp_path):
    """A contents page under "…目录" whose entries carry no page numbers ("一、…限额余额表"):
    the entries are titles of what follows, not sections of the report."""
    import pymupdf

    path = tmp_path / "contents-unpaged.pdf"
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    page.insert_text((143, 100), "2024年政府债务情况公开表格目录", fontname="china-s", fontsize=18)
    for k, entry in enumerate(("一、2024年全市政府一般债务限额余额表", "二、2024年市级政府一般债务余额情况表",
                               "三、2024年地方政府债券还本付息表")):
        page.insert_text((57, 190 + 46 * k), entry, fontname="china-s", fontsize=14)
    page = pdf.new_page(width=595, height=842)
    page.insert_text((72, 80), "一、债务概况", fontname="china-s", fontsize=14)
    page.insert_textbox(pymupdf.Rect(72, 95, 523, 300), "\u3000\u3000" + "全市政府债务余额1234.5亿元，比上年增长5.2%。" * 3,
                        fontname="china-s", fontsize=10)
    pdf.save(path)
    doc = process_file(path)
    assert [(s.number, s.title) for s in doc.sections] == [("一", "债务概况")]
    assert {c.page for c in doc.claims} == {2}


# --- paragraph rules on lines placed one by one ---------------------------------------------------

def _placed_lines_pdf(path, lines, size=20.0, left=72.0, pitch=32.0):
    """A page whose lines stand where they are given: (indent in characters, text)."""
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    for i, (indent, text) in enumerate(lines):
        page.insert_text((left + indent * size, 100 + i * pitch), text, fontname="china-s", fontsize=size)
    pdf.save(path)
    return path


FULL = "全年地区生产总值比上年增长百分之五点二其中"  # 22 characters: the measure at 20 pt
TAIL = "第三产业增加值增长百分之六点一。"  # the short last line of a paragraph


def test_a_numbered_line_runs_on_under_its_text_with_a_hanging_indent(tmp_path):
    """A full numbered line whose next line starts under the text after its number is one item."""
    first = "一、" + FULL[:20]
    doc = process_file(_placed_lines_pdf(tmp_path / "hanging.pdf", [
        (0, first), (2, FULL[2:]), (2, TAIL), (0, FULL), (0, TAIL)]))
    assert first + FULL[2:] + TAIL in doc.raw


def test_a_numbered_heading_that_stops_short_stays_apart_from_an_indented_paragraph(tmp_path):
    """The paragraph after a numbered heading, indented by two characters, starts where the text
    after "三、" starts; the heading stopped short of the measure, so it is no hanging indent."""
    heading = "三、人才人力：营造兼顾理想与现实的职场"  # two characters short of the measure
    doc = process_file(_placed_lines_pdf(tmp_path / "heading.pdf", [
        (0, FULL), (0, TAIL), (0, heading), (2, FULL[2:]), (0, FULL), (0, TAIL)]))
    assert heading + FULL[2:] not in doc.raw
    assert FULL[2:] + FULL + TAIL in doc.raw
    assert ("section", "三", "人才人力：营造兼顾理想与现实的职场") in [
        (s.level, s.number, s.title) for s in doc.sections]


def test_a_line_wraps_early_when_its_next_word_would_not_fit(tmp_path):
    """A line that stops four characters short goes on when the next line opens with a number
    about as wide as that gap (a number never breaks), and ends its paragraph when the next line
    opens with a Chinese character (Chinese wraps at any character)."""
    short = FULL[:18]
    number = "20240101号文件规定的标准执行全年新增"
    chinese = "按照文件规定的标准执行，全年新增就业岗位百万"
    doc = process_file(_placed_lines_pdf(tmp_path / "wrap.pdf", [
        (0, FULL), (0, short), (0, number), (0, TAIL), (0, FULL), (0, short), (0, chinese), (0, TAIL)]))
    assert FULL + short + number + TAIL in doc.raw
    assert short + chinese not in doc.raw and chinese + TAIL in doc.raw


def test_a_short_line_after_a_finished_sentence_is_a_heading_set_flush_above_its_paragraph(tmp_path):
    """A paragraph that ends on a full line, then a short line without a stop flush at the left
    edge above a paragraph indented by two characters: the short line is a heading of its own in
    the running type, not the start of the next paragraph."""
    ended = FULL[:21] + "。"
    heading = "主要经济指标完成情况"
    doc = process_file(_placed_lines_pdf(tmp_path / "flush.pdf", [
        (2, FULL[2:]), (0, ended), (0, heading), (2, FULL[2:]), (0, FULL), (0, TAIL)]))
    assert ended + heading not in doc.raw and heading + FULL[2:] not in doc.raw
    assert heading in [s.title for s in doc.sections]


def test_spaces_typed_as_an_indent_are_no_ink(tmp_path):
    """A paragraph indented with typed full-width spaces starts a new paragraph after a full line
    that ended a sentence: the line's box starts where its ink starts."""
    ended = FULL[:21] + "。"
    doc = process_file(_placed_lines_pdf(tmp_path / "typed.pdf", [
        (2, FULL[2:]), (0, ended), (0, "\u3000\u3000" + FULL[2:]), (0, TAIL)]))
    assert FULL[2:] + ended in doc.raw and FULL[2:] + TAIL in doc.raw
    assert ended + FULL[2:] not in doc.raw and ended + "\u3000" not in doc.raw


def test_a_paragraph_set_in_from_its_headings_goes_on_overleaf_at_its_own_edge(tmp_path):
    """Headings at the page's edge, paragraphs set in by two characters: the paragraph that ends
    a page full and without a stop goes on with the first line overleaf at its own left edge."""
    import pymupdf

    size, left = 20.0, 72.0
    body = FULL[:20]  # the inset measure: 20 characters from two characters in
    pages = [[(0, "一、总体情况"), (4, body[:18]), (2, body), (2, body), (2, body)],
             [(2, TAIL), (0, "二、农业生产"), (4, body[:18]), (2, body), (2, TAIL)]]
    path = tmp_path / "overleaf.pdf"
    pdf = pymupdf.open()
    for lines in pages:
        page = pdf.new_page(width=595, height=842)
        for i, (indent, text) in enumerate(lines):
            page.insert_text((left + indent * size, 100 + i * 32), text, fontname="china-s", fontsize=size)
    pdf.save(path)
    doc = process_file(path)
    assert body * 3 + TAIL in doc.raw
    assert [(s.number, s.title) for s in doc.sections] == [("一", "总体情况"), ("二", "农业生产")]


def test_a_numbered_line_after_a_full_line_ending_a_lead_is_an_item_of_its_own(tmp_path):
    """A full line that ends a lead with a colon (or a sentence with a stop), then a line opening
    with a number at the same left edge: the numbered line starts a paragraph of its own, even
    though the line above ran to the edge and nothing else ends the paragraph there."""
    lead = FULL[:21] + "："
    item = "（一）" + FULL[:19]
    doc = process_file(_placed_lines_pdf(tmp_path / "lead.pdf", [
        (2, FULL[2:]), (0, lead), (0, item), (0, TAIL)]))
    assert FULL[2:] + lead in doc.raw and item + TAIL in doc.raw
    assert lead + item not in doc.raw
    # a number that only continues a sentence (no stop before it) stays in its paragraph
    doc = process_file(_placed_lines_pdf(tmp_path / "running.pdf", [
        (2, FULL[2:]), (0, FULL), (0, "1、" + FULL[:20]), (0, TAIL)]))
    assert FULL + "1、" + FULL[:20] + TAIL in doc.raw


def test_lines_numbered_one_after_another_at_one_left_edge_are_items_of_one_list(tmp_path):
    """"一、…" then "二、…" at the same left edge, set far apart (a line pitch of three times the
    type size is that of the list, not a paragraph gap): each is an item of its own, not one
    paragraph run together."""
    items = ["一、" + FULL[:16], "二、" + FULL[:15], "三、" + FULL[:16]]  # none stops short of the others
    doc = process_file(_placed_lines_pdf(tmp_path / "list.pdf", [(0, t) for t in items], size=14.0, pitch=46.0))
    assert all(f"{t}\n\n" in doc.raw for t in items[:2]) and items[2] in doc.raw
    assert items[0] + items[1] not in doc.raw


def test_a_heading_set_in_another_face_at_the_body_size_ends_its_paragraph(tmp_path):
    """A numbered heading set in another typeface (黑体 over 仿宋 text, the same size, no bold
    flag) on the line right above its paragraph, one character short of the measure: the change
    of face alone ends the heading's paragraph. The same two lines in one face run on."""
    import pymupdf

    size, left = 20.0, 72.0
    body = "全年地區生產總值比上年增長百分之五點二其中"  # 22 characters: the measure at 20 pt
    heading = "一、預算執行情況和重點工作完成情況總體平穩"  # 21 characters
    tail = "第三產業增加值增長百分之六點一。"

    def pdf(path, heading_font):
        doc = pymupdf.open()
        page = doc.new_page(width=595, height=842)
        for i, (text, font) in enumerate([(heading, heading_font), (body, "china-t"), (body, "china-t"),
                                          (tail, "china-t")]):
            page.insert_text((left, 100 + i * 32), text, fontname=font, fontsize=size)
        doc.save(path)
        return process_file(path)

    apart = pdf(tmp_path / "faces.pdf", "china-s")
    assert ("section", "一", "预算执行情况和重点工作完成情况总体平稳") in [
        (s.level, s.number, s.title) for s in apart.sections]
    assert "总体平稳全年" not in apart.normal.text
    same = pdf(tmp_path / "one-face.pdf", "china-t")
    assert "总体平稳全年" in same.normal.text


def test_a_sidebars_labels_are_no_headings_and_the_body_column_heads_its_summary(tmp_path):
    """A broker's note: a narrow sidebar with labels set larger than its text ("相关报告" above the
    titles of related reports) beside the body column, where the note's title and dateline stand
    above "投资要点", set as large as those labels, and the summary's paragraphs. The body's label is
    the note's one heading; the sidebar's, a column a third as wide, head nothing."""
    import pymupdf

    from pdf_fixtures import FONT, H, W

    related = ("《某某电路年报点评：业绩快速增长，新能源与数通领域打开成长空间》2024-01-15",
               "《某某电路深度报告：电动化与智能化趋势持续，汽车板龙头成长动能充足》2023-06-16")
    summary = ("公告：公司发布2023年年报，全年实现营业收入45.2亿元，同比增长12.3%；归母净利润4.9亿元，同比增长"
               "31.6%，其中第四季度营业收入12.8亿元，环比增长6.1%。",
               "产品结构优化，盈利能力提升。公司全年毛利率21.5%，同比上升2.6个百分点，主要因为高附加值产品占比提升，"
               "平均单价提高，原材料价格回落，费用率同比下降0.8个百分点。")
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    for k, text in enumerate(("公司点评报告", "印制电路板", "增持（维持）")):
        page.insert_text((40, 70 + 20 * k), text, fontname=FONT, fontsize=14)
    page.insert_text((40, 140), "相关报告", fontname=FONT, fontsize=10.5)
    y = 152.0
    for text in related:
        rc = page.insert_textbox(pymupdf.Rect(40, y, 180, y + 120), text, fontname=FONT, fontsize=9)
        y += 120 - rc + 8
    page.insert_text((200, 70), "某某电路（600000）", fontname=FONT, fontsize=14)
    page.insert_text((200, 92), "汽车基本盘稳固，新能源与数通领域打开成长空间", fontname=FONT, fontsize=16)
    page.insert_text((420, 112), "2024年03月01日", fontname=FONT, fontsize=12)
    page.insert_text((200, 134), "投资要点", fontname=FONT, fontsize=10.5)
    y = 142.0
    for text in summary:
        rc = page.insert_textbox(pymupdf.Rect(200, y, 555, y + 200), text, fontname=FONT, fontsize=9, lineheight=1.5)
        y += 200 - rc + 8
    path = tmp_path / "summary.pdf"
    doc.save(path)
    got = process_file(path)
    assert [(s.level, s.number, s.title) for s in got.sections] == [("section", "", "投资要点")]
    assert any(b.text == "相关报告" for b in got.blocks)


def test_unnumbered_display_headings_over_numbered_body_type_ones_are_sections(tmp_path):
    """A rating report sets its parts as unnumbered headings in display type and numbers the parts
    under them （一）（二） in the body's type: the display ones are the sections."""
    para = ("公司是开封市重要的基础设施建设主体，2025年末总资产为912.35亿元，较上年末增长1.57%，"
            "营业收入为35.44亿元，同比增长12.30%，资产负债率为58.02%，较上年末下降0.41个百分点。")
    parts = ["跟踪评级说明", "主体概况", "财富创造能力", "外部支持", "评级结论"]
    text = "\n".join([
        "某市发展投资集团有限公司2026年度跟踪评级报告", parts[0], para, parts[1], para, "（一）股权结构", para, "（二）治理结构", para,
        parts[2], para, "（一）工程业务", para, "（二）贸易业务", para, "（三）其他业务", para,
        parts[3], para, parts[4], para])
    doc = process_file(make_pdf(text, tmp_path / "rating.pdf", display=frozenset(parts)))
    got = [(s.level, s.number, s.title) for s in doc.sections]
    assert [t for lv, _n, t in got if lv == "section"] == parts
    assert [(n, t) for lv, n, t in got if lv == "subsection"] == [
        ("一", "股权结构"), ("二", "治理结构"), ("一", "工程业务"), ("二", "贸易业务"), ("三", "其他业务")]
    under = {s.title: s.parent_id for s in doc.sections}
    ids = {s.title: s.section_id for s in doc.sections}
    assert under["工程业务"] == ids["财富创造能力"]


def test_a_founder_fonts_private_use_point_is_a_decimal_point(tmp_path):
    """天津 2025 budget report: its Western font (方正 E-BZ) maps the point to U+1001B0, so the
    text layer reads "２２２１\\U001001b0７亿元". Dropped as a symbol glyph, every decimal was ten or
    a hundred times too large, and the pages dense with decimals were taken for garbled ones and
    sent to OCR."""
    src = pymupdf.open(Path(__file__).parent / "data" / "heldout" / "zh-Hans_tianjin-2025-budget-report.pdf")
    assert "２２２１\U001001b0７亿元" in src[2].get_text()
    part = pymupdf.open()
    part.insert_pdf(src, from_page=2, to_page=3)
    part.save(tmp_path / "pages3-4.pdf")
    doc = process_file(tmp_path / "pages3-4.pdf")
    got = {c.surface: (c.value, c.unit) for c in doc.claims}
    assert got["２２２１.７亿元"] == ("222170000000", "元"), got
    assert got["１０１.１％"] == ("101.1", "%"), got
    assert got["９０.３％"] == ("90.3", "%"), got  # page 4, read from its text layer, not by OCR
    assert not any("\U001001b0" in c.surface or c.value in ("22217", "1011") for c in doc.claims)


HELDOUT = Path(__file__).parent / "data" / "heldout"


def test_unnumbered_display_lines_under_a_section_without_numbered_subsections_are_its_subsections():
    """中证鹏元's rating report on 马鞍山宁博投资: "三、运营环境" in red 14 pt over "宏观经济和政策环境"
    and "区域经济环境" in red 12 pt; "四、经营与竞争" has （一）（二） of its own, and the appendices
    follow 七、. The unnumbered display lines are the subsections of sections without numbered
    ones; the lines after the last section's parts (the rating symbols' table) are none."""
    doc = process_file(HELDOUT / "zh-Hans_maanshan-ningbo-2025-credit-rating-report.pdf")
    by_id = {s.section_id: s for s in doc.sections}
    under = {s.title: by_id[s.parent_id].title for s in doc.sections if s.parent_id in by_id}
    assert under["宏观经济和政策环境"] == "运营环境", under
    assert under["区域经济环境"] == "运营环境", under
    assert under["资本实力与资产质量"] == "财务分析", under
    assert under["基础设施建设和土地整理业务"] == "经营与竞争", under
    assert not [s for s in doc.sections if s.title in ("AAA", "正面")]


def test_a_display_title_over_a_numbered_heading_or_a_key_judgement_is_a_heading():
    """东方金诚's rating report on 桐城经开建投: "资本结构" over its bold key judgement (two clauses,
    no full stop) over the body; "区域经济和财政状况" over "1.安庆市"."""
    doc = process_file(HELDOUT / "zh-Hans_tongcheng-2026-credit-rating-report.pdf")
    titles = [s.title for s in doc.sections]
    assert "资本结构" in titles and "区域经济和财政状况" in titles, titles
    assert "跟踪评级说明" in titles, titles  # after the front matter's page number "III"


def test_a_heading_over_a_paragraph_opening_with_a_run_in_lead_in_another_face_stands_apart(tmp_path):
    """宿迁 2026 budget report, page 20: "一、坚持系统施策、科学统筹，切实保障财政平稳运行" in 黑体 stops
    short of the measure, and the next line opens with a run-in lead in 楷体 ("加强财政资源与预算统筹。")
    before 仿宋 text. That line has no one face, so the change of face went unseen and the heading
    ran into the paragraph; the face its line opens with is the one to compare."""
    import pymupdf

    src = pymupdf.open(Path(__file__).parent / "data" / "heldout" / "zh-Hans_suqian-2026-budget-report.pdf")
    one = pymupdf.open()
    one.insert_pdf(src, from_page=19, to_page=19)
    one.save(tmp_path / "p20.pdf")
    doc = process_file(tmp_path / "p20.pdf")
    assert ("section", "一", "坚持系统施策、科学统筹，切实保障财政平稳运行") in [
        (s.level, s.number, s.title) for s in doc.sections]
    assert "运行加强" not in doc.raw


def test_a_number_set_apart_from_a_display_title_numbers_a_subsection(tmp_path):
    """联合资信's rating report on 南平武夷 (pages 7-8): "五、行业及区域环境分析" over "1  行业分析" and
    "2  区域环境分析", in display type, the number set apart by a blank (gone from the normalised
    text, "1行业分析"). Where a section has no "（一）" subsections, these are its subsections."""
    src = pymupdf.open(HELDOUT / "zh-Hans_nanping-wuyi-2026-credit-rating-report.pdf")
    part = pymupdf.open()
    part.insert_pdf(src, from_page=6, to_page=7)
    part.save(tmp_path / "p7-8.pdf")
    doc = process_file(tmp_path / "p7-8.pdf")
    got = [(s.level, s.number, s.title) for s in doc.sections]
    assert ("subsection", "1", "行业分析") in got and ("subsection", "2", "区域环境分析") in got, got


def test_paragraphs_of_a_report_whose_pages_change_type_size_keep_their_bounds():
    """云浮's 2026 budget: the report in 15.9 pt, its notes to the tables in 15 pt, and pages that
    hold only a few short lines.
    - "（一）税收返还和转移支付情况" over a full line of its paragraph, first on its page in the
      notes' size: the block's own right edge was all the measure known, so the heading ran on.
    - "一、提前下达情况及相关要求" over "无。" on a page of five short lines: none of them is full,
      so the report's measure is the one to judge by.
    - A paragraph cut by the page break in the notes' size goes on overleaf ("主要是去 / 年安排").
    - A page that prints its number twice ("- 17 -" at the right, and centred in the margin):
      the first of them is no line that ends the paragraph coming from the page before."""
    doc = process_file(HELDOUT / "zh-Hans_yunfu-2026-budget-report.pdf")
    sections = [(s.level, s.number, s.title) for s in doc.sections]
    assert ("subsection", "一", "税收返还和转移支付情况") in sections
    assert ("section", "一", "提前下达情况及相关要求") in sections and ("section", "二", "分配方案") in sections
    assert "主要是去年安排预算" in doc.raw
    assert "不足等因素影响，预计2026年财政收入" in doc.raw


def test_a_rating_reports_display_subsections_around_numbered_ones_and_alone():
    """中证鹏元's report on 湖州产投: "行业环境" in red 12 pt heads "（一）私募股权投资行业" in red
    10.6 pt, after "宏观经济和政策环境" and "区域经济环境" in the same section; "六、其他事项分析"
    holds one display line, "过往债务履约情况", first under it and over its paragraph."""
    doc = process_file(HELDOUT / "zh-Hans_huzhou-chantou-2026-credit-rating-report.pdf")
    by_id = {s.section_id: s for s in doc.sections}
    under = {s.title: by_id[s.parent_id].title for s in doc.sections if s.parent_id in by_id}
    assert {t: under.get(t) for t in ("宏观经济和政策环境", "区域经济环境", "行业环境")} == dict.fromkeys(
        ("宏观经济和政策环境", "区域经济环境", "行业环境"), "运营环境")
    assert under.get("过往债务履约情况") == "其他事项分析"


def test_a_zebra_table_with_a_group_cell_merged_down_its_rows_is_one_table(tmp_path):
    """湖州产投's table 6 (page 12): rows shaded in turn, without rules; the first column's group
    names ("在建", "拟建") are cells merged down their rows and unshaded, so the shaded bands
    start at the second column, and a project's name wraps over two lines with its figures set
    between them. One table in 亿元, each project one row. Table 5 above it states its units as
    "万平方米、元/平方米（套）/月" over 可租面积, 已租面积, 出租单价: areas in 平方米, rents per
    square metre and month."""
    src = pymupdf.open(HELDOUT / "zh-Hans_huzhou-chantou-2026-credit-rating-report.pdf")
    one = pymupdf.open()
    one.insert_pdf(src, from_page=11, to_page=11)
    one.save(tmp_path / "p12.pdf")
    doc = process_file(tmp_path / "p12.pdf")
    got = {c.surface: (c.value, c.unit) for c in doc.claims}
    assert got["1.76"] == ("176000000", "元") and got["0.95"] == ("95000000", "元")
    assert got["59.94"] == ("5994000000", "元")
    assert got["2.43"] == ("24300", "平方米") and got["18.60~24.00"] == ("18.6", "元/平方米/月")
    assert "湖州产芯科技发展有限公司康山北单元KS-01-02-09D-3地块开发建设项目（封测二期）" in doc.raw


def test_a_newspaper_column_keeps_a_list_item_whose_figures_stand_taller():
    """呼和浩特日报's page of the 2026 budget report, seven narrow columns: "—— 一般公共服务支出11.34"
    then "亿元。主要用于…". The dash is set a little larger than the words, and the figures come
    in a font whose boxes stand taller than the Chinese beside them; neither is a new paragraph,
    so the amount keeps its unit."""
    doc = process_file(HELDOUT / "zh-Hans_hohhot-2026-budget-report-newspaper-page.pdf")
    got = {c.value: c.unit for c in doc.claims if c.surface.startswith(("11.34", "23.47", "0.04"))}
    assert got == {"1134000000": "元", "2347000000": "元", "4000000": "元"}, got


def test_budget_tables_under_a_contents_of_parts_on_pages_turned_on_their_side():
    """泰安's 2026 budget tables (104 pages): a contents of four pages whose entries have dot
    leaders, grouped under "第一部分 一般公共预算报表" lines without one; six parts and nothing
    numbered under them; a wide bond table on pages turned on their side, each page's number in
    the side margin, its term column "债券期限" over bare whole numbers under "单位：亿元"; and a
    table ruled by groups of three rows under three label columns (地区 | 项目 | 类型)."""
    doc = process_file(HELDOUT / "zh-Hans_taian-2026-budget-report.pdf")
    assert [(s.level, s.number) for s in doc.sections] == [("section", n) for n in "一二三四五六"]
    by_page = {}
    for c in doc.claims:
        by_page.setdefault(c.page, []).append(c)
    terms = [(c.value, c.unit) for c in by_page[91] if c.surface in ("7", "10")]
    assert terms and set(terms) <= {("7", "年"), ("10", "年")}
    assert {(c.surface, c.value, c.unit) for c in by_page[91]} >= {("0.15", "15000000", "元"), ("1.74%", "1.74", "%")}
    got = {(c.surface, c.value) for c in by_page[85]}
    assert {("681.56", "68156000000"), ("252.51", "25251000000"), ("4.28", "428000000")} <= got


def test_a_rating_reports_statement_page_with_a_seal_and_a_header_band_left_above_its_body():
    """联合资信's report on 泸州兴泸: the statement page (声明) carries the seal's words
    ("联合资信评估…份") beyond the text's right edge, which must not widen the measure, or every
    full line of its numbered paragraphs ends one; 图表5's header band stands at the foot of page
    11, its body overleaf, and the caption's 亿元 still reaches the body; 图表9 prices water
    "（单位：立方米、元/立方米）": 代收污水处理费 and 到户价 in 元/立方米."""
    doc = process_file(HELDOUT / "zh-Hans_luzhou-xinglu-2026-credit-rating-report.pdf")
    assert not [s for s in doc.sections if s.title.startswith("本报告")]
    got = {(c.page, c.surface): (c.value, c.unit) for c in doc.claims}
    assert got[(12, "38.83")] == ("3883000000", "元")
    assert got[(13, "3.09")] == ("3.09", "元/立方米") and got[(13, "0.95")] == ("0.95", "元/立方米")


def test_a_budget_books_contents_with_short_leaders_and_a_table_across_an_empty_row(tmp_path):
    """固原's 2026 budget book: its contents page sets each table's number on a line of its own
    over the title, ended by one or two ellipses and the page ("…收入安排表（草案）…56"); none of
    those numbers is a claim. 表4 (page 44) leaves a row of empty cells between its parts: the
    rows below it keep the header, so 35.80 under "同比增长（%）" is a growth rate, not money."""
    src = pymupdf.open(HELDOUT / "zh-Hans_guyuan-2026-budget-report.pdf")
    one = pymupdf.open()
    for page in (4, 44):
        one.insert_pdf(src, from_page=page - 1, to_page=page - 1)
    one.save(tmp_path / "pages.pdf")
    doc = process_file(tmp_path / "pages.pdf")
    assert not [c for c in doc.claims if c.page == 1]
    got = {(c.surface, c.subject): (c.value, c.unit, c.change) for c in doc.claims}
    assert got[("35.80", "国有资本经营收入")] == ("35.8", "%", "increase")
    assert got[("440", "国有资本经营收入")] == ("4400000", "元", "")
