"""Word files made with python-docx for the tests: a report's text as Word writes it, with the
features the reader must undo (heading styles, automatic "一、" numbering, real footnotes, merged
table cells), so that what comes out can be scored against the text's own annotation."""

from __future__ import annotations

import re
from pathlib import Path

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_SECTION = re.compile(r"^([一二三四五六七八九十]{1,3})、\s*(.+)$")
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NUM_ID = "90"  # a numbering definition of our own: chineseCounting, "%1、"


def _numbering(document) -> None:
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum xmlns:w="{_W_NS}" w:abstractNumId="{NUM_ID}"><w:lvl w:ilvl="0">'
        '<w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>'
        '</w:lvl></w:abstractNum>')
    numbering.insert(0, abstract)
    numbering.append(parse_xml(f'<w:num xmlns:w="{_W_NS}" w:numId="{NUM_ID}"><w:abstractNumId w:val="{NUM_ID}"/></w:num>'))


def _footnotes_part(document, notes: list[str]) -> None:
    from xml.sax.saxutils import escape

    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    body = "".join(
        f'<w:footnote w:id="{i}"><w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:footnote>'
        for i, text in enumerate(notes, 1))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{_W_NS}">'
           '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
           '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
           f'{body}</w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                xml.encode("utf-8"), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def _add_runs(paragraph, text: str) -> None:
    """Text with circled markers turned into footnote references (the marker number is the id)."""
    from docx.oxml import parse_xml

    for piece in re.split(f"([{CIRCLED}])", text):
        if not piece:
            continue
        if piece in CIRCLED:
            run = paragraph.add_run()
            run._r.append(parse_xml(f'<w:footnoteReference xmlns:w="{_W_NS}" w:id="{CIRCLED.index(piece) + 1}"/>'))
        else:
            paragraph.add_run(piece)


def bulletin_docx(text: str, path: Path) -> Path:
    """A bulletin's text as a Word file: numbered chapter lines become "Heading 1" paragraphs numbered
    by Word itself (the "一、" is not in their text), the notes block (注释： then ① … lines, up to
    资料来源) becomes real footnotes, every other line a paragraph."""
    import docx

    document = docx.Document()
    _numbering(document)
    lines = [ln.strip() for ln in text.splitlines()]
    notes: list[str] = []
    in_notes = False
    body: list[tuple[str, str]] = []
    for ln in lines:
        if not ln:
            continue
        if re.match(r"^注释[:：]?$", ln):
            in_notes = True
            continue
        if in_notes and ln[0] in CIRCLED:
            notes.append(ln[1:].strip())
            continue
        if in_notes and not ln.startswith("资料来源"):
            notes[-1] += ln
            continue
        in_notes = False
        body.append(("h", _SECTION.match(ln).group(2)) if _SECTION.match(ln) else ("p", ln))
    for kind, content in body:
        if kind == "h":
            from docx.oxml import parse_xml

            p = document.add_paragraph(content, style="Heading 1")
            p._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr xmlns:w="{_W_NS}"><w:ilvl w:val="0"/><w:numId w:val="{NUM_ID}"/></w:numPr>'))
        else:
            _add_runs(document.add_paragraph(), content)
    if notes:
        _footnotes_part(document, notes)
    document.save(path)
    return path


def merged_table_docx(path: Path) -> Path:
    """A table with a header merged across two columns and a row label merged down two rows."""
    import docx

    document = docx.Document()
    document.add_paragraph("表1 主要指标")
    table = document.add_table(rows=4, cols=3)
    cells = [["指标", "2023年", ""], ["", "绝对数（亿元）", "比上年增长（%）"],
             ["地区生产总值", "5481.6", "3.5"], ["", "5386.2", "2.3"]]
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    table.cell(0, 1).merge(table.cell(0, 2))  # "2023年" over both columns
    table.cell(2, 0).merge(table.cell(3, 0))  # one row label for two rows
    document.add_paragraph("全年全市生产总值达到5481.6亿元。")
    document.save(path)
    return path
