"""The one document model every stage reads and returns.

Records are frozen so that a stage can never change what an earlier stage saw; a stage that
refines the document returns a new one with ``dataclasses.replace``. Every record that points into
the text carries code-point offsets into the *raw* decoded source, so that anything a user sees
can be checked against the report itself: ``source[raw_start:raw_end]``.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass, field, replace
from typing import Optional

SCHEMA_VERSION = "1"


@dataclass(frozen=True, slots=True)
class BBox:
    """A rectangle on a PDF page in points, from the page's top left (PyMuPDF's and pdfplumber's
    orientation): what a reader draws over the page image to show where a claim came from."""

    x0: float
    y0: float
    x1: float
    y1: float

    def union(self, other: "BBox") -> "BBox":
        return BBox(min(self.x0, other.x0), min(self.y0, other.y0),
                    max(self.x1, other.x1), max(self.y1, other.y1))

    def contains(self, other: "BBox", tolerance: float = 0.0) -> bool:
        """``other`` lies inside this box, give or take ``tolerance`` points on each edge."""
        return (self.x0 - tolerance <= other.x0 and self.y0 - tolerance <= other.y0
                and other.x1 <= self.x1 + tolerance and other.y1 <= self.y1 + tolerance)

    def contains_point(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    @classmethod
    def around(cls, boxes) -> "BBox | None":
        """The union of some boxes; None when there are none."""
        out = None
        for b in boxes:
            out = b if out is None else out.union(b)
        return out


@dataclass(frozen=True)
class TextMap:
    """Normalised text with, for every normalised character, the raw span it came from.

    ``starts[i]`` and ``ends[i]`` delimit the raw characters that produced normalised character
    ``i``; a normalised span ``[a, b)`` therefore comes from raw ``[starts[a], ends[b - 1])``.
    Characters that normalisation deletes (markup, stray spaces) belong to no normalised
    character, which is why spans are computed from both ends rather than by a single offset.
    """

    text: str
    starts: array  # array('q'); arrays keep a 50 MB input within a few hundred MB
    ends: array

    def __post_init__(self) -> None:
        if not (len(self.text) == len(self.starts) == len(self.ends)):
            raise ValueError(
                f"TextMap lengths disagree: text {len(self.text)}, starts {len(self.starts)}, "
                f"ends {len(self.ends)}"
            )

    @classmethod
    def identity(cls, text: str) -> "TextMap":
        n = len(text)
        if array("q").itemsize == 8:  # numpy fills the offsets in C (array() takes them one by one)
            import numpy as np

            offsets = np.arange(n + 1, dtype=np.int64).tobytes()
            starts, ends = array("q"), array("q")
            starts.frombytes(offsets[: 8 * n])
            ends.frombytes(offsets[8:])
            return cls(text, starts, ends)
        return cls(text, array("q", range(n)), array("q", range(1, n + 1)))

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` of the normalised span ``[start, end)`` (end exclusive)."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) is outside the text of length {len(self.text)}")
        return self.starts[start], self.ends[end - 1]


@dataclass(frozen=True)
class LineIndex:
    """Turns raw offsets into 1-based line numbers without rescanning the text."""

    line_starts: tuple[int, ...]

    @classmethod
    def of(cls, raw: str) -> "LineIndex":
        starts = [0]
        pos = raw.find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = raw.find("\n", pos + 1)
        return cls(tuple(starts))

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)


@dataclass(frozen=True)
class Block:
    """A unit of the report: a paragraph, heading, caption, note, list item, table row group.

    ``start``/``end`` are offsets into the normalised text; ``raw_start``/``raw_end`` into the raw
    source.
    """

    block_id: str
    kind: str
    text: str
    start: int
    end: int
    raw_start: int
    raw_end: int
    line: int
    section_id: Optional[str] = None
    case_id: Optional[str] = None
    period_hint: str = ""  # a block-level date (数据截至2020年4月) that its numbers inherit
    cells: tuple[tuple[str, ...], ...] = ()  # for table blocks: rows of cell texts
    page: Optional[int] = None  # PDF inputs: 1-based page and the box of the block's characters
    bbox: Optional[BBox] = None
    locator: str = ""  # Word and web-page inputs: "paragraph 12", "table 3 row 2 col 1"
    ocr: bool = False  # read from an image by OCR
    ocr_confidence: Optional[float] = None  # the OCR engine's lowest line confidence over it
    # a chart's data label: the legend or axis title of its series (交易规模（万亿元）, 同比增长率（%）),
    # which states the unit of a bare label and whether the series is a rate of change
    legend: str = ""


@dataclass(frozen=True)
class Section:
    section_id: str
    parent_id: Optional[str]
    level: str  # part, section, subsection
    number: str
    title: str
    raw_start: int
    raw_end: int
    line: int
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    case_id: str
    section_id: Optional[str]
    title: str
    raw_start: int
    raw_end: int
    line: int
    marker: bool


@dataclass(frozen=True)
class TableCell:
    table_id: str
    section_id: Optional[str]
    row: int
    col: int
    text: str
    is_header: bool
    raw_start: int
    raw_end: int
    line: int
    page: Optional[int] = None
    bbox: Optional[BBox] = None
    locator: str = ""  # Word and web-page inputs: "paragraph 12", "table 3 row 2 col 1"
    ocr: bool = False  # read from an image by OCR
    ocr_confidence: Optional[float] = None  # the OCR engine's lowest line confidence over it


@dataclass(frozen=True)
class Claim:
    claim_id: str
    surface: str
    raw_start: int
    raw_end: int
    line: int
    value: str  # exact decimal string, scale folded
    value_max: str
    unit: str
    kind: str
    qualifier: str
    change: str
    basis: str
    period: str
    period_role: str
    subject: str
    section_id: Optional[str]
    case_id: Optional[str]
    sentence: str
    block_id: str
    page: Optional[int] = None
    bbox: Optional[BBox] = None
    locator: str = ""  # Word and web-page inputs: "paragraph 12", "table 3 row 2 col 1"
    ocr: bool = False  # read from an image by OCR
    ocr_confidence: Optional[float] = None  # the OCR engine's lowest line confidence over it


@dataclass(frozen=True)
class Indicator:
    """One measured indicator and period: a level joined with its growth, from one or two claims.

    ``indicator`` is the claim's subject cleaned into a column label; ``canonical`` the name it
    pairs on across reports (an alias, else the same); ``scope`` the region word the text used
    (全市), ``region`` the area the report covers. ``period_source`` says where the period came
    from: the claim's own clause, its block, its section heading or the report's year.
    """

    indicator_id: str
    indicator: str
    canonical: str
    scope: str
    region: str
    period: str
    period_source: str
    value: str
    value_max: str
    unit: str
    kind: str
    qualifier: str
    change_value: str
    change_unit: str
    change: str
    basis: str
    claim_ids: tuple[str, ...]
    section_id: Optional[str]
    raw_start: int
    raw_end: int
    line: int
    page: Optional[int] = None
    comparable_prices: bool = False  # the growth is at comparable prices (a real, not nominal, rate)


@dataclass(frozen=True)
class Check:
    """A consistency check over figures of one report: stated against expected, within a tolerance.

    A check never alters a value; ``status`` is ``ok``, ``flag`` (outside the tolerance) or
    ``soft`` (outside it, where the report's method allows a difference, such as growth at
    comparable prices or a per-capita figure over the year's mean population).
    """

    check_id: str
    check: str
    status: str
    claim_ids: tuple[str, ...]
    stated: str
    expected: str
    tolerance: str
    detail: str


@dataclass(frozen=True)
class TitlePage:
    title: str = ""
    subtitle: str = ""
    organisation: str = ""
    date: str = ""  # as written
    year: Optional[int] = None  # the year year-less dates resolve against


@dataclass(frozen=True)
class Document:
    report_id: str
    source_path: str
    sha256: str
    encoding: str
    raw: str
    normal: Optional[TextMap] = None
    lines: Optional[LineIndex] = None
    title_page: TitlePage = field(default_factory=TitlePage)
    blocks: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()
    cases: tuple[Case, ...] = ()
    table_cells: tuple[TableCell, ...] = ()
    claims: tuple[Claim, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    checks: tuple[Check, ...] = ()
    boxes: tuple = ()  # PDF inputs: pipeline.pdf.Placed per written line or cell, in text order
    pages: int = 0
    furniture: tuple[tuple[int, int], ...] = ()  # PDF inputs: raw spans of page furniture
    display: tuple[tuple[int, int], ...] = ()  # PDF inputs: raw spans of paragraphs set larger or
    #   bolder than the running text (where unnumbered headings can be)
    source_info: dict = field(default_factory=dict)  # metadata, what each page held, Word/web anchors

    def evolve(self, **changes) -> "Document":
        return replace(self, **changes)


def evolved(item, **changes):
    """A copy of a frozen model object with some fields changed.

    ``dataclasses.replace`` re-runs ``__init__`` field by field; the provenance stage changes two
    fields of every block, cell and claim of a PDF (thousands of them), where that alone cost
    5 ms of a 70 ms report. The objects have no ``__post_init__`` to skip, so copying the field
    dict is the same object for a sixth of the price.
    """
    unknown = changes.keys() - item.__dataclass_fields__.keys()
    if unknown:
        raise TypeError(f"{type(item).__name__} has no field {sorted(unknown)}")
    new = object.__new__(type(item))
    new.__dict__.update(item.__dict__)
    new.__dict__.update(changes)
    return new

