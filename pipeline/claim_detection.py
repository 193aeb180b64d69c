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
from .numbers import Quantity, parse_number, scan_quantities, unit_at

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
_BASE_UNITS = frozenset(_NONCLAIMS["rates"]["base_units"])
_COUNTING_AFTER = _NONCLAIMS["rates"]["counting_after"]
_BARE_ORDERS = frozenset("百千万")

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
_FIRST_WORD_ENDS = tuple(_LABELS["first_word_ends"])
_LIST_OPENING_BEFORE = tuple(_LABELS["list_opening_before"])
_DIVISIONS = frozenset(_LABELS["division_units"])
_DIVISION_COUNT = rf"(?:[0-9]+|[一二三四五六七八九十两]+)[{''.join(_LABELS['division_units'])}]"
_DIVISION_NEXT = re.compile(rf"[、和及]?{_DIVISION_COUNT}")
_DIVISION_PREV = re.compile(rf"{_DIVISION_COUNT}[、和及]?$")
_DIVISION_CUE = re.compile(rf"(?:{'|'.join(map(re.escape, _LABELS['division_cues']))})$")
# A run of this many digits with no separator and no unit is a code (a credit or account number);
# amounts this large are written with separators or a scale word.
MIN_IDENTIFIER_DIGITS = 12
_METHOD_VERSION = re.compile(r"[Vv][0-9]+(?:\.[0-9]+)+")  # a method's version: "V4.1.202605"
VERSION_REACH = 16
DIVISION_REACH = 8  # characters before a division count that may hold an earlier one
_RANK_UNITS = frozenset(_LABELS["rank_units"])
_FIGURE_BEFORE = _LABELS["numbered_before"]
_LUNAR_BEFORE = _LABELS["lunar_before"]
# "附表22、23", "图3至图5", "表1-3": numbers in a list that a table's or a figure's number opens
_LIST_SEPARATORS = "、，,和及至-－~～"
_FIGURE_LIST = re.compile(rf"[{_FIGURE_BEFORE}]\s*[0-9]+(?:\s*[{_LIST_SEPARATORS}]\s*[{_FIGURE_BEFORE}]?\s*[0-9]+)*\s*[{_LIST_SEPARATORS}]\s*$")
FIGURE_LIST_REACH = 40  # characters: how far back a list of table numbers is looked for
BOND_NAME_REACH = 16  # characters: a bond's short name is no longer
_LABEL_AFTER = _LABELS["label_after"]
_ORDERS_OF_TEN = frozenset("十百千万亿")
_CLASS_NOUNS = tuple(_LABELS["class_nouns"])
_UNITLESS_NEXT = frozenset(_LABELS["unitless_next"])
_UNITLESS_AFTER = frozenset(_LABELS["unitless_after_numeral"])
_LABEL_POINTS = frozenset(_LABELS["label_points"])
_MONTH_BEFORE = _LABELS["month_before"]
_MONTH_AFTER = _LABELS["month_after"]
_DAY_SPAN_BEFORE = tuple(_LABELS["day_span_before"])
_DAY_SPAN_AFTER = tuple(_LABELS["day_span_after"])
_ORDINAL_AFTER = tuple(_LABELS["ordinal_after"])
_SESSION_BEFORE: dict[str, str] = dict(_LABELS["session_before"])
_PHASE_UNITS = frozenset(_LABELS["phase_units"])
_NAME_AFTER = tuple(_LABELS["name_after"])
_PROGRAMME_AFTER = tuple(_LABELS["programme_after"])
_SERVICE = _NONCLAIMS["service_numbers"]
SERVICE_REACH = 12  # characters between a Latin telephone label and its number ("Tel / WhatsApp: 6543…")
# After the label: its English in brackets and the area code in brackets ("电话（Tel）：（010）85679696").
_AREA_CODE = r"(?:[（(][A-Za-z]{2,6}[）)])?[\s:：]*(?:[（(]\+?[0-9]{2,4}[）)]\s*)?"
_SERVICE_BEFORE = re.compile(
    f"(?:(?:{_alternation(w for w in _SERVICE['before'] if not w.isascii())}){_AREA_CODE}"
    f"|(?:{_alternation(w for w in _SERVICE['before'] if w.isascii())})[^0-9，。；]{{0,{SERVICE_REACH}}})$")
# "95017专线" and "95017长辈无忧专线": the service word may end a short name after the number
SERVICE_NAME_REACH = 6
_SERVICE_AFTER = re.compile(f"[\u4e00-\u9fff]{{0,{SERVICE_NAME_REACH}}}(?:{_alternation(_SERVICE['after'])})")
_ADDRESS = re.compile(rf"\s*(?:{_alternation(_SERVICE['address_labels'])})\s*[:：]")  # "地址：…"
_REPUBLIC = _NONCLAIMS["republic"]
_SECURITIES = _NONCLAIMS["securities"]
_CJK_RUN = "[\u4e00-\u9fff]{1,10}?"
_BOND_NAME = re.compile(
    rf"(?<![0-9.])[A-Z]?[0-9]{{2}}{_CJK_RUN}(?:{_alternation(_SECURITIES['kinds'])})[0-9]{{0,3}}(?![0-9])"
    # ... and the exchange's name of the same bond after a slash: "23桐经开债/23桐经开"
    rf"(?:\s*/\s*[A-Z]{{0,2}}\s*[0-9]{{2}}\s*[\u4e00-\u9fff]{{2,6}}[0-9]{{0,3}}(?![0-9]))?"
    rf"|(?<=[{re.escape(_SECURITIES['delimiters'])}])[A-Z]?[0-9]{{2}}[\u4e00-\u9fff]{{2,6}}[0-9]{{1,3}}"
    rf"(?=[{re.escape(_SECURITIES['delimiters'])}])")
REPUBLIC_YEARS = range(_REPUBLIC["first_year"], _REPUBLIC["last_year"] + 1)
_YEAR_POINTS = tuple(_REPUBLIC["year_points"])
# A report that writes Republic years: 民国, or a month or a fiscal year after a two- or
# three-digit year ("112年9月", "113年度"), which no Gregorian year and no duration is.
REPUBLIC_EVIDENCE = re.compile(
    rf"{_alternation(_REPUBLIC['marks'])}|(?<![0-9])(?:[3-9][0-9]|1[0-9]{{2}})\s*年\s*(?:度|(?:[1-9]|1[0-2])\s*月)")
_RANGE_TO_YEAR = re.compile(r"\s*[-－—~～至到]\s*[0-9]{2,3}\s*年")
_BRACKETED_YEAR = re.compile(r"\s*[）)]\s*年")  # "今（113）年"
# Strings whose digits are no quantity: telephone and account numbers (digit groups joined by
# hyphens: "400-026-2099", "010-12345678", "+86-10-67413300"), dates written with separators ("2026-02-20",
# "2014/09/30"), web addresses and identifiers joined by "_", and the page number after a
# table-of-contents leader ("政策建议 ...... 13"), and a securities code in brackets.
_NOT_NUMBERS = re.compile(
    r"(?<![0-9])[0-9]{2,4}(?:-[0-9]{3,}){2,}(?![0-9])"
    r"|(?<![0-9])0[0-9]{2,3}-[0-9]{3,4} ?[0-9]{4}(?![0-9])"  # "010-12345678", "0755-8287 2897"
    # a telephone number with its country code: "+86-10-67413300", "+ 86-4008-84-4008"
    r"|\+\s*[0-9]{1,3}(?:\s*-\s*[0-9]{1,8}){2,}(?![0-9])"
    r"|(?<![0-9])(?:19|20)[0-9]{2}([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])(?![0-9])"
    r"|(?:https?://|www\.)[^\s，。；、）)\u4e00-\u9fff]+"
    r"|[A-Za-z0-9]*_[A-Za-z0-9_]+"
    r"|(?:\.{3,}|…+|·{3,}|．{3,})\s*[0-9]+(?=\s*。?\s*$)"
    # a securities code alone in brackets after a company's name: "世运电路（603920）", "(000001.SZ)"
    r"|(?<=[（(])\s*[0-9]{6}(?:\.[A-Z]{2})?\s*(?=[）)])")
_NUMBERED_BEFORE = set(" \t\n\u3000附见如续（(，,。；;：:图")  # 图 of "图表11"
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
_REPUBLIC_DATE = re.compile(r"\s*年\s*(?:[1-9]|1[0-2])\s*月(?!份?\s*[以之]?[内後后来])")
ORDINAL_LIMIT = 20  # "前三个行业" is an ordinal; "前 100 家" still a count ("前100名" a rank)
SMALL_COUNT = 10  # a bare integer below this with no unit is a list number, not a quantity
_CORNER_QUOTES = (("「", "」"), ("『", "』"))
_CLOSING_QUOTES = frozenset("”」』")
_VERSION = re.compile(r"[0-9]\.[0-9]")
SHORT_LABEL = 9  # a quoted phrase this short holding a number is a label (“三个一批”)


def claim_quantities(sentence: str, republic: bool = False) -> list[tuple[Quantity, dict]]:
    """Quantities of a sentence that are claims, with any facts found while deciding.

    ``republic``: the report writes years of the Republic calendar without 民国 ("112年").
    """
    if _is_foreign_text(sentence):
        return []
    blocked = [m.span() for m in _NOT_QUANTITIES.finditer(sentence)]
    if _ADDRESS.match(sentence):  # the address runs to the end of its clause
        blocked.append((0, next((i for i, ch in enumerate(sentence) if ch in "，,；;。"), len(sentence))))
    blocked += [m.span() for m in _NOT_NUMBERS.finditer(sentence)]
    found: list[tuple[Quantity, dict]] = []
    for q in _share_list_units(sentence, scan_quantities(sentence)):
        if blocked and any(s < q.end and q.start < e for s, e in blocked):
            continue
        if republic and _is_republic_year(sentence, q):
            continue
        if is_claim(sentence, q):
            found.append((_with_currency_sign(sentence, q), {}))
    taken = [(q.start, q.end) for q, _ in found] + blocked
    for m in _SCALE_ONLY.finditer(sentence):  # "过亿", "破万"
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        if sentence[m.end() : m.end() + 1] in ("级",) or sentence.startswith(_CLASS_NOUNS, m.end() + (sentence[m.end() : m.end() + 1] == "元")):
            continue  # "十亿级", "超亿元企业": a class of firms or projects
        value = parse_number(m.group())
        unit = unit_at(sentence, m.end())  # "破万亿元", "超万家": the unit written after the scale
        found.append((Quantity(m.start(), m.end() + len(unit), m.group(), value, unit, "", True, True), {}))
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


# A sentence in another language, without one Chinese character (a copyright line, a licence, a
# postal address, an English title): its numbers are versions, street numbers and postcodes of
# that text, not the report's statements.
_CHINESE = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
MIN_FOREIGN_WORDS = 3


def _is_foreign_text(sentence: str) -> bool:
    return not _CHINESE.search(sentence) and len(_LATIN_WORD.findall(sentence)) >= MIN_FOREIGN_WORDS


_LIST_MEMBER_JOINER = re.compile(r"\s*[、/和及与]\s*")


_CURRENCY_SIGNS = dict(_LEX.mapping("units", "currency")["signs"])
# the sign, an optional Markdown escape of "$" and spaces, right before the digits
_CURRENCY_BEFORE = re.compile(
    f"(?:{_alternation(s.replace('$', '') for s in _CURRENCY_SIGNS)})" r"(\\?\$)?\s*$")


def _with_currency_sign(sentence: str, q: Quantity) -> Quantity:
    """"HK$400": a currency sign before a number without a unit of its own is its unit."""
    if q.unit:
        return q
    m = _CURRENCY_BEFORE.search(sentence, max(0, q.start - 6), q.start)
    if not m:
        return q
    sign = m.group().replace("\\", "").strip()
    unit = _CURRENCY_SIGNS.get(sign)
    return dataclasses.replace(q, unit=unit) if unit else q


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


def _is_republic_year(s: str, q: Quantity) -> bool:
    """"113年", "106-107年": a year of the Republic calendar in a report that writes them."""
    if q.has_scale or q.inner or q.chinese_only or "." in q.numeral or int(q.value) not in REPUBLIC_YEARS:
        return False
    if q.unit == "年":
        return True
    return not q.unit and bool(_RANGE_TO_YEAR.match(s, q.end) or _BRACKETED_YEAR.match(s, q.end))


def is_date_like(q: Quantity) -> bool:
    return q.unit in ("", "年", "月", "日") and not q.has_scale


def is_claim(s: str, q: Quantity) -> bool:
    before = s[max(0, q.start - 2) : q.start]
    # "\0" stands in for "no character", so that `in` tests never match an empty string
    prev = before[-1:] or "\0"
    nxt = s[q.end : q.end + 1] or "\0"
    after_num = s[q.start + len(q.numeral) : q.start + len(q.numeral) + 1] or "\0"
    unit = q.unit
    if prev in _ORDINAL_BEFORE or _ordinal_list(s, q.start) or (
            prev in _FIRST_BEFORE and (q.value <= ORDINAL_LIMIT or unit in _RANK_UNITS) and not q.has_scale
            and not s.endswith(_FIRST_WORD_ENDS, 0, q.start)):
        return False  # ordinals and "前三个行业"
    if prev in _FIGURE_BEFORE and not unit and (q.start < 2 or s[q.start - 2] in _NUMBERED_BEFORE):
        return False  # "表10 2023年…", "见图3": the number of a table or figure (not "代表300人")
    if not unit and (len(q.numeral) >= MIN_IDENTIFIER_DIGITS and q.numeral.isdigit()
                     or any(m.start() <= q.start and q.end <= m.end()
                            for m in _METHOD_VERSION.finditer(s, max(0, q.start - VERSION_REACH), q.end + 1))):
        return False  # "中征码：3507020000201455", "（V4.1.202605）": an identifier, a version
    if unit in _DIVISIONS and not (_DIVISION_CUE.search(s, 0, q.start) or _DIVISION_NEXT.match(s, q.end)
                                   or _DIVISION_PREV.search(s[max(0, q.start - DIVISION_REACH):q.start])):
        return False  # "沪深两市": a number naming something, not a count of divisions
    if not unit and prev in "【〔[" and ((q.start >= 2 and s[q.start - 2] in _ORDINAL_BEFORE)
                                        or s.startswith(("】号", "〕号", "]号"), q.end)):
        return False  # "中鹏信评【2025】跟踪第【1000】号": a document's serial number
    if (not unit and prev in "（(" and before[:1] in _FIGURE_BEFORE and len(before) == 2
            and nxt in "）)" and not q.has_scale):
        return False  # "…收支决算总表（26）": a table's number in brackets after its title
    if not unit and prev in _LIST_SEPARATORS and _FIGURE_LIST.search(s, max(0, q.start - FIGURE_LIST_REACH), q.start):
        return False  # "（详见附表22、23）": the list of table numbers goes on
    if not unit and any(m.start() <= q.start and q.end <= m.end()
                        for m in _BOND_NAME.finditer(s, max(0, q.start - BOND_NAME_REACH), q.end + BOND_NAME_REACH)):
        return False  # "22龙岩经发债01/22龙经01": a bond's short name
    if prev in "-－" and _latin(s[q.start - 2 : q.start - 1] or "\0") and not unit:
        return False  # "PP-10096", "C-919": a model's or a vessel's number
    if _latin(prev) or (_latin(after_num) and not unit.isascii() and not unit.startswith(after_num)) or (
            not unit and (_latin(nxt) or nxt == ".")):
        return False  # 5G, 3A, B2C, PM2.5, 3.0版
    if s.endswith(("单位:", "单位："), 0, _spaces_back(s, q.start)):
        return False  # "（单位：千元）": a table's unit statement
    if _between_colons(s, q):
        return False  # times and ratios, also typeset with spaces ("2.9 : 30.7 : 66.4"), but not
        # a value after a label's colon ("议席数目：6")
    rest = s[q.start + len(q.numeral) : q.start + len(q.numeral) + 2]
    if (prev == "+" and s[q.start - 2 : q.start - 1].isdigit()) or (
            len(rest) == 2 and rest[0] == "+" and rest[1] in "0123456789"):
        return False  # "1+10" as a programme name (but "同比+15.6%" is a signed change)
    if q.numeral[:1] == "0" and q.numeral[1:2].isdigit():
        return False  # "01-08单元", "007": a number written with a leading zero is a code or a label
    if prev == "[" or (prev == "(" and nxt == ")"):
        return False  # footnote markers
    if prev in "（(" and nxt in "）)" and not unit and not s[: q.start - 1].strip():
        return False  # "（10）城乡社区…经费3,695万元": the number of a list item opening its sentence
    if prev in _LUNAR_BEFORE or unit == "届":
        return False  # 初七 is a lunar date, 十九届 an ordinal
    if s.startswith(_ORDINAL_AFTER, q.start + len(q.numeral)) or (unit and _SESSION_BEFORE.get(prev) == unit):
        return False  # "人大二次会议", "十二届八次、九次全会": the ordinal of a session
    if unit in _PHASE_UNITS and q.chinese_only and len(q.numeral) == 1:
        return False  # "环城水系二期": a phase of a project
    if not unit and not q.has_scale and not q.inner and "." not in q.numeral and not q.chinese_only and (
            _SERVICE_BEFORE.search(s, 0, q.start) or _SERVICE_AFTER.match(s, q.end)
            or (q.value >= 10000 and "," not in q.numeral and nxt in "“\"「")):
        return False  # "客服热线95017", "95017专线", "12345“接诉即办”": a service number
    if prev in "每/" and q.chinese_only and all(ch in "十百千万亿" for ch in q.numeral):
        return False  # "每百元资产", "辆/千人": the base of a rate
    if (q.numeral in _BARE_ORDERS and unit in _BASE_UNITS and "\u4e00" <= nxt <= "\u9fff"
            and nxt not in _COUNTING_AFTER):
        return False  # "千人机动车数": the base of a rate named before what it measures
    if unit == "年" and s.startswith(_YEAR_POINTS, q.end) and not q.has_scale and not q.inner:
        return False  # "113年度", "107年底": a point of the calendar
    if after_num in _LABEL_AFTER and not unit:
        return False  # "80后", "十亿级", "三大趋势"
    if (not unit and q.chinese_only and q.value_max is None and all(ch in _ORDERS_OF_TEN for ch in q.numeral)
            and s.startswith(_CLASS_NOUNS, q.end)):
        return False  # "产值千亿行业", "百亿企业": an order of magnitude naming a class ("百万村民" counts)
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
    if unit in ("日",) and not (s[: q.start].rstrip(" ").endswith(_DAY_SPAN_BEFORE)
                                or (s[q.end:].lstrip(" ").startswith(_DAY_SPAN_AFTER)
                                    and not s[: q.start].rstrip(" ").endswith("月"))):
        return False  # "11月30日" is a date; "期限延长至30日", "二十日内" count days
    if _inside(s, q.start, "“", "”") and (s.find("”", q.start) - s.rfind("“", 0, q.start) <= SHORT_LABEL
                                          or (q.chinese_only and _short_list_item(s, q, "“", "”"))):
        return False  # a short quoted label: “三个一批”, and each of “一个尊重、五个统筹”
    if q.chinese_only and s.endswith(_LIST_OPENING_BEFORE, 0, q.start):
        return False  # "以下十一个方面": the length of the list that follows
    if (not unit or q.chinese_only) and any(
            _inside(s, q.start, o, c) and s.find(c, q.start) - s.rfind(o, 0, q.start) <= SHORT_LABEL for o, c in _CORNER_QUOTES):
        # the same in corner brackets, where targets are quoted too: 「行動101策略」 is a name,
        # 「24%加減1%」 and 「100個文化基地」 state quantities
        return False
    if not unit and _VERSION.fullmatch(q.numeral) and s[q.end : q.end + 1] in _CLOSING_QUOTES:
        return False  # the version of a named programme: 「智慧國家2.0」, “长照3.0”
    if _inside_straight_quotes(s, q.start) and s.find('"', q.start) - s.rfind('"', 0, q.start) <= SHORT_LABEL:
        return False  # the same label in straight quotes: "五个一工程"
    if q.chinese_only and not q.has_scale and q.value in (0, 1) and unit not in ("倍", "%") and q.value_max is None:
        return False  # "一个", "一家": an article, not a quantity (but "零点三个百分点" is one)
    if q.chinese_only and not unit and not q.has_scale and not _counts_a_noun(s, q):
        return False
    if unit == "年" and q.chinese_only and s.startswith(_PROGRAMME_AFTER, q.end):
        return False  # "三年行动", "五年规划": a programme's name
    if not unit and not q.has_scale and q.value_max is None:
        if s.startswith(_NAME_AFTER, q.end) or s.endswith(_NAME_AFTER, 0, q.start):
            return False  # "310国道", "国道230": a road's name
        if (nxt in _UNITLESS_NEXT or after_num in _UNITLESS_AFTER) and not (
                nxt == "、" and ("." in q.numeral or "," in q.numeral or not _opens_clause(prev))):
            return False  # "1、" numbers a list item (but "指数4.463、下降5.96%" and
            # "香港岛1,016、九龙东845" are values)
        if nxt in _LABEL_POINTS and _opens_clause(prev) and not s[q.end + 1 : q.end + 2].isdigit():
            return False  # "10．全面推进…": a list item's number
        if _YEAR.fullmatch(q.numeral):
            return False  # a bare year
        if "." not in q.numeral and q.value < SMALL_COUNT and not q.inner and not (
                _after_label(s, q.start) and nxt not in "）)、.．"):
            return False
    return True


MIN_BARE_COUNT = 100  # "五千农户", "三百工人": hundreds or more of a noun are a count without a measure word


def _short_list_item(s: str, q: Quantity, opening: str, closing: str) -> bool:
    """The number is in a short member of a quoted list of slogans (“五个转变、五个更加”): the
    stretch between the quote marks or the list's 、 around it is a label's length."""
    start = max(s.rfind(opening, 0, q.start), s.rfind("、", 0, q.start))
    close = s.find(closing, q.end)
    sep = s.find("、", q.end, close)
    end = sep if sep != -1 else close
    return end - start <= SHORT_LABEL


def _counts_a_noun(s: str, q: Quantity) -> bool:
    """A Chinese numeral of hundreds or thousands with its digit written ("五千", not "千") right
    before a noun counts it ("五千农户、一万个劳动力"); smaller ones and bare 百/千 are words."""
    nxt = s[q.end : q.end + 1]
    return (q.value >= MIN_BARE_COUNT and q.value_max is None and not q.inner
            and any(ch in "一二两三四五六七八九" for ch in q.numeral[:1])
            and "\u4e00" <= nxt <= "\u9fff" and nxt not in _LABEL_AFTER)


def _is_anniversary(s: str, q: Quantity) -> bool:
    """"30周年", "建党一百年", "新中国成立75年", and 百年/千年 without a digit (百年大计)."""
    if q.unit in _ANNIVERSARY_UNITS:
        return True
    if q.chinese_only and q.numeral in _IDIOM_SCALES and q.unit in _IDIOM_UNITS:
        return True
    return bool(_ANNIVERSARY_BEFORE.search(s[max(0, q.start - ANNIVERSARY_REACH) : q.start]))


_COLONS = (":", "：", "∶")  # ∶ is the ratio sign ("18.6∶35.8∶45.6")


def _spaces_back(s: str, i: int) -> int:
    """The index before the spaces that end ``s[:i]`` (s[:i].rstrip(" ") without the copy: a
    sentence's prefix is cut for each of its numbers)."""
    while i > 0 and s[i - 1] == " ":
        i -= 1
    return i


def _spaces_on(s: str, i: int) -> int:
    """The index after the spaces that start ``s[i:]``."""
    while i < len(s) and s[i] == " ":
        i += 1
    return i


def _colon_then_digit(s: str, i: int) -> bool:
    """``s[i:]`` opens, after spaces, with a colon and then, after spaces, a digit."""
    i = _spaces_on(s, i)
    if i >= len(s) or s[i] not in _COLONS:
        return False
    j = _spaces_on(s, i + 1)
    return j < len(s) and s[j].isdigit()


def _between_colons(s: str, q: Quantity) -> bool:
    """A number beside a colon with a number on its other side: a clock time or a ratio."""
    i = _spaces_back(s, q.start)
    if i > 0 and s[i - 1] in _COLONS:
        j = _spaces_back(s, i - 1)
        if j > 0 and s[j - 1].isdigit():
            return True
    return _colon_then_digit(s, q.start + len(q.numeral)) or _colon_then_digit(s, q.end)


def _after_label(s: str, pos: int) -> bool:
    """"议席数目：6": the value of a label written before a colon."""
    i = _spaces_back(s, pos)
    if i == 0 or s[i - 1] not in _COLONS:
        return False
    j = _spaces_back(s, i - 1)
    return j > 0 and "\u4e00" <= s[j - 1] <= "\u9fff"


def _opens_clause(ch: str) -> bool:
    """The character before a list number: none, a space, a bracket or punctuation."""
    return ch == "\0" or ch.isspace() or ch in "（(【[，,。；;：:、*#>"


def _ordinal_list(s: str, pos: int) -> bool:
    """"第1、2、3期": every member of a list that 第 opens is an ordinal."""
    i = pos
    while i > 0 and (s[i - 1] in "、，,0123456789" or s[i - 1] in "一二三四五六七八九十"):
        i -= 1
    return i < pos and i > 0 and s[i - 1] == "第" and any(sep in s[i:pos] for sep in "、，,")


def _inside_straight_quotes(s: str, pos: int) -> bool:
    return s.count('"', 0, pos) % 2 == 1 and s.find('"', pos) != -1


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _inside(s: str, pos: int, open_ch: str, close_ch: str) -> bool:
    o = s.rfind(open_ch, 0, pos)
    return o != -1 and s.find(close_ch, o, pos) == -1 and s.find(close_ch, pos) != -1
