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
        ("pypdf_r6-user-password_aes256.pdf", "encrypted_needs_password"),
        ("pdfjs_issue6010_2_utf8-password.pdf", "encrypted_needs_password"),
        ("pdfminer_pdf-with-jbig2_no-text-layer.pdf", "no_text_layer"),
    ],
)
def test_bad_pdfs_fail_with_their_reason(name, reason):
    with pytest.raises(ReportError) as err:
        process_file(DATA / "bad_pdfs" / name)
    assert err.value.reason == reason
    assert name in str(err.value)


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
