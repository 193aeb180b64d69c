"""A panel across reports: every indicator by region and period, long or wide, as CSV, Parquet,
Excel or a page of small charts.

The rows come from the catalog's ``panel`` view (see ``catalog.py``), so a panel always agrees
with the reports' own files, and every value keeps the claim it comes from. Values stay exact
decimal text in CSV and Parquet; Excel gets numbers (a spreadsheet computes in floating point
anyway), with the exact text kept in the long sheet's ``value`` column next to them.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .catalog import PANEL_COLUMNS, query

NUMERIC_COLUMNS = ("value", "value_num", "change_value", "change_value_num", "page")
# A spreadsheet needs a byte-order mark to read UTF-8 (Excel on a Chinese-locale Windows reads a
# file without one as GBK); other tools are better without it, so it is opt-in.
UTF8_BOM = "\ufeff"


def panel_rows(out_dir: str | Path) -> tuple[list[str], list[tuple]]:
    """(columns, rows) of the panel over every report of ``out_dir``."""
    names, rows = query(out_dir, f"SELECT {', '.join(PANEL_COLUMNS)} FROM panel")
    return list(names), [tuple(r) for r in rows]


def wide(columns: Sequence[str], rows: Iterable[Sequence]) -> tuple[list[str], list[tuple]]:
    """One row per region and period, one column per indicator (its level; "<name> 增长" for the
    growth where one is stated). The first figure for an indicator in a report's reading order wins."""
    idx = {c: i for i, c in enumerate(columns)}
    cells: dict[tuple[str, str], dict[str, str]] = {}
    order: list[str] = []
    for r in rows:
        key = (r[idx["region"]] or "", r[idx["period"]] or "")
        name = r[idx["indicator"]] or ""
        if not name:
            continue
        unit = r[idx["unit"]] or ""
        line = cells.setdefault(key, {})
        for col, val in ((f"{name}（{unit}）" if unit else name, r[idx["value"]]),
                         (f"{name} 增长（{r[idx['change_unit']] or ''}）", r[idx["change_value"]])):
            if val in (None, ""):
                continue
            if col not in order:
                order.append(col)
            line.setdefault(col, val)
    out_cols = ["region", "period", *order]
    out = [(region, period, *(line.get(c, "") for c in order)) for (region, period), line in sorted(cells.items())]
    return out_cols, out


def to_csv(columns: Sequence[str], rows: Iterable[Sequence], bom: bool = False) -> str:
    buf = io.StringIO()
    if bom:
        buf.write(UTF8_BOM)
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


def write_parquet(columns: Sequence[str], rows: Sequence[Sequence], path: str | Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = {c: [None if r[i] in (None, "") else r[i] for r in rows] for i, c in enumerate(columns)}
    arrays = {}
    for c, vals in data.items():
        if c == "page":
            arrays[c] = pa.array([int(v) if v is not None else None for v in vals], pa.int32())
        elif c.endswith("_num"):  # the float twin of an exact figure
            arrays[c] = pa.array([float(v) if v is not None else None for v in vals], pa.float64())
        else:
            arrays[c] = pa.array([None if v is None else str(v) for v in vals], pa.string())
    pq.write_table(pa.table(arrays), path)


def _number(v) -> float | None:
    if v in (None, ""):
        return None
    try:
        return float(Decimal(str(v)))
    except (InvalidOperation, ValueError):
        return None


def write_xlsx(sheets: dict[str, tuple[Sequence[str], Sequence[Sequence]]], path: str | Path,
               numeric: Iterable[str] = NUMERIC_COLUMNS) -> None:
    """One sheet per table: a frozen, filterable header row, numbers as numbers, text as text
    (never as a formula: a cell beginning with "=" stays the text the report wrote)."""
    import xlsxwriter

    numeric = set(numeric)
    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False}) as book:
        bold = book.add_format({"bold": True})
        for name, (columns, rows) in sheets.items():
            sheet = book.add_worksheet(name[:31])
            sheet.write_row(0, 0, list(columns), bold)
            for r, row in enumerate(rows, 1):
                for c, (col, v) in enumerate(zip(columns, row, strict=False)):
                    num = _number(v) if col in numeric else None
                    if num is not None:
                        sheet.write_number(r, c, num)
                    elif v not in (None, ""):
                        sheet.write_string(r, c, str(v))
            sheet.freeze_panes(1, 0)
            if columns:
                sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
            sheet.set_column(0, max(len(columns) - 1, 0), 14)


def report_sheets(report_dir: str | Path) -> dict[str, tuple[Sequence[str], Sequence[Sequence]]]:
    """A report folder's CSV tables, for ``write_xlsx``, with the exact text of every cell (the
    CSV's spreadsheet guard is not needed in a workbook, where text is never a formula)."""
    from .store import read_csv_rows

    report_dir = Path(report_dir)
    sheets: dict[str, tuple[Sequence[str], Sequence[Sequence]]] = {}
    for path in sorted(report_dir.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), [])
        sheets[path.stem] = (header, [[r.get(c, "") for c in header] for r in read_csv_rows(path)])
    return sheets


_REPORT_NUMERIC = ("value", "value_max", "change_value", "raw_start", "raw_end", "line", "page", "row", "col",
                   "stated", "expected", "tolerance")


def write_report_xlsx(report_dir: str | Path, path: str | Path) -> None:
    write_xlsx(report_sheets(report_dir), path, numeric=_REPORT_NUMERIC)


# --- a page of small charts -------------------------------------------------------------------

CHART_W, CHART_H, PAD = 360, 150, 28  # px; small multiples, one per indicator
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def panel_page(columns: Sequence[str], rows: Sequence[Sequence], review_links: dict[str, str], title: str) -> str:
    """A self-contained page: per indicator a line chart over the periods, a line per region, each
    point linked to its claim in the report's review page (``review_links``: report id → page)."""
    idx = {c: i for i, c in enumerate(columns)}
    series: dict[tuple[str, str], dict[str, dict[str, tuple]]] = {}
    for r in rows:
        v = _number(r[idx["value"]])
        period = r[idx["period"]] or ""
        if v is None or len(period) < 4 or not period[:4].isdigit():
            continue
        key = (r[idx["indicator"]] or "", r[idx["unit"]] or "")
        series.setdefault(key, {}).setdefault(r[idx["region"]] or "?", {}).setdefault(period, (v, r))
    charts = []
    for (name, unit), by_region in sorted(series.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        periods = sorted({p for pts in by_region.values() for p in pts})
        values = [v for pts in by_region.values() for v, _ in pts.values()]
        lo, hi = min(values), max(values)
        span = (hi - lo) or abs(hi) or 1.0

        def x(p: str, periods: list[str] = periods) -> float:
            return PAD + (CHART_W - 2 * PAD) * (periods.index(p) / max(len(periods) - 1, 1))

        def y(v: float, lo: float = lo, span: float = span) -> float:
            return CHART_H - PAD - (CHART_H - 2 * PAD) * ((v - lo) / span)

        parts = [f'<svg viewBox="0 0 {CHART_W} {CHART_H}" width="{CHART_W}" height="{CHART_H}" role="img" '
                 f'aria-label="{html.escape(name)}">']
        for p in periods:
            parts.append(f'<text x="{x(p):.1f}" y="{CHART_H - 8}" text-anchor="middle" class="tick">{html.escape(p)}</text>')
        legend = []
        for k, (region, pts) in enumerate(sorted(by_region.items())):
            colour = _COLOURS[k % len(_COLOURS)]
            ordered = sorted(pts.items())
            if len(ordered) > 1:
                path = " ".join(f"{x(p):.1f},{y(v):.1f}" for p, (v, _) in ordered)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
            for p, (v, r) in ordered:
                report, claim = r[idx["report_id"]], r[idx["claim_id"]]
                href = review_links.get(report, "")
                label = f"{region} {p}: {r[idx['value']]} {unit} ({report})"
                dot = (f'<circle cx="{x(p):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}">'
                       f'<title>{html.escape(label)}</title></circle>')
                parts.append(f'<a href="{html.escape(href + "#" + claim)}">{dot}</a>' if href else dot)
            legend.append(f'<span style="color:{colour}">● {html.escape(region)}</span>')
        parts.append("</svg>")
        charts.append(f'<figure><figcaption>{html.escape(name)}{"（" + html.escape(unit) + "）" if unit else ""}'
                      f'</figcaption>{"".join(parts)}<div class="legend">{" ".join(legend)}</div></figure>')
    data = json.dumps(len(charts))
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:1rem}}
main{{display:flex;flex-wrap:wrap;gap:1rem}}figure{{margin:0;border:1px solid #ddd;padding:.5rem}}
figcaption{{font-weight:600}}.tick{{font-size:10px;fill:#555}}.legend{{font-size:12px}}</style></head>
<body><h1>{html.escape(title)}</h1><p>{data} indicators. Each point links to its claim in the report's review page.</p>
<main>{"".join(charts)}</main></body></html>
"""
