"""Word reports: a real bulletin's .docx, a bulletin's text written as Word writes it (heading
styles, automatic numbering, footnotes) scored against the text's annotation, merged cells, and
the reader picked from the bytes."""

from __future__ import annotations

import difflib
import hashlib
import shutil
import zipfile
from decimal import Decimal

import pytest

from docx_fixtures import bulletin_docx, merged_table_docx
from pipeline.errors import ReportError
from pipeline.evaluate import load_gold
from pipeline.process import load_document, process_file

from conftest import DATA, GOLD, ROOT, corpus_file

FORMS = DATA / "forms"
QIANDONGNAN = FORMS / "zh-Hans_qiandongnan-2016-statistical-bulletin.docx"




@pytest.fixture(scope="module")
def qdn():
    return process_file(QIANDONGNAN)


def test_the_real_docx_is_the_published_file():
    data = QIANDONGNAN.read_bytes()
    assert hashlib.sha256(data).hexdigest() == "97c07291490838dbbab277198985fc215f6a46ee1d1f36c74d71de7040eb9cd1"


def test_real_docx_sections_tables_and_title_page(qdn):
    assert qdn.encoding == "docx"
    numbered = [(s.number, s.title) for s in qdn.sections if s.level == "section"]
    assert [n for n, _ in numbered] == ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三"]
    assert numbered[0] == ("一", "综合") and numbered[-1] == ("十三", "环境保护和安全生产")
    assert qdn.title_page.date == "2017年3月16日"
    assert qdn.source_info["docx"] == {"paragraphs": 135, "tables": 11, "footnotes": 0}
    # every table of the file is a table of the document, its rows intact
    tables = {c.table_id for c in qdn.table_cells}
    assert len(tables) == 11
    assert "全部财税收入\t156.40\t2.3" in qdn.raw
    cell = next(c for c in qdn.claims if c.surface == "156.40")
    assert (cell.value, cell.unit, cell.locator) == ("15640000000", "元", "table 1 row 1 col 1")


def test_real_docx_every_claim_points_at_its_paragraph_or_cell(qdn):
    """The locator of each claim names the Word paragraph or table cell whose text holds it."""
    import docx

    d = docx.Document(str(QIANDONGNAN))
    body = list(d.iter_inner_content())
    paragraphs = [x for x in body if x.__class__.__name__ == "Paragraph"]
    tables = [x for x in body if x.__class__.__name__ == "Table"]
    checked = 0
    for c in qdn.claims:
        kind, *nums = c.locator.replace("row ", "").replace("col ", "").split()
        nums = [int(n) for n in nums]
        if kind == "paragraph":
            text = paragraphs[nums[0]].text
        else:
            t, r, col = nums
            text = tables[t]._tbl.tr_lst[r].tc_lst[col].xpath("string(.)")
        assert "".join(c.surface.split()) in "".join(text.split()), (c.locator, c.surface)
        checked += 1
    assert checked == len(qdn.claims) > 600


def _ordered_score(gold: list[dict], claims) -> tuple[float, int, int, int]:
    """F1 of claims against gold matched in reading order by value, unit and kind (offsets differ
    between a Word file and its text copy). Borderline gold rows neither reward nor punish."""
    g = [(Decimal(str(r["value"])).normalize(), r.get("unit") or "", r.get("kind") or "") for r in gold]
    p = [(Decimal(c.value).normalize(), c.unit, c.kind) for c in claims]
    matcher = difflib.SequenceMatcher(None, g, p, autojunk=False)
    matched_g, matched_p = set(), set()
    for a, b, n in matcher.get_matching_blocks():
        matched_g.update(range(a, a + n))
        matched_p.update(range(b, b + n))
    tp = sum(1 for i in matched_g if gold[i]["required"])
    fn = sum(1 for i, r in enumerate(gold) if r["required"] and i not in matched_g)
    fp = sum(1 for j in range(len(p)) if j not in matched_p)
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f1, tp, fp, fn


def test_luoyang_bulletin_as_word_has_the_claims_and_sections_of_its_text(tmp_path):
    """The Luoyang 2023 bulletin's text written as Word writes a report: chapters in Heading 1 with
    Word's own 一、 numbering (not in the text), the ①-④ notes as real footnotes. Its claims,
    matched in reading order, score as the text's annotation says; its 12 sections are the text's."""
    text_path = corpus_file("zh-Hans_luoyang-2023-statistical-bulletin.txt")
    path = bulletin_docx(text_path.read_text(encoding="utf-8"), tmp_path / "luoyang.docx")
    word = process_file(path)
    text = process_file(text_path)
    gold = load_gold(GOLD / "luoyang-2023-statistical-bulletin.jsonl")
    f1, tp, fp, fn = _ordered_score(gold, word.claims)
    assert f1 >= 0.97, (f1, tp, fp, fn)
    text_f1 = _ordered_score(gold, text.claims)[0]
    assert f1 >= text_f1 - 0.01, (f1, text_f1)
    sections = [(s.number, s.title) for s in word.sections if s.level == "section"]
    assert len(sections) == 12
    assert sections == [(s.number, s.title.strip()) for s in text.sections if s.level == "section"]
    assert word.source_info["docx"]["footnotes"] == 4
    assert [h["level"] for h in word.source_info["word_headings"]] == [1] * 12
    # footnote markers stay markers: no claim is a marker's number glued to a term
    assert not [c for c in word.claims if c.surface and c.surface[0] in "①②③④"]
    assert any(c.locator.startswith("footnote ") for c in word.claims)  # 2022年全市生产总值为5386.2亿元


def test_merged_cells_are_written_once(tmp_path):
    doc = process_file(merged_table_docx(tmp_path / "merged.docx"))
    assert "指标\t2023年\t\n\t绝对数（亿元）\t比上年增长（%）\n地区生产总值\t5481.6\t3.5\n\t5386.2\t2.3" in doc.raw
    # each number once: the merge copies no text into the cells it covers
    in_table = [c.surface for c in doc.claims if c.locator.startswith("table ")]
    assert sorted(in_table) == ["2.3", "3.5", "5386.2", "5481.6"]
    assert {c.locator for c in doc.claims if c.surface == "5386.2"} == {"table 0 row 3 col 1"}
    cells = {(c.row, c.col): c.text for c in doc.table_cells}
    assert cells[(0, 2)] == "" and cells[(3, 0)] == ""


def test_the_reader_is_chosen_by_the_bytes(tmp_path):
    renamed = tmp_path / "bulletin.txt"
    shutil.copy(QIANDONGNAN, renamed)
    assert load_document(renamed).encoding == "docx"
    no_suffix = tmp_path / "bulletin"
    shutil.copy(QIANDONGNAN, no_suffix)
    assert load_document(no_suffix).encoding == "docx"


def test_a_zip_that_is_not_word_and_a_truncated_docx(tmp_path):
    other = tmp_path / "archive.docx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("content.xml", "<x/>")
    with pytest.raises(ReportError) as err:
        load_document(other)
    assert err.value.reason == "unsupported_input" and "word/document.xml" in err.value.message
    cut = tmp_path / "cut.docx"
    cut.write_bytes(QIANDONGNAN.read_bytes()[:40_000])
    with pytest.raises(ReportError) as err:
        load_document(cut)
    assert err.value.reason in ("truncated_or_corrupt", "unsupported_input")
    assert "cut.docx" in str(err.value)


def test_run_writes_word_and_web_reports_that_pass_their_contracts(tmp_path):
    """`reportpipe run` over a folder with a Word file and a saved page (one of them named .txt):
    both succeed, every row passes the contracts, and claims carry their locator."""
    import csv
    import subprocess
    import sys

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(QIANDONGNAN, raw / "qiandongnan-2016.docx")
    (raw / "saved-page.txt").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>2024年某县统计公报</title></head><body>"
        "<div class='nav'><a href='/'>首页</a></div><div class='content'><p>一、综合</p>"
        "<p>全年全县生产总值达到218.4亿元，比上年增长5.1%。</p></div></body></html>", encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(raw), "--out", str(out), "--runner", "inline",
                        "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    for name, n_claims in (("qiandongnan-2016", 600), ("saved-page", 2)):
        with open(out / name / "claims.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) >= n_claims
        assert all(row["locator"] and row["ocr"] == "False" for row in rows)
        with open(out / name / "quarantine.csv", encoding="utf-8", newline="") as fh:
            assert list(csv.DictReader(fh)) == []
