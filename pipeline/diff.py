"""What changed between two extractions: two runs of one report, or two editions of a series.

Claims are paired first by ``claim_id`` (stable when the claim's sentence and section did not
change), then, for the rest, by unit and kind with the most similar subject and sentence: a value
edited in place, or "微信月活跃用户 11.5 亿" in one edition and "12.025 亿" in the next, pair up
as the same indicator. Values compare as exact decimals, already scale-folded, so 1.2亿 equals
12000万. Sections and case boxes pair by id, then by title similarity (a renamed heading).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from pathlib import Path

from .errors import UsageError

CLAIM_FIELDS = ("value", "value_max", "unit", "kind", "qualifier", "change", "basis", "period", "period_role")
COLUMNS = ("status", "kind", "old_id", "new_id", "subject", "field", "old", "new")
PAIR_THRESHOLD = 0.55


@dataclass(frozen=True)
class DiffRow:
    status: str  # added, removed, changed
    kind: str  # claim, section, case
    old_id: str
    new_id: str
    subject: str
    field: str
    old: str
    new: str
    where: str = ""  # the section title, for grouping
    percent: str = ""  # change of a value, in percent
    old_sentence: str = ""
    new_sentence: str = ""


def _read(folder: Path, table: str) -> list[dict]:
    path = folder / f"{table}.csv"
    if not path.exists():
        raise UsageError(f"{folder}: no {table}.csv here; give the output folder of one report "
                         "(for example extracted/<report_id>).")
    from .store import read_csv_rows  # the CSV copy's escaped cells back to their exact text

    return read_csv_rows(path)


def _similar(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _same(field: str, a: str, b: str) -> bool:
    if field in ("value", "value_max") and a and b:
        try:
            return Decimal(a) == Decimal(b)
        except InvalidOperation:
            return a == b
    return a == b


RATE_UNITS = ("%", "百分点", "‰")  # a rate's change is a difference in points, never a percent of it


def _percent(old: str, new: str, unit: str = "") -> str:
    """How a value moved: in percent of the old value, or for a rate in (percentage) points."""
    try:
        o, n = Decimal(old), Decimal(new)
    except (InvalidOperation, TypeError):
        return ""
    if unit in RATE_UNITS:
        points = "‰ points" if unit == "‰" else "pp"
        return f"{n - o:+.2f} {points}".replace(".00 ", " ")
    if o == 0:
        return ""
    return f"{(n - o) / abs(o) * 100:+.1f}%"


def _report_year(folder: Path) -> int | None:
    try:
        record = json.loads((folder / "document.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    year = record.get("report_year")
    return int(year) if isinstance(year, int) or (isinstance(year, str) and year.isdigit()) else None


def edition_gap(old_dir: str | Path, new_dir: str | Path) -> int:
    """Years between two editions (0 for two runs of one report, or when either year is unknown)."""
    a, b = _report_year(Path(old_dir)), _report_year(Path(new_dir))
    return b - a if a is not None and b is not None else 0


_PERIOD_YEARS = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def shifted_period(old: str, new: str, gap: int) -> bool:
    """"2021" → "2022" (or "2021-Q4" → "2022-Q4") in editions a year apart: the same period of
    the next edition, not a change."""
    if not gap or not old or not new:
        return False
    moved = _PERIOD_YEARS.sub(lambda m: str(int(m.group(1)) + gap), old)
    return moved == new


def diff_extractions(old_dir: str | Path, new_dir: str | Path) -> list[DiffRow]:
    old_dir, new_dir = Path(old_dir), Path(new_dir)
    rows: list[DiffRow] = []
    old_sections = _read(old_dir, "sections")
    new_sections = _read(new_dir, "sections")
    titles = {s["section_id"]: s["title"] for s in old_sections + new_sections}
    rows += _diff_named("section", old_sections, new_sections, "section_id", titles)
    rows += _diff_named("case", _read(old_dir, "cases"), _read(new_dir, "cases"), "case_id", titles)
    rows += _diff_claims(_read(old_dir, "claims"), _read(new_dir, "claims"), titles,
                         edition_gap(old_dir, new_dir))
    return rows


def _diff_named(kind: str, old: list[dict], new: list[dict], key: str, titles: dict) -> list[DiffRow]:
    out = []
    new_by_id = {r[key]: r for r in new}
    matched_new = set()
    rest_old = []
    for r in old:
        if r[key] in new_by_id:
            matched_new.add(r[key])
        else:
            rest_old.append(r)
    rest_new = [r for r in new if r[key] not in matched_new]
    pairs = sorted(
        ((_similar(a["title"], b["title"]) + (0.3 if a.get("level") == b.get("level") and a.get("number") == b.get("number") else 0), i, j)
         for i, a in enumerate(rest_old) for j, b in enumerate(rest_new)),
        reverse=True,
    )
    used_old, used_new = set(), set()
    for score, i, j in pairs:
        if score < 0.6 or i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        a, b = rest_old[i], rest_new[j]
        if a["title"] != b["title"]:
            out.append(DiffRow("changed", kind, a[key], b[key], b["title"], "title", a["title"], b["title"],
                               titles.get(b.get("section_id") or b.get("parent_id") or "", "")))
    for i, a in enumerate(rest_old):
        if i not in used_old:
            out.append(DiffRow("removed", kind, a[key], "", a["title"], "title", a["title"], "",
                               titles.get(a.get("section_id") or a.get("parent_id") or "", "")))
    for j, b in enumerate(rest_new):
        if j not in used_new:
            out.append(DiffRow("added", kind, "", b[key], b["title"], "title", "", b["title"],
                               titles.get(b.get("section_id") or b.get("parent_id") or "", "")))
    return out


def _diff_claims(old: list[dict], new: list[dict], titles: dict, gap: int = 0) -> list[DiffRow]:
    new_by_id = {c["claim_id"]: c for c in new}
    pairs: list[tuple[dict, dict]] = []
    rest_old = []
    for c in old:
        if c["claim_id"] in new_by_id:
            pairs.append((c, new_by_id.pop(c["claim_id"])))
        else:
            rest_old.append(c)
    rest_new = list(new_by_id.values())
    candidates = []
    for i, a in enumerate(rest_old):
        for j, b in enumerate(rest_new):
            if a["unit"] != b["unit"] or a["kind"] != b["kind"]:
                continue
            score = 0.5 * _similar(a["subject"], b["subject"]) + 0.5 * _similar(a["sentence"], b["sentence"])
            if a.get("section_id") and a.get("section_id") == b.get("section_id"):
                score += 0.1
            candidates.append((score, i, j))
    candidates.sort(reverse=True)
    used_old, used_new = set(), set()
    for score, i, j in candidates:
        if score < PAIR_THRESHOLD or i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((rest_old[i], rest_new[j]))
    out = []
    for a, b in pairs:
        for field in CLAIM_FIELDS:
            if field == "period" and shifted_period(a[field], b[field], gap):
                continue
            if not _same(field, a[field], b[field]):
                out.append(DiffRow("changed", "claim", a["claim_id"], b["claim_id"], b["subject"], field,
                                   a[field], b[field], titles.get(b.get("section_id", ""), ""),
                                   _percent(a[field], b[field], b["unit"]) if field == "value" else "",
                                   a["sentence"], b["sentence"]))
    for i, a in enumerate(rest_old):
        if i not in used_old:
            out.append(DiffRow("removed", "claim", a["claim_id"], "", a["subject"], "value", a["value"], "",
                               titles.get(a.get("section_id", ""), ""), "", a["sentence"], ""))
    for j, b in enumerate(rest_new):
        if j not in used_new:
            out.append(DiffRow("added", "claim", "", b["claim_id"], b["subject"], "value", "", b["value"],
                               titles.get(b.get("section_id", ""), ""), "", "", b["sentence"]))
    return out


def write_csv(rows: list[DiffRow], path: str | Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            d = asdict(r)
            w.writerow([d[c] for c in COLUMNS])


INDICATOR_COLUMNS = ("status", "indicator", "unit", "old_period", "new_period", "old_value", "new_value",
                     "value_change", "old_change", "new_change", "change_unit", "change_difference",
                     "old_claim_ids", "new_claim_ids")


@dataclass(frozen=True)
class IndicatorDiffRow:
    status: str  # changed, same, added, removed
    indicator: str
    unit: str
    old_period: str
    new_period: str
    old_value: str
    new_value: str
    value_change: str  # percent of the old level, or points for a rate
    old_change: str
    new_change: str
    change_unit: str
    change_difference: str  # growth rates compared in percentage points
    old_claim_ids: str
    new_claim_ids: str


def diff_indicators(old_dir: str | Path, new_dir: str | Path) -> list[IndicatorDiffRow]:
    """One row per indicator of two editions (or runs): the old and the new level and growth.

    Indicators pair on their canonical name and unit, in order of appearance, where the new
    period is the old one moved by the editions' gap (so 2022 in this year's bulletin pairs with
    2021 in last year's); growth rates are compared in percentage points.
    """
    old_dir, new_dir = Path(old_dir), Path(new_dir)
    old, new = _read(old_dir, "indicators"), _read(new_dir, "indicators")
    gap = edition_gap(old_dir, new_dir)

    def key(r: dict) -> tuple[str, str]:
        return (r["canonical"] or r["indicator"], r["unit"] or r["change_unit"])

    pending: dict[tuple[str, str], list[dict]] = {}
    for r in new:
        pending.setdefault(key(r), []).append(r)
    out = []
    for a in old:
        queue = pending.get(key(a), [])
        b = next((r for r in queue if r["period"] == a["period"] or shifted_period(a["period"], r["period"], gap)), None)
        if b is None:
            out.append(_indicator_row("removed", a, None))
            continue
        queue.remove(b)
        out.append(_indicator_row("changed" if (not _same("value", a["value"], b["value"])
                                                or not _same("value", a["change_value"], b["change_value"]))
                                  else "same", a, b))
    for queue in pending.values():
        out += [_indicator_row("added", None, b) for b in queue]
    return out


def _indicator_row(status: str, a: dict | None, b: dict | None) -> IndicatorDiffRow:
    e: dict = {}
    a, b = a or e, b or e
    unit = b.get("unit", a.get("unit", ""))
    change_unit = b.get("change_unit") or a.get("change_unit", "")
    difference = ""
    if a.get("change_value") and b.get("change_value"):
        diff = Decimal(b["change_value"]) - Decimal(a["change_value"])
        difference = f"{diff:+f}" + (" pp" if change_unit == "%" else f" {change_unit}")
    return IndicatorDiffRow(
        status, b.get("canonical") or b.get("indicator") or a.get("canonical") or a.get("indicator", ""),
        unit, a.get("period", ""), b.get("period", ""), a.get("value", ""), b.get("value", ""),
        _percent(a["value"], b["value"], unit) if a.get("value") and b.get("value") else "",
        a.get("change_value", ""), b.get("change_value", ""), change_unit, difference,
        a.get("claim_ids", ""), b.get("claim_ids", ""),
    )
