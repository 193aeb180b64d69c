"""Dates and periods in report sentences, resolved against the report's own year.

A date is never a claim, but it is what a claim refers to: "截至 2020 年 4 月" makes the claims of
its sentence as_of 2020-04. Year-less dates ("4 月 17 日", "今年", "除夕到初七") take the year the
report states on its title page, never today's date. Dates that name a comparison base
("相比 2019 年春节", "较2018年") are marked as references so that they are not read as periods.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping, Optional

from .lexicon import FestivalOutOfRange
from .lexicon import load as load_lexicon
from .numbers import parse_number

_LEX = load_lexicon()
# Days of the lunar new year as offsets from 初一 (除夕 is -1), and holidays named without dates.
_LUNAR_DAY = dict(_LEX.mapping("festivals", "lunar_days"))
_HOLIDAYS = dict(_LEX.mapping("festivals", "holidays"))
log = logging.getLogger(__name__)
_CN_SMALL = {"一": 1, "二": 2, "三": 3, "四": 4, "上": 1, "下": 2}


@dataclass(frozen=True)
class TimeExpr:
    start: int
    end: int
    period: str
    role: str  # as_of or during
    reference: bool  # a comparison base ("较2018年"), not the claim's period
    year_only: bool = False


_TIME = r"(?:\s*\d{1,2}\s*(?:[点时:：]\s*\d{0,2}\s*分?))?"
def _words(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_PERIODS = _LEX.tables["periods"]
_CUES = _PERIODS["cues"]
# 今年, 去年 …: (offset from the report's year, whether the word names a comparison base)
_RELATIVE = {w: (s["offset"], bool(s.get("reference"))) if isinstance(s, Mapping) else (s, False)
             for w, s in _PERIODS["relative_years"].items()}
_RELATIVE_WORDS = _words(_RELATIVE)
_LUNAR_WORDS = "|".join(sorted(_LUNAR_DAY, key=len, reverse=True))
_HOLIDAY_WORDS = "|".join(sorted(_HOLIDAYS, key=len, reverse=True))
# Years, months and days may be written in Chinese digits, as print-era reports and formal dates
# do: "一九九六年", "二〇二四年三月五日". 〇 is also set as ○ (a circle) in old print.
REPUBLIC_EPOCH = 1911
_CN_YEAR_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                   "七": 7, "八": 8, "九": 9}
CN_YEAR = r"[一二][九〇零○][〇零○一二三四五六七八九]{2}"  # "二○二四": a year in Chinese digits
_CN_MONTH = r"十[一二]?|[一二三四五六七八九]"
_CN_DAY = r"[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
_DATE_STARTS = "".join(sorted(set("今去明上本第下前民") | {w[0] for w in (*_LUNAR_DAY, *_HOLIDAYS)}))
_CN_DATE_DIGITS = "".join(_CN_YEAR_DIGITS) + "十"
# Chinese digits start a date only before 年, 月, 季 or a month range ("一至三月"); most Chinese
# digits of a report are quantities, and the full pattern is not tried at them.
_CN_DATE_START = rf"[{_CN_DATE_DIGITS}]+\s*(?:[年月季]|(?:—|-|~|～|至|到)\s*[{_CN_DATE_DIGITS}]+\s*月)"
# Likewise Arabic digits: "2020年", "4 月", "1—8月", "1季度"; never "15430 个" or "34%".
_DIGIT_DATE_START = r"[0-9]{1,4}\s*(?:[年月季]|(?:—|-|~|～|至|到)\s*[0-9]{1,2}\s*月)"
_DATE = re.compile(
    rf"(?=[{_DATE_STARTS}]|{_DIGIT_DATE_START}|{_CN_DATE_START})"  # fail fast where no date can start
    rf"(?:(?P<y>(?:19|20)\d{{2}})\s*年|(?P<cy>{CN_YEAR})\s*年"
    r"|(?:民国\s*(?P<roc>\d{1,3})|(?P<rocm>\d{2,3})(?=\s*年\s*(?:1[0-2]|[1-9])\s*月))\s*年"
    rf"|(?P<rel>{_RELATIVE_WORDS}))?\s*"
    r"(?:"
    r"(?P<q>第?[一二三四1-4])\s*季度"
    r"|(?P<h>[上下])半年"
    r"|前(?P<first>[一二三四五六七八九十]{1,2}|\d{1,2})个月"
    rf"|(?:(?P<m0>\d{{1,2}}|{_CN_MONTH})\s*(?:—|-|~|～|至|到)\s*)?(?P<m>\d{{1,2}}|{_CN_MONTH})\s*月(?:份)?(?:\s*(?P<d>\d{{1,2}}|{_CN_DAY})\s*[日号])?(?P<mend>[底末初])?"
    rf"|(?P<lunar>{_LUNAR_WORDS})"
    rf"|(?P<holiday>{_HOLIDAY_WORDS})(?:期间|假期|长假)?"
    r")?"
)
_RANGE = re.compile(r"\s*(?:至|到|—|-|~|～)\s*")
_AS_OF_BEFORE = re.compile(rf"(?:{_words(_CUES['as_of'])})\s*$")
_REFERENCE_BEFORE = re.compile(rf"(?:{_words(_CUES['reference'])})\s*(?:于)?\s*$")
AS_OF_REACH = 5  # characters before a date read for 截至 and its spellings
REFERENCE_REACH = 4  # characters before a date read for 较, 相比 …


def find_time_expressions(text: str, report_year: Optional[int]) -> list[TimeExpr]:
    """All dates and periods in ``text``; ranges come back as one expression "A/B"."""
    raw: list[tuple[int, int, str, str, bool, bool]] = []
    for m in _DATE.finditer(text):
        if m.end() == m.start():
            continue
        item = _resolve(m, text, report_year)
        if item is not None:
            raw.append(item)
    # Join "A 至 B" into one span.
    out: list[TimeExpr] = []
    i = 0
    while i < len(raw):
        s, e, period, role, ref, yo = raw[i]
        if i + 1 < len(raw):
            s2, e2, p2, _role2, _ref2, _ = raw[i + 1]
            between = text[e:s2]
            gap = re.fullmatch(rf"{_TIME}{_RANGE.pattern}", between) or _RANGE.fullmatch(between)
            if gap and period and p2:
                lo, hi = _span_bounds(period)[0], _span_bounds(p2)[1]
                if hi and lo and lo <= hi:
                    end_time = re.match(_TIME, text[e2:])
                    out.append(TimeExpr(s, e2 + (end_time.end() if end_time else 0),
                                        f"{lo}/{hi}", "during", ref, False))
                    i += 2
                    continue
        out.append(TimeExpr(s, e, period, role, ref, yo))
        i += 1
    return out


def _span_bounds(period: str) -> tuple[str, str]:
    if "/" in period:
        a, b = period.split("/", 1)
        return a, b
    return period, period


def _number(s: str) -> int:
    """A month or day in Arabic or Chinese digits: "3", "十二", "二十五"."""
    return int(s) if s.isdigit() else int(parse_number(s))


def _resolve(m: re.Match, text: str, report_year: Optional[int]):
    y = int(m.group("y")) if m.group("y") else None
    if m.group("roc") or m.group("rocm"):
        # the Republic calendar of Taiwan reports: 民国 1 is 1912 ("民国101年12月" is 2012-12)
        y = int(m.group("roc") or m.group("rocm")) + REPUBLIC_EPOCH
    if m.group("cy"):
        y = int("".join(str(_CN_YEAR_DIGITS[ch]) for ch in m.group("cy")))
    rel = m.group("rel")
    if rel and report_year:
        y = report_year + _RELATIVE[rel][0]
    explicit_year = y is not None
    before = text[: m.start()]
    after = text[m.end() : m.end() + 2]
    reference = bool(_REFERENCE_BEFORE.search(before[-REFERENCE_REACH:])) or bool(rel and _RELATIVE[rel][1])
    as_of = bool(_AS_OF_BEFORE.search(before[-AS_OF_REACH:]))
    year = y if y is not None else report_year
    period = ""
    year_only = False
    if m.group("q"):
        q = m.group("q").lstrip("第")
        n = int(q) if q.isdigit() else _CN_SMALL[q]
        period = f"{year}-Q{n}" if year else ""
    elif m.group("h"):
        period = f"{year}-H{_CN_SMALL[m.group('h')]}" if year else ""
    elif m.group("first"):
        f = m.group("first")
        n = int(f) if f.isdigit() else _cn_small_int(f)
        if year and n and 1 <= n <= 12:
            period = f"{year}-01/{year}-{n:02d}"
    elif m.group("m"):
        month = _number(m.group("m"))
        if not 1 <= month <= 12:
            return None
        before_m = text[m.start("m") - 1 : m.start("m")] if m.start("m") else ""
        if before_m == "个" or (before_m and (before_m.isdigit() or before_m in _CN_YEAR_DIGITS
                                               or before_m in "十两几数")):
            return None  # "12个月", "123月", "两三月": not a month of the calendar
        if m.group("m0"):
            first = _number(m.group("m0"))
            if not 1 <= first < month or m.group("d"):
                return None
            period = f"{year}-{first:02d}/{year}-{month:02d}" if year else ""  # "1—8月"
        elif m.group("d"):
            day = _number(m.group("d"))
            if not 1 <= day <= 31:
                return None
            period = f"{year}-{month:02d}-{day:02d}" if year else ""
        else:
            period = f"{year}-{month:02d}" if year else ""
        if m.group("mend") in ("底", "末"):
            as_of = True
    elif m.group("lunar"):
        period = _lunar(year, m.group("lunar"))
    elif m.group("holiday"):
        period = holiday_period(year, m.group("holiday"))
    elif explicit_year:
        if after[:1] in ("底", "末"):
            as_of = True
        period = str(y)
        year_only = True
    else:
        return None
    if not period:
        return None
    return (m.start(), m.end(), period, "as_of" if as_of else "during", reference, year_only)


def _lunar(year: Optional[int], name: str) -> str:
    if year is None:
        return ""
    day = _festival_day(year, _LUNAR_DAY[name])
    return str(day) if day else ""


def holiday_period(year: Optional[int], name: str) -> str:
    """The span a holiday named without dates covers: "2020年春节" → "2020-01-24/2020-01-30".

    Empty when the year is unknown, or (with a warning that says how to extend the table) when
    the year is outside the lexicon's festival table: never a guessed date.
    """
    spec = _HOLIDAYS.get(name)
    if year is None or spec is None:
        return ""
    if "lunar_offset" in spec:
        first = _festival_day(year, spec["lunar_offset"])
        if first is None:
            return ""
    else:
        first = date(year, spec["month"], spec["day"])
    return f"{first}/{first + timedelta(days=spec['days'] - 1)}"


def _festival_day(year: int, offset: int) -> Optional[date]:
    try:
        return _LEX.festival_day(year, offset)
    except FestivalOutOfRange as exc:
        log.warning("period left empty: %s", exc)
        return None


def _cn_small_int(s: str) -> int:
    digits = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + digits.get(s[1:], 0)
    return digits.get(s, 0)


_YEAR_WORD_ROLES = dict(_PERIODS["year_words"])
YEAR_WORDS = re.compile(_words(_YEAR_WORD_ROLES))
# Words that can start a time expression: a sentence without any is not searched for dates.
MAY_HOLD_TIME = re.compile(_words(["年", "月", "日", "号", "季度", *_LUNAR_DAY, *_HOLIDAYS]))


def year_word(text: str, doc_year: Optional[int]) -> Optional[TimeExpr]:
    """全年/年末 without a year: the year the report is about (bulletins say this constantly)."""
    if doc_year is None:
        return None
    m = YEAR_WORDS.search(text)
    if not m:
        return None
    role = _YEAR_WORD_ROLES[m.group()]
    return TimeExpr(m.start(), m.end(), str(doc_year), role, False, True)
