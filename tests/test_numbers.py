"""The number grammar: exact values for Arabic, Chinese and mixed numerals."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.numbers import (
    FRACTION_PLACES,
    NumberError,
    format_decimal,
    parse_fraction,
    parse_number,
    scan_quantities,
)

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


def to_chinese_digits(digits: str) -> str:
    """Fraction digits read one by one, as Chinese decimals are: "05" → "零五"."""
    return "".join(DIG[int(d)] for d in digits)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**8 - 1), st.text("0123456789", min_size=1, max_size=6))
def test_chinese_decimals_are_exact(n, digits):
    """"一点八" is 1.8, "十一点二" 11.2, "零点零五" 0.05: the integer part by the numeral grammar,
    the fraction digit by digit, as an exact Decimal."""
    text = to_chinese(n) + "点" + to_chinese_digits(digits)
    value = parse_number(text)
    assert isinstance(value, Decimal)
    assert value == Decimal(f"{n}.{digits}")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=9999), st.text("0123456789", min_size=1, max_size=4))
def test_chinese_decimals_with_scales(n, digits):
    base = Decimal(f"{n}.{digits}")
    for scale, factor in (("万", 10**4), ("亿", 10**8), ("万亿", 10**12)):
        assert parse_number(to_chinese(n) + "点" + to_chinese_digits(digits) + scale) == base * factor


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=2, max_value=999), st.data())
def test_fractions_are_shares_in_percent(den, data):
    num = data.draw(st.integers(min_value=1, max_value=den))
    value, unit = parse_fraction(to_chinese(den), to_chinese(num))
    exact = Decimal(100 * num) / Decimal(den)
    if den == 100:
        assert (value, unit) == (num, "%")
    elif den == 1000:
        assert (value, unit) == (num, "‰")
    else:
        assert unit == "%"
        assert abs(value - exact) <= Decimal("0.00005")  # FRACTION_PLACES
        if (exact * 10**FRACTION_PLACES) == (exact * 10**FRACTION_PLACES).to_integral_value():
            assert value == exact  # a share that ends is exact: 四分之一 is 25, 八分之三 37.5


@pytest.mark.parametrize(
    "text, value",
    [
        ("零点三", "0.3"), ("一点八", "1.8"), ("三十五点六", "35.6"), ("十一点二万", "112000"),
        ("零点五亿", "50000000"), ("两千零五十", "2050"), ("一点五", "1.5"), ("一千二百点零五", "1200.05"),
    ],
)
def test_chinese_decimal_values(text, value):
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["一点", "点五", "一点二点三", "一点五十"])
def test_not_chinese_decimals(text):
    with pytest.raises(NumberError):
        parse_number(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("增长零点三个百分点", [("零点三个百分点", "0.3", "个百分点", "", "")]),
        ("提高一点八个百分点", [("一点八个百分点", "1.8", "个百分点", "", "")]),
        ("占百分之三十五点六", [("百分之三十五点六", "35.6", "%", "", "")]),
        ("约三分之一的企业", [("三分之一", "33.3333", "%", "", "")]),
        ("四分之一的家庭", [("四分之一", "25", "%", "", "")]),
        ("死亡率为千分之五", [("千分之五", "5", "‰", "", "")]),
        ("五成半的用户", [("五成半", "55", "成", "", "")]),
        ("增长一点五倍", [("一点五倍", "1.5", "倍", "", "")]),
        ("增长一倍半", [("一倍半", "1.5", "倍", "", "")]),
        ("投资零点五亿元", [("零点五亿元", "50000000", "元", "", "")]),
        ("招聘两千零五十人", [("两千零五十人", "2050", "人", "", "")]),
        ("服务十一点二万人次", [("十一点二万人次", "112000", "人次", "", "")]),
        # clock times are not decimals: 八点三十分 is half past eight
        ("晚上八点三十分开播", [("八", "8", "", "", ""), ("三十", "30", "", "", "")]),
    ],
)
def test_scan_chinese_decimals_and_fractions(text, expected):
    got = [(text[q.start:q.end], format_decimal(q.value), q.unit, q.inner, format_decimal(q.value_max))
           for q in scan_quantities(text)]
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="一二三四五六七八九十百千万亿零点分之成倍半两个百分点%0123456789.", max_size=30))
def test_scanner_on_numeral_soup_never_raises_and_values_are_decimal(text):
    """Any mix of numeral characters, decimal points, fractions and halves scans without error,
    into spans in order that do not overlap, each with an exact value."""
    end = 0
    for q in scan_quantities(text):
        assert end <= q.start < q.end <= len(text)
        assert isinstance(q.value, Decimal)
        end = q.end


@pytest.mark.parametrize("text, value", [
    ("三亿四千多万人", "340000000"), ("一亿二千余万元", "120000000"), ("7千多万", "70000000"),
    ("20余万次", "200000")])
def test_a_qualifier_before_the_scale_leaves_the_larger_scales_alone(text, value):
    assert [format_decimal(q.value) for q in scan_quantities(text)] == [value]
