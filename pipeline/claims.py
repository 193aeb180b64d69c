"""Numeric claims: which quantities in a report state something, and what their row says.

``numbers`` finds every quantity as written; ``claim_detection`` decides which are claims (not a
date, an ordinal, a label, a name or an idiom); ``claim_attributes`` reads each claim's unit,
kind, qualifier, change and basis, period and subject from its sentence; ``table_claims`` does the
same for table cells from their headers, rows and the table's unit statement. This module walks
the document's blocks in reading order and assembles the rows the claims contract
(docs/claims.md) defines. The vocabulary of all of them is ``pipeline/lexicon/*.toml``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Optional

from . import claim_attributes as attrs
from .claim_detection import REPUBLIC_EVIDENCE, claim_quantities, is_date_like
from .ids import stable_id
from .model import Block, Claim, Document, TableCell
from .numbers import format_decimal
from .periods import MAY_HOLD_TIME, TimeExpr, find_time_expressions, year_word
from .table_claims import header_change, header_unit, is_prose, stated_unit, table_claims

# Blocks whose numbers are never claims: the title page, structure numerals, notes, page
# furniture and clipping metadata (【原文出处】…); tables are read cell by cell instead.
SKIP_KINDS = frozenset({"title_page", "part_number", "part_title", "section_number", "case_marker",
                        "source_note", "table", "furniture", "metadata"})

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_BODY_YEAR = re.compile(r"((?:19|20)[0-9]{2})年")
_TITLE_YEAR = re.compile(r"(?:19|20)\d{2}")
_CODE_GLUED = re.compile(r"[\u4e00-\u9fff]")  # a CJK character right after the number, no space
_MAY_HOLD_NUMBER = re.compile(r"[0-9零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾翻]")


class ClaimIds:
    """Stable claim ids: a hash of the claim's section path, sentence and position in it, with a
    counter for the rare key that repeats, so ids survive edits elsewhere and re-runs."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, key: str) -> str:
        return stable_id("clm", key, self._seen)


def extract_claims(doc: Document) -> Document:
    """All claims of the document, in reading order."""
    doc_year = _doc_year(doc)
    ref_year = doc_year or doc.title_page.year
    republic = bool(REPUBLIC_EVIDENCE.search(doc.normal.text if doc.normal else doc.raw))
    claims: list[Claim] = []
    ids = ClaimIds()
    section_paths = {s.section_id: "/".join(s.path) for s in doc.sections}
    for block in doc.blocks:
        if block.kind in SKIP_KINDS:
            continue
        claims.extend(_block_claims(doc, block, ref_year, doc_year, section_paths, ids, republic))
    cells_by_table: dict[str, list[TableCell]] = {}
    for cell in doc.table_cells:
        cells_by_table.setdefault(cell.table_id, []).append(cell)
    index = {b.block_id: i for i, b in enumerate(doc.blocks)}
    for table_id, cells in cells_by_table.items():
        i = index[table_id]
        block = doc.blocks[i]
        prev = doc.blocks[i - 1] if i > 0 else None
        caption = prev.text if prev is not None and prev.kind == "figure_caption" else ""
        for cell in (c for c in cells if not c.is_header and is_prose(c.text)):  # a cell that holds a paragraph is read as one
            at = block.text.find(cell.text)
            if at >= 0:
                # without a unit of its own a number in a table's text is a code ("列入8090(其他居民
                # 服务业)", claims.md), not a count: Chinese counts carry a classifier
                claims.extend(c for c in _block_claims(doc, dataclasses.replace(
                    block, kind="paragraph", text=cell.text, start=block.start + at,
                    end=block.start + at + len(cell.text)), ref_year, doc_year, section_paths, ids, republic)
                    if c.unit)
        claims.extend(table_claims(doc, block, cells, ref_year, doc_year, caption,
                                   stated_unit(doc.blocks, i), section_paths.get(block.section_id or "", ""),
                                   ids))
    claims.sort(key=lambda c: (c.raw_start, c.raw_end))
    return doc.evolve(claims=tuple(claims))


def _doc_year(doc: Document) -> Optional[int]:
    """The year the report is about: the latest year in its title; without one (a title set as an
    image), the year the body names most often ("2023年" in a 2023 bulletin published in 2024)."""
    title = doc.title_page.title
    if doc.title_page.date:
        title = title.replace(doc.title_page.date, "")
    years = [int(y) for y in _TITLE_YEAR.findall(title)]
    if years:
        return max(years)
    counts: dict[str, int] = {}
    for y in _BODY_YEAR.findall(doc.normal.text if doc.normal else doc.raw):
        counts[y] = counts.get(y, 0) + 1
    if counts:
        return int(max(counts, key=lambda y: counts[y]))
    return doc.title_page.year


def _block_claims(doc: Document, block: Block, ref_year, doc_year, section_paths, ids: ClaimIds,
                  republic: bool = False) -> list[Claim]:
    out = []
    hint_period: Optional[TimeExpr] = None
    if block.period_hint:
        exprs = find_time_expressions(block.period_hint, ref_year)
        if exprs:
            e = exprs[0]
            hint_period = TimeExpr(0, 0, e.period, "as_of" if "截" in block.period_hint else e.role,
                                   False)
    tm, lines = doc.normal, doc.lines
    assert tm is not None and lines is not None, "claims are read from a normalised document"
    last_subject = ""
    path = section_paths.get(block.section_id or "", "")
    for sm in _SENTENCE.finditer(block.text):
        sentence = sm.group()
        s_off = sm.start()
        if not _MAY_HOLD_NUMBER.search(sentence):
            continue
        quantities = claim_quantities(sentence, republic)
        if not quantities:
            continue
        if block.legend:  # a chart's data label: unit and change from its series' legend
            scale, legend_unit = header_unit(block.legend)
            legend_change, legend_basis = header_change(block.legend)
            quantities = [(attrs.with_stated_unit(q, scale, legend_unit),
                           {**x, "change": legend_change, "basis": legend_basis} if legend_change and q.unit else x)
                          for q, x in quantities]
        times = find_time_expressions(sentence, ref_year) if MAY_HOLD_TIME.search(sentence) else []
        yw = year_word(sentence, doc_year)
        if yw and not any(t.year_only and not t.reference for t in times):
            times = sorted(times + [yw], key=lambda t: t.start)
        if block.kind == "figure_caption" and s_off == 0:
            # "63青海省2024年…情况表": a bare number glued to the front of a table's title is a
            # code (a region's, a series'), not a quantity of the table
            quantities = [(q, x) for q, x in quantities
                          if not (q.start == 0 and not q.unit and not q.has_scale and _CODE_GLUED.match(sentence, q.end))]
        # Spans of dates are never claims.
        quantities = [(q, x) for q, x in quantities if not any(
            t.start < q.end and q.start < t.end and is_date_like(q) for t in times)]
        per_sentence_index = 0
        prev_end = 0
        prev_change = None
        for q, extra in quantities:
            a = block.start + s_off + q.start
            b = block.start + s_off + q.end
            raw_start, raw_end = tm.raw_span(a, b)
            unit = attrs.UNIT_NAMES.get(q.unit, q.unit)
            change = extra.get("change") or attrs.change(sentence, q, prev_end, prev_change)
            prev_change = change
            period, role = attrs.period(times, q, hint_period)
            subject = attrs.subject(sentence, q) or last_subject
            last_subject = subject
            out.append(
                Claim(
                    claim_id=ids(f"{path}|{sentence}|{per_sentence_index}|{q.numeral}"),
                    surface=doc.raw[raw_start:raw_end],
                    raw_start=raw_start,
                    raw_end=raw_end,
                    line=lines.line_of(raw_start),
                    value=format_decimal(q.value),
                    value_max=format_decimal(q.value_max),
                    unit=unit,
                    kind=attrs.kind(q, sentence, unit),
                    qualifier=attrs.qualifier(sentence, q),
                    change=change,
                    basis=extra.get("basis") or (attrs.basis(sentence, q) if change else ""),
                    period=period,
                    period_role=role if period else "",
                    subject=subject,
                    section_id=block.section_id,
                    case_id=block.case_id,
                    sentence=sentence.strip(),
                    block_id=block.block_id,
                )
            )
            per_sentence_index += 1
            prev_end = q.end
    return out
