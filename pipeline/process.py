"""One report through every stage, without Prefect.

``STAGES`` lists the stages in order; ``process_document`` composes them in a loop, which is what
``flows.py`` wraps as a Prefect task and what tests and benchmarks call directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .checks import run_checks
from .claims import extract_claims
from .errors import ReportError
from .indicators import extract_indicators
from .ingest import DEFAULT_MAX_BYTES, read_text_report
from .model import Document, LineIndex
from .names import report_id_for
from .normalize import normalize_text
from .segment import segment

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
INPUT_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES | HTML_SUFFIXES
HEAD_BYTES = 4096  # enough for a BOM, an XML prolog and a long DOCTYPE before <html


def normalize_stage(doc: Document) -> Document:
    return doc.evolve(normal=normalize_text(doc.raw, doc.display), lines=LineIndex.of(doc.raw))


def provenance_stage(doc: Document) -> Document:
    """Where every block, cell and claim came from: page and box of a PDF (and whether OCR read
    it, with the engine's confidence), paragraph or table cell of a Word file or web page.

    Each box is the union of the item's own characters on its first page; a claim wrapped across
    lines takes the characters on the line where it begins (one rectangle over the number).
    """
    anchors = doc.source_info.get("anchors") or ()
    if not doc.boxes and not anchors:
        return doc
    import bisect

    from .model import evolved
    from .pdf import box_of

    starts = [b.start for b in doc.boxes]
    anchor_starts = [a.start for a in anchors]

    ocr_lines = doc.source_info.get("ocr_lines") or ()

    def ocr_of(page, bbox) -> dict:
        if not ocr_lines:
            return {}
        from .pdf import ocr_confidence

        score = ocr_confidence(ocr_lines, page, bbox)
        return {} if score is None else {"ocr": True, "ocr_confidence": score}

    def anchor_of(raw_start: int) -> str:
        i = bisect.bisect_right(anchor_starts, raw_start) - 1
        if i >= 0 and raw_start < anchors[i].end:
            return anchors[i].locator
        # a span starting in a separator (a heading's leading blank) takes the next piece
        return anchors[i + 1].locator if i + 1 < len(anchors) else ""

    def place(item, first_line: bool = False):
        end = max(item.raw_end, item.raw_start + 1)
        if anchors:
            return evolved(item, locator=anchor_of(item.raw_start))
        page, bbox = box_of(doc.boxes, starts, item.raw_start, end, first_line)
        return evolved(item, page=page, bbox=bbox, **ocr_of(page, bbox))

    return doc.evolve(
        blocks=tuple(place(b) for b in doc.blocks),
        table_cells=tuple(place(c) for c in doc.table_cells),
        claims=tuple(place(c, first_line=True) for c in doc.claims),
    )


STAGES: list[tuple[str, Callable[[Document], Document]]] = [
    ("normalize", normalize_stage),
    ("segment", segment),
    ("claims", extract_claims),
    ("provenance", provenance_stage),
    ("indicators", extract_indicators),
    ("checks", run_checks),
]


def sniff_form(path: Path) -> str:
    """What a file is by its first bytes: "pdf", "docx", "html" or "text" (the text path decides
    whether its bytes are text at all). The suffix only decides when the bytes say nothing."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return "text"  # the text reader names the problem
    if head.lstrip()[:5].startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        from .docx_reader import is_docx

        return "docx" if is_docx(path.read_bytes()) else "zip"
    from .html_reader import looks_like_html

    if looks_like_html(head):
        return "html"
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return "pdf"  # the PDF reader says why it is not one
    if suffix in DOCX_SUFFIXES:
        return "docx"
    return "text"


def load_document(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int | None = None) -> Document:
    path = Path(path)
    form = sniff_form(path)
    if form == "pdf":
        from .pdf import read_pdf_report

        pdf = read_pdf_report(path, max_bytes=max_bytes, **({"max_pages": max_pages} if max_pages else {}))
        return Document(report_id=report_id_for(path), source_path=str(path), sha256=pdf.sha256,
                        encoding="pdf", raw=pdf.text, boxes=pdf.boxes, pages=pdf.pages,
                        furniture=pdf.furniture, display=pdf.display,
                        source_info={"metadata": pdf.metadata, "page_info": list(pdf.page_info),
                                     **({"ocr_lines": pdf.ocr_lines} if pdf.ocr_lines else {})})
    if form == "docx":
        from .docx_reader import read_docx_report

        word = read_docx_report(path, max_bytes=max_bytes)
        return Document(report_id=report_id_for(path), source_path=str(path), sha256=word.sha256,
                        encoding="docx", raw=word.text,
                        source_info={"metadata": word.metadata, "anchors": word.anchors,
                                     "word_headings": list(word.headings),
                                     "docx": {"paragraphs": word.paragraphs, "tables": word.tables,
                                              "footnotes": word.footnotes}})
    if form == "html":
        from .html_reader import read_html_report

        page = read_html_report(path, max_bytes=max_bytes)
        return Document(report_id=report_id_for(path), source_path=str(path), sha256=page.sha256,
                        encoding=f"html:{page.encoding}", raw=page.text,
                        source_info={"metadata": page.metadata, "anchors": page.anchors})
    if form == "zip" or path.suffix.lower() not in TEXT_SUFFIXES:
        raise ReportError(
            str(path),
            "unsupported_input",
            ("the file is a ZIP archive but not a Word document (no word/document.xml); unpack it "
             "and give the reports inside." if form == "zip" else
             f"'{path.suffix or 'no suffix'}' files are not read and its bytes are not a PDF, Word "
             f"file or web page; give a text report, a PDF, a .docx or a saved .html page "
             f"({', '.join(sorted(INPUT_SUFFIXES))})."),
        )
    decoded = read_text_report(path, max_bytes=max_bytes)
    return Document(
        report_id=report_id_for(path),
        source_path=str(path),
        sha256=decoded.sha256,
        encoding=decoded.encoding,
        raw=decoded.text,
    )


def process_document(doc: Document, timings: dict | None = None) -> Document:
    """Run every stage in order; ``timings`` (if given) receives seconds per stage."""
    for name, stage in STAGES:
        t0 = time.perf_counter()
        try:
            doc = stage(doc)
        except ReportError:
            raise
        except Exception as exc:  # a bug of ours must not end the batch
            raise ReportError(
                doc.source_path,
                "internal_error",
                f"the {name} stage failed ({type(exc).__name__}: {exc}); please report this "
                "with the input file.",
                stage=name,
            ) from exc
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    return doc


def process_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, timings: dict | None = None,
                 max_pages: int | None = None) -> Document:
    return process_document(load_document(path, max_bytes, max_pages), timings)
