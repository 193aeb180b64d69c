"""Raw report text to clean, simplified text, with every character traceable to the raw source.

Print-derived text is read first, while its columns are as printed: body lines hard-wrapped at the
page width are joined into paragraphs, and tables aligned with spaces become tab-separated rows.
Each step is a list of edits on the current text; ``_apply`` turns edits into a new ``TextMap``
whose characters keep the raw spans they came from. Anything found later on the normalised text
(a number, a heading) therefore points back to exact raw characters, the way pdfplumber's TextMap
does for characters on a page.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from array import array
from functools import lru_cache

from .model import TextMap

# Full-width ASCII that is safe to fold: digits, Latin letters and the signs that belong to numbers.
_WIDTH = {0xFF10 + i: 0x30 + i for i in range(10)}
_WIDTH.update({0xFF21 + i: 0x41 + i for i in range(26)})
_WIDTH.update({0xFF41 + i: 0x61 + i for i in range(26)})
_WIDTH.update({ord("％"): ord("%"), ord("＋"): ord("+"), ord("－"): ord("-"), ord("～"): ord("~")})
for _sp in "\u3000\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u000b\u000c":
    _WIDTH[ord(_sp)] = ord(" ")
# CJK compatibility ideographs (U+F900-FAFF, from legacy encodings and some PDFs: 度 as U+FA01) are
# the unified ideograph they stand for; their NFKC form is one character, so the map stays 1:1.
for _cp in range(0xF900, 0xFB00):
    _folded = unicodedata.normalize("NFKC", chr(_cp))
    if len(_folded) == 1 and _folded != chr(_cp):
        _WIDTH[_cp] = ord(_folded)
_WIDTH_TABLE = str.maketrans({chr(k): chr(v) for k, v in _WIDTH.items()})
# Whether a text holds any of them at all: a scan far cheaper than translating a text that has none.
_WIDTH_CHARS = re.compile("[" + "".join(re.escape(chr(k)) for k in sorted(_WIDTH)) + "]")

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_FW_NUMBER_PUNCT = re.compile(r"(?<=\d)[．，：](?=\d)")
_MARKUP = re.compile(
    r"\*\*|__|<!--.*?-->|</?(?:center|b|strong|br|sup|sub|span|font|div|p)\b[^>]*>"
    r"|^#{1,6}[ \t]+|^(?:>[ \t]?)+|!\[[^\]\n]*\]\([^)\n]*\)",
    re.S | re.M,
)
_COMMENT_LINES = re.compile(r"\n[ \t\n]*<!--.*?-->[ \t]*(?:\n[ \t]*)+", re.S)
# HTML tables become tab-separated rows, which the segmenter reads as tables.
_HTML_TABLE = re.compile(
    r"</t[dh]>\s*</tr>|</t[dh]>|</tr>|<t[dh]\b[^>]*>|</?(?:table|thead|tbody|tr)\b[^>]*>", re.I
)
_CR = re.compile(r"\r\n?")
_EDGE_SPACES = re.compile(r"^ +| +$", re.M)

_TIGHT = (
    r"\u3400-\u9fff\U00020000-\U0002ffff"  # Han
    r"\u3001-\u3011\u3014-\u301f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"  # CJK punct
    r"\u201c\u201d\u2018\u2019\u2014\u2026\u00b7"
)
_CJK = f"[{_TIGHT}]"
# A space is stray when a Han character or CJK punctuation sits on one side and a Han character,
# CJK punctuation, a digit or a number sign on the other; and between a number and its % sign.
_STRAY_SPACE = re.compile(
    rf"(?<={_CJK}) +(?=[{_TIGHT}0-9%‰+])|(?<=[0-9%‰+]) +(?={_CJK})|(?<=[0-9]) +(?=[%‰])"
)

# Typeset text puts a space after a decimal point now and then ("37. 4%", "增长16. 4 %").
_SPACE_IN_DECIMAL = re.compile(r"\.( +)[0-9]")  # after a digit (checked outside the pattern: faster)
_DIGITS = frozenset("0123456789")

_SENTENCE_END = "。！？!?；;：:…”’）)》」』"
_MARKER_START = re.compile(r"^(?:[★☆●◎■□▲◆◇\-#>*]|数据来源|资料来源|注[:：]|数据截[至止]|案例)")
_BODY_PUNCT = re.compile(r"[，。；,]")
MIN_BROKEN_LINE = 30  # a line shorter than this that lacks a full stop is a heading, not a fragment


def normalize_text(raw: str, display: tuple[tuple[int, int], ...] = ()) -> TextMap:
    """The full normalisation of one report, in a fixed order. ``display``: raw spans of the
    paragraphs a PDF sets larger or bolder than its body (headings by their type), which stay
    paragraphs of their own."""
    tm = TextMap.identity(raw)
    tm = _apply(tm, [(m.start(), m.end(), "\n") for m in _CR.finditer(tm.text)])
    tm = _apply(tm, markdown_table_edits(tm.text))
    # Print-derived layout is read while the columns are as the source set them: hard wraps and
    # tables aligned with spaces are measured in display columns, before widths are folded.
    tm = _apply(tm, print_layout_edits(tm.text))
    if _WIDTH_CHARS.search(tm.text):
        tm = _translate(tm, _WIDTH_TABLE)
    tm = _apply(tm, [(m.start(), m.end(), "") for m in _ZERO_WIDTH.finditer(tm.text)])
    tm = _apply(tm, [(m.start(), m.end(), m.group().translate({0xFF0E: ".", 0xFF0C: ",", 0xFF1A: ":"}))
                     for m in _FW_NUMBER_PUNCT.finditer(tm.text)])
    # A comment on lines of its own (an OCR page marker) is a page break: one blank line, which
    # the paragraph rejoining below may close when a sentence runs across it.
    tm = _apply(tm, [(m.start(), m.end(), "\n\n") for m in _COMMENT_LINES.finditer(tm.text)])
    tm = _apply(tm, [(m.start(), m.end(), "") for m in _MARKUP.finditer(tm.text)])
    tm = _apply(tm, [(m.start(), m.end(), _table_tag(m.group())) for m in _HTML_TABLE.finditer(tm.text)])
    tm = _apply(tm, [(m.start(), m.end(), "") for m in _EDGE_SPACES.finditer(tm.text)])
    tm = _apply(tm, [(m.start(), m.end(), "") for m in _STRAY_SPACE.finditer(tm.text)])
    tm = _apply(tm, [(m.start(1), m.end(1), "") for m in _SPACE_IN_DECIMAL.finditer(tm.text)
                     if m.start() and tm.text[m.start() - 1] in _DIGITS])
    tm = to_simplified(tm)
    tm = rejoin_broken_paragraphs(tm, display)
    return tm


# Markdown tables become tab-separated rows too. A pipe table is "| a | b |" rows with a delimiter
# row "| --- | --- |" under its header; a grid table (pandoc) draws "+----+----+" borders between its
# rows, and a row may take several lines, its cells' text continued in the same columns.
_PIPE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_PIPE_DELIMITER = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+(?:[ \t]*:?-{3,}:?[ \t]*)?[ \t]*$")
_GRID_BORDER = re.compile(r"^[ \t]*\+(?:[-=:]+\+)+[ \t]*$")


def _pipe_cells(line: str) -> list[tuple[int, int]]:
    """Spans of a pipe row's cells without the white space around them (an empty cell is empty)."""
    pipes = [k for k, ch in enumerate(line) if ch == "|" and (k == 0 or line[k - 1] != "\\")]
    cells = []
    for a, b in zip(pipes, pipes[1:], strict=False):
        body = line[a + 1 : b]
        lead = len(body) - len(body.lstrip())
        text = body.strip()
        cells.append((a + 1 + lead, a + 1 + lead + len(text)) if text else (a + 1, a + 1))
    return cells


def _row_edits(pos: int, line: str) -> list[tuple[int, int, str]]:
    """A one-line row to cells joined by tabs: each character of a cell keeps its own raw span."""
    cells = _pipe_cells(line)
    if not cells:
        return []
    edits = [(pos, pos + cells[0][0], "")]
    edits += [(pos + cells[k - 1][1], pos + cells[k][0], "\t") for k in range(1, len(cells))]
    edits.append((pos + cells[-1][1], pos + len(line), ""))
    return [e for e in edits if e[0] < e[1] or e[2]]


MAX_TABLE_CELL = 30  # a longer cell is running text
_NUMBER_RUN = re.compile(r"[0-9０-９]+(?:[.,．][0-9０-９]+)*")


def _holds_data(rows: list[str]) -> bool:
    """A table of data: each cell past the first column is short and holds at most one number, as
    the table reader takes one datum per cell. A table of prose or of compound quantities
    ("14 小时 10 分钟", "北京：配额+摇号：每年24万辆……") stays text, read like the paragraphs."""
    for line in rows:
        for a, b in _pipe_cells(line)[1:]:
            cell = line[a:b]
            if len(cell) > MAX_TABLE_CELL or len(_NUMBER_RUN.findall(cell)) > 1:
                return False
    return True


def markdown_table_edits(text: str) -> list[tuple[int, int, str]]:
    """Edits that turn Markdown pipe and grid tables into tab-separated rows, which the segmenter
    reads as tables (so their cells take units from their header). Delimiter rows and borders go.
    A grid row written on several lines becomes one row whose cells join their lines' pieces; its
    characters map to the whole row's raw span, since the pieces are not contiguous in the source."""
    if "|" not in text:
        return []
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    edits: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _PIPE_ROW.match(line) and i + 1 < len(lines) and _PIPE_DELIMITER.match(lines[i + 1]):
            j = i + 2
            while j < len(lines) and _PIPE_ROW.match(lines[j]):
                j += 1
            if _holds_data(lines[i + 2 : j]):
                edits += _row_edits(starts[i], line)
                edits.append((starts[i + 1] - 1, starts[i + 2] - 1, ""))
                for k in range(i + 2, j):
                    edits += _row_edits(starts[k], lines[k])
            i = j
            continue
        if _GRID_BORDER.match(line) and i + 1 < len(lines) and _PIPE_ROW.match(lines[i + 1]):
            j = i
            while j < len(lines) and (_GRID_BORDER.match(lines[j]) or _PIPE_ROW.match(lines[j])):
                j += 1
            if not _holds_data([ln for ln in lines[i:j] if _PIPE_ROW.match(ln)]):
                i = j
                continue
            row: list[int] = []
            for k in range(i, j + 1):
                if k < j and _PIPE_ROW.match(lines[k]):
                    row.append(k)
                    continue
                if len(row) == 1:
                    edits += _row_edits(starts[row[0]], lines[row[0]])
                elif row:
                    pieces = [[lines[r][a:b] for a, b in _pipe_cells(lines[r])] for r in row]
                    width = max(len(p) for p in pieces)
                    merged = ["".join(p[c] for p in pieces if c < len(p)) for c in range(width)]
                    edits.append((starts[row[0]], starts[row[-1]] + len(lines[row[-1]]), "\t".join(merged)))
                row = []
                if k < j:  # a border: the line and the break before it (after it, atop the text)
                    edits.append((starts[k] - 1, starts[k + 1] - 1) if k else (0, starts[1]))
                    edits[-1] = edits[-1] + ("",)
            i = j
            continue
        i += 1
    return sorted(edits)


def _table_tag(tag: str) -> str:
    t = tag.lower()
    if t.endswith("</tr>"):
        return "\n"
    if t.startswith(("</td", "</th")):
        return "\t"
    return ""


def _apply(tm: TextMap, edits: list[tuple[int, int, str]]) -> TextMap:
    """Replace non-overlapping ``[start, end)`` ranges of ``tm.text``.

    A replacement of the same length maps character to character; any other replacement maps
    each new character to the whole raw span of what it replaced.
    """
    if not edits:
        return tm
    text, starts, ends = tm.text, tm.starts, tm.ends
    out: list[str] = []
    new_starts = array("q")
    new_ends = array("q")
    pos = 0
    for start, end, repl in edits:
        if start < pos:
            raise ValueError(f"overlapping edits at {start}")
        out.append(text[pos:start])
        new_starts.extend(starts[pos:start])
        new_ends.extend(ends[pos:start])
        if repl:
            out.append(repl)
            if len(repl) == end - start:
                new_starts.extend(starts[start:end])
                new_ends.extend(ends[start:end])
            else:
                lo = starts[start] if end > start else (ends[start - 1] if start else 0)
                hi = ends[end - 1] if end > start else lo
                new_starts.extend([lo] * len(repl))
                new_ends.extend([hi] * len(repl))
        pos = end
    out.append(text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return TextMap("".join(out), new_starts, new_ends)


def _translate(tm: TextMap, table: dict) -> TextMap:
    """A one-to-one character mapping keeps every span as it is."""
    new = tm.text.translate(table)
    if len(new) != len(tm.text):  # pragma: no cover - the tables above map 1:1
        raise AssertionError("a translation table changed the text length")
    return TextMap(new, tm.starts, tm.ends)


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(tm: TextMap) -> TextMap:
    """Traditional to simplified with OpenCC, keeping the offset map.

    OpenCC converts phrase by phrase and may change the length of a phrase. The whole text is
    converted at once (phrases need their context); only where a line's length changes is that
    line converted character by character, which keeps the map exact at a small loss of phrase
    accuracy on that line alone.
    """
    if not _HAS_NON_ASCII.search(tm.text):
        return tm
    conv = _converter()
    converted = conv.convert(tm.text)
    if converted == tm.text:
        return tm
    if len(converted) == len(tm.text):
        return TextMap(converted, tm.starts, tm.ends)
    edits = []
    pos = 0
    for line in tm.text.split("\n"):
        new = conv.convert(line)
        if new != line:
            if len(new) == len(line):
                edits.append((pos, pos + len(line), new))
            else:
                for i, ch in enumerate(line):
                    c = conv.convert(ch)
                    if c != ch:
                        edits.append((pos + i, pos + i + 1, c))
        pos += len(line) + 1
    return _apply(tm, edits)


_HAS_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# One blank line between the halves; charts and infographics are set apart by more.
_BREAK = re.compile(r"\n[ \t]*\n")


def rejoin_broken_paragraphs(tm: TextMap, display: tuple[tuple[int, int], ...] = ()) -> TextMap:
    """Join a paragraph that a page or column break cut in two ("…平台推\\n\\n出的公众号…").

    The first half must read as body text (long, with commas or full stops, not ending a sentence)
    and the second half must not start a heading, marker, list item or table. A paragraph set in
    display type (``display``, raw spans) is a heading by the page's own evidence: no break next
    to it is closed, whatever its words look like ("资料来源：…整理" over "基本观点").
    """
    text = tm.text
    edits = []
    forced = -1  # a break the rule for a cut-out word has already decided to close
    shown = sorted(display)
    starts = [a for a, _b in shown]

    def on_display(pos: int) -> bool:
        if not shown or pos >= len(tm.starts):
            return False
        raw = tm.starts[pos]
        i = bisect.bisect_right(starts, raw) - 1
        return i >= 0 and raw < shown[i][1]

    for m in _BREAK.finditer(text):
        prev_start = text.rfind("\n", 0, m.start()) + 1
        prev = text[prev_start : m.start()]
        next_end = text.find("\n", m.end())
        nxt = text[m.end() : next_end if next_end != -1 else len(text)]
        if _is_heading_line(prev) or _LIST_OR_HEADING_START.match(nxt):
            continue  # a numbered heading stands alone, and a numbered line starts its own paragraph
        if shown and (on_display(prev_start) or on_display(m.end())):
            continue
        if m.start() == forced or _continues(prev, nxt):
            edits.append((m.start(), m.end(), ""))
            continue
        if next_end == -1 or not nxt or len(nxt) >= MIN_BROKEN_LINE or not prev or not _HAN.match(prev[-1]):
            continue  # only a short line after a line that stops in mid-word can be a cut-out word
        after = _BREAK.match(text, next_end)
        if after is None or on_display(after.end()):
            continue
        after_end = text.find("\n", after.end())
        third = text[after.end() : after_end if after_end != -1 else len(text)]
        if _cut_out_word(prev, nxt, third):
            edits.append((m.start(), m.end(), ""))
            forced = after.start()
    return _apply(tm, edits)


def _is_heading_line(line: str) -> bool:
    """A line that opens with a heading's or list item's number ("（一）", "2、", "1.") and holds no
    full stop is a heading or an item of its own, not the first half of a broken paragraph (a
    heading may join two clauses with a semicolon: "三、凍結金額增加9倍……；部分決議窒礙難行")."""
    return _LIST_OR_HEADING_START.match(line) is not None and not _FULL_STOP_IN.search(line)


# A page whose links were words of their own leaves them on lines of their own, in mid-sentence:
# "…加强审计、财政监督，严格\n\n项目稽察\n\n，确保资金…", "…发展壮\n\n大民\n\n族经济。…".
_CLAUSE_START = tuple("，、；：,;:）)”’")


def _cut_out_word(prev: str, word: str, nxt: str) -> bool:
    """Whether ``word`` is a piece of the sentence around it rather than a line of its own: the line
    before it stops in mid-word (no punctuation) and the line after it carries the sentence on."""
    if (not (len(prev) >= MIN_BROKEN_LINE and _BODY_PUNCT.search(prev) or "。" in prev) or not nxt or "\t" in nxt
            or "\t" in prev):
        return False  # the line before is running text (long with commas, or holding a full sentence), not a table row
    if len(word) >= MIN_BROKEN_LINE or _SENTENCE_PUNCT_IN.search(word) or "\t" in word:
        return False
    if not _HAN.match(prev[-1]) or _MARKER_START.match(nxt) or _MARKER_START.match(word):
        return False  # a source line ("资料来源：…整理") or a marker's line is a line of its own
    return nxt.startswith(_CLAUSE_START) or bool(_HAN.match(nxt[0]))


_HAN = re.compile(r"[\u3400-\u9fff]")
_SENTENCE_PUNCT_IN = re.compile(r"[。！？!?；;]")
_FULL_STOP_IN = re.compile(r"[。！？!?]")


def _continues(prev: str, nxt: str) -> bool:
    if len(prev) < MIN_BROKEN_LINE or not nxt or "\t" in prev or "\t" in nxt:
        return False
    if not _HAN.search(prev):
        return False  # a line in another language ("Add:17/F,…,Beijing PRC:100022") is no half of a Chinese one
    if len(nxt) < MIN_BROKEN_LINE and nxt[-1] not in "。！？!?":
        return False  # a short line that ends no sentence is a caption or an infographic line
    if prev[-1] in _SENTENCE_END or not _BODY_PUNCT.search(prev):
        return False
    if _MARKER_START.match(prev) or _MARKER_START.match(nxt):
        return False
    first = nxt[0]
    if first in "壹贰叁肆伍陆柒捌玖拾貳參陸" and len(nxt) <= 2:
        return False
    return bool(re.match(rf"[{_TIGHT}0-9A-Za-z]", first)) and first not in "“（(《【"


# --- Print-derived layout -------------------------------------------------------------------------
#
# Text converted from print (press clippings, old bulletins) keeps the printed lines: body lines are
# hard-wrapped at a fixed width, even inside a number ("3521.4\n7亿元"), and tables are columns
# aligned with spaces. Both are read from the document's own evidence, measured in display columns
# (an ideograph or full-width sign takes two, as it did on the page).

# A width is the document's wrap width when this many body lines, and this share of them, have it:
# a printed page fills most lines to the same width, a typed document almost never does.
MIN_WRAPPED_LINES = 5
MIN_WRAPPED_SHARE = 0.3
# Narrower "lines" are headings, captions and list items, not a page width (display columns; half
# as many characters when a text is wrapped at a count of characters).
MIN_WRAP_WIDTH = 40
# Display columns are how a page wraps; a count of characters (an editor's wrap) is taken instead
# only when it explains at least twice as many full lines, not when it fits a few by chance.
CHAR_WRAP_EVIDENCE = 2
# A line one column short of the width is full too: an ideograph did not fit in the last column.
WRAP_SLACK = 1
# Paragraphs start indented when at least this many lines start with an indent before text.
MIN_INDENTED_STARTS = 3
# A table aligned with spaces: columns separated by two display columns of space or more, and at
# least this many rows holding a number.
MIN_NUMERIC_ROWS = 2
MAX_CELL_CHARS = 30  # a longer piece between gaps is running text, not a cell

_GAP = re.compile(r"[ \u3000]{2,}|\u3000")  # two columns of space or more
_TOKEN = re.compile(r"[^ \u3000\t]+(?: [^ \u3000\t]+)*")
_NUMERIC_CELL = re.compile(r"[-+−－]?[0-9０-９][0-9０-９,，.．]*[%％‰]?")
_INDENT = re.compile(r"^(?: {2,}|\u3000+)\S")
_LIST_OR_HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十0-9]{1,3}[）)]|[0-9]{1,2}[.、．](?![0-9])"
    r"|[【〖★☆●■▲◆◎\-*•]|[①-⑳]|[表图]\s*[0-9])"
)
_SENTENCE_STOP = "。！？!?"
_MARKUP_START = re.compile(r"^\s*[<|#!]")


def _is_markup_line(line: str) -> bool:
    """Tab-separated rows and Markdown or HTML lines carry their own structure; they are never
    wrapped."""
    return "\t" in line or _MARKUP_START.match(line) is not None
_CAPTION_START = re.compile(r"^(?:[表图]\s*[0-9０-９]|单位[:：])")  # "表1  主要产品产量" heads a table


def _width(line: str) -> int:
    """Display columns of a line: two for anything outside ASCII (as a GBK page sets it)."""
    return 2 * len(line) - len(line.encode("ascii", "ignore"))


def print_layout_edits(text: str) -> list[tuple[int, int, str]]:
    """Edits that rejoin hard-wrapped paragraphs and turn space-aligned tables into tab rows."""
    lines = text.split("\n")
    table_rows = _space_table_rows(lines) if ("  " in text or "\u3000" in text) else {}
    local = _table_edits(lines, table_rows) + _wrap_edits(lines, table_rows)
    if not local:
        return []
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    # (line, start, end, replacement) with start and end relative to the line's first character
    return sorted((starts[k] + a, starts[k] + b, repl) for k, a, b, repl in local)


def _tokens(line: str) -> list[tuple[int, int]]:
    """Cell spans of a row. Single characters set apart by gaps are one word letter-spaced ("合  计",
    "建  筑  业", a header "数    量"), not cells of their own; a single unit beside a number is a cell
    ("吨  1520")."""
    spans: list[tuple[int, int]] = []
    lone_before = False
    for m in _TOKEN.finditer(line):
        a, b = m.span()
        lone = b - a == 1 and not line[a].isascii() and not _NUMERIC_CELL.fullmatch(line[a])
        if lone and lone_before:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
        lone_before = lone
    return spans


def _is_spaced_row(line: str) -> bool:
    """A line split into short pieces by wide gaps; running text has long pieces even where a wide
    space slipped into it."""
    if "  " not in line and "\u3000" not in line:
        return False
    body = line.strip(" \u3000")
    if not body or "\t" in body or _GAP.search(body) is None or _CAPTION_START.match(body):
        return False
    return all(b - a <= MAX_CELL_CHARS for a, b in _tokens(line))


def _space_table_rows(lines: list[str]) -> dict[int, str]:
    """Lines that belong to a table aligned with spaces, each with its role: a "row" split into
    columns by wide gaps, a "label" row of one cell that introduces the rows below it ("其中："), or
    a "blank": an empty line between rows of a double-spaced table, or a rule drawn across the table
    with characters. A table has at least two rows holding a number cell."""
    rows: dict[int, str] = {}
    i = 0
    while i < len(lines):
        if not _is_spaced_row(lines[i]):
            i += 1
            continue
        run = {i: "row"}
        j = i + 1
        while j < len(lines):
            if _is_spaced_row(lines[j]):
                run[j] = "row"
                j += 1
                continue
            # a blank line, a rule or a label row continues the table when a row follows it
            k = j
            while k < len(lines) and (not lines[k].strip() or _RULE_LINE.match(lines[k])):
                k += 1
            between = {n: "blank" for n in range(j, k)}
            if k < len(lines) and _is_label_row(lines[k]) and k + 1 < len(lines) and _is_spaced_row(lines[k + 1]):
                between[k] = "label"
                k += 1
            if between and k < len(lines) and _is_spaced_row(lines[k]):
                run.update(between)
                j = k
                continue
            break
        numeric = sum(
            any(_NUMERIC_CELL.fullmatch(lines[k][a:b]) for a, b in _tokens(lines[k]))
            for k, role in run.items() if role == "row"
        )
        if numeric >= MIN_NUMERIC_ROWS:
            rows.update(run)
            # the rules drawn above and below it are the table's too
            top = min(run) - 1
            while top >= 0 and _RULE_LINE.match(lines[top]):
                rows[top] = "blank"
                top -= 1
            while j < len(lines) and _RULE_LINE.match(lines[j]):
                rows[j] = "blank"
                j += 1
        i = j
    return rows


# A rule drawn with characters across a printed table: "────────", "━━━━", "------", "======".
_RULE_LINE = re.compile(r"^[ \u3000]*[─━—\-=＝_┄┈╌═]{3,}[ \u3000─━—\-=＝_┄┈╌═]*$")


def _is_label_row(line: str) -> bool:
    body = line.strip(" \u3000")
    return 0 < len(body) <= MAX_CELL_CHARS and body.endswith(("：", ":")) and not _GAP.search(body)


def _table_edits(lines: list[str], rows: dict[int, str]) -> list[tuple[int, int, int, str]]:
    """Each table's columns come from its number rows; every cell goes to the column it sits under,
    and the gaps between columns become tabs (an empty leading column, a leading tab). Blank lines
    between rows go; a label row becomes a row of one cell."""
    edits: list[tuple[int, int, int, str]] = []
    for run in _runs(sorted(rows)):
        block = [k for k in run if rows[k] == "row"]
        spans = {k: _tokens(lines[k]) for k in block}
        cols = {k: [(_width(lines[k][:a]), _width(lines[k][:b])) for a, b in spans[k]] for k in block}
        numeric = [k for k in block if any(_NUMERIC_CELL.fullmatch(lines[k][a:b]) for a, b in spans[k])]
        counts: dict[int, int] = {}
        for k in numeric:
            counts[len(spans[k])] = counts.get(len(spans[k]), 0) + 1
        n_cols = max(counts, key=lambda n: (counts[n], n))
        reference = [k for k in numeric if len(spans[k]) == n_cols]
        columns = [(min(cols[k][c][0] for k in reference), max(cols[k][c][1] for k in reference))
                   for c in range(n_cols)]
        for k in run:
            line = lines[k]
            if rows[k] == "blank":  # the blank line or rule and the break before it (after it, atop the text)
                edits.append((k, -1, len(line), "") if k else (k, 0, len(line) + 1, ""))
                continue
            if rows[k] == "label":
                edits.append((k, len(line.rstrip(" \u3000")), len(line), "\t"))
                continue
            assigned = []
            for a, b in cols[k]:
                col = _column_of(a, b, columns)
                assigned.append(max(col, assigned[-1]) if assigned else col)
            first_a = spans[k][0][0]
            if assigned[0] > 0:
                edits.append((k, 0, first_a, "\t" * assigned[0]))
            for t in range(1, len(spans[k])):
                gap_a, gap_b = spans[k][t - 1][1], spans[k][t][0]
                step = assigned[t] - assigned[t - 1]
                if step or _GAP.fullmatch(line[gap_a:gap_b]):
                    edits.append((k, gap_a, gap_b, "\t" * step))
    return edits


def _column_of(a: int, b: int, columns: list[tuple[int, int]]) -> int:
    best, best_key = 0, None
    for c, (lo, hi) in enumerate(columns):
        overlap = min(b, hi) - max(a, lo)
        distance = 0 if overlap > 0 else min(abs(a - hi), abs(lo - b))
        key = (-overlap, distance) if overlap > 0 else (1, distance)
        if best_key is None or key < best_key:
            best, best_key = c, key
    return best


def _runs(indices: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][-1] == i - 1:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _wrap_edits(lines: list[str], table_rows: dict[int, str]) -> list[tuple[int, int, int, str]]:
    """Join each line filled to the document's wrap width with the line that continues it.

    The next line continues the paragraph unless it is blank, indented (a new paragraph where the
    document indents its paragraphs), a heading, list item, caption or table row; where paragraphs
    are not indented, a line that ends a sentence ends its paragraph.
    """
    # A page wraps at a width in display columns; a text editor may wrap at a count of characters.
    # A wrapped line runs on into the next line: only lines followed by text are measured (a
    # document with blank lines between its paragraphs is done here).
    last = len(lines) - 1
    followed = [k for k in range(last) if len(lines[k]) >= MIN_WRAP_WIDTH // 2 and lines[k + 1].strip()]
    if len(followed) < MIN_WRAPPED_LINES:
        return []
    trimmed = {k: lines[k].rstrip(" \u3000") for k in followed}
    plain = [k for k in followed if k not in table_rows and not _is_markup_line(trimmed[k])
             and not _is_spaced_row(trimmed[k])]
    if len(plain) < MIN_WRAPPED_LINES:
        return []
    best = None
    for measure, narrowest in ((_width, MIN_WRAP_WIDTH), (len, MIN_WRAP_WIDTH // 2)):
        widths = [0] * len(lines)  # only body lines are measured; the others are never full
        for k in plain:
            widths[k] = measure(trimmed[k])
        body = [widths[k] for k in plain if widths[k] >= narrowest]
        if len(body) < MIN_WRAPPED_LINES:
            continue
        counts: dict[int, int] = {}
        for w in body:
            counts[w] = counts.get(w, 0) + 1
        # the wrap width with its neighbour one column short (a wide character that did not fit)
        wrap = max(counts, key=lambda w: (counts[w] + counts.get(w - WRAP_SLACK, 0), w))
        full = counts[wrap] + counts.get(wrap - WRAP_SLACK, 0)
        if full >= MIN_WRAPPED_LINES and full >= MIN_WRAPPED_SHARE * len(body) and (
                best is None or full >= CHAR_WRAP_EVIDENCE * best[0]):
            best = (full, wrap, widths)
    if best is None:
        return []
    _, wrap, widths = best
    indented = sum(1 for line in lines if _INDENT.match(line)) >= MIN_INDENTED_STARTS
    edits = []
    for k in range(len(lines) - 1):
        if not (wrap - WRAP_SLACK <= widths[k] <= wrap + WRAP_SLACK) or k in table_rows or k + 1 in table_rows:
            continue
        line, nxt = lines[k], lines[k + 1]
        if _is_markup_line(line) or _is_markup_line(nxt):
            continue
        if not nxt.strip() or _is_spaced_row(line) or (indented and _INDENT.match(nxt)):
            continue
        if nxt[:1] in " \u3000\t" or _LIST_OR_HEADING_START.match(nxt):
            continue
        if not indented and line.rstrip()[-1:] in _SENTENCE_STOP:
            continue
        edits.append((k, len(line.rstrip(" \u3000")), len(line) + 1, ""))  # trailing spaces and the break
    return edits
