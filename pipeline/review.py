"""A review page per extraction and per diff: one self-contained HTML file, no server, no CDN.

People check an extraction by reading the report with its claims marked, not by reading CSV.
The page is built from the extraction folder alone (its tables, ``document.json`` and
``source.txt``), so it shows exactly what downstream users get. Claims are ``<mark>`` elements that
take keyboard focus; the details panel, the filters and the outline are plain HTML with a little
inline script, readable at 200% zoom and usable without a mouse.
"""

from __future__ import annotations

import base64
import html
import json
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path

from .ocr import REVIEW_CONFIDENCE

KINDS = ("count", "money", "percent", "multiple", "duration", "length", "other")
COLOURS = {"count": "#cfe8ff", "money": "#d8f5d0", "percent": "#ffe3b3", "multiple": "#f3d1ff",
           "duration": "#ffd6d6", "length": "#d6fff6", "other": "#e6e6e6"}
QUALIFIER_MARK = {"at_least": "≥", "at_most": "≤", "approx": "≈", "exact": ""}
CHANGE_MARK = {"increase": "↑", "decrease": "↓", "": ""}
HEADING_KINDS = {"part_title": "h2", "section_title": "h3", "section_heading": "h3", "subsection_heading": "h4",
                 "case_title": "h4"}


def _csv(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    from .store import read_csv_rows  # the CSV copy's escaped cells back to their exact text

    return read_csv_rows(path)


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def _asset(name: str) -> str:
    """A page asset shipped in the package (pipeline/assets), inlined so the page is one file."""
    return (resources.files("pipeline") / "assets" / name).read_text(encoding="utf-8")


CSS = "\n" + _asset("review.css") + "".join(f"mark.claim.kind-{k} {{ background: {c}; }}\n" for k, c in COLOURS.items())
SCRIPT = "\n" + _asset("review.js")
DIFF_CSS = _asset("diff.css")



def build_review(folder: str | Path) -> Path:
    """Write ``review.html`` into an extraction folder and return its path."""
    folder = Path(folder)
    doc = json.loads((folder / "document.json").read_text(encoding="utf-8"))
    source = (folder / "source.txt").read_text(encoding="utf-8")
    sections = _csv(folder, "sections")
    cases = _csv(folder, "cases")
    blocks = _csv(folder, "blocks")
    claims = _csv(folder, "claims")
    quarantine = _csv(folder, "quarantine")
    cells = _csv(folder, "tables")
    checks = _csv(folder, "checks")
    title_of = {s["section_id"]: s["title"] or s["number"] for s in sections}

    claims_by_block = defaultdict(list)
    for c in claims:
        claims_by_block[c["block_id"]].append(c)
    per_section = Counter(c["section_id"] for c in claims)
    per_case = Counter(c["case_id"] for c in claims if c["case_id"])

    body = ['<span id="title-page"></span>']
    is_pdf = doc.get("encoding") == "pdf"
    pages = _page_images(doc, claims) if is_pdf else {}
    current_page = None
    open_case = None
    anchored: set[str] = set()  # each section's anchor on its first heading line only
    for b in blocks:
        if is_pdf and b.get("page") and b["page"] != current_page and b["kind"] != "furniture":
            if current_page is not None:
                body.append("</div></div>")
            current_page = b["page"]
            body.append(f'<div class="page" id="page-{_e(current_page)}"><figure>{pages.get(current_page, "")}'
                        f'<figcaption>page {_e(current_page)}</figcaption></figure><div class="text">')
        if b["case_id"] != open_case:
            if open_case:
                body.append("</div>")
            open_case = b["case_id"] or None
            if open_case:
                body.append(f'<div class="case" id="{_e(open_case)}" role="note">')
        body.append(_block_html(b, source, claims_by_block.get(b["block_id"], []), title_of, cells, anchored))
    if open_case:
        body.append("</div>")
    if current_page is not None:
        body.append("</div></div>")

    outline = _outline(sections, cases, per_section, per_case)
    chart = _chart(sections, claims)
    section_options = "".join(f'<option value="{_e(s["section_id"])}">{_e(s["title"] or s["number"])}</option>'
                              for s in sections)
    kind_boxes = "".join(
        f'<label><input type="checkbox" name="kind" value="{k}" checked> '
        f'<span style="background:{COLOURS[k]}">{k}</span> ({sum(1 for c in claims if c["kind"] == k)})</label><br>'
        for k in KINDS)
    fired, checks_html = _checks_html(checks, {c["claim_id"] for c in claims})
    q_rows = "".join(f"<tr><td>{_e(q['table'])}</td><td>{_e(q['row_id'])}</td><td>{_e(q['rule'])}</td>"
                     f"<td>{_e(q['reason'])}</td></tr>" for q in quarantine)
    page = f"""<!DOCTYPE html>
<html lang="zh-Hans">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(doc.get('title') or doc.get('report_id'))} · reportpipe review</title>
<style>{CSS}</style></head>
<body>
<header><h1>{_e(doc.get('title') or doc.get('report_id'))}</h1>
<p>{_e(doc.get('subtitle'))} {_e(doc.get('organisation'))} {_e(doc.get('date'))}</p>
<p>{len(claims)} claims · {len(sections)} sections · {len(cases)} case boxes · {len(quarantine)} quarantined ·
<a href="#checks">{fired} of {len(checks)} checks fired</a> ·
source sha256 {_e(doc.get('source_sha256', '')[:12])} · pipeline {_e(doc.get('pipeline_version'))}</p></header>
<div class="layout">
<nav id="outline" aria-label="Outline"><h2>Outline</h2>
<ul><li><a href="#title-page">Title page</a></li>{outline}</ul>
<h2>Claims per section</h2>{chart}</nav>
<main id="report" aria-label="Report text">
{''.join(body)}
{checks_html}
<section id="quarantine" class="quarantine" aria-label="Quarantined rows"><h2>Quarantined rows</h2>
<table><thead><tr><th>table</th><th>row</th><th>rule</th><th>reason</th></tr></thead><tbody>{q_rows}</tbody></table>
</section>
</main>
<aside id="panel" aria-label="Claim details">
<form id="filters"><fieldset><legend>Kinds</legend>{kind_boxes}</fieldset>
<fieldset><legend>Section</legend><label for="section-filter">Show</label>
<select id="section-filter"><option value="">all sections</option>{section_options}</select></fieldset>
<fieldset><legend>Other</legend><label><input type="checkbox" id="no-period"> only claims without a period</label><br>
<label><input type="checkbox" id="show-quarantine" checked> show quarantined rows</label></fieldset></form>
<p><span id="visible-count">{len(claims)}</span> claims shown. Tab or j/k moves between claims.</p>
<h2>Claim</h2><div id="details" aria-live="polite"><p>Click or focus a highlighted number.</p></div>
</aside></div>
<script>{SCRIPT}</script>
</body></html>
"""
    out = folder / "review.html"
    tmp = out.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out


def _checks_html(checks: list[dict], shown: set[str]) -> tuple[int, str]:
    """The consistency checks that fired (``flag`` or ``soft``), each linked to the claims it compares.

    A check flags, never fixes: the reviewer follows the links to the figures in the text and decides
    whether the report itself disagrees with itself or the extraction misread it. Checks that passed
    are only counted, so the list stays short enough to read.
    """
    fired = [c for c in checks if c["status"] != "ok"]

    def link(cid: str) -> str:
        # a claim quarantined or otherwise absent from the text has no mark to jump to
        return f'<a href="#{_e(cid)}">{_e(cid)}</a>' if cid in shown else f"{_e(cid)} (not in the text)"

    rows = "".join(
        f'<tr class="check {_e(c["status"])}" id="{_e(c["check_id"])}"><td>{_e(c["check"])}</td>'
        f'<td>{_e(c["status"])}</td><td>{_e(c["stated"])}</td><td>{_e(c["expected"])}</td>'
        f'<td>{_e(c["tolerance"])}</td><td>{_e(c["detail"])}</td>'
        f'<td>{", ".join(link(i) for i in c["claim_ids"].split(";") if i)}</td></tr>'
        for c in fired)
    passed = len(checks) - len(fired)
    return len(fired), (
        '<section id="checks" class="checks" aria-label="Consistency checks"><h2>Consistency checks</h2>'
        f"<p>{len(fired)} fired, {passed} passed. A check compares figures of the report with each other "
        "and never changes a value.</p>"
        "<table><thead><tr><th>check</th><th>status</th><th>stated</th><th>expected</th><th>tolerance</th>"
        f"<th>detail</th><th>claims</th></tr></thead><tbody>{rows}</tbody></table></section>")


def _block_html(b: dict, source: str, claims: list[dict], title_of: dict, cells: list[dict],
                anchored: set[str]) -> str:
    start, end = int(b["raw_start"]), int(b["raw_end"])
    kind = b["kind"]
    anchor = ""
    if (kind in HEADING_KINDS or kind in ("part_number", "section_number")) and b["section_id"] and \
            b["section_id"] not in anchored:
        anchored.add(b["section_id"])
        anchor = f' id="{_e(b["section_id"])}"'

    if kind == "table":
        return _table_html(b, source, claims, title_of, cells)
    text = _marked(source, start, end, claims, title_of)
    if kind in HEADING_KINDS:
        tag = HEADING_KINDS[kind]
        return f"<{tag}{anchor} class=\"block\">{text}</{tag}>"
    cls = {"furniture": "furniture", "figure_caption": "caption", "case_marker": "case-marker"}.get(kind, "")
    return f'<p{anchor} class="block {cls}" data-kind="{_e(kind)}">{text}</p>'


def _table_html(b: dict, source: str, claims: list[dict], title_of: dict, cells: list[dict]) -> str:
    mine = [c for c in cells if c["table_id"] == b["block_id"]]
    rows = defaultdict(list)
    for c in mine:
        rows[int(c["row"])].append(c)
    out = ['<table class="report-table">']
    for r in sorted(rows):
        tag = "th" if r == 0 else "td"
        tds = []
        for c in sorted(rows[r], key=lambda c: int(c["col"])):
            a, z = int(c["raw_start"]), int(c["raw_end"])
            inside = [cl for cl in claims if a <= int(cl["raw_start"]) < max(z, a + 1)]
            tds.append(f"<{tag}>{_marked(source, a, z, inside, title_of)}</{tag}>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _marked(source: str, start: int, end: int, claims: list[dict], title_of: dict) -> str:
    parts = []
    pos = start
    for c in sorted(claims, key=lambda c: int(c["raw_start"])):
        a, z = int(c["raw_start"]), int(c["raw_end"])
        if a < pos or z > end:
            continue
        parts.append(_e(source[pos:a]))
        data = {k: c.get(k, "") for k in ("value", "value_max", "unit", "kind", "qualifier", "change", "basis",
                                          "period", "period_role", "subject", "claim_id", "locator",
                                          "ocr_confidence")}
        data["section"] = title_of.get(c.get("section_id", ""), "")
        data["context"] = source[max(0, a - 40):min(len(source), z + 40)].replace("\n", " ")
        sup = QUALIFIER_MARK.get(c["qualifier"], "") + CHANGE_MARK.get(c["change"], "")
        label = f'{c["value"]} {c["unit"]} ({c["kind"]})'
        # a claim OCR read with low confidence: flagged for a look at the page image
        low = c.get("ocr_confidence") not in (None, "") and float(c["ocr_confidence"]) < REVIEW_CONFIDENCE
        if low:
            label += f", OCR confidence {float(c['ocr_confidence']):.2f}"
        parts.append(
            f'<mark class="claim kind-{_e(c["kind"])}{" low-ocr" if low else ""}" tabindex="0" role="button" aria-label="{_e(label)}" '
            f'id="{_e(c["claim_id"])}" data-section="{_e(c.get("section_id", ""))}" '
            f"data-claim='{_e(json.dumps(data, ensure_ascii=False))}'>{_e(source[a:z])}"
            + (f"<sup>{_e(sup)}</sup>" if sup else "") + "</mark>")
        pos = z
    parts.append(_e(source[pos:end]))
    return "".join(parts).replace("\n", "<br>")


def _outline(sections: list[dict], cases: list[dict], per_section: Counter, per_case: Counter) -> str:
    children = defaultdict(list)
    for s in sections:
        children[s["parent_id"] or ""].append(s)
    cases_of = defaultdict(list)
    for c in cases:
        cases_of[c["section_id"] or ""].append(c)

    def total(sid: str) -> int:
        return per_section.get(sid, 0) + sum(total(ch["section_id"]) for ch in children.get(sid, []))

    def render(parent: str) -> str:
        items = []
        for c in cases_of.get(parent, []):
            items.append(f'<li>★ <a href="#{_e(c["case_id"])}">{_e(c["title"] or "案例")}</a> '
                         f'({per_case.get(c["case_id"], 0)})</li>')
        for s in children.get(parent, []):
            label = " ".join(x for x in (s["number"], s["title"]) if x)
            items.append(f'<li><a href="#{_e(s["section_id"])}">{_e(label)}</a> ({total(s["section_id"])})'
                         f'<ul>{render(s["section_id"])}</ul></li>')
        return "".join(items)

    return render("")


def _chart(sections: list[dict], claims: list[dict]) -> str:
    """Claims per top-level section and kind, as inline SVG stacked bars."""
    parent = {s["section_id"]: s["parent_id"] for s in sections}
    title = {s["section_id"]: (s["number"] + " " + s["title"]).strip() for s in sections}

    def top(sid: str) -> str:
        while sid and parent.get(sid):
            sid = parent[sid]
        return sid

    counts: dict[str, Counter] = defaultdict(Counter)
    for c in claims:
        counts[top(c["section_id"])][c["kind"]] += 1
    rows = sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))[:20]
    if not rows:
        return ""
    most = max(sum(c.values()) for _, c in rows)
    bar_h, width = 16, 160
    svg = [f'<svg role="img" aria-label="Claims per section and kind" width="{width + 110}" '
           f'height="{len(rows) * (bar_h + 6)}" xmlns="http://www.w3.org/2000/svg">']
    for i, (sid, c) in enumerate(rows):
        y = i * (bar_h + 6)
        x = 0.0
        for k in KINDS:
            w = width * c.get(k, 0) / most
            if w:
                svg.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS[k]}" '
                           f'stroke="#888" stroke-width=".5"><title>{_e(k)}: {c[k]}</title></rect>')
                x += w
        name = title.get(sid, "") or "(before any section)"
        svg.append(f'<text x="{x + 4:.1f}" y="{y + bar_h - 4}" font-size="11">{sum(c.values())} '
                   f'{_e(name[:10])}</text>')
    svg.append("</svg>")
    return "".join(svg)


def _page_images(doc: dict, claims: list[dict], zoom: float = 0.8) -> dict[str, str]:
    """Each PDF page as a PNG (PyMuPDF, modest resolution) with its claims' boxes drawn on it."""
    path = Path(doc.get("source_path", ""))
    if not path.exists():
        return {}
    import pymupdf

    boxes = defaultdict(list)
    for c in claims:
        if c.get("page") and c.get("bbox"):
            boxes[c["page"]].append((c["bbox"], c["kind"], c["claim_id"]))
    out = {}
    with pymupdf.open(path) as pdf:
        for i, page in enumerate(pdf, 1):
            pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom))
            png = base64.b64encode(pix.tobytes("png")).decode()
            w, h = page.rect.width, page.rect.height
            rects = "".join(
                f'<rect x="{x0}" y="{y0}" width="{max(float(x1) - float(x0), 1):.1f}" '
                f'height="{max(float(y1) - float(y0), 1):.1f}" fill="none" stroke="#d00" stroke-width="1">'
                f'<title>{_e(cid)}</title></rect>'
                for bbox, kind, cid in boxes.get(str(i), []) for x0, y0, x1, y1 in [bbox.split(",")]
            )
            # The boxes' layer covers the image alone (not its caption), so points scale to pixels.
            out[str(i)] = (f'<div class="sheet"><img alt="page {i}" width="{pix.width}" height="{pix.height}" '
                           f'src="data:image/png;base64,{png}">'
                           f'<svg class="boxes" viewBox="0 0 {w:.1f} {h:.1f}" preserveAspectRatio="none" '
                           f'aria-hidden="true">{rects}</svg></div>')
    return out


def build_diff_page(rows, old: str, new: str, path: str | Path) -> Path:
    """The diff as a page: changed claims side by side, added and removed ones by section."""
    changed = [r for r in rows if r.status == "changed"]
    grouped = defaultdict(list)
    for r in rows:
        if r.status != "changed":
            grouped[(r.where or "(no section)")].append(r)
    trs = "".join(
        f'<tr class="changed" data-kind="{_e(r.kind)}"><td>{_e(r.kind)}</td><td>{_e(r.where)}</td><td>{_e(r.subject)}</td>'
        f'<td>{_e(r.field)}</td><td class="old">{_e(r.old)}</td><td class="new">{_e(r.new)}</td>'
        f'<td>{_e(r.percent)}</td><td class="sentences"><del>{_e(r.old_sentence)}</del><br><ins>{_e(r.new_sentence)}</ins>'
        f'</td></tr>' for r in changed)
    groups = "".join(
        f"<section><h3>{_e(where)}</h3><ul>" + "".join(
            f'<li class="{_e(r.status)}" data-kind="{_e(r.kind)}"><strong>{_e(r.status)}</strong> {_e(r.kind)}: '
            f'{_e(r.subject)} — {_e(r.old or r.new)}'
            + (f'<br><small>{_e(r.old_sentence or r.new_sentence)}</small>' if (r.old_sentence or r.new_sentence) else "")
            + '</li>' for r in items) + "</ul></section>"
        for where, items in grouped.items())
    page = f"""<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>reportpipe diff</title>
<style>{DIFF_CSS}</style>
</head><body><h1>What changed</h1><p>{_e(old)} → {_e(new)}: {len(rows)} change(s)</p>
<h2>Changed</h2><table><thead><tr><th>kind</th><th>section</th><th>subject</th><th>field</th><th>old</th><th>new</th>
<th>change</th><th>sentence (old, new)</th></tr></thead><tbody>{trs}</tbody></table>
<h2>Added and removed</h2>{groups}</body></html>
"""
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
