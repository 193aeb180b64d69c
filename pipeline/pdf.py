"""PDF reports to the same kind of text the text path reads, with page and box for every line.

PyMuPDF gives lines with positions and fonts. They are put in reading order (one or two columns,
full-width elements such as titles between the bands), grouped into paragraphs by indent, gaps
and line length, and written out as plain text: one paragraph per line, blank lines between, tables
as tab-separated rows. That text is the document's source (``source.txt``); each written line
keeps its page and box, so every block and claim found later carries ``page`` and ``bbox``.
"""

from __future__ import annotations

import hashlib
import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ReportError
from .pdf_tables import Table, find_grids, rulings, tables_on_page

DEFAULT_MAX_PAGES = 2000


@dataclass(frozen=True)
class Box:
    start: int  # raw offsets of the text this box produced
    end: int
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    ocr: float | None = None  # the OCR engine's confidence when the text was read from an image


@dataclass(frozen=True)
class PdfText:
    text: str
    sha256: str
    pages: int
    boxes: tuple[Box, ...]
    metadata: dict = field(default_factory=dict)
    fallback_pages: tuple[int, ...] = ()
    furniture: tuple[tuple[int, int], ...] = ()  # raw spans of running headers, footers, page numbers
    page_info: tuple[dict, ...] = ()  # per page: size, images, which library read its text


@dataclass
class _Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    size: float
    bold: bool = False
    ocr: float | None = None  # OCR confidence of a line read from an image


_CID = re.compile(r"\(cid:\d+\)")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN1_LETTERS = re.compile(r"[\u00c0-\u00ff]")
# Printable ASCII, CJK ideographs and punctuation, full-width forms: assigned and never control
# or private-use, so only the other characters of a page need a category lookup.
_UNCOMMON = re.compile(r"[^\x21-\x7e\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]")


def _quiet(pymupdf) -> None:
    """MuPDF's own messages go to stderr; ours say what matters, once, with the file's name."""
    pymupdf.no_recommend_layout()
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)


def read_pdf_report(path: str | Path, max_bytes: int, max_pages: int = DEFAULT_MAX_PAGES) -> PdfText:
    import pymupdf

    _quiet(pymupdf)

    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise ReportError(str(path), "too_large",
                          f"the file is {size:,} bytes, over the limit of {max_bytes:,}; raise it with --max-bytes.")
    data = path.read_bytes()
    if not data:
        raise ReportError(str(path), "empty_input", "the file is empty.")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ReportError(str(path), "not_pdf", "the file does not start with %PDF: it is not a PDF.")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise ReportError(str(path), "truncated_or_corrupt",
                          f"the PDF cannot be opened ({exc}); it is truncated or damaged.") from exc
    def check_page_count(count: int) -> None:
        if count > max_pages:
            raise ReportError(str(path), "too_many_pages",
                              f"the PDF has {count} pages, over the limit of {max_pages}.")

    with doc:
        pages = []  # (page number, lines, tables, width, height)
        ocr_pages: dict[int, dict] = {}  # page: what OCR read there (engine, lines, confidence)
        sizes: dict[int, tuple[float, float, int]] = {}  # page: width, height, images
        garbled: list[int] = []  # pages with text that neither library reads
        if doc.needs_pass and not doc.authenticate(""):
            # MuPDF refuses some files whose owner password is empty (AES-256, revision 6): no
            # password is needed for those, and pdfminer opens them with the empty one. Anything
            # else is a user password, which is never guessed.
            page_count, plumbed = _pdfplumber_pages(data, None, max_pages)
            if plumbed is None:
                raise ReportError(str(path), "encrypted_needs_password",
                                  "the PDF is encrypted with a user password; decrypt it first (e.g. qpdf "
                                  "--decrypt --password=… in.pdf out.pdf). No password is guessed.")
            check_page_count(page_count)
            meta: dict = {}
            sizes = {pno: (w, h, 0) for pno, (_lines, w, h, _ok) in plumbed.items()}
        else:
            page_count = doc.page_count
            if page_count == 0:
                if not data.rstrip().endswith(b"%%EOF"):
                    raise ReportError(str(path), "truncated_or_corrupt",
                                      "the PDF is cut short (no %%EOF at its end) and no page could be "
                                      "recovered; download it again.")
                raise ReportError(str(path), "repaired_empty",
                                  "the PDF has no pages (it was damaged and repaired into nothing).")
            check_page_count(page_count)
            meta = {k: v for k, v in (doc.metadata or {}).items() if v}
            unreadable = []  # pages PyMuPDF reads as nothing or as garbage: pdfplumber may decode them
            for pno in range(1, page_count + 1):
                page = doc[pno - 1]
                sizes[pno] = (page.rect.width, page.rect.height, len(page.get_images()))
                lines, tables, text = _page_elements(page)
                if _text_ok(text):
                    if sizes[pno][2]:  # OCR hook: large images with no text on them
                        more_lines, more_tables = _ocr_elements(path, page, lines, tables, ocr_pages, pno)
                        lines, tables = lines + more_lines, tables + more_tables
                    pages.append((pno, lines, tables, page.rect.width, page.rect.height))
                else:
                    unreadable.append((pno, bool("".join(text.split()))))
            plumbed = (_pdfplumber_pages(data, [pno for pno, _ in unreadable], max_pages)[1] or {}
                       if unreadable else {})
            # garbled in PyMuPDF and nothing from pdfplumber; a page empty in both is an image
            garbled = [pno for pno, had_text in unreadable if had_text and pno not in plumbed]
            # --- OCR hook: a page with no text in either library is read from its image ---
            for pno, had_text in unreadable:
                if not had_text and pno not in plumbed:
                    page = doc[pno - 1]
                    ocr_lines, ocr_tables = _ocr_elements(path, page, [], [], ocr_pages, pno)
                    if ocr_lines or ocr_tables:
                        pages.append((pno, ocr_lines, ocr_tables, page.rect.width, page.rect.height))
        fallback = []
        for pno, (lines, width, height, ok) in plumbed.items():
            if ok:
                pages.append((pno, lines, [], width, height))
                fallback.append(pno)
            else:
                garbled.append(pno)
        pages.sort(key=lambda p: p[0])
        if garbled or not pages:
            raise ReportError(
                str(path), "mojibake_suspected" if garbled else "no_text_layer",
                (f"the text layer of pages {_pages(sorted(garbled))} is garbled in both PyMuPDF and "
                 "pdfplumber (private-use characters, (cid:N) codes or mojibake); the font has no usable "
                 "Unicode map. Run OCR on those pages, or get a copy with embedded Unicode fonts."
                 if garbled else
                 "no page has a text layer and OCR found no text on the page images (blank pages, or a scan "
                 "too faint or too coarse to read: scan again at 200 dpi or more)."),
                stage="ingest")
        furniture = _furniture(pages)
        body_size = _body_size(ln for _pno, lines, _t, _w, _h in pages for ln in lines if id(ln) not in furniture)
        writer = _Writer(body_size)
        held: list[tuple[int, _Line]] = []
        for pno, lines, tables, width, height in pages:
            body = [ln for ln in lines if id(ln) not in furniture]
            held.extend((pno, ln) for ln in lines if id(ln) in furniture)
            elements = _reading_order(body, tables, width)
            writer.page(pno, elements)
        writer.finish()
        writer.furniture(held)
        text = writer.text()
        if not text.strip():
            raise ReportError(str(path), "repaired_empty", "the PDF has pages but no text at all.")
    return PdfText(text, hashlib.sha256(data).hexdigest(), page_count, tuple(writer.boxes), meta,
                   tuple(fallback), tuple(writer.furniture_spans),
                   _page_info(page_count, sizes, pages, fallback, ocr_pages))


_PAGE_NO = re.compile(r"^(?:[-—－–]\s*)?(?:第\s*)?[0-9]{1,4}(?:\s*页)?(?:\s*[-—－–])?(?:\s*/\s*共?\s*[0-9]{1,4}\s*页?)?$")


def _furniture(pages) -> set[int]:
    """Running headers, footers and page numbers: by position and repetition across pages.

    A line in the top or bottom 8% of its page is furniture when its text (digits ignored) comes
    back on at least two pages in the same band. A page number is the first or last line of its
    page, in the outer 15% (footers often sit well above the bottom margin).
    """
    def key(ln, band):
        return band, re.sub(r"[0-9]+", "#", re.sub(r"\s+", "", ln.text))

    bands: dict[int, tuple] = {}
    counts: dict[tuple, set] = {}
    for pno, lines, _tables, _w, h in pages:
        for ln in lines:
            band = "top" if ln.y1 < 0.08 * h else "bottom" if ln.y0 > 0.92 * h else None
            if band is None:
                continue
            bands[id(ln)] = key(ln, band)
            counts.setdefault(bands[id(ln)], set()).add(pno)
    out = set()
    for pno, lines, tables, _w, h in pages:
        for ln in lines:
            k = bands.get(id(ln))
            if k is not None and len(pages) >= 2 and len(counts[k]) >= 2:
                out.add(id(ln))
        if not lines:
            continue
        top = min(lines, key=lambda ln: ln.y0)
        foot = max(lines, key=lambda ln: ln.y1)
        table_top = min((t.y0 for t in tables), default=h)
        table_foot = max((t.y1 for t in tables), default=0.0)
        for ln, outer in ((top, top.y1 < 0.15 * h and top.y1 <= table_top),
                          (foot, foot.y0 > 0.85 * h and foot.y0 >= table_foot)):
            if outer and _PAGE_NO.match(ln.text.strip()):
                out.add(id(ln))
    return out


def _pages(pages: list[int]) -> str:
    return ", ".join(map(str, pages[:20])) + (" …" if len(pages) > 20 else "")


def _text_ok(text: str) -> bool:
    """A page's text is usable: some text, few (cid:N) codes, private-use or replacement characters."""
    stripped = "".join(text.split())
    if not stripped:
        return False
    # (cid:N) codes, replacement, private-use, unassigned and control characters: a font whose
    # codes do not map to Unicode (a garbled page reads like "3HQČåQt\x03SURVW…").
    bad = len(_CID.findall(text)) * 5 + sum(
        1 for ch in _UNCOMMON.findall(stripped) if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cn", "Cc"))
    if bad > 0.05 * len(stripped):
        return False
    # Mojibake of UTF-8 or GBK read as Latin-1: many accented Latin letters and no Han characters.
    if _HAN.search(stripped):
        return True
    return len(_LATIN1_LETTERS.findall(stripped)) <= 0.3 * len(stripped)


def _page_info(page_count: int, sizes: dict, pages: list, fallback: list[int],
               ocr_pages: dict | None = None) -> tuple[dict, ...]:
    """What each page held, for ``document.json``: size, images, tables, which library read it,
    and what OCR read from its images (``ocr``: engine, lines, mean confidence, whole page or not)."""
    tables_on = {pno: len(tables) for pno, _lines, tables, _w, _h in pages}
    ocr_pages = ocr_pages or {}
    out = []
    for pno in range(1, page_count + 1):
        width, height, images = sizes.get(pno, (0.0, 0.0, 0))
        text_from = ("pdfplumber" if pno in fallback else "pymupdf") if pno in tables_on else ""
        if ocr_pages.get(pno, {}).get("whole_page"):
            text_from = "ocr"
        info = {"page": pno, "width": round(width, 1), "height": round(height, 1), "images": images,
                "text_from": text_from, "tables": tables_on.get(pno, 0)}
        if pno in ocr_pages:
            info["ocr"] = ocr_pages[pno]
        out.append(info)
    return tuple(out)


# An image is read by OCR when it covers at least this share of its page and no text-layer line
# lies on it: a scanned half page, not a logo, a photo beside the text or a figure with live labels.
OCR_IMAGE_MIN_AREA = 0.25
# What OCR reads off a picture on a page that has a text layer is kept only when it is running
# text: this share of its characters in lines of at least OCR_PROSE_LINE characters (a chart's
# axis labels and legends are short lines).
OCR_PROSE_SHARE = 0.5
OCR_PROSE_LINE = 12


def _ocr_elements(path, page, lines: list[_Line], tables: list, ocr_pages: dict,
                  pno: int) -> tuple[list[_Line], list[Table]]:
    """Lines and ruled tables OCR reads on the parts of ``page`` that have no text layer: the whole
    page when it has none (``lines`` empty), else its large images that no text-layer line or
    table lies on. Tables come from the rules drawn in the image, read by the same grid finder
    as vector rules, filled with the recognised lines."""
    import pymupdf

    from . import ocr

    whole = not lines and not tables
    if whole:
        clips = [None]
    else:
        area = page.rect.width * page.rect.height
        clips = []
        for info in page.get_image_info():
            r = pymupdf.Rect(info["bbox"]) & page.rect
            if r.is_empty or r.get_area() < OCR_IMAGE_MIN_AREA * area:
                continue
            if any(r.intersects(pymupdf.Rect(e.x0, e.y0, e.x1, e.y1)) for e in list(lines) + list(tables)):
                continue
            if any(r.intersects(c) for c in clips):
                continue
            try:
                if not ocr.holds_running_text(page, r):
                    continue  # a chart or a photo: its labels are not the report's text
            except ocr.OcrUnavailable:
                continue  # a page with a text layer is read without its pictures
            clips.append(r)
        if not clips:
            return [], []
    try:
        read = [ocr.ocr_page(page, clip=clip) for clip in clips]
    except ocr.OcrUnavailable as exc:
        raise ReportError(str(path), "no_text_layer",
                          f"page {pno} has no text layer and the OCR engine is missing ({exc}).") from exc
    found = [ln for r in read for ln in r.lines]
    if not whole:
        chars = sum(len(ln.text) for ln in found)
        prose = sum(len(ln.text) for ln in found if len(ln.text) >= OCR_PROSE_LINE)
        if not chars or prose < OCR_PROSE_SHARE * chars:
            return [], []
    if not found:
        return [], []
    ocr_pages[pno] = {"engine": ocr.engine_version(), "dpi": ocr.OCR_DPI, "lines": len(found),
                      "confidence": round(sum(ln.confidence for ln in found) / len(found), 4),
                      "whole_page": whole}
    # Type size from the line's height (a recognised line's box is about 1.15 times the type
    # size); lines within a quarter of the page's usual height are set in the usual size, so
    # that the recogniser's jitter of a pixel or two does not split paragraphs.
    heights = sorted(ln.y1 - ln.y0 for ln in found)
    usual = heights[len(heights) // 2]
    out_lines = []
    for ln in found:
        h = ln.y1 - ln.y0
        size = usual / 1.15 if abs(h - usual) <= 0.25 * usual else h / 1.15
        out_lines.append(_Line(ln.x0, ln.y0, ln.x1, ln.y1, ln.text, round(size, 1), ocr=ln.confidence))
    hs = [h for r in read for h in r.hrules]
    vs = [v for r in read for v in r.vrules]
    found_tables: list[Table] = []
    if len(hs) + len(vs) >= 3:
        grids = find_grids(hs, vs)
        if grids:
            words = [(ln.x0, ln.y0, ln.x1, ln.y1, ln.text, 0, 0, 0) for ln in out_lines]
            found_tables = tables_on_page(grids, words, out_lines, _body_size(out_lines), page.rect.height)
    if found_tables:
        out_lines = [ln for ln in out_lines
                     if not any(t.x0 <= (ln.x0 + ln.x1) / 2 <= t.x1 and t.y0 <= (ln.y0 + ln.y1) / 2 <= t.y1
                                for t in found_tables)]
        for t in found_tables:
            _mark_ocr_cells(t, found)
    return out_lines, found_tables


def _mark_ocr_cells(table: Table, found) -> None:
    """A table cell's box read by OCR carries the lowest confidence of the lines in it (as the
    fifth item of its bbox, which the writer passes on to the cell's box)."""
    for row in table.rows:
        for i, (text, bbox) in enumerate(row):
            if not text or bbox is None:
                continue
            x0, y0, x1, y1 = bbox[:4]
            scores = [ln.confidence for ln in found
                      if x0 - 1 <= (ln.x0 + ln.x1) / 2 <= x1 + 1 and y0 - 1 <= (ln.y0 + ln.y1) / 2 <= y1 + 1]
            row[i] = (text, (x0, y0, x1, y1, min(scores) if scores else 1.0))


def _pdfplumber_pages(data: bytes, pnos: list[int] | None, max_pages: int) -> tuple[int, dict | None]:
    """The given pages (1-based; None for all) as pdfplumber reads them: lines with positions
    and sizes, so that paragraphs and page furniture come out as they do from PyMuPDF.

    Returns the page count and {page: (lines, width, height, text passes the check)}, where
    pages without text are left out; the dict is None when pdfplumber cannot open the file
    without a password, and empty (nothing read) when the file has more than ``max_pages`` pages.
    """
    import io

    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data), password="")
    except Exception:
        return 0, None
    out: dict[int, tuple[list[_Line], float, float, bool]] = {}
    with pdf:
        count = len(pdf.pages)
        if count > max_pages:
            return count, {}
        for pno in (range(1, count + 1) if pnos is None else pnos):
            try:
                page = pdf.pages[pno - 1]
                found = page.extract_text_lines()
            except Exception:
                continue
            lines = [_Line(ln["x0"], ln["top"], ln["x1"], ln["bottom"], ln["text"].strip(),
                           max((c.get("size", 10.0) for c in ln["chars"]), default=10.0))
                     for ln in found if ln["text"].strip()]
            if lines:
                ok = _text_ok("".join(ln.text for ln in lines))
                out[pno] = (lines, float(page.width), float(page.height), ok)
    return count, out


def _body_size(lines) -> float:
    """The type size most of the text is set in (weighted by characters, so a few large headings
    or a page of small table type do not decide it)."""
    weight: dict[float, int] = {}
    for ln in lines:
        size = round(ln.size, 1)
        weight[size] = weight.get(size, 0) + len(ln.text)
    return max(weight, key=weight.get) if weight else 10.0


def _page_elements(page) -> tuple[list[_Line], list[Table], str]:
    """The page's lines outside tables, its tables, and all its text as the font decodes it
    (control characters included: the words of tables lose them, and they are the sign of a
    font without a Unicode map)."""
    import pymupdf

    # One text page serves the lines and, on pages with rules, the words of the tables; images
    # are left out of it (decoding them would triple the cost of an illustrated page).
    textpage = page.get_textpage(flags=pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES)
    raw_lines = []
    for block in textpage.extractDICT()["blocks"]:
        if block.get("type") != 0:
            continue
        for line in block["lines"]:
            spans = [s for s in line["spans"] if s["text"].strip()]
            if not spans:
                continue
            text = "".join(s["text"] for s in line["spans"]).strip()
            x0, y0, x1, y1 = line["bbox"]
            size = max(s["size"] for s in spans)
            bold = all(s["flags"] & 16 for s in spans)
            raw_lines.append(_Line(x0, y0, x1, y1, text, size, bold))
    body_size = _body_size(raw_lines)
    tables: list[Table] = []
    hs, vs = rulings(page.get_cdrawings())
    if len(hs) + len(vs) >= 3:
        grids = find_grids(hs, vs)
        if grids:
            tables = tables_on_page(grids, textpage.extractWORDS(), raw_lines, body_size, page.rect.height)
    lines = []
    for ln in raw_lines:
        cx, cy = (ln.x0 + ln.x1) / 2, (ln.y0 + ln.y1) / 2
        if any(t.x0 <= cx <= t.x1 and t.y0 <= cy <= t.y1 for t in tables):
            continue
        lines.append(ln)
    return _merge_rows(lines, body_size), tables, "".join(ln.text for ln in raw_lines)


def _merge_rows(lines: list[_Line], body_size: float = 0.0) -> list[_Line]:
    """Pieces of one visual line ("一、综" and "合", letter-spaced headings) become one line."""
    lines = sorted(lines, key=lambda ln: (round(ln.y1), ln.x0))
    out: list[_Line] = []
    for ln in lines:
        if out:
            prev = out[-1]
            same_row = abs(prev.y1 - ln.y1) < 2.5 and abs(prev.y0 - ln.y0) < 2.5
            gap = ln.x0 - prev.x1
            size = max(ln.size, prev.size)
            # Touching pieces of a line, or short pieces of a letter-spaced heading ("一、综" "合");
            # never two column lines side by side across a gutter.
            # Headings set larger than the body are letter-spaced more widely ("一、综    合").
            reach = 3 if body_size and size >= 1.1 * body_size else 1.5
            if same_row and -1 <= gap and (gap < 0.3 * size or (gap < reach * size and min(len(prev.text), len(ln.text)) <= 4)):
                latin = prev.text[-1:].isascii() and prev.text[-1:].isalnum() and ln.text[:1].isascii() and ln.text[:1].isalpha()
                sep = " " if latin or gap > 0.8 * size else ""
                out[-1] = _Line(prev.x0, min(prev.y0, ln.y0), ln.x1, max(prev.y1, ln.y1),
                                prev.text + sep + ln.text, max(prev.size, ln.size), prev.bold and ln.bold)
                continue
        out.append(ln)
    return out


def _reading_order(lines: list[_Line], tables: list[Table], width: float) -> list:
    """Lines and tables in reading order: bands of one or two columns between full-width items."""
    mid = width / 2
    items = sorted(lines + tables, key=lambda e: (e.y0, e.x0))
    narrow = [e for e in lines if e.x1 - e.x0 < 0.45 * width]
    left = sum(1 for e in narrow if e.x1 <= mid + 5)
    right = sum(1 for e in narrow if e.x0 >= mid - 5)
    two_columns = left >= 3 and right >= 3 and (left + right) >= 0.5 * max(1, len(lines))
    if not two_columns:
        return items
    out: list = []
    band_left: list = []
    band_right: list = []
    for e in items:
        if e.x1 <= mid + 5:
            band_left.append(e)
        elif e.x0 >= mid - 5:
            band_right.append(e)
        else:  # spans both columns: closes the band above it
            out.extend(band_left + band_right)
            band_left, band_right = [], []
            out.append(e)
    out.extend(band_left + band_right)
    return out


class _Writer:
    """Builds the document text and the boxes of every written piece."""

    def __init__(self, body_size: float = 10.0) -> None:
        self.body_size = body_size
        self.parts: list[str] = []
        self.length = 0
        self.boxes: list[Box] = []
        self.page_numbers: list[int] = []
        self.furniture_spans: list[tuple[int, int]] = []
        self._page_start = True
        self.last_table: Table | None = None  # a table that the next table may continue
        self.carry: list[tuple[int, _Line]] = []  # an unfinished paragraph at the foot of a page

    def _emit(self, text: str, page: int = 0, bbox=None, ocr: float | None = None) -> None:
        if bbox is not None and text:
            self.boxes.append(Box(self.length, self.length + len(text), page, *[round(v, 1) for v in bbox], ocr))
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)

    def furniture(self, held: list) -> None:
        """Page furniture goes after the body, one line each, so that it never splits a paragraph."""
        self.furniture_spans = []
        for pno, ln in held:
            if self.length:
                self._emit("\n\n")
            start = self.length
            self._emit(ln.text, pno, (ln.x0, ln.y0, ln.x1, ln.y1), ln.ocr)
            self.furniture_spans.append((start, self.length))

    def page(self, pno: int, elements: list) -> None:
        self.page_numbers.append(pno)
        self._page_start = True
        body_size = self.body_size
        text_lines = [e for e in elements if isinstance(e, _Line)]
        # Line pitch per font size: lines within a paragraph are the closest ones of their size; on
        # a page of short paragraphs the median step would be a paragraph gap, so the lower quartile.
        steps: dict[int, list[float]] = {}
        for a, b in zip(text_lines, text_lines[1:]):
            if abs(a.size - b.size) < 0.5 and 0 < b.y0 - a.y0 < 4 * max(a.size, 1):
                steps.setdefault(round(a.size), []).append(b.y0 - a.y0)
        pitch_of = {k: (statistics.quantiles(v, n=4)[0] if len(v) >= 4 else min(v)) for k, v in steps.items()}
        body_lines = [e for e in text_lines if abs(e.size - body_size) < 0.5]
        left = min((e.x0 for e in body_lines), default=0.0)
        right = max((e.x1 for e in body_lines), default=0.0)
        para: list[tuple[int, _Line]] = []
        continued = False
        if self.carry:
            first = next((e for e in elements), None)
            if (isinstance(first, _Line) and abs(first.size - self.carry[-1][1].size) < 0.5
                    and first.x0 - left < 1.2 * first.size):
                para = self.carry  # the paragraph the previous page ended in the middle of
                continued = True
            else:
                self._paragraph(self.carry)
            self.carry = []
        for e in elements:
            if isinstance(e, Table):
                self._paragraph(para)
                para = []
                last = self.last_table
                continues = last is not None and len(last.rows[0]) == len(e.rows[0])
                self._table(e, pno, continues, last)
                self.last_table = last if continues else e
                continue
            pitch = pitch_of.get(round(e.size), 1.4 * e.size)
            if continued:
                continued = False  # the first line overleaf goes on with the carried paragraph
            elif para and _new_paragraph(para[-1][1], e, body_size, pitch, max(x.x1 for _, x in para)):
                self._paragraph(para)
                para = []
            para.append((pno, e))
        last_line = para[-1][1] if para else None
        if (last_line is not None and abs(last_line.size - body_size) < 0.5 and last_line.x1 >= right - 1.5 * last_line.size
                and last_line.text[-1:] not in "。！？!?：:；;”"):
            self.carry = para  # a full last line without a full stop: the paragraph goes on overleaf
        else:
            self._paragraph(para)

    def finish(self) -> None:
        self._paragraph(self.carry)
        self.carry = []

    def _paragraph(self, lines: list[tuple[int, _Line]]) -> None:
        """One paragraph (its lines with their pages), after one blank line, as the text path
        writes them."""
        if not lines:
            return
        self.last_table = None  # text between two tables: the second one is a table of its own
        if self.length:
            self._emit("\n\n")
        for i, (pno, ln) in enumerate(lines):
            if i:
                prev = lines[i - 1][1].text
                if prev[-1:].isascii() and prev[-1:].isalpha() and ln.text[:1].isascii() and ln.text[:1].isalpha():
                    self._emit(" ")
            self._emit(ln.text, pno, (ln.x0, ln.y0, ln.x1, ln.y1), ln.ocr)

    def _table(self, t: Table, pno: int, continues: bool, previous: Table | None) -> None:
        rows = t.rows
        if continues and previous is not None and [c[0] for c in rows[0]] == [c[0] for c in previous.rows[0]]:
            rows = rows[1:]  # the header repeated on the next page
        if continues:
            self._emit("\n")
        elif self.length:
            self._emit("\n\n")
        for r, row in enumerate(rows):
            if r:
                self._emit("\n")
            for c, (text, bbox) in enumerate(row):
                if c:
                    self._emit("\t")
                self._emit(text, pno, bbox[:4] if bbox else bbox, bbox[4] if bbox and len(bbox) > 4 else None)
        if continues and previous is not None:
            previous.rows.extend(rows)


def _new_paragraph(prev: _Line, ln: _Line, body_size: float, pitch: float, right: float) -> bool:
    size = max(prev.size, ln.size, 1)
    if abs(prev.size - ln.size) > 0.8 or prev.bold != ln.bold:
        return True
    step = ln.y0 - prev.y0
    if step > 1.35 * max(pitch, size) or step < -size:  # a larger gap, or a jump back up (next column)
        return True
    if ln.x0 - prev.x0 > 1.5 * size:  # first-line indent of a new paragraph
        return True
    if prev.x1 - prev.x0 < 0.45 * (right - prev.x0) and ln.x1 - ln.x0 < 0.45 * (right - ln.x0):
        return True  # two short lines (a title page, an address block): separate lines
    right = max(right, ln.x1)
    if prev.x1 < right - 2 * size and (prev.text[-1:] in "。！？!?：:；;”）)" or right - prev.x1 > 0.5 * (right - prev.x0)):
        # the previous line stopped short after a full stop, or at less than half the width:
        # its paragraph ended (a line wrapped early at a space stops only a little short)
        return True
    if prev.size > body_size * 1.15:
        return True
    return False


def locate(boxes: tuple[Box, ...], starts: list[int], raw_start: int, raw_end: int):
    """(page, "x0,y0,x1,y1") of a raw span, from the boxes of the lines it covers."""
    import bisect

    i = max(bisect.bisect_right(starts, raw_start) - 1, 0)
    hits = []
    while i < len(boxes) and boxes[i].start < raw_end:
        b = boxes[i]
        if b.end > raw_start:
            hits.append(b)
        i += 1
    if not hits:
        return None, ""
    page = hits[0].page
    same = [b for b in hits if b.page == page]
    if len(same) == 1:
        b = same[0]
        n = max(b.end - b.start, 1)
        a = max(raw_start - b.start, 0) / n
        z = min(raw_end - b.start, n) / n
        x0 = b.x0 + (b.x1 - b.x0) * a
        x1 = b.x0 + (b.x1 - b.x0) * z
        return page, f"{x0:.1f},{b.y0:.1f},{x1:.1f},{b.y1:.1f}"
    x0 = min(b.x0 for b in same)
    y0 = min(b.y0 for b in same)
    x1 = max(b.x1 for b in same)
    y1 = max(b.y1 for b in same)
    return page, f"{x0:.1f},{y0:.1f},{x1:.1f},{y1:.1f}"
