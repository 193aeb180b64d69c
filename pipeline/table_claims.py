"""Claims of table cells: a cell that is a number or a range alone ("330,435.30", "4~12"), or one
quantity with its own unit ("12.5亿元"), with the unit, period and change its header, its row, its
table's unit statement or its caption states.

Tables reach this stage as ``TableCell`` rows (tab-separated, Markdown, HTML and PDF tables, and
plain-text tables aligned with spaces alike), row 0 the header. How a cell's unit is found, first
rule that applies:

0. the cell writes it ("12.5亿元", "4～12小时"; "12.5万" keeps its scale and takes the unit below);
1. the column header states it: "2021年（亿元）", "增长%";
2. a 单位 column states it for the row ("万辆");
3. the row label states it: "地区生产总值（亿元）";
4. the table's unit statement: "单位：万元" on a line just above or below the table, in its
   caption, or in a cell of its own. A list ("单位：亿元、%") is read as: its percent units (%,
   ‰, 百分点) go to the columns of rates and shares (增长, 增速, 比重, 指数 headers), its other
   unit to every other column when it names one; several other units ("万人、万元") go to the
   remaining columns in order when there are exactly as many, else to none (no guess);
5. a rate-of-change column without any of these is in percent.

A row's subject is its label: the first column that is not an identifier column (序号, 编号, 代码
headers, or a column without a header numbering the rows 1, 2, 3 …), without the unit it states
and the "of which" marks of bulletins (#, 其中：). The numbers of identifier, category (分类, 类别)
and year columns (年份, or under an empty, 年 or 时间 header a column of years in order) are not
claims; a year column gives its row's period and the value column's header is then the subject.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Optional

from . import claim_attributes as attrs
from .claim_attributes import KNOWN_UNITS, MOM, UNIT_NAMES, YOY, unit_kind
from .claim_detection import claim_quantities
from .lexicon import load as load_lexicon
from .model import Block, Claim, Document, TableCell
from .numbers import (
    CN_UNITS,
    UNITS,
    NumberError,
    Quantity,
    format_decimal,
    parse_number,
)
from .periods import TimeExpr, find_time_expressions

_LEX = load_lexicon()
_TABLES = _LEX.mapping("tables", "heads")


def _any_of(words: Iterable[str]) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


_IDENTIFIER_HEAD = _any_of(_TABLES["identifier_heads"])
_CATEGORY_HEAD = _any_of(_TABLES["category_heads"])
_CLASSIFICATION_LEVELS = frozenset(_TABLES["classification_levels"])
_YEAR_HEAD = _any_of(_TABLES["year_heads"])
_YEAR_HEADS = tuple(_TABLES["year_heads"])
_PERIOD_HEADS = frozenset(_TABLES["period_heads"])
_DATE_HEADS = tuple(h for h in _TABLES["period_heads"] if len(h) >= 2)  # "时间", "日期": a header may end so
_GROWTH_HEAD = _any_of(_TABLES["growth_heads"])
_RATIO_HEAD = _any_of(_TABLES["ratio_heads"])
_AMOUNT_HEADS = tuple(_TABLES["amount_heads"])
_MOVEMENT_HEAD = _any_of(_TABLES["movement_heads"])
_LABEL_HEADS = tuple(_TABLES["label_heads"])
_MULTIPLE_MARKS = frozenset(_TABLES["multiple_marks"])
_INDEX_WORD = "指数"  # an index (居民消费价格指数 102.1) is no percentage
_RATE_LABEL = _any_of(w for w in [*_TABLES["ratio_heads"], *_TABLES["growth_heads"]] if w != _INDEX_WORD)
_MULTIPLE_LABEL = re.compile(rf"({_any_of(_TABLES['multiple_labels']).pattern})\s*$")
_QUOTIENT_LABEL = re.compile(rf"[^{_TABLES['quotient_not_after']}]{_TABLES['quotient_end']}\s*$")
_QUOTIENT_OF_NAMES = re.compile(rf"[\u4e00-\u9fffA-Za-z）)]\s*{re.escape(_TABLES['quotient_join'])}\s*[\u4e00-\u9fffA-Za-z]")
_DECREASE_HEAD = _any_of(_TABLES["decrease_heads"])
_INCREASE_HEAD = _any_of(_TABLES["increase_heads"])
_UNIT_WORDS = "|".join(re.escape(w) for w in _TABLES["unit_heads"])
_UNIT_HEAD = re.compile(rf"\s*(?:{_UNIT_WORDS})\s*")
# "单位：万元", "（单位：亿元、%）", "金额单位:万元": the statement and the units it lists
# A unit may carry its alternative in brackets: "元/平方米（套）/月" is 元/平方米/月 (or 元/套/月).
_UNIT_ALTERNATIVE = r"[（(][^（）()\s，。；;]{1,4}[）)]"
_UNIT_STATEMENT = re.compile(
    rf"(?:{_UNIT_WORDS})\s*[:：]\s*((?:[^（(）)\s，。；;]|{_UNIT_ALTERNATIVE})+"
    rf"(?:\s*[、,，/]\s*(?:[^（(）)\s，。；;、,/]|{_UNIT_ALTERNATIVE})+)*)")
MEASURED_WORD = 2  # characters: the shortest name of what a 单位 cell measures before its unit
STATEMENT_LINE = 40  # a line stating a table's unit is short; a longer one is a paragraph
STATEMENT_BLOCKS_ABOVE = 2  # the caption and a unit line may both stand above the table
# A header cell standing alone above its table: a word or a year, nothing of a sentence.
_HEADER_WORDS = re.compile(r"[\u4e00-\u9fff、/（）()]{1,16}")  # a header band's cells, two may run together
HEADER_BAND_CELLS = 3  # such lines right above a table: its header band, not headings or captions
_HEADER_WORD = re.compile(r"(?:(?:19|20)[0-9]{2}\s*年?(?:[0-9]{1,2}月)?(?:末|底|度)?|[\u4e00-\u9fff]{1,6})")

_NUM = r"[-+]?[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
_NUMBER_ONLY = re.compile(rf"({_NUM})\s*(%|‰)?")
_RANGE_CELL = re.compile(rf"({_NUM})\s*(?:~|～|-|—|–|－|至|到)\s*({_NUM})\s*(%|‰)?")
# A cell no header holds: a share or a decimal ("21.4%", "0.82"); a header may be a year (2021).
# A header cell naming a month of a year as rating reports and statements do ("2026.3", "2026.03"):
# a period, not a value
_PERIOD_CELL = re.compile(r"(?:19|20)[0-9]{2}\.(?:0?[1-9]|1[0-2])")
_DATA_CELL = re.compile(rf"{_NUM}\s*[%‰]|[-+]?[0-9]+(?:,[0-9]{{3}})*\.[0-9]+")
_NUMBER_MARKS = re.compile(r"[,\s%‰]")
_YEAR_CELL = re.compile(r"(?:19|20)[0-9]{2}\s*年?")
# A month of a year as a period column writes it: "202403", "2024-04", "2024.5", "2024年5月".
_MONTH_CELL = re.compile(r"((?:19|20)[0-9]{2})(?:(0[1-9]|1[0-2])|\s*[-./年]\s*(0?[1-9]|1[0-2])\s*月?)")
_MAY_BE_QUANTITY = re.compile(r"[0-9零〇一二两三四五六七八九十百千万亿]")
_HEADER_UNIT = re.compile(r"[（(]\s*([^）)\s]*)\s*[）)]")
_DIVISION_NAMES = frozenset(_LEX.words("nonclaims", "labels", "division_units"))  # 县（区）, 县（市、区）
_QUALIFIER_ONLY = re.compile("|".join(re.escape(w) for w in sorted(
    list(_LEX.mapping("qualifiers", "before")) + list(_LEX.mapping("qualifiers", "after")), key=len, reverse=True)))


def stated_unit(blocks: tuple[Block, ...], index: int) -> str:
    """The unit statement of the table at ``blocks[index]``: its caption or a short line just
    above it, else a short line just below it that is not the statement of the next table."""
    reach, j = STATEMENT_BLOCKS_ABOVE, index - 1
    # a header band left above its body (the body overleaf, the band's cells read as lines at the
    # foot of the page before): several short runs of words right above the table
    band = 0
    while index - 1 - band >= 0 and blocks[index - 1 - band].kind != "table" and _HEADER_WORDS.fullmatch(
            blocks[index - 1 - band].text):
        band += 1
    if band >= HEADER_BAND_CELLS:
        j -= band
    while j >= 0 and reach > 0:
        b = blocks[j]
        j -= 1
        if _HEADER_WORD.fullmatch(b.text) and b.kind != "table":
            continue  # a header cell left above its table ("项目", "2024年": the header's top row at the
            # foot of the page before the body, read as lines), not a block between caption and table
        reach -= 1
        if b.kind == "table":
            if j + 1 == index - 1:  # a second header band right under the first part: one table, one statement
                return stated_unit(blocks, j + 1)
            break
        found = _statement(b.text) or (_caption_unit(b.text) if b.kind == "figure_caption" else "")
        if found:
            return found
    if index + 1 < len(blocks):
        b = blocks[index + 1]
        next_is_table = index + 2 < len(blocks) and blocks[index + 2].kind == "table"
        if b.kind != "table" and not next_is_table:
            return _statement(b.text)
    return ""


_CLOSING_BRACKETS = re.compile(r"[（(]\s*([^（）()]{1,8}?)\s*[）)]\s*$")


def _caption_unit(text: str) -> str:
    """The unit a table's caption closes with: "表5：2018~2020年湖北省地方综合财力构成（亿元）"
    states 亿元 as "单位：亿元" would; a bracket closing with anything but a unit states none."""
    m = _CLOSING_BRACKETS.search(text)
    if not m or len(text) > STATEMENT_LINE:
        return ""
    units = re.split(r"\s*[、,，/]\s*", m.group(1).strip())
    # one unit, or a list of them as "单位：" gives one ("（亿元、%）": amounts, then rates)
    if all(header_unit(f"（{u}）")[1] for u in units):
        return m.group(1)
    return ""


def _statement(text: str) -> str:
    m = _UNIT_STATEMENT.search(text)
    if not m:
        return ""
    if len(text) > STATEMENT_LINE and text[m.end() :].strip("）) "):
        return ""  # in a long line only a closing "（单位：亿元）" states the unit
    return m.group(1)


PROSE_CELL_CHARS = 20  # a cell this long with a sentence's punctuation is a paragraph, not a value


def is_prose(text: str) -> bool:
    """A table cell written as running text ("2024年，省级共转贷…192.87亿元，其中：新增债券…。"):
    its figures are claims of its sentences, as in a paragraph, not values under its column."""
    return len(text) >= PROSE_CELL_CHARS and ("。" in text or text.count("，") >= 2)


def table_claims(doc: Document, block: Block, cells: list[TableCell], ref_year, doc_year,
                 caption: str, statement: str, path: str, make_id: Callable[[str], str]) -> list[Claim]:
    """Claims of one table's cells (see the module docstring for how units are found)."""
    caption_times = [t for t in find_time_expressions(caption, ref_year) if not t.reference]
    default_period = caption_times[0].period if caption_times else (str(doc_year) if doc_year else "")
    # "表1 2025年居民消费价格比上年涨跌幅度" over a column "涨跌幅度（%）": the caption names the base
    caption_basis = "mom" if MOM.search(caption) else "yoy" if YOY.search(caption) else ""
    if any(c.is_header and _DATA_CELL.fullmatch(c.text.strip()) and not _PERIOD_CELL.fullmatch(c.text.strip())
           for c in cells):
        # "候选人甲\t21.4%" as the first row: a table without a header row, its first row is data
        cells = [dataclasses.replace(c, is_header=False) if c.is_header else c for c in cells]
    header = {c.col: c.text for c in cells if c.is_header}
    header_rows = {c.row for c in cells if c.is_header}
    row_cells: dict[int, dict[int, str]] = {}
    for c in cells:
        row_cells.setdefault(c.row, {})[c.col] = c.text
        in_cell = None if statement else _UNIT_STATEMENT.fullmatch(c.text.strip("（）() "))
        if in_cell:
            statement = in_cell.group(1)  # a cell "单位：万元"
        elif not statement and c.is_header and c.row == 0:
            statement = _statement(c.text)  # a header cell "财务数据（单位：亿元）"
    header_rows |= _lower_header_rows(row_cells, header_rows, header)
    # a table run on overleaf repeats its header rows on each page: rows of the body again
    # holding the header's texts, or the columns' numbers, are no rows of figures
    repeated = [row_cells[r] for r in header_rows]
    header_rows |= {r for r in row_cells if r not in header_rows and any(t.strip() for t in row_cells[r].values())
                    and (row_cells[r] in repeated or _numbering_row(row_cells[r]) or _period_row(row_cells[r]))}
    body_rows = [r for r in sorted(row_cells) if r not in header_rows]
    columns = sorted({c.col for c in cells})
    unit_col = next((col for col, h in header.items() if _UNIT_HEAD.fullmatch(h)), None)
    id_cols = {col for col in columns if _is_identifier_column(header.get(col, ""), [row_cells[r].get(col, "") for r in body_rows])}
    if columns and _code_column(header.get(columns[0], ""), [row_cells[r].get(columns[0], "") for r in body_rows]):
        id_cols.add(columns[0])  # "201 | 一般公共服务 | …": the codes of the subjects beside them
    year_cols = {col for col in columns if col not in id_cols
                 and _is_year_column(header.get(col, ""), [row_cells[r].get(col, "") for r in body_rows])}
    label_col = next((col for col in columns if col not in id_cols and col != unit_col), 0)
    # two tables side by side ("预算科目 | 完成数 | 增长% | 预算科目 | 完成数 | 增长%"): a column headed
    # as the label column is the right-hand table's label column
    label_cols = [label_col] + [col for col in columns if col > label_col and _same_head(
        header.get(col, ""), header.get(label_col, "")) and _mostly_words([row_cells[r].get(col, "") for r in body_rows])]
    code_cols = {col for col in columns if _CATEGORY_HEAD.search(header.get(col, "") or "\0")}
    row_text = {r: "\t".join(texts.values()) for r, texts in row_cells.items()}

    @functools.cache
    def column(head: str):
        amount = head.strip().endswith(_AMOUNT_HEADS)  # a change in money, no rate
        movement = bool(_MOVEMENT_HEAD.search(head))  # the year's movements, amounts each
        return (header_unit(head), bool(_GROWTH_HEAD.search(head)) and not amount and not movement,
                bool(_RATIO_HEAD.search(head)) and not amount,
                [t for t in find_time_expressions(head, ref_year) if not t.reference],
                *(("", "") if movement else header_change(head)))

    @functools.cache
    def row_label(label: str):
        times = [t for t in find_time_expressions(label, ref_year) if not t.reference]
        return header_unit(label), bool(_YEAR_CELL.fullmatch(label.strip())) and bool(times), times

    label_periods = _row_label_periods(body_rows, {r: row_cells[r].get(label_col, "") for r in body_rows}, row_label)
    label_x = _label_lefts(doc, [c for c in cells if c.col == label_col and c.text.strip()])
    group_units = _group_label_units(body_rows, {r: row_cells[r].get(label_col, "") for r in body_rows}, label_x, row_label)
    value_cols = [col for col in columns if col not in id_cols | year_cols and col != unit_col and col not in label_cols]
    stated = _stated_units(statement, value_cols, header, column)
    row_statements = _statement_rows(body_rows, row_cells, label_col)
    stated_from = functools.cache(lambda s: _stated_units(s, value_cols, header, column))
    stated_percent = _percent_of(statement)
    out = []
    for cell in (piece for whole in cells for piece in _list_pieces(doc, whole)):
        if (cell.is_header or cell.row in header_rows or not cell.text or cell.col == unit_col or cell.col in id_cols | year_cols | code_cols
                or is_prose(cell.text)):
            continue  # a prose cell's figures are read as a paragraph's (claims.py)
        head = header.get(cell.col, "")
        value, value_max, sign_unit = _cell_number(cell.text)
        written = _written_quantity(cell.text) if value is None else None
        if value is None and written is None:
            continue
        (scale, unit), growth, ratio, times, change, basis = column(head)
        if change and not basis:
            basis = caption_basis
        qualifier = "exact"
        if written is not None:  # "12.5亿元", "4~12小时", "5万人以上" in a cell: its own unit first
            value, value_max = written.value, written.value_max
            qualifier = attrs.qualifier(cell.text, written)
            if written.unit:
                scale, unit = Decimal(1), UNIT_NAMES.get(written.unit, written.unit)
            elif written.has_scale:
                scale = Decimal(1)
        label = row_cells[cell.row].get(max((c for c in label_cols if c <= cell.col), default=label_col), "")
        (label_scale, label_unit), year_row, label_times = row_label(label)
        if ((growth or ratio) and label_unit and unit_kind(label_unit) != "percent" and not sign_unit
                and not any(row_cells[cell.row].get(col, "").strip() for col in value_cols
                            if not column(header.get(col, ""))[1] and not column(header.get(col, ""))[2])):
            # "人均GDP（元）" under 金额 | 增长率: its figure spans both columns of its year (the row
            # has no amount of its own), a level in the label's unit, no rate
            growth = ratio = False
            scale, unit, change, basis = label_scale, label_unit, "", ""
        if sign_unit and unit_kind(unit) != "percent":
            scale, unit = Decimal(1), sign_unit  # a cell that writes its own % is a percentage, whatever its row or column says
        if not unit and unit_col is not None and not growth and not ratio:
            scale, unit = unit_text(row_cells[cell.row].get(unit_col, ""))  # a 单位 column: "万辆"
        if not unit and label_unit and not growth and not ratio:
            scale, unit = label_scale, label_unit  # the row label states it: "地区生产总值（亿元）"
        if not unit and cell.row in group_units and not growth and not ratio:
            scale, unit = group_units[cell.row]  # "铁路" under "货物运输总量（万吨）"
        if not unit and not growth and not ratio and (multiple := _MULTIPLE_LABEL.search(label)):
            scale, unit = Decimal(1), _TABLES["multiple_labels"][multiple.group(1)]  # "EBITDA利息保障倍数"
        quotient = not unit and bool(_QUOTIENT_LABEL.search(label))  # "现金短期债务比": no unit of amounts
        shares = not unit and bool(_QUOTIENT_OF_NAMES.search(label))  # "期间费用/营业收入"
        row_statement = row_statements.get(cell.row)
        if row_statement:  # under a row "主要财务数据（单位：亿元）": that statement, not the caption's
            stated_here, percent_here = stated_from(row_statement), _percent_of(row_statement)
        else:
            stated_here, percent_here = stated, stated_percent
        if shares and percent_here:
            scale, unit = percent_here  # "期间费用/营业收入" under "单位：亿元、%"
        elif not unit and cell.col in stated_here and not quotient and not shares:
            scale, unit = stated_here[cell.col]
            if percent_here and unit_kind(unit) != "percent" and _RATE_LABEL.search(label):
                scale, unit = percent_here  # "资产负债率" in a column of years under "单位：亿元、%"
        if not unit and (growth or sign_unit):
            scale, unit = Decimal(1), sign_unit or "%"  # a rate column without a stated unit
        if (head.strip().endswith(_TERM_HEAD_ENDS) and written is None and cell.text.strip().isdigit()
                and int(cell.text) <= MAX_TERM_YEARS):
            scale, unit = Decimal(1), "年"  # "债券期限" over 7, 10, 15: terms in years, not 亿元
        if written is not None and written.has_scale:
            scale = Decimal(1)  # "12.5万" under "（人）": the cell's own scale, the header's unit
        value = value * scale
        value_max = value_max * scale if value_max is not None else None
        kind = unit_kind(unit) or ("count" if unit else "other")
        row_year = next((_cell_period(row_cells[cell.row].get(col, "")) for col in sorted(year_cols)
                         if _YEAR_CELL.fullmatch(text := row_cells[cell.row].get(col, "")) or _MONTH_CELL.fullmatch(text)), "")
        if row_year:
            times = [_year_expr(row_year)]  # the row's year or month column
        elif year_row:
            times = label_times  # a row per year
        elif not times and label_periods.get(cell.row):
            times = label_periods[cell.row]  # "一、2023年末…余额", and the sub-rows under it
        period = times[0].period if times else default_period
        raw_start, raw_end = cell.raw_start, cell.raw_end
        if written is not None and doc.raw[raw_start:raw_end] == cell.text:
            # qualifier words stay outside the surface ("约3亿元" → "3亿元"); where normalising
            # changed the cell's characters the whole cell is the surface
            raw_start, raw_end = raw_start + written.start, raw_start + written.end
        key = f"{path}|table|{head}|{cell.row}|{cell.col}|{cell.text}"
        out.append(
            Claim(
                claim_id=make_id(key), surface=doc.raw[raw_start:raw_end],
                raw_start=raw_start, raw_end=raw_end, line=cell.line,
                value=format_decimal(value), value_max=format_decimal(value_max), unit=unit, kind=kind,
                qualifier=qualifier, change=change, basis=basis, period=period,
                period_role=(times[0].role if times else "during") if period else "",
                subject=_subject(head) if label_col in year_cols or not label else _subject(label),
                section_id=block.section_id, case_id=block.case_id, sentence=row_text[cell.row],
                block_id=block.block_id,
            )
        )
    return out


_LIST_MARK = "、"  # "30年、20年", "2.06%、2.24%、2.07%": a cell listing a value per tranche


def _list_pieces(doc: Document, cell: TableCell) -> list[TableCell]:
    """A cell that lists values ("2.06%、2.24%、2.07%": the rates of a bond's tranches) as one
    cell per value, each with its own span; any other cell as it is."""
    text = cell.text
    if (cell.is_header or _LIST_MARK not in text or _cell_number(text)[0] is not None
            or _written_quantity(text) is not None or doc.raw[cell.raw_start:cell.raw_end] != text):
        return [cell]
    pieces, at = [], 0
    for part in text.split(_LIST_MARK):
        lead = len(part) - len(part.lstrip())
        word = part.strip()
        if not word or (_cell_number(word)[0] is None and _written_quantity(word) is None):
            return [cell]  # not a list of values ("甲、乙", "2.3%、持平")
        start = cell.raw_start + at + lead
        pieces.append(dataclasses.replace(cell, text=word, raw_start=start, raw_end=start + len(word)))
        at += len(part) + len(_LIST_MARK)
    return pieces


def _lower_header_rows(row_cells: dict[int, dict[int, str]], header_rows: set[int], header: dict[int, str]) -> set[int]:
    """A header of two rows whose second the reader took for the body: "招生 | | 在校生 | " over
    "| 绝对量 | 增速 | 绝对量 | 增速". A row right under the header with no row label and no
    number is the header's lower row; each of its columns is named by the cell above (or by the
    merged cell spanning it from the left) and its own word: 招生绝对量, 招生增速. ``header`` is
    updated in place."""
    if not header_rows:
        return set()
    rows = sorted(row_cells)
    first_col = min(c for r in rows for c in row_cells[r])
    added: set[int] = set()
    last = max(header_rows)
    for r in rows:
        if r <= last:
            continue
        texts = row_cells[r]
        if (r == last + 1 and texts.get(first_col, "").strip() and not header.get(first_col, "").strip()
                and not any(t.strip() for col, t in texts.items() if col != first_col)
                and not _MAY_BE_NUMBER.search(texts[first_col]) and r + 1 in row_cells
                and _lower_header_row(row_cells[r + 1], first_col)):
            # "科目" set between two header rows (one cell spanning both): the label column's head
            header[first_col] = texts[first_col].strip()
            added.add(r)
            last = r
            continue
        if r == last + 1 and _numbering_row(texts):
            added.add(r)  # "1 | 2 | 3 | 4=3/2*100": the columns' numbers under their names
            last = r
            continue
        # "项目" beside the groups' names ("完成调整预算%", "比2025年年初预算增减") under the top row:
        # the label column's head and a lower header row at once
        label_head = (texts.get(first_col, "").strip().endswith(_LABEL_HEADS) and not header.get(first_col, "").strip()
                      and _lower_header_row({c: t for c, t in texts.items() if c != first_col}, first_col))
        if r != last + 1 or not (label_head or _lower_header_row(texts, first_col)
                                 or _named_columns_row(texts, header, first_col)):
            break
        upper, spanning = dict(header), ""
        for col in sorted(set(upper) | set(texts)):
            if upper.get(col, "").strip() and not upper[col].strip().endswith(("%", "％")):
                spanning = upper[col]  # (a head ending in % names its own column, it spans none)
            lower = texts.get(col, "").strip()
            if lower:
                header[col] = (upper.get(col, "").strip() or spanning) + lower
        added.add(r)
        last = r
    return added


_COLUMN_NUMBER = re.compile(r"([0-9]{1,2})(?:\s*=\s*[0-9/*+×÷()（）\s-]+)?")
MIN_NUMBERED_COLUMNS = 3


_PERIOD_HEAD_CELL = re.compile(r"((?:19|20)[0-9]{2})(?:年|\.[0-9]{1,2}|年[0-9]{1,2}月)?(?:末|底)?(?:/\S+)?")
MIN_PERIOD_COLUMNS = 3


def _period_row(texts: dict[int, str]) -> bool:
    """A row of the body whose figures are all years in order ("财务指标 | 2022 | 2023 | 2024 |
    2025.9/2025.1~9"): the header of the table's next block of rows, not figures."""
    cells = [t.strip() for _c, t in sorted(texts.items())[1:] if t.strip()]
    years = [int(m.group(1)) for t in cells if (m := _PERIOD_HEAD_CELL.fullmatch(t))]
    return len(cells) >= MIN_PERIOD_COLUMNS and len(years) == len(cells) and years == sorted(years)


def _numbering_row(texts: dict[int, str]) -> bool:
    """A row numbering the columns under a budget table's header ("1 | 2 | 3 | 4=3/2*100 | 5 |
    6=5-1"), each number one more than the last, some with the formula of their column."""
    filled = [t.strip() for _c, t in sorted(texts.items()) if t.strip()]
    numbers = [m.group(1) for t in filled if (m := _COLUMN_NUMBER.fullmatch(t))]
    return (len(filled) >= MIN_NUMBERED_COLUMNS and len(numbers) == len(filled)
            and [int(n) for n in numbers] == list(range(int(numbers[0]), int(numbers[0]) + len(numbers))))


LABEL_HEAD = 2  # characters: a column headed as the label column ends its head with its last two


def _same_head(head: str, label_head: str) -> bool:
    """A head that ends as the label column's does ("一般公共预算支出预算科目" and "…收入预算科目":
    the groups above them differ, the column's own name is one)."""
    head, label_head = head.strip(), label_head.strip()
    return len(label_head) >= LABEL_HEAD and head[-LABEL_HEAD:] == label_head[-LABEL_HEAD:]


def _mostly_words(texts: list[str]) -> bool:
    filled = [t for t in texts if t.strip()]
    return bool(filled) and 2 * sum(1 for t in filled if _HAN_CHAR.search(t)) > len(filled)


_YEAR_WORD = re.compile(r"(?:19|20)[0-9]{2}年")  # "比2025年年初预算增减": a year names the column


def _lower_header_row(texts: dict[int, str], first_col: int) -> bool:
    """A row that can be a header's lower row: no row label, some words, no number."""
    return (not texts.get(first_col, "").strip() and any(t.strip() for t in texts.values())
            and not any(_MAY_BE_NUMBER.search(t if _YEAR_CELL.fullmatch(t.strip()) else _YEAR_WORD.sub("", t))
                        for t in texts.values()))  # (a year alone is a year row's, read as periods)


def _named_columns_row(texts: dict[int, str], header: dict[int, str], first_col: int) -> bool:
    """Under a header row of a few spanning groups ("调整前债券资金信息 | 调整后债券资金信息", the
    first cell empty), a row naming every column, the first included ("序号 | 区划名称 | …
    | 调减金额（万元）"), and holding no figure: the header's lower row, not a row of the body."""
    named = [t for t in texts.values() if t.strip()]
    upper = [t for t in header.values() if t.strip()]
    # names, years among them ("2025年完成数"), and no figure
    if any(_NUMBER_ONLY.fullmatch(t.strip()) or _MAY_BE_NUMBER.search(_YEAR_WORD.sub("", t)) for t in named):
        return False  # (a figure with its unit, "5.30亿元", "约3亿元", or a range, "4~12", is a figure too;
        # a year in a column's name, "2025年完成数", is no figure)
    if len(named) >= NAMED_COLUMNS * len(texts):
        # groups spanning the label column too ("一般公共预算收入 | | | | 一般公共预算支出 | …" over
        # "预算科目 | 2025年完成数 | 2026年预算数 | 增长% | 预算科目 | …")
        return bool(header.get(first_col, "").strip()) or len(upper) < len(named)
    # a header's words wrapped onto a second line, read as a row ("序 | 指标文件 | 指标 | 拨付" over
    # "号 | | 金额 | 金额"): each word under a header cell, the first column's among them
    return (len(named) >= 2 and bool(texts.get(first_col, "").strip()) and bool(header.get(first_col, "").strip())
            and all(header.get(c, "").strip() and _HAN_CHAR.search(t) for c, t in texts.items() if t.strip()))


NAMED_COLUMNS = 0.8  # share of a row's cells that name their column in a header's lower row


def _label_lefts(doc: Document, labels: list[TableCell]) -> dict[int, float]:
    """Row → left edge of its label on the page (PDF inputs; where the page says nothing of
    indentation, nothing)."""
    if not doc.boxes or not labels:
        return {}
    from .pdf import box_of

    starts = [b.start for b in doc.boxes]
    out = {}
    for c in labels:
        _page, box = box_of(doc.boxes, starts, c.raw_start, max(c.raw_end, c.raw_start + 1))
        if box is not None:
            out[c.row] = box.x0
    return out


_MAY_BE_NUMBER = re.compile(r"[0-9]")
_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")
GROUP_INDENT = 4.0  # points: a row label set this much right of the one above it sits under it


def _group_label_units(rows: list[int], labels: dict[int, str], label_x: dict[int, float], row_label) -> dict[int, tuple]:
    """The unit a group row's label states ("货物运输总量（万吨）") for the indented rows under it that
    state none ("铁路", "公路"), until a row set as far left as the group's own label."""
    out: dict[int, tuple] = {}
    group: tuple | None = None
    group_x = 0.0
    for r in rows:
        label = labels.get(r, "")
        x = label_x.get(r)
        unit = row_label(label)[0] if label else (Decimal(1), "")
        if unit[1]:
            group, group_x = (unit, x) if x is not None else (None, 0.0)
        elif group is not None and x is not None and x >= group_x + GROUP_INDENT:
            out[r] = group
        else:
            group = None
    return out


# A row under another: "（一）一般债券", "其中：再融资债券", "#粮食", "1.城镇"
_SUB_ROW = re.compile(r"^\s*(?:[（(][一二三四五六七八九十0-9]{1,3}[）)]|其中|[#＃*]|[0-9]{1,2}[.．、](?![0-9]))")


_TOP_ROW = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]")  # "二、2024年还本…": a row of the first level


def _row_label_periods(rows: list[int], labels: dict[int, str], row_label) -> dict[int, list]:
    """The time each row's label states ("一、2023年末地方政府一般债务余额" → 2023, as of its end),
    for tables whose columns state none: a sub-row ("（一）一般债券", "其中：…") that states none
    (or an unmarked row below it: "财政预算安排" under "其中：再融资") takes the time of the
    row it sits under, until a first-level row ("二、…") starts another group."""
    out: dict[int, list] = {}
    group: list = []
    for r in rows:
        label = labels.get(r, "")
        times = row_label(label)[2] if label else []
        if times:
            out[r] = times
            if _TOP_ROW.match(label) or not _SUB_ROW.match(label):
                group = times
        elif _TOP_ROW.match(label):
            group = []
        elif group:
            out[r] = group
    return out


_SUBJECT_MARKS = re.compile(r"^(?:[#＃*]+|其中[:：]?|[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、.．])\s*")


def _subject(label: str) -> str:
    """A row label or header as a subject: without the unit it states, the "of which" marks of
    bulletins ("#粮食", "其中：城镇") and the numbering of its row ("一、", "（一）"):
    "地区生产总值（亿元）" → "地区生产总值"."""
    if header_unit(label)[1]:
        label = _HEADER_UNIT.sub("", label)
    return _SUBJECT_MARKS.sub("", label.strip()).strip() or label


def _written_quantity(text: str) -> Optional[Quantity]:
    """A cell that is one quantity with its unit or scale written in it, and nothing else but a
    qualifier ("12.5亿元", "4~12小时", "约5万人", "20%以上")."""
    if not _MAY_BE_QUANTITY.search(text):
        return None  # a label ("营业收入"): most cells that are no number hold no numeral either
    found = claim_quantities(text)
    if len(found) != 1:
        return None
    q = found[0][0]
    rest = (text[: q.start] + text[q.end :]).strip()
    if (q.unit or q.has_scale) and (not rest or _QUALIFIER_ONLY.fullmatch(rest)):
        return q
    return None


def _year_expr(year: str) -> TimeExpr:
    return TimeExpr(0, 0, year, "during", False, True)


def _cell_number(text: str) -> tuple[Optional[Decimal], Optional[Decimal], str]:
    """A cell that is a number or a range alone: (value, value_max, "%" or "‰" written in it)."""
    m = _NUMBER_ONLY.fullmatch(text)
    if m:
        return Decimal(_NUMBER_MARKS.sub("", m.group(1))), None, m.group(2) or ""
    m = _RANGE_CELL.fullmatch(text)
    if m:
        low, high = Decimal(_NUMBER_MARKS.sub("", m.group(1))), Decimal(_NUMBER_MARKS.sub("", m.group(2)))
        if low < high and not (_YEAR_CELL.fullmatch(m.group(1)) and _YEAR_CELL.fullmatch(m.group(2))):
            return low, high, m.group(3) or ""  # "4~12" hours; "2019-2020" is a span of years
    return None, None, ""


def _is_identifier_column(head: str, body: list[str]) -> bool:
    """序号/编号/代码 by its header, or a column numbering its rows 1, 2, 3 … without a header."""
    if head and _IDENTIFIER_HEAD.search(head):
        return True
    numbers = [t for t in body if t]
    if head or len(numbers) < 2 or not all(t.isdigit() for t in numbers):
        return False
    return [int(t) for t in numbers] == list(range(int(numbers[0]), int(numbers[0]) + len(numbers)))


MIN_CODES = 3  # rows of a column of codes that nest, before its numbers are taken for codes
MIN_CODE_DIGITS = 3  # 类 codes of the budget classification have 3 digits (201), 款 5, 项 7
NESTED_SHARE = 0.5  # of the longer codes, those under a shorter code above them (a page may open mid-款)


def _classification_codes(numbers: list[str]) -> bool:
    """A column of classification codes without a header ("201", "20101", "2010101" beside
    一般公共服务, 人大事务, 行政运行): each longer code begins with a shorter one above it, the
    subject's parent. Amounts do not nest so; the codes are labels, not figures."""
    if len(numbers) < MIN_CODES or min(map(len, numbers)) < MIN_CODE_DIGITS:
        return False
    shortest = min(map(len, numbers))
    longer = [i for i, t in enumerate(numbers) if len(t) > shortest]
    if not longer:
        return False
    nested = sum(1 for i in longer if any(len(p) < len(numbers[i]) and numbers[i].startswith(p) for p in numbers[:i]))
    return nested >= 1 and nested >= NESTED_SHARE * len(longer)


def _code_column(head: str, body: list[str]) -> bool:
    """The first column, without a header, holding classification codes (its digits only)."""
    numbers = [t.strip() for t in body if t.strip()]
    return not head.strip() and bool(numbers) and all(t.isdigit() for t in numbers) and _classification_codes(numbers)


def _is_year_column(head: str, body: list[str]) -> bool:
    """年份/年度 by its header, or, under an empty, 年 or 时间 header, years in order. The header
    names the year when it ends so ("年度", "发行年度"); "年度付息金额" is an amount a year."""
    if head and _YEAR_HEAD.search(head) and head.strip().endswith(_YEAR_HEADS):
        return True
    texts = [t for t in body if t and t.strip("-—–－ ")]  # "--": no date for that row
    if (head.strip().endswith(_DATE_HEADS) and len(texts) >= 2
            and all(_YEAR_CELL.fullmatch(t) or _MONTH_CELL.fullmatch(t) for t in texts)):
        return True  # "通车时间", "成立日期" over "2010.11", "2012.10": when each row's thing happened
    if head.strip() and head.strip() not in _PERIOD_HEADS:
        return False  # "2021年" over counts that happen to lie between 1900 and 2099
    texts = [t for t in body if t]
    if len(texts) < 2 or not all(_YEAR_CELL.fullmatch(t) or _MONTH_CELL.fullmatch(t) for t in texts):
        return False
    periods = [_cell_period(t) for t in texts]
    return periods == sorted(set(periods)) or periods == sorted(set(periods), reverse=True)


def _cell_period(text: str) -> str:
    """The year or month a cell of a period column names: "2019年" → "2019", "202403" → "2024-03"."""
    m = _MONTH_CELL.fullmatch(text)
    if m:
        return f"{m.group(1)}-{int(m.group(2) or m.group(3)):02d}"
    return text.strip()[:4]


def _percent_of(statement: str) -> Optional[tuple]:
    return next((u for u in _stated_list(statement) if unit_kind(u[1]) == "percent"), None)


def _statement_rows(rows: list[int], row_cells: dict[int, dict[int, str]], label_col: int) -> dict[int, str]:
    """A row holding only a label that states a unit ("主要财务数据（单位：亿元）", "主要财务指标（单位：%）")
    heads the rows under it, down to the next such row: their unit statement, in place of the
    caption's."""
    out: dict[int, str] = {}
    current = ""
    for r in rows:
        texts = row_cells.get(r, {})
        label = texts.get(label_col, "")
        if label and not any(t.strip() for c, t in texts.items() if c != label_col):
            found = _statement(label)
            if found:
                current = found
                continue
        if current:
            out[r] = current
    return out


def _stated_list(statement: str) -> list:
    """The units a statement lists ("亿元、%" → [(1e8, 元), (1, %)]). "/" separates units too
    ("万元/%"), except inside a rate unit, which is one ("万平方米、元/平方米/月")."""
    units = []
    for piece in _LIST_SEP.split(re.sub(_UNIT_ALTERNATIVE, "", statement)):
        rate = unit_text(piece, measured_prefix=False) if "/" in piece else (Decimal(1), "")
        units.extend([rate] if rate[1] else [unit_text(u, measured_prefix=False) for u in piece.split("/") if u])
    return [u for u in units if u[1]]


_LIST_SEP = re.compile(r"\s*[、,，]\s*")
_PER_WORDS = frozenset(_LEX.words("units", "rate", "per"))
_MONEY_HEAD = re.compile("|".join(map(re.escape, sorted(_LEX.words("kinds", "money", "words"), key=len, reverse=True))))
_OTHER_MEASURE_HEAD = re.compile("|".join(map(re.escape, _LEX.words("kinds", "other_measures", "heads"))))


def _rate_unit(text: str) -> tuple[Decimal, str]:
    """A rate unit a table writes: a unit, then "/" and what it is per, once or more ("元/吨",
    "元/平方米/月", "万元/人"), as its scale and unit; (1, "") for anything else."""
    head, *per = text.split("/")
    scale, unit = unit_text(head, measured_prefix=False)
    if not unit or unit_kind(unit) == "percent" or not per or not all(
            p in _PER_WORDS or (p[:1] in "百千万" and p[1:] in _PER_WORDS) for p in per):
        return Decimal(1), ""
    return scale, "/".join([unit, *per])


def _by_kind(plain: list[int], other: list, header: dict[int, str]) -> dict:
    """Two units, one of money, over more columns than units ("单位：万平方米、亿元" over 计划总投资,
    已完成投资, 尚需投资, 建成后可出租面积): a column that names money (投资, 收入, 租金…) takes the
    money unit, every other column the other one, whatever order the list gives them in."""
    money = [u for u in other if unit_kind(u[1]) == "money"]
    rest = [u for u in other if unit_kind(u[1]) != "money"]
    if len(money) != 1 or len(rest) != 1:
        return {}
    multiple = unit_kind(rest[0][1]) == "multiple"  # "覆盖…总额倍数": a multiple, whatever it is of
    return {col: rest[0] if multiple and _MULTIPLE_LABEL.search(header.get(col, ""))
            else money[0] if _names_money(header.get(col, "")) else rest[0] for col in plain}


_MONEY_HEAD_ENDS = tuple(_TABLES["money_head_ends"])
_TERM_HEAD_ENDS = tuple(_TABLES["term_head_ends"])
MAX_TERM_YEARS = 50  # the longest term a bond or loan runs (30 years for special bonds, some 50)


def _names_money(head: str) -> bool:
    return bool(_MONEY_HEAD.search(head)) or head.strip().rstrip("（）()%％").endswith(_MONEY_HEAD_ENDS)


def _stated_units(statement: str, value_cols: list[int], header: dict[int, str], column) -> dict:
    """The table's unit statement spread over its value columns: column → (scale, unit)."""
    if not statement:
        return {}
    units = _stated_list(statement)
    percent = [u for u in units if unit_kind(u[1]) == "percent"]
    other = [u for u in units if unit_kind(u[1]) != "percent"]
    out = {}
    plain = []
    for col in value_cols:
        (_, own), growth, ratio, *_ = column(header.get(col, ""))
        if own:
            continue
        if growth or ratio:
            if percent:
                out[col] = percent[0]
        else:
            plain.append(col)
    if len(other) == 1:
        if unit_kind(other[0][1]) == "money":  # "开发面积" beside 总投资 under "（单位：亿元）": no money
            plain = [c for c in plain if not (_OTHER_MEASURE_HEAD.search(h := header.get(c, "")) and not _MONEY_HEAD.search(h))]
        out.update({col: other[0] for col in plain})
    elif other and len(other) == len(plain):
        out.update(zip(plain, other))  # "单位：万人、万元" over two value columns
    elif len(other) == 2 and len(plain) > 2 and (kinds := _by_kind(plain, other, header)):
        out.update(kinds)
    elif other and len(other) < len(plain):
        # "单位：张、人" over 床位数, 技术人员数, 每千人拥有床位数, 每千人技术人员数: the first columns
        # take the list in order, each later one the unit of the earlier column it names again
        first = dict(zip(plain, other))
        out.update(first)
        for col in plain[len(other):]:
            match = _same_measure(header.get(col, ""), {c: header.get(c, "") for c in first})
            if match is not None:
                out[col] = first[match]
    elif not other and percent:
        out.update({col: percent[0] for col in plain})  # "单位：%": every cell a percentage
    return out


_NOT_MEASURE = re.compile(r"[0-9０-９年月]|\s")
SAME_MEASURE = 2  # characters: the shortest measure two headers must share ("床位数")


def _same_measure(head: str, earlier: dict[int, str]) -> Optional[int]:
    """The earlier column whose header shares the longest measure with ``head`` (years and digits
    left out), if one alone does: "每千人拥有床位数" names "床位数" again."""
    def longest_common(a: str, b: str) -> int:
        best = 0
        for i in range(len(a)):
            for j in range(i + best + 1, len(a) + 1):
                if a[i:j] in b:
                    best = j - i
                else:
                    break
        return best
    h = _NOT_MEASURE.sub("", head)
    scores = {c: longest_common(h, _NOT_MEASURE.sub("", e)) for c, e in earlier.items()}
    top = max(scores.values(), default=0)
    winners = [c for c, v in scores.items() if v == top]
    return winners[0] if top >= SAME_MEASURE and len(winners) == 1 else None


_CURRENCY_PREFIX = re.compile(_any_of(_LEX.words("units", "currency", "prefixes")).pattern + r"(?=\S)")
_SCALE_PREFIX = re.compile(rf"[{''.join(CN_UNITS)}万亿萬億]+")


def unit_text(text: str, measured_prefix: bool = True) -> tuple[Decimal, str]:
    """A unit as a table writes it: "万辆" → (10000, "辆"), "千元" → (1000, "元"), "%" → (1, "%"),
    "千瓦时" → (1, "千瓦时"); in a 单位 column also what is measured before the unit ("蒸发量吨" →
    (1, "吨")), which a header's parentheses ("(户籍人口)") never are."""
    text = text.strip()
    cur = _CURRENCY_PREFIX.match(text)
    if cur:
        text = text[cur.end():]  # "新台币亿元": the currency named before the scale
    if not text or re.search(r"[0-9]", text) or len(text) > 8:
        return Decimal(1), ""
    if text in KNOWN_UNITS:
        return Decimal(1), UNIT_NAMES.get(text, text)
    m = _SCALE_PREFIX.match(text)
    if m:
        for cut in range(1, m.end() + 1):  # the shortest scale prefix before a known unit: "万千米" is 10⁴ 千米
            rest = text[cut:]
            if rest in KNOWN_UNITS and rest:
                try:
                    return parse_number(text[:cut]), UNIT_NAMES.get(rest, rest)
                except NumberError:
                    break
    if "/" in text:
        return _rate_unit(text)
    if not measured_prefix:
        return Decimal(1), ""
    factor, body = Decimal(1), text
    m = re.match(r"万亿|亿|万", text)
    if m and len(text) > m.end():
        factor, body = parse_number(m.group()), text[m.end() :]
    # what is measured is a word ("蒸发量吨" → 吨); one character before a unit is part of it, a
    # compound measure ("芯千米", a kilometre of fibre cores)
    rest = max((u for u in UNITS if body.endswith(u) and len(u) < len(body)), key=len, default=body)
    if len(body) - len(rest) < MEASURED_WORD:
        rest = body
    return factor, UNIT_NAMES.get(rest, rest)


def header_change(head: str) -> tuple[str, str]:
    """The change and basis a header or a chart's legend names: "同比增长率（%）" → (increase, yoy);
    ("", "") for a level."""
    change = "decrease" if _DECREASE_HEAD.search(head) else "increase" if _INCREASE_HEAD.search(head) else ""
    return change, (("mom" if MOM.search(head) else "yoy" if YOY.search(head) else "") if change else "")


def header_unit(head: str) -> tuple[Decimal, str]:
    """The unit a header or a row label states: "增长%", "2021年（亿元）"; (1, "") for none."""
    if re.search(r"[%％]\s*$", head):
        return Decimal(1), "%"  # "增长%"
    # the last bracket that names a unit: "其他应收款（合计）（亿元）" qualifies the name first
    for m in reversed(list(_HEADER_UNIT.finditer(head))):
        inside = m.group(1).strip()
        if inside in _CLASSIFICATION_LEVELS:
            return Decimal(1), ""
        if inside in _DIVISION_NAMES and m.end() < len(head.rstrip()):
            continue  # "对各县（区）防火经费补助资金": a division in a name, not a count of districts
        if inside in _MULTIPLE_MARKS:
            return Decimal(1), "倍"  # "现金流利息保障倍数（X）"
        scale, unit = unit_text(m.group(1), measured_prefix=False)
        if unit and unit in KNOWN_UNITS:
            return scale, unit
    return Decimal(1), ""  # "(生活服务)", "(2017年投入产出表计算)": not a unit
