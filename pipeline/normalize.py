"""Raw report text to clean, simplified text, with every character traceable to the raw source.

Each step is a list of edits on the current text; ``_apply`` turns edits into a new ``TextMap``
whose characters keep the raw spans they came from. Anything found later on the normalised text
(a number, a heading) therefore points back to exact raw characters, the way pdfplumber's TextMap
does for characters on a page.
"""

from __future__ import annotations

import re
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
_WIDTH_TABLE = str.maketrans({chr(k): chr(v) for k, v in _WIDTH.items()})

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_FW_NUMBER_PUNCT = re.compile(r"(?<=\d)[．，：](?=\d)")
_MARKUP = re.compile(
    r"\*\*|__|<!--.*?-->|</?(?:center|b|strong|br|sup|sub|span|font|div|p)\b[^>]*>"
    r"|^#{1,6}[ \t]+|!\[[^\]\n]*\]\([^)\n]*\)",
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

_SENTENCE_END = "。！？!?；;：:…”’）)》」』"
_MARKER_START = re.compile(r"^(?:[★☆●◎■□▲◆◇\-#>*]|数据来源|资料来源|注[:：]|数据截[至止]|案例)")
_BODY_PUNCT = re.compile(r"[，。；,]")
MIN_BROKEN_LINE = 30  # a line shorter than this that lacks a full stop is a heading, not a fragment


def normalize_text(raw: str) -> TextMap:
    """The full normalisation of one report, in a fixed order."""
    tm = TextMap.identity(raw)
    tm = _apply(tm, [(m.start(), m.end(), "\n") for m in _CR.finditer(tm.text)])
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
    tm = to_simplified(tm)
    tm = rejoin_broken_paragraphs(tm)
    return tm


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


def rejoin_broken_paragraphs(tm: TextMap) -> TextMap:
    """Join a paragraph that a page or column break cut in two ("…平台推\\n\\n出的公众号…").

    The first half must read as body text (long, with commas or full stops, not ending a sentence)
    and the second half must not start a heading, marker, list item or table.
    """
    text = tm.text
    edits = []
    for m in _BREAK.finditer(text):
        prev_start = text.rfind("\n", 0, m.start()) + 1
        prev = text[prev_start : m.start()]
        next_end = text.find("\n", m.end())
        nxt = text[m.end() : next_end if next_end != -1 else len(text)]
        if _continues(prev, nxt):
            edits.append((m.start(), m.end(), ""))
    return _apply(tm, edits)


def _continues(prev: str, nxt: str) -> bool:
    if len(prev) < MIN_BROKEN_LINE or not nxt or "\t" in prev or "\t" in nxt:
        return False
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
