"""Which quantities of a sentence are claims.

``numbers`` finds every numeral as written; most are claims, but a report's numerals also write
dates, ordinals, codes, names and slogans ("一带一路", "三个代表"), anniversaries ("建党一百周年"),
idioms ("百年未有之大变局", "千家万户") and vague magnitudes ("上亿", "成千上万"). The rules here
tell them apart from the numeral's neighbours in its sentence; the words they look for are the
lexicon's (``pipeline/lexicon/nonclaims.toml``).
"""

from __future__ import annotations

import dataclasses
import re

from .lexicon import load as load_lexicon
from .numbers import Quantity, parse_number, scan_quantities

_LEX = load_lexicon()


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NONCLAIMS = _LEX.tables["nonclaims"]
# Words inside which no number is a claim: names, slogans, idioms, vague magnitudes.
_NOT_QUANTITIES = re.compile(_alternation(
    list(_NONCLAIMS["names"]["words"]) + list(_NONCLAIMS["vague"]["words"])))
_ANNIVERSARY_BEFORE = re.compile(f"(?:{_alternation(_NONCLAIMS['anniversaries']['before'])})$")
_ANNIVERSARY_UNITS = frozenset(_NONCLAIMS["anniversaries"]["units"])
_IDIOM_SCALES = frozenset(_NONCLAIMS["anniversaries"]["idiom_scales"])
_IDIOM_UNITS = frozenset(_NONCLAIMS["anniversaries"]["idiom_units"])
ANNIVERSARY_REACH = 8  # characters before a number of years read for 建党, 成立 (新中国成立)
_YEAR_UNITS = frozenset(("年",)) | _ANNIVERSARY_UNITS
_RATE_BASE = tuple(_NONCLAIMS["rates"]["base_before"])
_AVERAGE_SPAN = tuple(_NONCLAIMS["rates"]["span_before"])

_SCALE_CHARS = frozenset(_LEX.scales)
_SCALE_ONLY = re.compile(r"(?<=[过破超逾上近])(?:百|千)?[万亿]+(?![0-9])")
_DOUBLING = re.compile(_alternation(_LEX.mapping("changes", "words")["doubling"]))
# "翻两番" doubles twice: 4 倍; "翻三番" 8 倍.
_DOUBLINGS = re.compile(r"翻([两二三四五])番")
_DOUBLING_TIMES = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5}
_LIST_JOINER = re.compile(r"\s*[、和及与]\s*")
_LABELS = _NONCLAIMS["labels"]
_ORDINAL_BEFORE = _LABELS["ordinal_before"]
_FIRST_BEFORE = _LABELS["first_before"]
_FIGURE_BEFORE = _LABELS["numbered_before"]
_LUNAR_BEFORE = _LABELS["lunar_before"]
_LABEL_AFTER = _LABELS["label_after"]
_UNITLESS_NEXT = frozenset(_LABELS["unitless_next"])
_UNITLESS_AFTER = frozenset(_LABELS["unitless_after_numeral"])
_MONTH_BEFORE = _LABELS["month_before"]
_MONTH_AFTER = _LABELS["month_after"]
_NUMBERED_BEFORE = set(" \t\n\u3000附见如续（(，,。；;：:")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
_REPUBLIC_DATE = re.compile(r"\s*年\s*(?:[1-9]|1[0-2])\s*月(?!份?\s*[以之]?[内後后来])")
ORDINAL_LIMIT = 20  # "前三个行业" is an ordinal; "前 100 名" still a count
SMALL_COUNT = 10  # a bare integer below this with no unit is a list number, not a quantity
SHORT_LABEL = 9  # a quoted phrase this short holding a number is a label (“三个一批”)


def claim_quantities(sentence: str) -> list[tuple[Quantity, dict]]:
    """Quantities of a sentence that are claims, with any facts found while deciding."""
    blocked = [m.span() for m in _NOT_QUANTITIES.finditer(sentence)]
    found: list[tuple[Quantity, dict]] = []
    for q in _share_list_units(sentence, scan_quantities(sentence)):
        if blocked and any(s < q.end and q.start < e for s, e in blocked):
            continue
        if is_claim(sentence, q):
            found.append((q, {}))
    taken = [(q.start, q.end) for q, _ in found] + blocked
    for m in _SCALE_ONLY.finditer(sentence):  # "过亿", "破万"
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        if sentence[m.end() : m.end() + 1] in ("级",):
            continue
        value = parse_number(m.group())
        found.append((Quantity(m.start(), m.end(), m.group(), value, "", "", True, True), {}))
    if "翻" in sentence:
        for m in _DOUBLING.finditer(sentence):
            found.append((Quantity(m.start(), m.end(), m.group(), parse_number("2"), "倍", "", False, True),
                          {"change": "increase"}))
        for m in _DOUBLINGS.finditer(sentence):
            value = parse_number(str(2 ** _DOUBLING_TIMES[m.group(1)]))
            found.append((Quantity(m.start(), m.end(), m.group(), value, "倍", "", False, True),
                          {"change": "increase"}))
    found.sort(key=lambda item: item[0].start)
    # "高于…增速16.4个、1.3个百分点": a list whose last member writes the whole unit
    for i in range(len(found) - 2, -1, -1):
        q, nxt = found[i][0], found[i + 1][0]
        if (q.unit == "个" and nxt.unit == "个百分点" and q.end <= nxt.start
                and _LIST_JOINER.fullmatch(sentence[q.end : nxt.start])):
            found[i] = (dataclasses.replace(q, unit=nxt.unit), found[i][1])
    return found


_LIST_MEMBER_JOINER = re.compile(r"\s*[、/和及与]\s*")


def _share_list_units(sentence: str, qs: list[Quantity]) -> list[Quantity]:
    """A list of bare numbers whose last member writes the unit and scale shares them:
    "EPS 分别为1.23/1.45/1.67元", "分别增长8.5、9.6和10.2%", "分别为12、15和20万人"."""
    share = None  # (unit, scale, has_scale) of the list's last member, carried to the front
    for i in range(len(qs) - 2, -1, -1):
        q, nxt = qs[i], qs[i + 1]
        if (q.unit or q.has_scale or q.inner or q.chinese_only or q.value_max is not None
                or not (nxt.unit or nxt.has_scale) or nxt.chinese_only
                or not _LIST_MEMBER_JOINER.fullmatch(sentence[q.end : nxt.start])):
            share = None
            continue
        if share is None:
            share = (nxt.unit, _trailing_scale_of(nxt.numeral), nxt.has_scale)
        unit, scale, has_scale = share
        qs[i] = dataclasses.replace(q, unit=unit, value=q.value * scale, has_scale=has_scale)
    return qs


def _trailing_scale_of(numeral: str):
    factor = parse_number("1")
    for ch in reversed(numeral):
        if ch not in _SCALE_CHARS:
            break
        factor *= parse_number(ch)
    return factor


def is_date_like(q: Quantity) -> bool:
    return q.unit in ("", "年", "月", "日") and not q.has_scale


def is_claim(s: str, q: Quantity) -> bool:
    before = s[max(0, q.start - 2) : q.start]
    # "\0" stands in for "no character", so that `in` tests never match an empty string
    prev = before[-1:] or "\0"
    nxt = s[q.end : q.end + 1] or "\0"
    after_num = s[q.start + len(q.numeral) : q.start + len(q.numeral) + 1] or "\0"
    unit = q.unit
    if prev in _ORDINAL_BEFORE or (prev in _FIRST_BEFORE and q.value <= ORDINAL_LIMIT and not q.has_scale):
        return False  # ordinals and "前三个行业"
    if prev in _FIGURE_BEFORE and not unit and (q.start < 2 or s[q.start - 2] in _NUMBERED_BEFORE):
        return False  # "表10 2023年…", "见图3": the number of a table or figure (not "代表300人")
    if _latin(prev) or (_latin(after_num) and not unit.isascii()) or (not unit and (_latin(nxt) or nxt == ".")):
        return False  # 5G, 3A, B2C, PM2.5, 3.0版
    # the characters next to the numeral, spaces skipped, and the one after its unit
    spaced_prev = s[max(0, q.start - 3) : q.start].rstrip(" ")[-1:]
    spaced_next = s[q.start + len(q.numeral) : q.start + len(q.numeral) + 3].lstrip(" ")[:1]
    if spaced_prev in (":", "：") or spaced_next in (":", "：") or nxt in (":", "："):
        return False  # times and ratios, also typeset with spaces ("2.9 : 30.7 : 66.4")
    rest = s[q.start + len(q.numeral) : q.start + len(q.numeral) + 2]
    if (prev == "+" and s[q.start - 2 : q.start - 1].isdigit()) or (
            len(rest) == 2 and rest[0] == "+" and rest[1] in "0123456789"):
        return False  # "1+10" as a programme name (but "同比+15.6%" is a signed change)
    if prev == "[" or prev == "(" and nxt == ")":
        return False  # footnote markers
    if prev in _LUNAR_BEFORE or unit == "届":
        return False  # 初七 is a lunar date, 十九届 an ordinal
    if after_num in _LABEL_AFTER and not unit:
        return False  # "80后", "十亿级", "三大趋势"
    if _inside(s, q.start, "《", "》"):
        return False
    if unit in _YEAR_UNITS and _is_anniversary(s, q):
        return False
    if q.value == 1 and s.startswith(_RATE_BASE, q.end):
        return False  # "1美元兑7.1217元": the base of an exchange rate
    if unit == "年" and s.startswith(_AVERAGE_SPAN, q.end):
        return False  # "两年平均增长3.1%": the span of an average
    if unit in ("年",) and not q.has_scale and q.value >= 1000:
        return False  # a year
    if (unit in ("", "年") and after_num in " 年\u3000" and not q.has_scale
            and _REPUBLIC_DATE.match(s, q.start + len(q.numeral))):
        return False  # "101 年 12 月": a date of the Republic calendar (Taiwan reports)
    if unit == "月":
        if not q.chinese_only:
            return False  # "4月" is a date; durations are written "4个月"
        if prev in _MONTH_BEFORE or nxt in _MONTH_AFTER:
            return False
    if unit in ("日",):
        return False
    if _inside(s, q.start, "“", "”") and s.find("”", q.start) - s.rfind("“", 0, q.start) <= SHORT_LABEL:
        return False  # a short quoted label: “三个一批”
    if q.chinese_only and not q.has_scale and q.value in (0, 1) and unit not in ("倍", "%"):
        return False  # "一个", "一家": an article, not a quantity (but "零点三个百分点" is one)
    if q.chinese_only and not unit and not q.has_scale:
        return False
    if not unit and not q.has_scale and q.value_max is None:
        if nxt in _UNITLESS_NEXT or after_num in _UNITLESS_AFTER:
            return False
        if _YEAR.fullmatch(q.numeral):
            return False  # a bare year
        if "." not in q.numeral and q.value < SMALL_COUNT and not q.inner:
            return False
    return True


def _is_anniversary(s: str, q: Quantity) -> bool:
    """"30周年", "建党一百年", "新中国成立75年", and 百年/千年 without a digit (百年大计)."""
    if q.unit in _ANNIVERSARY_UNITS:
        return True
    if q.chinese_only and q.numeral in _IDIOM_SCALES and q.unit in _IDIOM_UNITS:
        return True
    return bool(_ANNIVERSARY_BEFORE.search(s[max(0, q.start - ANNIVERSARY_REACH) : q.start]))


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _inside(s: str, pos: int, open_ch: str, close_ch: str) -> bool:
    o = s.rfind(open_ch, 0, pos)
    return o != -1 and s.find(close_ch, o, pos) == -1 and s.find(close_ch, pos) != -1
