"""The number grammar of Chinese reports: find quantities in text and compute their exact values.

Values are ``Decimal`` from the first digit to the last scale word ("16.4亿" is 1640000000, never
1639999999.9999998). The scanner reports where a quantity starts and ends, its unit and the
qualifier written inside it ("60 多家", "27623 余份", "2万+"); deciding which quantities are claims
and what they mean in their sentence is the job of ``claims``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation, localcontext
from functools import lru_cache
from typing import Optional

from .lexicon import LexiconError
from .lexicon import load as load_lexicon

CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6,
    "陸": 6, "柒": 7, "捌": 8, "玖": 9, "兩": 2,
}
CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
VAGUE = "几数"
_LEX = load_lexicon()
_WAN, _YI, _ZHAO = Decimal(10) ** 4, Decimal(10) ** 8, Decimal(10) ** 12
SCALES = dict(_LEX.scales)  # 万, 亿, 兆 and their traditional forms
if any(v not in (_WAN, _YI, _ZHAO) for v in SCALES.values()):
    raise LexiconError("scale words must be worth 10000 (万), 100000000 (亿) or 10¹² (兆): the grammar "
                       "builds every other scale from those (千万, 万亿)")
# Digits of a Chinese decimal fraction ("一点八", "零点三"): plain digits, never 两.
_FRACTION_DIGITS = "".join(d for d in CN_DIGITS if d not in "两兩")

_DIGITS = "".join(CN_DIGITS)
_UNITS = "".join(CN_UNITS)
_SCALES = "".join(SCALES)
# A scale word that begins a unit of the lexicon ("兆瓦") is no scale before the rest of that unit.
_SCALE_UNIT_TAILS = {ch: sorted({u[1:] for u in _LEX.units if u[0] == ch and len(u) > 1}, key=len, reverse=True)
                     for ch in SCALES}
_SCALE = "(?:" + "|".join(
    re.escape(ch) + (f"(?!{'|'.join(map(re.escape, tails))})" if tails else "")
    for ch, tails in _SCALE_UNIT_TAILS.items()) + ")"
_SCALE_CHARS = frozenset(_SCALES)  # set tests: one C call per numeral, not a generator per character
_ASCII_DIGITS = frozenset("0123456789")
ARABIC = r"[0-9]+(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
# 十, 百 and 千 that begin a unit (千瓦, 千米, 千克, 百分点) are not part of the numeral: the rest of
# every such unit of the lexicon may not follow them.
_UNIT_TAILS = sorted({u[1:] for u in _LEX.units if u[0] in CN_UNITS and len(u) > 1}, key=len, reverse=True)
_CN_UNIT = rf"[{_UNITS}](?!{'|'.join(re.escape(t) for t in _UNIT_TAILS)})" if _UNIT_TAILS else rf"[{_UNITS}]"
# A Chinese decimal point: "十一点二万", "一点八个百分点". Its digits may not run on into 十/百/千 or a
# clock word, so "八点三十分" (half past eight) and "三点五十" stay clock times.
_CN_DECIMAL = rf"(?<=[{_DIGITS}{_UNITS}])点[{_FRACTION_DIGITS}]+(?![{_DIGITS}{_UNITS}点分刻钟])"
# A numeral: Arabic or Chinese digits, then any mix of digits, 十百千, a decimal point and scale words.
NUMERAL = (
    rf"(?:{ARABIC}|[{_DIGITS}]|{_CN_UNIT}|[{VAGUE}](?=[{_UNITS}{_SCALES}]))"
    rf"(?:{ARABIC}|{_CN_DECIMAL}|[{_DIGITS}]|{_SCALE}|{_CN_UNIT}|几(?![0-9]))*"
)
# A fraction's denominator before 分之: "三分之一", "百分之三十五点六", "千分之五".
_DENOMINATOR = rf"[{_DIGITS}{_UNITS}]+分之"
FRACTION_PLACES = 4  # a share that does not end (三分之一) is written to 4 decimal places of a percent


_TOKEN = re.compile(rf"{ARABIC}|.")
_SIGN_BLOCKER = re.compile(r"[0-9A-Za-z%‰）)]")


class NumberError(ValueError):
    """A string that looks numeric but does not follow the grammar."""


# A report writes the same numerals again and again ("2023", "1", "10.5"); a Decimal does not
# change, so each is read once (an error is raised anew each time: lru_cache keeps no exceptions).
@lru_cache(maxsize=8192)
def parse_number(s: str) -> Decimal:
    """Exact value of an Arabic, Chinese or mixed numeral with scale words.

    "1.5万" → 15000, "8.58万亿" → 8580000000000, "一千二百三十四" → 1234, "3万4000" → 34000,
    "十亿" → 1000000000, "三十几万" → 300000 (a trailing 几 adds nothing; it makes the value vague).
    """
    if not s or all(ch in VAGUE for ch in s):
        raise NumberError(f"no digits in {s!r}")
    if len(s) > MAX_NUMERAL:
        raise NumberError(f"{len(s)} characters is too long for a quantity")
    if s.isascii() and s.isdigit():  # "2020", "15430": half of all numerals, read without the grammar
        return _normalize(Decimal(s))
    with localcontext(_EXACT):
        return _parse(s)


MAX_NUMERAL = 40  # longer digit runs are identifiers or noise, never quantities
_EXACT = Context(prec=100)


def _parse(s: str) -> Decimal:
    if "点" in s:
        return _parse_decimal(s)
    top = Decimal(0)  # everything already multiplied by 兆
    total = Decimal(0)  # everything already multiplied by 亿, below 兆
    mid = Decimal(0)  # everything already multiplied by 万, below 亿
    small = Decimal(0)  # below 万
    cur: Optional[Decimal] = None
    seen = False
    for tok in _TOKEN.findall(s):
        if tok[0] in "0123456789":
            if cur is not None:
                raise NumberError(f"two numbers in a row in {s!r}")
            try:
                cur = Decimal(tok.replace(",", ""))
            except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
                raise NumberError(f"bad digits in {s!r}") from exc
            seen = True
        elif tok in CN_DIGITS:
            d = Decimal(CN_DIGITS[tok])
            if cur is not None and tok not in "零〇":
                # "三五" is not a numeral; "一零五" read digit by digit is a code, not a quantity
                raise NumberError(f"two digits in a row in {s!r}")
            cur = None if tok in "零〇" else d
            seen = True
        elif tok in CN_UNITS:
            unit = CN_UNITS[tok]
            small += (cur if cur is not None else Decimal(1)) * unit
            cur = None
            seen = True
        elif SCALES.get(tok) == _WAN:
            value = small + (cur or 0)
            if value == 0 and mid == 0 and not seen:
                value = Decimal(1)  # a bare "万" (过万) is one 万
            mid = (mid + value) * _WAN if value else mid * _WAN
            small, cur = Decimal(0), None
            seen = True
        elif SCALES.get(tok) == _YI:
            value = mid + small + (cur or 0)
            if value == 0 and total == 0 and not seen:
                value = Decimal(1)
            total = (total + value) * _YI if value else total * _YI
            mid = small = Decimal(0)
            cur = None
            seen = True
        elif SCALES.get(tok) == _ZHAO:
            value = total + mid + small + (cur or 0)
            if value == 0 and top == 0 and not seen:
                value = Decimal(1)
            top = (top + value) * _ZHAO if value else top * _ZHAO
            total = mid = small = Decimal(0)
            cur = None
            seen = True
        elif tok in VAGUE:
            # "几十万": 几 stands for one unit of the next order; "三十几": adds nothing
            if cur is not None:
                raise NumberError(f"a vague digit after a digit in {s!r}")
            cur = Decimal(1) if small == 0 and mid == 0 and total == 0 else None
            seen = True
        else:
            raise NumberError(f"{tok!r} is not part of a numeral in {s!r}")
    if not seen:
        raise NumberError(f"no digits in {s!r}")
    return _normalize(top + total + mid + small + (cur or 0))


_DECIMAL_PARTS = re.compile(rf"([^点]+)点([{_FRACTION_DIGITS}]+)([{_SCALES}]*)")


def _parse_decimal(s: str) -> Decimal:
    """A Chinese decimal: "十一点二万" is (11 + 0.2) × 万, "一千二百点零五" 1200.05.

    The digits after 点 are read one by one; only scale words may follow them, and then the whole
    part before 点 must be below the first scale ("三亿五千点二万" is no numeral).
    """
    m = _DECIMAL_PARTS.fullmatch(s)
    if not m:
        raise NumberError(f"a decimal point without digits on both sides in {s!r}")
    whole, digits, scales = m.groups()
    if scales and any(ch in SCALES for ch in whole):
        raise NumberError(f"a scale word on both sides of the decimal point in {s!r}")
    value = _parse(whole) + Decimal("0." + "".join(str(CN_DIGITS[d]) for d in digits))
    for ch in scales:
        value *= SCALES[ch]
    return _normalize(value)


def parse_fraction(denominator: str, numerator: str) -> tuple[Decimal, str]:
    """A fraction "X分之Y" as a share: (value, unit).

    百分之Y is Y %, 千分之Y is Y ‰; any other denominator is written as a percent,
    100 × Y / X ("三分之一" → 33.3333 %, "四分之一" → 25 %): exact when the share ends within
    ``FRACTION_PLACES`` decimals, else rounded to them (the surface keeps the exact fraction).
    """
    den = parse_number(denominator)
    num = parse_number(numerator)
    if den == 0:
        raise NumberError(f"a fraction of zero parts: {denominator}分之{numerator}")
    if den == 100:
        return num, "%"
    if den == 1000:
        return num, "‰"
    with localcontext(_EXACT):
        share = Decimal(100) * num / den
    rounded = share.quantize(Decimal(1).scaleb(-FRACTION_PLACES), context=_EXACT)
    return _normalize(rounded), "%"


def _normalize(d: Decimal) -> Decimal:
    """Drop trailing zeros of the fraction but never write an exponent."""
    if d == d.to_integral_value():
        return d.quantize(Decimal(1), context=_EXACT)
    return d.normalize(context=_EXACT)


def format_decimal(d: Optional[Decimal]) -> str:
    if d is None:
        return ""
    d = _normalize(d)
    s = format(d, "f")
    return s


# Units, longest first so that "人次" wins over "人" and "个百分点" over "个".
UNITS = sorted(_LEX.units, key=len, reverse=True)
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)
_UNIT_AT = re.compile(_UNIT_RE)


def unit_at(text: str, pos: int) -> str:
    """The unit written at ``pos`` (longest first), or "" (also when it starts a noun instead)."""
    m = _UNIT_AT.match(text, pos)
    if not m:
        return ""
    following = text[m.end() : m.end() + 1]
    return "" if following and following in NOUN_AFTER_UNIT.get(m.group(), "") else m.group()


# Units written in another unit's terms: "六成" is 60 %.
_UNIT_FACTORS = {u.word: u.factor for u in _LEX.units.values() if u.factor != 1}
# Characters that, after a measure word, show it is the first character of a noun instead.
NOUN_AFTER_UNIT = {u.word: u.noun_starts for u in _LEX.units.values() if u.noun_starts}
_NOUN_START_EXCEPTIONS = {u: tuple(words) for u, words in _LEX.mapping("units", "noun_start_exceptions").items()}
# A rate unit: "元/人", "部/百人", "公里/百平方公里".
_PER_WORDS = "|".join(re.escape(w) for w in sorted(_LEX.words("units", "rate", "per"), key=len, reverse=True))
_PER = rf"(?:/(?:百|千|万)?(?:{_PER_WORDS}))?"
# A rate per so many people, with no unit before it: "2.95/10万" (maternal deaths per 100,000).
_PER_COUNT = "/\\s*(?:" + "|".join(r"\s*".join(map(re.escape, w)) for w in sorted(
    _LEX.words("units", "rate", "per_count"), key=len, reverse=True)) + r")(?![0-9])"

# Qualifiers written between the digits and the unit ("60 多家", "27623 余份", "三十几万"); "+"
# ("2万+") follows the unit.
_INNER = "".join(w for w in _LEX.mapping("qualifiers", "inside") if len(w) == 1 and w != "+")
# A unit worth a half more when 半 follows it: "五成半" (55 %), "一倍半" (1.5 倍).
_HALF_UNITS = "成倍"
# After any other measure word 半 adds a half too ("一年半", "一头半"), unless it starts a noun:
# 半导体, 半岛, 半数, 半径, 半成品, 半自动, 半球, 半场, 半价, 半径.
_UNIT_AFTER_HALF = re.compile("|".join(map(re.escape, _LEX.words("units", "half", "units_after"))))
_HALF_NOUN_STARTS = frozenset(_LEX.words("units", "half", "noun_starts"))
_QUANTITY = re.compile(
    rf"(?P<num>{NUMERAL})(?P<inner>[{_INNER}]?)(?P<scale>{_SCALE}*)"
    rf"(?P<unit>(?:{_UNIT_RE}){_PER}|{_PER_COUNT})?(?P<half>(?<=[{_HALF_UNITS}])半)?(?P<plus>\+)?"
)
# A share "X分之Y" (三分之一, 百分之三十五点六); no scale word may follow ("三分之一万" is none).
_FRACTION = re.compile(rf"(?P<frac>{_DENOMINATOR})(?P<num>{NUMERAL})(?P<inner>[{_INNER}]?)(?![{_SCALES}])")


@dataclass(frozen=True)
class Quantity:
    """One number as written: where it is, its exact value, its unit and inner qualifier."""

    start: int
    end: int
    numeral: str
    value: Decimal
    unit: str  # as written after the numeral ("个月", "%", "元")
    inner: str  # "多", "余", "几", "+" or ""
    has_scale: bool
    chinese_only: bool  # no Arabic digit: "八百", "两万"
    value_max: Optional[Decimal] = None


def scan_quantities(text: str) -> list[Quantity]:
    """Every numeral in ``text`` with its unit, before any judgement about claims.

    Ranges ("八百元到一千元", "20-35岁", "20至35岁") come back as one quantity with ``value_max``.
    """
    out: list[Quantity] = []
    # Fractions ("三分之一") are rare: one cheap test, then their own pass, and the numerals inside
    # them ("百", "五十" of "百分之五十") are not read again.
    fractions = _fractions(text) if "分之" in text else []
    for m in _QUANTITY.finditer(text):
        if fractions:
            while fractions and fractions[0].end <= m.start():
                out.append(fractions.pop(0))
            if fractions and fractions[0].start < m.end():
                continue
        q = _quantity_from_match(m)
        if q is None:
            continue
        if out and _joins_range(text, out[-1], q):
            low = out.pop()
            low_value = low.value
            if not low.has_scale and q.has_scale and text[low.end : q.start] != "到":
                low_value = _EXACT.multiply(low_value, _trailing_scale(q.numeral))  # "20-30万元" is 200000 to 300000
            q = Quantity(low.start, q.end, text[low.start : q.end], low_value, q.unit,
                         q.inner or low.inner, q.has_scale or low.has_scale,
                         low.chinese_only and q.chinese_only, q.value)
        out.append(q)
    return out + fractions


def _fractions(text: str) -> list[Quantity]:
    out = []
    for m in _FRACTION.finditer(text):
        numeral, fraction = m.group("num"), m.group("frac")
        if any(ch in SCALES for ch in numeral):
            continue  # "三分之一万" is no share
        try:
            value, unit = parse_fraction(fraction[: -len("分之")], numeral)
        except NumberError:
            continue
        # the share is the whole quantity: "三分之一人口" is a third of the population
        out.append(Quantity(m.start(), m.end(), fraction + numeral, value, unit, m.group("inner"),
                            False, not any(ch in "0123456789" for ch in numeral)))
    return out


def _trailing_scale(numeral: str) -> Decimal:
    factor = Decimal(1)
    for ch in reversed(numeral):
        if ch not in SCALES:
            break
        factor *= SCALES[ch]
    return factor


def _quantity_from_match(m: re.Match) -> Optional[Quantity]:
    numeral, inner, scale, unit, half, plus_sign = m.group("num", "inner", "scale", "unit", "half", "plus")
    # A numeral of only 几/数, or one that ends in a dangling 十百千 of a word ("十分"), is no number.
    if all(ch in VAGUE for ch in numeral):
        return None
    try:
        value = parse_number(numeral)
    except NumberError:
        return None
    if scale:  # "20余万次": the qualifier sits between the digits and the scale word
        try:
            # the scale multiplies only the part below the numeral's own larger scales:
            # "五亿二千多万" is 5亿 + 2千万, never (5亿 + 2千) × 万
            value = parse_number(numeral + scale)
        except NumberError:
            value = _EXACT.multiply(value, _trailing_scale(scale))
        numeral = numeral + inner + scale
    if half:
        value = value + _HALF
    unit = unit or ""
    if unit.startswith("/"):
        unit = re.sub(r"\s", "", unit)  # "/10 万" → "/10万"
    plus = "+" if plus_sign else ""
    end = m.end()
    if (unit and not half and not plus and not scale and not inner and m.string[end : end + 1] == "半"
            and m.string[end + 1 : end + 2] not in _HALF_NOUN_STARTS):
        value, end = value + _HALF, end + 1  # "一头半" is 1.5 头, "一年半" 1.5 年 (not "两家半导体企业")
        after = _UNIT_AFTER_HALF.match(m.string, end) if unit == "个" else None
        if after:  # "3个半月", "两个半小时": the measure word is the whole unit after 半
            unit, end = (unit + after.group() if unit + after.group() in _LEX.units else after.group()), after.end()
    if unit:
        following = m.string[m.end("unit") : m.end("unit") + 1]
        if following and following in NOUN_AFTER_UNIT.get(unit, "") and not m.string.startswith(
                _NOUN_START_EXCEPTIONS.get(unit, ()), m.end("unit")):
            # "22万家长", "10亿人口", "5000万个体商户", "1 成都市": the measure word starts a noun
            unit, plus, end = "", "", max(m.end("inner"), m.end("scale"))
        factor = _UNIT_FACTORS.get(unit)
        if factor is not None:
            value = _EXACT.multiply(value, factor)  # "六成" is 60 %
    start = m.start()
    sign = m.string[start - 1] if start else ""
    # a sign that opens the text (a chart's data label "-4.0%" alone on its line) has nothing before it
    if sign and sign in "-－+＋" and not (start >= 2 and _SIGN_BLOCKER.match(m.string[start - 2])):
        start -= 1  # "-0.57‰" a negative level, not a range; "同比+15.6%" a signed change
        if sign in "-－":
            value = -value
    return Quantity(
        start,
        end,
        numeral,
        value,
        unit,
        inner or plus,
        bool(scale) or not _SCALE_CHARS.isdisjoint(numeral),
        _ASCII_DIGITS.isdisjoint(numeral),
    )


_HALF = Decimal("0.5")
MIN_YEAR_NUMBER = 1000  # a number of 年 below this counts years; from it on it names a year
_RANGE_SEP = ("到", "至", "-", "~", "—", "－")


def _joins_range(text: str, low: Quantity, high: Quantity) -> bool:
    sep = text[low.end : high.start]
    if sep not in _RANGE_SEP:
        return False
    if low.unit and low.unit != high.unit:
        return False
    if not high.unit and not high.has_scale:
        return False
    durations = high.unit == "年" and low.unit in ("", "年") and high.value < MIN_YEAR_NUMBER
    if (high.unit in ("年", "月", "日") or low.unit in ("年", "月", "日")) and not durations:
        return False  # "2019-2020年", "1-3月": spans of the calendar; "一年到两年", "3-5年": durations
    if low.value_max is not None:
        return False
    return low.value <= high.value or high.has_scale
