"""The number grammar: exact values for Arabic, Chinese and mixed numerals."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.numbers import NumberError, format_decimal, parse_number, scan_quantities

DIG = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Standard Chinese numeral of 0 <= n < 10**16, written independently of the parser."""
    if n == 0:
        return "零"

    def below_10k(x: int) -> str:
        out, zero = "", False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // value % 10
            if d:
                if zero and out:
                    out += "零"
                out += DIG[d] + unit
                zero = False
            elif out:
                zero = True
        return out

    def below_1e8(x: int) -> str:
        high, low = divmod(x, 10**4)
        out = below_10k(high) + "万" if high else ""
        if low:
            if out and low < 1000:
                out += "零"
            out += below_10k(low)
        return out

    high, low = divmod(n, 10**8)
    out = below_1e8(high) + "亿" if high else ""
    if low:
        if out and low < 10**7:
            out += "零"
        out += below_1e8(low)
    return out


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=10**16 - 1))
def test_chinese_numerals_parse_back(n):
    assert parse_number(to_chinese(n)) == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=4))
def test_arabic_decimals_with_scales_are_exact(mantissa, places):
    text = format_decimal(Decimal(mantissa) / (10**places))
    for scale, factor in (("", 1), ("万", 10**4), ("亿", 10**8), ("万亿", 10**12)):
        assert parse_number(text + scale) == Decimal(text) * factor


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=9999))
def test_mixed_forms(wan, rest):
    assert parse_number(f"{wan}万{rest}") == wan * 10000 + rest
    assert parse_number(f"{to_chinese(wan)}万") == wan * 10000


@pytest.mark.parametrize(
    "text, value",
    [
        ("1.5万", 15000), ("12.025亿", 1202500000), ("8.58万亿", 8580000000000), ("16.4亿", 1640000000),
        ("八百", 800), ("两万", 20000), ("十亿", 10**9), ("一千二百三十四", 1234), ("千亿", 10**11),
        ("三十几万", 300000), ("3万4000", 34000), ("1,234.5", Decimal("1234.5")), ("萬", 10000),
        ("兩萬", 20000), ("貳", 2), ("一百零五", 105), ("十二", 12),
    ],
)
def test_known_values(text, value):
    assert parse_number(text) == Decimal(value)


def test_float_drift_never_happens():
    assert format_decimal(parse_number("16.4亿")) == "1640000000"


@pytest.mark.parametrize("text", ["", "两三", "十四五", "几"])
def test_not_numerals(text):
    with pytest.raises(NumberError):
        parse_number(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("入驻了1.5万个开锁师傅", [("1.5万个", "15000", "个", "", "")]),
        ("能挣八百元到一千元", [("八百元到一千元", "800", "元", "", "1000")]),
        ("用户年龄在20-35岁之间", [("20-35岁", "20", "岁", "", "35")]),
        ("由2万+增长至5万+", [("2万+", "20000", "", "+", ""), ("5万+", "50000", "", "+", "")]),
        ("收到简历27623余份", [("27623余份", "27623", "份", "余", "")]),
        ("客服咨询20余万次", [("20余万次", "200000", "次", "余", "")]),
        ("教育局还用企业微信连接了22万家长", [("22万", "220000", "", "", "")]),
        ("装机541万千瓦", [("541万千瓦", "5410000", "千瓦", "", "")]),
        ("百分之五十", [("百分之五十", "50", "%", "", "")]),
        ("惠及的小微商户占比达8成", [("8成", "80", "成", "", "")]),
        ("自然增长率为-0.57‰", [("-0.57‰", "-0.57", "‰", "", "")]),
    ],
)
def test_scan(text, expected):
    got = [(text[q.start:q.end], format_decimal(q.value), q.unit, q.inner, format_decimal(q.value_max))
           for q in scan_quantities(text)]
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_scanner_never_raises_and_spans_are_valid(text):
    for q in scan_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
