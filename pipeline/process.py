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
from .names import report_id_for  # noqa: F401  (the report id of an input; defined in names)
from .normalize import normalize_text
from .segment import segment

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
PDF_SUFFIXES = {".pdf"}
INPUT_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES


def normalize_stage(doc: Document) -> Document:
    return doc.evolve(normal=normalize_text(doc.raw), lines=LineIndex.of(doc.raw))


def provenance_stage(doc: Document) -> Document:
    """Page and box of every block, cell and claim of a PDF report (text reports have none).

    Each box is the union of the item's own characters on its first page; a claim wrapped across
    lines takes the characters on the line where it begins (one rectangle over the number).
    """
    if not doc.boxes:
        return doc
    from .model import evolved
    from .pdf import box_of

    starts = [b.start for b in doc.boxes]

    def place(item, first_line: bool = False):
        page, bbox = box_of(doc.boxes, starts, item.raw_start, max(item.raw_end, item.raw_start + 1), first_line)
        return evolved(item, page=page, bbox=bbox)

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


def load_document(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int | None = None) -> Document:
    path = Path(path)
    if path.suffix.lower() in PDF_SUFFIXES:
        from .pdf import read_pdf_report

        pdf = read_pdf_report(path, max_bytes=max_bytes, **({"max_pages": max_pages} if max_pages else {}))
        return Document(report_id=report_id_for(path), source_path=str(path), sha256=pdf.sha256,
                        encoding="pdf", raw=pdf.text, boxes=pdf.boxes, pages=pdf.pages,
                        furniture=pdf.furniture, display=pdf.display,
                        source_info={"metadata": pdf.metadata, "page_info": list(pdf.page_info)})
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise ReportError(
            str(path),
            "unsupported_input",
            f"'{path.suffix or 'no suffix'}' files are not read; give a text report or a PDF "
            f"({', '.join(sorted(INPUT_SUFFIXES))}).",
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
