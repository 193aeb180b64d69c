"""PDF reports to the same kind of text the text path reads, with page and box for every character.

PyMuPDF gives lines with positions and fonts, and every character's own box. Per page, the
reader finds the ruled tables (``pdf_tables``), the charts drawn as vectors (their ticks and
legends are figure text, kept out of the paragraphs like running heads and page numbers), and the
gutters: blank strips that divide the lines into columns (a sidebar beside the body, two or three
text columns). Lines go in reading order (each column top to bottom, in bands between the items
that cross the columns), are grouped into paragraphs by type size, indent, gaps and where lines
stop, and are written out as plain text: one paragraph per line, blank lines between, tables as
tab-separated rows. That text is the document's source (``source.txt``); each written piece keeps
its page and the box of each of its characters, so every block, cell and claim found later
carries ``page`` and the ``bbox`` of exactly its characters, and the paragraphs set larger or
bolder than the running text are marked (where a PDF's unnumbered headings can be).
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import hashlib
import re
import statistics
import unicodedata
from array import array
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path

from .anchors import read_within_limit
from .errors import ReportError
from .lexicon import unit_statement_start
from .model import BBox
from .pdf_tables import (
    Table,
    closed_by_rules,
    find_grids,
    open_grids,
    rulings,
    tables_on_page,
    white_cell_rules,
    white_grids,
    words_of,
)

DEFAULT_MAX_PAGES = 2000


@dataclass(frozen=True)
class Layout:
    """The reader's layout thresholds, each with the reason it has the value it has.

    Sizes are multiples of the type size of the lines compared ("× size"), so that the rules hold
    for 9-point notes and 16-point bulletins alike; absolute values are in points.
    """

    # Pieces of one visual line: PyMuPDF splits a line at font changes and at wide letter spacing.
    same_row: float = 2.5  # points: tops and bottoms this close are one row (baseline jitter)
    touching_gap: float = 0.3  # × size: a gap this small is inside a word, never a gutter
    spaced_reach: float = 1.5  # × size: a letter-spaced heading's pieces ("一、综" "合") lie this close
    spaced_reach_large: float = 3.0  # × size: headings set larger are letter-spaced more widely
    spaced_piece: int = 4  # characters: letter-spaced pieces are this short (a column line is longer)
    word_space: float = 0.8  # × size: a gap this wide between joined pieces is written as a space
    # Type sizes.
    same_size: float = 0.5  # points: sizes this close are one size (rounding of scaled fonts)
    new_size: float = 0.8  # points: a change of size this large starts a new paragraph
    larger: float = 1.1  # × body size: type this much larger than the body is display type
    display_step: float = 0.07  # × running size (and at least same_size): type one size up is
    #   display type; the smallest step between standard Chinese sizes is about this (四号 14 pt,
    #   小三 15, 三号 16), while a 10.5 pt line among 10 pt text is the same type
    heading_size: float = 1.15  # × body size: a line this much larger ends its paragraph (a heading)
    # Paragraphs.
    step_reach: float = 4.0  # × size: steps between lines further apart are not a line pitch
    default_pitch: float = 1.4  # × size: the pitch of a size with a single line on the page
    paragraph_gap: float = 1.35  # × pitch: a step this much larger than the pitch is a paragraph gap
    indent: float = 1.5  # × size: a first-line indent (two CJK characters are 2 × size)
    short_line: float = 0.45  # × width: two lines shorter than this are separate lines (title page)
    early_stop: float = 2.0  # × size: a line ending this short of the right edge may end a paragraph
    cjk_wrap: float = 3.0  # × size: a Chinese line wraps at any character, so it stops at most a
    #   character or two short (line-start rules push one back); shorter, its paragraph ended
    half_line: float = 0.5  # × width: a line stopping at less than this ended its paragraph
    measure_lines: int = 6  # lines of running text: fewer on a page show no full line to measure by
    carry_margin: float = 1.5  # × size: a page's last line reaching this close to the edge is full
    carry_indent: float = 1.2  # × size: a page's first line indented less continues the paragraph
    column_foot: float = 1.5  # × body size: a table ending this close to the text's foot runs on
    #   at the top of the next column (one ending higher up has a neighbour beside it)
    # Columns.
    gutter_width: float = 1.5  # × size: a blank strip this wide between text is a gutter (a word
    #   space is a third of the size, a letter-spaced heading's gaps stay below 3 × size but are
    #   not aligned down the page the way a gutter is)
    gutter_crossing: float = 0.1  # × lines: at most this share of the lines runs through a gutter
    gutter_crossers: int = 2  # lines: or this many, on a page of few lines (a header, a title)
    column_part: float = 0.3  # × column width: an item reaching this far into a second column
    #   crosses the columns (a title); less is a line overrunning its gutter
    column_lines: int = 3  # lines: each column has at least this many lines of its own
    split_gap: float = 2.0  # points: a line read across a gutter is split at a blank this wide
    column_share: float = 0.5  # × lines: the lines beside a gutter are at least this share
    sidebar: float = 0.5  # × the widest column: a column narrower than this beside it is a sidebar
    #   (a research note's market data, analyst names, related reports), whose short lines are
    #   labels; a report's own text columns are about as wide as one another
    # Furniture: running headers and footers, page numbers.
    furniture_band: float = 0.08  # × page height: running headers and footers sit in this band
    page_number_band: float = 0.15  # × page height: page numbers sit here (often above the margin)
    side_number_gap: float = 5.0  # points: a page number in the side margin stands this clear of the text
    repeats: int = 2  # pages: a band line coming back on this many pages is a running head
    # Figures: axis ticks, legend labels and data labels of a chart drawn on the page.
    figure_margin: float = 12.0  # points: tick labels sit this far outside the plot's frame
    figure_label: int = 12  # characters: tick and legend labels are no longer than this
    figure_join: float = 16.0  # points: the marks of one chart lie this close (bars are spaced by
    #   about their own width, 5 to 20 points)
    figure_size: float = 40.0  # points: a chart is at least this wide and high (a bullet is not)
    figure_marks: int = 3  # shapes: a chart without curves has several marks (a banner has one)
    series_points: int = 12  # segments: a path this long is a plotted series (a rule has one)
    frame_area: float = 4.0  # × the marks' area: a chart's frame is at most this large (a page
    #   panel or a sidebar's background is larger)
    hue: float = 0.15  # colour channels this far apart are a hue, not a grey
    pale: float = 0.85  # a fill whose darkest channel is above this is a pale panel background
    # A page's text layer that no library decodes.
    bad_share: float = 0.05  # × characters: more (cid:N), private-use or control characters: garbled
    cid_weight: int = 5  # a "(cid:N)" code is one character written as about five
    latin1_share: float = 0.3  # × characters: more accented Latin letters and no Han: mojibake
    fallback_size: float = 10.0  # points: the size of a pdfplumber character that reports none
    running_line: int = 15  # characters: a line this long is running text (labels are shorter)
    hidden_share: float = 0.1  # × visible characters: up to this much invisible text is hidden on
    #   purpose and left out; more is a scan's OCR layer and is read


LAYOUT = Layout()


@dataclass(frozen=True)
class Placed:
    """Where one written piece of the text lies on its page: a line of a paragraph, a table cell,
    a furniture line. ``chars`` holds four numbers (x0, y0, x1, y1) per character of the raw text
    ``[start, end)``; a character the reader added (the space between two Latin words joined
    from two lines) repeats its neighbour's box, so a union over any span is the union of real
    characters only."""

    start: int
    end: int
    page: int  # 1-based
    chars: array
    whole: BBox  # the union of all its characters (what blocks and cells take, line by line)

    @classmethod
    def of(cls, start: int, end: int, page: int, chars: array) -> "Placed":
        whole = BBox(min(chars[0::4]), min(chars[1::4]), max(chars[2::4]), max(chars[3::4]))
        return cls(start, end, page, chars, whole)

    def box(self, start: int, end: int) -> BBox:
        """The union box of raw ``[start, end)`` within this piece."""
        if start <= self.start and end >= self.end:
            return self.whole
        a = (max(start, self.start) - self.start) * 4
        b = (min(end, self.end) - self.start) * 4
        ch = self.chars
        return BBox(min(ch[a:b:4]), min(ch[a + 1:b:4]), max(ch[a + 2:b:4]), max(ch[a + 3:b:4]))


@dataclass(frozen=True)
class PdfText:
    text: str
    sha256: str
    pages: int
    boxes: tuple[Placed, ...]
    metadata: dict = field(default_factory=dict)
    furniture: tuple[tuple[int, int], ...] = ()  # raw spans of running heads, page numbers, figure text
    display: tuple[tuple[int, int], ...] = ()  # raw spans of paragraphs set larger or bolder than the
    #   running text: where a PDF's unnumbered headings can be
    page_info: tuple[dict, ...] = ()  # per page: size, images, which library read its text
    ocr_lines: tuple[tuple, ...] = ()  # (page, x0, y0, x1, y1, confidence) of every line OCR read


@dataclass
class _Line:
    """One visual line: its text, the box of each character (four numbers per character, as in
    ``Placed``), the line's box as the library found it (what the layout rules compare), its type
    size and weight."""

    text: str
    chars: array
    bbox: BBox
    size: float
    bold: bool = False
    face: str = ""  # the typeface of its ideographs when one face sets them all ("" if mixed or none)
    lead: str = ""  # the typeface of its first ideographs (a run-in lead's, where faces are mixed)
    edge: float = 0.0  # the right edge of the line's column, once the page's columns are known
    side: bool = False  # in a sidebar: a column much narrower than the page's widest
    gaps: list | None = None  # its blank stretches (``_gaps``), once asked for


@dataclass
class _Page:
    """What was read from one page: its lines outside tables, its tables, size, which library."""

    number: int  # 1-based
    width: float
    height: float
    images: int = 0
    lines: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    figures: list = field(default_factory=list)  # the page's vector charts (Figure)
    text_from: str = ""  # "pymupdf", "pdfplumber", "ocr", or "" for a page without a text layer
    ocr: dict | None = None  # what OCR read from the page's images (engine, lines, confidence)
    ocr_lines: list = field(default_factory=list)  # (x0, y0, x1, y1, confidence) per OCR'd line
    garbled: bool = False  # a text layer neither library decodes (no Unicode map): read by OCR


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
    """The report's text with the page and boxes of every written piece; a ReportError that names
    the file and the fault for a file that is not a readable PDF."""
    import pymupdf

    _quiet(pymupdf)
    path = Path(path)
    data = _checked_bytes(path, max_bytes)
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise ReportError(str(path), "truncated_or_corrupt",
                          f"the PDF cannot be opened ({exc}); it is truncated or damaged.") from exc
    with doc, _page_pool(path, data) as pool:
        readable = not doc.needs_pass or doc.authenticate("")
        if not readable:
            pages, meta = _read_without_password(path, data, max_pages), {}
        else:
            pages, meta = _read_with_pymupdf(path, doc, data, max_pages, pool), {
                k: v for k, v in (doc.metadata or {}).items() if v}
            for page in pages:  # OCR hook: pages with no usable text layer in either library
                if not page.text_from:
                    _ocr_into(path, doc[page.number - 1], page, pool)
    garbled = [p.number for p in pages if p.garbled and not p.text_from]
    if garbled:
        raise ReportError(
            str(path), "mojibake_suspected",
            f"the text layer of pages {_pages(garbled)} is garbled in both PyMuPDF and pdfplumber "
            "(private-use characters, (cid:N) codes or mojibake: the font has no usable Unicode map) "
            "and OCR read no text on their images; get a copy with embedded Unicode fonts.",
            stage="ingest")
    read = [p for p in pages if p.text_from]
    if not read:
        raise ReportError(str(path), "no_text_layer", "no page has a text layer and OCR found no text on "
                          "the page images (blank pages, or a scan too faint or too coarse to read: scan "
                          "again at 200 dpi or more).", stage="ingest")
    writer = _write(read)
    text = writer.text()
    if not text.strip():
        raise ReportError(str(path), "repaired_empty", "the PDF has pages but no text at all.")
    ocr_lines = tuple((p.number, *ln) for p in pages for ln in p.ocr_lines)
    return PdfText(text, hashlib.sha256(data).hexdigest(), len(pages), tuple(writer.boxes), meta,
                   tuple(writer.furniture_spans), tuple(writer.display_spans), _page_info(pages), ocr_lines)


@contextlib.contextmanager
def _page_pool(path: Path, data: bytes):
    """The engine workers that read this report's whole pages by OCR (None: read in this
    process); none starts before a page needs one, and all are gone when the report is read."""
    from . import ocr_workers

    workers = ocr_workers.count()
    if not workers:
        yield None
        return
    with ocr_workers.PagePool(path, data, workers) as pool:
        yield pool


def _checked_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, once they are known to be within the size limit and to start a PDF."""
    data = read_within_limit(path, max_bytes)
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ReportError(str(path), "not_pdf", "the file does not start with %PDF: it is not a PDF.")
    return data


def _check_page_count(path: Path, count: int, max_pages: int) -> None:
    if count > max_pages:
        raise ReportError(str(path), "too_many_pages", f"the PDF has {count} pages, over the limit of {max_pages}.")


def _read_without_password(path: Path, data: bytes, max_pages: int) -> list[_Page]:
    """MuPDF refuses some files whose owner password is empty (AES-256, revision 6): no password
    is needed for those, and pdfminer opens them with the empty one. Anything else is a user
    password, which is never guessed."""
    page_count, plumbed = _pdfplumber_pages(data, None, max_pages)
    if plumbed is None:
        raise ReportError(str(path), "encrypted_needs_password",
                          "the PDF is encrypted with a user password; decrypt it first (e.g. qpdf "
                          "--decrypt --password=… in.pdf out.pdf). No password is guessed.")
    _check_page_count(path, page_count, max_pages)
    pages = {pno: _Page(pno, 0.0, 0.0) for pno in range(1, page_count + 1)}
    _take_fallback(path, pages, plumbed, [])
    return list(pages.values())


def _read_with_pymupdf(path: Path, doc, data: bytes, max_pages: int, pool=None) -> list[_Page]:
    """Every page through PyMuPDF; pages it reads as nothing or as garbage go to pdfplumber. A
    page with no text at all is handed to the OCR ``pool`` at once, so that it is read while the
    other pages are (pdfplumber seldom finds text where PyMuPDF found none; if it does, the
    page's OCR is not used)."""
    if doc.page_count == 0:
        if not data.rstrip().endswith(b"%%EOF"):
            raise ReportError(str(path), "truncated_or_corrupt",
                              "the PDF is cut short (no %%EOF at its end) and no page could be "
                              "recovered; download it again.")
        raise ReportError(str(path), "repaired_empty",
                          "the PDF has no pages (it was damaged and repaired into nothing).")
    _check_page_count(path, doc.page_count, max_pages)
    pages: dict[int, _Page] = {}
    unreadable = []  # (page, whether it had any text): pdfplumber may decode them
    han_free: dict[int, tuple] = {}  # pages that read as text but hold no Han character
    for pno in range(1, doc.page_count + 1):
        page = doc[pno - 1]
        read = _Page(pno, page.rect.width, page.rect.height, len(page.get_images()))
        pages[pno] = read
        elements = _page_elements(page)
        text = elements[3]
        if _text_ok(text):
            if _HAN.search(text):
                _accept(path, page, read, elements)
            else:
                han_free[pno] = elements
        else:
            had_text = bool("".join(text.split()))
            unreadable.append((pno, had_text))
            if pool is not None and not had_text:
                pool.submit(pno)
    # A font without a Unicode map garbles every page it writes. A page with no Han character
    # set in a font that garbled another page is garbled too, even if its codes happen to fall
    # on printable letters ("!\"#$%&'( ) * +" for a title page's Han characters).
    # pdfplumber reads the same codes, so such a page goes to OCR directly.
    bad_fonts = {f[0] for pno, had_text in unreadable if had_text for f in doc[pno - 1].get_fonts()}
    same_font = [pno for pno in han_free if bad_fonts & {f[0] for f in doc[pno - 1].get_fonts()}] if bad_fonts else []
    for pno, elements in han_free.items():
        if pno not in same_font:
            _accept(path, doc[pno - 1], pages[pno], elements)
    if unreadable or same_font:
        plumbed = (_pdfplumber_pages(data, [pno for pno, _ in unreadable], max_pages)[1] or {}) if unreadable else {}
        # garbled in PyMuPDF and nothing from pdfplumber; a page empty in both is an image
        garbled = [pno for pno, had_text in unreadable if had_text and pno not in plumbed] + same_font
        _take_fallback(path, pages, plumbed, garbled)
    return list(pages.values())


def _accept(path: Path, page, read: _Page, elements: tuple) -> None:
    """PyMuPDF's reading of a page whose text layer is usable."""
    read.lines, read.tables, read.figures, _ = elements
    read.text_from = "pymupdf"
    if read.images:  # OCR hook: large pictures with no text on them (a scanned half page)
        _ocr_into(path, page, read)


def _take_fallback(path: Path, pages: dict[int, _Page], plumbed: dict, garbled: list[int]) -> None:
    """pdfplumber's pages in place of the ones PyMuPDF could not read. Pages that neither library
    decodes are marked garbled and left without a text layer: OCR reads their images, as it reads
    a scan (the glyphs are drawn right; only their character codes are lost)."""
    for pno, (lines, width, height, ok) in plumbed.items():
        if ok:
            page = pages[pno]
            page.lines, page.text_from = lines, "pdfplumber"
            if not page.width:
                page.width, page.height = width, height
        else:
            garbled.append(pno)
    for pno in garbled:
        pages[pno].garbled = True


def _write(pages: list[_Page]) -> "_Writer":
    """The pages' text in reading order; furniture, figure text and contents entries after the body."""
    furniture = _furniture(pages)
    for page in pages:
        furniture |= _figure_text(page)
        furniture |= {id(ln) for ln in page.lines if _CONTENTS_ENTRY.search(ln.text)}
        furniture |= _contents_page_entries(page)
    body_size = _body_size(ln for p in pages for ln in p.lines if id(ln) not in furniture)
    writer = _Writer(body_size)
    writer.running = _running_type([ln for p in pages for ln in p.lines if id(ln) not in furniture])
    writer.measure = _measure(pages, furniture, body_size)
    held: list[tuple[int, _Line]] = []
    for page in pages:
        body = [ln for ln in page.lines if id(ln) not in furniture]
        held.extend((page.number, ln) for ln in page.lines if id(ln) in furniture)
        writer.page(page.number, _reading_order(body, page.tables, page.width))
    writer.finish()
    writer.furniture(held)
    return writer


def _measure(pages: list[_Page], furniture: set[int], body_size: float, lay: Layout = LAYOUT) -> float:
    """Where the report's running text ends on the right: the median of the right edges of the
    pages that hold enough lines of it to show their measure (0 when none does)."""
    rights = []
    for page in pages:
        body = [ln.bbox.x1 for ln in page.lines if id(ln) not in furniture and abs(ln.size - body_size) < lay.same_size]
        if len(body) >= lay.measure_lines:
            rights.append(max(body))
    return statistics.median(rights) if rights else 0.0


_PAGE_NO = re.compile(r"^(?:[-—－–]{1,2}\s*)?(?:第\s*|(?:Page|P\.?)\s*)?[0-9]{1,4}(?:\s*页)?(?:\s*[-—－–]{1,2})?"
                      r"(?:\s*(?:/|of|共)\s*共?\s*[0-9]{1,4}\s*页?)?$", re.I)


def _furniture(pages: list[_Page], lay: Layout = LAYOUT) -> set[int]:
    """Running headers, footers and page numbers (ids of their lines): by position and repetition.

    A line in the top or bottom band of its page is furniture when its text (digits ignored) comes
    back on other pages in the same band. A page number is the first or last line of its page, in
    the outer band of page numbers (footers often sit well above the bottom margin).
    """
    def key(ln, band):
        return band, re.sub(r"[0-9]+", "#", re.sub(r"\s+", "", ln.text))

    bands: dict[int, tuple] = {}
    counts: dict[tuple, set] = {}
    for page in pages:
        h = page.height
        for ln in page.lines:
            b = ln.bbox
            band = ("top" if b.y1 < lay.furniture_band * h else
                    "bottom" if b.y0 > (1 - lay.furniture_band) * h else None)
            if band is None or _TABLE_NUMBER.match(ln.text) or unit_statement_start().match(ln.text):
                continue
            bands[id(ln)] = key(ln, band)
            counts.setdefault(bands[id(ln)], set()).add(page.number)
    out = set()
    for page in pages:
        lines, h = page.lines, page.height
        for ln in lines:
            k = bands.get(id(ln))
            if k is not None and len(pages) >= lay.repeats and len(counts[k]) >= lay.repeats:
                out.add(id(ln))
        if not lines:
            continue
        top = min(lines, key=lambda ln: ln.bbox.y0)
        foot = max(lines, key=lambda ln: ln.bbox.y1)
        table_top = min((t.bbox.y0 for t in page.tables), default=h)
        table_foot = max((t.bbox.y1 for t in page.tables), default=0.0)
        for ln, outer in ((top, top.bbox.y1 < lay.page_number_band * h and top.bbox.y1 <= table_top),
                          (foot, foot.bbox.y0 > (1 - lay.page_number_band) * h and foot.bbox.y0 >= table_foot)):
            if outer and _PAGE_NO.match(ln.text.strip()):
                out.add(id(ln))
        # A page may print its number twice ("- 17 -" at the right above the margin and centred in
        # it): every page number in the outer band with nothing but page numbers below it is one.
        numbers = [ln for ln in lines if _PAGE_NO.match(ln.text.strip())]
        number_ids = {id(ln) for ln in numbers}
        text_foot = max((ln.bbox.y1 for ln in lines if id(ln) not in number_ids), default=0.0)
        for ln in numbers:
            if ln.bbox.y0 > (1 - lay.page_number_band) * h and ln.bbox.y0 >= max(text_foot, table_foot):
                out.add(id(ln))
        # A page turned on its side (a wide table printed across the sheet) has its number in the
        # side margin, clear of all its text and tables: the number alone beside everything else.
        if len(numbers) == 1:
            ln = numbers[0]
            others = [o.bbox for o in lines if o is not ln] + [t.bbox for t in page.tables]
            if others and (ln.bbox.x1 < min(b.x0 for b in others) - lay.side_number_gap
                           or ln.bbox.x0 > max(b.x1 for b in others) + lay.side_number_gap):
                out.add(id(ln))
    return out


# A line of a table of contents: a title, a dot leader and its page number ("一、引言 ……… 3").
# It points at a heading; it is neither a heading nor text with numbers of its own.
_CONTENTS_ENTRY = re.compile(r"(?:[.．。·…‥]\s*){4,}\s*[-—－–（(]?\s*[0-9]{1,4}\s*[-—－–）)]?\s*$")
# A contents page may list its entries without page numbers ("表格目录" over "一、…限额余额表",
# "二、…"): under a heading that names it, every line of the page is an entry when none is a
# sentence and there is no table. Its entries are titles, never headings of their own.
_CONTENTS_HEADING = re.compile(r"^\S{0,30}目\s*录$|^(?:contents|table of contents)$", re.I)
_CONTENTS_ENTRY_MAX = 60  # characters: an entry is a title, not a paragraph
# A shorter leader, one or two ellipses ("…收入安排表（草案）…56"), ends an entry too, but only
# on a page that is a contents page by its other entries: alone it could end a sentence.
_SHORT_LEADER_ENTRY = re.compile(r"…{1,3}\s*[-—－–]?\s*[0-9]{1,4}\s*[-—－–]?\s*$")
# A table's number alone on its line ("表15-2", "附表3"): the label of the entry below it.
_TABLE_NUMBER_LINE = re.compile(r"^\s*附?表\s*[0-9一二三四五六七八九十]+(?:[-－—.．][0-9]+)*\s*$")
MIN_CONTENTS_PAGE_ENTRIES = 2
MIN_LEADERED_ENTRIES = 3  # entries with dot leaders that make a page a contents page, and at least half its lines


def _contents_page_entries(page: _Page) -> set[int]:
    """The entries of a contents page whose entries carry no page numbers (ids of their lines).

    On a page of entries with dot leaders, the lines without one are entries too: the parts the
    contents groups its entries under ("第一部分 一般公共预算报表") and the first lines of entries
    that wrap ("7. 2025 年…分项" over "目执行情况表 …… 10"), also on the contents' later pages."""
    lines = sorted(page.lines, key=lambda ln: (ln.bbox.y0, ln.bbox.x0))
    if page.tables:
        return set()
    leadered = sum(1 for ln in lines if _CONTENTS_ENTRY.search(ln.text) or _SHORT_LEADER_ENTRY.search(ln.text))
    labels = sum(1 for ln in lines if _TABLE_NUMBER_LINE.match(ln.text))  # "表15-2" over its entry's title
    if leadered >= MIN_LEADERED_ENTRIES and 2 * leadered >= len(lines) - labels:
        return {id(ln) for ln in lines if not _CONTENTS_ENTRY.search(ln.text)
                and not _SENTENCE_STOP.search(ln.text) and len(ln.text) <= _CONTENTS_ENTRY_MAX}
    head = next((i for i, ln in enumerate(lines) if _CONTENTS_HEADING.match(ln.text.strip())), None)
    if head is None:
        return set()
    entries = lines[head + 1:]
    if (len(entries) < MIN_CONTENTS_PAGE_ENTRIES
            or any(_SENTENCE_STOP.search(ln.text) or len(ln.text) > _CONTENTS_ENTRY_MAX for ln in entries)):
        return set()
    bare = "".join(lines[head].text.split()).lower() in ("目录", "contents", "tableofcontents")
    return {id(ln) for ln in entries} | ({id(lines[head])} if bare else set())  # "目 录" heads no part


# A table's caption or unit statement ("表1-1", "单位：亿元") comes back on every page that holds a
# table, in the same place: it belongs to its table, never to the page's running head.
_TABLE_NUMBER = re.compile(r"^\s*(?:表|附表)\s*[0-9一二三四五六七八九十]")
_CAPTION = re.compile(r"^\s*(?:图|表|附图|附表|Figure|Fig\.?|Table)\s*[0-9一二三四五六七八九十]", re.I)
_SENTENCE = re.compile(r"[。，；！？]")
_SENTENCE_STOP = re.compile(r"[。；！？]")


_TICK = re.compile(r"^[-+−–]?[0-9][0-9.,，:：/\s]*(?:%|％|[年月日季度QqHh]|[EeKkMmBb])?[0-9.\s]*[-~～至]*[0-9.%年月日]*$")


def _figure_text(page: _Page, lay: Layout = LAYOUT) -> set[int]:
    """Axis ticks, legend and data labels of the page's charts (ids of their lines). They are
    part of the picture, not sentences of the report, so they are kept out of the paragraphs
    (their numbers are no claims): a short number-only line (a tick, a year, a data label) in
    or just outside a chart's marks, or any short line inside a chart's drawn frame (a legend,
    an axis title). A caption ("图1 …") and a line with sentence punctuation stay text."""
    if not page.figures:
        return set()
    out = set()
    m = lay.figure_margin
    for ln in page.lines:
        t = ln.text.strip()
        numeric = bool(_TICK.match(t))  # ticks of one axis may come as one line ("2019202020212022")
        if (not numeric and len(t) > lay.figure_label) or _CAPTION.match(t) or _SENTENCE.search(t):
            continue
        cx, cy = ln.bbox.centre
        for f in page.figures:
            a = f.area
            if (numeric or f.framed) and a.x0 - m <= cx <= a.x1 + m and a.y0 - m <= cy <= a.y1 + m:
                out.add(id(ln))
                break
    return out


def _pages(pages: list[int]) -> str:
    return ", ".join(map(str, pages[:20])) + (" …" if len(pages) > 20 else "")


def _text_ok(text: str, lay: Layout = LAYOUT) -> bool:
    """A page's text is usable: some text, few (cid:N) codes, private-use or replacement characters."""
    stripped = _POINT_GLYPH.sub(".", "".join(text.split()))
    if not stripped:
        return False
    # (cid:N) codes, replacement, private-use, unassigned and control characters: a font whose
    # codes do not map to Unicode (a garbled page reads like "3HQČåQt\x03SURVW…").
    bad = len(_CID.findall(text)) * lay.cid_weight + sum(
        1 for ch in _UNCOMMON.findall(stripped) if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cn", "Cc"))
    if bad > lay.bad_share * len(stripped):
        return False
    # Mojibake of UTF-8 or GBK read as Latin-1: many accented Latin letters and no Han characters.
    if _HAN.search(stripped):
        return True
    return len(_LATIN1_LETTERS.findall(stripped)) <= lay.latin1_share * len(stripped)


def _page_info(pages: list[_Page]) -> tuple[dict, ...]:
    """What each page held, for ``document.json``: size, images, tables, which library read it,
    and what OCR read from its images (``ocr``: engine, lines, mean confidence, whole page or not)."""
    return tuple({"page": p.number, "width": round(p.width, 1), "height": round(p.height, 1),
                  "images": p.images, "text_from": p.text_from, "tables": len(p.tables),
                  **({"garbled_text_layer": True} if p.garbled else {}),
                  **({"ocr": p.ocr} if p.ocr else {})} for p in pages)


# An image is read by OCR when it covers at least this share of its page and no text-layer line
# lies on it: a scanned half page, not a logo, a photo beside the text or a figure with live labels.
OCR_IMAGE_MIN_AREA = 0.25
# What OCR reads off a picture on a page that has a text layer is kept only when it is running
# text: this share of its characters in lines of at least OCR_PROSE_LINE characters (a chart's
# axis labels and legends are short lines).
OCR_PROSE_SHARE = 0.5
OCR_PROSE_LINE = 12


def _ocr_into(path: Path, page, read: _Page, pool=None) -> None:
    """Lines and ruled tables OCR reads on the parts of ``page`` that have no text layer, added to
    ``read``: the whole page when it has none, else its large pictures that no text-layer line or
    table lies on and that hold running text. Tables come from the rules drawn in the image, read
    by the same grid finder as vector rules, and are filled with the recognised lines. A whole
    page is read by the engine workers of ``pool`` when there is one; the pictures of a page with
    a text layer are few and read here."""
    import pymupdf

    from . import ocr

    whole = not read.text_from
    if whole:
        clips = [None]
    else:
        area = page.rect.width * page.rect.height
        taken = [ln.bbox for ln in read.lines] + [t.bbox for t in read.tables]
        clips = []
        for info in page.get_image_info():
            r = pymupdf.Rect(info["bbox"]) & page.rect
            if r.is_empty or r.get_area() < OCR_IMAGE_MIN_AREA * area:
                continue
            box = BBox(r.x0, r.y0, r.x1, r.y1)
            if any(b.x0 < box.x1 and box.x0 < b.x1 and b.y0 < box.y1 and box.y0 < b.y1 for b in taken):
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
            return
    try:
        if whole and pool is not None:
            scans = [pool.result(read.number)]
        else:
            scans = [ocr.ocr_page(page, clip=clip) for clip in clips]
    except ocr.OcrUnavailable as exc:
        raise ReportError(str(path), "no_text_layer",
                          f"page {read.number} has no text layer and the OCR engine is missing ({exc}).") from exc
    found = [ln for scan in scans for ln in scan.lines]
    if not found:
        return
    if not whole:
        chars = sum(len(ln.text) for ln in found)
        prose = sum(len(ln.text) for ln in found if len(ln.text) >= OCR_PROSE_LINE)
        if prose < OCR_PROSE_SHARE * chars:
            return
    # Type size from the line's height (a recognised line's box is about 1.15 times the type
    # size); lines within a quarter of the page's usual height are set in the usual size, so that
    # the recogniser's jitter of a pixel or two does not split paragraphs.
    heights = sorted(ln.y1 - ln.y0 for ln in found)
    usual = heights[len(heights) // 2]
    lines = []
    for ln in found:
        h = ln.y1 - ln.y0
        size = usual / 1.15 if abs(h - usual) <= 0.25 * usual else h / 1.15
        step = (ln.x1 - ln.x0) / len(ln.text)  # the engine gives the line's box: characters share it
        chars = array("d")
        for k in range(len(ln.text)):
            chars.extend((ln.x0 + k * step, ln.y0, ln.x0 + (k + 1) * step, ln.y1))
        lines.append(_Line(ln.text, chars, BBox(ln.x0, ln.y0, ln.x1, ln.y1), round(size, 1)))
    hs = [h for scan in scans for h in scan.hrules]
    vs = [v for scan in scans for v in scan.vrules]
    tables: list[Table] = []
    if len(hs) + len(vs) >= 3:
        grids = find_grids(hs, vs)
        if grids:
            tables = tables_on_page(grids, words_of(lines), lines, _body_size(lines), page.rect.height)
    if tables:
        lines = [ln for ln in lines if not any(t.bbox.contains_point(*ln.bbox.centre) for t in tables)]
    read.lines = read.lines + lines
    read.tables = read.tables + tables
    read.ocr_lines = [(ln.x0, ln.y0, ln.x1, ln.y1, ln.confidence) for ln in found]
    read.ocr = {"engine": scans[0].engine, "dpi": ocr.OCR_DPI, "lines": len(found),
                "confidence": round(sum(ln.confidence for ln in found) / len(found), 4), "whole_page": whole}
    if whole:
        read.text_from = "ocr"


def ocr_confidence(ocr_lines, page: int | None, box: BBox | None) -> float | None:
    """The lowest confidence of the OCR'd lines that a placed item's box lies on (None: the item
    came from a text layer)."""
    if page is None or box is None:
        return None
    cx, cy = box.centre
    scores = [c for p, x0, y0, x1, y1, c in ocr_lines
              if p == page and x0 - 1 <= cx <= x1 + 1 and y0 < box.y1 and box.y0 < y1]
    if not scores:
        scores = [c for p, x0, y0, x1, y1, c in ocr_lines
                  if p == page and x0 < box.x1 and box.x0 < x1 and y0 < box.y1 and box.y0 < y1]
    return min(scores) if scores else None


def _plumber_line(ln: dict, lay: Layout = LAYOUT) -> _Line | None:
    """A pdfplumber text line with its characters' boxes aligned to its text (pdfplumber inserts
    spaces that are no character: those take their neighbour's box)."""
    text, chars = ln["text"], ln["chars"]
    flat = array("d")
    j = 0
    last = None
    for ch in text:
        if j < len(chars) and chars[j]["text"] == ch:
            c = chars[j]
            last = (c["x0"], c["top"], c["x1"], c["bottom"])
            j += 1
        elif last is None:
            c = chars[min(j, len(chars) - 1)]
            last = (c["x0"], c["top"], c["x1"], c["bottom"])
        flat.extend(last)
    a = len(text) - len(text.lstrip())
    b = len(text.rstrip())
    if b <= a:
        return None
    size = max((c.get("size", lay.fallback_size) for c in chars), default=lay.fallback_size)
    return _Line(text[a:b], flat[4 * a:4 * b], BBox(ln["x0"], ln["top"], ln["x1"], ln["bottom"]), size)


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
                found = page.extract_text_lines(return_chars=True)
            except Exception:
                continue
            lines = [ln for ln in map(_plumber_line, found) if ln is not None and ln.chars]
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
    return max(weight, key=weight.__getitem__) if weight else LAYOUT.fallback_size


def _running_type(lines: list[_Line], lay: Layout = LAYOUT) -> tuple[float, bool]:
    """The size and weight of the report's running text: its full lines, weighted by characters
    (short lines of sidebars, tables and charts are often set smaller)."""
    weight: dict[float, int] = {}
    bold = plain = 0
    for ln in lines:
        if len(ln.text) >= lay.running_line:
            weight[round(ln.size, 1)] = weight.get(round(ln.size, 1), 0) + len(ln.text)
            if ln.bold:
                bold += len(ln.text)
            else:
                plain += len(ln.text)
    size = max(weight, key=weight.__getitem__) if weight else _body_size(lines)
    return size, bold > plain


def _raw_lines(textpage) -> tuple[list[_Line], str]:
    """The page's lines as PyMuPDF finds them, each with its characters' own boxes, and all the
    text as the fonts decode it (symbol glyphs included: a page of them is a garbled page).

    A little text drawn invisibly (alpha 0) among visible text is hidden on purpose (a tracking
    code along the page's edge) and left out; where most or all of the text is invisible it is
    the OCR layer of a scan, and the text of the page.
    """
    # A page's characters are some ten thousand small dicts, built and dropped at once; none
    # refers back to another, so the cycle collector, which would walk them again and again as
    # they pile up, is held off while they live (it runs as before once they are gone).
    collecting = gc.isenabled()
    gc.disable()
    try:
        blocks = [b for b in textpage.extractRAWDICT()["blocks"] if b.get("type") == 0]
        out, decoded, shown, hidden = _lines_of_blocks(blocks, keep_hidden=False)
        if hidden > LAYOUT.hidden_share * shown:
            out, decoded, _shown, _hidden = _lines_of_blocks(blocks, keep_hidden=True)
        del blocks
    finally:
        if collecting:
            gc.enable()
    return out, decoded


_CHARS, _CHAR, _BOX, _ORIGIN = itemgetter("chars"), itemgetter("c"), itemgetter("bbox"), itemgetter("origin")


def _lines_of_blocks(blocks: list, keep_hidden: bool) -> tuple[list[_Line], str, int, int]:
    out = []
    decoded = []
    shown = hidden = 0
    inked: set = set()  # (character, origin) of every character drawn so far on the page
    counts = [(len(sp["chars"]), sp.get("char_flags", 0) & _FILLED_AND_STROKED == _FILLED_AND_STROKED)
              for block in blocks for line in block["lines"] for sp in line["spans"]]
    stroke_is_bold = 2 * sum(n for n, stroked in counts if stroked) < sum(n for n, _ in counts)
    for block in blocks:
        for line in block["lines"]:
            spans = line["spans"]
            if not keep_hidden and not all(s["alpha"] for s in spans):
                hidden += sum(len(s["chars"]) for s in spans if not s["alpha"])
                spans = [s for s in spans if s["alpha"]]
            spans, overprinted = _without_overprint(spans, inked)
            chars = list(chain.from_iterable(map(_CHARS, spans)))
            text = "".join(map(_CHAR, chars))
            if not text.strip():
                continue
            shown += len(chars)
            face = _face(spans, text)
            lead = face or _lead_face(spans)
            if len(spans) == 1:
                size, bold = spans[0]["size"], _bold(spans[0], stroke_is_bold)
            else:  # the size and weight of the spans with ink (a space may come in another font)
                size, bold, at = 0.0, True, 0
                # a dash or a bullet set larger than its words ("—" at 9.7 pt before "— 卫生健康支出"
                # at 9): the words' size is the line's, so long as the line has words
                worded = any(_WORDISH.search("".join(c["c"] for c in sp["chars"])) for sp in spans)
                for sp in spans:
                    n = len(sp["chars"])
                    span_text = "".join([c["c"] for c in sp["chars"]])
                    if ((not chars[at]["c"].isspace() or span_text.strip())
                            and (not worded or _WORDISH.search(span_text))):
                        size = sp["size"] if sp["size"] > size else size
                        bold = bold and _bold(sp, stroke_is_bold)
                    at += n
            if len(text) == len(chars):
                flat = array("d", chain.from_iterable(map(_BOX, chars)))
            else:  # a character of several code points: one box for each
                flat = array("d", chain.from_iterable([c["bbox"] * len(c["c"]) for c in chars]))
            decoded.append(text)
            if _SYMBOL_FONT_GLYPH.search(text):
                text, flat = _without_symbol_glyphs(text, flat)
            a = len(text) - len(text.lstrip())
            b = len(text.rstrip())
            if b > a:
                # The box from the first to the last inked character: spaces typed as an indent
                # ("    以上…") or left at a line's end are no ink, and the paragraph rules
                # compare where the ink starts and stops.
                x0, y0, x1, y1 = line["bbox"]
                if a or b < len(text) or overprinted:
                    x0, x1 = flat[4 * a], max(flat[4 * (b - 1) + 2], flat[4 * a])
                out.append(_Line(text[a:b], flat[4 * a:4 * b], BBox(x0, y0, x1, y1), size, bold, face, lead))
    return out, "".join(decoded), shown, hidden


_BOLD_FONT = 16  # span flag: the font is a bold face
_FILLED_AND_STROKED = 16 | 32  # char flags (with TEXT_COLLECT_STYLES): the glyphs are filled and outlined


def _bold(span: dict, stroke_is_bold: bool) -> bool:
    """Bold by its font, or by an outline stroked over the fill where most of the page's text is
    not stroked (some producers stroke every glyph: there it marks nothing)."""
    return bool(span["flags"] & _BOLD_FONT) or (
        stroke_is_bold and span.get("char_flags", 0) & _FILLED_AND_STROKED == _FILLED_AND_STROKED)


def _without_overprint(spans: list, inked: set) -> tuple[list, bool]:
    """The spans without the characters drawn a second time at the same place: typesetters fake a
    bold face by printing a run twice (方正飞翔 and WPS without a bold font), and the text layer then
    holds every such heading and figure twice ("（一）一般公共预算⏎一般公共预算", "169⏎169.59").
    What the reader sees once is read once. ``inked`` gathers the page's characters."""
    out = []
    dropped = False
    for sp in spans:
        keys = list(zip(map(_CHAR, sp["chars"]), map(_ORIGIN, sp["chars"])))
        if inked.isdisjoint(keys):  # the common case, at the cost of one set operation
            inked.update(keys)
            out.append(sp)
            continue
        kept = []
        for c in sp["chars"]:
            key = (c["c"], c["origin"])
            if key in inked and not c["c"].isspace():
                dropped = True
                continue
            inked.add(key)
            kept.append(c)
        if len(kept) == len(sp["chars"]):
            out.append(sp)
        elif kept:
            out.append({**sp, "chars": kept})
    return out, dropped


def _face(spans: list, text: str) -> str:
    """The typeface that sets the line's ideographs, when one does ("" when several or none).

    Chinese reports set their headings in another face than the body at the same size (黑体 or
    楷体 headings over 宋体 text), often with no bold flag: the face is then the only mark of the
    type. Digits and Latin letters often come from a font of their own and are left out. A subset
    prefix ("ABCDEF+SimSun") names the embedding, not the face."""
    if not _HAN.search(text):
        return ""
    if len(spans) == 1:
        return spans[0]["font"].split("+", 1)[-1]
    faces = {sp["font"].split("+", 1)[-1] for sp in spans if _HAN.search("".join(map(_CHAR, sp["chars"])))}
    return faces.pop() if len(faces) == 1 else ""


def _lead_face(spans: list) -> str:
    """The face of the first span that sets ideographs."""
    return next((sp["font"].split("+", 1)[-1] for sp in spans if _HAN.search("".join(map(_CHAR, sp["chars"])))), "")


def _joined_face(a: str, b: str) -> str:
    """The face of two pieces joined into one line: the one face, "" when they differ."""
    return a if a == b or not b else b if not a else ""


# Private-use code points (the BMP's and planes 15-16): what symbol fonts (Wingdings, Symbol) and
# fonts without a Unicode map map their bullets, arrows, check marks and glyph numbers to. They
# are no text in any script, so they are left out of what is written, except one: the Western
# fonts of Founder typesetting (E-BZ, E-BX, common in government reports) map their point to
# private use ("７６\U001001b0１％"), and a point is the one glyph that sits between two digits or
# closes a list label ("１\U001001b0 标题"). Read there as a point, or every decimal is ten times too large.
_SYMBOL_FONT_GLYPH = re.compile(r"[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_DIGIT = frozenset("0123456789０１２３４５６７８９")
_POINT_GLYPH = re.compile(rf"(?<=[0-9０-９]){_SYMBOL_FONT_GLYPH.pattern}")  # a page dense with decimals is no garbled page
_LIST_LABEL_DIGITS = 2  # "１２\U001001b0" at a line's start: the label of the twelfth item


def _without_symbol_glyphs(text: str, flat: array) -> tuple[str, array]:
    kept: list[str] = []
    out = array("d")
    for i, c in enumerate(text):
        if _SYMBOL_FONT_GLYPH.match(c):
            after_digit = bool(kept) and kept[-1] in _DIGIT
            if after_digit and i + 1 < len(text) and text[i + 1] in _DIGIT:
                c = "."
            elif after_digit and len(label := "".join(kept).lstrip()) <= _LIST_LABEL_DIGITS and all(
                    k in _DIGIT for k in label):
                c = "．"
            else:
                continue
        kept.append(c)
        out.extend(flat[4 * i:4 * i + 4])
    return "".join(kept), out


@dataclass(frozen=True)
class Figure:
    """A chart's area on the page; ``framed`` when a rectangle drawn around it bounds it (then
    its legend and axis titles are inside too)."""

    area: BBox
    framed: bool


def _shaded_bands(shapes: list, area: BBox) -> bool:
    """Fills that lie in horizontal bands, each of one colour and across the whole area: a table's
    filled header and the rows it shades in turn (drawn cell by cell, or a cell in pieces), not
    a chart's bars, which stand apart, or the slices of a stacked bar, which differ in colour."""
    bands: list[list] = []  # [y0, y1, colour, covered x ranges]
    for box, fill in sorted(shapes, key=lambda s: (s[0].y0, s[0].x0)):
        band = next((b for b in bands if box.y0 < b[1] - 1 and b[0] < box.y1 - 1), None)
        if band is None:
            bands.append([box.y0, box.y1, fill, [(box.x0, box.x1)]])
            continue
        if fill != band[2]:
            return False
        band[0], band[1] = min(band[0], box.y0), max(band[1], box.y1)
        band[3].append((box.x0, box.x1))
    for _y0, _y1, _fill, spans in bands:
        reached = area.x0
        for x0, x1 in sorted(spans):
            if x0 > reached + TOL_BAND:
                return False  # a gap across the band: bars side by side
            reached = max(reached, x1)
        if reached < area.x1 - TOL_BAND:
            return False
    return True


# points: the fills of one band meet, or leave a gutter this narrow between cells (where a thin
# rule or a sliver under 2 points, no mark of a chart, was drawn); a chart's bars stand apart by
# about their own width, 5 to 20 points
TOL_BAND = 3.0


def _figures(drawings, lay: Layout = LAYOUT) -> list[Figure]:
    """The areas of the page's vector charts: groups of drawn shapes that are no table rules and
    no panels (curves, or several fills in a hue: the bars, lines and pies of a chart). A chart
    pasted as a picture carries its labels in its pixels, so pictures need no such care (and
    finding where they sit costs a second pass over the page)."""
    shapes = []
    for d in drawings:
        fill, stroke, items = d.get("fill"), d.get("color"), d.get("items", ())
        coloured = (fill is not None and max(fill) - min(fill) > lay.hue and min(fill) < lay.pale) or (
            stroke is not None and len(stroke) >= 3 and max(stroke) - min(stroke) > lay.hue)
        curves = any(item[0] == "c" for item in items) or len(items) >= lay.series_points
        r = d.get("rect")
        if (coloured or curves) and r is not None and (curves or min(r[2] - r[0], r[3] - r[1]) >= 2):
            # one fill drawing all the bars of a series (2023's and 2024's) is that many marks
            rects = [BBox(*it[1]) for it in items if it[0] == "re"] if not curves else []
            parts = rects if len(rects) > 1 and len(rects) == len(items) else [BBox(r[0], r[1], r[2], r[3])]
            shapes.append((BBox(r[0], r[1], r[2], r[3]), curves, fill, parts))  # a coloured rule is a rule
    if not shapes:
        return []
    reach = lay.figure_join
    groups: list[list] = []  # [area, shapes, any curve]
    for box, curve, fill, parts in sorted(shapes, key=lambda s: (s[0].y0, s[0].x0)):
        members, has_curve = [(part, fill) for part in parts], curve
        for g in [g for g in groups if box.x0 <= g[0].x1 + reach and g[0].x0 <= box.x1 + reach
                  and box.y0 <= g[0].y1 + reach and g[0].y0 <= box.y1 + reach]:
            groups.remove(g)
            box = box.union(g[0])
            members += g[1]
            has_curve = has_curve or g[2]
        groups.append([box, members, has_curve])
    charts = [g[0] for g in groups
              if g[0].x1 - g[0].x0 > lay.figure_size and g[0].y1 - g[0].y0 > lay.figure_size
              and (g[2] or len(g[1]) >= lay.figure_marks) and not (not g[2] and _shaded_bands(g[1], g[0]))]
    if not charts:
        return []
    # A chart's frame (its plot or chart area, drawn as a rectangle around the marks) holds its
    # axis ticks and legend: the chart is the largest such frame, short of a page panel.
    frames = [BBox(*d["rect"]) for d in drawings if d.get("rect") is not None
              and any(item[0] == "re" for item in d.get("items", ()))]
    out = []
    for c in charts:
        around = [f for f in frames if f.contains(c, 2.0) and f != c
                  and (f.x1 - f.x0) * (f.y1 - f.y0) <= lay.frame_area * (c.x1 - c.x0) * (c.y1 - c.y0)]
        frame = max(around, key=lambda f: (f.x1 - f.x0) * (f.y1 - f.y0), default=None)
        out.append(Figure(frame or c, frame is not None))
    return out


def _page_elements(page) -> tuple[list[_Line], list[Table], list[Figure], str]:
    """The page's lines outside tables, its tables, its figures' areas, and all its text as the
    font decodes it (control characters included: they are the sign of a font without a Unicode
    map)."""
    import pymupdf

    # One text page serves the lines and, on pages with rules, the words of the tables; images
    # are left out of it (decoding them would triple the cost of an illustrated page).
    # Styles are collected so that text drawn filled and stroked (a bold face made by stroking the
    # outline, as rating agencies' and many Word-made PDFs' headings are) reads as bold.
    textpage = page.get_textpage(flags=(pymupdf.TEXTFLAGS_DICT | pymupdf.TEXT_COLLECT_STYLES)
                                 & ~pymupdf.TEXT_PRESERVE_IMAGES)
    raw_lines, decoded = _raw_lines(textpage)
    raw_lines = _side_by_side_captions(raw_lines)
    body_size = _body_size(raw_lines)
    tables: list[Table] = []
    drawings = page.get_cdrawings()
    hs, vs = rulings(drawings)
    wh, wv = white_cell_rules(drawings, page.rect.width * page.rect.height)
    charts = _figures(drawings)
    if len(hs) + len(vs) >= 3 or wh:
        top = min([h[0] for h in hs + wh] + [v[1] for v in vs + wv]) - 2  # no table starts above its rules
        words = words_of([ln for ln in raw_lines if ln.bbox.y1 >= top])
        grids = closed_by_rules(find_grids(hs, vs), hs, page.rect.height, words)
        grids += open_grids(hs, grids, words, page.rect.height, tuple(f.area for f in charts))
        if wh:  # a spreadsheet's cells drawn as white fills, where no rule is drawn
            grids = sorted(grids + white_grids(grids, find_grids(wh, wv), words), key=lambda g: (g.ys[0], g.xs[0]))
        if grids:
            tables = tables_on_page(grids, words, raw_lines, body_size, page.rect.height)
    # A ruled frame around a chart's plotted marks is the chart's plot area (its gridlines and
    # ticks), not a table: its words stay lines, and its ticks figure text.
    tables = [t for t in tables if not any(t.bbox.contains_point(*f.area.centre) for f in charts)]
    lines = []
    for ln in raw_lines:
        cx, cy = ln.bbox.centre
        if any(t.bbox.contains_point(cx, cy) for t in tables):
            continue
        lines.append(ln)
    return _merge_rows(lines, body_size), tables, charts, decoded


_SQUEEZABLE_PUNCTUATION = "、，。；：！？“”‘’（）《》【】"
_WEIGHT_BREAK_ENDS = "。！？!?：:；;"  # a line ending so has finished, whatever its weight


def _merge_rows(lines: list[_Line], body_size: float = 0.0, lay: Layout = LAYOUT) -> list[_Line]:
    """Pieces of one visual line ("一、综" and "合", letter-spaced headings) become one line."""
    lines = sorted(lines, key=lambda ln: (round(ln.bbox.y1), ln.bbox.x0))
    out: list[_Line] = []
    for ln in lines:
        if out:
            prev = out[-1]
            a, b = prev.bbox, ln.bbox
            same_bottom, same_top = abs(a.y1 - b.y1) < lay.same_row, abs(a.y0 - b.y0) < lay.same_row
            same_row = same_bottom and same_top
            gap = b.x0 - a.x1
            size = max(ln.size, prev.size)
            # a raised footnote mark ("一般公共预算①执行情况") or a lowered index glued to a line:
            # one edge shared, no gap
            glued = (same_bottom or same_top) and -1 <= gap < lay.touching_gap * size
            # Touching pieces of a line, or short pieces of a letter-spaced heading ("一、综" "合");
            # never two column lines side by side across a gutter.
            reach = (lay.spaced_reach_large if body_size and size >= lay.larger * body_size
                     else lay.spaced_reach)
            spaced = (gap < reach * size and min(len(prev.text), len(ln.text)) <= lay.spaced_piece
                      and abs(prev.size - ln.size) < lay.same_size)  # one heading's letters: one size
            # full-width punctuation set half-width ("二、“十四五”…"): the next piece starts inside
            # the mark's em box, by up to one em
            squeezed = same_row and -size <= gap < -1 and prev.text[-1:] in _SQUEEZABLE_PUNCTUATION
            if (same_row and -1 <= gap and (gap < lay.touching_gap * size or spaced)) or glued or squeezed:
                latin = (prev.text[-1:].isascii() and prev.text[-1:].isalnum()
                         and ln.text[:1].isascii() and ln.text[:1].isalpha())
                sep = " " if latin or gap > lay.word_space * size else ""
                out[-1] = _Line(prev.text + sep + ln.text, prev.chars + prev.chars[-4:] * len(sep) + ln.chars,
                                a.union(b), max(prev.size, ln.size), prev.bold and ln.bold,
                                _joined_face(prev.face, ln.face), prev.lead or ln.lead)
                continue
        out.append(ln)
    return out


def _gaps(ln: _Line, least: float) -> list[tuple[float, float, int]]:
    """The blank stretches inside a line at least ``least`` points wide: (from, to, index of the
    character after the gap). Spaces are blank. Worked out once per line, for the narrowest
    gap asked about (``Layout.split_gap``)."""
    if ln.gaps is None:
        ln.gaps = _blanks(ln, LAYOUT.split_gap)
    return [g for g in ln.gaps if g[1] - g[0] >= least]


def _blanks(ln: _Line, least: float) -> list[tuple[float, float, int]]:
    ch, text = ln.chars, ln.text
    if " " not in text and "\u3000" not in text:
        x0s, x1s = ch[0::4], ch[2::4]
        if (ch[-2] - ch[0]) - (sum(x1s) - sum(x0s)) < least:
            return []  # all the blank between its characters together is narrower
        return [(a, b, i + 1) for i, (a, b) in enumerate(zip(x1s, x0s[1:], strict=False)) if b - a >= least]
    out = []
    right = None
    for i, c in enumerate(text):
        if c.isspace():
            continue
        x0 = ch[4 * i]
        if right is not None and x0 - right >= least:
            out.append((right, x0, i))
        x1 = ch[4 * i + 2]
        right = x1 if right is None or x1 > right else right
    return out


def _gutters(lines: list[_Line], width: float, lay: Layout = LAYOUT) -> list[tuple[float, float]]:
    """Vertical blank strips that divide the page's lines into columns (a sidebar and the body,
    two or three text columns). A strip is a gutter when at least ``column_lines`` lines lie
    wholly on each side of it, those lines are ``column_share`` of the page's lines, and fewer
    lines cross it than lie beside it (titles and full-width tables cross it)."""
    if len(lines) < 2 * lay.column_lines:
        return []
    k = lay.column_lines - 1
    if sorted(ln.bbox.x1 for ln in lines)[k] > sorted((ln.bbox.x0 for ln in lines), reverse=True)[k]:
        return []  # no x has enough lines wholly on each side of it: one column
    bins = max(int(width) + 1, 1)
    steps = [0] * (bins + 1)  # +1 where a line's ink starts, -1 after it ends: one pass sums them
    for ln in lines:
        a = ln.bbox.x0
        for g0, g1, _i in [*_gaps(ln, lay.gutter_width * ln.size), (ln.bbox.x1, ln.bbox.x1, 0)]:
            lo, hi = max(int(a), 0), min(int(g0) + 1, bins)
            if lo < hi:
                steps[lo] += 1
                steps[hi] -= 1
            a = g1
    cover = []
    running = 0
    for step in steps[:bins]:
        running += step
        cover.append(running)
    least = lay.gutter_width * _body_size(lines)
    crossing_at_most = max(lay.gutter_crossers, len(lines) * lay.gutter_crossing)
    runs, x = [], 0
    while x < bins:
        if cover[x] <= crossing_at_most:
            y = x
            while y < bins and cover[y] <= crossing_at_most:
                y += 1
            if y - x >= least:
                runs.append((float(x), float(y)))
            x = y
        else:
            x += 1
    ink_left = min(ln.bbox.x0 for ln in lines)
    ink_right = max(ln.bbox.x1 for ln in lines)
    out = []
    for g0, g1 in runs:
        if g0 <= ink_left or g1 >= ink_right:
            continue  # a margin, not a gutter
        mid = (g0 + g1) / 2
        left = sum(1 for ln in lines if ln.bbox.x1 <= mid)
        right = sum(1 for ln in lines if ln.bbox.x0 >= mid)
        beside = sum(1 for ln in lines if ln.bbox.x1 <= g0 + 1 or ln.bbox.x0 >= g1 - 1 or _split_at(ln, mid) is not None)
        crossing = len(lines) - beside
        if (min(left, right) >= lay.column_lines and beside >= lay.column_share * len(lines)
                and crossing < min(left, right)):
            out.append((g0, g1))
    return out


def _split_at(ln: _Line, x: float) -> int | None:
    """Where a line breaks across the gutter through ``x`` (an index into its text), if it has a
    blank there: a sidebar line and a body line that the library read as one line."""
    for g0, g1, i in _gaps(ln, LAYOUT.split_gap):
        if g0 <= x <= g1:
            return i
    return None


# Two tables or charts side by side have their captions side by side, which the text layer may
# give as one line, a wide blank between them ("图表12 • …（单位：亿元）      图表13 • …").
_CAPTION_MARK = r"(?:图表|图|表|附表|附图)\s*[0-9一二三四五六七八九十]"
_NEXT_CAPTION = re.compile(rf"\s{{3,}}(?={_CAPTION_MARK})")
_FIRST_CAPTION = re.compile(rf"\s*{_CAPTION_MARK}")


def _side_by_side_captions(lines: list[_Line]) -> list[_Line]:
    """Each caption of a line of captions side by side as a line of its own."""
    out: list[_Line] = []
    for ln in lines:
        cuts = [m.end() for m in _NEXT_CAPTION.finditer(ln.text)] if _FIRST_CAPTION.match(ln.text) else []
        if not cuts:
            out.append(ln)
            continue
        bounds = [0, *cuts, len(ln.text)]
        out += [p for p in (_piece(ln, a, b) for a, b in zip(bounds, bounds[1:], strict=False)) if p is not None]
    return out


def _piece(ln: _Line, a: int, b: int) -> _Line | None:
    text = ln.text[a:b]
    lead = len(text) - len(text.lstrip())
    a, b = a + lead, a + len(text.rstrip())
    if b <= a:
        return None
    ch = ln.chars[4 * a:4 * b]
    return _Line(ln.text[a:b], ch, BBox(min(ch[0::4]), min(ch[1::4]), max(ch[2::4]), max(ch[3::4])),
                 ln.size, ln.bold, ln.face, ln.lead if a == 0 else ln.face)


def _reading_order(lines: list[_Line], tables: list[Table], width: float, lay: Layout = LAYOUT) -> list:
    """Lines and tables in reading order: bands of columns (each top to bottom, left to right)
    between the items that cross a gutter (titles, full-width tables). A line that runs through
    a gutter with a blank there is a line of each column."""
    gutters = _gutters(lines, width, lay)
    if not gutters:
        return sorted([*lines, *tables], key=lambda e: (e.bbox.y0, e.bbox.x0))
    mids = [(g0 + g1) / 2 for g0, g1 in gutters]
    split: list[_Line] = []
    for ln in lines:
        cuts = [i for i in (_split_at(ln, m) for m in mids) if i is not None]
        if not cuts:
            split.append(ln)
            continue
        bounds = [0, *sorted(set(cuts)), len(ln.text)]
        split += [p for p in (_piece(ln, a, b) for a, b in zip(bounds, bounds[1:], strict=False)) if p is not None]
    items: list[_Line | Table] = sorted([*split, *tables], key=lambda e: (e.bbox.y0, e.bbox.x0))
    edges = [min(e.bbox.x0 for e in items), *mids, max(e.bbox.x1 for e in items)]
    column_of: dict[int, int | None] = {}
    out: list = []
    bands: list[list] = [[] for _ in range(len(mids) + 1)]
    for e in items:
        # The column holding most of the item; an item reaching far into a second column too
        # (a title, a full-width table) crosses them. A sidebar line may overrun its gutter.
        overlaps = [min(e.bbox.x1, edges[k + 1]) - max(e.bbox.x0, edges[k]) for k in range(len(edges) - 1)]
        column: int | None = max(range(len(overlaps)), key=overlaps.__getitem__)
        if any(o > lay.column_part * (edges[k + 1] - edges[k])
               for k, o in enumerate(overlaps) if k != column):
            column = None
        column_of[id(e)] = column
        if column is None:  # crosses a gutter: closes the band above it
            for band in bands:
                out.extend(band)
            bands = [[] for _ in range(len(mids) + 1)]
            out.append(e)
        else:
            bands[column].append(e)
    for band in bands:
        out.extend(band)
    widest = max(edges[k + 1] - edges[k] for k in range(len(edges) - 1))
    for k in range(len(edges) - 1):  # each column's right edge, for the paragraph rules
        own = [e for e in out if isinstance(e, _Line) and column_of.get(id(e)) == k]
        right = max((e.bbox.x1 for e in own), default=0.0)
        side = edges[k + 1] - edges[k] < lay.sidebar * widest
        for e in own:
            e.edge = right
            e.side = side
    return out


_WORDISH = re.compile(r"[\u4e00-\u9fffA-Za-z]")  # a heading has words (a formula's β or (2) has not)


# A footnote's marker at its start: "1应收棚改款是…", "①", "注1：" (not "12.5" or "3%").
_FOOTNOTE_MARK = re.compile(r"\s*(?:[0-9]{1,2}(?![0-9.．%])|[①-⑳]|注\s*[0-9]{0,2}\s*[:：])")


class _Writer:
    """Builds the document text and the placed pieces (page, characters' boxes) of everything written."""

    def __init__(self, body_size: float = 10.0, lay: Layout = LAYOUT) -> None:
        self.body_size = body_size
        self.lay = lay
        self.running: tuple[float, bool] = (body_size, False)  # the running text's size and weight
        self.measure = 0.0  # the running text's right edge on a full page (``_measure``)
        self.display_spans: list[tuple[int, int]] = []  # paragraphs set larger or bolder than it
        self.parts: list[str] = []
        self.length = 0
        self.boxes: list[Placed] = []
        self.furniture_spans: list[tuple[int, int]] = []
        self.last_table: Table | None = None  # a table that the next table may continue
        self.last_table_at: tuple[int, BBox] | None = None  # page and frame of the last table part
        self.carry: list[tuple[int, _Line]] = []  # an unfinished paragraph at the foot of a page
        self.notes: list[list[tuple[int, _Line]]] = []  # footnotes under a table that may go on overleaf
        self.flush_line: tuple[int, int, _Line] | None = None  # the last paragraph, when it was a
        #   line on its own in running type that a following indented paragraph may mark a heading

    def _emit(self, text: str, page: int = 0, chars: array | None = None) -> None:
        if chars is not None and text:
            self.boxes.append(Placed.of(self.length, self.length + len(text), page, chars))
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
            self._emit(ln.text, pno, ln.chars)
            self.furniture_spans.append((start, self.length))

    def page(self, pno: int, elements: list) -> None:
        lay = self.lay
        body_size = self.body_size
        text_lines = [e for e in elements if isinstance(e, _Line)]
        # Line pitch per font size: lines within a paragraph are the closest ones of their size; on
        # a page of short paragraphs the median step would be a paragraph gap, so the lower quartile.
        steps: dict[int, list[float]] = {}
        for a, b in zip(text_lines, text_lines[1:], strict=False):
            step = b.bbox.y0 - a.bbox.y0
            if abs(a.size - b.size) < lay.same_size and 0 < step < lay.step_reach * max(a.size, 1):
                steps.setdefault(round(a.size), []).append(step)
        pitch_of = {k: (statistics.quantiles(v, n=4)[0] if len(v) >= 4 else min(v)) for k, v in steps.items()}
        foot = max((e.bbox.y1 for e in elements), default=0.0)  # where the page's text ends
        body_lines = [e for e in text_lines if abs(e.size - body_size) < lay.same_size]
        page_size = body_size
        if not body_lines and text_lines:
            # a page set in another size than the report's body (an appendix, the notes to its
            # tables): its own running text is in the size most of its lines have
            common = statistics.mode(round(e.size, 1) for e in text_lines)
            body_lines = [e for e in text_lines if abs(e.size - common) < lay.same_size]
            if len(body_lines) >= lay.measure_lines:
                page_size = common  # (a few lines in one size are a title, not running text)
        left = min((e.bbox.x0 for e in body_lines), default=0.0)
        right = _justified_edge([e.bbox.x1 for e in body_lines], lay)
        if len(body_lines) < lay.measure_lines:
            right = max(right, self.measure)  # a page of a few short lines: none of them is full
        para: list[tuple[int, _Line]] = []
        para_right = 0.0
        continued = False
        if self.carry:
            first = next((e for e in elements), None)
            # A paragraph goes on overleaf at its own left edge: the page's, or that of its lines
            # after the first (a body set in from the headings above it keeps its inset).
            own_left = min((ln.bbox.x0 for _p, ln in self.carry[1:]), default=left)
            last = self.carry[-1][1]
            if (isinstance(first, _Line) and abs(first.size - last.size) < lay.same_size
                    and (first.bbox.x0 - own_left < lay.carry_indent * first.size
                         or len(self.carry) == 1 and _hanging(last, first, max(right, last.bbox.x1), lay))):
                para = self.carry  # the paragraph the previous page ended in the middle of
                para_right = max(ln.bbox.x1 for _p, ln in para)
                continued = True
            else:
                self._paragraph(self.carry)
            self.carry = []
        for i, e in enumerate(elements):
            if isinstance(e, Table):
                if i == 1 and len(para) == 1 and self._group_row_overleaf(para[0][1], e, pno):
                    ln = para[0][1]  # "各地市、州" over the rest of a table from overleaf: its row
                    e.rows.insert(0, [(ln.text, ln.chars)] + [("", array("d")) for _ in e.rows[0][1:]])
                    para = []
                self._paragraph(para)
                para = []
                last = self.last_table
                # A table goes on overleaf, or in the next column when it reaches the foot of
                # its own; tables side by side or one below the other are two tables.
                was = self.last_table_at
                moved_on = was is not None and (was[0] < pno or (
                    e.bbox.x0 >= was[1].x1 - lay.same_row and was[1].y1 >= foot - lay.column_foot * body_size))
                continues = last is not None and moved_on and len(last.rows[0]) == len(e.rows[0])
                self._table(e, pno, continues, last)
                self.last_table = last if continues else e
                self.last_table_at = (pno, e.bbox)
                continue
            pitch = pitch_of.get(round(e.size), lay.default_pitch * e.size)
            if continued:
                continued = False  # the first line overleaf goes on with the carried paragraph
            elif para and _new_paragraph(para[-1][1], e, body_size, pitch, para_right, lay, e.edge or right):
                self._paragraph(para)
                para = []
            para_right = max(para_right, e.bbox.x1) if para else e.bbox.x1  # the paragraph's right edge so far
            para.append((pno, e))
        last_line = para[-1][1] if para else None
        if (last_line is not None and abs(last_line.size - page_size) < lay.same_size
                and last_line.bbox.x1 >= right - lay.carry_margin * last_line.size
                and last_line.text[-1:] not in "。！？!?：:；;”"):
            self.carry = para  # a full last line without a full stop: the paragraph goes on overleaf
        else:
            self._paragraph(para)

    def finish(self) -> None:
        self._paragraph(self.carry)
        self.carry = []
        self._notes()

    def _notes(self) -> None:
        """The footnotes held back under a table, written after it (and its rows from overleaf)."""
        notes, self.notes = self.notes, []
        for lines in notes:
            self._paragraph(lines, note=True)

    def _paragraph(self, lines: list[tuple[int, _Line]], note: bool = False) -> None:
        """One paragraph (its lines with their pages), after one blank line, as the text path
        writes them."""
        if not lines:
            return
        size, bold = self.running
        if not note:
            if (self.last_table is not None and _FOOTNOTE_MARK.match(lines[0][1].text)
                    and all(ln.size < size - self.lay.same_size for _p, ln in lines)):
                # a footnote at the foot of a table's page ("1应收棚改款是…", in smaller type):
                # held back, so that the table's rows overleaf go on from its rows, not after it
                self.notes.append(lines)
                return
            self._notes()
            self.last_table = None  # text between two tables: the second one is a table of its own
        if self.length:
            self._emit("\n\n")
        larger = size + max(self.lay.same_size, self.lay.display_step * size)
        words = len(_WORDISH.findall("".join(ln.text for _p, ln in lines)))
        # (a sidebar's labels are set larger than its text too, but head no part of the report)
        display = (all(ln.size >= larger or (ln.bold and not bold) for _p, ln in lines) and words >= 2
                   and not all(ln.side for _p, ln in lines))
        self._set_apart(lines)
        start = self.length
        for i, (pno, ln) in enumerate(lines):
            if i:
                prev = lines[i - 1][1].text
                if prev[-1:].isascii() and prev[-1:].isalpha() and ln.text[:1].isascii() and ln.text[:1].isalpha():
                    self._emit(" ")
            self._emit(ln.text, pno, ln.chars)
        if display:
            self.display_spans.append((start, self.length))
        one = lines[0][1]
        self.flush_line = ((start, self.length, one) if len(lines) == 1 and not display and words >= 2
                           and abs(one.size - size) < self.lay.same_size
                           and one.text[-1:] not in _CLAUSE_END and "。" not in one.text else None)

    def _set_apart(self, lines: list[tuple[int, _Line]]) -> None:
        """The line on its own before this paragraph is a heading set apart by position when it
        stands at the paragraph's left edge and the paragraph opens with a first-line indent:
        reports whose headings are in the running type ("結語" above "　　以上謹就…") mark them
        so, flush where every paragraph is indented."""
        held, self.flush_line = self.flush_line, None
        if held is None or len(lines) < 2:
            return
        start, end, line = held
        first, second = lines[0][1], lines[1][1]
        size = line.size
        if (abs(first.size - size) < self.lay.same_size
                and abs(second.bbox.x0 - line.bbox.x0) < self.lay.touching_gap * size + self.lay.same_row
                and first.bbox.x0 - line.bbox.x0 > self.lay.indent * size):
            self.display_spans.append((start, end))

    def _group_row_overleaf(self, ln: _Line, t: Table, pno: int) -> bool:
        """A short line opening a page right above a table that goes on from the page before (as
        many columns, no header of its own to tell): a group row of that table left unshaded
        above its first ruled row ("各地市、州、省直辖行政区"), not text between two tables."""
        last, was = self.last_table, self.last_table_at
        return (last is not None and was is not None and was[0] < pno and len(last.rows[0]) == len(t.rows[0])
                and len(ln.text) <= self.lay.running_line and ln.text[-1:] not in _CLAUSE_END
                and ln.bbox.x0 >= t.bbox.x0 - self.lay.same_row and ln.bbox.x1 <= t.bbox.x1 + self.lay.same_row
                and 0 <= t.bbox.y0 - ln.bbox.y1 < ln.size)

    def _table(self, t: Table, pno: int, continues: bool, previous: Table | None) -> None:
        self.flush_line = None
        if not continues:
            self._notes()  # the notes under the table before this one
        rows = t.rows
        if continues and previous is not None and [c[0] for c in rows[0]] == [c[0] for c in previous.rows[0]]:
            rows = rows[1:]  # the header repeated on the next page
        if continues:
            self._emit("\n")
        elif self.length:
            self._emit("\n\n")
        title = "".join(text for text, _chars in rows[0]) if rows and not continues else ""
        if title and _CAPTION.match(title):
            # the table's number and title set in a row of its frame ("表9 …（单位：亿元、%）"),
            # its words dealt to the columns below: its caption, a paragraph above it, not a row
            for text, chars in rows[0]:
                self._emit(text, pno, chars)
            rows = rows[1:]
            if rows:
                self._emit("\n\n")
        for r, row in enumerate(rows):
            if r:
                self._emit("\n")
            for c, (text, chars) in enumerate(row):
                if c:
                    self._emit("\t")
                self._emit(text, pno, chars)
        if continues and previous is not None:
            previous.rows.extend(rows)
        self._notes()


# The numbers that open a heading or a numbered item: 一、 （一） 第三章 第二部分 1. 1.1 (1) ①.
# A line opening with one after a line that stopped short is a new paragraph, never the end of
# the previous heading: "二、农业" above "（一）种植业" are two headings.
_OUTLINE_NUMBER = re.compile(
    r"^(?:[一二三四五六七八九十百]{1,3}[、．.]|[（(][一二三四五六七八九十\d]{1,3}[）)]"
    r"|第[一二三四五六七八九十百零〇\d]{1,4}[章节篇部分编]|\d{1,2}[、．.](?![\d.．])|\d{1,2}(?:[.．]\d{1,2})+\s"
    r"|[①-⑳])")


_SENTENCE_END = "。！？!?；;"
_OUTLINE_DIGITS = str.maketrans("一二三四五六七八九十百0123456789０１２３４５６７８９②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳",
                                 "一" * 11 + "0" * 20 + "①" * 19)


def _outline_form(text: str) -> str | None:
    """The numbering form of a line's outline number ("二、" and "十一、" are both "一、"), or None."""
    m = _OUTLINE_NUMBER.match(text)
    return re.sub(r"一+", "一", re.sub(r"0+", "0", m.group().translate(_OUTLINE_DIGITS))) if m else None


_ITEM_LEAD = _SENTENCE_END + "：:︰"  # what a line before a numbered item or heading ends with
_CLAUSE_END = "。！？!?；;：:，,、”’」』）)"


JUSTIFIED_LINES = 3  # lines ending at one place make a justified right edge


def _justified_edge(rights: list[float], lay: Layout = LAYOUT) -> float:
    """Where a page's running text ends on the right: the furthest edge that several of its
    lines end at, so that a stray line beyond the measure (a seal's words stamped beside the
    text, "联合资信评估…份") does not widen it; the furthest line when no edge is shared."""
    ordered = sorted(rights, reverse=True)
    for x in ordered:
        if sum(1 for r in ordered if abs(r - x) <= lay.same_row) >= JUSTIFIED_LINES:
            return x
    return ordered[0] if ordered else 0.0


def _top(ln: _Line) -> float:
    """Where a line's characters start on the page: the middle one's top. A glyph drawn with a
    larger box (figures in a font with a tall ascent: "11.34" beside 9 pt Chinese) raises the
    line's box, not its place."""
    tops = ln.chars[1::4]
    return statistics.median(tops) if tops else ln.bbox.y0


def _first_word(ln: _Line) -> float:
    """How wide the line's first unbreakable piece is: one character of Chinese (running Chinese
    wraps at any character), or a whole Latin word or number ("2024", "GDP"), which never
    breaks and goes down whole when it does not fit at the end of the line above."""
    ch, text = ln.chars, ln.text
    end = 1
    if text[:1].isascii():
        while end < len(text) and text[end].isascii() and not text[end].isspace():
            end += 1
    return max(ch[4 * (end - 1) + 2] - ch[0], ln.size)


def _hanging(prev: _Line, ln: _Line, edge: float, lay: Layout = LAYOUT) -> bool:
    """A numbered line that runs on with a hanging indent: its next line starts under the text
    after the number ("一、歲出刪減…" then "減數高達…" under "歲"), the numbered line being full:
    the next line's first word would not have fitted in what it leaves of the measure. A numbered
    heading on a line of its own stops at least that short, and the paragraph after it, indented
    by two characters, starts where the text after a two-character number ("三、") starts."""
    m = _OUTLINE_NUMBER.match(prev.text)
    if not m or edge - prev.bbox.x1 > _first_word(ln) + lay.touching_gap * prev.size:
        return False
    i = len(m.group().rstrip())
    while i < len(prev.text) and prev.text[i].isspace():
        i += 1
    if i >= len(prev.text):
        return False
    return abs(ln.bbox.x0 - prev.chars[4 * i]) < lay.touching_gap * prev.size + lay.same_row


def _new_paragraph(prev: _Line, ln: _Line, body_size: float, pitch: float, right: float,
                   lay: Layout = LAYOUT, body_right: float = 0.0) -> bool:
    size = max(prev.size, ln.size, 1)
    a, b = prev.bbox, ln.bbox
    if a.x1 < max(right, body_right) - lay.early_stop * size and _OUTLINE_NUMBER.match(ln.text):
        return True  # a numbered line after a short one: a heading or item of its own
    if abs(prev.size - ln.size) > lay.new_size:
        return True
    if (b.x0 <= a.x0 + lay.same_row and (form := _outline_form(ln.text)) is not None
            and form == _outline_form(prev.text)):
        return True  # numbered like the line above, at its left: the next item of one list ("一、…" "二、…")
    if prev.bold != ln.bold and not (a.x1 >= max(right, body_right) - lay.early_stop * size
                                     and prev.text[-1:] not in _WEIGHT_BREAK_ENDS):
        return True  # a change of weight ends a paragraph, unless a bold lead runs on at the line's end
        # ("（一）…双升。一是扩大有⏎效投资。" with its words cut by the wrap)
    if prev.face and ln.face and prev.face != ln.face:
        return True  # another typeface at the same size: a heading set in 黑体 or 楷体 above 宋体 text
    if prev.face and not ln.face and ln.lead and ln.lead != prev.face and a.x1 < max(right, body_right) - size:
        return True  # a heading in its face that stops short, over a paragraph opening with a run-in
        # lead in another ("一、坚持…运行" in 黑体 over "加强财政资源与预算统筹。" in 楷体, then 仿宋)
    if (prev.text[-1:] in _ITEM_LEAD and _OUTLINE_NUMBER.match(ln.text)
            and b.x0 <= a.x0 + lay.touching_gap * size + lay.same_row):
        # a numbered line after a finished sentence or a lead ending in a colon, starting where
        # that line starts or further left (a hanging number): an item or heading of its own,
        # even when the line above ran almost to the edge
        return True
    step = _top(ln) - _top(prev)
    if step > lay.paragraph_gap * max(pitch, size) or step < -size:  # a larger gap, or a jump back up (next column)
        return True
    edge = max(right, body_right)
    if b.x0 - a.x0 > lay.indent * size and not _hanging(prev, ln, edge, lay):
        return True  # first-line indent of a new paragraph
    if (prev.text[-1:] in _SENTENCE_END and b.x1 < edge - lay.cjk_wrap * size
            and ln.text[-1:] not in _CLAUSE_END and "。" not in ln.text):
        return True  # a short line without a stop after a finished sentence: a heading of its own
    if a.x1 - a.x0 < lay.short_line * (edge - a.x0) and b.x1 - b.x0 < lay.short_line * (edge - b.x0):
        return True  # two short lines (a title page, an address block): separate lines
    right = max(right, b.x1)
    if a.x1 < right - lay.early_stop * size and (
            prev.text[-1:] in "。！？!?：:；;”）)" or right - a.x1 > lay.half_line * (right - a.x0)):
        # the previous line stopped short after a full stop, or at less than half the width:
        # its paragraph ended (a line wrapped early at a space stops only a little short)
        return True
    # the measure is at least as wide as the next line ("（一）税收返还和转移支付情况" over a
    # full line of its paragraph, first on the block, when the block's right edge is still its own)
    if max(edge, right) - a.x1 > _first_word(ln) + (lay.cjk_wrap - 1) * size:
        return True  # the next line's first word would have fitted: the line ended its paragraph
    if prev.size > body_size * lay.heading_size and a.x1 < edge - lay.early_stop * size:
        return True  # display type that stopped short: a heading ends there (a long one wraps on)
    return False


def box_of(placed: tuple[Placed, ...], starts: list[int], raw_start: int, raw_end: int,
           first_line: bool = False) -> tuple[int | None, BBox | None]:
    """Page and box of a raw span: the union of its own characters' boxes on its first page.

    With ``first_line`` only the characters on the line where the span begins count: a claim
    wrapped across two lines ("1234.⏎5亿元") gets the box of its first part, one rectangle on
    the number rather than one over both lines' width. Blocks and cells take all their lines.
    """
    i = max(bisect.bisect_right(starts, raw_start) - 1, 0)
    page = None
    box = None
    while i < len(placed) and placed[i].start < raw_end:
        p = placed[i]
        i += 1
        if p.end <= raw_start:
            continue
        if page is None:
            page = p.page
        elif p.page != page:
            break
        part = p.box(raw_start, raw_end)
        box = part if box is None else box.union(part)
        if first_line:
            break
    return page, box
