"""Score an extraction against a hand-annotated reading of the same report.

A predicted claim matches a gold claim when their raw spans overlap and value and unit are equal
(values compared as exact decimals, so "7.20" equals "7.2"). Gold rows marked ``required: false``
are borderline: matching one is not rewarded and missing one is not punished, and a prediction
that matches one is not a false alarm. Attribute accuracy (kind, qualifier, change, basis, period)
is measured on the required matches.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .errors import GoldFileError

GOLD_FIELDS = ("raw_start", "raw_end", "surface", "value", "unit")
ATTRIBUTES = ("kind", "qualifier", "change", "basis", "period")


def load_gold(path: str | Path) -> list[dict]:
    if not Path(path).is_file():
        raise GoldFileError(f"{path}: no such annotation file (JSON Lines, one claim per line).")
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldFileError(f"{path}:{n}: not valid JSON ({exc.msg}).") from exc
            missing = [f for f in GOLD_FIELDS if f not in row]
            if missing:
                raise GoldFileError(f"{path}:{n}: missing field(s) {', '.join(missing)}.")
            try:
                row["_value"] = _dec(row["value"])
            except (InvalidOperation, TypeError) as exc:
                raise GoldFileError(f"{path}:{n}: value {row['value']!r} is not a number.") from exc
            row.setdefault("required", True)
            row["_n"] = n
            rows.append(row)
    return rows


def _dec(v) -> Decimal:
    return Decimal(str(v)).normalize()


def _norm(v) -> str:
    return "" if v is None else str(v)


# A surface as the scorer compares it: without white space, and with a private-use code point read
# as the point it is between digits: the PDF reader writes a Founder font's point ("７６\U001001b0１％")
# as ".", an annotator who copied the page's raw text kept the code point.
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff\U000f0000-\U0010ffff]")


def _surface_key(v) -> str:
    return _PRIVATE_USE.sub(".", "".join(_norm(v).split()))


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    attr_hits: dict = field(default_factory=lambda: {a: 0 for a in ATTRIBUTES})
    attr_total: dict = field(default_factory=lambda: {a: 0 for a in ATTRIBUTES})
    misses: list = field(default_factory=list)
    false_alarms: list = field(default_factory=list)
    attr_errors: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, attr: str) -> float:
        total = self.attr_total[attr]
        return self.attr_hits[attr] / total if total else 1.0

    def as_dict(self) -> dict:
        return {
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "accuracy": {a: round(self.accuracy(a), 4) for a in ATTRIBUTES},
            "attribute_counts": dict(self.attr_total),
            "misses": self.misses, "false_alarms": self.false_alarms,
            "attribute_errors": self.attr_errors,
        }


_PAGE_NUMBER_IN_SURFACE = re.compile(r"[-—－–]{1,2}[0-9]{1,4}[-—－–]{1,2}")


def _split_at_page_break(a: str, b: str) -> bool:
    """One surface is the other's number without the unit the next page starts with: "13.08" and
    "13.08亿元" (the values and units already agree)."""
    a, b = _PAGE_NUMBER_IN_SURFACE.sub("", a), _PAGE_NUMBER_IN_SURFACE.sub("", b)
    if a == b:
        return True  # "1.5 - 14 - 个百分点": the page's number between a number and its unit
    short, long = sorted((a, b), key=len)
    return bool(short) and len(long) > len(short) and long.startswith(short) and not long[len(short)].isdigit() and long[len(short)] not in ".,"


def score(gold: list[dict], predicted: Iterable[dict]) -> Score:
    preds = [dict(p) for p in predicted]
    for p in preds:
        p["_value"] = _dec(p["value"])
        p["_surface"] = _surface_key(p.get("surface"))  # once per claim, not once per gold row
    result = Score()
    used: set[int] = set()
    # Best overlap first, so that a long range does not steal the match of a short claim.
    # For PDF reports a gold row also matches on the same (or the next) page with the same surface,
    # nearest offset first, so that an annotation survives a change of the extracted text; an
    # overlap with another surface on another page (offsets that drifted) ranks below that.
    pairs = []
    for gi, g in enumerate(gold):
        g_surface = _surface_key(g["surface"])
        for pi, p in enumerate(preds):
            if g["_value"] != p["_value"] or _norm(g.get("unit")) != _norm(p.get("unit")):
                continue
            overlap = min(g["raw_end"], p["raw_end"]) - max(g["raw_start"], p["raw_start"])
            same_surface = g_surface == p["_surface"]
            paged = g.get("page") is not None and bool(_norm(p.get("page")))
            same_page = not paged or int(g["page"]) == int(float(p["page"]))
            if paged and same_page and same_surface and overlap <= 0:
                # a PDF's gold offsets are into the annotator's own text of the page: the same
                # surface on the same page is a better match than another number that happens to
                # overlap those offsets
                pairs.append((1, abs(g["raw_start"] - p["raw_start"]), gi, pi))
            elif overlap > 0 and (same_surface or same_page):
                pairs.append((0 if same_surface else 1.5, -overlap, gi, pi))
            elif paged and abs(int(g["page"]) - int(float(p["page"]))) <= 1 and (
                    same_surface or _split_at_page_break(g_surface, p["_surface"])):
                # a paragraph across a page break; or a number at a page's foot whose unit heads the
                # next page, which one side read with its unit ("13.08亿元") and the other without
                pairs.append((2, abs(g["raw_start"] - p["raw_start"]), gi, pi))
            elif overlap > 0:  # offsets that drifted onto another page's claim: the last resort
                pairs.append((3, -overlap, gi, pi))
    pairs.sort()
    gold_match: dict[int, int] = {}
    for _, _, gi, pi in pairs:
        if gi in gold_match or pi in used:
            continue
        gold_match[gi] = pi
        used.add(pi)
    for gi, g in enumerate(gold):
        if gi in gold_match:
            if not g["required"]:
                continue
            result.tp += 1
            p = preds[gold_match[gi]]
            for attr in ATTRIBUTES:
                gv = _norm(g.get(attr))
                if attr == "period" and not gv:
                    continue  # period accuracy is over claims that have one
                result.attr_total[attr] += 1
                if gv == _norm(p.get(attr)):
                    result.attr_hits[attr] += 1
                else:
                    result.attr_errors.append(
                        {"attribute": attr, "line": g.get("line"), "surface": g["surface"],
                         "gold": gv, "predicted": _norm(p.get(attr))}
                    )
        elif g["required"]:
            result.fn += 1
            near = [p for p in preds if min(g["raw_end"], p["raw_end"]) > max(g["raw_start"], p["raw_start"])]
            result.misses.append(
                {"line": g.get("line"), "surface": g["surface"], "value": str(g["value"]),
                 "unit": _norm(g.get("unit")),
                 "nearest": [f"{p.get('surface')}={p['value']}{_norm(p.get('unit'))}" for p in near]}
            )
    for pi, p in enumerate(preds):
        if pi in used:
            continue
        result.fp += 1
        result.false_alarms.append(
            {"line": p.get("line"), "page": p.get("page"), "surface": p.get("surface"), "value": str(p["value"]),
             "unit": _norm(p.get("unit")), "sentence": _norm(p.get("sentence"))[:60]}
        )
    return result


def load_predictions(extraction_dir: str | Path) -> list[dict]:
    """Claims of an extraction folder, read from its CSV (no optional dependencies needed)."""
    from .store import read_csv_rows  # the CSV copy's escaped cells back to their exact text

    path = Path(extraction_dir) / "claims.csv"
    if not path.exists():
        raise GoldFileError(
            f"{extraction_dir}: no claims.csv here; give the folder of one report "
            "(for example extracted/<report_id>)."
        )
    rows = read_csv_rows(path)
    for r in rows:
        r["raw_start"] = int(r["raw_start"])
        r["raw_end"] = int(r["raw_end"])
        r["line"] = int(r["line"]) if r.get("line") else None
    return rows


def format_report(s: Score, limit: int = 40) -> str:
    lines = [
        f"claims: precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}  "
        f"(matched {s.tp}, missed {s.fn}, false alarms {s.fp})",
        "attribute accuracy on matches: "
        + "  ".join(f"{a} {s.accuracy(a):.3f} (n={s.attr_total[a]})" for a in ATTRIBUTES),
    ]
    if s.misses:
        lines.append(f"misses ({len(s.misses)}):")
        lines += [f"  line {m['line']}: {m['surface']} = {m['value']} {m['unit']}"
                  + (f"   [extracted: {', '.join(m['nearest'])}]" if m["nearest"] else "")
                  for m in s.misses[:limit]]
    if s.false_alarms:
        lines.append(f"false alarms ({len(s.false_alarms)}):")
        lines += [f"  line {f['line']}: {f['surface']} = {f['value']} {f['unit']}"
                  for f in s.false_alarms[:limit]]
    if s.attr_errors:
        lines.append(f"attribute errors ({len(s.attr_errors)}):")
        lines += [f"  line {e['line']}: {e['surface']} {e['attribute']}: gold {e['gold']!r}, "
                  f"extracted {e['predicted']!r}" for e in s.attr_errors[:limit]]
    return "\n".join(lines)


# --- Headings -------------------------------------------------------------------------------------
#
# A heading gold file (``<report>.headings.jsonl``) lists the report's parts, sections and
# subsections as a reader sees them in the source. A predicted section (``sections.csv``) matches a
# gold heading when its number and title are the same (titles compared without white space, after
# the same width folding and traditional-to-simplified conversion the pipeline applies, since the
# annotator copies the source as written) and it sits near the same line (text) or on the same page
# (PDF). Level is scored as an attribute of the matches: a heading found at the wrong level is
# still found.

HEADING_FIELDS = ("level", "number", "title")
HEADING_LEVELS = ("part", "section", "subsection")
# A heading whose numeral stands on its own line ("壹" then its title) starts on the numeral's
# line or the title's; an annotator may give either, and a line or two of drift is the same heading.
HEADING_LINE_TOLERANCE = 3


def is_headings_gold(path: str | Path) -> bool:
    """Whether ``path`` holds heading annotations rather than claims (by name, then by content)."""
    name = Path(path).name
    if name.endswith(".headings.jsonl"):
        return True
    if not Path(path).is_file():
        return False
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    return False
                return isinstance(row, dict) and "level" in row and "value" not in row
    return False


def load_heading_gold(path: str | Path) -> list[dict]:
    if not Path(path).is_file():
        raise GoldFileError(f"{path}: no such heading annotation file (JSON Lines, one heading per line).")
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldFileError(f"{path}:{n}: not valid JSON ({exc.msg}).") from exc
            missing = [f for f in HEADING_FIELDS if f not in row]
            if missing:
                raise GoldFileError(f"{path}:{n}: missing field(s) {', '.join(missing)}.")
            if row["level"] not in HEADING_LEVELS:
                raise GoldFileError(
                    f"{path}:{n}: level {row['level']!r} is not one of {', '.join(HEADING_LEVELS)}.")
            if row.get("line") is None and row.get("page") is None:
                raise GoldFileError(f"{path}:{n}: a heading needs a line (text) or a page (PDF).")
            row.setdefault("required", True)
            row["_n"] = n
            rows.append(row)
    return rows


def load_predicted_sections(extraction_dir: str | Path) -> list[dict]:
    """Sections of an extraction folder, each with the page of the block it starts at (PDFs)."""
    import csv

    folder = Path(extraction_dir)
    path = folder / "sections.csv"
    if not path.exists():
        raise GoldFileError(
            f"{extraction_dir}: no sections.csv here; give the folder of one report "
            "(for example extracted/<report_id>)."
        )
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    pages: list[tuple[int, int, int]] = []
    blocks = folder / "blocks.csv"
    if blocks.exists():
        with open(blocks, encoding="utf-8", newline="") as fh:
            for b in csv.DictReader(fh):
                if b.get("page"):
                    pages.append((int(b["raw_start"]), int(b["raw_end"]), int(float(b["page"]))))
    for r in rows:
        r["raw_start"] = int(r["raw_start"])
        r["line"] = int(r["line"]) if r.get("line") else None
        r["page"] = next((p for a, b, p in pages if a <= r["raw_start"] < b), None)
    return rows


@lru_cache(maxsize=4096)
def _heading_key(text) -> str:
    """A title or number as the pipeline would read it, without white space or edge punctuation."""
    from .normalize import normalize_text
    from .segment import canonical_numeral

    folded = normalize_text("".join(_norm(text).split())).text
    return canonical_numeral(folded.strip("、．.：:，,。 ()（）"))


@dataclass
class HeadingScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    level_hits: int = 0
    misses: list = field(default_factory=list)
    false_alarms: list = field(default_factory=list)
    level_errors: list = field(default_factory=list)

    precision = Score.precision
    recall = Score.recall
    f1 = Score.f1

    @property
    def level_accuracy(self) -> float:
        return self.level_hits / self.tp if self.tp else 1.0

    def as_dict(self) -> dict:
        return {
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4), "level_accuracy": round(self.level_accuracy, 4),
            "misses": self.misses, "false_alarms": self.false_alarms, "level_errors": self.level_errors,
        }


def score_headings(gold: list[dict], predicted: Iterable[dict]) -> HeadingScore:
    preds = list(predicted)
    result = HeadingScore()
    pairs = []
    for gi, g in enumerate(gold):
        g_key = (_heading_key(g.get("number")), _heading_key(g.get("title")))
        for pi, p in enumerate(preds):
            if (_heading_key(p.get("number")), _heading_key(p.get("title"))) != g_key:
                continue
            if g.get("page") is not None and p.get("page") is not None:
                distance = abs(int(g["page"]) - int(p["page"]))
                if distance == 0:
                    pairs.append((distance, gi, pi))
            elif g.get("line") is not None and p.get("line") is not None:
                distance = abs(int(g["line"]) - int(p["line"]))
                if distance <= HEADING_LINE_TOLERANCE:
                    pairs.append((distance, gi, pi))
    pairs.sort()
    gold_match: dict[int, int] = {}
    used: set[int] = set()
    for _, gi, pi in pairs:
        if gi in gold_match or pi in used:
            continue
        gold_match[gi] = pi
        used.add(pi)
    for gi, g in enumerate(gold):
        where = {"line": g.get("line"), "page": g.get("page")}
        if gi in gold_match:
            if not g["required"]:
                continue
            result.tp += 1
            p = preds[gold_match[gi]]
            if p.get("level") == g["level"]:
                result.level_hits += 1
            else:
                result.level_errors.append({**where, "number": _norm(g.get("number")), "title": g["title"],
                                            "gold": g["level"], "predicted": p.get("level")})
        elif g["required"]:
            result.fn += 1
            result.misses.append({**where, "level": g["level"], "number": _norm(g.get("number")),
                                  "title": g["title"]})
    for pi, p in enumerate(preds):
        if pi not in used:
            result.fp += 1
            result.false_alarms.append({"line": p.get("line"), "page": p.get("page"), "level": p.get("level"),
                                        "number": _norm(p.get("number")), "title": _norm(p.get("title"))})
    return result


def format_heading_report(s: HeadingScore, limit: int = 40) -> str:
    def where(r) -> str:
        return f"page {r['page']}" if r.get("page") is not None else f"line {r['line']}"

    def name(r) -> str:
        return f"{r['number']} {r['title']}".strip()

    lines = [
        f"headings: precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}  "
        f"(matched {s.tp}, missed {s.fn}, false alarms {s.fp})",
        f"level accuracy on matches: {s.level_accuracy:.3f} (n={s.tp})",
    ]
    if s.misses:
        lines.append(f"misses ({len(s.misses)}):")
        lines += [f"  {where(m)}: {m['level']} {name(m)}" for m in s.misses[:limit]]
    if s.false_alarms:
        lines.append(f"false alarms ({len(s.false_alarms)}):")
        lines += [f"  {where(f)}: {f['level']} {name(f)}" for f in s.false_alarms[:limit]]
    if s.level_errors:
        lines.append(f"level errors ({len(s.level_errors)}):")
        lines += [f"  {where(e)}: {name(e)}: gold {e['gold']}, extracted {e['predicted']}"
                  for e in s.level_errors[:limit]]
    return "\n".join(lines)


def evaluate(gold_path: str | Path, extraction_dir: str | Path, limit: int = 40):
    """Score one extraction folder against a claims or a headings gold file, whichever it is.

    Returns the score (``Score`` or ``HeadingScore``, both with ``as_dict``) and the printed report.
    """
    if is_headings_gold(gold_path):
        s = score_headings(load_heading_gold(gold_path), load_predicted_sections(extraction_dir))
        return s, format_heading_report(s, limit=limit)
    s = score(load_gold(gold_path), load_predictions(extraction_dir))
    return s, format_report(s, limit=limit)


def document_sections(doc) -> list[dict]:
    """The sections of a processed ``Document`` as ``load_predicted_sections`` reads them from disk."""
    spans = [(b.raw_start, b.raw_end, b.page) for b in doc.blocks if b.page is not None]
    rows = []
    for s in doc.sections:
        page = next((p for a, b, p in spans if a <= s.raw_start < b), None)
        rows.append({"level": s.level, "number": s.number, "title": s.title, "line": s.line,
                     "raw_start": s.raw_start, "page": page})
    return rows
