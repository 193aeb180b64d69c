"""One report through every stage, without Prefect.

``STAGES`` lists the stages in order; ``process_document`` composes them in a loop, which is what
``flows.py`` wraps as a Prefect task and what tests and benchmarks call directly.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Callable

from .checks import run_checks
from .claims import extract_claims
from .errors import ReportError
from .indicators import extract_indicators
from .ingest import DEFAULT_MAX_BYTES, read_text_report
from .model import Document, LineIndex
from .normalize import normalize_text
from .segment import segment

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
PDF_SUFFIXES = {".pdf"}
INPUT_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES


def normalize_stage(doc: Document) -> Document:
    return doc.evolve(normal=normalize_text(doc.raw), lines=LineIndex.of(doc.raw))


def provenance_stage(doc: Document) -> Document:
    """Page and box of every block, cell and claim of a PDF report (text reports have none)."""
    if not doc.boxes:
        return doc
    from .model import evolved
    from .pdf import locate

    starts = [b.start for b in doc.boxes]

    def place(item):
        page, bbox = locate(doc.boxes, starts, item.raw_start, max(item.raw_end, item.raw_start + 1))
        return evolved(item, page=page, bbox=bbox)

    return doc.evolve(
        blocks=tuple(place(b) for b in doc.blocks),
        table_cells=tuple(place(c) for c in doc.table_cells),
        claims=tuple(place(c) for c in doc.claims),
    )


STAGES: list[tuple[str, Callable[[Document], Document]]] = [
    ("normalize", normalize_stage),
    ("segment", segment),
    ("claims", extract_claims),
    ("provenance", provenance_stage),
    ("indicators", extract_indicators),
    ("checks", run_checks),
]


def report_id_for(path: str | Path) -> str:
    """The file's stem when it is already a safe name, else a safe transliteration of it."""
    stem = Path(path).stem
    if re.fullmatch(r"[A-Za-z0-9._-]+", stem) and stem not in (".", "..") and not stem.startswith("."):
        return stem
    folded = unicodedata.normalize("NFKC", stem)
    safe = re.sub(r"[^\w.-]+", "_", folded, flags=re.ASCII).strip("._-")
    import hashlib

    digest = hashlib.sha1(stem.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{safe}_{digest}" if safe else f"report_{digest}"


def load_document(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int | None = None) -> Document:
    path = Path(path)
    if path.suffix.lower() in PDF_SUFFIXES:
        from .pdf import read_pdf_report

        pdf = read_pdf_report(path, max_bytes=max_bytes, **({"max_pages": max_pages} if max_pages else {}))
        return Document(report_id=report_id_for(path), source_path=str(path), sha256=pdf.sha256,
                        encoding="pdf", raw=pdf.text, boxes=pdf.boxes, pages=pdf.pages,
                        furniture=pdf.furniture,
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
    import time

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
