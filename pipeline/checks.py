"""Consistency checks: figures of one report that should agree, flagged (never fixed) when they do not.

A statistical bulletin states many figures twice over: three industries' value added and the GDP
they make up, a share and the part and total it is the ratio of, a table's rows and its 合计 row.
When they disagree beyond rounding, either the report is inconsistent (it happens: revised
figures, a typo) or the extraction is wrong (a lost scale word, a wrong unit). Either way a user
should look, so each check is a row naming the claims involved, the stated and expected numbers
and the tolerance. Tolerances come from rounding: a figure printed with one decimal of 亿元 is
exact to ±0.05亿元, and the tolerance of a sum or a ratio is what its inputs' rounding allows.
Which indicators make up which total is data (``lexicon/indicators.toml``, ``[checks]``).
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from . import lexicon
from .indicators import RATE_UNITS
from .model import Check, Claim, Document, Indicator, TableCell

_NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?")
# "占一般公共预算支出的比重为73.7%": the total a share is of, written just before the share.
_SHARE_OF = re.compile(r"占(?:全[市州省区县国])?(?P<total>[^，。；、,;：:]{2,24}?)(?:的)?(?:比重|比例)?(?:为|达到?|是)?\s*$")


@lru_cache(maxsize=1)
def check_rules() -> dict:
    """Which indicators make up which total, from ``lexicon/indicators.toml``: the lists of
    ``[checks]``, ``sum`` as [{total, parts}] and ``per_capita`` as [{figure, total, population}]."""
    tables = lexicon.load().tables["indicators"]
    rules = dict(tables.get("checks", {}))
    rules["sum"] = [{"total": t, "parts": list(p)} for t, p in tables.get("sums", {}).items()]
    rules["per_capita"] = [{"figure": f, **dict(r)} for f, r in tables.get("per_capita", {}).items()]
    return rules


def half_unit(c: Claim) -> Decimal:
    """Half the last printed digit of a claim, in the claim's value units ("5481.6亿元" → 0.05e8)."""
    m = _NUMBER.search(c.surface.replace(" ", ""))
    try:
        printed = Decimal(m.group().replace(",", "")) if m else None
        value = Decimal(c.value)
    except InvalidOperation:
        return Decimal(0)
    if not printed:
        return Decimal(0)
    scale = abs(value / printed) if printed else Decimal(1)
    exponent = printed.as_tuple().exponent
    return Decimal(5).scaleb(int(exponent) - 1) * scale


def _check_id(report_id: str, name: str, claim_ids: tuple[str, ...]) -> str:
    return "chk-" + hashlib.sha1(f"{report_id}|{name}|{'|'.join(claim_ids)}".encode()).hexdigest()[:12]


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f") if d == d.to_integral() else format(d.quantize(Decimal("0.0001")).normalize(), "f")


def _row(doc: Document, name: str, claims: list[Claim], stated: Decimal, expected: Decimal,
         tolerance: Decimal, detail: str, soft: bool = False) -> Check:
    ids = tuple(c.claim_id for c in claims)
    ok = abs(stated - expected) <= tolerance
    return Check(_check_id(doc.report_id, name, ids), name, "ok" if ok else ("soft" if soft else "flag"),
                 ids, _fmt(stated), _fmt(expected), _fmt(tolerance), detail)


def _levels(doc: Document) -> dict[tuple[str, str], tuple[Indicator, Claim]]:
    """The first level per (canonical name, period), with the claim it states."""
    claims = {c.claim_id: c for c in doc.claims}
    out: dict[tuple[str, str], tuple[Indicator, Claim]] = {}
    for ind in doc.indicators:
        if ind.value and ind.canonical:
            out.setdefault((ind.canonical, ind.period), (ind, claims[ind.claim_ids[0]]))
    return out


def _sum_checks(doc: Document, levels) -> list[Check]:
    rows = []
    for rule in check_rules().get("sum", []):
        for (name, period), (_, total) in levels.items():
            if name != rule["total"]:
                continue
            parts = [levels.get((p, period)) for p in rule["parts"]]
            if not all(parts) or any(p[1].unit != total.unit for p in parts):
                continue
            part_claims = [p[1] for p in parts]
            expected = sum((Decimal(c.value) for c in part_claims), Decimal(0))
            tol = half_unit(total) + sum((half_unit(c) for c in part_claims), Decimal(0))
            rows.append(_row(doc, "parts_sum_to_total", [total, *part_claims], Decimal(total.value), expected,
                             tol, f"{name} against {' + '.join(rule['parts'])} ({period})"))
    return rows


def _per_capita_checks(doc: Document, levels) -> list[Check]:
    rows = []
    for rule in check_rules().get("per_capita", []):
        for (name, period), (_, figure) in levels.items():
            if name != rule["figure"]:
                continue
            total, pop = levels.get((rule["total"], period)), levels.get((rule["population"], period))
            if not total or not pop or Decimal(pop[1].value) == 0:
                continue
            expected = Decimal(total[1].value) / Decimal(pop[1].value)
            tol = abs(expected) * Decimal(str(rule.get("relative_tolerance", 0.01)))
            rows.append(_row(doc, "per_capita", [figure, total[1], pop[1]], Decimal(figure.value), expected, tol,
                             f"{name} against {rule['total']} / {rule['population']} ({period})", soft=True))
    return rows


def _share_checks(doc: Document, levels) -> list[Check]:
    """A stated share against part / total: "其中税收收入265.6亿元，占一般公共预算收入的比重为65.7%"."""
    by_name: dict[tuple[str, str], Claim] = {}
    for (name, period), (ind, claim) in levels.items():
        by_name.setdefault((ind.indicator, period), claim)
        by_name.setdefault((name, period), claim)
    rows = []
    claims = sorted(doc.claims, key=lambda c: c.raw_start)
    for i, share in enumerate(claims):
        if share.unit != "%" or share.change or not share.sentence:
            continue
        pos = share.sentence.find(share.surface)
        m = _SHARE_OF.search(share.sentence[:pos]) if pos > 0 else None
        if not m:
            continue
        part = next((c for c in reversed(claims[:i]) if c.sentence == share.sentence and c.block_id == share.block_id
                     and not c.change and c.unit not in ("%", "")), None)
        period = share.period or (part.period if part else "")
        total = by_name.get((m.group("total"), period)) or next(
            (c for (n, p), c in by_name.items() if p == period and n.endswith(m.group("total"))), None)
        if part is None or total is None or total.unit != part.unit or Decimal(total.value) == 0:
            continue
        expected = Decimal(part.value) / Decimal(total.value) * 100
        # the share's own rounding plus what the part's and total's rounding move the ratio by
        rel = half_unit(part) / abs(Decimal(part.value)) + half_unit(total) / abs(Decimal(total.value))
        tol = half_unit(share) + abs(expected) * rel
        rows.append(_row(doc, "share_of_total", [share, part, total], Decimal(share.value), expected, tol,
                         f"share of {m.group('total')}"))
    return rows


def _cell_number(text: str) -> Decimal | None:
    t = text.strip().replace(",", "").replace("，", "")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", t):
        return None
    return Decimal(t)


def _table_checks(doc: Document) -> list[Check]:
    """Rows of a table against its total row (合计), column by column, where every part row is a number."""
    rules = check_rules()
    totals, subs = tuple(rules.get("total_rows", ())), tuple(rules.get("sub_row_marks", ()))
    by_table: dict[str, list[TableCell]] = {}
    for cell in doc.table_cells:
        by_table.setdefault(cell.table_id, []).append(cell)
    claim_at = {(c.raw_start, c.raw_end): c for c in doc.claims}
    rows_out = []
    for table_id, cells in by_table.items():
        grid: dict[int, dict[int, TableCell]] = {}
        for cell in cells:
            grid.setdefault(cell.row, {})[cell.col] = cell
        body = [r for r in sorted(grid) if not any(c.is_header for c in grid[r].values())]
        labels = {r: "".join(grid[r][0].text.split()) if 0 in grid[r] else "" for r in body}
        total_rows = [r for r in body if labels[r] in totals]
        if len(total_rows) != 1:
            continue
        t = total_rows[0]
        parts = [r for r in body if r != t and labels[r] and not labels[r].startswith(subs)]
        if len(parts) < 2:
            continue
        cols = sorted({c for r in body for c in grid[r] if c > 0})
        for col in cols:
            total_cell = grid[t].get(col)
            part_cells = [pc for pc in (grid[r].get(col) for r in parts) if pc is not None]
            if total_cell is None or len(part_cells) != len(parts):
                continue
            found = [_cell_number(pc.text) for pc in part_cells]
            numbers = [n for n in found if n is not None]
            stated = _cell_number(total_cell.text)
            if stated is None or len(numbers) != len(found):
                continue
            expected = sum(numbers, Decimal(0))
            places = [-min(0, int(n.as_tuple().exponent)) for n in [stated, *numbers]]
            tol = sum((Decimal(5).scaleb(-p - 1) for p in places), Decimal(0))
            involved = [claim_at.get((c.raw_start, c.raw_end)) for c in [total_cell, *part_cells]]
            claims = [c for c in involved if c is not None]
            if len(claims) != len(involved):
                continue  # a column of codes or years, not of claims
            if any(c.change or c.unit in RATE_UNITS for c in claims):
                continue  # growth rates and shares do not add up
            rows_out.append(_row(doc, "table_rows_sum_to_total", claims, stated, expected, tol,
                                 f"table {table_id} column {col}: {labels[t]} against {len(parts)} rows"))
    return rows_out


def run_checks(doc: Document) -> Document:
    """The checks stage (after indicators): every check that applies, passing or not."""
    levels = _levels(doc)
    checks = _sum_checks(doc, levels) + _per_capita_checks(doc, levels) + _share_checks(doc, levels)
    checks += _table_checks(doc)
    return doc.evolve(checks=tuple(checks))
