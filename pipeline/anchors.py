"""Text made from the pieces of a structured file (a Word paragraph, a web page's table cell),
with the span each piece produced: the provenance of Word and web-page inputs, as page and box
are for a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ReportError


@dataclass(frozen=True)
class Anchor:
    start: int  # raw offsets of the text this piece of the file produced
    end: int
    locator: str  # "paragraph 12", "table 3 row 2 col 1", "footnote 1"


class AnchoredText:
    """Text written piece by piece, each piece that came from the file with its locator."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.anchors: list[Anchor] = []

    def _emit(self, text: str, locator: str | None = None) -> None:
        if locator is not None and text:
            self.anchors.append(Anchor(self.length, self.length + len(text), locator))
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)


def read_within_limit(path: Path, max_bytes: int) -> bytes:
    """The bytes of a report file, once its size is known to be within ``max_bytes``; a file of
    no bytes (or only white space) is ``empty_input``."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ReportError(str(path), "too_large",
                          f"the file is {size:,} bytes, over the limit of {max_bytes:,}; raise it with --max-bytes.")
    data = path.read_bytes()
    if not data.strip():
        raise ReportError(str(path), "empty_input", "the file is empty.")
    return data
