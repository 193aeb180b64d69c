"""Normalised text to blocks, the section tree, case boxes and table cells.

Chinese reports mark structure with a small vocabulary rather than with markup: a lone numeral
line (壹 贰 叁 肆) before a title, "…篇" for a part, "一、" and "（一）" numbering, "★ 案例" before a
case box, "●" before a chart caption, "数据来源：" notes. The rules below read that vocabulary
line by line; anything they do not recognise stays a paragraph, so nothing is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Optional

from .ids import stable_id
from .model import Block, Case, Document, LineIndex, Section, TableCell, TitlePage

UPPER_NUMERALS = "壹贰叁肆伍陆柒捌玖拾貳參叄参陸"
# One spelling per numeral, whatever variant the source or the converter produced.
_CANON_NUMERAL = str.maketrans("貳參叄参陸", "贰叁叁叁陆")
_NUMERAL_LINE = re.compile(rf"^[{UPPER_NUMERALS}]{{1,3}}$")
_CN_NUM = "一二三四五六七八九十"
_SECTION_NUM = re.compile(rf"^([{_CN_NUM}]{{1,3}})、\s*(.+)$")
_SUBSECTION_NUM = re.compile(rf"^[（(]([{_CN_NUM}]{{1,3}})[）)]\s*(.+)$")
_CASE_MARKER = re.compile(r"^[★☆]?\s*(?:案例|专栏)\s*\d*$")
_FIGURE = re.compile(r"^(?:[●■▲◆]\s*(.+)|[图表]\s*[0-9]{1,3}(?:(?:\s*[：:.．]|\s+)\s*(.+))?)$")
_SOURCE_NOTE = re.compile(r"^(?:数据来源|资料来源|来源|注)\s*[:：]|^数据截[至止]")
_LIST_ITEM = re.compile(r"^(?:[-*•◎]|[①-⑳]|\d{1,2}[.、](?!\d))\s*")
_DATE_LINE = re.compile(r"^\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?$")
_ORG_END = re.compile(
    r"(?:研究所|研究院|研究中心|中心|局|委员会|委|部|厅|公司|集团|协会|学会|大学|学院|办公室|调查队|研究室|联盟|政府)$"
)
_ORG_PART = re.compile(
    r".+?(?:研究所|研究院|研究中心|中心|调查队|委员会|办公室|研究室|局|厅|公司|集团|协会|学会|大学|学院|联盟|政府)"
)
_FOOTNOTE_MARK = re.compile(r"[①-⑳]|\[\d{1,2}\]")
_SENTENCE_PUNCT = re.compile(r"[。！？；!?;]")
_HAS_DIGIT = re.compile(r"[0-9]")
MAX_HEADING = 45
MAX_INFOGRAPHIC_LINE = 60


@dataclass
class _Line:
    text: str
    start: int
    end: int
    kind: str = "paragraph"
    cells: tuple = ()


@dataclass
class _Node:
    level: str
    number: str
    title: str
    start_line: int
    parent: Optional["_Node"]
    section_id: str = ""
    path: tuple = ()
    end_line: int = 0
    children: list = field(default_factory=list)


def segment(doc: Document) -> Document:
    """Fill ``blocks``, ``sections``, ``cases``, ``table_cells`` and ``title_page``."""
    tm = doc.normal
    lines_index = doc.lines or LineIndex.of(doc.raw)
    lines = _split_lines(tm.text)
    title_page, n_title = _title_page(lines)
    if title_page.organisation:
        title_page = _raw_organisations(doc, lines[:n_title], title_page)
    for ln in lines[:n_title]:
        ln.kind = "title_page"
    _mark_furniture(lines, n_title)
    if doc.furniture:
        spans = sorted(doc.furniture)
        for ln in lines:
            a, _ = tm.raw_span(ln.start, ln.end)
            if any(s <= a < e for s, e in spans):
                ln.kind = "furniture"
    _classify(lines, n_title)

    nodes, owners = _build_tree(lines, n_title)
    case_spans = _find_cases(lines)

    # Section ids from the path of titles, so unrelated edits elsewhere do not change them.
    seen: dict[str, int] = {}
    for node in nodes:
        parent_path = node.parent.path if node.parent else ()
        node.path = parent_path + (f"{node.level}:{node.number}:{node.title}",)
        node.section_id = stable_id("sec", "/".join(node.path), seen)

    def raw_span(a: int, b: int) -> tuple[int, int]:
        if a >= b:
            r = tm.starts[a] if a < len(tm.starts) else len(doc.raw)
            return r, r
        return tm.raw_span(a, b)

    # Cases.
    cases = []
    case_of_line: dict[int, str] = {}
    case_seen: dict[str, int] = {}
    for first, title_idx, last, marker in case_spans:
        owner = owners[first]
        title = lines[title_idx].text if title_idx is not None else ""
        key = "/".join(owner.path if owner else ()) + "|" + title
        case_id = stable_id("case", key, case_seen)
        rs, _ = raw_span(lines[first].start, lines[first].end)
        _, re_ = raw_span(lines[last].start, lines[last].end)
        cases.append(
            Case(case_id, owner.section_id if owner else None, title, rs, re_,
                 lines_index.line_of(rs), marker)
        )
        for i in range(first, last + 1):
            case_of_line[i] = case_id

    # Blocks and table cells.
    blocks = []
    cells = []
    block_seen: dict[str, int] = {}
    for i, ln in enumerate(lines):
        owner = owners[i]
        sid = owner.section_id if owner else None
        rs, re_ = raw_span(ln.start, ln.end)
        key = "/".join(owner.path if owner else ()) + "|" + ln.kind + "|" + ln.text
        block_id = stable_id("blk", key, block_seen)
        blocks.append(
            Block(block_id, ln.kind, ln.text, ln.start, ln.end, rs, re_, lines_index.line_of(rs),
                  sid, case_of_line.get(i), "", ln.cells)
        )
        if ln.kind == "table":
            cells.extend(_table_cells(ln, block_id, sid, raw_span, lines_index))
    blocks = _pass_block_dates(blocks)

    sections = []
    for node in nodes:
        first = lines[node.start_line]
        last = lines[node.end_line]
        rs, _ = raw_span(first.start, first.end)
        _, re_ = raw_span(last.start, last.end)
        sections.append(
            Section(node.section_id, node.parent.section_id if node.parent else None, node.level,
                    node.number, node.title, rs, re_, lines_index.line_of(rs), node.path)
        )
    return doc.evolve(
        lines=lines_index,
        title_page=title_page,
        blocks=tuple(blocks),
        sections=tuple(sections),
        cases=tuple(cases),
        table_cells=tuple(cells),
    )


def _split_lines(text: str) -> list[_Line]:
    """Non-blank lines; consecutive lines holding tabs become one table."""
    out: list[_Line] = []
    pos = 0
    for raw_line in text.split("\n"):
        start, end = pos, pos + len(raw_line)
        pos = end + 1
        if not raw_line.strip():
            continue
        # trim white space at the edges so that spans cover only the text
        lead = len(raw_line) - len(raw_line.lstrip(" "))
        trail = len(raw_line) - len(raw_line.rstrip(" "))
        ln = _Line(raw_line[lead : len(raw_line) - trail], start + lead, end - trail)
        if "\t" in raw_line:
            row = tuple(c.strip() for c in raw_line.split("\t"))
            if out and out[-1].kind == "table" and out[-1].end == start - 1:
                prev = out[-1]
                out[-1] = _Line(text[prev.start : ln.end], prev.start, ln.end, "table",
                                prev.cells + (row,))
                continue
            ln.kind = "table"
            ln.cells = (row,)
        out.append(ln)
    return out


def _title_page(lines: list[_Line]) -> tuple[TitlePage, int]:
    """The short lines at the top: title, subtitle, organisation(s) and date."""
    title = subtitle = date = ""
    orgs: list[str] = []
    n = 0
    for ln in lines[:8]:
        t = ln.text
        if not title and "——" in t and len(t.split("——", 1)[0]) <= 40:
            # "政府工作报告——2024年3月5日在…上": title and occasion on one line
            title = t.split("——", 1)[0].strip()
            m = _DATE_IN_TEXT.search(t)
            date = m.group() if m else ""
            n = 1
            break
        if len(t) > 40 or _SENTENCE_PUNCT.search(t) or _CASE_MARKER.match(t) or ln.kind == "table":
            break
        if _NUMERAL_LINE.match(t) or _FIGURE.match(t) or _SECTION_NUM.match(t):
            break
        dated = _DATE_IN_TEXT.search(t)
        if not title and not orgs and dated and dated.end() == len(t) and _ORG_END.search(t[: dated.start()].strip()):
            # "黔东南州统计局 2024年5月7日" on one line: the title itself is not in the text
            orgs.extend(_ORG_PART.findall(t[: dated.start()].strip()) or [t[: dated.start()].strip()])
            date = dated.group()
            n += 1
            break
        if not title:
            title = _FOOTNOTE_MARK.sub("", t).strip()
        elif _DATE_LINE.match(t):
            date = t
            n += 1
            break
        elif _ORG_END.search(t):
            orgs.extend(_ORG_PART.findall(t) or [t])
        elif not subtitle and not orgs:
            subtitle = t
        else:
            break
        n += 1
    if not (date or orgs) and n > 1:
        # Without a date or an organisation a short first line is only a title if a body follows.
        n = 1 if title else 0
        subtitle = ""
    if not date:
        for ln in lines[:4]:
            m = _DATE_IN_TEXT.search(ln.text)
            if m:
                date = m.group()
                break
    m = re.match(r"(\d{4})", date)
    year = int(m.group(1)) if m else None
    return TitlePage(title, subtitle, "；".join(orgs), date, year), n


_DATE_IN_TEXT = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?")


def _mark_furniture(lines: list[_Line], first: int) -> None:
    """Running headers and footers: a short line repeated three times or more, or a page number."""
    counts: dict[str, int] = {}
    for ln in lines[first:]:
        if len(ln.text) <= 40 and ln.kind != "table":
            counts[ln.text] = counts.get(ln.text, 0) + 1
    for ln in lines[first:]:
        if ln.kind == "table":
            continue
        if (counts.get(ln.text, 0) >= 3 and not _CASE_MARKER.match(ln.text) and not _NUMERAL_LINE.match(ln.text)
                and not _FIGURE.match(ln.text) and not _LIST_ITEM.match(ln.text)) or _PAGE_NUMBER.match(ln.text):
            ln.kind = "furniture"


_PAGE_NUMBER = re.compile(r"^(?:[-—－]\s*[0-9]{1,4}\s*[-—－]|第\s*[0-9]{1,4}\s*页(?:\s*共\s*[0-9]{1,4}\s*页)?)$")


def _raw_organisations(doc: Document, title_lines: list[_Line], tp: TitlePage) -> TitlePage:
    """Organisations as the raw text separates them ("成都市统计局 国家统计局成都调查队")."""
    orgs = []
    for ln in title_lines[1:]:
        if _ORG_END.search(ln.text) and not _DATE_LINE.match(ln.text):
            a, b = doc.normal.raw_span(ln.start, ln.end)
            for piece in doc.raw[a:b].split():
                orgs.append(_to_normal(piece))
    return replace(tp, organisation="；".join(orgs)) if orgs else tp


def _to_normal(text: str) -> str:
    from .normalize import normalize_text

    return normalize_text(text).text


def _classify(lines: list[_Line], first: int) -> None:
    """Give every line a kind; reads the neighbours where a line alone is ambiguous."""
    in_infographic = False
    i = first
    while i < len(lines):
        ln = lines[i]
        t = ln.text
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if ln.kind in ("table", "furniture"):
            in_infographic = in_infographic and ln.kind == "furniture"
        elif _CASE_MARKER.match(t):
            ln.kind = "case_marker"
            in_infographic = False
            if nxt is not None and _is_heading_like(nxt.text) and nxt.kind != "table":
                nxt.kind = "case_title"
                i += 1
        elif _NUMERAL_LINE.match(t) and nxt is not None and nxt.kind != "table":
            in_infographic = False
            nxt_t = nxt.text
            if nxt_t.endswith("篇") and len(nxt_t) <= 12:
                ln.kind, nxt.kind = "part_number", "part_title"
                i += 1
            elif _is_heading_like(nxt_t, MAX_HEADING + 10):
                ln.kind, nxt.kind = "section_number", "section_title"
                i += 1
            else:
                ln.kind = "section_number"
        elif _FIGURE.match(t):
            ln.kind = "figure_caption"
            in_infographic = True
        elif _SOURCE_NOTE.match(t):
            ln.kind = "source_note"
        elif _SECTION_NUM.match(t) and _is_heading_like(t, 40):
            ln.kind = "section_heading"
            in_infographic = False
        elif _SUBSECTION_NUM.match(t) and _is_heading_like(t, 40):
            ln.kind = "subsection_heading"
            in_infographic = False
        elif _LIST_ITEM.match(t) and not _SECTION_NUM.match(t):
            ln.kind = "list_item"
        elif in_infographic and len(t) <= MAX_INFOGRAPHIC_LINE and (
            _HAS_DIGIT.search(t) or len(t) <= 8
        ):
            ln.kind = "infographic"
        elif _is_heading_like(t) and nxt is not None and not _HAS_DIGIT.search(t[:1]):
            ln.kind = "subsection_heading"
            in_infographic = False
        else:
            in_infographic = False
        i += 1


def _is_heading_like(t: str, limit: int = MAX_HEADING) -> bool:
    return 0 < len(t) <= limit and not _SENTENCE_PUNCT.search(t) and not t.endswith(("：", ":", "，"))


def _build_tree(lines: list[_Line], first: int) -> tuple[list[_Node], list[Optional[_Node]]]:
    """Parts hold sections, sections hold subsections; each line gets its innermost owner."""
    nodes: list[_Node] = []
    owners: list[Optional[_Node]] = [None] * len(lines)
    part = section = sub = None
    i = first
    pending_number = ""
    while i < len(lines):
        ln = lines[i]
        k = ln.kind
        node = None
        if k == "part_number":
            pending_number = ln.text.translate(_CANON_NUMERAL)
        elif k == "part_title":
            node = part = _Node("part", pending_number, ln.text, i - 1, None)
            section = sub = None
        elif k == "section_number":
            pending_number = ln.text.translate(_CANON_NUMERAL)
            if i + 1 >= len(lines) or lines[i + 1].kind != "section_title":
                node = section = _Node("section", pending_number, "", i, part)
                sub = None
        elif k == "section_title":
            node = section = _Node("section", pending_number, ln.text, i - 1, part)
            sub = None
        elif k == "section_heading":
            m = _SECTION_NUM.match(ln.text)
            node = section = _Node("section", m.group(1), m.group(2).strip(), i, part)
            sub = None
        elif k == "subsection_heading":
            m = _SUBSECTION_NUM.match(ln.text)
            number, title = (m.group(1), m.group(2).strip()) if m else ("", ln.text)
            node = sub = _Node("subsection", number, title, i, section or part)
        if node is not None:
            nodes.append(node)
        owners[i] = sub or section or part
        if k in ("part_number", "section_number") and node is None:
            owners[i] = None  # the numeral belongs to the heading that follows
        i += 1
    # A numeral line belongs to the node its title opens.
    for i, ln in enumerate(lines):
        if ln.kind in ("part_number", "section_number") and owners[i] is None and i + 1 < len(lines):
            owners[i] = owners[i + 1]
    # Each node ends where the next node of the same or a higher level starts.
    rank = {"part": 0, "section": 1, "subsection": 2}
    for j, node in enumerate(nodes):
        end = len(lines) - 1
        for later in nodes[j + 1 :]:
            if rank[later.level] <= rank[node.level]:
                end = later.start_line - 1
                break
        node.end_line = max(end, node.start_line)
    return nodes, owners


def _find_cases(lines: list[_Line]) -> list[tuple[int, Optional[int], int, bool]]:
    """Case boxes: (first line, title line, last line, whether ★ was present)."""
    out = []
    stops = {"case_marker", "part_number", "part_title", "section_number", "section_title",
             "section_heading", "subsection_heading", "figure_caption"}
    for i, ln in enumerate(lines):
        if ln.kind != "case_marker":
            continue
        title_idx = i + 1 if i + 1 < len(lines) and lines[i + 1].kind == "case_title" else None
        j = (title_idx or i) + 1
        while j < len(lines) and lines[j].kind not in stops:
            j += 1
        out.append((i, title_idx, max(j - 1, title_idx or i), ln.text.lstrip()[:1] in "★☆"))
    return out


def _table_cells(ln: _Line, table_id: str, sid, raw_span, lines_index) -> list[TableCell]:
    cells = []
    pos = ln.start
    text_rows = ln.text.split("\n")
    for r, row_text in enumerate(text_rows):
        c_pos = pos
        for c, cell in enumerate(row_text.split("\t")):
            lead = len(cell) - len(cell.lstrip())
            body = cell.strip()
            a = c_pos + lead
            rs, re_ = raw_span(a, a + len(body))
            cells.append(TableCell(table_id, sid, r, c, body, r == 0, rs, re_, lines_index.line_of(rs)))
            c_pos += len(cell) + 1
        pos += len(row_text) + 1
    return cells


def _pass_block_dates(blocks: list[Block]) -> list[Block]:
    """A chart or infographic states its date once (数据截至2020年4月); its numbers inherit it."""
    out = list(blocks)
    group: list[int] = []
    for i, b in enumerate(blocks):
        if b.kind in ("figure_caption", "infographic"):
            group.append(i)
            continue
        if b.kind == "source_note" and group and "截" in b.text:
            for j in group + [i]:
                out[j] = replace(out[j], period_hint=b.text)
        group = []
    return out
