"""Ruled tables on a PDF page, from its drawings and the words of its text layer.

Statistical bulletins draw their tables with rules: three-line tables (a rule above and below the
header and one at the foot) with column separators, or full grids. A table finder that works
from characters and cell graphs (PyMuPDF's ``find_tables``, pdfplumber's) costs 20-40 ms a page
and still leaves the real rows of a three-line table to be recovered from the words. The rules
already say where the columns are, so the grid is taken from them directly, and the rows from
the rules where every row is ruled and from the words' own lines where it is not.
"""

from __future__ import annotations

import bisect
import re
from array import array
from dataclasses import dataclass

from .model import BBox

TOL = 3.0  # points: rules this close meet (joints drawn as tiny squares, rules a hair apart)
MIN_RULE = 5.0  # shorter strokes are joints, dots or glyph parts, not rules
FRAME_ROWS = 3  # rows: a framed block of fewer rows and no number is a banner or a label panel
OPEN_TABLE_WIDTH = 100.0  # points: the rules of a table without column rules span this at least
OPEN_TABLE_HEIGHT = 0.6  # × page height: such a table is shorter (a page's head and foot rules
#   are further apart)
WRAPPED_LABEL = 2.0  # × character height: a label ending this close to the widest label filled
#   its column and wrapped (a row label is cut at any character, so a character or two short)
ROW_PITCH_SPREAD = 1.6  # × the first body row's height: a row rule further on closes something else
OPEN_HEADER_LINES = 4.0  # × line height: its header (between the first two rules) is this short


@dataclass
class Table:
    """A table read from a page: its frame and its rows of cells. A cell is (text, chars): the
    characters' boxes, four numbers each as in ``pdf.Placed``, so that a cell's box is the union
    of exactly its characters. The rows of a table continued overleaf are added to it."""

    bbox: BBox
    rows: list  # list of rows; a row is a list of (text, chars)


@dataclass(frozen=True, slots=True)
class Word:
    """A run of characters between spaces on one line, with its characters' boxes and its centre
    (what decides the cell it belongs to)."""

    box: BBox
    cx: float
    cy: float
    text: str
    chars: array


def words_of(lines) -> list[Word]:
    """The words of the page's lines (anything with ``text`` and ``chars``), split at spaces."""
    out = []
    for ln in lines:
        text, ch = ln.text, ln.chars
        for m in re.finditer(r"\S+", text):
            a, b = m.start() * 4, m.end() * 4
            box = BBox(min(ch[a:b:4]), min(ch[a + 1:b:4]), max(ch[a + 2:b:4]), max(ch[a + 3:b:4]))
            out.append(Word(box, (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, m.group(), ch[a:b]))
    return out


@dataclass(frozen=True)
class Grid:
    """The frame of one ruled table: column edges, row rules, and how far the columns run on
    past the last rule (a table whose body continues on the next page has no closing rule)."""

    xs: tuple[float, ...]  # column edges, left to right, outer edges included
    ys: tuple[float, ...]  # horizontal rules, top to bottom (the top may be the columns' top)
    open_bottom: float | None = None  # where the column rules end below the last rule

    @property
    def bbox(self) -> BBox:
        return BBox(self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    def cell(self, r: int, c: int) -> BBox:
        return BBox(self.xs[c], self.ys[r], self.xs[c + 1], self.ys[r + 1])


def rulings(drawings) -> tuple[list, list]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) rules from ``page.get_cdrawings()``.

    Stroked lines, thin filled rectangles (how many producers draw rules) and the edges of
    larger rectangles (cell backgrounds, framed cells) all count; white fills without a stroke
    are page backgrounds, not rules.
    """
    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    padding = _cell_paddings(drawings)
    for d in drawings:
        stroked = d.get("color") is not None
        fill = d.get("fill")
        for item in d.get("items", ()):
            kind = item[0]
            if kind == "l":
                (ax, ay), (bx, by) = item[1], item[2]
                if abs(ay - by) < 1 and abs(ax - bx) > MIN_RULE:
                    hs.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
                elif abs(ax - bx) < 1 and abs(ay - by) > MIN_RULE:
                    vs.append(((ax + bx) / 2, min(ay, by), max(ay, by)))
            elif kind == "re":
                x0, y0, x1, y1 = item[1]
                x0, x1 = min(x0, x1), max(x0, x1)
                y0, y1 = min(y0, y1), max(y0, y1)
                if not stroked and fill is not None and min(fill) > 0.95:
                    continue  # a white panel
                if not stroked and (x0, y0, x1, y1, fill) in padding:
                    continue
                w, h = x1 - x0, y1 - y0
                if h < 2 and w > MIN_RULE:
                    hs.append(((y0 + y1) / 2, x0, x1))
                elif w < 2 and h > MIN_RULE:
                    vs.append(((x0 + x1) / 2, y0, y1))
                elif w > MIN_RULE and h > MIN_RULE:
                    hs += [(y0, x0, x1), (y1, x0, x1)]
                    vs += [(x0, y0, y1), (x1, y0, y1)]
    return hs, vs


MIN_WHITE_CELLS = 12  # white fills: a spreadsheet's cells in rows and columns; fewer are panels
MIN_WHITE_ROWS = 3


def white_cell_rules(drawings, page_area: float) -> tuple[list, list]:
    """The edges of white cell backgrounds, as rules. A spreadsheet printed without borders
    (WPS or Excel pages of a budget's tables) draws each cell as a white fill and nothing else:
    the fills are its only grid. A few white fills are panels or page backgrounds (one larger
    than half the page is), so only many of them count; the caller keeps the grids they form
    apart from those of real rules."""
    rects = [(x0, y0, x1, y1) for x0, y0, x1, y1, fill in _fills(drawings)
             if min(fill) > 0.95 and (x1 - x0) * (y1 - y0) < page_area / 2]
    # a cell has a neighbour in its row, edge to edge (a white band behind each line of text,
    # one per line, is no cell: it has none)
    rows: dict[tuple, list] = {}
    for r in rects:
        rows.setdefault((round(r[1]), round(r[3])), []).append(r)
    rects = [r for r in rects if any(o is not r and (abs(o[0] - r[2]) <= 1 or abs(o[2] - r[0]) <= 1)
                                     for o in rows[(round(r[1]), round(r[3]))])]
    if len(rects) < MIN_WHITE_CELLS:
        return [], []
    hs = [h for x0, y0, x1, y1 in rects for h in ((y0, x0, x1), (y1, x0, x1))]
    vs = [v for x0, y0, x1, y1 in rects for v in ((x0, y0, y1), (x1, y0, y1))]
    return hs, vs


def white_grids(grids: list[Grid], white: list[Grid], words: list[Word]) -> list[Grid]:
    """The grids of white cells that no grid of real rules overlaps, with rows enough to be a table.
    A spreadsheet may leave its label column unfilled: words left of the grid on most of its rows
    are that column."""
    def overlaps(a: BBox, b: BBox) -> bool:
        return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1
    out = []
    for w in white:
        if len(w.ys) <= MIN_WHITE_ROWS or any(overlaps(w.bbox, g.bbox) for g in grids):
            continue
        left = [x for x in words if x.box.x1 <= w.xs[0] + 1 and w.ys[0] <= x.cy <= w.ys[-1]]
        rows = {bisect.bisect(w.ys, x.cy) for x in left}
        if 2 * len(rows) >= len(w.ys) - 1:
            w = Grid((min(x.box.x0 for x in left) - 1, *w.xs), w.ys, w.open_bottom)
        out.append(w)
    return out


def _fills(drawings) -> list[tuple]:
    """Rectangles filled without a stroke, larger than a rule: (x0, y0, x1, y1, fill)."""
    return [(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), d["fill"])
            for d in drawings if d.get("color") is None and d.get("fill") is not None
            for item in d.get("items", ()) if item[0] == "re"
            for x0, y0, x1, y1 in (item[1],) if abs(x1 - x0) > MIN_RULE and abs(y1 - y0) > MIN_RULE]


PADDING_SLACK = 0.05  # points: a text area shares its cell's edge, up to the rounding of the two


def _cell_paddings(drawings) -> set:
    """Fills drawn inside a fill of the same colour (a cell's background, then its text area inset
    by a few points): one background, whose inner edges nobody sees and are no rules. Their edges
    would split each cell of a filled header into a thin frame and its middle."""
    # by their top-left corner, the larger first: an outer fill comes before the fills inside it
    fills = sorted(_fills(drawings), key=lambda f: (f[0], f[1], -f[2], -f[3]))
    out = set()
    for i, inner in enumerate(fills):
        for outer in fills[:i]:
            if (outer[4] == inner[4] and outer != inner
                    and outer[0] <= inner[0] + PADDING_SLACK and outer[1] <= inner[1] + PADDING_SLACK
                    and inner[2] <= outer[2] + PADDING_SLACK and inner[3] <= outer[3] + PADDING_SLACK):
                out.add(inner)
                break
    return out


def _collinear(segments: list) -> list:
    """Pieces of one rule joined: the shared edges of neighbouring cells, a rule drawn in pieces.
    A grid drawn cell by cell has four edges per cell; joined, it has one per rule."""
    lines: list[list] = []  # [position, pieces]; pieces within 1 point of a line's first one
    for seg in sorted(segments):
        if lines and seg[0] - lines[-1][0] <= 1:
            lines[-1][1].append(seg)
        else:
            lines.append([seg[0], [seg]])
    out = []
    for _pos, pieces in lines:
        joined: list[list[float]] = []
        for pos, a, b in sorted(pieces, key=lambda s: s[1]):
            if joined and a <= joined[-1][2] + TOL:
                joined[-1][2] = max(joined[-1][2], b)
            else:
                joined.append([pos, a, b])
        out += [tuple(j) for j in joined]
    return out


def find_grids(hs: list, vs: list) -> list[Grid]:
    """Rules that touch or cross form one frame; a frame with two or more columns is a table."""
    segs = [("h", *s) for s in _collinear(hs)] + [("v", *s) for s in _collinear(vs)]
    parent = list(range(len(segs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(segs):
        for j in range(i + 1, len(segs)):
            if _touch(a, segs[j]):
                ri, rj = root(i), root(j)
                if ri != rj:
                    parent[rj] = ri
    groups: dict[int, list] = {}
    for i, s in enumerate(segs):
        groups.setdefault(root(i), []).append(s)
    grids = []
    for members in groups.values():
        grid = _grid([s for s in members if s[0] == "h"], [s for s in members if s[0] == "v"])
        if grid is not None:
            grids.append(grid)
    grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
    return grids


def closed_by_rules(grids: list[Grid], hs: list, page_height: float, words: list | None = None) -> list[Grid]:
    """A header row drawn as a grid, its columns ruled only there, whose body is closed by a rule
    of the header's own width further down (research notes set their forecast tables so): the
    body runs down to that rule, as a table's body runs down to the end of its column rules.
    Where every body row has a rule of its own (rating reports and yearbooks rule each row under a
    filled header), the body runs on through those rules while they keep the rows' pitch and
    numbers stand between them."""
    free = _collinear(hs)
    out = []
    row_rules: dict[int, list[float]] = {}
    for g in grids:
        if g.open_bottom is None and (len(g.ys) == 2 or words is not None and _header_only(g, words)):
            below = sorted(h[0] for h in free if h[0] > g.ys[-1] + MIN_RULE
                           and abs(h[1] - g.xs[0]) <= TOL and abs(h[2] - g.xs[-1]) <= TOL
                           and h[0] - g.ys[0] <= OPEN_TABLE_HEIGHT * page_height)
            if below:
                walked = [below[0]]
                pitch = walked[0] - g.ys[-1]  # the first body row's height
                for y in below[1:]:
                    if (y - walked[-1] > ROW_PITCH_SPREAD * pitch or words is None
                            or not _numbers_between(words, g.xs[0], g.xs[-1], walked[-1], y)):
                        break
                    walked.append(y)
                g = Grid(g.xs, g.ys, walked[-1])
                if len(walked) > 1:
                    row_rules[id(g)] = walked
        out.append(g)
    # rows shaded in turn are frames of their own, inside the body an earlier header runs down
    # through: they are rows of that body, not tables of their own
    kept = [g for g in out if not any(
        o is not g and o.open_bottom is not None and o.xs[0] - TOL <= g.xs[0] and g.xs[-1] <= o.xs[-1] + TOL
        and o.ys[-1] - TOL <= g.ys[0] and g.ys[-1] <= o.open_bottom + TOL for o in out)]
    # a body the walk went through rule by rule has its rows ruled: each rule ends a row (a label
    # wrapped over two lines, its figures set between them, stays one row)
    return [Grid(g.xs, tuple(_merge([*g.ys, *row_rules[id(g)]])), None) if id(g) in row_rules else g
            for g in kept]


_YEAR_WORD = re.compile(r"(?:19|20)[0-9]{2}")


def _header_only(g: Grid, words: list) -> bool:
    """A grid of several ruled rows holding words but no figure but years: a header of two rows
    ("2023年" over "收入 占比") drawn as cells, its body below it."""
    inside = _inside(words, BBox(g.xs[0], g.ys[0], g.xs[-1], g.ys[-1]))
    return bool(inside) and not any(_NUMBER_CELL.fullmatch(w.text) and not _YEAR_WORD.fullmatch(w.text)
                                    for w in inside)


def _touch(a, b) -> bool:
    if a[0] == b[0]:  # collinear pieces of one rule
        return abs(a[1] - b[1]) <= 1 and a[2] <= b[3] + TOL and b[2] <= a[3] + TOL
    h, v = (a, b) if a[0] == "h" else (b, a)
    return h[2] - TOL <= v[1] <= h[3] + TOL and v[2] - TOL <= h[1] <= v[3] + TOL


def _merge(values: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue  # a double rule, or a cell background's edge beside its rule, is one rule
        out.append(v)
    return out


def _grid(hs: list, vs: list) -> Grid | None:
    if not hs or not vs:
        return None
    left = min(min(h[2] for h in hs), min(v[1] for v in vs))
    right = max(max(h[3] for h in hs), max(v[1] for v in vs))
    xs = _merge([left, right] + [v[1] for v in vs if left + TOL < v[1] < right - TOL])
    if len(xs) < 3:
        return None  # a frame around one block of text (a box, a panel): not a table
    ys = _merge([h[1] for h in hs])
    top = min(v[2] for v in vs)
    bottom = max(v[3] for v in vs)
    if top < ys[0] - MIN_RULE:
        ys.insert(0, top)  # columns start above the first rule: the rest of a table from overleaf
    if len(ys) < 2:
        return None
    open_bottom = bottom if bottom > ys[-1] + MIN_RULE else None
    return Grid(tuple(xs), tuple(ys), open_bottom)


_NUMBER_CELL = re.compile(r"[-+]?[0-9][0-9,]*(?:\.[0-9]+)?%?")
# A ratio of shares ("8.5:41.8:49.7", a structure of three sectors) is a figure of a body row too.
_RATIO_CELL = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[:：][0-9]+(?:\.[0-9]+)?)+")


def _join(text: str, chars: array, word: Word) -> tuple[str, array]:
    """Words of one line: a space only between two Latin letters or digits, as typeset. The space
    is no character of the page: it repeats the box of the character before it."""
    w = word.text
    if text and text[-1].isascii() and text[-1].isalnum() and w[:1].isascii() and w[:1].isalnum():
        return text + " " + w, chars + chars[-4:] + word.chars
    return text + w, chars + word.chars


def _lines_of(words: list[Word]) -> list[tuple[float, list[Word]]]:
    """Words grouped into visual lines (centres within 3 points), top to bottom."""
    lines: list[list] = []
    for w in sorted(words, key=lambda w: (w.cy, w.box.x0)):
        if lines and abs(lines[-1][0] - w.cy) < 3:
            lines[-1][1].append(w)
        else:
            lines.append([w.cy, [w]])
    return [(cy, ws) for cy, ws in lines]


def _inside(words: list[Word], box: BBox) -> list[Word]:
    x0, y0, x1, y1 = box.x0, box.y0, box.x1, box.y1
    return [w for w in words if x0 <= w.cx <= x1 and y0 <= w.cy <= y1]


def _cell_lines(words: list[Word], box: BBox) -> list[tuple[str, array]]:
    """The lines of text in one cell with their characters' boxes."""
    out = []
    for _cy, ws in _lines_of(_inside(words, box)):
        text, chars = "", array("d")
        for w in sorted(ws, key=lambda w: w.box.x0):
            text, chars = _join(text, chars, w)
        out.append((text, chars))
    return out


def tables_on_page(grids: list[Grid], words: list, body_lines, body_size: float,
                   page_height: float) -> list[Table]:
    """Each grid as a table of (text, bbox) cells.

    Grids ruled between every row keep their cells. A three-line table has one tall body cell
    per column holding all of its lines (the "stacked" form): its rows come from the words'
    lines instead. A header with no ruled body below it (the body runs to the page foot, or on
    overleaf) takes the lines below it down to the columns' end, or to the next line set in the
    body's type size. A lone stacked row with no header is the rest of a table from overleaf.
    """
    tables: list[Table] = []
    last_frame: dict[int, tuple] = {}  # a table's id: the column bounds of its last frame
    for drawn in grids:
        if tables and _within(drawn.bbox, tables[-1].bbox):
            continue  # a shaded row of the table read already
        g = _without_empty_columns(drawn, words)
        if g is None:
            continue
        g = _without_padding_rows(g, words)
        g = _with_unruled_columns(g, words)
        y1 = g.bbox.y1
        nrows = len(g.ys) - 1
        ncols = len(g.xs) - 1
        cells = [[_cell_lines(words, g.cell(r, c)) for c in range(ncols)] for r in range(nrows)]
        stacked = any(_stacked(row) for row in cells)
        if nrows == 1 and stacked:
            table = _table_from_words(g, words, has_header=False)
        elif nrows == 1:
            if g.open_bottom is not None:
                bottom = g.open_bottom
            else:
                # the next line below the header in the running text's type or larger (a heading
                # set right under the table), within the table's width (a sidebar beside the table
                # goes on below it)
                below = [ln for ln in body_lines if ln.bbox.y0 >= y1 - 1 and ln.size > body_size - 0.5
                         and ln.bbox.x1 > g.xs[0] and ln.bbox.x0 < g.xs[-1]]
                bottom = min((ln.bbox.y0 for ln in below), default=page_height * 0.92) - 1
            if tables and (more := _shaded_rows_of(tables[-1], g, words, bottom, last_frame[id(tables[-1])],
                                                   partial_only=g.open_bottom is not None)) is not None:
                last_frame[id(more)] = _columns_of(tables[-1], g, last_frame[id(tables[-1])])
                tables[-1] = more
                continue
            if not tables and _figures_in(cells[0]):
                # a shaded row of figures first on its page: the rest of a table from overleaf,
                # its unshaded rows above it included, and no header of its own
                top = _rows_above(g, words)
                table = _table_from_words(Grid(g.xs, (top, g.ys[-1]), g.open_bottom), words, bottom, has_header=False)
            else:
                table = None
            table = table or _table_from_words(g, words, bottom) or _table_from_cells(g, cells)
        elif tables and _figures_in(cells[0]) and (more := _shaded_rows_of(
                tables[-1], g, words, g.open_bottom or g.ys[-1], last_frame[id(tables[-1])])) is not None:
            last_frame[id(more)] = _columns_of(tables[-1], g, last_frame[id(tables[-1])])
            tables[-1] = more  # rows of figures ruled or shaded as a frame of their own under a table
            continue
        elif not tables and _figures_in(cells[0]) and (top := _rows_above(g, words)) < g.ys[0]:
            # shaded rows of figures first on their page, unshaded rows of figures above them:
            # the rest of a table from overleaf, read from its words, with no header of its own
            table = _table_from_words(Grid(g.xs, (top, g.ys[-1])), words, has_header=False)
        elif nrows == 2 and stacked:
            table = _table_from_words(g, words)  # header rule, then one unruled body
        elif _mostly_stacked(cells):
            table = _table_with_stacked_rows(g, cells, words)  # a header of several rows, groups of rows
        else:
            table = _table_from_cells(g, cells)
        if table is not None and nrows >= 2 and g.open_bottom is not None:
            table = _with_open_body(table, g, words, body_lines, body_size)
        if table is not None and not _a_frame_of_words(table, g):
            tables.append(_without_blank_columns(table))
            last_frame[id(tables[-1])] = g.xs
    return [_with_rows_below(t, last_frame[id(t)], words, grids, page_height) for t in tables]


def _with_rows_below(table: Table, xs: tuple, words: list[Word], grids: list[Grid], page_height: float) -> Table:
    """A table whose rows are shaded in turn may end in an unshaded row: no frame and no rule
    below it, so the frames end a row early. Lines of figures right under the table, within its
    columns, one under another at about a row's height, are its last rows (the next frame on the
    page, another table, is where they stop)."""
    frame = table.bbox
    stop = min((g.ys[0] for g in grids if g.ys[0] > frame.y1 - TOL), default=page_height)
    bottom = frame.y1
    below = [w for w in words if w.cy > frame.y1 and w.box.y1 < stop]
    for _cy, ws in _lines_of(below):
        y0, y1 = min(w.box.y0 for w in ws), max(w.box.y1 for w in ws)
        if (y0 - bottom > SHADED_ROW_GAP * (y1 - y0)
                or any(w.box.x0 < frame.x0 - TOL or w.box.x1 > frame.x1 + TOL for w in ws)
                or not any(_NUMBER_CELL.fullmatch(w.text) for w in ws)
                or sum(1 for w in ws if _NUMBER_CELL.fullmatch(w.text) or w.text.strip("-—") == "") < 2
                or _PAGE_NUMBER_LINE.fullmatch("".join(w.text for w in ws))
                or any(_SENTENCE_MARK.search(w.text) for w in ws)):
            break
        bottom = y1 + 1
    if bottom == frame.y1:
        return table
    more = _table_from_words(Grid(xs, (frame.y1, bottom)), words, has_header=False)
    if more is None or len(more.rows[0]) != len(table.rows[0]):
        return table
    return Table(BBox(frame.x0, frame.y0, frame.x1, bottom), table.rows + more.rows)


_SENTENCE_MARK = re.compile(r"[。，；：:！？]")
_PAGE_NUMBER_LINE = re.compile(r"[-—－–]*[0-9]{1,4}[-—－–]*")  # "—17—", "- 3 -": the page's number, no row


HEADING_STEP = 1.0  # points: a line this much larger than the running text is a heading
SHADED_ROW_GAP = 2.5  # × a shaded row's height: unshaded rows between it and the rows above, at most


def _figures_in(row: list) -> bool:
    """A ruled row holding figures (not years): a row of a table's body, not its header."""
    return sum(1 for cell in row[1:] for t, _b in cell if _NUMBER_CELL.fullmatch(t) and not _YEAR_WORD.fullmatch(t)) >= 2


def _rows_above(band: Grid, words: list[Word]) -> float:
    """The top of the unshaded rows right above a shaded row: lines within its columns, each with
    figures, one under another at about the row's height."""
    height = band.ys[-1] - band.ys[0]
    top = band.ys[0]
    lines = _lines_of([w for w in words if band.xs[0] - TOL <= w.cx <= band.xs[-1] + TOL and w.cy < band.ys[0]])
    for _cy, ws in reversed(lines):
        y0, y1 = min(w.box.y0 for w in ws), max(w.box.y1 for w in ws)
        if top - y1 > SHADED_ROW_GAP * height or sum(1 for w in ws if _NUMBER_CELL.fullmatch(w.text)) < 2:
            break
        top = y0 - 1
    return top


def _within(box: BBox, frame: BBox) -> bool:
    return (frame.x0 - TOL <= box.x0 and box.x1 <= frame.x1 + TOL
            and frame.y0 - TOL <= box.y0 and box.y1 <= frame.y1 + TOL)


def _shaded_rows_of(above: Table, band: Grid, words: list[Word], bottom: float, xs: tuple,
                    partial_only: bool = False) -> Table | None:
    """A frame of the table's width just below a table: rows the table shades (rating reports
    shade every other row, each a frame of its own), not a header over a table of its own.
    The table goes on, row by row from its words, down to where such a header's body would end;
    ``None`` where the frame is not such a row (another width, further down, other columns).

    A band may leave out the table's first columns (``xs``, the table's column edges) when its
    own columns are the table's: a cell merged down a group of rows ("在建" beside its projects)
    is not shaded with them. Its rows are then read under the table's own columns. Of one-row
    bands whose column rules run on below them only such a partial band is taken
    (``partial_only``): full-width ones one under another are the bars of a stacked bar chart,
    each split where its own shares end, not rows of one table."""
    frame = above.bbox
    height = band.ys[1] - band.ys[0]  # its first row's
    # (frames of shaded rows may also start inside the table's ruled body and run on below it)
    on_columns = all(any(abs(x - bx) <= TOL for x in xs) for bx in band.xs)
    partial = abs(frame.x0 - band.xs[0]) > TOL
    if ((partial and not on_columns) or (partial_only and not partial) or abs(frame.x1 - band.xs[-1]) > TOL
            or not frame.y0 < band.ys[0] <= frame.y1 + SHADED_ROW_GAP * height + TOL
            or band.ys[-1] <= frame.y1 + TOL):
        return None
    columns = band.xs if abs(frame.x0 - band.xs[0]) <= TOL else _columns_of(above, band, xs)
    body = _table_from_words(Grid(columns, (frame.y1, max(bottom, band.ys[-1]))), words, has_header=False)
    if body is None:
        return None
    body = _without_blank_columns(_rows_by_band(body, band))
    if len(body.rows[0]) != len(above.rows[0]):
        return None
    return Table(BBox(frame.x0, frame.y0, frame.x1, body.bbox.y1), above.rows + body.rows)


def _rows_by_band(table: Table, band: Grid) -> Table:
    """Lines inside one shaded row of ``band`` are one row: a name wrapped over two lines with its
    figures set between them ("湖州产芯科技……项目" / "1.76 0.28" / "（封测二期）") fills one
    band. Lines outside the band's rows (the unshaded rows between bands) stay as they are."""
    def row_of(row: list) -> int | None:
        ys = [(ch[i + 1] + ch[i + 3]) / 2 for _t, ch in row for i in range(0, len(ch), 4)]
        if not ys:
            return None
        cy = sum(ys) / len(ys)
        i = bisect.bisect(band.ys, cy) - 1
        return i if 0 <= i < len(band.ys) - 1 else None

    groups: list[list] = []
    last = None
    for row in table.rows:
        at = row_of(row)
        if at is not None and at == last and groups:
            groups[-1].append(row)
        else:
            groups.append([row])
        last = at
    rows: list[list] = []
    for group in groups:
        with_figures = sum(1 for row in group if any(_NUMBER_CELL.fullmatch(t) for t, _ch in row[1:]))
        if len(group) == 1 or with_figures > 1:
            rows += group  # several rows of figures in one band: a stacked body, rows of their own
            continue
        rows.append([("".join(t for t, _ in cells), sum((ch for _, ch in cells), array("d")))
                     for cells in zip(*group, strict=True)])
    return Table(table.bbox, rows) if len(rows) < len(table.rows) else table


def _columns_of(table: Table, band: Grid, xs: tuple) -> tuple:
    """The column edges rows of ``band`` are read under: the band's own, from the table's left
    edge; the table's first columns and then the band's where the band leaves those out."""
    if abs(table.bbox.x0 - band.xs[0]) <= TOL:
        return band.xs
    return tuple(x for x in xs if x < band.xs[0] - TOL) + band.xs


def _without_blank_columns(table: Table) -> Table:
    """A column no row writes in is no column. Word draws a shaded cell twice, the cell and its
    text area inside it, and the text area's edges become grid columns: strips between a cell's
    rule and its words. Left in, they shift a header row's names off the columns they head (a
    year spanning 收入 | 毛利率 then heads 收入 and a strip, and the margins lose their %)."""
    keep = [c for c in range(len(table.rows[0])) if any(c < len(row) and row[c][0] for row in table.rows)]
    if len(keep) == len(table.rows[0]) or len(keep) < 2:
        return table
    return Table(table.bbox, [[row[c] for c in keep] for row in table.rows])


def _stacked(row: list) -> bool:
    """A ruled row whose cells each hold several lines, numbers among them: several rows of a
    table that rules only its columns (and its groups), not one row of wrapped text. (Of two
    tables side by side, the right one's labels may be the lines stacked.)"""
    return ((len(row[0]) >= 2 or any(_label_cell(cell) for cell in row[1:]))
            and any(sum(1 for t, _b in cell if _NUMBER_CELL.fullmatch(t)) >= 2 for cell in row[1:]))


def _label_cell(cell: list) -> bool:
    """A cell of several lines of words, no figure among them: the labels of a table's rows."""
    return len(cell) >= 2 and not any(_NUMBER_CELL.fullmatch(t) for t, _b in cell)


def _with_open_body(table: Table, g: Grid, words: list[Word], body_lines=(), body_size: float = 0.0) -> Table:
    """A header of ruled rows whose column rules run on below its last rule (a body without row
    rules, going on overleaf): the lines down to the columns' end are its rows, or down to a
    heading set larger than the running text (an appendix's next heading between two tables)."""
    bottom = g.open_bottom or g.ys[-1]
    heads = [ln.bbox.y0 for ln in body_lines if g.ys[-1] < ln.bbox.y0 < bottom and ln.size > body_size + HEADING_STEP
             and ln.bbox.x1 > g.xs[0] and ln.bbox.x0 < g.xs[-1]]
    bottom = min(heads, default=bottom + 1) - 1
    body = _table_from_words(Grid(g.xs, (g.ys[-1], bottom)), words, has_header=False)
    if body is None:
        return table
    x0, y0, x1, _y1 = table.bbox.x0, table.bbox.y0, table.bbox.x1, table.bbox.y1
    return Table(BBox(x0, y0, x1, body.bbox.y1), table.rows + body.rows)


def _mostly_stacked(cells: list) -> bool:
    """Most ruled rows with numbers hold several lines: a table ruled by groups of rows. Where most
    hold one, the few that hold more are cells whose text wrapped (a long decimal, a long label),
    unless the labels of one are three lines or more with figures beside them (four items of a
    budget table in one ruled row over its 合计, some of them empty)."""
    numeric = [row for row in cells if any(_NUMBER_CELL.fullmatch(t) for cell in row[1:] for t, _b in cell)]
    return (2 * sum(1 for row in numeric if _stacked_rows(row)) > len(numeric)
            or any(_deeply_stacked(row) or (_stacked_rows(row) and len(row[0]) >= STACKED_LINES) for row in numeric))


STACKED_LINES = 3  # number lines in every value cell of one ruled row: rows, never a wrapped value


def _deeply_stacked(row: list) -> bool:
    """One ruled row holding the whole body (a header ruled row by row above a body ruled only
    around): however few such rows, each of its lines is a row."""
    values = [sum(1 for t, _b in cell if _NUMBER_CELL.fullmatch(t)) for cell in row[1:] if cell]
    return _stacked_rows(row) and bool(values) and min(values) >= STACKED_LINES


_CLAUSE_MARKS = ("，", "、", ",", "；", ";", "：", ":")  # a line ending so goes on in the next: wrapped text


def _stacked_rows(row: list) -> bool:
    """Stacked, and no cell holds more lines than the row labels: each line is a row of its own
    (a label may wrap onto a second line; a cell beside it never holds a line with no label).
    Two tables side by side ("项目 | 预算数 … | 项目 | 预算数 …") have a label column each: a cell
    is held to the labels nearest on its left."""
    if not _stacked(row):
        return False
    labels, figures = row[0], False
    for cell in row[1:]:
        if not figures and not any(_NUMBER_CELL.fullmatch(t) for t, _b in cell):
            if len(cell) > len(labels) and not any(t.rstrip().endswith(_CLAUSE_MARKS) for t, _b in cell):
                # label columns side by side ("地区 | 项目 | 类型"): the rows' labels are the one
                # with most lines, each a label of its own (not a sentence wrapped in its cell)
                labels = cell
            continue
        if figures and _label_cell(cell):
            labels, figures = cell, False  # words after figures: the labels of the table on the right
        elif len(cell) > len(labels):
            return False
        figures = figures or any(_NUMBER_CELL.fullmatch(t) for t, _b in cell)
    return True


def _table_with_stacked_rows(g: Grid, cells: list, words: list[Word]) -> Table | None:
    """A grid some of whose ruled rows are stacked: those are rebuilt from the words' lines, one
    row a line, and the ruled rows (a header of several rows, say) keep their cells."""
    table = _table_from_cells(g, cells)
    if table is None:
        return None
    rows: list = []
    for r, row in enumerate(cells):
        if not _stacked_rows(row):
            rows.append(table.rows[r])
            continue
        band = _table_from_words(Grid(g.xs, (g.ys[r], g.ys[r + 1])), words, has_header=False)
        rows.extend(band.rows if band is not None else [table.rows[r]])
    return Table(table.bbox, rows)


def open_grids(hs: list, grids: list[Grid], words: list[Word], page_height: float,
               figures: tuple = ()) -> list[Grid]:
    """Three-line tables drawn without column rules (research notes, yearbooks): three or more
    rules of one width, the second close under the first (the header), with the words between
    them in columns that a blank strip divides in every row. The columns are those strips; the
    grid is then read like a ruled one. Rules of a ruled table, and pairs of rules (a page's
    head and foot rules, a box's top and bottom), are no such table."""
    def in_grid(rule) -> bool:
        return any(g.xs[0] - TOL <= rule[1] and rule[2] <= g.xs[-1] + TOL
                   and g.ys[0] - TOL <= rule[0] <= (g.open_bottom or g.ys[-1]) + TOL for g in grids)

    def in_figure(rule) -> bool:  # a chart's axis or frame, with its ticks: no table
        return any(f.x0 - TOL <= rule[1] <= f.x1 + TOL and f.y0 - TOL <= rule[0] <= f.y1 + TOL for f in figures)

    free = [h for h in _collinear(hs) if h[2] - h[1] > OPEN_TABLE_WIDTH and not in_grid(h) and not in_figure(h)]
    sets: list[list] = []  # rules of one width, top to bottom
    for h in sorted(free):
        for group in sets:
            if abs(group[0][1] - h[1]) <= TOL and abs(group[0][2] - h[2]) <= TOL:
                group.append(h)
                break
        else:
            sets.append([h])
    out = []
    for rules in sets:
        ys = _merge([r[0] for r in rules])
        x0, x1 = rules[0][1], rules[0][2]
        i = 0
        while i + 2 < len(ys):
            end = i + 2
            grid = _open_grid(words, x0, x1, ys[i], ys[i + 1], ys[end], page_height)
            if grid is None:
                i += 1
                continue
            # rules between groups of rows: the body runs on to the last rule with numbers above it
            while end + 1 < len(ys) and _numbers_between(words, x0, x1, ys[end], ys[end + 1]):
                longer = _open_grid(words, x0, x1, ys[i], ys[i + 1], ys[end + 1], page_height)
                if longer is None:
                    break
                grid, end = longer, end + 1
            out.append(grid)
            i = end + 1
    return out


def _numbers_between(words: list[Word], x0: float, x1: float, top: float, bottom: float) -> bool:
    return any(_NUMBER_CELL.fullmatch(w.text) or _RATIO_CELL.fullmatch(w.text)
               for w in _inside(words, BBox(x0, top, x1, bottom)))


def _open_grid(words: list[Word], x0: float, x1: float, top: float, header: float, bottom: float,
               page_height: float) -> Grid | None:
    """The three rules top, header and bottom as a table, when the words between them make one."""
    if bottom - top > OPEN_TABLE_HEIGHT * page_height:
        return None
    inside = _inside(words, BBox(x0, top, x1, bottom))
    body = [w for w in inside if w.cy > header]
    if not body or not any(_NUMBER_CELL.fullmatch(w.text) for w in body):
        return None
    heads = [w for w in inside if w.cy <= header]
    if not heads or header - top > OPEN_HEADER_LINES * max(w.box.y1 - w.box.y0 for w in heads):
        return None  # the first two rules hold more than a header: a box or a figure, not a table
    seps = _blank_strips(body, x0, x1)
    return Grid((x0, *seps, x1), (top, header, bottom)) if seps else None


def _blank_strips(words: list[Word], x0: float, x1: float) -> list[float]:
    """The middles of the vertical strips no word touches, between x0 and x1, at least as wide
    as the words are high (a word space is narrower)."""
    spans = sorted((w.box.x0, w.box.x1) for w in words)
    least = min(w.box.y1 - w.box.y0 for w in words)
    out = []
    reach = x0
    for a, b in spans:
        if a - reach >= least and reach > x0:
            out.append((reach + a) / 2)
        reach = max(reach, b)
    lefts = min(a for a, _b in spans)
    return [m for m in out if m > lefts]


def _a_frame_of_words(table: Table, g: Grid) -> bool:
    """Boxes drawn around a few words without a number among them: a report's title banner, a
    label panel, a sidebar heading, not a table. A table's header with its body overleaf runs
    on to the page foot (an open bottom) and is kept."""
    if g.open_bottom is not None or len(table.rows) >= FRAME_ROWS:
        return False
    return not any(ch.isdigit() for row in table.rows for text, _chars in row for ch in text)


def _without_empty_columns(g: Grid, words: list) -> Grid | None:
    """A column that holds no word in any row is no column: a sliver of header background at
    the table's edge, or a frame drawn a little wider than the table. Its edge is dropped."""
    bottom = g.open_bottom or g.ys[-1]
    inside = _inside(words, BBox(g.xs[0], g.ys[0], g.xs[-1], bottom))
    xs = list(g.xs)
    c = 0
    while c < len(xs) - 1 and len(xs) > 2:
        if any(xs[c] <= w.cx <= xs[c + 1] for w in inside):
            c += 1
            continue
        del xs[c if c > 0 else 1]  # merge it into its left neighbour (the first into its right)
        if c > 0:
            c -= 1
    if len(xs) < 3:
        return None
    return Grid(tuple(xs), g.ys, g.open_bottom)


PADDING_ROW = 0.5  # × the smallest word height in a grid: an empty ruled row this low is a cell's padding


def _without_padding_rows(g: Grid, words: list) -> Grid:
    """A ruled row lower than half a line that holds no word is no row: the edge of a cell's
    padding, drawn as a strip of the cell's fill apart from its middle (Word shades cells so),
    which would split each header row in three. It joins the row above it (the first, the one
    below)."""
    inside = _inside(words, BBox(g.xs[0], g.ys[0], g.xs[-1], g.ys[-1]))
    if not inside or len(g.ys) < 3:
        return g
    low = PADDING_ROW * min(w.box.y1 - w.box.y0 for w in inside)
    ys = list(g.ys)
    r = 0
    while r < len(ys) - 1 and len(ys) > 2:
        if ys[r + 1] - ys[r] < low and not any(ys[r] <= w.cy <= ys[r + 1] for w in inside):
            del ys[r if r > 0 else 1]
            continue
        r += 1
    return g if len(ys) == len(g.ys) else Grid(g.xs, tuple(ys), g.open_bottom)


def _with_unruled_columns(g: Grid, words: list) -> Grid:
    """A ruled column that holds two columns with no rule between them ("产量 | 比上年增长%" under
    one cell of the header, their numbers side by side on every line): a blank strip that runs
    down the whole column, with a header word on each side of it and a number on each side in
    most body lines, is a column edge too. A column of wrapped text has no such strip (its lines
    start at one edge and end where they will)."""
    if len(g.ys) < 3:
        return g
    bottom = g.open_bottom or g.ys[-1]
    xs = list(g.xs)
    out = [xs[0]]
    for a, b in zip(xs, xs[1:], strict=False):
        # (a title across the table's columns, "公司财务指标（单位：亿元、%）", is no word of this one)
        inside = [w for w in _inside(words, BBox(a, g.ys[0], b, bottom))
                  if a <= w.cx <= b and a - TOL <= w.box.x0 and w.box.x1 <= b + TOL]
        # the header: the column's lines above its first number (a title row across the whole
        # table, "同业比较", may be the first ruled row, the column's names the next)
        first = next((cy for cy, ws in _lines_of(inside) if any(
            _NUMBER_CELL.fullmatch(w.text) and not _YEAR_WORD.fullmatch(w.text) for w in ws)), None)
        header_bottom = g.ys[1] if first is None else max(g.ys[1], first - TOL)
        heads = [w for w in inside if w.cy <= header_bottom]
        body = [w for w in inside if w.cy > header_bottom]
        lines = _lines_of(body) if heads and body else []
        # strips between the body's figures: a header cell spanning two of its columns ("安庆市"
        # over two years) may cross one
        for m in (_blank_strips(body, a, b) if lines else []):
            heads_both_sides = any(w.cx < m for w in heads) and any(w.cx > m for w in heads)
            both = sum(1 for _cy, ws in lines
                       if any(w.cx < m and _NUMBER_CELL.fullmatch(w.text) for w in ws)
                       and any(w.cx > m and _NUMBER_CELL.fullmatch(w.text) for w in ws))
            if heads_both_sides and 2 * both > len(lines):
                out.append(m)
        out.append(b)
    return g if len(out) == len(xs) else Grid(tuple(out), g.ys, g.open_bottom)


def _table_from_words(g: Grid, words: list[Word], bottom: float | None = None,
                      has_header: bool = True) -> Table | None:
    """Rows of a table rebuilt from the words inside it: each visual line is a row, each word
    goes to the column it sits in, and a line holding only a label continues the label of the
    row above (a wrapped name)."""
    frame = g.bbox
    if bottom is not None:
        frame = BBox(frame.x0, frame.y0, frame.x1, max(frame.y1, bottom))
    bounds = g.xs
    ncol = len(bounds) - 1
    header_bottom = g.ys[1] if has_header else frame.y0 - 1
    rows: list[list] = []
    header: list[list] = [["", array("d")] for _ in range(ncol)]
    search = BBox(frame.x0 - 1, frame.y0 - 1, frame.x1 + 1, frame.y1 + 1)
    body: list[list] = []
    for cy, ws in _lines_of(_inside(words, search)):
        cells: list[list] = [["", array("d")] for _ in range(ncol)]
        for w in sorted(ws, key=lambda w: w.box.x0):
            col = max(i for i in range(ncol) if bounds[i] - 2 <= w.cx or i == 0)
            cells[col][0], cells[col][1] = _join(cells[col][0], cells[col][1], w)
        if cy <= header_bottom:
            for i, (text, chars) in enumerate(cells):
                if text:
                    header[i][0] += text
                    header[i][1] += chars
            continue
        body.append(cells)
    # A label wraps where the label column ends: a label-only line after a label as wide as the
    # widest is the rest of that label; after a shorter one it is a row of its own (a group's
    # name, "成长性" or "每股资料(元)", above the rows it heads).
    widest = max((c[0][1][-2] for c in body if c[0][0]), default=0.0)
    for cells in body:
        label = rows[-1][0] if rows else None
        if (label is not None and label[0] and cells[0][0] and not any(c[0] for c in cells[1:])
                and label[1][-2] >= widest - WRAPPED_LABEL * (label[1][-1] - label[1][-3])):
            label[0] += cells[0][0]  # a wrapped row label
            label[1] += cells[0][1]
            continue
        rows.append(cells)
    if not rows:
        return None
    out = [[tuple(h) for h in header]] if has_header else []
    out += [[tuple(c) for c in r] for r in rows]
    return Table(frame, out)


def _table_from_cells(g: Grid, cells: list) -> Table | None:
    rows = []
    for row in cells:
        out = []
        for lines in row:
            text, chars = "", array("d")
            for t, ch in lines:
                # lines of a cell run on; a space only where two Latin words meet
                if text and text[-1].isascii() and text[-1].isalpha() and t[:1].isascii() and t[:1].isalpha():
                    text, chars = text + " ", chars + chars[-4:]
                text, chars = text + t, chars + ch
            out.append((text.replace("\t", " "), chars))
        rows.append(_dates_across_columns(out))
    if not rows or len(rows[0]) < 2:
        return None
    return Table(g.bbox, rows)


DATE_GAP = 0.5  # × the characters' height: a date's pieces this close on one line are one phrase
_DATE_CUT = re.compile(r"[0-9]$"), re.compile(r"^[年月日季]")


def _dates_across_columns(row: list[tuple[str, array]]) -> list[tuple[str, array]]:
    """A header cell that spans two columns ("2026 年3 月末" over 金额 | 占比) has its words dealt
    to the columns their centres fall in, which cuts the date: "2026 | 年3 | 月末". A cell ending
    in a digit followed, as closely as a word space on the same line, by a cell opening with 年,
    月, 日 or 季 is one date, and goes whole to the first cell."""
    out = list(row)
    c = 0
    for d in range(1, len(out)):
        (a, ach), (b, bch) = out[c], out[d]
        if not b:
            continue
        joined = False
        if a and len(ach) >= 4 and len(bch) >= 4 and _DATE_CUT[0].search(a) and _DATE_CUT[1].match(b):
            ax1, ay0, ay1 = ach[-2], ach[-3], ach[-1]
            bx0, by0, by1 = bch[0], bch[1], bch[3]
            height = max(ay1 - ay0, by1 - by0)
            if min(ay1, by1) - max(ay0, by0) > 0.5 * height and 0 <= bx0 - ax1 < DATE_GAP * height:
                out[c], out[d] = (a + b, ach + bch), ("", array("d"))
                joined = True
        if not joined:
            c = d
    return out
