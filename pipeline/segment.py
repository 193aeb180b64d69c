"""Normalised text to blocks, the section tree, case boxes and table cells.

Chinese reports mark structure with a small vocabulary rather than with markup: a lone numeral
line (壹 贰 叁 肆) before a title, "…篇" or "第一部分" for a part, "第一章", "一、", "（一）" and "1.1"
numbering, "★ 案例" before a case box, "●" before a chart caption, "数据来源：" notes, a clipping's
【标题】 catalogue record. The rules below read that vocabulary line by line; a report's levels come
from the numbering forms it uses, and an unnumbered line is a heading only with evidence (a body
paragraph after it). Anything the rules do not recognise stays a paragraph, so nothing is lost.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from typing import Optional

from .ids import stable_id
from .lexicon import load as load_lexicon
from .lexicon import organisation_suffixes, unit_statement_start
from .model import Block, Case, Document, LineIndex, Section, TableCell, TitlePage

UPPER_NUMERALS = "壹贰叁肆伍陆柒捌玖拾貳參叄参陸"
# One spelling per numeral, whatever variant the source or the converter produced.
_CANON_NUMERAL = str.maketrans("貳參叄参陸", "贰叁叁叁陆")


def canonical_numeral(text: str) -> str:
    """A numeral in the one spelling sections carry (貳 and 贰 are the same 贰)."""
    return text.translate(_CANON_NUMERAL)


_NUMERAL_LINE = re.compile(rf"^[{UPPER_NUMERALS}]{{1,3}}$")
_CN_NUM = "一二三四五六七八九十"
_CN_NUMERAL_LINE = re.compile(rf"^[{_CN_NUM}]{{1,3}}$")


def _cn_ordinals(n: int = 99) -> list[str]:
    """一, 二, …, 十, 十一, …, 二十, 二十一, … as a report numbers its sections."""
    digits = "一二三四五六七八九"
    out = []
    for k in range(1, n + 1):
        tens, ones = divmod(k, 10)
        out.append(("" if tens == 0 else "十" if tens == 1 else digits[tens - 1] + "十")
                   + ("" if ones == 0 else digits[ones - 1]))
    return out


_CN_ORDINALS = _cn_ordinals()
_SECTION_NUM = re.compile(rf"^([{_CN_NUM}]{{1,3}})、\s*(.+)$")
_SUBSECTION_NUM = re.compile(rf"^[（(]([{_CN_NUM}]{{1,3}})[）)]\s*(.+)$")
# "第一章 总则" (a chapter: the section level of the report, 一、 below it) and "第一部分 …" or
# "第二篇 …" (a part that groups chapters or sections); the title may stand on the next line.
_ORDINAL = "一二三四五六七八九十百零〇"
_CHAPTER = re.compile(rf"^第\s*([{_ORDINAL}]{{1,4}}|[0-9]{{1,3}})\s*章(?:[\s:：、.．]*)(.*)$")
_SECTION_ORDINAL = re.compile(rf"^第\s*([{_ORDINAL}]{{1,4}}|[0-9]{{1,3}})\s*节(?:[\s:：、.．]*)(.+)$")  # 第一节 …
_UPPER_SECTION = re.compile(rf"^([{UPPER_NUMERALS}]{{1,3}})[、.．]\s*(.+)$")  # 壹、总说明 (Taiwan documents)
# Arabic numbering of research notes and white papers: "1.1 市场规模" (decimal) below "1. 行业概况".
# A bulletin's "1." lines are list items, so these count as headings only in a report that has
# decimal-numbered headings before body paragraphs.
_DECIMAL_HEADING = re.compile(r"^([0-9]{1,2}(?:\.[0-9]{1,2}){1,2})(?![0-9%.])[、.．]?\s*([^0-9\s、.．].*)$")
_ARABIC_HEADING = re.compile(r"^([0-9]{1,2})[.．、](?![0-9])\s*([^0-9\s].*)$")
MIN_DECIMAL_HEADINGS = 2
# First characters of the numbered forms above: a line that starts otherwise skips their patterns.
_DIGITS = frozenset("0123456789")
_ORDINAL_STARTS = frozenset("第" + UPPER_NUMERALS)
_NUMBERED_STARTS = frozenset("（(第0123456789" + UPPER_NUMERALS + _CN_NUM)
_PART_ORDINAL = re.compile(rf"^第\s*([{_ORDINAL}]{{1,4}}|[0-9]{{1,3}})\s*(?:部分|篇|编)(?:[\s:：、.．]*)(.*)$")
_CASE_MARKER = re.compile(r"^[★☆]?\s*(?:案例|专栏)\s*\d*$")
# A caption's number may have a chapter part ("表2-2", "图3.1") and a separator before its title
# ("表1 | 成都社会经济和机动车拥有量").
_FIGURE = re.compile(r"^(?:[●■▲◆]\s*(.+)|[图表]\s*[0-9]{1,3}(?:[-－.．][0-9]{1,3})?"
                     r"(?:(?:\s*[：:.．|｜]|\s+)\s*(.+))?)$")
_SOURCE_NOTE = re.compile(r"^(?:数据来源|资料来源|来源|注)\s*[:：]|^数据截[至止]")
_LIST_ITEM = re.compile(r"^(?:-(?![0-9.])|[*•◎]|[①-⑳]|\d{1,2}[.、](?!\d))\s*")
_GENRE_ENDS = tuple(load_lexicon().words("organisations", "titles", "genre_ends"))
# Footnote markers glued to a heading's words ("八、财政、金融[9]、证券和保险"): the note's number,
# not the title's. Defined once, beside the other name words (indicators.toml).
_FOOTNOTE_MARK = re.compile(load_lexicon().mapping("indicators", "names")["footnote_pattern"])
MAX_TITLE = 60  # characters: a title on two lines is still short
_DATE_LINE = re.compile(r"^\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?$")
_DATELINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")  # a full date: a dateline, no chart label
# Organisation names end in one of the lexicon's suffixes (longest first, so "研究中心" before "中心").
_ORG_WORDS = "|".join(map(re.escape, organisation_suffixes()))
_ORG_END = re.compile(rf"(?:{_ORG_WORDS})$")
_ORG_PART = re.compile(rf".+?(?:{_ORG_WORDS})")
_FOOTNOTE_MARK = re.compile(r"[①-⑳]|\[\d{1,2}\]")
_SENTENCE_PUNCT = re.compile(r"[。！？；!?;]")
_HAS_DIGIT = re.compile(r"[0-9]")
MAX_HEADING = 45
# A line numbered "一、" or "（一）" without a sentence stop is a heading up to this length: a work
# report's subsection titles are often two or three clauses ("恳请……，尽快……，进一步……").
MAX_NUMBERED_HEADING = 60
MAX_INFOGRAPHIC_LINE = 60
# The body paragraph that confirms an unnumbered heading is at least this long (a sentence, not a
# label or a chart's figure).
MIN_BODY_AFTER_HEADING = 30
MAX_TABLE_TITLE = 30  # a table's title line above its rows is a caption, not a heading
TABLE_TITLE_LINES = 2  # between "表1" and its rows: a title line and a unit line ("单位：亿元")
_TABLE_NUMBER = re.compile(r"^(?:附?表)\s*[0-9]")
# A run-in heading's sentence is a title and a paragraph of at least MIN_RUN_IN_BODY characters
# follows it on the same line. The title ends at its first full stop, or at a colon ("（一）删减总数
# 有争议：往年……", as budget and policy reports write it); it holds no other sentence stop, though
# a semicolon may join two of its clauses, and it is as long as a numbered heading on its own line
# may be (a policy report's subsection titles are two or three clauses).
MAX_RUN_IN_TITLE = MAX_NUMBERED_HEADING
MIN_RUN_IN_BODY = 10
RUN_IN_ENDS = "。：:︰"
# An unnumbered heading says something: at least two ideographs or letters, not a bullet glyph.
_WORD_CHARS = re.compile(r"[\u3400-\u9fffA-Za-z]")
MIN_HEADING_WORD_CHARS = 2
# "第三方移动支付：疫情对一季度消费板块影响大，行业规模下降": a topic, a colon and a statement of
# several clauses opens a summary's paragraph; a heading says its topic in one phrase.
_TOPIC_STATEMENT = re.compile(r"^[^：:，,]{2,20}[：:][^：:]*[，,]")
_TEXT_END = ("。", "！", "？", "!", "?", "…", "”", "）", ")")
_CLAUSE_PUNCT = re.compile(r"[，。；,;：:]")
_YEAR_LED = re.compile(r"^(?:19|20)[0-9]{2}(?![0-9])[^0-9]+$")  # "1999经济基本状况及评析", "2000年经济展望"
_RUN_IN = re.compile(rf"^[（(][{_CN_NUM}]{{1,3}}[）)][^！？!?\n{RUN_IN_ENDS}]{{2,{MAX_RUN_IN_TITLE}}}[{RUN_IN_ENDS}]")
# "1、国民经济稳步增长。全省完成……": the same with Arabic numbers, which also number notes and lists;
# so only a title without digits, and only in a report that has several before long paragraphs.
MAX_ARABIC_RUN_IN_TITLE = 25
MIN_ARABIC_RUN_IN_BODY = 50
MIN_ARABIC_RUN_INS = 2
_ARABIC_RUN_IN = re.compile(rf"^([0-9]{{1,2}})[、．.](?![0-9])([^。！？；!?;\n0-9]{{2,{MAX_ARABIC_RUN_IN_TITLE}}})。")
# A heading with the first heading of the level below it on the same line: "二、农业（一）种植业",
# "貳、為下一階段的臺灣做好準備一、為青年擴大社會照顧", "第一章 总则第一节 目的",
# "（一）全省及省级预算执行情况1. 一般公共预算完成情况".
_SECTION_THEN_SUB = re.compile(
    rf"^([{_CN_NUM}]{{1,3}}、[^，。；：,;:（(\s]{{1,20}})\s*([（(]一[）)].+)$"
    rf"|^([{UPPER_NUMERALS}]{{1,3}}、[^，。；：,;:（(\s]{{2,25}}?)\s*((?:一、|[（(]一[）)]).+)$"
    rf"|^(第[{_ORDINAL}0-9]{{1,4}}章\s*[^，。；：,;:（(\s]{{2,25}}?)\s*((?:第一节|一、|[（(]一[）)]).+)$"
    rf"|^([（(][{_CN_NUM}]{{1,3}}[）)][^，。；：,;:（(\s]{{1,29}}[^，。；：,;:（(\s0-9.])\s*(1[.、．]\s*[^0-9].+)$"
)


@dataclass
class _Line:
    text: str
    start: int
    end: int
    kind: str = "paragraph"
    cells: tuple = ()
    plain: bool = False  # a PDF line in the running text's type: never an unnumbered heading
    run_in: bool = False  # a heading sentence split off the paragraph it opens
    # Set on the few lines that have them (class defaults keep the many other lines cheap to make):
    # a heading's number, title and numbering form (RANK_*), and whether the source marks the line
    # as a heading (Markdown "## …").
    number = ""
    title = ""
    rank = None
    marked = False
    divider = False  # a chapter's title on the divider slide that opens it
    spaced = False  # a PDF's display line numbered "1  行业分析", its number set apart by a blank


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
    lines = _with_appendix_titles(_split_lines(tm.text), tm.text)
    title_page, n_title = _front_matter(lines)
    if not n_title:
        title_page, n_title = _metadata_block(lines)
    if n_title:
        for ln in lines[:n_title]:
            ln.kind = "metadata"
    else:
        title_page, n_title = _title_page(lines)
        if title_page.organisation:
            title_page = _raw_organisations(doc, lines[:n_title], title_page)
        for ln in lines[:n_title]:
            ln.kind = "title_page"
    lines = _split_run_in_headings(lines, n_title)
    _mark_furniture(lines, n_title)
    if doc.furniture:
        spans = sorted(doc.furniture)
        for ln in lines:
            a, _ = tm.raw_span(ln.start, ln.end)
            if any(s <= a < e for s, e in spans):
                ln.kind = "furniture"
    if doc.boxes:  # a PDF: its type tells a heading from any short line
        shown = sorted(doc.display)
        starts = [s for s, _e in shown]
        for ln in lines:
            a, _ = tm.raw_span(ln.start, ln.end)
            i = bisect.bisect_right(starts, a) - 1
            ln.plain = i < 0 or shown[i][1] <= a
    if doc.boxes:
        _mark_spaced_numbers(doc, lines, n_title)
    if "#" in doc.raw:
        _mark_markdown_headings(doc, lines)
    _classify(lines, n_title, clipped=bool(n_title) and lines[0].kind == "metadata", paged=bool(doc.boxes))
    _mark_chapter_dividers(lines, n_title)
    _fill_numbering_gaps(lines, n_title)
    _assign_levels(lines)

    _number_stages(lines)
    nodes, owners = _build_tree(lines, n_title, _contents_titles(lines, n_title))
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
    blocks = _pass_chart_units(_pass_block_dates(blocks))

    sections = []
    for node in nodes:
        first = lines[node.start_line]
        last = lines[node.end_line]
        rs, _ = raw_span(first.start, first.end)
        _, re_ = raw_span(last.start, last.end)
        sections.append(
            Section(node.section_id, node.parent.section_id if node.parent else None, node.level,
                    node.number, _FOOTNOTE_MARK.sub("", node.title), rs, re_, lines_index.line_of(rs), node.path)
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
            if "\t" in raw_line and out and out[-1].kind == "table" and out[-1].end == start - 1:
                # a row of empty cells (a gap a table leaves between its parts) goes on with the
                # table: were it a blank line, the rows under it would lose their header
                prev = out[-1]
                out[-1] = _Line(text[prev.start : end], prev.start, end, "table", prev.cells)
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


# An appendix's number: 一 … 九十九, or 1 … 99 with a sub-number ("附件2-1").
_APPENDIX_NUMBER = r"(?:[一二三四五六七八九十]{1,3}|[0-9]{1,2}(?:-[0-9]{1,2})?)"


# An appendix's marker alone on its line ("附件1"), its title on the next ("名词注释"): one heading,
# as when both stand on one line ("附件1 名词注释").
_BARE_APPENDIX = re.compile(rf"附(?:件|录)\s*{_APPENDIX_NUMBER}\s*[：:]?")


# A title "关于…" runs on until the kind of document it is ("…有关情况的说明"): lines of such a
# title set under an appendix's marker are one title, up to this many of them.
DOCUMENT_KINDS = ("说明", "报告", "意见", "通知", "决定", "决议", "办法", "方案", "规定", "批复", "清单")
MAX_TITLE_LINES = 3


def _with_appendix_titles(lines: list[_Line], text: str) -> list[_Line]:
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        j = i + 1
        if ln.kind == "paragraph" and _BARE_APPENDIX.fullmatch(ln.text):
            title = ""
            while (j < len(lines) and j - i <= MAX_TITLE_LINES and lines[j].kind == "paragraph"
                   and _is_heading_like(lines[j].text) and not _BARE_APPENDIX.match(lines[j].text)
                   and not _OUTLINE_START.match(lines[j].text)
                   and (not title or (title.startswith("关于") and not title.endswith(DOCUMENT_KINDS)))):
                title += lines[j].text
                j += 1
        if j > i + 1:
            # one line for the heading (its text the source's, line breaks and all, so that
            # offsets hold), titled by its words without the breaks
            head = _Line(text[ln.start : lines[j - 1].end], ln.start, lines[j - 1].end)
            head.title = ln.text + "".join(lines[k].text for k in range(i + 1, j))
            out.append(head)
            i = j
            continue
        out.append(ln)
        i += 1
    return out


_OUTLINE_START = re.compile(r"[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十0-9]{1,3}[）)]|[0-9]{1,2}[.．、]")


# A clipped or archived text opens with its catalogue record, one field a line: "【标题】…",
# "【 作  者 】…", "〖文献标识码〗A", up to "【正文】" where the body starts. The label is read without
# its inner spaces. These labels say which field of the title page a value fills; a label not
# listed here is kept as metadata and fills nothing.
# A saved web page has the same record as "标题：…", "发文单位：…" lines; in that form only the
# labels below (and the other catalogue labels of META_LABELS) make a record line.
_META_LINE = re.compile(r"^[【〖]\s*([^】〗\n]{1,12}?)\s*[】〗]\s*(.*)$")
_META_COLON_LINE = re.compile(r"^([^\s：:，。]{2,8})\s*[：:]\s*(.*)$")
META_FIELDS = {
    "标题": "title", "题名": "title", "篇名": "title", "副标题": "subtitle",
    "作者": "author", "责任者": "author", "原文出处": "source", "出处": "source", "来源": "source",
    "发文单位": "organisation", "发布单位": "organisation", "发文机关": "organisation",
    "原刊日期": "date", "日期": "date", "发布日期": "date", "发文时间": "date", "发文日期": "date",
    "发布时间": "date", "原刊期号": "issue",
}
META_BODY_LABEL = "正文"
META_LABELS = frozenset(META_FIELDS) | {META_BODY_LABEL, "来源URL", "网址", "链接", "报告人", "文号", "发文字号",
                                        "索引号", "主题分类", "关键词", "摘要", "责任编辑"}
MIN_METADATA_LABELS = 2  # a catalogue record has several fields
MAX_METADATA_LINES = 60  # and sits at the very top; a record without 【正文】 ends at its last label
_ISSUE_DATE = re.compile(r"((?:19|20)\d{2})(?:0[1-9]|1[0-2])(?:[0-3]\d)?")  # 19971231, 200002


def _meta_label(text: str):
    m = _META_LINE.match(text)
    if m:
        return "".join(m.group(1).split()), m.group(2).strip()
    m = _META_COLON_LINE.match(text)
    if m and m.group(1) in META_LABELS:
        return m.group(1), m.group(2).strip()
    return None


# A Markdown file may open with a front-matter record: "---", "key: value" lines, "---". It is
# the file's metadata (title, date, publisher), never a heading or a claim ("char_count: 12863").
_FRONT_MATTER_FENCE = "---"
_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_ -]{0,40}|[\u4e00-\u9fff]{1,8})\s*[:：]\s*(.*)$")
FRONT_MATTER_KEYS = {
    "title": "title", "标题": "title", "subtitle": "subtitle", "副标题": "subtitle",
    "organization": "organisation", "organisation": "organisation", "publisher": "organisation",
    "institution": "organisation", "author": "author", "authors": "author", "作者": "author",
    "date": "date", "published": "date", "year_published": "date", "year": "date", "日期": "date",
}
MAX_FRONT_MATTER_LINES = 60


def _front_matter(lines: list[_Line]) -> tuple[TitlePage, int]:
    if not lines or lines[0].text != _FRONT_MATTER_FENCE:
        return TitlePage(), 0
    end = next((k for k in range(1, min(len(lines), MAX_FRONT_MATTER_LINES)) if lines[k].text == _FRONT_MATTER_FENCE), 0)
    if end < 2:
        return TitlePage(), 0  # no closing fence, or nothing between the fences
    fields: dict[str, str] = {}
    for ln in lines[1:end]:
        m = _FRONT_MATTER_LINE.match(ln.text)
        if not m:
            return TitlePage(), 0  # a rule under the first line, not a record
        key = FRONT_MATTER_KEYS.get(m.group(1).strip().lower())
        if key and m.group(2).strip():
            fields.setdefault(key, m.group(2).strip().strip("\"'"))
    date = fields.get("date", "")
    m = re.search(r"(?:19|20)\d{2}", date)
    return TitlePage(fields.get("title", ""), fields.get("subtitle", ""),
                     fields.get("organisation", ""), date, int(m.group()) if m else None), end + 1


def _metadata_block(lines: list[_Line]) -> tuple[TitlePage, int]:
    """The catalogue record at the top of a clipping: its fields and the number of lines it takes.

    A line that carries no label continues the field before it (a subtitle under 【标题】). The
    record ends with its 【正文】 line, or with its last labelled line when it has none.
    """
    if not lines or lines[0].kind == "table" or not _meta_label(lines[0].text):
        return TitlePage(), 0
    fields: dict[str, list[str]] = {}
    last_label = 0
    labels = 0
    current = None
    for i, ln in enumerate(lines[:MAX_METADATA_LINES]):
        got = _meta_label(ln.text)
        if got is None:
            if ln.kind == "table" or _SECTION_NUM.match(ln.text) or _CHAPTER.match(ln.text):
                break
            if current and len(ln.text) <= MAX_HEADING:
                fields.setdefault(current + "+", []).append(ln.text)  # "（第二号）" under 【标题】
            continue
        label, value = got
        last_label = i
        labels += 1
        if label == META_BODY_LABEL:
            break
        current = META_FIELDS.get(label)
        if current and value:
            fields.setdefault(current, []).append(value)
    if labels < MIN_METADATA_LABELS:
        return TitlePage(), 0  # one bracketed label ("【专栏】…") is no catalogue record
    n = last_label + 1
    title = "".join(fields.get("title", [])[:1])
    subtitle = "".join(fields.get("subtitle", []) or fields.get("title+", [])[:1])
    organisation = "；".join(fields.get("organisation") or fields.get("author") or fields.get("source") or [])
    date = "".join(fields.get("date", [])[:1])
    year = None
    m = re.search(r"(?:19|20)\d{2}", date)
    if m:
        year = int(m.group())
    else:
        issue = _ISSUE_DATE.fullmatch("".join(fields.get("issue", [])[:1]))
        if issue:
            date, year = issue.group(), int(issue.group(1))
    return TitlePage(title, subtitle, organisation, date, year), n


def _title_page(lines: list[_Line]) -> tuple[TitlePage, int]:
    """The short lines at the top: title, subtitle, organisation(s) and date."""
    title = subtitle = date = ""
    orgs: list[str] = []
    n = 0
    wrapped = False
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
        if _NUMERAL_LINE.match(t) or _FIGURE.match(t) or _SECTION_NUM.match(t) or _CHAPTER.match(t) \
                or _PART_ORDINAL.match(t):
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
        elif n == 1 and not wrapped and not title.endswith(_GENRE_ENDS) and t.endswith(_GENRE_ENDS) \
                and len(title) + len(t) <= MAX_TITLE:
            title += _FOOTNOTE_MARK.sub("", t).strip()  # the rest of a title set on two lines
            wrapped = True
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
    if not (date or orgs) and n > 1 + wrapped:
        # Without a date or an organisation a short first line is only a title if a body follows.
        n = (1 + wrapped) if title else 0
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
    """Running headers and footers: a short line repeated three times or more, or a page number;
    or a short line repeated with a page number that changes ("工作论文 | 2014年9月 | 3")."""
    counts: dict[str, int] = {}
    paged: dict[str, set] = {}
    for ln in lines[first:]:
        if len(ln.text) <= 40 and ln.kind != "table":
            counts[ln.text] = counts.get(ln.text, 0) + 1
            m = _RUNNING_PAGE_NUMBER.search(ln.text)
            if m and m.start() and _WORD_CHARS.search(ln.text[: m.start()]):
                paged.setdefault(ln.text[: m.start()], set()).add(m.group(1))
            m = _LEADING_PAGE_NUMBER.match(ln.text)
            if m and _WORD_CHARS.search(m.group(2)):
                paged.setdefault(m.group(2), set()).add(m.group(1))
    for ln in lines[first:]:
        if ln.kind == "table":
            continue
        m = _RUNNING_PAGE_NUMBER.search(ln.text) if len(ln.text) <= 40 else None
        running = m is not None and m.start() > 0 and len(paged.get(ln.text[: m.start()], ())) >= MIN_RUNNING_LINES
        lead = _LEADING_PAGE_NUMBER.match(ln.text) if len(ln.text) <= 40 else None
        running = running or (lead is not None and len(paged.get(lead.group(2), ())) >= MIN_RUNNING_LINES)
        if (((counts.get(ln.text, 0) >= MIN_RUNNING_LINES or running) and not _CASE_MARKER.match(ln.text)
                and not _NUMERAL_LINE.match(ln.text) and not _FIGURE.match(ln.text)
                and not (counts.get(ln.text, 0) < MIN_RUNNING_PARTS and _PART_ORDINAL.match(ln.text))
                and not _LIST_ITEM.match(ln.text) and not unit_statement_start().match(ln.text))
                or _PAGE_NUMBER.match(ln.text)):
            ln.kind = "furniture"
    _mark_page_numbers(lines, first)
    # A table of contents: entries with leader dots and the page each part starts on
    entries = [ln for ln in lines[first:] if ln.kind == "paragraph" and _CONTENTS_ENTRY.match(ln.text)]
    if len(entries) >= MIN_CONTENTS_ENTRIES:
        for ln in entries:
            ln.kind = "furniture"


# Page numbers of a converted slide deck or print page: a lone integer on its line between other
# text, whose values count up through the document (2, 4, 5, … 14), a small step at a time (pages
# without a number are skipped). A chart's integer labels stand next to one another, not alone.
_LONE_INTEGER = re.compile(r"^[0-9]{1,4}$")
_YEAR_ONLY = re.compile(r"^(?:19|20)[0-9]{2}$")  # a chart's axis year beside a page number
# The front matter's pages are numbered in Roman numerals (I, II, III … XX), the body's from 1.
_ROMAN_PAGE = re.compile(r"^(X{0,2})(IX|IV|V?I{0,3})$")
_ROMAN_ONES = {"": 0, "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}
MIN_PAGE_NUMBERS = 3
MAX_PAGE_STEP = 10


def _page_number_value(text: str) -> int | None:
    if _LONE_INTEGER.match(text):
        return int(text)
    m = _ROMAN_PAGE.match(text)
    return 10 * len(m.group(1)) + _ROMAN_ONES[m.group(2)] if m and text else None


def _mark_page_numbers(lines: list[_Line], first: int) -> None:
    for roman in (False, True):  # the Roman numbers count up apart from the Arabic ones
        _mark_counting_numbers(lines, first, roman)


def _mark_counting_numbers(lines: list[_Line], first: int, roman: bool) -> None:
    body = [i for i in range(first, len(lines)) if lines[i].kind != "furniture"]
    lone = []
    for n, i in enumerate(body):
        text = lines[i].text
        value = _page_number_value(text) if lines[i].kind == "paragraph" else None
        if value is None or roman == bool(_LONE_INTEGER.match(text)):
            continue
        neighbours = [lines[body[j]].text for j in (n - 1, n + 1) if 0 <= j < len(body)]
        if not any(_LONE_INTEGER.match(t) and not _YEAR_ONLY.match(t) for t in neighbours):
            lone.append((i, value))
    # the longest run of them that counts up, each step small
    best: list[list[int]] = []
    for k, (_i, value) in enumerate(lone):
        chain = [k]
        for j in range(k):
            if 0 < value - lone[j][1] <= MAX_PAGE_STEP and len(best[j]) + 1 > len(chain):
                chain = best[j] + [k]
        best.append(chain)
    longest = max(best, key=len, default=[])
    if len(longest) >= MIN_PAGE_NUMBERS:
        for k in longest:
            lines[lone[k][0]].kind = "furniture"


# "成都现状 ... 2", "第一章 总则……………3": a contents entry, never a heading nor a claim.
_CONTENTS_ENTRY = re.compile(r"^\S.{0,58}?\s*(?:\.{3,}|…+|·{3,}|-{4,}|_{3,})\s*[0-9]{1,4}$")
MIN_CONTENTS_ENTRIES = 2
_LEADERS = re.compile(r"\s*(?:\.{3,}|…+|·{3,}|-{4,}|_{3,})\s*[0-9]{1,4}$")


def _contents_titles(lines: list[_Line], first: int) -> frozenset:
    """The titles a table of contents lists, when at least two of them head the report's text."""
    titles = frozenset("".join(_LEADERS.sub("", ln.text).split()) for ln in lines[first:]
                       if ln.kind == "furniture" and _CONTENTS_ENTRY.match(ln.text))
    headed = sum(1 for ln in lines[first:] if ln.kind == "subsection_heading" and "".join(ln.text.split()) in titles)
    return titles if len(titles) >= MIN_CONTENTS_ENTRIES and headed >= MIN_CONTENTS_ENTRIES else frozenset()


# "阶段1：车辆配额控制+停车管理" or "第二阶段：…": the stages of a plan, numbered in their heading.
_STAGE = re.compile(rf"^(?:阶段\s*([0-9]{{1,2}}|[{_CN_NUM}]{{1,3}})|第\s*([0-9]{{1,2}}|[{_CN_NUM}]{{1,3}})\s*阶段)\s*[：:]\s*(\S.*)$")


def _number_stages(lines: list[_Line]) -> None:
    for ln in lines:
        if ln.kind == "subsection_heading" and ln.rank is None and (m := _STAGE.match(ln.text)):
            ln.number, ln.title = m.group(1) or m.group(2), m.group(3).strip()


MIN_RUNNING_LINES = 3  # a running header or footer is on many pages; three makes it a pattern
# A part's line ("第一部分 一般公共预算") comes again in the contents and on the divider page of
# each volume (the year's execution, then the draft): a few times is a heading; a running head
# over every page of its part comes back many more times than that.
MIN_RUNNING_PARTS = 5
# A running line's page number at its end, set apart by a space or a separator ("… | 3", "… 12").
_RUNNING_PAGE_NUMBER = re.compile(r"(?:\s*[|｜·•]\s*|\s+)([0-9]{1,4})$")
# The same on the left page of a spread: the number first ("10 | WORLD RESOURCES INSTITUTE").
_LEADING_PAGE_NUMBER = re.compile(r"^([0-9]{1,4})\s*[|｜·•]\s*(\S.*)$")
_PAGE_NUMBER = re.compile(r"^(?:[-—－]{1,2}\s*[0-9]{1,4}\s*[-—－]{1,2}|第\s*[0-9]{1,4}\s*页(?:\s*共\s*[0-9]{1,4}\s*页)?)$")


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


def _classify(lines: list[_Line], first: int, clipped: bool = False, paged: bool = False) -> None:
    """Give every line a kind; reads the neighbours where a line alone is ambiguous.

    ``paged``: a PDF, whose type tells its headings (a slide's lead is read from text inputs only)."""
    in_infographic = False
    caption_at = first  # the line of the last figure or table caption ("表1-1")
    decimal = sum(
        1 for j in range(first, len(lines) - 1)
        if lines[j].text[:1] in _DIGITS and (m := _DECIMAL_HEADING.match(lines[j].text) or _ARABIC_HEADING.match(lines[j].text))
        and _is_heading_like(lines[j].text, 40)
        and not _HAS_DIGIT.search(m.group(2)) and _opens_body(lines[j].text, lines[j + 1])
    ) >= MIN_DECIMAL_HEADINGS
    bare = _bare_numeral_lines(lines, first)
    topics = _ordinal_topic_lines(lines, first)
    # Arabic run-in headings ("1、国民经济较快增长。正文……") split off their paragraphs: in such a
    # report the same sentence alone on its line is a heading too.
    arabic_run_ins = sum(1 for ln in lines if ln.run_in and ln.text[:1] in _DIGITS) >= MIN_ARABIC_RUN_INS
    i = first
    while i < len(lines):
        ln = lines[i]
        t = ln.text
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        lead = 0
        if ln.kind in ("table", "furniture", "metadata"):
            in_infographic = in_infographic and ln.kind == "furniture"
        elif ln.run_in or ln.spaced:
            ln.kind = "subsection_heading"
            in_infographic = False
        elif clipped and _meta_label(t):
            ln.kind = "metadata"  # a clipping's catalogue field after its body (【责任编辑】…)
        elif _CASE_MARKER.match(t):
            ln.kind = "case_marker"
            in_infographic = False
            if nxt is not None and _is_heading_like(nxt.text) and nxt.kind != "table":
                nxt.kind = "case_title"
                i += 1
        elif (_NUMERAL_LINE.match(t) or i in bare) and nxt is not None and nxt.kind != "table":
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
        elif (t[0] == "附" and _APPENDIX.match(t) and _is_heading_like(t, MAX_NUMBERED_HEADING)
              and not (paged and ln.plain and len(t) > MAX_HEADING)):
            # an appendix's heading, whatever follows it: its table, its chart or its text
            ln.kind = "subsection_heading"
            in_infographic = False
        elif _FIGURE.match(t):
            ln.kind = "figure_caption"
            in_infographic = True
            caption_at = i
        elif _SOURCE_NOTE.match(t):
            ln.kind = "source_note"
        elif t[0] == "第" and (_CHAPTER.match(t) or _PART_ORDINAL.match(t)) and _is_heading_like(t, 40):
            in_infographic = False
            m = _CHAPTER.match(t) or _PART_ORDINAL.match(t)
            ln.kind = "section_heading" if m.re is _CHAPTER else "part_title"
            ln.number, ln.title = m.group(1), m.group(2).strip()
            ln.rank = RANK_CHAPTER if m.re is _CHAPTER else None
            if not ln.title and nxt is not None and nxt.kind == "paragraph" and _is_heading_like(nxt.text):
                # "第一章" on its line, its title on the next
                ln.kind = "section_number" if m.re is _CHAPTER else "part_number"
                nxt.kind = "section_title" if m.re is _CHAPTER else "part_title"
                i += 1
        elif t[0] in _ORDINAL_STARTS and (_SECTION_ORDINAL.match(t) or _UPPER_SECTION.match(t)) and _is_heading_like(t, 40):
            m = _SECTION_ORDINAL.match(t) or _UPPER_SECTION.match(t)
            ln.kind = "section_heading"
            ln.rank = RANK_SECTION_ORDINAL if m.re is _SECTION_ORDINAL else RANK_UPPER
            ln.number, ln.title = m.group(1).translate(_CANON_NUMERAL), m.group(2).strip()
            in_infographic = False
        elif _SECTION_NUM.match(t) and _is_heading_like(t, MAX_NUMBERED_HEADING):
            ln.kind = "section_heading"
            in_infographic = False
        elif _SUBSECTION_NUM.match(t) and _is_heading_like(t, MAX_NUMBERED_HEADING):
            ln.kind = "subsection_heading"
            in_infographic = False
        elif (t[0] in "（(" and _RUN_IN.fullmatch(t) and nxt is not None and not _SUBSECTION_NUM.match(nxt.text)
              and (_opens_body(t, nxt) or _opens_child(lines, i))
              and not (i > first and _RUN_IN.fullmatch(lines[i - 1].text))):  # not the last of a list
            # "（一）一般公共预算收支情况。" on its own line before its paragraph
            ln.kind, ln.run_in = "subsection_heading", True
            in_infographic = False
        elif (arabic_run_ins and t[0] in _DIGITS and _ARABIC_RUN_IN.fullmatch(t) and _opens_body(t, nxt)
              and not _ARABIC_RUN_IN.match(nxt.text)
              and not (i > first and _ARABIC_RUN_IN.fullmatch(lines[i - 1].text))):
            # "2、各项改革不断深化。" on its own line, in a report whose other 1、 headings run in
            ln.kind, ln.run_in = "subsection_heading", True
            in_infographic = False
        elif i in topics:
            ln.kind, ln.rank = "subsection_heading", RANK_ORDINAL_CLAUSE
            m = _ORDINAL_TOPIC.match(t)
            ln.number, ln.title = m.group(1), m.group(2)
            in_infographic = False
        elif decimal and t[0] in _DIGITS and (m := _DECIMAL_HEADING.match(t) or _ARABIC_HEADING.match(t)) \
                and _is_heading_like(t, 40) and not _HAS_DIGIT.search(m.group(2)) \
                and (_opens_body(t, nxt) or (nxt is not None and _DECIMAL_HEADING.match(nxt.text))):
            ln.kind = "section_heading"
            ln.number, ln.title = m.group(1), m.group(2).strip()
            ln.rank = RANK_ARABIC if m.re is _ARABIC_HEADING else RANK_DECIMAL + ln.number.count(".") - 1
            in_infographic = False
        elif _LIST_ITEM.match(t) and not _SECTION_NUM.match(t):
            ln.kind = "list_item"
        elif (in_infographic and not ln.marked and len(t) <= MAX_TABLE_TITLE and _TABLE_NUMBER.match(lines[caption_at].text)
              and any(x.kind == "table" for x in lines[i + 1 : i + 1 + TABLE_TITLE_LINES])):
            # "表1-1" then "63青海省…情况表" and "单位：亿元" above the rows: the table's title and
            # unit statement, not a chart's labels
            ln.kind = "figure_caption"
        elif in_infographic and not ln.marked and len(t) <= MAX_INFOGRAPHIC_LINE and (
            _HAS_DIGIT.search(t) or len(t) <= 8
        ):
            ln.kind = "infographic"
        elif nxt is not None and nxt.kind == "table" and len(t) <= MAX_TABLE_TITLE and _is_heading_like(t):
            ln.kind = "figure_caption"  # a table's title line ("国家重点企业销售收入前50名")
        elif (_is_heading_like(t) and (ln.marked or _is_named_part(t) or (
                (_opens_body(t, nxt) or (paged and (_heads_headings(lines, i) or _heads_lead_or_numbered(lines, i)))
                 or (not paged and (lead := _lead_lines(lines, i)))) and _follows_text_or_structure(
                lines[i - 1] if i > first else None)) and not _TOPIC_STATEMENT.match(t))
              and (not _HAS_DIGIT.search(t[:1]) or _YEAR_LED.match(t)) and t[0] not in "【〖["
              and len(_WORD_CHARS.findall(t)) >= MIN_HEADING_WORD_CHARS and not ln.plain
              and not _is_legend(t) and not _SPACED_LETTERS.fullmatch(t)):
            ln.kind = "subsection_heading"
            in_infographic = False
            i += lead  # the lead under the title is its first paragraph, not another heading
        else:
            in_infographic = False
        i += 1


# A report laid out as slides lists its chapters on a divider before each chapter, the same titles
# each time (the one that follows highlighted, which plain text loses): the k-th divider opens the
# k-th chapter. A divider's titles stand within a few lines of one another (the chapter's topics
# may be listed under its title); a contents page before the first divider lists them once more.
# Two or three lines repeated together on every page are a running header instead: a divider
# lists at least three chapters, and there are exactly as many dividers as chapters.
DIVIDER_REACH = 8
MIN_DIVIDER_CHAPTERS = 3
MIN_CHAPTER_TITLE_CHARS = 4  # ideographs: a chapter title is words, not a web address
_IDEOGRAPHS = re.compile(r"[\u3400-\u9fff]")


def _mark_chapter_dividers(lines: list[_Line], first: int) -> None:
    places: dict[str, list[int]] = {}
    for i in range(first, len(lines)):
        ln = lines[i]
        if (ln.kind in ("paragraph", "furniture", "subsection_heading") and _is_heading_like(ln.text)
                and not _HAS_DIGIT.search(ln.text) and not _LIST_ITEM.match(ln.text)
                and len(_IDEOGRAPHS.findall(ln.text)) >= MIN_CHAPTER_TITLE_CHARS):
            places.setdefault(ln.text, []).append(i)
    occurrences = sorted((i, t) for t, where in places.items() if len(where) >= 2 for i in where)
    groups: list[list[tuple[int, str]]] = []
    for i, t in occurrences:
        if groups and i - groups[-1][-1][0] <= DIVIDER_REACH and all(t != x for _, x in groups[-1]):
            groups[-1].append((i, t))
        else:
            groups.append([(i, t)])
    groups = [g for g in groups if len(g) >= MIN_DIVIDER_CHAPTERS]  # a line repeated alone is no divider
    if not groups:
        return
    titles = tuple(t for _, t in groups[-1])
    if len(titles) < MIN_DIVIDER_CHAPTERS or any(tuple(t for _, t in g) != titles for g in groups):
        return
    if len(groups) == len(titles) + 1:
        for i, _t in groups.pop(0):
            lines[i].kind = "furniture"  # the contents page
    if len(groups) != len(titles):
        return
    for k, group in enumerate(groups):
        for j, (i, t) in enumerate(group):
            ln = lines[i]
            if j == k:
                ln.kind, ln.number, ln.title, ln.divider, ln.rank = "section_heading", "", t, True, None
            else:
                ln.kind = "furniture"


# A numbered heading may join its clauses with a semicolon ("三、预算冻结金额……；部分主决议内容亦有
# 窒碍难行"), which the line rules refuse (a semicolon also ends list items). When the headings of
# its form before and after it are numbered one less and one more, the numbering says it is the
# heading between them. The sequence of a subsection form runs within one section. So does a
# subsection's title closed by its full stop on a line of its own.
_SEQUENCE_FORMS = ((_SECTION_NUM, "section_heading", frozenset({"part_title", "part_number"})),
                   (_SUBSECTION_NUM, "subsection_heading", frozenset({"part_title", "part_number", "section_heading",
                                                                       "section_number", "section_title"})))
_CLAUSE_STOP = ("，", "、", "；", "：", ",", ";", ":")


def _fill_numbering_gaps(lines: list[_Line], first: int) -> None:
    for pattern, kind, closers in _SEQUENCE_FORMS:
        last = None  # the position in the count of the last heading of this form
        gap: tuple[int, int] | None = None  # a line that could be the next one: (index, position)
        for i in range(first, len(lines)):
            ln = lines[i]
            if ln.kind in closers and ln.kind != kind and not (ln.rank is not None and ln.rank > RANK_PAREN):
                last = gap = None  # (a heading numbered in a deeper form, "1.", "2.", closes no sequence)
                continue
            if ln.text[:1] not in _NUMBERED_STARTS or ln.kind not in (kind, "paragraph"):
                continue
            m = pattern.match(ln.text)
            if m is None or m.group(1) not in _CN_ORDINALS:
                continue
            k = _CN_ORDINALS.index(m.group(1))
            if ln.kind == kind:
                if gap is not None and last is not None and gap[1] == last + 1 == k - 1:
                    lines[gap[0]].kind = kind
                    # a title closed by its full stop, on a line of its own ("（三）…安排情况。" over
                    # a one-line paragraph too short to confirm it)
                    lines[gap[0]].run_in = bool(_FULL_STOP.search(lines[gap[0]].text))
                last, gap = k, None
            elif (last is not None and k == last + 1 and len(ln.text) <= MAX_NUMBERED_HEADING
                  and (not _FULL_STOP.search(ln.text) or (kind == "subsection_heading" and _RUN_IN.fullmatch(ln.text)))
                  and not ln.text.endswith(_CLAUSE_STOP)):
                gap = (i, k)


_FULL_STOP = re.compile(r"[。！？!?]")


def _bare_numeral_lines(lines: list[_Line], first: int) -> set[int]:
    """Lines that hold nothing but a numeral 一, 二, 三 … in order: the section numbers of a report
    that sets each section's number on a line of its own, with or without a title under it (older
    work reports). A lone 一 alone is no evidence; the run must count on from 一 at least to 二."""
    found = [i for i in range(first, len(lines)) if lines[i].kind == "paragraph" and not lines[i].plain
             and _CN_NUMERAL_LINE.match(lines[i].text)]
    run: list[int] = []
    for i in found:
        if lines[i].text == _CN_ORDINALS[len(run)]:
            run.append(i)
        elif run and lines[i].text == _CN_ORDINALS[0]:
            break  # a second count from 一 is something else (a list, a chart's axis)
    return set(run) if len(run) >= MIN_BARE_NUMERAL_SECTIONS else set()


MIN_BARE_NUMERAL_SECTIONS = 2
# "第一，重大的比例关系正在朝着协调的方向发展，国民经济持续增长。": a topic sentence numbered 第一，
# 第二， … as a paragraph of its own, followed by the paragraphs it heads (work reports). Inside
# running text "第一，…。第二，…。" is an enumeration, so only a line that is one sentence counts.
MAX_ORDINAL_TOPIC = 70
_ORDINAL_TOPIC = re.compile(rf"^第([{_CN_NUM}]{{1,3}})[，,]([^。！？；!?;]{{2,{MAX_ORDINAL_TOPIC}}})。$")
MIN_ORDINAL_TOPICS = 2


def _ordinal_topic_lines(lines: list[_Line], first: int) -> set[int]:
    """Topic sentences numbered 第一，第二， … each on its own line before body paragraphs, in runs
    that count on from 第一 (a lone 第三， is one point of an argument, not a heading)."""
    out: set[int] = set()
    run: list[int] = []
    for i in range(first, len(lines)):
        ln = lines[i]
        if ln.kind != "paragraph" or ln.text[:1] != "第" or ln.plain:
            continue
        m = _ORDINAL_TOPIC.match(ln.text)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        # the run of them is the evidence; the paragraph after may be a short lead ("将采取以下措施：")
        if m is None or nxt is None or nxt.kind != "paragraph" or _ORDINAL_TOPIC.match(nxt.text):
            continue
        if m.group(1) == _CN_ORDINALS[0]:
            if len(run) >= MIN_ORDINAL_TOPICS:
                out.update(run)
            run = [i]
        elif run and m.group(1) == _CN_ORDINALS[len(run)]:
            run.append(i)
    if len(run) >= MIN_ORDINAL_TOPICS:
        out.update(run)
    return out


# Numbering forms from the highest level down. A report uses some of them: the highest it uses is
# its section level, the next its subsection level; deeper levels are body text to the section tree.
# A 第一， topic sentence ranks below （一） and above 1、.
(RANK_CHAPTER, RANK_SECTION_ORDINAL, RANK_UPPER, RANK_CN, RANK_PAREN, RANK_ORDINAL_CLAUSE, RANK_ARABIC,
 RANK_DECIMAL) = range(1, 9)
RANK_DISPLAY = 0  # unnumbered headings in display type over numbered ones in the body's (see _rank_display_sections)


def _assign_levels(lines: list[_Line]) -> None:
    """Give every numbered heading its number, title and level from the numbering forms the report
    uses: 第一章 > 第一节 > 壹、(or a 壹 line) > 一、 > （一）. A bulletin's 一、 is its section and （一）
    its subsection; under chapters, 一、 is the subsection."""
    for ln in lines:
        if ln.rank is not None or ln.divider:
            continue
        if ln.kind == "section_heading":
            m = _SECTION_NUM.match(ln.text)
            ln.rank, ln.number, ln.title = RANK_CN, m.group(1), m.group(2).strip()
        elif ln.kind == "section_number" and not ln.number:
            ln.rank, ln.number = RANK_UPPER, ln.text.translate(_CANON_NUMERAL)
        elif ln.kind == "subsection_heading":
            m = _SUBSECTION_NUM.match(ln.text)
            if m:
                ln.rank, ln.number, ln.title = RANK_PAREN, m.group(1), m.group(2).strip()
            elif ln.run_in and (m := _ARABIC_RUN_IN.match(ln.text)):
                ln.rank, ln.number, ln.title = RANK_ARABIC, m.group(1), m.group(2).strip()
            if ln.run_in:
                ln.title = ln.title.rstrip(RUN_IN_ENDS)
    _rank_display_sections(lines)
    used = sorted({ln.rank for ln in lines if ln.rank is not None})
    level = {rank: ("section" if n == 0 else "subsection" if n == 1 else None) for n, rank in enumerate(used)}
    if len(used) >= 2:
        # A report that numbers its sections and its subsections has no unnumbered heading between
        # them: such a line is a table's or a chart's title, or a label. But in a PDF, a section
        # without numbered subsections may head its parts with unnumbered display lines.
        for ln in _display_subsections(lines, used[0]):
            ln.rank, ln.number, ln.title = used[1], "", ln.text
        for ln in lines:
            if ln.kind == "subsection_heading" and ln.rank is None and not ln.marked and not _is_named_part(ln.text):
                ln.kind = "paragraph"
    # A section without subsections of the second form may number its parts in a deeper one
    # ("五、行业及区域环境分析" over "1  行业分析", where other sections have "（一）"): there they
    # are its subsections.
    section_at = [i for i, ln in enumerate(lines) if ln.rank is not None and level[ln.rank] == "section"]
    for i, ln in enumerate(lines):
        if ln.rank is None:
            continue
        lv = level[ln.rank]
        if lv is None and len(used) >= 2 and (k := bisect.bisect_right(section_at, i)):
            lo, hi = section_at[k - 1], section_at[k] if k < len(section_at) else len(lines)
            if not any(x.rank == used[1] for x in lines[lo:hi]) and all(
                    x.rank is None or level[x.rank] == "section" or x.rank == ln.rank for x in lines[lo:i]):
                lv = "subsection"
        two_line = ln.kind == "section_number" and i + 1 < len(lines) and lines[i + 1].kind == "section_title"
        if lv == "section":
            if ln.kind == "subsection_heading":
                ln.kind = "section_heading"
        elif lv == "subsection":
            if two_line:
                ln.title = lines[i + 1].text
                lines[i + 1].kind = "paragraph"
                lines[i + 1].rank = None
            ln.kind = "subsection_heading"
        else:
            if two_line:
                lines[i + 1].kind = "paragraph"
            ln.kind, ln.run_in, ln.rank = "paragraph", False, None


# A PDF whose numbered headings are set in the running text's type and whose unnumbered headings in
# a display type (larger, bolder): the unnumbered ones are its sections, the numbered ones under them
# (rating reports: red 12 pt "偿债环境" over "（一）宏观环境" in the body's 10.6 pt). Three at least, so
# that one display table title is no section level; the first of them before the first numbered
# heading, and each opening with a word, so that bold list items ("——社会保障与就业支出28.39亿元",
# "（1）代编全市…") under a report's 一、 headings are no level above them. Only where the numbered
# headings start again from 一 (a level above them is missing) and the report has no parts (which
# are that level).
MIN_DISPLAY_SECTIONS = 3


def _rank_display_sections(lines: list[_Line]) -> None:
    used = sorted({ln.rank for ln in lines if ln.rank is not None})
    if not used or any(ln.kind == "part_number" for ln in lines):
        return
    top = [ln for ln in lines if ln.rank == used[0]]
    if not all(ln.plain for ln in top) or sum(ln.number in ("一", "1") for ln in top) < 2:
        return
    shown = [i for i, ln in enumerate(lines) if _unnumbered_display_heading(ln)]
    first_numbered = next(i for i, ln in enumerate(lines) if ln.rank == used[0])
    if len(shown) >= MIN_DISPLAY_SECTIONS and shown[0] < first_numbered:
        for ln in (lines[i] for i in shown):
            ln.rank, ln.number, ln.title = RANK_DISPLAY, "", ln.text


# Rating reports number their sections and, under some of them, their subsections (（一）); the
# other sections head their parts with unnumbered lines in display type ("三、运营环境" in red
# 14 pt over "宏观经济和政策环境" and "区域经济环境" in red 12 pt, the body 10.6 pt). Two at least
# in one section, so that a lone display line (a chart's title) is no subsection; one alone when
# it is the section's first line and opens its text ("六、其他事项分析" over "过往债务履约情况" and
# its paragraph). Display lines before the section's first numbered subsection head it too: the
# numbered ones are a level below them ("行业环境" over "（一）私募股权投资行业"); display lines
# after a numbered subsection are titles.
MIN_DISPLAY_SUBSECTIONS = 2


def _display_subsections(lines: list[_Line], top: int) -> list[_Line]:
    if not any(ln.plain for ln in lines):
        return []  # no type to tell display lines by (a text report)
    out: list[_Line] = []
    group: list[int] | None = None
    closed = False  # a numbered subsection seen: later display lines are titles
    head = -1  # the section's heading line
    for i, ln in enumerate([*lines, None]):
        if ln is None or ln.rank == top:
            if group is not None and (len(group) >= MIN_DISPLAY_SUBSECTIONS or (
                    len(group) == 1 and group[0] == head + 1
                    and _opens_body(lines[group[0]].text, lines[group[0] + 1] if group[0] + 1 < len(lines) else None))):
                out += [lines[j] for j in group]
            group, closed, head = ([] if ln is not None else None), False, i
        elif group is not None and _APPENDIX.match(ln.text):
            group = None  # the appendices
        elif group is not None and ln.rank is not None:
            closed = True  # a section with numbered subsections
        elif group is not None and not closed and _unnumbered_display_heading(ln) and not _is_named_part(ln.text):
            group.append(i)
    return out


def _unnumbered_display_heading(ln: _Line) -> bool:
    """An unnumbered heading of a PDF set in display type, opening with a word, no appendix's."""
    return (ln.kind == "subsection_heading" and ln.rank is None and not ln.marked and not ln.plain
            and not ln.run_in and bool(_WORD_CHARS.match(ln.text)) and not _APPENDIX.match(ln.text))


# The unnumbered parts a report names by a word of their own: on a line alone, such a word is a
# heading whatever follows it (an abstract's first line may be a short summary title).
NAMED_PARTS = frozenset({"摘要", "内容摘要", "前言", "引言", "序言", "导言", "结束语", "结语", "后记", "附录",
                         "参考文献", "参考资料", "致谢", "名词解释"})


# An appendix heading: its own marker and number, then its title ("附一：湖北省主要经济数据概况",
# "附件二：公司主要财务数据及指标", "附录三 担保方评级模型结果", "附件2-1 主要财务数据及指标"),
# numbered apart from the body's sections (the space after the number is gone once the text is
# normalised: "附录三担保方…"). 附表 is a table's caption, not an appendix.
_APPENDIX = re.compile(rf"附(?:件|录)?\s*{_APPENDIX_NUMBER}\s*[：:、.．]?\s*"
                       r"(?![0-9])\S")


# A glossary may name what it explains first ("有关缩略语及名词解释", "主要名词解释"): a short line of
# words ending so is the glossary's heading too.
GLOSSARY_ENDS = ("名词解释", "术语解释", "名词注释", "缩略语")
MAX_GLOSSARY_TITLE = 12  # characters


def _is_named_part(t: str) -> bool:
    w = "".join(t.split())
    return (w in NAMED_PARTS or bool(_APPENDIX.match(t))
            or (len(w) <= MAX_GLOSSARY_TITLE and w.endswith(GLOSSARY_ENDS) and bool(_IDEOGRAPHS.fullmatch(w[:1]))
                and not re.search(r"[0-9，。；：、]", w)))


def _opens_child(lines: list[_Line], i: int) -> bool:
    """"（二）市级预算安排。" above "1.一般公共预算。" and its paragraph: a heading whose first
    child heading, one level down, opens the body."""
    if i + 2 >= len(lines):
        return False
    child = lines[i + 1]
    return (child.kind == "paragraph" and bool(_ARABIC_RUN_IN.fullmatch(child.text))
            and _opens_body(child.text, lines[i + 2]))


HEADING_CHAIN = 3  # display lines: a part's, a section's and a subsection's title one under another
# Titles in such a chain are words only ("财务分析", "宏观经济与政策环境"): a signature's name and date
# ("二〇二六年六月八日"), a label in brackets or a line with figures are no part of one.
_CHAIN_TITLE = re.compile(r"[\u4e00-\u9fff、与和及]{2,24}(?<![日月年])")


def _heads_headings(lines: list[_Line], i: int) -> bool:
    """A PDF's display line directly above other display lines the last of which opens a body
    ("财务分析" over "财务质量" over its paragraph): the first titles of a part and its sections."""
    if not _CHAIN_TITLE.fullmatch(lines[i].text):
        return False
    for j in range(i + 1, min(i + 1 + HEADING_CHAIN, len(lines))):
        ln = lines[j]
        if ln.kind != "paragraph" or ln.plain or not _is_heading_like(ln.text) or not _CHAIN_TITLE.fullmatch(ln.text):
            return False
        body = lines[j + 1] if j + 1 < len(lines) else None
        if _opens_body(ln.text, body):
            return body is not None and not _LIST_ITEM.match(body.text)  # "*传媒查询：…" under a signature
    return False


def _heads_lead_or_numbered(lines: list[_Line], i: int) -> bool:
    """A PDF's display title over its first numbered heading ("区域经济和财政状况" over "1.安庆市",
    "偿债环境" over "（一）宏观环境"), or over a key judgement set in display type, a clause or two
    without a full stop, that opens the body ("资本结构" over "跟踪期内，公司所有者权益有所增加，仍以资
    本公积为主" over its paragraph): rating reports head their parts so."""
    if not _CHAIN_TITLE.fullmatch(lines[i].text) or i + 1 >= len(lines):
        return False
    nxt = lines[i + 1]
    if nxt.kind != "paragraph" or len(nxt.text) > MAX_HEADING:
        return False
    if _SUBSECTION_NUM.match(nxt.text) or _SECTION_NUM.match(nxt.text) or _ARABIC_HEADING.match(nxt.text):
        return True
    body = lines[i + 2] if i + 2 < len(lines) else None
    return (not nxt.plain and bool(_CLAUSE_PUNCT.search(nxt.text)) and not nxt.text.endswith(_TEXT_END)
            and body is not None and body.plain and _opens_body(nxt.text, body))


def _opens_body(t: str, nxt: Optional[_Line]) -> bool:
    """An unnumbered line is a heading only when a body paragraph follows it: running text (a
    sentence, or clause punctuation in a long line) longer than the heading itself. A short line
    before another short line is a label, a chart's text or a list, not a heading."""
    if nxt is None or nxt.kind != "paragraph" or nxt.run_in:
        return False
    if nxt.text.endswith(("。", "！", "？")) and len(nxt.text) > len(t):
        return True  # a paragraph of one sentence
    return len(nxt.text) >= max(MIN_BODY_AFTER_HEADING, len(t)) and bool(_CLAUSE_PUNCT.search(nxt.text))


_MD_HEADING = re.compile(r"#{1,6}[ \t]")


def _mark_markdown_headings(doc: Document, lines: list[_Line]) -> None:
    """Lines the source marks as headings with Markdown's "#": that mark is evidence enough."""
    raw, starts = doc.raw, doc.normal.starts
    for ln in lines:
        a = starts[ln.start]
        line_start = raw.rfind("\n", 0, a) + 1
        if _MD_HEADING.match(raw, line_start):
            ln.marked = True


# A report laid out as slides puts a one-line lead under each slide's title, the slide's message
# ("第三方移动支付交易规模" / "疫情对一季度消费板块影响大，行业规模下降"), and then the body. The title
# is one phrase; the lead, one or two lines without a sentence stop, says more than the title does.
MAX_LEAD_LINES = 2


def _lead_lines(lines: list[_Line], i: int) -> int:
    """How many lead lines stand between the title at ``i`` and its body paragraph (0: none)."""
    title = lines[i].text
    if _CLAUSE_PUNCT.search(title):
        return 0
    for n in range(1, MAX_LEAD_LINES + 1):
        if i + n + 1 >= len(lines):
            return 0
        lead = lines[i + 1 : i + n + 1]
        if any(x.kind != "paragraph" or x.run_in or x.marked or not _is_heading_like(x.text) for x in lead):
            return 0
        if len(lead[0].text) > len(title) and _opens_body(lead[-1].text, lines[i + n + 1]):
            return n
    return 0


def _follows_text_or_structure(prev: Optional[_Line]) -> bool:
    """A heading comes after running text or after another structural line, not at the end of a run
    of short unclassified lines (a list, a table's column, a chart's labels)."""
    if prev is None or prev.kind != "paragraph" or prev.run_in:
        return True
    # a date alone on its line ("2023年08月29日") is the report's dateline, closing its title block
    return len(prev.text) > MAX_HEADING or prev.text.endswith(_TEXT_END) or bool(_DATELINE.match(prev.text))


def _split_run_in_headings(lines: list[_Line], first: int) -> list[_Line]:
    """Headings that share their line with what follows them become lines of their own.

    "二、农业（一）种植业": a section title with its first subsection on one line (a PDF or a converted
    page that lost the break). "（一）扎实推进……。正文……": a run-in subsection heading, whose title is
    its first sentence, followed by its paragraph. "一是……二是……" enumerations have no such number.
    """
    out: list[_Line] = lines[:first]
    arabic = sum(1 for ln in lines[first:] if ln.kind == "paragraph" and ln.text[:1] in _DIGITS
                 and (m := _ARABIC_RUN_IN.match(ln.text))
                 and len(ln.text) - m.end() >= MIN_ARABIC_RUN_IN_BODY) >= MIN_ARABIC_RUN_INS
    for ln in lines[first:]:
        if ln.kind != "paragraph":
            out.append(ln)
            continue
        if ln.text[0] not in _NUMBERED_STARTS:
            out.append(ln)
            continue
        pieces = [ln]
        m = _SECTION_THEN_SUB.match(ln.text)
        if m:
            head, sub = next((g, g + 1) for g in (1, 3, 5, 7) if m.group(g) is not None)
            cut = ln.start + m.end(head)
            pieces = [_Line(ln.text[: m.end(head)], ln.start, cut),
                      _Line(ln.text[m.start(sub):], ln.start + m.start(sub), ln.end)]
        last = pieces[-1]
        m = _RUN_IN.match(last.text)
        if m is None and arabic:
            m = _ARABIC_RUN_IN.match(last.text)
        if m and len(last.text) - m.end() >= MIN_RUN_IN_BODY:
            cut = last.start + m.end()
            head = _Line(last.text[: m.end()], last.start, cut, run_in=True)
            rest = last.text[m.end():]
            lead = len(rest) - len(rest.lstrip())
            pieces[-1:] = [head, _Line(rest[lead:], cut + lead, last.end)]
        out.extend(pieces)
    return out


# "1  行业分析" in display type: a number set apart from a short title by a blank (which the
# normalised text drops: "1行业分析"). Rating agencies number a section's subsections so.
_SPACED_NUMBER_RAW = re.compile(r"\s*([0-9]{1,2})[ \u3000\t]+(\S.*?)\s*$")
_SPACED_TITLE = re.compile(r"[\u4e00-\u9fff]{2,15}")


def _mark_spaced_numbers(doc: Document, lines: list[_Line], first: int) -> None:
    for ln in lines[first:]:
        if ln.kind != "paragraph" or ln.plain or not ln.text[:1].isdigit():
            continue
        a, b = doc.normal.raw_span(ln.start, ln.end)
        m = _SPACED_NUMBER_RAW.fullmatch(doc.raw[a:b])
        if m and _SPACED_TITLE.fullmatch(title := _to_normal(m.group(2))) and ln.text == m.group(1) + title:
            ln.spaced, ln.number, ln.title, ln.rank = True, m.group(1), title, RANK_ARABIC


def _is_heading_like(t: str, limit: int = MAX_HEADING) -> bool:
    return 0 < len(t) <= limit and not _SENTENCE_PUNCT.search(t) and not t.endswith(("：", ":", "，"))


def _build_tree(lines: list[_Line], first: int, contents: frozenset = frozenset()) -> tuple[list[_Node], list[Optional[_Node]]]:
    """Parts hold sections, sections hold subsections; each line gets its innermost owner.

    ``contents``: the titles the report's table of contents lists (without spaces). In a report
    without numbered sections they are its sections, and an unnumbered heading the contents does
    not list is a subsection of the section before it."""
    nodes: list[_Node] = []
    owners: list[Optional[_Node]] = [None] * len(lines)
    part = section = sub = None
    i = first
    pending_number = ""
    numbered = any(ln.kind in ("part_title", "section_number", "section_heading") for ln in lines)
    while i < len(lines):
        ln = lines[i]
        k = ln.kind
        node = None
        if k == "part_number":
            pending_number = ln.number or ln.text.translate(_CANON_NUMERAL)
        elif k == "part_title" and ln.number:  # "第一部分 总论" on one line
            node = part = _Node("part", ln.number, ln.title, i, None)
            section = sub = None
        elif k == "part_title":
            node = part = _Node("part", pending_number, ln.text, i - 1, None)
            section = sub = None
        elif k == "section_number":
            pending_number = ln.number or ln.text.translate(_CANON_NUMERAL)
            if i + 1 >= len(lines) or lines[i + 1].kind != "section_title":
                node = section = _Node("section", pending_number, "", i, part)
                sub = None
        elif k == "section_title":
            node = section = _Node("section", pending_number, ln.text, i - 1, part)
            sub = None
        elif k == "section_heading":
            node = section = _Node("section", ln.number, ln.title, i, part)
            sub = None
        elif k == "subsection_heading":
            number, title = (ln.number, ln.title) if ln.rank is not None or ln.title else ("", ln.text)
            listed = not contents or "".join(title.split()) in contents or section is None
            if not number and part is not None and _is_named_part(title):
                # a named part (名词解释, 附录) after the parts of a report organised in parts
                # stands beside them, not inside the last one
                node = part = _Node("part", number, title, i, None)
                section = sub = None
            elif not number and ((not numbered and listed) or _is_named_part(title)):
                # (a named part such as 前言 or 附录 stands beside the numbered sections)
                # a report without numbered sections: its unnumbered headings are its sections
                node = section = _Node("section", number, title, i, part)
                sub = None
            else:
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
    # A report of parts and nothing numbered under them (budget tables in "第一部分 一般公共预算报表"
    # and so on): its parts are its main level, its sections.
    if not any(n.level == "section" for n in nodes):
        for n in nodes:
            if n.level == "part":
                n.level = "section"
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
    r = -1
    for row_text in text_rows:
        if not row_text.strip():  # a row of empty cells inside the table holds nothing
            pos += len(row_text) + 1
            continue
        r += 1
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


# A chart converted to text keeps its data labels as bare numbers on lines of their own ("44.4"),
# and states their unit once, in a legend or axis title ("交易额规模（万亿元）", "同比增长率（%）")
# above or below them. A chart is the run of lines between two stretches of running text (or
# headings, tables, or the next chart's caption); its percentage labels carry their own %, and when
# it names exactly one other unit, every bare label takes that unit.
_UNIT_WORDS = frozenset(load_lexicon().units) | {"%", "％", "‰"}
_UNIT_SCALE = re.compile(r"^[十百千万亿萬億]+")
# Letters set apart by spaces ("S M S"): an icon's or a logo's residue, not a title.
_SPACED_LETTERS = re.compile(r"(?:[A-Za-z]\s+)+[A-Za-z]")


def _legend_unit(text: str) -> str:
    """The unit of a legend or axis title "交易规模（万亿元）", "增长率（%）"; "" for another line."""
    m = _LEGEND.fullmatch(text)
    if not m:
        return ""
    unit = m.group(1)
    return unit if _UNIT_SCALE.sub("", unit) in _UNIT_WORDS or unit in _UNIT_WORDS else ""


def _is_legend(text: str) -> bool:
    """A chart's legend or axis title names a unit in brackets at its end: never a heading."""
    return bool(_legend_unit(text))


_BARE_LABEL = re.compile(r"[-+－]?[0-9][0-9,]*(?:\.[0-9]+)?")
_LEGEND = re.compile(r"[^（(，。；：:,;]{1,30}[（(]\s*([^（）()]{1,10}?)\s*[）)]")
_CHART_BOUNDS = frozenset({"part_number", "part_title", "section_number", "section_title", "section_heading",
                           "subsection_heading", "case_marker", "case_title", "table", "metadata", "title_page"})
_CHART_TEXT = frozenset({"paragraph", "infographic", "list_item"})
_PERCENT_UNITS = ("%", "％", "‰", "百分点")
MIN_CHART_LABELS = 3  # fewer bare numbers make no chart (a page number, a lone figure)
_PERCENT_LABELS = re.compile(r"(?:[-+－]?[0-9]+(?:\.[0-9]+)?%\s*)+")  # "-4.0%", "32.4% 35.0% 36.9%"


def _is_running_text(b: Block) -> bool:
    """A paragraph of sentences (not a note, not a long axis of categories "2017Q1 2017Q2 …")."""
    long = len(b.text) > MAX_INFOGRAPHIC_LINE or (len(b.text) >= MIN_BODY_AFTER_HEADING and b.text.endswith("。"))
    return (b.kind in _CHART_TEXT and long and bool(_CLAUSE_PUNCT.search(b.text))
            and not _SOURCE_NOTE.match(b.text) and not b.text.startswith("注释"))


def _pass_chart_units(blocks: list[Block]) -> list[Block]:
    out = list(blocks)
    region: list[int] = []
    for i in range(len(blocks) + 1):
        b = blocks[i] if i < len(blocks) else None
        if b is not None and b.kind not in _CHART_BOUNDS and not _is_running_text(b) and not (
                b.kind == "figure_caption" and region):
            region.append(i)
            continue
        ticks = _axis_ticks(blocks, region)
        labels = [j for j in region if blocks[j].kind in _CHART_TEXT and _BARE_LABEL.fullmatch(blocks[j].text)
                  and j not in ticks]
        legends = [j for j in region if blocks[j].kind in _CHART_TEXT | {"figure_caption"} and _legend_unit(blocks[j].text)]
        units = {_legend_unit(blocks[j].text) for j in legends} - set(_PERCENT_UNITS)
        rates = [blocks[j].text for j in legends if _legend_unit(blocks[j].text) in _PERCENT_UNITS]
        shares = [j for j in region if blocks[j].kind in _CHART_TEXT and _PERCENT_LABELS.fullmatch(blocks[j].text)]
        for j in ticks:
            out[j] = replace(out[j], kind="furniture")
        if len(labels) >= MIN_CHART_LABELS and len(units) == 1:
            (unit,) = units
            legend = next(blocks[j].text for j in legends if _legend_unit(blocks[j].text) == unit)
            for j in labels:
                out[j] = replace(out[j], legend=legend)
        if shares and len(rates) == 1:  # the percentage labels are the one % series of the chart
            for j in shares:
                out[j] = replace(out[j], legend=rates[0])
        region = [i] if b is not None and b.kind == "figure_caption" else []
    return out


# A chart's value axis: round numbers on lines of their own that step evenly down to 0 or up from
# it ("100%", "80%", … "0%"; "0", "500", "1000", "1500"). They are the chart's furniture, no data.
_TICK = re.compile(r"([0-9]{1,6})(%?)")
MIN_AXIS_TICKS = 4


def _axis_ticks(blocks: list[Block], region: list[int]) -> set[int]:
    out: set[int] = set()
    run: list[tuple[int, int, str]] = []
    for j in region + [-1]:
        m = _TICK.fullmatch(blocks[j].text) if j >= 0 and blocks[j].kind in _CHART_TEXT else None
        if m and (not run or m.group(2) == run[-1][2]):
            run.append((j, int(m.group(1)), m.group(2)))
            continue
        values = [v for _, v, _ in run]
        steps = {b - a for a, b in zip(values, values[1:], strict=False)}
        if len(run) >= MIN_AXIS_TICKS and len(steps) == 1 and 0 not in steps and 0 in (values[0], values[-1]):
            out.update(j for j, _, _ in run)
        run = [(j, int(m.group(1)), m.group(2))] if m else []
    return out
