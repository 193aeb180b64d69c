"""PDF reports read as well as the same report in text: structure, claims, pages and boxes."""


import pytest

from pipeline.errors import ReportError
from pipeline.process import process_file

from conftest import CORPUS, DATA, SAMPLE
from pdf_fixtures import HEADER, make_pdf
from test_equivalence import signature


@pytest.fixture(scope="module", params=[1, 2], ids=["one-column", "two-columns"])
def pdf_doc(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / f"sample-{request.param}.pdf"
    make_pdf(SAMPLE.read_text(encoding="utf-8"), path, columns=request.param)
    return process_file(path)


def test_pdf_reads_like_the_text(pdf_doc, sample_doc):
    assert pdf_doc.pages > 10
    assert signature(pdf_doc) == signature(sample_doc)


def test_pdf_provenance(pdf_doc):
    for c in pdf_doc.claims:
        assert pdf_doc.raw[c.raw_start:c.raw_end] == c.surface
        assert c.page and 1 <= c.page <= pdf_doc.pages
        x0, y0, x1, y1 = map(float, c.bbox.split(","))
        assert 0 <= x0 <= x1 <= 595 and 0 <= y0 <= y1 <= 842
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
    assert pdf.fallback_pages == (1,)
    assert pdf.text.startswith("Peněžní prostředky na účtech")
    assert pdf.boxes[0].page == 1 and pdf.boxes[0].x1 > pdf.boxes[0].x0


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


def test_garbled_pages_are_named_and_image_pages_skipped(tmp_path):
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


@pytest.mark.skipif(not ZHOUKOU.exists(), reason="shared corpus not present")
def test_real_bulletin_tables_units_and_headings():
    doc = process_file(ZHOUKOU)
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


@pytest.mark.skipif(not CHENGDU.exists(), reason="shared corpus not present")
def test_the_pdf_and_the_markdown_of_one_bulletin_give_the_same_claims():
    """The Chengdu bulletin ships as a PDF and as Markdown (annotated by hand: F1 1.000). Its
    tables are full grids drawn as thin filled rectangles, and its page numbers sit above the
    bottom margin, in the middle of paragraphs that run on overleaf."""
    from collections import Counter

    pdf = process_file(CHENGDU)
    md = process_file(CHENGDU.with_suffix(".ocr.md"))
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
