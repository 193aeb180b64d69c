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
from typing import Optional

CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6,
    "陸": 6, "柒": 7, "捌": 8, "玖": 9, "兩": 2,
}
CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
SCALES = {"万": Decimal(10) ** 4, "萬": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "億": Decimal(10) ** 8}
VAGUE = "几数"

_DIGITS = "".join(CN_DIGITS)
_UNITS = "".join(CN_UNITS)
_SCALES = "".join(SCALES)
ARABIC = r"[0-9]+(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
# A numeral: Arabic or Chinese digits, then any mix of digits, 十百千 and scale words.
# 千 and 百 that begin a unit (千瓦, 千米, 千克, 千升, 千伏安时, 百分点) are not part of the numeral.
_CN_UNIT = rf"[{_UNITS}](?!瓦|米|克|卡|升|伏|分点)"
NUMERAL = (
    rf"(?:{ARABIC}|[{_DIGITS}]|{_CN_UNIT}|[{VAGUE}](?=[{_UNITS}{_SCALES}]))"
    rf"(?:{ARABIC}|[{_DIGITS}{_SCALES}]|{_CN_UNIT}|几(?![0-9]))*"
)


_TOKEN = re.compile(rf"{ARABIC}|.")
_SIGN_BLOCKER = re.compile(r"[0-9A-Za-z%‰）)]")


class NumberError(ValueError):
    """A string that looks numeric but does not follow the grammar."""


def parse_number(s: str) -> Decimal:
    """Exact value of an Arabic, Chinese or mixed numeral with scale words.

    "1.5万" → 15000, "8.58万亿" → 8580000000000, "一千二百三十四" → 1234, "3万4000" → 34000,
    "十亿" → 1000000000, "三十几万" → 300000 (a trailing 几 adds nothing; it makes the value vague).
    """
    if not s or all(ch in VAGUE for ch in s):
        raise NumberError(f"no digits in {s!r}")
    if len(s) > MAX_NUMERAL:
        raise NumberError(f"{len(s)} characters is too long for a quantity")
    with localcontext(_EXACT):
        return _parse(s)


MAX_NUMERAL = 40  # longer digit runs are identifiers or noise, never quantities
_EXACT = Context(prec=100)


def _parse(s: str) -> Decimal:
    total = Decimal(0)  # everything already multiplied by 亿
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
        elif tok in "万萬":
            value = small + (cur or 0)
            if value == 0 and mid == 0 and not seen:
                value = Decimal(1)  # a bare "万" (过万) is one 万
            mid = (mid + value) * SCALES["万"] if value else mid * SCALES["万"]
            small, cur = Decimal(0), None
            seen = True
        elif tok in "亿億":
            value = mid + small + (cur or 0)
            if value == 0 and total == 0 and not seen:
                value = Decimal(1)
            total = (total + value) * SCALES["亿"] if value else total * SCALES["亿"]
            mid = small = Decimal(0)
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
    return _normalize(total + mid + small + (cur or 0))


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
UNITS = sorted(
    """
    个百分点 百分点 人民币元 美元 欧元 港元 港币 日元 英镑 元 块钱
    人次 乘次 场次 家次 架次 辆次 户次 吨公里 人公里 千瓦时 千瓦 平方公里 平方千米 平方米 立方米
    吨标准煤 千瓦小时 千升 重量箱 公里 千米 厘米 毫米 米 公顷 亩 公斤 千克 克 吨 斤 标准箱 标箱 千卡
    μg/m3 μg/m³ mg/m3 微克/立方米 Gbps Mbps Tbps GB TB 千伏安时 个工作日 工作日 周年 个月 小时 分钟 秒钟 秒 星期 周 天 年 月 日
    个 人 次 家 笔 份 条 件 篇 名 位 所 款 项 宗 例 本 张 单 种 类 座 台 辆 架 艘 户 套 间 栋
    块 场 处 片 只 头 匹 列 双 棵 株 颗 册 部 集 盒 箱 瓶 袋 对 组 轮 趟 批 票 岁 床 首 起 枚 封 通 度 层
    所 口 门 支 届 期 % ‰ 倍 成
    """.split(),
    key=len,
    reverse=True,
)
_UNIT_RE = "|".join(re.escape(u) for u in dict.fromkeys(UNITS))

# Characters that, after a measure word, show it is the first character of a noun instead.
NOUN_AFTER_UNIT = {
    "人": "口员群民才士数均力类们物工",
    "家": "长庭居乡属电具人族",
    "个": "体人性别案税",
    "户": "口籍外型",
    "单": "位",
    "本": "地土身届次年月科",
    "期": "间限货刊",
    "场": "景所馆地合",
    "头": "部",
    "口": "罩径岸",
    "条": "件例款",
    "门": "店诊槛户类",
    "支": "付持出撑",
    "度": "假",
    "通": "过道知行讯信",
    "组": "织合",
    "对": "接外象于比",
    "集": "团中合",
    "部": "门分署",
    "处": "理",
    "起": "来步",
    "首": "批期次",
    "层": "面级",
    "片": "区",
    "成": "为本功交员果长立熟都效绩就品",
    "元": "素旦宵",
    "年": "龄均轻代鉴会货报",
    "天": "然津下地空气",
    "名": "字单称义额",
    "项": "目",
    "所": "有在得属以",
    "位": "于置",
    "届": "时",
    "种": "类植",
    "台": "湾",
    "次": "数产",
}

# A rate unit: "元/人", "部/百人", "公里/百平方公里".
_PER = r"(?:/(?:百|千|万)?(?:平方公里|人|户|辆|百人|平方米|公顷|亩|吨|年|天|小时))?"

_QUANTITY = re.compile(
    rf"(?P<pct>百分之)?(?P<num>{NUMERAL})(?P<inner>[多余几]?)(?P<scale>[{_SCALES}]*)"
    rf"(?P<unit>(?:{_UNIT_RE}){_PER})?(?P<plus>\+)?"
)


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
    for m in _QUANTITY.finditer(text):
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
    return out


def _trailing_scale(numeral: str) -> Decimal:
    factor = Decimal(1)
    for ch in reversed(numeral):
        if ch not in SCALES:
            break
        factor *= SCALES[ch]
    return factor


def _quantity_from_match(m: re.Match) -> Optional[Quantity]:
    numeral = m.group("num")
    unit = m.group("unit") or ""
    inner = m.group("inner") or ""
    # A numeral of only 几/数, or one that ends in a dangling 十百千 of a word ("十分"), is no number.
    if all(ch in VAGUE for ch in numeral):
        return None
    scale = m.group("scale") or ""
    try:
        value = parse_number(numeral)
    except NumberError:
        return None
    if scale:  # "20余万次": the qualifier sits between the digits and the scale word
        value = _EXACT.multiply(value, _trailing_scale(scale))
        numeral = numeral + inner + scale
    if m.group("pct"):
        unit = "%"
    if unit == "成":
        value = _EXACT.multiply(value, Decimal(10))
    plus = "+" if m.group("plus") else ""
    end = m.end()
    if unit and not m.group("pct"):
        following = m.string[m.end("unit") : m.end("unit") + 1]
        if following and following in NOUN_AFTER_UNIT.get(unit, ""):
            # "22万家长", "10亿人口", "5000万个体商户": the measure word starts a noun
            unit, plus, end = "", "", max(m.end("inner"), m.end("scale"))
    start = m.start()
    if (
        start > 0
        and m.string[start - 1] in "-－"
        and not m.group("pct")
        and not _SIGN_BLOCKER.match(m.string[start - 2 : start - 1] or "x")
    ):
        start -= 1  # "-0.57‰": a negative level, not a range
        value = -value
    return Quantity(
        start,
        end,
        numeral,
        value,
        unit,
        inner or plus,
        any(ch in _SCALES for ch in numeral + scale),
        not any(ch in "0123456789" for ch in numeral),
    )


_RANGE_SEP = ("到", "至", "-", "~", "—", "－")


def _joins_range(text: str, low: Quantity, high: Quantity) -> bool:
    sep = text[low.end : high.start]
    if sep not in _RANGE_SEP:
        return False
    if low.unit and low.unit != high.unit:
        return False
    if not high.unit and not high.has_scale:
        return False
    if high.unit in ("年", "月", "日") or low.unit in ("年", "月", "日"):
        return False
    if low.value_max is not None:
        return False
    return low.value <= high.value or high.has_scale
